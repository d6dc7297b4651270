"""What every command shares: options, exit codes, output, and the one place that maps errors to exits.

Exit codes (README, "Exit codes"): 0 = verified and the gate passed; 1 = the gate failed on findings;
2 = bad usage or an input that could not be read or parsed; 3 = sources could not be fetched, so
verification is incomplete. When several apply, 2 wins over 3, 3 over 1.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
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

EXIT_CODES_HELP = """\
[b]Exit codes[/b]
  0  verified, and the gate passed
  1  the gate (--fail-on) failed on findings
  2  bad usage, or an input that could not be read or parsed (the others are still reported)
  3  cited papers could not be fetched, so verification is incomplete
  When several apply, 2 wins over 3, and 3 over 1.
"""

# rich help panels: options grouped by what they are for
PANEL_OUTPUT = "Output"
PANEL_GATE = "CI gate"
PANEL_SOURCES = "Sources and cache"
PANEL_MATCHING = "Matching"
PANEL_INPUT = "Input"

CacheOption = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        envvar="CLAIMCHECK_CACHE",
        metavar="FILE",
        help="SQLite cache file (env CLAIMCHECK_CACHE; default: the user cache dir).",
        show_default=False,
        rich_help_panel=PANEL_SOURCES,
    ),
]
ApiUrlOption = Annotated[
    str,
    typer.Option(
        "--api-url",
        envvar="CLAIMCHECK_ARXIV_URL",
        metavar="URL",
        help="arXiv query API endpoint (env CLAIMCHECK_ARXIV_URL).",
        rich_help_panel=PANEL_SOURCES,
    ),
]
DelayOption = Annotated[
    float,
    typer.Option(
        "--delay",
        metavar="SECONDS",
        min=0.0,
        help="Seconds between API requests (arXiv terms of use: 3).",
        show_default=True,
        rich_help_panel=PANEL_SOURCES,
    ),
]
FullTextOption = Annotated[
    bool,
    typer.Option(
        "--full-text/--no-full-text",
        help="Read the cited papers' full text (HTML, else PDF); --no-full-text checks abstracts only.",
        rich_help_panel=PANEL_SOURCES,
    ),
]
HtmlUrlOption = Annotated[
    str,
    typer.Option(
        "--html-url",
        envvar="CLAIMCHECK_HTML_URL",
        metavar="URL",
        help="Where papers' HTML is: {URL}/{id}v{N} (env CLAIMCHECK_HTML_URL).",
        rich_help_panel=PANEL_SOURCES,
    ),
]
PdfUrlOption = Annotated[
    str,
    typer.Option(
        "--pdf-url",
        envvar="CLAIMCHECK_PDF_URL",
        metavar="URL",
        help="Where papers' PDFs are: {URL}/{id}v{N} (env CLAIMCHECK_PDF_URL).",
        rich_help_panel=PANEL_SOURCES,
    ),
]
MailtoOption = Annotated[
    str | None,
    typer.Option(
        "--mailto",
        envvar="CLAIMCHECK_MAILTO",
        metavar="EMAIL",
        help="Your contact address, sent in the User-Agent as arXiv asks of bulk users (env CLAIMCHECK_MAILTO).",
        show_default=False,
        rich_help_panel=PANEL_SOURCES,
    ),
]
FetchTimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--fetch-timeout",
        min=0.0,
        metavar="SECONDS",
        help="Give up fetching after SECONDS (default: no limit; the --delay between requests is the policy).",
        show_default=False,
        rich_help_panel=PANEL_SOURCES,
    ),
]
ScorerOption = Annotated[
    str,
    typer.Option(
        "--scorer",
        metavar="lexical|semantic|nli",
        help="Scorer: lexical (built in), semantic (the semantic extra) or nli (the nli extra).",
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        metavar="MODEL",
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
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to FILE (atomically) instead of stdout.",
        show_default=False,
        rich_help_panel=PANEL_OUTPUT,
    ),
]

DEFAULT_WIDTH = 100
"""Table width when neither --width, COLUMNS nor a terminal says otherwise (a file, a pipe)."""


class ColorChoice(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


WidthOption = Annotated[
    int | None,
    typer.Option(
        "--width",
        metavar="COLUMNS",
        min=40,
        help="Table width in columns (default: the terminal's, or COLUMNS; 100 in a file or pipe).",
        show_default=False,
        rich_help_panel=PANEL_OUTPUT,
    ),
]
ColorOption = Annotated[
    ColorChoice,
    typer.Option(
        "--color",
        help="Colour the table: auto = on a terminal unless NO_COLOR is set.",
        rich_help_panel=PANEL_OUTPUT,
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="No progress bar and no notes on stderr.",
        rich_help_panel=PANEL_OUTPUT,
    ),
]


def resolve_color(choice: ColorChoice, output: Path | None) -> bool:
    """Whether to colour output: ``always``/``never`` as said; ``auto`` on a terminal unless NO_COLOR is set
    (https://no-color.org: any non-empty value)."""
    if choice is ColorChoice.always:
        return True
    if choice is ColorChoice.never:
        return False
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def resolve_width(width: int | None, output: Path | None) -> int:
    """The table width: ``--width``, else COLUMNS, else the terminal's (stdout), else `DEFAULT_WIDTH`."""
    if width is not None:
        return width
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(40, int(columns))
    if output is None and sys.stdout.isatty():
        return max(40, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)
    return DEFAULT_WIDTH


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


def note(message: str) -> None:
    """Print a note on stderr (something the user may want to know; not a problem)."""
    say("note", message)


def note_skipped(paths: Sequence[Path]) -> None:
    """Name the files inside the given directories that are passed over for their suffix (one note)."""
    from .._inputs import REPORT_SUFFIXES, skipped_files

    skipped = skipped_files(paths)
    if not skipped:
        return
    shown = ", ".join(str(p) for p in skipped[:3]) + (", …" if len(skipped) > 3 else "")
    patterns = ", ".join(f"*{s}" for s in REPORT_SUFFIXES)
    plural = "s" if len(skipped) != 1 else ""
    note(f"skipped {len(skipped)} file{plural} that are not reports ({patterns}): {shown}")


def report_input_errors(errors: Sequence[InputErrorRecord]) -> None:
    """Print each input that could not be read or parsed as ``claimcheck: error: path:line: message``."""
    for error in errors:
        where = f"{error.path}:{error.line}" if error.line is not None else error.path
        # "no reports found under DIR" names its path already
        say("error", error.message if error.path in error.message else f"{where}: {error.message}")


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
def fetch_events(*, quiet: bool = False) -> Iterator[EventSink]:
    """The CLI's sink for the sources layer's events: a progress bar on stderr (only on a terminal) that
    shows waits and retries, and warnings as ``claimcheck: warning: …`` lines once the bar is gone.

    Waits and retries are also printed as lines when stderr is not a terminal, so a slow run in CI says why;
    ``quiet`` shows no bar and no such lines (warnings still come).
    """
    from .._sources import FetchEvent

    warnings: list[str] = []
    interactive = sys.stderr.isatty() and not quiet
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
        elif event.kind in ("wait", "retry") and not quiet:
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


@contextmanager
def match_progress(total: int, *, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr while reports are matched: reports done/total, claims per second, ETA.

    Yields ``advance(claims)``, called once per verified report with its number of claims. Shown only when
    stderr is a terminal and not ``quiet``; otherwise ``advance`` does nothing.
    """
    if quiet or total < 1 or not sys.stderr.isatty():
        yield lambda claims: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("matching claims"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("reports ·"),
        TextColumn("{task.fields[rate]} claims/s ·"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("match", total=total, rate="–")
        claims_done = 0

        def advance(claims: int) -> None:
            nonlocal claims_done
            claims_done += claims
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{claims_done / elapsed:,.0f}" if elapsed > 0 else "–"
            bar.update(task, advance=1, rate=rate)

        yield advance
