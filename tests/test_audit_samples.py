"""The audit on the five sample reports (their real defects) and on clean fixture reports (no false alarms).

Papers are real arXiv metadata copied into fixtures/audit/papers.json; verdicts are hand-judged from those
abstracts (fixtures/audit/verdicts.json), so these tests do not depend on the matcher.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from claimcheck._audit import audit_batch, audit_claim, audit_report
from claimcheck._models import (
    ClaimResult,
    Evidence,
    Finding,
    MatchEvidence,
    MatchResult,
    Paper,
    Recomputed,
    Report,
    ReportResult,
)
from claimcheck._parse import parse_report

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "reports").glob("*.txt"))
CLEAN = sorted((ROOT / "fixtures" / "reports").glob("clean-*"))
AUDIT = ROOT / "fixtures" / "audit"
PAPERS: dict[str, Any] = json.loads((AUDIT / "papers.json").read_text(encoding="utf-8"))["papers"]
VERDICTS: dict[str, Any] = json.loads((AUDIT / "verdicts.json").read_text(encoding="utf-8"))

UNUSED = {
    "000_72ee14e1c07839b6.txt": {"2411.15127", "2205.14230"},
    "001_5e44368540e3e423.txt": {"2009.05166", "2506.15415"},
    "002_77e352ff7212c0de.txt": {"2506.15415", "2106.02134"},
    "003_38e720b96d567d4d.txt": {"2109.13620", "2104.08645"},
    "004_de5a86aa67e1ef1a.txt": {"2310.09917"},
}


def paper(arxiv_id: str) -> Paper:
    rec = PAPERS[arxiv_id]
    return Paper(
        arxiv_id=arxiv_id,
        version=rec["version"],
        requested_version=rec["version"],
        status="found",
        title=rec["title"],
        abstract=rec["abstract"],
        version_missing=rec.get("version_missing", False),
    )


def verify(path: Path) -> tuple[ReportResult, list[Finding]]:
    """Parse, 'match' from the hand-judged verdicts, and audit one report, as the pipeline would."""
    report = parse_report(path.read_text(encoding="utf-8"), source=str(path))
    papers: dict[tuple[str, int | None], Paper] = {
        (r.arxiv_id, r.version): paper(r.arxiv_id) for r in report.references if r.arxiv_id
    }
    supported: dict[str, list[str]] = VERDICTS[path.name]
    first_cited = report.references[0].arxiv_id or ""
    results: list[ClaimResult] = []
    claim_findings: list[Finding] = []
    for claim in report.claims:
        ids = supported.get(str(claim.index), [])
        if ids:
            evidence = [
                MatchEvidence(
                    source_id=i, sentence=PAPERS[i]["title"], start=0, end=10, score=0.8, stance="support"
                )
                for i in ids
            ]
            verdict = MatchResult(label="supported", verified=True, confidence=0.8, evidence=evidence)
        else:
            # the matcher's best (weak) sentence: neutral evidence must not make a paper "used"
            evidence = [MatchEvidence(source_id=first_cited, sentence="…", start=0, end=1, score=0.2)]
            verdict = MatchResult(label="not_found", verified=False, confidence=0.1, evidence=evidence)
        findings = audit_claim(claim, verdict, unverifiable=False)
        claim_findings += findings
        results.append(
            ClaimResult(
                **claim.model_dump(),
                recomputed=Recomputed(
                    verified=verdict.verified, confidence=verdict.confidence, label=verdict.label
                ),
                evidence=[
                    Evidence(
                        arxiv_id=e.source_id,
                        sentence=e.sentence,
                        start=e.start,
                        end=e.end,
                        score=e.score,
                        stance=e.stance,
                    )
                    for e in verdict.evidence
                ],
                findings=findings,
            )
        )
    report_findings = audit_report(report, papers, results)
    result = ReportResult(
        **report.model_dump(exclude={"claims", "findings"}), claims=results, findings=report_findings
    )
    return result, report_findings + claim_findings


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_reports_get_their_defects(path: Path) -> None:
    _, findings = verify(path)
    codes = Counter(f.code for f in findings)
    for code in (
        "papers_retrieved_mismatch",
        "abstract_copied",
        "research_question_unaddressed",
        "confidence_flag_mismatch",
        "unsupported_verified_claim",
        "truncated_claim",
    ):
        assert codes[code] >= 1, code
    assert codes["claims_count_mismatch"] == 0
    assert codes["verified_count_mismatch"] == 0
    copied = [f for f in findings if f.code == "abstract_copied"]
    assert [f.arxiv_id for f in copied] == ["2005.13013"]
    assert {f.arxiv_id for f in findings if f.code == "unused_reference"} == UNUSED[path.name]


def test_sample_findings_say_where_and_how_much() -> None:
    _, findings = verify(ROOT / "reports" / "000_72ee14e1c07839b6.txt")
    by_code = {f.code: f for f in reversed(findings)}
    retrieved = by_code["papers_retrieved_mismatch"]
    assert retrieved.line == 23
    assert "12 papers retrieved" in retrieved.message
    assert "3 references" in retrieved.message
    copied = by_code["abstract_copied"]
    assert copied.line == 11
    assert copied.severity == "error"
    assert copied.details["share"] == pytest.approx(1.0, abs=0.05)
    assert "2005.13013" in copied.message
    assert "%" in copied.message
    question = by_code["research_question_unaddressed"]
    assert question.line == 15
    for term in ("adversarial", "perturbations", "alignment", "stability"):
        assert term in question.message
    truncated = by_code["truncated_claim"]
    assert truncated.claim_index == 1
    assert truncated.line == 32
    unused = {f.arxiv_id: f for f in findings if f.code == "unused_reference"}
    assert unused["2411.15127"].line == 45
    assert "PRIMUS" in unused["2411.15127"].message
    assert by_code["reference_version_missing"].arxiv_id == "2411.15127"


def test_sample_question_terms_named() -> None:
    _, findings = verify(ROOT / "reports" / "004_de5a86aa67e1ef1a.txt")
    (question,) = [f for f in findings if f.code == "research_question_unaddressed"]
    missing = question.details["missing_terms"]
    assert isinstance(missing, list)
    assert {"scaling", "size", "adversarial", "attacks", "robustness"} <= set(missing)


def test_batch_over_samples() -> None:
    results = [verify(p)[0] for p in SAMPLES]
    findings = audit_batch(results)
    assert all(f.severity == "info" for f in findings)
    differs = [f for f in findings if f.code == "claim_verdict_differs"]
    xtreme = [f for f in differs if "XTREME benchmark aims" in f.message]
    assert len(xtreme) == 1
    assert "004_de5a86aa67e1ef1a.txt:39" in xtreme[0].message
    assert "000_72ee14e1c07839b6.txt:39" in xtreme[0].message
    repeated = [f for f in findings if f.code == "near_duplicate_claim"]
    assert any("4 reports" in f.message for f in repeated)


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_reports_have_no_errors(path: Path) -> None:
    _, findings = verify(path)
    errors = [f.message for f in findings if f.severity == "error"]
    assert errors == []
    codes = {f.code for f in findings}
    assert "research_question_unaddressed" not in codes
    assert "unused_reference" not in codes
    assert "confidence_flag_mismatch" not in codes


def test_there_are_enough_clean_fixtures() -> None:
    assert len(CLEAN) >= 3
    formats = {parse_report(p.read_text(encoding="utf-8"), source=str(p)).format for p in CLEAN}
    assert formats == {"markdown", "text"}


def test_clean_report_with_a_foreign_question_is_flagged() -> None:
    path = next(p for p in CLEAN if p.name == "clean-lexical-alignment.txt")
    report = parse_report(path.read_text(encoding="utf-8"), source=str(path))
    foreign = "Does scaling model size make speech recognisers robust to adversarial noise?"
    changed = report.model_copy(update={"research_question": foreign})
    papers: dict[tuple[str, int | None], Paper] = {("2506.15415", 1): paper("2506.15415")}
    assert isinstance(changed, Report)
    codes = {f.code for f in audit_report(changed, papers, [])}
    assert "research_question_unaddressed" in codes
