"""Batch-level checks over many reports: one claim judged differently, and claims repeated across reports.

They need only a compact key per claim (`ClaimKey`: where it is, its text and recomputed label), so a run
of any size keeps these, not the verified reports; `BatchAudit` takes them as they come and keeps less still.
The near-duplicate search compares every pair up to `EXHAUSTIVE_UP_TO` distinct claims and is blocked and
windowed above it, so that its cost grows linearly with the batch.

Memory is bounded by design: the texts (each distinct claim's normalised key, the wordings the findings quote)
are kept on disk, in a private SQLite file in a new temporary directory (`_ClaimStore`), and read back a group
of blocks at a time for the search. In memory there are only arrays: 18 bytes per claim (where it is, its
label and its distinct claim) and 1 per distinct claim while the batch is fed; at the end, 8 bytes per claim
and 4 per distinct claim (occurrences, counting-sorted), for the search about 60 bytes per distinct claim for
a moment (the blocking's anchor lists, counting-sorted) and 4 (the union-find), plus what does not grow with
the batch: the texts of one group of blocks (`_GROUP` block members, or the largest block), the pairs found
different (at most `_FAILED`), SQLite's page cache (2 MB) and the vocabulary's word counts (which grow far
slower than the batch). The findings themselves are the output: they grow with what they report.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSequence, Sequence
from concurrent.futures import BrokenExecutor, CancelledError, Executor, Future
from pathlib import Path
from typing import NamedTuple

from .._errors import ClaimcheckError
from .._models import Finding, Report, ReportResult
from .._sqlite import IN_LIMIT
from ._claims import same_normalised_claim, similar_starts
from ._text import normalise_claim, quote

__all__ = [
    "EXHAUSTIVE_UP_TO",
    "WINDOW",
    "BatchAudit",
    "ClaimKey",
    "audit_batch",
    "audit_batch_keys",
    "claim_keys",
]

EXHAUSTIVE_UP_TO = 2000
"""Up to this many distinct claims, every pair is compared for near duplicates; above it (the comparison is
quadratic), only pairs that share one of their rarest words (see `_blocks`), and in a block of more than
``WINDOW + 1`` claims only near neighbours (see `_neighbours`)."""

WINDOW = 32
"""In a large block, each claim is compared with the claims at most this many places from it in two sort
orders: the cap that keeps the search linear in the number of claims however large a cluster grows."""

_ANCHORS = 3
_START = 48
_START_ANCHORS = 2
# Measured on bench/bench_batch.py (4,000 distinct claims): the 3 rarest words alone keep 98.8% of the
# exact search's near-duplicate pairs; with the 2 rarest of the start, 99.97%.

_GROUP = 1 << 15
"""Blocks are searched a group at a time, consecutive blocks of at most this many members together (or one
larger block alone): only that group's keys and wordings are read from disk and held, about 400 bytes each."""

_FAILED = 1 << 18
"""The pairs found different are remembered (a pair of two blocks is compared once), up to this many at a
time (about 60 bytes each): measured on bench_verify's 2,000 reports, a pair is otherwise compared 3 times."""

_AT_ONCE = 256
"""Claim keys stored at once (`BatchAudit.add`): one lookup and one insert into the audit's file for them all."""

_NONE = 0xFFFFFFFF
_NO_LABEL = 0xFFFF  # an expected claim's, until it is labelled
_EXPECTED = ""  # the label of a claim taken by `BatchAudit.expect` (no claim's label is empty)


class ClaimKey(NamedTuple):
    """What the batch checks need of one claim: where it is, its text, normalised text and recomputed label.

    Example: ``ClaimKey("a.txt", 31, 5, "XNLI does not benefit.", "xnli does not benefit", "supported")``
    """

    path: str
    line: int
    claim_index: int
    text: str
    key: str
    label: str

    @property
    def where(self) -> str:
        """``path:line``."""
        return f"{self.path}:{self.line}"


def claim_keys(report: Report) -> list[ClaimKey]:
    """The `ClaimKey` of every claim of a report: of a verified one (a `ReportResult`) with its recomputed
    label, of one only parsed with an empty label (as `BatchAudit.expect` takes them).

    Example: ``[k.where for k in claim_keys(report)]``
    """
    if isinstance(report, ReportResult):
        return [
            ClaimKey(report.path, c.line, c.index, c.text, normalise_claim(c.text), c.recomputed.label)
            for c in report.claims
        ]
    return [
        ClaimKey(report.path, c.line, c.index, c.text, normalise_claim(c.text), _EXPECTED)
        for c in report.claims
    ]


def _encode(text: str) -> bytes:
    # Stored as UTF-8 bytes, lone surrogates kept: any str a caller gives comes back equal.
    return text.encode("utf-8", "surrogatepass")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _discard(conns: Sequence[sqlite3.Connection], directory: str) -> None:
    for conn in conns:
        conn.close()
    shutil.rmtree(directory, ignore_errors=True)


def _connect(path: str) -> sqlite3.Connection:
    """A private, throw-away SQLite file: no journal, no syncing, SQLite's default page cache (2 MB)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -2000")  # KiB: SQLite's default, the bound stated in `_ClaimStore`
    return conn


class _ClaimStore:
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

    Example: ``store = _ClaimStore()``; ``store.groups([("a b", "A b.")])`` is ``[0]``; ``store.close()``.
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
                    self.vocabulary.update(_words(plain))
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
        """What `_read` needs, on this process's connection, with everything written so far committed (so
        that search workers opening the file read it too).

        Example: ``keys, texts = store.reader()([0, 1])``
        """
        self.commit()
        conn = self._conn
        return lambda ids: _read(conn, ids, self.path)

    def commit(self) -> None:
        """Commit the keys stored so far, so that a search worker opening the file (`path`) reads them."""
        with self._errors():
            if self._conn.in_transaction:
                self._conn.execute("COMMIT")

    def keys(self, count: int | None = None) -> Iterator[str]:
        """Every key (or the first ``count``), in number order, read from disk as it is iterated.

        Example: ``list(store.keys())``
        """
        self.commit()
        return _keys(self._conn, self.path, self.count if count is None else count)

    def wording(self, group: int, *, supported: bool = False) -> str:
        """The first wording of ``group``, or with ``supported`` its first supported wording (when it has one).

        Example: ``store.wording(0)`` is ``"A b."``
        """
        with self._errors():
            if supported:
                if self._wordings.in_transaction:
                    self._wordings.execute("COMMIT")
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


def _read(conn: sqlite3.Connection, ids: Sequence[int], path: str) -> tuple[dict[int, str], dict[int, str]]:
    """The keys and first wordings of the distinct claims ``ids``, by number.

    Example: ``_read(conn, [0, 1], path)`` is ``({0: "a b", 1: "c d"}, {0: "A b.", 1: "C d"})``.
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


def _keys(conn: sqlite3.Connection, path: str, count: int) -> Iterator[str]:
    """The first ``count`` keys, in number order, read as they are iterated."""
    with _Translated(path):
        for (key,) in conn.execute("SELECT key FROM claims WHERE id < ? ORDER BY id", (count,)):
            yield _decode(key)


def _buckets(keys: Sequence[int], count: int) -> tuple[array[int], array[int]]:
    """A stable counting sort of positions by key: ``(starts, order)``, where ``order[starts[k]:starts[k + 1]]``
    are the positions of ``keys`` holding ``k``, ascending; two arrays, 4 bytes an item and a key.

    Example: ``_buckets([1, 0, 1], 2)`` is ``(array("I", [0, 1, 3]), array("I", [1, 0, 2]))``.
    """
    starts = array("I", bytes(4 * (count + 1)))
    for k in keys:
        starts[k + 1] += 1
    total = 0
    for k in range(count + 1):
        total += starts[k]
        starts[k] = total
    fill = array("I", starts)
    order = array("I", bytes(4 * len(keys)))
    for position, k in enumerate(keys):
        order[fill[k]] = position
        fill[k] += 1
    return starts, order


class _Blocks(NamedTuple):
    """Blocks of distinct claim numbers, in search order: block ``b`` is ``members[bounds[b]:bounds[b + 1]]``."""

    members: array[int]
    bounds: array[int]

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def block(self, b: int) -> array[int]:
        """The members of block ``b``."""
        return self.members[self.bounds[b] : self.bounds[b + 1]]


def _words(text: str) -> set[str]:
    return {w for w in text.split() if len(w) >= 3 and w.isalpha()}


def _blocks(keys: Callable[[], Iterable[str]], df: Counter[str] | None = None) -> _Blocks:
    """Groups of key numbers to search for near duplicates, over a large batch: those sharing one of their
    `_ANCHORS` rarest words or one of the `_START_ANCHORS` rarest of their first `_START` characters (a near
    duplicate differs by a word or two, or is cut short, so it keeps most of them), smallest first.

    ``keys`` gives the keys in number order each time it is called (twice: document frequencies, unless
    ``df`` has them already, then anchors), so that no word set per key is kept. What is kept is the vocabulary's counts and, per key, its
    anchors' numbers in arrays (at most 5, 8 bytes each, twice for the sort), not lists of lists.

    Example: ``_blocks(lambda: ["alpha beta", "alpha gamma"])`` has the one block ``[0, 1]``.
    """
    if df is None:
        df = Counter()
        for key in keys():
            df.update(_words(key))
    numbers: dict[str, int] = {}
    word = array("I")
    member = array("I")
    for i, key in enumerate(keys()):
        anchors = set(sorted(_words(key), key=lambda w: (df[w], w))[:_ANCHORS])
        # A truncated copy keeps only the start: anchor it there too, or its rarest words and those of
        # the whole claim may have nothing in common.
        anchors.update(sorted(_words(key[:_START]), key=lambda w: (df[w], w))[:_START_ANCHORS])
        for w in anchors:
            word.append(numbers.setdefault(w, len(numbers)))
            member.append(i)
    starts, order = _buckets(word, len(numbers))
    del word
    members = array("I", (member[p] for p in order))  # each anchor's keys, ascending
    del member, order
    # Near duplicates share most anchors, so many blocks are the same claims: search each set once (a hash
    # that collides for two different sets only costs a search twice).
    first: dict[int, int] = {}
    kept = array("I")
    for anchor in range(len(numbers)):
        a, b = starts[anchor], starts[anchor + 1]
        if b - a < 2:
            continue
        same = first.setdefault(hash(members[a:b].tobytes()), anchor)
        if same != anchor and members[starts[same] : starts[same + 1]] == members[a:b]:
            continue
        kept.append(anchor)
    del first
    sizes = array("I", (starts[k + 1] - starts[k] for k in kept))
    _, order = _buckets(sizes, max(sizes, default=0) + 1)
    del sizes
    out = array("I")
    bounds = array("I", [0])
    for p in order:
        anchor = kept[p]
        out.extend(members[starts[anchor] : starts[anchor + 1]])
        bounds.append(len(out))
    return _Blocks(out, bounds)


def _reversed_words(key: str) -> str:
    return " ".join(reversed(key.split()))


def _neighbours(
    ranked: Sequence[str], turned: Sequence[str], ids: Sequence[int], window: int
) -> Callable[[int], set[int]]:
    """For the member of rank ``a`` of a block (its place in ``ids``, whose keys are ``ranked``, and read
    backwards word by word ``turned``), the ranks within ``window`` places of it in the block sorted by key
    and sorted by key read backwards.

    A near duplicate sorts next to its original: a truncated copy or a late edit shares the start, an early
    edit the end. Clusters are connected components, so a large cluster needs only a chain of such
    neighbours, not all its pairs: the comparisons are at most ``4 * window`` per member, whatever the block.

    Example: ``_neighbours(["a b", "a c", "z b"], ["b a", "c a", "b z"], [0, 1, 2], 1)(0)`` is ``{0, 1, 2}``
    (itself included).
    """
    by_key = sorted(range(len(ids)), key=lambda r: (ranked[r], ids[r]))
    by_end = sorted(range(len(ids)), key=lambda r: (turned[r], ids[r]))
    place_by_key = [0] * len(ids)
    for p, r in enumerate(by_key):
        place_by_key[r] = p
    place_by_end = [0] * len(ids)
    for p, r in enumerate(by_end):
        place_by_end[r] = p

    def near(a: int) -> set[int]:
        p, q = place_by_key[a], place_by_end[a]
        out = set(by_key[max(0, p - window) : p + window + 1])
        out.update(by_end[max(0, q - window) : q + window + 1])
        return out

    return near


def _root(parent: MutableSequence[int], i: int) -> int:
    """The root of ``i`` in a union-find's ``parent`` links, halving the path walked."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


class _Components:
    """Union-find over key numbers, in an array (4 bytes each)."""

    def __init__(self, n: int) -> None:
        self.parent = array("I", range(n))

    def root(self, i: int) -> int:
        return _root(self.parent, i)

    def join(self, i: int, j: int) -> None:
        self.parent[self.root(j)] = self.root(i)


def _edges(
    keys: Mapping[int, str],
    texts: Mapping[int, str],
    blocks: Iterable[Sequence[int]],
    found: _Components,
    window: int | None = None,
    failed: set[int] | None = None,
) -> list[tuple[int, int]]:
    """Pairs of keys that are the same claim, enough of them to connect every cluster within ``blocks``
    (joined in ``found``, which may already connect some: a pair already connected is not compared).

    ``keys`` and ``texts`` hold at least the keys and first wordings of the blocks' members, by number.
    Every pair of a block is compared when ``window`` is None or the block has at most ``window + 1``
    members; in a larger block only the `_neighbours` within ``window``.

    Example: ``_edges({0: "a b c", 1: "a b c d"}, {0: "A b c", 1: "A b c d"}, [[0, 1]], _Components(2))``
    (keys under 20 characters are never near duplicates) is ``[]``.
    """
    failed = set() if failed is None else failed
    edges: list[tuple[int, int]] = []
    root = found.root
    n = len(found.parent)
    backwards: dict[int, str] = {}  # the keys read backwards: a key is in several blocks
    for block in blocks:
        if len({root(i) for i in block}) == 1:
            continue  # already one cluster (through an earlier block): no edge to find here
        # Each pair once, the shorter key first: `same_normalised_claim` needs the shorter key to match the
        # same-length start of the longer at DUPLICATE_SIMILARITY, which `similar_starts` checks for all of
        # them at once. The clusters are the connected pairs, whatever the order they are found in.
        ids = sorted(block, key=lambda i: (len(keys[i]), i))  # by rank
        ranked = [keys[i] for i in ids]
        m = len(ids)
        near = None
        if window is not None and m > window + 1:
            turned = [backwards.get(i) or backwards.setdefault(i, _reversed_words(keys[i])) for i in ids]
            near = _neighbours(ranked, turned, ids, window)
        # The block's own union-find over ranks (a list: the inner loop reads it most), seeded with the
        # clusters found so far and kept in step with ``found``: in a large block most neighbours soon share
        # a cluster, and are dropped before comparing (most point at their root directly: no walk).
        parent = list(range(m))
        first: dict[int, int] = {}
        for r, i in enumerate(ids):
            parent[r] = first.setdefault(root(i), r)
        for a in range(m):
            mine = _root(parent, a)
            rest = [
                r
                for r in (near(a) if near is not None else range(a + 1, m))
                if r > a and (p := parent[r]) != mine and (parent[p] == p or _root(parent, r) != mine)
            ]
            if not rest:
                continue
            short = ranked[a]
            i = ids[a]
            for offset in similar_starts(short, [ranked[r] for r in rest]):
                r = rest[offset]
                mine, theirs = _root(parent, a), _root(parent, r)
                if mine == theirs:
                    continue
                j = ids[r]
                pair = i * n + j
                if pair in failed:
                    continue
                # (`similar_starts` compared the short key with the other's start at the threshold)
                if same_normalised_claim(texts[i], short, texts[j], ranked[r], starts_checked=True):
                    found.join(i, j)
                    parent[theirs] = mine
                    edges.append((i, j))
                else:
                    if len(failed) >= _FAILED:
                        failed.clear()
                    failed.add(pair)
    return edges


def _search_blocks(
    read: Callable[[Sequence[int]], tuple[dict[int, str], dict[int, str]]], blocks: _Blocks, n: int
) -> list[tuple[int, int]]:
    """`_edges` over ``blocks`` (windowed), a group of consecutive blocks at a time: only the keys and
    wordings of a group's members are read (``read``) and held, and only for its blocks that are not one
    cluster already. Kept across groups: the union-find over all ``n`` keys (4 bytes each).

    Example: ``_search_blocks(store.reader(), _blocks(store.keys), store.count)``
    """
    found = _Components(n)
    root = found.root
    failed: set[int] = set()
    edges: list[tuple[int, int]] = []
    bounds = blocks.bounds
    b = 0
    while b < len(blocks):
        end = b + 1
        while end < len(blocks) and bounds[end + 1] - bounds[b] <= _GROUP:
            end += 1
        group = [blocks.block(k) for k in range(b, end)]
        group = [block for block in group if len({root(i) for i in block}) > 1]
        if group:
            keys, texts = read(sorted({i for block in group for i in block}))
            edges += _edges(keys, texts, group, found, WINDOW, failed)
            del keys, texts
        b = end
    return edges


def _edges_task(task: tuple[str, array[int], array[int], int]) -> list[tuple[int, int]]:
    """`_search_blocks` in a worker, over its share of the blocks, reading the store's file by its path."""
    path, members, bounds, n = task
    conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)
    try:
        return _search_blocks(lambda ids: _read(conn, ids, path), _Blocks(members, bounds), n)
    finally:
        conn.close()


def _shares(blocks: _Blocks, n: int) -> list[_Blocks]:
    """``blocks`` dealt into ``n`` shares of about equal work (comparisons), each largest first."""
    picks: list[list[int]] = [[] for _ in range(n)]
    work = [0] * n
    bounds = blocks.bounds
    end = len(blocks)
    while end > 0:  # blocks are in size order, smallest first: deal the largest first, ties in order
        size = bounds[end] - bounds[end - 1]
        start = end - 1
        while start > 0 and bounds[start] - bounds[start - 1] == size:
            start -= 1
        for b in range(start, end):
            k = work.index(min(work))
            picks[k].append(b)
            work[k] += size * min(size, 4 * WINDOW)
        end = start
    shares = []
    for pick in picks:
        if not pick:
            continue
        members = array("I")
        share_bounds = array("I", [0])
        for b in pick:
            members.extend(blocks.block(b))
            share_bounds.append(len(members))
        shares.append(_Blocks(members, share_bounds))
    return shares


def _search_one(
    read: Callable[[Sequence[int]], tuple[dict[int, str], dict[int, str]]],
    keys: Callable[[], Iterable[str]],
    df: Counter[str] | None,
    n: int,
) -> list[tuple[int, int]]:
    """Edges connecting the near-duplicate clusters of the first ``n`` keys, in one process: every pair
    compared up to `EXHAUSTIVE_UP_TO` distinct claims, the blocked and windowed search above it (``keys``
    and ``df`` as `_blocks` takes them)."""
    if n <= EXHAUSTIVE_UP_TO:
        texts = read(range(n))
        return _edges(*texts, [range(n)], _Components(n))
    return _search_blocks(read, _blocks(keys, df), n)


def _search_file(task: tuple[str, Counter[str] | None, int]) -> list[tuple[int, int]]:
    """`_search_one` in a worker, reading the keys from the store's file by its path (``(path, df, n)``)."""
    path, df, n = task
    conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)
    try:
        return _search_one(lambda ids: _read(conn, ids, path), lambda: _keys(conn, path, n), df, n)
    finally:
        conn.close()


def _search(
    store: _ClaimStore, n: int, jobs: int = 1, executor: Executor | None = None
) -> list[tuple[int, int]]:
    """`_search_one` over the ``store``'s first ``n`` keys, the blocks shared among ``jobs`` processes
    (each reading its own blocks' texts from the store's file)."""
    read = store.reader()
    df = store.vocabulary if n == store.count else None  # (the vocabulary counts every key)
    if jobs <= 1 or n <= EXHAUSTIVE_UP_TO:
        return _search_one(read, lambda: store.keys(n), df, n)
    blocks = _blocks(lambda: store.keys(n), df)
    tasks = [(store.path, share.members, share.bounds, n) for share in _shares(blocks, jobs)]
    del blocks
    if executor is not None:
        return [edge for found in executor.map(_edges_task, tasks) for edge in found]
    from concurrent.futures import ProcessPoolExecutor

    from .._gc import quiet_gc

    with ProcessPoolExecutor(max_workers=len(tasks), initializer=quiet_gc) as pool:
        return [edge for found in pool.map(_edges_task, tasks) for edge in found]


class BatchAudit:
    """The batch findings of a run, fed its claim keys one report at a time (`add`), read once at the end.

    What it keeps in memory per claim is 18 bytes of arrays: where it is (a path number, line and claim
    number, 12 bytes), its distinct claim's number (4) and its label (2); per distinct claim 1 byte. The
    texts (each distinct claim's normalised key, its first wording and its first supported wording) are on
    disk, in private temporary files (`_ClaimStore`) removed by `close` (or a ``with`` block, or when the
    audit is collected). Paths and label names are kept once each; the last keys fed, up to `_AT_ONCE`, wait
    whole until they are stored together. A caller that feeds it as reports arrive need not keep the keys
    at all. `findings` adds, for a moment, arrays of a few tens of bytes per distinct claim and the texts of
    one group of blocks at a time (see the module's docstring).

    A run that knows its claims before their labels (once its reports are parsed) gives them first to
    `expect`, starts the near-duplicate search on a worker (`search_ahead`: it needs only the keys), and
    then gives them again with their labels to `add`, in the same order.

    Example: ``with BatchAudit() as audit:``, ``audit.add(claim_keys(result))`` per report, then
    ``audit.findings(jobs=2)``.
    """

    def __init__(self) -> None:
        self._store: _ClaimStore | None = None  # made with the first claim
        self._closed = False
        self._path_ids: dict[str, int] = {}
        self._label_ids: dict[str, int] = {}
        self._group = array("I")  # per claim, in report order: its group, path, line, claim number, label
        self._path = array("I")
        self._line = array("I")
        self._index = array("I")
        self._label = array("H")
        self._pending: list[ClaimKey] = []  # keys not stored yet: at most `_AT_ONCE`
        self._labelled = 0  # the claims before this one have their labels; those after are expected
        self._ahead: tuple[Future[list[tuple[int, int]]], int] | None = None  # `search_ahead`'s
        self._path_names: list[str] = []
        self._label_names: list[str] = []

    def __len__(self) -> int:
        return len(self._group) + len(self._pending)

    def __enter__(self) -> BatchAudit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the audit's temporary files; the audit cannot be used afterwards. Idempotent.

        Example: ``audit.close()``
        """
        self._closed = True
        if self._ahead is not None:
            self._ahead[0].cancel()
            self._ahead = None
        if self._store is not None:
            self._store.close()

    def _open_store(self) -> _ClaimStore:
        if self._closed:
            raise ClaimcheckError("this batch audit is closed")
        if self._store is None:
            self._store = _ClaimStore()
        return self._store

    def expect(self, claims: Iterable[ClaimKey]) -> None:
        """Take the keys of some claims (in report order) whose labels are not known yet (theirs here are not
        read): each must come again, labelled, to `add`, in the same order, before any other claim.

        Example: ``audit.expect(claim_keys(report))`` per parsed report, later
        ``audit.add(claim_keys(result))`` per verified one.
        """
        for claim in claims:
            if not claim.key:
                continue
            if not self._pending:
                self._open_store()
            self._pending.append(claim if claim.label == _EXPECTED else claim._replace(label=_EXPECTED))
            if len(self._pending) >= _AT_ONCE:
                self._store_pending()

    def add(self, claims: Iterable[ClaimKey]) -> None:
        """Take the keys of some claims (in report order); claims with an empty key are left out. They are
        stored `_AT_ONCE` at a time (one lookup and one insert into the audit's file for a few dozen reports
        fed one by one), the rest when the findings are asked for. Claims taken by `expect` and not labelled
        yet take their labels from these, in order: `ClaimcheckError` when one is not where it was expected.

        Example: ``audit.add(claim_keys(result))``
        """
        for claim in claims:  # (a generator of a whole batch is not kept as a list)
            if not claim.key:
                continue
            n = self._labelled
            self._labelled += 1
            if n < len(self):
                self._settle(n, claim)
                continue
            if not self._pending:
                self._open_store()  # made with the first claim; refused once the audit is closed
            self._pending.append(claim)
            if len(self._pending) >= _AT_ONCE:
                self._store_pending()

    def _settle(self, n: int, claim: ClaimKey) -> None:
        """Give the ``n``-th claim, taken by `expect`, the label of ``claim``, which must be the same claim."""
        if n >= len(self._group):
            self._store_pending()
        if (
            self._path_ids.get(claim.path) != self._path[n]
            or self._line[n] != claim.line
            or self._index[n] != claim.claim_index
        ):
            path = next(p for p, i in self._path_ids.items() if i == self._path[n])
            raise ClaimcheckError(
                f"the batch audit expected {path}:{self._line[n]} (claim {self._index[n]}) and was given "
                f"{claim.where} (claim {claim.claim_index}): the claims must be labelled in the order they came"
            )
        self._label[n] = self._label_ids.setdefault(claim.label, len(self._label_ids))
        if claim.label == "supported":
            self._open_store().supported(self._group[n], claim.text)

    def _store_pending(self) -> None:
        chunk, self._pending = self._pending, []
        if not chunk:
            return
        store = self._open_store()
        groups = store.groups([(claim.key, claim.text) for claim in chunk])
        for claim, group in zip(chunk, groups, strict=True):
            label = claim.label
            if label == "supported":
                store.supported(group, claim.text)
            self._group.append(group)
            self._path.append(self._path_ids.setdefault(claim.path, len(self._path_ids)))
            self._line.append(claim.line)
            self._index.append(claim.claim_index)
            self._label.append(
                _NO_LABEL if label == _EXPECTED else self._label_ids.setdefault(label, len(self._label_ids))
            )

    def search_ahead(
        self,
        submit: Callable[
            [
                Callable[[tuple[str, Counter[str] | None, int]], list[tuple[int, int]]],
                tuple[str, Counter[str] | None, int],
            ],
            Future[list[tuple[int, int]]] | None,
        ],
    ) -> None:
        """Start the near-duplicate search over the claims taken so far, as ``submit(fn, task)`` runs it (a
        process pool's ``submit``, or None when it cannot: the search then runs in `findings`). It needs
        only the keys, so it can run while the labels of expected claims come; its workers must see this
        machine's temporary directory (they read the audit's file). `findings` uses its result unless other
        claims were taken meanwhile.

        Example: ``audit.search_ahead(pool.submit)`` after ``audit.expect(...)``.
        """
        self._store_pending()
        store = self._store
        if store is None or self._closed:
            return
        store.commit()
        n = store.count
        future = submit(_search_file, (store.path, store.vocabulary if n > EXHAUSTIVE_UP_TO else None, n))
        if future is not None:
            self._ahead = (future, n)

    def findings(self, *, jobs: int = 1, executor: Executor | None = None) -> list[Finding]:
        """`claim_verdict_differs` then `near_duplicate_claim` findings, as `audit_batch` gives them, over the
        claims with labels (expected claims never labelled are left out, as if never taken).

        ``jobs`` worker processes share the near-duplicate search of a large batch (the findings are the
        same), in ``executor`` when given (its workers must see this machine's temporary directory: they
        read the texts from the audit's file), else in a pool made for it; unless `search_ahead` did it.

        Example: ``BatchAudit().findings()`` is ``[]``.
        """
        if self._closed:
            raise ClaimcheckError("this batch audit is closed")
        self._store_pending()
        store = self._store
        if store is None:
            return []
        self._path_names = list(self._path_ids)
        self._label_names = list(self._label_ids)
        group, n = self._group, store.count
        if self._labelled < len(group):  # distinct claims are numbered as they come: the labelled ones' first
            group = group[: self._labelled]
            n = max(group) + 1 if group else 0
        occurrences = _buckets(group, n)
        verdicts = self._verdict_findings(store, *occurrences)
        edges = self._searched(n)
        if edges is None:
            edges = _search(store, n, jobs, executor)
        return verdicts + self._near_duplicate_findings(n, store, *occurrences, edges)

    def _searched(self, n: int) -> list[tuple[int, int]] | None:
        """The edges `search_ahead` found, when it searched these ``n`` distinct claims and finished."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        future, searched = ahead
        if searched != n:
            future.cancel()
            return None
        try:
            return future.result()
        except (CancelledError, BrokenExecutor):
            return None  # its pool was stopped, or lost a worker, before it ran: search here

    def _claim(self, n: int) -> tuple[str, int, int, str]:
        """(path, line, claim number, label) of the ``n``-th claim."""
        return (
            self._path_names[self._path[n]],
            self._line[n],
            self._index[n],
            self._label_names[self._label[n]],
        )

    def _where(self, n: int) -> str:
        return f"{self._path_names[self._path[n]]}:{self._line[n]}"

    def _verdict_findings(self, store: _ClaimStore, starts: array[int], order: array[int]) -> list[Finding]:
        findings: list[Finding] = []
        for group in range(len(starts) - 1):
            if starts[group + 1] - starts[group] < 2:
                continue
            members = order[starts[group] : starts[group + 1]]
            claims = [self._claim(n) for n in members]
            supported = [n for n, c in zip(members, claims, strict=True) if c[3] == "supported"]
            unsupported = [
                (n, c) for n, c in zip(members, claims, strict=True) if c[3] in ("not_found", "contradicted")
            ]
            if not supported or not unsupported:
                continue
            path, line, index, _ = self._claim(supported[0])
            no_path, no_line, no_index, no_label = unsupported[0][1]
            text = store.wording(group, supported=True)
            how = "contradicted" if no_label == "contradicted" else "not supported"
            findings.append(
                Finding(
                    code="claim_verdict_differs",
                    severity="info",
                    message=(
                        f"the same claim {quote(text)} is supported by the references of "
                        f"{path}:{line} (claim {index}) but "
                        f"{how} by those of {no_path}:{no_line} (claim {no_index})"
                        + (
                            f"; {len(supported)} reports support it, {len(unsupported)} do not"
                            if len(members) > 2
                            else ""
                        )
                    ),
                    line=line,
                    claim_index=index,
                    path=path,
                    details={
                        "supported_in": [self._where(n) for n in supported],
                        "unsupported_in": [self._where(n) for n, _ in unsupported],
                    },
                )
            )
        return findings

    def _near_duplicate_findings(
        self, n: int, store: _ClaimStore, starts: array[int], order: array[int], edges: list[tuple[int, int]]
    ) -> list[Finding]:
        components = _Components(n)
        for i, j in edges:
            components.join(i, j)
        del edges
        root = components.root
        # clusters numbered in order of their first group, their groups ascending (a counting sort)
        number = array("I", [_NONE]) * n
        cluster = array("I", bytes(4 * n))
        count = 0
        for group in range(n):
            r = root(group)
            if number[r] == _NONE:
                number[r] = count
                count += 1
            cluster[group] = number[r]
        del number, components
        bounds, groups = _buckets(cluster, count)
        del cluster
        findings: list[Finding] = []
        for c in range(count):
            members = groups[bounds[c] : bounds[c + 1]]
            if len(members) == 1 and starts[members[0] + 1] - starts[members[0]] < 2:
                continue  # one claim: in one report
            claims = [m for group in members for m in order[starts[group] : starts[group + 1]]]
            paths = len({self._path[m] for m in claims})
            if paths < 2:
                continue
            path, line, index, _ = self._claim(claims[0])
            wheres = [self._where(m) for m in claims]
            findings.append(
                Finding(
                    code="near_duplicate_claim",
                    severity="info",
                    message=(
                        f"the claim {quote(store.wording(members[0]))} appears in {paths} reports"
                        + (f" in {len(members)} nearly identical wordings" if len(members) > 1 else "")
                        + ": "
                        + ", ".join(wheres)
                    ),
                    line=line,
                    claim_index=index,
                    path=path,
                    details={"occurrences": wheres},
                )
            )
        return findings


def audit_batch_keys(
    claims: Iterable[ClaimKey], *, jobs: int = 1, executor: Executor | None = None
) -> list[Finding]:
    """`audit_batch` over the compact keys of the claims (in report order), as the streaming pipeline keeps them.

    ``claims`` is consumed once, one key at a time (a generator keeps no list of them): only a `BatchAudit`'s
    compact record of each is kept, its texts on disk. ``jobs`` worker processes share the near-duplicate
    search of a large batch (the findings are the same), in ``executor`` when given, else in a pool made for it.

    Example: ``audit_batch_keys(k for r in results for k in claim_keys(r))``
    """
    with BatchAudit() as audit:
        audit.add(claims)
        return audit.findings(jobs=jobs, executor=executor)


def audit_batch(reports: Sequence[ReportResult]) -> list[Finding]:
    """Findings across reports: the same claim supported in one report and unsupported in another, and
    near-duplicate wordings of one claim in several reports (both ``info``).

    Parameters: ``reports``, the verified reports of one run.

    Example: a claim recomputed as supported in ``a.txt`` and not found in ``b.txt`` gives one
    ``claim_verdict_differs`` finding naming ``a.txt:31`` and ``b.txt:40``.
    """
    return audit_batch_keys(k for report in reports for k in claim_keys(report))
