"""``casework build`` and ``export_chapters`` on a copy of the demo, and on bad input.

The build is shared with the browser tests (tests/_chapter_build.py). Word chapters
are read back with python-docx: their headings must be the chapter plan's, and no
participant's name from the transcripts' front matter may appear anywhere.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import nbformat
import pandas as pd
import pytest
from _chapter_build import CASES, Built, built_demo, copy_demo, snapshot

import casework
from casework.chapters import _convert, _tools, export_chapters, load_plan
from casework.chapters._build import PACKAGED_TEMPLATES
from casework.errors import CaseworkError, ConfigError, MissingDependency, ProjectError

pytestmark = pytest.mark.slow
STEMS = (*CASES, "cross-case")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_demo(tmp_path_factory)


def _names(root: Path) -> list[str]:
    """Every participant name and name part from the front matter."""
    names = set()
    private = casework.open_project(root).private
    for value in (fields["name"] for fields in private.values() if fields.get("name")):
        for person in re.split(r"\s+and\s+", str(value)):
            names.add(person.strip())
            names.update(part for part in person.split() if len(part) > 2)
    assert len(names) > 20  # the demo has 15 named people
    return sorted(names)


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    core = document.core_properties
    return "\n".join(
        [p.text for p in document.paragraphs]
        + cells
        + [core.title or "", core.author or "", core.subject or ""]
    )


def _styled(path: Path, style: str) -> list[str]:
    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs if p.style.name == style]


def _headings(path: Path, level: int) -> list[str]:
    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


# --------------------------------------------------------------------------- the build
def test_build_writes_every_chapter_and_the_workbook(built: Built) -> None:
    for stem in STEMS:
        for suffix in (".html", ".docx", ".md"):
            path = built.chapters / f"{stem}{suffix}"
            assert path.is_file() and path.stat().st_size > 2000, path
    exports = built.root / "exports"
    assert (exports / "matrices.xlsx").is_file()
    assert (exports / "validation.txt").read_text() == "No problems found.\n"
    assert (exports / "matrices" / "cross-case.csv").is_file()
    assert (exports / "suggestions_summary.csv").is_file()
    rules = pd.read_csv(exports / "rule_precision.csv")  # the demo coder's estimates (#14)
    assert {"code_id", "reason", "decisions", "precision"} <= set(rules.columns)
    assert rules["decisions"].gt(0).any() and rules["precision"].between(0, 1).all()
    offered = pd.read_csv(exports / "suggestions.csv")  # scored as the Coder offers them
    assert offered["confidence"].between(0, 1).all() and offered["confidence"].nunique() > 1
    assert set(built.report.files) >= {built.chapters / f"{s}.docx" for s in STEMS}


def test_build_writes_nothing_outside_exports(built: Built) -> None:
    assert built.after == built.before


def test_word_headings_follow_the_chapter_plan(built: Built) -> None:
    project = casework.open_project(built.root)
    plan = load_plan(project)
    for case_id in CASES:
        path = built.chapters / f"{case_id}.docx"
        title = plan.case_title(
            project.cases.set_index("case_id").loc[case_id].to_dict() | {"case_id": case_id}
        )
        assert _styled(path, "Title") == [title]
        assert _headings(path, 1) == [
            "Context",
            "Setting up and scoping",
            "The assignment",
            "Challenges",
            "Reflections",
            "Impact",
            "Evidencing the outcomes",
            "Appendix: the interviews",
        ]
    cross = built.chapters / "cross-case.docx"
    assert _styled(cross, "Title") == [plan.cross_title]
    assert _headings(cross, 1) == [
        *[s.title for s in plan.cross_sections],
        "Conclusions",
        "Appendix: the elements in each case",
    ]
    assert "External perspective" not in _headings(cross, 2)  # a grandchild: not a heading
    assert "The specialist's qualities" in _headings(cross, 2)


def test_word_chapters_are_reports(built: Built) -> None:
    for stem in STEMS:
        document = docx.Document(str(built.chapters / f"{stem}.docx"))
        assert (
            document.core_properties.title == _styled(built.chapters / f"{stem}.docx", "Title")[0]
        )
        assert document.core_properties.author.startswith("Evaluation team")
        assert _styled(built.chapters / f"{stem}.docx", "Author") and _styled(
            built.chapters / f"{stem}.docx", "Date"
        )
        body = document.element.xml
        assert re.search(r"<w:instrText[^>]*>TOC \\o", body), "a contents field"
        footer = document.sections[0].footer._element.xml
        fields = re.findall(r"<w:instrText[^>]*>\s*(\w+)", footer)
        assert "PAGE" in fields and "NUMPAGES" in fields
        headed = [t for t in document.tables if t.rows[0]._tr.xml.count("<w:tblHeader")]
        assert headed and len(headed) >= len(document.tables) - 1  # all but the facts table
        styles = document.styles.element.xml
        assert 'w:styleId="Table"' in styles and "w:tblBorders" in styles


def test_word_chapters_have_quotes_tables_and_a_figure(built: Built) -> None:
    document = docx.Document(str(built.chapters / "B.docx"))
    cited = [p.text for p in document.paragraphs if "(from the interview summary: " in p.text]
    assert len(cited) >= 10  # the demo's sources are summaries: cited, not block-quoted
    assert all(re.search(r", Case B \[B / [^\]]+ ¶\d+\]\)$", c) for c in cited), cited
    assert "Head Teacher, Case B" in " ".join(cited)
    facts = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert facts["Local authority"] == "inner city borough"
    assert facts["Days of support"] == "5"
    assert document.inline_shapes, "the heatmap should be an image in Word"


def test_no_participant_name_appears_in_any_chapter(built: Built) -> None:
    names = _names(built.root)
    for stem in STEMS:
        texts = {
            "docx": _docx_text(built.chapters / f"{stem}.docx"),
            # the body: the head holds plotly.js itself (whose map data names "Saint Martin")
            "html": (built.chapters / f"{stem}.html")
            .read_text(encoding="utf-8")
            .split("<body>", 1)[1],
            "md": (built.chapters / f"{stem}.md").read_text(encoding="utf-8"),
        }
        for kind, text in texts.items():
            found = [n for n in names if re.search(rf"\b{re.escape(n)}\b", text)]
            assert not found, f"{stem}.{kind} names {found}"


def test_html_chapters_are_offline_and_figures_have_fixed_ids(built: Built) -> None:
    for stem in STEMS:
        html = (built.chapters / f"{stem}.html").read_text(encoding="utf-8")
        assert _convert.external_resources(html) == []
        assert "cdnjs" not in html and "plotly.js v" not in html  # not embedded
        assert html.count('<script src="plotly.min.js"') == 1
        assert len(html.encode("utf-8")) < 1_000_000
        assert 'id="casework-figure-1"' in html
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-", html)  # no uuid4 left
        assert "import casework" not in html and "project_root" not in html  # no code cells


def _chapter_parts(folder: Path, stem: str) -> dict[str, bytes]:
    parts = {
        "html": (folder / f"{stem}.html").read_bytes(),
        "md": (folder / f"{stem}.md").read_bytes(),
    }
    with zipfile.ZipFile(folder / f"{stem}.docx") as word:
        for name in word.namelist():
            if name != "docProps/core.xml":  # creation time
                parts[f"docx:{name}"] = word.read(name)
        core = word.read("docProps/core.xml").decode()
    parts["docx:core"] = re.sub(r"<dcterms:(created|modified)[^<]*</dcterms:\1>", "", core).encode()
    return parts


def test_building_twice_gives_the_same_chapters(built: Built, tmp_path: Path) -> None:
    from casework.build import build

    first = tmp_path / "first"
    shutil.copytree(built.chapters, first, ignore=shutil.ignore_patterns("executed"))
    again = build(built.root, progress=False, formats=("html", "docx", "md"), force=True)
    assert again.ok, str(again)
    for stem in STEMS:
        old, new = _chapter_parts(first, stem), _chapter_parts(built.chapters, stem)
        assert old.keys() == new.keys()
        different = [k for k in old if old[k] != new[k]]
        assert not different, f"{stem}: {different}"
    assert snapshot(built.root) == built.before


def test_a_build_with_nothing_changed_keeps_everything(built: Built) -> None:
    from casework.build import build

    again = build(built.root, progress=False, formats=("html", "docx", "md"))
    assert again.ok and "nothing changed since the last build" in str(again)
    assert set(again.files) >= {built.chapters / f"{s}.docx" for s in STEMS}
    assert again.seconds == {}  # no step ran
    assert snapshot(built.root) == built.before


# --------------------------------------------------------------------------- bad input
@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "demo")


def _replace_in_config(root: Path, old: str, new: str) -> None:
    path = root / "casework.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_section_naming_an_unknown_code_names_the_file_and_field(project: Path) -> None:
    _replace_in_config(project, 'codes = ["scoping"]', 'codes = ["scoping", "scopeing"]')
    with pytest.raises(CaseworkError) as caught:
        export_chapters(project, formats=["html"])
    message = str(caught.value)
    assert "casework.toml" in message and "chapters.sections[1].codes" in message
    assert "scopeing" in message and "scoping" in message  # lists the valid codes
    assert not (project / "exports").exists()


def test_a_quote_label_may_not_name_people(project: Path) -> None:
    _replace_in_config(
        project, 'quote_label = "{role}, Case {case_id}"', 'quote_label = "{name} ({role})"'
    )
    with pytest.raises(ConfigError, match=r"casework.toml.*never named.*chapters.quote_label"):
        export_chapters(project, formats=["html"])


def test_a_case_with_no_interviews_is_an_error(project: Path) -> None:
    with (project / "cases.csv").open("a", encoding="utf-8") as cases:
        cases.write("F,An empty case,,,,,,,,0\n")
    with pytest.raises(ProjectError, match=r"case 'F' has no interviews.*transcripts/F/"):
        export_chapters(project, cases=["F"], formats=["html"])
    with pytest.raises(CaseworkError, match="unknown case 'Z'"):
        export_chapters(project, cases=["Z"], formats=["html"])


def test_missing_pandoc_is_a_clear_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pypandoc

    def missing() -> str:
        raise OSError("No pandoc was found")

    monkeypatch.setattr(pypandoc, "get_pandoc_path", missing)
    monkeypatch.setenv("PATH", str(project))
    with pytest.raises(MissingDependency, match=r"pandoc is not installed.*pypandoc-binary"):
        export_chapters(project, cases=["A"], formats=["html", "docx"])
    assert not (project / "exports").exists()


def test_pdf_needs_latex(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_tools, "find_latex", lambda: None)
    with pytest.raises(MissingDependency, match=r"LaTeX engine.*texlive-xetex"):
        export_chapters(project, cases=["A"], formats=["pdf"])
    with pytest.raises(CaseworkError, match="unknown chapter format 'odt'"):
        export_chapters(project, cases=["A"], formats=["html", "odt"])


def _add_cell(template: Path, source: str, at: int) -> None:
    notebook = nbformat.read(template, as_version=4)
    cell = nbformat.v4.new_code_cell(source)
    cell.id = f"test-{at}"
    notebook.cells.insert(at, cell)
    nbformat.write(notebook, template)


def test_a_failing_notebook_is_reported_and_the_other_chapters_kept(project: Path) -> None:
    template = project / "notebooks" / "case_chapter.ipynb"  # the project's own template
    shutil.copy2(PACKAGED_TEMPLATES / template.name, template)
    _add_cell(template, 'if case_id == "B":\n    raise ValueError("no data for B")', 4)
    _add_cell(
        template,
        "from IPython.display import HTML\n"
        'if case_id == "C":\n    display(HTML("<p>Thanks to Diane Prescott</p>"))',
        5,
    )
    # The project's own template runs only when trusted (issue 18 item 22).
    report = export_chapters(project, cases=["A", "B", "C"], formats=["html"], trust_templates=True)
    assert [c.name for c in report.chapters] == ["A"]
    assert (project / "exports" / "chapters" / "A.html").is_file()
    failed = {f.name: str(f) for f in report.failures}
    assert set(failed) == {"B", "C"}
    assert (
        'case_chapter.ipynb: cell 5 (if case_id == "B":) failed: ValueError: no data '
        "for B" in failed["B"]
    )
    assert "executed/B.ipynb" in failed["B"]
    assert "participant's name (Diane)" in failed["C"] or "(Diane Prescott)" in failed["C"]
    for stem in ("B", "C"):
        assert not (project / "exports" / "chapters" / f"{stem}.html").exists()
    assert not report.ok


def test_cli_export_chapters_for_one_case(project: Path) -> None:
    from casework.cli import main

    status = main(["export", "chapters", str(project), "--case", "D", "--format", "html,md"])
    assert status == 0
    written = sorted(p.name for p in (project / "exports" / "chapters").glob("[!.]*.*"))
    assert written == ["D.html", "D.md", "plotly.min.js"]
    text = (project / "exports" / "chapters" / "D.md").read_text(encoding="utf-8")
    assert text.startswith("# Case Study 'D': Parental Engagement")
    assert "## Evidencing the outcomes" in text and "(from the interview summary: " in text
    assert re.search(r"!\[Coverage of the themes in case D\]\(D_media/[0-9a-f]+\.svg\)", text)
    assert text.index("## Appendix") < text.index("![Coverage")  # the heatmap is an appendix
    assert main(["export", "chapters", str(project), "--format", "odt"]) == 2


def test_executed_notebook_keeps_its_parameters(project: Path) -> None:
    report = export_chapters(project, cases=["E"], formats=["html"], cross_case=False)
    assert report.ok, str(report)
    executed = nbformat.read(project / "exports" / "chapters" / "executed" / "E.ipynb", 4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'case_id = "E"' in injected[0].source
    figures = [
        o.data["application/vnd.plotly.v1+json"]
        for c in executed.cells
        for o in c.get("outputs", [])
        if "application/vnd.plotly.v1+json" in o.get("data", {})
    ]
    assert len(figures) == 1
    trace = figures[0]["data"][0]
    assert trace["type"] == "heatmap" and len(trace["y"]) == 3  # E's three interviews
    assert all(y.startswith("E / ") for y in trace["y"])


def test_every_quotation_in_the_built_chapters_is_in_the_sources(built: Built) -> None:
    from test_chapter_evidence import _verbatim_pattern

    project = casework.open_project(built.root)
    sources = " ".join(
        " ".join(project.text(d).replace('"', "").split()) for d in project.documents["doc_id"]
    )
    count = 0
    for stem in STEMS:
        text = (built.chapters / f"{stem}.md").read_text(encoding="utf-8")
        for quoted in re.findall(r"“([^“”]*)”", text):
            assert _verbatim_pattern(quoted).search(sources), (stem, quoted)
            count += 1
    assert count > 40


def test_a_second_build_reuses_every_chapter_and_a_changed_summary_rebuilds_its_own(
    project: Path,
) -> None:
    from casework.matrices import STUDY_ROW, SummaryStore

    first = export_chapters(project, formats=["html", "md"])
    assert first.ok and first.kernel_starts == 1 and len(first.rebuilt) == 6
    again = export_chapters(project, formats=["html", "md"])
    assert again.rebuilt == [] and again.kernel_starts == 0
    assert [c.name for c in again.chapters] == [*CASES, "cross-case"]
    store = SummaryStore(project / "summaries", coder="demo")
    old = store.get(("case", "C"), "impact")
    store.edit(("case", "C"), "impact", old["text"] + " The team also said so.")
    third = export_chapters(project, formats=["html", "md"])
    assert third.rebuilt == ["C"] and third.kernel_starts == 1
    assert "The team also said so." in (project / "exports/chapters/C.md").read_text()
    store.edit(STUDY_ROW, "improvements.design", "Separate the scoping days from delivery.")
    assert export_chapters(project, formats=["html", "md"]).rebuilt == ["cross-case"]
    assert export_chapters(project, formats=["html"], force=True).rebuilt == [*CASES, "cross-case"]


def test_the_kernel_only_displays_chapters_the_build_worked_out(project: Path) -> None:
    """export_chapters works each chapter out in its own process (the project is open
    there) and the kernel displays it: no pandas, spaCy or plotly in the kernel. A
    template that asks for its own plan still computes its chapter in the kernel."""
    template = project / "notebooks" / "case_chapter.ipynb"
    shutil.copy2(PACKAGED_TEMPLATES / template.name, template)
    probe = (
        "import sys\nprint(sorted(m for m in ('pandas', 'spacy', 'plotly') if m in sys.modules))"
    )
    _add_cell(template, probe, 99)
    report = export_chapters(project, cases=["A"], formats=["md"], trust_templates=True)
    assert report.ok, str(report)
    executed = nbformat.read(project / "exports" / "chapters" / "executed" / "A.ipynb", 4)
    printed = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])]
    assert "[]\n" in printed
    assert not list((project / "exports" / "chapters" / ".cache").glob("prepared*"))
    plain = (project / "exports" / "chapters" / "A.md").read_text(encoding="utf-8")

    # The same chapter, computed in the kernel because the template passes a plan.
    source = template.read_text(encoding="utf-8")
    asked = "chapter = case_chapter(project, case_id)"
    assert asked in source
    template.write_text(
        source.replace(
            asked, "chapter = case_chapter(project, case_id, load_plan(project))"
        ).replace("import case_chapter,", "import load_plan, case_chapter,"),
        encoding="utf-8",
    )
    again = export_chapters(project, cases=["A"], formats=["md"], trust_templates=True)
    assert again.ok and again.rebuilt == ["A"], str(again)
    executed = nbformat.read(project / "exports" / "chapters" / "executed" / "A.ipynb", 4)
    printed = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])]
    assert "['pandas', 'plotly']\n" in printed or "['pandas', 'plotly', 'spacy']\n" in printed
    assert (project / "exports" / "chapters" / "A.md").read_text(encoding="utf-8") == plain


def test_a_chapter_survives_its_trip_to_the_kernel(project: Path) -> None:
    """Chapter.to_json / from_json: the same HTML and figure outputs as displayed."""
    from casework.chapters import case_chapter, cross_case_chapter, figure_bundle
    from casework.chapters._shown import Chapter, FigureOutput

    opened = casework.open_project(project)
    for chapter in (case_chapter(opened, "B"), cross_case_chapter(opened)):
        back = Chapter.from_json(chapter.to_json())
        assert back.title == chapter.title and back.headings == chapter.headings
        assert back.opening.html == chapter.opening.html
        assert [s.html for s in back.sections] == [s.html for s in chapter.sections]
        assert (back.appendix is None) == (chapter.appendix is None)
        assert isinstance(back.appendix_figure, FigureOutput)
        sent, made = back.appendix_figure.bundle(), figure_bundle(chapter.appendix_figure)
        assert sent["application/vnd.plotly.v1+json"] == made["application/vnd.plotly.v1+json"]
        assert _convert.normalise(sent["text/html"]) == _convert.normalise(made["text/html"])
