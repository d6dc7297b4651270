"""Requests per id and wall time of the real ArxivClient against a local arXiv-like server.

The server (127.0.0.1, started here) answers each ``id_list`` query with one entry per id, in reverse order.
With ``--delay 3`` (the arXiv terms of use) the floor is 3 s between consecutive requests, so N ids in
batches of B cost at least ``3 * (ceil(N / B) - 1)`` seconds; the measured wall time is compared to it.

Run: ``python bench/bench_fetch.py [--ids 250] [--delay 3] [--batch-size 100]``
"""

from __future__ import annotations

import argparse
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from claimcheck._models import Paper
from claimcheck._sources import ArxivClient
from claimcheck._sources._atom import paper_to_atom


def _feed(ids: list[str]) -> bytes:
    head = b""
    entries = []
    for ident in reversed(ids):
        paper = Paper(
            arxiv_id=ident, version=1, status="found", title=f"paper {ident}", published="2021-01-01"
        )
        body = paper_to_atom(paper, feed_updated="2026-01-01T00:00:00Z")
        head = body.split(b"<entry>")[0]
        entries.append(b"<entry>" + body.split(b"<entry>")[1].split(b"</entry>")[0] + b"</entry>\n")
    return head + b"".join(entries) + b"</feed>\n"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests = 0

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).requests += 1
        query = parse_qs(urlsplit(self.path).query)
        body = _feed(query.get("id_list", [""])[0].split(","))
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the arXiv client against a local server.")
    parser.add_argument("--ids", type=int, default=250)
    parser.add_argument("--delay", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    ids = [f"2101.{n:05d}" for n in range(1, args.ids + 1)]
    started = time.monotonic()
    with ArxivClient(api_url=url, delay=args.delay, batch_size=args.batch_size) as client:
        papers = client.fetch(ids)
    wall = time.monotonic() - started
    server.shutdown()
    server.server_close()
    found = sum(p.status == "found" for p in papers)
    requests = _Handler.requests
    floor = args.delay * (math.ceil(args.ids / args.batch_size) - 1)
    print(f"ids: {args.ids}  found: {found}  requests: {requests}  requests/id: {requests / args.ids:.4f}")
    print(
        f"wall time: {wall:.2f} s  floor at {args.delay:g} s per request: {floor:.2f} s"
        f"  overhead: {wall - floor:.2f} s  ({wall / max(requests, 1):.2f} s per request)"
    )


if __name__ == "__main__":
    main()
