"""Markdown for pull-request comments: tables that hold, untrusted text escaped."""

from __future__ import annotations

from _render_fixtures import hostile, samples
from claimcheck._render import render_verify
from claimcheck._render._markdown import md_escape


def _table_rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]


def test_markdown_has_a_row_per_claim_with_six_cells() -> None:
    result = samples()
    rows = _table_rows(render_verify(result, "markdown"))
    assert len(rows) == sum(len(r.claims) for r in result.reports)
    for row in rows:
        # an escaped pipe "\|" does not split a cell
        assert row.replace("\\|", "").count("|") == 7


def test_markdown_summarises_the_batch_and_errors() -> None:
    out = render_verify(samples(), "markdown")
    assert out.startswith("## claimcheck\n")
    assert "5 reports · 62 claims · 53 marked ✓" in out
    assert "`papers_retrieved_mismatch` (line 23)" in out
    assert "reports/broken.txt (line 31)" in out


def test_markdown_escapes_html_pipes_and_links() -> None:
    out = render_verify(hostile(), "markdown")
    assert "<script>" not in out
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in out
    assert "\\[x\\]\\(javascript:1\\)" in out
    assert "\x1b" not in out
    assert "\x07" not in out
    row = next(r for r in _table_rows(out) if "pwned" in r)
    assert row.replace("\\|", "").count("|") == 7


def test_md_escape_neutralises_mentions_and_emphasis() -> None:
    assert md_escape("@octocat *bold* _it_") == "&#64;octocat \\*bold\\* \\_it\\_"
