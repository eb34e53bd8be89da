"""What a chapter says: built from the project's tables, ready to display in a notebook.

:func:`case_chapter` returns a :class:`Chapter` that opens with the case's context (the
case at a glance from cases.csv, the interviews it draws on), then one block per
section of the chapter plan: the summaries written for it, then the best evidence,
told honestly (a transcript's participant in quotation marks; from an interview
summary, its sentence holding the participant's quoted words, cited as such), each
with its reference back to the source (``[A / Head Teacher ¶12]``).

:func:`cross_case_chapter` is the synthesis: under each element the study-wide
summary (row ``study``), the evidence across the cases and a table of which cases
show it; elements and sections with nothing to say are left out; the conclusions
come from the study-wide summaries the plan names for them. Figures the plan does not
ask for in the body go to an appendix. The chapter templates in ``notebooks/`` display
these; ``casework export chapters`` runs the templates.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from casework.chapters import _html as h
from casework.chapters._plan import ChapterPlan, Section, load_plan
from casework.chapters._quotes import (
    FROM_SUMMARY,
    VERBATIM,
    Quote,
    coders_of,
    is_participant_turn,
    pick_quotes,
    rank_passages,
    summary_evidence,
    transcript_evidence,
)
from casework.chapters._shown import Chapter
from casework.chapters._wording import sources_sentence
from casework.codebook import code_tree
from casework.errors import ProjectError, UnknownName
from casework.kernels import role_label
from casework.matrices import passages
from casework.privacy import name_mask


class _Context:
    """The project, the plan and what every section needs, worked out once."""

    def __init__(self, project: Any, plan: ChapterPlan | None) -> None:
        self.project = project
        self.plan = plan or load_plan(project)
        self.docs = project.documents
        self.coders = list(self.plan.coders) or None
        codings = project.codings
        self.codings = codings[codings["coder"].isin(self.coders)] if self.coders else codings
        self.coder_of = coders_of(self.codings)
        self.codes = project.codes.set_index("code_id")
        self.tree = code_tree(project.codes)  # the codebook's own walk of its tree
        self.guard = name_mask(project)
        from casework.matrices import load_summaries

        summaries = load_summaries(None, project)
        if not self.plan.drafts and len(summaries):
            summaries = summaries[~summaries["draft"].astype(bool)]
        if self.coders and len(summaries):
            summaries = summaries[summaries["coder"].isin(self.coders)]
        self.summaries = summaries
        self.kinds = dict(
            zip(
                self.docs["doc_id"].astype(str),
                self.docs.get("kind", pd.Series("transcript", index=self.docs.index)).fillna(
                    "transcript"
                ),
                strict=True,
            )
        )
        self.order = {str(d): i for i, d in enumerate(self.docs["doc_id"])}
        groups = self.docs["role_group"] if "role_group" in self.docs.columns else None
        self.role_groups: dict[str, Any] = (
            dict(zip(self.docs["doc_id"].astype(str), groups, strict=True))
            if groups is not None
            else {}
        )
        self._by_doc: dict[str, list[tuple[int, int, str, str | None]]] | None = None
        # per scope: every code's passages, and the rows of each code
        self._passages: dict[tuple[str, ...], tuple[pd.DataFrame, dict[str, list[int]]]] = {}
        self._summaries_of: dict[tuple[str, ...], pd.DataFrame] = {}
        self._charted: dict[tuple[str, ...], pd.DataFrame] = {}

    def evidence(self, row: Mapping[str, Any]) -> tuple[str, str] | None:
        """What a ranked passage may show, by its source's kind (None: nothing)."""
        doc, start, end = str(row["doc_id"]), int(row["start"]), int(row["end"])
        text = self.project.text(doc)
        segs = [s for s in self._segments(doc) if s[0] < end and s[1] > start]
        if self.kinds.get(doc, "transcript") == "transcript":
            interviewer = self._interviewer(doc)
            turns = [
                (a, b) for a, b, who, role in segs if is_participant_turn(who, role, interviewer)
            ]
            shown, form = transcript_evidence(text, turns, start, end), VERBATIM
        else:
            region = (segs[0][0], segs[-1][1]) if segs else (start, end)
            shown, form = summary_evidence(text, region, start, end), FROM_SUMMARY
        return (self.text(shown), form) if shown else None

    def _segments(self, doc: str) -> list[tuple[int, int, str, str | None]]:
        """The document's segments as (start, end, speaker, speaker role), in order."""
        if self._by_doc is None:
            segs = self.project.segments
            roles = segs["speaker_role"] if "speaker_role" in segs.columns else [None] * len(segs)
            self._by_doc = {}
            for d, a, b, who, role in zip(
                segs["doc_id"], segs["start"], segs["end"], segs["speaker"], roles, strict=True
            ):
                role = role if isinstance(role, str) else None
                self._by_doc.setdefault(str(d), []).append((int(a), int(b), str(who or ""), role))
        return self._by_doc.get(doc, [])

    def _interviewer(self, doc: str) -> str:
        if "interviewer" not in self.docs.columns:
            return ""
        value = self.docs.loc[self.docs["doc_id"] == doc, "interviewer"]
        return str(value.iloc[0]) if len(value) and isinstance(value.iloc[0], str) else ""

    def _every(self, scope: _Scope) -> pd.DataFrame:
        """Every code's passages in the scope's cases. A case of the plan takes its
        rows from the planned cases' charting (a case's rows keep their order there,
        and a passage does not depend on other cases), so a build charts once."""
        planned = tuple(str(c) for c in self.plan.cases)
        if scope.case is not None and scope.case in planned and scope.cases != planned:
            every = self._every(_Scope(planned))
            return every[every["case_id"].astype(str) == scope.case].reset_index(drop=True)
        if scope.cases in self._charted:
            return self._charted[scope.cases]
        every = passages(
            self.project,
            "participant",
            codes=list(self.codes.index),
            where={"case_id": list(scope.cases)},
            coders=self.coders,
        )
        # Interviewers' words never show: evidence() keeps only participant turns, so a
        # passage that starts with the question still gives the answer.
        every = self._charted[scope.cases] = every.assign(text=every["text"].map(self.text))
        return every

    def scoped_summaries(self, scope: _Scope) -> pd.DataFrame:
        """The summaries a chapter of ``scope`` may show (the case's and its people's,
        or the study-wide ones), in the order they are shown; worked out once a scope."""
        found = self._summaries_of.get(scope.cases)
        if found is not None:
            return found
        table = self.summaries
        if table.empty:
            return table
        if scope.case:
            docs = self.docs
            people = set(
                docs.loc[docs["case_id"].astype(str) == scope.case, "participant_id"].astype(str)
            )
            keep = (table["row_kind"] == "case") & (table["row_id"] == scope.case)
            keep |= (table["row_kind"] == "participant") & table["row_id"].isin(people)
        else:
            keep = table["row_kind"] == "study"
        rows = table[keep]
        rows = rows.assign(_code=[self.position(c) for c in rows["code_id"]])
        rows = rows.sort_values(["row_kind", "row_id", "_code", "coder"], kind="stable")
        self._summaries_of[scope.cases] = found = rows.drop(columns="_code")
        return found

    def reading_order(self, quotes: list[Quote], cases: Sequence[str]) -> list[Quote]:
        """Quotes in the order a reader meets their sources: case, document, position."""
        place = {c: i for i, c in enumerate(cases)}
        return sorted(
            quotes, key=lambda q: (place.get(q.case_id, 0), self.order.get(q.doc_id, 0), q.start)
        )

    def text(self, value: Any) -> str:
        return self.guard.redact("" if value is None else str(value))

    def position(self, code_id: str) -> int:
        return int(self.codes["position"].get(code_id, 0)) if "position" in self.codes else 0

    def name(self, code_id: str) -> str:
        return self.text(self.codes["name"].get(code_id, code_id))

    def children(self, code_id: str) -> list[str]:
        return list(self.tree.children.get(code_id, []))

    def descendants(self, codes: Sequence[str]) -> set[str]:
        tree = self.tree
        return {d for c in codes for d in (tree.descendants(c) if c in tree.index else [c])}

    def label(self, quote: Quote) -> str:
        values = {
            "role": role_label(quote.role, quote.participant_id),
            "case_id": quote.case_id,
            "participant_id": quote.participant_id,
            "role_group": self.role_groups.get(quote.doc_id),
        }
        return self.text(self.plan.label(values))

    def found(self, codes: Sequence[str], scope: _Scope) -> pd.DataFrame:
        """The coded passages of ``codes`` (each with its sub-codes) in the scope's
        cases, as :func:`passages` gives them for ``codes``: cut from one charting of
        every code per scope, since a chapter asks for dozens of code lists."""
        cached = self._passages.get(scope.cases)
        if cached is None:
            every = self._every(scope)
            rows_of: dict[str, list[int]] = {}
            for i, code in enumerate(every["code_id"]):
                rows_of.setdefault(str(code), []).append(i)
            cached = self._passages[scope.cases] = (every, rows_of)
        every, rows_of = cached
        # passages() gives each code's rows together, in the order the codes are asked
        wanted = [i for code in dict.fromkeys(codes) for i in rows_of.get(str(code), [])]
        return every.iloc[wanted].reset_index(drop=True)


@dataclass(frozen=True)
class _Scope:
    """The cases a chapter covers; ``case`` is set for a case chapter."""

    cases: tuple[str, ...]
    case: str | None = None

    @property
    def where(self) -> str:
        return f"for case {self.case}" if self.case else "in any case"


_OPENED: dict[str, tuple[tuple[tuple[str, int, int], ...], Any]] = {}


def chapter_project(root: str | Path) -> Any:
    """The project at ``root`` for a chapter template: opened once per process while
    its files are unchanged, so a kernel that runs every chapter in turn reads the
    project once, not once a chapter. A project whose events live in a database (a
    ``[store] url``) is opened afresh every time: its files cannot tell when it changed."""
    from casework.project import open_project

    path = Path(root).resolve()
    project = _OPENED.get(str(path))
    stamp = _stamp(path)
    if project is not None and project[0] == stamp:
        return project[1]
    opened = open_project(path)
    shared = os.environ.get("CASEWORK_STORE_URL") or opened.config.get("store", {}).get("url")
    if not shared:
        _OPENED[str(path)] = (stamp, opened)
    return opened


def _stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    from casework.chapters._fingerprint import files_of

    return tuple(files_of(root))


def check_case(project: Any, case_id: str) -> pd.Series:
    """The case's row of cases.csv; an unknown case or one without interviews is an error."""
    cases = project.cases
    where = Path(project.root) / "cases.csv" if hasattr(project, "root") else "cases.csv"
    match = cases[cases["case_id"].astype(str) == str(case_id)]
    if match.empty:
        raise UnknownName(
            "case", case_id, cases["case_id"].astype(str), path=where, field="case_id"
        )
    docs = project.documents
    if not (docs["case_id"].astype(str) == str(case_id)).any():
        raise ProjectError(
            f"case '{case_id}' has no interviews",
            path=where,
            field="case_id",
            fix=f"Add its transcripts under transcripts/{case_id}/, or leave it out of "
            "[chapters] cases in casework.toml.",
        )
    return match.iloc[0]


# --------------------------------------------------------------------------- sections
def _quotes(ctx: _Context, ranked: pd.DataFrame, scope: _Scope, n_quotes: int) -> list[str]:
    if scope.case:
        quotes = pick_quotes(ranked, n_quotes, per="participant_id", evidence=ctx.evidence)
    else:  # n_quotes per case
        quotes = pick_quotes(
            ranked,
            n_quotes * len(scope.cases),
            per="case_id",
            cap=n_quotes,
            evidence=ctx.evidence,
        )
    return [h.evidence_block(q, ctx.label(q)) for q in ctx.reading_order(quotes, scope.cases)]


def _section_body(ctx: _Context, codes: Sequence[str], scope: _Scope, n_quotes: int) -> list[str]:
    """A case chapter's section: the summaries written for it, then its evidence."""
    found = ctx.found(codes, scope)
    summaries = _summary_rows(ctx, codes, scope)
    parts = _summaries(ctx, summaries, scope, found)
    linked = {str(cid) for links in summaries.get("links", []) for _, cid in (links or [])}
    parts += _quotes(ctx, rank_passages(found, ctx.coder_of, linked), scope, n_quotes)
    return parts


def _summary_rows(
    ctx: _Context, codes: Sequence[str], scope: _Scope, *, exact: bool = False
) -> pd.DataFrame:
    """Latest summaries of the section's codes (and their sub-codes unless ``exact``):
    the case's and its participants' (case chapter), or the study-wide ones (cross-case)."""
    table = ctx.scoped_summaries(scope)
    if table.empty:
        return table
    return table[table["code_id"].isin(set(codes) if exact else ctx.descendants(codes))]


def _summaries(ctx: _Context, rows: pd.DataFrame, scope: _Scope, found: pd.DataFrame) -> list[str]:
    if rows.empty:
        return []
    ref_of = {
        cid: (ref, ctx.order.get(str(doc), 0), int(para))
        for ids, ref, doc, para in zip(
            found["coding_ids"],
            found["reference"],
            found["doc_id"],
            found["paragraph"],
            strict=True,
        )
        for cid in ids
    }
    roles = dict(
        zip(ctx.docs["participant_id"].astype(str), ctx.docs["role"].astype(str), strict=True)
    )
    blocks = []
    for row in rows.itertuples():
        refs: dict[int, list[tuple[str, int, int]]] = {}
        for para, cid in row.links or []:
            if cid in ref_of and ref_of[cid] not in refs.setdefault(int(para) - 1, []):
                refs[int(para) - 1].append(ref_of[cid])
        n = max(refs, default=-1) + 1
        ordered = [[r for r, *_ in sorted(refs.get(i, []), key=lambda x: x[1:])] for i in range(n)]
        who: str | None = None
        if row.row_kind == "participant":
            who = roles.get(str(row.row_id), str(row.row_id))
        blocks.append(
            h.summary_block(
                ctx.text(row.text), ordered, ctx.text(who) if who else None, bool(row.draft)
            )
        )
    return blocks


def _section(ctx: _Context, section: Section, scope: _Scope, n_quotes: int) -> h.Html | None:
    """A section of a case chapter, or None when nothing was coded or written for it."""
    if not section.subsections:
        body = _section_body(ctx, section.codes, scope, n_quotes)
        return h.Html(h.section(2, section.title, body)) if body else None
    # Summaries written for the section's codes as a whole come before the sub-headings.
    overall = _summary_rows(ctx, section.codes, scope, exact=True)
    parts = _summaries(ctx, overall, scope, ctx.found(section.codes, scope))
    for code in section.codes:
        for sub in ctx.children(code) or [code]:
            body = _section_body(ctx, [sub], scope, n_quotes)
            if body:
                parts.append(h.section(3, ctx.name(sub), body))
    return h.Html(h.section(2, section.title, parts)) if parts else None


# --------------------------------------------------------------------------- cross-case
def _element(
    ctx: _Context, code: str, scope: _Scope, n_quotes: int, counts: pd.DataFrame, level: int
) -> str | None:
    """One element across the cases: its study-wide summary, the evidence from each
    case, and which cases show it; None when nothing was written or coded for it."""
    found = ctx.found([code], scope)
    summaries = _summary_rows(ctx, [code], scope, exact=True)
    parts = _summaries(ctx, summaries, scope, found)
    linked = {str(cid) for links in summaries.get("links", []) for _, cid in (links or [])}
    parts += _quotes(ctx, rank_passages(found, ctx.coder_of, linked), scope, n_quotes)
    if not parts:
        return None
    if code in counts.columns and counts[code].astype(int).any():
        parts.append(_which_cases(ctx, code, scope, counts))
    return h.section(level, ctx.name(code), parts)


def _which_cases(ctx: _Context, code: str, scope: _Scope, counts: pd.DataFrame) -> str:
    """One row: how many of each case's interviews were coded to the element."""
    sizes = ctx.docs.groupby(ctx.docs["case_id"].astype(str)).size()
    cases = [c for c in scope.cases if c in sizes.index]
    cells = [
        f"{int(counts.loc[c, code]) if c in counts.index else 0} of {int(sizes[c])}" for c in cases
    ]
    n = sum(1 for c in cases if c in counts.index and int(counts.loc[c, code]))
    return h.table(
        ["Interviews coded", *[f"Case {c}" for c in cases]],
        [[ctx.name(code), *cells]],
        caption=f"Shown in {n} of {len(cases)} cases",
    )


def _cross_section(
    ctx: _Context, section: Section, scope: _Scope, n_quotes: int, counts: pd.DataFrame
) -> h.Html | None:
    skip = set(ctx.plan.conclusions.codes) if ctx.plan.conclusions else set()
    parts = []
    if section.subsections:
        overall = _summary_rows(ctx, [c for c in section.codes if c not in skip], scope, exact=True)
        parts += _summaries(ctx, overall, scope, ctx.found(section.codes, scope))
        elements = [s for c in section.codes for s in (ctx.children(c) or [c])]
    else:
        elements = list(section.codes)
    for code in elements:
        block = _element(ctx, code, scope, n_quotes, counts, 3)
        if block:
            parts.append(block)
    return h.Html(h.section(2, section.title, parts)) if parts else None


def _conclusions(ctx: _Context, scope: _Scope) -> h.Html | None:
    """The conclusions: the study-wide summaries written for the plan's codes."""
    section = ctx.plan.conclusions
    if section is None:
        return None
    rows = _summary_rows(ctx, section.codes, scope, exact=True)
    parts = _summaries(ctx, rows, scope, ctx.found(section.codes, scope))
    return h.Html(h.section(2, section.title, parts)) if parts else None


# --------------------------------------------------------------------------- chapters
class Chapters:
    """Every chapter of a project, made from one reading of its tables and summaries
    (a build makes them all; :func:`case_chapter` makes one)."""

    def __init__(self, project: Any, plan: ChapterPlan | None = None) -> None:
        self.ctx = _Context(project, plan)

    def case(self, case_id: str) -> Chapter:
        return _case_chapter(self.ctx, case_id)

    def cross_case(self) -> Chapter:
        return _cross_case_chapter(self.ctx)


def case_chapter(project: Any, case_id: str, plan: ChapterPlan | None = None) -> Chapter:
    """The chapter of one case, following the project's chapter plan."""
    return _case_chapter(_Context(project, plan), case_id)


def _case_chapter(ctx: _Context, case_id: str) -> Chapter:
    project = ctx.project
    case = check_case(project, case_id)
    title = ctx.text(ctx.plan.case_title(case.to_dict()))
    docs = ctx.docs[ctx.docs["case_id"].astype(str) == str(case_id)]
    opening = [
        h.heading(1, title),
        h.fact_table(
            (ctx.text(label), ctx.text(h.cell_text(case.get(col))))
            for col, label in ctx.plan.context
        ),
        h.paragraph(sources_sentence(docs, ctx.text), "cw-lead"),
    ]
    scope = _Scope((str(case_id),), str(case_id))
    sections = [
        block
        for s in ctx.plan.sections
        if (block := _section(ctx, s, scope, s.quotes if s.quotes is not None else ctx.plan.quotes))
    ]
    codes = list(dict.fromkeys(c for s in ctx.plan.sections for c in s.codes))
    figure = _heatmap(ctx, "participant", codes, scope, f"Coverage of the themes in case {case_id}")
    in_body = "coverage" in ctx.plan.figures
    appendix = None
    if ctx.plan.appendix:
        appendix = h.Html(
            h.section(2, "Appendix: the interviews", [_sources(ctx, docs)], "cw-appendix")
        )
    return Chapter(
        "case",
        title,
        h.Html("".join(opening)),
        sections,
        figure if in_body else None,
        str(case_id),
        [title, *[_title(s) for s in sections]],
        appendix,
        figure if ctx.plan.appendix and not in_body else None,
    )


def _title(block: h.Html) -> str:
    from html import unescape

    start = block.html.index("<h2>") + 4
    return unescape(block.html[start : block.html.index("</h2>", start)])


def _sources(ctx: _Context, docs: pd.DataFrame) -> str:
    extra = [
        c
        for c in ("kind", "role_group", "date", "duration_minutes", "mode")
        if c in docs.columns and docs[c].map(h.cell_text).ne("").any()
    ]  # no empty columns
    labels = {
        "kind": "Source",
        "role_group": "Group",
        "date": "Interviewed",
        "duration_minutes": "Minutes",
        "mode": "Mode",
    }
    rows = [
        [
            f"{d.case_id} / {ctx.text(role_label(d.role, d.participant_id))}",
            ctx.text(d.participant_id),
            *[ctx.text(h.cell_text(getattr(d, c))) or "not recorded" for c in extra],
        ]
        for d in docs.itertuples()
    ]
    return h.table(
        ["Reference", "Participant", *[labels[c] for c in extra]],
        rows,
        caption="The interviews this chapter draws on (references give the paragraph, ¶)",
    )


def cross_case_chapter(project: Any, plan: ChapterPlan | None = None) -> Chapter:
    """The cross-case chapter: a synthesis of each element across the planned cases."""
    return _cross_case_chapter(_Context(project, plan))


def _cross_case_chapter(ctx: _Context) -> Chapter:
    from casework.matrices import framework_matrix

    project = ctx.project
    cases = list(ctx.plan.cases)
    for case_id in cases:
        check_case(project, case_id)
    docs = ctx.docs[ctx.docs["case_id"].astype(str).isin(cases)]
    title = ctx.text(ctx.plan.cross_title)
    titles = [ctx.text(_title_of(project, c)) for c in cases]
    counts = [int((docs["case_id"] == c).sum()) for c in cases]
    table = h.table(
        ["Case", "Title", "Interviews"] if any(titles) else ["Case", "Interviews"],
        [
            [c, t, n] if any(titles) else [c, n]
            for c, t, n in zip(cases, titles, counts, strict=True)
        ],
        caption="The case studies",
    )
    opening = [
        h.heading(1, title),
        h.paragraph(
            f"This chapter draws together the {len(cases)} case studies "
            f"({h.join_names(cases)}), from {len(docs)} interviews.",
            "cw-lead",
        ),
        table,
    ]
    scope = _Scope(tuple(cases))
    codes = [
        s
        for sec in ctx.plan.cross_sections
        for c in sec.codes
        for s in ((ctx.children(c) or [c]) if sec.subsections else [c])
    ]
    codes = list(dict.fromkeys(codes))
    counts = framework_matrix(
        ctx.project,
        "case",
        codes=codes,
        cell="documents",
        where={"case_id": cases},
        coders=ctx.coders,
    )
    sections = [
        block
        for s in ctx.plan.cross_sections
        if (
            block := _cross_section(
                ctx, s, scope, s.quotes if s.quotes is not None else ctx.plan.cross_quotes, counts
            )
        )
    ]
    conclusions = _conclusions(ctx, scope)
    if conclusions is not None:
        sections.append(conclusions)
    figure = _heatmap(ctx, "case", codes, scope, "Interviews coded to each element, by case")
    in_body = "cases" in ctx.plan.cross_figures
    appendix = None
    if ctx.plan.appendix and figure is not None and not in_body:
        appendix = h.Html(h.section(2, "Appendix: the elements in each case", [], "cw-appendix"))
    return Chapter(
        "cross-case",
        title,
        h.Html("".join(opening)),
        sections,
        figure if in_body else None,
        None,
        [title, *[_title(s) for s in sections]],
        appendix,
        figure if appendix is not None else None,
    )


def _title_of(project: Any, case_id: str) -> str:
    row = project.cases[project.cases["case_id"].astype(str) == case_id]
    return h.cell_text(row["title"].iloc[0]) if "title" in row.columns and len(row) else ""


def _heatmap(ctx: _Context, rows: str, codes: list[str], scope: _Scope, title: str) -> Any:
    """A small plotly heatmap (names redacted from the hover excerpts)."""
    if ctx.codings.empty or not codes:
        return None
    from casework.views import heatmap

    value = "coverage" if rows == "participant" else "documents"
    figure = heatmap(
        ctx.project,
        rows,
        codes=codes,
        value=value,
        where={"case_id": list(scope.cases)},
        coders=ctx.coders,
        title=title,
        per_cell=2,
    )
    for trace in figure.data:
        if getattr(trace, "text", None) is not None:
            trace.text = [[ctx.text(t) for t in row] for row in trace.text]
    n_rows = len(figure.data[0].y) if figure.data else 1
    if value == "documents":
        figure.update_traces(colorbar={"title": {"text": "interviews"}, "dtick": 1})
    tilt = -30 if len(codes) <= 8 else -50
    figure.update_layout(
        height=250 + 40 * n_rows,
        width=None,
        title={"x": 0, "xanchor": "left"},
        xaxis={"side": "bottom", "tickangle": tilt, "automargin": True},
        yaxis={"automargin": True},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return figure
