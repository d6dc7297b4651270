"""A sixth dev set (`data/dev_kinds6.json`): 40 claims on 40 SciFact cited abstracts no other set uses, written
blind by a session that did not read the matcher: 24 passive comparatives ("the rate in A was exceeded by that
in B", "bettered by", "outnumbered by"), 8 negations of a participle ("patients not given X"), 8 active
comparatives reworded. It got 15 of 40 at first; the rules it led to (an amount compared between two groups,
"higher in A than in B", has the groups as its sides; "exceeds" is "has more of"; "bettered" ranks; a negated
participle describes) bring it to 20. Most of what is left needs more than words: "the cases" for "men who
went on to develop gastric cancer", superlatives, figures compared without a comparative. The floor is what
the matcher reaches, so a change that loses cases fails here. Run with ``-s``.
"""

from __future__ import annotations

import pytest

from _claim_sets import flag_right_by_kind, labelled

FLAG_FLOOR = 20  # verified flag right, of 40 (15 at first)


@pytest.fixture(scope="module")
def results() -> list[tuple[dict[str, str], str]]:
    return labelled("dev_kinds6.json")


def test_dev_kinds6(results: list[tuple[dict[str, str], str]]) -> None:
    flags = flag_right_by_kind(results)
    assert len(results) == 40
    assert flags >= FLAG_FLOOR
