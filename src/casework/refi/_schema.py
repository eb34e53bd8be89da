"""The REFI-QDA schemas (QDA-XML 1.0, MIT, shipped in ``schema/``) and the check every
export passes before it is written."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from casework.errors import ProjectError

SCHEMA_DIR = Path(__file__).with_name("schema")
SCHEMAS = {"project": "Project-mrt2019.xsd", "codebook": "Codebook-mrt2019.xsd"}


@cache
def schema(kind: str) -> Any:
    """The compiled schema for ``project`` (.qde) or ``codebook`` (.qdc) documents."""
    import xmlschema  # compiling a schema takes a moment: only when something is exported

    return xmlschema.XMLSchema(str(SCHEMA_DIR / SCHEMAS[kind]))


def check_valid(xml: bytes, kind: str, path: Path) -> None:
    """Raise if ``xml`` does not validate against the ``kind`` schema; ``path`` is the file
    that would have been written (and is not)."""
    error = next(iter(schema(kind).iter_errors(xml.decode("utf-8"))), None)
    if error is not None:
        where = f" at {error.path}" if getattr(error, "path", None) else ""
        raise ProjectError(
            f"the {kind} document casework made is not valid REFI-QDA{where}: {error.reason}",
            path=path,
            fix="Nothing was written. This is a casework bug: please report it with this message.",
        )
