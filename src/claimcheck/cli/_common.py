"""What every command shares: options, exit codes, output, and the one place that maps errors to exits.

Exit codes (README, "Exit codes"): 0 = verified and the gate passed; 1 = the gate failed on findings;
2 = bad usage or an input that could not be read or parsed; 3 = sources could not be fetched, so
verification is incomplete. When several apply, 2 wins over 3, 3 over 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from .._defaults import DEFAULT_API_URL as DEFAULT_API_URL  # re-exported for the commands
from .._defaults import DEFAULT_HTML_URL, DEFAULT_PDF_URL
from .._errors import ClaimcheckError, InputError, ReportParseError, SourceUnavailable

if TYPE_CHECKING:
    from .._models import InputErrorRecord
    from .._sources import EventSink, SourceSession

EXIT_OK = 0
EXIT_GATE = 1
EXIT_INPUT = 2
EXIT_SOURCES = 3

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
FullTextOption = Annotated[
    bool,
    typer.Option(
        "--full-text/--no-full-text",
        help="Read the cited papers' full text (HTML, else PDF); --no-full-text checks abstracts only.",
    ),
]
HtmlUrlOption = Annotated[
    str,
    typer.Option(
        "--html-url",
        envvar="CLAIMCHECK_HTML_URL",
        help="Where papers' HTML is: {URL}/{id}v{N} (env CLAIMCHECK_HTML_URL).",
    ),
]
PdfUrlOption = Annotated[
    str,
    typer.Option(
        "--pdf-url",
        envvar="CLAIMCHECK_PDF_URL",
        help="Where papers' PDFs are: {URL}/{id}v{N} (env CLAIMCHECK_PDF_URL).",
    ),
]
MailtoOption = Annotated[
    str | None,
    typer.Option(
        "--mailto",
        envvar="CLAIMCHECK_MAILTO",
        help="Your contact address, sent in the User-Agent as arXiv asks of bulk users (env CLAIMCHECK_MAILTO).",
        show_default=False,
    ),
]
FetchTimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--fetch-timeout",
        min=0.0,
        help="Give up fetching after SECONDS (default: no limit; the --delay between requests is the policy).",
        show_default=False,
    ),
]
ScorerOption = Annotated[
    str, typer.Option("--scorer", help="Scorer: lexical (built in), semantic or nli (the semantic extra).")
]
ModelOption = Annotated[
    Path | None,
    typer.Option("--model", help="Local model directory for --scorer nli.", show_default=False),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to FILE (atomically) instead of stdout.", show_default=False),
]


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


@contextmanager
def fetch_events() -> Iterator[EventSink]:
    """The CLI's sink for the sources layer's events: a progress bar on stderr (only on a terminal) that
    shows waits and retries, and warnings as ``claimcheck: warning: …`` lines once the bar is gone.

    Waits and retries are also printed as lines when stderr is not a terminal, so a slow run in CI says why.
    """
    from .._sources import FetchEvent

    warnings: list[str] = []
    interactive = sys.stderr.isatty()
    bar_cm = None
    bar = task = None
    if interactive:
        from rich.console import Console
        from rich.progress import Progress, TimeRemainingColumn

        bar_cm = Progress(
            *Progress.get_default_columns(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        bar = bar_cm.__enter__()

    def sink(event: FetchEvent) -> None:
        nonlocal task
        if event.kind == "warning":
            warnings.append(event.message)
        elif bar is not None:
            if task is None:
                task = bar.add_task("fetching", total=None)
            if event.kind == "progress":
                bar.update(
                    task, description=f"fetching {event.what}", completed=event.done, total=event.total
                )
            else:
                bar.update(task, description=f"fetching: {event.message}")
        elif event.kind in ("wait", "retry"):
            say("note", event.message)

    try:
        yield sink
    finally:
        if bar_cm is not None:
            bar_cm.__exit__(None, None, None)
        for message in warnings:
            warn(message)


@contextmanager
def open_session(
    events: EventSink,
    *,
    offline: bool,
    cache: Path | None,
    no_cache: bool = False,
    sources: Path | None = None,
    api_url: str = DEFAULT_API_URL,
    delay: float = 3.0,
    full_text: bool = True,
    html_url: str = DEFAULT_HTML_URL,
    pdf_url: str = DEFAULT_PDF_URL,
    mailto: str | None = None,
    fetch_timeout: float | None = None,
) -> Iterator[SourceSession]:
    """The one `SourceSession` of a command, built from its options; closed (with its cache) on leaving."""
    from .._sources import PaperCache, SourceSession

    paper_cache = None if no_cache else PaperCache(cache, events=events)
    session = SourceSession(
        cache=paper_cache,
        sources=sources,
        offline=offline,
        api_url=api_url,
        delay=delay,
        full_text=full_text,
        html_url=html_url,
        pdf_url=pdf_url,
        mailto=mailto,
        fetch_timeout=fetch_timeout,
        events=events,
    )
    try:
        yield session
    finally:
        session.close()
        if paper_cache is not None:
            paper_cache.close()


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
