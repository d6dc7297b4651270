"""Batch-level checks over many reports: one claim judged differently, and claims repeated across reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .._models import ClaimResult, Finding, ReportResult
from ._claims import DUPLICATE_SIMILARITY, same_normalised_claim
from ._text import normalise_claim, quote

__all__ = ["audit_batch"]

_PREFILTER = DUPLICATE_SIMILARITY * 0.6


@dataclass(frozen=True)
class _Occurrence:
    path: str
    claim: ClaimResult

    @property
    def where(self) -> str:
        return f"{self.path}:{self.claim.line}"


def _how(claim: ClaimResult) -> str:
    return "contradicted" if claim.recomputed.label == "contradicted" else "not supported"


def _verdict_findings(groups: dict[str, list[_Occurrence]]) -> list[Finding]:
    findings: list[Finding] = []
    for occurrences in groups.values():
        supported = [o for o in occurrences if o.claim.recomputed.label == "supported"]
        unsupported = [o for o in occurrences if o.claim.recomputed.label in ("not_found", "contradicted")]
        if not supported or not unsupported:
            continue
        first_yes, first_no = supported[0], unsupported[0]
        findings.append(
            Finding(
                code="claim_verdict_differs",
                severity="info",
                message=(
                    f"the same claim {quote(first_yes.claim.text)} is supported by the references of "
                    f"{first_yes.where} (claim {first_yes.claim.index}) but "
                    f"{_how(first_no.claim)} by those of {first_no.where} (claim {first_no.claim.index})"
                    + (
                        f"; {len(supported)} reports support it, {len(unsupported)} do not"
                        if len(occurrences) > 2
                        else ""
                    )
                ),
                line=first_yes.claim.line,
                claim_index=first_yes.claim.index,
                path=first_yes.path,
                details={
                    "supported_in": [o.where for o in supported],
                    "unsupported_in": [o.where for o in unsupported],
                },
            )
        )
    return findings


def _near_duplicate_findings(groups: dict[str, list[_Occurrence]]) -> list[Finding]:
    keys = list(groups)
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, key in enumerate(keys):
        # a cheap whole-text prefilter in C; same_claim then checks the prefix, numbers and names
        candidates = process.extract(
            key, keys[i + 1 :], scorer=fuzz.ratio, score_cutoff=_PREFILTER, limit=None
        )
        for _, _, offset in candidates:
            j = i + 1 + offset
            text_i, text_j = groups[key][0].claim.text, groups[keys[j]][0].claim.text
            if root(i) != root(j) and same_normalised_claim(text_i, key, text_j, keys[j]):
                parent[root(j)] = root(i)

    clusters: dict[int, list[str]] = defaultdict(list)
    for i, key in enumerate(keys):
        clusters[root(i)].append(key)
    findings: list[Finding] = []
    for members in clusters.values():
        occurrences = [o for key in members for o in groups[key]]
        paths = sorted({o.path for o in occurrences})
        if len(paths) < 2:
            continue
        first = occurrences[0]
        findings.append(
            Finding(
                code="near_duplicate_claim",
                severity="info",
                message=(
                    f"the claim {quote(first.claim.text)} appears in {len(paths)} reports"
                    + (f" in {len(members)} nearly identical wordings" if len(members) > 1 else "")
                    + ": "
                    + ", ".join(o.where for o in occurrences)
                ),
                line=first.claim.line,
                claim_index=first.claim.index,
                path=first.path,
                details={"occurrences": [o.where for o in occurrences]},
            )
        )
    return findings


def audit_batch(reports: Sequence[ReportResult]) -> list[Finding]:
    """Findings across reports: the same claim supported in one report and unsupported in another, and
    near-duplicate wordings of one claim in several reports (both ``info``).

    Parameters: ``reports``, the verified reports of one run.

    Example: a claim recomputed as supported in ``a.txt`` and not found in ``b.txt`` gives one
    ``claim_verdict_differs`` finding naming ``a.txt:31`` and ``b.txt:40``.
    """
    groups: dict[str, list[_Occurrence]] = defaultdict(list)
    for report in reports:
        for claim in report.claims:
            key = normalise_claim(claim.text)
            if key:
                groups[key].append(_Occurrence(report.path, claim))
    return _verdict_findings(groups) + _near_duplicate_findings(groups)
