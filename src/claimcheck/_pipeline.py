"""The whole pipeline over files: parse → fetch → match → audit, one public function per CLI command.

`parse_paths` backs ``claimcheck parse``; `verify_stream` backs ``claimcheck verify`` (reports stream through
match, audit and rendering in worker processes, in input order); `verify_paths` is the same run kept whole.
"""

from __future__ import annotations

import os
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ._errors import ClaimcheckError, ReportParseError
from ._gc import quiet_gc
from ._inputs import discover_reports
from ._models import (
    BatchSummary,
    Claim,
    ClaimResult,
    Evidence,
    Finding,
    InputErrorRecord,
    Label,
    MatchResult,
    Paper,
    Recomputed,
    Reference,
    Report,
    ReportResult,
    ReportSummary,
    StatedFigures,
    VerifyResult,
)
from ._parse import DEFAULT_MAX_BYTES, parse_report_file
from ._version import __version__

if TYPE_CHECKING:
    from ._arxiv import ArxivClient
    from ._audit import ClaimKey
    from ._cache import PaperCache
    from ._match import Matcher, PreparedSource

__all__ = [
    "MatchOptions",
    "PaperKey",
    "ParseResult",
    "ReportOutcome",
    "VerifyStream",
    "parse_paths",
    "verify_paths",
    "verify_reports",
    "verify_stream",
]

PaperKey = tuple[str, int | None]
_T = TypeVar("_T")
# shared, never changed: placeholders of records built only to be read
_NO_FIGURES = StatedFigures()
_NO_SUMMARY = BatchSummary()
_R = TypeVar("_R")


@dataclass
class ParseResult:
    """Reports that parsed and the inputs that did not."""

    reports: list[Report] = field(default_factory=list)
    errors: list[InputErrorRecord] = field(default_factory=list)


def _error_record(exc: ReportParseError, path: Path) -> InputErrorRecord:
    return InputErrorRecord(path=exc.path or str(path), message=exc.message, line=exc.line)


def _parse_one(path: Path, max_bytes: int) -> Report | InputErrorRecord:
    try:
        return parse_report_file(path, max_bytes=max_bytes)
    except ReportParseError as exc:
        return _error_record(exc, path)
    except RecursionError:  # pathological nesting must not take the batch down
        return InputErrorRecord(path=str(path), message="report too deeply nested to parse")


def iter_parsed(
    paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Report | InputErrorRecord]:
    """Parse every report under ``paths`` lazily, yielding a `Report` or an `InputErrorRecord` for each input.

    Example: ``for item in iter_parsed(["reports/"]): ...``
    """
    for item in discover_reports(paths):
        yield item if isinstance(item, InputErrorRecord) else _parse_one(item, max_bytes)


def parse_paths(
    paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Parse every report under ``paths`` (directories recursed); bad inputs become `errors`, never raise.

    Example: ``parse_paths(["reports/"]).reports[0].claims[0].text``
    """
    result = ParseResult()
    for item in iter_parsed(paths, max_bytes=max_bytes):
        if isinstance(item, Report):
            result.reports.append(item)
        else:
            result.errors.append(item)
    return result


@dataclass(frozen=True)
class MatchOptions:
    """How claims are matched: the scorer and its options, passed on to every worker process.

    Example: ``MatchOptions(scorer="nli", model_path=Path("models/nli"))``
    """

    scorer: str = "lexical"
    model_path: Path | str | None = None
    cache_dir: Path | None = None
    scorer_options: dict[str, object] = field(default_factory=dict)
    """What the nli scorer also takes: ``model_kind``, ``backend``, ``offline`` (`claimcheck._match._nli.standalone`)."""


_MEMO_SIZE = 16384
"""Verdicts remembered per process, by (claim text, truncated flag, cited papers)."""


class _Verifier:
    """Matches and audits reports against fetched papers; each paper is prepared once and reused, and the
    verdict on a claim already matched against the same papers in this run is reused too."""

    def __init__(
        self,
        papers: Mapping[PaperKey, Paper],
        options: MatchOptions,
        latest: Mapping[str, Paper] | None = None,
    ) -> None:
        from ._match import Matcher

        self.papers = papers
        self.latest = latest
        self.matcher: Matcher = Matcher(
            scorer=options.scorer,
            model_path=options.model_path,
            cache_dir=options.cache_dir,
            scorer_options=options.scorer_options,
        )
        self._prepared: dict[PaperKey, PreparedSource] = {}
        self._memo: OrderedDict[tuple[str, bool, tuple[PaperKey, ...]], MatchResult] = OrderedDict()
        self.memo_hits = 0

    def prepared(self, key: PaperKey) -> PreparedSource | None:
        paper = self.papers.get(key)
        if paper is None or paper.status != "found":
            return None
        if key not in self._prepared:
            from ._match import Source

            self._prepared[key] = self.matcher.prepare(
                Source(id=paper.arxiv_id, title=paper.title or "", text=paper.abstract or "")
            )
        return self._prepared[key]

    def match(self, claim: Claim, keys: tuple[PaperKey, ...], prepared: list[PreparedSource]) -> MatchResult:
        memo_key = (claim.text, claim.truncated, keys)
        verdict = self._memo.get(memo_key)
        if verdict is not None:
            self._memo.move_to_end(memo_key)
            self.memo_hits += 1
            return verdict
        verdict = self.matcher.match(claim.text, prepared, truncated=claim.truncated)
        self._memo[memo_key] = verdict
        if len(self._memo) > _MEMO_SIZE:
            self._memo.popitem(last=False)
        return verdict

    def verify(self, report: Report) -> ReportResult:
        from ._audit import audit_claim, audit_report

        keys: list[PaperKey] = []
        for ref in report.references:
            if ref.arxiv_id is None:
                continue
            key = (ref.arxiv_id, ref.version)
            paper = self.papers.get(key)
            ref.status = paper.status if paper is not None else "unavailable"
            ref.title = paper.title if paper is not None else None
            if key not in keys:
                keys.append(key)
        usable = [(k, p) for k in keys if (p := self.prepared(k)) is not None]
        found = tuple(k for k, _ in usable)
        prepared = [p for _, p in usable]
        any_unavailable = any(
            (self.papers.get(k) is None or self.papers[k].status == "unavailable") for k in keys
        )

        if prepared and self.matcher.extractors:  # a model-based scorer encodes the report's texts at once
            self.matcher.plan([(c.text, prepared) for c in report.claims])
        # Records are built with model_construct: every value comes from validated models or the matcher.
        claims: list[ClaimResult] = []
        for claim in report.claims:
            verdict = self.match(claim, found, prepared) if prepared else None
            label: Label
            if verdict is None or (verdict.label == "not_found" and any_unavailable):
                # Nothing to judge against, or the paper that might say it could not be fetched.
                label = "unverifiable" if (any_unavailable or not keys) else "not_found"
                confidence = verdict.confidence if verdict is not None else 0.0
                recomputed = Recomputed.model_construct(verified=False, confidence=confidence, label=label)
            else:
                recomputed = Recomputed.model_construct(
                    verified=verdict.verified, confidence=verdict.confidence, label=verdict.label
                )
            evidence = (
                [
                    Evidence.model_construct(
                        arxiv_id=e.source_id,
                        sentence=e.sentence,
                        start=e.start,
                        end=e.end,
                        score=e.score,
                        field="title" if e.field == "title" else "abstract",
                        stance=e.stance,
                    )
                    for e in verdict.evidence
                ]
                if verdict is not None
                else []
            )
            claims.append(
                ClaimResult.model_construct(
                    **dict(claim),
                    recomputed=recomputed,
                    evidence=evidence,
                    findings=audit_claim(claim, verdict, unverifiable=recomputed.label == "unverifiable"),
                )
            )

        report_findings = audit_report(
            report, {k: self.papers[k] for k in keys if k in self.papers}, claims, latest=self.latest
        )
        findings = [*report.findings, *report_findings]
        summary = _summarise(report, claims, findings, keys, self.papers)
        return ReportResult.model_construct(
            **{**dict(report), "claims": claims, "findings": findings, "summary": summary}
        )


def _summarise(
    report: Report,
    claims: Sequence[ClaimResult],
    findings: Sequence[Finding],
    keys: Sequence[PaperKey],
    papers: Mapping[PaperKey, Paper],
) -> ReportSummary:
    labels = [c.recomputed.label for c in claims]
    all_findings = [*findings, *(f for c in claims for f in c.findings)]
    return ReportSummary.model_construct(
        references=len(report.references),
        references_found=sum(1 for k in keys if k in papers and papers[k].status == "found"),
        claims=len(claims),
        reported_verified=sum(1 for c in claims if c.reported.verified),
        supported=labels.count("supported"),
        contradicted=labels.count("contradicted"),
        not_found=labels.count("not_found"),
        unverifiable=labels.count("unverifiable"),
        errors=sum(1 for f in all_findings if f.severity == "error"),
        warnings=sum(1 for f in all_findings if f.severity == "warning"),
    )


# Worker state for the process pool: the papers and a verifier, built once per worker.
_WORKER: _Verifier | None = None


def _init_worker(
    papers: Mapping[PaperKey, Paper], options: MatchOptions, latest: Mapping[str, Paper] | None
) -> None:
    global _WORKER
    quiet_gc()
    _WORKER = _Verifier(papers, options, latest)


def _verify_in_worker(report: Report) -> ReportResult:
    assert _WORKER is not None
    return _WORKER.verify(report)


def verify_reports(
    reports: Sequence[Report],
    papers: Mapping[PaperKey, Paper],
    *,
    scorer: str = "lexical",
    jobs: int = 1,
    latest: Mapping[str, Paper] | None = None,
    options: MatchOptions | None = None,
) -> list[ReportResult]:
    """Match and audit already parsed ``reports`` against fetched ``papers`` (in input order).

    With ``jobs > 1`` the reports are spread over a process pool; the output order is the input order.
    ``latest`` (the latest version of each cited paper, by arXiv id) lets the audit report version drift.
    ``options`` (scorer, model, cache directory) take precedence over ``scorer``.

    Example: ``verify_reports(parse_paths(["reports/"]).reports, papers)``
    """
    options = options or MatchOptions(scorer=scorer)
    if jobs <= 1 or len(reports) < 2 * jobs:
        verifier = _Verifier(papers, options, latest)
        return [verifier.verify(r) for r in reports]
    chunksize = max(1, min(64, len(reports) // (jobs * 4)))
    init = (dict(papers), options, dict(latest) if latest is not None else None)
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=init) as pool:
            return list(pool.map(_verify_in_worker, reports, chunksize=chunksize))
    except BrokenProcessPool as exc:
        raise _worker_died(exc) from exc


def _worker_died(exc: BrokenProcessPool) -> ClaimcheckError:
    return ClaimcheckError(
        f"a worker process died ({exc}); the machine may be out of memory: rerun with --jobs 1"
    )


def _fetch_latest(
    papers: Mapping[PaperKey, Paper],
    *,
    cache: PaperCache | None,
    sources: Path | None,
    offline: bool,
    client: ArxivClient | None,
) -> dict[str, Paper]:
    """The latest version of every paper cited with a version, to tell version drift (one batched fetch).

    A latest version that cannot be had is simply left out: it only informs, it never blocks verification.
    """
    from ._fetch import fetch_papers

    versioned = sorted(
        {aid for (aid, version), p in papers.items() if version is not None and p.status == "found"}
    )
    known = {aid: p for (aid, version), p in papers.items() if version is None and p.status == "found"}
    wanted = [aid for aid in versioned if aid not in known]
    if wanted:
        fetched = fetch_papers(wanted, cache=cache, sources=sources, offline=offline, client=client)
        known.update({aid: p for aid, p in zip(wanted, fetched, strict=True) if p.status == "found"})
    return known


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
    gate: list[str]
    unavailable: list[str]
    result: ReportResult | None = None


@dataclass(frozen=True)
class _Task:
    """What a worker needs besides the reports: picklable, sent once to each worker."""

    papers: dict[PaperKey, Paper]
    latest: dict[str, Paper]
    options: MatchOptions
    chunker: Callable[[ReportResult, int, int], str] | None
    policies: frozenset[str]
    keep_results: bool
    max_bytes: int
    total: int


class _StreamWorker:
    """Parses, verifies and renders reports by path; one per worker process (or in-process with one job)."""

    def __init__(self, task: _Task) -> None:
        self.task = task
        self.verifier = _Verifier(task.papers, task.options, task.latest)

    def run(self, items: Sequence[tuple[int, str]]) -> list[ReportOutcome | InputErrorRecord]:
        from ._audit import claim_keys
        from ._gate import gate_failures, incomplete_sources

        task = self.task
        out: list[ReportOutcome | InputErrorRecord] = []
        for number, path in items:
            parsed = _parse_one(Path(path), task.max_bytes)
            if isinstance(parsed, InputErrorRecord):  # the file changed since it was first read
                out.append(parsed)
                continue
            result = self.verifier.verify(parsed)
            alone = VerifyResult.model_construct(
                schema_version="1", reports=[result], errors=[], summary=_NO_SUMMARY, papers=[]
            )
            out.append(
                ReportOutcome(
                    path=result.path,
                    summary=result.summary,
                    chunk=task.chunker(result, number, task.total) if task.chunker is not None else "",
                    claims=claim_keys(result),
                    gate=gate_failures(alone, task.policies) if task.policies else [],
                    unavailable=incomplete_sources(alone),
                    result=result if task.keep_results else None,
                )
            )
        return out


_STREAM: _StreamWorker | None = None


def _init_stream_worker(task: _Task) -> None:
    global _STREAM
    quiet_gc()
    _STREAM = _StreamWorker(task)


def _stream_in_worker(items: Sequence[tuple[int, str]]) -> list[ReportOutcome | InputErrorRecord]:
    assert _STREAM is not None
    return _STREAM.run(items)


def _scan(items: Sequence[tuple[str, int]]) -> list[list[Reference] | InputErrorRecord]:
    """First pass: the references of each report (for one batched fetch), or why it cannot be read."""
    out: list[list[Reference] | InputErrorRecord] = []
    for path, max_bytes in items:
        parsed = _parse_one(Path(path), max_bytes)
        out.append(parsed if isinstance(parsed, InputErrorRecord) else parsed.references)
    return out


def _batched(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ordered(
    pool: ProcessPoolExecutor,
    fn: Callable[[Sequence[_T]], list[_R]],
    chunks: Iterator[Sequence[_T]],
    ahead: int,
) -> Iterator[_R]:
    """Results of ``fn`` over ``chunks`` in input order, with at most ``ahead`` chunks in flight (so that
    finished results never pile up when the consumer is slower than the workers)."""
    pending: deque[Future[list[_R]]] = deque(pool.submit(fn, c) for c in islice(chunks, ahead))
    while pending:
        done = pending.popleft().result()
        nxt = next(chunks, None)
        if nxt is not None:
            pending.append(pool.submit(fn, nxt))
        yield from done


class VerifyStream:
    """A verify run whose reports stream through the pipeline one by one, in input order.

    Built by `verify_stream`: the inputs are read once for their references and the cited papers fetched
    (``errors``, ``papers`` and ``total`` are known from the start); iterating verifies, audits and renders
    each report (in worker processes with ``jobs > 1``) and yields its `ReportOutcome`; `summary` is the
    batch summary once iteration is over. Memory stays flat whatever the number of reports: only compact
    per-claim keys are kept, for the batch audit.

    Example: ``s = verify_stream(["reports/"], sources=Path("fixtures/arxiv"), offline=True)``,
    ``chunks = [o.chunk for o in s]``, then ``s.summary().supported``.
    """

    def __init__(
        self,
        paths: list[str],
        errors: list[InputErrorRecord],
        papers: dict[PaperKey, Paper],
        task: _Task,
        jobs: int,
    ) -> None:
        self._paths = paths
        self.errors = errors
        self._papers = papers
        self._task = task
        self._jobs = jobs
        self._pool: ProcessPoolExecutor | None = None  # the workers, kept for the batch audit
        self._claims: list[ClaimKey] = []
        self._summaries: list[ReportSummary] = []
        self._done = False

    def close(self) -> None:
        """Stop the worker processes; `summary` does it, and so does leaving a ``with`` block. Idempotent.

        Example: ``with verify_stream(["reports/"], jobs=2) as s: ...``
        """
        pool, self._pool = getattr(self, "_pool", None), None
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    def __enter__(self) -> VerifyStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    @property
    def total(self) -> int:
        """How many reports will be verified (the inputs that parsed)."""
        return self._task.total

    @property
    def scorer(self) -> str:
        """The scorer name."""
        return self._task.options.scorer

    @property
    def papers(self) -> list[Paper]:
        """Every cited paper once, sorted by arXiv id and version."""
        return [self._papers[k] for k in sorted(self._papers, key=lambda k: (k[0], k[1] or 0))]

    def _outcomes(self) -> Iterator[ReportOutcome | InputErrorRecord]:
        items = list(enumerate(self._paths, 1))
        if self._jobs <= 1 or len(items) < 2 * self._jobs:
            worker = _StreamWorker(self._task)
            for chunk in _batched(items, 16):
                yield from worker.run(chunk)
            return
        size = max(1, min(16, len(items) // (self._jobs * 4)))
        # The pool outlives the iteration: `summary` runs the batch audit in it, then closes it.
        self._pool = ProcessPoolExecutor(
            max_workers=self._jobs, initializer=_init_stream_worker, initargs=(self._task,)
        )
        try:
            yield from _ordered(self._pool, _stream_in_worker, _batched(items, size), 4 * self._jobs)
        except BrokenProcessPool as exc:
            raise _worker_died(exc) from exc

    def __iter__(self) -> Iterator[ReportOutcome]:
        if self._done:
            raise ClaimcheckError("a verify stream can be iterated only once")
        self._done = True
        try:
            for item in self._outcomes():
                if isinstance(item, InputErrorRecord):
                    self.errors.append(item)
                    continue
                self._claims.extend(item.claims)
                self._summaries.append(item.summary)
                yield item
        except BaseException:
            self.close()
            raise

    def result(self) -> VerifyResult:
        """Verify every report and return the whole `VerifyResult` (the stream must keep its results).

        Example: ``verify_stream(["reports/"], offline=True, keep_results=True).result().summary.supported``
        """
        if not self._task.keep_results:
            raise ClaimcheckError("result() needs a stream started with keep_results=True")
        reports = [o.result for o in self if o.result is not None]
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
        from ._audit import audit_batch_keys

        sums = self._summaries
        try:
            findings = audit_batch_keys(self._claims, jobs=self._jobs, executor=self._pool)
        finally:
            self.close()
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


def verify_stream(
    paths: Iterable[str | os.PathLike[str]],
    *,
    cache: PaperCache | None = None,
    sources: Path | None = None,
    offline: bool = False,
    client: ArxivClient | None = None,
    options: MatchOptions | None = None,
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
    warnings: list[str] | None = None,
    chunker: Callable[[ReportResult, int, int], str] | None = None,
    policies: frozenset[str] = frozenset(),
    keep_results: bool = False,
) -> VerifyStream:
    """Start a streamed verify run: read the inputs for their references, fetch the cited papers once, and
    return the `VerifyStream` that verifies the reports as it is iterated.

    Parameters: ``paths``, ``cache``, ``sources``, ``offline``, ``client``, ``max_bytes``, ``progress`` and
    ``warnings`` as in `verify_paths`; ``options``, the scorer and its model; ``jobs``, worker processes;
    ``chunker``, renders each verified report (number, total) into its `ReportOutcome.chunk` (a
    `claimcheck._render.ReportChunker`); ``policies``, the CI gate policies (`claimcheck._gate`);
    ``keep_results``, keep each whole `ReportResult` in its outcome.

    Example: ``for outcome in verify_stream(["reports/"], offline=True, chunker=ReportChunker("jsonl")): ...``
    """
    from ._fetch import fetch_references

    options = options or MatchOptions()
    items = list(discover_reports(paths))
    discovered = [(str(item), max_bytes) for item in items if not isinstance(item, InputErrorRecord)]
    if jobs > 1 and len(discovered) >= 4 * jobs:
        size = max(1, min(64, len(discovered) // (jobs * 4)))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            refs = iter(list(_ordered(pool, _scan, _batched(discovered, size), 4 * jobs)))
    else:
        refs = iter(_scan(discovered))
    found: list[str] = []
    errors: list[InputErrorRecord] = []
    holders: list[Report] = []
    for item in items:  # errors in discovery order, as `parse_paths` gives them
        got = item if isinstance(item, InputErrorRecord) else next(refs)
        if isinstance(got, InputErrorRecord):
            errors.append(got)
        else:
            found.append(str(item))
            # every field with a default factory given: pydantic inspects the factories otherwise (slow)
            holders.append(
                Report.model_construct(
                    path=str(item),
                    format="text",
                    references=got,
                    stated=_NO_FIGURES,
                    claims=[],
                    findings=[],
                )
            )
    papers = fetch_references(
        holders,
        cache=cache,
        sources=sources,
        offline=offline,
        client=client,
        progress=progress,
        warnings=warnings,
    )
    del holders
    latest = _fetch_latest(papers, cache=cache, sources=sources, offline=offline, client=client)
    task = _Task(
        papers=papers,
        latest=latest,
        options=options,
        chunker=chunker,
        policies=policies,
        keep_results=keep_results,
        max_bytes=max_bytes,
        total=len(found),
    )
    return VerifyStream(found, errors, papers, task, jobs)


def verify_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    cache: PaperCache | None = None,
    sources: Path | None = None,
    offline: bool = False,
    client: ArxivClient | None = None,
    scorer: str = "lexical",
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
    warnings: list[str] | None = None,
    options: MatchOptions | None = None,
) -> VerifyResult:
    """Run the whole pipeline over report files and directories: parse → fetch → match → audit.

    Bad inputs are listed in ``errors`` and never stop the batch. Papers are fetched once for all reports.
    The whole result is kept in memory: for large batches, stream with `verify_stream`. ``options`` (scorer,
    model, cache directory) take precedence over ``scorer``.

    Example: ``verify_paths(["reports/"], sources=Path("fixtures/arxiv"), offline=True).summary.supported``
    """
    return verify_stream(
        paths,
        cache=cache,
        sources=sources,
        offline=offline,
        client=client,
        options=options or MatchOptions(scorer=scorer),
        jobs=jobs,
        max_bytes=max_bytes,
        progress=progress,
        warnings=warnings,
        keep_results=True,
    ).result()
