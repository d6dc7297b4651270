"""One SQLite file, opened with care: the base of every cache claimcheck keeps (papers, documents, embeddings).

Concurrency: WAL journal, a busy timeout, and short transactions, so several processes filling one cold cache
neither lose writes nor see "database is locked". A transaction interrupted by Ctrl-C is rolled back by
SQLite; the file stays consistent. A file that is not a usable database is moved aside as
``<name>.corrupt-<timestamp>`` and rebuilt, and a warning event says so (the library never prints).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ._errors import CacheError
from ._events import EventSink, FetchEvent, log_event

__all__ = ["IN_LIMIT", "SqliteFile"]

_BUSY_TIMEOUT_MS = 30_000

IN_LIMIT = 500
"""Values bound per ``IN (...)`` query: under every SQLite's limit on bound parameters (999 before 3.32)."""


class SqliteFile:
    """A SQLite database file with a schema, opened on first use, rebuilt when corrupt.

    Subclasses set ``SCHEMA`` (statements separated by ``;``) and ``SCHEMA_VERSION``.

    Parameters: ``path`` the file; ``events`` where a rebuilt file is told (default: the log).

    Example: ``class Notes(SqliteFile): SCHEMA = "CREATE TABLE IF NOT EXISTS n (k TEXT PRIMARY KEY)"``
    """

    SCHEMA = ""
    SCHEMA_VERSION = 1

    def __init__(self, path: Path, *, events: EventSink | None = None) -> None:
        self.path = Path(path)
        self.events: EventSink = events or log_event
        self._conn: sqlite3.Connection | None = None

    def _error(self, exc: Exception) -> CacheError:
        return CacheError(f"cache {self.path}: {exc}", path=str(self.path))

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
            # A file that is not a database fails above. No `PRAGMA quick_check` here: it reads the whole
            # file, and every worker opens the cache (seconds per open on a cache of thousands of papers).
        except BaseException:
            conn.close()
            raise
        return conn

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in self.SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(self.SCHEMA_VERSION),),
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
        self.events(
            FetchEvent(
                "warning",
                f"cache {self.path} was corrupt ({reason}); moved aside to {target.name} and rebuilt",
            )
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

    def __getstate__(self) -> dict[str, object]:
        # A connection cannot cross a process boundary: a copy in a worker opens its own.
        return {**self.__dict__, "_conn": None}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction (``BEGIN IMMEDIATE``), rolled back on any exception, Ctrl-C included."""
        conn = self.connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            yield conn
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise self._error(exc) from exc

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Rows of a read query; `CacheError` when the database fails.

        Example: ``cache.query("SELECT COUNT(*) FROM papers")[0][0]``
        """
        try:
            return list(self.connection().execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
