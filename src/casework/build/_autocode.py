"""``autocode``: suggest codings from the codebook's rules (and a learned model), and
accept those scoring at least a threshold, in one call a notebook or the CLI can make.

Nothing is written until every suggestion is made (Ctrl-C leaves the project as it was);
the accepted ones are one undoable action.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from casework.errors import UnknownName
from casework.nlp import SuggestionTable, suggestions_to_codings
from casework.project import Project, open_project
from casework.util import to_csv_safe, watch_interrupts
from casework.validate import require_valid

ENGINES = ("local", "dask")
Say = Callable[[str], None]


@dataclass(frozen=True)
class AutocodeOptions:
    """How to suggest: ``rules`` and the ``learned`` model (required, else used once it
    can be trained), ``floor``/``per_doc``/``every``, ``unit``, ``min_examples`` (coded
    sentences a code needs before the model learns it), and the ``dask`` engine's
    ``scheduler``/``workers`` (the hits are found there, then scored as in this process).
    ``min_score``/``min_f1`` are ignored (kept so old calls still run): the floor and
    the calibrated scores replace them."""

    rules: bool = True
    learned: bool = False
    floor: float | None = None
    per_doc: int | None = None
    every: bool = False
    unit: str | None = None
    min_score: float = 0.5
    min_f1: float = 0.5
    min_examples: int | None = None
    engine: str = "local"
    scheduler: str | None = None
    workers: int = 2


@dataclass
class AutocodeResult:
    """The suggestions (codings columns, scored), those accepted, and what the scores rest
    on: ``estimates`` (the rules' precision) and ``model_report`` (the learned model)."""

    suggestions: pd.DataFrame
    accepted: pd.DataFrame
    accept_above: float | None
    report_path: Path | None = None
    estimates: pd.DataFrame | None = None
    model_report: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    redone: list[str] | None = None  # documents suggested afresh (local engine)

    def text(self) -> str:
        """What the CLI prints: the estimates, the model, counts per code, what was written."""
        lines = list(self.notes)
        lines += _estimate_lines(self.estimates, self.model_report)
        lines += _summary_lines(
            self.suggestions, self.accepted, self.accept_above, self.report_path
        )
        return "\n".join(lines)


def autocode(
    project: Project | str | Path,
    *,
    coder: str | None = None,
    accept_above: float | None = None,
    options: AutocodeOptions | None = None,
    report: str | Path | None = None,
    say: Say | None = None,
) -> AutocodeResult:
    """Suggest codings for ``project`` (a :class:`Project` or its folder); accept those
    whose score is at least ``accept_above`` (nothing is written without it) as ``coder``;
    write every suggestion to the CSV ``report`` if given. ``say`` hears progress notes."""
    options = options or AutocodeOptions()
    engine = "dask" if options.scheduler else options.engine
    if engine not in ENGINES:
        raise UnknownName("engine", engine, ENGINES, field="engine")
    if not isinstance(project, Project):
        project = open_project(project, coder=coder)
    require_valid(project.validate(), "casework autocode")  # before any cache is written
    who = project.coder if coder is None else coder
    result = AutocodeResult(pd.DataFrame(), pd.DataFrame(), accept_above)
    with watch_interrupts() as check_interrupt:
        rows = _ranked(project, who, options, result, say, cluster=engine == "dask")
        check_interrupt()  # a Ctrl-C some library swallowed still cancels the writes
    chosen = rows.iloc[0:0]
    if accept_above is not None and len(rows):
        chosen = rows[rows["confidence"].fillna(0) >= accept_above]
        if len(chosen):
            project.code_many(suggestions_to_codings(chosen), coder=who)
    if report is not None:
        to_csv_safe(rows, Path(report))
        result.report_path = Path(report)
    result.suggestions, result.accepted = rows, chosen
    return result


def _ranked(
    project: Project,
    who: str | None,
    options: AutocodeOptions,
    result: AutocodeResult,
    say: Say | None,
    *,
    cluster: bool = False,
) -> pd.DataFrame:
    """Scored suggestions (what the Coder shows), made in this process or, with
    ``cluster``, with the rule hits found on a Dask cluster and scored the same way here;
    the rules' estimates and the model's report kept in ``result``."""
    per_doc = options.per_doc
    chosen = project.suggestion_options(
        floor=options.floor,
        per_doc=None
        if options.every or per_doc == 0
        else ("default" if per_doc is None else per_doc),
        join=not options.every,
    )
    chosen = replace(chosen, require_model=options.learned, all_rules=options.every)
    if options.min_examples is not None:
        chosen = replace(chosen, ranker=replace(chosen.ranker, min_examples=options.min_examples))
    if options.learned and say is not None:
        say("training on your codings (held-out folds)…")
    if cluster:
        rows, scored = _on_cluster(project, who, options, chosen)
    else:
        scored = project.score_basis(who, chosen)
        # Kept in .casework/suggestions: run again, only documents that changed are redone.
        table = SuggestionTable(
            project,
            project.codebook,
            coder=who,
            options=chosen,
            unit=options.unit,
            rejections=project.rejections,
            scored=scored,
            keep=True,
        )
        rows = table.frame
        result.redone = table.redone
        if say is not None and len(table.redone) < len(project.documents):
            say(
                f"suggested afresh in {len(table.redone)} of {len(project.documents)} "
                "documents (the others are unchanged since the last run)"
            )
    result.estimates = scored.precision
    result.model_report = scored.model.report if scored.model is not None else None
    return rows if options.rules else rows[rows["source"] != "rule"].reset_index(drop=True)


def _on_cluster(
    project: Project, who: str | None, options: AutocodeOptions, chosen: Any
) -> tuple[pd.DataFrame, Any]:
    """The rule hits found on a dask.distributed cluster, scored as in :func:`_ranked`."""
    from tqdm import tqdm

    from casework.engine import ranked as on_cluster  # dask: an optional extra

    with tqdm(
        total=len(project.documents),
        unit="doc",
        desc="autocode",
        file=sys.stderr,
        leave=False,
        disable=None,
    ) as bar:
        found: tuple[pd.DataFrame, Any] = on_cluster(
            project,
            project.codebook,
            coder=who,
            options=chosen,
            scheduler=options.scheduler,
            workers=options.workers,
            unit=options.unit,
            rejections=project.rejections,
            progress=bar.update,
        )
    return found


def _estimate_lines(table: pd.DataFrame | None, model: pd.DataFrame | None) -> list[str]:
    lines: list[str] = []
    fired = table[table["hits"] > 0].sort_values(["code_id", "rule"]) if table is not None else None
    if fired is not None and len(fired):
        shown = fired[["code_id", "reason", "hits", "decisions", "precision"]]
        lines.append(
            "Rules that fired, with their estimated precision for you and the number "
            "of your decisions it rests on:"
        )
        lines.append(shown.to_string(index=False, float_format="{:.2f}".format))
    if model is not None:
        trained = model[model["trained"]][["code_id", "examples", "precision", "recall", "f1"]]
        lines.append(f"Model: {len(trained)} codes learned (held-out figures at probability 0.5):")
        lines.append(trained.to_string(index=False, float_format="{:.2f}".format))
    return lines


def _summary_lines(
    rows: pd.DataFrame, chosen: pd.DataFrame, accept_above: float | None, report: Path | None
) -> list[str]:
    if rows.empty:
        return ["No suggestions."]
    table = pd.crosstab(rows["code_id"], rows["source"]).rename_axis(None, axis=1)
    table["accepted"] = chosen["code_id"].value_counts().reindex(table.index).fillna(0)
    table = table.astype(int).reset_index().sort_values("code_id")
    kinds = ", ".join(f"{n} {s}" for s, n in rows["source"].value_counts().items())
    lines = [table.to_string(index=False), f"{len(rows)} suggestions ({kinds})."]
    if accept_above is None:
        lines.append("Nothing written: review them in the notebook, or pass --accept-above X.")
    else:
        lines.append(
            f"Accepted {len(chosen)} scoring at least {accept_above:g} (one undoable action)."
        )
    if report is not None:
        lines.append(f"Suggestions written to {report}.")
    return lines
