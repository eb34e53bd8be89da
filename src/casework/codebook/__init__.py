"""The codebook: a tree of codes read from and written to ``codebook.yaml``.

:class:`Codebook` holds the codes; its modules parse the YAML (``_yaml``), check it
(``_check``), walk the tree (``_tree``) and write it back keeping comments (``_write``).
"""

from __future__ import annotations

from casework.codebook._check import spacy_reason
from casework.codebook._codebook import CODE_COLUMNS, PALETTE, Code, Codebook
from casework.codebook._tree import code_tree

__all__ = [
    "CODE_COLUMNS",
    "PALETTE",
    "Code",
    "Codebook",
    "code_tree",
    "spacy_reason",
]
