"""Render `fetch` results: a JSON array (the DESIGN contract) or a rich table for people.

Paper text comes from the network or from recorded files: it is untrusted, so it reaches the table only as
`rich.text.Text` built from `clean`-ed strings (no markup, no escape sequences).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .._models import Paper
from ._common import clean_line

__all__ = ["paper_json", "render_papers", "render_papers_json", "render_papers_table"]

_STATUS_STYLE = {"found": "green", "not_found": "yellow", "unavailable": "bold red", "malformed": "red"}


def paper_json(paper: Paper) -> dict[str, Any]:
    """One paper as the `fetch --format json` object: the contract keys first, then extra detail.

    Example: ``paper_json(paper)["status"] == "found"``
    """
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "status": paper.status,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "published": paper.published,
        "updated": paper.updated,
        "primary_category": paper.primary_category,
        "requested_version": paper.requested_version,
        "version_missing": paper.version_missing,
        "categories": list(paper.categories),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "comment": paper.comment,
        "message": paper.message,
        "source": paper.source,
    }


def render_papers_json(papers: Sequence[Paper]) -> str:
    """The JSON array printed by ``claimcheck fetch --format json``.

    Example: ``json.loads(render_papers_json(papers))[0]["arxiv_id"]``
    """
    return json.dumps([paper_json(p) for p in papers], indent=2, ensure_ascii=False) + "\n"


def render_papers_table(papers: Sequence[Paper], *, width: int | None = None, color: bool = False) -> str:
    """A table of id, version, status, title and first author, one row per paper.

    Example: ``print(render_papers_table(papers, width=100))``
    """
    console = Console(
        file=io.StringIO(),
        width=width or 100,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
    )
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False)
    table.add_column("arXiv id", no_wrap=True)
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("title / note")
    table.add_column("authors", max_width=28)
    for paper in papers:
        version = "" if paper.version is None else str(paper.version)
        if paper.version_missing and paper.requested_version is not None:
            version = f"{version} (cited {paper.requested_version})"
        note = paper.title if paper.status == "found" else paper.message
        authors = ", ".join(paper.authors[:2]) + (" et al." if len(paper.authors) > 2 else "")
        table.add_row(
            Text(clean_line(paper.arxiv_id)),
            Text(version, style="yellow" if paper.version_missing else ""),
            Text(paper.status, style=_STATUS_STYLE.get(paper.status, "")),
            Text(clean_line(note or "")),
            Text(clean_line(authors)),
        )
    console.print(table)
    counts: dict[str, int] = {}
    for paper in papers:
        counts[paper.status] = counts.get(paper.status, 0) + 1
    console.print(Text(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no ids"))
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def render_papers(papers: Sequence[Paper], fmt: str, *, width: int | None = None, color: bool = False) -> str:
    """Render ``papers`` as ``json`` or ``table``.

    Example: ``render_papers(papers, "json")``
    """
    if fmt == "json":
        return render_papers_json(papers)
    if fmt == "table":
        return render_papers_table(papers, width=width, color=color)
    raise ValueError(f"unknown format {fmt!r}")
