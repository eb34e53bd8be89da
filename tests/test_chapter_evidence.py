"""Evidence told honestly: what a chapter may put in quotation marks, and the synthesis.

The demo's sources are interview summaries (``kind: summary``), so its chapters may
quote only the words the summaries put in quotation marks; every quotation in every
demo chapter is checked against the sources, allowing only bracketed substitutions.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

import casework
from casework.chapters import (
    case_chapter,
    cross_case_chapter,
    sentence_spans,
    summary_evidence,
    transcript_evidence,
)
from casework.errors import SourceError

REPO = Path(__file__).resolve().parents[1]
_QUOTE = re.compile(r"“([^“”]*)”")
_REFS = re.compile(r"\[([A-Z]) / ([^\]¶]+) ¶(\d+)\]")
_TAGS = re.compile(r"<[^>]+>")


def _verbatim_pattern(quoted: str) -> re.Pattern[str]:
    """A quotation as a pattern over the sources: each bracketed substitution stands
    for any words (a name, a label, words left out); everything else must match."""
    parts = re.split(r"\[[^\]]*\]", " ".join(quoted.split()))
    return re.compile(r".{0,200}?".join(r"\s+".join(map(re.escape, p.split())) for p in parts))


def _quotations(html: str) -> list[str]:
    return [unescape(q) for q in _QUOTE.findall(_TAGS.sub("", html))]


@pytest.fixture(scope="module")
def demo() -> casework.Project:
    return casework.open_project(REPO)


@pytest.fixture(scope="module")
def chapters(demo: casework.Project) -> dict[str, str]:
    found = {c: case_chapter(demo, c) for c in ("A", "B", "C", "D", "E")}
    found["cross-case"] = cross_case_chapter(demo)
    return {
        name: "".join([c.opening.html, *[s.html for s in c.sections]]) for name, c in found.items()
    }


def test_demo_sources_say_they_are_summaries(demo: casework.Project) -> None:
    assert set(demo.documents["kind"]) == {"summary"}
    assert len(demo.documents) == 14


def test_every_quotation_in_the_demo_chapters_is_in_its_sources(
    demo: casework.Project, chapters: dict[str, str]
) -> None:
    sources = " ".join(
        " ".join(demo.text(d).replace('"', "").split()) for d in demo.documents["doc_id"]
    )
    checked = 0
    for name, html in chapters.items():
        for quoted in _quotations(html):
            assert _verbatim_pattern(quoted.replace('"', "")).search(sources), (name, quoted)
            checked += 1
    assert checked > 40  # the check ran on real quotations


def test_summary_sentences_are_cited_not_quoted(chapters: dict[str, str]) -> None:
    html = chapters["A"]
    assert "<blockquote" not in html  # nothing in the demo is a participant's own turn
    assert "(from the interview summary: Senior Adviser for Early Years, Case A" in html
    assert "She said the timing was “just right”" in html
    assert "“She said" not in html  # the summary's own words are not put in quotation marks


def test_references_are_in_reading_order(demo: casework.Project, chapters: dict[str, str]) -> None:
    order = {str(d): i for i, d in enumerate(demo.documents["doc_id"])}
    role_doc = {(str(r.case_id), str(r.role)): str(r.doc_id) for r in demo.documents.itertuples()}
    runs = 0
    for html in chapters.values():
        for run in re.findall(r'<p class="cw-ref">(.*?)</p>', html):
            refs = [
                (order[role_doc[(c, unescape(role))]], int(p))
                for c, role, p in _REFS.findall(unescape(run))
            ]
            assert refs == sorted(refs), run
            runs += len(refs) > 1
    assert runs > 5


def test_cross_case_chapter_is_a_synthesis(chapters: dict[str, str]) -> None:
    html = chapters["cross-case"]
    assert "Nothing was coded" not in html and "Case A." not in html
    for element in re.split(r"(?=<h3>)", html)[1:]:
        body = element.split("</h3>", 1)[1]
        assert '<div class="cw-summary">' in body.split("<h3>")[0], element[:80]
    sections = re.findall(r"<h2>(.*?)</h2>(.*?)(?=<h2>|$)", html, re.S)
    assert [t for t, _ in sections][-1] == "Conclusions"
    assert all(_TAGS.sub("", body).strip() for _, body in sections)
    assert "Shown in 5 of 5 cases" in html


def test_case_chapter_opens_with_context_and_keeps_the_heatmap_for_the_appendix(
    demo: casework.Project,
) -> None:
    chapter = case_chapter(demo, "B")
    assert chapter.opening.html.index('class="cw-facts"') < chapter.opening.html.index("cw-lead")
    assert chapter.headings[1] == "Context"
    assert chapter.figure is None and chapter.appendix_figure is not None
    assert "Appendix" in chapter.appendix.html
    assert "Coded in" not in "".join(s.html for s in chapter.sections)


# --------------------------------------------------------------------------- units
def test_a_summary_gives_only_its_sentences_that_quote_someone() -> None:
    text = (
        'She came by email. She said the timing was "just right", as the team was new. '
        '"It works. We love it," she said. Money mattered.'
    )
    assert summary_evidence(text, (0, len(text)), 0, 15) is None
    shown = summary_evidence(text, (0, len(text)), 0, len(text))
    assert shown == (
        "She said the timing was “just right”, as the team was new. "
        "“It works. We love it,” she said."
    )
    assert sentence_spans(text, 0, len(text))[2] == (text.index('"It'), text.index(" Money"))


def test_a_transcript_gives_whole_sentences_of_participant_turns() -> None:
    text = "Interviewer: Why did you apply?\n\nDana: It was free. We needed help. Truly."
    turns = [(text.index("Dana"), len(text))]
    start = text.index("needed")
    assert transcript_evidence(text, turns, start, start + 6) == "We needed help."
    assert transcript_evidence(text, turns, 0, 10) is None  # the interviewer's turn
    long = transcript_evidence(text, turns, turns[0][0], len(text), limit=20)
    assert long == "It was free. […]"


def test_source_kind_is_checked(tmp_path: Path) -> None:
    from casework.sources import source_kind

    assert source_kind(None) == "transcript" and source_kind("Summary") == "summary"
    with pytest.raises(SourceError, match="unknown source kind 'memo' \\(field 'kind'\\)"):
        source_kind("memo", tmp_path / "x.md")
