"""``claimcheck verify``: the whole pipeline, rendered for a person or a machine, with the CI gate."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from .._defaults import DEFAULT_HTML_URL, DEFAULT_MAX_REPORT_BYTES, DEFAULT_PDF_URL
from ._app import app
from ._common import (
    DEFAULT_API_URL,
    EXIT_CODES_HELP,
    EXIT_GATE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_SOURCES,
    PANEL_GATE,
    PANEL_MATCHING,
    PANEL_OUTPUT,
    PANEL_SOURCES,
    ApiUrlOption,
    Backend,
    BackendOption,
    CacheOption,
    ColorChoice,
    ColorOption,
    DelayOption,
    FetchTimeoutOption,
    FullTextOption,
    HtmlUrlOption,
    MailtoOption,
    ModelKind,
    ModelKindOption,
    ModelOption,
    OutputOption,
    PdfUrlOption,
    QuietOption,
    ScorerOption,
    WidthOption,
    combine_exit_codes,
    emit,
    fetch_events,
    handle_errors,
    match_progress,
    model_scorer,
    note_skipped,
    open_session,
    report_input_errors,
    resolve_color,
    resolve_width,
    say,
    warn,
)
from .cmd_parse import MaxSizeOption

if TYPE_CHECKING:
    from .._gate import GateFailure
    from .._models import InputErrorRecord, Severity, VerifyResult
    from .._pipeline import MatchOptions
    from .._sources import PaperCache, SourceSession


class Executor(StrEnum):
    local = "local"
    dask = "dask"


class VerifyFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    html = "html"
    junit = "junit"
    github = "github"


class SeverityChoice(StrEnum):
    info = "info"
    warning = "warning"
    error = "error"


_EPILOG = (
    """\
[b]Examples[/b]
  claimcheck verify reports/ --offline --sources fixtures/arxiv
  claimcheck verify reports/ -f html -o audit.html
  claimcheck verify reports/ -f junit -o junit.xml --fail-on counts
  claimcheck verify reports/ -f github --min-severity warning --fail-on any

"""
    + EXIT_CODES_HELP
)


@app.command("verify", epilog=_EPILOG)
def verify_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Report files or directories (searched for *.md, *.txt, *.markdown).",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        VerifyFormat, typer.Option("--format", "-f", help="Output format.", rich_help_panel=PANEL_OUTPUT)
    ] = VerifyFormat.table,
    output: OutputOption = None,
    width: WidthOption = None,
    color: ColorOption = ColorChoice.auto,
    quiet: QuietOption = False,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Never touch the network; missing sources are 'unavailable'.",
            rich_help_panel=PANEL_SOURCES,
        ),
    ] = False,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            metavar="DIR",
            help="Directory of recorded API responses (one Atom XML per paper), read before cache and network.",
            show_default=False,
            rich_help_panel=PANEL_SOURCES,
        ),
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="POLICY[,POLICY]",
            help="Exit 1 when a finding matches: unsupported, contradicted, counts, references, any, none "
            "(comma-separated or repeated). Also decides the JUnit failures.",
            show_default=False,
            rich_help_panel=PANEL_GATE,
        ),
    ] = None,
    min_severity: Annotated[
        SeverityChoice,
        typer.Option(
            "--min-severity",
            help="Least severe finding annotated by --format github.",
            rich_help_panel=PANEL_GATE,
        ),
    ] = SeverityChoice.info,
    scorer: ScorerOption = "lexical",
    model: ModelOption = None,
    model_kind: ModelKindOption = None,
    backend: BackendOption = Backend.torch,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            min=1,
            help="Worker processes (default: the number of cores).",
            show_default=False,
            rich_help_panel=PANEL_MATCHING,
        ),
    ] = None,
    max_size: MaxSizeOption = DEFAULT_MAX_REPORT_BYTES,
    cache: CacheOption = None,
    api_url: ApiUrlOption = DEFAULT_API_URL,
    delay: DelayOption = 3.0,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Do not read or write the cache.", rich_help_panel=PANEL_SOURCES),
    ] = False,
    full_text: FullTextOption = True,
    html_url: HtmlUrlOption = DEFAULT_HTML_URL,
    pdf_url: PdfUrlOption = DEFAULT_PDF_URL,
    mailto: MailtoOption = None,
    fetch_timeout: FetchTimeoutOption = None,
    executor: Annotated[
        Executor,
        typer.Option(
            "--executor",
            help="Where reports are verified: local worker processes, or a dask.distributed cluster (the dask extra).",
            rich_help_panel=PANEL_MATCHING,
        ),
    ] = Executor.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Address of a running dask scheduler (tcp://host:8786); without it --executor dask starts a local cluster.",
            rich_help_panel=PANEL_MATCHING,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Verify reports: parse, fetch the cited papers, match every claim, audit, and render.

    The whole pipeline; PATH may be a directory (searched recursively).
    """
    with handle_errors():
        from .._gate import parse_policies

        policies = parse_policies(fail_on or [])
        if sources is not None and not sources.is_dir():
            from .._errors import InputError

            raise InputError("--sources must be a directory of recorded API responses", path=str(sources))
        if not quiet:
            note_skipped(paths)
        with (
            fetch_events(quiet=quiet) as events,
            open_session(
                events,
                offline=offline,
                cache=cache,
                no_cache=no_cache,
                sources=sources,
                api_url=api_url,
                delay=delay,
                full_text=full_text,
                html_url=html_url,
                pdf_url=pdf_url,
                mailto=mailto,
                fetch_timeout=fetch_timeout,
            ) as session,
        ):
            job = _Job(
                paths=paths,
                fmt=fmt.value,
                color=resolve_color(color, output),
                width=resolve_width(width, output),
                min_severity=min_severity.value,
                quiet=quiet,
                output=output,
                options=_options(scorer, model, session.cache, model_kind, backend, offline),
                jobs=jobs or os.cpu_count() or 1,
                max_size=max_size,
                policies=policies,
                executor=executor,
                scheduler=scheduler,
            )
            outcome = _verify(job, session)

        codes = [EXIT_OK]
        report_input_errors(outcome.errors)
        if outcome.errors:
            codes.append(EXIT_INPUT)
        if outcome.unavailable:
            warn(f"{outcome.unavailable} cited source(s) could not be fetched; verification is incomplete")
            codes.append(EXIT_SOURCES)
        if outcome.gate_count:
            for reason in outcome.gate:
                say("gate", reason)
            if outcome.gate_count > len(outcome.gate):
                say("gate", f"… and {outcome.gate_count - len(outcome.gate)} more")
            codes.append(EXIT_GATE)
        if policies:
            from .._gate import gate_verdict

            # one closing line a CI log can be read by
            typer.echo(f"claimcheck: {gate_verdict(outcome.gate_by)}", err=True)
        raise typer.Exit(combine_exit_codes(*codes))


_GATE_SHOWN = 20


@dataclass
class _Outcome:
    """What the command reports after the output is written: input errors, missing sources, the gate."""

    errors: list[InputErrorRecord] = field(default_factory=list)
    unavailable: int = 0
    gate: list[str] = field(default_factory=list)
    gate_count: int = 0
    gate_by: Counter[str] = field(default_factory=Counter)

    def add_gate(self, reasons: list[GateFailure]) -> None:
        """Keep the first reasons to show, and count every one by its policy for the verdict line."""
        self.gate += reasons[: max(0, _GATE_SHOWN - len(self.gate))]
        self.gate_count += len(reasons)
        self.gate_by.update(r.category for r in reasons)


def _options(
    scorer: str,
    model: str | None,
    cache: PaperCache | None,
    kind: ModelKind | None = None,
    backend: Backend = Backend.torch,
    offline: bool = False,
) -> MatchOptions:
    from .._pipeline import MatchOptions

    # --offline: a model not in the Hugging Face cache is an error, never a download
    scorer, path, scorer_options = model_scorer(scorer, model, kind, backend, offline=offline or None)
    # the scorer keeps what it caches (embeddings) beside the paper cache
    return MatchOptions(
        scorer=scorer,
        model_path=path,
        cache_dir=cache.path if cache is not None else None,
        scorer_options=scorer_options,
    )


@contextmanager
def _open_output(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    from .._io import open_atomic

    with open_atomic(output) as fh:
        yield fh


@dataclass(frozen=True)
class _Job:
    """What to verify and how, as the command line says it."""

    paths: list[Path]
    fmt: str
    color: bool
    width: int
    min_severity: Severity
    quiet: bool
    output: Path | None
    options: MatchOptions
    jobs: int
    max_size: int
    policies: frozenset[str]
    executor: Executor = Executor.local
    scheduler: str | None = None


def _verify(job: _Job, session: SourceSession) -> _Outcome:
    """Verify and write the output; every format but html streams report by report (flat memory)."""
    from .._pipeline import verify_stream
    from .._render import STREAM_FORMATS, ReportChunker, verify_writer
    from .._version import __version__

    chunker = (
        ReportChunker(
            job.fmt, width=job.width, color=job.color, policies=job.policies, min_severity=job.min_severity
        )
        if job.fmt in STREAM_FORMATS
        else None
    )
    stream = verify_stream(
        job.paths,
        session=session,
        options=job.options,
        jobs=job.jobs,
        max_bytes=job.max_size,
        chunker=chunker,
        policies=job.policies,
        keep_results=chunker is None,
        executor=job.executor.value,
        scheduler=job.scheduler,
    )
    with stream:
        if chunker is None:
            with match_progress(stream.total, quiet=job.quiet) as advance:
                result = stream.result(on_report=lambda report: advance(report.summary.claims))
            return _write_whole(job, result)
        outcome = _Outcome()
        with _open_output(job.output) as out:
            writer = verify_writer(
                chunker, out, version=__version__, scorer=stream.scorer, total=stream.total
            )
            with match_progress(stream.total, quiet=job.quiet) as advance:
                for report in stream:
                    advance(report.summary.claims)
                    writer.add(report.chunk, report.path, report.summary)
                    outcome.unavailable += len(report.unavailable)
                    outcome.add_gate(report.gate)
            writer.close(stream.summary(), stream.errors, stream.papers)
        outcome.errors = stream.errors
        return outcome


def _write_whole(job: _Job, result: VerifyResult) -> _Outcome:
    """Render a format that needs the whole result at once (html), then gate on it."""
    from .._gate import gate_failures, incomplete_sources
    from .._render import render_verify

    text = render_verify(
        result,
        job.fmt,
        width=job.width,
        color=job.color,
        policies=job.policies,
        min_severity=job.min_severity,
    )
    emit(text, job.output)
    outcome = _Outcome(errors=result.errors, unavailable=len(incomplete_sources(result)))
    outcome.add_gate(gate_failures(result, job.policies))
    return outcome
