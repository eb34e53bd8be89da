"""Codebook rules compiled into few matchers: what they find, and bad rules."""

from __future__ import annotations

from typing import Any

import pytest
from spacy.matcher import Matcher

from casework.codebook import Code, Codebook
from casework.errors import CodebookError
from casework.nlp.pipeline import load_pipeline
from casework.nlp.rules import compile_rules


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline()


def book(*codes: Code) -> Codebook:
    return Codebook([Code("impact", "Impact"), *codes], name="test")


def found(nlp: Any, codebook: Any, text: str) -> set[tuple[str, str, str]]:
    """(code, reason, matched text) for every hit."""
    rules = compile_rules(codebook, nlp)
    return {
        (rules.rules[h.rule].code_id, rules.rules[h.rule].reason, text[h.start : h.end])
        for h in rules.hits(nlp(text))
    }


def test_keywords_match_any_case_and_any_inflection(nlp) -> None:  # type: ignore[no-untyped-def]
    cb = book(
        Code(
            "impact.children",
            "Children",
            parent="impact",
            keywords=("school readiness", "outcome for child"),
        )
    )
    text = "School Readiness rose. Better outcomes for children followed. An outcome for a child."
    hits = found(nlp, cb, text)
    assert ("impact.children", 'keyword "school readiness"', "School Readiness") in hits
    assert ("impact.children", 'keyword "outcome for child"', "outcomes for children") in hits
    assert not any(h[2] == "outcome for a child" for h in hits)  # phrases stay phrases


def test_reasons_name_the_rule(nlp) -> None:  # type: ignore[no-untyped-def]
    cb = book(
        Code(
            "impact.practice",
            "Practice",
            parent="impact",
            keywords=("practice",),
            patterns=(
                [{"LOWER": "quality"}, {"LOWER": "assurance"}],
                [{"LEMMA": "improve"}, {"LOWER": "outcomes"}],
            ),
        )
    )
    hits = found(nlp, cb, "They improved outcomes and quality assurance changed practice.")
    assert hits == {
        ("impact.practice", "pattern 2 of impact.practice", "improved outcomes"),
        ("impact.practice", "pattern 1 of impact.practice", "quality assurance"),
        ("impact.practice", 'keyword "practice"', "practice"),
    }


def test_mixed_attribute_patterns_are_checked_exactly(nlp) -> None:  # type: ignore[no-untyped-def]
    cb = book(
        Code(
            "impact.x",
            "X",
            parent="impact",
            patterns=([{"LEMMA": "improve"}, {"LOWER": "outcomes"}],),
        )
    )
    rules = compile_rules(cb, nlp)
    assert rules.stats.phrase_patterns == 1 and rules.stats.matcher_patterns == 0
    hits = found(nlp, cb, "We improved outcomes. We improve outcome. Improving Outcomes too.")
    assert {h[2] for h in hits} == {"improved outcomes", "Improving Outcomes"}


def test_most_patterns_become_phrases(nlp) -> None:  # type: ignore[no-untyped-def]
    cb = book(
        Code(
            "impact.x",
            "X",
            parent="impact",
            keywords=("a b", "c"),
            patterns=(
                [{"LOWER": {"IN": ["staff", "high"]}}, {"LOWER": "turnover"}],
                [{"LOWER": "multi"}, {"LOWER": "-", "OP": "?"}, {"LOWER": "agency"}],
                [{"LEMMA": {"IN": ["delay", "postpone"]}}],
                [{"LEMMA": "extend"}, {"IS_ALPHA": True, "OP": "*"}, {"LOWER": "by"}],
                [{"IS_DIGIT": True}, {"LOWER": {"IN": ["day", "days"]}}],
                [{"IS_DIGIT": True}, {"IS_DIGIT": True}],
            ),
        )
    )
    stats = compile_rules(cb, nlp).stats
    assert (stats.keywords, stats.patterns, stats.phrase_patterns) == (2, 6, 3)
    assert (stats.matcher_patterns, stats.unanchored_patterns, stats.matchers) == (3, 1, 3)
    hits = found(
        nlp,
        cb,
        "Staff turnover and multi-agency work. Multi agency. We delayed it, "
        "then extended the work by 5 days. Codes 12 34.",
    )
    assert {h[2] for h in hits} == {
        "Staff turnover",
        "multi-agency",
        "Multi agency",
        "delayed",
        "extended the work by",
        "5 days",
        "12 34",
    }


def test_same_hits_as_a_plain_matcher_on_the_demo(nlp, demo) -> None:  # type: ignore[no-untyped-def]
    codebook = demo.codebook
    rules = compile_rules(codebook, nlp)
    plain = Matcher(nlp.vocab)
    for code in codebook.entries:
        for n, pattern in enumerate(code.patterns, 1):
            plain.add(f"pattern {n} of {code.id}", [[dict(t) for t in pattern]])
    total = 0
    for doc_id in demo.documents["doc_id"]:
        doc = nlp(demo.text(doc_id))
        expected = set()
        for key, s, e in plain(doc):
            if doc[s].sent == doc[e - 1].sent:  # rules match within sentences
                expected.add((nlp.vocab.strings[key], doc[s].idx, doc[e - 1].idx + len(doc[e - 1])))
        got = {
            (rules.rules[h.rule].reason, h.start, h.end)
            for h in rules.hits(doc)
            if rules.rules[h.rule].reason.startswith("pattern")
        }
        assert got == expected, doc_id
        total += len(got)
    assert total > 50


def test_hits_carry_their_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    cb = book(Code("impact.x", "X", parent="impact", keywords=("capacity",)))
    text = "First one.\n\n  The team lacked capacity in 2012.  \n\nLast."
    rules = compile_rules(cb, nlp)
    (hit,) = list(rules.hits(nlp(text)))
    assert text[hit.start : hit.end] == "capacity"
    assert text[hit.sent_start : hit.sent_end] == "The team lacked capacity in 2012."


def test_fingerprint_follows_the_rules(nlp) -> None:  # type: ignore[no-untyped-def]
    a = compile_rules(book(Code("impact.x", "X", parent="impact", keywords=("a",))), nlp)
    b = compile_rules(book(Code("impact.x", "X", parent="impact", keywords=("a",))), nlp)
    c = compile_rules(book(Code("impact.x", "X", parent="impact", keywords=("b",))), nlp)
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_pattern_spacy_rejects(nlp) -> None:  # type: ignore[no-untyped-def]
    cb = book(
        Code(
            "impact.x",
            "X",
            parent="impact",
            keywords=("ok",),
            patterns=([{"LOWER": "fine"}], [{"LOWR": "typo"}]),
        )
    )
    with pytest.raises(CodebookError) as info:
        compile_rules(cb, nlp)
    message = str(info.value)
    assert "pattern 2 of code 'impact.x'" in message and "LOWR" in message
    assert info.value.problems[0].field == "patterns"


def test_keyword_list_that_is_not_a_list(nlp) -> None:  # type: ignore[no-untyped-def]
    cb = book(
        Code("impact.x", "X", parent="impact", keywords="school readiness"),  # type: ignore[arg-type]
        Code("impact.y", "Y", parent="impact", keywords=("good", 3, " ")),
    )  # type: ignore[arg-type]
    with pytest.raises(CodebookError) as info:
        compile_rules(cb, nlp)
    messages = [p.message for p in info.value.problems]
    assert messages[0] == "the keywords of code 'impact.x' must be a list, not str"
    assert "keyword 2 of code 'impact.y'" in messages[1] and "keyword 3" in messages[2]
    assert "keywords: [" in str(info.value)  # the fix shows the YAML form


def test_pattern_that_is_not_a_list_of_dicts(nlp) -> None:  # type: ignore[no-untyped-def]
    cb = book(Code("impact.x", "X", parent="impact", patterns=({"LOWER": "x"},)))  # type: ignore[arg-type]
    with pytest.raises(CodebookError, match=r"pattern 1 of code 'impact\.x' is not a list"):
        compile_rules(cb, nlp)


class FakeCodebook:
    """What tagging needs from a codebook: ``codes`` and ``[code_id]``."""

    def __init__(self, codes: dict[str, Any]) -> None:
        import pandas as pd

        self._codes = codes
        self.codes = pd.DataFrame({"code_id": list(codes)})

    def __getitem__(self, code_id: str) -> Any:
        return self._codes[code_id]


def test_any_codebook_like_object_works(nlp) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    fake = FakeCodebook({"c": SimpleNamespace(id="c", keywords=["budget cuts"], patterns=[])})
    assert found(nlp, fake, "Budget cuts bit.") == {("c", 'keyword "budget cuts"', "Budget cuts")}
