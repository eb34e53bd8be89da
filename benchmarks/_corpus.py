"""Realistic benchmark corpora: generated interviews every benchmark uses (nothing shipped).

Why: the earlier benchmarks drew from the demo's sentences or a 41-word list, which keeps
spaCy's tokenizer cache full and makes everything look faster than real transcripts are.
Here the text is made as follows:

* **Vocabulary**: the ``VOCABULARY`` (60,000) most probable lower-case words of
  spacy-lookups-data's ``en_lexeme_prob`` table (read offline from the installed package),
  drawn with Zipf's law by rank (weight ``1 / (rank + 2.7)``), so a 5,000-word interview
  uses ~2,000 word types and 2 million words use tens of thousands.
* **Interviews**: Markdown with front matter, ``## `` headings every few turns, alternating
  ``Interviewer:`` turns (one or two sentences ending in a question) and ``Participant:``
  turns (2-9 sentences, lengths log-normal around 16 words), commas, capitalised sentence
  starts, the odd quotation in curly quotes, number or capitalised name.
* **Topic phrases** (the demo codebook's keywords and 1,500 made-up two-word phrases) are
  put into about one sentence in four, and the demo codebook's example sentences into one in
  fifty, so keyword and pattern rules fire at rates like the demo's, not never.
* **Codebook**: the demo's (``codebooks/peer_support.yaml``) with keywords topped up to
  500 (topic phrases and single words of middling rank) and Matcher patterns to 200 (in
  the demo's styles, over corpus words).

Every document gets its own random stream (seed, document number), so every document is
distinct and any one can be regenerated alone.
"""

from __future__ import annotations

import functools
import math
import random
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEMO_CODEBOOK = REPO / "codebooks" / "peer_support.yaml"
VOCABULARY = 60_000
N_KEYWORDS, N_PATTERNS = 500, 200
SPEAKERS = ("Interviewer", "Participant")
_WORD = re.compile(r"[a-z]+")


# --------------------------------------------------------------------------- vocabulary
@functools.lru_cache(maxsize=2)
def vocabulary(size: int = VOCABULARY) -> tuple[np.ndarray, np.ndarray]:
    """The ``size`` most probable lower-case words (by ``en_lexeme_prob``) and the
    cumulative Zipf probabilities of drawing each, by rank."""
    import spacy_lookups_data
    import srsly

    probs: dict[str, float] = srsly.read_gzip_json(
        Path(str(spacy_lookups_data.get_file("en_lexeme_prob.json.gz")))
    )
    words = [w for w in probs if len(w) <= 20 and _WORD.fullmatch(w)]
    words.sort(key=lambda w: (-probs[w], w))
    if len(words) < size:
        raise SystemExit(f"en_lexeme_prob has only {len(words):,} lower-case words")
    ranked = np.array(words[:size], dtype=object)
    weights = 1.0 / (np.arange(size) + 2.7)
    return ranked, np.cumsum(weights / weights.sum())


def content_words(lo: int = 400, hi: int = 8000) -> list[str]:
    """Words of middling rank (roughly: nouns, verbs and adjectives of ordinary talk)."""
    words, _ = vocabulary()
    return [w for w in words[lo:hi].tolist() if len(w) > 3]


@functools.lru_cache(maxsize=1)
def topic_phrases() -> tuple[str, ...]:
    """Phrases the interviews talk about: the demo's keywords, then made-up word pairs."""
    from casework.codebook import Codebook

    demo = [k for c in Codebook.from_disk(DEMO_CODEBOOK).entries for k in c.keywords]
    rng = random.Random(5)
    pool = content_words()
    made = {f"{rng.choice(pool)} {rng.choice(pool)}" for _ in range(1500)}
    return tuple(dict.fromkeys([*demo, *sorted(made)]))


@functools.lru_cache(maxsize=1)
def demo_examples() -> tuple[str, ...]:
    from casework.codebook import Codebook

    return tuple(e for c in Codebook.from_disk(DEMO_CODEBOOK).entries for e in c.examples)


# --------------------------------------------------------------------------- text
class _Writer:
    """Draws words and builds sentences, turns and sections for one document."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.words, self.cum = vocabulary()
        self.phrases = topic_phrases()
        self.phrase_cum = np.cumsum(1.0 / (np.arange(len(self.phrases)) + 1.0))
        self.phrase_cum /= self.phrase_cum[-1]
        self.examples = demo_examples()
        self._pool: list[str] = []

    def draw(self, n: int) -> list[str]:
        if len(self._pool) < n:
            idx = np.searchsorted(self.cum, self.rng.random(max(4096, n)))
            self._pool.extend(self.words[np.minimum(idx, len(self.words) - 1)].tolist())
        out, self._pool = self._pool[:n], self._pool[n:]
        return out

    def sentence(self, question: bool = False) -> str:
        rng = self.rng
        if not question and rng.random() < 0.02 and self.examples:
            return str(self.examples[int(rng.integers(len(self.examples)))])
        n = int(min(60, max(3, rng.lognormal(math.log(14), 0.55))))
        words = self.draw(n)
        if rng.random() < 0.25:
            k = int(np.searchsorted(self.phrase_cum, rng.random()))
            words.insert(int(rng.integers(len(words) + 1)), self.phrases[k])
        marks = rng.random(len(words))
        for i, w in enumerate(words):
            if w == "i":
                words[i] = "I"
            elif marks[i] < 0.01:
                words[i] = w.capitalize()  # a name or a place
            elif marks[i] < 0.015:
                words[i] = str(int(rng.integers(2, 120)))
        commas = np.flatnonzero(rng.random(len(words) - 1) < 0.07)
        for i in commas.tolist():
            words[i] += ","
        if len(words) > 6 and rng.random() < 0.04:  # reported speech
            at = int(rng.integers(1, len(words) - 3))
            words[at] = "“" + words[at].capitalize()
            words[-1] += ",”"
            words.append(rng.choice(["she said", "he said", "they said"]))
        end = "?" if question else rng.choice([".", ".", ".", ".", ".", ".", "!", "..."])
        text = " ".join(words)
        return text[0].upper() + text[1:] + end

    def heading(self) -> str:
        return "## " + " ".join(w.capitalize() for w in self.draw(int(self.rng.integers(1, 4))))

    def interview(self, n_words: int) -> str:
        rng = self.rng
        blocks: list[str] = [self.heading()]
        left, turn = n_words, 0
        while left > 0:
            if turn and turn % int(rng.integers(6, 14)) == 0:
                blocks.append(self.heading())
            asking = turn % 2 == 0
            count = int(rng.integers(1, 3)) if asking else int(rng.integers(2, 10))
            sents = [self.sentence(question=asking and i == count - 1) for i in range(count)]
            body = " ".join(sents)
            blocks.append(f"{SPEAKERS[turn % 2]}: {body}")
            left -= body.count(" ") + 1
            turn += 1
        return "\n\n".join(blocks)


def interview(seed: int | random.Random, words: int, number: int = 0) -> str:
    """Document ``number`` of the corpus ``seed``: about ``words`` words of interview
    (``seed`` may be a ``random.Random``, which then chooses the stream)."""
    if isinstance(seed, random.Random):
        seed = seed.getrandbits(63)
    return _Writer(np.random.default_rng([seed, number])).interview(words)


def corpus(n_docs: int, words: int = 5000, seed: int = 7, cases: int = 20) -> dict[str, str]:
    """``n_docs`` distinct interviews by document id (``C###/interview_#####``)."""
    return {doc_id(i, cases): interview(seed, words, i) for i in range(n_docs)}


def doc_id(i: int, cases: int = 20) -> str:
    return f"C{i % cases:03d}/interview_{i:05d}"


# --------------------------------------------------------------------------- codebook
def codebook(seed: int = 11, keywords: int = N_KEYWORDS, patterns: int = N_PATTERNS) -> Any:
    """The demo codebook with keywords topped up to ``keywords`` and patterns to
    ``patterns``, spread over its leaf codes (the demo's own rules kept as they are)."""
    from casework.codebook import Codebook

    rng = random.Random(seed)
    book = Codebook.from_disk(DEMO_CODEBOOK)
    leaves = [c for c in book.entries if c.parent]
    have = {k for c in book.entries for k in c.keywords}
    n_patterns = sum(len(c.patterns) for c in book.entries)
    pool = content_words()
    phrases = [p for p in topic_phrases() if p not in have]
    singles = [w for w in content_words(1000, 20000) if w not in have]
    want = max(0, keywords - len(have))
    extra_kw = phrases[: want // 2] + rng.sample(singles, want - want // 2)
    extra_pt = [_pattern(rng, pool, i) for i in range(max(0, patterns - n_patterns))]
    adds: dict[str, tuple[list[str], list[Any]]] = {c.id: ([], []) for c in leaves}
    for i, kw in enumerate(extra_kw):
        adds[leaves[i % len(leaves)].id][0].append(kw)
    for i, pt in enumerate(extra_pt):
        adds[leaves[i % len(leaves)].id][1].append(pt)
    codes = [
        c.replace(keywords=(*c.keywords, *adds[c.id][0]), patterns=(*c.patterns, *adds[c.id][1]))
        if c.id in adds
        else c
        for c in book.entries
    ]
    return Codebook(codes, name=f"{book.name} (scaled for benchmarks)")


def _pattern(rng: random.Random, words: list[str], i: int) -> list[dict[str, Any]]:
    """Patterns in the demo codebook's styles: IN lists, optional tokens, lemmas, operators."""
    a, b, c, d = rng.sample(words, 4)
    kind = i % 4
    if kind == 0:  # like [{LEMMA: scope}, {LOWER: {IN: [meeting, session, ...]}}]
        return [{"LEMMA": a}, {"LOWER": {"IN": [b, c, d]}}]
    if kind == 1:  # literal with an optional hyphen, like "outcomes(-)based accountability"
        return [{"LOWER": {"IN": [a, b]}}, {"LOWER": "-", "OP": "?"}, {"LOWER": c}]
    if kind == 2:  # operator in the middle, like [{LEMMA: extend}, {...OP: "*"}, {LOWER: by}]
        return [{"LEMMA": a}, {"IS_ALPHA": True, "OP": "*"}, {"LOWER": b}]
    return [
        {"LEMMA": {"IN": [a, b]}},
        {"LOWER": {"IN": ["the", "a", "our"]}, "OP": "?"},
        {"LEMMA": c},
    ]


# --------------------------------------------------------------------------- projects
def make_project(
    root: Path,
    *,
    interviews: int,
    words: int = 5000,
    cases: int = 20,
    codings: int = 0,
    seed: int = 1,
) -> Path:
    """Write a project: ``interviews`` transcripts, the scaled codebook, ``cases.csv`` and
    ``codings`` code events by coder ``bench``."""
    if root.exists():
        shutil.rmtree(root)
    (root / "codebooks").mkdir(parents=True)
    codebook().to_disk(root / "codebooks" / "bench.yaml")
    (root / "casework.toml").write_text(
        '[project]\nname = "synthetic"\ncodebook = "codebooks/bench.yaml"\ncoder = "bench"\n'
    )
    case_ids = [f"C{i:03d}" for i in range(cases)]
    rows = "".join(f"{c},{i}\n" for i, c in enumerate(case_ids))
    (root / "cases.csv").write_text("case_id,size\n" + rows)
    texts: dict[str, str] = {}
    for i in range(interviews):
        doc = doc_id(i, cases)
        text = interview(seed, words, i)
        path = root / "transcripts" / f"{doc}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\nparticipant: P{i:05d}\nrole: Role {i % 3}\n---\n{text}\n")
        texts[doc] = text
    if codings:
        write_codings(root, texts, codings, random.Random(seed))
    return root


def leaf_codes() -> list[str]:
    from casework.codebook import Codebook

    codes = Codebook.from_disk(DEMO_CODEBOOK).codes
    parents = set(codes["parent_id"].dropna())
    return [c for c in codes["code_id"] if c not in parents]


def write_codings(root: Path, texts: dict[str, str], n: int, rng: random.Random) -> None:
    """``n`` code events spread over the documents (anchored as the store anchors them)."""
    from casework.store import append_records, make_anchor, new_id, text_sha

    codes = leaf_codes()
    docs = list(texts)
    shas = {d: text_sha(t) for d, t in texts.items()}
    path = root / "codings" / "bench.jsonl"
    batch: list[dict[str, object]] = []
    for i in range(n):
        doc = docs[i % len(docs)]
        text = texts[doc]
        start = rng.randrange(0, max(1, len(text) - 400))
        end = min(len(text), start + rng.randint(40, 300))
        a = make_anchor(text, start, end)
        batch.append(
            {
                "eid": new_id(),
                "batch": f"b{i // 500}",
                "coder": "bench",
                "at": "2026-11-23T18:00:00.000Z",
                "event": "code",
                "id": new_id(),
                "doc": doc,
                "code": codes[i % len(codes)],
                "start": start,
                "end": end,
                "quote": a.quote,
                "prefix": a.prefix,
                "suffix": a.suffix,
                "sha": shas[doc],
                "source": "manual",
                # as Project.code writes them: a real log's lines carry these nulls
                "confidence": None,
                "reason": None,
                "memo": None,
            }
        )
        if len(batch) == 50_000:
            append_records(path, batch)
            batch = []
    append_records(path, batch)


# --------------------------------------------------------------------------- reporting
def load() -> str:
    """The 1-minute load average and the core count, for printing beside a figure."""
    import os

    return f"load {os.getloadavg()[0]:.2f}/{os.cpu_count()} cores"


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"
