"""``casework build``: validate, suggestions, matrices, workbook and chapters in one run."""

from __future__ import annotations

from casework.build._autocode import AutocodeOptions, AutocodeResult, autocode
from casework.build._build import build, check_build

__all__ = [
    "AutocodeOptions",
    "AutocodeResult",
    "autocode",
    "build",
    "check_build",
]
