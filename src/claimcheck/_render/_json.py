"""JSON and JSON Lines output: the verify result as schema v1, one claim per line, and parsed reports.

Both are written report by report (`JsonWriter`, `JsonlWriter`) so that a batch of any size streams to its
output; `render_json` and `render_jsonl` run the same writers into a string.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import Any, TextIO

from .._models import BatchSummary, InputErrorRecord, Paper, Report, ReportResult, ReportSummary, VerifyResult
from ._common import ChunkWriter

__all__ = [
    "JSONL_TYPES",
    "JsonWriter",
    "JsonlWriter",
    "json_chunk",
    "jsonl_chunk",
    "render_json",
    "render_jsonl",
    "render_reports_json",
]

# JSON escapes C0 controls itself; C1 controls, DEL and bidi overrides are valid raw in a JSON string but
# reach a terminal as-is when the output is not redirected. Inside JSON they can only occur in strings, so
# escaping them keeps the document equal.
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")
# A report object sits two levels deep in the document ({"reports": [ … ]}).
_REPORT_INDENT = "    "
_REPORTS_KEY = '\n  "reports": []'


def _terminal_safe(text: str) -> str:
    return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _dumps(obj: Any, *, indent: int | None) -> str:
    separators = (",", ": ") if indent is not None else (",", ":")
    return _terminal_safe(json.dumps(obj, ensure_ascii=False, indent=indent, separators=separators))


def json_chunk(report: ReportResult) -> str:
    """One report object as it appears inside the ``reports`` array of `render_json` (indented, no comma).

    Example: ``json.loads(json_chunk(report))["path"]``
    """
    # pydantic's serializer (Rust) writes the same document as json.dumps(indent=2) several times faster;
    # JSON strings hold no raw newline, so indenting every line nests the object exactly.
    text = report.model_dump_json(indent=2)
    return _REPORT_INDENT + _terminal_safe(text).replace("\n", "\n" + _REPORT_INDENT)


def _skeleton(head: VerifyResult) -> tuple[str, str]:
    """The document of ``head`` (with no reports) split around its empty ``reports`` array."""
    text = _terminal_safe(head.model_dump_json(indent=2))
    # Strings escape their quotes, so the first bare `"reports": []` is the key itself.
    cut = text.index(_REPORTS_KEY)
    return text[: cut + len(_REPORTS_KEY) - 1], text[cut + len(_REPORTS_KEY) - 1 :]


class JsonWriter:
    """Writes the verify document to ``out`` report by report: head, report objects, then the tail.

    Example: ``w = JsonWriter(out, version="1.0", scorer="lexical"); w.add(json_chunk(r)); w.close(...)``
    """

    def __init__(self, out: TextIO, *, version: str, scorer: str) -> None:
        self.out = out
        self.head = VerifyResult.model_construct(
            schema_version="1", tool="claimcheck", version=version, scorer=scorer, reports=[], errors=[],
            summary=BatchSummary(), papers=[],
        )  # fmt: skip
        self.count = 0

    def add(self, chunk: str, path: str = "", summary: ReportSummary | None = None) -> None:
        """Write one report object (a `json_chunk`)."""
        if self.count == 0:
            self.out.write(_skeleton(self.head)[0] + "\n")
        else:
            self.out.write(",\n")
        self.out.write(chunk)
        self.count += 1

    def close(
        self, summary: BatchSummary, errors: Sequence[InputErrorRecord], papers: Sequence[Paper]
    ) -> None:
        """Write the rest of the document: errors, batch summary, papers.

        The batch findings and the papers grow with the batch: each is written on its own, into the document
        rendered without them, never the whole tail as one string.
        """
        tail = VerifyResult.model_construct(
            **{
                **dict(self.head),
                "errors": list(errors),
                "summary": summary.model_copy(update={"findings": []}),
                "papers": [],
            }
        )
        head, rest = _skeleton(tail)
        self.out.write(head if self.count == 0 else "\n  ")
        # JSON strings hold no raw newline: these empty arrays, at their indentation, are the keys themselves
        for key, items, indent in (
            ('\n    "findings": []', summary.findings, "      "),
            ('\n  "papers": []', papers, "    "),
        ):
            cut = rest.index(key) + len(key) - 1
            self.out.write(rest[:cut])
            rest = rest[cut:]
            if items:
                for n, item in enumerate(items):
                    text = _terminal_safe(item.model_dump_json(indent=2))
                    self.out.write(("\n" if n == 0 else ",\n") + indent + text.replace("\n", "\n" + indent))
                self.out.write("\n" + indent[:-2])
        self.out.write(rest + "\n")


JSONL_TYPES = ("report", "claim", "error", "summary")
"""The ``type`` of every JSON Lines record, in the order they come: per report, its ``report`` record then
one ``claim`` record per claim; after the reports, one ``error`` per unreadable input and one ``summary``."""


def jsonl_chunk(report: ReportResult) -> str:
    """The JSON Lines of one report: a ``report`` record (everything but the claims: stated figures,
    references, report-level findings, summary), then one ``claim`` record per claim with the report's path
    and title.

    Example: ``[json.loads(ln)["type"] for ln in jsonl_chunk(report).splitlines()][:2] == ["report", "claim"]``
    """
    head = {"type": "report", **report.model_dump(mode="json", exclude={"claims"})}
    lines = [_dumps(head, indent=None) + "\n"]
    for claim in report.claims:
        record = {
            "type": "claim",
            "path": report.path,
            "report_title": report.title,
            **claim.model_dump(mode="json"),
        }
        lines.append(_dumps(record, indent=None) + "\n")
    return "".join(lines)


class JsonlWriter(ChunkWriter):
    """Writes JSON Lines report by report, then one line per input error and the batch summary.

    Example: ``w = JsonlWriter(out); w.add(jsonl_chunk(r)); w.close(summary, errors, papers)``
    """

    def close(
        self, summary: BatchSummary, errors: Sequence[InputErrorRecord], papers: Sequence[Paper]
    ) -> None:
        """Write one line per input error, then the batch summary (with the findings across reports)."""
        for error in errors:
            record = {"type": "error", "path": error.path, "line": error.line, "error": error.message}
            self.out.write(_dumps(record, indent=None) + "\n")
        self.out.write(_dumps({"type": "summary", **summary.model_dump(mode="json")}, indent=None) + "\n")


def render_json(result: VerifyResult) -> str:
    """The verify result as indented JSON (schema_version "1").

    Parameters: ``result`` — the verify output.

    Example: ``json.loads(render_json(result))["schema_version"] == "1"``
    """
    out = io.StringIO()
    writer = JsonWriter(out, version=result.version, scorer=result.scorer)
    writer.head.schema_version, writer.head.tool = result.schema_version, result.tool
    for report in result.reports:
        writer.add(json_chunk(report))
    writer.close(result.summary, result.errors, result.papers)
    return out.getvalue()


def render_jsonl(result: VerifyResult) -> str:
    """One JSON object per line, each with a ``type`` (`JSONL_TYPES`): per report a ``report`` record and a
    ``claim`` record per claim, then an ``error`` per unreadable input and the batch ``summary``.

    Parameters: ``result`` — the verify output.

    Example: ``[json.loads(ln)["path"] for ln in render_jsonl(result).splitlines()]``
    """
    out = io.StringIO()
    writer = JsonlWriter(out)
    for report in result.reports:
        writer.add(jsonl_chunk(report))
    writer.close(result.summary, result.errors, result.papers)
    return out.getvalue()


def render_reports_json(reports: Sequence[Report]) -> str:
    """Parsed reports as a JSON array of report objects (what `claimcheck parse --format json` prints).

    Parameters: ``reports`` — parsed reports.

    Example: ``json.loads(render_reports_json([report]))[0]["claims"]``
    """
    return _dumps([r.model_dump(mode="json") for r in reports], indent=2) + "\n"
