"""The one process-pool mechanism of a run: chunks of work mapped over worker processes, in input order.

Each worker is set up once by an initializer (its per-run state), then handed chunks; at most ``ahead``
chunks are in flight, so that finished results never pile up when the consumer is slower than the workers.
With one job the same functions run in this process. A worker that dies (killed by the OS, out of memory)
breaks the pool: that, and only that, is reported as a dead worker.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TypeVar

from .._errors import ClaimcheckError
from .._gc import quiet_gc

__all__ = ["WorkerPool", "batched", "worker_died"]

_T = TypeVar("_T")
_R = TypeVar("_R")


def batched(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """``items`` in consecutive slices of ``size``.

    Example: ``list(batched([1, 2, 3], 2)) == [[1, 2], [3]]``
    """
    for start in range(0, len(items), size):
        yield items[start : start + size]


def worker_died(exc: BrokenProcessPool) -> ClaimcheckError:
    """The error a run ends with when a worker process was killed."""
    return ClaimcheckError(
        f"a worker process died ({exc}); the machine may be out of memory: rerun with --jobs 1"
    )


def _init(setup: Callable[..., None], args: tuple[object, ...]) -> None:
    quiet_gc()
    setup(*args)


class WorkerPool:
    """Worker processes for one run (or none: ``jobs <= 1`` runs every chunk here).

    Parameters: ``jobs`` worker processes; ``setup(*args)`` runs once in each worker (and here, with one
    job) to build its state.

    Example: ``with WorkerPool(2, setup, (task,)) as pool: results = list(pool.map(run, chunks))``
    """

    def __init__(self, jobs: int, setup: Callable[..., None], args: tuple[object, ...] = ()) -> None:
        self.jobs = jobs
        self._setup = setup
        self._args = args
        self._pool: ProcessPoolExecutor | None = None

    def reset(self, setup: Callable[..., None], args: tuple[object, ...] = ()) -> None:
        """Set the workers up anew for the next stage of the run (they restart on next use)."""
        self.close()
        self._setup = setup
        self._args = args

    @property
    def executor(self) -> ProcessPoolExecutor | None:
        """The process pool, once started (None with one job)."""
        return self._pool

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, initializer=_init, initargs=(self._setup, self._args)
            )
        return self._pool

    def map(
        self,
        fn: Callable[[Sequence[_T]], list[_R]],
        chunks: Iterable[Sequence[_T]],
        *,
        ahead: int | None = None,
    ) -> Iterator[_R]:
        """Results of ``fn`` over ``chunks``, in input order; `ClaimcheckError` when a worker died."""
        if self.jobs <= 1:
            for chunk in chunks:
                # set up before each chunk: cheap, and two runs in one process never share their state
                self._setup(*self._args)
                yield from fn(chunk)
            return
        pool = self._started()
        it = iter(chunks)
        pending: deque[Future[list[_R]]] = deque(
            pool.submit(fn, c) for c in islice(it, ahead or 4 * self.jobs)
        )
        try:
            while pending:
                done = pending.popleft().result()
                nxt = next(it, None)
                if nxt is not None:
                    pending.append(pool.submit(fn, nxt))
                yield from done
        except BrokenProcessPool as exc:
            raise worker_died(exc) from exc

    def close(self) -> None:
        """Stop the workers (pending work cancelled). Idempotent."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
