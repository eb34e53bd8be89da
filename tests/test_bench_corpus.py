"""The benchmark corpus is realistic: a large Zipf vocabulary, interview structure, distinct
documents, and a scaled codebook whose rules fire (benchmarks/_corpus.py)."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

import casework
from casework.nlp.suggest import suggest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_corpus", REPO / "benchmarks" / "_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vocabulary_is_large_and_ranked_by_lexeme_probability(corpus: ModuleType) -> None:
    words, cum = corpus.vocabulary()
    assert len(set(words.tolist())) == len(words) >= 50_000
    assert all(re.fullmatch(r"[a-z]+", w) for w in words[:5000])
    assert list(words[:3]) == ["the", "to", "a"]  # the most probable lower-case words
    steps = cum[1:] - cum[:-1]
    assert (steps > 0).all() and (steps[1:] <= steps[:-1]).all()  # Zipf: falls with rank
    assert cum[-1] == pytest.approx(1.0)


def test_text_draws_widely_with_zipf_frequencies(corpus: ModuleType) -> None:
    texts = corpus.corpus(60, words=2000)
    tokens = re.findall(r"[a-z]+", " ".join(texts.values()).lower())
    counts = Counter(tokens)
    assert len(tokens) > 110_000
    assert len(counts) > 15_000  # a 41-word or demo-sentence corpus has a few hundred
    ranked = [n for _, n in counts.most_common()]
    assert ranked[0] > 20 * ranked[200]  # heavy head, long tail
    assert sum(n == 1 for n in ranked) > 0.3 * len(ranked)


def test_documents_are_distinct_interviews(corpus: ModuleType) -> None:
    texts = corpus.corpus(30, words=1500)
    assert len(set(texts.values())) == len(texts) == 30
    assert corpus.interview(7, 1500, 3) == texts[corpus.doc_id(3)]  # regenerated alone
    for text in texts.values():
        blocks = text.split("\n\n")
        assert blocks[0].startswith("## ")
        turns = [b for b in blocks if not b.startswith("## ")]
        assert [t.split(":")[0] for t in turns[:4]] == ["Interviewer", "Participant"] * 2
        assert all(t.startswith("Interviewer: ") and t.endswith("?") for t in turns[::2])
        assert 1300 <= len(text.split()) <= 2600


def test_scaled_codebook_is_valid_and_keeps_the_demo(corpus: ModuleType) -> None:
    book = corpus.codebook()
    demo = casework.Codebook.from_disk(REPO / "codebooks" / "peer_support.yaml")
    assert book.validate() == []
    assert book.ids == demo.ids
    assert sum(len(c.keywords) for c in book.entries) >= 500
    assert sum(len(c.patterns) for c in book.entries) == 200
    for code in demo.entries:
        assert set(code.keywords) <= set(book[code.id].keywords)


def test_rules_fire_at_a_realistic_rate(corpus: ModuleType, tmp_path: Path) -> None:
    root = corpus.make_project(tmp_path / "study", interviews=12, words=1500, codings=30)
    project = casework.open_project(root)
    assert len(project.documents) == 12 and len(project.codings) == 30
    speakers = set(project.segments["speaker"].dropna())
    assert {"Interviewer", "Participant"} <= speakers
    rows = suggest(project, project.codebook, coder=None, cache_dir=False)
    words = int(project.documents["n_words"].sum())
    assert words / 200 < len(rows) < words / 5  # fires, but not on every other word
    assert rows["code_id"].nunique() > 30
    reasons = " ".join(rows["reason"])
    assert "pattern" in reasons and "keyword" in reasons
