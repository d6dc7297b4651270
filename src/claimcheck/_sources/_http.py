"""One polite connection to arXiv for every kind of request: API queries, HTML pages, PDFs.

Policy (arXiv API terms of use, https://info.arxiv.org/help/api/tou.html, which arXiv asks bulk users to
follow for every request): a single connection, at least ``delay`` seconds between any two requests (retries
included), ``Retry-After`` honoured (capped), bounded retries with exponential backoff and jitter on 429, 5xx,
timeouts and transport errors, a timeout per request, a User-Agent naming claimcheck, its version and a
contact, and a cap on the bytes read from any one answer.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from .._errors import DocumentUnusable, SourceUnavailable
from .._events import EventSink, FetchEvent, log_event
from .._version import __version__

if TYPE_CHECKING:
    # httpx is imported when a client is made: an offline run (about a twentieth of a second) never loads it
    import httpx

__all__ = ["DEFAULT_MAILTO", "RETRY_STATUSES", "HttpAnswer", "PoliteHttp", "Retry", "user_agent"]

DEFAULT_MAILTO = "https://example.invalid/claimcheck"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_T = TypeVar("_T")


def user_agent(mailto: str | None = None) -> str:
    """The User-Agent of every request: claimcheck, its version, and a contact (``--mailto``).

    Example: ``user_agent("me@example.org") == "claimcheck/0.4.0 (citation auditor; mailto:me@example.org)"``
    """
    contact = (
        f"mailto:{mailto}" if mailto and "@" in mailto and "://" not in mailto else (mailto or DEFAULT_MAILTO)
    )
    return f"claimcheck/{__version__} (citation auditor; {contact})"


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """A response that was read whole: status, body bytes, the headers a caller may need, the final URL."""

    status: int
    body: bytes
    content_type: str
    url: str


class Retry(SourceUnavailable):
    """Raised by a ``read`` callback of `PoliteHttp.get`: this answer is unusable, but another try may not be."""


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None when absent or bad.

    Example: ``parse_retry_after("7", now=0.0) == 7.0``
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


class PoliteHttp:
    """The one rate-limited connection every arXiv request goes through.

    Parameters:
        http: the `httpx.Client` to send with (tests inject one with a ``MockTransport``); when None, one is
            made with a single connection and closed by `close`.
        delay: minimum seconds between the start of any two requests. max_retries: retries after the first
            try. timeout: per-request timeout. backoff: first backoff (default 1.5 × delay), doubled, with
            jitter. max_retry_after: a longer ``Retry-After`` gives up at once. mailto: the contact in the
            User-Agent. events: where waits and retries are told. sleep, clock, rng, wallclock: for tests.

    Example: ``with PoliteHttp(delay=3) as h: answer = h.get("https://arxiv.org/html/2005.13013v2", read)``
    """

    def __init__(
        self,
        http: httpx.Client | None = None,
        *,
        delay: float = 3.0,
        max_retries: int = 4,
        timeout: float = 20.0,
        backoff: float | None = None,
        max_retry_after: float = 60.0,
        mailto: str | None = None,
        events: EventSink | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        wallclock: Callable[[], float] = time.time,
    ) -> None:
        self.user_agent = user_agent(mailto)
        self._owns_http = http is None
        self._http = http if http is not None else self._default_http(timeout, self.user_agent)
        self.delay = delay
        self.max_retries = max_retries
        self.timeout = timeout
        # Backoff scales with the politeness asked for: 3 s delay → 4.5, 9, 18, 36 s (before jitter).
        self.backoff = backoff if backoff is not None else max(delay, 0.1) * 1.5
        self.max_retry_after = max_retry_after
        self.events: EventSink = events or log_event
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._wallclock = wallclock
        self._last_request: float | None = None
        self.requests = 0

    @staticmethod
    def _default_http(timeout: float, agent: str) -> httpx.Client:
        import httpx

        return httpx.Client(
            # The terms of use allow a single connection at a time.
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            headers={"User-Agent": agent},
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> PoliteHttp:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the rate limit ------------------------------------------------------------------------------

    def wait_turn(self, extra: float = 0.0, deadline: float | None = None) -> None:
        """Sleep until ``delay`` has passed since the last request, and ``extra`` (a backoff) from now.

        Raises `SourceUnavailable` when the wait would pass ``deadline`` (a `clock` time).
        """
        now = self._clock()
        wait = extra
        if self._last_request is not None:
            wait = max(wait, self._last_request + self.delay - now)
        if wait <= 0:
            return
        if deadline is not None and now + wait > deadline:
            raise SourceUnavailable(f"fetch time limit reached (the next request would wait {wait:.1f} s)")
        if wait > self.delay + 0.5:  # a wait longer than the usual rate limit is worth telling
            self.events(FetchEvent("wait", f"waiting {wait:.0f} s before the next request", seconds=wait))
        self._sleep(wait)

    def now(self) -> float:
        """The monotonic clock the rate limit and time limits are measured on."""
        return self._clock()

    def remaining(self, deadline: float | None) -> float | None:
        """Seconds left until ``deadline`` (None: no limit)."""
        return None if deadline is None else deadline - self._clock()

    # -- one request, with retries -------------------------------------------------------------------

    def get(
        self,
        url: str,
        read: Callable[[HttpAnswer], _T],
        *,
        what: str = "arXiv",
        max_bytes: int | None = None,
        deadline: float | None = None,
    ) -> _T:
        """GET ``url`` politely and hand the answer to ``read``; retry what a retry can mend.

        429/5xx, timeouts and transport errors are retried with backoff (``Retry-After`` honoured); so is an
        answer that ``read`` rejects with `Retry`. Any other status is handed to ``read``, which decides (a
        404 is an answer, not a fault). A body longer than ``max_bytes`` raises `DocumentUnusable`
        (``too_large``) at once. After the last try: `SourceUnavailable` with the last reason.

        Example: ``h.get(url, lambda a: a.body, what="arXiv HTML", max_bytes=50 << 20)``
        """
        last: SourceUnavailable | None = None
        backoff_wait = 0.0
        for attempt in range(self.max_retries + 1):
            try:
                self.wait_turn(backoff_wait if last is not None else 0.0, deadline)
            except SourceUnavailable as limit:
                if last is None:
                    raise SourceUnavailable(limit.message, url=url) from None
                raise _restated(last, f"{last.message}; {limit.message}", url) from None
            left = self.remaining(deadline)
            if left is not None and left <= 0:
                raise last or SourceUnavailable("fetch time limit reached", url=url)
            timeout = self.timeout if left is None else min(self.timeout, left)
            try:
                return read(self._send(url, timeout, what, max_bytes))
            except SourceUnavailable as exc:
                retryable = isinstance(exc, Retry) or exc.status is None or exc.status in RETRY_STATUSES
                if not retryable:
                    raise
                last = exc
                if attempt == self.max_retries:
                    break
                backoff_wait = self.backoff * (2**attempt) * (0.5 + 0.5 * self._rng())
                if exc.retry_after is not None:
                    if exc.retry_after > self.max_retry_after:
                        message = f"{exc.message}; server asks to retry after {exc.retry_after:g} s"
                        raise _restated(exc, message, url) from exc
                    backoff_wait = exc.retry_after
                self.events(
                    FetchEvent(
                        "retry",
                        f"{exc.message}; retry {attempt + 1} of {self.max_retries} in {backoff_wait:.0f} s",
                        seconds=backoff_wait,
                    )
                )
        assert last is not None
        raise _restated(last, f"{last.message} (gave up after {self.max_retries + 1} tries)", url)

    def _send(self, url: str, timeout: float, what: str, max_bytes: int | None) -> HttpAnswer:
        import httpx

        self.requests += 1
        try:
            with self._http.stream(
                "GET",
                url,
                headers={"User-Agent": self.user_agent},
                timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            ) as response:
                status = response.status_code
                if status in RETRY_STATUSES:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"), self._wallclock())
                    raise SourceUnavailable(
                        f"{what} answered HTTP {status}", url=url, status=status, retry_after=retry_after
                    )
                body = _read_capped(response, max_bytes, url, what)
                final = str(response.url)
                content_type = response.headers.get("Content-Type", "")
        except httpx.TimeoutException as exc:
            raise SourceUnavailable(f"{what} timed out ({type(exc).__name__})", url=url) from exc
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{what} unreachable: {type(exc).__name__}: {exc}", url=url) from exc
        finally:
            self._last_request = self._clock()
        return HttpAnswer(status, body, content_type, final)


def _read_capped(response: httpx.Response, max_bytes: int | None, url: str, what: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if max_bytes is None:
        return _whole(response, response.read(), declared, url, what)
    if declared.isdigit() and int(declared) > max_bytes:
        raise DocumentUnusable(
            f"{what} is {int(declared):,} bytes, over the {max_bytes:,}-byte limit",
            reason="too_large",
            url=url,
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise DocumentUnusable(
                f"{what} is over the {max_bytes:,}-byte limit", reason="too_large", url=url
            )
        chunks.append(chunk)
    return _whole(response, b"".join(chunks), declared, url, what)


def _whole(response: httpx.Response, body: bytes, declared: str, url: str, what: str) -> bytes:
    """``body`` when as many bytes came as the server said; a cut-off answer is retried, never read as it is."""
    # A compressed body that is cut off fails to decode (an httpx error, retried); a plain one is measured.
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    if declared.isdigit() and not encoded and len(body) < int(declared):
        raise Retry(f"{what} sent {len(body):,} of {int(declared):,} bytes", url=url)
    return body


def _restated(exc: SourceUnavailable, message: str, url: str) -> SourceUnavailable:
    """``exc`` (its HTTP status and Retry-After kept) with a message that says why the client gave up."""
    return SourceUnavailable(message, url=url, status=exc.status, retry_after=exc.retry_after)
