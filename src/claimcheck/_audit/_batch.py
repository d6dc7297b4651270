"""Batch-level checks over many reports: one claim judged differently, and claims repeated across reports.

They need only a compact key per claim (`ClaimKey`: where it is, its text and recomputed label), so a run
of any size keeps these, not the verified reports; `BatchAudit` takes them as they come and keeps less still.
The near-duplicate search compares every pair up to `EXHAUSTIVE_UP_TO` distinct claims and is blocked and
windowed above it, so that its cost grows linearly with the batch.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from sys import intern
from typing import NamedTuple

from rapidfuzz import fuzz, process

from .._models import Finding, ReportResult
from ._claims import DUPLICATE_SIMILARITY, same_normalised_claim
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

    def __reduce__(self) -> tuple[Callable[..., ClaimKey], tuple[str, int, int, str, str, str]]:
        # Keys come back from worker processes by pickle, each string a new copy: interned on arrival,
        # a claim repeated word for word across reports (common in generated reports) is kept once.
        return _arrived, (self.path, self.line, self.claim_index, self.text, self.key, self.label)


def _arrived(path: str, line: int, claim_index: int, text: str, key: str, label: str) -> ClaimKey:
    """A `ClaimKey` as unpickled: its strings interned."""
    return ClaimKey(intern(path), line, claim_index, intern(text), intern(key), intern(label))


def claim_keys(report: ReportResult) -> list[ClaimKey]:
    """The `ClaimKey` of every claim of a verified report.

    Example: ``[k.where for k in claim_keys(report)]``
    """
    return [
        ClaimKey(report.path, c.line, c.index, c.text, normalise_claim(c.text), c.recomputed.label)
        for c in report.claims
    ]


def _blocks(keys: Sequence[str]) -> list[list[int]]:
    """Groups of key indices to search for near duplicates: all of them, or for a large batch those sharing
    one of their `_ANCHORS` rarest words or one of the `_START_ANCHORS` rarest of their first `_START`
    characters (a near duplicate differs by a word or two, or is cut short, so it keeps most of them).

    Example: ``_blocks(["a b", "c d"])`` is ``[[0, 1]]`` (a small batch is one block).
    """
    if len(keys) <= EXHAUSTIVE_UP_TO:
        return [list(range(len(keys)))]
    # Two passes over the keys instead of one word set per key kept for both: the sets of a large batch
    # cost more memory than everything else of the audit together.
    df: Counter[str] = Counter()
    for key in keys:
        df.update({w for w in key.split() if len(w) >= 3 and w.isalpha()})
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        ws = {w for w in key.split() if len(w) >= 3 and w.isalpha()}
        anchors = set(sorted(ws, key=lambda w: (df[w], w))[:_ANCHORS])
        # A truncated copy keeps only the start: anchor it there too, or its rarest words and those of
        # the whole claim may have nothing in common.
        start = {w for w in key[:_START].split() if len(w) >= 3 and w.isalpha()}
        anchors.update(sorted(start, key=lambda w: (df[w], w))[:_START_ANCHORS])
        for w in anchors:
            blocks[w].append(i)
    # Near duplicates share most anchors, so many blocks are the same claims: search each set once.
    unique = {tuple(members): members for members in blocks.values() if len(members) > 1}
    return sorted(unique.values(), key=len)


def _reversed_words(key: str) -> str:
    return " ".join(reversed(key.split()))


def _neighbours(block: list[int], keys: Sequence[str], window: int) -> Callable[[int], list[int]]:
    """For a member of ``block``, the members within ``window`` places of it in the block sorted by key and
    sorted by key read backwards (word by word).

    A near duplicate sorts next to its original: a truncated copy or a late edit shares the start, an early
    edit the end. Clusters are connected components, so a large cluster needs only a chain of such
    neighbours, not all its pairs: the comparisons are at most ``4 * window`` per member, whatever the block.

    Example: ``_neighbours([0, 1, 2], ["a b", "a c", "z b"], 1)(0)`` is ``[1, 2]``.
    """
    orders = [
        sorted(block, key=lambda i: (keys[i], i)),
        sorted(block, key=lambda i: (_reversed_words(keys[i]), i)),
    ]
    places = [{i: p for p, i in enumerate(order)} for order in orders]

    def near(i: int) -> list[int]:
        out: dict[int, None] = {}
        for order, place in zip(orders, places, strict=True):
            p = place[i]
            out.update(dict.fromkeys(order[max(0, p - window) : p + window + 1]))
        del out[i]
        return list(out)

    return near


class _Components:
    """Union-find over key indices."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.parent[self.root(j)] = self.root(i)


def _edges(
    keys: Sequence[str], texts: Sequence[str], blocks: Sequence[list[int]], window: int | None = None
) -> list[tuple[int, int]]:
    """Pairs of keys that are the same claim, enough of them to connect every cluster within ``blocks``.

    Every pair of a block is compared when ``window`` is None or the block has at most ``window + 1``
    members; in a larger block only the `_neighbours` within ``window``.

    Example: ``_edges(["a b c", "a b c d"], ["A b c", "A b c d"], [[0, 1]])`` (keys under 20 characters are
    never near duplicates) is ``[]``.
    """
    found = _Components(len(keys))
    edges: list[tuple[int, int]] = []
    for block in blocks:
        if len({found.root(i) for i in block}) == 1:
            continue  # already one cluster (through an earlier block): no edge to find here
        # Each pair once, the shorter key first: `same_normalised_claim` needs the shorter key to match the
        # same-length start of the longer at DUPLICATE_SIMILARITY, which rapidfuzz checks in C for all of
        # them at once. The clusters are the connected pairs, whatever the order they are found in.
        order = sorted(block, key=lambda i: (len(keys[i]), i))
        windowed = window is not None and len(block) > window + 1
        near = _neighbours(block, keys, window) if window is not None and windowed else None
        rank = {i: a for a, i in enumerate(order)} if windowed else {}
        root = found.root
        parent = found.parent
        for a, i in enumerate(order):
            if near is not None:
                # in a large block most neighbours soon share a cluster: drop them before comparing (most
                # point at their root directly, which spares the walk)
                mine = root(i)
                rest = [j for j in near(i) if rank[j] > a and parent[j] != mine and root(j) != mine]
            else:
                rest = order[a + 1 :]
            short = keys[i]
            starts = [keys[j][: len(short)] for j in rest]
            candidates = process.extract(
                short, starts, scorer=fuzz.ratio, score_cutoff=DUPLICATE_SIMILARITY, limit=None
            )
            for _, _, offset in candidates:
                j = rest[offset]
                # (``process.extract`` compared the short key with the other's start at the threshold)
                if found.root(i) != found.root(j) and same_normalised_claim(
                    texts[i], short, texts[j], keys[j], starts_checked=True
                ):
                    found.join(i, j)
                    edges.append((i, j))
    return edges


def _edges_task(task: tuple[list[str], list[str], list[list[int]], list[int]]) -> list[tuple[int, int]]:
    """`_edges` in a worker, over only the keys of its own blocks (numbered locally), mapped back."""
    keys, texts, blocks, ids = task
    return [(ids[i], ids[j]) for i, j in _edges(keys, texts, blocks, WINDOW)]


def _shares(blocks: list[list[int]], n: int) -> list[list[list[int]]]:
    """``blocks`` dealt into ``n`` shares of about equal work (comparisons), largest first."""
    shares: list[list[list[int]]] = [[] for _ in range(n)]
    work = [0] * n
    for block in sorted(blocks, key=len, reverse=True):
        k = work.index(min(work))
        shares[k].append(block)
        work[k] += len(block) * min(len(block), 4 * WINDOW)
    return [share for share in shares if share]


def _task(
    share: list[list[int]], keys: Sequence[str], texts: Sequence[str]
) -> tuple[list[str], list[str], list[list[int]], list[int]]:
    """A worker's share with only the keys and texts its blocks name, renumbered from 0."""
    ids = sorted({i for block in share for i in block})
    local = {i: n for n, i in enumerate(ids)}
    return (
        [keys[i] for i in ids],
        [texts[i] for i in ids],
        [[local[i] for i in block] for block in share],
        ids,
    )


def _search(
    keys: Sequence[str], texts: Sequence[str], jobs: int = 1, executor: Executor | None = None
) -> list[tuple[int, int]]:
    """Edges connecting the near-duplicate clusters of ``keys``: every pair compared up to
    `EXHAUSTIVE_UP_TO` distinct claims, the blocked and windowed search above it (in ``jobs`` processes)."""
    if len(keys) <= EXHAUSTIVE_UP_TO:
        return _edges(keys, texts, _blocks(keys))
    blocks = _blocks(keys)
    if jobs <= 1:
        return _edges(keys, texts, blocks, WINDOW)
    tasks = [_task(share, keys, texts) for share in _shares(blocks, jobs)]
    if executor is not None:
        return [edge for found in executor.map(_edges_task, tasks) for edge in found]
    from concurrent.futures import ProcessPoolExecutor

    from .._gc import quiet_gc

    with ProcessPoolExecutor(max_workers=len(tasks), initializer=quiet_gc) as pool:
        return [edge for found in pool.map(_edges_task, tasks) for edge in found]


class BatchAudit:
    """The batch findings of a run, fed its claim keys one report at a time (`add`), read once at the end.

    What it keeps per claim is compact: where it is (a path number, line and claim number in arrays, 12
    bytes), its group (4) and label (2); texts only once per distinct normalised claim (its key and the wording
    the findings quote). A caller that feeds it as reports arrive need not keep the keys at all.

    Example: ``audit = BatchAudit()``, ``audit.add(claim_keys(result))`` per report, then
    ``audit.findings(jobs=2)``.
    """

    def __init__(self) -> None:
        self._path_ids: dict[str, int] = {}
        self._label_ids: dict[str, int] = {}
        self._groups: dict[str, int] = {}  # normalised claim -> its number, in order of first occurrence
        self._texts: list[str] = []  # per group: the wording of its first occurrence
        self._supported_texts: dict[int, str] = {}  # per group: its first supported wording, when another
        self._group = array("I")  # per claim, in report order: its group, path, line, claim number, label
        self._path = array("I")
        self._line = array("I")
        self._index = array("I")
        self._label = array("H")
        self._path_names: list[str] = []
        self._label_names: list[str] = []

    def __len__(self) -> int:
        return len(self._group)

    def add(self, claims: Iterable[ClaimKey]) -> None:
        """Take the keys of some claims (in report order); claims with an empty key are left out.

        Example: ``audit.add(claim_keys(result))``
        """
        for claim in claims:
            if not claim.key:
                continue
            group = self._groups.get(claim.key)
            if group is None:
                group = self._groups[claim.key] = len(self._texts)
                self._texts.append(claim.text)
            label = self._label_ids.setdefault(claim.label, len(self._label_ids))
            if (
                claim.label == "supported"
                and group not in self._supported_texts
                and claim.text != self._texts[group]
            ):
                self._supported_texts[group] = claim.text
            self._group.append(group)
            self._path.append(self._path_ids.setdefault(claim.path, len(self._path_ids)))
            self._line.append(claim.line)
            self._index.append(claim.claim_index)
            self._label.append(label)

    def _occurrences(self) -> list[array[int]]:
        """The claim numbers of each group, in report order."""
        out = [array("I") for _ in self._texts]
        for n, group in enumerate(self._group):
            out[group].append(n)
        return out

    def findings(self, *, jobs: int = 1, executor: Executor | None = None) -> list[Finding]:
        """`claim_verdict_differs` then `near_duplicate_claim` findings, as `audit_batch` gives them.

        ``jobs`` worker processes share the near-duplicate search of a large batch (the findings are the
        same), in ``executor`` when given (the run's pool), else in a pool made for it.

        Example: ``BatchAudit().findings()`` is ``[]``.
        """
        self._path_names = list(self._path_ids)
        self._label_names = list(self._label_ids)
        occurrences = self._occurrences()
        edges = _search(list(self._groups), self._texts, jobs, executor)
        return self._verdict_findings(occurrences) + self._near_duplicate_findings(occurrences, edges)

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

    def _verdict_findings(self, occurrences: list[array[int]]) -> list[Finding]:
        findings: list[Finding] = []
        for group, members in enumerate(occurrences):
            if len(members) < 2:
                continue
            claims = [self._claim(n) for n in members]
            supported = [n for n, c in zip(members, claims, strict=True) if c[3] == "supported"]
            unsupported = [
                (n, c) for n, c in zip(members, claims, strict=True) if c[3] in ("not_found", "contradicted")
            ]
            if not supported or not unsupported:
                continue
            path, line, index, _ = self._claim(supported[0])
            no_path, no_line, no_index, no_label = unsupported[0][1]
            text = self._supported_texts.get(group, self._texts[group])
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
        self, occurrences: list[array[int]], edges: list[tuple[int, int]]
    ) -> list[Finding]:
        components = _Components(len(occurrences))
        for i, j in edges:
            components.join(i, j)
        root = components.root
        clusters: dict[int, list[int]] = defaultdict(list)
        for group in range(len(occurrences)):
            clusters[root(group)].append(group)
        findings: list[Finding] = []
        for members in clusters.values():
            claims = [n for group in members for n in occurrences[group]]
            if len({self._path[n] for n in claims}) < 2:
                continue
            path, line, index, _ = self._claim(claims[0])
            wheres = [self._where(n) for n in claims]
            findings.append(
                Finding(
                    code="near_duplicate_claim",
                    severity="info",
                    message=(
                        f"the claim {quote(self._texts[members[0]])} appears in "
                        f"{len({self._path[n] for n in claims})} reports"
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
    compact record of each is kept. ``jobs`` worker processes share the near-duplicate search of a large
    batch (the findings are the same), in ``executor`` when given (the run's pool), else in a pool made for it.

    Example: ``audit_batch_keys(k for r in results for k in claim_keys(r))``
    """
    audit = BatchAudit()
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
