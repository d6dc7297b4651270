"""A cited paper's full text: recorded file → cache → the paper's HTML → its PDF, read into a `Document`.

Per paper version: the recorded directory (``<id>v<N>.html`` or ``.pdf``), then the cache, then the network —
``{html_url}/{id}v{N}`` first (arXiv renders HTML for nearly every paper with LaTeX source) and, on a 404 or
an empty or failed conversion, ``{pdf_url}/{id}v{N}``. Every request goes through the session's one polite
connection. What comes of it is a `FullTextStatus`: ``html`` or ``pdf``, or ``none`` with a reason
(``not_offered``, ``unavailable``, ``too_large``, ``unparseable``, ``offline``). Documents are cached per
versioned id and never fetched twice; ``unavailable`` (a network failure) is never cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .._document import Document
from .._errors import DocumentUnusable, SourceUnavailable
from ._http import HttpAnswer, PoliteHttp

__all__ = [
    "DEFAULT_MAX_DOCUMENT_BYTES",
    "FullTextFetcher",
    "FullTextKind",
    "FullTextStatus",
    "extract",
]

FullTextKind = Literal["html", "pdf", "none"]
DEFAULT_MAX_DOCUMENT_BYTES = 40 * 1024 * 1024
"""Larger HTML pages or PDFs are not read (``too_large``): arXiv's largest papers stay well under it."""


@dataclass(frozen=True, slots=True)
class FullTextStatus:
    """What claimcheck could read of one paper version, and why not when it could not.

    ``kind`` ``html``/``pdf``, or ``none`` with ``reason`` (not_offered, unavailable, too_large, unparseable,
    offline); ``origin`` says where it came from (sources, cache, network); ``message`` a sentence for people.

    Example: ``FullTextStatus("none", reason="not_offered", message="arXiv has neither HTML nor PDF")``
    """

    kind: FullTextKind
    reason: str | None = None
    message: str | None = None
    origin: str | None = None


def extract(body: bytes, kind: Literal["html", "pdf"], arxiv_id: str, version: int) -> Document:
    """Read a fetched or recorded body into a `Document` (`DocumentUnusable` when it cannot be read)."""
    from ._extract import extract_document

    return extract_document(body, kind, arxiv_id=arxiv_id, version=version)


@dataclass(frozen=True, slots=True)
class Fetched:
    """The outcome of fetching one paper's full text: its status, and the document and bytes when read."""

    status: FullTextStatus
    document: Document | None = None
    body: bytes | None = None


class FullTextFetcher:
    """Fetch a paper version's HTML, else its PDF, over a shared `PoliteHttp`.

    Parameters: ``http`` the session's one connection; ``html_url`` and ``pdf_url`` the bases
    (``{base}/{id}v{N}``); ``max_bytes`` the size cap of one body; ``deadline`` an optional clock time after
    which nothing more is asked.

    Example: ``FullTextFetcher(polite, html_url="https://arxiv.org/html", pdf_url=...).fetch("1706.03762", 7)``
    """

    def __init__(
        self,
        http: PoliteHttp,
        *,
        html_url: str,
        pdf_url: str,
        max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
        deadline: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.http = http
        self.html_url = html_url.rstrip("/")
        self.pdf_url = pdf_url.rstrip("/")
        self.max_bytes = max_bytes
        self._deadline = deadline

    def fetch(self, arxiv_id: str, version: int) -> Fetched:
        """The full text of ``arxiv_id`` v``version``: HTML first, the PDF when there is no usable HTML."""
        reasons: list[FullTextStatus] = []
        kinds: tuple[tuple[Literal["html", "pdf"], str], ...] = (
            ("html", self.html_url),
            ("pdf", self.pdf_url),
        )
        for kind, base in kinds:
            url = f"{base}/{arxiv_id}v{version}"
            try:
                answer = self.http.get(
                    url,
                    _ok_or_missing,
                    what=f"arXiv {kind.upper()}",
                    max_bytes=self.max_bytes,
                    deadline=self._deadline(),
                )
            except SourceUnavailable as exc:
                # Down or refusing us: a PDF request would fare no better, and nothing is cached.
                return Fetched(FullTextStatus("none", "unavailable", exc.message, "network"))
            except DocumentUnusable as exc:
                reasons.append(FullTextStatus("none", exc.reason, exc.message, "network"))
                continue
            if answer is None:
                reasons.append(
                    FullTextStatus("none", "not_offered", f"no {kind.upper()} at {url}", "network")
                )
                continue
            try:
                document = extract(answer.body, kind, arxiv_id, version)
            except DocumentUnusable as exc:
                reasons.append(
                    FullTextStatus("none", exc.reason, f"{kind.upper()}: {exc.message}", "network")
                )
                continue
            return Fetched(FullTextStatus(_kind(document), origin="network"), document, answer.body)
        return Fetched(_worst(reasons))


def _kind(document: Document) -> FullTextKind:
    """What was read, as a status kind: the body's own bytes decide (a PDF served at an HTML URL is a PDF)."""
    return "pdf" if document.kind == "pdf" else "html"


def _ok_or_missing(answer: HttpAnswer) -> HttpAnswer | None:
    """A 200 with a body is the document; a 404 (or 410) means there is none of this kind."""
    if answer.status in (404, 410):
        return None
    if answer.status != 200:
        raise SourceUnavailable(f"answered HTTP {answer.status}", url=answer.url, status=answer.status)
    return answer


def _worst(reasons: list[FullTextStatus]) -> FullTextStatus:
    """Why neither HTML nor PDF could be read: the most telling reason (a broken PDF over a missing HTML)."""
    order = {"unparseable": 0, "too_large": 1, "not_offered": 2}
    best = min(reasons, key=lambda s: order.get(s.reason or "", 3))
    messages = "; ".join(s.message for s in reasons if s.message)
    return FullTextStatus("none", best.reason, messages or None, best.origin)
