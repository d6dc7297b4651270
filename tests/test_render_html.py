"""The HTML audit page, checked as text: self-contained, escaped, evidence highlighted in its abstract."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from html.parser import HTMLParser

from _render_fixtures import hostile, papers, samples
from claimcheck._render import render_verify


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _parse(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    return c


def test_page_is_self_contained() -> None:
    html = render_verify(samples(), "html", papers=papers())
    tags = _parse(html).tags
    assert not [a for t, a in tags if t in {"link", "img", "iframe"} or (t == "script" and "src" in a)]
    assert not re.search(r"src=\"(https?:)?//", html)
    # links out open the paper on arXiv when followed; nothing is loaded, and no referrer is sent
    external = [a for t, a in tags if t == "a" and not (a.get("href") or "#").startswith("#")]
    assert external
    assert all((a.get("href") or "").startswith("https://arxiv.org/") for a in external)
    assert all(a.get("rel") == "noreferrer" for a in external)
    assert "default-src 'none'" in html


def test_only_our_script_runs_and_csp_pins_its_hash() -> None:
    html = render_verify(hostile(), "html", papers=papers())
    c = _parse(html)
    assert len(c.scripts) == 1
    digest = base64.b64encode(hashlib.sha256(c.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


def test_report_text_is_escaped() -> None:
    html = render_verify(hostile(), "html", papers=papers())
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>title</b>" not in html
    assert "\x1b" not in html
    assert "\x07" not in html
    assert "␛]0;pwned␇" in html


def test_claims_carry_verdicts_and_filter_attributes() -> None:
    result = samples()
    html = render_verify(result, "html", papers=papers())
    articles = [a for t, a in _parse(html).tags if t == "article"]
    assert len(articles) == sum(len(r.claims) for r in result.reports)
    unsupported = sum(
        c.reported.verified and not c.recomputed.verified for r in result.reports for c in r.claims
    )
    assert sum(a["data-unsupported"] == "1" for a in articles) == unsupported
    assert sum(a["data-label"] == "contradicted" for a in articles) == result.summary.contradicted
    assert {"all", "unsupported", "contradicted", "truncated"} <= {
        a.get("data-filter") for t, a in _parse(html).tags if t == "button"
    }


def test_each_abstract_is_on_the_page_once() -> None:
    result = samples()
    html = render_verify(result, "html", papers=papers())
    for paper in papers().values():
        if paper.abstract and paper.status == "found":
            assert html.count(escape(paper.abstract, quote=False)) <= 1, paper.arxiv_id
    abstract = escape(papers()["2005.13013"].abstract or "", quote=False)
    assert html.count(abstract) == 1
    assert 'id="p-2005.13013"' in html


def test_evidence_is_collapsed_and_points_into_its_abstract() -> None:
    html = render_verify(samples(), "html", papers=papers())
    claims = html.count('<article class="claim ')
    assert html.count('<details class="evidence-list">') == claims - html.count('class="evidence none')
    assert '<details class="evidence-list" open' not in html
    # the 5.4-point sentence is not repeated: offsets (UTF-16) into the abstract shown once, and the words to
    # highlight, relative to the sentence
    abstract = papers()["2005.13013"].abstract or ""
    sentence = "Using our best intermediate-task models for each target task"
    start = abstract.index(sentence)
    assert html.count(sentence) == 1
    m = re.search(
        rf'data-p="2005.13013" data-f="abstract" data-score="[\d.]+" data-s="{start}" data-e="(\d+)" data-w="([\d, ]+)"',
        html,
    )
    assert m is not None
    words = [tuple(map(int, pair.split(","))) for pair in m.group(2).split()]
    text = abstract[start : int(m.group(1))]
    assert "XTREME" in [text[a:b] for a, b in words]


def test_score_zero_evidence_is_not_highlighted() -> None:
    result = samples()
    claim = result.reports[0].claims[0]
    claim.evidence = [claim.evidence[0].model_copy(update={"score": 0.0})]
    html = render_verify(result, "html", papers=papers())
    article = re.search(r'<article [^>]*id="r1-c1".*?</article>', html, re.S)
    assert article is not None
    assert "<mark>" not in article.group(0) and "data-w=" not in article.group(0)
    assert "evidence stance-" in article.group(0) and " weak" in article.group(0)


def test_filters_by_report_and_finding_code_and_a_search_box() -> None:
    result = samples()
    html = render_verify(result, "html", papers=papers())
    tags = _parse(html).tags
    assert [a for t, a in tags if t == "input" and a.get("id") == "f-search"]
    options = [a.get("value") for t, a in tags if t == "option"]
    assert [str(n) for n in range(1, len(result.reports) + 1)] == [o for o in options if o and o.isdigit()]
    codes = {f.code for r in result.reports for c in r.claims for f in c.findings}
    assert codes <= set(options)
    articles = [a for t, a in tags if t == "article"]
    assert any("number_mismatch" in (a.get("data-codes") or "") for a in articles)


def test_without_papers_the_sentence_alone_is_shown() -> None:
    html = render_verify(samples(), "html")
    assert 'class="ctx"' not in html and 'id="papers"' not in html
    assert "<mark>Using our best intermediate-task models" in html


def test_chart_has_a_point_per_claim() -> None:
    result = samples()
    html = render_verify(result, "html", papers=papers())
    circles = [a for t, a in _parse(html).tags if t == "circle"]
    assert len(circles) == sum(len(r.claims) for r in result.reports)
    first = result.reports[0].claims[0]
    assert circles[0]["cx"] == str(round(36 + (first.reported.confidence or 0) * 300, 1))
