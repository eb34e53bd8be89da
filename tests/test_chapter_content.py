"""What goes into a chapter, on small projects built in the test (no kernels here).

The plan's checks, the sections' summaries and quotes, names kept out, escaping, the
quote ranking, the static heatmap for Word, and the HTML normalisation that makes two
builds byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import casework
from casework.chapters import (
    _convert,
    case_chapter,
    cross_case_chapter,
    heatmap_svg,
    load_plan,
    pick_quotes,
    rank_passages,
    shorten,
    static_figure,
)
from casework.errors import ConfigError, ProjectError, UnknownName
from casework.matrices import SummaryStore
from casework.privacy import NameMask

DOCS = {
    "A/lead.md": """\
        ---
        participant: A-LA
        name: Alice Example
        role: LA lead
        role_group: LA
        ---
        ## Impact

        Alice Example said the programme changed practice in every setting they visited,
        and "children were more ready for school" by the summer.

        ## Challenges

        Capacity in the team was the main challenge, and there was never enough time for it.
        """,
    "A/specialist.md": """\
        ---
        participant: A-SS
        name: Bob Sample
        role: Sector Specialist
        ---
        Interviewer: What changed?

        SS: Practice improved across the settings we visited, in the specialist's own
        words <script>alert(1)</script>.
        """,
    "B/head.md": """\
        ---
        participant: B-HT
        role: Head Teacher
        ---
        The head teacher said children's outcomes improved a great deal over the year
        they worked together.
        """,
}
PLAN = """
[chapters]
cases = ["B", "A"]
title = "Case {case_id}: {title}"
quote_label = "{role}, Case {case_id}"
quotes = 2

[chapters.context]
title = "Title"

[[chapters.sections]]
title = "What changed"
codes = ["impact"]

[[chapters.sections]]
title = "Hard parts"
codes = ["challenges"]

[chapters.cross_case]
title = "Across both cases"

[[chapters.cross_case.sections]]
title = "Impact, element by element"
codes = ["impact"]
subsections = true
"""


def _find(project: casework.Project, doc_id: str, phrase: str) -> tuple[int, int]:
    text = project.text(doc_id)
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def study(make_project: Callable[..., Path]) -> casework.Project:
    root = make_project(docs=DOCS)
    with (root / "casework.toml").open("a", encoding="utf-8") as config:
        config.write(PLAN)
    project = casework.open_project(root)
    lead = "A/lead"
    paragraph = project.text(lead).split("\n\n")[1]
    start, end = _find(project, lead, paragraph)
    project.code(lead, "impact.practice", start, end)
    project.code(lead, "impact.children", *_find(project, lead, "children were more ready"))
    project.code(lead, "challenges.capacity", *_find(project, lead, "Capacity in the team"))
    specialist = project.text("A/specialist")
    project.code(
        "A/specialist", "impact.practice", specialist.index("Practice improved"), len(specialist)
    )
    project.code("B/head", "impact.children", 0, len(project.text("B/head")))
    return project


# --------------------------------------------------------------------------- the plan
def test_plan_reads_sections_cases_and_labels(study: casework.Project) -> None:
    plan = load_plan(study)
    assert plan.cases == ("B", "A")
    assert [(s.title, s.codes) for s in plan.sections] == [
        ("What changed", ("impact",)),
        ("Hard parts", ("challenges",)),
    ]
    assert plan.cross_sections[0].subsections is True
    assert plan.label({"role": "LA lead", "case_id": "A", "name": "Alice"}) == "LA lead, Case A"


SECTIONS = "chapters.sections"


@pytest.mark.parametrize(
    ("old", "new", "error", "field"),
    [
        ('codes = ["challenges"]', 'codes = ["challenge"]', ConfigError, f"{SECTIONS}[1].codes"),
        ('codes = ["challenges"]', "codes = []", ConfigError, f"{SECTIONS}[1].codes"),
        ('cases = ["B", "A"]', 'cases = ["B", "Q"]', UnknownName, "chapters.cases"),
        ('title = "What changed"', 'title = "Hard parts"', ConfigError, f"{SECTIONS}[1].title"),
        (
            'quote_label = "{role}, Case {case_id}"',
            'quote_label = "{name}"',
            ConfigError,
            "chapters.quote_label",
        ),
        ('title = "Title"', 'budget = "Budget"', UnknownName, "chapters.context"),
        ("quotes = 2", "quotes = -1", ConfigError, "chapters.quotes"),
        (
            'title = "Case {case_id}: {title}"',
            'title = "Case {case}"',
            UnknownName,
            "chapters.title",
        ),
    ],
)
def test_bad_plans_name_casework_toml_and_the_field(
    study: casework.Project, old: str, new: str, error: type, field: str
) -> None:
    path = study.root / "casework.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(error) as caught:
        load_plan(casework.open_project(study.root))
    assert "casework.toml" in str(caught.value)
    assert caught.value.field == field
    if 'challenge"' in new:
        assert "Did you mean 'challenges'" in str(caught.value)


def test_without_a_plan_each_theme_is_a_section(small: casework.Project) -> None:
    plan = load_plan(small)
    assert [s.title for s in plan.sections] == ["Impact", "Challenges"]
    assert plan.cases == ("A", "B")


# --------------------------------------------------------------------------- a case chapter
def test_case_chapter_quotes_by_role_with_references_and_no_names(
    study: casework.Project,
) -> None:
    chapter = case_chapter(study, "A")
    assert chapter.title == "Case A: First case"
    assert chapter.headings == ["Case A: First case", "What changed", "Hard parts"]
    impact = chapter.sections[0].html
    assert impact.startswith('<section class="cw-section"><h2>What changed</h2>')
    assert "Coded in" not in impact  # an analyst's count, not the report's text
    assert impact.count('<blockquote class="cw-quote">') == 2
    assert '— LA lead, Case A <span class="cw-ref">[A / LA lead ¶2]</span>' in impact
    assert "— Sector Specialist, Case A" in impact
    assert "Alice" not in impact and "Example" not in impact
    assert "[name] said the programme" in impact
    assert "‘children were more ready for school’" in impact  # a quote within the quote
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in impact and "<script>" not in impact
    opening = chapter.opening.html
    assert "two interviews: an LA lead and a Sector Specialist" in opening
    assert "<th>Title</th><td>First case</td>" in opening
    assert "A-LA" in chapter.appendix.html and "Bob" not in opening + chapter.appendix.html
    assert chapter.figure is None  # not asked for in the body: in the appendix
    assert "A / LA lead" in chapter.appendix.html
    assert list(chapter.appendix_figure.data[0].y) == [
        "A / LA lead (A-LA)",
        "A / Sector Specialist (A-SS)",
    ]


def test_a_section_with_nothing_coded_is_left_out(study: casework.Project) -> None:
    chapter = case_chapter(study, "B")
    assert chapter.headings == ["Case B: Second case", "What changed"]
    assert len(chapter.sections) == 1
    with pytest.raises(UnknownName, match="unknown case 'Z'"):
        case_chapter(study, "Z")


def test_summaries_show_with_their_evidence_and_drafts_stay_out(study: casework.Project) -> None:
    coding = study.codings
    linked = coding.loc[coding["code_id"] == "challenges.capacity", "coding_id"].iloc[0]
    store = SummaryStore(study.root / "summaries", coder="tester")
    store.write(
        ("case", "A"),
        "challenges",
        "Capacity was **thin**. <img src=x onerror=alert(1)>",
        links={1: [linked]},
    )
    store.write(("participant", "A-SS"), "impact.practice", "Settings changed, Bob Sample said.")
    store.write(("case", "A"), "impact", "An unchecked draft.", draft=True)
    chapter = case_chapter(study, "A")
    hard = chapter.sections[1].html
    assert "<strong>thin</strong>" in hard and "&lt;img src=x" in hard and "<img" not in hard
    assert '<p class="cw-ref">[A / LA lead ¶4]</p>' in hard
    impact = chapter.sections[0].html
    assert "<strong>Sector Specialist.</strong> Settings changed, [name] said." in impact
    assert "unchecked draft" not in impact
    path = study.root / "casework.toml"
    path.write_text(path.read_text().replace("quotes = 2", "quotes = 2\ndrafts = true"))
    shown = case_chapter(casework.open_project(study.root), "A").sections[0].html
    assert '<em class="cw-draft">(draft)</em> An unchecked draft.' in shown


def test_cross_case_chapter_counts_interviews_per_case(study: casework.Project) -> None:
    chapter = cross_case_chapter(study)
    assert chapter.headings == ["Across both cases", "Impact, element by element"]
    html = chapter.sections[0].html
    assert "<th>Case B</th><th>Case A</th>" in html  # the plan's order
    children, practice = html.split("<h3>")[1:]
    assert children.startswith("Outcomes for children")
    assert "<td>Outcomes for children</td><td>1 of 1</td><td>1 of 2</td>" in children
    assert "Shown in 2 of 2 cases" in children
    assert "<td>Changes in practice</td><td>0 of 1</td><td>2 of 2</td>" in practice
    assert "— Head Teacher, Case B" in html


def test_a_case_without_interviews_is_an_error(make_project: Callable[..., Path]) -> None:
    root = make_project(cases="case_id,title\nA,First\nB,Second\nC,Empty\n")
    with pytest.raises(ProjectError, match="case 'C' has no interviews"):
        case_chapter(casework.open_project(root), "C")


# --------------------------------------------------------------------------- quotes, names
def _passage(doc: str, pid: str, text: str, ids: list[str], start: int = 0) -> dict[str, object]:
    return {
        "case_id": doc[0],
        "participant_id": pid,
        "doc_id": doc,
        "role": "R",
        "code_id": "c",
        "start": start,
        "end": start + len(text),
        "paragraph": 1,
        "reference": f"[{doc[0]} / R ¶1]",
        "text": text,
        "coding_ids": ids,
    }


def test_quotes_rank_agreement_then_evidence_and_take_turns() -> None:
    long = "A long enough passage about what changed in practice, told in full. " * 2
    found = pd.DataFrame(
        [
            _passage("A/x", "X", long, ["1"]),
            _passage("A/x", "X", long, ["2", "3"], start=500),
            _passage("A/y", "Y", long, ["4", "5"], start=900),
            _passage("A/y", "Y", "Too short.", ["6", "7", "8"], start=1500),
        ]
    )
    codings = pd.DataFrame(
        {"coding_id": list("12345678"), "coder": ["a", "a", "a", "a", "b", "a", "b", "c"]}
    )
    ranked = rank_passages(found, codings)
    assert ranked["start"].tolist() == [900, 500, 0, 1500]  # two coders; two codings; one; short
    assert [q.participant_id for q in pick_quotes(ranked, 2)] == ["Y", "X"]
    assert [q.doc_id for q in pick_quotes(ranked, 3, per="case_id", cap=1)] == ["A/y"]
    linked = rank_passages(found, codings, linked={"1"})
    assert linked["start"].iloc[0] == 0  # a summary's evidence comes first


def test_shorten_cuts_at_a_sentence() -> None:
    text = ("First sentence is here. " * 30).strip()
    cut = shorten(text, limit=60)
    assert cut == "First sentence is here. First sentence is here. […]"
    assert shorten('He said "fine" twice.') == "He said ‘fine’ twice."


def test_name_mask_knows_every_person_and_their_parts() -> None:
    mask = NameMask(["Sunita Rahman and Claire Beddoes", "Sunita Marwood"])
    text = "Sunita Rahman met Claire, then Sunita and Mr Marwood; Rahmania is a word."
    assert mask.redact(text) == "[name] met [name], then [name] and Mr [name]; Rahmania is a word."
    assert mask.found(text) == ["Claire", "Marwood", "Sunita", "Sunita Rahman"]
    assert mask.found(mask.redact(text)) == []


def test_name_mask_puts_roles_for_speaker_labels() -> None:
    mask = NameMask(["Sam Okafor"], {"Sam": "participant", "Researcher 1": "interviewer"})
    text = "Researcher 1: And then?\nSam: We used NVivo, Sam says. Mail sam.o@example.org"
    assert mask.redact(text) == (
        "[Interviewer] And then?\n[Participant] We used NVivo, [name] says. Mail [email]"
    )


# --------------------------------------------------------------------------- figures, HTML
def test_heatmap_svg_draws_cells_and_escapes_labels() -> None:
    trace = {
        "type": "heatmap",
        "z": [[0.25, 0.0], [0.5, 0.1]],
        "x": ["<b>Impact</b>", "Other"],
        "y": ["A / Head &amp; Co", "B"],
        "hovertemplate": "%{z:.1%}",
    }
    svg = heatmap_svg(trace)
    assert svg is not None and svg.startswith("<svg") and svg.count("<rect") == 4
    assert "&lt;b&gt;Impact&lt;/b&gt;" in svg and "A / Head &amp; Co" in svg
    assert ">25%<" in svg and ">50%<" in svg
    html = static_figure({"data": [trace], "layout": {"title": {"text": "Cover &amp; more"}}})
    assert html.startswith('<figure class="cw-figure"><img alt="Cover &amp; more"')
    assert "<figcaption>Cover &amp; more</figcaption>" in html
    note = static_figure({"data": [{"type": "bar"}], "layout": {}})
    assert "see the HTML version" in note


def test_normalise_numbers_figure_ids_and_drops_cdn_scripts() -> None:
    one, two = "0a1b2c3d-1111-4222-8333-444455556666", "9f8e7d6c-aaaa-4bbb-8ccc-ddddeeeeffff"
    html = (
        f'<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/es5/tex-svg.min.js">'
        f'</script><div id="{one}"></div><script>Plotly.newPlot("{one}")</script>'
        f'<div id="{two}"></div>'
    )
    out = _convert.normalise(html)
    assert "cdnjs" not in out and one not in out and two not in out
    assert out.count("casework-figure-1") == 2 and 'id="casework-figure-2"' in out
    assert _convert.external_resources('<img src="https://x.org/a.png">') != []
    assert _convert.external_resources(out) == []


def test_page_embeds_plotly_only_when_a_figure_needs_it() -> None:
    plain = _convert.page("<h1>T</h1>", "T & co")
    assert "<title>T &amp; co</title>" in plain and "plotly.js v" not in plain
    figure = _convert.page('<div class="plotly-graph-div"></div>', "T")
    assert figure.count("plotly.js v") == 1


def test_unknown_format_and_packaged_templates(study: casework.Project) -> None:
    from casework.chapters import export_chapters
    from casework.chapters._build import CASE_TEMPLATE, PACKAGED_TEMPLATES, template_path

    with pytest.raises(UnknownName, match="unknown chapter format 'rtf'"):
        export_chapters(study.root, formats="html,rtf")
    # A project without its own template uses the one casework ships; its own copy wins.
    assert template_path(study.root, CASE_TEMPLATE) == PACKAGED_TEMPLATES / "case_chapter.ipynb"
    own = study.root / CASE_TEMPLATE
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text("{}")
    assert template_path(study.root, CASE_TEMPLATE) == own


def test_chapters_use_only_the_coders_the_plan_names(study: casework.Project) -> None:
    lead = study.text("A/lead")
    start = lead.index("Capacity in the team")
    study.code("A/lead", "challenges.capacity", start, start + 8, coder="trainee")
    path = study.root / "casework.toml"
    path.write_text(path.read_text().replace("quotes = 2", 'quotes = 2\ncoders = ["trainee"]', 1))
    project = casework.open_project(study.root)
    assert load_plan(project).coders == ("trainee",)
    chapter = case_chapter(project, "A")
    assert chapter.headings[1:] == ["Hard parts"]  # the tester's impact is left out
    assert (
        "Capacity" in chapter.sections[0].html and "— LA lead, Case A" in chapter.sections[0].html
    )
    path.write_text(path.read_text().replace('coders = ["trainee"]', 'coders = "trainee"'))
    with pytest.raises(ConfigError, match="list of coder names"):
        load_plan(casework.open_project(study.root))


def test_a_theme_summary_opens_a_section_with_sub_headings(study: casework.Project) -> None:
    store = SummaryStore(study.root / "summaries", coder="tester")
    store.write(("study", "all"), "impact", "Overall, practice moved.")
    store.write(("case", "A"), "impact", "Case A alone.")  # a case's summary: not the synthesis
    chapter = cross_case_chapter(casework.open_project(study.root))
    assert "Case A alone." not in "".join(s.html for s in chapter.sections)
    section = next(s.html for s in chapter.sections if "Overall, practice moved." in s.html)
    assert section.index("Overall, practice moved.") < section.index("<h3>")


def test_found_passages_are_those_passages_gives_for_the_codes(demo: casework.Project) -> None:
    """A chapter cuts its sections' passages from one charting of every code per
    scope: the same rows, in the same order, as asking passages() for each list."""
    from casework.chapters._content import _Context, _Scope
    from casework.matrices import passages

    ctx = _Context(demo, None)
    codes = list(demo.codes["code_id"])
    lists = [[codes[3]], [codes[9], codes[2]], codes[:5], [codes[-1], codes[0], codes[-1]]]
    for cases in (("A",), ("A", "B", "C", "D", "E")):
        scope = _Scope(cases, cases[0] if len(cases) == 1 else None)
        for wanted in lists:
            got = ctx.found(wanted, scope)
            expected = passages(
                demo, "participant", codes=wanted, where={"case_id": list(cases)}, coders=ctx.coders
            )
            expected = expected.assign(text=expected["text"].map(ctx.text))
            pd.testing.assert_frame_equal(got, expected, check_dtype=False)
            assert len(got) or wanted == [codes[-1], codes[0], codes[-1]]


def test_a_figure_is_shown_without_plotly_js() -> None:
    """show_figure's output is the figure alone (plotly's mimetype and a div that draws
    with the page's plotly.js), never the 4.8 MB library plotly's renderer adds."""
    import plotly.graph_objects as go

    from casework.chapters import figure_bundle
    from casework.chapters._static_figures import PLOTLY_MIME

    figure = go.Figure(go.Heatmap(z=[[1, 2]], x=["a", "b"], y=["<r>"]), layout={"title": "T"})
    bundle = figure_bundle(figure)
    assert bundle[PLOTLY_MIME]["data"][0]["type"] == "heatmap"
    html = bundle["text/html"]
    assert 'class="plotly-graph-div"' in html and "Plotly.newPlot" in html
    assert len(html) < 20_000 and "plotly.js v" not in html and "<script src" not in html
    assert "mathjax" not in html.lower()
    assert "<r>" not in html  # labels travel as JSON, never as markup
