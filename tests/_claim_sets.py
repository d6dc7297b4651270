"""The hand-written claim sets of `tests/data/` (held-out and dev sets of issue #15's kinds), matched.

Each file holds ``sources`` (id -> title and abstract text) and ``cases`` (id, kind, label, source, claim).
"""

from __future__ import annotations

import json
from pathlib import Path

from claimcheck._match import Matcher, Source

__all__ = ["flag_right_by_kind", "labelled"]

DATA = Path(__file__).parent / "data"


def labelled(name: str) -> list[tuple[dict[str, str], str]]:
    """Every case of ``data/<name>`` with the label the shipped matcher gives it against its source."""
    data = json.loads((DATA / name).read_text(encoding="utf-8"))
    m = Matcher()
    sources = {
        k: m.prepare(Source(id=k, title=v["title"], text=v["text"])) for k, v in data["sources"].items()
    }
    return [(case, m.match(case["claim"], [sources[case["source"]]]).label) for case in data["cases"]]


def flag_right_by_kind(results: list[tuple[dict[str, str], str]]) -> int:
    """How many cases have the verified flag right (supported or not), printed per kind (``pytest -s``)."""
    per_kind: dict[str, list[int]] = {}
    for case, label in results:
        row = per_kind.setdefault(case["kind"], [0, 0])
        row[0] += (label == "supported") == (case["label"] == "supported")
        row[1] += 1
    for kind, (ok, n) in sorted(per_kind.items()):
        print(f"{kind:20} {ok}/{n}")
    right = sum(ok for ok, _ in per_kind.values())
    print(f"verified flag right {right}/{len(results)}")
    return right
