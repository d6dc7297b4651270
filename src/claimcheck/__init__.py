"""claimcheck: audit machine-generated literature syntheses against the arXiv papers they cite.

The pipeline, one public function per step (and per CLI command)::

    parse_report / parse_paths      report text → Report                   (claimcheck parse)
    fetch_papers                    arXiv ids → Paper, through the cache    (claimcheck fetch)
    Matcher.match                   claim × paper sentences → MatchResult   (claimcheck match)
    verify_paths                    all of it, plus the audit → VerifyResult (claimcheck verify)
    render_verify                   VerifyResult → table, json, html, junit, github, ...

Names are imported lazily, so ``import claimcheck`` (and ``claimcheck --version``) stays fast and does
not load the matcher or the HTTP stack until they are used.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._document import Block, Document
    from ._errors import (
        CacheError,
        ClaimcheckError,
        DocumentUnusable,
        InputError,
        OutputError,
        ReportParseError,
        ScorerUnavailable,
        SourceError,
        SourceUnavailable,
    )
    from ._gate import gate_failures
    from ._ids import ArxivId, parse_arxiv_id
    from ._match import Matcher, Source
    from ._models import (
        Claim,
        ClaimResult,
        Evidence,
        Finding,
        MatchResult,
        Paper,
        Reference,
        Report,
        ReportResult,
        VerifyResult,
    )
    from ._parse import parse_report, parse_report_file
    from ._pipeline import (
        MatchOptions,
        ParseResult,
        ReportOutcome,
        VerifyStream,
        parse_paths,
        verify_paths,
        verify_reports,
        verify_stream,
    )
    from ._render import render_reports, render_verify, verify_json_schema
    from ._sources import ArxivClient, FetchEvent, PaperCache, PaperKey, SourceSession, fetch_papers

__all__ = [
    "ArxivClient",
    "ArxivId",
    "Block",
    "CacheError",
    "Claim",
    "ClaimResult",
    "ClaimcheckError",
    "Document",
    "DocumentUnusable",
    "Evidence",
    "FetchEvent",
    "Finding",
    "InputError",
    "MatchOptions",
    "MatchResult",
    "Matcher",
    "OutputError",
    "Paper",
    "PaperCache",
    "PaperKey",
    "ParseResult",
    "Reference",
    "Report",
    "ReportOutcome",
    "ReportParseError",
    "ReportResult",
    "ScorerUnavailable",
    "Source",
    "SourceError",
    "SourceSession",
    "SourceUnavailable",
    "VerifyResult",
    "VerifyStream",
    "__version__",
    "fetch_papers",
    "gate_failures",
    "parse_arxiv_id",
    "parse_paths",
    "parse_report",
    "parse_report_file",
    "render_reports",
    "render_verify",
    "verify_json_schema",
    "verify_paths",
    "verify_reports",
    "verify_stream",
]

_LOCATIONS = {
    "ArxivClient": "_sources",
    "FetchEvent": "_sources",
    "PaperCache": "_sources",
    "PaperKey": "_sources",
    "SourceSession": "_sources",
    "fetch_papers": "_sources",
    "Block": "_document",
    "Document": "_document",
    "MatchOptions": "_pipeline",
    "ParseResult": "_pipeline",
    "ReportOutcome": "_pipeline",
    "VerifyStream": "_pipeline",
    "verify_stream": "_pipeline",
    "gate_failures": "_gate",
    "ArxivId": "_ids",
    "parse_arxiv_id": "_ids",
    "Matcher": "_match",
    "Source": "_match",
    "parse_report": "_parse",
    "parse_report_file": "_parse",
    "parse_paths": "_pipeline",
    "verify_paths": "_pipeline",
    "verify_reports": "_pipeline",
    "render_reports": "_render",
    "render_verify": "_render",
    "verify_json_schema": "_render",
    **dict.fromkeys(
        (
            "CacheError",
            "ClaimcheckError",
            "InputError",
            "OutputError",
            "DocumentUnusable",
            "ReportParseError",
            "ScorerUnavailable",
            "SourceError",
            "SourceUnavailable",
        ),
        "_errors",
    ),
    **dict.fromkeys(
        (
            "Claim",
            "ClaimResult",
            "Evidence",
            "Finding",
            "MatchResult",
            "Paper",
            "Reference",
            "Report",
            "ReportResult",
            "VerifyResult",
        ),
        "_models",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'claimcheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    if isinstance(value, type) or callable(value):
        # Public names say where users find them: claimcheck.Paper, not claimcheck._models.Paper.
        with contextlib.suppress(AttributeError, TypeError):
            value.__module__ = __name__
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
