"""Source texts from REFI-QDA exports, and where their selections really are.

The standard counts positions in Unicode code points from 0 in the plain-text file, but
real exports differ: NVivo counts UTF-16 code units (an emoji is two) with ``\\r\\n`` as
two characters, ATLAS.ti counts ``\\r\\n`` as one, and a BOM may or may not count. For
each source the importer tries every counting *scheme* the text makes possible and keeps
the one under which the selections fit best: their text equals their name (ATLAS.ti
names a quotation by its text), and they start and end on word boundaries. Ties go to
the standard's own reading. Positions are then mapped onto the text as casework will
read it (BOM dropped, ``\\n`` line ends, NFC, no trailing white space, no leading blank
lines), never by walking the text character by character in Python.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import numpy as np

_LEADING_BLANK_LINES = re.compile(r"(?:[^\S\n]*\n)+")


@dataclass(frozen=True)
class Scheme:
    """How an exporter counted positions."""

    utf16: bool = False  # UTF-16 code units: characters beyond U+FFFF count two
    crlf_one: bool = False  # "\r\n" counted as one character
    bom: bool = False  # a leading BOM counted as a character

    def describe(self) -> str:
        parts = [
            "UTF-16 code units" if self.utf16 else "code points",
            "\\r\\n as one character" if self.crlf_one else "\\r\\n as two",
        ]
        if self.bom:
            parts.append("the BOM counted")
        return ", ".join(parts)


STANDARD = Scheme()


@dataclass
class SourceText:
    """A source's text as exported (``raw``, BOM removed) and as casework will read it."""

    raw: str
    had_bom: bool
    text: str
    to_text: np.ndarray  # raw index 0..len(raw) → index in ``text``

    @cached_property
    def points(self) -> np.ndarray:
        """The raw text's code points."""
        return np.frombuffer(self.raw.encode("utf-32-le"), dtype=np.uint32)

    @classmethod
    def from_bytes(cls, data: bytes) -> SourceText | None:
        """Decode UTF-8 (BOM optional) or BOM-marked UTF-16; None when it is neither."""
        had_bom = data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
        try:
            if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                raw = data.decode("utf-16")
            else:
                raw = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        raw = raw.lstrip("\ufeff")
        return cls.from_str(raw, had_bom)

    @classmethod
    def from_str(cls, raw: str, had_bom: bool = False) -> SourceText:
        text, mapping = _normalise_with_map(raw)
        return cls(raw, had_bom, text, mapping)

    # --- schemes ---------------------------------------------------------------------

    def schemes(self) -> list[Scheme]:
        """The counting schemes that give different positions for this text."""
        utf16 = [False, True] if bool((self.points > 0xFFFF).any()) else [False]
        crlf = [False, True] if "\r\n" in self.raw else [False]
        bom = [False, True] if self.had_bom else [False]
        return [Scheme(u, c, b) for u, c, b in itertools.product(utf16, crlf, bom)]

    def _cumulative(self, scheme: Scheme) -> np.ndarray:
        """Position (in ``scheme``) of each raw index 0..len(raw)."""
        points = self.points
        width = np.ones(len(points), np.int64)
        if scheme.utf16:
            width[points > 0xFFFF] = 2
        if scheme.crlf_one and len(points) > 1:
            pair = (points[:-1] == 13) & (points[1:] == 10)
            width[:-1][pair] = 0
        cum = np.zeros(len(points) + 1, np.int64)
        np.cumsum(width, out=cum[1:])
        return cum + (1 if scheme.bom else 0)

    def to_raw(self, scheme: Scheme, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw indices of ``positions`` counted in ``scheme``, and which were in range."""
        cum = self._cumulative(scheme)
        positions = np.asarray(positions, np.int64)
        inside = (positions >= 0) & (positions <= cum[-1])
        raw = np.searchsorted(cum, np.clip(positions, cum[0], cum[-1]), side="left")
        return np.clip(raw, 0, len(self.raw)), inside

    def choose(self, starts: list[int], ends: list[int], names: list[str]) -> Scheme:
        """The scheme under which the selections fit best (the standard on a tie)."""
        candidates = self.schemes()
        if len(candidates) == 1 or not starts:
            return candidates[0]
        scores = [self._score(s, starts, ends, names) for s in candidates]
        return candidates[int(np.argmax(scores))]  # first best: the standard wins ties

    def _score(self, scheme: Scheme, starts: list[int], ends: list[int], names: list[str]) -> int:
        a, a_ok = self.to_raw(scheme, np.array(starts))
        b, b_ok = self.to_raw(scheme, np.array(ends))
        score = -5 * int((~a_ok | ~b_ok).sum())
        raw = self.raw
        for i, j, name in zip(a.tolist(), b.tolist(), names, strict=True):
            score += _boundary(raw, i) + _boundary(raw, j)
            if name and _same_text(raw[i:j], name):
                score += 3
        return score

    def positions(
        self, scheme: Scheme, starts: list[int], ends: list[int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Selections in ``text`` coordinates, and whether each was inside the source."""
        a, a_ok = self.to_raw(scheme, np.array(starts, np.int64))
        b, b_ok = self.to_raw(scheme, np.array(ends, np.int64))
        return self.to_text[a], self.to_text[b], a_ok & b_ok


def _boundary(raw: str, i: int) -> int:
    """1 when index ``i`` does not cut a word in two."""
    if i <= 0 or i >= len(raw):
        return 1
    return 0 if raw[i - 1].isalnum() and raw[i].isalnum() else 1


def _same_text(span: str, name: str) -> bool:
    want = " ".join(name.split())
    have = " ".join(span.split())
    for ellipsis in ("…", "..."):
        if want.endswith(ellipsis) and len(want) > len(ellipsis) + 8:
            return have.startswith(want[: -len(ellipsis)].rstrip())
    return have == want and bool(want)


# --- normalisation with an offset map -------------------------------------------------


def _normalise_with_map(raw: str) -> tuple[str, np.ndarray]:
    """casework's text rules applied to ``raw``, with each raw index's new position."""
    points = np.frombuffer(raw.encode("utf-32-le"), dtype=np.uint32)
    drop = np.zeros(len(points), bool)
    if len(points) > 1:
        drop[:-1] = (points[:-1] == 13) & (points[1:] == 10)  # the \r of \r\n
    step1 = np.zeros(len(points) + 1, np.int64)
    np.cumsum(~drop, out=step1[1:])
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text, step2 = _nfc_with_map(text)
        step1 = step2[step1]
    text = text.rstrip()
    lead = _LEADING_BLANK_LINES.match(text)
    cut = lead.end() if lead else 0
    final = text[cut:]
    return final, np.clip(step1 - cut, 0, len(final))


def _joins(char: str) -> bool:
    """A combining mark or a Hangul vowel/final jamo: composes with what comes before."""
    return bool(unicodedata.combining(char)) or 0x1160 <= ord(char) <= 0x11FF


def _nfc_with_map(text: str) -> tuple[str, np.ndarray]:
    """NFC by clusters (a base character and the marks after it), keeping a position map."""
    out: list[str] = []
    mapping = np.zeros(len(text) + 1, np.int64)
    pos = i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and _joins(text[j]):
            j += 1
        chunk = unicodedata.normalize("NFC", text[i:j])
        mapping[i:j] = pos
        out.append(chunk)
        pos += len(chunk)
        i = j
    mapping[len(text)] = pos
    joined = "".join(out)
    whole = unicodedata.normalize("NFC", text)
    if joined != whole:  # a composition across clusters: fall back to proportional offsets
        scale = len(whole) / max(len(text), 1)
        return whole, np.round(np.arange(len(text) + 1) * scale).astype(np.int64)
    return joined, mapping
