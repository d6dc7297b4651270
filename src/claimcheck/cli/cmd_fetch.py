"""``claimcheck fetch`` and ``claimcheck cache stats|clear|import|export``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .._defaults import DEFAULT_HTML_URL, DEFAULT_PDF_URL
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
    FetchTimeoutOption,
    FullTextOption,
    HtmlUrlOption,
    MailtoOption,
    OutputOption,
    PdfUrlOption,
    combine_exit_codes,
    emit,
    fetch_events,
    handle_errors,
    open_session,
    resolve_color,
    say,
    warn,
)

if TYPE_CHECKING:
    from .._sources import PaperCache

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
    once the work inside is done."""
    from .._sources import PaperCache

    with fetch_events() as events:
        paper_cache = PaperCache(path, events=events)
        try:
            yield paper_cache
        finally:
            paper_cache.close()


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
    full_text: FullTextOption = True,
    html_url: HtmlUrlOption = DEFAULT_HTML_URL,
    pdf_url: PdfUrlOption = DEFAULT_PDF_URL,
    mailto: MailtoOption = None,
    fetch_timeout: FetchTimeoutOption = None,
) -> None:
    """Fetch arXiv metadata through recorded sources, the cache and the API.

    Exit 2 when an id is malformed (the other ids are still fetched and printed), 3 when some are unavailable.
    """
    with handle_errors():
        from .._render.papers import render_papers
        from .._sources import fetch_papers

        with (
            fetch_events() as events,
            open_session(
                events,
                offline=offline,
                cache=cache,
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
            papers = fetch_papers(ids, session=session)
            if full_text:
                by_key = session.full_texts(
                    {(p.arxiv_id, p.version): p for p in papers if p.status == "found"}
                )
                papers = [by_key.get((p.arxiv_id, p.version), p) for p in papers]
            if save is not None:
                session.save(papers, save)
        for paper in papers:
            if paper.status == "malformed":  # not an arXiv id: an input error (exit 2)
                say("error", f"{paper.arxiv_id}: malformed: {paper.message or 'not an arXiv id'}")
            elif paper.status in ("unavailable", "not_found") and paper.message:
                warn(f"{paper.arxiv_id}: {paper.status}: {paper.message}")
            elif paper.version_missing and paper.message:
                warn(f"{paper.arxiv_id}: {paper.message}")
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
    from .._sources import import_into_cache

    with handle_errors():
        if not directory.is_dir():
            from .._errors import InputError

            raise InputError("not a directory", path=str(directory))
        with _opened_cache(cache) as paper_cache:
            count = import_into_cache(paper_cache, directory, events=paper_cache.events)
        emit(f"imported {count} papers into {paper_cache.path}\n", None)


@cache_app.command("export")
def cache_export_command(
    directory: Annotated[
        Path, typer.Argument(help="Directory to write one Atom file per cached paper into.")
    ],
    cache: CacheOption = None,
) -> None:
    """Write every cached paper as an Atom file (readable by --sources and `cache import`)."""
    from .._sources import export_cache

    with handle_errors():
        with _opened_cache(cache) as paper_cache:
            count = export_cache(paper_cache, directory)
        emit(f"exported {count} papers to {directory}\n", None)
