"""Full text end to end on real papers: `claimcheck verify` against a stand-in for arXiv serving two shared papers.

Mistral 7B is served as LaTeXML HTML, SciBERT (one page) only as a PDF (its HTML is a 404). A handful of the
dev claims of ``bench/data/fulltext_claims.jsonl`` are checked; the assertions are about what is fetched and
what is read, not about accuracy (``bench/fulltext_accuracy.py`` measures that). Skipped without ``../shared``.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import fulltext_accuracy as fa  # noqa: E402

SHARED = fa.shared_dir()
pytestmark = pytest.mark.skipif(SHARED is None, reason="../shared/fulltext not found (set CLAIMCHECK_SHARED)")

HTML_PAPER, PDF_PAPER = "2310.06825", "1903.10676"
SAMPLE = ["mistral-03", "mistral-05", "mistral-08", "mistral-12", "scibert-02", "scibert-04", "scibert-12"]


@pytest.fixture(scope="module")
def claims() -> list[dict[str, Any]]:
    chosen = {c["id"]: c for c in fa.load_claims()}
    return [chosen[i] for i in SAMPLE]


@pytest.fixture(scope="module")
def stand() -> fa.Stand:
    assert SHARED is not None
    papers = fa.shared_papers(SHARED)
    return fa.Stand({k: papers[k] for k in (HTML_PAPER, PDF_PAPER)})


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, claims: list[dict[str, Any]]) -> Path:
    refs = [f"{HTML_PAPER}v{fa.VERSIONS[HTML_PAPER]}", f"{PDF_PAPER}v{fa.VERSIONS[PDF_PAPER]}"]
    path = tmp_path_factory.mktemp("reports") / "sample.md"
    path.write_text(fa.render_report("Small Models", [c["claim"] for c in claims], refs), encoding="utf-8")
    return path


def _checked(output: dict[str, Any]) -> Counter[str]:
    return Counter(c["recomputed"]["checked"] for c in fa.results_by_claim(output).values())


def test_full_text_html_before_pdf_nothing_twice_and_a_second_run_asks_nothing(
    stand: fa.Stand, report: Path, claims: list[dict[str, Any]], tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    with fa.serve(stand) as base:
        first = fa.verify([report], base, cache)
        seen = list(stand.seen)
        stand.seen.clear()
        again = fa.verify([report], base, cache, "--offline")
        assert stand.seen == []  # documents and metadata come from the cache
    assert seen[0].startswith("/api/query")
    documents = sorted(p for p in seen if not p.startswith("/api/"))
    assert documents == [f"/html/{PDF_PAPER}v3", f"/html/{HTML_PAPER}v1", f"/pdf/{PDF_PAPER}v3"]
    assert seen.index(f"/html/{PDF_PAPER}v3") < seen.index(f"/pdf/{PDF_PAPER}v3")
    assert f"/pdf/{HTML_PAPER}v1" not in seen
    assert len(seen) == len(set(seen))
    assert fa.fetch_properties(seen, stand.papers) == []
    assert fa.references(first) == {HTML_PAPER: ("html", None), PDF_PAPER: ("pdf", None)}
    assert _checked(first) == Counter({"fulltext": len(claims)})
    assert fa.results_by_claim(again) == fa.results_by_claim(first)
    got = fa.results_by_claim(first)
    locations = {e["location"] for c in got.values() for e in c["evidence"]}
    assert locations & {"body", "table", "caption"}  # the body was read, not only the abstract
    for claim in claims:
        if claim["kind"] == "fabricated":  # not in the paper: never verified
            assert not got[claim["claim"]]["recomputed"]["verified"], claim["id"]


def test_no_full_text_checks_abstracts_only(
    stand: fa.Stand, report: Path, claims: list[dict[str, Any]], tmp_path: Path
) -> None:
    with fa.serve(stand) as base:
        output = fa.verify([report], base, tmp_path / "cache.sqlite3", "--no-full-text")
        seen = list(stand.seen)
        stand.seen.clear()
    assert seen and all(p.startswith("/api/query") for p in seen)
    assert _checked(output) == Counter({"abstract": len(claims)})
    locations = {e["location"] for c in fa.results_by_claim(output).values() for e in c["evidence"]}
    assert locations <= {"title", "abstract"}
