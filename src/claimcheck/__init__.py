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

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._arxiv import ArxivClient
    from ._cache import PaperCache
    from ._errors import (
        CacheError,
        ClaimcheckError,
        InputError,
        OutputError,
        DocumentUnusable,
        ReportParseError,
        ScorerUnavailable,
        SourceError,
        SourceUnavailable,
    )
    from ._fetch import fetch_papers
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
    from ._pipeline import parse_paths, verify_paths, verify_reports
    from ._render import render_reports, render_verify, verify_json_schema

__all__ = [
    "ArxivClient",
    "ArxivId",
    "CacheError",
    "Claim",
    "ClaimResult",
    "ClaimcheckError",
    "Evidence",
    "Finding",
    "InputError",
    "MatchResult",
    "Matcher",
    "OutputError",
    "Paper",
    "PaperCache",
    "DocumentUnusable",
    "Reference",
    "Report",
    "ReportParseError",
    "ReportResult",
    "ScorerUnavailable",
    "Source",
    "SourceError",
    "SourceUnavailable",
    "VerifyResult",
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
]

_LOCATIONS = {
    "ArxivClient": "_arxiv",
    "PaperCache": "_cache",
    "fetch_papers": "_fetch",
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
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
