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
    page = tmp_path / "audit.html"
    page.write_text(render_verify(result, "html", papers=papers()), encoding="utf-8")
    return page, result


def test_dom_shows_claims_escaped_text_and_highlights(tmp_path: Path) -> None:
    page, result = _page(tmp_path)
    dom = _chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", page.as_uri())
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


def test_screenshot(tmp_path: Path) -> None:
    page, _ = _page(tmp_path)
    shot = tmp_path / "audit.png"
    _chromium(tmp_path, "--window-size=1280,1800", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000  # a blank page is a few kB
    keep = os.environ.get("CLAIMCHECK_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "audit-samples.png")
