"""Pieces the REFI-QDA exporter and importer share: names, GUIDs, folded code fields, XML.

REFI-QDA (QDA-XML 1.0) gives a code one ``Description``. casework codes also have
include/exclude rules, examples, keywords and spaCy patterns, so the exporter *folds*
them into the description as labelled lines after the free text::

    Children's learning and development.

    Include: reported changes for children
    Exclude: changes for staff (use impact.practice)
    Examples: ["children were more school-ready"]
    Keywords: school readiness; outcomes for children
    Patterns (spaCy): [[{"LEMMA": "improve"}, {"LOWER": "outcomes"}]]
    Casework id: impact.children

Other tools show this text as it is; the importer unfolds it again, so a code survives
casework → NVivo → casework with its id and rules.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from casework.errors import SourceError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: Namespace of casework's deterministic GUIDs (uuid5 of "<kind>:<stable id>").
GUID_NAMESPACE = uuid.UUID("3f1c7d52-9a0e-5b8c-a4d1-6e2f0b9c8a17")

_LABELS = {
    "include": "Include",
    "exclude": "Exclude",
    "examples": "Examples",
    "keywords": "Keywords",
    "patterns": "Patterns (spaCy)",
    "id": "Casework id",
}
_LABEL_LINE = re.compile(
    r"^(?P<label>" + "|".join(re.escape(v) for v in _LABELS.values()) + r"):[ \t]?",
    re.MULTILINE,
)
_BY_LABEL = {v: k for k, v in _LABELS.items()}


def make_guid(kind: str, key: str) -> str:
    """A stable GUID for a thing of ``kind`` with the stable id ``key``."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def norm_guid(value: str | None) -> str:
    """A GUID as a lookup key: lower case, no braces or white space."""
    return (value or "").strip().strip("{}").lower()


def slug(text: str, *, lower: bool = True, keep: str = "_.-", fallback: str = "item") -> str:
    """An ASCII name for ids and files: accents folded, anything else becomes ``_``."""
    folded = unicodedata.normalize("NFKD", str(text))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    if lower:
        folded = folded.lower()
    out = re.sub(rf"[^A-Za-z0-9{re.escape(keep)}]+", "_", folded)
    out = re.sub(r"_+", "_", out).strip("_.-")
    return out or fallback


def unique(name: str, taken: set[str], sep: str = "-") -> str:
    """``name``, or ``name-2``, ``name-3``… whichever is not taken yet (and take it)."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{sep}{n}"
    taken.add(candidate)
    return candidate


# --- folded code fields ----------------------------------------------------------------


def fold_description(fields: dict[str, Any]) -> str:
    """The free description followed by one labelled line per non-empty extra field."""
    lines = []
    for key, label in _LABELS.items():
        value = fields.get(key)
        if value is None or value == "" or (isinstance(value, (list, tuple)) and not value):
            continue
        if key in ("examples", "patterns"):
            text = json.dumps(_plain(value), ensure_ascii=False)
        elif key == "keywords":
            words = [str(w) for w in value]
            text = (
                "; ".join(words)
                if not any(";" in w for w in words)
                else json.dumps(words, ensure_ascii=False)
            )
        else:
            text = " ".join(str(value).split())  # one line
        lines.append(f"{label}: {text}")
    free = str(fields.get("description") or "").strip()
    if not lines:
        return free
    return (free + "\n\n" if free else "") + "\n".join(lines)


def unfold_description(text: str | None) -> dict[str, Any]:
    """Split a description into ``description`` and the folded fields found in it."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    first = _LABEL_LINE.search(text)
    if first is None:
        return {"description": text.strip()}
    out: dict[str, Any] = {"description": text[: first.start()].strip()}
    matches = list(_LABEL_LINE.finditer(text, first.start()))
    for this, after in zip(matches, [*matches[1:], None], strict=True):
        key = _BY_LABEL[this.group("label")]
        value = text[this.end() : after.start() if after else len(text)].strip()
        out[key] = _unfold_value(key, value)
    return out


def _unfold_value(key: str, value: str) -> Any:
    if key in ("examples", "patterns") or (key == "keywords" and value.startswith("[")):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return [value] if key != "patterns" else []
        return parsed if isinstance(parsed, list) else [parsed]
    if key == "keywords":
        return [w.strip() for w in value.split(";") if w.strip()]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --- variable values ------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
VALUE_KINDS = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")


def plain_value(value: Any) -> Any:
    """numpy scalars as plain Python values."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def present(value: Any) -> bool:
    """A single value worth writing (not None/NaN, not a list or mapping)."""
    if value is None or isinstance(value, (list, dict, tuple, set)):
        return False
    try:
        return not bool(value != value)  # NaN is the one value unequal to itself
    except (TypeError, ValueError):
        return True


def variable_type(values: list[Any]) -> str:
    """The REFI ``typeOfVariable`` that fits every value."""
    if all(isinstance(v, bool) for v in values):
        return "Boolean"
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numbers) == len(values):
        return "Integer" if all(float(v).is_integer() for v in numbers) else "Float"
    if all(isinstance(v, str) and _ISO_DATE.match(v) for v in values):
        return "Date"
    return "Text"


def variable_text(kind: str, value: Any) -> str:
    """A value as the XSD type of ``<kind>Value`` spells it."""
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        return format(Decimal(repr(float(value))), "f")  # xsd:decimal: no exponent
    return str(value)


def parse_variable(kind: str, text: str) -> Any:
    """A ``<kind>Value``'s text as a Python value (text as given when it does not parse)."""
    text = text.strip()
    try:
        if kind == "Boolean":
            return text.lower() in ("true", "1")
        if kind == "Integer":
            return int(text)
        if kind == "Float":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return text
    return text


# --- framework summaries as notes -----------------------------------------------------

_SUMMARY_FIELD = re.compile(r"^(Row|Code|Draft|Provenance): ?(.*)$", re.MULTILINE)


def summary_description(s: dict[str, Any]) -> str:
    """The ``Description`` of a summary's ``Note``: a sentence, then labelled fields."""
    lines = [
        f"casework framework summary of {s['row_kind']} '{s['row_id']}' and code '{s['code_id']}'.",
        "",
        f"Row: {s['row_kind']} {s['row_id']}",
        f"Code: {s['code_id']}",
        f"Draft: {'yes' if s.get('draft') else 'no'}",
    ]
    provenance = s.get("provenance")
    if isinstance(provenance, dict) and provenance:
        lines.append("Provenance: " + json.dumps(provenance, ensure_ascii=False, default=str))
    return "\n".join(lines)


def parse_summary_description(text: str | None) -> dict[str, Any] | None:
    """Row, code, draft and provenance from a summary note's description, else None."""
    found = dict(_SUMMARY_FIELD.findall((text or "").replace("\r\n", "\n")))
    row = found.get("Row", "").split(" ", 1)
    if len(row) != 2 or row[0] not in ("case", "participant", "study") or not found.get("Code"):
        return None
    try:
        provenance = json.loads(found["Provenance"]) if found.get("Provenance") else None
    except json.JSONDecodeError:
        provenance = None
    return {
        "row_kind": row[0],
        "row_id": row[1].strip(),
        "code_id": found["Code"].strip(),
        "draft": found.get("Draft", "").strip() == "yes",
        "provenance": provenance if isinstance(provenance, dict) else None,
    }


# --- reading XML -----------------------------------------------------------------------


def local(tag: Any) -> str:
    """An element's tag without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def kids(element: Element, name: str) -> Iterator[Element]:
    """Direct children called ``name`` (in any namespace)."""
    return (child for child in element if local(child.tag) == name)


def kid(element: Element, name: str) -> Element | None:
    return next(kids(element, name), None)


def kid_text(element: Element, name: str) -> str:
    found = kid(element, name)
    return (found.text or "") if found is not None else ""


def parse_xml(data: bytes, where: str) -> Element:
    """Parse untrusted XML: no DTDs, no entities, no external references, no network."""
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    try:
        root: Element = safe_et.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        return root
    except DefusedXmlException as err:
        raise SourceError(
            f"the XML declares a DTD or entities ({type(err).__name__}); casework refuses "
            "them because they can read local files or reach the network",
            path=where,
            fix="Export the project again from its program; REFI-QDA files need no DTD.",
        ) from None
    except ParseError as err:
        line = err.position[0] if getattr(err, "position", None) else None
        raise SourceError(
            f"not well-formed XML ({err.msg if hasattr(err, 'msg') else err})",
            path=where,
            line=line,
            fix="The file is damaged or not a REFI-QDA export; export it again.",
        ) from None


@dataclass
class LeftOut:
    """Something an import or export could not carry over, and why."""

    what: str
    name: str
    reason: str
    count: int = 1

    def __str__(self) -> str:
        many = f" ({self.count})" if self.count > 1 else ""
        return f"{self.what} '{self.name}'{many}: {self.reason}"


@dataclass
class Tally:
    """Counts by label, in the order first seen."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, n: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    def __getitem__(self, label: str) -> int:
        return self.counts.get(label, 0)


# --- writing ------------------------------------------------------------------------

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so re-exports are byte-identical


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, fsynced and renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip with ``project.qde`` first, then the rest sorted, with fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ["project.qde", *sorted(n for n in entries if n != "project.qde")]:
            info = zipfile.ZipInfo(str(PurePosixPath(name)), date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()
