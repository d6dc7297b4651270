"""The typer application object every command module registers on, and the command class they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

__all__ = ["Command", "Group", "app"]


def _flags_as_flags(params: Sequence[Any]) -> None:
    # typer shows a flag's type ("--offline <bool>") as if it took a value: flags get an empty metavar
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


class Command(TyperCommand):
    """A command whose help shows flags as flags (no ``<bool>``); every command of the CLI uses it."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _flags_as_flags(params)
        return params


class Group(TyperGroup):
    """The command group: the same flag display as `Command`."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _flags_as_flags(params)
        return params


app = typer.Typer(
    name="claimcheck",
    cls=Group,
    help="Audit machine-generated literature syntheses against the arXiv papers they cite.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
