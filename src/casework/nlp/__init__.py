"""spaCy-assisted tagging: the pipeline and its cache, rule and learned suggestions,
pseudonymisation, keyword-in-context and word frequency (``_queries``). Tagging suggests;
the researcher decides. spaCy is imported only when a function needs it, so importing this
package stays cheap. ``suggest`` lives in :mod:`casework.nlp.suggest` (not re-exported here,
where it would hide that module)."""

from __future__ import annotations

from casework.nlp._incremental import SuggestionTable
from casework.nlp._queries import KWIC_COLUMNS, code_all_hits, kwic, word_frequency
from casework.nlp.learned import LearnedModel, NotEnoughExamples, Settings, train_model
from casework.nlp.pipeline import load_pipeline, parse, pipeline_id
from casework.nlp.redact import RedactionResult, redact_project
from casework.nlp.rules import RuleSet, compile_rules
from casework.nlp.suggest import SUGGESTION_COLUMNS, suggestions_to_codings

__all__ = [
    "KWIC_COLUMNS",
    "SUGGESTION_COLUMNS",
    "LearnedModel",
    "NotEnoughExamples",
    "RedactionResult",
    "RuleSet",
    "Settings",
    "SuggestionTable",
    "code_all_hits",
    "compile_rules",
    "kwic",
    "load_pipeline",
    "parse",
    "pipeline_id",
    "redact_project",
    "suggestions_to_codings",
    "train_model",
    "word_frequency",
]
