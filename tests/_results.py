"""Build realistic `VerifyResult` fixtures for the renderer tests from the real sample reports.

Until the pipeline exists, this small stand-in parses `reports/*.txt`, scores every claim against the real
abstracts of its cited papers (`fixtures/results/papers.json`, copied from the recorded arXiv metadata) by
content-word coverage, and raises findings of the DESIGN.md codes. It is test data, not the matcher.

Regenerate the fixtures with ``python tests/_results.py`` (run from the repository root).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from claimcheck._ids import find_arxiv_id
from claimcheck._models import (
    BatchSummary,
    ClaimResult,
    Evidence,
    Finding,
    InputErrorRecord,
    Label,
    Paper,
    Recomputed,
    Reference,
    Reported,
    ReportResult,
    ReportSummary,
    StatedFigures,
    VerifyResult,
)
from claimcheck._truncation import looks_truncated

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").glob("*.txt"))
RESULTS = ROOT / "fixtures" / "results"
PAPERS_JSON = RESULTS / "papers.json"
SAMPLES_JSON = RESULTS / "samples.json"
HOSTILE_JSON = RESULTS / "hostile-claim-text.json"

HOSTILE_CLAIM = (
    "MNLI <script>alert(1)</script> improves XTREME \x1b]0;pwned\x07by \x1b[31m5.4 points | [x](javascript:1)"
)
HOSTILE_TITLE = "Hostile <b>title</b> \x1b[2J & co"

_WORD = re.compile(r"\w+(?:[.,]\w+)*")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "with",
        "we",
        "our",
    ]
)
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def load_papers() -> dict[str, Paper]:
    """The recorded papers the sample reports cite, by arXiv id."""
    raw = json.loads(PAPERS_JSON.read_text(encoding="utf-8"))
    return {p["arxiv_id"]: Paper.model_validate(p) for p in raw}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP}


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if b > a]


def _score(claim: str, papers: list[Paper]) -> tuple[Label, float, list[Evidence], list[Finding]]:
    claim_words = _words(claim)
    scored: list[tuple[float, Evidence]] = []
    for paper in papers:
        abstract = paper.abstract or ""
        for start, end in _sentences(abstract):
            sentence = abstract[start:end]
            cover = len(claim_words & _words(sentence)) / max(1, len(claim_words))
            scored.append(
                (
                    cover,
                    Evidence(
                        arxiv_id=paper.arxiv_id,
                        sentence=sentence,
                        start=start,
                        end=end,
                        score=round(cover, 3),
                        field="abstract",
                    ),
                )
            )
    scored.sort(key=lambda t: -t[0])
    evidence = [ev for _, ev in scored[:2] if ev.score > 0.1]
    if not evidence:
        return ("unverifiable" if not papers else "not_found"), 0.05, [], []
    best = evidence[0]
    findings: list[Finding] = []
    missing = [n for n in _NUM.findall(claim) if n not in best.sentence]
    negated = bool(re.search(r"\b(neither|not|no)\b", best.sentence)) != bool(re.search(r"\bnot\b", claim))
    if best.score >= 0.45 and negated:
        best.stance = "contradict"
        findings.append(
            Finding(
                code="negation_mismatch",
                severity="warning",
                message="the evidence negates what the claim asserts",
                arxiv_id=best.arxiv_id,
            )
        )
        return "contradicted", round(0.5 + best.score / 3, 2), evidence, findings
    if missing:
        findings.append(
            Finding(
                code="number_mismatch",
                severity="warning",
                message=f"number(s) {', '.join(missing)} absent from the evidence",
                arxiv_id=best.arxiv_id,
            )
        )
    if best.score >= 0.55 and not missing:
        best.stance = "support"
        return "supported", round(min(0.97, 0.4 + best.score / 2), 2), evidence, findings
    return "not_found", round(best.score / 3, 2), evidence, findings


def _stated(lines: list[str]) -> StatedFigures:
    stated = StatedFigures()
    for no, line in enumerate(lines, 1):
        m = re.search(
            r"(\d+) papers retrieved\. (\d+) claims extracted; (\d+) independently verified.*?([\d.]+)/10",
            line,
        )
        if m:
            stated = StatedFigures(
                papers_retrieved=int(m[1]),
                claims_extracted=int(m[2]),
                claims_verified=int(m[3]),
                quality_score=float(m[4]),
                papers_retrieved_line=no,
                claims_extracted_line=no,
                claims_verified_line=no,
            )
    return stated


def build_report(path: str, text: str, papers: dict[str, Paper]) -> ReportResult:
    """Parse one sample report and verify it against ``papers`` (a stand-in for the real pipeline)."""
    lines = text.splitlines()
    title_line = next(i for i, ln in enumerate(lines, 1) if ln.strip())
    abstract_line = next(i for i, ln in enumerate(lines, 1) if ln.strip().lstrip("# ") == "Abstract") + 2
    rq_line = next(i for i, ln in enumerate(lines, 1) if "Research question:" in ln)
    rq = lines[rq_line - 1].split("Research question:", 1)[1].strip()
    references, claims = [], []
    for no, line in enumerate(lines, 1):
        if line.startswith("- <"):
            ident = find_arxiv_id(line)
            assert ident is not None
            paper = papers.get(ident.id)
            references.append(
                Reference(
                    raw=line[2:],
                    line=no,
                    arxiv_id=ident.id,
                    version=ident.version,
                    url_kind="abs",
                    status=paper.status if paper else "not_found",
                    title=paper.title if paper else None,
                )
            )
        cells = line.split("\t")
        if len(cells) == 3 and cells[1] in "✓×" and cells[1]:
            claim_text = cells[0]
            ref_papers = [papers[i] for i in _cited_ids(lines) if i in papers and papers[i].status == "found"]
            label, conf, evidence, findings = _score(claim_text, ref_papers)
            reported = Reported(verified=cells[1] == "✓", confidence=float(cells[2]))
            truncated = looks_truncated(claim_text)
            if truncated:
                findings.insert(
                    0,
                    Finding(
                        code="truncated_claim",
                        severity="warning",
                        message=f"claim is cut off at {len(claim_text)} characters",
                    ),
                )
            if (reported.confidence or 0) < 0.5 and reported.verified:
                findings.append(
                    Finding(
                        code="confidence_flag_mismatch",
                        severity="warning",
                        message=f"marked ✓ with confidence {reported.confidence:.2f} below 0.5",
                    )
                )
            verified = label == "supported"
            if reported.verified and not verified:
                findings.append(
                    Finding(
                        code="unsupported_verified_claim",
                        severity="error",
                        message=f"marked ✓ but recomputed as {label.replace('_', ' ')}",
                    )
                )
            if label == "contradicted":
                findings.append(
                    Finding(
                        code="contradicted",
                        severity="error",
                        message=f"contradicted by arXiv:{evidence[0].arxiv_id}",
                        arxiv_id=evidence[0].arxiv_id,
                    )
                )
            claims.append(
                ClaimResult(
                    index=len(claims) + 1,
                    line=no,
                    text=claim_text,
                    truncated=truncated,
                    reported=reported,
                    recomputed=Recomputed(verified=verified, confidence=conf, label=label),
                    evidence=evidence,
                    findings=findings,
                )
            )
    stated = _stated(lines)
    report = ReportResult(
        path=path,
        format="markdown" if lines[title_line - 1].startswith("#") else "text",
        table_format="tsv",
        title=lines[title_line - 1].lstrip("# ").strip(),
        title_line=title_line,
        abstract=lines[abstract_line - 1],
        abstract_line=abstract_line,
        research_question=rq,
        research_question_line=rq_line,
        stated=stated,
        claims=claims,
        claims_line=claims[0].line - 2 if claims else None,
        references=references,
    )
    report.findings = _report_findings(report, papers)
    report.summary = _summary(report)
    return report


def _cited_ids(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        ident = find_arxiv_id(line) if line.startswith("- <") else None
        if ident is not None:
            out.append(ident.id)
    return out


def _report_findings(report: ReportResult, papers: dict[str, Paper]) -> list[Finding]:
    out: list[Finding] = []
    st = report.stated
    if st.papers_retrieved is not None and st.papers_retrieved != len(report.references):
        out.append(
            Finding(
                code="papers_retrieved_mismatch",
                severity="error",
                line=st.papers_retrieved_line,
                message=f"states {st.papers_retrieved} papers retrieved; {len(report.references)} "
                "references listed",
            )
        )
    if st.claims_extracted is not None and st.claims_extracted != len(report.claims):
        out.append(
            Finding(
                code="claims_count_mismatch",
                severity="error",
                line=st.claims_extracted_line,
                message=f"states {st.claims_extracted} claims; the table has {len(report.claims)}",
            )
        )
    ticked = sum(c.reported.verified for c in report.claims)
    if st.claims_verified is not None and st.claims_verified != ticked:
        out.append(
            Finding(
                code="verified_count_mismatch",
                severity="error",
                line=st.claims_verified_line,
                message=f"states {st.claims_verified} verified; the table has {ticked} ✓ rows",
            )
        )
    head = " ".join((report.abstract or "").split())[:200].replace("—", "---")
    for ref in report.references:
        paper = papers.get(ref.arxiv_id or "")
        if paper and paper.abstract and head and " ".join(paper.abstract.split()).startswith(head):
            out.append(
                Finding(
                    code="abstract_copied",
                    severity="warning",
                    line=report.abstract_line,
                    arxiv_id=ref.arxiv_id,
                    message=f"the abstract is copied verbatim from arXiv:{ref.arxiv_id}",
                )
            )
    rq_terms = {"adversarial", "robustness", "perturbations"} & _words(report.research_question or "")
    if rq_terms and not any(rq_terms & _words(c.text) for c in report.claims):
        out.append(
            Finding(
                code="research_question_unaddressed",
                severity="warning",
                line=report.research_question_line,
                message=f"no claim addresses the research question ({', '.join(sorted(rq_terms))})",
            )
        )
    used = {c.evidence[0].arxiv_id for c in report.claims if c.evidence and c.recomputed.verified}
    for ref in report.references:
        if ref.status == "found" and ref.arxiv_id not in used:
            out.append(
                Finding(
                    code="unused_reference",
                    severity="info",
                    line=ref.line,
                    arxiv_id=ref.arxiv_id,
                    message=f"arXiv:{ref.arxiv_id} supports no claim",
                )
            )
        elif ref.status == "not_found":
            out.append(
                Finding(
                    code="reference_not_found",
                    severity="error",
                    line=ref.line,
                    arxiv_id=ref.arxiv_id,
                    message=f"arXiv:{ref.arxiv_id} does not exist",
                )
            )
    return out


def _summary(report: ReportResult) -> ReportSummary:
    labels = [c.recomputed.label for c in report.claims]
    every = list(report.findings) + [f for c in report.claims for f in c.findings]
    return ReportSummary(
        references=len(report.references),
        references_found=sum(r.status == "found" for r in report.references),
        claims=len(report.claims),
        reported_verified=sum(c.reported.verified for c in report.claims),
        supported=labels.count("supported"),
        contradicted=labels.count("contradicted"),
        not_found=labels.count("not_found"),
        unverifiable=labels.count("unverifiable"),
        errors=sum(f.severity == "error" for f in every),
        warnings=sum(f.severity == "warning" for f in every),
    )


def _batch(reports: list[ReportResult], errors: list[InputErrorRecord]) -> VerifyResult:
    summary = BatchSummary(reports=len(reports), errors=len(errors))
    for r in reports:
        for key in ("claims", "reported_verified", "supported", "contradicted", "not_found", "unverifiable"):
            setattr(summary, key, getattr(summary, key) + getattr(r.summary, key))
    seen: dict[str, tuple[str, str]] = {}
    for r in reports:
        for c in r.claims:
            prev = seen.setdefault(c.text, (r.path, c.recomputed.label))
            if prev[1] != c.recomputed.label:
                summary.findings.append(
                    Finding(
                        code="inconsistent_verdict",
                        severity="warning",
                        path=r.path,
                        line=c.line,
                        claim_index=c.index,
                        message=f"claim {c.index} is {c.recomputed.label.replace('_', ' ')} here but "
                        f"{prev[1].replace('_', ' ')} in {prev[0]}",
                    )
                )
    return VerifyResult(version="0.1.0", reports=reports, errors=errors, summary=summary)


def build_samples() -> VerifyResult:
    """The five real sample reports verified against their recorded papers, plus one unreadable input."""
    papers = load_papers()
    reports = [build_report(f"reports/{p.name}", p.read_text(encoding="utf-8"), papers) for p in REPORTS]
    errors = [
        InputErrorRecord(
            path="reports/broken.txt", line=31, message="confidence 'high' is not a number in [0, 1]"
        )
    ]
    return _batch(reports, errors)


def build_hostile() -> VerifyResult:
    """A report whose title, claim and references carry HTML, Markdown and terminal escape sequences."""
    papers = load_papers()
    text = (REPORTS[0]).read_text(encoding="utf-8")
    text = text.replace("Alignment Stability in Multilingual Encoders", HOSTILE_TITLE, 1)
    row = "Multi-task intermediate-task training on all 9 tasks performs best, improving by 8.7 points."
    text = text.replace(row, HOSTILE_CLAIM, 1)
    text = text.replace("2411.15127v3", "0808.05394v1", 1)
    report = build_report("reports/<hostile>\x1b[1m.txt", text, papers)
    report.claims[1].findings.append(
        Finding(
            code="number_mismatch",
            severity="warning",
            message="evil \x1b[31mred\x1b[0m %0A::error::injected\nnext line",
        )
    )
    report.claims[2].recomputed = Recomputed(verified=False, confidence=0.0, label="unverifiable")
    report.claims[2].evidence = []
    report.summary = _summary(report)
    return _batch([report], [InputErrorRecord(path="reports/evil\x1b]0;x\x07.txt", message="bad\x1b[2J row")])


def write_fixtures() -> None:
    """Rewrite the result fixtures from the sample reports."""
    SAMPLES_JSON.write_text(build_samples().model_dump_json(indent=2) + "\n", encoding="utf-8")
    HOSTILE_JSON.write_text(build_hostile().model_dump_json(indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_fixtures()
