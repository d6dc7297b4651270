"""Recorded sources: a directory of what arXiv answered, as ``fetch --save`` writes it and ``--sources`` reads it.

One Atom file per paper (``2005.13013v2.xml``, found by the id inside, not the file name), and beside it the
paper's full text as fetched (``2005.13013v2.html`` or ``2005.13013v2.pdf``, found by the file name). The
directory is read once per run; nothing here knows the cache or the network.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from .._errors import OutputError, SourceUnavailable
from .._ids import ArxivId
from .._io import write_atomic
from .._models import Paper
from ._atom import paper_to_atom, parse_atom

__all__ = [
    "FULLTEXT_SUFFIXES",
    "RecordedSources",
    "document_filename",
    "load_sources",
    "paper_filename",
    "save_document",
    "save_papers",
]

_MAX_SOURCE_BYTES = 16 * 1024 * 1024
TextKind = Literal["html", "pdf"]
FULLTEXT_SUFFIXES = {"html": ".html", "pdf": ".pdf"}
_FULLTEXT_NAME = re.compile(r"^(?P<id>.+)v(?P<version>\d+)\.(?P<kind>html|pdf)$")


def paper_filename(paper: Paper) -> str:
    """The file name `save_papers` uses: ``2005.13013v2.xml``; old-style ids get ``_`` for ``/``.

    Example: ``paper_filename(Paper(arxiv_id="hep-th/9901001", version=1, status="found"))``
    gives ``"hep-th_9901001v1.xml"``
    """
    vid = paper.arxiv_id if paper.version is None else f"{paper.arxiv_id}v{paper.version}"
    return vid.replace("/", "_") + ".xml"


def document_filename(arxiv_id: str, version: int, kind: str) -> str:
    """The file name of a paper's recorded full text: ``2005.13013v2.html``, ``hep-th_9901001v1.pdf``.

    Example: ``document_filename("2005.13013", 2, "pdf") == "2005.13013v2.pdf"``
    """
    return f"{arxiv_id.replace('/', '_')}v{version}{FULLTEXT_SUFFIXES[kind]}"


def _mkdir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {directory}: {exc.strerror or exc}", path=str(directory)) from exc


def save_document(directory: Path, arxiv_id: str, version: int, kind: str, body: bytes) -> Path:
    """Write a paper's fetched full text beside its Atom file (atomically); return the path.

    Example: ``save_document(Path("recorded"), "2005.13013", 2, "html", body)``
    """
    _mkdir(directory)
    target = directory / document_filename(arxiv_id, version, kind)
    write_atomic(target, body)
    return target


def save_papers(papers: Iterable[Paper], directory: Path, *, feed_updated: str | None = None) -> list[Path]:
    """Write each found paper as one Atom file in the API's current format (what ``--sources`` reads back).

    Papers that were not found are skipped. Files are written atomically.

    Parameters: ``papers``; ``directory`` created if missing; ``feed_updated`` the feeds' ``<updated>``
    (default: now, UTC).

    Example: ``save_papers(SourceSession().papers(["2005.13013v2"]), Path("recorded"))``
    """
    stamp = feed_updated or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    _mkdir(directory)
    written: list[Path] = []
    seen: set[str] = set()
    for paper in papers:
        if paper.status != "found":
            continue
        name = paper_filename(paper)
        if name in seen:
            continue
        seen.add(name)
        target = directory / name
        write_atomic(target, paper_to_atom(paper, feed_updated=stamp))
        written.append(target)
    return written


def load_sources(directory: Path) -> tuple[list[Paper], list[str]]:
    """Read every ``*.xml`` file under ``directory``; return the papers found and a message per unusable file.

    Example: ``papers, problems = load_sources(Path("fixtures/arxiv"))``
    """
    papers: list[Paper] = []
    problems: list[str] = []
    if not directory.is_dir():
        return papers, [f"{directory}: not a directory"]
    for path in sorted(directory.glob("*.xml")):
        try:
            if path.stat().st_size > _MAX_SOURCE_BYTES:
                problems.append(f"{path}: larger than {_MAX_SOURCE_BYTES} bytes, skipped")
                continue
            body = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror or exc}")
            continue
        try:
            feed = parse_atom(body, source="sources")
        except SourceUnavailable as exc:
            problems.append(f"{path}: {exc.message}")
            continue
        papers.extend(feed.papers)
    return papers, problems


class RecordedSources:
    """A recorded directory, read once: its papers by id, and its full-text files by (id, version).

    Unusable files are listed in ``problems`` (one message each), never raised.

    Example: ``rec = RecordedSources(Path("fixtures/arxiv")); rec.exact(ArxivId("2005.13013", 2))``
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        papers, self.problems = load_sources(directory)
        self._by_id: dict[str, list[Paper]] = {}
        for paper in papers:
            self._by_id.setdefault(paper.arxiv_id, []).append(paper.model_copy(update={"source": "sources"}))
        self._documents: dict[tuple[str, int], dict[TextKind, Path]] = {}
        if directory.is_dir():
            for path in sorted(directory.iterdir()):
                match = _FULLTEXT_NAME.match(path.name)
                if match is not None:
                    key = (match["id"].replace("_", "/"), int(match["version"]))
                    kind: TextKind = "html" if match["kind"] == "html" else "pdf"
                    self._documents.setdefault(key, {})[kind] = path

    def exact(self, ident: ArxivId) -> Paper | None:
        """The recorded paper as cited (the latest recorded version for an unversioned id), or None."""
        candidates = self._by_id.get(ident.id, [])
        if not candidates:
            return None
        if ident.version is None:
            return max(candidates, key=lambda p: p.version or 0)
        return next((p for p in candidates if p.version == ident.version), None)

    def other_version(self, ident: ArxivId) -> Paper | None:
        """Another recorded version of a paper cited with a version that is not recorded, flagged as such."""
        candidates = self._by_id.get(ident.id, [])
        if not candidates or ident.version is None:
            return None
        best = max(candidates, key=lambda p: p.version or 0)
        return best.model_copy(
            update={
                "version_missing": True,
                "message": f"sources hold v{best.version} of {ident.id}, not the cited v{ident.version}",
            }
        )

    def document(self, arxiv_id: str, version: int) -> tuple[TextKind, Path] | None:
        """The recorded full text of a paper version as (kind, path), HTML before PDF; None when absent."""
        files = self._documents.get((arxiv_id, version), {})
        kinds: tuple[TextKind, ...] = ("html", "pdf")
        for kind in kinds:
            if kind in files:
                return kind, files[kind]
        return None

    def documents(self) -> list[tuple[str, int, TextKind, Path]]:
        """Every recorded full-text file as (arxiv_id, version, kind, path)."""
        return [
            (aid, v, kind, path)
            for (aid, v), files in sorted(self._documents.items())
            for kind, path in files.items()
        ]
