""" "More like this": passages near a passage, a code's passages, or a free-text query.

Passages are the scoring units (sentences) with their lemmas. The vectors are fitted on
the project's own corpus: TF-IDF of the lemmas (sub-linear counts, words in at least two
passages), reduced by truncated SVD (latent semantic analysis) to at most 100 dimensions
so that passages sharing no word but sharing a topic still come close, then scaled to
unit length, so similarity is a dot product. With an installed spaCy pipeline that has
word vectors, ``method="vectors"`` uses the mean of its word vectors instead.

Everything is deterministic: the SVD has a fixed seed, ties are broken by document order
and position, so the same corpus and query give the same list in every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from casework.nlp._bags import Flat, smooth_idf, tfidf
from casework.tables import TablesLike

DIMENSIONS = 100
SEED = 0


@dataclass
class SimilarityIndex:
    """Unit vectors of every passage, and what turns new text into one."""

    frame: pd.DataFrame  # doc_id, start, end of each passage (row i is vectors[i])
    vectors: np.ndarray  # passages × dimensions, float32, unit length (or zero)
    columns: dict[str, int]  # lemma → TF-IDF column
    idf: np.ndarray
    components: np.ndarray | None  # dimensions × columns (SVD), None for plain TF-IDF
    method: str

    def embed(self, words: Sequence[Sequence[str]]) -> np.ndarray:
        """Unit vectors for token lists (lemmas, as the passages were tokenised)."""
        return embed(words, self.columns, self.idf, self.components)

    def nearest(
        self, query: np.ndarray, *, exclude: np.ndarray | None = None, n: int = 20
    ) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers and similarities of the ``n`` passages nearest ``query`` (one unit
        vector), best first; ties by row number (document order). ``exclude`` is a
        boolean mask of rows never returned."""
        # rounded, so that last-bit differences of a multi-threaded BLAS between runs
        # cannot reorder near-ties: equal at 6 decimals is a tie, broken by row
        sims = np.round((self.vectors @ query.astype(np.float32)).astype(np.float64), 6)
        if exclude is not None:
            sims = np.where(exclude, -np.inf, sims)
        n = min(n, int(np.isfinite(sims).sum()))
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        top = np.argpartition(-sims, n - 1)[:n] if n < len(sims) else np.arange(len(sims))
        # rows tied with the n-th are all candidates, so the choice among them is by row
        cut = sims[top].min()
        top = np.flatnonzero(sims >= cut)
        order = np.lexsort((top, -sims[top].astype(np.float64)))[:n]
        rows = top[order]
        return rows, sims[rows].astype(float)


def fit_index(
    frame: pd.DataFrame,
    words: Sequence[Sequence[str]],
    *,
    method: str = "lsa",
    dimensions: int = DIMENSIONS,
) -> SimilarityIndex:
    """Fit the vectors on the passages ``frame`` (doc_id, start, end) with ``words``.

    ``method`` is ``"lsa"`` (TF-IDF + truncated SVD) or ``"tfidf"`` (TF-IDF cosine, the
    baseline).
    """
    columns, idf = _vocabulary(words)
    x = tfidf(words, columns, idf)
    components = None
    if method == "lsa" and x.shape[1] > 2 and x.shape[0] > 2:
        from sklearn.decomposition import TruncatedSVD

        k = max(1, min(dimensions, x.shape[1] - 1, x.shape[0] - 1))
        svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=7, random_state=SEED).fit(
            x
        )
        components = _signed(svd.components_)
        vectors = _unit(np.asarray(x @ components.T, dtype=np.float32))
    elif method in ("lsa", "tfidf"):
        vectors = _unit(np.asarray(x.todense(), dtype=np.float32))
    else:
        from casework.errors import UnknownName

        raise UnknownName("similarity method", method, ("lsa", "tfidf"), field="method")
    return SimilarityIndex(
        frame.reset_index(drop=True)[["doc_id", "start", "end"]],
        vectors,
        columns,
        idf,
        components,
        method,
    )


def embed(
    words: Sequence[Sequence[str]] | Flat,
    columns: dict[str, int],
    idf: np.ndarray,
    components: np.ndarray | None,
) -> np.ndarray:
    """Unit vectors (float32) for token lists in a fitted space: TF-IDF, then the SVD's
    ``components`` when there are any."""
    x = tfidf(words, columns, idf)
    dense = np.asarray(x @ components.T) if components is not None else np.asarray(x.todense())
    return _unit(dense.astype(np.float32))


def vector_index(frame: pd.DataFrame, docs: Any, nlp: Any) -> SimilarityIndex:
    """An index from a spaCy pipeline's word vectors (mean over each passage)."""
    rows = []
    for doc_id, start, end in frame[["doc_id", "start", "end"]].itertuples(index=False):
        span = docs[doc_id].char_span(int(start), int(end), alignment_mode="expand")
        rows.append(span.vector if span is not None else np.zeros(nlp.vocab.vectors_length))
    vectors = _unit(np.asarray(rows, dtype=np.float32))
    return SimilarityIndex(
        frame.reset_index(drop=True)[["doc_id", "start", "end"]],
        vectors,
        {},
        np.zeros(0),
        None,
        "vectors",
    )


def _signed(components: np.ndarray) -> np.ndarray:
    """SVD signs are arbitrary; fix them (largest weight positive) so runs agree."""
    flip = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    return components * np.where(flip == 0, 1, flip)[:, None]


def _vocabulary(words: Sequence[Sequence[str]]) -> tuple[dict[str, int], np.ndarray]:
    counts: dict[str, int] = {}
    for tokens in words:
        for t in set(tokens):
            counts[t] = counts.get(t, 0) + 1
    kept = sorted(t for t, n in counts.items() if n >= 2) or sorted(counts)
    n = max(len(words), 1)
    idf = smooth_idf(np.array([counts[t] for t in kept]), n)
    return {t: i for i, t in enumerate(kept)}, idf


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(np.divide(x, norms, out=np.zeros_like(x), where=norms > 0), x.dtype)


_INDEXES: dict[tuple[str, ...], SimilarityIndex] = {}


def corpus_index(
    tables: TablesLike, *, method: str = "lsa", nlp: Any = None, cache_dir: Any = True
) -> tuple[SimilarityIndex, Any]:
    """The similarity index of every sentence of the tables' documents (kept in memory
    for the same texts, pipeline and method) and the pipeline used."""
    import hashlib

    from casework.nlp.learned import sentence_units
    from casework.nlp.pipeline import (
        cache_dir_for,
        doc_texts,
        iter_parsed,
        pipeline_for,
        pipeline_id,
    )

    nlp = nlp or pipeline_for(tables)
    items = list(doc_texts(tables))
    digest = hashlib.sha256()
    for doc_id, text in items:
        digest.update(doc_id.encode() + b"\0" + text.encode() + b"\0")
    key = (method, pipeline_id(nlp), digest.hexdigest())
    index = _INDEXES.get(key)
    if index is None:
        folder = cache_dir_for(tables) if cache_dir is True else (cache_dir or None)
        rows: list[tuple[str, int, int]] = []
        words: list[list[str]] = []
        docs = {}
        for doc_id, doc in iter_parsed(items, nlp, folder):
            r, w = sentence_units(doc_id, doc)
            rows += r
            words += w
            if method == "vectors":
                docs[doc_id] = doc
        frame = pd.DataFrame(rows, columns=["doc_id", "start", "end"])
        index = (
            vector_index(frame, docs, nlp)
            if method == "vectors"
            else fit_index(frame, words, method=method)
        )
        if len(_INDEXES) >= 4:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = index
    return index, nlp


def similar(
    tables: TablesLike,
    *,
    passage: tuple[str, int, int] | None = None,
    code: str | None = None,
    text: str | None = None,
    n: int = 20,
    coder: str | None = None,
    method: str = "lsa",
    nlp: Any = None,
    cache_dir: Any = True,
) -> pd.DataFrame:
    """The ``n`` sentences most like a passage, a code's passages or a text (see
    :meth:`casework.Project.similar`)."""
    from casework.errors import CaseworkError, UnknownName, check_span
    from casework.nlp._assemble import now
    from casework.nlp.suggest import SUGGESTION_COLUMNS, suggestion_ids

    if (passage is not None and text is not None) or (passage, code, text) == (None, None, None):
        raise CaseworkError(
            "say what to find more of: one of passage, code or text",
            field="passage/code/text",
            fix="Pass passage=(doc_id, start, end), code='code_id' or "
            "text='…' (a passage or a text may come with the code to offer).",
        )
    if code is not None and code not in set(tables.codes["code_id"].astype(str)):
        raise UnknownName("code", code, tables.codes["code_id"], field="code")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise CaseworkError(
            f"n = {n!r} is not a number of passages",
            field="n",
            fix="Ask for at least one passage, e.g. n=20.",
        )
    if text is not None and not str(text).strip():
        raise CaseworkError(
            "the text to find more of is empty",
            field="text",
            fix="Give a few words, e.g. text='staff turnover'.",
        )
    index, nlp = corpus_index(tables, method=method, nlp=nlp, cache_dir=cache_dir)
    frame = index.frame
    exclude = np.zeros(len(frame), dtype=bool)
    if passage is not None:
        doc_id, start, end = str(passage[0]), int(passage[1]), int(passage[2])
        if doc_id not in set(tables.documents["doc_id"].astype(str)):
            raise UnknownName("document", doc_id, tables.documents["doc_id"], field="passage")
        check_span(doc_id, start, end, len(tables.text(doc_id)), field="passage")
        inside = (
            (frame["doc_id"] == doc_id) & (frame["start"] < end) & (start < frame["end"])
        ).to_numpy()
        if not inside.any():
            raise CaseworkError(
                f"no sentence of '{doc_id}' lies in {start}–{end}",
                field="passage",
                fix="Give offsets inside the document's text.",
            )
        query = index.vectors[inside].mean(axis=0)
        exclude |= inside
        what = f"like {doc_id} {start}–{end}"
    elif text is None:
        assert code is not None
        rows = _coded_rows(tables, frame, code, coder)
        if not rows.any():
            raise CaseworkError(
                f"no passage is coded '{code}'" + (f" by {coder}" if coder else ""),
                field="code",
                fix="Code a passage first, or query by text.",
            )
        query = index.vectors[rows].mean(axis=0)
        what = f"like the {int(rows.sum())} sentences coded {code}"
    else:
        assert text is not None
        from casework.nlp.learned import sentence_units

        parsed = nlp(str(text))
        _, words = sentence_units("query", parsed)
        flat = [w for sentence in words for w in sentence]
        query = parsed.vector if index.method == "vectors" else index.embed([flat])[0]
        if not np.any(query):
            raise CaseworkError(
                f"no word of '{text}' occurs in the project's sentences",
                field="text",
                fix="Use words the interviews use (a passage or a code works too).",
            )
        shown = str(text) if len(str(text)) <= 40 else str(text)[:39] + "…"
        what = f'like "{shown}"'
    if code is not None:
        exclude |= _coded_rows(tables, frame, code, coder) | _rejected_rows(
            tables, frame, code, coder
        )
    exclude |= _interviewer_rows(tables, frame)
    norm = float(np.linalg.norm(query))
    query = query / norm if norm > 0 else query
    found, sims = index.nearest(np.asarray(query, dtype=np.float32), exclude=exclude, n=n)
    hits = frame.iloc[found].reset_index(drop=True)
    docs = tables.documents.set_index("doc_id")
    out = pd.DataFrame(
        {
            "doc_id": hits["doc_id"].astype(str),
            "start": hits["start"].astype(np.int64),
            "end": hits["end"].astype(np.int64),
        }
    )
    for column in ("case_id", "participant_id", "role"):
        out[column] = [
            docs[column].get(d) if column in docs.columns else None for d in out["doc_id"]
        ]
    out["code_id"] = code
    out["quote"] = [
        tables.text(d)[a:b]
        for d, a, b in zip(out["doc_id"], out["start"], out["end"], strict=False)
    ]
    out["coder"] = coder
    out["source"] = "similar"
    out["confidence"] = np.round(sims, 6)
    out["reason"] = [f"{what} (similarity {s:.2f})" for s in sims]
    out["created_at"] = now()
    out["memo"] = None
    out["status"] = "suggested"
    out["coding_id"] = suggestion_ids(
        out["doc_id"].to_numpy(object),
        out["code_id"].fillna("").to_numpy(object),
        out["start"].to_numpy(np.int64),
        out["end"].to_numpy(np.int64),
    )
    return out[SUGGESTION_COLUMNS]


def _interviewer_rows(tables: Any, frame: pd.DataFrame) -> np.ndarray:
    """Sentences in an interviewer's turn: never offered (as suggestions are not), unless
    ``[nlp] interviewer_turns = true``."""
    from casework.nlp._features import interviewer_turns
    from casework.nlp.pipeline import project_setting

    out = np.zeros(len(frame), dtype=bool)
    if project_setting(tables, "interviewer_turns", False):
        return out
    for doc_id, turns in interviewer_turns(tables).items():
        rows = np.flatnonzero((frame["doc_id"] == doc_id).to_numpy())
        if len(rows):
            inside, _ = turns.locate(frame["start"].to_numpy(np.int64)[rows])
            out[rows[inside]] = True
    return out


def _coded_rows(
    tables: TablesLike, frame: pd.DataFrame, code: str, coder: str | None
) -> np.ndarray:
    codings = tables.codings
    mine = codings[codings["code_id"] == code]
    if coder is not None:
        mine = mine[mine["coder"] == coder]
    return _overlaps(frame, mine)


def _rejected_rows(
    tables: TablesLike, frame: pd.DataFrame, code: str, coder: str | None
) -> np.ndarray:
    rejections = getattr(tables, "rejections", None)
    if rejections is None or not len(rejections):
        return np.zeros(len(frame), dtype=bool)
    mine = rejections[rejections["code_id"] == code]
    if coder is not None and "coder" in mine.columns:
        mine = mine[mine["coder"] == coder]
    return _overlaps(frame, mine)


def _overlaps(frame: pd.DataFrame, spans: pd.DataFrame) -> np.ndarray:
    out = np.zeros(len(frame), dtype=bool)
    if not len(spans):
        return out
    doc = frame["doc_id"].to_numpy(object)
    start = frame["start"].to_numpy(np.int64)
    end = frame["end"].to_numpy(np.int64)
    for d, a, b in zip(spans["doc_id"], spans["start"], spans["end"], strict=False):
        out |= (doc == d) & (start < int(b)) & (int(a) < end)
    return out


def forget_indexes() -> None:
    """Drop the similarity indexes kept in memory (the next query fits again)."""
    _INDEXES.clear()
