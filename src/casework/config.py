"""Project settings from ``casework.toml``, with defaults for everything optional."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from casework.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "casework.toml"
KNOWN_SECTIONS = {"project", "nlp", "chapters", "store", "matrices", "review"}


def read_config(root: Path) -> dict[str, Any]:
    """The settings of the project at ``root`` (an empty dict when there is no file)."""
    path = root / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        config: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ConfigError("not UTF-8 text", path=path, fix="Save the file as UTF-8.") from err
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None)
        raise ConfigError(
            f"invalid TOML: {getattr(err, 'msg', err)}",
            path=path,
            line=line,
            fix="Correct the syntax (see https://toml.io).",
        ) from err
    unknown = set(config) - KNOWN_SECTIONS
    if unknown:
        raise ConfigError(
            f"unknown section [{sorted(unknown)[0]}]",
            path=path,
            fix=f"Known sections: {', '.join(sorted(KNOWN_SECTIONS))}.",
        )
    _check_suggestion_settings(config, path)
    return config


def _check_suggestion_settings(config: dict[str, Any], path: Path) -> None:
    """``[nlp] floor`` (a probability) and ``per_doc`` (a count, 0 for no limit), checked
    when the file is read, so nothing runs (or writes) on a setting that cannot work."""
    nlp = config.get("nlp", {})
    if not isinstance(nlp, dict):
        return
    floor = nlp.get("floor")
    if floor is not None and (
        isinstance(floor, bool) or not isinstance(floor, int | float) or not 0 <= floor <= 1
    ):
        raise ConfigError(
            f"[nlp] floor = {floor!r} is not a probability",
            path=path,
            field="floor",
            fix="Give the lowest score suggested as a number from 0 to 1, e.g. floor = 0.25.",
        )
    per_doc = nlp.get("per_doc")
    if per_doc not in (None, "none") and (
        isinstance(per_doc, bool) or not isinstance(per_doc, int) or per_doc < 0
    ):
        raise ConfigError(
            f"[nlp] per_doc = {per_doc!r} is not a count",
            path=path,
            field="per_doc",
            fix='Give the most suggestions per document as a whole number, 0 (or "none") '
            "for no limit, e.g. per_doc = 40.",
        )


def setting(config: dict[str, Any], section: str, key: str, default: Any = None) -> Any:
    value = config.get(section, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{section}] must be a table", path=CONFIG_FILE)
    return value.get(key, default)


def resolve_coder(config: dict[str, Any], coder: str | None = None) -> str | None:
    """The coder: an explicit argument, else ``CASEWORK_CODER``, else ``[project] coder``."""
    return coder or os.environ.get("CASEWORK_CODER") or setting(config, "project", "coder")


def need_coder(coder: str | None, config: dict[str, Any] | None = None) -> str:
    """:func:`resolve_coder`, or the one error every part of casework gives when no coder
    is known (the library, the widgets, the CLI)."""
    who = resolve_coder(config or {}, coder)
    if not who:
        raise ConfigError(
            "no coder given",
            field="coder",
            fix="Pass coder=... (--coder NAME), set CASEWORK_CODER, or set coder under "
            "[project] in casework.toml.",
        )
    return str(who)
