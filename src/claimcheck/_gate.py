"""The CI gate: which findings make ``verify --fail-on POLICY`` fail."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ._errors import InputError
from ._models import Finding, ReportResult, VerifyResult

__all__ = [
    "GATE_POLICIES",
    "gate_failures",
    "incomplete_sources",
    "parse_policies",
    "report_gate_failures",
    "report_incomplete_sources",
]

_COUNT_CODES = frozenset({"papers_retrieved_mismatch", "claims_count_mismatch", "verified_count_mismatch"})
_REFERENCE_CODES = frozenset({"reference_not_found", "reference_malformed"})

GATE_POLICIES: dict[str, str] = {
    "unsupported": "a ✓ claim that is not recomputed as verified",
    "contradicted": "a claim the cited papers contradict",
    "counts": "stated counts (papers retrieved, claims extracted, claims verified) disagree with the report",
    "references": "a cited paper that arXiv does not have, or a reference that is not an arXiv id",
    "any": "any error-severity finding",
    "none": "never fail on findings",
}


def parse_policies(values: Iterable[str]) -> frozenset[str]:
    """Split ``--fail-on`` values ("unsupported,counts") into a set of known policies.

    Example: ``parse_policies(["unsupported,counts"]) == {"unsupported", "counts"}``
    """
    policies: set[str] = set()
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name not in GATE_POLICIES:
                known = ", ".join(GATE_POLICIES)
                raise InputError(f"unknown --fail-on policy {name!r} (known: {known})")
            policies.add(name)
    return frozenset(policies - {"none"})


def _findings(report: ReportResult) -> Iterator[Finding]:
    yield from report.findings
    for claim in report.claims:
        yield from claim.findings


def report_gate_failures(report: ReportResult, policies: frozenset[str]) -> list[str]:
    """Reasons one verified report fails the gate under ``policies`` (empty when it passes).

    Example: ``report_gate_failures(result.reports[0], frozenset({"unsupported"}))``
    """
    reasons: list[str] = []
    path = report.path
    for finding in _findings(report):
        matched = (
            ("unsupported" in policies and finding.code == "unsupported_verified_claim")
            or ("contradicted" in policies and finding.code == "contradicted")
            or ("counts" in policies and finding.code in _COUNT_CODES)
            or ("references" in policies and finding.code in _REFERENCE_CODES)
            or ("any" in policies and finding.severity == "error")
        )
        if matched:
            where = f"{path}:{finding.line}" if finding.line is not None else path
            reasons.append(f"{where}: {finding.code}: {finding.message}")
    if "contradicted" in policies:
        for claim in report.claims:
            coded = any(f.code == "contradicted" for f in claim.findings)
            if claim.recomputed.label == "contradicted" and not coded:
                reasons.append(f"{path}:{claim.line}: contradicted: claim {claim.index}")
    return reasons


def gate_failures(result: VerifyResult, policies: frozenset[str]) -> list[str]:
    """Reasons the gate fails under ``policies`` (empty when it passes), one line per matching finding.

    Example: ``gate_failures(result, frozenset({"unsupported"}))``
    """
    return [reason for report in result.reports for reason in report_gate_failures(report, policies)]


def report_incomplete_sources(report: ReportResult) -> list[str]:
    """References of one report that could not be fetched, so its verification is incomplete."""
    return [
        f"{report.path}:{ref.line}: {ref.arxiv_id}: source unavailable"
        for ref in report.references
        if ref.status == "unavailable"
    ]


def incomplete_sources(result: VerifyResult) -> list[str]:
    """References that could not be fetched, so verification is incomplete (exit code 3)."""
    return [line for report in result.reports for line in report_incomplete_sources(report)]
