"""The arXiv query API client: batched, polite, bounded, and honest about failure.

Ids go ``batch_size`` to a request with ``max_results`` set to the batch, because the API's default of 10
silently drops the rest; batches are also kept short enough to stay clear of HTTP 414, and a 414 splits the
batch. Results are indexed by the id the API returns, never by position (entry order is not request order,
and missing ids leave no placeholder). Every request goes through one `PoliteHttp` (one connection, the
``delay`` between any two requests, retries with backoff that honours ``Retry-After``).

Failures: after the last retry, or once an optional time limit is reached, the ids are ``unavailable`` —
never ``not_found``. A 400 with an error entry marks the ids it names ``malformed`` and is not retried.
There is no fixed time budget: the rate is the policy, and the total is what the ids need.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._errors import SourceUnavailable
from .._ids import ArxivId, parse_arxiv_id
from .._models import Paper
from ._atom import AtomFeed, parse_atom
from ._http import HttpAnswer, PoliteHttp, Retry, user_agent

if TYPE_CHECKING:
    import httpx  # imported when a request is sent: an offline run never loads it

__all__ = ["DEFAULT_API_URL", "USER_AGENT", "ArxivClient", "papers_per_input"]

from .._defaults import DEFAULT_API_URL

USER_AGENT = user_agent()


class _UriTooLong(Exception):
    """Internal: the server answered 414 for this batch."""


@dataclass
class _Answer:
    status: int
    feed: AtomFeed


def _key(ident: ArxivId) -> str:
    return str(ident)


def papers_per_input(
    ids: Sequence[str], fetch_unique: Callable[[list[ArxivId]], dict[str, Paper]]
) -> list[Paper]:
    """One `Paper` per input string, in input order: a string that is not an arXiv id is ``malformed``,
    decided locally; the ids are fetched once each by ``fetch_unique`` (which maps ``str(id)`` to its paper).

    Parameters:
        ids: arXiv ids such as ``"2005.13013v2"``, or anything a user wrote.
        fetch_unique: fetches the distinct parsed ids.

    Example: ``papers_per_input(["abc"], lambda ids: {})[0].status == "malformed"``
    """
    parsed = [(raw, parse_arxiv_id(raw)) for raw in ids]
    results = fetch_unique(list({_key(i): i for _, i in parsed if i is not None}.values()))
    return [
        Paper(arxiv_id=raw.strip(), status="malformed", message=f"not an arXiv id: {raw!r}", source="local")
        if ident is None
        else results[_key(ident)].model_copy(update={"requested_version": ident.version})
        for raw, ident in parsed
    ]


class ArxivClient:
    """Fetch paper metadata from the arXiv query API.

    Parameters:
        http: the `httpx.Client` to send requests with (tests inject one with a ``MockTransport``); when None,
            one is made with a single connection and closed in `close`. polite: a `PoliteHttp` shared with
            other arXiv requests (full text); when given, ``http`` and the politeness options are its own.
        api_url: the query endpoint. delay: minimum seconds between two requests (retries included).
        batch_size: ids per request (and ``max_results``). max_retries: retries after the first try.
        timeout: per-request timeout in seconds. backoff: first backoff (default 1.5 × delay), doubled, with
            jitter. max_retry_after: cap on a server's ``Retry-After``. max_total: an optional time limit of
            one `fetch` call (None, the default: no limit); past it the remaining ids are ``unavailable``.
            max_url_length: batches stay under it. mailto: the contact in the User-Agent.
        sleep, clock, rng, wallclock: injected for tests.

    Example: ``with ArxivClient() as c: papers = c.fetch(["2005.13013v2", "astro-ph/0601001"])``
    """

    def __init__(
        self,
        http: httpx.Client | None = None,
        *,
        polite: PoliteHttp | None = None,
        api_url: str = DEFAULT_API_URL,
        batch_size: int = 100,
        max_total: float | None = None,
        max_url_length: int = 4000,
        **politeness: Any,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._owns_polite = polite is None
        self.http = polite if polite is not None else PoliteHttp(http, **politeness)
        self.api_url = api_url
        self.batch_size = batch_size
        self.max_total = max_total
        self.max_url_length = max_url_length

    @property
    def requests(self) -> int:
        """Requests sent through this client's connection so far."""
        return self.http.requests

    @property
    def delay(self) -> float:
        """Minimum seconds between two requests."""
        return self.http.delay

    def close(self) -> None:
        """Close the connection if this object made it."""
        if self._owns_polite:
            self.http.close()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _deadline(self) -> float | None:
        return None if self.max_total is None else self.http.now() + self.max_total

    # -- public -------------------------------------------------------------------------------------

    def fetch(self, ids: Sequence[str], *, progress: Callable[[int, int], None] | None = None) -> list[Paper]:
        """Fetch ``ids`` (strings, versioned or not) and return one `Paper` per id, in input order.

        Malformed ids are decided locally and cost no request. Never raises for a per-paper failure:
        the status says what happened (found, not_found, malformed, unavailable).

        Parameters: ``ids`` arXiv ids; ``progress`` called with (ids done, ids total) after each request.

        Example: ``ArxivClient(delay=3).fetch(["2005.13013v2", "abc"])[1].status == "malformed"``
        """
        deadline = self._deadline()
        return papers_per_input(ids, lambda wanted: self._fetch_unique(wanted, deadline, progress))

    def fetch_ids(
        self, ids: Sequence[ArxivId], *, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Paper]:
        """Fetch already-parsed ids; the result maps ``str(id)`` (e.g. ``"2005.13013v2"``) to its `Paper`.

        Example: ``ArxivClient().fetch_ids([ArxivId("2005.13013", 2)])["2005.13013v2"].status``
        """
        unique = list({_key(i): i for i in ids}.values())
        return self._fetch_unique(unique, self._deadline(), progress)

    # -- batching -----------------------------------------------------------------------------------

    def _batches(self, ids: list[ArxivId]) -> list[list[ArxivId]]:
        base = len(self._url([]))
        batches: list[list[ArxivId]] = []
        current: list[ArxivId] = []
        length = base
        for ident in ids:
            extra = len(str(ident)) + 1
            if current and (len(current) >= self.batch_size or length + extra > self.max_url_length):
                batches.append(current)
                current, length = [], base
            current.append(ident)
            length += extra
        if current:
            batches.append(current)
        return batches

    def _fetch_unique(
        self, ids: list[ArxivId], deadline: float | None, progress: Callable[[int, int], None] | None
    ) -> dict[str, Paper]:
        results: dict[str, Paper] = {}
        total = len(ids)
        pending = self._batches(ids)
        down: SourceUnavailable | None = None
        while pending:
            batch = pending.pop(0)
            if down is not None:
                for ident in batch:
                    results[_key(ident)] = self._unavailable(ident, down)
                continue
            try:
                answer = self._query(batch, deadline)
            except _UriTooLong:
                if len(batch) == 1:
                    results[_key(batch[0])] = self._unavailable(
                        batch[0], SourceUnavailable("HTTP 414: URI too long even for one id", status=414)
                    )
                else:
                    half = len(batch) // 2
                    pending[:0] = [batch[:half], batch[half:]]
                continue
            except SourceUnavailable as exc:
                # The service is down or refusing us: do not spend the remaining budget on other batches.
                down = exc
                for ident in batch:
                    results[_key(ident)] = self._unavailable(ident, exc)
            else:
                retry = self._resolve(batch, answer, results)
                if retry:
                    pending.insert(0, retry)
            if progress is not None:
                progress(min(len(results), total), total)
        self._recheck_missing_versions(results, deadline, down)
        return results

    def _resolve(self, batch: list[ArxivId], answer: _Answer, results: dict[str, Paper]) -> list[ArxivId]:
        """Fill ``results`` for ``batch`` from one answer; return ids to ask again (a 400 named others)."""
        if answer.status == 400:
            bad = {e.bad_id for e in answer.feed.errors if e.bad_id}
            named = [i for i in batch if str(i) in bad or i.id in bad]
            for ident in named:
                err = next(e for e in answer.feed.errors if e.bad_id in (str(ident), ident.id))
                results[_key(ident)] = Paper(
                    arxiv_id=ident.id,
                    requested_version=ident.version,
                    status="malformed",
                    message=f"arXiv API: {err.message}",
                    source="api",
                )
            rest = [i for i in batch if _key(i) not in results]
            if named and rest:
                return rest
            message = "; ".join(e.message for e in answer.feed.errors) or "HTTP 400 without an error entry"
            for ident in rest:
                results[_key(ident)] = self._unavailable(
                    ident, SourceUnavailable(f"arXiv API answered HTTP 400: {message}", status=400)
                )
            return []
        by_id: dict[str, list[Paper]] = {}
        for paper in answer.feed.papers:
            by_id.setdefault(paper.arxiv_id, []).append(paper)
        for ident in batch:
            candidates = by_id.get(ident.id, [])
            results[_key(ident)] = self._pick(ident, candidates)
        return []

    @staticmethod
    def _pick(ident: ArxivId, candidates: list[Paper]) -> Paper:
        if not candidates:
            return Paper(
                arxiv_id=ident.id,
                requested_version=ident.version,
                status="not_found",
                message=f"arXiv has no paper {ident}",
                source="api",
            )
        if ident.version is not None:
            exact = [p for p in candidates if p.version == ident.version]
            if exact:
                return exact[0].model_copy(update={"requested_version": ident.version})
        best = max(candidates, key=lambda p: p.version or 0)
        update: dict[str, object] = {"requested_version": ident.version}
        if ident.version is not None and best.version != ident.version:
            update["version_missing"] = True
            update["message"] = f"arXiv returned v{best.version} for {ident}"
        return best.model_copy(update=update)

    def _recheck_missing_versions(
        self, results: dict[str, Paper], deadline: float | None, down: SourceUnavailable | None
    ) -> None:
        """A cited vN with no entry: ask for the paper itself, so that "v3 missing" is not "not found"."""
        missing = [
            ArxivId(p.arxiv_id, p.requested_version)
            for p in results.values()
            if p.status == "not_found" and p.requested_version is not None
        ]
        if not missing or down is not None:
            return
        bases = list({i.id: ArxivId(i.id, None) for i in missing}.values())
        found: dict[str, Paper] = {}
        for batch in self._batches(bases):
            try:
                answer = self._query(batch, deadline)
            except (SourceUnavailable, _UriTooLong):
                return
            if answer.status != 200:
                return
            for paper in answer.feed.papers:
                if paper.arxiv_id not in found or (paper.version or 0) > (found[paper.arxiv_id].version or 0):
                    found[paper.arxiv_id] = paper
        for ident in missing:
            latest = found.get(ident.id)
            if latest is not None:
                results[_key(ident)] = latest.model_copy(
                    update={
                        "requested_version": ident.version,
                        "version_missing": True,
                        "message": f"arXiv has no {ident}; latest is v{latest.version}",
                    }
                )

    @staticmethod
    def _unavailable(ident: ArxivId, exc: SourceUnavailable) -> Paper:
        return Paper(
            arxiv_id=ident.id,
            requested_version=ident.version,
            status="unavailable",
            message=exc.message,
            source="api",
        )

    # -- one request, with retries -------------------------------------------------------------------

    def _url(self, batch: Sequence[ArxivId]) -> str:
        # Ids are validated by `parse_arxiv_id` ([a-z0-9.-/]), so they need no escaping; commas stay literal.
        id_list = ",".join(str(i) for i in batch)
        return f"{self.api_url}?search_query=&id_list={id_list}&start=0&max_results={max(len(batch), 1)}"

    def _query(self, batch: list[ArxivId], deadline: float | None) -> _Answer:
        return self.http.get(self._url(batch), _read_answer, what="arXiv API", deadline=deadline)


def _read_answer(answer: HttpAnswer) -> _Answer:
    """An API answer as a feed: 200 and 400 (error entries) are read; a 414 splits the batch; a garbled body
    is retried (usually a transient fault of the service); any other status gives up at once."""
    if answer.status == 414:
        raise _UriTooLong(answer.url)
    if answer.status == 400:
        try:
            return _Answer(400, parse_atom(answer.body))
        except SourceUnavailable as exc:
            raise SourceUnavailable(
                f"arXiv API answered HTTP 400: {exc.message}", url=answer.url, status=400
            ) from exc
    if answer.status != 200:
        raise SourceUnavailable(
            f"arXiv API answered HTTP {answer.status}", url=answer.url, status=answer.status
        )
    try:
        return _Answer(200, parse_atom(answer.body))
    except SourceUnavailable as exc:
        raise Retry(f"arXiv API sent an unusable body: {exc.message}", url=answer.url) from exc
