"""Batch findings from compact claim keys, and the blocking that keeps near-duplicate search fast on large runs."""

from __future__ import annotations

import random

import pytest

import claimcheck._audit._search as search_module
from claimcheck._audit import ClaimKey, audit_batch_keys
from claimcheck._audit._text import normalise_claim

BASE = [
    "Intermediate-task training on SQuAD, MNLI, and HellaSwag yields the largest gains on XTREME.",
    "Multi-task intermediate training on all 9 tasks performs best for 4 of the 7 target tasks.",
    "TyDiQA shows consistent improvements with many intermediate tasks, unlike BUCC and Tatoeba.",
    "Applying intermediate-task training to BUCC and Tatoeba hurts sentence retrieval performance.",
    "We obtain a 5.4 point improvement over XLM-R Large on the XTREME benchmark.",
]


def _keys(n_reports: int, seed: int = 3) -> list[ClaimKey]:
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    keys = []
    for r in range(n_reports):
        for i, text in enumerate(rng.sample(BASE, k=3), 1):
            words = text.split()
            edit = rng.random()
            if edit < 0.3:
                del words[rng.randrange(1, len(words) - 1)]
            elif edit < 0.5:
                words = words[: rng.randrange(8, len(words))]  # a truncated copy
            elif edit < 0.6:
                words.append(str(rng.randint(1, 9)))
            text = " ".join(words)
            label = rng.choice(["supported", "not_found", "contradicted"])
            keys.append(ClaimKey(f"r{r:03d}.md", 30 + i, i, text, normalise_claim(text), label))
    return keys


def test_claim_key_names_where_the_claim_is() -> None:
    assert ClaimKey("a.txt", 31, 5, "X", "x", "supported").where == "a.txt:31"


def test_blocked_search_finds_the_clusters_of_the_exhaustive_one(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _keys(60)
    exhaustive = audit_batch_keys(keys)
    assert {f.code for f in exhaustive} == {"claim_verdict_differs", "near_duplicate_claim"}
    monkeypatch.setattr(search_module, "EXHAUSTIVE_UP_TO", 0)
    assert audit_batch_keys(keys) == exhaustive


def test_different_numbers_are_different_claims_in_both_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    a = "We obtain a 5.4 point improvement over XLM-R Large on the XTREME benchmark."
    b = "We obtain a 7.5 point improvement over XLM-R Large on the XTREME benchmark."
    keys = [
        ClaimKey("a.md", 31, 1, a, normalise_claim(a), "supported"),
        ClaimKey("b.md", 31, 1, b, normalise_claim(b), "supported"),
        ClaimKey("c.md", 31, 1, a + " ", normalise_claim(a), "supported"),
    ]
    for limit in (1000, 0):
        monkeypatch.setattr(search_module, "EXHAUSTIVE_UP_TO", limit)
        (near,) = [f for f in audit_batch_keys(keys) if f.code == "near_duplicate_claim"]
        assert near.details["occurrences"] == ["a.md:31", "c.md:31"]


def test_worker_processes_find_the_same_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _keys(60)
    monkeypatch.setattr(search_module, "EXHAUSTIVE_UP_TO", 0)
    assert audit_batch_keys(keys, jobs=2) == audit_batch_keys(keys)
