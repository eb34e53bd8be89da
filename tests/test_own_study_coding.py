"""The hand coding of the own study applies to the study as built (#14's evaluation)."""

from __future__ import annotations

from pathlib import Path

from own_study_coding import CODED, build_study, sentence_spans

import casework


def test_hand_coding_finds_its_sentences(tmp_path: Path) -> None:
    root = build_study(tmp_path)
    project = casework.open_project(root)
    texts = "\n".join(project.text(d) for d in project.documents["doc_id"])
    missing = [opening for opening in CODED if opening not in texts]
    # each interview uses one answer of eight per theme: most openings occur somewhere
    assert len(missing) < len(CODED) // 2, missing
    codings = project.codings[project.codings["coder"] == "researcher"]
    assert len(codings) > 150 and codings["doc_id"].nunique() == len(project.documents)
    segments = project.segments
    for row in codings.head(60).itertuples():
        quote = project.text(row.doc_id)[row.start : row.end]
        assert quote == row.quote and not quote.endswith(" ")
        holder = segments[
            (segments["doc_id"] == row.doc_id)
            & (segments["start"] <= row.start)
            & (row.end <= segments["end"])
        ]
        assert len(holder) == 1  # one sentence, inside one turn
        if "speaker_role" in holder.columns:
            assert holder["speaker_role"].iloc[0] != "interviewer"


def test_sentence_spans_end_at_the_sentence() -> None:
    text = "Staffing. We lost two volunteers at Christmas and it took until Easter."
    spans = sentence_spans(text)
    assert [(text[a:b], codes) for a, b, codes in spans] == [
        ("Staffing.", ("challenges.staffing",)),
        ("We lost two volunteers at Christmas and it took until Easter.", ("challenges.staffing",)),
    ]
