"""Fetch step of the pipeline: arXiv ids → `Paper` records, through recorded sources, the cache and the API.

Order of look-up for each distinct id: ``sources`` (a directory of recorded Atom responses, one paper per
file, found by the id inside, not the file name) → the cache → the network (one batched `ArxivClient` call
for all ids still missing). ``offline`` never opens a socket: what is not in sources or cache is
``unavailable``.
Per-paper failures are statuses, never exceptions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ._arxiv import ArxivClient, papers_per_input
from ._atom import paper_to_atom, parse_atom
from ._cache import PaperCache
from ._errors import ClaimcheckError, OutputError, SourceUnavailable
from ._ids import ArxivId
from ._io import write_atomic
from ._models import Paper, Report

__all__ = [
    "OFFLINE_MESSAGE",
    "fetch_papers",
    "fetch_references",
    "load_sources",
    "paper_filename",
    "save_papers",
]

OFFLINE_MESSAGE = "offline: not in cache or sources"
_MAX_SOURCE_BYTES = 16 * 1024 * 1024


def paper_filename(paper: Paper) -> str:
    """The file name `save_papers` uses: ``2005.13013v2.xml``; old-style ids get ``_`` for ``/``.

    Example: ``paper_filename(Paper(arxiv_id="hep-th/9901001", version=1, status="found"))``
    gives ``"hep-th_9901001v1.xml"``
    """
    vid = paper.arxiv_id if paper.version is None else f"{paper.arxiv_id}v{paper.version}"
    return vid.replace("/", "_") + ".xml"


def save_papers(papers: Iterable[Paper], directory: Path, *, feed_updated: str | None = None) -> list[Path]:
    """Write each found paper as one Atom file in the API's current format (what ``--sources`` reads back).

    Papers that were not found are skipped. Files are written atomically.

    Parameters: ``papers``; ``directory`` created if missing; ``feed_updated`` the feeds' ``<updated>``
    (default: now, UTC).

    Example: ``save_papers(fetch_papers(["2005.13013v2"], cache=None), Path("recorded"))``
    """
    stamp = feed_updated or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {directory}: {exc.strerror or exc}", path=str(directory)) from exc
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


class _SourceIndex:
    def __init__(self, papers: Iterable[Paper]) -> None:
        self._by_id: dict[str, list[Paper]] = {}
        for paper in papers:
            self._by_id.setdefault(paper.arxiv_id, []).append(paper)

    def exact(self, ident: ArxivId) -> Paper | None:
        candidates = self._by_id.get(ident.id, [])
        if not candidates:
            return None
        if ident.version is None:
            return max(candidates, key=lambda p: p.version or 0)
        return next((p for p in candidates if p.version == ident.version), None)

    def other_version(self, ident: ArxivId) -> Paper | None:
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


def _fetch_unique(
    wanted: list[ArxivId],
    *,
    cache: PaperCache | None,
    sources: Path | None,
    offline: bool,
    client: ArxivClient | None,
    progress: Callable[[int, int], None] | None,
    warnings: list[str] | None,
) -> dict[str, Paper]:
    results: dict[str, Paper] = {}
    fallback: dict[str, Paper] = {}
    index = _SourceIndex([])
    if sources is not None:
        papers, problems = load_sources(sources)
        if warnings is not None:
            warnings.extend(problems)
        index = _SourceIndex(papers)
    for ident in wanted:
        hit = index.exact(ident)
        if hit is not None:
            results[str(ident)] = hit.model_copy(update={"source": "sources"})
            continue
        other = index.other_version(ident)
        if other is not None:
            fallback[str(ident)] = other.model_copy(update={"source": "sources"})
        if cache is not None:
            cached = cache.get(ident.id, ident.version)
            if cached is not None:
                results[str(ident)] = cached
    missing = [i for i in wanted if str(i) not in results]
    if missing and not offline:
        own = client is None
        api = client if client is not None else ArxivClient()
        try:
            fetched = api.fetch_ids(missing, progress=progress)
        finally:
            if own:
                api.close()
        if cache is not None:
            try:
                cache.put_many(p for p in fetched.values() if p.status in ("found", "not_found"))
            except ClaimcheckError as exc:
                if warnings is not None:
                    warnings.append(f"could not write the cache: {exc}")
        for key, paper in fetched.items():
            if paper.status in ("unavailable", "not_found") and key in fallback:
                results[key] = fallback[key]
            else:
                results[key] = paper
    for ident in missing:
        key = str(ident)
        if key not in results:
            results[key] = fallback.get(key) or Paper(
                arxiv_id=ident.id,
                requested_version=ident.version,
                status="unavailable",
                message=OFFLINE_MESSAGE,
                source="local",
            )
    return results


def fetch_papers(
    ids: Sequence[str],
    *,
    cache: PaperCache | None,
    sources: Path | None = None,
    offline: bool = False,
    client: ArxivClient | None = None,
    progress: Callable[[int, int], None] | None = None,
    warnings: list[str] | None = None,
) -> list[Paper]:
    """Fetch the papers ``ids`` name; one `Paper` per input string, in input order, ``requested_version`` set.

    Parameters:
        ids: arXiv ids such as ``"2005.13013v2"``, ``"astro-ph/0601001"`` (a string that is not an id gives
            a ``malformed`` paper, decided locally).
        cache: the `PaperCache` to read and fill, or None. sources: a directory of recorded Atom files read
            first. offline: never use the network. client: the `ArxivClient` (default: one made here).
        progress: called with (ids done, ids total) while the network is used.
        warnings: a list that receives messages about unusable source files or cache writes.

    Example: ``fetch_papers(["2005.13013v2"], cache=None, sources=Path("fixtures/arxiv"), offline=True)``
    """
    return papers_per_input(
        ids,
        lambda wanted: _fetch_unique(
            wanted,
            cache=cache,
            sources=sources,
            offline=offline,
            client=client,
            progress=progress,
            warnings=warnings,
        ),
    )


def fetch_references(
    reports: Iterable[Report],
    *,
    cache: PaperCache | None,
    sources: Path | None = None,
    offline: bool = False,
    client: ArxivClient | None = None,
    progress: Callable[[int, int], None] | None = None,
    warnings: list[str] | None = None,
) -> dict[tuple[str, int | None], Paper]:
    """Fetch the cited papers of many reports at once (ids deduplicated, one batched network call).

    Returns a map from ``(arxiv_id, version)`` (the fields of `Reference`) to the `Paper`. References without
    an arXiv id are left out (the parser marks them ``malformed``).

    Example: ``papers = fetch_references(reports, cache=PaperCache()); papers[("2005.13013", 2)].status``
    """
    keys: list[tuple[str, int | None]] = []
    for report in reports:
        for ref in report.references:
            if ref.arxiv_id is not None:
                keys.append((ref.arxiv_id, ref.version))
    unique = list(dict.fromkeys(keys))
    ids = [aid if version is None else f"{aid}v{version}" for aid, version in unique]
    papers = fetch_papers(
        ids,
        cache=cache,
        sources=sources,
        offline=offline,
        client=client,
        progress=progress,
        warnings=warnings,
    )
    return dict(zip(unique, papers, strict=True))
