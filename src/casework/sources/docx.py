"""Word transcripts (``.docx``) read with python-docx.

Body paragraphs and the paragraphs of table cells (row by row, each merged cell once)
are taken in document order and joined by blank lines; empty paragraphs are skipped.
The core properties ``title`` and ``author`` become attributes when set. python-docx is
imported on first use so that importing casework stays fast.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casework.errors import SourceError
from casework.sources._registry import register_reader
from casework.sources._text import Source, normalise_text, with_header
from casework.util import check_entries, verify_all

_RESAVE = (
    "Open it in Word or LibreOffice and save it as a Word document (.docx), "
    "or save the transcript as .txt."
)


@register_reader(".docx")
def read_docx(path: Path, raw: bytes) -> Source:
    """Read a Word document's paragraphs and table cells; title/author as attributes."""
    document = _open(path, raw)
    paragraphs = [text for text in _texts(document) if text.strip()]
    text = normalise_text("\n\n".join(paragraphs))
    return with_header(path, text, _attributes(document))


MAX_DOCX_BYTES = 256 << 20  # all parts of one .docx, decompressed


def _check_zip(path: Path, raw: bytes) -> None:
    """Sizes, methods and every deflate stream checked before python-docx reads it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # python-docx says what is wrong with a file that is no zip
    with archive:
        infos = check_entries(
            archive, path, size_on_disk=len(raw), max_total=MAX_DOCX_BYTES, fix=_RESAVE
        )
        verify_all(archive, infos, path, MAX_DOCX_BYTES, fix=_RESAVE)


def _open(path: Path, raw: bytes) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_zip(path, raw)
    try:
        from lxml.etree import XMLSyntaxError
    except ImportError:  # pragma: no cover - lxml is a python-docx dependency
        XMLSyntaxError = ValueError
    try:
        return docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError):
        raise SourceError(
            "not a valid Word .docx file (an old .doc, or a damaged or renamed file?)",
            path=path,
            fix=_RESAVE,
        ) from None


def _texts(container: Any, seen: set[Any] | None = None) -> Iterator[str]:
    """Paragraph texts of a document or table cell, descending into tables in order."""
    from docx.table import Table

    seen = set() if seen is None else seen
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc in seen:  # a merged cell is listed once per grid column
                        continue
                    seen.add(cell._tc)
                    yield from _texts(cell, seen)
        else:
            yield block.text


def _attributes(document: Any) -> dict[str, Any]:
    properties = document.core_properties
    found = {"title": properties.title, "author": properties.author}
    return {key: value.strip() for key, value in found.items() if value and value.strip()}
