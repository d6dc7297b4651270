"""Garbage-collector tuning for the worker processes of a run."""

from __future__ import annotations

import gc

__all__ = ["quiet_gc"]


def quiet_gc() -> None:
    """Tune the cyclic garbage collector for a worker process (a process pool's initializer).

    What exists when it is called (imports, papers, weights) lives as long as the process and is frozen out
    of collection. A verified report leaves no reference cycle (tested): its objects are freed by their
    counts, and what grows is only the bounded memos and caches. So a collection waits for 500,000 new
    objects: on bench/bench_verify.py's 2,000 reports a verify worker never reaches it, where at 50,000 it
    ran five collections of about 40 ms each for nothing to free (about 0.4 CPU-s of 25). Freezing alone
    was measured at about 8% less CPU for a verify run.

    Example: ``ProcessPoolExecutor(max_workers=2, initializer=quiet_gc)``
    """
    gc.freeze()
    gc.set_threshold(500_000, 20, 20)
