"""Report-level checks: stated figures against the report's own tables, its references, its abstract, and
whether its claims answer its research question."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from .._models import Claim, ClaimResult, Finding, Paper, Reference, Report, ReportSummary, trusted
from ._claims import duplicate_claims
from ._question import question_coverage
from ._text import normalise_prose, quote

__all__ = [
    "COPIED_ERROR_SHARE",
    "COPIED_WARNING_SHARE",
    "abstract_copied_share",
    "audit_report",
    "summarize_report",
]

COPIED_WARNING_SHARE = 0.4
"""Share of the report's abstract found verbatim in a cited abstract from which it is reported as copied."""
COPIED_ERROR_SHARE = 0.8
"""Share from which the copy is an error: the report passes off a paper's abstract as its own."""
_MIN_RUN = 40
"""Shortest verbatim run (characters) that counts as copied; shorter common runs are shared phrasing."""
_ABSTRACT_CHANGED_BELOW = 95.0
"""rapidfuzz ratio below which the cited version's abstract differs materially from the latest one."""

PaperKey = tuple[str, int | None]


def _finding(
    report: Report,
    code: str,
    severity: str,
    message: str,
    line: int | None,
    *,
    arxiv_id: str | None = None,
    **details: str | int | float | bool | list[str] | None,
) -> Finding:
    # built without validation: every value is the audit's own (a computed message, figures, flags)
    return trusted(
        Finding, code=code, severity=severity, message=message, line=line, arxiv_id=arxiv_id,
        path=report.path, details=details,
    )  # fmt: skip


def _count_findings(report: Report, claims: Sequence[Claim]) -> list[Finding]:
    stated = report.stated
    findings: list[Finding] = []
    listed = len(report.references)
    if stated.papers_retrieved is not None and stated.papers_retrieved != listed:
        findings.append(
            _finding(
                report,
                "papers_retrieved_mismatch",
                "error",
                f"the report states {stated.papers_retrieved} papers retrieved "
                f"(line {stated.papers_retrieved_line}) "
                f"but lists {listed} reference{'s' if listed != 1 else ''}",
                stated.papers_retrieved_line,
                stated=stated.papers_retrieved,
                actual=listed,
            )
        )
    rows = len(claims)
    if stated.claims_extracted is not None and stated.claims_extracted != rows:
        findings.append(
            _finding(
                report,
                "claims_count_mismatch",
                "error",
                f"the report states {stated.claims_extracted} claims extracted "
                f"(line {stated.claims_extracted_line}) "
                f"but its claims table has {rows} row{'s' if rows != 1 else ''}",
                stated.claims_extracted_line,
                stated=stated.claims_extracted,
                actual=rows,
            )
        )
    marked = sum(c.reported.verified for c in claims)
    if stated.claims_verified is not None and stated.claims_verified != marked:
        findings.append(
            _finding(
                report,
                "verified_count_mismatch",
                "error",
                f"the report states {stated.claims_verified} claims verified "
                f"(line {stated.claims_verified_line}) "
                f"but marks {marked} row{'s' if marked != 1 else ''} of its claims table ✓",
                stated.claims_verified_line,
                stated=stated.claims_verified,
                actual=marked,
            )
        )
    return findings


def _ref_label(ref: Reference) -> str:
    if ref.arxiv_id is None:
        return quote(ref.raw, 50)
    return ref.arxiv_id + (f"v{ref.version}" if ref.version is not None else "")


def _reference_findings(
    report: Report, papers: Mapping[PaperKey, Paper], latest: Mapping[str, Paper] | None
) -> list[Finding]:
    findings: list[Finding] = []
    for ref in report.references:
        label = _ref_label(ref)
        where = f"reference {label} (line {ref.line})"
        paper = papers.get((ref.arxiv_id, ref.version)) if ref.arxiv_id is not None else None
        status = paper.status if paper is not None else ref.status
        if ref.arxiv_id is None or status == "malformed":
            looks_arxiv = ref.url_kind in ("abs", "pdf", "arxiv_prefix", "bare")
            why = paper.message if paper is not None and paper.message else "it names no valid arXiv id"
            findings.append(
                _finding(
                    report,
                    "reference_malformed",
                    "error" if looks_arxiv else "warning",
                    f"{where} cannot be checked: {why}",
                    ref.line,
                    arxiv_id=ref.arxiv_id,
                    raw=ref.raw,
                )
            )
            continue
        if status == "not_found":
            findings.append(
                _finding(
                    report,
                    "reference_not_found",
                    "error",
                    f"{where} does not exist on arXiv: the API has no paper with this id"
                    + (f" ({paper.message})" if paper is not None and paper.message else ""),
                    ref.line,
                    arxiv_id=ref.arxiv_id,
                )
            )
            continue
        if status == "unavailable" or paper is None:
            reason = paper.message if paper is not None and paper.message else "it was not fetched"
            findings.append(
                _finding(
                    report,
                    "reference_unavailable",
                    "warning",
                    f"{where} could not be checked ({reason}); this does not mean it is fabricated",
                    ref.line,
                    arxiv_id=ref.arxiv_id,
                )
            )
            continue
        if paper.version_missing:
            got = f"v{paper.version}" if paper.version is not None else "another version"
            findings.append(
                _finding(
                    report,
                    "reference_version_missing",
                    "warning",
                    f"{where} cites version v{ref.version}, which arXiv does not have; it returned {got}, "
                    "so claims were checked against that version",
                    ref.line,
                    arxiv_id=ref.arxiv_id,
                    cited_version=ref.version,
                    returned_version=paper.version,
                )
            )
        newest = latest.get(ref.arxiv_id) if latest is not None else None
        if (
            newest is not None
            and newest.status == "found"
            and paper.abstract
            and newest.abstract
            and newest.version != paper.version
        ):
            similarity = fuzz.ratio(normalise_prose(paper.abstract), normalise_prose(newest.abstract))
            if similarity < _ABSTRACT_CHANGED_BELOW:
                findings.append(
                    _finding(
                        report,
                        "reference_abstract_changed",
                        "info",
                        f"{where}: the abstract of the cited version differs from the latest "
                        f"(v{newest.version}) ({similarity:.0f}% similar); claims were checked against the "
                        "cited version",
                        ref.line,
                        arxiv_id=ref.arxiv_id,
                        latest_version=newest.version,
                        similarity=round(similarity / 100, 3),
                    )
                )
    return findings


@lru_cache(maxsize=4096)  # generated reports copy the same few abstracts (all five samples copy 2005.13013)
def abstract_copied_share(report_abstract: str, paper_abstract: str) -> float:
    """Share (0-1) of the report's abstract found verbatim, in runs of 40+ characters, in a paper's abstract.

    TeX dashes and quotes of the raw arXiv abstract are normalised first, so "training---fine-tuning" matches
    the report's "training—fine-tuning". A report abstract cut off mid-word still matches up to the cut.

    Example: ``abstract_copied_share(paper_abstract[:500], paper_abstract)`` is 1.0.
    """
    ours = normalise_prose(report_abstract)
    theirs = normalise_prose(paper_abstract)
    if not ours or not theirs:
        return 0.0
    if len(ours) < _MIN_RUN or len(theirs) < _MIN_RUN:
        return 0.0
    # A character is copied when it lies in a window of _MIN_RUN characters that also stands verbatim in the
    # paper's abstract: the union of such windows is the text covered by verbatim runs of _MIN_RUN or more.
    # Linear in both lengths (a set of the paper's windows), unlike difflib's quadratic block matching.
    windows = _windows(theirs)
    covered_until = 0
    copied = 0
    for start in range(len(ours) - _MIN_RUN + 1):
        if ours[start : start + _MIN_RUN] in windows:
            end = start + _MIN_RUN
            copied += end - max(start, covered_until)
            covered_until = end
    return copied / len(ours)


@lru_cache(maxsize=32)  # about 200 KB each: with thousands of distinct cited papers a large cache was 200 MB
def _windows(text: str) -> frozenset[str]:
    return frozenset(text[i : i + _MIN_RUN] for i in range(len(text) - _MIN_RUN + 1))


def _abstract_findings(report: Report, papers: Mapping[PaperKey, Paper]) -> list[Finding]:
    if not report.abstract or len(normalise_prose(report.abstract)) < _MIN_RUN:
        return []
    best: tuple[float, Paper] | None = None
    for paper in papers.values():
        if paper.status != "found" or not paper.abstract:
            continue
        share = abstract_copied_share(report.abstract, paper.abstract)
        if best is None or share > best[0]:
            best = (share, paper)
    if best is None or best[0] < COPIED_WARNING_SHARE:
        return []
    share, paper = best
    ours = normalise_prose(report.abstract)
    cut = ""
    if ours[-1] not in ".!?)\"'”":
        cut = f'; it breaks off mid-sentence ("…{ours[-25:]}"), where the paper\'s abstract goes on'
    title = f" ({quote(paper.title, 70)})" if paper.title else ""
    return [
        _finding(
            report,
            "abstract_copied",
            "error" if share >= COPIED_ERROR_SHARE else "warning",
            f"{share:.0%} of the report's abstract (line {report.abstract_line}) is copied verbatim from the "
            f"abstract of {paper.arxiv_id}{title}{cut}",
            report.abstract_line,
            arxiv_id=paper.arxiv_id,
            share=round(share, 3),
        )
    ]


def _supporting_papers(claim: ClaimResult) -> set[str]:
    if claim.recomputed.label != "supported" or not claim.evidence:
        return set()
    backing = [e for e in claim.evidence if e.stance == "support"]
    if not backing:
        # no stance given: count the papers whose evidence scores near the best, not every paper consulted
        top = max(e.score for e in claim.evidence)
        backing = [e for e in claim.evidence if e.score >= 0.9 * top and e.stance != "contradict"]
    return {e.arxiv_id for e in backing}


def _unused_reference_findings(
    report: Report, papers: Mapping[PaperKey, Paper], claims: Sequence[ClaimResult]
) -> list[Finding]:
    used: set[str] = set()
    for claim in claims:
        used |= _supporting_papers(claim)
    findings: list[Finding] = []
    seen: set[str] = set()
    for ref in report.references:
        if ref.arxiv_id is None or ref.arxiv_id in used or ref.arxiv_id in seen:
            continue
        paper = papers.get((ref.arxiv_id, ref.version))
        if paper is None or paper.status != "found":
            continue
        seen.add(ref.arxiv_id)
        title = f" ({quote(paper.title, 70)})" if paper.title else ""
        findings.append(
            _finding(
                report,
                "unused_reference",
                "warning",
                f"reference {ref.arxiv_id}{title} (line {ref.line}) supports none of the report's "
                f"{len(claims)} claims",
                ref.line,
                arxiv_id=ref.arxiv_id,
            )
        )
    return findings


def _display_terms(question: str, terms: list[str], *, whole: bool) -> list[str]:
    """Quote terms as the question writes them: "zero" and "shot" show as "zero-shot". With ``whole``, a
    compound shows only when all its parts are among ``terms``; else when any part is."""
    shown: list[str] = []
    wanted = set(terms)
    for compound in re.findall(r"\w+(?:-\w+)+", question):
        parts = {p.casefold() for p in compound.split("-") if len(p) >= 2}
        if parts and (parts <= wanted if whole else parts & wanted):
            shown.append(compound)
            wanted -= parts
    return [f'"{t}"' for t in shown + [t for t in terms if t in wanted]]


def _question_findings(
    report: Report, papers: Mapping[PaperKey, Paper], claims: Sequence[Claim]
) -> list[Finding]:
    question = report.research_question
    if not question or not claims:
        return []
    sources = [
        f"{p.title or ''}. {p.abstract or ''}"
        for p in papers.values()
        if p.status == "found" and (p.title or p.abstract)
    ]
    coverage = question_coverage(question, [c.text for c in claims], sources)
    if coverage.addressed:
        return []
    missing = _display_terms(question, coverage.missing, whole=False)
    in_missing = {part.casefold() for term in missing for part in term.strip('"').split("-")}
    covered = _display_terms(question, [t for t in coverage.covered if t not in in_missing], whole=True)
    message = (
        f"no claim addresses the research question (line {report.research_question_line}): "
        f"its distinctive terms {', '.join(missing)} appear in none of the {len(claims)} claims"
    )
    if covered:
        message += f"; the claims cover only {', '.join(covered)}"
    message += f" ({coverage.share:.0%} of the question's distinctive weight is covered"
    message += f"; the closest is claim {coverage.best_claim})" if coverage.best_claim is not None else ")"
    return [
        _finding(
            report,
            "research_question_unaddressed",
            "warning",
            message,
            report.research_question_line,
            missing_terms=coverage.missing,
            covered_terms=coverage.covered,
            coverage=round(coverage.share, 3),
        )
    ]


def audit_report(
    report: Report,
    papers: Mapping[PaperKey, Paper],
    claims: Sequence[ClaimResult] = (),
    *,
    latest: Mapping[str, Paper] | None = None,
) -> list[Finding]:
    """Report-level findings: stated counts, references, copied abstract, unused references, the question.

    Parameters: ``report``, the parsed report; ``papers``, the fetched papers keyed by ``(arxiv_id, version)``
    of ``report.references``; ``claims``, the claims with recomputed verdicts and evidence (when empty, the
    counts are taken from ``report.claims`` and no reference is called unused); ``latest``, optionally the
    latest version of each cited paper by arXiv id, to tell whether the cited version's abstract has changed.

    Example: ``audit_report(report, {("2005.13013", 2): paper}, results)`` on a report stating "12 papers
    retrieved" over 3 references gives a ``papers_retrieved_mismatch`` error on the line of that figure.
    """
    rows: Sequence[Claim] = claims if claims else report.claims
    findings = _count_findings(report, rows)
    if not rows and not any(f.code == "no_claims" for f in report.findings):
        findings.append(
            _finding(
                report,
                "no_claims",
                "warning",
                "the report has no claims to verify"
                + (
                    f" (its claims section starts on line {report.claims_line})" if report.claims_line else ""
                ),
                report.claims_line,
            )
        )
    findings += [f.model_copy(update={"path": report.path}) for f in duplicate_claims(rows)]
    findings += _reference_findings(report, papers, latest)
    findings += _abstract_findings(report, papers)
    if claims:
        findings += _unused_reference_findings(report, papers, claims)
    findings += _question_findings(report, papers, rows)
    return findings


def _found(ref: Reference, papers: Mapping[PaperKey, Paper] | None) -> bool:
    if papers is None or ref.arxiv_id is None:
        return ref.status == "found"
    paper = papers.get((ref.arxiv_id, ref.version))
    return paper is not None and paper.status == "found"


def summarize_report(
    report: Report,
    claims: Sequence[ClaimResult],
    findings: Sequence[Finding],
    papers: Mapping[PaperKey, Paper] | None = None,
) -> ReportSummary:
    """The recomputed figures to show beside the stated ones: references found, claims by recomputed label.

    Parameters: ``report``, the parsed report; ``claims``, the claims with recomputed verdicts; ``findings``,
    every finding of the report (report-level and claim-level) for the error and warning counts; ``papers``,
    the fetched papers (else a reference counts as found by its own ``status``).

    Example: ``summarize_report(report, results, findings).supported`` is how many claims the sources support.
    """
    labels = [c.recomputed.label for c in claims]
    return ReportSummary(
        references=len(report.references),
        references_found=sum(_found(r, papers) for r in report.references),
        claims=len(claims),
        reported_verified=sum(c.reported.verified for c in claims),
        supported=labels.count("supported"),
        contradicted=labels.count("contradicted"),
        not_found=labels.count("not_found"),
        unverifiable=labels.count("unverifiable"),
        errors=sum(f.severity == "error" for f in findings),
        warnings=sum(f.severity == "warning" for f in findings),
    )
