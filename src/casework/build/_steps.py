"""Two steps of ``casework build``: the suggestions report and the matrix files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

SUGGESTION_FIELDS = [
    "doc_id",
    "case_id",
    "role",
    "code_id",
    "start",
    "end",
    "confidence",
    "decisions",
    "reason",
    "quote",
]


def suggestions_report(project: Any, out: Path, *, cache_dir: Path) -> list[Path]:
    """``suggestions.csv`` (the rule suggestions not yet decided, scored, floored, joined
    and capped as the Coder and ``autocode`` offer them: ``confidence`` the estimated
    probability that the project's coder codes it, ``decisions`` what it rests on),
    ``suggestions_summary.csv`` (per code: suggestions, documents, cases, codings) and,
    when the project names a coder, ``rule_precision.csv`` (each rule that fired: its
    estimated precision for that coder and the decisions it rests on).

    The learned model is left out: a build trains nothing (it writes only under
    ``exports/``); without a coder every rule scores its prior."""
    from casework.chapters import write_text
    from casework.nlp import ranked_suggest, score_basis
    from casework.nlp.pipeline import pipeline_for
    from casework.util import to_csv_safe

    options = project.suggestion_options(model=False)
    nlp = pipeline_for(project)
    scored = score_basis(
        project,
        project.codebook,
        coder=project.coder,
        options=options,
        nlp=nlp,
        cache_dir=cache_dir,
        rejections=project.rejections,
    )
    found = ranked_suggest(
        project,
        project.codebook,
        coder=project.coder,
        options=options,
        nlp=nlp,
        cache_dir=cache_dir,
        scored=scored,
    )
    found = found.sort_values(["doc_id", "start", "end", "code_id"], kind="stable")
    rows = found.reindex(columns=SUGGESTION_FIELDS)
    from casework.privacy import name_mask

    rows["quote"] = rows["quote"].astype(object).map(name_mask(project).redact)
    codes = project.codes[["code_id", "name"]].astype({"code_id": str})
    coded = project.codings.groupby("code_id").size().rename("codings")
    summary = (
        found.groupby("code_id")
        .agg(
            suggestions=("doc_id", "size"),
            documents=("doc_id", "nunique"),
            cases=("case_id", "nunique"),
        )
        .reindex(codes["code_id"], fill_value=0)
        .join(coded)
        .fillna({"codings": 0})
        .astype(int)
        .reset_index()
        .merge(codes, on="code_id", how="left")
    )
    summary = summary[["code_id", "name", "suggestions", "documents", "cases", "codings"]]
    written = [
        write_text(out / "suggestions.csv", str(to_csv_safe(rows, lineterminator="\n"))),
        write_text(out / "suggestions_summary.csv", str(to_csv_safe(summary, lineterminator="\n"))),
    ]
    if project.coder:
        rules = scored.precision
        rules = rules[rules["hits"] > 0].drop(columns="rule")
        written.append(
            write_text(out / "rule_precision.csv", str(to_csv_safe(rules, lineterminator="\n")))
        )
    return written


def matrices(project: Any, cases: Sequence[str], folder: Path) -> list[Path]:
    """Per case: participants × themes with the excerpts (``case-<id>.csv``/``.html``);
    across cases: cases × themes with the number of codings (``cross-case.*``)."""
    from casework.export import write_csv, write_html
    from casework.matrices import framework_matrix
    from casework.util import path_in

    written = []
    for case_id in cases:
        matrix = framework_matrix(
            project, "participant", cell="excerpts", where={"case_id": case_id}
        )
        written.append(
            write_csv(
                matrix,
                path_in(folder, case_id, ".csv", prefix="case-", what="case id"),
                form="long",
            )
        )
        written.append(
            write_html(
                matrix,
                path_in(folder, case_id, ".html", prefix="case-", what="case id"),
                title=f"Case {case_id}: participants by theme (excerpts)",
            )
        )
    matrix = framework_matrix(project, "case", cell="count", where={"case_id": list(cases)})
    written.append(write_csv(matrix, folder / "cross-case.csv", form="wide"))
    written.append(
        write_html(matrix, folder / "cross-case.html", title="Cases by theme (number of codings)")
    )
    return written
