"""The terminal table (rich): a header and a claims table per report, then a batch summary.

Untrusted text enters rich only as `rich.text.Text` built from `clean`-ed strings, never as markup, so neither
rich markup (``[red]``) nor terminal escape sequences in a report are interpreted.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TextIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from .._models import (
    BatchSummary,
    Claim,
    ClaimResult,
    Finding,
    InputErrorRecord,
    Paper,
    Reference,
    Report,
    ReportResult,
    ReportSummary,
    VerifyResult,
)
from ._common import (
    LABEL_TEXT,
    best_evidence,
    claim_is_unsupported,
    claim_where,
    clean,
    clean_line,
    papers_read,
    shared_word_spans,
)

__all__ = ["TableWriter", "render_reports_table", "render_table", "table_chunk"]

DEFAULT_WIDTH = 100
# Below this width the evidence and findings go under the claim instead of into their own columns.
_WIDE = 120
_LABEL_STYLE = {
    "supported": "green",
    "contradicted": "bold red",
    "not_found": "yellow",
    "unverifiable": "dim",
}
_SEVERITY = {"error": ("✗", "red"), "warning": ("!", "yellow"), "info": ("i", "cyan")}


def _console(width: int | None, color: bool | None) -> Console:
    return Console(
        file=io.StringIO(),
        width=width or DEFAULT_WIDTH,
        color_system="standard" if color else None,
        force_terminal=bool(color),
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        soft_wrap=False,
    )


def _export(console: Console, renderables: Sequence[RenderableType]) -> str:
    for item in renderables:
        console.print(item)
    file = console.file
    assert isinstance(file, io.StringIO)
    text = file.getvalue()
    if console.no_color:
        # rich pads every line to the full width; a file or a pipe is better without the trailing blanks
        text = "".join(line.rstrip() + "\n" for line in text.splitlines())
    return text


def _finding_text(finding: Finding, line: int | None) -> Text:
    mark, style = _SEVERITY[finding.severity]
    where = f" (line {line})" if line is not None else ""
    return Text.assemble(
        ("  " + mark + " ", style), (finding.code, style), (where + ": ", "dim"), clean_line(finding.message)
    )


def _counts(report: Report) -> Text:
    st = report.stated
    text = Text("  stated: ", style="bold")
    text.append(
        f"{_n(st.papers_retrieved)} papers · {_n(st.claims_extracted)} claims · "
        f"{_n(st.claims_verified)} verified"
    )
    if isinstance(report, ReportResult):
        sm = report.summary
        text.append("\n  recomputed: ", style="bold")
        text.append(f"{sm.references} references ({sm.references_found} found) · {sm.claims} claims · ")
        text.append(f"{sm.supported} supported", style="green")
        text.append(" · ")
        text.append(f"{sm.contradicted} contradicted", style="red")
        text.append(f" · {sm.not_found} not found · {sm.unverifiable} unverifiable")
    else:
        ticked = sum(c.reported.verified for c in report.claims)
        text.append(
            f"\n  table: {len(report.references)} references · {len(report.claims)} claims · {ticked} ✓"
        )
    return text


def _n(value: int | None) -> str:
    return "—" if value is None else str(value)


def _header(report: Report, number: int, total: int) -> Group:
    title = clean_line(report.title or "(untitled)")
    head = Text.assemble((f"Report {number}/{total}: ", "bold"), (title, "bold"))
    head.append(f"\n  {clean_line(report.path)} · {report.format}", style="dim")
    head.append("\n")
    head.append_text(_counts(report))
    parts: list[RenderableType] = [head]
    read = papers_read(report.references) if isinstance(report, ReportResult) else []
    if read:
        # a hanging indent: a long list of papers or reason wraps under itself, not under "read:"
        papers = Table.grid(padding=(0, 1), expand=True)
        papers.add_column(no_wrap=True)
        papers.add_column(ratio=1, overflow="fold")
        for phrase, ids in read:
            papers.add_row(Text("  read:", style="bold"), Text(f"{', '.join(ids)}: {phrase}"))
        parts.append(papers)
    if not report.findings:
        return Group(*parts)
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for finding in report.findings:
        mark, style = _SEVERITY[finding.severity]
        where = f":{finding.line}" if finding.line is not None else ""
        grid.add_row(
            Text(" " + mark, style=style),
            Text(clean_line(finding.code) + where, style=style),
            Text(clean_line(finding.message)),
        )
    return Group(*parts, grid)


def _reported(claim: Claim) -> Text:
    mark = "✓" if claim.reported.verified else "×"
    conf = "" if claim.reported.confidence is None else f" {claim.reported.confidence:.2f}"
    return Text(mark + conf, style="green" if claim.reported.verified else "")


def _recomputed(claim: ClaimResult) -> Text:
    label = claim.recomputed.label
    text = Text(LABEL_TEXT[label], style=_LABEL_STYLE[label])
    text.append(f"\n{claim.recomputed.confidence:.2f}")
    if claim_is_unsupported(claim):
        text.append("\n✓ unsupported", style="red")
    return text


def _claim_text(claim: ClaimResult) -> Text:
    text = Text(clean_line(claim.text))
    if claim.truncated:
        text.append("…", style="bold yellow")
    return text


def _evidence(claim: ClaimResult, references: Sequence[Reference]) -> Text:
    where = claim_where(claim, references)
    ev = best_evidence(claim)
    if ev is None:
        return Text(where or "—", style="yellow" if where else "dim")
    sentence = clean_line(ev.sentence)
    text = Text()
    if where is not None:
        not_found = claim.recomputed.label == "not_found"
        text.append(where + ("; closest: " if not_found else ": "), style="yellow" if not_found else "")
    text.append(f"arXiv:{clean_line(ev.arxiv_id)} ({ev.score:.2f}) ", style="cyan")
    body = Text(sentence, style="dim")
    for start, end in shared_word_spans(claim.text, sentence):
        body.stylize("bold not dim", start, end)
    text.append_text(body)
    return text


def _codes(claim: ClaimResult) -> Text:
    text = Text()
    for i, finding in enumerate(claim.findings):
        if i:
            text.append("\n")
        text.append(clean_line(finding.code), style=_SEVERITY[finding.severity][1])
    return text


def _claims_table(report: ReportResult, width: int) -> Table:
    wide = width >= _WIDE
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False, pad_edge=False, padding=(0, 1))
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("claim", ratio=3 if wide else 1, overflow="fold")
    table.add_column("reported", no_wrap=True)
    table.add_column("recomputed", no_wrap=True)
    if wide:
        table.add_column("best evidence", ratio=3, overflow="fold")
        table.add_column("findings", no_wrap=True)
    for claim in report.claims:
        cells: list[RenderableType]
        if wide:
            cells = [
                _claim_text(claim),
                _reported(claim),
                _recomputed(claim),
                _evidence(claim, report.references),
                _codes(claim),
            ]
        else:
            under = Text.assemble(_claim_text(claim), "\n", "↳ ", _evidence(claim, report.references))
            if claim.findings:
                under.append("\n⚑ ", style="dim")
                under.append_text(Text(" ").join(_codes(claim).split("\n")))
            cells = [under, _reported(claim), _recomputed(claim)]
        table.add_row(str(claim.index), *cells, end_section=not wide)
    return table


def _summary_table(summary: BatchSummary, rows: Sequence[tuple[str, ReportSummary]]) -> Table:
    table = Table(title="Summary", box=box.SIMPLE_HEAD, expand=True, show_footer=True, pad_edge=False)
    sm = summary
    columns = (
        ("report", "total", sm.reports),
        ("claims", "", sm.claims),
        ("✓ stated", "", sm.reported_verified),
        ("supported", "", sm.supported),
        ("contra.", "", sm.contradicted),
        ("not found", "", sm.not_found),
        ("errors", "", sum(r.errors for _, r in rows)),
    )
    for i, (name, _, value) in enumerate(columns):
        footer = f"{value} reports" if i == 0 else str(value)
        table.add_column(
            name,
            footer=footer,
            justify="left" if i == 0 else "right",
            overflow="fold",
            ratio=1 if i == 0 else None,
            no_wrap=i != 0,
        )
    for path, r in rows:
        table.add_row(
            Text(clean_line(path)),
            str(r.claims),
            str(r.reported_verified),
            str(r.supported),
            str(r.contradicted),
            str(r.not_found),
            Text(str(r.errors), style="red" if r.errors else ""),
        )
    return table


def _errors(errors: Sequence[InputErrorRecord]) -> Text:
    text = Text("Inputs that could not be read:", style="bold red")
    for error in errors:
        where = clean_line(error.path) + (f":{error.line}" if error.line is not None else "")
        text.append("\n  ✗ ", style="red")
        text.append(where + ": ")
        text.append(clean(error.message).replace("\n", " "))
    return text


def table_chunk(
    report: ReportResult, number: int, total: int, *, width: int | None = None, color: bool | None = None
) -> str:
    """The header and claims table of report ``number`` of ``total``, as `render_table` shows them.

    Example: ``table_chunk(report, 1, 1, width=80).startswith("Report 1/1")``
    """
    console = _console(width, color)
    return _export(console, [_header(report, number, total), _claims_table(report, console.width)])


class TableWriter:
    """Writes the terminal tables report by report, then the summary (a row per report: path and counts).

    Example: ``w = TableWriter(out, total=2); w.add(table_chunk(r, 1, 2), r.path, r.summary); w.close(...)``
    """

    def __init__(
        self, out: TextIO, *, total: int, width: int | None = None, color: bool | None = None
    ) -> None:
        self.out = out
        self.total = total
        self.width = width
        self.color = color
        self.rows: list[tuple[str, ReportSummary]] = []

    def add(self, chunk: str, path: str = "", summary: ReportSummary | None = None) -> None:
        """Write one report's tables (a `table_chunk`) and keep its row of the summary."""
        self.out.write(chunk)
        self.rows.append((path, summary or ReportSummary()))

    def close(
        self, summary: BatchSummary, errors: Sequence[InputErrorRecord], papers: Sequence[Paper]
    ) -> None:
        """Write the summary table, the batch findings and the unreadable inputs."""
        console = _console(self.width, self.color)
        parts: list[RenderableType] = []
        if self.total > 1 or errors:
            parts.append(_summary_table(summary, self.rows))
        if summary.findings:
            parts.append(Text("Batch findings:", style="bold"))
            parts += [
                _finding_text(f, f.line).append(f" [{clean_line(f.path or '')}]", style="dim")
                for f in summary.findings
            ]
        if errors:
            parts.append(_errors(errors))
        self.out.write(_export(console, parts))


def render_table(result: VerifyResult, *, width: int | None = None, color: bool | None = None) -> str:
    """The verify result as terminal tables; ANSI styles only when ``color`` is true.

    Parameters: ``result`` — the verify output; ``width`` — columns (default 100); ``color`` — emit ANSI
    styles.

    Example: ``print(render_table(result, width=80, color=False))``
    """
    out = io.StringIO()
    total = len(result.reports)
    writer = TableWriter(out, total=total, width=width, color=color)
    for number, report in enumerate(result.reports, 1):
        writer.add(table_chunk(report, number, total, width=width, color=color), report.path, report.summary)
    writer.close(result.summary, result.errors, result.papers)
    return out.getvalue()


def _parsed_table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("claim", ratio=1, overflow="fold")
    table.add_column("reported", no_wrap=True)
    for claim in report.claims:
        text = Text(clean_line(claim.text))
        if claim.truncated:
            text.append("…", style="bold yellow")
        table.add_row(str(claim.index), str(claim.line), text, _reported(claim))
    return table


def render_reports_table(
    reports: Sequence[Report], *, width: int | None = None, color: bool | None = None
) -> str:
    """Parsed reports (no verdicts yet) as terminal tables: header, stated figures, claims with ✓/×.

    Parameters: ``reports`` — parsed reports; ``width`` — columns (default 100); ``color`` — emit ANSI styles.

    Example: ``print(render_reports_table([report], width=80))``
    """
    console = _console(width, color)
    parts: list[RenderableType] = []
    for number, report in enumerate(reports, 1):
        parts += [Group(_header(report, number, len(reports)), _parsed_table(report))]
    return _export(console, parts)
