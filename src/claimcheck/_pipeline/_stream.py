"""The whole run over files: parse each report once → fetch the cited papers once → verify, audit and render
each report in worker processes → the batch audit (its near-duplicate search needs only the parsed claims: it
runs on a worker beside the verification).

Memory stays flat whatever the number of reports: parsed reports wait in a spool file (pickled by our own
workers, read back only by them), the parent keeps a few hundred bytes per report and 18 per claim (the batch
audit's arrays; the claims' texts go to the audit's own temporary file), and each worker keeps only a bounded
cache of prepared papers. Output order is input order, whatever the number of workers.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from .._errors import ClaimcheckError
from .._inputs import discover_reports
from .._models import (
    BatchSummary,
    Finding,
    InputErrorRecord,
    Paper,
    Report,
    ReportResult,
    ReportSummary,
    VerifyResult,
)
from .._parse import DEFAULT_MAX_BYTES, row_errors
from .._sources import PaperKey, SourceSession
from .._version import __version__
from ._parsing import parse_one
from ._pool import DaskPool, Pool, WorkerPool, batched
from ._verifier import MatchOptions, Verifier

if TYPE_CHECKING:
    from .._audit import BatchAudit, ClaimKey
    from .._gate import GateFailure

__all__ = ["ReportOutcome", "VerifyStream", "verify_paths", "verify_reports", "verify_stream"]


@dataclass(frozen=True)
class ReportOutcome:
    """What a streamed run keeps of one verified report: the rendered chunk and compact keys, not the report.

    ``chunk`` is the report rendered by the run's chunker ("" without one); ``claims`` feed the batch audit;
    ``gate`` are the reasons the report fails the CI gate; ``unavailable`` its references that could not be
    fetched; ``result`` the whole `ReportResult` only when the run keeps results.
    """

    path: str
    summary: ReportSummary
    chunk: str
    claims: list[ClaimKey]
    gate: list[GateFailure]
    unavailable: list[str]
    result: ReportResult | None = None


@dataclass(frozen=True)
class _Task:
    """What every worker needs for the whole run: picklable, sent once to each worker."""

    options: MatchOptions
    chunker: Callable[[ReportResult, int, int], str] | None
    policies: frozenset[str]
    keep_results: bool
    max_bytes: int
    documents: Path | None = None


@dataclass(frozen=True)
class _Parsed:
    """A report parsed in a worker: its pickled form (for the spool), the papers it cites and its claims'
    keys (for the batch audit, which can search them before they are verified)."""

    path: str
    data: bytes
    keys: tuple[PaperKey, ...]
    row_errors: list[InputErrorRecord]
    claims: list[ClaimKey]


@dataclass(frozen=True)
class _Work:
    """One report to verify: its number, the run's total, its pickled form, the papers it needs and their
    abstracts' sentence spans."""

    number: int
    total: int
    data: bytes
    papers: dict[PaperKey, Paper]
    latest: dict[str, Paper]
    sentences: dict[PaperKey, tuple[tuple[int, int], ...]]


class _Worker:
    """Per-process state of a run: the task and a verifier (its prepared papers and verdicts)."""

    def __init__(self, task: _Task, verifier: Verifier | None = None) -> None:
        self.task = task
        if verifier is None:
            from .._sources import PaperCache

            documents = PaperCache(task.documents) if task.documents is not None else None
            verifier = Verifier(task.options, documents)
        self.verifier = verifier

    def outcome(self, work: _Work) -> ReportOutcome:
        from .._audit import claim_keys
        from .._gate import report_gate_failures, report_incomplete_sources

        task = self.task
        report: Report = pickle.loads(work.data)  # noqa: S301 (our own workers wrote it, this run)
        result = self.verifier.verify(report, work.papers, work.latest, work.sentences)
        return ReportOutcome(
            path=result.path,
            summary=result.summary,
            chunk=task.chunker(result, work.number, work.total) if task.chunker is not None else "",
            claims=claim_keys(result),
            gate=report_gate_failures(result, task.policies) if task.policies else [],
            unavailable=report_incomplete_sources(result),
            result=result if task.keep_results else None,
        )


# Per worker state; thread-local, so that cluster workers running several threads each keep their own.
_STATE = threading.local()
_MAX_BYTES = DEFAULT_MAX_BYTES


def _setup(task: _Task, verifier: Verifier | None = None) -> None:
    _STATE.worker = _Worker(task, verifier)


def _setup_parse(max_bytes: int) -> None:
    global _MAX_BYTES
    _MAX_BYTES = max_bytes


def _parse_chunk(items: Sequence[str]) -> list[_Parsed | InputErrorRecord]:
    from .._audit import claim_keys

    out: list[_Parsed | InputErrorRecord] = []
    for path in items:
        parsed = parse_one(Path(path), _MAX_BYTES)
        if isinstance(parsed, InputErrorRecord):
            out.append(parsed)
            continue
        keys = tuple(
            dict.fromkeys((r.arxiv_id, r.version) for r in parsed.references if r.arxiv_id is not None)
        )
        data = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
        out.append(_Parsed(path, data, keys, row_errors(parsed), claim_keys(parsed)))
    return out


def _verify_chunk(items: Sequence[_Work]) -> list[ReportOutcome]:
    worker: _Worker = _STATE.worker
    return [worker.outcome(w) for w in items]


class _Spool:
    """Parsed reports waiting for verification, in a private temporary file; a few numbers each in memory."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="claimcheck-")  # noqa: SIM115 (closed in close)
        self.entries: list[tuple[int, int, tuple[PaperKey, ...]]] = []

    def add(self, parsed: _Parsed) -> None:
        offset = self._file.seek(0, os.SEEK_END)
        self._file.write(parsed.data)
        self.entries.append((offset, len(parsed.data), parsed.keys))

    def read(self, index: int) -> tuple[bytes, tuple[PaperKey, ...]]:
        offset, size, keys = self.entries[index]
        self._file.seek(offset)
        return self._file.read(size), keys

    def close(self) -> None:
        self._file.close()


class VerifyStream:
    """A verify run whose reports stream through the pipeline one by one, in input order.

    Built by `verify_stream`: the inputs are parsed once and the cited papers fetched (``errors``, ``papers``
    and ``total`` are known from the start); iterating verifies, audits and renders each report (in worker
    processes with ``jobs > 1``) and yields its `ReportOutcome`; `summary` is the batch summary once
    iteration is over. Memory stays flat whatever the number of reports: for the batch audit, this process
    keeps 18 bytes of arrays per claim, and each distinct claim's texts in a private temporary file (a
    `BatchAudit`) that `summary` or `close` removes, as they remove the spool.

    Example: ``s = verify_stream(["reports/"], session=SourceSession(offline=True, sources=Path("fixtures/arxiv")))``,
    ``chunks = [o.chunk for o in s]``, then ``s.summary().supported``.
    """

    def __init__(
        self,
        spool: _Spool,
        errors: list[InputErrorRecord],
        papers: dict[PaperKey, Paper],
        latest: dict[str, Paper],
        task: _Task,
        pool: Pool,
        audit: BatchAudit,
        session: SourceSession | None = None,
        sentences: dict[str, tuple[tuple[int, int], ...]] | None = None,
    ) -> None:
        self._session = session  # closed with the stream when the stream made it
        self._spool = spool
        self.errors = errors
        self._papers = papers
        self._latest = latest
        self._sentences = sentences or {}  # the sentence spans of the papers' abstracts, by abstract
        self._task = task
        self._pool: Pool | None = pool
        # 18 bytes per claim in memory, the texts in its own temporary files; given the claims of the parsed
        # reports (`BatchAudit.expect`), it searches them for near duplicates beside the verification
        self._audit = audit
        self._findings: list[Finding] | None = None
        self._summaries: list[ReportSummary] = []
        self._done = False

    def close(self) -> None:
        """Stop the worker processes, drop the spool and remove the batch audit's file; `summary` does it,
        and so does leaving a ``with`` block. Idempotent. Work still running (a run closed before its end,
        after an error, say) is not waited for: the workers are stopped at once.

        Example: ``with verify_stream(["reports/"], jobs=2) as s: ...``
        """
        self._stop(now=True)
        audit = getattr(self, "_audit", None)
        if audit is not None:
            audit.close()

    def _stop(self, *, now: bool = False) -> None:
        """Stop the worker processes (``now``: without waiting for the work they are doing) and drop the spool
        (and the session the stream made)."""
        pool, self._pool = getattr(self, "_pool", None), None
        if pool is not None:
            pool.close(now=now)
        spool = getattr(self, "_spool", None)
        if spool is not None:
            spool.close()
        session, self._session = getattr(self, "_session", None), None
        if session is not None:
            session.close()

    def __enter__(self) -> VerifyStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    @property
    def total(self) -> int:
        """How many reports will be verified (the inputs that parsed)."""
        return len(self._spool.entries)

    @property
    def scorer(self) -> str:
        """The scorer name."""
        return self._task.options.scorer

    @property
    def papers(self) -> list[Paper]:
        """Every cited paper once, sorted by arXiv id and version."""
        return [self._papers[k] for k in sorted(self._papers, key=lambda k: (k[0], k[1] or 0))]

    def _work(self) -> Iterator[_Work]:
        total = self.total
        for index in range(total):
            data, keys = self._spool.read(index)
            papers = {k: self._papers[k] for k in keys if k in self._papers}
            latest = {k[0]: self._latest[k[0]] for k in keys if k[0] in self._latest}
            spans = {
                k: s for k, p in papers.items() if (s := self._sentences.get(p.abstract or "")) is not None
            }
            yield _Work(index + 1, total, data, papers, latest, spans)

    def __iter__(self) -> Iterator[ReportOutcome]:
        if self._done:
            raise ClaimcheckError("a verify stream can be iterated only once")
        self._done = True
        pool = self._pool
        if pool is None:
            raise ClaimcheckError("this verify stream is closed")
        size = max(1, min(16, self.total // (pool.jobs * 4)))
        try:
            self._audit.search_ahead(pool.beside)  # on a worker, first: the rest verify meanwhile
            for outcome in pool.map(_verify_chunk, _chunks(self._work(), size)):
                self._audit.add(outcome.claims)
                self._summaries.append(outcome.summary)
                yield outcome
        except BaseException:
            self.close()
            raise

    def result(self, on_report: Callable[[ReportOutcome], None] | None = None) -> VerifyResult:
        """Verify every report and return the whole `VerifyResult` (the stream must keep its results).

        ``on_report`` is called with each outcome as it comes (a progress bar, say).

        Example: ``verify_stream(["reports/"], keep_results=True).result().summary.supported``
        """
        if not self._task.keep_results:
            raise ClaimcheckError("result() needs a stream started with keep_results=True")
        reports = []
        for outcome in self:
            if on_report is not None:
                on_report(outcome)
            if outcome.result is not None:
                reports.append(outcome.result)
        return VerifyResult(
            version=__version__,
            scorer=self.scorer,
            reports=reports,
            errors=self.errors,
            summary=self.summary(),
            papers=self.papers,
        )

    def summary(self) -> BatchSummary:
        """Totals over the reports verified so far and the batch-level findings (`audit_batch`)."""
        sums = self._summaries
        pool = self._pool
        jobs = pool.jobs if pool is not None else 1
        # The verifying workers go first: each holds its prepared papers, verdicts and audit caches (about
        # 200 MB with thousands of distinct papers). The batch search ran on one of them before it verified
        # anything (`BatchAudit.search_ahead`); when it could not (one job, a dask run, a run stopped early),
        # it runs now in fresh processes, not on top of those caches.
        self._stop()
        if self._findings is None:
            try:
                self._findings = self._audit.findings(jobs=jobs)
            finally:
                self._audit.close()  # its temporary file, also when the search fails
        findings = self._findings
        return BatchSummary(
            reports=len(sums),
            claims=sum(s.claims for s in sums),
            reported_verified=sum(s.reported_verified for s in sums),
            supported=sum(s.supported for s in sums),
            contradicted=sum(s.contradicted for s in sums),
            not_found=sum(s.not_found for s in sums),
            unverifiable=sum(s.unverifiable for s in sums),
            errors=len(self.errors),
            findings=findings,
        )


def _chunks(items: Iterator[_Work], size: int) -> Iterator[list[_Work]]:
    chunk: list[_Work] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def verify_stream(
    paths: Iterable[str | os.PathLike[str]],
    *,
    session: SourceSession | None = None,
    options: MatchOptions | None = None,
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunker: Callable[[ReportResult, int, int], str] | None = None,
    policies: frozenset[str] = frozenset(),
    keep_results: bool = False,
    executor: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
) -> VerifyStream:
    """Start a streamed verify run: parse every input once, fetch the cited papers once, and return the
    `VerifyStream` that verifies the reports as it is iterated.

    Parameters: ``paths``, report files and directories (recursed); ``session``, where papers come from (a
    `SourceSession`; default: online, no cache); ``options``, the scorer and its model (checked here, before
    any worker starts: a bad scorer or model is an error now, not a dead worker later); ``jobs``, worker
    processes; ``max_bytes``, larger report files are refused; ``chunker``, renders each verified report
    (number, total) into its `ReportOutcome.chunk` (a `claimcheck._render.ReportChunker`); ``policies``, the
    CI gate policies (`claimcheck._gate`); ``keep_results``, keep each whole `ReportResult` in its outcome;
    ``executor``, ``"local"`` (a process pool of ``jobs``) or ``"dask"`` (the reports are verified on the
    dask.distributed cluster at ``scheduler``, or on a `LocalCluster` of ``jobs`` workers; parsing and
    fetching stay in this process, on one connection; workers read full texts from the session's cache).

    Example: ``for outcome in verify_stream(["reports/"], chunker=ReportChunker("jsonl")): ...``
    """
    options = options or MatchOptions()
    verifier = Verifier(options)  # loads the scorer here: its errors are the caller's, with no traceback
    items = list(discover_reports(paths))
    found = [str(item) for item in items if not isinstance(item, InputErrorRecord)]
    jobs = jobs if jobs > 1 and len(found) >= 2 * jobs else 1
    task = _Task(options, chunker, policies, keep_results, max_bytes)
    pool = WorkerPool(jobs, _setup_parse, (max_bytes,))
    spool = _Spool()
    from .._audit import BatchAudit

    audit = BatchAudit()
    own = session is None
    session = session or SourceSession()

    def abandon() -> None:  # (each close is idempotent)
        pool.close()
        spool.close()
        audit.close()
        if own:
            session.close()

    try:
        size = max(1, min(64, len(found) // (jobs * 4)))
        parsed = pool.map(_parse_chunk, batched(found, size))
        errors: list[InputErrorRecord] = []
        wanted: dict[PaperKey, None] = {}
        for item in items:  # errors in discovery order, as `parse_paths` gives them
            got = item if isinstance(item, InputErrorRecord) else next(parsed)
            if isinstance(got, InputErrorRecord):
                errors.append(got)
            else:
                spool.add(got)
                audit.expect(got.claims)
                wanted.update(dict.fromkeys(got.keys))
                errors.extend(
                    got.row_errors
                )  # bad claims rows: input errors (exit 2); the good rows verified
        papers = session.full_texts(session.references(wanted))
        latest = session.latest(papers)
        # Each abstract split once, in the workers, and kept in the cache: no run splits it again.
        from .._sentences import split_texts

        sentences = session.abstract_sentences(
            papers, lambda texts: pool.map(split_texts, batched(texts, 16))
        )
    except BaseException:
        abandon()
        raise
    if any(p.fulltext in ("html", "pdf") for p in papers.values()):
        task = replace(task, documents=session.documents.path)
        verifier.documents = session.documents
    verifying: Pool = pool
    if executor == "dask":
        pool.close()
        try:
            verifying = DaskPool(jobs, _setup, (task, None), scheduler=scheduler)
        except BaseException:
            abandon()
            raise
    else:
        # the workers (or, with one job, this process, with the verifier that checked the options) verify
        pool.reset(_setup, (task, verifier if jobs == 1 else None))
    del verifier
    return VerifyStream(
        spool, errors, papers, latest, task, verifying, audit, session if own else None, sentences
    )


def verify_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    session: SourceSession | None = None,
    options: MatchOptions | None = None,
    scorer: str = "lexical",
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    executor: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
) -> VerifyResult:
    """Run the whole pipeline over report files and directories: parse → fetch → match → audit.

    Bad inputs are listed in ``errors`` and never stop the batch. Papers are fetched once for all reports.
    The whole result is kept in memory: for large batches, stream with `verify_stream`. ``options`` (scorer,
    model, cache directory) take precedence over ``scorer``.

    Example: ``verify_paths(["reports/"], session=SourceSession(offline=True, sources=Path("fixtures/arxiv")))``
    """
    with verify_stream(
        paths,
        session=session,
        options=options or MatchOptions(scorer=scorer),
        jobs=jobs,
        max_bytes=max_bytes,
        keep_results=True,
        executor=executor,
        scheduler=scheduler,
    ) as stream:
        return stream.result()


def verify_reports(
    reports: Sequence[Report],
    papers: dict[PaperKey, Paper],
    *,
    scorer: str = "lexical",
    latest: dict[str, Paper] | None = None,
    options: MatchOptions | None = None,
) -> list[ReportResult]:
    """Match and audit already parsed ``reports`` against fetched ``papers`` (in this process, input order).

    ``latest`` (the latest version of each cited paper, by arXiv id) lets the audit report version drift.
    ``options`` (scorer, model, cache directory) take precedence over ``scorer``.

    Example: ``verify_reports(parse_paths(["reports/"]).reports, session.references(keys))``
    """
    verifier = Verifier(options or MatchOptions(scorer=scorer))
    return [verifier.verify(r, papers, latest) for r in reports]
