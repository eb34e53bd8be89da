"""``casework autocode`` (rule and learned suggestions) and ``casework redact``."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import typer

from casework.cli._common import PathArgument, project_at


def autocode(
    path: Path = PathArgument,
    rules: bool = typer.Option(True, "--rules/--no-rules", help="Suggest from codebook keywords "
                               "and patterns."),
    learned: bool = typer.Option(False, "--learned", help="Require the model trained on the "
                                 "coder's codings (it is used anyway once it can be trained); "
                                 "prints its held-out figures."),
    accept_above: float | None = typer.Option(None, "--accept-above", min=0.0, max=1.0,
                                              help="Accept suggestions whose estimated "
                                              "probability of being coded is at least this. "
                                              "Without it nothing is written."),
    floor: float | None = typer.Option(None, "--floor", min=0.0, max=1.0, help="Lowest score "
                                       "suggested (default: [nlp] floor, else 0.4)."),
    per_doc: int | None = typer.Option(None, "--per-doc", min=0, help="Most suggestions per "
                                       "document, 0 for no limit (default: [nlp] per_doc, "
                                       "else 25)."),
    every: bool = typer.Option(False, "--all", help="Every rule hit, scored: no floor, no "
                               "cap, nothing joined."),
    coder: str | None = typer.Option(None, "--coder", help="Whose codings and rejections to "
                                     "respect, and who accepts (default: the project's coder)."),
    unit: str | None = typer.Option(None, "--unit", help="sentence or segment (default: [nlp] "
                                    "unit in casework.toml, else sentence)."),
    min_score: float = typer.Option(0.5, "--min-score", help="Lowest model score to suggest "
                                    "(--engine dask)."),
    min_f1: float = typer.Option(0.5, "--min-f1", help="A code's cross-validated F1 must reach "
                                 "this for the model to suggest it."),
    min_examples: int | None = typer.Option(None, "--min-examples", min=2, help="Coded "
                                            "sentences a code needs before the model learns "
                                            "it (default 3; 8 with --engine dask)."),
    report: Path | None = typer.Option(None, "--report", help="Write the suggestions to this "
                                       "CSV file."),
    engine: str = typer.Option("local", "--engine", help="local (this process) or dask (a "
                               "dask.distributed cluster; same suggestions)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="A Dask scheduler's "
                                         "address or scheduler file (implies --engine dask; "
                                         "default: a local cluster on 127.0.0.1)."),
    workers: int = typer.Option(2, "--workers", min=1, help="Worker processes of the local "
                                "Dask cluster."),
) -> None:
    """Suggest codings from the codebook's rules (and a learned model); accept on request.

    Nothing is written until every suggestion is made; Ctrl-C leaves the project as it was.
    """
    from casework.nlp.suggest import suggestions_to_codings
    from casework.util import watch_interrupts
    from casework.validate import require_valid

    engine = "dask" if scheduler else engine
    if engine not in ("local", "dask"):
        from casework.errors import UnknownName

        raise UnknownName("engine", engine, ("local", "dask"), field="engine")
    project = project_at(path, coder)
    require_valid(project.validate(), "casework autocode")  # before any cache is written
    who = project.coder
    with watch_interrupts() as check_interrupt:
        if engine == "dask":
            rows = _suggest(project, who, learned, min_f1, min_examples or 8, engine, scheduler,
                            workers, rules=rules, unit=unit, min_score=min_score)  # fmt: skip
        else:
            rows = _ranked(project, who, learned, rules=rules, unit=unit, floor=floor,
                           per_doc=per_doc, every=every, min_examples=min_examples)  # fmt: skip
        check_interrupt()  # a Ctrl-C some library swallowed still cancels the writes
    chosen = rows.iloc[0:0]
    if accept_above is not None and len(rows):
        score = rows["confidence"]
        if engine == "dask":  # unscored rule hits there
            score = score.where(rows["source"] == "model", 1.0)
        chosen = rows[score.fillna(0) >= accept_above]
        if len(chosen):
            project.code_many(suggestions_to_codings(chosen), coder=who)
    if report is not None:
        from casework.util import to_csv_safe

        to_csv_safe(rows, report)
    _summary(rows, chosen, accept_above, report)


def _suggest(  # type: ignore[no-untyped-def]
    project, who, learned, min_f1, min_examples, engine, scheduler, workers, **settings
) -> pd.DataFrame:
    from tqdm import tqdm

    from casework.nlp.suggest import suggest

    rules, unit, min_score = settings["rules"], settings["unit"], settings["min_score"]
    model = _model(project, who, min_f1, min_examples) if learned else None
    with tqdm(total=len(project.documents), unit="doc", desc="autocode", file=sys.stderr,
              leave=False, disable=None) as bar:  # fmt: skip
        options = dict(coder=who, rules=rules, learned=model is not None, model=model, unit=unit,
                       min_score=min_score, progress=bar.update)  # fmt: skip
        try:
            if engine == "dask":
                from casework.engine import suggest as suggest_on_cluster

                rows = suggest_on_cluster(project, project.codebook, scheduler=scheduler,
                                          workers=workers, **options)  # type: ignore[arg-type]
            else:
                rows = suggest(project, project.codebook, **options)  # type: ignore[arg-type]
        except KeyboardInterrupt:  # nothing is written before this point
            bar.close()
            typer.echo("casework: interrupted; the project is unchanged", err=True)
            raise typer.Exit(130) from None
    return rows


def _ranked(project, who, learned, *, rules, unit, floor, per_doc, every,  # type: ignore[no-untyped-def]
            min_examples) -> pd.DataFrame:
    """Scored suggestions (what the Coder shows), and the rules' estimates printed."""
    from dataclasses import replace

    from casework.nlp import ranked_suggest

    options = project.suggestion_options(
        floor=floor,
        per_doc=None if every or per_doc == 0 else ("default" if per_doc is None else per_doc),
        join=not every,
    )  # fmt: skip
    options = replace(options, require_model=learned, all_rules=every)
    if min_examples is not None:
        options = replace(options, ranker=replace(options.ranker, min_examples=min_examples))
    if learned:
        typer.echo("training on your codings (held-out folds)…", err=True)
    try:
        scored = project.score_basis(who, options)
        rows = ranked_suggest(project, project.codebook, coder=who, options=options, unit=unit,
                              rejections=project.rejections, scored=scored)  # fmt: skip
    except KeyboardInterrupt:  # nothing is written before this point
        typer.echo("casework: interrupted; the project is unchanged", err=True)
        raise typer.Exit(130) from None
    _print_estimates(scored)
    return rows if rules else rows[rows["source"] != "rule"].reset_index(drop=True)


def _print_estimates(scored) -> None:  # type: ignore[no-untyped-def]
    table = scored.precision
    fired = table[table["hits"] > 0].sort_values(["code_id", "rule"])
    if len(fired):
        shown = fired[["code_id", "reason", "hits", "decisions", "precision"]]
        typer.echo("Rules that fired, with their estimated precision for you and the number of "
                   "your decisions it rests on:")
        typer.echo(shown.to_string(index=False, float_format="{:.2f}".format))
    if scored.model is not None:
        report = scored.model.report
        trained = report[report["trained"]][["code_id", "examples", "precision", "recall", "f1"]]
        typer.echo(f"Model: {len(trained)} codes learned (held-out figures at probability 0.5):")
        typer.echo(trained.to_string(index=False, float_format="{:.2f}".format))


def _model(  # type: ignore[no-untyped-def]
    project, coder: str | None, min_f1: float, min_examples: int
):
    from casework.nlp.learned import Settings, train_model

    if not coder:
        from casework.errors import ConfigError

        raise ConfigError("--learned needs a coder", field="coder",
                          fix="Pass --coder NAME or set coder under [project] in casework.toml.")
    typer.echo("training on your codings (cross-validated)…", err=True)
    model = train_model(project, coder=coder, min_f1=min_f1,
                        settings=Settings(min_examples=min_examples))
    report = model.scored_report()
    shown = report[report["trained"]][["code_id", "examples", "precision", "recall", "f1",
                                       "passes"]]  # fmt: skip
    typer.echo(shown.to_string(index=False, float_format="{:.2f}".format))
    waiting = report[~report["trained"] & (report["examples"] > 0)]
    if len(waiting):
        typer.echo(f"{len(waiting)} codes need more coded examples before the model learns them "
                   f"(e.g. {waiting.iloc[0]['code_id']}: {int(waiting.iloc[0]['needed'])} more).")
    return model


def _summary(rows: pd.DataFrame, chosen: pd.DataFrame, accept_above: float | None,
             report: Path | None) -> None:  # fmt: skip
    if rows.empty:
        typer.echo("No suggestions.")
        return
    table = pd.crosstab(rows["code_id"], rows["source"]).rename_axis(None, axis=1)
    table["accepted"] = chosen["code_id"].value_counts().reindex(table.index).fillna(0)
    table = table.astype(int).reset_index().sort_values("code_id")
    typer.echo(table.to_string(index=False))
    kinds = ", ".join(f"{n} {s}" for s, n in rows["source"].value_counts().items())
    typer.echo(f"{len(rows)} suggestions ({kinds}).")
    if accept_above is None:
        typer.echo("Nothing written: review them in the notebook, or pass --accept-above X.")
    else:
        typer.echo(f"Accepted {len(chosen)} scoring at least {accept_above:g} "
                   "(one undoable action).")
    if report is not None:
        typer.echo(f"Suggestions written to {report}.")


def redact(
    paths: list[Path] = typer.Argument(..., metavar="[PATH] DEST",
                                       help="Project folder (default: the current folder) and "
                                       "the new folder for the pseudonymised copy."),
    names: Path | None = typer.Option(None, "--names", help="Names to hide, one a line ("
                                      "variants split by '|', 'place:'/'org:' prefixes); "
                                      "default: redact.txt in the project."),
    patterns: bool = typer.Option(True, "--patterns/--no-patterns",
                                  help="Hide e-mail addresses, UK phone numbers and postcodes."),
    ner: bool = typer.Option(True, "--ner/--no-ner", help="Hide PERSON/ORG/GPE entities when "
                             "the project's pipeline has NER."),
) -> None:
    """Write a pseudonymised copy of a project; the key goes beside it, never inside."""
    from casework.nlp.redact import redact_project

    if len(paths) not in (1, 2):
        raise typer.BadParameter("give DEST, or PATH and DEST", param_hint="[PATH] DEST")
    src, dest = (Path("."), paths[0]) if len(paths) == 1 else (paths[0], paths[1])
    result = redact_project(src, dest, names, patterns=patterns, ner=ner)
    typer.echo(f"Wrote {result.dest}: {result.documents} transcripts ({result.renamed} renamed), "
               f"{result.replacements} replacements, {result.codings} codings and "
               f"{result.rejections} rejected suggestions carried over.")
    typer.echo(f"Key (keep it private): {result.key_path}")
    if result.orphans:
        typer.echo(f"{result.orphans} codings could not be placed in the new text (their quotes "
                   "were not found); they were copied with their text redacted.")
    if result.dropped_lines:
        typer.echo(f"{result.dropped_lines} damaged log lines were left out of the copy.")
    if result.converted:
        typer.echo(f"Written as Markdown: {', '.join(result.converted)}.")
    if ner and not result.ner:
        typer.echo("No NER in this project's pipeline: only listed names and patterns were hidden.")


def register(app: typer.Typer) -> None:
    app.command()(autocode)
    app.command()(redact)
