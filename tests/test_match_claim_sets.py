"""The hand-written claim sets of issue #15's kinds (`data/*.json`, see `_claim_sets`), each matched against
its own abstracts: the verified flag must be right at least as often as the floor, which is what the matcher
reaches (so a change that loses cases fails here). Run with ``-s`` for the per-kind figures.

Which sets were written blind and how they were used matters more than the floors:

- ``heldout_kinds2``: clause-level kinds (a change's figures in another order, lists, negations in relative
  clauses, "lacking X", double negation, a cut-off tail), written before the matcher was run on it: 30 of 40 at
  first, 38 after the fixes it led to (round 2).
- ``dev_kinds_rules``: dev cases for round 2's mechanisms on other abstracts: 9 of 16 before them; 16 with the
  list-opening rule of round 3.
- ``heldout_kinds3``: written after round 2's rules, before running the matcher: 13 of 20 at first; 14 after
  one fix, 17 with round 3's (it informed them: not a clean figure any more).
- ``dev_kinds4``: written blind by a session that did not read the matcher: 25 of 40 at first; round 3's rules
  (bracketed semicolons, the framing of a finding, "insignificant", the list opening, "marked", the direction
  pairing) bring it to 28-29 (one case sits at 0.499 after the refit).
- ``heldout_kinds4``: its twin, measured once after those rules: **27 of 40, what the code before them got**;
  31 with fixes read off its misses afterwards (not clean).
- ``heldout_kinds5``: 60 claims, written blind, measured once: **44 of 60, not one label different from the code
  before round 3**; its failure list led to ``dev_kinds6``, whose participle rule gets one more (45).
- ``dev_kinds6``: passives, negated participles, reworded comparatives, written blind: 15 of 40 at first, 20
  with the comparative rules (amounts compared between groups, "exceeds" as an amount, "bettered", negated
  participles).
- ``heldout_kinds6``: 60 claims written blind while those rules were written, measured once at the end: **42 of
  60, against 41 for the code before round 3**.
"""

from __future__ import annotations

import pytest

from _claim_sets import flag_right_by_kind, labelled

# (file, cases, floor of the verified flag right)
SETS = [
    ("heldout_kinds2.json", 40, 38),
    ("dev_kinds_rules.json", 16, 16),
    ("heldout_kinds3.json", 20, 17),
    ("dev_kinds4.json", 40, 28),
    ("heldout_kinds4.json", 40, 31),
    ("heldout_kinds5.json", 60, 44),
    ("dev_kinds6.json", 40, 20),
    ("heldout_kinds6.json", 60, 42),
]


@pytest.mark.parametrize(("name", "cases", "floor"), SETS, ids=[s[0].removesuffix(".json") for s in SETS])
def test_claim_set(name: str, cases: int, floor: int) -> None:
    results = labelled(name)
    assert len(results) == cases
    assert flag_right_by_kind(results) >= floor
