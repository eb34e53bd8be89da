"""The documentation site: it builds offline with warnings as errors, every page's code
runs, no internal link is broken, and every CLI command and error class is documented.

The site is opened in chromium by tests/browser/test_docs_site.py.
"""

from __future__ import annotations

import html
import html.parser
import posixpath
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from _docs_build import DOCS, built_site

pytestmark = pytest.mark.slow
sys.path.insert(0, str(DOCS / "_ext"))
import casework_reference  # noqa: E402  (the docs' own extension)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory.mktemp("docs")).html


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if value and (
                (name == "href" and tag in ("a", "link"))
                or (name == "src" and tag in ("img", "script"))
            ):
                self.links.append(value)


def _plain(path: Path) -> str:
    """A page's HTML unescaped, with Sphinx's typographic quotes made plain again."""
    text = html.unescape(path.read_text(encoding="utf-8"))
    return text.translate(
        str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
    )


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    # Pages, not the theme's template fragments under _static/.
    pages = sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static")
    assert len(pages) >= 20
    parsed = {page: _parse(page) for page in pages}
    broken = []
    for page, links in parsed.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # not followed; the browser test checks none is needed
            target = page if not parts.path else (page.parent / unquote(parts.path))
            target = Path(posixpath.normpath(target.as_posix()))
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def test_no_page_needs_the_network(site: Path) -> None:
    remote = []
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0] == "_static":
            continue
        for link in _parse(page).links:
            if urlsplit(link).scheme in ("http", "https") and link.endswith((".js", ".css")):
                remote.append(f"{page.relative_to(site)}: {link}")
    assert not remote, "pages load scripts or styles from the network:\n" + "\n".join(remote)


def test_every_cli_command_is_in_the_reference(site: Path) -> None:
    import typer

    from casework.cli import app

    page = _plain(site / "reference" / "cli.html")
    root = typer.main.get_command(app)
    ctx = type(root).context_class(root, info_name="casework")
    commands = casework_reference._commands(root, ctx)
    assert len(commands) >= 15
    for path, cmd in commands:
        assert f"casework {' '.join(path)}" in page, f"casework {' '.join(path)} is not documented"
        assert (cmd.help or "").strip().splitlines()[0] in page


def test_an_undocumented_command_fails_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    import typer
    from sphinx.errors import ExtensionError

    from casework import cli

    extra = typer.Typer()

    @extra.command("secret")
    def secret() -> None:  # no docstring: no help text
        pass

    @extra.command("other")
    def other() -> None:
        """Documented."""

    monkeypatch.setattr(cli, "app", extra)
    with pytest.raises(ExtensionError, match="casework secret"):
        casework_reference.cli_reference()


def test_every_error_class_has_an_example_message(site: Path) -> None:
    page = (site / "reference" / "errors.html").read_text(encoding="utf-8")
    classes = casework_reference.error_classes()
    assert {"CaseworkError", "SourceError", "UnknownName"} <= {c.__name__ for c in classes}
    for cls in classes:
        assert f'<span class="pre">{cls.__name__}</span>' in page
    assert "casework: transcripts/A/lead.md:2: front matter is not a mapping" in page


def test_notebook_pages_were_executed_at_build_time(site: Path) -> None:
    page = (site / "concepts" / "agreement.html").read_text(encoding="utf-8")
    # The worked examples' results are computed by the build: they are cell outputs.
    outputs = page.split('class="cell_output')[1:]
    assert len(outputs) == 2
    assert "<td>85.0</td>" in outputs[0] and "<td>0.318</td>" in outputs[0]
    assert "<pre><span></span>0.743" in outputs[1]
    for source in DOCS.rglob("*.md"):
        text = source.read_text(encoding="utf-8")
        if "{code-cell}" in text:
            assert "file_format: mystnb" in text, f"{source}: code cells would not run"
