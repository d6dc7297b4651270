"""The one process-pool mechanism of a run: chunks of work mapped over worker processes, in input order.

Each worker is set up once by an initializer (its per-run state), then handed chunks; at most ``ahead``
chunks are in flight, so that finished results never pile up when the consumer is slower than the workers.
With one job the same functions run in this process. A worker that dies (killed by the OS, out of memory)
breaks the pool: that, and only that, is reported as a dead worker.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Protocol, TypeVar

from .._errors import ClaimcheckError
from .._gc import quiet_gc

__all__ = ["DaskPool", "Pool", "WorkerPool", "batched", "worker_died"]

_T = TypeVar("_T")
_R = TypeVar("_R")


def batched(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """``items`` in consecutive slices of ``size``.

    Example: ``list(batched([1, 2, 3], 2)) == [[1, 2], [3]]``
    """
    for start in range(0, len(items), size):
        yield items[start : start + size]


def worker_died(exc: BrokenProcessPool) -> ClaimcheckError:
    """The error a run ends with when a worker process was killed (or, said apart, could not start)."""
    if "initializer" in str(exc):
        return ClaimcheckError(f"a worker process could not start ({exc}); rerun with --jobs 1 to see why")
    return ClaimcheckError(
        f"a worker process died ({exc}); the machine may be out of memory: rerun with --jobs 1"
    )


class Pool(Protocol):
    """What a run needs of its workers: an in-order chunked map, a reset between stages, and a close."""

    jobs: int

    def map(
        self,
        fn: Callable[[Sequence[_T]], list[_R]],
        chunks: Iterable[Sequence[_T]],
        *,
        ahead: int | None = None,
    ) -> Iterator[_R]: ...

    def reset(self, setup: Callable[..., None], args: tuple[object, ...] = ()) -> None: ...

    def beside(self, fn: Callable[[_T], _R], arg: _T) -> Future[_R] | None: ...

    def close(self, *, now: bool = False) -> None: ...


def in_order(
    submit: Callable[[Sequence[_T]], Future[list[_R]]], chunks: Iterable[Sequence[_T]], ahead: int
) -> Iterator[_R]:
    """The results of every chunk ``submit`` sends off, in input order, with at most ``ahead`` in flight (so
    that finished results never pile up when the consumer is slower than the workers).

    Example: ``list(in_order(lambda c: pool.submit(sum_all, c), [[1, 2], [3]], 4))``
    """
    it = iter(chunks)
    pending: deque[Future[list[_R]]] = deque(submit(c) for c in islice(it, ahead))
    while pending:
        done = pending.popleft().result()
        nxt = next(it, None)
        if nxt is not None:
            pending.append(submit(nxt))
        yield from done


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
        try:
            yield from in_order(lambda chunk: pool.submit(fn, chunk), chunks, ahead or 4 * self.jobs)
        except BrokenProcessPool as exc:
            raise worker_died(exc) from exc

    def beside(self, fn: Callable[[_T], _R], arg: _T) -> Future[_R] | None:
        """``fn(arg)`` on one of the workers, beside the chunks `map` sends them (it takes a worker from them
        while it runs), or None with one job: it would run beside nothing.

        Example: ``future = pool.beside(search, task)``, then ``pool.map(...)``, then ``future.result()``
        """
        if self.jobs <= 1:
            return None
        return self._started().submit(fn, arg)

    def close(self, *, now: bool = False) -> None:
        """Stop the workers: pending work is cancelled, running work waited for, or with ``now`` stopped
        (the workers are terminated: a run abandoned early does not wait for, say, a long batch search).
        Idempotent."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if now:
            # (ProcessPoolExecutor has no public way to stop a running task before Python 3.14)
            processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
        pool.shutdown(cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run_on_worker(
    token: str,
    setup: Callable[..., None],
    args: tuple[object, ...],
    fn: Callable[[Sequence[_T]], list[_R]],
    chunk: Sequence[_T],
) -> list[_R]:
    """A chunk on a cluster worker: the run's state is set up once per worker thread, then ``fn`` runs."""
    if getattr(_CLUSTER_STATE, "token", None) != token:
        quiet_gc()
        setup(*args)
        _CLUSTER_STATE.token = token
    return fn(chunk)


_CLUSTER_STATE = threading.local()


class DaskPool:
    """The same chunked, in-order map over the workers of a dask.distributed cluster.

    Parameters: ``jobs`` local worker processes when no ``scheduler`` is given (a `LocalCluster` is started
    and stopped with the pool); ``scheduler`` the address of a running cluster (``tcp://host:8786``);
    ``setup(*args)`` builds each worker's state before its first chunk. Worker state is kept per worker
    thread, so workers with several threads are safe. What the workers read (the paper cache with the full
    texts) must be on storage they can reach.

    Example: ``with DaskPool(2, setup, (task,)) as pool: results = list(pool.map(run, chunks))``
    """

    def __init__(
        self,
        jobs: int,
        setup: Callable[..., None],
        args: tuple[object, ...] = (),
        *,
        scheduler: str | None = None,
    ) -> None:
        try:
            import distributed
        except ImportError as exc:
            from .._errors import ScorerUnavailable

            raise ScorerUnavailable(
                "--executor dask needs the dask extra: pip install 'claimcheck[dask]'", package="distributed"
            ) from exc
        self.jobs = max(1, jobs)
        self._setup = setup
        self._args = args
        self._token = uuid.uuid4().hex
        self._cluster = None
        try:
            if scheduler is None:
                self._cluster = distributed.LocalCluster(
                    n_workers=self.jobs, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self._client = distributed.Client(self._cluster)
            else:
                self._client = distributed.Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            if self._cluster is not None:
                self._cluster.close()
            raise ClaimcheckError(f"cannot reach the dask scheduler {scheduler or '(local)'}: {exc}") from exc

    def reset(self, setup: Callable[..., None], args: tuple[object, ...] = ()) -> None:
        """Set the workers up anew for the next stage of the run (each does so before its next chunk)."""
        self._setup = setup
        self._args = args
        self._token = uuid.uuid4().hex

    def map(
        self,
        fn: Callable[[Sequence[_T]], list[_R]],
        chunks: Iterable[Sequence[_T]],
        *,
        ahead: int | None = None,
    ) -> Iterator[_R]:
        """Results of ``fn`` over ``chunks``, in input order, at most ``ahead`` chunks in flight."""
        client = self._client
        args = (self._token, self._setup, self._args, fn)

        def submit(chunk: Sequence[_T]) -> Any:  # a dask future: result() like a concurrent.futures one
            return client.submit(_run_on_worker, *args, chunk, pure=False)

        yield from in_order(submit, chunks, ahead or 4 * self.jobs)

    def beside(self, fn: Callable[[_T], _R], arg: _T) -> Future[_R] | None:
        """None: the work beside the chunks reads this machine's temporary files, which a cluster's workers
        need not see."""
        return None

    def close(self, *, now: bool = False) -> None:
        """Disconnect, and stop the local cluster if this pool started it (at once whatever ``now`` says: a
        cluster's running tasks are the scheduler's to finish or drop). Idempotent."""
        client, self._client = getattr(self, "_client", None), None
        if client is not None:
            client.close()
        cluster, self._cluster = getattr(self, "_cluster", None), None
        if cluster is not None:
            cluster.close()

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
