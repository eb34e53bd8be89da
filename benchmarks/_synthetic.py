"""Synthetic projects for benchmarks: many interviews, many coding events."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from casework._jsonl import append_records
from casework.anchors import make_anchor, text_sha
from casework.store import new_id

REPO = Path(__file__).resolve().parents[1]
WORDS = (
    "the programme helped staff settings parents children quality practice support local "
    "authority specialist training workshop strategy partnership capacity evidence outcomes "
    "team early years school readiness engagement challenge reflection impact data ofsted "
    "network mentoring time funding leadership change confidence learning home visits"
).split()


def paragraph(rng: random.Random, n_words: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n_words)]
    sentences, i = [], 0
    while i < len(words):
        k = rng.randint(8, 20)
        chunk = words[i : i + k]
        sentences.append(" ".join(chunk).capitalize() + ".")
        i += k
    return " ".join(sentences)


def interview(rng: random.Random, words: int) -> str:
    paras, left = [], words
    while left > 0:
        n = min(left, rng.randint(60, 140))
        speaker = rng.choice(["Interviewer", "Respondent"])
        paras.append(f"{speaker}: {paragraph(rng, n)}")
        left -= n
    return "\n\n".join(paras)


def make_project(
    root: Path, *, interviews: int, words: int = 5000, cases: int = 20,
    codings: int = 0, seed: int = 1,
) -> Path:  # fmt: skip
    """Write a project with ``interviews`` transcripts and ``codings`` code events."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "codebooks").mkdir(parents=True)
    shutil.copy(REPO / "codebooks" / "peer_support.yaml", root / "codebooks" / "peer_support.yaml")
    (root / "casework.toml").write_text(
        '[project]\nname = "synthetic"\ncodebook = "codebooks/peer_support.yaml"\ncoder = "bench"\n'
    )
    case_ids = [f"C{i:03d}" for i in range(cases)]
    (root / "cases.csv").write_text("case_id,size\n" + "".join(f"{c},{i}\n" for i, c in enumerate(case_ids)))
    texts: dict[str, str] = {}
    for i in range(interviews):
        case = case_ids[i % cases]
        doc = f"{case}/interview_{i:05d}"
        text = interview(rng, words)
        path = root / "transcripts" / f"{doc}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\nparticipant: P{i:05d}\nrole: Role {i % 3}\n---\n{text}\n")
        texts[doc] = text
    if codings:
        write_codings(root, texts, codings, rng)
    return root


def leaf_codes() -> list[str]:
    from casework.codebook import Codebook

    cb = Codebook.from_disk(REPO / "codebooks" / "peer_support.yaml")
    codes = cb.codes
    parents = set(codes["parent_id"].dropna())
    return [c for c in codes["code_id"] if c not in parents]


def write_codings(root: Path, texts: dict[str, str], n: int, rng: random.Random) -> None:
    codes = leaf_codes()
    docs = list(texts)
    shas = {d: text_sha(t) for d, t in texts.items()}
    path = root / "codings" / "bench.jsonl"
    batch: list[dict[str, object]] = []
    for i in range(n):
        doc = docs[i % len(docs)]
        text = texts[doc]
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randint(40, 300)
        a = make_anchor(text, start, end)
        batch.append({
            "eid": new_id(), "batch": f"b{i // 500}", "coder": "bench",
            "at": "2026-11-23T18:00:00.000Z", "event": "code", "id": new_id(), "doc": doc,
            "code": codes[i % len(codes)], "start": start, "end": end, "quote": a.quote,
            "prefix": a.prefix, "suffix": a.suffix, "sha": shas[doc], "source": "manual",
        })  # fmt: skip
        if len(batch) == 50_000:
            append_records(path, batch)
            batch = []
    append_records(path, batch)
