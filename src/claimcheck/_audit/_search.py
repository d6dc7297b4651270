"""The near-duplicate search over a batch's distinct claims: every pair compared up to `EXHAUSTIVE_UP_TO`
distinct claims; above it, blocked by rare words and windowed in two sort orders (`_blocks`, `_neighbours`),
so that its cost grows linearly with the batch. It reads the claims' keys and first wordings from a
`ClaimStore`, a group of blocks at a time, in this process or in workers that open the store's file.

What it holds: about 60 bytes per distinct claim for a moment (the blocking's anchor lists, counting-sorted)
and 4 (the union-find), plus what does not grow with the batch: the texts of one group of blocks (`_GROUP`
block members, or the largest block), the pairs found different (at most `_FAILED`), SQLite's page cache.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, MutableSequence, Sequence
from concurrent.futures import Executor
from typing import NamedTuple

from . import _store
from ._claims import digit_set, same_normalised_claim, similar_starts
from ._store import ClaimStore, key_words

__all__ = [
    "EXHAUSTIVE_UP_TO",
    "WINDOW",
    "Components",
    "SearchTask",
    "buckets",
    "search",
    "search_file",
    "search_task",
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


def buckets(keys: Sequence[int], count: int) -> tuple[array[int], array[int]]:
    """A stable counting sort of positions by key: ``(starts, order)``, where ``order[starts[k]:starts[k + 1]]``
    are the positions of ``keys`` holding ``k``, ascending; two arrays, 4 bytes an item and a key.

    Example: ``buckets([1, 0, 1], 2)`` is ``(array("I", [0, 1, 3]), array("I", [1, 0, 2]))``.
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
            df.update(key_words(key))
    numbers: dict[str, int] = {}
    word = array("I")
    member = array("I")
    for i, key in enumerate(keys()):
        anchors = set(sorted(key_words(key), key=lambda w: (df[w], w))[:_ANCHORS])
        # A truncated copy keeps only the start: anchor it there too, or its rarest words and those of
        # the whole claim may have nothing in common.
        anchors.update(sorted(key_words(key[:_START]), key=lambda w: (df[w], w))[:_START_ANCHORS])
        for w in anchors:
            word.append(numbers.setdefault(w, len(numbers)))
            member.append(i)
    starts, order = buckets(word, len(numbers))
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
    _, order = buckets(sizes, max(sizes, default=0) + 1)
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


class Components:
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
    found: Components,
    window: int | None = None,
    failed: set[int] | None = None,
) -> list[tuple[int, int]]:
    """Pairs of keys that are the same claim, enough of them to connect every cluster within ``blocks``
    (joined in ``found``, which may already connect some: a pair already connected is not compared).

    ``keys`` and ``texts`` hold at least the keys and first wordings of the blocks' members, by number.
    Every pair of a block is compared when ``window`` is None or the block has at most ``window + 1``
    members; in a larger block only the `_neighbours` within ``window``.

    Example: ``_edges({0: "a b c", 1: "a b c d"}, {0: "A b c", 1: "A b c d"}, [[0, 1]], Components(2))``
    (keys under 20 characters are never near duplicates) is ``[]``.
    """
    failed = set() if failed is None else failed
    edges: list[tuple[int, int]] = []
    root = found.root
    n = len(found.parent)
    backwards: dict[int, str] = {}  # the keys read backwards: a key is in several blocks
    digits: dict[int, frozenset[str]] = {}  # the wordings' digits (`digit_set`), likewise
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
        # Most starts that pass are the claim reworded with other figures: their digits tell most apart.
        dig = [digits.get(i) or digits.setdefault(i, digit_set(texts[i])) for i in ids]
        size = [len(texts[i]) for i in ids]
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
            mine_digits, mine_size = dig[a], size[a]
            for offset in similar_starts(short, [ranked[r] for r in rest]):
                r = rest[offset]
                if not (mine_digits <= dig[r] if mine_size <= size[r] else dig[r] <= mine_digits):
                    continue  # the shorter wording writes a digit the other does not: other numbers
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
    found = Components(n)
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
    with _store.opened(path) as conn:
        return _search_blocks(lambda ids: _store.read_claims(conn, ids, path), _Blocks(members, bounds), n)


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
        return _edges(*texts, [range(n)], Components(n))
    return _search_blocks(read, _blocks(keys, df), n)


SearchTask = tuple[str, Counter[str] | None, int]
"""What `search_file` needs: the store's file, the blocking's word counts (when blocked) and how many keys."""


def search_task(store: ClaimStore) -> SearchTask:
    """The `search_file` task of all the keys of ``store`` (committed, so that a worker opening the file reads
    them)."""
    store.commit()
    n = store.count
    return store.path, store.vocabulary if n > EXHAUSTIVE_UP_TO else None, n


def search_file(task: SearchTask) -> list[tuple[int, int]]:
    """`_search_one` in a worker, reading the keys from the store's file by its path (``(path, df, n)``)."""
    path, df, n = task
    with _store.opened(path) as conn:
        return _search_one(
            lambda ids: _store.read_claims(conn, ids, path), lambda: _store.read_keys(conn, path, n), df, n
        )


def search(
    store: ClaimStore, n: int, jobs: int = 1, executor: Executor | None = None
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
