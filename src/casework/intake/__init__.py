"""Starting a project and bringing a study's interviews into it.

:func:`init_project` writes a new project folder (commented ``casework.toml``, empty
``cases.csv``, ``transcripts/``, a starter codebook, ``.gitignore``);
:func:`add_files` brings interview files in with attributes from a participant sheet
(:func:`read_sheet`), pseudonymous ids and private fields, checking everything first.
"""

from __future__ import annotations

from casework.intake._add import KINDS, Added, add_files
from casework.intake._init import init_project
from casework.intake._paths import checked_part, inside
from casework.intake._sheet import Sheet, is_personal, key_of, read_sheet

__all__ = [
    "KINDS",
    "Added",
    "Sheet",
    "add_files",
    "checked_part",
    "init_project",
    "inside",
    "is_personal",
    "key_of",
    "read_sheet",
]
