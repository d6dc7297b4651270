"""The terminal table: golden files at 80 and 200 columns, colour only on request, no escapes from reports.

Regenerate the golden files with ``CLAIMCHECK_UPDATE_GOLDEN=1 pytest tests/test_render_table.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from _render_fixtures import hostile, samples
from claimcheck._models import Report
from claimcheck._render import render_reports, render_verify

GOLDEN = Path(__file__).parent / "golden"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CLAIMCHECK_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [80, 200])
def test_table_matches_golden(width: int) -> None:
    _check_golden(f"table-samples-{width}.txt", render_verify(samples(), "table", width=width, color=False))


@pytest.mark.parametrize("width", [80, 200])
def test_table_lines_fit_the_width(width: int) -> None:
    out = render_verify(samples(), "table", width=width, color=False)
    assert max(len(line) for line in out.splitlines()) <= width


def test_table_without_color_has_no_escape_sequences() -> None:
    out = render_verify(samples(), "table", width=100, color=False)
    assert "\x1b" not in out


def test_table_with_color_styles_labels() -> None:
    out = render_verify(samples(), "table", width=100, color=True)
    assert "\x1b[" in out
    assert _ANSI.sub("", out).count("contradicted") == render_verify(samples(), "table", width=100).count(
        "contradicted"
    )


def test_table_shows_header_claims_evidence_and_summary() -> None:
    out = render_verify(samples(), "table", width=200, color=False)
    assert "Report 1/5: Alignment Stability in Multilingual Encoders" in out
    assert "stated: 12 papers · 10 claims · 10 verified" in out
    assert "papers_retrieved_mismatch:23" in out
    assert "7.0 point…" in out  # truncated claims are marked
    assert "✓ 0.27" in out
    # where the evidence is: the samples were verified without full text, against abstracts only
    assert "in the abstract: arXiv:2005.13013 (0.69) Using our best" in out
    assert "not in the abstract; closest: arXiv:2005.13013 (0.43) MNLI, SQuAD" in out
    assert "read: 2411.15127, 2205.14230, 2005.13013: abstract only — full text not asked for" in out
    assert "5 reports" in out
    assert "62" in out
    assert "reports/broken.txt:31: confidence 'high'" in out


def test_table_highlights_shared_words_in_color() -> None:
    out = render_verify(samples(), "table", width=200, color=True)
    # "XTREME" is shared by claim 5 and its evidence: it is styled bold inside the dim sentence
    assert re.search(r"\x1b\[[0-9;]*1[0-9;]*mXTREME", out)


@pytest.mark.parametrize("color", [False, True])
def test_table_lets_no_terminal_escape_from_a_report_through(color: bool) -> None:
    out = render_verify(hostile(), "table", width=120, color=color)
    plain = _ANSI.sub("", out)
    assert "\x1b" not in plain  # every ESC left is one of rich's own SGR sequences
    assert "\x07" not in out
    assert "␛]0;pwned␇" in plain
    assert "<script>alert(1)</script>" in plain


def test_table_does_not_interpret_rich_markup_in_reports() -> None:
    result = samples()
    result.reports[0].claims[0].text = "[bold red]not markup[/] :smile:"
    out = render_verify(result, "table", width=200, color=False)
    assert "[bold red]not markup[/] :smile:" in out


def test_parse_table_lists_claims_with_reported_marks() -> None:
    parsed = (
        samples()
        .reports[0]
        .model_dump(exclude={"summary": True, "claims": {"__all__": {"recomputed", "evidence", "findings"}}})
    )
    out = render_reports([Report.model_validate(parsed)], "table", width=100, color=False)
    assert "stated: 12 papers" in out
    assert "table: 3 references · 10 claims · 10 ✓" in out
    assert "✓ 0.27" in out
    assert "\x1b" not in out
