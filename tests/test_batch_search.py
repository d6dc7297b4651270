"""The blocked near-duplicate search against the exact pairwise one, its cost, its workers, and the streaming audit."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from rapidfuzz import process

import claimcheck._audit._batch as batch
from claimcheck._audit import BatchAudit, ClaimKey, audit_batch_keys
from claimcheck._audit._text import normalise_claim


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
    monkeypatch.setattr(batch, "EXHAUSTIVE_UP_TO", 0)
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
    monkeypatch.setattr(batch, "EXHAUSTIVE_UP_TO", 0)
    found = audit_batch_keys(keys)
    # Neighbours in the sort orders connect nearly all of each cluster; what they miss is a claim cut
    # short after an edit whose only near duplicates, cut elsewhere, sort far from it.
    assert BENCH.pair_recall(exact, found) >= 0.98
    distinct = len({k.key for k in keys})
    assert distinct > 1000  # a few blocks, each far larger than the window
    blocks_per_claim = batch._ANCHORS + batch._START_ANCHORS
    assert compared <= blocks_per_claim * 2 * batch.WINDOW * distinct < distinct**2 // 2


class _RecordingExecutor(Executor):
    """Runs tasks in this process and records what each was given."""

    def __init__(self) -> None:
        self.tasks: list[Any] = []

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], **_: Any) -> Iterator[Any]:
        for task in zip(*iterables, strict=True):
            self.tasks.append(task[0])
            yield fn(*task)


def test_each_worker_gets_only_the_keys_of_its_own_blocks(
    rewrites: list[ClaimKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "EXHAUSTIVE_UP_TO", 0)
    pool = _RecordingExecutor()
    assert audit_batch_keys(rewrites, jobs=2, executor=pool) == audit_batch_keys(rewrites)
    distinct = len({k.key for k in rewrites})
    assert len(pool.tasks) == 2
    for keys, texts, blocks, ids in pool.tasks:
        assert len(keys) == len(texts) == len(ids) < distinct
        assert {i for block in blocks for i in block} == set(range(len(keys)))


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


def test_the_verdict_finding_quotes_the_first_supported_wording() -> None:
    keys = [
        _key("a.md", 3, "XNLI does not benefit from intermediate tasks", "not_found"),
        _key("b.md", 4, "XNLI does not benefit from intermediate tasks.", "supported"),
        _key("c.md", 5, "xnli does not benefit from intermediate tasks", "supported"),
    ]
    (differs,) = [f for f in audit_batch_keys(keys) if f.code == "claim_verdict_differs"]
    assert "tasks." in differs.message and differs.path == "b.md"
    assert differs.details == {"supported_in": ["b.md:4", "c.md:5"], "unsupported_in": ["a.md:3"]}
