"""`SourceSession`: configured once, asked many times — where every cited paper's metadata comes from.

Order of look-up for each distinct id: the recorded directory (``--sources``) → the cache → the network.
For the network, the latest versions come first (one request per 100 ids, unversioned), and only the cited
versions that are not the latest are asked for after (so a citation costs one request per 100 ids, not two).
``offline`` never opens a socket: what is neither recorded nor cached is ``unavailable``. Per-paper failures
are statuses, never exceptions; what the user should know is told through the session's ``events``.

Example::

    with SourceSession(cache=PaperCache(), sources=Path("fixtures/arxiv"), offline=True) as session:
        papers = session.papers(["2005.13013v2", "2106.02134"])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

from .._errors import ClaimcheckError
from .._ids import ArxivId
from .._models import Paper
from ._arxiv import DEFAULT_API_URL, ArxivClient, papers_per_input
from ._cache import PaperCache
from ._events import EventSink, FetchEvent, log_event
from ._http import PoliteHttp
from ._recorded import RecordedSources, load_sources, save_papers

__all__ = ["OFFLINE_MESSAGE", "PaperKey", "SourceSession", "export_cache", "import_into_cache"]

OFFLINE_MESSAGE = "offline: not in cache or sources"
PaperKey = tuple[str, int | None]
"""A cited paper as a reference names it: (arXiv id without version, cited version or None)."""


@dataclass(frozen=True)
class _Options:
    api_url: str
    delay: float
    mailto: str | None
    fetch_timeout: float | None


class SourceSession:
    """Everything a fetch needs, configured once: cache, recorded directory, offline, connection, events.

    Parameters:
        cache: the `PaperCache` to read and fill, or None (no cache).
        sources: a recorded directory (``fetch --save`` output), read first.
        offline: never use the network.
        http: an `httpx.Client` for every arXiv request (tests inject a ``MockTransport``); default: one
            connection made here. client: a ready `ArxivClient` (its connection is then the session's).
        api_url, delay, mailto: the API endpoint, seconds between any two requests, the User-Agent's contact.
        fetch_timeout: an optional limit in seconds on one fetch (default: none — the rate is the policy).
        events: receives progress, waits, retries and warnings (default: the ``claimcheck`` logger).

    The session owns what it makes (the connection) and closes it in `close`; a cache passed in stays the
    caller's. Example: ``SourceSession(offline=True, sources=Path("fixtures/arxiv")).papers(["2005.13013"])``
    """

    def __init__(
        self,
        *,
        cache: PaperCache | None = None,
        sources: Path | None = None,
        offline: bool = False,
        http: httpx.Client | None = None,
        client: ArxivClient | None = None,
        api_url: str = DEFAULT_API_URL,
        delay: float = 3.0,
        mailto: str | None = None,
        fetch_timeout: float | None = None,
        events: EventSink | None = None,
    ) -> None:
        self.cache = cache
        self.sources = sources
        self.offline = offline
        self.events: EventSink = events or log_event
        self.options = _Options(api_url, delay, mailto, fetch_timeout)
        self._http = http
        self._client = client
        self._owns_client = False
        self._recorded: RecordedSources | None = None

    # -- lifetime -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection the session made (a cache passed in stays open). Idempotent."""
        if self._client is not None and self._owns_client:
            self._client.close()
            self._client = None
            self._owns_client = False

    def __enter__(self) -> SourceSession:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def warn(self, message: str) -> None:
        """Tell the user something through the session's events."""
        self.events(FetchEvent("warning", message))

    @property
    def polite(self) -> PoliteHttp:
        """The one rate-limited connection every arXiv request of this session goes through."""
        return self.client.http

    @property
    def client(self) -> ArxivClient:
        """The API client, made on first use with the session's connection and politeness."""
        if self._client is None:
            self._client = ArxivClient(
                self._http,
                api_url=self.options.api_url,
                delay=self.options.delay,
                mailto=self.options.mailto,
                events=self.events,
                max_total=self.options.fetch_timeout,
            )
            self._owns_client = True
        return self._client

    @property
    def recorded(self) -> RecordedSources | None:
        """The recorded directory, read once per session (its unusable files told as warnings)."""
        if self._recorded is None and self.sources is not None:
            self._recorded = RecordedSources(self.sources)
            for problem in self._recorded.problems:
                self.warn(problem)
        return self._recorded

    # -- metadata -------------------------------------------------------------------------------------

    def papers(self, ids: Sequence[str]) -> list[Paper]:
        """The papers ``ids`` name; one `Paper` per input string, in input order, ``requested_version`` set.

        A string that is not an arXiv id gives a ``malformed`` paper, decided locally.

        Example: ``session.papers(["2005.13013v2", "abc"])[1].status == "malformed"``
        """
        return papers_per_input(ids, self._fetch_unique)

    def references(self, keys: Iterable[PaperKey]) -> dict[PaperKey, Paper]:
        """The cited papers ``keys`` name (deduplicated, one batched fetch), by key.

        Example: ``session.references([("2005.13013", 2)])[("2005.13013", 2)].status``
        """
        unique = list(dict.fromkeys(keys))
        found = self._fetch_unique([ArxivId(aid, version) for aid, version in unique])
        return {
            key: found[str(ArxivId(*key))].model_copy(update={"requested_version": key[1]}) for key in unique
        }

    def latest(self, papers: Mapping[PaperKey, Paper]) -> dict[str, Paper]:
        """The latest version of every paper cited with a version, to tell version drift.

        What the metadata fetch already learned costs nothing; the rest is one batched look-up. A latest
        version that cannot be had is left out: it only informs, it never blocks verification.

        Example: ``session.latest(session.references(keys))["2005.13013"].version``
        """
        versioned = sorted(
            {aid for (aid, version), p in papers.items() if version is not None and p.status == "found"}
        )
        known = {aid: p for (aid, version), p in papers.items() if version is None and p.status == "found"}
        wanted = [aid for aid in versioned if aid not in known]
        if wanted:
            fetched = self.papers(wanted)
            known.update({aid: p for aid, p in zip(wanted, fetched, strict=True) if p.status == "found"})
        return known

    def _local(self, ident: ArxivId) -> tuple[Paper | None, Paper | None]:
        """(the paper as recorded or cached, another recorded version to fall back on)."""
        recorded = self.recorded
        if recorded is not None:
            hit = recorded.exact(ident)
            if hit is not None:
                return hit, None
        fallback = recorded.other_version(ident) if recorded is not None else None
        if self.cache is not None:
            cached = self.cache.get(ident.id, ident.version)
            if cached is not None:
                return cached, fallback
        return None, fallback

    def _fetch_unique(self, wanted: list[ArxivId]) -> dict[str, Paper]:
        results: dict[str, Paper] = {}
        fallback: dict[str, Paper] = {}
        for ident in wanted:
            hit, other = self._local(ident)
            if hit is not None:
                results[str(ident)] = hit
            elif other is not None:
                fallback[str(ident)] = other
        missing = [i for i in wanted if str(i) not in results]
        if missing and not self.offline:
            for key, paper in self._from_network(missing).items():
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

    def _from_network(self, missing: list[ArxivId]) -> dict[str, Paper]:
        """Latest versions first (one request per 100 ids), then only the cited versions that are not them."""
        bases = list(dict.fromkeys(i.id for i in missing))
        total = len(bases)

        def progress(done: int, _total: int) -> None:
            self.events(FetchEvent("progress", what="arXiv metadata", done=done, total=total))

        latest = self.client.fetch_ids([ArxivId(b, None) for b in bases], progress=progress)
        results: dict[str, Paper] = {}
        older: list[ArxivId] = []
        for ident in missing:
            top = latest[ident.id]
            if (
                ident.version is None
                or top.status != "found"
                or top.version is None
                or top.version == ident.version
            ):
                results[str(ident)] = top.model_copy(update={"requested_version": ident.version})
            elif top.version < ident.version:
                results[str(ident)] = top.model_copy(
                    update={
                        "requested_version": ident.version,
                        "version_missing": True,
                        "message": f"arXiv has no {ident}; latest is v{top.version}",
                    }
                )
            else:
                older.append(ident)
        if older:
            results.update(self.client.fetch_ids(older))
        self._store([*latest.values(), *results.values()])
        return results

    def _store(self, papers: Iterable[Paper]) -> None:
        if self.cache is None:
            return
        try:
            self.cache.put_many(p for p in papers if p.status in ("found", "not_found"))
        except ClaimcheckError as exc:
            self.warn(f"could not write the cache: {exc}")

    # -- recorded directories -------------------------------------------------------------------------

    def save(self, papers: Iterable[Paper], directory: Path) -> list[Path]:
        """Write the found ``papers`` into a recorded directory (what ``--sources`` reads back).

        Example: ``session.save(session.papers(["2005.13013v2"]), Path("recorded"))``
        """
        return save_papers(papers, directory)


def import_into_cache(cache: PaperCache, directory: Path, *, events: EventSink | None = None) -> int:
    """Store the papers of every Atom file in a recorded ``directory`` in ``cache``; return how many.

    Files that cannot be read are skipped and told as warning events.

    Example: ``import_into_cache(PaperCache(p), Path("fixtures/arxiv"))``
    """
    sink = events or log_event
    papers, problems = load_sources(directory)
    for problem in problems:
        sink(FetchEvent("warning", problem))
    versioned = [p.model_copy(update={"requested_version": p.version}) for p in papers]
    return cache.put_many(versioned)


def export_cache(cache: PaperCache, directory: Path) -> int:
    """Write every found paper of ``cache`` as one Atom file in ``directory``; return how many.

    Example: ``export_cache(PaperCache(p), Path("recorded"))``
    """
    return len(save_papers(cache.papers(), directory))
