"""Codebook rules compiled into as few matchers as possible, and run over parsed docs.

Each code may carry ``keywords`` (words or phrases) and spaCy Matcher ``patterns``. They
compile into one PhraseMatcher per attribute (LOWER and LEMMA; ORTH only if a pattern
asks for it) and a few Matchers:

* every keyword is a LOWER entry (any capitalisation) and a LEMMA entry ("outcome for
  child" matches "outcomes for children");
* a pattern of literal tokens on one attribute becomes the token sequences it matches;
  one mixing LOWER and LEMMA becomes LEMMA entries whose LOWER tokens are checked on each
  match (exact, because the default pipeline's lemma depends only on the lower-case word);
* any other pattern goes to a Matcher shared with the patterns that need the same literal
  tokens (see :mod:`casework.nlp._patterns`). Those tokens sit in the PhraseMatchers too, so
  a single pass finds keyword hits and the sentences where a Matcher pattern could match;
  the Matcher then runs only there, on a window around its rarest token (or the sentence,
  for unbounded patterns). Patterns without any literal token run over whole docs.

A spaCy Matcher costs time per pattern on every token it sees; a PhraseMatcher's cost
hardly grows with its entries. So the compiled rules cost little more than one pass.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

from casework.errors import CodebookError, Problem
from casework.nlp._docindex import DocIndex, Hit, Hits
from casework.nlp._patterns import (
    Step,
    keyword_list,
    max_length,
    rarest,
    required_parts,
    sequences,
    spacy_reason,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["Hit", "Hits", "Rule", "RuleSet", "RuleStats", "compile_rules", "run_rules"]

#: Bump when compiling or matching changes what rules find.
RULES_VERSION = "1"
_FIX = (
    "Write keywords as a YAML list of words or phrases, e.g. keywords: [school readiness, "
    "outcomes for children]; write each pattern as a list of spaCy token dicts."
)


@dataclass(frozen=True)
class Rule:
    """One keyword or pattern of one code; ``reason`` says which, for the suggestion."""

    code_id: str
    reason: str


@dataclass
class RuleStats:
    """How the rules were compiled."""

    keywords: int = 0
    patterns: int = 0
    phrase_patterns: int = 0  # patterns that run as phrase entries
    matcher_patterns: int = 0
    unanchored_patterns: int = 0
    phrase_entries: int = 0
    matchers: int = 0  # spaCy Matchers for the other patterns (one per set of parts)


@dataclass
class _Group:
    """Matcher patterns needing the same literal tokens (``parts``); they run only in
    sentences holding every part, on windows around the ``lead`` part (the rarest).
    ``reach`` is the longest possible match in tokens, None if unbounded."""

    matcher: Any
    parts: frozenset[int]
    lead: int
    reach: int | None


_RULE, _VERIFY = 0, 2


@dataclass
class RuleSet:
    """Compiled rules: call :meth:`hits` on a parsed doc."""

    rules: list[Rule]
    fingerprint: str
    stats: RuleStats
    _phrase: dict[str, Any] = field(repr=False)
    _groups: list[_Group] = field(repr=False)
    _unanchored: Any = field(repr=False)
    _keys: dict[int, tuple[int, int]] = field(repr=False)  # match id → (kind, number)
    _checks: list[tuple[int, list[list[tuple[int, int, int]]]]] = field(repr=False)
    _users: dict[int, list[int]] = field(repr=False)  # part → groups needing it
    _part_index: dict[str, dict[int, list[int]]] = field(repr=False)  # attr → value id → parts

    def __post_init__(self) -> None:
        ids = np.fromiter(self._keys, dtype=np.uint64, count=len(self._keys))
        order = np.argsort(ids)
        self._ids = ids[order]
        self._kind = np.array([k for k, _ in self._keys.values()], dtype=np.int64)[order]
        self._number = np.array([n for _, n in self._keys.values()], dtype=np.int64)[order]
        self._part_ids = {
            attr: np.array(sorted(values), dtype=np.uint64)
            for attr, values in self._part_index.items()
        }

    def hits(self, doc: Doc, index: DocIndex | None = None) -> Hits:
        """Every rule that fires in ``doc``, one hit per rule and match, in text order
        (``index``: the doc's token arrays, when the caller made them already)."""
        if not len(doc):
            return Hits.empty()
        index = index if index is not None else DocIndex(doc)
        found: list[np.ndarray] = []
        extra: list[tuple[int, int, int]] = []
        has_lemma = doc.has_annotation("LEMMA")
        for attr, matcher in self._phrase.items():
            matches = matcher(doc) if attr != "LEMMA" or has_lemma else []
            if matches:
                flat = np.fromiter(
                    chain.from_iterable(matches), dtype=np.uint64, count=3 * len(matches)
                ).reshape(-1, 3)
                found.append(self._sort_matches(flat, index, extra))
        parts = self._find_parts(index, has_lemma)
        if parts:
            self._run_groups(doc, index, parts, extra)
        if self._unanchored is not None:
            extra += [(self._keys[k][1], s, e) for k, s, e in self._unanchored(doc)]
        if extra:
            found.append(np.array(extra, dtype=np.int64).reshape(-1, 3))
        if not found:
            return Hits.empty()
        table = np.vstack(found)
        return index.hits(table[:, 0], table[:, 1], table[:, 2])

    def _find_parts(self, index: DocIndex, has_lemma: bool) -> dict[int, np.ndarray]:
        """Token positions of every literal token a Matcher pattern needs, by part."""
        parts: dict[int, list[np.ndarray]] = {}
        for attr, ids in self._part_ids.items():
            if attr == "LEMMA" and not has_lemma:
                continue
            column = index.column(attr)
            positions = np.flatnonzero(np.isin(column, ids))
            if not len(positions):
                continue
            which = np.searchsorted(ids, column[positions])
            order = np.argsort(which, kind="stable")
            values, first = np.unique(which[order], return_index=True)
            for value, chunk in zip(
                values.tolist(), np.split(positions[order], first[1:]), strict=True
            ):
                for part in self._part_index[attr][int(ids[value])]:
                    parts.setdefault(part, []).append(chunk)
        return {p: np.sort(np.concatenate(c)) if len(c) > 1 else c[0] for p, c in parts.items()}

    def _sort_matches(
        self, matches: np.ndarray, index: DocIndex, extra: list[tuple[int, int, int]]
    ) -> np.ndarray:
        """Rule matches as (rule, start, end) rows; matches needing a check set aside."""
        at = np.searchsorted(self._ids, matches[:, 0])
        kind, number = self._kind[at], self._number[at]
        spans = matches[:, 1:].astype(np.int64)
        for i in np.flatnonzero(kind == _VERIFY).tolist():
            rule, options = self._checks[int(number[i])]
            if any(index.agrees(int(spans[i, 0]), checks) for checks in options):
                extra.append((rule, int(spans[i, 0]), int(spans[i, 1])))
        plain = kind == _RULE
        return np.column_stack([number[plain], spans[plain, 0], spans[plain, 1]])

    def _run_groups(
        self,
        doc: Doc,
        index: DocIndex,
        parts: dict[int, np.ndarray],
        extra: list[tuple[int, int, int]],
    ) -> None:
        """Run each group's Matcher in the sentences that hold all of its parts."""
        sentences = {p: index.sentence_of(pos).tolist() for p, pos in parts.items()}
        for g in sorted({g for part in parts for g in self._users[part]}):
            group = self._groups[g]
            if not group.parts <= parts.keys():
                continue
            common = set.intersection(*(set(sentences[p]) for p in group.parts))
            if not common:
                continue
            lead = [
                p
                for p, si in zip(parts[group.lead].tolist(), sentences[group.lead], strict=True)
                if si in common
            ]
            for a, b in index.windows(lead, group.reach):
                for key, s, e in group.matcher(doc[a:b]):
                    extra.append((self._keys[key][1], a + s, a + e))


_COMPILED: dict[tuple[int, int], tuple[Any, RuleSet]] = {}


def compile_rules(codebook: Any, nlp: Language) -> RuleSet:
    """Compile the keywords and patterns of every code; bad ones raise one CodebookError.

    ``codebook`` is a :class:`casework.codebook._codebook.Codebook` or anything with a ``codes``
    DataFrame (column ``code_id``) whose ``[code_id]`` gives objects with ``id``,
    ``keywords`` and ``patterns``. The last few results are kept, keyed by the (immutable)
    codebook and the pipeline, so suggesting again does not compile again.
    """
    from casework.codebook import Codebook

    if not isinstance(codebook, Codebook):  # a stand-in may change: compile every time
        return _compile(codebook, nlp)
    key = (hash(codebook), id(nlp))
    if key in _COMPILED and _COMPILED[key][0] == codebook:
        return _COMPILED[key][1]
    if len(_COMPILED) >= 8:
        _COMPILED.pop(next(iter(_COMPILED)))
    ruleset = _compile(codebook, nlp)
    _COMPILED[key] = (codebook, ruleset)
    return ruleset


def _compile(codebook: Any, nlp: Language) -> RuleSet:
    builder = _Builder(nlp)
    path = getattr(codebook, "path", None)
    problems: list[Problem] = []
    for code in _codes(codebook):
        problems += builder.add_code(code, None if path is None else str(path))
    if problems:
        raise CodebookError(problems, fix=_FIX)
    return builder.build()


def _codes(codebook: Any) -> Iterator[Any]:
    if hasattr(codebook, "entries"):
        yield from codebook.entries
    else:
        for code_id in codebook.codes["code_id"]:
            yield codebook[code_id]


class _Builder:
    def __init__(self, nlp: Language) -> None:
        from spacy.matcher import Matcher

        from casework.nlp._components import CaseFoldingLemmatizer

        self.nlp = nlp
        self.rules: list[Rule] = []
        self.entries: dict[str, dict[str, list[tuple[str, ...]]]] = {}
        self.keywords: list[tuple[int, str]] = []
        self.complex: list[tuple[int, list[dict[str, Any]]]] = []
        self.checks: list[tuple[int, list[list[tuple[int, int, int]]]]] = []
        self.stats = RuleStats()
        self.spec: list[Any] = []
        self.checker = Matcher(nlp.vocab, validate=True)
        lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        self.lexical = isinstance(lemmatizer, CaseFoldingLemmatizer)
        self._lemmas: dict[str, str] = {}

    def _rule(self, code_id: str, reason: str, spec: Any) -> int:
        self.rules.append(Rule(code_id, reason))
        self.spec.append([code_id, reason, spec])
        return len(self.rules) - 1

    def _entry(self, attr: str, name: str, words: tuple[str, ...]) -> None:
        if words:
            self.entries.setdefault(attr, {}).setdefault(name, []).append(words)

    def add_code(self, code: Any, path: str | None) -> list[Problem]:
        keywords, problems = keyword_list(code, path)
        for keyword in keywords:
            rule = self._rule(code.id, f'keyword "{keyword}"', keyword)
            if not self.lexical:  # else the LEMMA entry finds every LOWER match and more
                words = tuple(t.lower_ for t in self.nlp.make_doc(keyword) if not t.is_space)
                self._entry("LOWER", f"r{rule}", words)
            self.keywords.append((rule, keyword))
            self.stats.keywords += 1
        patterns = getattr(code, "patterns", ()) or ()
        if isinstance(patterns, (str, Mapping)) or not isinstance(patterns, Sequence):
            return [
                *problems,
                Problem(
                    f"the patterns of code '{code.id}' must be a list of patterns",
                    path,
                    None,
                    "patterns",
                ),
            ]
        for number, pattern in enumerate(patterns, 1):
            problem = self._check(code.id, number, pattern, path)
            if problem:
                problems.append(problem)
            else:
                self._add_pattern(code.id, number, [dict(t) for t in pattern])
        return problems

    def _check(self, code_id: str, number: int, pattern: Any, path: str | None) -> Problem | None:
        where = f"pattern {number} of code '{code_id}'"
        if (
            isinstance(pattern, (str, Mapping))
            or not isinstance(pattern, Sequence)
            or not pattern
            or not all(isinstance(t, Mapping) for t in pattern)
        ):
            return Problem(f"{where} is not a list of token dicts", path, None, "patterns")
        try:
            self.checker.add("check", [[dict(t) for t in pattern]])
        except Exception as exc:  # spaCy raises several kinds for bad patterns
            return Problem(
                f"{where} is not a valid spaCy pattern: {spacy_reason(exc)}", path, None, "patterns"
            )
        return None

    def _add_pattern(self, code_id: str, number: int, pattern: list[dict[str, Any]]) -> None:
        rule = self._rule(code_id, f"pattern {number} of {code_id}", pattern)
        self.stats.patterns += 1
        found = sequences(pattern)
        if found is None or not self._add_sequences(rule, found):
            self.complex.append((rule, pattern))
            self.stats.matcher_patterns += 1
        else:
            self.stats.phrase_patterns += 1

    def _add_sequences(self, rule: int, found: list[tuple[Step, ...]]) -> bool:
        attrs = {attr for seq in found for attr, _ in seq}
        if len(attrs) == 1:
            (attr,) = attrs
            for seq in found:
                self._entry(attr, f"r{rule}", tuple(value for _, value in seq))
            return True
        stage = "LEMMA" if "LEMMA" in attrs else "LOWER"
        if stage == "LEMMA" and not self.lexical:
            return False  # lemmas of this pipeline depend on context: leave it to the Matcher
        keyed: dict[tuple[str, ...], list[list[tuple[int, int, int]]]] = {}
        for seq in found:
            words = tuple(self._stage_value(stage, attr, value) for attr, value in seq)
            keyed.setdefault(words, []).append(self._seq_checks(stage, seq))
        for words, options in keyed.items():
            self.checks.append((rule, options))
            self._entry(stage, f"v{len(self.checks) - 1}", words)
        return True

    def _stage_value(self, stage: str, attr: str, value: str) -> str:
        if attr == stage:
            return value
        lower = value.lower()
        return self._lemma(lower) if stage == "LEMMA" else lower

    def _seq_checks(self, stage: str, seq: tuple[Step, ...]) -> list[tuple[int, int, int]]:
        strings = self.nlp.vocab.strings
        column = {"LOWER": 0, "ORTH": 1}
        return [
            (i, column[attr], strings.add(value))
            for i, (attr, value) in enumerate(seq)
            if attr != stage
        ]

    def _lemma(self, word: str) -> str:
        if word not in self._lemmas:
            from spacy.tokens import Doc

            doc = self.nlp.get_pipe("lemmatizer")(Doc(self.nlp.vocab, words=[word]))
            self._lemmas[word] = doc[0].lemma_
        return self._lemmas[word]

    def build(self) -> RuleSet:
        from spacy.matcher import PhraseMatcher

        vocab, strings = self.nlp.vocab, self.nlp.vocab.strings
        self._keyword_lemmas()
        keys: dict[int, tuple[int, int]] = {}
        part_ids: dict[Any, int] = {}
        by_parts: dict[tuple[frozenset[int], int], list[tuple[int, list[dict[str, Any]]]]] = {}
        unanchored: list[tuple[int, list[dict[str, Any]]]] = []
        for rule, pattern in self.complex:
            needed = required_parts(pattern)
            if not needed:
                unanchored.append((rule, pattern))
                continue
            ids = frozenset(part_ids.setdefault(p, len(part_ids)) for p in needed)
            by_parts.setdefault((ids, part_ids[rarest(needed)]), []).append((rule, pattern))
        groups: list[_Group] = []
        users: dict[int, list[int]] = {}
        for (ids, lead), members in by_parts.items():
            for part in ids:
                users.setdefault(part, []).append(len(groups))
            groups.append(_Group(self._matcher(members, keys), ids, lead, _reach(members)))
        part_index: dict[str, dict[int, list[int]]] = {}
        for (attr, values), part in part_ids.items():
            for value in values:
                part_index.setdefault(attr, {}).setdefault(strings.add(value), []).append(part)
        phrase: dict[str, Any] = {}
        for attr, named in self.entries.items():
            matcher = PhraseMatcher(vocab, attr=attr)
            for name, entries in named.items():
                keys[strings.add(name)] = (_KINDS[name[0]], int(name[1:]))
                matcher.add(name, [_phrase_doc(vocab, attr, words) for words in entries])
                self.stats.phrase_entries += len(entries)
            phrase[attr] = matcher
        rest = self._matcher(unanchored, keys) if unanchored else None
        self.stats.unanchored_patterns = len(unanchored)
        self.stats.matchers = len(groups) + (rest is not None)
        return RuleSet(
            self.rules,
            self._fingerprint(),
            self.stats,
            phrase,
            groups,
            rest,
            keys,
            self.checks,
            users,
            part_index,
        )

    def _matcher(
        self, members: list[tuple[int, list[dict[str, Any]]]], keys: dict[int, tuple[int, int]]
    ) -> Any:
        from spacy.matcher import Matcher

        matcher = Matcher(self.nlp.vocab)
        for rule, pattern in members:
            keys[self.nlp.vocab.strings.add(f"r{rule}")] = (_RULE, rule)
            matcher.add(f"r{rule}", [pattern])
        return matcher

    def _keyword_lemmas(self) -> None:
        texts = [keyword for _, keyword in self.keywords]
        for (rule, _), doc in zip(self.keywords, self.nlp.pipe(texts), strict=True):
            if doc.has_annotation("LEMMA"):
                self._entry("LEMMA", f"r{rule}", tuple(t.lemma_ for t in doc if not t.is_space))

    def _fingerprint(self) -> str:
        from casework.nlp.pipeline import pipeline_id

        data = json.dumps([RULES_VERSION, pipeline_id(self.nlp), self.spec], sort_keys=True)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


_KINDS = {"r": _RULE, "v": _VERIFY}


def _reach(members: list[tuple[int, list[dict[str, Any]]]]) -> int | None:
    lengths = [max_length(pattern) for _, pattern in members]
    return None if any(n is None for n in lengths) else max(n for n in lengths if n is not None)


def _phrase_doc(vocab: Any, attr: str, words: tuple[str, ...]) -> Doc:
    from spacy.tokens import Doc

    if attr == "LEMMA":
        return Doc(vocab, words=list(words), lemmas=list(words))
    return Doc(vocab, words=list(words))


def run_rules(docs: Iterable[tuple[str, Doc]], ruleset: RuleSet) -> Iterator[tuple[str, Hits]]:
    """Hits per document for ``(doc_id, doc)`` pairs, lazily."""
    for doc_id, doc in docs:
        yield doc_id, ruleset.hits(doc)
