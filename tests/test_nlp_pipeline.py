"""The spaCy pipeline: default components, named pipelines, and the parsed-doc cache."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
import spacy
from spacy.pipeline import Sentencizer
from spacy.tokens import DocBin

from casework.errors import CaseworkError, MissingDependency
from casework.nlp.pipeline import (
    PARAGRAPH_BREAKS,
    DocCache,
    load_pipeline,
    parse,
    pipeline_for,
    pipeline_id,
    text_key,
)
from casework.tables import Tables

TEXTS = {
    "a": "## Impact\n\nChildren were more ready for school. Outcomes for Children improved!\n\n"
    'The Parents said: "it worked." Budget cuts hit hard',
    "b": "Interviewer: What changed?\n\nSS: Practice improved across the settings we visited.",
}
EDGES = [
    "",
    ".",
    ". a",
    "a . . b",
    'Hello!!! World?\n\nNext "quoted." Then',
    "a.\n\n\nb",
    "...",
    "x ... y. (z) w",
    "One. \"Two\" three. 'Four.'",
]


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline()


def test_default_pipeline_is_offline_blank_english(nlp) -> None:  # type: ignore[no-untyped-def]
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["sentencizer", "lemmatizer"]
    assert load_pipeline("default") is nlp and load_pipeline(None) is nlp
    doc = nlp(TEXTS["a"])
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["Children"] == "child"  # capitalised words still lemmatise
    assert lemmas["Outcomes"] == "outcome"
    assert lemmas["were"] == "be" and lemmas["cuts"] == "cut"
    sents = [s.text.strip() for s in doc.sents]
    assert sents[0] == "## Impact"  # a heading is its own sentence (blank line ends it)
    assert "Children were more ready for school." in sents
    assert sents[-1] == "Budget cuts hit hard"


def test_opening_quote_starts_the_next_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp('It was hard. "I wanted help," she said. (Not now.) Said "yes." Next.')
    assert [s.text for s in doc.sents] == [
        "It was hard.",
        '"I wanted help," she said.',
        "(Not now.)",
        'Said "yes."',
        "Next.",
    ]


def _reference() -> spacy.Language:
    ref = spacy.blank("en")
    punct = list(Sentencizer.default_punct_chars) + list(PARAGRAPH_BREAKS)
    ref.add_pipe("sentencizer", config={"punct_chars": punct})
    return ref


@pytest.mark.parametrize("text", [*TEXTS.values(), *EDGES])
def test_array_sentencizer_gives_spacys_boundaries(text: str) -> None:
    ours = spacy.blank("en")
    punct = list(Sentencizer.default_punct_chars) + list(PARAGRAPH_BREAKS)
    ours.add_pipe("casework_sentencizer", config={"punct_chars": punct})
    assert [t.is_sent_start for t in ours(text)] == [t.is_sent_start for t in _reference()(text)]


def test_array_lemmatizer_matches_token_lookup(nlp) -> None:  # type: ignore[no-untyped-def]
    lemmatizer = nlp.get_pipe("lemmatizer")
    for text in [*TEXTS.values(), *EDGES]:
        doc = nlp(text)
        assert [t.lemma_ for t in doc] == [lemmatizer.lookup_lemmatize(t)[0] for t in doc]


def test_demo_texts_split_like_spacy(demo) -> None:  # type: ignore[no-untyped-def]
    ours = spacy.blank("en")
    punct = list(Sentencizer.default_punct_chars) + list(PARAGRAPH_BREAKS)
    ours.add_pipe("casework_sentencizer", config={"punct_chars": punct})
    for doc_id in demo.documents["doc_id"][:4]:
        text = demo.text(doc_id)
        assert [t.is_sent_start for t in ours(text)] == [
            t.is_sent_start for t in _reference()(text)
        ]


def test_named_pipeline_not_installed_says_how_to_install() -> None:
    with pytest.raises(MissingDependency) as info:
        load_pipeline("xx_not_a_pipeline_sm")
    message = str(info.value)
    assert "xx_not_a_pipeline_sm" in message and "not installed" in message
    assert "python -m spacy download xx_not_a_pipeline_sm" in message
    assert isinstance(info.value, CaseworkError) and isinstance(info.value, ImportError)


def test_named_pipeline_falls_back_only_when_asked(nlp) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert load_pipeline("xx_not_a_pipeline_sm", fallback=True) is nlp
    assert any("default pipeline" in str(w.message) for w in caught)


def test_pipeline_from_project_config(nlp) -> None:  # type: ignore[no-untyped-def]
    class Settings:
        config: ClassVar[dict[str, Any]] = {"nlp": {"pipeline": "xx_not_a_pipeline_sm"}}

    with pytest.raises(MissingDependency):
        pipeline_for(Settings())
    Settings.config = {"nlp": {"pipeline": "default"}}
    assert pipeline_for(Settings()) is nlp
    assert pipeline_for(object()) is nlp


def test_pipeline_id_names_versions(nlp) -> None:  # type: ignore[no-untyped-def]
    pid = pipeline_id(nlp)
    assert pid.startswith("en_casework_default-") and spacy.__version__ in pid
    assert "/" not in pid and " " not in pid


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.text == b.text
    assert [t.lemma_ for t in a] == [t.lemma_ for t in b]
    assert [s.start for s in a.sents] == [s.start for s in b.sents]


def test_cache_writes_then_reuses(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    first = parse(TEXTS, nlp, tmp_path)
    files = sorted((tmp_path / pipeline_id(nlp)).glob("*.spacy"))
    assert [f.stem for f in files] == sorted(text_key(t) for t in TEXTS.values())
    cache = DocCache(tmp_path, nlp)
    again = {d: cache.load(text_key(t), t) for d, t in TEXTS.items()}
    assert cache.stats.reused == 2 and cache.stats.rebuilt == 0
    for doc_id in TEXTS:
        _same(first[doc_id], again[doc_id])
    # the files are plain DocBin files
    docbin = DocBin().from_bytes(files[0].read_bytes())
    assert len(list(docbin.get_docs(nlp.vocab))) == 1


def test_changed_text_is_parsed_again(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    parse(TEXTS, nlp, tmp_path)
    changed = {**TEXTS, "a": TEXTS["a"] + " More text."}
    docs = parse(changed, nlp, tmp_path)
    assert docs["a"].text.endswith("More text.")
    assert len(list((tmp_path / pipeline_id(nlp)).glob("*.spacy"))) == 3


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other text"])
def test_corrupt_cache_is_rebuilt(tmp_path: Path, nlp, damage: str) -> None:  # type: ignore[no-untyped-def]
    parse(TEXTS, nlp, tmp_path)
    path = DocCache(tmp_path, nlp).path(text_key(TEXTS["a"]))
    good = path.read_bytes()
    other = DocCache(tmp_path, nlp).path(text_key(TEXTS["b"])).read_bytes()
    path.write_bytes(
        {
            "garbage": b"not a docbin at all",
            "truncated": good[: len(good) // 2],
            "empty": b"",
            "other text": other,
        }[damage]
    )
    cache = DocCache(tmp_path, nlp)
    assert cache.load(text_key(TEXTS["a"]), TEXTS["a"]) is None
    assert cache.stats.rebuilt == 1
    docs = parse(TEXTS, nlp, tmp_path)
    _same(docs["a"], nlp(TEXTS["a"]))
    fresh = DocCache(tmp_path, nlp)
    assert fresh.load(text_key(TEXTS["a"]), TEXTS["a"]) is not None  # rewritten
    assert fresh.stats.rebuilt == 0


def test_parse_takes_tables_and_reports_progress(nlp) -> None:  # type: ignore[no-untyped-def]
    tables = Tables(
        pd.DataFrame({"doc_id": ["a", "b"]}), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), TEXTS
    )
    seen: list[int] = []
    docs = parse(tables, nlp, None, progress=seen.append)
    assert list(docs) == ["a", "b"] and sum(seen) == 2
    assert docs["b"].text == TEXTS["b"]
