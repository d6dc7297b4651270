"""``claimcheck parse`` and ``claimcheck schema``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ._app import app
from ._common import (
    EXIT_INPUT,
    EXIT_OK,
    OutputOption,
    emit,
    handle_errors,
    note_skipped,
    report_input_errors,
)


class ParseFormat(StrEnum):
    json = "json"
    table = "table"


MaxSizeOption = Annotated[
    int,
    typer.Option(
        "--max-size", min=1, help="Refuse report files larger than this many bytes.", show_default=True
    ),
]


@app.command("parse")
def parse_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Report files or directories (searched for *.md, *.txt).")
    ],
    fmt: Annotated[ParseFormat, typer.Option("--format", "-f", help="Output format.")] = ParseFormat.table,
    output: OutputOption = None,
    max_size: MaxSizeOption = 10 * 1024 * 1024,
) -> None:
    """Parse reports into typed records: title, stated figures, claims, references."""
    with handle_errors():
        from .._pipeline import parse_paths
        from .._render import render_reports

        note_skipped(paths)
        result = parse_paths(paths, max_bytes=max_size)
        report_input_errors(result.errors)
        color = output is None and sys.stdout.isatty()
        emit(render_reports(result.reports, fmt.value, color=color), output)
        raise typer.Exit(EXIT_INPUT if result.errors else EXIT_OK)


@app.command("schema")
def schema_command(output: OutputOption = None) -> None:
    """Print the JSON Schema of the `verify --format json` output."""
    with handle_errors():
        from .._render import verify_json_schema

        emit(json.dumps(verify_json_schema(), indent=2, ensure_ascii=False) + "\n", output)
