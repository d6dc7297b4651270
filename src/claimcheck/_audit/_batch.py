"""Batch-level checks over many reports: one claim judged differently, and claims repeated across reports.

They need only a compact key per claim (`ClaimKey`: where it is, its text and recomputed label), so a run
of any size keeps these, not the verified reports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from typing import NamedTuple

from rapidfuzz import fuzz, process

from .._models import Finding, ReportResult
from ._claims import DUPLICATE_SIMILARITY, NUMBER, same_normalised_claim
from ._text import normalise_claim, quote

__all__ = ["EXHAUSTIVE_UP_TO", "ClaimKey", "audit_batch", "audit_batch_keys", "claim_keys"]

EXHAUSTIVE_UP_TO = 2000
"""Up to this many distinct claims, every pair is compared for near duplicates; above it (the comparison is
quadratic), only pairs that share one of their rarest words (see `_blocks`)."""

_ANCHORS = 3


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


def claim_keys(report: ReportResult) -> list[ClaimKey]:
    """The `ClaimKey` of every claim of a verified report.

    Example: ``[k.where for k in claim_keys(report)]``
    """
    return [
        ClaimKey(report.path, c.line, c.index, c.text, normalise_claim(c.text), c.recomputed.label)
        for c in report.claims
    ]


def _how(claim: ClaimKey) -> str:
    return "contradicted" if claim.label == "contradicted" else "not supported"


def _verdict_findings(groups: dict[str, list[ClaimKey]]) -> list[Finding]:
    findings: list[Finding] = []
    for occurrences in groups.values():
        supported = [o for o in occurrences if o.label == "supported"]
        unsupported = [o for o in occurrences if o.label in ("not_found", "contradicted")]
        if not supported or not unsupported:
            continue
        first_yes, first_no = supported[0], unsupported[0]
        findings.append(
            Finding(
                code="claim_verdict_differs",
                severity="info",
                message=(
                    f"the same claim {quote(first_yes.text)} is supported by the references of "
                    f"{first_yes.where} (claim {first_yes.claim_index}) but "
                    f"{_how(first_no)} by those of {first_no.where} (claim {first_no.claim_index})"
                    + (
                        f"; {len(supported)} reports support it, {len(unsupported)} do not"
                        if len(occurrences) > 2
                        else ""
                    )
                ),
                line=first_yes.line,
                claim_index=first_yes.claim_index,
                path=first_yes.path,
                details={
                    "supported_in": [o.where for o in supported],
                    "unsupported_in": [o.where for o in unsupported],
                },
            )
        )
    return findings


def _blocks(keys: Sequence[str]) -> list[list[int]]:
    """Groups of key indices to compare pairwise: all of them, or for a large batch those sharing one of their
    `_ANCHORS` rarest words (a near duplicate differs by a word or two, so it keeps most of them)."""
    if len(keys) <= EXHAUSTIVE_UP_TO:
        return [list(range(len(keys)))]
    words = [{w for w in key.split() if len(w) >= 3 and w.isalpha()} for key in keys]
    df = Counter(w for ws in words for w in ws)
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(words):
        for w in sorted(ws, key=lambda w: (df[w], w))[:_ANCHORS]:
            blocks[w].append(i)
    return [members for members in blocks.values() if len(members) > 1]


def _partners(order: list[int], texts: list[str], *, exhaustive: bool) -> Callable[[int], list[int]]:
    """The keys to compare with the ``a``-th of ``order`` (those after it): all of them, or in a large batch
    those whose numbers include or are included in its own (the same claim states the same numbers; the
    longer may have more in the part the shorter lacks)."""
    if exhaustive:
        return lambda a: order[a + 1 :]
    numbers = [frozenset(NUMBER.findall(t)) for t in texts]
    by_numbers: dict[frozenset[str], list[int]] = defaultdict(list)
    for a, found in enumerate(numbers):
        by_numbers[found].append(a)
    fits = {
        found: sorted(
            b for other, members in by_numbers.items() if found <= other or other <= found for b in members
        )
        for found in by_numbers
    }

    def partners(a: int) -> list[int]:
        return [order[b] for b in fits[numbers[a]] if b > a]

    return partners


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
    keys: Sequence[str], texts: Sequence[str], blocks: Sequence[list[int]], exhaustive: bool
) -> list[tuple[int, int]]:
    """Pairs of keys that are the same claim, enough of them to connect every cluster within ``blocks``."""
    found = _Components(len(keys))
    edges: list[tuple[int, int]] = []
    for block in blocks:
        if len({found.root(i) for i in block}) == 1:
            continue  # already one cluster (through an earlier block): no edge to find here
        # Each pair once, the shorter key first: `same_normalised_claim` needs the shorter key to match the
        # same-length start of the longer at DUPLICATE_SIMILARITY, which rapidfuzz checks in C for all of
        # them at once. The clusters are the connected pairs, whatever the order they are found in.
        order = sorted(block, key=lambda i: (len(keys[i]), i))
        partners = _partners(order, [texts[i] for i in order], exhaustive=exhaustive)
        for a, i in enumerate(order):
            short = keys[i]
            rest = partners(a)
            starts = [keys[j][: len(short)] for j in rest]
            candidates = process.extract(
                short, starts, scorer=fuzz.ratio, score_cutoff=DUPLICATE_SIMILARITY, limit=None
            )
            for _, _, offset in candidates:
                j = rest[offset]
                if found.root(i) != found.root(j) and same_normalised_claim(
                    texts[i], short, texts[j], keys[j]
                ):
                    found.join(i, j)
                    edges.append((i, j))
    return edges


def _edges_task(task: tuple[list[str], list[str], list[list[int]]]) -> list[tuple[int, int]]:
    return _edges(*task, exhaustive=False)


def _shares(blocks: list[list[int]], n: int) -> list[list[list[int]]]:
    """``blocks`` dealt into ``n`` shares of about equal work (pairs), largest first."""
    shares: list[list[list[int]]] = [[] for _ in range(n)]
    work = [0] * n
    for block in sorted(blocks, key=len, reverse=True):
        k = work.index(min(work))
        shares[k].append(block)
        work[k] += len(block) ** 2
    return [share for share in shares if share]


def _near_duplicate_findings(
    groups: dict[str, list[ClaimKey]], jobs: int = 1, executor: Executor | None = None
) -> list[Finding]:
    keys = list(groups)
    texts = [groups[key][0].text for key in keys]
    blocks = _blocks(keys)
    if len(keys) <= EXHAUSTIVE_UP_TO or jobs <= 1:
        edges = _edges(keys, texts, blocks, exhaustive=len(keys) <= EXHAUSTIVE_UP_TO)
    else:
        tasks = [(keys, texts, share) for share in _shares(blocks, jobs)]
        if executor is not None:
            edges = [edge for found in executor.map(_edges_task, tasks) for edge in found]
        else:
            from concurrent.futures import ProcessPoolExecutor

            from .._gc import quiet_gc

            with ProcessPoolExecutor(max_workers=len(tasks), initializer=quiet_gc) as pool:
                edges = [edge for found in pool.map(_edges_task, tasks) for edge in found]
    components = _Components(len(keys))
    for i, j in edges:
        components.join(i, j)
    root = components.root

    clusters: dict[int, list[str]] = defaultdict(list)
    for i, key in enumerate(keys):
        clusters[root(i)].append(key)
    findings: list[Finding] = []
    for members in clusters.values():
        occurrences = [o for key in members for o in groups[key]]
        paths = sorted({o.path for o in occurrences})
        if len(paths) < 2:
            continue
        first = occurrences[0]
        findings.append(
            Finding(
                code="near_duplicate_claim",
                severity="info",
                message=(
                    f"the claim {quote(first.text)} appears in {len(paths)} reports"
                    + (f" in {len(members)} nearly identical wordings" if len(members) > 1 else "")
                    + ": "
                    + ", ".join(o.where for o in occurrences)
                ),
                line=first.line,
                claim_index=first.claim_index,
                path=first.path,
                details={"occurrences": [o.where for o in occurrences]},
            )
        )
    return findings


def audit_batch_keys(
    claims: Iterable[ClaimKey], *, jobs: int = 1, executor: Executor | None = None
) -> list[Finding]:
    """`audit_batch` over the compact keys of the claims (in report order), as the streaming pipeline keeps them.

    ``jobs`` worker processes share the near-duplicate search of a large batch (the findings are the same),
    in ``executor`` when given (the run's pool), else in a pool made for it.

    Example: ``audit_batch_keys(k for r in results for k in claim_keys(r))``
    """
    groups: dict[str, list[ClaimKey]] = defaultdict(list)
    for claim in claims:
        if claim.key:
            groups[claim.key].append(claim)
    return _verdict_findings(groups) + _near_duplicate_findings(groups, jobs, executor)


def audit_batch(reports: Sequence[ReportResult]) -> list[Finding]:
    """Findings across reports: the same claim supported in one report and unsupported in another, and
    near-duplicate wordings of one claim in several reports (both ``info``).

    Parameters: ``reports``, the verified reports of one run.

    Example: a claim recomputed as supported in ``a.txt`` and not found in ``b.txt`` gives one
    ``claim_verdict_differs`` finding naming ``a.txt:31`` and ``b.txt:40``.
    """
    return audit_batch_keys(k for report in reports for k in claim_keys(report))
