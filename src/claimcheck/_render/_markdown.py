"""Markdown for a pull-request comment: a section per report with its findings and a claims table.

Report text is untrusted: in cells, HTML is escaped, Markdown punctuation is backslash-escaped (so a claim can
neither close a table cell with ``|`` nor inject links, images or HTML), and control characters are made
visible.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TextIO

from .._models import (
    BatchSummary,
    ClaimResult,
    Finding,
    InputErrorRecord,
    Paper,
    Reference,
    ReportResult,
    ReportSummary,
    VerifyResult,
)
from ._common import (
    LABEL_TEXT,
    Spool,
    best_evidence,
    claim_is_unsupported,
    claim_where,
    clean_line,
    papers_read,
)

__all__ = ["MarkdownWriter", "markdown_chunk", "md_escape", "render_markdown"]

_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
_SEVERITY_ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def md_escape(text: str) -> str:
    """Escape untrusted text for one Markdown table cell or line.

    Parameters: ``text`` — untrusted text.

    Example: ``md_escape("a|b <i>") == "a\\\\|b &lt;i&gt;"``
    """
    text = clean_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_PUNCT.sub(r"\\\1", text).replace("@", "&#64;")


def _code(text: str) -> str:
    # inside a code span backslash escapes are literal, so only backticks and pipes must go
    return clean_line(text).replace("`", "'").replace("|", "/")


def _finding(f: Finding, line: int | None) -> str:
    where = f" (line {line})" if line is not None else ""
    return f"- {_SEVERITY_ICON[f.severity]} `{_code(f.code)}`{where}: {md_escape(f.message)}"


def _phrase(text: str) -> str:
    """One of our phrases in Markdown: its `code spans` kept, the rest escaped like report text."""
    parts = text.split("`")
    return "".join(f"`{_code(p)}`" if i % 2 else _keep_spaces(p) for i, p in enumerate(parts))


def _keep_spaces(text: str) -> str:
    """`md_escape` without dropping the spaces at either end (they separate it from a code span)."""
    head = " " if text[:1].isspace() else ""
    tail = " " if text[-1:].isspace() and text.strip() else ""
    return head + md_escape(text) + tail


def _claim_row(claim: ClaimResult, references: Sequence[Reference]) -> str:
    text = md_escape(claim.text) + (" …" if claim.truncated else "")
    conf = "" if claim.reported.confidence is None else f" {claim.reported.confidence:.2f}"
    reported = ("✓" if claim.reported.verified else "×") + conf
    label = LABEL_TEXT[claim.recomputed.label]
    recomputed = (
        f"{'**' + label + '**' if claim_is_unsupported(claim) else label} {claim.recomputed.confidence:.2f}"
    )
    ev = best_evidence(claim)
    where = claim_where(claim, references)
    evidence = "—" if ev is None else f"arXiv:{md_escape(ev.arxiv_id)}: {md_escape(ev.sentence)}"
    if where is not None:
        not_found = claim.recomputed.label == "not_found"
        if ev is None:
            evidence = f"_{_phrase(where)}_"
        else:
            evidence = f"_{_phrase(where)}_{'; closest' if not_found else ''}: {evidence}"
    codes = ", ".join(md_escape(f.code) for f in claim.findings)
    return f"| {claim.index} | {text} | {reported} | {recomputed} | {evidence} | {codes} |"


def _n(value: int | None) -> str:
    return "—" if value is None else str(value)


def _report(report: ReportResult) -> list[str]:
    st, sm = report.stated, report.summary
    out = [
        f"### {md_escape(report.title or '(untitled)')}",
        "",
        f"{md_escape(report.path)} · stated: {_n(st.papers_retrieved)} papers, {_n(st.claims_extracted)} claims, "
        f"{_n(st.claims_verified)} verified · recomputed: {sm.references} references "
        f"({sm.references_found} found), {sm.claims} claims, {sm.supported} supported, "
        f"{sm.contradicted} contradicted, {sm.not_found} not found, "
        f"{sm.unverifiable} unverifiable",
        "",
    ]
    read = papers_read(report.references)
    if read:
        out += ["Papers read:", "", *(f"- {', '.join(ids)}: {_phrase(phrase)}" for phrase, ids in read), ""]
    out += [_finding(f, f.line) for f in report.findings]
    if report.findings:
        out.append("")
    if report.claims:
        out += [
            "| # | Claim | Reported | Recomputed | Best evidence | Findings |",
            "|--:|---|---|---|---|---|",
            *(_claim_row(c, report.references) for c in report.claims),
            "",
        ]
    return out


def markdown_chunk(report: ReportResult) -> str:
    """The Markdown section of one report (its lines, each ending in a newline).

    Example: ``markdown_chunk(report).startswith("### ")``
    """
    return "".join(line + "\n" for line in _report(report))


def _lines(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


class MarkdownWriter:
    """Writes the Markdown comment report by report; the totals and the table of reports come first, so the
    sections wait in a temporary file (not in memory) until `close`.

    Example: ``w = MarkdownWriter(out); w.add(markdown_chunk(r), r.path, r.summary); w.close(...)``
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.rows = Spool()
        self.sections = Spool()
        self.count = 0

    def add(self, chunk: str, path: str = "", summary: ReportSummary | None = None) -> None:
        """Take one report's section (a `markdown_chunk`) with its path and summary for the table."""
        s = summary or ReportSummary()
        self.rows.write(
            f"| {md_escape(path)} | {s.claims} | {s.reported_verified} | {s.supported} | "
            f"{s.contradicted} | {s.not_found} | {s.errors} |\n"
        )
        self.sections.write(chunk)
        self.count += 1

    def close(
        self, summary: BatchSummary, errors: Sequence[InputErrorRecord], papers: Sequence[Paper]
    ) -> None:
        """Write the whole comment: totals, table of reports, sections, batch findings, unreadable inputs."""
        sm = summary
        tail: list[str] = []
        if sm.findings:
            tail += ["### Across reports", "", *(_finding(f, f.line) for f in sm.findings), ""]
        if errors:
            tail += ["### Inputs that could not be read", ""]
            tail += [
                f"- ❌ {md_escape(e.path)}{f' (line {e.line})' if e.line else ''}: {md_escape(e.message)}"
                for e in errors
            ]
            tail.append("")
        head = _lines(
            [
                "## claimcheck",
                "",
                f"{sm.reports} reports · {sm.claims} claims · {sm.reported_verified} marked ✓ · "
                f"{sm.supported} supported · "
                f"{sm.contradicted} contradicted · {sm.not_found} not found · {sm.unverifiable} unverifiable",
                "",
            ]
        )
        # the document is its lines joined by newlines, and its last line is always empty
        last = not tail and not self.sections.size
        self.out.write(head[:-1] if last else head)
        if self.count > 1:
            self.out.write(
                "| Report | Claims | ✓ stated | Supported | Contradicted | Not found | Errors |\n"
                "|---|--:|--:|--:|--:|--:|--:|\n"
            )
            self.rows.copy_to(self.out)
            self.out.write("\n")
        self.rows.discard()
        self.sections.copy_to(self.out, drop_last=not tail)
        if tail:
            self.out.write(_lines(tail)[:-1])


def render_markdown(result: VerifyResult) -> str:
    """The verify result as GitHub-flavoured Markdown, fit for a pull-request comment.

    Parameters: ``result`` — the verify output.

    Example: ``render_markdown(result).startswith("## claimcheck")``
    """
    out = io.StringIO()
    writer = MarkdownWriter(out)
    for report in result.reports:
        writer.add(markdown_chunk(report), report.path, report.summary)
    writer.close(result.summary, result.errors, result.papers)
    return out.getvalue()
