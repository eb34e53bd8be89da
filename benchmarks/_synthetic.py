"""Old name of :mod:`_corpus` (kept so benchmarks importing it still run; use _corpus)."""

from _corpus import interview, make_project

__all__ = ["interview", "make_project"]
