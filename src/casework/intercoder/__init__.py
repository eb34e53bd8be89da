"""Intercoder agreement: Cohen's kappa and Krippendorff's alpha over coded spans."""

from __future__ import annotations

from casework.intercoder._agreement import (
    agreement,
    cohen_kappa,
    krippendorff_alpha,
    merge_spans,
    sentence_spans,
)

__all__ = [
    "agreement",
    "cohen_kappa",
    "krippendorff_alpha",
    "merge_spans",
    "sentence_spans",
]
