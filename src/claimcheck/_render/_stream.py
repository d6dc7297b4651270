"""Rendering a batch as it is verified: each report becomes a text chunk (in a worker process, if need be),
and a writer puts the chunks in order into the output, then the batch-level parts.

Every format but ``html`` streams; the whole-result renderers (`render_verify`) run the same writers into a
string, so the streamed output is byte for byte what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from .._errors import InputError
from .._models import BatchSummary, InputErrorRecord, Paper, ReportResult, ReportSummary, Severity

__all__ = ["STREAM_FORMATS", "ReportChunker", "VerifyWriter", "verify_writer"]

STREAM_FORMATS = ("table", "json", "jsonl", "markdown", "junit", "github")


class VerifyWriter(Protocol):
    """Takes report chunks in order, then writes what comes after them."""

    def add(self, chunk: str, path: str = "", summary: ReportSummary | None = None) -> None:
        """Take the chunk of the next report, with its path and summary."""

    def close(
        self, summary: BatchSummary, errors: Sequence[InputErrorRecord], papers: Sequence[Paper]
    ) -> None:
        """Write the rest of the output once every report is in."""


@dataclass(frozen=True)
class ReportChunker:
    """Renders one verified report as a chunk of ``fmt`` (picklable, so a worker process can do it).

    ``policies`` (the ``--fail-on`` policies) decide which JUnit test cases fail; ``min_severity`` is the
    least severe finding the ``github`` format annotates.

    Example: ``ReportChunker("json")(report, 1, 1)`` is the report's object inside the ``reports`` array.
    """

    fmt: str
    width: int | None = None
    color: bool | None = None
    policies: frozenset[str] = field(default_factory=frozenset)
    min_severity: Severity = "info"

    def __post_init__(self) -> None:
        if self.fmt not in STREAM_FORMATS:
            raise InputError(
                f"format {self.fmt!r} cannot be streamed; choose one of {', '.join(STREAM_FORMATS)}"
            )

    def __call__(self, report: ReportResult, number: int, total: int) -> str:
        """The chunk of report ``number`` of ``total``."""
        if self.fmt == "json":
            from ._json import json_chunk

            return json_chunk(report)
        if self.fmt == "jsonl":
            from ._json import jsonl_chunk

            return jsonl_chunk(report)
        if self.fmt == "junit":
            from ._junit import junit_chunk

            return junit_chunk(report, self.policies)
        if self.fmt == "github":
            from ._github import github_chunk

            return github_chunk(report, self.min_severity)
        if self.fmt == "markdown":
            from ._markdown import markdown_chunk

            return markdown_chunk(report)
        from ._table import table_chunk

        return table_chunk(report, number, total, width=self.width, color=self.color)


def verify_writer(
    chunker: ReportChunker, out: TextIO, *, version: str, scorer: str, total: int
) -> VerifyWriter:
    """The writer of ``chunker.fmt`` into ``out``; ``total`` is the number of reports to come.

    Example: ``w = verify_writer(ReportChunker("github"), sys.stdout, version="1", scorer="lexical", total=3)``
    """
    if chunker.fmt == "json":
        from ._json import JsonWriter

        return JsonWriter(out, version=version, scorer=scorer)
    if chunker.fmt == "jsonl":
        from ._json import JsonlWriter

        return JsonlWriter(out)
    if chunker.fmt == "junit":
        from ._junit import JunitWriter

        return JunitWriter(out, chunker.policies)
    if chunker.fmt == "github":
        from ._github import GithubWriter

        return GithubWriter(out, chunker.min_severity)
    if chunker.fmt == "markdown":
        from ._markdown import MarkdownWriter

        return MarkdownWriter(out)
    from ._table import TableWriter

    return TableWriter(out, total=total, width=chunker.width, color=chunker.color)
