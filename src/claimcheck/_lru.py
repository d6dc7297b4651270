"""One bounded cache, least recently used dropped first, for the caches a run keeps per process."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Lru"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """Values by key, bounded by their summed ``cost`` (1 each by default: a count of entries). Once a ``put``
    passes ``bound``, the least recently used are dropped, but never so many that fewer than ``floor`` stay
    (a floor of 1 keeps one value that alone costs more than the bound).

    Example: ``c = Lru[str, int](2); c.put("a", 1); c.put("b", 2); c.get("a"); c.put("c", 3)`` leaves a and c.
    """

    def __init__(self, bound: int, cost: Callable[[V], int] | None = None, *, floor: int = 0) -> None:
        self.bound = bound
        self.floor = floor
        self._cost = cost
        self._items: OrderedDict[K, V] = OrderedDict()
        self._total = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        """The value of ``key``, now the most recently used, or None."""
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
        return hit

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` under ``key``, now the most recently used (replacing what ``key`` held: the matcher
        puts a claim's analysis again when its model changed)."""
        old = self._items.pop(key, None)
        if old is not None:
            self._total -= 1 if self._cost is None else self._cost(old)
        self._items[key] = value
        self._total += 1 if self._cost is None else self._cost(value)
        while self._total > self.bound and len(self._items) > self.floor:
            _, old = self._items.popitem(last=False)
            self._total -= 1 if self._cost is None else self._cost(old)
