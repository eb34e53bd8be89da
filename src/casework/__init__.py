"""casework: qualitative case-study analysis in Jupyter.

Open a project folder and work with its tables::

    import casework
    project = casework.open_project("path/to/study")
    project.documents, project.codes, project.codings

Names are imported on first use, so ``import casework`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from casework.errors import CaseworkError

if TYPE_CHECKING:  # what type checkers see; ``X as X`` marks an explicit re-export
    from casework.codebook import Codebook as Codebook
    from casework.intercoder import agreement as agreement
    from casework.matrices import (
        SummaryStore as SummaryStore,
        code_frequencies as code_frequencies,
        cooccurrence as cooccurrence,
        cross_case_matrix as cross_case_matrix,
        framework_matrix as framework_matrix,
        matrix_coding_query as matrix_coding_query,
    )
    from casework.project import Project as Project, open_project as open_project
    from casework.sources import read_source as read_source
    from casework.tables import Tables as Tables

__version__ = "0.1.0"

_LAZY = {
    "Codebook": "casework.codebook",
    "Project": "casework.project",
    "open_project": "casework.project",
    "read_source": "casework.sources",
    "Tables": "casework.tables",
    "framework_matrix": "casework.matrices",
    "cross_case_matrix": "casework.matrices",
    "agreement": "casework.intercoder",
    "SummaryStore": "casework.matrices",
    "matrix_coding_query": "casework.matrices",
    "cooccurrence": "casework.matrices",
    "code_frequencies": "casework.matrices",
}

__all__ = ["CaseworkError", "__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'casework' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
