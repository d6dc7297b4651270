"""Issue #15's passive comparatives on real abstracts: the development set the rule was written on.

`data/dev_passive.json` holds 21 faithful claims that restate a comparison of a SciFact or arXiv abstract in
the passive ("B is outperformed by A", "B is surpassed in specificity by A") or with the loser first ("B lags
behind A"), and 11 that swap its sides; none of their abstracts is a source of `data/heldout_kinds.json`,
which stays the held-out measure (`test_match_heldout.py`). The floors are what the matcher reaches (on main
before the rule: 10 of 21 faithful verified, 6 of 11 reversed contradicted).
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import pytest

from _claim_sets import labelled

FAITHFUL_FLOOR = 20  # of 21 verified
CONTRADICTED_FLOOR = 11  # of 11 reversed labelled contradicted


@pytest.fixture(scope="module")
def results() -> list[tuple[dict[str, str], str]]:
    return labelled("dev_passive.json")


def test_passive_comparatives(results: list[tuple[dict[str, str], str]]) -> None:
    faithful = [label for case, label in results if case["label"] == "supported"]
    reversed_ = [label for case, label in results if case["label"] == "contradicted"]
    verified = sum(label == "supported" for label in faithful)
    contradicted = sum(label == "contradicted" for label in reversed_)
    print(
        f"faithful verified {verified}/{len(faithful)}; reversed contradicted {contradicted}/{len(reversed_)}"
    )
    assert (len(faithful), len(reversed_)) == (21, 11)
    assert "supported" not in reversed_
    assert verified >= FAITHFUL_FLOOR
    assert contradicted >= CONTRADICTED_FLOOR
