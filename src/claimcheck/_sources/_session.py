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

import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from .._defaults import DEFAULT_API_URL, DEFAULT_HTML_URL, DEFAULT_PDF_URL
from .._document import Document
from .._errors import ClaimcheckError, DocumentUnusable
from .._events import EventSink, FetchEvent, log_event
from .._ids import ArxivId
from .._models import Paper
from .._sentences import sentence_spans, split_texts
from ._arxiv import ArxivClient, papers_per_input
from ._cache import CachedDocument, PaperCache
from ._fulltext import DEFAULT_MAX_DOCUMENT_BYTES, Fetched, FullTextFetcher, FullTextStatus, extract
from ._http import PoliteHttp
from ._recorded import RecordedSources, load_sources, save_document, save_papers

if TYPE_CHECKING:
    import httpx

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
    full_text: bool
    html_url: str
    pdf_url: str
    max_document_bytes: int


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
        full_text: read the cited papers' full text (HTML, else PDF); False checks abstracts only.
        html_url, pdf_url: where a paper version's HTML and PDF are (``{url}/{id}v{N}``).
        max_document_bytes: larger HTML pages or PDFs are not read (``too_large``).
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
        full_text: bool = True,
        html_url: str = DEFAULT_HTML_URL,
        pdf_url: str = DEFAULT_PDF_URL,
        max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
        events: EventSink | None = None,
    ) -> None:
        self.cache = cache
        self.sources = sources
        self.offline = offline
        self.events: EventSink = events or log_event
        self.options = _Options(
            api_url, delay, mailto, fetch_timeout, full_text, html_url, pdf_url, max_document_bytes
        )
        self._http = http
        self._client = client
        self._owns_client = False
        self._recorded: RecordedSources | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._scratch_store: PaperCache | None = None

    # -- lifetime -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection the session made and drop its scratch store (a cache passed in stays open).

        Idempotent."""
        if getattr(self, "_client", None) is not None and self._owns_client:
            assert self._client is not None
            self._client.close()
            self._client = None
            self._owns_client = False
        if getattr(self, "_scratch", None) is not None:
            assert self._scratch is not None
            if self._scratch_store is not None:
                self._scratch_store.close()
            self._scratch_store = None
            self._scratch.cleanup()
            self._scratch = None

    def __enter__(self) -> SourceSession:
        return self

    def __del__(self) -> None:
        self.close()

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
        self._cache_papers([*latest.values(), *results.values()])
        return results

    def _cache_papers(self, papers: Iterable[Paper]) -> None:
        if self.cache is None:
            return
        try:
            self.cache.put_many(p for p in papers if p.status in ("found", "not_found"))
        except ClaimcheckError as exc:
            self.warn(f"could not write the cache: {exc}")

    # -- abstracts' sentences -------------------------------------------------------------------------

    def abstract_sentences(
        self,
        papers: Mapping[PaperKey, Paper],
        split: Callable[[list[str]], Iterable[Sequence[tuple[int, int]]]] | None = None,
    ) -> dict[str, tuple[tuple[int, int], ...]]:
        """The sentence spans of the abstract of every found paper read by its abstract (not its full text),
        by abstract: those the cache keeps, and the others split by ``split`` (all at once, in order; by
        default here, one by one) and kept in the cache for every later run.

        Example: ``spans = session.abstract_sentences(papers)``, then ``spans[paper.abstract]``
        """
        texts = list(
            dict.fromkeys(
                p.abstract
                for p in papers.values()
                if p.status == "found"
                and p.abstract
                and p.abstract.strip()
                and p.fulltext not in ("html", "pdf")
            )
        )
        kept: dict[str, tuple[tuple[int, int], ...]] = {}
        if self.cache is not None and texts:
            try:
                kept = self.cache.get_sentences(texts)
            except ClaimcheckError as exc:
                self.warn(f"could not read the cache: {exc}")
        missing = [t for t in texts if t not in kept]
        if not missing:
            return kept
        split = split or split_texts
        new = {t: tuple((a, b) for a, b in spans) for t, spans in zip(missing, split(missing), strict=True)}
        if self.cache is not None:
            try:
                self.cache.put_sentences(new)
            except ClaimcheckError as exc:
                self.warn(f"could not write the cache: {exc}")
        return kept | new

    # -- full text ------------------------------------------------------------------------------------

    @property
    def documents(self) -> PaperCache:
        """Where the run's full-text documents are kept for the workers to read: the cache, or (without one)
        a scratch database that lives as long as the session."""
        if self.cache is not None:
            return self.cache
        if self._scratch_store is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="claimcheck-")
            self._scratch_store = PaperCache(
                Path(self._scratch.name) / "documents.sqlite3", events=self.events
            )
        return self._scratch_store

    def full_texts(self, papers: Mapping[PaperKey, Paper]) -> dict[PaperKey, Paper]:
        """``papers`` with what could be read of each found paper's full text (`Paper.fulltext` and
        `Paper.fulltext_reason`); the documents themselves are put in `documents` for `document` to read.

        Each distinct paper version is looked up once: recorded directory → cache → HTML → PDF. With
        ``full_text=False`` the papers come back unchanged (abstracts only).

        Example: ``session.full_texts(session.references(keys))[("1706.03762", 7)].fulltext == "html"``
        """
        if not self.options.full_text:
            return dict(papers)
        versions = sorted(
            {(p.arxiv_id, p.version) for p in papers.values() if p.status == "found" and p.version}
        )
        statuses: dict[tuple[str, int], FullTextStatus] = {}
        fetcher: FullTextFetcher | None = None
        networked = 0
        for done, (aid, version) in enumerate(versions, 1):
            assert version is not None
            status = self._local_full_text(aid, version)
            if status is None and self.offline:
                status = FullTextStatus("none", "offline", "offline: full text neither recorded nor cached")
            if status is None:
                if fetcher is None:
                    fetcher = self._fetcher()
                status = self._store_fetched(aid, version, fetcher.fetch(aid, version))
                networked += 1
                self.events(FetchEvent("progress", what="full text", done=done, total=len(versions)))
            statuses[(aid, version)] = status
        out: dict[PaperKey, Paper] = {}
        for key, paper in papers.items():
            status = statuses.get((paper.arxiv_id, paper.version or 0))
            out[key] = (
                paper
                if status is None
                else paper.model_copy(update={"fulltext": status.kind, "fulltext_reason": status.reason})
            )
        return out

    def document(self, arxiv_id: str, version: int) -> Document | None:
        """The full text of a paper version put in `documents` by `full_texts`, or None."""
        store = self._stored()
        entry = store.get_document(arxiv_id, version) if store is not None else None
        return entry.document if entry is not None else None

    def _stored(self) -> PaperCache | None:
        """Where documents are already kept (the cache, or a scratch store made earlier), without making one."""
        return self.cache if self.cache is not None else self._scratch_store

    def _fetcher(self) -> FullTextFetcher:
        timeout = self.options.fetch_timeout
        start = self.polite.now()
        return FullTextFetcher(
            self.polite,
            html_url=self.options.html_url,
            pdf_url=self.options.pdf_url,
            max_bytes=self.options.max_document_bytes,
            deadline=lambda: None if timeout is None else start + timeout,
        )

    def _local_full_text(self, arxiv_id: str, version: int) -> FullTextStatus | None:
        """The full text as recorded (read into the store) or already cached; None when neither has it."""
        recorded = self.recorded
        found = recorded.document(arxiv_id, version) if recorded is not None else None
        store = self._stored()
        if found is not None:
            kind, path = found
            cached = store.get_document(arxiv_id, version) if store is not None else None
            if cached is not None and cached.kind == kind:
                return FullTextStatus(kind, origin="sources")
            try:
                body = path.read_bytes()
                if len(body) > self.options.max_document_bytes:
                    raise DocumentUnusable(f"{path} is over the size limit", reason="too_large")
                document = extract(body, kind, arxiv_id, version)
            except OSError as exc:
                self.warn(f"{path}: {exc.strerror or exc}")
                return None
            except DocumentUnusable as exc:
                self.warn(f"{path}: {exc.message}")
                return FullTextStatus("none", exc.reason, exc.message, "sources")
            self._put(CachedDocument(arxiv_id, version, kind, document=document, raw=body))
            return FullTextStatus(kind, origin="sources")
        cached = store.get_document(arxiv_id, version) if store is not None else None
        if cached is None:
            return None
        return FullTextStatus(cached.kind, cached.reason, origin="cache")

    def _store_fetched(self, arxiv_id: str, version: int, fetched: Fetched) -> FullTextStatus:
        status = fetched.status
        if status.kind != "none":
            self._put(
                CachedDocument(arxiv_id, version, status.kind, document=fetched.document, raw=fetched.body)
            )
        elif status.reason != "unavailable":  # a network failure is never remembered
            self._put(CachedDocument(arxiv_id, version, "none", reason=status.reason))
        if status.kind == "none" and status.reason in ("unavailable", "unparseable", "too_large"):
            self.warn(
                f"{arxiv_id}v{version}: no full text ({status.reason}): {status.message}; checked against its abstract"
            )
        return status

    def _put(self, entry: CachedDocument) -> None:
        if entry.document is not None:  # split once here, so that no worker of any later run splits again
            entry = replace(entry, document=entry.document.with_sentences(sentence_spans))
        try:
            self.documents.put_document(entry)
        except ClaimcheckError as exc:
            self.warn(f"could not write the cache: {exc}")

    # -- recorded directories -------------------------------------------------------------------------

    def save(self, papers: Iterable[Paper], directory: Path) -> list[Path]:
        """Write the found ``papers`` into a recorded directory (what ``--sources`` reads back), each with its
        full text as fetched (``<id>v<N>.html`` or ``.pdf``) when the session has read it.

        Example: ``session.save(session.full_texts(...).values(), Path("recorded"))``
        """
        papers = list(papers)
        written = save_papers(papers, directory)
        for paper in papers:
            store = self._stored()
            if paper.status != "found" or paper.version is None or paper.fulltext not in ("html", "pdf"):
                continue
            entry = store.get_document(paper.arxiv_id, paper.version, raw=True) if store is not None else None
            if entry is not None and entry.raw is not None:
                written.append(save_document(directory, paper.arxiv_id, paper.version, entry.kind, entry.raw))
        return written


def import_into_cache(cache: PaperCache, directory: Path, *, events: EventSink | None = None) -> int:
    """Store the papers of every Atom file in a recorded ``directory`` in ``cache``; return how many.

    Files that cannot be read are skipped and told as warning events.

    Example: ``import_into_cache(PaperCache(p), Path("fixtures/arxiv"))``
    """
    sink = events or log_event
    recorded = RecordedSources(directory)
    for problem in recorded.problems:
        sink(FetchEvent("warning", problem))
    papers, _ = load_sources(directory)
    versioned = [p.model_copy(update={"requested_version": p.version}) for p in papers]
    count = cache.put_many(versioned)
    for arxiv_id, version, kind, path in recorded.documents():
        try:
            body = path.read_bytes()
            document = extract(body, kind, arxiv_id, version)
        except (OSError, DocumentUnusable) as exc:
            sink(FetchEvent("warning", f"{path}: {getattr(exc, 'message', None) or exc}"))
            continue
        document = document.with_sentences(sentence_spans)
        cache.put_document(CachedDocument(arxiv_id, version, kind, document=document, raw=body))
    return count


def export_cache(cache: PaperCache, directory: Path) -> int:
    """Write every found paper of ``cache`` as one Atom file in ``directory``, with its full text as fetched
    beside it (``<id>v<N>.html`` or ``.pdf``); return how many papers were written.

    Example: ``export_cache(PaperCache(p), Path("recorded"))``
    """
    count = len(save_papers(cache.papers(), directory))
    for arxiv_id, version in cache.document_keys():
        entry = cache.get_document(arxiv_id, version, raw=True)
        if entry is not None and entry.raw is not None:
            save_document(directory, arxiv_id, version, entry.kind, entry.raw)
    return count
