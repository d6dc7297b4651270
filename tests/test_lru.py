"""The one bounded cache (`claimcheck._lru.Lru`) the matcher and the verifier keep their memos in."""

from __future__ import annotations

from claimcheck._lru import Lru


def test_the_least_recently_used_goes_first() -> None:
    c: Lru[str, int] = Lru(2)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") == 1  # a is now the most recently used
    c.put("c", 3)
    assert (c.get("a"), c.get("b"), c.get("c"), len(c)) == (1, None, 3, 2)


def test_a_bound_of_costs_and_a_floor() -> None:
    c: Lru[str, str] = Lru(5, len, floor=1)
    c.put("a", "xxx")
    c.put("b", "xx")
    assert len(c) == 2  # 5: at the bound, not past it
    c.put("c", "xxxxxxx")  # alone past the bound: the floor keeps it
    assert (c.get("a"), c.get("b"), c.get("c")) == (None, None, "xxxxxxx")
    # without a floor a bound of 0 keeps nothing
    d: Lru[str, int] = Lru(0)
    d.put("a", 1)
    assert len(d) == 0 and d.get("a") is None


def test_a_key_put_again_is_counted_once() -> None:
    c: Lru[str, str] = Lru(5, len)
    c.put("a", "xx")
    c.put("a", "xxx")  # replaced, not added: 3 of the bound's 5 are spent
    c.put("b", "xx")
    assert (c.get("a"), c.get("b"), len(c)) == ("xxx", "xx", 2)
