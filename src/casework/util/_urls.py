"""Passwords out of every message: one masking function for URLs and DSNs.

A store URL can carry its password as ``scheme://user:X@host``, ``scheme://:X@host``,
with an unencoded ``@`` inside X (``user:p@ss@host``: the user information ends at the
*last* ``@``), or as a query parameter (``?password=X``, ``&sslpassword=X``), and
drivers echo libpq DSNs (``password=X``). :func:`mask_url` replaces each such secret
with ``***`` anywhere in a text; :class:`casework.errors.CaseworkError` applies it to
every message, so no caller can forget.
"""

from __future__ import annotations

import re

MASK = "***"

# scheme://[user]:secret@ … up to the last '@' of the URL token (a password may hold an
# unencoded '@'; masking a little too much is better than showing any of it).
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"<>]*:)[^\s'\"<>]*@")
_SECRET_KEYS = r"(?:ssl)?pass(?:word)?|passwd|pwd|secret|token|api_?key|access_?key"
_PARAM = re.compile(rf"((?:^|[?&;\s(,])(?:{_SECRET_KEYS})\s*=\s*)('[^']*'|[^\s&;,)'\"]+)", re.I)


def mask_url(text: str) -> str:
    """``text`` with every URL password and ``password=``-style secret shown as ***."""
    if "://" in text:
        text = _USERINFO.sub(rf"\1{MASK}@", text)
    if "=" in text:
        text = _PARAM.sub(rf"\1{MASK}", text)
    return text
