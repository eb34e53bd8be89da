"""Executed chapter notebooks to HTML (nbconvert) and to Word, Markdown, PDF (pandoc).

HTML: nbconvert's ``basic`` template without code cells, prompts or anchor links,
wrapped in a small offline page: plotly.js loaded from ``plotly.min.js`` beside the
chapters (written once, not embedded in each chapter) when the chapter has a figure,
plotly's CDN MathJax tag removed, and plotly's random div ids replaced by
``casework-figure-<n>`` so two builds give the same bytes.

Static formats: the same HTML, with each plotly figure redrawn as SVG (a heatmap) or
a note, goes through pandoc, which makes real headings, tables and block quotes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from html import escape, unescape
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor

from casework.chapters._files import publish, write_text
from casework.chapters._static_figures import PLOTLY_MIME, static_figure
from casework.errors import CaseworkError

REMOVE_TAG = "remove-cell"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CDN_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*mathjax[^"]*"[^>]*>\s*</script>', re.I)
_EXTERNAL = re.compile(r'<(?:script|link|img|iframe)[^>]*\b(?:src|href)="(https?:)?//[^"]*"', re.I)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_SVG_IMG = re.compile(r'<img [^>]*src="data:image/svg\+xml[^"]*"[^>]*>')
_TABLE_CLASS = re.compile(r'<table class="[^"]*">')
PLOTLY_DIV = 'class="plotly-graph-div"'


class ChapterOutputs(Preprocessor):
    """Keep what a reader should see: drop streams, errors and plotly's loader output;
    in a static document replace each plotly figure by a static stand-in."""

    def __init__(self, *, static: bool, **kwargs: Any) -> None:
        # nbconvert is unannotated here; mypy's untyped_calls_exclude does not see super()
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self.static = static

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        """Filter each cell's outputs, then drop code cells left with nothing to show
        (papermill's injected cell among them: its random id would differ per run)."""
        nb, resources = super().preprocess(nb, resources)  # type: ignore[no-untyped-call]
        nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.outputs]
        return nb, resources

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        if cell.cell_type != "code":
            return cell, resources
        kept = []
        for output in cell.get("outputs", []):
            if output.output_type not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            if _loader_only(data):
                continue
            if self.static and PLOTLY_MIME in data:
                output = {**output, "data": {"text/html": static_figure(data[PLOTLY_MIME])}}
            kept.append(output)
        cell.outputs = kept
        return cell, resources


def _loader_only(data: dict[str, Any]) -> bool:
    """plotly's renderer output that only loads plotly.js (the page shell does that)."""
    html = data.get("text/html", "")
    return isinstance(html, str) and "plotly.js v" in html and PLOTLY_DIV not in html


_EXPORTERS: dict[bool, Any] = {}
_EXPORTER_LOCK = threading.Lock()  # one conversion at a time per exporter (the GIL
# serialises them anyway); making an exporter costs more than using it


def _exporter(static: bool) -> Any:
    if static not in _EXPORTERS:
        _EXPORTERS[static] = _new_exporter(static)
    return _EXPORTERS[static]


def _new_exporter(static: bool) -> Any:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.anchor_link_text = ""
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}
    exporter = HTMLExporter(config=config, template_name="basic")
    exporter.register_preprocessor(ChapterOutputs(static=static), enabled=True)
    return exporter


def body_html(notebook: Any, *, static: bool) -> str:
    """The chapter's HTML body: outputs and Markdown cells, no code."""
    with _EXPORTER_LOCK:
        body, _ = _exporter(static).from_notebook_node(notebook)
    return normalise(str(body))


def normalise(html: str) -> str:
    """Deterministic, offline HTML: numbered figure ids, no CDN MathJax tag."""
    html = _CDN_SCRIPT.sub("", html)
    ids: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return ids.setdefault(match.group(0), f"casework-figure-{len(ids) + 1}")

    return _UUID.sub(number, html)


def external_resources(html: str) -> list[str]:
    """Tags that would fetch something from the network (there should be none)."""
    return [m.group(0)[:120] for m in _EXTERNAL.finditer(html)]


def chapter_title(body: str, default: str) -> str:
    match = _H1.search(body)
    return unescape(_TAGS.sub("", match.group(1))).strip() if match else default


PLOTLY_FILE = "plotly.min.js"


def write_plotly(out_dir: Path) -> Path:
    """plotly.js beside the chapters (written when missing or different), so every
    chapter loads the same 4 MB file from disk instead of carrying its own copy."""
    from plotly.offline import get_plotlyjs

    target = out_dir / PLOTLY_FILE
    script = get_plotlyjs()
    if not target.is_file() or target.stat().st_size != len(script.encode("utf-8")):
        write_text(target, script)
    return target


def page(body: str, title: str, *, script: str | None = None) -> str:
    """A standalone page: the body, casework's chapter styles and (if needed) plotly.js,
    loaded from the file ``script`` beside the page, or embedded when ``script`` is None."""
    css = (Path(__file__).with_name("chapter.css")).read_text(encoding="utf-8")
    loader = ""
    if PLOTLY_DIV in body:
        if script is None:
            from plotly.offline import get_plotlyjs

            code = f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        else:
            code = f'<script src="{escape(script)}" charset="utf-8"></script>\n'
        loader = '<script>window.PlotlyConfig = {MathJaxConfig: "local"};</script>\n' + code
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="casework">\n'
        f"<title>{escape(title)}</title>\n<style>\n{css}</style>\n{loader}</head>\n"
        f'<body>\n<main class="cw-chapter">\n{body}\n</main>\n</body>\n</html>\n'
    )


# --------------------------------------------------------------------------- pandoc
def pandoc(
    html: str, to: str, target: Path, *, pandoc_path: str, args: tuple[str, ...] = ()
) -> Path:
    """Convert ``html`` with pandoc into ``target`` (written whole, or not at all)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    command = [pandoc_path, "--from=html", f"--to={to}", "--output", tmp, *args]
    try:
        done = subprocess.run(
            command,
            input=html.encode("utf-8"),
            capture_output=True,
            cwd=target.parent,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise CaseworkError(
                f"pandoc could not write {target.suffix[1:]}: "
                f"{message[-1] if message else done.returncode}",
                path=target,
                fix="Check the chapter's HTML version; report this if it persists.",
            )
        publish(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def word_args(title: str, author: str, date: str, reference: Path | None) -> tuple[str, ...]:
    """pandoc options that make a Word chapter a report: title block, contents, styles."""
    args = ["--toc", "--toc-depth=2", "-M", "toc-title=Contents", "-M", f"title={title}"]
    args += ["--shift-heading-level-by=-1"]  # sections are Word's Heading 1
    args += ["-M", f"author={author}"] if author else []
    args += ["-M", f"date={date}"] if date else []
    args += [f"--reference-doc={reference}"] if reference else []
    return tuple(args)


def static_formats(
    body: str,
    stem: str,
    out_dir: Path,
    formats: tuple[str, ...],
    *,
    pandoc_path: str,
    latex: str | None,
    word: tuple[str, ...] = (),
) -> list[Path]:
    """Write ``<stem>.docx`` / ``.md`` / ``.pdf`` from the static HTML body; ``word``
    are the pandoc options of the Word file (:func:`word_args`): its title replaces
    the body's first heading."""
    written = []
    body = _TABLE_CLASS.sub("<table>", body)  # else pandoc's Markdown shows {.cw-table}
    if "docx" in formats:
        text = _H1.sub("", body, count=1) if word else body
        written.append(
            pandoc(text, "docx", out_dir / f"{stem}.docx", pandoc_path=pandoc_path, args=word)
        )
    if "md" in formats:
        media = f"{stem}_media"
        shutil.rmtree(out_dir / media, ignore_errors=True)
        written.append(
            pandoc(
                body,
                "gfm-raw_html",
                out_dir / f"{stem}.md",
                pandoc_path=pandoc_path,
                args=(f"--extract-media={media}", "--wrap=none"),
            )
        )
    if "pdf" in formats and latex:
        if not shutil.which("rsvg-convert"):  # pandoc needs it for SVG in LaTeX
            body = _SVG_IMG.sub(
                '<p class="cw-figure-note">(figure: see the HTML chapter)</p>', body
            )
        written.append(
            pandoc(
                body,
                "latex",
                out_dir / f"{stem}.pdf",
                pandoc_path=pandoc_path,
                args=(f"--pdf-engine={latex}", "-V", "geometry:margin=2.5cm"),
            )
        )
    return written
