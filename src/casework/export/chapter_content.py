"""What a chapter says: built from the project's tables, ready to display in a notebook.

:func:`case_chapter` and :func:`cross_case_chapter` return a :class:`Chapter`: an
opening (title, the interviews it draws on, the case at a glance from cases.csv), a
small heatmap of the themes, and one block per section of the chapter plan with the
summaries (if any) and the best-evidenced quotes, each labelled by role with its
reference back to the source (``[A / Head Teacher ¶12]``). The chapter templates in
``notebooks/`` display these; ``casework export chapters`` runs the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from casework._charting import role_label
from casework.errors import ProjectError, UnknownName
from casework.export import _chapter_html as h
from casework.export._wording import sources_sentence
from casework.export._quotes import Quote, pick_quotes, rank_passages
from casework.export.chapter_plan import ChapterPlan, Section, load_plan
from casework.matrices import passages
from casework.privacy import name_mask
from casework.sources import roles_at


@dataclass
class Chapter:
    """A chapter's parts; each displays as HTML in Jupyter."""

    kind: str  # "case" or "cross-case"
    title: str
    opening: h.Html
    sections: list[h.Html]
    figure: Any = None  # a plotly Figure, or None when nothing is coded
    case_id: str | None = None
    headings: list[str] = field(default_factory=list)

    def display(self) -> None:
        """Show the whole chapter in the running notebook."""
        from IPython.display import display

        display(self.opening)
        if self.figure is not None:
            self.figure.show()
        for block in self.sections:
            display(block)


class _Context:
    """The project, the plan and what every section needs, worked out once."""

    def __init__(self, project: Any, plan: ChapterPlan | None) -> None:
        self.project = project
        self.plan = plan or load_plan(project)
        self.docs = project.documents
        self.coders = list(self.plan.coders) or None
        codings = project.codings
        self.codings = codings[codings["coder"].isin(self.coders)] if self.coders else codings
        self.codes = project.codes.set_index("code_id")
        self.guard = name_mask(project)
        from casework.summaries import load_summaries

        summaries = load_summaries(None, project)
        if not self.plan.drafts and len(summaries):
            summaries = summaries[~summaries["draft"].astype(bool)]
        if self.coders and len(summaries):
            summaries = summaries[summaries["coder"].isin(self.coders)]
        self.summaries = summaries

    def text(self, value: Any) -> str:
        return self.guard.redact("" if value is None else str(value))

    def name(self, code_id: str) -> str:
        return self.text(self.codes["name"].get(code_id, code_id))

    def children(self, code_id: str) -> list[str]:
        kids = self.codes[self.codes["parent_id"] == code_id]
        return [str(c) for c in kids.index]

    def descendants(self, codes: Sequence[str]) -> set[str]:
        found, todo = set(), list(codes)
        while todo:
            code = todo.pop()
            if code not in found:
                found.add(code)
                todo.extend(self.children(code))
        return found

    def label(self, quote: Quote) -> str:
        doc = self.docs[self.docs["doc_id"] == quote.doc_id].iloc[0]
        values = {
            "role": role_label(quote.role, quote.participant_id),
            "case_id": quote.case_id,
            "participant_id": quote.participant_id,
            "role_group": doc.get("role_group"),
        }
        return self.text(self.plan.label(values))

    def found(self, codes: Sequence[str], scope: _Scope) -> pd.DataFrame:
        rows = passages(
            self.project, "participant", codes=list(codes), where={"case_id": list(scope.cases)},
            coders=self.coders,
        )
        rows = rows[roles_at(self.project.segments, rows) != "interviewer"]  # their words only
        return rows.assign(text=rows["text"].map(self.text))


@dataclass(frozen=True)
class _Scope:
    """The cases a chapter covers; ``case`` is set for a case chapter."""

    cases: tuple[str, ...]
    case: str | None = None

    @property
    def where(self) -> str:
        return f"for case {self.case}" if self.case else "in any case"


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
def _section_body(ctx: _Context, codes: Sequence[str], scope: _Scope, n_quotes: int) -> list[str]:
    found = ctx.found(codes, scope)
    summaries = _summary_rows(ctx, codes, scope)
    parts = _summaries(ctx, summaries, scope, found)
    linked = {str(cid) for links in summaries.get("links", []) for _, cid in (links or [])}
    ranked = rank_passages(found, ctx.codings, linked)
    if ranked.empty and not parts:
        return [h.paragraph(f"Nothing was coded here {scope.where}.", "cw-empty")]
    if not ranked.empty:
        n_docs = ranked["doc_id"].nunique()
        n_all = int(ctx.docs["case_id"].astype(str).isin(scope.cases).sum())
        parts.insert(
            0,
            h.paragraph(
                f"Coded in {len(ranked)} passage{'s' * (len(ranked) != 1)} from {n_docs} of "
                f"{n_all} interview{'s' * (n_all != 1)}.",
                "cw-evidence",
            ),
        )
    if scope.case:
        quotes = pick_quotes(ranked, n_quotes, per="participant_id")
    else:  # n_quotes per case
        quotes = pick_quotes(ranked, n_quotes * len(scope.cases), per="case_id", cap=n_quotes)
    parts += [h.quote_block(q, ctx.label(q)) for q in quotes]
    return parts


def _summary_rows(
    ctx: _Context, codes: Sequence[str], scope: _Scope, *, exact: bool = False
) -> pd.DataFrame:
    """Latest summaries of the section's codes (and their sub-codes unless ``exact``):
    the case's and its participants' (case chapter), or each case's (cross-case)."""
    table = ctx.summaries
    if table.empty:
        return table
    table = table[table["code_id"].isin(set(codes) if exact else ctx.descendants(codes))]
    keep = (table["row_kind"] == "case") & table["row_id"].isin(scope.cases)
    if scope.case:
        docs = ctx.docs
        people = set(
            docs.loc[docs["case_id"].astype(str) == scope.case, "participant_id"].astype(str)
        )
        keep |= (table["row_kind"] == "participant") & table["row_id"].isin(people)
    return table[keep].sort_values(["row_kind", "row_id", "code_id", "coder"], kind="stable")


def _summaries(ctx: _Context, rows: pd.DataFrame, scope: _Scope, found: pd.DataFrame) -> list[str]:
    if rows.empty:
        return []
    ref_of = {
        cid: ref
        for ids, ref in zip(found["coding_ids"], found["reference"], strict=True)
        for cid in ids
    }
    roles = dict(
        zip(ctx.docs["participant_id"].astype(str), ctx.docs["role"].astype(str), strict=True)
    )
    blocks = []
    for row in rows.itertuples():
        refs: dict[int, list[str]] = {}
        for para, cid in row.links or []:
            if cid in ref_of and ref_of[cid] not in refs.setdefault(int(para) - 1, []):
                refs[int(para) - 1].append(ref_of[cid])
        n = max(refs, default=-1) + 1
        if row.row_kind == "participant":
            who: str | None = roles.get(str(row.row_id), str(row.row_id))
        else:
            who = None if scope.case else f"Case {row.row_id}"
        blocks.append(
            h.summary_block(
                ctx.text(row.text),
                [refs.get(i, []) for i in range(n)],
                ctx.text(who) if who else None,
                bool(row.draft),
            )
        )
    return blocks


def _section(ctx: _Context, section: Section, scope: _Scope, n_quotes: int) -> h.Html:
    if not section.subsections:
        return h.Html(
            h.section(2, section.title, _section_body(ctx, section.codes, scope, n_quotes))
        )
    parts = [] if scope.case else [_which_cases(ctx, section, scope)]
    # Summaries written for the section's codes as a whole come before the sub-headings.
    overall = _summary_rows(ctx, section.codes, scope, exact=True)
    if not overall.empty:
        parts += _summaries(ctx, overall, scope, ctx.found(section.codes, scope))
    for code in section.codes:
        for sub in ctx.children(code) or [code]:
            parts.append(h.section(3, ctx.name(sub), _section_body(ctx, [sub], scope, n_quotes)))
    return h.Html(h.section(2, section.title, parts))


def _which_cases(ctx: _Context, section: Section, scope: _Scope) -> str:
    """Sub-codes × cases: how many of each case's interviews were coded there."""
    from casework.matrices import framework_matrix

    subs = [s for c in section.codes for s in (ctx.children(c) or [c])]
    counts = framework_matrix(
        ctx.project, "case", codes=subs, cell="documents", where={"case_id": list(scope.cases)},
        coders=ctx.coders,
    )
    cases = [c for c in scope.cases if c in counts.index]
    sizes = ctx.docs.groupby(ctx.docs["case_id"].astype(str)).size()
    rows = [
        [ctx.name(sub)] + [f"{int(counts.loc[c, sub])} of {int(sizes[c])}" for c in cases]
        for sub in subs
    ]
    return h.table(
        ["Interviews coded", *[f"Case {c}" for c in cases]],
        rows,
        caption="Interviews in each case coded to each element",
    )


# --------------------------------------------------------------------------- chapters
def case_chapter(project: Any, case_id: str, plan: ChapterPlan | None = None) -> Chapter:
    """The chapter of one case, following the project's chapter plan."""
    ctx = _Context(project, plan)
    case = check_case(project, case_id)
    title = ctx.text(ctx.plan.case_title(case.to_dict()))
    docs = ctx.docs[ctx.docs["case_id"].astype(str) == str(case_id)]
    opening = [
        h.heading(1, title),
        h.paragraph(sources_sentence(docs, ctx.text), "cw-lead"),
        h.fact_table(
            (ctx.text(label), ctx.text(h.cell_text(case.get(col))))
            for col, label in ctx.plan.context
        ),
        _sources(ctx, docs),
    ]
    scope = _Scope((str(case_id),), str(case_id))
    sections = [
        _section(ctx, s, scope, s.quotes if s.quotes is not None else ctx.plan.quotes)
        for s in ctx.plan.sections
    ]
    codes = list(dict.fromkeys(c for s in ctx.plan.sections for c in s.codes))
    figure = _heatmap(ctx, "participant", codes, scope, f"Coverage of the themes in case {case_id}")
    return Chapter(
        "case",
        title,
        h.Html("".join(opening)),
        sections,
        figure,
        str(case_id),
        [title, *[s.title for s in ctx.plan.sections]],
    )


def _sources(ctx: _Context, docs: pd.DataFrame) -> str:
    extra = [c for c in ("role_group", "date", "duration_minutes", "mode")
             if c in docs.columns and docs[c].map(h.cell_text).ne("").any()]  # no empty columns
    labels = {
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
        ["Source", "Participant", *[labels[c] for c in extra]],
        rows,
        caption="The interviews (references below give the paragraph, ¶)",
    )


def cross_case_chapter(project: Any, plan: ChapterPlan | None = None) -> Chapter:
    """The cross-case chapter: each cross-case section across all the planned cases."""
    ctx = _Context(project, plan)
    cases = list(ctx.plan.cases)
    for case_id in cases:
        check_case(project, case_id)
    docs = ctx.docs[ctx.docs["case_id"].astype(str).isin(cases)]
    title = ctx.text(ctx.plan.cross_title)
    titles = [ctx.text(_title_of(project, c)) for c in cases]
    counts = [int((docs["case_id"] == c).sum()) for c in cases]
    table = h.table(
        ["Case", "Title", "Interviews"] if any(titles) else ["Case", "Interviews"],
        [[c, t, n] if any(titles) else [c, n] for c, t, n in zip(cases, titles, counts, strict=True)],
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
    sections = [
        _section(ctx, s, scope, s.quotes if s.quotes is not None else ctx.plan.cross_quotes)
        for s in ctx.plan.cross_sections
    ]
    codes = [
        s
        for sec in ctx.plan.cross_sections
        for c in sec.codes
        for s in ((ctx.children(c) or [c]) if sec.subsections else [c])
    ]
    figure = _heatmap(
        ctx, "case", list(dict.fromkeys(codes)), scope, "Interviews coded to each element, by case"
    )
    return Chapter(
        "cross-case",
        title,
        h.Html("".join(opening)),
        sections,
        figure,
        None,
        [title, *[s.title for s in ctx.plan.cross_sections]],
    )


def _title_of(project: Any, case_id: str) -> str:
    row = project.cases[project.cases["case_id"].astype(str) == case_id]
    return h.cell_text(row["title"].iloc[0]) if "title" in row.columns and len(row) else ""


def _heatmap(ctx: _Context, rows: str, codes: list[str], scope: _Scope, title: str) -> Any:
    """A small plotly heatmap (names redacted from the hover excerpts)."""
    if ctx.codings.empty or not codes:
        return None
    from casework.plots import heatmap

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
