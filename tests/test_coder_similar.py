""" "More like this" in the Coder, without a browser: every panel action is a message that
becomes one library call (``project.similar``, ``accept``, ``reject``), checked against
the coder's log. The browser side is in tests/browser/test_similar_browser.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

import casework
from casework.errors import CaseworkError
from casework.project import Project
from casework.widgets import Coder

DOC = "A/la_lead"
ME = "tester"


def log(root: Path) -> list[dict[str, Any]]:
    path = root / "codings" / f"{ME}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


class Replies:
    """Stands in for the comm: records what the widget answers the browser."""

    def __init__(self, widget: Coder, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[dict[str, Any]] = []
        monkeypatch.setattr(widget, "send", lambda content, buffers=None: self.sent.append(content))
        self.widget = widget

    def __call__(self, **message: Any) -> dict[str, Any]:
        self.widget._on_message(self.widget, message, [])
        return self.sent[-1]


@pytest.fixture
def project(demo_copy: Path) -> Project:
    return casework.open_project(demo_copy, coder=ME)


@pytest.fixture
def coder(project: Project) -> Coder:
    return Coder(project, doc=DOC)


def a_coding(project: Project, doc: str = DOC) -> pd.Series:
    """The demo coder's first coding in ``doc`` (another coder's: readable, not mine)."""
    codings = project.codings
    return codings[codings["doc_id"] == doc].sort_values("start").iloc[0]


def test_more_like_a_coding_lists_ranked_passages_and_accept_codes_one(
    coder: Coder, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = Replies(coder, monkeypatch)
    c = a_coding(project)
    reply = send(
        action="similar", doc=DOC, start=int(c["start"]), end=int(c["end"]), code=c["code_id"]
    )
    assert reply["ok"] and reply["result"] == 20
    assert log(project.root) == []  # nothing is coded without accept
    listed = coder.similar
    assert listed["code"] == c["code_id"] and listed["label"].startswith(f"like {DOC}")
    sims = [r["similarity"] for r in listed["rows"]]
    assert sims == sorted(sims, reverse=True) and 0 < sims[-1] <= sims[0] <= 1
    for r in listed["rows"]:  # never the query passage itself
        assert not (r["doc"] == DOC and r["start"] < int(c["end"]) and int(c["start"]) < r["end"])
        assert r["text"] == project.text(r["doc"])[r["start"] : r["end"]]
    # accept one in the open document, if any, so its stripe is drawn at once
    here = [r for r in listed["rows"] if r["doc"] == DOC] or listed["rows"]
    pick = here[0]
    before = len(coder.codings)
    reply = send(action="accept_similar", key=pick["key"])
    assert reply["ok"], reply
    event = log(project.root)[-1]
    assert (event["event"], event["doc"], event["code"], event["start"], event["end"]) == (
        "code",
        pick["doc"],
        c["code_id"],
        pick["start"],
        pick["end"],
    )
    assert event["source"] == "similar" and event["confidence"] == pytest.approx(pick["similarity"])
    assert "similarity" in event["reason"]
    assert pick["key"] not in {r["key"] for r in coder.similar["rows"]}
    if pick["doc"] == DOC:
        assert len(coder.codings) == before + 1 and coder.codings[-1]["source"] == "similar"
    mine = project.codings[project.codings["coder"] == ME]
    assert list(mine["code_id"]) == [c["code_id"]]


def test_a_rejected_passage_never_returns_for_that_code(
    coder: Coder, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = Replies(coder, monkeypatch)
    c = a_coding(project)
    query = {"doc": DOC, "start": int(c["start"]), "end": int(c["end"]), "code": c["code_id"]}
    send(action="similar", **query)
    top = coder.similar["rows"][0]
    assert send(action="reject_similar", key=top["key"])["ok"]
    event = log(project.root)[-1]
    assert (event["event"], event["code"], event["start"], event["end"]) == (
        "reject",
        c["code_id"],
        top["start"],
        top["end"],
    )
    assert project.codings[project.codings["coder"] == ME].empty
    send(action="similar", **query)
    assert (top["doc"], top["start"]) not in {(r["doc"], r["start"]) for r in coder.similar["rows"]}
    # a fresh widget on a fresh project (nothing kept in memory) agrees
    again = Coder(casework.open_project(project.root, coder=ME), doc=DOC)
    again.more_like_this(**query)
    assert (top["doc"], top["start"]) not in {(r["doc"], r["start"]) for r in again.similar["rows"]}


def test_passages_about_a_text_need_a_code_before_they_are_coded(
    coder: Coder, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = Replies(coder, monkeypatch)
    assert send(action="similar", text="staff turnover")["ok"]
    listed = coder.similar
    assert listed["code"] == "" and listed["label"] == "about “staff turnover”"
    assert "turnover" in listed["rows"][0]["text"].lower()
    reply = send(action="accept_similar", key=listed["rows"][0]["key"])
    assert not reply["ok"] and "no code" in reply["error"] and "Pick the code" in reply["error"]
    assert log(project.root) == []
    # offered as a code: the same query again, leaving out what was coded with it
    code = "challenges.capacity"
    assert send(action="similar_code", code=code)["ok"]
    assert coder.similar["code"] == code and coder.similar["query"]["text"] == "staff turnover"
    coded = project.codings[project.codings["code_id"] == code]
    first = coder.similar["rows"][0]
    assert send(action="accept_similar", key=first["key"])["ok"]
    assert log(project.root)[-1]["code"] == code
    send(action="similar_code", code=code)
    for r in coder.similar["rows"]:
        assert (r["doc"], r["start"]) != (first["doc"], first["start"])
        mine = coded[(coded["doc_id"] == r["doc"]) & (coded["coder"] == ME)]
        assert not ((mine["start"] < r["end"]) & (r["start"] < mine["end"])).any()


def test_more_like_a_code_leaves_out_what_i_coded_with_it(
    coder: Coder, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = Replies(coder, monkeypatch)
    code = "impact.workforce"
    reply = send(action="similar", code=code)  # I have coded nothing with it yet
    assert not reply["ok"] and "no passage is coded" in reply["error"]
    text = project.text(DOC)
    phrase = "a new EYFS team was formed"
    start = text.index(phrase)
    coder.apply(code, start, start + len(phrase))
    assert send(action="similar", code=code)["ok"]
    rows = coder.similar["rows"]
    assert rows and coder.similar["label"].startswith("like your passages of")
    assert all(not (r["doc"] == DOC and r["start"] <= start < r["end"]) for r in rows)
    assert send(action="close_similar")["ok"] and coder.similar == {}


def test_bad_similar_messages_are_one_line_errors(
    coder: Coder, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = Replies(coder, monkeypatch)
    for message, says in (
        ({"text": "   "}, "nothing to find passages about"),
        ({"code": "no.such.code"}, "no.such.code"),
        ({"doc": DOC, "start": 10**7, "end": 10**7 + 5}, "outside the text"),
    ):
        reply = send(action="similar", **message)
        assert not reply["ok"] and says in reply["error"] and "\n" not in reply["error"]
    assert not send(action="accept_similar", key="0")["ok"]  # nothing listed
    assert not send(action="similar_code", code="challenges")["ok"]


def test_similar_takes_a_text_with_the_code_to_offer(project: Project) -> None:
    code = "challenges.capacity"
    plain = project.similar(text="staff turnover", n=30)
    offered = project.similar(text="staff turnover", code=code, n=30)
    assert set(offered["code_id"]) == {code} and plain["code_id"].isna().all()
    coded = project.codings[project.codings["code_id"] == code]
    top = plain.iloc[0]
    project.reject(top["doc_id"], code, int(top["start"]), int(top["end"]))
    again = project.similar(text="staff turnover", code=code, n=30)
    assert (top["doc_id"], top["start"]) not in set(
        zip(again["doc_id"], again["start"], strict=True)
    )
    assert len(coded) == len(project.codings[project.codings["code_id"] == code])
    with pytest.raises(CaseworkError, match="one of passage, code or text"):
        project.similar(passage=(DOC, 0, 50), text="staff")


def test_the_coder_never_waits_for_the_model_to_train(
    make_project: Callable[..., Path],
) -> None:
    class Recording(Project):
        asked: ClassVar[list[dict[str, Any]]] = []

        def suggest(  # type: ignore[override]
            self, *, doc_ids: Any = None, coder: Any = None, background: bool = False
        ) -> pd.DataFrame:
            self.asked.append({"doc_ids": doc_ids, "coder": coder, "background": background})
            return pd.DataFrame(columns=["doc_id", "code_id", "start", "end"])

    widget = Coder(Recording(make_project()), doc="A/lead")
    widget.show_suggestions = True
    assert Recording.asked == [{"doc_ids": ["A/lead"], "coder": "tester", "background": True}]
