"""Pseudonymised copies: names, patterns, entities, codings carried over, the key apart."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import spacy

import casework
from casework.errors import ProjectError
from casework.nlp._pseudonyms import Pseudonymiser, map_offset, read_names
from casework.nlp.redact import redact_project

LEAD = """\
---
participant: A-LA
name: Catherine Holloway
role: LA lead
---
Catherine Holloway leads early years in Northshire. Email catherine.h@northshire.gov.uk or
call 020 7946 0018. The office is at LS1 4AP.

In 2012 about 1,500 children took part. Catherine said budget cuts hurt Northshire.
"""
SPECIALIST = """\
---
participant: A-SS
name: Sam Okafor
role: Sector Specialist
---
SS: I worked with Catherine for ten days in Leeds. Ring me on +44 (0)7700 900123.
"""
NAMES = "# people and places to hide\nCatherine Holloway | Catherine\nplace: Northshire\n"


@pytest.fixture
def project(make_project) -> Path:  # type: ignore[no-untyped-def]
    root = make_project(
        docs={"A/lead.md": LEAD, "A/specialist.md": SPECIALIST},
        cases="case_id,title\nA,Northshire County\nB,Other\n",
    )
    (root / "redact.txt").write_text(NAMES, encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00binary")
    (root / ".casework" / "docs").mkdir(parents=True)
    (root / ".casework" / "docs" / "x.spacy").write_bytes(b"cached Catherine")
    (root / "notebooks").mkdir()
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": ["q = 'Catherine'\n"],
                "outputs": [{"text": "Catherine Holloway"}],
                "execution_count": 3,
                "metadata": {},
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "notebooks" / "explore.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    study = casework.open_project(root)
    text = study.text("A/lead")
    said = text.index("Catherine said")
    study.code("A/lead", "challenges.capacity", said, text.index("hurt") + 4, memo="Catherine!")
    study.code("A/lead", "impact.children", text.index("In 2012"), text.index("took part") + 9)
    start = text.index("leads")
    study.reject("A/lead", "impact.practice", start, start + 5, reason="not about Northshire")
    return root


def test_copy_is_pseudonymised_and_codings_follow(project: Path, tmp_path: Path) -> None:
    result = redact_project(project, tmp_path / "anon", ner=False)
    copy = casework.open_project(tmp_path / "anon")
    lead, ss = copy.text("A/lead"), copy.text("A/specialist")
    for secret in ("Catherine", "Holloway", "Northshire", "@", "7946", "LS1", "7700", "Okafor"):
        assert secret not in lead + ss
    assert lead.startswith("Person 1 leads early years in Place 1. Email Email 1 or\ncall Phone 1.")
    assert (
        "at Postcode 1." in lead and "about 1,500 children" in lead
    )  # numbers that are not phones
    assert "worked with Person 1 for ten days" in ss and "Ring me on Phone 2." in ss
    assert copy.private["A/lead"]["name"] == "Person 1"
    assert copy.private["A/specialist"]["name"] == "Person 2"
    quotes = dict(zip(copy.codings["code_id"], copy.codings["quote"], strict=True))
    assert quotes["challenges.capacity"] == "Person 1 said budget cuts hurt"
    assert quotes["impact.children"] == "In 2012 about 1,500 children took part"
    assert set(copy.codings["memo"].dropna()) == {"Person 1!"}
    assert (
        copy.orphans.empty
        and result.codings == 2
        and result.rejections == 1
        and result.orphans == 0
    )
    rejection = copy.rejections.iloc[0]
    assert lead[rejection.start : rejection.end] == "leads"
    assert rejection.reason == "not about Place 1"


def test_the_key_is_beside_the_copy(project: Path, tmp_path: Path) -> None:
    result = redact_project(project, tmp_path / "anon", ner=False)
    assert result.key_path == tmp_path / "anon.key.csv" and result.key_path.exists()
    key = pd.read_csv(result.key_path)
    pairs = dict(zip(key["original"], key["pseudonym"], strict=True))
    assert pairs["Catherine Holloway"] == pairs["Catherine"] == "Person 1"
    assert pairs["Northshire"] == "Place 1" and pairs["Sam Okafor"] == "Person 2"
    assert pairs["020 7946 0018"] == "Phone 1"
    inside = [p for p in (tmp_path / "anon").rglob("*") if p.is_file()]
    assert not any(p.name.endswith(".key.csv") or p.name == "redact.txt" for p in inside)
    everything = b"".join(p.read_bytes() for p in inside)
    assert b"Catherine" not in everything and b"Holloway" not in everything


def test_other_files(project: Path, tmp_path: Path) -> None:
    redact_project(project, tmp_path / "anon", ner=False)
    anon = tmp_path / "anon"
    assert (anon / "logo.png").read_bytes() == (project / "logo.png").read_bytes()
    assert not (anon / ".casework").exists()
    assert "Place 1 County" in (anon / "cases.csv").read_text()
    cell = json.loads((anon / "notebooks" / "explore.ipynb").read_text())["cells"][0]
    assert cell["source"] == ["q = 'Person 1'\n"] and cell["outputs"] == []


def test_entities_from_a_pipeline_with_ner(project: Path, tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(
        [{"label": "GPE", "pattern": "Leeds"}, {"label": "PERSON", "pattern": "Catherine"}]
    )
    result = redact_project(project, tmp_path / "anon", nlp=nlp)
    assert result.ner
    ss = casework.open_project(tmp_path / "anon").text("A/specialist")
    assert "in Place 2." in ss and "with Person 1 for" in ss  # NER entity meets the list entry


def test_refuses_unsafe_destinations(project: Path, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="outside the project"):
        redact_project(project, project / "anon")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(ProjectError, match="not empty"):
        redact_project(project, tmp_path / "full")
    (tmp_path / "anon.key.csv").write_text("old key")
    with pytest.raises(ProjectError, match="never overwritten"):
        redact_project(project, tmp_path / "anon")
    with pytest.raises(ProjectError, match="not a casework project"):
        redact_project(tmp_path / "full", tmp_path / "other")


def test_offsets_map_through_replacements() -> None:
    pz = Pseudonymiser(read_names(["Catherine Holloway | Catherine"]))
    text = "Ask Catherine Holloway. Then Catherine."
    new, edits = pz.redact(text)
    assert new == "Ask Person 1. Then Person 1."
    then = text.index("Then")
    assert new[map_offset(edits, then) : map_offset(edits, then + 4, end=True)] == "Then"
    inside = text.index("Holloway")  # a span starting inside a name widens to the pseudonym
    assert (
        new[map_offset(edits, inside) : map_offset(edits, len(text), end=True)]
        == "Person 1. Then Person 1."
    )
    with pytest.raises(Exception, match="gives no name"):
        read_names(["place:  "])


def test_redact_cli(project: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from casework.cli import main

    names = tmp_path / "names.txt"
    names.write_text("Sam Okafor | Sam\n", encoding="utf-8")
    assert (
        main(
            ["redact", str(project), str(tmp_path / "anon"), "--names", str(names), "--no-patterns"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "2 transcripts" in out and str(tmp_path / "anon.key.csv") in out
    copy = casework.open_project(tmp_path / "anon")
    assert "Northshire" in copy.text("A/lead")  # only names (given or known) are hidden…
    assert "Catherine" not in copy.text("A/lead")  # …the front matter's name always is
    assert "+44" in copy.text("A/specialist")  # …and no patterns
    assert {f["name"] for f in copy.private.values()} == {"Person 1", "Person 2"}  # always
    assert main(["redact", str(project), str(tmp_path / "anon")]) == 2  # not empty: refused
