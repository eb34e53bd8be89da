"""Re-anchoring codings after a transcript is edited."""

from __future__ import annotations

from casework.store import make_anchor, reanchor, text_sha

TEXT = (
    "Opening words.\n\nThe specialist brought an external perspective.\n\n"
    "Capacity was the main challenge.\n\nClosing words."
)


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def test_unchanged_text_keeps_position() -> None:
    anchor = make_anchor(TEXT, *span(TEXT, "external perspective"))
    assert reanchor(TEXT, anchor) == span(TEXT, "external perspective")


def test_insertion_before_moves_the_coding() -> None:
    anchor = make_anchor(TEXT, *span(TEXT, "Capacity was the main challenge."))
    edited = TEXT.replace("Opening words.", "Opening words, with a longer preface added.")
    assert reanchor(edited, anchor) == span(edited, "Capacity was the main challenge.")


def test_deletion_before_moves_the_coding() -> None:
    anchor = make_anchor(TEXT, *span(TEXT, "Closing words."))
    edited = TEXT.replace("The specialist brought an external perspective.\n\n", "")
    found = reanchor(edited, anchor)
    assert found is not None and edited[found[0] : found[1]] == "Closing words."


def test_moved_paragraph_without_its_context_is_an_orphan() -> None:
    # Its old surroundings are gone: the quote alone cannot tell a moved paragraph from
    # a deleted one repeated elsewhere, so it is reported, never moved silently.
    para = "The specialist brought an external perspective."
    anchor = make_anchor(TEXT, *span(TEXT, para))
    edited = TEXT.replace(para + "\n\n", "") + "\n\n" + para
    assert reanchor(edited, anchor) is None


def test_a_deleted_passage_does_not_move_to_another_occurrence() -> None:
    # Issue 18 item 4: "the" and a repeated sentence must not jump elsewhere.
    text = (
        "We met the coordinator weekly. It changed everything for us.\n\n"
        "Later the group grew. It changed everything for us.\n\nThe end."
    )
    first = text.index("It changed everything for us.")
    anchor = make_anchor(text, first, first + len("It changed everything for us."))
    edited = text.replace("We met the coordinator weekly. It changed everything for us.\n\n", "")
    assert reanchor(edited, anchor) is None
    word = text.index("the coordinator")
    assert reanchor(edited, make_anchor(text, word, word + 3)) is None


def test_small_edit_beside_the_quote_keeps_it() -> None:
    anchor = make_anchor(TEXT, *span(TEXT, "Capacity was the main challenge."))
    edited = TEXT.replace("Opening words.", "Opening remarks.")
    assert reanchor(edited, anchor) == span(edited, "Capacity was the main challenge.")


def test_quote_edited_away_is_an_orphan() -> None:
    anchor = make_anchor(TEXT, *span(TEXT, "external perspective"))
    edited = TEXT.replace("external perspective", "outside view")
    assert reanchor(edited, anchor) is None


def test_repeated_quote_picks_the_occurrence_with_matching_context() -> None:
    text = "A said yes. B said no. C said yes. D said maybe."
    start = text.index("yes", 10)  # C's yes
    anchor = make_anchor(text, start, start + 3)
    edited = "Intro. " + text  # both yeses move by 7
    found = reanchor(edited, anchor)
    assert found == (start + 7, start + 10)
    assert edited[found[0] - 7 : found[0]] == "C said "


def test_text_sha_changes_with_text() -> None:
    assert text_sha("a") != text_sha("b") and len(text_sha("a")) == 16
