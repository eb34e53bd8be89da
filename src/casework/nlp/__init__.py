"""spaCy-assisted tagging: the pipeline and its cache, rule and learned suggestions,
pseudonymisation. Tagging suggests; the researcher decides. spaCy is imported only when a
function needs it, so importing this package stays cheap. ``suggest`` lives in
:mod:`casework.nlp.suggest` (not re-exported here, where it would hide that module)."""

from __future__ import annotations

from casework.nlp._incremental import SuggestionTable
from casework.nlp.learned import LearnedModel, NotEnoughExamples, Settings, train_model
from casework.nlp.pipeline import load_pipeline, parse, pipeline_id
from casework.nlp.redact import RedactionResult, redact_project
from casework.nlp.rules import RuleSet, compile_rules
from casework.nlp.suggest import SUGGESTION_COLUMNS, suggestions_to_codings

__all__ = [
    "SUGGESTION_COLUMNS",
    "LearnedModel",
    "NotEnoughExamples",
    "RedactionResult",
    "RuleSet",
    "Settings",
    "SuggestionTable",
    "compile_rules",
    "load_pipeline",
    "parse",
    "pipeline_id",
    "redact_project",
    "suggestions_to_codings",
    "train_model",
]
