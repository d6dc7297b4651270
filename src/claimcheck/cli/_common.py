"""What every command shares: options, exit codes, output, and the one place that maps errors to exits.

Exit codes (README, "Exit codes"): 0 = verified and the gate passed; 1 = the gate failed on findings;
2 = bad usage or an input that could not be read or parsed; 3 = sources could not be fetched, so
verification is incomplete. When several apply, 2 wins over 3, 3 over 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from .._errors import ClaimcheckError, InputError, ReportParseError, SourceUnavailable

if TYPE_CHECKING:
    from .._models import InputErrorRecord

EXIT_OK = 0
EXIT_GATE = 1
EXIT_INPUT = 2
EXIT_SOURCES = 3

T = TypeVar("T")

CacheOption = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        envvar="CLAIMCHECK_CACHE",
        help="SQLite cache file (env CLAIMCHECK_CACHE; default: the user cache dir).",
        show_default=False,
    ),
]
ApiUrlOption = Annotated[
    str,
    typer.Option(
        "--api-url",
        envvar="CLAIMCHECK_ARXIV_URL",
        help="arXiv query API endpoint (env CLAIMCHECK_ARXIV_URL).",
    ),
]
DelayOption = Annotated[
    float,
    typer.Option(
        "--delay", min=0.0, help="Seconds between API requests (arXiv terms of use: 3).", show_default=True
    ),
]
ScorerOption = Annotated[
    str,
    typer.Option(
        "--scorer", help="Scorer: lexical (built in), semantic (the semantic extra) or nli (the nli extra)."
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="Model scorer (implies --scorer nli): a preset (minicheck, minicheck-roberta, nli-base, nli-small), "
        "a hub name ORG/NAME[@REVISION] (downloaded once into the Hugging Face cache) or a model directory.",
        show_default=False,
    ),
]


class ModelKind(StrEnum):
    nli = "nli"
    minicheck = "minicheck"


class Backend(StrEnum):
    torch = "torch"
    onnx = "onnx"


ModelKindOption = Annotated[
    ModelKind | None,
    typer.Option(
        "--model-kind",
        help="How the --model reads a claim: nli (sentence pairs) or minicheck (chunks); default: from its config.",
        show_default=False,
    ),
]
BackendOption = Annotated[
    Backend,
    typer.Option("--backend", help="Run the --model with torch, or onnx (ONNX Runtime; the onnx extra)."),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to FILE (atomically) instead of stdout.", show_default=False),
]

DEFAULT_API_URL = "https://export.arxiv.org/api/query"


def model_scorer(
    scorer: str,
    model: str | None,
    kind: ModelKind | None,
    backend: Backend,
    *,
    offline: bool | None = None,
) -> tuple[str, Path | str | None, dict[str, object]]:
    """The scorer, model directory and scorer options for ``--scorer/--model/--model-kind/--backend``.

    ``--model`` alone switches the nli scorer on. A hub model is found (downloaded on first use, with progress
    on stderr) here, once, before any worker process starts; with ``--backend onnx`` it is exported here too.
    """
    if model is None:
        if kind is not None or backend is not Backend.torch:
            from .._errors import InputError

            raise InputError("--model-kind and --backend need --model")
        return scorer, None, {}
    if scorer == "lexical":
        scorer = "nli"
    if scorer != "nli":
        return scorer, model, {}  # the scorer says itself that it takes no model
    from .._match._hub import resolve_model

    resolved = resolve_model(model, offline=offline, progress=True, on_download=lambda m: say("info", m))
    if backend is Backend.onnx:
        from .._match._onnx import ensure_exported

        ensure_exported(resolved.path)
    chosen = kind.value if kind is not None else resolved.kind
    return scorer, resolved.path, {"model_kind": chosen, "backend": backend.value, "offline": True}


def combine_exit_codes(*codes: int) -> int:
    """The exit code of a run where several outcomes apply: 2 wins over 3, 3 over 1, 1 over 0."""
    order = {EXIT_INPUT: 3, EXIT_SOURCES: 2, EXIT_GATE: 1, EXIT_OK: 0}
    return max(codes, key=lambda c: order.get(c, 0), default=EXIT_OK)


def error_message(exc: ClaimcheckError) -> str:
    """The one-line message a user sees for a library error."""
    return str(exc)


def exit_code_for(exc: ClaimcheckError) -> int:
    """The exit code for an error that ended a command."""
    if isinstance(exc, SourceUnavailable):
        return EXIT_SOURCES
    if isinstance(exc, ReportParseError | InputError):
        return EXIT_INPUT
    return EXIT_INPUT


def say(kind: str, message: str) -> None:
    """Print ``claimcheck: KIND: message`` on stderr, one line, control characters made visible.

    Messages carry file names and report text: untrusted, so no escape sequence reaches the terminal.
    """
    from .._render._common import clean_line

    typer.echo(f"claimcheck: {kind}: {clean_line(message)}", err=True)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print ``claimcheck: error: message`` on stderr and exit with ``code``."""
    say("error", message)
    raise typer.Exit(code)


def warn(message: str) -> None:
    """Print a warning on stderr."""
    say("warning", message)


def report_input_errors(errors: Sequence[InputErrorRecord]) -> None:
    """Print each input that could not be read or parsed as ``claimcheck: error: path:line: message``."""
    for error in errors:
        where = f"{error.path}:{error.line}" if error.line is not None else error.path
        say("error", f"{where}: {error.message}")


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn library errors into a message on stderr and an exit code; the only such mapping."""
    try:
        yield
    except ClaimcheckError as exc:
        fail(error_message(exc), exit_code_for(exc))
    except KeyboardInterrupt:
        typer.echo("claimcheck: interrupted", err=True)
        raise typer.Exit(130) from None
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_OK) from None


def call(fn: Callable[[], T]) -> T:
    """Run ``fn`` under `handle_errors`."""
    with handle_errors():
        return fn()
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("fetching arXiv metadata", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def emit(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` atomically, or to stdout."""
    if output is None:
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    from .._io import write_atomic

    write_atomic(output, text)
