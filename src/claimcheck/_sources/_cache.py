"""The paper cache: SQLite (stdlib), keyed by arXiv id and requested version, safe for several processes.

Rules: an entry for a versioned id (``2005.13013v2``) never expires, since arXiv versions are immutable; an
unversioned one (the latest version) is refreshed after ``max_age``; ``not_found`` is kept ``not_found_ttl``
seconds (a paper may appear later); ``unavailable`` and ``malformed`` are never stored.

Sentences: the sentence spans of each abstract a run read, keyed by a digest of the text and the splitter
(`spans_digest`): splitting is half of what preparing an abstract costs, and a paper's abstract is split once,
not once per run and per worker. Another text or another splitter is another key; nothing there goes stale.

Full text: a paper's document (its HTML or PDF, compressed, and the `Document` extracted from it) is kept per
versioned id and never fetched again; a paper that has no usable full text is remembered with its reason for
``not_found_ttl`` seconds; ``unavailable`` (a network failure) is never stored.

The file is a `SqliteFile`: WAL, busy timeout, short transactions, rebuilt when corrupt.
"""

from __future__ import annotations

import contextlib
import json
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from .._document import Document
from .._events import EventSink
from .._models import Paper
from .._sentences import spans_digest
from .._sqlite import IN_LIMIT, SqliteFile

__all__ = [
    "DEFAULT_MAX_AGE",
    "DEFAULT_NOT_FOUND_TTL",
    "CacheStats",
    "CachedDocument",
    "PaperCache",
    "default_cache_path",
]

DEFAULT_MAX_AGE = 30 * 24 * 3600.0
DEFAULT_NOT_FOUND_TTL = 24 * 3600.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    arxiv_id   TEXT NOT NULL,
    version    TEXT NOT NULL,          -- the requested version, '' for an unversioned id
    status     TEXT NOT NULL,
    data       TEXT NOT NULL,          -- the Paper as JSON
    fetched_at REAL NOT NULL,
    PRIMARY KEY (arxiv_id, version)
);
CREATE TABLE IF NOT EXISTS documents (
    arxiv_id   TEXT NOT NULL,
    version    INTEGER NOT NULL,       -- full text is kept per versioned id only
    kind       TEXT NOT NULL,          -- html | pdf | none
    reason     TEXT,                   -- why there is none: not_offered, too_large, unparseable
    raw        BLOB,                   -- the HTML or PDF as fetched, zlib-compressed (for export)
    document   BLOB,                   -- the extracted Document as JSON, zlib-compressed
    fetched_at REAL NOT NULL,
    PRIMARY KEY (arxiv_id, version)
);
CREATE TABLE IF NOT EXISTS sentences (
    digest     TEXT PRIMARY KEY,       -- `spans_digest` of a text (an abstract): its splitter and its words
    spans      TEXT NOT NULL           -- the text's sentence spans as JSON, [[start, end], ...]
);
"""


def default_cache_path() -> Path:
    """The cache file in the user cache dir (platformdirs), e.g. ``~/.cache/claimcheck/papers.sqlite3``.

    Example: ``default_cache_path().name == "papers.sqlite3"``
    """
    import platformdirs

    return Path(platformdirs.user_cache_dir("claimcheck")) / "papers.sqlite3"


@dataclass
class CacheStats:
    """What the cache holds.

    Example: ``PaperCache(p).stats().entries``
    """

    path: str
    entries: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    versioned: int = 0
    expired: int = 0
    documents: dict[str, int] = field(default_factory=dict)
    size_bytes: int = 0


@dataclass(frozen=True)
class CachedDocument:
    """A paper's full text as the cache holds it: what kind, why none, the raw bytes and the document.

    ``kind`` is ``"html"`` or ``"pdf"`` with ``document`` set, or ``"none"`` with ``reason`` set.
    """

    arxiv_id: str
    version: int
    kind: Literal["html", "pdf", "none"]
    reason: str | None = None
    document: Document | None = None
    raw: bytes | None = None


class PaperCache(SqliteFile):
    """SQLite cache of `Paper` records and of the papers' full text.

    Parameters: ``path`` the database file (default: `default_cache_path`); ``max_age`` seconds after which an
    unversioned entry is stale; ``not_found_ttl`` seconds a ``not_found`` answer (or a paper without usable
    full text) is kept; ``events`` where a rebuilt file is told; ``clock`` for tests.

    Example: ``cache = PaperCache(Path("c.sqlite3")); cache.put(paper); cache.get("2005.13013", 2)``
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        max_age: float = DEFAULT_MAX_AGE,
        not_found_ttl: float = DEFAULT_NOT_FOUND_TTL,
        events: EventSink | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(Path(path) if path is not None else default_cache_path(), events=events)
        self.max_age = max_age
        self.not_found_ttl = not_found_ttl
        self._clock = clock

    SCHEMA = _SCHEMA
    SCHEMA_VERSION = 2

    def __enter__(self) -> PaperCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading and writing ------------------------------------------------------------------------

    def _fresh(self, version_key: str, status: str, paper: Paper, fetched_at: float, now: float) -> bool:
        age = now - fetched_at
        if status == "not_found":
            return age < self.not_found_ttl
        if version_key and not paper.version_missing:
            return True
        return age < self.max_age

    def get(self, arxiv_id: str, version: int | None) -> Paper | None:
        """The cached paper for ``arxiv_id`` as requested (``version`` None = latest); None if absent/stale.

        Example: ``cache.get("2005.13013", 2)``
        """
        key = "" if version is None else str(version)
        rows = self.query(
            "SELECT status, data, fetched_at FROM papers WHERE arxiv_id = ? AND version = ?", (arxiv_id, key)
        )
        if not rows:
            return None
        status, data, fetched_at = rows[0]
        assert isinstance(status, str) and isinstance(data, str) and isinstance(fetched_at, float | int)
        try:
            paper = Paper.model_validate_json(data)
        except ValidationError:
            return None
        if not self._fresh(key, status, paper, float(fetched_at), self._clock()):
            return None
        return paper.model_copy(update={"source": "cache"})

    def put(self, paper: Paper) -> bool:
        """Store one paper under its requested version; False when its status is never cached.

        Example: ``cache.put(Paper(arxiv_id="2005.13013", version=2, requested_version=2, status="found"))``
        """
        return self.put_many([paper]) == 1

    def put_many(self, papers: Iterable[Paper]) -> int:
        """Store papers in one short transaction; return how many were stored (found and not_found only).

        A found paper fetched without a version is also stored under its returned version (never expires).

        Example: ``cache.put_many(papers)``
        """
        now = self._clock()
        stored = 0
        with self.transaction() as conn:
            for paper in papers:
                if paper.status not in ("found", "not_found"):
                    continue
                keys = ["" if paper.requested_version is None else str(paper.requested_version)]
                if paper.status == "found" and paper.version is not None and not paper.version_missing:
                    keys.append(str(paper.version))
                data = paper.model_dump_json(exclude={"source"})
                for key in dict.fromkeys(keys):
                    conn.execute(
                        "INSERT OR REPLACE INTO papers(arxiv_id, version, status, data, fetched_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (paper.arxiv_id, key, paper.status, data, now),
                    )
                stored += 1
        return stored

    def papers(self) -> list[Paper]:
        """Every found paper, once per (id, returned version).

        Example: ``len(cache.papers())``
        """
        rows = self.query("SELECT data FROM papers WHERE status = 'found' ORDER BY arxiv_id, version")
        seen: dict[tuple[str, int | None], Paper] = {}
        for (data,) in rows:
            try:
                paper = Paper.model_validate_json(str(data))
            except ValidationError:
                continue
            seen.setdefault((paper.arxiv_id, paper.version), paper)
        return list(seen.values())

    def stats(self) -> CacheStats:
        """Counts by status, versioned entries, stale entries and the file size.

        Example: ``PaperCache(p).stats().by_status.get("found", 0)``
        """
        stats = CacheStats(path=str(self.path))
        rows = self.query("SELECT version, status, data, fetched_at FROM papers")
        now = self._clock()
        for version, status, data, fetched_at in rows:
            assert (
                isinstance(version, str) and isinstance(status, str) and isinstance(fetched_at, float | int)
            )
            stats.entries += 1
            stats.by_status[status] = stats.by_status.get(status, 0) + 1
            stats.versioned += bool(version)
            try:
                paper = Paper.model_validate_json(str(data))
            except ValidationError:
                stats.expired += 1
                continue
            stats.expired += not self._fresh(version, status, paper, float(fetched_at), now)
        stats.documents = {
            str(kind): int(str(n))
            for kind, n in self.query("SELECT kind, COUNT(*) FROM documents GROUP BY kind")
        }
        with contextlib.suppress(OSError):
            stats.size_bytes = self.path.stat().st_size
        return stats

    def clear(self) -> int:
        """Delete every entry (papers, documents and sentence spans); return how many papers there were.

        Example: ``PaperCache(p).clear()``
        """
        with self.transaction() as conn:
            count = int(conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
            conn.execute("DELETE FROM papers")
            conn.execute("DELETE FROM documents")
            conn.execute("DELETE FROM sentences")
        return count

    # -- sentence spans -----------------------------------------------------------------------------------

    def get_sentences(self, texts: Iterable[str]) -> dict[str, tuple[tuple[int, int], ...]]:
        """The kept sentence spans of those of ``texts`` that have them (by `spans_digest`), by text.

        Example: ``cache.get_sentences([paper.abstract]).get(paper.abstract)``
        """
        by_digest = {spans_digest(t): t for t in texts}
        digests = list(by_digest)
        out: dict[str, tuple[tuple[int, int], ...]] = {}
        for start in range(0, len(digests), IN_LIMIT):
            part = digests[start : start + IN_LIMIT]
            rows = self.query(
                f"SELECT digest, spans FROM sentences WHERE digest IN ({','.join('?' * len(part))})",  # noqa: S608
                tuple(part),
            )
            for digest, data in rows:
                text = by_digest[str(digest)]
                try:
                    spans = tuple((int(a), int(b)) for a, b in json.loads(str(data)))
                except (ValueError, TypeError):
                    continue  # an unreadable row: split again, not trusted
                if all(0 <= a < b <= len(text) for a, b in spans):
                    out[text] = spans
        return out

    def put_sentences(self, spans: Mapping[str, Sequence[tuple[int, int]]]) -> None:
        """Keep the sentence spans of each text (by `spans_digest`), in one short transaction.

        Example: ``cache.put_sentences({abstract: sentence_spans(abstract)})``
        """
        rows = [(spans_digest(t), json.dumps([list(p) for p in s])) for t, s in spans.items()]
        if rows:
            with self.transaction() as conn:
                conn.executemany("INSERT OR REPLACE INTO sentences(digest, spans) VALUES (?, ?)", rows)

    # -- full text --------------------------------------------------------------------------------------

    def get_document(self, arxiv_id: str, version: int, *, raw: bool = False) -> CachedDocument | None:
        """The cached full text of ``arxiv_id`` v``version``; None when absent (or a stale "none").

        ``raw`` also returns the fetched bytes (for export). Example: ``cache.get_document("2005.13013", 2)``
        """
        columns = "kind, reason, document, fetched_at" + (", raw" if raw else "")
        rows = self.query(
            f"SELECT {columns} FROM documents WHERE arxiv_id = ? AND version = ?",  # noqa: S608 (fixed columns)
            (arxiv_id, version),
        )
        if not rows:
            return None
        stored, reason, blob, fetched_at = rows[0][:4]
        if stored not in ("html", "pdf", "none") or not isinstance(fetched_at, float | int):
            return None
        kind: Literal["html", "pdf", "none"] = (
            "html" if stored == "html" else "pdf" if stored == "pdf" else "none"
        )
        if kind == "none":
            if self._clock() - float(fetched_at) >= self.not_found_ttl:
                return None
            return CachedDocument(arxiv_id, version, kind, reason=str(reason))
        body_blob = rows[0][4] if raw else None
        if not isinstance(blob, bytes) or not isinstance(body_blob, bytes | None):
            return None
        try:
            document = Document.from_json(zlib.decompress(blob))
            body = zlib.decompress(body_blob) if body_blob is not None else None
        except (zlib.error, ValueError, TypeError, KeyError):
            return None  # an unreadable row is fetched again, not trusted
        return CachedDocument(arxiv_id, version, kind, document=document, raw=body)

    def put_document(self, entry: CachedDocument) -> None:
        """Store a paper's full text (or the reason it has none) under its versioned id.

        Example: ``cache.put_document(CachedDocument("2005.13013", 2, "html", document=doc, raw=body))``
        """
        blob = zlib.compress(entry.document.to_json().encode(), 6) if entry.document is not None else None
        raw = zlib.compress(entry.raw, 6) if entry.raw is not None else None
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO documents(arxiv_id, version, kind, reason, raw, document, fetched_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entry.arxiv_id, entry.version, entry.kind, entry.reason, raw, blob, self._clock()),
            )

    def document_keys(self) -> list[tuple[str, int]]:
        """(arxiv_id, version) of every cached full text (html or pdf), for export.

        Example: ``cache.document_keys()[:1] == [("2005.13013", 2)]``
        """
        rows = self.query(
            "SELECT arxiv_id, version FROM documents WHERE kind != 'none' ORDER BY arxiv_id, version"
        )
        return [(str(a), int(str(v))) for a, v in rows]
