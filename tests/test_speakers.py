"""Speakers and their roles, header lines, front matter in .txt, private fields."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import casework
from casework.cli import main
from casework.errors import SourceError
from casework.sources import assign_roles, label_role, parse_header, read_source, split_header


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "03-Feb-2023 - 09:12 - 47m05s \u2013 Sam",
            {"date": "2023-02-03", "time": "09:12", "duration_minutes": 47.1, "name": "Sam"},
        ),
        (
            "2023-02-03 | 2:05 pm | 1h02m",
            {"date": "2023-02-03", "time": "14:05", "duration_minutes": 62.0},
        ),
        ("3 February 2023 \u2014 00:47:05", {"date": "2023-02-03", "duration_minutes": 47.1}),
        ("14/03/2023 - Alex Morgan", {"date": "2023-03-14", "name": "Alex Morgan"}),
    ],
)
def test_header_lines_become_attributes(line: str, expected: dict[str, object]) -> None:
    assert parse_header(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "On 3 Feb 2023 we met the team.",
        "Sam - 09:12",
        "Researcher 1: 03-Feb-2023?",
        "31-Feb-2023 - Sam",
        "2023 was a hard year - Sam",
    ],
)
def test_sentences_are_not_headers(line: str) -> None:
    assert parse_header(line) is None
    assert split_header(line + "\n\nMore.")[0] == {}


def test_labels_name_roles() -> None:
    for label in (
        "Interviewer",
        "Researcher 1",
        "I",
        "Q",
        "Int",
        "Moderator",
        "Facilitator",
        "INTERVIEWER 2",
    ):
        assert label_role(label) == "interviewer", label
    for label in ("Participant", "Respondent", "P3", "Interviewee", "R", "A"):
        assert label_role(label) == "participant", label
    assert label_role("Sam") is None and label_role("Head Teacher") is None


def test_roles_from_names_words_and_the_front_matter() -> None:
    turns = [("Jo", 10), ("Sam", 200), ("Jo", 15), ("Sam", 150)]
    roles = assign_roles(turns)
    assert roles == {
        "Sam": ("participant", "says the most"),
        "Jo": ("interviewer", "the one other speaker"),
    }
    by_name = assign_roles([("Jo", 500), ("Sam", 20)], names=["Sam Okafor"])
    assert by_name["Sam"][0] == "participant" and by_name["Jo"][0] == "interviewer"
    fixed = assign_roles(turns, fixed={"Sam": "interviewer", "Jo": "participant"})
    assert fixed["Sam"] == ("interviewer", "speakers: in the front matter")
    three = assign_roles([("Researcher 1", 50), ("Sam", 300), ("Kit", 40)])
    assert three["Researcher 1"][0] == "interviewer" and three["Kit"] == ("other", "not recognised")


def test_txt_with_front_matter_header_and_speakers(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(
        "---\ncase: A\nspeakers:\n  Kit: interviewer\n---\n"
        "03-Feb-2023 - 09:12 - 47m05s \u2013 Sam\n\nKit: How did it start?\n\nSam: Slowly.\n",
        encoding="utf-8",
    )
    source = read_source(path)
    assert source.text.startswith("Kit: How did it start?")  # the header is not codable text
    assert source.attributes["date"] == "2023-02-03" and source.attributes["name"] == "Sam"
    assert source.attributes["speakers"] == {"Kit": "interviewer"}


def test_project_speakers_roles_and_private_names(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        docs={
            "A/one.txt": "12-Jan-2024 - 10:00 - 30m - Dana Reyes\n\nResearcher 1: Tell me about "
            "the project.\n\nDana: It began with a pilot in two schools and grew "
            "quickly once the staff saw results.\n\nResearcher 1: Thanks.",
            "A/two.txt": "---\nspeakers:\n  Lee: interviewer\n  Max: participant\n---\n"
            "Lee: Go on.\n\nMax: Yes.",
        }
    )
    project = casework.open_project(root)
    speakers = project.speakers.set_index(["doc_id", "speaker"])
    assert speakers.loc[("A/one", "Researcher 1"), "role"] == "interviewer"
    assert speakers.loc[("A/one", "Dana"), "role"] == "participant"
    assert speakers.loc[("A/one", "Dana"), "how"] == "the participant's name"
    assert speakers.loc[("A/one", "Researcher 1"), "turns"] == 2
    assert speakers.loc[("A/two", "Max"), "how"] == "speakers: in the front matter"
    one = project.segments[project.segments["doc_id"] == "A/one"]
    assert one["speaker_role"].tolist() == ["interviewer", "participant", "interviewer"]
    assert "Dana Reyes" not in project.text("A/one")
    assert project.private["A/one"] == {"name": "Dana Reyes"}
    docs = project.documents.set_index("doc_id")
    assert "name" not in docs.columns and docs.loc["A/one", "date"] == "2024-01-12"
    assert set(docs["participant_id"]) == {"P01", "P02"}
    assert main(["speakers", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Researcher 1" in out and "interviewer" in out and "the participant's name" in out


def test_bad_speaker_role_names_the_field(make_project: Callable[..., Path]) -> None:
    root = make_project(docs={"A/x.txt": "---\nspeakers:\n  Lee: boss\n---\nLee: Hi."})
    with pytest.raises(SourceError, match=r"speakers.Lee.*interviewer, participant, other"):
        _ = casework.open_project(root).documents


def test_suggestions_stay_in_participants_turns(make_project: Callable[..., Path]) -> None:
    root = make_project(
        docs={
            "A/one.txt": "Researcher 1: Did the children change? Tell me about practice\n"
            "Dana: The children changed a lot and practice too.\n\n"
            "Researcher 1: And capacity?\n\n"
            "Dana: Capacity was thin, there was never enough time.",
        }
    )
    project = casework.open_project(root)
    rows = project.suggest()
    assert len(rows) >= 3
    segments = project.segments[project.segments["doc_id"] == "A/one"]
    for row in rows.itertuples():
        holder = segments[(segments["start"] <= row.start) & (row.end <= segments["end"])]
        assert len(holder) == 1, row.quote  # inside one turn
        assert holder["speaker_role"].iloc[0] == "participant", row.quote
        assert row.quote == project.text("A/one")[row.start : row.end]
    assert rows["coding_id"].is_unique
    (root / "casework.toml").write_text(
        (root / "casework.toml").read_text() + "[nlp]\ninterviewer_turns = true\n"
    )
    everyone = casework.open_project(root).suggest()
    assert len(everyone) > len(rows)
    assert any(q.startswith("Did the children") or "capacity?" in q for q in everyone["quote"])


def test_keep_to_turns_splits_cuts_and_drops() -> None:
    import numpy as np
    import pandas as pd

    from casework.nlp._assemble import Merged
    from casework.nlp._turns import keep_to_turns
    from casework.tables import Tables

    text = "Q: Why? Because\nSam: it works. Yes.\n\nQ: Ok."
    q2 = text.index("Q: Ok.")
    segments = pd.DataFrame(
        {
            "doc_id": ["d"] * 3,
            "start": [0, text.index("Sam"), q2],
            "end": [text.index("\nSam"), text.index("\n\n"), len(text)],
            "speaker": ["Q", "Sam", "Q"],
            "speaker_role": ["interviewer", "participant", "interviewer"],
        }
    )
    tables = Tables(
        pd.DataFrame({"doc_id": ["d"]}), segments, pd.DataFrame(), pd.DataFrame(), {"d": text}
    )
    # "Because … works." crosses a turn; "Yes.\n\nQ: Ok." starts in one and runs on;
    # "Why?" is the interviewer's
    starts = np.array([text.index("Because"), text.index("Yes"), text.index("Why")])
    ends = np.array([text.index("works.") + 6, len(text), text.index("?") + 1])
    merged = Merged(
        ["d"],
        ["c"],
        ["r"],
        np.zeros(3, np.int64),
        np.zeros(3, np.int64),
        starts,
        ends,
        np.ones(3, bool),
        np.full(3, np.nan),
        np.zeros(3, np.int64),
    )
    out = keep_to_turns(merged, tables, interviewer=False)
    assert sorted(text[a:b] for a, b in zip(out.start, out.end, strict=True)) == [
        "Yes.",
        "it works.",
    ]
    both = keep_to_turns(merged, tables, interviewer=True)
    assert sorted(text[a:b] for a, b in zip(both.start, both.end, strict=True)) == [
        "Because",
        "Ok.",
        "Why?",
        "Yes.",
        "it works.",
    ]


def test_the_opening_sentence_reads_naturally_whatever_is_recorded() -> None:
    import pandas as pd

    from casework.chapters import sources_sentence

    def docs(roles: list[object], kinds: list[str] | None = None) -> pd.DataFrame:
        frame = pd.DataFrame({"role": roles})
        return frame.assign(kind=kinds) if kinds else frame

    assert sources_sentence(docs(["Teacher", None, ""])) == (
        "This chapter draws on three interviews: a Teacher and two participants whose roles "
        "are not recorded."
    )
    assert sources_sentence(docs(["Parent", "Parent", "Head"])) == (
        "This chapter draws on three interviews: two Parents and a Head."
    )
    assert sources_sentence(docs([None])) == (
        "This chapter draws on one interview: one participant whose role is not recorded."
    )
    assert sources_sentence(docs(["Parent", "Field notes"], ["transcript", "notes"])) == (
        "This chapter draws on one interview and one set of field notes: a Parent."
    )
    assert sources_sentence(docs(["Early years practitioner"])).endswith(
        "an Early years practitioner."
    )


def test_validate_warns_about_missing_roles_and_speakers(make_project: Callable[..., Path]) -> None:
    root = make_project(
        docs={
            "A/one.txt": "Kit: Hello.\n\nLee: Hi.\n\nMo: Yes.",
            "A/two.md": "---\nrole: Teacher\n---\nInterviewer: How?\n\nAnn: Well.",
        }
    )
    problems = casework.open_project(root).validate()
    warnings = [str(p) for p in problems if p.warning]
    assert any("transcripts/A/one.txt" in w and "Participant 1" in w for w in warnings), warnings
    assert any("no speaker was recognised as the interviewer" in w for w in warnings), warnings
    assert not any("two.md" in w for w in warnings)
    assert all(p.warning for p in problems)


def test_a_role_title_as_label_is_not_a_name(make_project: Callable[..., Path]) -> None:
    from casework.privacy import name_mask

    root = make_project(
        docs={
            "A/one.md": "---\nrole: Head Teacher\n---\nInterviewer: And then?\n\n"
            "Head Teacher: The Head Teacher in the next school agreed.",
            "A/two.txt": "Interviewer: Hi.\n\nHead Smith: Our head of year, Mrs Head, agreed.",
        }
    )
    project = casework.open_project(root)
    named = dict(zip(project.speakers["speaker"], project.speakers["named"], strict=True))
    assert named == {"Interviewer": False, "Head Teacher": False, "Head Smith": True}
    mask = name_mask(project)
    assert mask.redact("Head Teacher: The Head Teacher agreed.") == (
        "[Participant] The Head Teacher agreed."
    )
    assert mask.redact("Head Smith said; our head agreed") == "[name] said; our head agreed"


def _odt(path: Path, paragraphs: list[str], *, author: str, title: str) -> None:
    import zipfile
    from xml.sax.saxutils import escape

    body = "".join(f"<text:p>{escape(p).replace('  ', ' <text:s/>')}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        f"<office:text>{body[: body.index('</text:p>') + 9]}<text:h>Interview</text:h>"
        f"<text:list><text:list-item>{body[body.index('</text:p>') + 9 :]}"
        "</text:list-item></text:list></office:text></office:body></office:document-content>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-meta '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
        f"<dc:title>{title}</dc:title><meta:initial-creator>{author}</meta:initial-creator>"
        "</office:meta></office:document-meta>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
        z.writestr("meta.xml", meta)


def test_odt_transcripts_are_read(tmp_path: Path) -> None:
    path = tmp_path / "Kim.odt"
    _odt(
        path,
        ["03-Feb-2023 - 09:12 - Kim", "Interviewer: How was it?", "Kim: Good  overall."],
        author="Helen Marsh",
        title="Kim's interview",
    )
    source = read_source(path)
    assert source.text == "Interview\n\nInterviewer: How was it?\n\nKim: Good  overall."
    assert source.attributes["author"] == "Helen Marsh"
    assert source.attributes["title"] == "Kim's interview"
    assert [s.speaker for s in source.segments] == ["", "Interviewer", "Kim"]
    (tmp_path / "bad.odt").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SourceError, match=r"bad.odt.*OpenDocument"):
        read_source(tmp_path / "bad.odt")


def test_name_mask_prefers_the_longest_name_and_whole_words() -> None:
    from casework.privacy import NameMask

    mask = NameMask(["Ann", "Anna", "Ann Lee", "Bo", "C.J. Day", "O'Neil"])
    text = "Ann met Anna and Ann Lee; Bo saw C.J. Day and O'Neil. Annie, Bob and Anne stay."
    assert mask.redact(text) == (
        "[name] met [name] and [name]; [name] saw [name] and [name]. Annie, Bob and Anne stay."
    )
