"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding, at its line.

Escaping follows the runner's rules (actions/toolkit ``command.ts``): in the message ``%``, ``\\r``, ``\\n``
become ``%25``, ``%0D``, ``%0A``; in property values ``:`` and ``,`` also become ``%3A``, ``%2C``. Control
characters are made visible first, so a report cannot smuggle ANSI sequences into the CI log or start a second
workflow command on a new line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TextIO

from .._models import (
    BatchSummary,
    Finding,
    InputErrorRecord,
    Paper,
    ReportResult,
    ReportSummary,
    Severity,
    VerifyResult,
)
from ._common import ChunkWriter, all_findings, claim_is_unsupported, claim_where, clean, papers_read

__all__ = ["GithubWriter", "escape_data", "escape_property", "github_chunk", "render_github"]

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_RANK: dict[Severity, int] = {"info": 0, "warning": 1, "error": 2}


def _shown(finding: Finding, min_severity: Severity) -> bool:
    return _RANK[finding.severity] >= _RANK[min_severity]


def escape_data(text: str) -> str:
    """Escape a workflow command message.

    Example: ``escape_data("50%\\nnext") == "50%25%0Anext"``
    """
    return clean(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """Escape a workflow command property value (``file=``, ``title=``).

    Example: ``escape_property("a:b,c") == "a%3Ab%2Cc"``
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, path: str, line: int | None, title: str, message: str) -> str:
    props = [f"file={escape_property(path)}"]
    if line is not None:
        props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def _title(finding: Finding, claim_index: int | None) -> str:
    where = f" (claim {claim_index})" if claim_index is not None else ""
    return f"claimcheck {finding.code}{where}"


def github_chunk(report: ReportResult, min_severity: Severity = "info") -> str:
    """The workflow commands of one report's findings at ``min_severity`` or above, one per line.

    Example: ``github_chunk(report, "warning").startswith("::")``
    """
    lines = []
    for finding, line, claim in all_findings(report):
        if not _shown(finding, min_severity):
            continue
        index = claim.index if claim is not None else None
        message = finding.message
        where = claim_where(claim, report.references) if claim is not None else None
        if where is not None:
            message += f" (evidence: {where})"
        lines.append(
            _command(_LEVEL[finding.severity], report.path, line, _title(finding, index), message) + "\n"
        )
    if _shown(_NOTICE, min_severity):
        lines += _abstract_only_notices(report)
    return "".join(lines)


_NOTICE = Finding(code="abstract_only", severity="info", message="")


def _abstract_only_notices(report: ReportResult) -> list[str]:
    """When claims marked ✓ came out unsupported against abstracts only: a notice per reason the cited papers'
    full text could not be read, naming the papers, at the first one's reference line."""
    doubtful = sum(claim_is_unsupported(c) and c.recomputed.checked == "abstract" for c in report.claims)
    if not doubtful:
        return []
    lines: list[str] = []
    first = {ref.arxiv_id: ref.line for ref in reversed(report.references) if ref.fulltext == "none"}
    for phrase, ids in papers_read([r for r in report.references if r.fulltext == "none"]):
        message = (
            f"{', '.join('arXiv:' + i for i in ids)}: {phrase}. {doubtful} claim{'s' if doubtful != 1 else ''} "
            "marked ✓ and not supported were checked against abstracts only"
        )
        lines.append(
            _command("notice", report.path, first.get(ids[0]), "claimcheck abstract only", message) + "\n"
        )
    return lines


class GithubWriter(ChunkWriter):
    """Writes workflow commands report by report, then the batch findings, the unreadable inputs and one
    summary ``::notice`` (reports, claims, labels, findings by severity).

    Example: ``w = GithubWriter(out); w.add(github_chunk(r)); w.close(summary, errors, papers)``
    """

    def __init__(self, out: TextIO, min_severity: Severity = "info") -> None:
        super().__init__(out)
        self.min_severity: Severity = min_severity
        self.error_findings = 0
        self.warning_findings = 0

    def add(self, chunk: str, path: str = "", summary: ReportSummary | None = None) -> None:
        """Write the commands of one report and count its findings for the summary line."""
        super().add(chunk, path, summary)
        if summary is not None:
            self.error_findings += summary.errors
            self.warning_findings += summary.warnings

    def close(
        self, summary: BatchSummary, errors: Sequence[InputErrorRecord], papers: Sequence[Paper]
    ) -> None:
        """Write the batch findings and one error per unreadable input."""
        for finding in summary.findings:
            if not _shown(finding, self.min_severity):
                continue
            level = _LEVEL[finding.severity]
            title = _title(finding, finding.claim_index)
            self.out.write(_command(level, finding.path or "", finding.line, title, finding.message) + "\n")
        for error in errors:
            self.out.write(
                _command("error", error.path, error.line, "claimcheck input error", error.message) + "\n"
            )
        self.out.write(
            f"::notice title=claimcheck summary::{escape_data(self._summary_line(summary, errors))}\n"
        )

    def _summary_line(self, summary: BatchSummary, errors: Sequence[InputErrorRecord]) -> str:
        return (
            f"claimcheck: {summary.reports} report{'s' if summary.reports != 1 else ''}, {summary.claims} claims "
            f"({summary.reported_verified} marked ✓): {summary.supported} supported, {summary.contradicted} "
            f"contradicted, {summary.not_found} not found, {summary.unverifiable} unverifiable; "
            f"{self.error_findings} error and {self.warning_findings} warning findings; "
            f"{len(errors)} unreadable input{'s' if len(errors) != 1 else ''}"
        )


def render_github(result: VerifyResult, min_severity: Severity = "info") -> str:
    """The findings of a verify result as GitHub Actions workflow commands, one per line, then a summary.

    Parameters: ``result`` — the verify output; ``min_severity`` — the least severe finding annotated.

    Example: ``render_github(result).splitlines()[0].startswith("::error file=")``
    """
    out = io.StringIO()
    writer = GithubWriter(out, min_severity)
    for report in result.reports:
        writer.add(github_chunk(report, min_severity), report.path, report.summary)
    writer.close(result.summary, result.errors, result.papers)
    return out.getvalue()
