"""casework's Word reference document: how a chapter looks when pandoc writes it.

``pandoc --reference-doc`` takes styles, page setup, header and footer from a .docx.
This one is pandoc's own default, restyled: a report's headings and title, block
quotes set off by a rule, tables with borders and a shaded, bold, repeating header
row, and a footer with "Page N of M". It is made on demand (never shipped as a
binary), so it always matches the pandoc that uses it.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

ACCENT = "2F5D8A"
RULE = "A7B3BF"
HEADER_FILL = "E8EEF4"
BODY_FONT, HEADING_FONT = "Cambria", "Calibri"


def reference_docx(pandoc_path: str, target: Path) -> Path:
    """Write casework's reference document to ``target`` (returned)."""
    import docx

    raw = subprocess.run(
        [pandoc_path, "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    document = docx.Document(io.BytesIO(raw))
    _text_styles(document)
    _table_style(document)
    _page(document)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    document.save(buffer)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(target)
    return target


def _text_styles(document: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    styles = document.styles
    accent = RGBColor.from_string(ACCENT)
    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        if name in styles:
            styles[name].font.name = BODY_FONT
            styles[name].font.size = Pt(11)
    sizes = {"Title": 26, "Heading 1": 18, "Heading 2": 14, "Heading 3": 12}
    for name, size in sizes.items():
        if name in styles:
            font = styles[name].font
            font.name, font.size, font.color.rgb, font.bold = HEADING_FONT, Pt(size), accent, True
    for name in ("Subtitle", "Author", "Date"):
        if name in styles:
            styles[name].font.name = HEADING_FONT
            styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if "Block Text" in styles:
        block = styles["Block Text"]
        block.font.italic = False
        block.paragraph_format.left_indent = Pt(24)
        block.paragraph_format.right_indent = Pt(12)
        _border(block.element, "pPr", "pBdr", ("left",), ACCENT, 18)
    for name in ("Table Caption", "Image Caption"):
        if name in styles:
            styles[name].font.italic = True
            styles[name].font.size = Pt(10)


def _table_style(document: Any) -> None:
    """The ``Table`` style pandoc gives every table: borders, a bold shaded header."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    style = document.styles["Table"].element
    _border(
        style,
        "tblPr",
        "tblBorders",
        ("top", "left", "bottom", "right", "insideH", "insideV"),
        RULE,
        4,
    )
    tbl_pr = style.find(qn("w:tblPr"))
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "90")
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(margins)
    for old in style.findall(qn("w:tblStylePr")):
        if old.get(qn("w:type")) == "firstRow":
            style.remove(old)
    first = OxmlElement("w:tblStylePr")
    first.set(qn("w:type"), "firstRow")
    run = OxmlElement("w:rPr")
    run.append(OxmlElement("w:b"))
    first.append(run)
    cell = OxmlElement("w:tcPr")
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:color"), "auto")
    shade.set(qn("w:fill"), HEADER_FILL)
    cell.append(shade)
    first.append(cell)
    style.append(first)


def _border(
    element: Any, holder: str, tag: str, sides: tuple[str, ...], colour: str, size: int
) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    parent = element.find(qn(f"w:{holder}"))
    if parent is None:
        parent = OxmlElement(f"w:{holder}")
        element.append(parent)
    old = parent.find(qn(f"w:{tag}"))
    if old is not None:
        parent.remove(old)
    borders = OxmlElement(f"w:{tag}")
    for side in sides:
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), str(size))
        edge.set(qn("w:space"), "4")
        edge.set(qn("w:color"), colour)
        borders.append(edge)
    parent.append(borders)


def _page(document: Any) -> None:
    """A4 margins and a centred "Page N of M" footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES", "1")


def _field(paragraph: Any, code: str, shown: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) that Word fills in when it lays out pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (
        ("begin", None),
        ("instr", f" {code} "),
        ("separate", None),
        ("text", shown),
        ("end", None),
    ):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
