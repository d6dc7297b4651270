"""Render verify results and parsed reports for people (table, HTML, Markdown) and machines (JSON, JUnit, CI).

Every renderer returns a string; the CLI writes it to stdout or, atomically, to ``--output``. A batch streams:
`ReportChunker` renders each report as it is verified and `verify_writer` assembles the output (all formats
but ``html``). Report and paper
text is untrusted: each format escapes it for its medium (see `_common.clean`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import InputError
from .._models import Paper, Report, Severity, VerifyResult
from ._stream import STREAM_FORMATS, ReportChunker, VerifyWriter, verify_writer

__all__ = [
    "FORMATS",
    "REPORT_FORMATS",
    "STREAM_FORMATS",
    "ReportChunker",
    "VerifyWriter",
    "render_reports",
    "render_verify",
    "verify_json_schema",
    "verify_writer",
]

FORMATS = ("table", "json", "jsonl", "markdown", "html", "junit", "github")
REPORT_FORMATS = ("table", "json")


def render_verify(
    result: VerifyResult,
    fmt: str,
    *,
    width: int | None = None,
    color: bool | None = None,
    papers: Mapping[str, Paper] | None = None,
    policies: frozenset[str] = frozenset(),
    min_severity: Severity = "info",
) -> str:
    """Render a verify result in one of `FORMATS`.

    Parameters: ``result`` — the verify output; ``fmt`` — a name from `FORMATS`; ``width`` — terminal columns
    for ``table`` (default 100); ``color`` — ANSI styles in ``table`` (pass whether stdout is a terminal);
    ``papers`` — fetched papers by arXiv id, so ``html`` can show each evidence sentence inside its abstract;
    ``policies`` — the ``--fail-on`` policies that decide the ``junit`` failures (none: error findings);
    ``min_severity`` — the least severe finding ``github`` annotates.

    Example: ``render_verify(result, "junit")`` returns a JUnit XML document.
    """
    if fmt == "table":
        from ._table import render_table

        return render_table(result, width=width, color=color)
    if fmt == "json":
        from ._json import render_json

        return render_json(result)
    if fmt == "jsonl":
        from ._json import render_jsonl

        return render_jsonl(result)
    if fmt == "markdown":
        from ._markdown import render_markdown

        return render_markdown(result)
    if fmt == "html":
        from ._html import render_html

        if papers is None:
            papers = {p.arxiv_id: p for p in result.papers}
        return render_html(result, papers=papers)
    if fmt == "junit":
        from ._junit import render_junit

        return render_junit(result, policies)
    if fmt == "github":
        from ._github import render_github

        return render_github(result, min_severity)
    raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_reports(
    reports: Sequence[Report], fmt: str, *, width: int | None = None, color: bool | None = None
) -> str:
    """Render parsed reports (``claimcheck parse``) as ``table`` or ``json`` (an array of report objects).

    Parameters: ``reports`` — parsed reports; ``fmt`` — ``table`` or ``json``; ``width``/``color`` as in
    `render_verify`.

    Example: ``json.loads(render_reports([report], "json"))[0]["path"]``
    """
    if fmt == "table":
        from ._table import render_reports_table

        return render_reports_table(reports, width=width, color=color)
    if fmt == "json":
        from ._json import render_reports_json

        return render_reports_json(reports)
    raise InputError(f"unknown format {fmt!r} for parsed reports; choose one of {', '.join(REPORT_FORMATS)}")


def verify_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the ``verify --format json`` output, generated from the models.

    Example: ``verify_json_schema()["properties"]["schema_version"]["const"] == "1"``
    """
    schema = VerifyResult.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/claimcheck/verify-v1.schema.json",
        **schema,
    }
