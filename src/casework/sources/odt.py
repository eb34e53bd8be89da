"""OpenDocument text (``.odt``, LibreOffice Writer) read from its XML.

An ``.odt`` is a zip whose ``content.xml`` holds the body: paragraphs (``text:p``) and
headings (``text:h``), also inside lists and table cells, in document order; they are
joined by blank lines as ``.docx`` paragraphs are. Spaces (``text:s``), tabs and line
breaks inside a paragraph are kept. ``meta.xml``'s title and creator become the
``title`` and ``author`` attributes (the author is private, never shown). The XML is
parsed with defusedxml, as any file from outside is.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from casework.errors import SourceError
from casework.sources._registry import register_reader
from casework.sources._text import Source, normalise_text, with_header

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_BLOCKS = {f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"}
_RESAVE = "Open it in LibreOffice or Word and save it again as .odt, .docx or .txt."


@register_reader(".odt")
def read_odt(path: Path, raw: bytes) -> Source:
    """Read an OpenDocument text's paragraphs and headings; title/author as attributes."""
    content, meta = _parts(path, raw)
    body = content.find(f"{{{_OFFICE}}}body")
    blocks = [] if body is None else [_flat(el) for el in body.iter() if el.tag in _BLOCKS]
    text = normalise_text("\n\n".join(b for b in blocks if b.strip()))
    return with_header(path, text, _attributes(meta))


def _parts(path: Path, raw: bytes) -> tuple[Any, Any]:
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            content = ElementTree.fromstring(archive.read("content.xml"))
            names = set(archive.namelist())
            meta = ElementTree.fromstring(archive.read("meta.xml")) if "meta.xml" in names else None
    except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError):
        raise SourceError(
            "not a valid OpenDocument text (.odt) file", path=path, fix=_RESAVE
        ) from None
    except Exception as err:  # defusedxml refuses entity tricks with its own errors
        raise SourceError(
            f"the .odt file's XML was refused ({type(err).__name__})", path=path, fix=_RESAVE
        ) from None
    return content, meta


def _flat(element: Any) -> str:
    """A paragraph's text: spans, links and notes' text, with ``text:s``/tab/line-break."""
    out: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == f"{{{_TEXT}}}s":
            out.append(" " * int(child.get(f"{{{_TEXT}}}c", "1") or 1))
        elif tag == f"{{{_TEXT}}}tab":
            out.append("\t")
        elif tag == f"{{{_TEXT}}}line-break":
            out.append("\n")
        elif tag not in _BLOCKS:
            out.append(_flat(child))
        out.append(child.tail or "")
    return "".join(out)


def _attributes(meta: Any) -> dict[str, Any]:
    if meta is None:
        return {}
    found = {}
    for key, tag in (
        ("title", f"{{{_DC}}}title"),
        ("author", f"{{{_META}}}initial-creator"),
        ("author", f"{{{_DC}}}creator"),
    ):
        element = meta.find(f".//{tag}")
        if key not in found and element is not None and (element.text or "").strip():
            found[key] = " ".join(element.text.split())
    return found
