"""The claimcheck command line: a thin shell over the library.

Each command parses its options, calls one public library function and hands the result to a renderer.
Heavy modules (the matcher, httpx) are imported inside the commands, so `--version` and `--help` stay fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.core import TyperCommand

from .._version import __version__
from . import cmd_fetch, cmd_match, cmd_parse, cmd_verify
from ._app import Command, app

__all__ = ["app", "main"]

_COMMAND_MODULES = (cmd_parse, cmd_fetch, cmd_match, cmd_verify)
# The order `claimcheck --help` lists the commands in: the main job first.
_COMMAND_ORDER = ("verify", "parse", "fetch", "match", "schema")


def _arrange() -> None:
    app.registered_commands.sort(
        key=lambda c: _COMMAND_ORDER.index(c.name) if c.name in _COMMAND_ORDER else len(_COMMAND_ORDER)
    )
    for typer_app in (app, *(group.typer_instance for group in app.registered_groups)):
        if typer_app is None:
            continue
        for command in typer_app.registered_commands:
            if command.cls is None or command.cls is TyperCommand:
                command.cls = Command


_arrange()


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"claimcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Audit machine-generated literature syntheses against the arXiv papers they cite."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: sys.argv[1:]) and return the exit code."""
    try:
        app(args=argv if argv is not None else sys.argv[1:], prog_name="claimcheck", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 2
    return 0
