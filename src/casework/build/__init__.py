"""``casework build``: validate, suggestions, matrices, workbook and chapters in one run.
"""

from __future__ import annotations

from casework.build._build import build, check_build

__all__ = [
    "build",
    "check_build",
]
