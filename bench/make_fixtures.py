"""Build fixtures/arxiv/*.xml: one recorded-response Atom file per paper the sample reports cite.

Reads ``../shared/arxiv/metadata/<id>.json`` (real, CC0 arXiv metadata gathered from the abs pages and
mirrors) and writes each paper, at the version the reports cite, in the API's current (2026) format through
`claimcheck._sources.save_papers`, so the files read back exactly like ``claimcheck fetch --save`` output.

Honesty rules, since these files stand in for API answers:
- the abstract is the one the JSON gives for ``abstract`` (the cited version, except where the JSON says
  otherwise: 2411.15127 cites v3, which no source has seen; its file holds v2, the latest observed, so a
  citation of v3 comes out as ``version_missing``);
- ``<published>``/``<updated>`` carry the exact timestamp when known, the bare date when only the date is
  known, and ``<updated>`` is left out when the cited version's date is unknown;
- a comment the JSON marks as unconfirmed is left out.

Run: ``python bench/make_fixtures.py [--metadata DIR] [--out DIR]`` (reproducible: same input, same bytes).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from claimcheck._models import Paper
from claimcheck._sources import save_papers

FEED_UPDATED = "2026-07-24T00:00:00Z"
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HERE = Path(__file__).resolve().parent
SAMPLES_USED = [
    "arxivpy_malformed_id_abc_HTTP400.xml",
    "arxivpy_nonexistent_id_0000.0000_empty_feed.xml",
    "arxivpy_oldstyle_id_astro-ph_0601001_journal_ref_affiliation.xml",
    "arxivpy_search_testing_page1_start0_max10_has_doi.xml",
    "arxivpy_two_ids_one_missing_0808.05394_1707.08567.xml",
    "arxivpy_unversioned_id_1605.08386.xml",
    "arxivpy_versioned_id_2104.12255v1.xml",
    "classic_2022_id_list_2101.05225_printed_in_R_book.xml",
    "official_manual_error_malformed_id_1234.12345.xml",
    "official_manual_typical_response_all_electron.xml",
    "README.txt",
]


def _when(value: object) -> str | None:
    if isinstance(value, str) and (_TIMESTAMP.match(value) or _DATE.match(value)):
        return value
    return None


def paper_from_metadata(meta: dict[str, object]) -> Paper:
    """The `Paper` a fixture file holds for one metadata JSON."""
    cited = int(str(meta["version_cited"]).lstrip("v"))
    note = str(meta.get("abstract_version_note") or "")
    version = cited
    m = re.search(r"This is the v(\d+) abstract", note)
    if m:
        version = int(m.group(1))
    dates = meta.get("version_dates") or {}
    assert isinstance(dates, dict)
    published = _when(dates.get("v1")) or _when(meta.get("published"))
    updated = published if version == 1 else _when(dates.get(f"v{version}"))
    comment = meta.get("comment")
    if isinstance(comment, str) and "not confirmed" in comment:
        comment = None
    categories = [str(c) for c in meta.get("categories") or []]  # type: ignore[attr-defined]
    return Paper(
        arxiv_id=str(meta["id"]),
        version=version,
        status="found",
        title=str(meta["title"]),
        authors=[str(a) for a in meta["authors"]],  # type: ignore[attr-defined]
        abstract=str(meta["abstract"]),
        published=published,
        updated=updated,
        primary_category=str(meta["primary_category"]),
        categories=categories,
        doi=meta.get("doi") or None,  # type: ignore[arg-type]
        journal_ref=meta.get("journal_ref") or None,  # type: ignore[arg-type]
        comment=comment if isinstance(comment, str) else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--metadata", type=Path, default=HERE.parent.parent / "shared" / "arxiv" / "metadata")
    parser.add_argument(
        "--samples", type=Path, default=HERE.parent.parent / "shared" / "arxiv" / "api_samples"
    )
    parser.add_argument("--out", type=Path, default=HERE.parent / "fixtures" / "arxiv")
    args = parser.parse_args(argv)
    papers = [
        paper_from_metadata(json.loads(p.read_text("utf-8"))) for p in sorted(args.metadata.glob("*.json"))
    ]
    written = save_papers(papers, args.out, feed_updated=FEED_UPDATED)
    for path in written:
        print(path)
    samples_out = args.out / "api_samples"
    samples_out.mkdir(parents=True, exist_ok=True)
    for name in SAMPLES_USED:
        shutil.copyfile(args.samples / name, samples_out / name)
        print(samples_out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
