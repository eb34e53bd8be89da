"""Property tests: any valid codebook survives to_str/from_str and to_disk/from_disk."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from casework.codebook import Code, Codebook

# Text a user could type, plus the characters that trip YAML writers up.
_tricky = st.sampled_from(
    [
        "\n",
        ": ",
        " #",
        "'",
        '"',
        "  ",
        "- ",
        "|",
        ">",
        "\t",
        "\\",
        "🙂",
        "\u2028",
        "\r",
        "\x85",
        "null",
        "~",
        "yes",
        "1.5",
        "&a",
        "*a",
        "!tag",
        "%",
        "@",
        "`",
        "{",
        "]",
        ",",
    ]
)
# Long prose is written folded (``>-``): words, runs of spaces and tricky bits at the folds.
_prose = st.lists(
    st.one_of(_tricky, st.sampled_from(["word", " ", "  ", "x" * 40]), st.text(max_size=6)),
    min_size=15,
    max_size=60,
).map(" ".join)
text = st.one_of(st.text(), st.lists(st.one_of(_tricky, st.text(max_size=4))).map("".join), _prose)
some_text = text.filter(lambda s: s.strip() != "")
ids = st.from_regex(r"[a-z0-9_.-]{1,10}", fullmatch=True)
colors = st.one_of(st.none(), st.from_regex(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", fullmatch=True))

_word = st.one_of(text, some_text)
_string_value = st.one_of(
    _word,
    st.fixed_dictionaries({"IN": st.lists(_word, max_size=3)}),
    st.fixed_dictionaries({"NOT_IN": st.lists(_word, max_size=3)}),
    st.fixed_dictionaries({"REGEX": _word.map(re.escape)}),
)
token = st.fixed_dictionaries(
    {},
    optional={
        "LOWER": _string_value,
        "LEMMA": _string_value,
        "ORTH": _string_value,
        "IS_PUNCT": st.booleans(),
        "LIKE_NUM": st.booleans(),
        "LENGTH": st.one_of(st.integers(0, 50), st.fixed_dictionaries({">=": st.integers(0, 9)})),
        "OP": st.sampled_from(["?", "*", "+", "!", "{2}", "{1,3}"]),
    },
)
patterns = st.lists(st.lists(token, min_size=1, max_size=3).map(tuple), max_size=3)


@st.composite
def codebooks(draw: st.DrawFn, *, rich: bool = True, max_codes: int = 8) -> Codebook:
    """A valid codebook: unique ids, parents that exist, no loops, any order in the file.

    ``rich=False`` leaves the text fields short and plain, for tests about the tree.
    """
    code_ids = draw(st.lists(ids, unique=True, max_size=max_codes))
    if not rich:
        codes = [
            Code(code_id, code_id, parent=draw(st.sampled_from([None, *code_ids[:number]])))
            for number, code_id in enumerate(code_ids)
        ]
        return Codebook(draw(st.permutations(codes)))
    codes = []
    for number, code_id in enumerate(code_ids):
        parent = draw(st.one_of(st.none(), st.sampled_from(code_ids[:number]))) if number else None
        codes.append(
            Code(
                id=code_id,
                name=draw(some_text),
                parent=parent,
                description=draw(text),
                include=draw(text),
                exclude=draw(text),
                examples=tuple(draw(st.lists(some_text, max_size=2))),
                keywords=tuple(draw(st.lists(some_text, max_size=3))),
                patterns=draw(patterns),
                color=draw(colors),
            )
        )
    order = draw(st.permutations(codes)) if codes else []
    return Codebook(order, name=draw(text), description=draw(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebooks())
def test_to_str_from_str_round_trip(book: Codebook) -> None:
    assert book.validate() == []
    again = Codebook.from_str(book.to_str())
    assert again == book
    assert again.codes.equals(book.codes)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebooks())
def test_to_disk_from_disk_round_trip(book: Codebook) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "codebook.yaml"
        book.to_disk(path)
        book.to_disk(path)  # replacing an existing file works too
        assert Codebook.from_disk(path) == book
        assert [p.name for p in Path(folder).iterdir()] == ["codebook.yaml"]  # no temp left


@settings(max_examples=60, deadline=None)
@given(codebooks(rich=False, max_codes=15))
def test_descendants_match_ancestors(book: Codebook) -> None:
    for code_id in book.ids:
        below = book.descendants(code_id, include_self=False)
        assert all(code_id in book.ancestors(other) for other in below)
        assert len(book.ancestors(code_id)) == book.depth(code_id) - 1
    assert sorted(i for top in book.top_level() for i in book.descendants(top)) == sorted(book.ids)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebooks(max_codes=4), st.data())
def test_an_edit_is_written_into_the_file_and_reads_back(
    book: Codebook, data: st.DataObject
) -> None:
    """Whatever the codes hold, an edit spliced into the file (no fallback to the full
    layout) reads back as the edited codebook, and the codes it did not touch keep their
    lines."""
    from casework.codebook._roundtrip import splice

    source = book.to_str(keep_layout=False)
    loaded = Codebook.from_str(source)
    edits = ["add"] + (["rename", "describe", "keywords", "remove", "move"] if len(loaded) else [])
    edit = data.draw(st.sampled_from(edits))
    target = data.draw(st.sampled_from(loaded.ids)) if len(loaded) else None
    if edit == "add":
        edited = loaded.add(
            Code(
                data.draw(ids.filter(lambda i: i not in loaded)),
                data.draw(some_text),
                parent=target,
            )
        )
    elif edit == "rename":
        edited = loaded.rename(target, data.draw(some_text))
    elif edit == "describe":
        edited = loaded.update(target, description=data.draw(text))
    elif edit == "keywords":
        edited = loaded.update(target, keywords=tuple(data.draw(st.lists(some_text, max_size=3))))
    elif edit == "remove":
        edited = loaded.remove(target, with_children=True)
    else:
        parents = [None, *(i for i in loaded.ids if i not in loaded.descendants(target))]
        edited = loaded.move(target, data.draw(st.sampled_from(parents)))
    spliced = splice(source, loaded.entries, edited.entries)
    if not len(edited) or not len(loaded):
        assert spliced is None  # from or to `codes: []`: the full layout
        assert Codebook.from_str(edited.to_str()) == edited
        return
    assert spliced is not None
    assert Codebook.from_str(spliced) == edited
    assert edited.to_str() == spliced
    touched = {target} | set(edited.ids) - set(loaded.ids)
    lines = set(spliced.splitlines())
    for code in loaded:
        if code.id not in touched and code.id in edited and edited[code.id] == code:
            block = Codebook([code]).to_str(keep_layout=False).split("codes:\n", 1)[1]
            assert set(block.splitlines()) - {""} <= lines
