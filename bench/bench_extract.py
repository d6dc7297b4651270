"""Extraction time and block/character counts per real arXiv document in ``shared/fulltext``.

Each document is extracted ``--repeat`` times (best time kept) through `extract_document`, the entry the
fetcher uses. Documents that are not there are skipped. ``shared/`` is found beside the repository or
through ``CLAIMCHECK_SHARED``.

Run: ``python bench/bench_extract.py [--repeat 3] [--shared ../shared]``
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

from claimcheck._sources._extract import extract_document

DOCUMENTS = [
    ("html/1706.03762.html", "1706.03762", 7),
    ("html/2310.06825.html", "2310.06825", 1),
    ("pdf/1903.10676.pdf", "1903.10676", 3),
    ("pdf/2206.10883v3.pdf", "2206.10883", 3),
    ("pdf/2501.10120v1.pdf", "2501.10120", 1),
]


def _shared(option: str | None) -> Path:
    for base in (option, os.environ.get("CLAIMCHECK_SHARED"), Path(__file__).resolve().parents[2] / "shared"):
        if base and (Path(base) / "fulltext").is_dir():
            return Path(base) / "fulltext"
    return Path(__file__).resolve().parents[2] / "shared" / "fulltext"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shared", default=None, help="the shared/ folder (default: beside the repository)")
    args = parser.parse_args()
    root = _shared(args.shared)
    print(
        f"{'document':<22} {'kb':>6} {'ms':>8} {'blocks':>7} {'chars':>7}  body/table/caption/abstract/title"
    )
    for name, arxiv_id, version in DOCUMENTS:
        path = root / name
        if not path.is_file():
            print(f"{name:<22} skipped: not in {root}")
            continue
        body = path.read_bytes()
        kind = "pdf" if name.endswith(".pdf") else "html"
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            doc = extract_document(body, kind, arxiv_id=arxiv_id, version=version)
            best = min(best, time.perf_counter() - start)
        counts = Counter(b.location for b in doc.blocks)
        shape = "/".join(str(counts[k]) for k in ("body", "table", "caption", "abstract", "title"))
        print(
            f"{name:<22} {len(body) // 1024:>6} {best * 1000:>8.1f} {len(doc.blocks):>7} {doc.sized():>7}  {shape}"
        )


if __name__ == "__main__":
    main()
