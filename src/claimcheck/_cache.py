"""The paper cache: SQLite (stdlib), keyed by arXiv id and requested version, safe for several processes.

Rules: an entry for a versioned id (``2005.13013v2``) never expires, since arXiv versions are immutable; an
unversioned one (the latest version) is refreshed after ``max_age``; ``not_found`` is kept ``not_found_ttl``
seconds (a paper may appear later); ``unavailable`` and ``malformed`` are never stored.

Concurrency: WAL journal, a busy timeout, and short transactions (one per `put_many`), so four processes
filling one cold cache neither lose writes nor see "database is locked". A transaction interrupted by Ctrl-C
is rolled back by SQLite; the file stays consistent. A file that is not a usable database is moved aside as
``<name>.corrupt-<timestamp>`` and rebuilt; the event is recorded in `PaperCache.warnings` (the library never
prints; the CLI shows them).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ._errors import CacheError
from ._models import Paper

__all__ = ["DEFAULT_MAX_AGE", "DEFAULT_NOT_FOUND_TTL", "CacheStats", "PaperCache", "default_cache_path"]

DEFAULT_MAX_AGE = 30 * 24 * 3600.0
DEFAULT_NOT_FOUND_TTL = 24 * 3600.0
_SCHEMA_VERSION = 1
_BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    arxiv_id   TEXT NOT NULL,
    version    TEXT NOT NULL,          -- the requested version, '' for an unversioned id
    status     TEXT NOT NULL,
    data       TEXT NOT NULL,          -- the Paper as JSON
    fetched_at REAL NOT NULL,
    PRIMARY KEY (arxiv_id, version)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
    size_bytes: int = 0


class PaperCache:
    """SQLite cache of `Paper` records.

    Parameters: ``path`` the database file (default: `default_cache_path`); ``max_age`` seconds after which an
    unversioned entry is stale; ``not_found_ttl`` seconds a ``not_found`` answer is kept; ``clock`` for tests.

    Example: ``cache = PaperCache(Path("c.sqlite3")); cache.put(paper); cache.get("2005.13013", 2)``
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        max_age: float = DEFAULT_MAX_AGE,
        not_found_ttl: float = DEFAULT_NOT_FOUND_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.max_age = max_age
        self.not_found_ttl = not_found_ttl
        self.warnings: list[str] = []
        self._clock = clock
        self._conn: sqlite3.Connection | None = None

    # -- connection ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(
                f"cannot create the cache directory {self.path.parent}: {exc}", path=str(self.path)
            ) from exc
        try:
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot open the cache {self.path}: {exc}", path=str(self.path)) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            self._retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = NORMAL")
            self._retry_locked(lambda: self._create_schema(conn))
            row = conn.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"quick_check: {row[0] if row else 'no answer'}")
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _create_schema(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(_SCHEMA_VERSION),)
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def _retry_locked(fn: Callable[[], object], tries: int = 50) -> None:
        # Switching to WAL needs a moment of exclusive access that busy_timeout does not always cover.
        for attempt in range(tries):
            try:
                fn()
                return
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or attempt == tries - 1:
                    raise
                time.sleep(0.05 + 0.01 * attempt)

    def _move_aside(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 1_000_000:06d}"
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            self.path.replace(target)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheError(
                f"cache {self.path} is corrupt ({reason}) and cannot be moved aside: {exc}",
                path=str(self.path),
            ) from exc
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                self.path.with_name(self.path.name + suffix).unlink()
        self.warnings.append(
            f"cache {self.path} was corrupt ({reason}); moved aside to {target.name} and rebuilt"
        )

    def connection(self) -> sqlite3.Connection:
        """The open connection, opening (and if need be rebuilding) the database on first use."""
        if self._conn is not None:
            return self._conn
        try:
            self._conn = self._connect()
        except sqlite3.OperationalError as exc:
            raise CacheError(f"cannot use the cache {self.path}: {exc}", path=str(self.path)) from exc
        except sqlite3.DatabaseError as exc:
            self._move_aside(str(exc))
            try:
                self._conn = self._connect()
            except sqlite3.Error as exc2:
                raise CacheError(
                    f"cannot rebuild the cache {self.path}: {exc2}", path=str(self.path)
                ) from exc2
        return self._conn

    def close(self) -> None:
        """Close the connection (reopened on next use)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> PaperCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise CacheError(f"cache {self.path}: {exc}", path=str(self.path)) from exc
        try:
            yield conn
        except BaseException:
            # Ctrl-C included: roll back, so the file holds the previous state.
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise CacheError(f"cache {self.path}: {exc}", path=str(self.path)) from exc

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
        try:
            row = (
                self.connection()
                .execute(
                    "SELECT status, data, fetched_at FROM papers WHERE arxiv_id = ? AND version = ?",
                    (arxiv_id, key),
                )
                .fetchone()
            )
        except sqlite3.Error as exc:
            raise CacheError(f"cache {self.path}: {exc}", path=str(self.path)) from exc
        if row is None:
            return None
        status, data, fetched_at = row
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
        with self._transaction() as conn:
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
        try:
            rows = (
                self.connection()
                .execute("SELECT data FROM papers WHERE status = 'found' ORDER BY arxiv_id, version")
                .fetchall()
            )
        except sqlite3.Error as exc:
            raise CacheError(f"cache {self.path}: {exc}", path=str(self.path)) from exc
        seen: dict[tuple[str, int | None], Paper] = {}
        for (data,) in rows:
            try:
                paper = Paper.model_validate_json(data)
            except ValidationError:
                continue
            seen.setdefault((paper.arxiv_id, paper.version), paper)
        return list(seen.values())

    def stats(self) -> CacheStats:
        """Counts by status, versioned entries, stale entries and the file size.

        Example: ``PaperCache(p).stats().by_status.get("found", 0)``
        """
        stats = CacheStats(path=str(self.path))
        try:
            rows = (
                self.connection().execute("SELECT version, status, data, fetched_at FROM papers").fetchall()
            )
        except sqlite3.Error as exc:
            raise CacheError(f"cache {self.path}: {exc}", path=str(self.path)) from exc
        now = self._clock()
        for version, status, data, fetched_at in rows:
            stats.entries += 1
            stats.by_status[status] = stats.by_status.get(status, 0) + 1
            stats.versioned += bool(version)
            try:
                paper = Paper.model_validate_json(data)
            except ValidationError:
                stats.expired += 1
                continue
            stats.expired += not self._fresh(version, status, paper, float(fetched_at), now)
        with contextlib.suppress(OSError):
            stats.size_bytes = self.path.stat().st_size
        return stats

    def clear(self) -> int:
        """Delete every entry; return how many there were.

        Example: ``PaperCache(p).clear()``
        """
        with self._transaction() as conn:
            count = int(conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
            conn.execute("DELETE FROM papers")
        return count

    def import_dir(self, directory: Path) -> int:
        """Store the papers of every Atom file in ``directory`` (as ``fetch --save`` writes); return how many.

        Files that cannot be read are skipped with a message in `warnings`.

        Example: ``PaperCache(p).import_dir(Path("fixtures/arxiv"))``
        """
        from ._fetch import load_sources

        papers, problems = load_sources(directory)
        self.warnings.extend(problems)
        versioned = [p.model_copy(update={"requested_version": p.version}) for p in papers]
        return self.put_many(versioned)

    def export_dir(self, directory: Path) -> int:
        """Write every found paper as one Atom file in ``directory``; return how many were written.

        Example: ``PaperCache(p).export_dir(Path("recorded"))``
        """
        from ._fetch import save_papers

        return len(save_papers(self.papers(), directory))
