"""Tests for casework.sources: readers, normalisation, segmentation and bad input."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from casework.errors import SourceError, UnknownName
from casework.sources import (
    Segment,
    Source,
    _registry,
    get_reader,
    known_suffixes,
    normalise_text,
    read_source,
    register_reader,
    split_segments,
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def turns(text: str, segments: tuple[Segment, ...]) -> list[tuple[str, str]]:
    return [(seg.speaker, text[seg.start : seg.end]) for seg in segments]


# --- readers ---------------------------------------------------------------------------

MD = """---
participant: A-LA
role: Local authority lead
date: 2023-05-04
duration_minutes: 45
tags: [early years, funding]
---


# Interview

Interviewer: How did the programme start?

Jane Smith: It began in 2019.
We had no funding at first.

Then the council stepped in.
"""


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "la_lead.md", MD))
    assert source.attributes == {
        "participant": "A-LA",
        "role": "Local authority lead",
        "date": "2023-05-04",
        "duration_minutes": 45,
        "tags": ["early years", "funding"],
    }
    assert source.text.startswith("# Interview\n\nInterviewer: How")
    assert source.text.endswith("stepped in.")
    assert turns(source.text, source.segments) == [
        ("", "# Interview"),
        ("Interviewer", "Interviewer: How did the programme start?"),
        ("Jane Smith", "Jane Smith: It began in 2019.\nWe had no funding at first."),
        ("Jane Smith", "Then the council stepped in."),
    ]
    assert source.path == tmp_path / "la_lead.md"


def test_markdown_front_matter_datetime_and_empty(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "a.md", "---\nat: 2023-05-04 10:30:00\n---\nHi."))
    assert source.attributes == {"at": "2023-05-04T10:30:00"}
    assert source.text == "Hi."
    empty = read_source(write(tmp_path, "b.md", "---\n---\nHello."))
    assert empty.attributes == {}
    assert empty.text == "Hello."


def test_markdown_without_front_matter(tmp_path: Path) -> None:
    text = "Interviewer: Hi.\n\n---\n\nR1: Hello."
    source = read_source(write(tmp_path, "plain.MD", text))
    assert source.attributes == {}
    assert source.text == text
    assert [s.speaker for s in source.segments] == ["Interviewer", "Interviewer", "R1"]


def test_plain_text(tmp_path: Path) -> None:
    source = read_source(
        write(tmp_path, "notes.txt", "  Indented start.\n\nQ: Why?\nA: Because.\n\n")
    )
    assert source.attributes == {}
    assert source.text == "  Indented start.\n\nQ: Why?\nA: Because."
    assert turns(source.text, source.segments) == [
        ("", "Indented start."),
        ("Q", "Q: Why?"),
        ("A", "A: Because."),
    ]


def test_docx_paragraphs_tables_and_properties(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Interview with the LA lead"
    document.core_properties.author = "  "  # blank: left out
    document.add_paragraph("Interviewer: Where are you based?")
    document.add_paragraph("")
    document.add_paragraph("Jane: In the north.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Site"
    table.cell(0, 1).text = "Leeds"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Whole row"
    document.add_paragraph("Interviewer: Thank you.")
    path = tmp_path / "interview.docx"
    document.save(str(path))

    source = read_source(path)
    assert source.text == (
        "Interviewer: Where are you based?\n\nJane: In the north.\n\n"
        "Site\n\nLeeds\n\nWhole row\n\nInterviewer: Thank you."
    )
    assert source.attributes == {"title": "Interview with the LA lead"}
    assert [s.speaker for s in source.segments] == [
        "Interviewer",
        "Jane",
        "Jane",
        "Jane",
        "Jane",
        "Interviewer",
    ]


def test_docx_author_attribute(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.author = "R. Researcher"
    document.add_paragraph("Text.")
    document.save(str(tmp_path / "a.docx"))
    assert read_source(tmp_path / "a.docx").attributes == {"author": "R. Researcher"}


VTT = """WEBVTT
Kind: captions

NOTE This block is a comment
and spans two lines

STYLE
::cue { color: white }

intro
00:00:01.000 --> 00:00:04.250 align:start position:10%
<v Interviewer>How did it <i>start</i>?</v>

00:04.500 --> 00:00:09.000
<v.loud Jane Smith>It began
in 2019 &amp; grew.

00:00:09.000 --> 00:00:10.000
Jane Smith: Yes.

00:00:10.000 --> 00:00:11.000
<b>(music)</b>

1:00:10.000 --> 1:00:12.000
<v Bob>Hi <v Ann>Hello
"""


def test_vtt_cues_voices_and_notes(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "call.vtt", VTT))
    assert source.text == (
        "Interviewer: How did it start?\n\n"
        "Jane Smith: It began in 2019 & grew.\n\n"
        "Jane Smith: Yes.\n\n"
        "(music)\n\n"
        "Bob: Hi Ann: Hello"
    )
    assert source.attributes == {}
    assert [(s.speaker, s.attributes) for s in source.segments] == [
        ("Interviewer", {"begin": "00:00:01.000", "end": "00:00:04.250"}),
        ("Jane Smith", {"begin": "00:00:04.500", "end": "00:00:09.000"}),
        ("Jane Smith", {"begin": "00:00:09.000", "end": "00:00:10.000"}),
        ("", {"begin": "00:00:10.000", "end": "00:00:11.000"}),
        ("Bob", {"begin": "01:00:10.000", "end": "01:00:12.000"}),
    ]
    paragraphs = source.text.split("\n\n")
    assert [source.text[s.start : s.end] for s in source.segments] == paragraphs


SRT = """1
00:01:02,500 --> 00:01:05,000
Interviewer: What changed
<i>after the pilot?</i>

2
00:01:05,200 --> 00:01:09,999 X1:10 X2:20
Most families came back.

3
00:01:10,000 --> 00:01:12,000
{\\an8}[Jane] It worked.
"""


def test_srt_cues(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "call.srt", SRT))
    assert source.text == (
        "Interviewer: What changed after the pilot?\n\nMost families came back.\n\nJane: It worked."
    )
    assert turns(source.text, source.segments) == [
        ("Interviewer", "Interviewer: What changed after the pilot?"),
        ("", "Most families came back."),
        ("Jane", "Jane: It worked."),
    ]
    assert source.segments[0].attributes == {"begin": "00:01:02.500", "end": "00:01:05.000"}
    assert source.segments[1].attributes == {"begin": "00:01:05.200", "end": "00:01:09.999"}


def test_srt_stray_blank_line_continues_cue(tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nfirst half\n\nsecond half\n"
    source = read_source(write(tmp_path, "a.srt", text))
    assert source.text == "first half second half"
    assert len(source.segments) == 1


def test_captions_with_bom_crlf_and_empty_cue(tmp_path: Path) -> None:
    vtt = "\ufeffWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v Ann>One.\r\n\r\n"
    vtt += "00:02.000 --> 00:03.000\r\n<i></i>\r\n\r\nstray words\r\n"
    source = read_source(write(tmp_path, "a.vtt", vtt))
    assert source.text == "Ann: One.\n\nstray words"  # the stray block fills the empty cue
    assert source.segments == (
        Segment(0, 9, "Ann", {"begin": "00:00:01.000", "end": "00:00:02.000"}),
        Segment(11, 22, "", {"begin": "00:00:02.000", "end": "00:00:03.000"}),
    )


# --- normalisation ---------------------------------------------------------------------


def test_normalise_text_rules() -> None:
    assert normalise_text("\ufeffa\r\nb\rc\n  d  \n\n \t") == "a\nb\nc\n  d"
    assert normalise_text("  keep  \nlines  \nx") == "  keep  \nlines  \nx"
    decomposed = "cafe\u0301"
    assert normalise_text(decomposed) == "caf\u00e9"
    assert unicodedata.is_normalized("NFC", normalise_text(decomposed))


def test_composed_and_decomposed_read_the_same(tmp_path: Path) -> None:
    body = "Interviewer: Caf{e} au lait?\n\nR\u00e9my: Oui, caf{e}.\n"
    composed = read_source(write(tmp_path, "c.txt", body.format(e="\u00e9")))
    decomposed = read_source(write(tmp_path, "d.txt", body.format(e="e\u0301")))
    assert composed.text == decomposed.text
    assert composed.segments == decomposed.segments
    second = composed.segments[1]
    assert second.speaker == "R\u00e9my"
    assert second.start == len("Interviewer: Caf\u00e9 au lait?\n\n")  # code points
    assert composed.text[second.start : second.end] == "R\u00e9my: Oui, caf\u00e9."


def test_bom_and_crlf_file(tmp_path: Path) -> None:
    raw = "\ufeff---\r\nrole: Parent\r\n---\r\n\r\nQ: Hi?\r\nA: Hello.\r\n".encode()
    source = read_source(write(tmp_path, "p.md", raw))
    assert source.attributes == {"role": "Parent"}
    assert source.text == "Q: Hi?\nA: Hello."
    assert turns(source.text, source.segments) == [("Q", "Q: Hi?"), ("A", "A: Hello.")]


# --- segmentation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "speaker"),
    [
        ("Interviewer: Hello.", "Interviewer"),
        ("Jane Smith: Hello.", "Jane Smith"),
        ("R1: Hello.", "R1"),
        ("Participant 3: Hello.", "Participant 3"),
        ("Head of Service: Hello.", "Head of Service"),
        ("**Jane Smith:** Hello.", "Jane Smith"),
        ("**Jane Smith**: Hello.", "Jane Smith"),
        ("[Jane Smith] Hello.", "Jane Smith"),
        ("  Dr. O'Brien: Hello.", "Dr. O'Brien"),
        ("Siobh\u00e1n O\u2019Neill: Hello.", "Siobh\u00e1n O\u2019Neill"),
        ("\u00c9lodie: Bonjour.", "\u00c9lodie"),
        ("Interviewer:", "Interviewer"),
    ],
)
def test_each_label_form(line: str, speaker: str) -> None:
    text = f"Before.\n{line}\nAfter."
    segments = split_segments(text)
    assert [s.speaker for s in segments] == ["", speaker]
    assert text[segments[1].start : segments[1].end] == f"{line.strip()}\nAfter."


@pytest.mark.parametrize(
    "line",
    [
        "http: //example.org is down",
        "https://example.org: see this",
        "10:30: we met",
        "At 10:30 we met",
        "my answer is: no",
        "The answer was clear: no",
        "One Two Three Four Five: too many words",
        "[Inaudible] something",
        "[laughs] yes",
        "Note: not a person",
        "#hashtag: no",
        "Interviewer:no space",
    ],
)
def test_not_labels(line: str) -> None:
    text = f"Jane: Before.\n{line}"
    assert turns(text, split_segments(text)) == [("Jane", text)]


def test_carry_on_and_heading_reset() -> None:
    text = (
        "Intro without speaker.\n\n"
        "Interviewer: First question?\n\n"
        "Still the interviewer.\n"
        "R1: An answer.\n"
        "## Part two\n"
        "After the heading.\n\n"
        "Next paragraph.\n\n"
        "[Jo]\nSpeech on the next line."
    )
    assert turns(text, split_segments(text)) == [
        ("", "Intro without speaker."),
        ("Interviewer", "Interviewer: First question?"),
        ("Interviewer", "Still the interviewer."),
        ("R1", "R1: An answer."),
        ("", "## Part two"),
        ("", "After the heading."),
        ("", "Next paragraph."),
        ("Jo", "[Jo]\nSpeech on the next line."),
    ]


def test_whitespace_only_lines_separate_paragraphs() -> None:
    text = "Jane: One.\n  \t \nTwo.\n\n\n   Three.  "
    segments = split_segments(text)
    assert turns(text, segments) == [("Jane", "Jane: One."), ("Jane", "Two."), ("Jane", "Three.")]
    assert segments[2] == Segment(text.index("Three"), text.index("Three") + 6, "Jane", {})


def test_empty_text_has_no_segments() -> None:
    assert split_segments("") == ()
    assert split_segments(" \n\n \n") == ()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Jane: hi", "**Bo:** yo", "[Al] ok", "# H", "text", "", "  ", "10:30 x", "a\u00e9"]
        ),
        max_size=25,
    )
)
def test_segments_are_ordered_trimmed_and_inside_text(lines: list[str]) -> None:
    text = "\n".join(lines)
    segments = split_segments(text)
    previous_end = 0
    for seg in segments:
        assert previous_end <= seg.start < seg.end <= len(text)
        piece = text[seg.start : seg.end]
        assert piece == piece.strip()
        assert "\n\n" not in piece
        previous_end = seg.end
    covered = "".join(text[s.start : s.end] for s in segments)
    assert "".join(covered.split()) == "".join(text.split())  # nothing but space is lost


def test_segmentation_is_fast() -> None:
    block = (
        "Interviewer: How did the work with families change after the pilot year?\n\n"
        "**Jane Smith:** We saw http://example.org at 10:30 and then, honestly, it grew.\n"
        "More of the same answer goes on for a while in this line here.\n\n"
        "# Part\n\n"
    )
    text = block * (300_000 // len(block) + 1)
    assert len(text) >= 300_000
    best = min(_timed(split_segments, text) for _ in range(3))
    assert best < 0.1, f"split_segments took {best:.3f}s for {len(text)} characters"


def _timed(function: object, argument: str) -> float:
    start = time.perf_counter()
    function(argument)  # type: ignore[operator]
    return time.perf_counter() - start


# --- bad input -------------------------------------------------------------------------


def test_non_utf8_names_line(tmp_path: Path) -> None:
    raw = b"Line one\r\nLine two\r\nCaf" + b"\xe9 here\n"
    with pytest.raises(SourceError) as info:
        read_source(write(tmp_path, "latin.txt", raw))
    err = info.value
    assert err.line == 3
    assert err.path == str(tmp_path / "latin.txt")
    assert "UTF-8" in str(err) and "0xe9" in str(err)
    assert f"{tmp_path / 'latin.txt'}:3:" in str(err)


def test_utf16_and_binary(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="UTF-16"):
        read_source(write(tmp_path, "u.txt", "Hello".encode("utf-16")))
    with pytest.raises(SourceError, match="not a text file"):
        read_source(write(tmp_path, "b.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("e.txt", ""),
        ("w.txt", " \n\t\r\n  "),
        ("f.md", "---\nrole: Parent\n---\n\n"),
        ("v.vtt", "WEBVTT\n\nNOTE nothing here\n"),
        ("s.srt", "1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n"),
    ],
)
def test_empty_transcript(tmp_path: Path, name: str, content: str) -> None:
    with pytest.raises(SourceError, match="empty transcript") as info:
        read_source(write(tmp_path, name, content))
    assert info.value.path == str(tmp_path / name)


def test_front_matter_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a list") as info:
        read_source(write(tmp_path, "a.md", "---\n- one\n- two\n---\nText."))
    assert info.value.line == 2
    with pytest.raises(SourceError, match="not a single value"):
        read_source(write(tmp_path, "b.md", "---\njust words\n---\nText."))


def test_front_matter_bad_yaml_line(tmp_path: Path) -> None:
    text = "---\nparticipant: A-LA\nrole: Lead: of the LA\nduration_minutes: 45\n---\nText."
    with pytest.raises(SourceError, match="not valid YAML") as info:
        read_source(write(tmp_path, "a.md", text))
    assert info.value.line == 3
    assert str(info.value).startswith(f"{tmp_path / 'a.md'}:3: ")


def test_front_matter_unclosed(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="never closed") as info:
        read_source(write(tmp_path, "a.md", "---\nrole: Parent\n\nInterviewer: Hi."))
    assert info.value.line == 1


def test_unknown_suffix_lists_known(tmp_path: Path) -> None:
    with pytest.raises(UnknownName) as info:
        read_source(write(tmp_path, "notes.pdf", "x"))
    message = str(info.value)
    assert "'.pdf'" in message and str(tmp_path / "notes.pdf") in message
    for suffix in (".md", ".txt", ".docx", ".vtt", ".srt"):
        assert suffix in message
    with pytest.raises(UnknownName, match="no suffix"):
        read_source(write(tmp_path, "README", "x"))
    with pytest.raises(LookupError):
        get_reader(".pdf")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="file not found"):
        read_source(tmp_path / "gone.md")


def test_invalid_docx(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a valid Word") as info:
        read_source(write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0 an old .doc file"))
    assert "save it as" in str(info.value).lower()


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("a.vtt", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHi\n", 3),
        ("b.vtt", "WEBVTT\n\nid-1\n00:00:01.000 --> 00:00:02.0\nHi\n", 4),
        (
            "c.vtt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n\n00:00:03.000 - 00:00:04.000\n",
            6,
        ),
        ("d.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHi\n", 3),
        ("e.srt", "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03 --> 00:00:04,000\nHo\n", 6),
        ("f.srt", "1\nHello there\n", 2),
        ("g.srt", "Hello with no cue\n", 1),
        ("h.srt", "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n", 5),
    ],
)
def test_bad_caption_timing(tmp_path: Path, name: str, content: str, line: int) -> None:
    with pytest.raises(SourceError) as info:
        read_source(write(tmp_path, name, content))
    assert info.value.line == line
    assert "cue" in str(info.value)


def test_vtt_header_required(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="WEBVTT") as info:
        read_source(write(tmp_path, "a.vtt", "1\n00:00:01.000 --> 00:00:02.000\nHi\n"))
    assert info.value.line == 1
    with pytest.raises(SourceError, match="header") as info:
        read_source(write(tmp_path, "b.vtt", "WEBVTT\n00:00:01.000 --> 00:00:02.000\nHi\n"))
    assert info.value.line == 2


# --- registry --------------------------------------------------------------------------


def test_register_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_registry, "_READERS", dict(_registry._READERS))

    @register_reader(".upper", "LOUD")
    def read_upper(path: Path, raw: bytes) -> Source:
        text = raw.decode().upper()
        return Source(path, text, {"shouted": True}, split_segments(text))

    assert get_reader(".UPPER") is read_upper
    assert get_reader("loud") is read_upper
    assert {".upper", ".loud", ".md"} <= set(known_suffixes())
    source = read_source(write(tmp_path, "x.Upper", "jane: hi"))
    assert source.text == "JANE: HI"
    assert source.segments[0].speaker == "JANE"
    assert source.attributes == {"shouted": True}


def test_readers_are_registered() -> None:
    assert known_suffixes() == (".docx", ".md", ".odt", ".srt", ".txt", ".vtt")


def test_read_30k_markdown_speed(tmp_path: Path) -> None:
    words = "we worked with families across the area and it grew slowly "
    paragraph = "Interviewer: " + words * 3 + "\n\nJane Smith: " + words * 6 + "\n\n"
    body = paragraph * (30_000 // len(paragraph) + 1)
    path = write(tmp_path, "long.md", "---\nparticipant: A-LA\ndate: 2023-05-04\n---\n" + body)
    read_source(path)
    best = min(_timed(read_source, str(path)) for _ in range(5))
    assert best < 0.05, f"read_source took {best:.4f}s for a 30,000-character .md"
