"""Anonymous by default: the names a project knows, and quotes with them hidden.

:func:`name_mask` gathers every name the project knows (speaker labels that are names,
front-matter ``name``, a ``.docx`` author, personal columns of the attribute sheet kept
in a document's private fields, and the names lists ``names.txt`` / ``redact.txt``) into
a :class:`NameMask`, which replaces a speaker label at the start of a line with the
speaker's role in square brackets (``[Participant]``) and every known name with
``[name]``. Outputs pass every quote and excerpt through it.
"""

from __future__ import annotations

from casework.privacy._mask import NameMask, moved, name_mask, project_names, read_names_list

__all__ = ["NameMask", "moved", "name_mask", "project_names", "read_names_list"]
