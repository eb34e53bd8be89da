"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks, export and import."""

from __future__ import annotations

from casework.refi._archive import MAX_READ_BYTES
from casework.refi._common import fold_description, slug, unfold_description
from casework.refi._export import export_qdc, export_qdpx
from casework.refi._import import import_refi
from casework.refi._schema import SCHEMA_DIR, check_valid, schema

__all__ = [
    "MAX_READ_BYTES",
    "SCHEMA_DIR",
    "check_valid",
    "export_qdc",
    "export_qdpx",
    "fold_description",
    "import_refi",
    "schema",
    "slug",
    "unfold_description",
]
