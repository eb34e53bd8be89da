"""Scale-out engine: per-document work as ``dask.distributed`` tasks.

``ranked(project, client=...)`` gives the same scored suggestions as the single-process
:func:`casework.nlp.ranked_suggest` (what ``Project.suggest`` and ``autocode --engine
dask`` give), ``suggest(project, client=...)`` the same raw rule hits as
:func:`casework.nlp.suggest.suggest`; ``framework_matrix(..., client=...)`` and
``cross_case_matrix(..., client=...)`` compute their span arithmetic here. ``connect()``
opens a client for a ``with`` block: the user's scheduler, or a local cluster on
127.0.0.1. dask is imported only when a function here runs, so ``import casework`` stays
fast and dask stays optional.
"""

from __future__ import annotations

from casework.engine._cluster import connect
from casework.engine._tasks import progress_bar, run_chunks
from casework.engine._worker import setups as worker_setups
from casework.engine.matrices import distributed_cells
from casework.engine.tagging import EngineStats, ranked, suggest

__all__ = [
    "EngineStats",
    "connect",
    "distributed_cells",
    "progress_bar",
    "ranked",
    "run_chunks",
    "suggest",
    "worker_setups",
]
