"""Unit tests of the audit: each finding code, its positive and negative case, on hand-built records."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from claimcheck._audit import (
    abstract_copied_share,
    audit_batch,
    audit_claim,
    audit_report,
    question_coverage,
    same_claim,
    summarize_report,
)
from claimcheck._audit._claims import duplicate_claims, same_normalised_claim
from claimcheck._audit._report import COPIED_WARNING_SHARE
from claimcheck._audit._text import normalise_claim, normalise_prose, stem, terms_match
from claimcheck._models import (
    Claim,
    ClaimResult,
    Evidence,
    Finding,
    MatchResult,
    Paper,
    Recomputed,
    Reference,
    Report,
    Reported,
    ReportResult,
    StatedFigures,
)

Papers = dict[tuple[str, int | None], Paper]
PAPERS: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "fixtures" / "audit" / "papers.json").read_text(
        encoding="utf-8"
    )
)["papers"]
XTLT = "2005.13013"
XTLT_REPORT_ABSTRACT = (
    "Intermediate-task training—fine-tuning a pretrained model on an intermediate task before "
    "fine-tuning again on the target task—often improves model performance substantially on language "
    "understanding tasks in monolingual English settings. We investigate whether English "
    "intermediate-task training is still helpful "
    "on non-English target tasks. Using nine intermediate language-understanding tasks, we evaluate "
    "intermediate-task transfer in a zero-shot cross-lingual setting on the XTREME benchmark. We see large "
    "improvements from intermediate training on the BUCC and Tatoeba sentence retrieval tas"
)


def claim(
    text: str = "XNLI does not see benefits from intermediate training.",
    *,
    index: int = 1,
    verified: bool = True,
    confidence: float | None = 0.8,
) -> Claim:
    return Claim(
        index=index, line=30 + index, text=text, reported=Reported(verified=verified, confidence=confidence)
    )


def result(c: Claim, label: str = "supported", arxiv_ids: tuple[str, ...] = (XTLT,)) -> ClaimResult:
    verified = label == "supported"
    evidence = [
        Evidence(arxiv_id=i, sentence="s", start=0, end=1, score=0.8, stance="support") for i in arxiv_ids
    ]
    return ClaimResult(
        **c.model_dump(),
        recomputed=Recomputed.model_validate(
            {"verified": verified, "confidence": 0.8 if verified else 0.1, "label": label}
        ),
        evidence=evidence if verified else [],
    )


def paper(arxiv_id: str, **update: Any) -> Paper:
    rec = PAPERS[arxiv_id]
    base = Paper(
        arxiv_id=arxiv_id,
        version=rec["version"],
        requested_version=rec["version"],
        status="found",
        title=rec["title"],
        abstract=rec["abstract"],
    )
    return base.model_copy(update=update)


def ref(arxiv_id: str | None, version: int | None = 1, line: int = 50, **kw: Any) -> Reference:
    raw = f"<http://arxiv.org/abs/{arxiv_id}v{version}>" if arxiv_id else "<https://example.org/paper>"
    return Reference(
        raw=raw, line=line, arxiv_id=arxiv_id, version=version, url_kind="abs" if arxiv_id else "other", **kw
    )


def report(**kw: Any) -> Report:
    return Report.model_validate({"path": "r.md", "format": "markdown", **kw})


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def without_no_claims(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.code != "no_claims"]


# --- audit_claim -----------------------------------------------------------------------------------


def test_truncated_claim() -> None:
    cut = claim(
        "Intermediate-task training on SQuAD, MNLI, and HellaSwag yields large target-task improvements "
        "of 8.2, 7.5, and 7.0 point"
    )
    (finding,) = audit_claim(cut, None, unverifiable=False)
    assert finding.code == "truncated_claim"
    assert finding.severity == "warning"
    assert (finding.line, finding.claim_index) == (31, 1)
    assert "7.0 point" in finding.message
    assert audit_claim(claim(), None, unverifiable=False) == []


def test_truncated_flag_from_parser_is_trusted() -> None:
    flagged = claim().model_copy(update={"truncated": True})
    assert codes(audit_claim(flagged, None, unverifiable=False)) == ["truncated_claim"]


@pytest.mark.parametrize(
    ("verified", "confidence", "flagged"),
    [
        (True, 0.27, True),
        (True, 0.5, False),
        (True, 0.9, False),
        (False, 0.8, True),
        (False, 0.1, False),
        (True, None, False),
    ],
)
def test_confidence_flag_mismatch(verified: bool, confidence: float | None, flagged: bool) -> None:
    findings = audit_claim(claim(verified=verified, confidence=confidence), None, unverifiable=False)
    assert ("confidence_flag_mismatch" in codes(findings)) is flagged
    if flagged:
        assert f"{confidence:.2f}" in findings[0].message


def test_unsupported_verified_claim() -> None:
    not_found = MatchResult(label="not_found", verified=False, confidence=0.12)
    (finding,) = audit_claim(claim(), not_found, unverifiable=False)
    assert finding.code == "unsupported_verified_claim"
    assert finding.severity == "error"
    assert "0.12" in finding.message
    assert finding.line == 31


def test_supported_verified_claim_is_fine() -> None:
    supported = MatchResult(label="supported", verified=True, confidence=0.9)
    assert audit_claim(claim(), supported, unverifiable=False) == []


def test_unverified_claim_not_found_is_not_unsupported() -> None:
    not_found = MatchResult(label="not_found", verified=False, confidence=0.12)
    assert audit_claim(claim(verified=False, confidence=0.1), not_found, unverifiable=False) == []


def test_unverifiable_claim_is_not_called_unsupported() -> None:
    findings = audit_claim(claim(), None, unverifiable=True)
    assert codes(findings) == ["claim_unverifiable"]
    assert "could not be checked" in findings[0].message
    assert findings[0].severity == "warning"


def test_matcher_findings_pass_through_with_place() -> None:
    own = Finding(code="number_mismatch", severity="warning", message="claim says 8.7, evidence 5.4")
    contradicted = MatchResult(label="contradicted", verified=False, confidence=0.05, findings=[own])
    findings = audit_claim(claim(index=3), contradicted, unverifiable=False)
    assert codes(findings) == ["unsupported_verified_claim", "number_mismatch"]
    assert "contradict" in findings[0].message
    assert (findings[1].line, findings[1].claim_index) == (33, 3)


def test_a_contradicted_verified_claim_quotes_the_cue_words_in_a_sentence() -> None:
    from claimcheck._match import Matcher, Source

    abstract = json.loads(
        (
            Path(__file__).resolve().parents[1] / "fixtures" / "match" / "abstracts" / "2003.11080.json"
        ).read_text(encoding="utf-8")
    )
    src = Source(id="2003.11080", title=abstract["title"], text=abstract["abstract"])
    verdict = Matcher().match(
        "There is no gap in the performance of cross-lingually transferred models.", [src]
    )
    assert verdict.label == "contradicted"
    findings = audit_claim(claim(), verdict, unverifiable=False)
    first = findings[0]
    assert first.code == "unsupported_verified_claim"
    assert "a cited paper contradicts it ('no' in the claim)" in first.message
    assert first.message[0].isupper() and first.message.endswith(".")
    own = next(f for f in findings if f.code == "negation_mismatch")
    assert own.message.startswith("'no' in the claim negates") and own.message.endswith(".")


# --- duplicates ------------------------------------------------------------------------------------


def test_same_claim() -> None:
    assert same_claim("XNLI does not see benefits.", "XNLI does not see  benefits")
    assert same_claim(
        "The pretrained XLM-R Large model achieves state-of-the-art performance on many zero-shot tasks.",
        "The pretrained XLM-R Large model achieves state of the art performance on many zero-shot tasks",
    )
    assert not same_claim(
        "Intermediate-task training on SQuAD yields a target-task improvement of 8.2 points on the dev set.",
        "Intermediate-task training on MNLI yields a target-task improvement of 7.5 points on the dev set.",
    )
    assert not same_claim("XNLI does not see benefits.", "TyDiQA shows consistent improvements.")


def test_duplicate_claim_in_report() -> None:
    rows = [
        claim("XNLI does not see benefits from intermediate training.", index=1),
        claim("TyDiQA shows consistent improvements with many intermediate tasks.", index=2),
        claim("XNLI does not see benefits from intermediate training", index=3),
    ]
    findings = [f for f in audit_report(report(claims=rows), {}, []) if f.code == "duplicate_claim"]
    assert len(findings) == 1
    assert findings[0].claim_index == 3
    assert findings[0].details["duplicate_of"] == 1
    assert "Claim 3 (line 33) repeats claim 1 (line 31)" in findings[0].message


def test_duplicate_claims_are_the_pairwise_definition() -> None:
    # Each later claim is reported against the first earlier one that `same_normalised_claim` calls the
    # same, as comparing every pair in order does: rewordings, cut-off copies, changed numbers, short
    # claims (only equal ones repeat) and empty ones, shuffled.
    base = [
        "Intermediate-task training on MNLI yields a target-task improvement of 7.5 points on the dev set.",
        "XNLI does not see benefits from intermediate training on any of the tasks studied here.",
        "TyDiQA shows consistent improvements with many intermediate tasks.",
        "Short claim.",
        "",
    ]
    variants = []
    for text in base:
        variants += [
            text,
            text.rstrip("."),
            text[:60],
            text.replace("7.5", "8.2"),
            text.replace("many", "most"),
        ]
    rng = random.Random(7)  # noqa: S311 (test data, not security)
    for _ in range(30):
        texts = rng.sample(variants, 12)
        rows = [claim(t, index=k + 1) for k, t in enumerate(texts)]
        keys = [normalise_claim(t) for t in texts]
        expected = []
        for j in range(len(texts)):
            for i in range(j):
                if same_normalised_claim(texts[i], keys[i], texts[j], keys[j]):
                    expected.append((j + 1, i + 1))
                    break
        got = [(f.claim_index, f.details["duplicate_of"]) for f in duplicate_claims(rows)]
        assert got == expected


def test_no_duplicate_in_distinct_claims() -> None:
    rows = [claim("XNLI does not see benefits.", index=1), claim("TyDiQA improves.", index=2)]
    assert "duplicate_claim" not in codes(audit_report(report(claims=rows), {}, []))


# --- counts ----------------------------------------------------------------------------------------


def stated(**kw: int) -> StatedFigures:
    return StatedFigures(papers_retrieved_line=23, claims_extracted_line=23, claims_verified_line=23, **kw)


def test_count_mismatches() -> None:
    rows = [claim(index=1), claim("TyDiQA improves on many tasks.", index=2, verified=False, confidence=0.1)]
    r = report(
        stated=stated(papers_retrieved=12, claims_extracted=10, claims_verified=10),
        claims=rows,
        references=[ref(XTLT, 2)],
    )
    findings = {f.code: f for f in audit_report(r, {(XTLT, 2): paper(XTLT)}, [])}
    assert findings["papers_retrieved_mismatch"].message.startswith(
        "the report states 12 papers retrieved (line 23)"
    )
    assert "lists 1 reference" in findings["papers_retrieved_mismatch"].message
    assert findings["claims_count_mismatch"].details == {"stated": 10, "actual": 2}
    assert findings["verified_count_mismatch"].details == {"stated": 10, "actual": 1}
    assert {f.severity for f in findings.values() if "count" in f.code or "retrieved" in f.code} == {"error"}
    assert all(f.line == 23 for c, f in findings.items() if c.endswith("mismatch"))


def test_counts_that_match_and_counts_not_stated() -> None:
    rows = [claim(index=1), claim("TyDiQA improves on many tasks.", index=2, verified=False, confidence=0.1)]
    agree = report(
        stated=stated(papers_retrieved=1, claims_extracted=2, claims_verified=1),
        claims=rows,
        references=[ref(XTLT, 2)],
    )
    silent = report(claims=rows, references=[ref(XTLT, 2)])
    for r in (agree, silent):
        found = codes(audit_report(r, {(XTLT, 2): paper(XTLT)}, []))
        assert not {"papers_retrieved_mismatch", "claims_count_mismatch", "verified_count_mismatch"} & set(
            found
        )


def test_no_claims() -> None:
    (finding,) = audit_report(report(claims_line=30), {}, [])
    assert finding.code == "no_claims"
    assert finding.line == 30
    parsed = report(findings=[Finding(code="no_claims", severity="warning", message="none", line=30)])
    assert audit_report(parsed, {}, []) == []


# --- references ------------------------------------------------------------------------------------


def test_reference_statuses() -> None:
    refs = [
        ref("2411.15127", 3, line=45),
        ref("0808.05394", 1, line=46),
        ref("2106.02134", 1, line=47),
        ref(None, None, line=48),
        ref("2310.09917", 3, line=49),
        ref("1234.5678", 1, line=51),
    ]
    papers: Papers = {
        ("2411.15127", 3): paper("2411.15127", version=2, version_missing=True),
        ("0808.05394", 1): Paper(arxiv_id="0808.05394", status="not_found"),
        ("2106.02134", 1): Paper(
            arxiv_id="2106.02134", status="unavailable", message="HTTP 503 after 3 retries"
        ),
        ("2310.09917", 3): paper("2310.09917"),
    }
    findings = {f.code: f for f in audit_report(report(references=refs), papers, [])}
    assert findings["reference_version_missing"].arxiv_id == "2411.15127"
    assert "v3" in findings["reference_version_missing"].message
    assert findings["reference_version_missing"].message.count("v2") == 1
    assert (findings["reference_not_found"].severity, findings["reference_not_found"].line) == ("error", 46)
    unavailable = [
        f for f in audit_report(report(references=refs), papers, []) if f.code == "reference_unavailable"
    ]
    assert {f.arxiv_id for f in unavailable} == {"2106.02134", "1234.5678"}
    assert all(f.severity == "warning" and "not mean it is fabricated" in f.message for f in unavailable)
    assert "HTTP 503" in unavailable[0].message
    assert findings["reference_malformed"].line == 48
    assert findings["reference_malformed"].severity == "warning"  # a non-arXiv link: cannot check, not wrong


def test_malformed_arxiv_reference_is_an_error() -> None:
    bad = Reference(raw="arXiv:2005.1301x", line=44, url_kind="arxiv_prefix", status="malformed")
    (finding,) = without_no_claims(audit_report(report(references=[bad]), {}, []))
    assert (finding.code, finding.severity) == ("reference_malformed", "error")


def test_found_references_are_quiet() -> None:
    r = report(references=[ref(XTLT, 2)])
    assert without_no_claims(audit_report(r, {(XTLT, 2): paper(XTLT)}, [])) == []


def test_abstract_changed_since_cited_version() -> None:
    cited = paper(XTLT, version=1, abstract=PAPERS[XTLT]["abstract_v1"])
    newest = paper(XTLT, version=2)
    r = report(references=[ref(XTLT, 1, line=47)])
    (finding,) = without_no_claims(audit_report(r, {(XTLT, 1): cited}, [], latest={XTLT: newest}))
    assert finding.code == "reference_abstract_changed"
    assert finding.line == 47
    assert "latest (v2)" in finding.message
    assert without_no_claims(audit_report(r, {(XTLT, 1): cited}, [], latest={XTLT: cited})) == []


# --- abstract copied -------------------------------------------------------------------------------


def test_normalise_prose_tex_dashes() -> None:
    assert normalise_prose("training---fine-tuning\n  a ``model''") == 'training—fine-tuning a "model"'


def test_abstract_copied() -> None:
    r = report(
        abstract=XTLT_REPORT_ABSTRACT,
        abstract_line=11,
        references=[ref("2411.15127", 3), ref(XTLT, 2, line=47)],
    )
    papers: Papers = {("2411.15127", 3): paper("2411.15127"), (XTLT, 2): paper(XTLT)}
    (finding,) = [f for f in audit_report(r, papers, []) if f.code == "abstract_copied"]
    assert finding.arxiv_id == XTLT
    assert finding.line == 11
    assert finding.severity == "error"
    assert finding.message.startswith(
        "100% of the report's abstract (line 11) is copied verbatim from the abstract of 2005.13013"
    )
    assert "mid-sentence" in finding.message


def test_abstract_partly_copied_share() -> None:
    own = "We review what intermediate-task training does for languages other than English, and where. "
    share = abstract_copied_share(own + XTLT_REPORT_ABSTRACT[:200], PAPERS[XTLT]["abstract"])
    assert 0.5 < share < 0.75


def test_own_abstract_is_not_copied() -> None:
    own = (
        "This synthesis asks whether English intermediate-task training helps zero-shot transfer to other "
        "languages; we review three papers and find the evidence thin."
    )
    r = report(abstract=own, references=[ref(XTLT, 2)])
    # a shared phrase ("whether English intermediate-task training") is not a copied abstract
    assert abstract_copied_share(own, PAPERS[XTLT]["abstract"]) < COPIED_WARNING_SHARE
    assert "abstract_copied" not in codes(audit_report(r, {(XTLT, 2): paper(XTLT)}, []))


# --- unused references -----------------------------------------------------------------------------


def test_unused_reference() -> None:
    rows = [
        result(claim(index=1), "supported", (XTLT,)),
        result(claim("TyDiQA improves.", index=2), "not_found"),
    ]
    r = report(claims=list(rows), references=[ref("2411.15127", 3, line=45), ref(XTLT, 2, line=47)])
    papers: Papers = {("2411.15127", 3): paper("2411.15127"), (XTLT, 2): paper(XTLT)}
    unused = [f for f in audit_report(r, papers, rows) if f.code == "unused_reference"]
    assert [(f.arxiv_id, f.line, f.severity) for f in unused] == [("2411.15127", 45, "warning")]
    assert "PRIMUS" in unused[0].message


def test_neutral_evidence_of_weak_paper_does_not_count_as_use() -> None:
    c = result(claim(), "supported", (XTLT,))
    c.evidence = [
        Evidence(arxiv_id=XTLT, sentence="s", start=0, end=1, score=0.9),
        Evidence(arxiv_id="2411.15127", sentence="t", start=0, end=1, score=0.2),
    ]
    r = report(references=[ref("2411.15127", 3), ref(XTLT, 2)])
    papers: Papers = {("2411.15127", 3): paper("2411.15127"), (XTLT, 2): paper(XTLT)}
    unused = [f.arxiv_id for f in audit_report(r, papers, [c]) if f.code == "unused_reference"]
    assert unused == ["2411.15127"]


def test_unfetched_reference_is_not_called_unused() -> None:
    rows = [result(claim(), "supported", (XTLT,))]
    r = report(references=[ref("2411.15127", 3), ref(XTLT, 2)])
    papers: Papers = {
        ("2411.15127", 3): Paper(arxiv_id="2411.15127", status="unavailable"),
        (XTLT, 2): paper(XTLT),
    }
    assert "unused_reference" not in codes(audit_report(r, papers, rows))


# --- research question -----------------------------------------------------------------------------


def test_stem_and_terms_match() -> None:
    assert stem("perturbations") == "perturb"
    assert terms_match(stem("robustness"), stem("robust"))
    assert terms_match(stem("scaling"), stem("scale"))
    assert terms_match(stem("tuning"), stem("tune"))
    assert not terms_match(stem("transfer"), stem("transformer"))


def test_question_unaddressed_names_missing_terms() -> None:
    rows = [
        claim("Multi-task intermediate-task training on all 9 tasks performs best on XTREME.", index=1),
        claim("Training on English intermediate tasks outperforms continuing multilingual MLM.", index=2),
    ]
    r = report(
        claims=rows,
        research_question_line=15,
        research_question="How does the scaling of model size influence intermediate-task training on XTREME "
        "and robustness against adversarial attacks?",
    )
    (finding,) = [f for f in audit_report(r, {}, []) if f.code == "research_question_unaddressed"]
    assert finding.line == 15
    assert finding.severity == "warning"
    for term in ("scaling", "size", "robustness", "adversarial", "attacks"):
        assert f'"{term}"' in finding.message
    assert "influence" not in finding.message  # framing, not content


def test_question_addressed_by_claims() -> None:
    rows = [
        claim(
            "Adversarial training improves zero-shot cross-lingual transfer on text classification.", index=1
        ),
        claim("Randomized smoothing makes multilingual encoders robust to noise in embeddings.", index=2),
    ]
    r = report(
        claims=rows,
        research_question="Does robust training such as adversarial training or randomized "
        "smoothing improve zero-shot cross-lingual transfer?",
    )
    assert "research_question_unaddressed" not in codes(audit_report(r, {}, []))


def test_acronym_in_claim_covers_spelled_out_question() -> None:
    coverage = question_coverage(
        "Does intermediate fine-tuning on movie subtitles help dialogue state tracking?",
        ["Intermediate fine-tuning on subtitles improves DST in Chinese and German."],
    )
    assert "dialogue" in coverage.covered
    assert coverage.addressed


def test_question_coverage_edge_cases() -> None:
    assert question_coverage("What is the impact?", ["XNLI improves."]).addressed  # nothing distinctive asked
    assert not question_coverage("Does scaling help robustness?", []).addressed


# --- batch -----------------------------------------------------------------------------------------


def batch_report(path: str, *claims: ClaimResult) -> ReportResult:
    return ReportResult(path=path, format="text", claims=list(claims))


def test_claim_verdict_differs_across_reports() -> None:
    text = "The XTREME benchmark covers 40 languages and 9 tasks."
    a = batch_report("a.txt", result(claim(text, index=8), "supported", ("2003.11080",)))
    b = batch_report("b.txt", result(claim(text.upper(), index=2), "not_found"))
    findings = audit_batch([a, b])
    (differs,) = [f for f in findings if f.code == "claim_verdict_differs"]
    assert differs.severity == "info"
    assert "a.txt:38" in differs.message
    assert "b.txt:32" in differs.message
    assert differs.details == {"supported_in": ["a.txt:38"], "unsupported_in": ["b.txt:32"]}


def test_same_verdict_or_unverifiable_is_not_a_difference() -> None:
    text = "The XTREME benchmark covers 40 languages and 9 tasks."
    a = batch_report("a.txt", result(claim(text), "supported"))
    b = batch_report("b.txt", result(claim(text), "supported"))
    c = batch_report("c.txt", result(claim(text), "unverifiable"))
    assert "claim_verdict_differs" not in codes(audit_batch([a, b, c]))


def test_near_duplicate_claims_across_reports() -> None:
    a = batch_report(
        "a.txt",
        result(
            claim(
                "The pretrained XLM-R Large model achieves state-of-the-art performance "
                "on many zero-shot cross-lingual transfer tasks."
            )
        ),
    )
    b = batch_report(
        "b.txt",
        result(
            claim(
                "The pretrained XLM-R Large model achieves state of the art performance "
                "on many zero-shot cross-lingual transfer tasks"
            )
        ),
    )
    c = batch_report(
        "c.txt", result(claim("TyDiQA shows consistent improvements with many intermediate tasks."))
    )
    (near,) = [f for f in audit_batch([a, b, c]) if f.code == "near_duplicate_claim"]
    assert near.severity == "info"
    assert "a.txt:31" in near.message
    assert "b.txt:31" in near.message
    assert "c.txt" not in near.message


def test_repeats_within_one_report_are_not_batch_findings() -> None:
    a = batch_report(
        "a.txt", result(claim("XNLI gains nothing.", index=1)), result(claim("XNLI gains nothing", index=2))
    )
    assert audit_batch([a]) == []


# --- summary ---------------------------------------------------------------------------------------


def test_summarize_report() -> None:
    rows = [
        result(claim(index=1)),
        result(claim("b", index=2), "not_found"),
        result(claim("c", index=3), "unverifiable"),
    ]
    r = report(references=[ref(XTLT, 2, status="found"), ref("2411.15127", 3, status="unavailable")])
    findings = [
        Finding(code="x", severity="error", message="m"),
        Finding(code="y", severity="warning", message="m"),
    ]
    summary = summarize_report(r, rows, findings)
    assert (summary.references, summary.references_found, summary.claims) == (2, 1, 3)
    assert (summary.supported, summary.not_found, summary.unverifiable, summary.reported_verified) == (
        1,
        1,
        1,
        3,
    )
    assert (summary.errors, summary.warnings) == (1, 1)
    fetched: Papers = {(XTLT, 2): Paper(arxiv_id=XTLT, status="unavailable")}
    assert summarize_report(r, rows, findings, fetched).references_found == 0
