"""``claimcheck fetch`` and ``claimcheck cache stats|clear|import|export``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import app
from ._common import (
    DEFAULT_API_URL,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_SOURCES,
    ApiUrlOption,
    CacheOption,
    ColorChoice,
    DelayOption,
    OutputOption,
    combine_exit_codes,
    emit,
    handle_errors,
    progress_bar,
    resolve_color,
    say,
    warn,
)

if TYPE_CHECKING:
    from .._cache import PaperCache

__all__ = ["cache_app"]

cache_app = typer.Typer(
    name="cache",
    help="Inspect and manage the paper cache.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(cache_app, name="cache")


class FetchFormat(StrEnum):
    json = "json"
    table = "table"


class StatsFormat(StrEnum):
    json = "json"
    text = "text"


@contextmanager
def _opened_cache(path: Path | None) -> Iterator[PaperCache]:
    """The paper cache at ``path`` (default location when None), closed on leaving; its warnings are shown
    once the work inside succeeded."""
    from .._cache import PaperCache

    paper_cache = PaperCache(path)
    try:
        yield paper_cache
    finally:
        paper_cache.close()
    for message in paper_cache.warnings:
        warn(message)


@app.command("fetch")
def fetch_command(
    ids: Annotated[list[str], typer.Argument(help="arXiv ids, e.g. 2005.13013v2 astro-ph/0601001.")],
    fmt: Annotated[FetchFormat, typer.Option("--format", "-f", help="Output format.")] = FetchFormat.table,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save",
            help="Also write one Atom XML file per found paper into DIR (for --sources).",
            show_default=False,
        ),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Never touch the network.")] = False,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Directory of recorded Atom files, read before the cache and the network.",
            show_default=False,
        ),
    ] = None,
    output: OutputOption = None,
    cache: CacheOption = None,
    api_url: ApiUrlOption = DEFAULT_API_URL,
    delay: DelayOption = 3.0,
) -> None:
    """Fetch arXiv metadata through recorded sources, the cache and the API.

    Exit 2 when an id is malformed (the other ids are still fetched and printed), 3 when some are unavailable.
    """
    with handle_errors():
        from .._arxiv import ArxivClient
        from .._fetch import fetch_papers, save_papers
        from .._render.papers import render_papers

        messages: list[str] = []
        with (
            _opened_cache(cache) as paper_cache,
            ArxivClient(api_url=api_url, delay=delay) as client,
            progress_bar() as progress,
        ):
            papers = fetch_papers(
                ids,
                cache=paper_cache,
                sources=sources,
                offline=offline,
                client=client,
                progress=progress,
                warnings=messages,
            )
        for message in messages:
            warn(message)
        for paper in papers:
            if paper.status == "malformed":  # not an arXiv id: an input error (exit 2)
                say("error", f"{paper.arxiv_id}: malformed: {paper.message or 'not an arXiv id'}")
            elif paper.status in ("unavailable", "not_found") and paper.message:
                warn(f"{paper.arxiv_id}: {paper.status}: {paper.message}")
            elif paper.version_missing and paper.message:
                warn(f"{paper.arxiv_id}: {paper.message}")
        if save is not None:
            save_papers(papers, save)
        # NO_COLOR honoured on a terminal
        emit(render_papers(papers, fmt.value, color=resolve_color(ColorChoice.auto, output)), output)
        raise typer.Exit(
            combine_exit_codes(
                EXIT_INPUT if any(p.status == "malformed" for p in papers) else EXIT_OK,
                EXIT_SOURCES if any(p.status == "unavailable" for p in papers) else EXIT_OK,
            )
        )


@cache_app.command("stats")
def cache_stats_command(
    cache: CacheOption = None,
    fmt: Annotated[StatsFormat, typer.Option("--format", "-f", help="Output format.")] = StatsFormat.text,
) -> None:
    """Show where the cache is and what it holds."""
    with handle_errors():
        with _opened_cache(cache) as paper_cache:
            stats = paper_cache.stats()
        if fmt is StatsFormat.json:
            emit(json.dumps(stats.__dict__, indent=2) + "\n", None)
            return
        by_status = ", ".join(f"{n} {s}" for s, n in sorted(stats.by_status.items())) or "empty"
        emit(
            f"path: {stats.path}\nentries: {stats.entries} ({by_status})\nversioned: {stats.versioned}\n"
            f"stale: {stats.expired}\nsize: {stats.size_bytes} bytes\n",
            None,
        )


@cache_app.command("clear")
def cache_clear_command(cache: CacheOption = None) -> None:
    """Delete every cached entry."""
    with handle_errors():
        with _opened_cache(cache) as paper_cache:
            count = paper_cache.clear()
        emit(f"removed {count} entries from {paper_cache.path}\n", None)


@cache_app.command("import")
def cache_import_command(
    directory: Annotated[Path, typer.Argument(help="Directory of Atom files (as `fetch --save` writes).")],
    cache: CacheOption = None,
) -> None:
    """Store the papers of a directory of recorded Atom files in the cache."""
    with handle_errors():
        if not directory.is_dir():
            from .._errors import InputError

            raise InputError("not a directory", path=str(directory))
        with _opened_cache(cache) as paper_cache:
            count = paper_cache.import_dir(directory)
        emit(f"imported {count} papers into {paper_cache.path}\n", None)


@cache_app.command("export")
def cache_export_command(
    directory: Annotated[
        Path, typer.Argument(help="Directory to write one Atom file per cached paper into.")
    ],
    cache: CacheOption = None,
) -> None:
    """Write every cached paper as an Atom file (readable by --sources and `cache import`)."""
    with handle_errors():
        with _opened_cache(cache) as paper_cache:
            count = paper_cache.export_dir(directory)
        emit(f"exported {count} papers to {directory}\n", None)
