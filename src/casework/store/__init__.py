"""Storage: the append-only event logs of codings and memos, in files or SQL.

``_files`` (one JSONL log per coder), ``_sql`` (PostgreSQL/SQLite), ``_jsonl`` (the log
format), ``_snapshot`` (cached tables), ``_replay`` (events to current state),
``_anchors`` (spans that survive text edits), ``_codings`` (codings resolved to codes),
``_counts`` (codings per code, progress per document, in full or kept up to date).
"""

from __future__ import annotations

from casework.sources import text_sha
from casework.store._anchors import Anchor, make_anchor, reanchor
from casework.store._codings import (
    CODING_COLUMNS,
    ResolvedCodings,
    resolve_codings,
    unknown_code_error,
)
from casework.store._counts import (
    CodeTally,
    DocProgress,
    code_counts,
    coding_progress,
)
from casework.store._files import KINDS, EventStore, FileStore, check_coder, new_id
from casework.store._jsonl import append_records, encode_records, read_log
from casework.store._replay import cancelled_batches, foreign_problems, replay, undo_target
from casework.store._sql import SQLStore, copy_events, expand_url, open_store
from casework.store._sync import Copied, pull_events, push_events
from casework.util import utc_now

__all__ = [
    "CODING_COLUMNS",
    "KINDS",
    "Anchor",
    "CodeTally",
    "Copied",
    "DocProgress",
    "EventStore",
    "FileStore",
    "ResolvedCodings",
    "SQLStore",
    "append_records",
    "cancelled_batches",
    "check_coder",
    "code_counts",
    "coding_progress",
    "copy_events",
    "encode_records",
    "expand_url",
    "foreign_problems",
    "make_anchor",
    "new_id",
    "open_store",
    "pull_events",
    "push_events",
    "read_log",
    "reanchor",
    "replay",
    "resolve_codings",
    "text_sha",
    "undo_target",
    "unknown_code_error",
    "utc_now",
]
