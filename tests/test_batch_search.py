"""The blocked near-duplicate search against the exact pairwise one and an in-memory one, its cost, its workers,
the streaming audit and its texts kept on disk."""

from __future__ import annotations

import importlib.util
import itertools
import random
import sqlite3
import sys
import tempfile
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from rapidfuzz import fuzz, process

import claimcheck._audit._batch as batch
import claimcheck._audit._search as search_module
import claimcheck._audit._store as store_module
from claimcheck._audit import BatchAudit, ClaimKey, audit_batch_keys
from claimcheck._audit._claims import DUPLICATE_SIMILARITY, digit_set, same_normalised_claim
from claimcheck._audit._text import normalise_claim
from claimcheck._errors import ClaimcheckError


def _bench() -> ModuleType:
    """bench/bench_batch.py, whose generator of realistic rewrites the benchmark and these tests share."""
    path = Path(__file__).resolve().parent.parent / "bench" / "bench_batch.py"
    spec = importlib.util.spec_from_file_location("bench_batch", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_batch", module)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def _key(path: str, line: int, text: str, label: str = "supported") -> ClaimKey:
    return ClaimKey(path, line, 1, text, normalise_claim(text), label)


def _clusters(findings: list[Any]) -> set[frozenset[str]]:
    return {frozenset(f.details["occurrences"]) for f in findings if f.code == "near_duplicate_claim"}


@pytest.fixture(scope="module")
def rewrites() -> list[ClaimKey]:
    """About 2,500 distinct claims from 60 base claims: large clusters, as in a real archive's hot topics."""
    return list(BENCH.near_duplicate_keys(2500, bases=60))


@pytest.fixture(scope="module")
def exact_findings(rewrites: list[ClaimKey]) -> list[Any]:
    return list(BENCH.exact(rewrites))


def test_blocked_search_keeps_the_exact_searchs_pairs(
    rewrites: list[ClaimKey], exact_findings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "EXHAUSTIVE_UP_TO", 0)
    blocked = audit_batch_keys(rewrites)
    # Measured on these claims: the search of main (3 rarest words, every pair of a block) kept 99.4% of
    # the exact search's pairs; this one keeps more, and compares far fewer pairs in a large cluster.
    assert BENCH.pair_recall(exact_findings, blocked) >= 0.995
    # every pair it joins is one the exact search joins: it never invents a near duplicate
    exact = _clusters(exact_findings)
    assert all(any(cluster <= other for other in exact) for cluster in _clusters(blocked))
    # the verdict findings do not depend on the search at all
    assert [f for f in blocked if f.code == "claim_verdict_differs"] == [
        f for f in exact_findings if f.code == "claim_verdict_differs"
    ]


def test_small_batches_are_searched_exhaustively(rewrites: list[ClaimKey]) -> None:
    keys = rewrites[:600]
    assert len({k.key for k in keys}) <= batch.EXHAUSTIVE_UP_TO
    assert audit_batch_keys(keys) == BENCH.exact(keys)


def test_a_large_cluster_costs_a_capped_number_of_comparisons(monkeypatch: pytest.MonkeyPatch) -> None:
    base = (
        "Intermediate-task training on SQuAD, MNLI and HellaSwag yields the largest gains on the XTREME "
        "benchmark, while sentence retrieval tasks such as BUCC and Tatoeba see no benefit from it at all."
    )
    rng = random.Random(1)  # noqa: S311 (test data, not security)
    texts = [BENCH.reword(BENCH.reword(base, rng), rng) for _ in range(3000)]
    keys = [_key(f"r{i}.md", 10, t) for i, t in enumerate(texts)]
    exact = BENCH.exact(keys)
    compared = 0
    extract = process.extract

    def counting(query: str, choices: list[str], **kwargs: Any) -> Any:
        nonlocal compared
        compared += len(choices)
        return extract(query, choices, **kwargs)

    monkeypatch.setattr(process, "extract", counting)
    monkeypatch.setattr(search_module, "EXHAUSTIVE_UP_TO", 0)
    found = audit_batch_keys(keys)
    # Neighbours in the sort orders connect nearly all of each cluster; what they miss is a claim cut
    # short after an edit whose only near duplicates, cut elsewhere, sort far from it.
    assert BENCH.pair_recall(exact, found) >= 0.98
    distinct = len({k.key for k in keys})
    assert distinct > 1000  # a few blocks, each far larger than the window
    blocks_per_claim = search_module._ANCHORS + search_module._START_ANCHORS
    assert compared <= blocks_per_claim * 2 * search_module.WINDOW * distinct < distinct**2 // 2


def test_the_digit_test_turns_away_only_wordings_with_other_numbers(
    rewrites: list[ClaimKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every pair the whole comparison calls one claim passes it: the rewrites, and hand-made pairs with
    # digits of other scripts and a wording cut short before the other's later figures.
    made = [
        "Accuracy on XNLI rises to ٩٢٫٥ points with intermediate-task training",
        "Accuracy on XNLI rises to ٩٢٫٥ points with intermediate task training",
        "Accuracy on XNLI rises to ٩٣٫٥ points with intermediate-task training",
        "Intermediate-task training on MNLI improves XNLI accuracy by 5.4 points and PAWS-X by 3.1",
        "Intermediate-task training on MNLI improves XNLI accuracy by 5.4 points",
    ]
    texts = [*dict.fromkeys(k.text for k in rewrites[:900]), *made]
    keys = [normalise_claim(t) for t in texts]
    passed = turned_away = 0
    for i, j in itertools.combinations(range(len(texts)), 2):
        if keys[i] == keys[j] or fuzz.ratio(keys[i], keys[j]) < DUPLICATE_SIMILARITY * 0.6:
            continue  # (the search compares distinct keys, each by its first wording)
        short, long = (i, j) if len(texts[i]) <= len(texts[j]) else (j, i)
        kept = digit_set(texts[short]) <= digit_set(texts[long])
        if same_normalised_claim(texts[i], keys[i], texts[j], keys[j]):
            assert kept, (texts[i], texts[j])
            passed += 1
        turned_away += not kept
    assert passed > 1000 and turned_away > 500
    assert digit_set(made[0]) != digit_set(made[2])
    # and the blocked search finds the same clusters with it as without it
    monkeypatch.setattr(search_module, "EXHAUSTIVE_UP_TO", 0)
    with_test = audit_batch_keys(rewrites)
    monkeypatch.setattr(search_module, "digit_set", lambda text: frozenset())
    assert audit_batch_keys(rewrites) == with_test


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The distinct claim numbers of every read of keys and wordings from the audit's file, as they happen."""
    reads: list[list[int]] = []
    read = store_module.read_claims

    def recording(conn: sqlite3.Connection, ids: Sequence[int], path: str) -> Any:
        reads.append(list(ids))
        return read(conn, ids, path)

    monkeypatch.setattr(store_module, "read_claims", recording)
    return reads


class _RecordingExecutor(Executor):
    """Runs tasks in this process and records what each was given and what it read from the audit's file."""

    def __init__(self, reads: list[list[int]]) -> None:
        self.reads = reads
        self.tasks: list[tuple[Any, list[list[int]]]] = []

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], **_: Any) -> Iterator[Any]:
        for task in zip(*iterables, strict=True):
            before = len(self.reads)
            out = fn(*task)
            self.tasks.append((task[0], self.reads[before:]))
            yield out


def test_each_worker_reads_only_the_texts_of_its_own_blocks(
    rewrites: list[ClaimKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "EXHAUSTIVE_UP_TO", 0)
    alone = audit_batch_keys(rewrites)
    pool = _RecordingExecutor(_reads(monkeypatch))
    assert audit_batch_keys(rewrites, jobs=2, executor=pool) == alone
    distinct = len({k.key for k in rewrites})
    assert len(pool.tasks) == 2
    for (path, members, bounds, n), reads in pool.tasks:
        # a worker is sent its blocks as arrays and the file's path, not the texts
        assert isinstance(path, str) and n == distinct and len(bounds) >= 2
        mine = set(members)
        read = {i for ids in reads for i in ids}
        assert reads and read <= mine and len(mine) < distinct


def _reference_clusters(keys: list[ClaimKey]) -> set[frozenset[str]]:
    """The blocked, windowed search as first written, all in memory: a list of keys and wordings, a set of
    claims per anchor word, every window pair of every block checked (no pair skipped as already joined)."""
    occurrences: dict[str, list[ClaimKey]] = {}
    for k in keys:
        occurrences.setdefault(k.key, []).append(k)
    norm = list(occurrences)
    texts = [occurrences[k][0].text for k in norm]

    def words(text: str) -> set[str]:
        return {w for w in text.split() if len(w) >= 3 and w.isalpha()}

    df = Counter(w for key in norm for w in words(key))

    def rarest(ws: set[str], m: int) -> list[str]:
        return sorted(ws, key=lambda w: (df[w], w))[:m]

    blocks: dict[str, set[int]] = defaultdict(set)
    for i, key in enumerate(norm):
        for w in rarest(words(key), search_module._ANCHORS) + rarest(
            words(key[: search_module._START]), search_module._START_ANCHORS
        ):
            blocks[w].add(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) <= search_module.WINDOW + 1:
            pairs.update(itertools.combinations(sorted(members), 2))
            continue
        for order in (
            sorted(members, key=lambda i: (norm[i], i)),
            sorted(members, key=lambda i: (" ".join(reversed(norm[i].split())), i)),
        ):
            for p, i in enumerate(order):
                pairs.update((min(i, j), max(i, j)) for j in order[p + 1 : p + search_module.WINDOW + 1])
    parent = list(range(len(norm)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for pair in pairs:
        a, b = sorted(pair, key=lambda i: (len(norm[i]), i))
        if fuzz.ratio(norm[a], norm[b][: len(norm[a])]) >= DUPLICATE_SIMILARITY and same_normalised_claim(
            texts[a], norm[a], texts[b], norm[b], starts_checked=True
        ):
            parent[root(b)] = root(a)
    clusters: dict[int, list[ClaimKey]] = defaultdict(list)
    for i, key in enumerate(norm):
        clusters[root(i)] += occurrences[key]
    return {
        frozenset(k.where for k in cluster)
        for cluster in clusters.values()
        if len({k.path for k in cluster}) > 1
    }


def test_the_search_reads_a_group_of_blocks_at_a_time_and_finds_the_in_memory_clusters(
    rewrites: list[ClaimKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    distinct = len({k.key for k in rewrites})
    assert distinct > batch.EXHAUSTIVE_UP_TO  # the blocked search, as a large batch gets it
    whole = audit_batch_keys(rewrites)
    reads = _reads(monkeypatch)
    monkeypatch.setattr(search_module, "_GROUP", 500)
    found = audit_batch_keys(rewrites)
    assert found == whole
    assert _clusters(found) == _reference_clusters(rewrites)
    # the texts come from the audit's file, a group of blocks at a time: never all of them at once
    largest = max(len(ids) for ids in reads)
    assert len(reads) > 3 and largest < distinct
    with batch.BatchAudit() as audit:
        audit.add(rewrites)
        audit._store_pending()  # (the last keys fed wait to be stored together)
        blocks = search_module._blocks(audit._store.keys)  # type: ignore[union-attr]
    assert largest <= max(500, *(len(blocks.block(b)) for b in range(len(blocks))))


def test_the_audit_keeps_its_texts_on_disk_in_a_temporary_file(rewrites: list[ClaimKey]) -> None:
    def arriving() -> Iterator[ClaimKey]:
        # each key's strings new, as they arrive from a worker: kept only if the audit keeps them
        for k in rewrites:
            yield ClaimKey(
                k.path, k.line, k.claim_index, k.text.encode().decode(), k.key.encode().decode(), k.label
            )

    audit = BatchAudit()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        audit.add(arriving())
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 18 bytes of arrays per claim and each report's path once; the texts alone are about 250 bytes a claim
    assert held / len(rewrites) < 40
    store = audit._store
    assert store is not None
    assert Path(store.path).parent.parent == Path(tempfile.gettempdir())
    with sqlite3.connect(f"{Path(store.path).as_uri()}?mode=ro", uri=True) as conn:
        audit.findings()  # (everything written is committed for the search)
        (rows,) = conn.execute("SELECT COUNT(*) FROM claims").fetchone()
    assert rows == len({k.key for k in rewrites})
    audit.close()
    assert not Path(store.directory).exists()
    with pytest.raises(ClaimcheckError, match="closed"):
        audit.findings()


def test_the_audits_file_is_removed_when_the_search_fails(
    rewrites: list[ClaimKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Any] = []

    class Store(store_module.ClaimStore):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    def failing(*_: Any, **__: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(batch, "ClaimStore", Store)
    monkeypatch.setattr(batch, "search", failing)
    with pytest.raises(MemoryError):
        audit_batch_keys(rewrites[:50])
    (store,) = made
    assert not Path(store.directory).exists()


def test_the_audit_consumes_its_keys_as_a_stream(rewrites: list[ClaimKey]) -> None:
    taken = 0

    def stream() -> Iterator[ClaimKey]:
        nonlocal taken
        for key in rewrites[:900]:
            taken += 1
            yield key

    by_report = BatchAudit()
    for start in range(0, 900, 12):
        by_report.add(rewrites[start : start + 12])
    assert audit_batch_keys(stream()) == by_report.findings() == audit_batch_keys(list(rewrites[:900]))
    assert taken == 900 == len(by_report)


_WORDINGS = (
    "XNLI does not benefit from intermediate tasks",
    "XNLI does not benefit from intermediate tasks.",
    "xnli does not benefit from intermediate tasks",
)


@pytest.mark.parametrize(
    ("labels", "named"),
    [
        # the first wording is not supported: the first supported one is quoted, with its place
        (("not_found", "supported", "supported"), 1),
        # the first wording is supported: a later supported rewording is not the one quoted for it
        (("supported", "supported", "not_found"), 0),
    ],
)
def test_the_verdict_finding_quotes_the_wording_of_the_claim_it_names(
    labels: tuple[str, str, str], named: int
) -> None:
    keys = [
        _key(path, line, text, label)
        for path, line, text, label in zip(
            ("a.md", "b.md", "c.md"), (3, 4, 5), _WORDINGS, labels, strict=True
        )
    ]
    (differs,) = [f for f in audit_batch_keys(keys) if f.code == "claim_verdict_differs"]
    assert (differs.path, differs.line) == (keys[named].path, keys[named].line)
    assert f'"{_WORDINGS[named]}" is supported' in differs.message
    assert differs.details == {
        "supported_in": [k.where for k in keys if k.label == "supported"],
        "unsupported_in": [k.where for k in keys if k.label != "supported"],
    }


def _in_reports(keys: Sequence[ClaimKey], size: int = 12) -> Iterator[Sequence[ClaimKey]]:
    return (keys[start : start + size] for start in range(0, len(keys), size))


@pytest.mark.parametrize("exhaustive_up_to", [search_module.EXHAUSTIVE_UP_TO, 500])
def test_claims_expected_then_labelled_give_the_findings_of_labelled_claims(
    rewrites: list[ClaimKey], exhaustive_up_to: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "EXHAUSTIVE_UP_TO", exhaustive_up_to)
    whole = audit_batch_keys(rewrites)
    assert any(f.code == "claim_verdict_differs" for f in whole)
    with BatchAudit() as audit, ProcessPoolExecutor(1) as pool:
        for report in _in_reports(rewrites):
            # the labels given with the expected claims are not read
            audit.expect([k._replace(label="contradicted") for k in report])
        audit.search_ahead(pool.submit)

        def nowhere(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the search ran again")

        monkeypatch.setattr(batch, "search", nowhere)  # the worker's search is the one used
        for report in _in_reports(rewrites):
            audit.add(report)
        assert audit.findings() == whole


def test_expected_claims_never_labelled_are_left_out(
    rewrites: list[ClaimKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        batch, "EXHAUSTIVE_UP_TO", 500
    )  # blocked: the blocking's word counts are the prefix's
    done = rewrites[:1500]
    with BatchAudit() as audit, ProcessPoolExecutor(1) as pool:
        audit.expect(rewrites)
        audit.search_ahead(pool.submit)
        audit.add(done)
        assert audit.findings() == audit_batch_keys(done)


def test_claims_taken_after_the_search_ahead_are_searched_too(rewrites: list[ClaimKey]) -> None:
    with BatchAudit() as audit, ProcessPoolExecutor(1) as pool:
        audit.expect(rewrites[:1000])
        audit.search_ahead(pool.submit)
        audit.add(rewrites[:1000])
        audit.add(rewrites[1000:1800])  # not expected: new claims, so the search ahead is out of date
        assert audit.findings() == audit_batch_keys(rewrites[:1800])


def test_a_search_ahead_that_never_ran_is_done_at_the_end(rewrites: list[ClaimKey]) -> None:
    keys = rewrites[:900]
    with BatchAudit() as audit:
        audit.expect(keys)
        audit.search_ahead(lambda fn, task: None)  # a pool that cannot (one job)
        audit.add(keys)
        assert audit.findings() == audit_batch_keys(keys)
    with BatchAudit() as audit:
        audit.expect(keys)
        cancelled: Future[Any] = Future()
        cancelled.cancel()
        audit.search_ahead(lambda fn, task: cancelled)  # its pool stopped before it ran
        audit.add(keys)
        assert audit.findings() == audit_batch_keys(keys)


def test_a_claim_labelled_out_of_order_is_refused(rewrites: list[ClaimKey]) -> None:
    with BatchAudit() as audit:
        audit.expect(rewrites[:3])
        audit.add(rewrites[:1])
        with pytest.raises(ClaimcheckError, match=r"expected archive/\S+:42 \(claim 2\)"):
            audit.add(rewrites[2:3])
