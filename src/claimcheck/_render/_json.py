"""JSON and JSON Lines output: the verify result as schema v1, one claim per line, and parsed reports."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from .._models import Report, VerifyResult

__all__ = ["render_json", "render_jsonl", "render_reports_json"]

# JSON escapes C0 controls itself; C1 controls, DEL and bidi overrides are valid raw in a JSON string but
# reach a terminal as-is when the output is not redirected. Inside JSON they can only occur in strings, so
# escaping them keeps the document equal.
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")


def _terminal_safe(text: str) -> str:
    return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _dumps(obj: Any, *, indent: int | None) -> str:
    separators = (",", ": ") if indent is not None else (",", ":")
    return _terminal_safe(json.dumps(obj, ensure_ascii=False, indent=indent, separators=separators))


def render_json(result: VerifyResult) -> str:
    """The verify result as indented JSON (schema_version "1").

    Parameters: ``result`` — the verify output.

    Example: ``json.loads(render_json(result))["schema_version"] == "1"``
    """
    # pydantic's serializer (Rust) writes the same document as json.dumps(indent=2) several times faster
    return _terminal_safe(result.model_dump_json(indent=2)) + "\n"


def render_jsonl(result: VerifyResult) -> str:
    """One JSON object per line: each claim with its report path, then each input error.

    Parameters: ``result`` — the verify output.

    Example: ``[json.loads(ln)["path"] for ln in render_jsonl(result).splitlines()]``
    """
    lines = []
    for report in result.reports:
        for claim in report.claims:
            record = {"path": report.path, "report_title": report.title, **claim.model_dump(mode="json")}
            lines.append(_dumps(record, indent=None))
    for error in result.errors:
        lines.append(_dumps({"path": error.path, "line": error.line, "error": error.message}, indent=None))
    return "".join(line + "\n" for line in lines)


def render_reports_json(reports: Sequence[Report]) -> str:
    """Parsed reports as a JSON array of report objects (what `claimcheck parse --format json` prints).

    Parameters: ``reports`` — parsed reports.

    Example: ``json.loads(render_reports_json([report]))[0]["claims"]``
    """
    return _dumps([r.model_dump(mode="json") for r in reports], indent=2) + "\n"
