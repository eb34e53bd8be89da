"""Text queries: keyword in context and word frequency, as DataFrames.

Like NVivo's text search and word frequency queries: find a word, a phrase or every form
of a lemma with its context (a window of words each side), optionally only in some cases,
roles, or passages coded with some codes; count words (as lemmas, stop words left out) by
any document or case attribute. :func:`code_all_hits` turns a search into suggestions,
which the coder accepts or rejects like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casework.errors import CaseworkError, UnknownName
from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODES = ("word", "phrase", "lemma", "regex")
KWIC_COLUMNS = [
    "doc_id",
    "case_id",
    "participant_id",
    "role",
    "start",
    "end",
    "left",
    "match",
    "right",
    "sentence_start",
    "sentence_end",
    "sentence",
    "query",
    "mode",
]


def kwic(
    tables: TablesLike,
    query: str,
    *,
    mode: str = "word",
    window: int = 8,
    cases: Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
    codes: Iterable[str] | None = None,
    coder: str | None = None,
    case_sensitive: bool = False,
    doc_ids: Iterable[str] | None = None,
    nlp: Language | None = None,
    cache_dir: str | Path | bool | None = True,
) -> pd.DataFrame:
    """Every occurrence of ``query`` with ``window`` words of context each side.

    ``mode``: ``"word"`` (one word; a trailing ``*`` matches any ending, ``support*``),
    ``"phrase"`` (words in sequence), ``"lemma"`` (any form: "child" finds "children") or
    ``"regex"`` (a Python regular expression over the text; a hit is widened to whole
    words). ``cases``, ``roles`` and ``doc_ids`` keep those documents; ``codes`` keeps hits
    inside passages coded with one of those codes or a code below them (by ``coder`` if
    given).
    """
    if mode not in MODES:
        raise UnknownName("mode", mode, MODES, field="mode")
    words = query.split()
    if not words:
        raise CaseworkError("empty query", field="query", fix="Give a word or a phrase.")
    if window < 0:
        raise CaseworkError(f"window must be 0 or more words, not {window}", field="window")
    nlp, folder = _pipeline(tables, nlp, cache_dir)
    documents = _select(tables.documents, cases, roles)
    if doc_ids is not None:
        wanted = [str(d) for d in ([doc_ids] if isinstance(doc_ids, str) else doc_ids)]
        known = set(documents["doc_id"])
        for doc_id in wanted:
            if doc_id not in set(tables.documents["doc_id"]):
                raise UnknownName("document", doc_id, sorted(known), field="doc_ids")
        documents = documents[documents["doc_id"].isin(wanted)]
    find = _finder(nlp, query, mode, case_sensitive)
    rows: list[dict[str, Any]] = []
    from casework.nlp.pipeline import doc_texts, iter_parsed

    for doc_id, doc in iter_parsed(doc_texts(tables, documents["doc_id"]), nlp, folder):
        rows += _contexts(doc_id, doc, find(doc), window)
    added = ("case_id", "participant_id", "role", "query", "mode")
    frame = pd.DataFrame(rows, columns=[c for c in KWIC_COLUMNS if c not in added])
    if codes is not None:
        frame = _inside_codes(frame, tables, list(codes), coder)
    meta = documents.set_index("doc_id")
    for column in ("case_id", "participant_id", "role"):
        frame[column] = frame["doc_id"].map(meta[column]) if column in meta.columns else None
    frame["query"], frame["mode"] = query, mode
    return frame[KWIC_COLUMNS].reset_index(drop=True)


def _pipeline(
    tables: TablesLike, nlp: Language | None, cache_dir: Any
) -> tuple[Language, Path | None]:
    from casework.nlp.pipeline import cache_dir_for, pipeline_for

    folder = cache_dir_for(tables) if cache_dir is True else (cache_dir or None)
    return nlp or pipeline_for(tables), folder


def _select(
    documents: pd.DataFrame, cases: Iterable[str] | None, roles: Iterable[str] | None
) -> pd.DataFrame:
    keep = pd.Series(True, index=documents.index)
    if cases is not None:
        wanted = {str(c) for c in ([cases] if isinstance(cases, str) else cases)}
        keep &= documents["case_id"].astype(str).isin(wanted)
    if roles is not None:
        wanted = {str(r).casefold() for r in ([roles] if isinstance(roles, str) else roles)}
        keep &= documents["role"].astype(str).str.casefold().isin(wanted)
    return documents[keep]


def _finder(nlp: Language, query: str, mode: str, case_sensitive: bool) -> Any:
    """A function doc → list of (start token, end token) matches."""
    from spacy.matcher import PhraseMatcher

    if mode == "regex":
        return _regex_finder(query, case_sensitive)
    words = query.split()
    if mode == "word" and len(words) == 1 and words[0].endswith("*") and len(words[0]) > 1:
        return _prefix_finder(words[0][:-1], case_sensitive)
    attr = "LEMMA" if mode == "lemma" else ("ORTH" if case_sensitive else "LOWER")
    matcher = PhraseMatcher(nlp.vocab, attr=attr)
    pattern = nlp(query) if mode == "lemma" else nlp.make_doc(query)
    if mode == "lemma":
        from spacy.tokens import Doc

        lemmas = [t.lemma_ or t.lower_ for t in pattern if not t.is_space]
        pattern = Doc(nlp.vocab, words=lemmas, lemmas=lemmas)
    matcher.add("query", [pattern])
    return lambda doc: [(s, e) for _, s, e in matcher(doc)]


def _regex_finder(query: str, case_sensitive: bool) -> Any:
    try:
        pattern = re.compile(query, 0 if case_sensitive else re.IGNORECASE)
    except re.error as err:
        raise CaseworkError(
            f"the regular expression {query!r} is not valid: {err}",
            field="query",
            fix="Correct the expression, or search in word mode.",
        ) from None

    def find(doc: Doc) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for hit in pattern.finditer(doc.text):
            if hit.end() > hit.start():
                span = doc.char_span(hit.start(), hit.end(), alignment_mode="expand")
                found = (span.start, span.end) if span is not None and len(span) else None
                if found and (not out or out[-1] != found):
                    out.append(found)
        return out

    return find


def _prefix_finder(prefix: str, case_sensitive: bool) -> Any:
    prefix = prefix if case_sensitive else prefix.lower()

    def find(doc: Doc) -> list[tuple[int, int]]:
        from spacy.attrs import LOWER, ORTH

        column = doc.to_array(ORTH if case_sensitive else LOWER)
        strings = doc.vocab.strings
        hits = {h for h in np.unique(column).tolist() if strings[h].startswith(prefix)}
        return [(i, i + 1) for i in np.flatnonzero(np.isin(column, list(hits))).tolist()]

    return find


def _contexts(
    doc_id: str, doc: Doc, spans: list[tuple[int, int]], window: int
) -> list[dict[str, Any]]:
    from casework.nlp._docindex import DocIndex

    if not spans:
        return []
    index = DocIndex(doc)
    text = doc.text
    words = np.flatnonzero(~index.space & ~doc.to_array("IS_PUNCT").astype(bool))
    lo, hi = index.sentence_chars()
    out = []
    for s, e in spans:
        start, end = int(index.idx[s]), int(index.idx[e - 1] + index.length[e - 1])
        k = int(np.searchsorted(words, s))
        left_tok = (
            int(words[k - window])
            if window and k >= window
            else (int(words[0]) if window and k else s)
        )
        k2 = int(np.searchsorted(words, e))
        right_tok = (
            int(words[min(len(words), k2 + window) - 1]) if window and k2 < len(words) else e - 1
        )
        si = int(index.sentence_of(np.asarray([s]))[0])
        left = text[int(index.idx[left_tok]) : start] if left_tok < s else ""
        right_end = int(index.idx[right_tok] + index.length[right_tok])
        out.append(
            {
                "doc_id": doc_id,
                "start": start,
                "end": end,
                "left": _flat(left),
                "match": text[start:end],
                "right": _flat(text[end:right_end]) if right_tok >= e else "",
                "sentence_start": int(lo[si]),
                "sentence_end": int(max(hi[si], end)),
                "sentence": text[int(lo[si]) : int(max(hi[si], end))],
            }
        )
    return out


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _inside_codes(
    frame: pd.DataFrame, tables: TablesLike, codes: list[str], coder: str | None
) -> pd.DataFrame:
    wanted = _with_descendants(tables.codes, codes)
    codings = tables.codings
    codings = codings[codings["code_id"].isin(wanted)]
    if coder is not None:
        codings = codings[codings["coder"] == coder]
    if frame.empty or codings.empty:
        return frame.iloc[0:0]
    pairs = frame.reset_index().merge(
        codings[["doc_id", "start", "end"]], on="doc_id", suffixes=("", "_c")
    )
    inside = pairs[(pairs["start_c"] <= pairs["start"]) & (pairs["end"] <= pairs["end_c"])]
    return frame.loc[sorted(set(inside["index"]))]


def _with_descendants(codes: pd.DataFrame, wanted: list[str]) -> set[str]:
    known = set(codes["code_id"])
    for code in wanted:
        if code not in known:
            raise UnknownName("code", code, known, field="codes")
    children: dict[str, list[str]] = {}
    if "parent_id" in codes.columns:
        for code, parent in zip(codes["code_id"], codes["parent_id"], strict=True):
            if isinstance(parent, str):
                children.setdefault(parent, []).append(code)
    found, todo = set(), list(wanted)
    while todo:
        code = todo.pop()
        if code not in found:
            found.add(code)
            todo += children.get(code, [])
    return found


def word_frequency(
    tables: TablesLike,
    *,
    by: str | list[str] | None = None,
    lemmas: bool = True,
    stop_words: bool = False,
    min_length: int = 3,
    top: int | None = 50,
    nlp: Language | None = None,
    cache_dir: str | Path | bool | None = True,
) -> pd.DataFrame:
    """Word counts: ``word``, ``count``, ``share`` (of counted words), ``documents``.

    Words are lemmas (``lemmas=False``: lower-case forms) of alphabetic tokens of at least
    ``min_length`` letters; stop words are left out unless ``stop_words=True``. ``by``
    names document or case attributes (``"role"``, ``["case_id", "role"]``) to count
    within; ``top`` keeps the most frequent words of each group (None keeps all).
    """
    from casework.nlp.pipeline import doc_texts, iter_parsed

    groups = [by] if isinstance(by, str) else list(by or [])
    attributes = _attributes(tables, groups)
    nlp, folder = _pipeline(tables, nlp, cache_dir)
    counts: list[pd.DataFrame] = []
    for doc_id, doc in iter_parsed(doc_texts(tables, attributes["doc_id"]), nlp, folder):
        counts.append(_count(doc_id, doc, lemmas, stop_words, min_length))
    columns = ["doc_id", "word", "count"]
    frame = pd.concat(counts, ignore_index=True) if counts else pd.DataFrame(columns=columns)
    frame = frame.merge(attributes, on="doc_id")
    keys = [*groups, "word"]
    grouped = frame.groupby(keys, dropna=False)
    table = grouped.agg(count=("count", "sum"), documents=("doc_id", "nunique")).reset_index()
    totals = (
        table.groupby(groups, dropna=False)["count"].transform("sum")
        if groups
        else table["count"].sum()
    )
    table["share"] = table["count"] / totals
    ascending = [True] * len(groups) + [False, True]
    table = table.sort_values([*groups, "count", "word"], ascending=ascending)
    if top is not None:
        table = table.groupby(groups, dropna=False).head(top) if groups else table.head(top)
    return table[[*groups, "word", "count", "share", "documents"]].reset_index(drop=True)


def _attributes(tables: TablesLike, groups: list[str]) -> pd.DataFrame:
    documents = tables.documents
    cases = getattr(tables, "cases", None)
    if cases is not None and len(cases) and "case_id" in documents.columns:
        extra = [c for c in cases.columns if c not in documents.columns or c == "case_id"]
        documents = documents.merge(cases[extra], on="case_id", how="left")
    for column in groups:
        if column not in documents.columns:
            raise UnknownName("attribute", column, documents.columns, field="by")
    return documents[["doc_id", *[g for g in groups if g != "doc_id"]]]


def _count(doc_id: str, doc: Doc, lemmas: bool, stop_words: bool, min_length: int) -> pd.DataFrame:
    from spacy.attrs import IS_ALPHA, IS_STOP, LEMMA, LENGTH, LOWER

    if not len(doc):
        return pd.DataFrame(columns=["doc_id", "word", "count"])
    table = doc.to_array(
        [LEMMA if lemmas and doc.has_annotation("LEMMA") else LOWER, IS_ALPHA, IS_STOP, LENGTH]
    )
    keep = (table[:, 1] == 1) & (table[:, 3] >= min_length)
    if not stop_words:
        keep &= table[:, 2] == 0
    ids, counts = np.unique(table[keep, 0], return_counts=True)
    strings = doc.vocab.strings
    words = [strings[h].lower() for h in ids.tolist()]
    frame = pd.DataFrame({"doc_id": doc_id, "word": words, "count": counts})
    return frame.groupby(["doc_id", "word"], as_index=False)["count"].sum()


def code_all_hits(
    kwic_frame: pd.DataFrame,
    code_id: str,
    *,
    unit: str = "sentence",
    coder: str | None = None,
    tables: TablesLike | None = None,
) -> pd.DataFrame:
    """Suggestions (codings columns, status ``suggested``) for every hit of a search.

    ``unit``: ``"sentence"`` (the hit's sentence), ``"match"`` (just the words found) or
    ``"segment"`` (the paragraph or turn; needs ``tables``). The reason names the query.
    With ``tables``, units the coder rejected or already coded with ``code_id`` are left
    out, as for rule suggestions. Nothing is coded until the coder accepts.
    """
    from casework.nlp.suggest import SUGGESTION_COLUMNS, drop_decided, suggestion_ids

    if unit not in ("sentence", "match", "segment"):
        raise UnknownName("unit", unit, ("sentence", "match", "segment"), field="unit")
    frame = kwic_frame.copy()
    if unit in ("sentence", "match"):
        names = (
            ("sentence_start", "sentence_end", "sentence")
            if unit == "sentence"
            else ("start", "end", "match")
        )
        frame["u_start"], frame["u_end"], frame["quote"] = (frame[n] for n in names)
    else:
        frame = _segment_units(frame, tables)
    frame["reason"] = [
        f'{m} search "{q}"' for q, m in zip(frame["query"], frame["mode"], strict=True)
    ]
    frame = frame.drop_duplicates(["doc_id", "u_start", "u_end"])
    out = pd.DataFrame(
        {
            "doc_id": frame["doc_id"],
            "case_id": frame["case_id"],
            "participant_id": frame["participant_id"],
            "role": frame["role"],
            "code_id": code_id,
            "start": frame["u_start"].astype("int64"),
            "end": frame["u_end"].astype("int64"),
            "quote": frame["quote"],
            "coder": coder,
            "source": "rule",
            "confidence": np.nan,
            "reason": frame["reason"],
            "created_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
            "memo": None,
            "status": "suggested",
        }
    ).reset_index(drop=True)
    if tables is not None:
        out = drop_decided(out, tables, coder)
    out["coding_id"] = suggestion_ids(
        out["doc_id"].to_numpy(object),
        out["code_id"].to_numpy(object),
        out["start"].to_numpy(),
        out["end"].to_numpy(),
    )
    return out[SUGGESTION_COLUMNS]


def _segment_units(frame: pd.DataFrame, tables: TablesLike | None) -> pd.DataFrame:
    if tables is None:
        raise CaseworkError(
            "segment units need the tables",
            field="tables",
            fix="Pass tables=project to code_all_hits.",
        )
    segments = tables.segments
    rows = []
    for row in frame.itertuples(index=False):
        mine = segments[
            (segments["doc_id"] == row.doc_id)
            & (segments["start"] <= row.start)
            & (row.start < segments["end"])
        ]
        if mine.empty:
            rows.append((row.sentence_start, row.sentence_end, row.sentence))
        else:
            seg = mine.iloc[0]
            rows.append((int(seg["start"]), int(seg["end"]), str(seg["text"])))
    frame = frame.copy()
    frame["u_start"], frame["u_end"], frame["quote"] = (
        zip(*rows, strict=True) if rows else ([], [], [])
    )
    return frame
