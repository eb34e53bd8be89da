"""The suggestion model's neighbour votes: the coded sentences most like a sentence (in
words and section) vote for their codes; in training a unit is voted on only by other
documents, as a new document will be; the votes survive saving the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _coded import coded_tables

from casework.nlp import RankerSettings, fit_ranker, load_pipeline, parse, units_of
from casework.nlp._neighbours import NeighbourSpace, Points, votes
from casework.nlp._ranker import Ranker
from casework.nlp.learned import label_units
from casework.tables import Tables

CODES = ["impact.staff", "impact.parents"]
STAFF = "Staff grew more confident in talking to families."
PARENTS = "Parents came to more sessions than before."
OTHER = "The weather was poor that spring."


def _points(rows: list[list[float]], sections: list[int] | None = None) -> Points:
    text = np.array(rows, dtype=np.float32)
    text /= np.linalg.norm(text, axis=1, keepdims=True)
    section = np.array(sections or [-1] * len(rows), dtype=np.int64)
    return Points(text, section, np.zeros(len(rows), np.float32))


def test_votes_are_the_weighted_share_of_the_nearest_labelled_rows() -> None:
    known = _points([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    labels = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=bool)
    near_first = votes(_points([[1, 0]]), known, labels, k=2)
    assert near_first[0].tolist() == [1.0, 0.0]
    everyone = votes(_points([[1, 0]]), known, labels, k=4)
    assert 0.5 < everyone[0, 0] < 1 and everyone[0].sum() == pytest.approx(1)
    # voted on by other groups only: row 0's nearest (itself, row 1) are in its group
    groups = np.array(["a", "a", "b", "b"])
    alone = votes(known, known, labels, k=1, groups=groups)
    assert alone[0].tolist() == [0.0, 1.0] and alone[2].tolist() == [1.0, 0.0]


def test_a_points_section_counts_as_a_dimension_of_its_own() -> None:
    """The products of points equal those of the vectors with one column per section."""
    words = [["staff", "parents", "visit", "plan"][i % 4 : i % 4 + 2] for i in range(12)]
    context = [[f"H:{'impact' if i % 3 else 'context'}"] if i % 5 else [] for i in range(12)]
    space = NeighbourSpace.fit(words, context, heading_weight=0.5)
    points = space.points(words, context)
    from casework.nlp._similar import embed

    text = embed(words, space.columns, space.idf, space.components)
    onehot = np.zeros((12, len(space.sections)), np.float32)
    for i, tokens in enumerate(context):
        for t in tokens:
            onehot[i, space.sections[t]] = 0.5
    joined = np.concatenate([text, onehot], axis=1)
    joined /= np.linalg.norm(joined, axis=1, keepdims=True)
    np.testing.assert_allclose(points.products(slice(0, 12), points), joined @ joined.T, atol=1e-6)


def _study(n: int = 8) -> Tables:
    """Interviews where the same sentences are coded alike under one heading."""
    texts = {f"C{i}/d": f"## Impact\n\n{STAFF} {OTHER}\n\n{PARENTS}\n" for i in range(n)}
    coded = [(d, code, s) for d in texts for code, s in zip(CODES, (STAFF, PARENTS), strict=True)]
    return coded_tables(texts, coded, pd.DataFrame({"code_id": CODES}))


def test_the_model_with_votes_scores_alike_sentences_alike_and_saves_them(
    tmp_path: Path,
) -> None:
    tables = _study()
    nlp = load_pipeline()
    units = units_of(tables, parse(tables, nlp, None))
    labels = label_units(units.frame, tables.codings, CODES)
    train = (units.frame["doc_id"] != "C7/d").to_numpy()
    held = units.take(np.flatnonzero(~train))
    model = fit_ranker(units.take(np.flatnonzero(train)), labels[train], CODES)
    assert model.space is not None and model.known is not None
    voted = model.votes(held)
    assert voted is not None
    where = {
        s: held.frame["start"].tolist().index(tables.text("C7/d").index(s))
        for s in (STAFF, PARENTS, OTHER)
    }
    assert voted[where[STAFF]].tolist() == [1.0, 0.0]  # its twins were all coded staff
    assert voted[where[OTHER]].tolist() == [0.0, 0.0]
    p = model.predict(held)
    assert p[where[STAFF], 0] > 0.5 > p[where[OTHER], 0]
    assert p[where[PARENTS], 1] > 0.5 > p[where[PARENTS], 0]
    model.save(tmp_path / "m", {"hash": "x"})
    loaded = Ranker.load(tmp_path / "m")
    assert loaded is not None
    np.testing.assert_allclose(loaded[0].predict(held), p)
    plain = fit_ranker(
        units.take(np.flatnonzero(train)), labels[train], CODES, RankerSettings(neighbours=0)
    )
    assert plain.space is None and plain.votes(held) is None
    assert not np.allclose(plain.predict(held), p)  # the votes count
