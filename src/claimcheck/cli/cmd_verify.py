"""``claimcheck verify``: the whole pipeline, rendered for a person or a machine, with the CI gate."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from ._app import app
from ._common import (
    DEFAULT_API_URL,
    EXIT_GATE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_SOURCES,
    ApiUrlOption,
    Backend,
    BackendOption,
    CacheOption,
    DelayOption,
    ModelKind,
    ModelKindOption,
    ModelOption,
    OutputOption,
    ScorerOption,
    combine_exit_codes,
    emit,
    handle_errors,
    model_scorer,
    progress_bar,
    report_input_errors,
    say,
    warn,
)
from .cmd_parse import MaxSizeOption

if TYPE_CHECKING:
    from .._arxiv import ArxivClient
    from .._cache import PaperCache
    from .._models import InputErrorRecord, VerifyResult
    from .._pipeline import MatchOptions


class VerifyFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    html = "html"
    junit = "junit"
    github = "github"


@app.command("verify")
def verify_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Report files or directories (searched for *.md, *.txt).")
    ],
    fmt: Annotated[VerifyFormat, typer.Option("--format", "-f", help="Output format.")] = VerifyFormat.table,
    output: OutputOption = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Never touch the network; missing sources are 'unavailable'.")
    ] = False,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Directory of recorded API responses (one Atom XML per paper), read before cache and network.",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="CI gate, comma-separated: unsupported, contradicted, counts, references, any (exit 1 on a match).",
            show_default=False,
        ),
    ] = None,
    scorer: ScorerOption = "lexical",
    model: ModelOption = None,
    model_kind: ModelKindOption = None,
    backend: BackendOption = Backend.torch,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes (default: the number of cores).", show_default=False
        ),
    ] = None,
    max_size: MaxSizeOption = 10 * 1024 * 1024,
    cache: CacheOption = None,
    api_url: ApiUrlOption = DEFAULT_API_URL,
    delay: DelayOption = 3.0,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the cache.")] = False,
) -> None:
    """Verify reports: parse, fetch the cited papers, match every claim, audit, and render."""
    with handle_errors():
        from .._gate import parse_policies

        policies = parse_policies(fail_on or [])
        if sources is not None and not sources.is_dir():
            from .._errors import InputError

            raise InputError("--sources must be a directory of recorded API responses", path=str(sources))
        color = output is None and sys.stdout.isatty()
        with _session(
            offline=offline, cache_path=cache, no_cache=no_cache, api_url=api_url, delay=delay
        ) as run:
            job = _Job(
                paths=paths,
                fmt=fmt.value,
                color=color,
                output=output,
                sources=sources,
                offline=offline,
                options=_options(scorer, model, run.cache, model_kind, backend, offline),
                jobs=jobs or os.cpu_count() or 1,
                max_size=max_size,
                policies=policies,
            )
            outcome = _verify(job, run)

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
        raise typer.Exit(combine_exit_codes(*codes))


_GATE_SHOWN = 20


@dataclass
class _Session:
    cache: PaperCache | None
    client: ArxivClient | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Outcome:
    """What the command reports after the output is written: input errors, missing sources, the gate."""

    errors: list[InputErrorRecord] = field(default_factory=list)
    unavailable: int = 0
    gate: list[str] = field(default_factory=list)
    gate_count: int = 0


@contextmanager
def _session(
    *, offline: bool, cache_path: Path | None, no_cache: bool, api_url: str, delay: float
) -> Iterator[_Session]:
    from .._cache import PaperCache

    cache = None if no_cache else PaperCache(cache_path)
    client = None
    if not offline:
        from .._arxiv import ArxivClient

        client = ArxivClient(api_url=api_url, delay=delay)
    run = _Session(cache, client)
    try:
        yield run
    finally:
        if client is not None:
            client.close()
        if cache is not None:
            cache.close()
        for message in [*(cache.warnings if cache is not None else []), *run.warnings]:
            warn(message)


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
    output: Path | None
    sources: Path | None
    offline: bool
    options: MatchOptions
    jobs: int
    max_size: int
    policies: frozenset[str]


def _verify(job: _Job, run: _Session) -> _Outcome:
    """Verify and write the output; every format but html streams report by report (flat memory)."""
    from .._pipeline import verify_stream
    from .._render import STREAM_FORMATS, ReportChunker, verify_writer
    from .._version import __version__

    chunker = ReportChunker(job.fmt, color=job.color) if job.fmt in STREAM_FORMATS else None
    with progress_bar() as progress:
        stream = verify_stream(
            job.paths,
            cache=run.cache,
            sources=job.sources,
            offline=job.offline,
            client=run.client,
            options=job.options,
            jobs=job.jobs,
            max_bytes=job.max_size,
            progress=progress,
            warnings=run.warnings,
            chunker=chunker,
            policies=job.policies,
            keep_results=chunker is None,
        )
    if chunker is None:
        return _write_whole(job, stream.result())
    outcome = _Outcome()
    with _open_output(job.output) as out:
        writer = verify_writer(chunker, out, version=__version__, scorer=stream.scorer, total=stream.total)
        for report in stream:
            writer.add(report.chunk, report.path, report.summary)
            outcome.unavailable += len(report.unavailable)
            outcome.gate += report.gate[: _GATE_SHOWN - len(outcome.gate)]
            outcome.gate_count += len(report.gate)
        writer.close(stream.summary(), stream.errors, stream.papers)
    outcome.errors = stream.errors
    return outcome


def _write_whole(job: _Job, result: VerifyResult) -> _Outcome:
    """Render a format that needs the whole result at once (html), then gate on it."""
    from .._gate import gate_failures, incomplete_sources
    from .._render import render_verify

    emit(render_verify(result, job.fmt, color=job.color), job.output)
    failures = gate_failures(result, job.policies)
    return _Outcome(
        errors=result.errors,
        unavailable=len(incomplete_sources(result)),
        gate=failures[:_GATE_SHOWN],
        gate_count=len(failures),
    )
