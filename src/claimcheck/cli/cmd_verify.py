"""``claimcheck verify``: the whole pipeline, rendered for a person or a machine, with the CI gate."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import app
from ._common import (
    DEFAULT_API_URL,
    EXIT_GATE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_SOURCES,
    ApiUrlOption,
    CacheOption,
    DelayOption,
    OutputOption,
    combine_exit_codes,
    emit,
    handle_errors,
    progress_bar,
    report_input_errors,
    say,
    warn,
)
from .cmd_parse import MaxSizeOption

if TYPE_CHECKING:
    from .._models import VerifyResult


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
    scorer: Annotated[
        str, typer.Option("--scorer", help="Scorer: lexical (default), semantic, nli.")
    ] = "lexical",
    model: Annotated[
        Path | None,
        typer.Option("--model", help="Local model directory for --scorer nli.", show_default=False),
    ] = None,
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
        from .._gate import gate_failures, incomplete_sources, parse_policies
        from .._render import render_verify

        policies = parse_policies(fail_on or [])
        if sources is not None and not sources.is_dir():
            from .._errors import InputError

            raise InputError("--sources must be a directory of recorded API responses", path=str(sources))
        result = _run(
            paths,
            offline=offline,
            sources=sources,
            scorer=scorer,
            model=model,
            jobs=jobs or os.cpu_count() or 1,
            max_size=max_size,
            cache_path=cache,
            no_cache=no_cache,
            api_url=api_url,
            delay=delay,
        )
        color = output is None and sys.stdout.isatty()
        emit(render_verify(result, fmt.value, color=color), output)

        codes = [EXIT_OK]
        report_input_errors(result.errors)
        if result.errors:
            codes.append(EXIT_INPUT)
        missing = incomplete_sources(result)
        if missing:
            warn(f"{len(missing)} cited source(s) could not be fetched; verification is incomplete")
            codes.append(EXIT_SOURCES)
        failures = gate_failures(result, policies)
        if failures:
            for reason in failures[:20]:
                say("gate", reason)
            if len(failures) > 20:
                say("gate", f"… and {len(failures) - 20} more")
            codes.append(EXIT_GATE)
        raise typer.Exit(combine_exit_codes(*codes))


def _run(
    paths: list[Path],
    *,
    offline: bool,
    sources: Path | None,
    scorer: str,
    model: Path | None,
    jobs: int,
    max_size: int,
    cache_path: Path | None,
    no_cache: bool,
    api_url: str,
    delay: float,
) -> VerifyResult:
    from .._cache import PaperCache
    from .._pipeline import verify_paths

    if model is not None:
        # The nli scorer reads its model directory from the environment (inherited by --jobs workers).
        os.environ["CLAIMCHECK_NLI_MODEL"] = str(model)
    cache = None if no_cache else PaperCache(cache_path)
    client = None
    if not offline:
        from .._arxiv import ArxivClient

        client = ArxivClient(api_url=api_url, delay=delay)
    messages: list[str] = []
    try:
        with progress_bar() as progress:
            return verify_paths(
                paths,
                cache=cache,
                sources=sources,
                offline=offline,
                client=client,
                scorer=scorer,
                jobs=jobs,
                max_bytes=max_size,
                progress=progress,
                warnings=messages,
            )
    finally:
        if client is not None:
            client.close()
        if cache is not None:
            cache.close()
        for message in [*(cache.warnings if cache is not None else []), *messages]:
            warn(message)
