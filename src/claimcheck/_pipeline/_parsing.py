"""Parse step over files: every report under the given paths, bad inputs as records, never raised."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .._errors import ReportParseError
from .._inputs import discover_reports
from .._models import InputErrorRecord, Report
from .._parse import DEFAULT_MAX_BYTES, parse_report_file, row_errors

__all__ = ["ParseResult", "iter_parsed", "parse_one", "parse_paths"]


@dataclass
class ParseResult:
    """Reports that parsed and the inputs that did not."""

    reports: list[Report] = field(default_factory=list)
    errors: list[InputErrorRecord] = field(default_factory=list)


def parse_one(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Report | InputErrorRecord:
    """Parse one report file; an input that cannot be read or parsed becomes its `InputErrorRecord`.

    Example: ``parse_one(Path("reports/000_72ee14e1c07839b6.txt")).claims[0].text``
    """
    try:
        return parse_report_file(path, max_bytes=max_bytes)
    except ReportParseError as exc:
        return InputErrorRecord(path=exc.path or str(path), message=exc.message, line=exc.line)
    except RecursionError:  # pathological nesting must not take the batch down
        return InputErrorRecord(path=str(path), message="report too deeply nested to parse")


def iter_parsed(
    paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Report | InputErrorRecord]:
    """Parse every report under ``paths`` lazily, yielding a `Report` or an `InputErrorRecord` for each input.

    Example: ``for item in iter_parsed(["reports/"]): ...``
    """
    for item in discover_reports(paths):
        parsed = item if isinstance(item, InputErrorRecord) else parse_one(item, max_bytes)
        yield parsed
        if isinstance(parsed, Report):  # its bad claims rows: input errors, the good rows kept
            yield from row_errors(parsed)


def parse_paths(
    paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Parse every report under ``paths`` (directories recursed); bad inputs become `errors`, never raise.

    Example: ``parse_paths(["reports/"]).reports[0].claims[0].text``
    """
    result = ParseResult()
    for item in iter_parsed(paths, max_bytes=max_bytes):
        if isinstance(item, Report):
            result.reports.append(item)
        else:
            result.errors.append(item)
    return result
