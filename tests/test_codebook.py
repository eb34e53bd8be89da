"""Tests for casework.codebook._codebook: loading, tables, tree, edits, validation, speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from casework.codebook import CODE_COLUMNS, PALETTE, Code, Codebook
from casework.errors import CodebookError, Problem, UnknownName

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = """\
name: Peer support
description: Themes for the evaluation.
codes:
  - id: impact
    name: Impact
    description: What changed because of the support.
    color: "#ABC"
  - id: impact.children
    parent: impact
    name: Outcomes for children
    include: Changes for children.
    exclude: Changes for staff.
    examples: ["the children are more settled"]
    keywords: [school readiness, outcomes for children]
    patterns:
      - [{LEMMA: improve}, {LOWER: outcomes}]
      - [{LOWER: {IN: [child, children]}}, {IS_PUNCT: true, OP: "?"}]
  - id: impact.children.speech
    parent: impact.children
    name: Speech and language
    color: "#e15759"
  - id: impact.children.speech.early
    parent: impact.children.speech
    name: Early talk
  - id: impact.staff
    parent: impact
    name: Outcomes for staff
  - id: delivery
    name: Delivery
  - id: delivery.time
    parent: delivery
    name: Time
  - id: context
    name: Context
"""


@pytest.fixture()
def book() -> Codebook:
    return Codebook.from_str(SAMPLE, "sample.yaml")


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(CodebookError) as caught:
        Codebook.from_str(text, "cb.yaml")
    return caught.value.problems


def codes_yaml(body: str) -> str:
    """A codebook file whose first code starts on line 3."""
    return "name: T\ncodes:\n" + textwrap.dedent(body)


# --- loading and looking up -------------------------------------------------------------


def test_load_reads_every_field(book: Codebook) -> None:
    assert (book.name, book.description) == ("Peer support", "Themes for the evaluation.")
    assert len(book) == 8
    assert book.ids[:3] == ["impact", "impact.children", "impact.children.speech"]
    code = book["impact.children"]
    assert code.parent == "impact"
    assert code.include == "Changes for children."
    assert code.exclude == "Changes for staff."
    assert code.examples == ("the children are more settled",)
    assert code.keywords == ("school readiness", "outcomes for children")
    assert code.patterns[1] == (
        {"LOWER": {"IN": ["child", "children"]}},
        {"IS_PUNCT": True, "OP": "?"},
    )
    assert book["impact"].color == "#ABC"
    assert "delivery" in book and "nope" not in book
    assert [c.id for c in book] == book.ids


def test_scalars_keep_their_text() -> None:
    # YAML 1.1 would read these as a bool, a float and an int; a codebook keeps the words.
    book = Codebook.from_str(
        "codes:\n  - {id: '1', name: Yes}\n  - {id: x, name: 1.50}\n"
        "  - {id: '007', name: 007, description: ~}\n"
    )
    assert [c.name for c in book] == ["Yes", "1.50", "007"]
    assert book["007"].description == ""


def test_unknown_code_lists_the_choices(book: Codebook) -> None:
    with pytest.raises(UnknownName) as caught:
        book["impactt"]
    assert isinstance(caught.value, LookupError)
    assert "impact.children" in caught.value.known
    for method in (book.children, book.descendants, book.ancestors):
        with pytest.raises(UnknownName):
            method("nope")


def test_codes_table_columns_depth_and_position(book: Codebook) -> None:
    frame = book.codes
    assert list(frame.columns) == list(CODE_COLUMNS)
    assert list(frame.columns[:9]) == [
        "code_id",
        "parent_id",
        "name",
        "description",
        "include",
        "exclude",
        "depth",
        "color",
        "position",
    ]
    assert frame["depth"].tolist() == [1, 2, 3, 4, 2, 1, 2, 1]
    assert frame["position"].tolist() == list(range(8))
    assert pd.isna(frame.loc[0, "parent_id"])
    assert frame.loc[1, "parent_id"] == "impact"
    assert frame.loc[1, "keywords"] == ["school readiness", "outcomes for children"]
    assert frame.loc[1, "patterns"][0] == [{"LEMMA": "improve"}, {"LOWER": "outcomes"}]
    assert frame.loc[2, "keywords"] == []


def test_colours_inherit_from_the_nearest_ancestor(book: Codebook) -> None:
    colors = dict(zip(book.codes["code_id"], book.codes["color"], strict=True))
    assert colors["impact"] == "#aabbcc"  # own colour, #rgb spelled out
    assert colors["impact.children"] == "#aabbcc"  # inherited from the parent
    assert colors["impact.children.speech"] == "#e15759"  # own colour wins
    assert colors["impact.children.speech.early"] == "#e15759"  # nearest ancestor's
    # Top-level codes without a colour take the palette by their rank among top-level codes.
    assert colors["delivery"] == PALETTE[1]
    assert colors["delivery.time"] == PALETTE[1]
    assert colors["context"] == PALETTE[2]
    assert book.color("context") == PALETTE[2]


def test_codes_table_is_a_copy(book: Codebook) -> None:
    frame = book.codes
    frame.loc[0, "name"] = "changed"
    frame.loc[1, "patterns"][0][0]["LEMMA"] = "changed"
    assert book.codes.loc[0, "name"] == "Impact"
    assert book["impact.children"].patterns[0][0] == {"LEMMA": "improve"}


def test_empty_codebook_table_keeps_its_columns() -> None:
    frame = Codebook().codes
    assert list(frame.columns) == list(CODE_COLUMNS) and len(frame) == 0
    assert frame["depth"].dtype == "int64"


# --- tree -------------------------------------------------------------------------------


def test_children_descendants_ancestors(book: Codebook) -> None:
    assert book.top_level() == ["impact", "delivery", "context"]
    assert book.children("impact") == ["impact.children", "impact.staff"]
    assert book.children(None) == book.top_level()
    assert book.descendants("impact") == [
        "impact",
        "impact.children",
        "impact.children.speech",
        "impact.children.speech.early",
        "impact.staff",
    ]
    assert book.descendants("impact.children", include_self=False) == [
        "impact.children.speech",
        "impact.children.speech.early",
    ]
    assert book.descendants("context") == ["context"]
    assert book.ancestors("impact.children.speech.early") == [
        "impact.children.speech",
        "impact.children",
        "impact",
    ]
    assert book.ancestors("impact") == []
    assert book.depth("impact.children.speech.early") == 4


def test_descendants_are_a_fresh_list(book: Codebook) -> None:
    book.descendants("impact").clear()
    assert len(book.descendants("impact")) == 5


def test_children_may_come_before_their_parent_in_the_file() -> None:
    book = Codebook.from_str("codes:\n  - {id: b, parent: a, name: B}\n  - {id: a, name: A}\n")
    assert book.top_level() == ["a"] and book.descendants("a") == ["a", "b"]
    assert book.codes["depth"].tolist() == [2, 1]


def test_tree_nests_children_in_file_order(book: Codebook) -> None:
    tree = book.tree
    assert [node["id"] for node in tree] == ["impact", "delivery", "context"]
    impact = tree[0]
    assert impact["name"] == "Impact" and impact["color"] == "#aabbcc" and impact["depth"] == 1
    assert [c["id"] for c in impact["children"]] == ["impact.children", "impact.staff"]
    speech = impact["children"][0]["children"][0]
    assert speech["children"][0]["id"] == "impact.children.speech.early"
    assert speech["children"][0]["children"] == []


def test_broken_tree_still_builds() -> None:
    # A codebook that does not validate can still be shown and repaired.
    book = Codebook([Code("a", "A", parent="b"), Code("b", "B", parent="a"), Code("c", "C", "x")])
    assert sorted(book.codes["code_id"]) == ["a", "b", "c"]
    assert book.descendants("a") == ["a", "b"]
    assert "c" in book.top_level()
    assert len(book.validate()) == 2


# --- writing ----------------------------------------------------------------------------


def test_to_str_is_readable_and_ordered(book: Codebook) -> None:
    text = book.to_str(keep_layout=False)
    assert text.startswith(
        "name: Peer support\ndescription: Themes for the evaluation.\n\ncodes:\n"
    )
    assert "  - id: impact.children\n    parent: impact\n    name: Outcomes for children\n" in text
    assert "      - [{LEMMA: improve}, {LOWER: outcomes}]\n" in text
    assert "include: Changes for children.\n    exclude: Changes for staff.\n    examples:" in text
    # No empty fields; a blank line between codes and a rule before each theme.
    assert "\n\n  # " + "-" * 87 + "\n  - id: delivery\n    name: Delivery\n\n" in text
    assert "color: '#ABC'" in text
    assert Codebook.from_str(text) == book
    assert Codebook.from_str(text).to_str() == text  # stable


def test_multiline_text_is_a_literal_block() -> None:
    book = Codebook([Code("a", "A", description="First line.\nSecond: line # not a comment\n")])
    assert (
        "description: |\n      First line.\n      Second: line # not a comment\n" in book.to_str()
    )
    assert Codebook.from_str(book.to_str()) == book


TRICKY_TEXT = [
    "\n",
    "\n\n",
    " \n",
    "a\n ",
    "ends with breaks\n\n\n",
    "\x85 NEL, \u2028 LS, \r\n CRLF",
    "#fff",
    "null",
    "~",
    "yes",
    "- item",
    "key: value # comment",
    "'quoted' and \"double\"",
    "  leading spaces",
    "emoji 🙂 and é",
    "   " + "word " * 30 + "' then more",  # long, folded unless it starts with a space
    "word " * 30 + "\tand a tab " + "word " * 10,
    "word " * 40,
]


@pytest.mark.parametrize("value", TRICKY_TEXT)
def test_tricky_text_survives_a_round_trip(value: str) -> None:
    name = value if value.strip() else "x" + value
    code = Code("a", name, description=value, keywords=(name,), patterns=[[{"LOWER": value}]])
    book = Codebook([code], name=value, description=value)
    assert Codebook.from_str(book.to_str()) == book


def test_long_prose_is_folded() -> None:
    prose = "Changes for children that the participant links to the support. " * 3
    text = Codebook([Code("a", "A", description=prose.strip())]).to_str()
    assert "    description: >-\n      Changes for children" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_to_disk_writes_atomically(tmp_path: Path, book: Codebook) -> None:
    target = tmp_path / "codebooks" / "main.yaml"
    assert book.to_disk(target) == target
    os.chmod(target, 0o640)
    changed = book.rename("impact", "Effects")
    changed.to_disk(target)
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)  # replacing keeps permissions
    assert sorted(p.name for p in target.parent.iterdir()) == ["main.yaml"]  # no temp file left
    again = Codebook.from_disk(target)
    assert again == changed and again["impact"].name == "Effects"
    assert again.path == target
    again.rename("impact", "Impact").to_disk()  # back to where it was read from
    assert Codebook.from_disk(target) == book


def test_to_disk_without_path_says_so() -> None:
    with pytest.raises(CodebookError, match="no file yet"):
        Codebook([Code("a", "A")]).to_disk()


def test_from_disk_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="cannot read the codebook") as caught:
        Codebook.from_disk(tmp_path / "missing.yaml")
    assert caught.value.path == str(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: x\ncodes:\n  - {id: a, name: caf\xe9}\n")
    with pytest.raises(CodebookError, match="not UTF-8") as caught:
        Codebook.from_disk(latin)
    assert caught.value.line == 3


def test_from_disk_accepts_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffcodes:\n  - {id: a, name: Ä}\n".encode())
    assert Codebook.from_disk(path)["a"].name == "Ä"


# --- edits ------------------------------------------------------------------------------


def test_edits_return_a_new_codebook(book: Codebook) -> None:
    before = book.to_str()
    renamed = book.rename("delivery", "Delivering the support")
    assert renamed["delivery"].name == "Delivering the support"
    assert book["delivery"].name == "Delivery" and book.to_str() == before
    with pytest.raises(CodebookError, match="empty"):
        book.rename("delivery", "  ")


def test_add_places_the_code_after_its_parents_branch(book: Codebook) -> None:
    added = book.add(Code("impact.families", "Families", parent="impact"))
    assert added.ids.index("impact.families") == added.ids.index("impact.staff") + 1
    assert added.children("impact")[-1] == "impact.families"
    assert added.add(Code("z", "Z")).ids[-1] == "z"
    with pytest.raises(CodebookError, match="already exists"):
        book.add(Code("impact", "Again"))
    with pytest.raises(UnknownName):
        book.add(Code("x", "X", parent="nope"))
    with pytest.raises(CodebookError, match="colour 'blue'"):
        book.add(Code("x", "X", color="blue"))
    with pytest.raises(CodebookError, match="LOWR"):
        book.add(Code("x", "X", patterns=[[{"LOWR": "a"}]]))


def test_move_takes_the_branch_along(book: Codebook) -> None:
    moved = book.move("impact.children", "delivery")
    assert moved["impact.children"].parent == "delivery"
    assert moved.descendants("delivery") == [
        "delivery",
        "delivery.time",
        "impact.children",
        "impact.children.speech",
        "impact.children.speech.early",
    ]
    assert moved.ids == moved.codes["code_id"].tolist()
    assert moved.codes.set_index("code_id").loc["impact.children.speech.early", "depth"] == 4
    top = book.move("impact.staff", None)
    assert top.top_level() == ["impact", "delivery", "context", "impact.staff"]
    with pytest.raises(CodebookError, match="inside it"):
        book.move("impact", "impact.children.speech")
    with pytest.raises(UnknownName):
        book.move("impact", "nowhere")


def test_remove_refuses_a_code_with_children(book: Codebook) -> None:
    with pytest.raises(CodebookError, match=r"has children \(impact.children, impact.staff\)"):
        book.remove("impact")
    smaller = book.remove("impact.children.speech.early")
    assert len(smaller) == 7 and "impact.children.speech.early" not in smaller
    pruned = book.remove("impact.children", with_children=True)
    assert pruned.ids == ["impact", "impact.staff", "delivery", "delivery.time", "context"]


def test_merge_moves_children_and_rules_to_the_target(book: Codebook) -> None:
    merged = book.merge("impact.children", "impact.staff")
    assert "impact.children" not in merged
    assert merged["impact.children.speech"].parent == "impact.staff"
    assert merged.children("impact.staff") == ["impact.children.speech"]
    target = merged["impact.staff"]
    assert target.keywords == ("school readiness", "outcomes for children")
    assert len(target.patterns) == 2
    assert merged.validate() == []
    with pytest.raises(CodebookError, match="inside it"):
        book.merge("impact", "impact.children")
    with pytest.raises(CodebookError):
        book.merge("impact", "impact")


def test_code_is_frozen_and_copies_patterns() -> None:
    token = {"LOWER": {"IN": ("a", "b")}}
    code = Code("a", "A", keywords=["k"], patterns=[[token]])
    token["LOWER"] = "changed"
    assert code.patterns == (({"LOWER": {"IN": ["a", "b"]}},),)
    assert code.keywords == ("k",)
    with pytest.raises(AttributeError):
        code.name = "B"  # type: ignore[misc]
    same = Code("a", "A", keywords=("k",), patterns=[[{"LOWER": {"IN": ["a", "b"]}}]])
    assert code == same and hash(code) == hash(same)
    assert code.replace(name="B").name == "B"


# --- validation: one problem at a time, with its line -----------------------------------

CASES = [
    pytest.param(
        "- {id: a, name: A, colour: '#fff'}\n",
        3,
        "unknown key 'colour'",
        "did you mean 'color'",
        id="unknown-key",
    ),
    pytest.param("- {id: a}\n", 3, "code 'a' has no name", "name:", id="missing-name"),
    pytest.param("- {id: a, name: A}\n- name: B\n", 4, "code #2 has no id", "id:", id="missing-id"),
    pytest.param(
        "- {id: Impact, name: A}\n", 3, "id 'Impact' is not valid", "lower-case", id="upper-case-id"
    ),
    pytest.param(
        "- {id: my code, name: A}\n", 3, "try 'my_code'", "'_', '.' and '-'", id="space-in-id"
    ),
    pytest.param(
        "- {id: a, name: A}\n- {id: b, name: B}\n- {id: a, name: C}\n",
        5,
        "duplicate id 'a' on lines 3 and 5",
        "unique",
        id="duplicate-id",
    ),
    pytest.param(
        "- {id: impact, name: A}\n- id: b\n  parent: impactt\n  name: B\n",
        5,
        "unknown parent 'impactt'",
        "did you mean 'impact'",
        id="unknown-parent",
    ),
    pytest.param(
        "- {id: a, name: A, parent: b}\n- {id: b, name: B, parent: c}\n"
        "- {id: c, name: C, parent: a}\n",
        3,
        "parent cycle: a → b → c → a",
        "another parent",
        id="cycle",
    ),
    pytest.param(
        "- {id: a, name: A, parent: a}\n", 3, "is its own parent", "parent", id="self-parent"
    ),
    pytest.param(
        "- id: a\n  name: A\n  color: red\n", 5, "colour 'red'", "#rrggbb", id="bad-colour"
    ),
    pytest.param(
        "- id: a\n  name: A\n  color: #fff\n",
        5,
        "'color' of code 'a' is empty",
        "comment",
        id="unquoted-colour",
    ),
    pytest.param(
        "- id: a\n  name: A\n  keywords: peer support\n",
        5,
        "'keywords' of code 'a' must be a list of texts",
        "keywords: [",
        id="keywords-text",
    ),
    pytest.param(
        "- id: a\n  name: A\n  keywords: [a, {b: c}]\n",
        5,
        "item 2 of 'keywords'",
        "must be text",
        id="keywords-item",
    ),
    pytest.param(
        "- id: a\n  name: A\n  patterns: [{LOWER: a}]\n",
        5,
        "pattern 1 of code 'a' must be a list of token mappings",
        "LEMMA",
        id="pattern-not-list",
    ),
    pytest.param(
        "- id: a\n  name: A\n  patterns: {LOWER: a}\n",
        5,
        "'patterns' of code 'a' must be a list of patterns",
        "token mappings",
        id="patterns-mapping",
    ),
    pytest.param(
        "- id: a\n  name: A\n  patterns:\n    - [{LOWER: a}, b]\n",
        6,
        "token 2 of pattern 1",
        "must be a mapping",
        id="pattern-token-text",
    ),
    pytest.param(
        "- id: a\n  name: A\n  patterns:\n    - [{LOWER: a}]\n    - [{LOWR: b}]\n",
        7,
        "pattern 2 of code 'a' is not a valid spaCy pattern",
        "unknown attribute 'LOWR' (did you mean 'LOWER'?)",
        id="spacy-attribute",
    ),
    pytest.param(
        "- id: a\n  name: A\n  patterns:\n    - [{LOWER: a, OP: x}]\n",
        6,
        "not a valid spaCy pattern",
        "OP",
        id="spacy-op",
    ),
    pytest.param(
        "- id: a\n  name: A\n  patterns:\n    - [{LOWER: {REGEX: '('}}]\n",
        6,
        "bad regular expression",
        "spaCy",
        id="spacy-regex",
    ),
    pytest.param(
        "- id: a\n  name: A\n  patterns:\n    - []\n",
        6,
        "is empty",
        "at least one token",
        id="empty-pattern",
    ),
    pytest.param(
        "- id: a\n  name: A\n  patterns:\n    - [{LOWER: 2020-01-01}]\n",
        6,
        "timestamp",
        "quote it",
        id="pattern-date",
    ),
    pytest.param(
        "- id: a\n  name: A\n  name: B\n",
        5,
        "has 'name' twice",
        "lines 4 and 5",
        id="duplicate-key",
    ),
    pytest.param(
        "- {id: a, name: [A]}\n", 3, "'name' of code 'a' must be text", "a list", id="name-list"
    ),
    pytest.param(
        "- {id: a, name: A}\n- just text\n",
        4,
        "code #2 must be a mapping",
        "'just text'",
        id="code-not-mapping",
    ),
]


@pytest.mark.parametrize(("body", "line", "what", "hint"), CASES)
def test_each_problem_names_its_line(body: str, line: int, what: str, hint: str) -> None:
    problems = problems_of(codes_yaml(body))
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.path, problem.line) == ("cb.yaml", line)
    assert what in problem.message and hint in problem.message


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("name: x\ncodes:\n  - {id: a, name: [A}\n", 3, "malformed YAML"),
        ("name: x\ncodes:\n  - id: a\n   name: A\n", 4, "malformed YAML"),
        ('name: x\ncodes:\n  - {id: a, name: "\\q"}\n', 3, "unknown escape"),
        ("name: x\ncodes: []\n---\nname: y\n", 3, "single document"),
        ('name: x\ncodes:\n  - {id: a, name: "A\x07"}\n', 3, "control characters"),
    ],
)
def test_malformed_yaml_gives_the_line(text: str, line: int, what: str) -> None:
    with pytest.raises(CodebookError) as caught:
        Codebook.from_str(text, "cb.yaml")
    assert caught.value.line == line and what in str(caught.value)
    assert str(caught.value).startswith(f"cb.yaml:{line}: ")


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("", 1, "the codebook is empty"),
        ("- a\n- b\n", 1, "top level must be a mapping"),
        ("name: x\n", 1, "there is no 'codes:' list"),
        ("name: x\ncodes: a, b\n", 2, "'codes' must be a list"),
        ("name: x\ncodes: []\nversion: 2\n", 3, "unknown key 'version' in the top level"),
    ],
)
def test_top_level_problems(text: str, line: int, what: str) -> None:
    problems = problems_of(text)
    assert [(p.line, what in p.message) for p in problems] == [(line, True)]


def test_every_problem_is_reported_at_once() -> None:
    text = codes_yaml("""\
        - id: a
          name: A
          colour: "#fff"
        - id: a
          name: Again
        - id: B
          name: Upper
        - id: c
          parent: aa
          name: C
          color: blue
          patterns:
            - [{LOWR: x}]
        - id: d
        """)
    with pytest.raises(CodebookError) as caught:
        Codebook.from_str(text, "cb.yaml")
    lines = [(p.line, p.field) for p in caught.value.problems]
    assert lines == [
        (5, "colour"),
        (6, "id"),
        (8, "id"),
        (11, "parent"),
        (13, "color"),
        (15, "patterns"),
        (16, "name"),
    ]
    error = caught.value
    assert "(and 6 more problems)" in str(error)
    assert str(error).startswith("cb.yaml:5: unknown key 'colour'")
    assert isinstance(error, ValueError)


def test_validate_checks_a_codebook_built_in_python() -> None:
    book = Codebook([Code("a", "A"), Code("b", "", parent="zz", color="#12"), Code("a", "A2")])
    messages = [p.message for p in book.validate()]
    assert len(messages) == 4
    assert any("code 'b' has no name" in m for m in messages)
    assert any("colour '#12'" in m for m in messages)
    assert any("unknown parent 'zz'" in m for m in messages)
    assert any("duplicate id 'a' on codes #1 and #3" in m for m in messages)
    assert all(p.line is None for p in book.validate())
    assert Codebook.from_str(SAMPLE).validate() == []


def test_validate_reports_a_loop_made_in_python(book: Codebook) -> None:
    codes = [c.replace(parent="impact.staff") if c.id == "impact" else c for c in book]
    problems = Codebook(codes).validate()
    assert [p.message.split(";")[0] for p in problems] == [
        "parent cycle: impact → impact.staff → impact"
    ]


# --- speed and laziness -----------------------------------------------------------------


def _big_codebook(n_themes: int = 10, n_sub: int = 7, n_leaf: int = 6) -> Codebook:
    codes = []
    for t in range(n_themes):
        codes.append(Code(f"t{t}", f"Theme {t}", description="About the theme. " * 8))
        for s in range(n_sub):
            sub = f"t{t}.s{s}"
            codes.append(
                Code(
                    sub,
                    f"Sub-theme {s}",
                    parent=f"t{t}",
                    include="When…\nand when…",
                    keywords=("peer support", f"word {s}"),
                )
            )
            for leaf in range(n_leaf):
                patterns = [[{"LEMMA": "improve"}, {"LOWER": {"IN": ["outcome", f"w{leaf}"]}}]]
                codes.append(
                    Code(
                        f"{sub}.l{leaf}",
                        f"Leaf {leaf}",
                        parent=sub,
                        description="A leaf.",
                        patterns=patterns if leaf < 2 else (),
                    )
                )
    return Codebook(codes, name="Big")


def test_loading_500_codes_is_fast() -> None:
    book = _big_codebook()
    assert len(book) == 500
    text = book.to_str()
    Codebook.from_str(text)  # warm up spaCy's import, which is paid once per process
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        loaded = Codebook.from_str(text)
        assert len(loaded.codes) == 500
        loaded.descendants("t3")
        timings.append(time.perf_counter() - start)
    assert loaded == book
    assert min(timings) < 0.5, timings


def test_spacy_is_imported_only_for_patterns(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from casework.codebook import Codebook\n"
        "Codebook.from_str('codes:\\n  - {id: a, name: A, keywords: [x]}\\n')\n"
        "assert 'spacy' not in sys.modules, 'spaCy imported without patterns'\n"
        "Codebook.from_str('codes:\\n  - {id: a, name: A, patterns: [[{LOWER: x}]]}\\n')\n"
        "assert 'spacy' in sys.modules\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}  # no verdict remembered yet
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120, env=env)


_CHECK = """
import sys
from casework.codebook import Codebook
from casework.errors import CodebookError
Codebook.from_str('codes:\\n  - {id: a, name: A, patterns: [[{LOWER: x}, {POS: NOUN}]]}\\n')
try:
    Codebook.from_str('codes:\\n  - {id: b, name: B, patterns: [[{LOWR: x}]]}\\n')
except CodebookError as err:
    print(err.problems[0].message)
print('spacy' in sys.modules)
"""


def test_pattern_verdicts_are_remembered_across_processes(tmp_path: Path) -> None:
    """A codebook whose patterns were checked before is read without importing spaCy,
    and a refused pattern is refused with the same message; another spaCy version (or
    another cache) starts afresh."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _CHECK], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    first = run()
    assert first[-1] == "True" and "unknown attribute 'LOWR'" in first[0]
    saved = list((tmp_path / "cache" / "casework").glob("spacy-patterns-*.json"))
    assert len(saved) == 1 and len(json.loads(saved[0].read_text())) == 2
    again = run()
    assert again == [first[0], "False"]  # same message, spaCy never imported
    saved[0].write_text("not json")  # a broken cache is only a cache
    assert run() == first


# --- the demo codebook ------------------------------------------------------------------


def test_demo_codebook_loads() -> None:
    book = Codebook.from_disk(ROOT / "codebooks" / "peer_support.yaml")
    assert len(book) >= 30
    assert book.validate() == []
    depths = set(book.codes["depth"])
    assert min(depths) == 1 and max(depths) in (2, 3)
    assert len(book.top_level()) >= 3
    assert all(book.codes["name"].str.strip() != "")
    assert Codebook.from_str(book.to_str()) == book


def test_the_leading_comment_block_survives_saving(tmp_path: Path) -> None:
    path = tmp_path / "cb.yaml"
    path.write_text(
        "# Our framework.\n# Kept by the team.\n\nname: X\ncodes:\n  - id: a\n    name: A\n",
        encoding="utf-8",
    )
    book = Codebook.from_disk(path)
    book.rename("a", "Renamed").to_disk()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Our framework.\n# Kept by the team.\n\nname: X\n")
    assert Codebook.from_disk(path)["a"].name == "Renamed"


def test_edits_of_the_demo_codebook_touch_only_their_lines() -> None:
    import difflib

    path = Path(__file__).resolve().parents[1] / "codebooks" / "peer_support.yaml"
    text = path.read_text("utf-8")
    book = Codebook.from_str(text, path)
    assert book.to_str() == text  # read and written back untouched: byte for byte
    leaf = next(c.id for c in book if c.parent and not book.children(c.id))
    other = next(t for t in book.top_level() if t != book[leaf].parent)
    edited = (
        book.add_code("Costs & value for money", "reflections")
        .rename(leaf, "A new name")
        .move(leaf, other)
    )
    assert "reflections.costs_value_for_money" in edited
    out = edited.to_str()
    assert Codebook.from_str(out) == edited
    before, after = text.splitlines(), out.splitlines()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)  # as git diff would
    changed = [
        line
        for tag, i, j, k, m in matcher.get_opcodes()
        if tag != "equal"
        for line in before[i:j] + after[k:m]
    ]
    block = len(book[leaf].to_dict()) + 12  # the moved block (with folded text) and the new code
    assert len(changed) <= 2 * block, changed
    assert out.startswith(text.split("name:", 1)[0])  # the header comment is kept


def test_an_edit_keeps_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "book.yaml"
    text = (
        "# ours\r\nname: B\r\ncodes:\r\n  - id: a\r\n    name: A\r\n\r\n"
        "  - id: b\r\n    name: B\r\n"
    )
    path.write_bytes(text.encode("utf-8"))
    book = Codebook.from_disk(path)
    book.rename("a", "Alpha").add_code("Gamma", "b").to_disk()
    out = path.read_bytes().decode("utf-8")
    assert out.count("\r\n") == out.count("\n")  # every line still ends in CR LF
    assert "    name: Alpha\r\n" in out and "  - id: b.gamma\r\n" in out
    assert Codebook.from_disk(path)["b.gamma"].name == "Gamma"
