"""``claimcheck parse`` and ``claimcheck schema``."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .._defaults import DEFAULT_MAX_REPORT_BYTES
from ._app import app
from ._common import (
    EXIT_INPUT,
    EXIT_OK,
    ColorChoice,
    ColorOption,
    OutputOption,
    WidthOption,
    emit,
    handle_errors,
    note_skipped,
    report_input_errors,
    resolve_color,
    resolve_width,
)


class ParseFormat(StrEnum):
    json = "json"
    table = "table"


_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2}
_UNITS |= {"g": 1000**3, "gb": 1000**3, "gib": 1024**3}


def parse_size(value: str | int) -> int:
    """A size given as bytes or with a unit: ``10MiB``, ``500k``, ``2 MB``, ``1048576``.

    Example: ``parse_size("10MiB") == 10 * 1024 * 1024``
    """
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", value)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS or float(match.group(1)) <= 0:
        raise typer.BadParameter(f"{value!r} is not a size (e.g. 10MiB, 500k, 2000000)")
    return int(float(match.group(1)) * _UNITS[unit])


MaxSizeOption = Annotated[
    int,
    typer.Option(
        "--max-size",
        parser=parse_size,
        metavar="SIZE",
        help="Refuse report files larger than SIZE (bytes or with a unit: 10MiB, 500k; default 10 MiB)",
        show_default=False,
        rich_help_panel="Input",
    ),
]


@app.command("parse")
def parse_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Report files or directories (searched for *.md, *.txt).")
    ],
    fmt: Annotated[ParseFormat, typer.Option("--format", "-f", help="Output format.")] = ParseFormat.table,
    output: OutputOption = None,
    width: WidthOption = None,
    color: ColorOption = ColorChoice.auto,
    max_size: MaxSizeOption = DEFAULT_MAX_REPORT_BYTES,
) -> None:
    """Parse reports into typed records: title, stated figures, claims, references.

    Exit 2 when an input (or a claims row) could not be read; the others are still parsed and printed.
    """
    with handle_errors():
        from .._pipeline import parse_paths
        from .._render import render_reports

        note_skipped(paths)
        result = parse_paths(paths, max_bytes=max_size)
        report_input_errors(result.errors)
        text = render_reports(
            result.reports,
            fmt.value,
            width=resolve_width(width, output),
            color=resolve_color(color, output),
        )
        emit(text, output)
        raise typer.Exit(EXIT_INPUT if result.errors else EXIT_OK)


@app.command("schema")
def schema_command(output: OutputOption = None) -> None:
    """Print the JSON Schema of the `verify --format json` output."""
    with handle_errors():
        from .._render import verify_json_schema

        emit(json.dumps(verify_json_schema(), indent=2, ensure_ascii=False) + "\n", output)
