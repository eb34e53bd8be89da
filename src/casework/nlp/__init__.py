"""spaCy-assisted tagging: the pipeline and its cache, rule and learned suggestions,
pseudonymisation, keyword-in-context and word frequency (``_queries``). Tagging suggests;
the researcher decides. spaCy is imported only when a function needs it, so importing this
package stays cheap. ``suggest`` lives in :mod:`casework.nlp.suggest` (not re-exported here,
where it would hide that module)."""

from __future__ import annotations

from casework.nlp._assemble import Merged, decided, finish, now
from casework.nlp._calibrate import Prior, rule_precision
from casework.nlp._docindex import Hits
from casework.nlp._features import Units, add_rule_tokens, units_of
from casework.nlp._hitcache import HitCache
from casework.nlp._incremental import SuggestionTable
from casework.nlp._queries import KWIC_COLUMNS, code_all_hits, kwic, word_frequency
from casework.nlp._ranked import (
    DEFAULT_FLOOR,
    DEFAULT_PER_DOC,
    Options as SuggestOptions,
    Scored,
    ranked_suggest,
    score_basis,
)
from casework.nlp._ranker import Ranker, RankerSettings, fit_ranker
from casework.nlp._similar import (
    SimilarityIndex,
    corpus_index,
    fit_index,
    forget_indexes,
    similar,
)
from casework.nlp._training import BackgroundTrainer, train_ranker
from casework.nlp.learned import LearnedModel, NotEnoughExamples, Settings, train_model
from casework.nlp.pipeline import load_pipeline, parse, pipeline_id
from casework.nlp.redact import RedactionResult, redact_project
from casework.nlp.rules import RuleSet, compile_rules
from casework.nlp.suggest import SUGGESTION_COLUMNS, suggestions_to_codings

__all__ = [
    "DEFAULT_FLOOR",
    "DEFAULT_PER_DOC",
    "KWIC_COLUMNS",
    "SUGGESTION_COLUMNS",
    "BackgroundTrainer",
    "HitCache",
    "Hits",
    "LearnedModel",
    "Merged",
    "NotEnoughExamples",
    "Prior",
    "Ranker",
    "RankerSettings",
    "RedactionResult",
    "RuleSet",
    "Scored",
    "Settings",
    "SimilarityIndex",
    "SuggestOptions",
    "SuggestionTable",
    "Units",
    "add_rule_tokens",
    "code_all_hits",
    "compile_rules",
    "corpus_index",
    "decided",
    "finish",
    "fit_index",
    "fit_ranker",
    "forget_indexes",
    "kwic",
    "load_pipeline",
    "now",
    "parse",
    "pipeline_id",
    "ranked_suggest",
    "redact_project",
    "rule_precision",
    "score_basis",
    "similar",
    "suggestions_to_codings",
    "train_model",
    "train_ranker",
    "units_of",
    "word_frequency",
]
