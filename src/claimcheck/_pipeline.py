"""The whole pipeline over files: parse → fetch → match → audit, one public function per CLI command.

`parse_paths` backs ``claimcheck parse``; `verify_paths` backs ``claimcheck verify``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import ClaimcheckError, ReportParseError
from ._inputs import discover_reports
from ._models import (
    BatchSummary,
    ClaimResult,
    Evidence,
    InputErrorRecord,
    Paper,
    Recomputed,
    Report,
    ReportResult,
    ReportSummary,
    VerifyResult,
)
from ._parse import DEFAULT_MAX_BYTES, parse_report_file
from ._version import __version__

if TYPE_CHECKING:
    from ._arxiv import ArxivClient
    from ._cache import PaperCache
    from ._match import Matcher, PreparedSource

__all__ = ["PaperKey", "ParseResult", "parse_paths", "verify_paths", "verify_reports"]

PaperKey = tuple[str, int | None]


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


class _Verifier:
    """Matches and audits reports against fetched papers; each paper is prepared once and reused."""

    def __init__(
        self, papers: Mapping[PaperKey, Paper], scorer: str, latest: Mapping[str, Paper] | None = None
    ) -> None:
        from ._match import Matcher

        self.papers = papers
        self.latest = latest
        self.matcher: Matcher = Matcher(scorer=scorer)
        self._prepared: dict[PaperKey, PreparedSource] = {}

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
        prepared = [p for k in keys if (p := self.prepared(k)) is not None]
        any_unavailable = any(
            (self.papers.get(k) is None or self.papers[k].status == "unavailable") for k in keys
        )

        claims: list[ClaimResult] = []
        for claim in report.claims:
            verdict = (
                self.matcher.match(claim.text, prepared, truncated=claim.truncated) if prepared else None
            )
            if verdict is None or (verdict.label == "not_found" and any_unavailable):
                # Nothing to judge against, or the paper that might say it could not be fetched.
                label = "unverifiable" if (any_unavailable or not keys) else "not_found"
                confidence = verdict.confidence if verdict is not None else 0.0
                recomputed = Recomputed(verified=False, confidence=confidence, label=label)  # type: ignore[arg-type]
            else:
                recomputed = Recomputed(
                    verified=verdict.verified, confidence=verdict.confidence, label=verdict.label
                )
            evidence = (
                [
                    Evidence(
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
            result = ClaimResult(**claim.model_dump(), recomputed=recomputed, evidence=evidence, findings=[])
            result.findings = audit_claim(claim, verdict, unverifiable=recomputed.label == "unverifiable")
            claims.append(result)

        report_findings = audit_report(
            report, {k: self.papers[k] for k in keys if k in self.papers}, claims, latest=self.latest
        )
        data = report.model_dump()
        data["claims"] = claims
        data["findings"] = [*report.findings, *report_findings]
        out = ReportResult.model_validate(data)
        out.summary = _summarise(out, keys, self.papers)
        return out


def _summarise(
    report: ReportResult, keys: Sequence[PaperKey], papers: Mapping[PaperKey, Paper]
) -> ReportSummary:
    labels = [c.recomputed.label for c in report.claims]
    all_findings = [*report.findings, *(f for c in report.claims for f in c.findings)]
    return ReportSummary(
        references=len(report.references),
        references_found=sum(1 for k in keys if k in papers and papers[k].status == "found"),
        claims=len(report.claims),
        reported_verified=sum(1 for c in report.claims if c.reported.verified),
        supported=labels.count("supported"),
        contradicted=labels.count("contradicted"),
        not_found=labels.count("not_found"),
        unverifiable=labels.count("unverifiable"),
        errors=sum(1 for f in all_findings if f.severity == "error"),
        warnings=sum(1 for f in all_findings if f.severity == "warning"),
    )


# Worker state for the process pool: the papers and a verifier, built once per worker.
_WORKER: _Verifier | None = None


def _init_worker(papers: Mapping[PaperKey, Paper], scorer: str, latest: Mapping[str, Paper] | None) -> None:
    global _WORKER
    _WORKER = _Verifier(papers, scorer, latest)


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
) -> list[ReportResult]:
    """Match and audit already parsed ``reports`` against fetched ``papers`` (in input order).

    With ``jobs > 1`` the reports are spread over a process pool; the output order is the input order.
    ``latest`` (the latest version of each cited paper, by arXiv id) lets the audit report version drift.

    Example: ``verify_reports(parse_paths(["reports/"]).reports, papers)``
    """
    if jobs <= 1 or len(reports) < 2 * jobs:
        verifier = _Verifier(papers, scorer, latest)
        return [verifier.verify(r) for r in reports]
    chunksize = max(1, min(64, len(reports) // (jobs * 4)))
    init = (dict(papers), scorer, dict(latest) if latest is not None else None)
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=init) as pool:
            return list(pool.map(_verify_in_worker, reports, chunksize=chunksize))
    except BrokenProcessPool as exc:
        raise ClaimcheckError(
            f"a worker process died ({exc}); the machine may be out of memory: rerun with --jobs 1"
        ) from exc


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

    versioned = sorted({aid for (aid, version), p in papers.items() if version is not None and p.status == "found"})
    known = {aid: p for (aid, version), p in papers.items() if version is None and p.status == "found"}
    wanted = [aid for aid in versioned if aid not in known]
    if wanted:
        fetched = fetch_papers(wanted, cache=cache, sources=sources, offline=offline, client=client)
        known.update({aid: p for aid, p in zip(wanted, fetched, strict=True) if p.status == "found"})
    return known


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
) -> VerifyResult:
    """Run the whole pipeline over report files and directories: parse → fetch → match → audit.

    Bad inputs are listed in ``errors`` and never stop the batch. Papers are fetched once for all reports.

    Example: ``verify_paths(["reports/"], sources=Path("fixtures/arxiv"), offline=True).summary.supported``
    """
    from ._audit import audit_batch
    from ._fetch import fetch_references

    parsed = parse_paths(paths, max_bytes=max_bytes)
    papers = fetch_references(
        parsed.reports,
        cache=cache,
        sources=sources,
        offline=offline,
        client=client,
        progress=progress,
        warnings=warnings,
    )
    latest = _fetch_latest(papers, cache=cache, sources=sources, offline=offline, client=client)
    results = verify_reports(parsed.reports, papers, scorer=scorer, jobs=jobs, latest=latest)
    summary = BatchSummary(
        reports=len(results),
        claims=sum(r.summary.claims for r in results),
        reported_verified=sum(r.summary.reported_verified for r in results),
        supported=sum(r.summary.supported for r in results),
        contradicted=sum(r.summary.contradicted for r in results),
        not_found=sum(r.summary.not_found for r in results),
        unverifiable=sum(r.summary.unverifiable for r in results),
        errors=len(parsed.errors),
        findings=audit_batch(results),
    )
    return VerifyResult(
        version=__version__,
        scorer=scorer,
        reports=results,
        errors=parsed.errors,
        summary=summary,
        papers=[papers[k] for k in sorted(papers, key=lambda k: (k[0], k[1] or 0))],
    )
