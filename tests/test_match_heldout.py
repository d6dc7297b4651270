"""A hand-written held-out set of the clause-level kinds of issue #15, on real abstracts.

`data/heldout_kinds.json` holds, per kind (directions beyond the lexicon, passive comparatives, an attribute
swapped inside a sentence that names both values, hedges flipped, negated quantifiers), ten faithful claims and
ten perturbed ones, written by hand on sentences of SciFact cited abstracts and arXiv abstracts, not by
`bench/make_perturbations.py`, and before the rules they measure were changed. They are not for tuning: the
floors below are what the matcher reaches, so a change that loses cases fails here.
Run with ``-s`` to see the per-kind figures.
"""

from __future__ import annotations

import pytest

from _claim_sets import labelled

# Verified flag right, out of 100 (20 per kind), and of the 50 perturbed claims labelled `contradicted`.
FLAG_FLOOR = 97
CONTRADICTED_FLOOR = 48


@pytest.fixture(scope="module")
def results() -> list[tuple[dict[str, str], str]]:
    return labelled("heldout_kinds.json")


def test_heldout_kinds(results: list[tuple[dict[str, str], str]]) -> None:
    per_kind: dict[str, list[int]] = {}
    flags = contradicted = 0
    for case, label in results:
        right = (label == "supported") == (case["label"] == "supported")
        row = per_kind.setdefault(case["kind"], [0, 0, 0, 0])  # true right, true n, perturbed right, n
        row[0 if case["label"] == "supported" else 2] += right
        row[1 if case["label"] == "supported" else 3] += 1
        flags += right
        contradicted += case["label"] == "contradicted" and label == "contradicted"
    for kind, (tr, tn, pr, pn) in sorted(per_kind.items()):
        print(f"{kind:20} faithful {tr}/{tn}  perturbed {pr}/{pn}")
    print(f"verified flag right {flags}/{len(results)}; perturbed labelled contradicted {contradicted}/50")
    assert len(results) == 100
    assert flags >= FLAG_FLOOR
    assert contradicted >= CONTRADICTED_FLOOR
