"""What every output says about full text: where the evidence is, and what was read of each cited paper.

The full-text result is a real `verify` run against a stand-in for arXiv on 127.0.0.1 (the one of
test_fulltext_fetch.py): one paper served as HTML, one only as PDF, one with neither; the abstract-only result
is the sample reports verified offline from fixtures/arxiv, whose full text is not recorded.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from claimcheck._models import ClaimResult, Evidence, Recomputed, Reference, Reported, VerifyResult
from claimcheck._render import render_verify, verify_json_schema
from claimcheck._render._common import (
    claim_where,
    evidence_where,
    not_found_where,
    papers_read,
    read_phrase,
    reference_read_phrase,
)
from claimcheck.cli import app
from test_fulltext_fetch import HTML, PDF, Stand, _handler, _paper

ROOT = Path(__file__).resolve().parent.parent

REPORT = """# Tides, read whole

## Claims

| claim | verified | confidence |
|---|---|---|
| Kiel reaches 0.79 accuracy in summer, trained for 980 hours. | ✓ | 0.9 |
| The encoder stacks 6 layers. | ✓ | 0.9 |
| Small models predict tides well. | ✓ | 0.8 |
| The model was trained on lunar eclipse photographs taken from Mars. | ✓ | 0.9 |

## References

1. https://arxiv.org/abs/2101.00020v1
2. https://arxiv.org/abs/2101.00021v1
"""

NONE_REPORT = """# Tides, abstract only

## Claims

| claim | verified | confidence |
|---|---|---|
| Tide gauges in Oslo were recalibrated every fortnight by volunteers. | ✓ | 0.9 |

## References

1. https://arxiv.org/abs/2101.00022v1
"""


def _verify(args: list[str]) -> VerifyResult:
    done = CliRunner().invoke(app, ["verify", *args, "--format", "json"])
    assert done.stdout.lstrip().startswith("{"), done.output
    return VerifyResult.model_validate_json(done.stdout)


@pytest.fixture(scope="module")
def fulltext(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerifyResult]:
    """Two reports verified with full text: HTML (2101.00020), PDF only (…21), neither (…22)."""
    tmp = tmp_path_factory.mktemp("ft")
    stand = Stand(
        [_paper("2101.00020"), _paper("2101.00021"), _paper("2101.00022")],
        {"/html/2101.00020v1": [(200, HTML, {})], "/pdf/2101.00021v1": [(200, PDF, {})]},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (tmp / "a.md").write_text(REPORT, encoding="utf-8")
    (tmp / "b.md").write_text(NONE_REPORT, encoding="utf-8")
    try:
        yield _verify(
            [str(tmp / "a.md"), str(tmp / "b.md"), "--cache", str(tmp / "c.sqlite3"), "--delay", "0",
             "--api-url", f"{base}/api/query", "--html-url", f"{base}/html", "--pdf-url", f"{base}/pdf"]
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def offline() -> VerifyResult:
    """The sample reports verified offline from the recorded API responses (no full text recorded)."""
    return _verify([str(ROOT / "reports"), "--offline", "--sources", str(ROOT / "fixtures" / "arxiv")])


def _ev(location: str, section: str | None = None, page: int | None = None) -> Evidence:
    return Evidence.model_validate(
        {"arxiv_id": "2101.00020", "sentence": "s", "start": 0, "end": 1, "score": 0.5, "location": location,
         "section": section, "page": page}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("location", "section", "page", "words"),
    [
        ("abstract", "Abstract", None, "in the abstract"),
        ("abstract", None, 1, "in the abstract, p. 1"),
        ("title", None, None, "in the title"),
        ("body", "4 Results", None, "in the body, §4 Results"),
        ("body", "3.1 Attention", 5, "in the body, §3.1 Attention, p. 5"),
        ("body", "A.2 Data", None, "in the body, §A.2 Data"),
        ("body", "Keywords", None, "in the body, Keywords"),
        ("body", None, None, "in the body"),
        ("table", "Table 1", None, "in Table 1"),
        ("table", "Table 2", 7, "in Table 2, p. 7"),
        ("table", "3 Results", None, "in a table, §3 Results"),
        ("caption", "Figure 2", None, "in the caption of Figure 2"),
        ("caption", "2 Method", None, "in a caption"),
    ],
)
def test_evidence_where_says_it_in_short_words(
    location: str, section: str | None, page: int | None, words: str
) -> None:
    assert evidence_where(_ev(location, section, page)) == words


def _ref(arxiv_id: str, fulltext: str | None, reason: str | None = None, status: str = "found") -> Reference:
    return Reference.model_validate(
        {"raw": arxiv_id, "line": 1, "arxiv_id": arxiv_id, "status": status, "fulltext": fulltext,
         "fulltext_reason": reason}
    )  # fmt: skip


def _claim(label: str, checked: str, evidence: list[Evidence] | None = None) -> ClaimResult:
    return ClaimResult(
        index=1,
        line=1,
        text="c",
        reported=Reported(verified=True),
        recomputed=Recomputed.model_validate(
            {"verified": label == "supported", "confidence": 0.5, "label": label, "checked": checked}
        ),
        evidence=evidence or [],
    )


@pytest.mark.parametrize(
    ("checked", "refs", "words"),
    [
        ("fulltext", [_ref("1", "html"), _ref("2", "pdf")], "not in the paper"),
        ("abstract", [_ref("1", None), _ref("2", None)], "not in the abstract"),
        (
            "abstract",
            [_ref("1", "none", "offline"), _ref("2", "none", "offline")],
            "not in the abstract — full text unavailable (not recorded)",
        ),
        (
            "abstract",
            [_ref("1", "none", "too_large"), _ref("2", "none", "unparseable")],
            "not in the abstract — full text unavailable (too large; could not be parsed)",
        ),
        (
            "abstract",
            [_ref("1", "html"), _ref("2", "none", "unavailable"), _ref("3", None, status="unavailable")],
            "not in the full text, nor in the abstract of 2 — full text unavailable (could not be fetched)",
        ),
    ],
)
def test_not_found_says_what_was_searched(checked: str, refs: list[Reference], words: str) -> None:
    claim = _claim("not_found", checked, [_ev("body", "1 Intro")])
    assert not_found_where(claim, refs) == words
    assert claim_where(claim, refs) == words


def test_claim_where_is_the_best_evidence_or_nothing() -> None:
    refs = [_ref("1", "html")]
    best = _ev("table", "Table 1").model_copy(update={"score": 0.9})
    assert claim_where(_claim("supported", "fulltext", [_ev("body", "2 Method"), best]), refs) == "in Table 1"
    assert claim_where(_claim("contradicted", "fulltext", [_ev("caption", "Figure 2")]), refs) == (
        "in the caption of Figure 2"
    )
    assert claim_where(_claim("unverifiable", "abstract", [_ev("body")]), refs) is None
    assert claim_where(_claim("supported", "fulltext"), refs) is None


def test_read_phrase_per_reference() -> None:
    assert read_phrase("html", None) == "full text (HTML)"
    assert read_phrase("pdf", None) == "full text (PDF)"
    assert read_phrase("none", "offline") == (
        "abstract only — full text not recorded; record it with `claimcheck fetch --save DIR`"
    )
    assert read_phrase("none", "not_offered") == "abstract only — arXiv offers neither HTML nor PDF of it"
    assert read_phrase("none", "\x1b[31mnew") == "abstract only — full text unavailable (␛[31mnew)"
    assert read_phrase(None, None) == "abstract only — full text not asked for (--no-full-text)"
    assert reference_read_phrase(_ref("1", None, status="unavailable")) is None
    refs = [_ref("1", "html"), _ref("2", "none", "offline"), _ref("1", "html"), _ref("3", "html")]
    assert papers_read(refs) == [
        ("full text (HTML)", ["1", "3"]),
        ("abstract only — full text not recorded; record it with `claimcheck fetch --save DIR`", ["2"]),
    ]


# -- every format, on a real full-text run ------------------------------------------------------------------


def test_table_says_where_and_what_was_read(fulltext: VerifyResult) -> None:
    out = render_verify(fulltext, "table", width=400, color=False)
    assert "read: 2101.00020: full text (HTML)" in out
    assert "read: 2101.00021: full text (PDF)" in out
    assert "read: 2101.00022: abstract only — arXiv offers neither HTML nor PDF of it" in out
    assert "in Table 1: arXiv:2101.00020" in out
    assert "in the body, §2.1 Attention: arXiv:2101.00020" in out
    assert "not in the paper; closest: arXiv:" in out
    assert "not in the abstract — full text unavailable (arXiv offers no HTML or PDF); closest:" in out
    assert ", p. " in out  # evidence read from the PDF names its page


def test_markdown_says_where_and_what_was_read(fulltext: VerifyResult) -> None:
    out = render_verify(fulltext, "markdown")
    assert "- 2101.00020: full text \\(HTML\\)" in out
    assert "- 2101.00022: abstract only — arXiv offers neither HTML nor PDF of it" in out
    assert "| _in Table 1_: arXiv:2101.00020: Kiel \\| 0.79" in out
    assert "_in the body, §2.1 Attention_: arXiv:2101.00020" in out
    assert "_not in the paper_; closest: arXiv:" in out
    assert "stated: — papers" in out


def test_junit_says_where_and_what_was_read(fulltext: VerifyResult) -> None:
    fulltext = fulltext.model_copy(deep=True)
    first = fulltext.reports[0].references[0]
    fulltext.reports[0].references.append(first.model_copy(update={"line": 99}))  # cited twice: read once
    root = ET.fromstring(render_verify(fulltext, "junit"))  # noqa: S314 - our own output
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["read.2101.00020"] == "full text (HTML)"
    assert props["read.2101.00021"] == "full text (PDF)"
    assert props["read.2101.00022"] == "abstract only — arXiv offers neither HTML nor PDF of it"
    assert len([p for p in root.iter("property") if (p.get("name") or "").startswith("read.")]) == 3
    texts = "\n".join((e.text or "") for e in root.iter() if e.tag in {"failure", "system-out"})
    assert "where: in Table 1\n" in texts
    assert "where: not in the paper\n" in texts
    assert "where: not in the abstract — full text unavailable (arXiv offers no HTML or PDF)" in texts


def test_github_says_where_and_notices_papers_read_as_abstracts(fulltext: VerifyResult) -> None:
    lines = render_verify(fulltext, "github").splitlines()
    # a ✓ claim the full text does not state is claim_not_in_paper; one checked against an abstract only is not
    (absent,) = [ln for ln in lines if "title=claimcheck claim_not_in_paper" in ln]
    assert absent.endswith("(evidence: not in the paper)")
    (unsupported,) = [ln for ln in lines if "title=claimcheck unsupported_verified_claim" in ln]
    assert unsupported.endswith(
        "(evidence: not in the abstract — full text unavailable (arXiv offers no HTML or PDF))"
    )
    notices = [ln for ln in lines if "title=claimcheck abstract only" in ln]
    # only the report whose ✓ claim was checked against an abstract, at the line of the paper's reference
    assert notices == [
        f"::notice file={fulltext.reports[1].path},line=11,title=claimcheck abstract only::arXiv:2101.00022: "
        "abstract only — arXiv offers neither HTML nor PDF of it. 1 claim marked ✓ and not supported were "
        "checked against abstracts only"
    ]
    assert not [
        ln
        for ln in render_verify(fulltext, "github", min_severity="warning").splitlines()
        if "abstract only" in ln
    ]


def test_the_full_text_run_located_its_evidence(fulltext: VerifyResult) -> None:
    # the premise of the tests above: the run really read HTML and PDF and located evidence in both
    a, b = fulltext.reports
    assert [(r.fulltext, r.fulltext_reason) for r in a.references] == [("html", None), ("pdf", None)]
    assert [(r.fulltext, r.fulltext_reason) for r in b.references] == [("none", "not_offered")]
    assert [c.recomputed.checked for c in a.claims] == ["fulltext"] * 4
    assert [c.recomputed.label for c in a.claims][-1] == "not_found"
    assert b.claims[0].recomputed.checked == "abstract"
    locations = {(e.location, e.page is not None) for c in a.claims for e in c.evidence}
    assert {("table", False), ("body", False), ("body", True)} <= locations


# -- the sample reports, offline: no full text recorded ------------------------------------------------------

_OFFLINE = "abstract only — full text not recorded; record it with `claimcheck fetch --save DIR`"


def test_offline_samples_say_per_paper_that_no_full_text_was_recorded(offline: VerifyResult) -> None:
    refs = [r for rep in offline.reports for r in rep.references if r.status == "found"]
    assert refs and all((r.fulltext, r.fulltext_reason) == ("none", "offline") for r in refs)
    table = render_verify(offline, "table", width=200, color=False)
    markdown = render_verify(offline, "markdown")
    junit = render_verify(offline, "junit")
    html = render_verify(offline, "html")
    for report in offline.reports:
        ids = ", ".join(dict.fromkeys(r.arxiv_id or "" for r in report.references if r.status == "found"))
        assert f"read: {ids}: {_OFFLINE}" in table
        assert (
            f"- {ids}: abstract only — full text not recorded; record it with `claimcheck fetch --save DIR`"
            in markdown
        )
    for ref in refs:
        assert f'name="read.{ref.arxiv_id}" value="{_OFFLINE}"' in junit
        assert f"<code>arXiv:{ref.arxiv_id}</code>" in html
    assert html.count(
        "abstract only — full text not recorded; record it with <code>claimcheck fetch --save DIR</code>"
    ) >= len({r.arxiv_id for r in refs})
    assert "not in the abstract — full text unavailable (not recorded)" in table
    assert "not in the paper" not in table


# -- JSON --------------------------------------------------------------------------------------------------


def test_full_text_json_validates_and_round_trips(fulltext: VerifyResult) -> None:
    out = render_verify(fulltext, "json")
    jsonschema.validate(json.loads(out), verify_json_schema())
    assert VerifyResult.model_validate_json(out) == fulltext


def test_claimcheck_schema_prints_the_full_text_keys() -> None:
    done = CliRunner().invoke(app, ["schema"])
    assert done.exit_code == 0, done.output
    defs = json.loads(done.stdout)["$defs"]
    assert {"location", "section", "page", "anchor"} <= defs["Evidence"]["properties"].keys()
    assert "checked" in defs["Recomputed"]["properties"]
    assert {"fulltext", "fulltext_reason"} <= defs["Reference"]["properties"].keys()


def test_jsonl_claims_carry_where_the_evidence_is_and_what_was_checked(fulltext: VerifyResult) -> None:
    records = [json.loads(line) for line in render_verify(fulltext, "jsonl").splitlines()]
    claims = [r for r in records if r["type"] == "claim"]
    assert [c["recomputed"]["checked"] for c in claims] == ["fulltext"] * 4 + ["abstract"]
    table = claims[0]["evidence"][0]
    assert {"location", "section", "page", "anchor"} <= table.keys()
    assert (table["location"], table["section"], table["anchor"]) == ("table", "Table 1", "S3.T1")
    assert any(e["page"] for c in claims for e in c["evidence"])
    reports = [r for r in records if r["type"] == "report"]
    assert [ref["fulltext"] for ref in reports[0]["references"]] == ["html", "pdf"]
    assert reports[1]["references"][0]["fulltext_reason"] == "not_offered"


# -- the HTML page ------------------------------------------------------------------------------------------


def _evidence_heads(html: str) -> list[str]:
    return re.findall(r'<div class="evidence [^"]*" data-p="[^"]+"><div class="ev-head">.*?</div>', html)


def test_html_evidence_says_where_and_links_into_the_paper(fulltext: VerifyResult) -> None:
    html = render_verify(fulltext, "html")
    heads = _evidence_heads(html)
    table = next(h for h in heads if "in Table 1 · " in h)
    assert 'href="https://arxiv.org/html/2101.00020v1#S3.T1" rel="noreferrer">open in paper' in table
    body = next(h for h in heads if "in the body, §2.1 Attention · " in h)
    assert 'href="https://arxiv.org/html/2101.00020v1#S2.' in body
    pdf = [h for h in heads if 'data-p="2101.00021"' in h and ", p. " in h]
    assert pdf and all(re.search(r'href="https://arxiv.org/pdf/2101.00021v1#page=\d+"', h) for h in pdf)
    assert '<span class="where">not in the paper</span>' in html
    assert (
        '<span class="where">not in the abstract — full text unavailable (arXiv offers no HTML or PDF)</span>'
        in html
    )


def test_html_shows_only_abstract_evidence_in_its_abstract(fulltext: VerifyResult) -> None:
    # offsets index into the block the evidence comes from: body, table and caption sentences are shown
    # as they are (with where and a link), never cut out of the abstract at those offsets
    result = fulltext.model_copy(deep=True)
    abstract = result.papers[0].abstract or ""
    for claim in result.reports[0].claims:
        for ev in claim.evidence:
            if ev.location in ("body", "table", "caption") and ev.end <= len(abstract):
                ev.sentence = abstract[ev.start : ev.end]  # offsets that would match by accident
    html = render_verify(result, "html")
    cut = re.findall(r'<div class="evidence [^"]*" data-p="([^"]+)" data-f="(\w+)"[^>]* data-s=', html)
    assert all(field in ("title", "abstract") for _, field in cut)
    assert len(_evidence_heads(html)) == sum(len(c.evidence) for r in result.reports for c in r.claims) - len(
        cut
    )


def test_html_says_what_was_read_per_paper_and_filters_by_it(fulltext: VerifyResult) -> None:
    html = render_verify(fulltext, "html")
    papers = re.findall(
        r'<details class="paper" id="p-([^"]+)" data-href="([^"]+)">.*?</details>', html, re.S
    )
    assert papers == [
        ("2101.00020", "https://arxiv.org/abs/2101.00020v1"),
        ("2101.00021", "https://arxiv.org/abs/2101.00021v1"),
        ("2101.00022", "https://arxiv.org/abs/2101.00022v1"),
    ]
    assert '<span class="read ft-html">full text (HTML)</span>' in html
    assert '<a href="https://arxiv.org/pdf/2101.00021v1" rel="noreferrer">PDF ↗</a>' in html
    assert '<span class="read ft-none">abstract only — arXiv offers neither HTML nor PDF of it</span>' in html
    checked = re.findall(r'<article class="claim [^"]*"[^>]* data-checked="(\w+)"', html)
    assert checked == ["fulltext"] * 4 + ["abstract"]
    assert html.count('<span class="checked fulltext">checked: full text</span>') == 4
    assert '<select id="f-checked"' in html and '<option value="fulltext">' in html
