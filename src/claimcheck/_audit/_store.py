"""The distinct claims of a batch on disk: the batch audit's texts, in a private SQLite file that the
near-duplicate search (`_search`) reads back a group of blocks at a time, in this process or in workers.

The files are private to a run: a new directory made by `tempfile` (the system's temporary directory, never
beside the user's files), removed when the store is closed or collected, or when the interpreter exits.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .._errors import ClaimcheckError
from .._sqlite import IN_LIMIT

__all__ = ["ClaimStore", "key_words", "opened", "read_claims", "read_keys"]


def _encode(text: str) -> bytes:
    # Stored as UTF-8 bytes, lone surrogates kept: any str a caller gives comes back equal.
    return text.encode("utf-8", "surrogatepass")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _discard(conns: Sequence[sqlite3.Connection], directory: str) -> None:
    for conn in conns:
        conn.close()
    shutil.rmtree(directory, ignore_errors=True)


def _commit(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("COMMIT")


def _connect(path: str) -> sqlite3.Connection:
    """A private, throw-away SQLite file: no journal, no syncing, SQLite's default page cache (2 MB)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -2000")  # KiB: SQLite's default, the bound stated in `ClaimStore`
    return conn


class ClaimStore:
    """The distinct normalised claims of a batch on disk, numbered in order of first occurrence: each one's
    key and first wording (``path``), and in a second file its first supported wording.

    The files are private to this process and its search workers: a new directory made by `tempfile` (the
    system's temporary directory, never beside the user's files), removed by `close`, and when the store is
    garbage-collected or the interpreter exits, so also after an error. No journal and no syncing: nothing
    in them outlives the run, so a crash loses nothing worth keeping. The supported wordings have a file of
    their own: they are written as the claims' labels come, while a search worker may be reading the keys.
    In memory: 1 byte per distinct claim (whether its supported wording is settled), the keys' word counts
    (``vocabulary``, for the blocking: counted as the keys come, so that the search need not read them all
    once more) and SQLite's page caches (2 MB each).

    Example: ``store = ClaimStore()``; ``store.groups([("a b", "A b.")])`` is ``[0]``; ``store.close()``.
    """

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="claimcheck-batch-")
        self.path = str(Path(self.directory) / "claims.sqlite")
        conns: list[sqlite3.Connection] = []
        self._finalizer = weakref.finalize(self, _discard, conns, self.directory)
        with self._errors():
            conns.append(_connect(self.path))
            conns.append(_connect(str(Path(self.directory) / "supported.sqlite")))
            conn, self._wordings = conns
            conn.execute(
                "CREATE TABLE claims (id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, text BLOB NOT NULL)"
            )
            self._wordings.execute("CREATE TABLE supported (id INTEGER PRIMARY KEY, text BLOB NOT NULL)")
        self._conn = conn
        self._settled = bytearray()  # per distinct claim: its supported wording is settled
        self.vocabulary: Counter[str] = Counter()  # in how many keys each word is (`_blocks`)
        self.count = 0

    def _errors(self) -> _Translated:
        return _Translated(self.path)

    def groups(self, claims: Sequence[tuple[str, str]]) -> list[int]:
        """The numbers of the distinct claims of ``claims`` (key, wording) in order, a new one (first worded
        as there) for each new key: one lookup for them all.

        Example: ``store.groups([("xnli does not benefit", "XNLI does not benefit."), ("a b", "A b")])``
        """
        conn = self._conn
        encoded = [_encode(key) for key, _ in claims]
        unique = list(dict.fromkeys(encoded))
        with self._errors():
            if not conn.in_transaction:
                conn.execute("BEGIN")  # committed before anything reads: see `reader`
            known: dict[bytes, int] = dict(
                conn.execute(
                    f"SELECT key, id FROM claims WHERE key IN ({','.join('?' * len(unique))})",  # noqa: S608
                    unique,
                )
            )
            new: list[tuple[int, bytes, bytes]] = []
            out = []
            for (plain, text), key in zip(claims, encoded, strict=True):
                number = known.get(key)
                if number is None:
                    number = known[key] = self.count + len(new)
                    new.append((number, key, _encode(text)))
                    self.vocabulary.update(key_words(plain))
                out.append(number)
            conn.executemany("INSERT INTO claims (id, key, text) VALUES (?, ?, ?)", new)
        self.count += len(new)
        self._settled.extend(bytes(len(new)))
        return out

    def supported(self, group: int, text: str) -> None:
        """A claim of ``group`` worded ``text`` is supported: the first such wording is the group's supported
        wording.

        Example: ``store.supported(0, "XNLI does not benefit")``
        """
        if self._settled[group]:
            return
        conn = self._wordings
        with self._errors():
            if not conn.in_transaction:
                conn.execute("BEGIN")  # committed before it is read: see `wording`
            conn.execute("INSERT INTO supported (id, text) VALUES (?, ?)", (group, _encode(text)))
        self._settled[group] = 1

    def reader(self) -> Callable[[Sequence[int]], tuple[dict[int, str], dict[int, str]]]:
        """What `read_claims` needs, on this process's connection, with everything written so far committed (so
        that search workers opening the file read it too).

        Example: ``keys, texts = store.reader()([0, 1])``
        """
        self.commit()
        conn = self._conn
        return lambda ids: read_claims(conn, ids, self.path)

    def commit(self) -> None:
        """Commit the keys stored so far, so that a search worker opening the file (`path`) reads them."""
        with self._errors():
            _commit(self._conn)

    def keys(self, count: int | None = None) -> Iterator[str]:
        """Every key (or the first ``count``), in number order, read from disk as it is iterated.

        Example: ``list(store.keys())``
        """
        self.commit()
        return read_keys(self._conn, self.path, self.count if count is None else count)

    def wording(self, group: int, *, supported: bool = False) -> str:
        """The first wording of ``group``, or with ``supported`` its first supported wording (when it has one).

        Example: ``store.wording(0)`` is ``"A b."``
        """
        with self._errors():
            if supported:
                _commit(self._wordings)
                row = self._wordings.execute("SELECT text FROM supported WHERE id = ?", (group,)).fetchone()
                if row is not None:
                    return _decode(row[0])
            (text,) = self._conn.execute("SELECT text FROM claims WHERE id = ?", (group,)).fetchone()
        return _decode(text)

    def close(self) -> None:
        """Close the file and remove its directory. Idempotent.

        Example: ``store.close()``
        """
        self._finalizer()


class _Translated:
    """A context that turns SQLite's errors into a `ClaimcheckError` naming the file (a full disk, say)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: object) -> None:
        if isinstance(exc, sqlite3.Error):
            raise ClaimcheckError(f"the batch audit's file {self.path} failed: {exc}") from exc


def read_claims(
    conn: sqlite3.Connection, ids: Sequence[int], path: str
) -> tuple[dict[int, str], dict[int, str]]:
    """The keys and first wordings of the distinct claims ``ids``, by number.

    Example: ``read_claims(conn, [0, 1], path)`` is ``({0: "a b", 1: "c d"}, {0: "A b.", 1: "C d"})``.
    """
    keys: dict[int, str] = {}
    texts: dict[int, str] = {}
    with _Translated(path):
        for start in range(0, len(ids), IN_LIMIT):
            chunk = ids[start : start + IN_LIMIT]
            marks = ",".join("?" * len(chunk))
            for i, key, text in conn.execute(
                f"SELECT id, key, text FROM claims WHERE id IN ({marks})",  # noqa: S608 (only ?s)
                tuple(chunk),
            ):
                keys[i] = _decode(key)
                texts[i] = _decode(text)
    return keys, texts


@contextmanager
def opened(path: str) -> Iterator[sqlite3.Connection]:
    """The store's file at ``path`` opened read-only, as a search worker reads it; closed at the end.

    Example: ``with opened(store.path) as conn: keys, texts = read_claims(conn, [0], store.path)``
    """
    conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def read_keys(conn: sqlite3.Connection, path: str, count: int) -> Iterator[str]:
    """The first ``count`` keys, in number order, read as they are iterated."""
    with _Translated(path):
        for (key,) in conn.execute("SELECT key FROM claims WHERE id < ? ORDER BY id", (count,)):
            yield _decode(key)


def key_words(text: str) -> set[str]:
    """The words of a normalised key that the search's blocking anchors on (and the store's ``vocabulary``
    counts): alphabetic, three letters or more.

    Example: ``key_words("xnli does not benefit 2x")`` is ``{"xnli", "does", "not", "benefit"}``.
    """
    return {w for w in text.split() if len(w) >= 3 and w.isalpha()}
