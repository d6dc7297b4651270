"""The typer application object every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="claimcheck",
    help="Audit machine-generated literature syntheses against the arXiv papers they cite.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
