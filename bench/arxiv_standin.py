"""A stand-in for arXiv on 127.0.0.1, shared by the benchmarks that fetch: the query API and full-text URLs.

`serve` runs an HTTP/1.1 server (keep-alive, as arXiv's) in a thread for the length of a ``with`` block and
records every path it is asked for in ``stand.seen``; what it answers is the stand's own business
(``stand.answer(path) -> (status, body, content type)``), so that each benchmark says only what its arXiv
holds. `atom_feed` builds one API answer from `Paper` records with the project's own ``paper_to_atom``.

`VersionedStand` answers as arXiv does for many papers with several versions: ``id_list`` with an
unversioned id gets the latest version, ``<id>vN`` that version, an unknown id or version nothing (no entry,
HTTP 200); at most ``max_results`` entries (the API's default is 10), in an order of its own (reversed), so
a client must index the answer by the returned ids. ``/html/<id>vN`` and ``/pdf/<id>vN`` are served from
its dicts, anything else is a 404.

Example::

    stand = VersionedStand()
    stand.add(paper, html=b"<article class='ltx_document'>...")
    with serve(stand) as base:          # "http://127.0.0.1:PORT"
        ...                             # --api-url {base}/api/query --html-url {base}/html --pdf-url {base}/pdf
    stand.counts()                      # Counter({("api", 200): 46, ("html", 404): 4050, ...})
"""

from __future__ import annotations

import re
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from claimcheck._models import Paper
from claimcheck._sources._atom import paper_to_atom

__all__ = ["Stand", "VersionedStand", "atom_feed", "serve"]

FEED_UPDATED = "2026-01-01T00:00:00Z"
_EMPTY_FEED = b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>\n'
_VERSIONED = re.compile(r"^(?P<id>.+?)(?:v(?P<version>\d+))?$")


class Stand(Protocol):
    """What `serve` needs of a stand-in: the paths asked so far, and an answer for each."""

    seen: list[str]

    def answer(self, path: str) -> tuple[int, bytes, str]: ...


def _entry(paper: Paper) -> tuple[bytes, bytes]:
    """(the feed head, the ``<entry>`` element) of ``paper`` as the API renders it."""
    body = paper_to_atom(paper, feed_updated=FEED_UPDATED)
    start, end = body.index(b"<entry"), body.rindex(b"</entry>") + len(b"</entry>")
    return body[:start], body[start:end]


def atom_feed(papers: Iterable[Paper]) -> bytes:
    """One Atom feed holding every paper's entry, in the given order (the API answers a batch in one feed)."""
    parts = [_entry(p) for p in papers]
    if not parts:
        return _EMPTY_FEED
    return parts[0][0] + b"\n".join(entry for _, entry in parts) + b"\n</feed>\n"


@contextmanager
def serve(stand: Stand) -> Iterator[str]:
    """Run the stand-in on 127.0.0.1 for the block; yield its base URL (``http://127.0.0.1:PORT``)."""
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: claimcheck holds one connection, as to arXiv

        def do_GET(self) -> None:
            with lock:
                stand.seen.append(self.path)
                status, body, ctype = stand.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def kind_of(path: str) -> str:
    """What a request path asks for: ``api``, ``html``, ``pdf`` or ``other``."""
    head = urlsplit(path).path.lstrip("/").split("/", 1)[0]
    if urlsplit(path).path.endswith("/query"):
        return "api"
    return head if head in ("html", "pdf") else "other"


@dataclass
class VersionedStand:
    """An arXiv of many papers, each with one or more versions, some with an HTML page or a PDF.

    ``papers`` maps an id to its versions' `Paper` records; ``html`` and ``pdf`` map ``<id>vN`` to a body.
    ``answered`` counts (kind, HTTP status) of every answer.
    """

    papers: dict[str, dict[int, Paper]] = field(default_factory=dict)
    html: dict[str, bytes] = field(default_factory=dict)
    pdf: dict[str, bytes] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    answered: Counter[tuple[str, int]] = field(default_factory=Counter)
    _entries: dict[tuple[str, int], bytes] = field(default_factory=dict, repr=False)
    _head: bytes = b""

    def add(self, paper: Paper, *, html: bytes | None = None, pdf: bytes | None = None) -> None:
        """Add one version of a paper (``paper.version`` set), with its HTML page or PDF when it has one."""
        assert paper.version is not None
        self.papers.setdefault(paper.arxiv_id, {})[paper.version] = paper
        head, entry = _entry(paper)
        self._head = self._head or head
        self._entries[(paper.arxiv_id, paper.version)] = entry
        key = f"{paper.arxiv_id}v{paper.version}"
        if html is not None:
            self.html[key] = html
        if pdf is not None:
            self.pdf[key] = pdf

    def answer(self, path: str) -> tuple[int, bytes, str]:
        kind = kind_of(path)
        if kind == "api":
            status, body, ctype = self._api(path)
        else:
            store = self.html if kind == "html" else self.pdf if kind == "pdf" else {}
            found = store.get(urlsplit(path).path.rstrip("/").rsplit("/", 1)[-1])
            if found is None:
                status, body, ctype = 404, b"Not Found", "text/plain"
            else:
                status, body = 200, found
                ctype = "text/html; charset=utf-8" if kind == "html" else "application/pdf"
        self.answered[(kind, status)] += 1
        return status, body, ctype

    def _api(self, path: str) -> tuple[int, bytes, str]:
        query = parse_qs(urlsplit(path).query)
        max_results = int(query.get("max_results", ["10"])[0])
        entries: list[bytes] = []
        for raw in ",".join(query.get("id_list", [])).split(","):
            m = _VERSIONED.match(raw.strip())
            versions = self.papers.get(m.group("id")) if m else None
            if not versions or m is None:
                continue  # arXiv: a well-formed unknown id has no entry, and the answer is still a 200
            version = int(m.group("version")) if m.group("version") else max(versions)
            entry = self._entries.get((m.group("id"), version))
            if entry is not None:
                entries.append(entry)
        entries = entries[:max_results][::-1]
        if not entries:
            return 200, _EMPTY_FEED, "application/atom+xml; charset=utf-8"
        body = self._head + b"\n".join(entries) + b"\n</feed>\n"
        return 200, body, "application/atom+xml; charset=utf-8"

    def counts(self) -> Counter[str]:
        """Requests by kind (api, html, pdf, other)."""
        return Counter(kind_of(p) for p in self.seen)
