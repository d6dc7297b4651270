"""Requests per id and wall time of the real ArxivClient against a local arXiv-like server.

The server (127.0.0.1, started here) answers each ``id_list`` query with one entry per id, in reverse order.
With ``--delay 3`` (the arXiv terms of use) the floor is 3 s between consecutive requests, so N ids in
batches of B cost at least ``3 * (ceil(N / B) - 1)`` seconds; the measured wall time is compared to it.

Run: ``python bench/bench_fetch.py [--ids 250] [--delay 3] [--batch-size 100]``
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from arxiv_standin import atom_feed, serve
from claimcheck._models import Paper
from claimcheck._sources import ArxivClient


@dataclass
class _EveryId:
    """An arXiv that has every id asked for, as ``v1``, and answers a batch in reverse order."""

    seen: list[str] = field(default_factory=list)

    def answer(self, path: str) -> tuple[int, bytes, str]:
        ids = parse_qs(urlsplit(path).query).get("id_list", [""])[0].split(",")
        papers = [
            Paper(arxiv_id=i, version=1, status="found", title=f"paper {i}", published="2021-01-01")
            for i in reversed(ids)
        ]
        return 200, atom_feed(papers), "application/atom+xml; charset=utf-8"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the arXiv client against a local server.")
    parser.add_argument("--ids", type=int, default=250)
    parser.add_argument("--delay", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    stand = _EveryId()
    ids = [f"2101.{n:05d}" for n in range(1, args.ids + 1)]
    with serve(stand) as base:
        started = time.monotonic()
        with ArxivClient(api_url=f"{base}/api/query", delay=args.delay, batch_size=args.batch_size) as client:
            papers = client.fetch(ids)
        wall = time.monotonic() - started
    found = sum(p.status == "found" for p in papers)
    requests = len(stand.seen)
    floor = args.delay * (math.ceil(args.ids / args.batch_size) - 1)
    print(f"ids: {args.ids}  found: {found}  requests: {requests}  requests/id: {requests / args.ids:.4f}")
    print(
        f"wall time: {wall:.2f} s  floor at {args.delay:g} s per request: {floor:.2f} s"
        f"  overhead: {wall - floor:.2f} s  ({wall / max(requests, 1):.2f} s per request)"
    )


if __name__ == "__main__":
    main()
