"""The HTML audit page: one self-contained file (inline CSS, JS and SVG; no network) rendered by Jinja2.

Autoescaping is on for every value, and the page carries a Content-Security-Policy that allows only its own
inline script (by hash) and no network at all, so even an escaping mistake could not run a report's script.

Built to stay usable for thousands of claims: each cited paper's abstract is on the page once (in "Cited
papers", with what was read of the paper: full text from HTML or PDF, or the abstract only and why); an
evidence sentence from a title or abstract carries only its offsets into it, and the script shows it in
context on request. Evidence from the body, a table or a caption (its offsets index into the full text, which
is not on the page) is shown as its sentence with where it stands ("in Table 1", "in the body, §4 Results,
p. 5"). Every evidence links to the paper on arXiv: its element in the paper's HTML when it was read from
HTML (``#anchor``), its PDF page, or else its abs page; links are followed, never loaded.

Evidence is collapsed under each claim; a search box and filters by report, finding code, verdict and what a
claim was checked against (full text or abstract only) narrow the claims down. Evidence with a score of 0 is shown plain (nothing in it matched the claim).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2
import markupsafe

from .._models import ClaimResult, Evidence, Paper, ReportResult, VerifyResult
from ._common import (
    LABEL_TEXT,
    claim_is_unsupported,
    claim_where,
    clean,
    evidence_where,
    read_phrase,
    shared_word_spans,
)

__all__ = ["render_html"]

ARXIV = "https://arxiv.org"
"""Where the page's links to papers go: ``{ARXIV}/abs/…``, ``{ARXIV}/html/…#anchor``, ``{ARXIV}/pdf/…#page=N``."""
_CHART = 300  # side of the chart's plotting square, in SVG units
_PAD = 36


@dataclass
class _Segment:
    text: str
    word: bool = False


@dataclass
class _EvidenceView:
    arxiv_id: str
    score: float
    stance: str
    where: str
    highlight: bool
    # where in the paper, in words ("in Table 1"), and the link that opens the paper there
    place: str = ""
    href: str = ""
    span: list[_Segment] = field(default_factory=list)
    # offsets of the sentence in the paper's title or abstract on the page, in UTF-16 code units (what the
    # script indexes by); None when the offsets do not point at the sentence. With offsets, the page does
    # not repeat the sentence: the script cuts it out of the abstract, and ``words`` (start,end pairs
    # relative to the sentence) says which words to highlight.
    context: tuple[int, int] | None = None
    words: str = ""


def _span(text: str, claim: str) -> list[_Segment]:
    """Split the evidence ``text`` into plain parts and the words it shares with ``claim``."""
    out: list[_Segment] = []
    pos = 0
    for a, b in shared_word_spans(claim, text):
        if a > pos:
            out.append(_Segment(clean(text[pos:a])))
        out.append(_Segment(clean(text[a:b]), word=True))
        pos = b
    if pos < len(text):
        out.append(_Segment(clean(text[pos:])))
    return out


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _versioned(arxiv_id: str, paper: Paper | None) -> str:
    version = paper.version if paper is not None else None
    return f"{arxiv_id}v{version}" if version else arxiv_id


def abs_link(arxiv_id: str, paper: Paper | None) -> str:
    """The paper's abs page on arXiv (versioned when the version is known).

    Example: ``abs_link("2005.13013", paper) == "https://arxiv.org/abs/2005.13013v2"``
    """
    return f"{ARXIV}/abs/{_versioned(arxiv_id, paper)}"


def evidence_link(ev: Evidence, paper: Paper | None) -> str:
    """The link that opens ``ev``'s paper where the evidence is: its element in the paper's HTML when the
    paper was read from HTML and the evidence has an anchor, its PDF page when it comes from a PDF, else the
    abs page.

    Example: ``evidence_link(ev, paper) == "https://arxiv.org/html/2005.13013v2#S3.T1"``
    """
    versioned = _versioned(ev.arxiv_id, paper)
    fulltext = paper.fulltext if paper is not None else None
    if ev.anchor and fulltext == "html":
        return f"{ARXIV}/html/{versioned}#{ev.anchor}"
    if ev.page is not None and fulltext != "html":
        return f"{ARXIV}/pdf/{versioned}#page={ev.page}"
    return abs_link(ev.arxiv_id, paper)


def _evidence_view(claim: ClaimResult, ev: Evidence, papers: Mapping[str, Paper]) -> _EvidenceView:
    paper = papers.get(ev.arxiv_id)
    source = None
    # offsets index into the block the evidence comes from: only the title and abstract are on the page
    if paper is not None and paper.status == "found" and ev.location in ("title", "abstract"):
        source = paper.title if ev.location == "title" else paper.abstract
    highlight = ev.score > 0
    view = _EvidenceView(
        arxiv_id=clean(ev.arxiv_id),
        score=ev.score,
        stance=ev.stance,
        where=ev.field,
        highlight=highlight,
        span=_span(ev.sentence, claim.text) if highlight else [_Segment(clean(ev.sentence))],
        place=evidence_where(ev),
        href=evidence_link(ev, paper),
    )
    if (
        source is not None
        and 0 <= ev.start <= ev.end <= len(source)
        and source[ev.start : ev.end] == ev.sentence
    ):
        view.context = (_utf16(source[: ev.start]), _utf16(source[: ev.end]))
        if highlight:
            spans = shared_word_spans(claim.text, ev.sentence)
            view.words = " ".join(f"{_utf16(ev.sentence[:a])},{_utf16(ev.sentence[:b])}" for a, b in spans)
    return view


def _chart_points(result: VerifyResult) -> list[dict[str, Any]]:
    points = []
    for r_no, report in enumerate(result.reports, 1):
        for claim in report.claims:
            if claim.reported.confidence is None:
                continue
            points.append(
                {
                    "x": round(_PAD + claim.reported.confidence * _CHART, 1),
                    "y": round(_PAD + (1 - claim.recomputed.confidence) * _CHART, 1),
                    "label": claim.recomputed.label,
                    "ticked": claim.reported.verified,
                    "anchor": f"r{r_no}-c{claim.index}",
                }
            )
    return points


def _claim_view(
    report: ReportResult, report_no: int, claim: ClaimResult, papers: Mapping[str, Paper]
) -> dict[str, Any]:
    evidence = sorted(claim.evidence, key=lambda e: -e.score)
    return {
        "where": claim_where(claim, report.references) or "",
        "checked": claim.recomputed.checked,
        "anchor": f"r{report_no}-c{claim.index}",
        "claim": claim,
        "text": clean(claim.text),
        "label_text": LABEL_TEXT[claim.recomputed.label],
        "unsupported": claim_is_unsupported(claim),
        "codes": " ".join(sorted({clean(f.code) for f in claim.findings})),
        "evidence": [_evidence_view(claim, ev, papers) for ev in evidence],
        "findings": [(f, clean(f.code), clean(f.message)) for f in claim.findings],
    }


def _report_view(number: int, report: ReportResult, papers: Mapping[str, Paper]) -> dict[str, Any]:
    return {
        "number": number,
        "report": report,
        "title": clean(report.title or "(untitled)"),
        "path": clean(report.path),
        "research_question": clean(report.research_question or ""),
        "codes": " ".join(sorted({clean(f.code) for f in report.findings})),
        "findings": [(f, clean(f.code), clean(f.message)) for f in report.findings],
        "references": [
            (
                ref,
                clean(ref.arxiv_id or ref.raw),
                clean(ref.title or ""),
                read_phrase(ref.fulltext, ref.fulltext_reason) if ref.status == "found" else "",
            )
            for ref in report.references
        ],
        "claims": [_claim_view(report, number, c, papers) for c in report.claims],
    }


def _cited_papers(result: VerifyResult, papers: Mapping[str, Paper]) -> list[dict[str, str]]:
    """Every cited paper that was found, once, in order of first citation: the one copy of its abstract."""
    seen: dict[str, dict[str, str]] = {}
    for report in result.reports:
        for ref in report.references:
            paper = papers.get(ref.arxiv_id or "")
            if paper is None or paper.status != "found" or paper.arxiv_id in seen:
                continue
            fulltext, reason = paper.fulltext, paper.fulltext_reason
            if fulltext is None and ref.fulltext is not None:  # papers given apart from the run's result
                fulltext, reason = ref.fulltext, ref.fulltext_reason
            versioned = _versioned(paper.arxiv_id, paper)
            seen[paper.arxiv_id] = {
                "id": clean(paper.arxiv_id),
                "title": clean(paper.title or ""),
                "abstract": clean(paper.abstract or ""),
                "read": read_phrase(fulltext, reason),
                "fulltext": fulltext or "none",
                "abs": abs_link(paper.arxiv_id, paper),
                "full": (
                    f"{ARXIV}/html/{versioned}"
                    if fulltext == "html"
                    else f"{ARXIV}/pdf/{versioned}"
                    if fulltext == "pdf"
                    else ""
                ),
            }
    return list(seen.values())


def _finding_codes(result: VerifyResult) -> list[str]:
    codes = {f.code for r in result.reports for f in r.findings}
    codes |= {f.code for r in result.reports for c in r.claims for f in c.findings}
    return sorted(clean(c) for c in codes)


def _phrase(text: str) -> markupsafe.Markup:
    """One of our phrases as HTML: its `code spans` as <code>, everything escaped."""
    parts = [markupsafe.escape(p) for p in text.split("`")]
    return markupsafe.Markup("").join(
        markupsafe.Markup("<code>{}</code>").format(p) if i % 2 else p for i, p in enumerate(parts)
    )


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda value: f"{float(value) * 100:.0f}%"
    env.filters["phrase"] = _phrase
    return env


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def render_html(result: VerifyResult, *, papers: Mapping[str, Paper] | None = None) -> str:
    """The verify result as one self-contained HTML page for auditing.

    Parameters: ``result`` — the verify output; ``papers`` — fetched papers by arXiv id: each abstract is
    listed once, and each evidence sentence can be shown highlighted inside it (without them, the sentence
    alone is shown).

    Example: ``Path("audit.html").write_text(render_html(result, papers=papers))``
    """
    papers = papers or {}
    script = _asset("audit.js")
    reports = [_report_view(n, r, papers) for n, r in enumerate(result.reports, 1)]
    template = _environment().from_string(_asset("audit.html.j2"))
    return template.render(
        result=result,
        reports=reports,
        cited_papers=_cited_papers(result, papers),
        codes=_finding_codes(result),
        batch_findings=[
            (f, clean(f.code), clean(f.message), clean(f.path or "")) for f in result.summary.findings
        ],
        errors=[(clean(e.path), e.line, clean(e.message)) for e in result.errors],
        points=_chart_points(result),
        chart={"size": _CHART, "pad": _PAD, "ticks": [0.0, 0.25, 0.5, 0.75, 1.0]},
        label_text=LABEL_TEXT,
        style=_asset("audit.css"),
        script=script,
        script_hash=_csp_hash(script),
    )
