"""The HTML audit page in a real browser: headless Chromium loads it, runs its script, and takes a screenshot.

Skipped when /usr/bin/chromium is absent (`.ci/run` installs the Debian package `chromium`). Set
CLAIMCHECK_SCREENSHOT_DIR to keep the screenshot (e.g. `bench/out/`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from _render_fixtures import hostile, papers, samples
from claimcheck._models import VerifyResult
from claimcheck._render import render_verify

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="headless Chromium not installed (/usr/bin/chromium; apt-get install chromium)",
    ),
]


def _chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "profile"
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _page(tmp_path: Path) -> tuple[Path, VerifyResult]:
    result = samples()
    result.reports += hostile().reports
    # report 2 as if its papers had been read whole: its claims were checked against full text
    for ref in result.reports[1].references:
        ref.fulltext = "html"
    for claim in result.reports[1].claims:
        claim.recomputed.checked = "fulltext"
    page = tmp_path / "audit.html"
    page.write_text(render_verify(result, "html", papers=papers()), encoding="utf-8")
    return page, result


def test_dom_shows_claims_escaped_text_and_highlights(tmp_path: Path) -> None:
    page, result = _page(tmp_path)
    dom = _chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", page.as_uri() + "#evidence=open")
    claims = sum(len(r.claims) for r in result.reports)
    assert len(re.findall(r"<article class=\"claim ", dom)) == claims
    # the report's <script> is text in the DOM, not an element; only our own script element exists
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert dom.count("<script") == 1
    assert dom.count("<mark>") >= claims - 5
    assert 'data-filter="all"' in dom
    assert 'data-filter="truncated"' in dom
    # our script ran under the page's Content-Security-Policy
    assert f"{claims} of {claims} claims" in dom


def test_filter_hides_supported_claims(tmp_path: Path) -> None:
    page, result = _page(tmp_path)
    dom = _chromium(
        tmp_path, "--virtual-time-budget=2000", "--dump-dom", page.as_uri() + "#filter=unsupported"
    )
    unsupported = sum(
        c.reported.verified and not c.recomputed.verified for r in result.reports for c in r.claims
    )
    claims = sum(len(r.claims) for r in result.reports)
    assert f"{unsupported} of {claims} claims" in dom
    hidden = re.findall(r"<article class=\"claim [^\"]*\"[^>]*data-unsupported=\"(\d)\"[^>]* hidden", dom)
    assert len(hidden) == claims - unsupported
    assert set(hidden) == {"0"}


def _dom(tmp_path: Path, page: Path, fragment: str, width: int) -> str:
    return _chromium(
        tmp_path,
        f"--window-size={width},1200",
        "--virtual-time-budget=2000",
        "--dump-dom",
        f"{page.as_uri()}#{fragment}",
    )


def _visible_claims(dom: str) -> list[str]:
    return re.findall(r'<article class="claim [^"]*" id="(r\d+-c\d+)"(?![^>]* hidden)[^>]*>', dom)


@pytest.mark.parametrize("width", [1400, 600])
def test_search_and_filters_work_at_both_widths(tmp_path: Path, width: int) -> None:
    page, result = _page(tmp_path)
    claims = sum(len(r.claims) for r in result.reports)
    # search: claims whose text holds the words, whatever the case
    wanted = [
        f"r{n}-c{c.index}"
        for n, r in enumerate(result.reports, 1)
        for c in r.claims
        if "xtreme" in c.text.lower()
    ]
    dom = _dom(tmp_path, page, "q=XTREME", width)
    assert 0 < len(wanted) < claims
    assert _visible_claims(dom) == wanted
    assert f"{len(wanted)} of {claims} claims" in dom
    # by report: only its claims, and the other reports' sections hidden
    dom = _dom(tmp_path, page, "report=2", width)
    assert _visible_claims(dom) == [f"r2-c{c.index}" for c in result.reports[1].claims]
    assert re.search(r'<section class="report" id="r1"[^>]* hidden', dom)
    assert not re.search(r'<section class="report" id="r2"[^>]* hidden', dom)
    # by finding code, together with a verdict filter
    coded = [
        f"r{n}-c{c.index}"
        for n, r in enumerate(result.reports, 1)
        for c in r.claims
        if any(f.code == "number_mismatch" for f in c.findings)
        and c.reported.verified
        and not c.recomputed.verified
    ]
    dom = _dom(tmp_path, page, "code=number_mismatch&filter=unsupported", width)
    assert _visible_claims(dom) == coded
    # nothing matches: said so
    dom = _dom(tmp_path, page, "q=no+such+words+anywhere", width)
    assert _visible_claims(dom) == []
    assert '<p id="no-match" class="muted">' in dom


def test_evidence_opens_with_its_sentences_cut_from_the_abstracts(tmp_path: Path) -> None:
    page, result = _page(tmp_path)
    closed = _dom(tmp_path, page, "report=1", 1400)
    assert "Using our best intermediate-task models" not in closed.split('id="papers"')[0]
    dom = _dom(tmp_path, page, "report=1&evidence=open", 1400)
    body = dom.split('id="papers"')[0]
    assert "<mark>MNLI, SQuAD and HellaSwag achieve" in body or '<b class="w">MNLI</b>' in body
    assert "Using our best intermediate-task models" in body
    opened = re.findall(r'<details class="evidence-list"[^>]* open', dom)
    assert len(opened) == sum(1 for r in result.reports for c in r.claims if c.evidence)
    assert 'class="ctx">show in context</button>' in body


@pytest.mark.parametrize("width", [1400, 600])
def test_screenshot(tmp_path: Path, width: int) -> None:
    page, _ = _page(tmp_path)
    shot = tmp_path / "audit.png"
    _chromium(
        tmp_path, f"--window-size={width},1800", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri()
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(data[16:20], "big") == width  # the PNG header's width
    assert len(data) > 50_000  # a blank page is a few kB
    keep = os.environ.get("CLAIMCHECK_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / f"audit-samples-{width}.png")


@pytest.mark.parametrize("width", [1400, 600])
def test_filter_by_what_was_checked(tmp_path: Path, width: int) -> None:
    page, result = _page(tmp_path)
    full = [f"r2-c{c.index}" for c in result.reports[1].claims]
    dom = _dom(tmp_path, page, "checked=fulltext", width)
    assert _visible_claims(dom) == full
    assert '<span class="checked fulltext">checked: full text</span>' in dom
    dom = _dom(tmp_path, page, "checked=abstract&report=1", width)
    assert _visible_claims(dom) == [f"r1-c{c.index}" for c in result.reports[0].claims]


def test_evidence_cut_from_an_abstract_says_so_and_links_to_the_paper(tmp_path: Path) -> None:
    page, _ = _page(tmp_path)
    body = _dom(tmp_path, page, "report=1&evidence=open", 1400).split('id="papers"')[0]
    assert '<span class="muted">in the abstract · score ' in body
    assert (
        '<a class="src" href="https://arxiv.org/abs/2005.13013v2" rel="noreferrer">open in paper ↗</a>'
        in body
    )
