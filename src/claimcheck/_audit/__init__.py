"""Audit: what is wrong with the report itself, given the parsed report, the fetched papers and the verdicts.

``audit_claim`` checks one claim row, ``audit_report`` one report, ``audit_batch`` a run of many reports; the
finding codes are the contract of DESIGN.md ("Finding codes").
"""

from __future__ import annotations

from ._batch import BatchAudit, ClaimKey, audit_batch, audit_batch_keys, claim_keys
from ._claims import CONFIDENCE_THRESHOLD, audit_claim, duplicate_claims, same_claim
from ._question import QuestionCoverage, question_coverage
from ._report import abstract_copied_share, audit_report, summarize_report

__all__ = [
    "CONFIDENCE_THRESHOLD",
    "BatchAudit",
    "ClaimKey",
    "QuestionCoverage",
    "abstract_copied_share",
    "audit_batch",
    "audit_batch_keys",
    "audit_claim",
    "audit_report",
    "claim_keys",
    "duplicate_claims",
    "question_coverage",
    "same_claim",
    "summarize_report",
]
