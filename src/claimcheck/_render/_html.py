"""The HTML audit page: one self-contained file (inline CSS, JS and SVG; no network) rendered by Jinja2.

Autoescaping is on for every value, and the page carries a Content-Security-Policy that allows only its own
inline script (by hash) and no network at all, so even an escaping mistake could not run a report's script.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2

from .._models import ClaimResult, Evidence, Paper, ReportResult, VerifyResult
from ._common import LABEL_TEXT, claim_is_unsupported, clean, shared_word_spans

__all__ = ["render_html"]

_CHART = 300  # side of the chart's plotting square, in SVG units
_PAD = 36


@dataclass
class _Segment:
    text: str
    word: bool = False


@dataclass
class _EvidenceView:
    arxiv_id: str
    title: str
    score: float
    stance: str
    where: str
    in_context: bool
    before: str = ""
    span: list[_Segment] = field(default_factory=list)
    after: str = ""


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


def _evidence_view(
    claim: ClaimResult, ev: Evidence, papers: Mapping[str, Paper], *, context: bool
) -> _EvidenceView:
    paper = papers.get(ev.arxiv_id)
    source = None
    if paper is not None:
        source = paper.title if ev.field == "title" else paper.abstract
    view = _EvidenceView(
        arxiv_id=clean(ev.arxiv_id),
        title=clean(paper.title or "") if paper else "",
        score=ev.score,
        stance=ev.stance,
        where=ev.field,
        in_context=False,
    )
    # Show the sentence inside its abstract only when the offsets really point at it.
    if (
        context
        and source is not None
        and 0 <= ev.start <= ev.end <= len(source)
        and source[ev.start : ev.end] == ev.sentence
    ):
        view.in_context = True
        view.before, view.after = clean(source[: ev.start]), clean(source[ev.end :])
    view.span = _span(ev.sentence, claim.text)
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
                    "tip": clean(
                        f"report {r_no}, claim {claim.index}: reported "
                        f"{'✓' if claim.reported.verified else '×'} {claim.reported.confidence:.2f}, "
                        f"recomputed {LABEL_TEXT[claim.recomputed.label]} {claim.recomputed.confidence:.2f}"
                    ),
                }
            )
    return points


def _claim_view(report_no: int, claim: ClaimResult, papers: Mapping[str, Paper]) -> dict[str, Any]:
    evidence = sorted(claim.evidence, key=lambda e: -e.score)
    return {
        "anchor": f"r{report_no}-c{claim.index}",
        "claim": claim,
        "text": clean(claim.text),
        "label_text": LABEL_TEXT[claim.recomputed.label],
        "unsupported": claim_is_unsupported(claim),
        "evidence": [_evidence_view(claim, ev, papers, context=i == 0) for i, ev in enumerate(evidence)],
        "findings": [(f, clean(f.code), clean(f.message)) for f in claim.findings],
    }


def _report_view(number: int, report: ReportResult, papers: Mapping[str, Paper]) -> dict[str, Any]:
    return {
        "number": number,
        "report": report,
        "title": clean(report.title or "(untitled)"),
        "path": clean(report.path),
        "research_question": clean(report.research_question or ""),
        "findings": [(f, clean(f.code), clean(f.message)) for f in report.findings],
        "references": [
            (ref, clean(ref.arxiv_id or ref.raw), clean(ref.title or "")) for ref in report.references
        ],
        "claims": [_claim_view(number, c, papers) for c in report.claims],
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda value: f"{float(value) * 100:.0f}%"
    return env


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def render_html(result: VerifyResult, *, papers: Mapping[str, Paper] | None = None) -> str:
    """The verify result as one self-contained HTML page for auditing.

    Parameters: ``result`` — the verify output; ``papers`` — fetched papers by arXiv id, so each evidence
    sentence is shown highlighted inside its abstract (without them, the sentence alone is shown).

    Example: ``Path("audit.html").write_text(render_html(result, papers=papers))``
    """
    papers = papers or {}
    script = _asset("audit.js")
    template = _environment().from_string(_asset("audit.html.j2"))
    return template.render(
        result=result,
        reports=[_report_view(n, r, papers) for n, r in enumerate(result.reports, 1)],
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
