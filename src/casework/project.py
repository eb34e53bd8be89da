"""A casework project: one folder made into tidy tables; every write goes to the store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from casework.codebook import Codebook
from casework.config import need_coder, read_config, resolve_coder, setting
from casework.errors import (
    CodebookError,
    ConfigError,
    Problem,
    ProjectError,
    UnknownName,
    check_span,
)
from casework.sources import Corpus, load_corpus, outside_error
from casework.store import (
    EventStore,
    ResolvedCodings,
    check_coder,
    foreign_problems,
    make_anchor,
    new_id,
    open_store,
    replay,
    resolve_codings,
    undo_target,
    unknown_code_error,
    utc_now,
)
from casework.util import is_inside, path_in
from casework.validate import validate_project

if TYPE_CHECKING:
    from casework.matrices import SummaryStore


def open_project(path: str | Path = ".", *, coder: str | None = None) -> Project:
    """Open the project folder at ``path`` (default: the current folder)."""
    return Project(path, coder=coder)


class Project:
    """A project folder as tables: documents, cases, segments, codes, codings.

    Reading is lazy and cached; writes (``code``, ``uncode``…) append events to the
    coder's log at once and refresh the codings table on next access.
    """

    def __init__(
        self, root: str | Path = ".", *, coder: str | None = None, store: EventStore | None = None
    ) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ProjectError("no such project folder", path=root, fix="Check the path.")
        self.config = read_config(self.root)
        self.coder = resolve_coder(self.config, coder)
        if self.coder is not None:
            check_coder(self.coder)
        self.store: EventStore = store or open_store(self.root, self.config)
        self._resolved: ResolvedCodings | None = None
        self._events: pd.DataFrame | None = None
        self._pending: list[dict[str, Any]] = []  # written since _events was read
        self._unmerged: list[dict[str, Any]] = []  # new codings not yet in _resolved
        self._load_problems: list[Problem] = []

    def __repr__(self) -> str:
        return f"<casework.Project {self.name!r} at {self.root}>"

    # ------------------------------------------------------------------ reading
    @property
    def name(self) -> str:
        return str(setting(self.config, "project", "name", self.root.name))

    @cached_property
    def _corpus(self) -> Corpus:
        corpus = load_corpus(self.root)
        if corpus.errors:
            first = corpus.errors[0]
            if len(corpus.errors) > 1:
                first.fix = (first.fix or "") + (
                    f" ({len(corpus.errors) - 1} more problems: run 'casework validate'.)"
                )
                first.args = (first.one_line(),)
            raise first
        return corpus

    @property
    def documents(self) -> pd.DataFrame:
        """doc_id, case_id, participant_id, role, title, path, n_chars, n_words, sha, …"""
        return self._corpus.documents

    @property
    def cases(self) -> pd.DataFrame:
        """case_id + the columns of cases.csv."""
        return self._corpus.cases

    @property
    def segments(self) -> pd.DataFrame:
        """doc_id, seg_no, start, end, speaker, speaker_role, text."""
        return self._corpus.segments

    @property
    def speakers(self) -> pd.DataFrame:
        """doc_id, speaker, role (interviewer/participant/other), turns, words, how."""
        return self._corpus.speakers

    @property
    def private(self) -> Mapping[str, Mapping[str, Any]]:
        """doc_id → private fields (name, author, original file name, personal columns).

        Only the privacy layer reads these, to know which names to hide."""
        return self._corpus.private

    def text(self, doc_id: str) -> str:
        try:
            return self._corpus.texts[doc_id]
        except KeyError:
            raise UnknownName("document", doc_id, self._corpus.texts) from None

    @property
    def texts(self) -> Mapping[str, str]:
        return self._corpus.texts

    @cached_property
    def codebook_path(self) -> Path:
        named = setting(self.config, "project", "codebook")
        if named:
            # casework.toml may come from someone else: the codebook must be in the project.
            return path_in(
                self.root,
                str(named),
                what="codebook",
                subfolders=True,
                source=self.root / "casework.toml",
                field="project.codebook",
            )
        found = sorted((self.root / "codebooks").glob("*.yaml"))
        if len(found) != 1:
            raise ConfigError(
                "no codebook named in [project] codebook"
                + (f" and {len(found)} files in codebooks/" if found else ""),
                path=self.root / "casework.toml",
                field="project.codebook",
                fix='Set codebook = "codebooks/<name>.yaml" under [project].',
            )
        if not is_inside(self.root, found[0]):
            raise outside_error(found[0], "codebook")
        return found[0]

    @cached_property
    def codebook(self) -> Codebook:
        return Codebook.from_disk(self.codebook_path)

    @property
    def codes(self) -> pd.DataFrame:
        """code_id, parent_id, name, description, include, exclude, depth, color, position."""
        return self.codebook.codes

    def add_code(self, name: str, *, parent: str | None = None, **fields: Any) -> str:
        """Add a code named ``name`` (under ``parent``) to the codebook file and return
        its id, made from the name (:meth:`Codebook.id_for`). The file is written by the
        codebook's own writer, after the new codebook is known good."""
        book = self.codebook
        code_id = book.id_for(name, parent or None)
        new = book.add_code(name, parent, code_id=code_id, **fields)
        problems = new.validate()
        if problems:
            raise CodebookError(problems, fix="Nothing was saved; correct the code and retry.")
        try:
            new.to_disk(self.codebook_path)  # refuses if the file changed on disk since read
        finally:  # either way the next read is of the file as it is now
            self.__dict__.pop("codebook", None)
        return code_id

    def reload(self) -> None:
        """Forget cached tables, so the next access reads the folder again."""
        for name in ("_corpus", "codebook", "codebook_path", "_shas", "summaries"):
            self.__dict__.pop(name, None)
        self._resolved = None
        self._events = None
        self._pending = []
        self._unmerged = []

    def events(self) -> pd.DataFrame:
        """Every coding event of every coder, as logged (``coder`` and ``line`` added)."""
        if self._events is None:
            contents = self.store.read("codings")
            self._load_problems = contents.problems
            self._events = contents.frame
            self._pending = []
        if self._pending:
            pending = pd.DataFrame(self._pending).assign(line=pd.NA)
            self._events = pd.concat([self._events, pending], ignore_index=True)
            self._pending = []
        return self._events

    def _resolve(self) -> ResolvedCodings:
        self._merge_unmerged()
        if self._resolved is None:
            state = replay(self.events())
            resolved = resolve_codings(
                state.codings,
                self.documents,
                self._corpus.texts,
                set(self.codes["code_id"]),
                log_path=str(Path("codings") / "<coder>.jsonl"),
            )
            resolved.problems = (
                self._load_problems + foreign_problems(state.foreign) + resolved.problems
            )
            self._rejections = state.rejections
            self._resolved = resolved
        return self._resolved

    @property
    def codings(self) -> pd.DataFrame:
        """coding_id, doc_id, case_id, participant_id, role, code_id, start, end, quote,
        coder, source, confidence, reason, created_at, memo."""
        resolved = self._resolve()
        for problem in resolved.problems:
            if problem.message.startswith("unknown code"):
                raise unknown_code_error(problem)
        return resolved.codings

    @property
    def orphans(self) -> pd.DataFrame:
        """Codings whose quote could not be found after their transcript changed."""
        return self._resolve().orphans

    @property
    def rejections(self) -> pd.DataFrame:
        """Suggestions coders turned down: doc_id, code_id, start, end, quote, reason, coder."""
        self._resolve()
        return self._rejections

    @cached_property
    def summaries(self) -> SummaryStore:
        """Framework cell summaries, stored beside the codings (files or database)."""
        from casework.matrices import SummaryStore

        return SummaryStore(self.store, coder=self.coder)

    @property
    def coders(self) -> list[str]:
        return self.store.coders("codings")

    def coding_problems(self) -> list[Problem]:
        """Problems met while replaying the coding logs and anchoring them to the texts."""
        return list(self._resolve().problems)

    def validate(self) -> list[Problem]:
        """Every problem in the project, without raising: sources, codebook, logs."""
        return validate_project(self)

    # ------------------------------------------------------------------ writing
    def _need_coder(self, coder: str | None) -> str:
        return check_coder(need_coder(coder or self.coder))

    def _append(self, coder: str, events: Sequence[dict[str, Any]]) -> None:
        """Write one batch (one undoable action) and keep the in-memory state in step."""
        if not events:
            return
        batch = new_id()
        at = utc_now()
        stamped = [{"eid": new_id(), "batch": batch, "coder": coder, "at": at, **e} for e in events]
        self.store.append("codings", coder, stamped)
        if self._events is not None:
            self._pending.extend(stamped)
        if self._resolved is not None and all(e["event"] == "code" for e in stamped):
            self._add_resolved(stamped)  # cheap path: new codings only, no full replay
        else:
            self._resolved = None
            self._unmerged = []

    def _add_resolved(self, stamped: list[dict[str, Any]]) -> None:
        """Queue new codings; they are merged into the table on its next read."""
        self._unmerged.extend(stamped)

    def _merge_unmerged(self) -> None:
        if not self._unmerged or self._resolved is None:
            return
        new = resolve_codings(
            replay(pd.DataFrame(self._unmerged).assign(line=pd.NA)).codings,
            self.documents,
            self._corpus.texts,
            set(self.codes["code_id"]),
        )
        self._unmerged = []
        self._resolved.codings = pd.concat([self._resolved.codings, new.codings], ignore_index=True)

    def _code_event(self, row: Mapping[str, Any]) -> dict[str, Any]:
        if row.get("code_id") is None or pd.isna(row.get("code_id")):
            raise ProjectError(
                f"the passage {row.get('doc_id')} {row.get('start')}–{row.get('end')} has no code",
                field="code_id",
                fix="Set the row's code_id, or ask similar(..., code='…') for passages to "
                "offer as that code.",
            )
        doc_id, code_id = str(row["doc_id"]), str(row["code_id"])
        if code_id not in self.codebook:
            raise UnknownName("code", code_id, self.codes["code_id"], field="code_id")
        text = self.text(doc_id)
        start, end = int(row["start"]), int(row["end"])
        check_span(doc_id, start, end, len(text), field="start/end")
        anchor = make_anchor(text, start, end)
        confidence = row.get("confidence")
        event = {
            "event": "code",
            "id": new_id(),
            "doc": doc_id,
            "code": code_id,
            "start": start,
            "end": end,
            "quote": anchor.quote,
            "prefix": anchor.prefix,
            "suffix": anchor.suffix,
            "sha": self._doc_sha(doc_id),
            "source": str(row.get("source") or "manual"),
            "confidence": None if confidence is None or pd.isna(confidence) else float(confidence),
            "reason": row.get("reason") or None,
            "memo": row.get("memo") or None,
        }
        decisions = row.get("decisions")
        if decisions is not None and not pd.isna(decisions):
            event["decisions"] = int(decisions)  # what the suggestion's score rested on
        return event

    def _doc_sha(self, doc_id: str) -> str:
        return self._shas[doc_id]

    @cached_property
    def _shas(self) -> dict[str, str]:
        return dict(zip(self.documents["doc_id"], self.documents["sha"], strict=False))

    def code(
        self,
        doc_id: str,
        code_id: str,
        start: int,
        end: int,
        *,
        coder: str | None = None,
        memo: str | None = None,
        source: str = "manual",
        confidence: float | None = None,
        reason: str | None = None,
    ) -> str:
        """Code ``text(doc_id)[start:end]`` with ``code_id``; returns the coding id."""
        row = {
            "doc_id": doc_id,
            "code_id": code_id,
            "start": start,
            "end": end,
            "memo": memo,
            "source": source,
            "confidence": confidence,
            "reason": reason,
        }
        return self.code_many([row], coder=coder)[0]

    def code_many(
        self, rows: pd.DataFrame | Iterable[Mapping[str, Any]], *, coder: str | None = None
    ) -> list[str]:
        """Code many spans as one undoable action (e.g. a page of accepted suggestions).

        Each row needs doc_id, code_id, start, end and may give memo, source,
        confidence, reason. Everything is checked before anything is written.
        """
        who = self._need_coder(coder)
        records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
        events = [self._code_event(r) for r in records]
        self._append(who, events)
        return [e["id"] for e in events]

    def _own_codings(self, coding_ids: Iterable[str], coder: str) -> list[str]:
        """The ids, checked to exist and to belong to ``coder``."""
        ids = [str(c) for c in coding_ids]
        table = self.codings.set_index("coding_id")["coder"]
        for coding_id in ids:
            if coding_id not in table.index:
                raise UnknownName("coding", coding_id, [], field="coding_id")
            if table[coding_id] != coder:
                raise ProjectError(
                    f"coding {coding_id} belongs to coder '{table[coding_id]}', not '{coder}'",
                    field="coder",
                    fix="Each coder changes only their own codings; code the span yourself "
                    "instead.",
                )
        return ids

    def uncode(self, coding_id: str, *, coder: str | None = None) -> None:
        self.uncode_many([coding_id], coder=coder)

    def uncode_many(self, coding_ids: Iterable[str], *, coder: str | None = None) -> None:
        """Remove several codings as one undoable action (e.g. deleting a code)."""
        who = self._need_coder(coder)
        ids = self._own_codings(coding_ids, who)
        self._append(who, [{"event": "uncode", "target": c} for c in ids])

    def recode(self, coding_id: str, code_id: str, *, coder: str | None = None) -> None:
        self.recode_many([coding_id], code_id, coder=coder)

    def recode_many(
        self, coding_ids: Iterable[str], code_id: str, *, coder: str | None = None
    ) -> None:
        """Move several codings to ``code_id`` as one undoable action (e.g. a merge)."""
        who = self._need_coder(coder)
        ids = self._own_codings(coding_ids, who)
        if code_id not in self.codebook:
            raise UnknownName("code", code_id, self.codes["code_id"], field="code_id")
        self._append(who, [{"event": "recode", "target": c, "code": code_id} for c in ids])

    def memo(self, coding_id: str, text: str, *, coder: str | None = None) -> None:
        who = self._need_coder(coder)
        self._own_codings([coding_id], who)
        self._append(who, [{"event": "memo", "target": coding_id, "text": str(text)}])

    def reject(
        self,
        rows: pd.DataFrame | Mapping[str, Any] | Iterable[Mapping[str, Any]] | str,
        code_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        *,
        reason: str | None = None,
        coder: str | None = None,
    ) -> None:
        """Turn suggestions down, so they are not offered again (one undoable action).

        Pass rows of :meth:`suggest`'s DataFrame, or one span as
        ``reject(doc_id, code_id, start, end)``.
        """
        who = self._need_coder(coder)
        if isinstance(rows, str):
            records: list[Mapping[str, Any]] = [
                {"doc_id": rows, "code_id": code_id, "start": start, "end": end, "reason": reason}
            ]
        elif isinstance(rows, pd.DataFrame):
            records = rows.to_dict("records")
        elif isinstance(rows, Mapping):
            records = [rows]
        else:
            records = list(rows)
        events = []
        for row in records:
            checked = self._code_event(row)  # same checks as coding: doc, code, offsets
            event = {
                "event": "reject",
                "doc": checked["doc"],
                "code": checked["code"],
                "start": checked["start"],
                "end": checked["end"],
                "quote": checked["quote"],
                "reason": row.get("reason") or reason,
            }
            for key in ("confidence", "decisions"):  # the score turned down, and its basis
                if checked.get(key) is not None:
                    event[key] = checked[key]
            events.append(event)
        self._append(who, events)

    # ------------------------------------------------------------------ suggestions
    def suggest(
        self,
        *,
        rules: bool = True,
        learned: bool | None = None,
        unit: str | None = None,
        coder: str | None = None,
        doc_ids: Iterable[str] | None = None,
        min_score: float | None = None,
        floor: float | None = None,
        per_doc: int | Literal["default"] | None = "default",
        join: bool = True,
        ranked: bool = True,
        background: bool = False,
        explore: bool = True,
    ) -> pd.DataFrame:
        """Suggested codings, best first within what is shown; nothing is coded until
        :meth:`accept`, and what the coder rejected is never offered again.

        Each ``confidence`` estimates the probability that this coder codes it: a rule's
        precision from the coder's own decisions (a Beta posterior, prior Beta(1, 3)), or
        the learned model's calibrated probability where the coder has coded enough
        (``learned=False`` turns the model off; None uses it when it can be trained).
        ``floor`` (default 0.25) is the lowest score offered, ``per_doc`` (default 40) the
        most suggestions per document, and neighbouring suggestions of one code are joined
        into passages unless ``join=False``. Rules the coder has judged fewer than four
        times are offered under the floor too, so they can be judged (``explore=False``:
        not). ``ranked=False`` gives every raw rule hit (and
        model score at ``min_score`` with ``learned=True``), as before.

        ``background=True`` (for a coding session) never waits for the model: it trains
        in a thread when the coding changed, and meanwhile the last finished model (or
        the one saved from an earlier session, or none) scores.

        Columns: the codings columns, ``status``, and ``decisions`` (what a score rests on:
        the coder's decisions on the rule, or the model's coded examples of the code).
        """
        from casework.nlp.suggest import suggest

        who = self._need_coder(coder)
        if not ranked:
            return suggest(
                self,
                self.codebook,
                coder=who,
                rules=rules,
                learned=bool(learned),
                unit=unit,
                rejections=self.rejections,
                min_score=0.5 if min_score is None else min_score,
                doc_ids=doc_ids,
            )
        options = self.suggestion_options(
            floor=floor if floor is not None else min_score,
            per_doc=per_doc,
            join=join,
            model=learned is not False,
            explore=explore,
        )
        rows = self._ranked(who, options, unit, doc_ids, background)
        return rows if rules else rows[rows["source"] != "rule"].reset_index(drop=True)

    def suggestion_options(
        self,
        *,
        floor: float | None = None,
        per_doc: int | Literal["default"] | None = "default",
        join: bool = True,
        model: bool = True,
        explore: bool = True,
    ) -> Any:
        """The scoring and trimming options (``casework.nlp.SuggestOptions``); unset ones
        come from ``[nlp] floor`` / ``per_doc`` in casework.toml, else the defaults."""
        from casework.nlp import SuggestOptions
        from casework.nlp.pipeline import project_setting

        if floor is None:
            floor = float(project_setting(self, "floor", SuggestOptions().floor))
        if per_doc == "default":
            per_doc = project_setting(self, "per_doc", SuggestOptions().per_doc)
            per_doc = None if per_doc in (0, None, "none") else int(per_doc)
        return SuggestOptions(floor=floor, per_doc=per_doc, join=join, model=model, explore=explore)

    def _ranked(
        self,
        coder: str,
        options: Any,
        unit: str | None,
        doc_ids: Iterable[str] | None,
        background: bool = False,
    ) -> pd.DataFrame:
        from casework.nlp import ranked_suggest

        return ranked_suggest(
            self,
            self.codebook,
            coder=coder,
            options=options,
            unit=unit,
            rejections=self.rejections,
            doc_ids=doc_ids,
            scored=self.score_basis(coder, options, background=background),
        )

    def score_basis(
        self,
        coder: str | None = None,
        options: Any = None,
        *,
        background: bool = False,
        cache_dir: Path | None = None,
    ) -> Any:
        """What the coder's suggestion scores rest on (rules' estimates, model), kept
        until the coder's events change. ``background=True``: the model trains in a
        thread (see :meth:`suggest`); :attr:`trainer` is that thread's keeper.
        ``cache_dir``: where parsed text is cached (default: the project's ``.casework``;
        ``casework build`` keeps its own under ``exports/``)."""
        from casework.nlp import SuggestOptions, score_basis
        from casework.nlp.pipeline import cache_dir_for, pipeline_for

        who = self._need_coder(coder)
        options = options or SuggestOptions()
        key = (
            who,
            len(self.events()),
            options.model,
            options.prior,
            options.headings,
            options.ranker,
        )
        cached = self.__dict__.get("_score_basis")
        trainer = self.trainer(who) if background else None
        if (
            cached is not None
            and cached[0] == key
            and (trainer is None or cached[1].model_hash == (trainer.latest or (None, None))[1])
        ):
            return cached[1]
        found = score_basis(
            self,
            self.codebook,
            coder=who,
            options=options,
            nlp=pipeline_for(self),
            cache_dir=cache_dir if cache_dir is not None else cache_dir_for(self),
            rejections=self.rejections,
            background=trainer,
        )
        self.__dict__["_score_basis"] = (key, found)
        return found

    def trainer(self, coder: str | None = None) -> Any:
        """The coder's background model trainer (``casework.nlp.BackgroundTrainer``)."""
        from casework.nlp import BackgroundTrainer

        who = self._need_coder(coder)
        trainers = self.__dict__.setdefault("_trainers", {})
        if who not in trainers:
            trainers[who] = BackgroundTrainer()
        return trainers[who]

    def rule_precision(
        self, *, coder: str | None = None, cache_dir: Path | None = None
    ) -> pd.DataFrame:
        """Each codebook rule's estimated precision for the coder and what it rests on:
        rule, code_id, reason, hits, accepted, rejected, passed_over, decisions,
        precision (posterior mean), low, high (5% and 95% quantiles)."""
        from casework.nlp import SuggestOptions

        basis = self.score_basis(coder, SuggestOptions(model=False), cache_dir=cache_dir)
        return basis.precision.copy()

    def similar(
        self,
        *,
        passage: tuple[str, int, int] | None = None,
        code: str | None = None,
        text: str | None = None,
        n: int = 20,
        coder: str | None = None,
        method: str = "lsa",
    ) -> pd.DataFrame:
        """ "More like this": the ``n`` passages most like a passage ``(doc_id, start,
        end)``, like all of the coder's passages of ``code``, or like free ``text``.

        With a passage or a text, ``code`` is the code to offer the passages as. Passages
        already coded with ``code`` (or inside the query passage) or rejected for it, and
        the interviewer's turns, are left out. Columns: the suggestion columns (code_id is
        ``code``, or empty), with ``confidence`` the cosine similarity and ``source``
        ``similar``. Same corpus, same query: same answer.
        """
        from casework.nlp import similar

        who = coder or self.coder
        return similar(self, passage=passage, code=code, text=text, n=n, coder=who, method=method)

    def accept(
        self, rows: pd.DataFrame | Iterable[Mapping[str, Any]], *, coder: str | None = None
    ) -> list[str]:
        """Code the given suggestions (one undoable action), keeping their source
        (``rule``/``model``), reason and score."""
        from casework.nlp.suggest import suggestions_to_codings

        return self.code_many(suggestions_to_codings(rows), coder=coder)

    def undo(self, *, coder: str | None = None) -> bool:
        """Undo the coder's last action; False when there is nothing to undo."""
        return self._undo(coder, redo=False)

    def redo(self, *, coder: str | None = None) -> bool:
        """Redo the coder's last undone action; False when there is nothing to redo."""
        return self._undo(coder, redo=True)

    def _undo(self, coder: str | None, *, redo: bool) -> bool:
        who = self._need_coder(coder)
        events = self.events()
        own = events[events["coder"] == who] if len(events) else events
        target = undo_target(own, redo=redo)
        if target is None:
            return False
        self._check_undo(events, who, target)
        self._append(who, [{"event": "undo", "target": target}])
        return True

    def _check_undo(self, events: pd.DataFrame, coder: str, target: str) -> None:
        """Refuse an undo that would bring back codings of a code no longer in the
        codebook (e.g. undoing the recodes of a merge after the code was removed)."""
        trial = pd.concat(
            [
                events,
                pd.DataFrame(
                    [{"eid": "?", "batch": "?", "event": "undo", "target": target, "coder": coder}]
                ),
            ],
            ignore_index=True,
        )
        after = replay(trial).codings
        unknown = sorted(set(after["code_id"]) - set(self.codes["code_id"]))
        if unknown:
            raise ProjectError(
                f"undoing this would bring back codings of '{unknown[0]}', which is no longer "
                "in the codebook",
                field="code_id",
                fix=f"Add '{unknown[0]}' back to the codebook first, then undo.",
            )
