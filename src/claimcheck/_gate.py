"""The CI gate: which findings make ``verify --fail-on POLICY`` fail, and the verdict line that closes a run.

Without a policy nothing fails the run; the JUnit output then fails the test cases of error-severity findings
(the ``any`` policy), so a CI test view shows the same problems a person would look at first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from ._errors import InputError
from ._models import ClaimResult, Finding, ReportResult, VerifyResult

__all__ = [
    "DEFAULT_JUNIT_POLICIES",
    "GATE_POLICIES",
    "GateFailure",
    "check_policies",
    "claim_failures",
    "finding_fails",
    "gate_category",
    "gate_failures",
    "gate_verdict",
    "incomplete_sources",
    "parse_policies",
    "report_gate_failures",
    "report_incomplete_sources",
]

_UNSUPPORTED_CODES = frozenset({"unsupported_verified_claim", "claim_not_in_paper"})
"""A ✓ claim not recomputed as verified; ``claim_not_in_paper`` when the cited papers were read whole."""
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

DEFAULT_JUNIT_POLICIES = frozenset({"any"})
"""What fails a JUnit test case when ``--fail-on`` is not given: error-severity findings."""


class GateFailure(str):
    """One reason the gate fails: the line shown to the user (``path:line: code: message``), with its parts.

    Example: ``GateFailure("r.txt", 31, "contradicted", "claim 2").code == "contradicted"``
    """

    path: str
    line: int | None
    code: str
    message: str

    def __new__(cls, path: str, line: int | None, code: str, message: str) -> GateFailure:
        where = f"{path}:{line}" if line is not None else path
        self = super().__new__(cls, f"{where}: {code}: {message}")
        self.path, self.line, self.code, self.message = path, line, code, message
        return self

    def __reduce__(self) -> tuple[type[GateFailure], tuple[str, int | None, str, str]]:
        return GateFailure, (self.path, self.line, self.code, self.message)

    @property
    def category(self) -> str:
        """The policy name the failure is counted under in the verdict line (`gate_category`)."""
        return gate_category(self.code)


def check_policies(policies: Iterable[str]) -> frozenset[str]:
    """``policies`` as a set, or `InputError` naming the first unknown one.

    Example: ``check_policies({"bogus"})`` raises `InputError`.
    """
    known = frozenset(policies)
    unknown = sorted(known - GATE_POLICIES.keys())
    if unknown:
        raise InputError(f"unknown --fail-on policy {unknown[0]!r} (known: {', '.join(GATE_POLICIES)})")
    return known


def parse_policies(values: Iterable[str]) -> frozenset[str]:
    """Split ``--fail-on`` values ("unsupported,counts") into a set of known policies.

    Example: ``parse_policies(["unsupported,counts"]) == {"unsupported", "counts"}``
    """
    names = {part.strip().lower() for value in values for part in value.split(",")} - {""}
    return check_policies(names) - {"none"}


def gate_category(code: str) -> str:
    """The policy a finding code belongs to (``unsupported``, ``counts`` …), or the code itself.

    Example: ``gate_category("claims_count_mismatch") == "counts"``
    """
    if code in _UNSUPPORTED_CODES:
        return "unsupported"
    if code in _COUNT_CODES:
        return "counts"
    if code in _REFERENCE_CODES:
        return "references"
    return code


def finding_fails(finding: Finding, policies: frozenset[str]) -> bool:
    """Whether ``finding`` fails the gate under ``policies``.

    Example: ``finding_fails(Finding(code="contradicted", severity="error", message=""), {"contradicted"})``
    """
    return (
        ("unsupported" in policies and finding.code in _UNSUPPORTED_CODES)
        or ("contradicted" in policies and finding.code == "contradicted")
        or ("counts" in policies and finding.code in _COUNT_CODES)
        or ("references" in policies and finding.code in _REFERENCE_CODES)
        or ("any" in policies and finding.severity == "error")
    )


def claim_failures(path: str, claim: ClaimResult, policies: frozenset[str]) -> list[GateFailure]:
    """The gate failures of one claim: its failing findings, and a contradicted label with no such finding.

    Example: ``claim_failures(report.path, report.claims[0], frozenset({"unsupported"}))``
    """
    out = [
        GateFailure(path, f.line if f.line is not None else claim.line, f.code, f.message)
        for f in claim.findings
        if finding_fails(f, policies)
    ]
    coded = any(f.code == "contradicted" for f in claim.findings)
    if "contradicted" in policies and claim.recomputed.label == "contradicted" and not coded:
        out.append(GateFailure(path, claim.line, "contradicted", f"claim {claim.index}"))
    return out


def report_gate_failures(report: ReportResult, policies: frozenset[str]) -> list[GateFailure]:
    """The gate failures of one verified report under known ``policies`` (empty when it passes).

    Example: ``report_gate_failures(result.reports[0], frozenset({"unsupported"}))``
    """
    out = [
        GateFailure(report.path, finding.line, finding.code, finding.message)
        for finding in report.findings
        if finding_fails(finding, policies)
    ]
    for claim in report.claims:
        out.extend(claim_failures(report.path, claim, policies))
    return out


def gate_failures(result: VerifyResult, policies: Iterable[str]) -> list[GateFailure]:
    """Reasons the gate fails under ``policies`` (empty when it passes), one per matching finding.

    Each reason is a `GateFailure`: the line to show, a ``str``, that also carries its code and path.

    Raises `InputError` for a policy name that is not in `GATE_POLICIES`, so a typo cannot pass silently.

    Example: ``gate_failures(result, frozenset({"unsupported"}))``
    """
    known = check_policies(policies) - {"none"}
    if not known:
        return []
    return [failure for report in result.reports for failure in report_gate_failures(report, known)]


def gate_verdict(categories: Mapping[str, int] | Iterable[GateFailure]) -> str:
    """The closing line of a gated run: ``gate passed``, or how many failures and of which kinds.

    Example: ``gate_verdict({"unsupported": 35, "counts": 5})`` is
    ``"gate failed: 40 findings — unsupported 35, counts 5"``.
    """
    counts = (
        Counter(categories) if isinstance(categories, Mapping) else Counter(f.category for f in categories)
    )
    total = sum(counts.values())
    if not total:
        return "gate passed"
    parts = ", ".join(f"{name} {n}" for name, n in counts.most_common())
    return f"gate failed: {total} finding{'s' if total != 1 else ''} — {parts}"


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
