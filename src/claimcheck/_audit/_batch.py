"""Batch-level checks over many reports: one claim judged differently, and claims repeated across reports.

They need only a compact key per claim (`ClaimKey`: where it is, its text and recomputed label), so a run
of any size keeps these, not the verified reports; `BatchAudit` takes them as they come and keeps less still.
Its near-duplicate search (`_search`) compares every pair up to `EXHAUSTIVE_UP_TO` distinct claims and is
blocked and windowed above it, so that its cost grows linearly with the batch.

Memory is bounded by design: the texts (each distinct claim's normalised key, the wordings the findings quote)
are kept on disk, in private SQLite files in a new temporary directory (`ClaimStore`), and read back a group
of blocks at a time for the search. In memory there are only arrays: 18 bytes per claim (where it is, its
label and its distinct claim) and 1 per distinct claim while the batch is fed; at the end, 8 bytes per claim
and 4 per distinct claim (occurrences, counting-sorted), plus what the search holds (see `_search`: about 64
bytes per distinct claim for a moment, and what does not grow with the batch) and the vocabulary's word
counts (which grow far slower than the batch). The findings themselves are the output: they grow with what
they report.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import BrokenExecutor, CancelledError, Executor, Future
from typing import NamedTuple

from .._errors import ClaimcheckError
from .._models import Finding, Report, ReportResult
from ._search import (
    EXHAUSTIVE_UP_TO,
    WINDOW,
    Components,
    SearchTask,
    buckets,
    search,
    search_file,
    search_task,
)
from ._store import ClaimStore
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
    labels: Iterable[str] = (
        [c.recomputed.label for c in report.claims]
        if isinstance(report, ReportResult)
        else [_EXPECTED] * len(report.claims)
    )
    return [
        ClaimKey(report.path, c.line, c.index, c.text, normalise_claim(c.text), label)
        for c, label in zip(report.claims, labels, strict=True)
    ]


class BatchAudit:
    """The batch findings of a run, fed its claim keys one report at a time (`add`), read once at the end.

    What it keeps in memory per claim is 18 bytes of arrays: where it is (a path number, line and claim
    number, 12 bytes), its distinct claim's number (4) and its label (2); per distinct claim 1 byte. The
    texts (each distinct claim's normalised key, its first wording and its first supported wording) are on
    disk, in private temporary files (`ClaimStore`) removed by `close` (or a ``with`` block, or when the
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
        self._store: ClaimStore | None = None  # made with the first claim
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

    def _open_store(self) -> ClaimStore:
        if self._closed:
            raise ClaimcheckError("this batch audit is closed")
        if self._store is None:
            self._store = ClaimStore()
        return self._store

    def expect(self, claims: Iterable[ClaimKey]) -> None:
        """Take the keys of some claims (in report order) whose labels are not known yet (theirs here are not
        read): each must come again, labelled, to `add`, in the same order, before any other claim.

        Example: ``audit.expect(claim_keys(report))`` per parsed report, later
        ``audit.add(claim_keys(result))`` per verified one.
        """
        for claim in claims:
            if claim.key:
                self._take(claim if claim.label == _EXPECTED else claim._replace(label=_EXPECTED))

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
            else:
                self._take(claim)

    def _take(self, claim: ClaimKey) -> None:
        """Queue ``claim`` to be stored with the others, `_AT_ONCE` at a time."""
        if not self._pending:
            self._open_store()  # made with the first claim; refused once the audit is closed
        self._pending.append(claim)
        if len(self._pending) >= _AT_ONCE:
            self._store_pending()

    def _label_number(self, group: int, claim: ClaimKey) -> int:
        """The number of ``claim``'s label (in group ``group``); a supported claim may settle the group's
        supported wording."""
        if claim.label == "supported":
            self._open_store().supported(group, claim.text)
        return self._label_ids.setdefault(claim.label, len(self._label_ids))

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
        self._label[n] = self._label_number(self._group[n], claim)

    def _store_pending(self) -> None:
        chunk, self._pending = self._pending, []
        if not chunk:
            return
        store = self._open_store()
        groups = store.groups([(claim.key, claim.text) for claim in chunk])
        for claim, group in zip(chunk, groups, strict=True):
            self._group.append(group)
            self._path.append(self._path_ids.setdefault(claim.path, len(self._path_ids)))
            self._line.append(claim.line)
            self._index.append(claim.claim_index)
            self._label.append(_NO_LABEL if claim.label == _EXPECTED else self._label_number(group, claim))

    def search_ahead(
        self,
        submit: Callable[
            [Callable[[SearchTask], list[tuple[int, int]]], SearchTask], Future[list[tuple[int, int]]] | None
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
        task = search_task(store)
        future = submit(search_file, task)
        if future is not None:
            _, _, searched = task
            self._ahead = (future, searched)

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
        occurrences = buckets(group, n)
        verdicts = self._verdict_findings(store, *occurrences)
        edges = self._searched(n)
        if edges is None:
            edges = search(store, n, jobs, executor)
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

    def _verdict_findings(self, store: ClaimStore, starts: array[int], order: array[int]) -> list[Finding]:
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
        self, n: int, store: ClaimStore, starts: array[int], order: array[int], edges: list[tuple[int, int]]
    ) -> list[Finding]:
        components = Components(n)
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
        bounds, groups = buckets(cluster, count)
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
