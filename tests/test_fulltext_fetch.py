"""Full text over the wire: a stand-in for arXiv on 127.0.0.1 serving the API, /html/<id>v<N> and /pdf/<id>v<N>.

The documents are our own: the LaTeXML-style page in fixtures/fulltext/ and a PDF the PDF tests generate.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from claimcheck._models import Paper
from claimcheck._sources import FetchEvent, PaperCache, SourceSession
from claimcheck._sources._atom import paper_to_atom
from test_extract_pdf import _PAGES, _make_pdf

ROOT = Path(__file__).resolve().parent.parent
HTML = (ROOT / "fixtures" / "fulltext" / "latexml-paper.html").read_bytes()
PDF = _make_pdf(_PAGES)

Action = tuple[int, bytes, dict[str, str]]


def _paper(arxiv_id: str, version: int = 1) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        status="found",
        title="Tiny Transformers for Tide Tables",
        abstract="We predict tides with a 4-layer transformer and reach 0.91 accuracy.",
        authors=["A. Tide"],
        published="2021-01-01T00:00:00Z",
        updated="2021-01-01T00:00:00Z",
    )


def _feed(papers: list[Paper]) -> bytes:
    """One Atom feed holding every paper's entry (the API answers a batch in one feed)."""
    feeds = [paper_to_atom(p, feed_updated="2026-01-01T00:00:00Z").decode() for p in papers]
    if not feeds:
        return b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>'
    entries = [f[f.index("<entry") : f.rindex("</entry>") + len("</entry>")] for f in feeds]
    head = feeds[0][: feeds[0].index("<entry")]
    return (head + "\n".join(entries) + "\n</feed>\n").encode()


class Stand:
    """The stand-in: per path a list of answers (the last one repeats), and every request seen."""

    def __init__(self, papers: list[Paper], routes: dict[str, list[Action]]) -> None:
        self.papers = {p.arxiv_id: p for p in papers}
        self.routes = routes
        self.seen: list[str] = []
        self.agents: list[str] = []
        self.times: list[float] = []

    def answer(self, path: str) -> Action:
        if path.startswith("/api/query"):
            ids = path.split("id_list=", 1)[1].split("&", 1)[0].split(",")
            found = [self.papers[i.split("v")[0]] for i in ids if i.split("v")[0] in self.papers]
            return 200, _feed(found), {"Content-Type": "application/atom+xml"}
        queue = self.routes.get(path)
        if not queue:
            return 404, b"not here", {}
        return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(stand: Stand) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            stand.seen.append(self.path)
            stand.agents.append(self.headers.get("User-Agent", ""))
            stand.times.append(time.monotonic())
            status, body, given = stand.answer(self.path)
            headers = dict(given)
            self.send_response(status)
            length = headers.pop("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", length)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def serve() -> Iterator[Callable[[Stand], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(stand: Stand) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _session(base: str, cache: PaperCache | None, **kw: object) -> SourceSession:
    return SourceSession(
        cache=cache,
        api_url=f"{base}/api/query",
        html_url=f"{base}/html",
        pdf_url=f"{base}/pdf",
        delay=0.0,
        mailto="auditor@example.org",
        **kw,  # type: ignore[arg-type]
    )


def _full(session: SourceSession, arxiv_id: str = "2101.00001") -> Paper:
    papers = session.references([(arxiv_id, 1)])
    return session.full_texts(papers)[(arxiv_id, 1)]


def test_html_is_read_and_cached_so_a_second_run_asks_nothing(
    serve: Callable[[Stand], str], tmp_path: Path
) -> None:
    stand = Stand([_paper("2101.00001")], {"/html/2101.00001v1": [(200, HTML, {})]})
    base = serve(stand)
    cache = PaperCache(tmp_path / "c.sqlite3")
    with _session(base, cache) as session:
        paper = _full(session)
        assert (paper.fulltext, paper.fulltext_reason) == ("html", None)
        document = session.document("2101.00001", 1)
        assert document is not None and document.kind == "html"
        assert any(b.location == "table" and "1,204" in b.text for b in document.blocks)
    assert stand.seen == [
        "/api/query?search_query=&id_list=2101.00001&start=0&max_results=1",
        "/html/2101.00001v1",
    ]
    assert all("claimcheck/" in a and "mailto:auditor@example.org" in a for a in stand.agents)
    with _session(base, PaperCache(tmp_path / "c.sqlite3")) as again:
        assert _full(again).fulltext == "html"
    assert len(stand.seen) == 2  # metadata and document both from the cache: nothing fetched twice


def test_html_404_falls_back_to_the_pdf(serve: Callable[[Stand], str]) -> None:
    stand = Stand(
        [_paper("2101.00002")], {"/pdf/2101.00002v1": [(200, PDF, {"Content-Type": "application/pdf"})]}
    )
    with _session(serve(stand), None) as session:
        paper = _full(session, "2101.00002")
        assert paper.fulltext == "pdf"
        document = session.document("2101.00002", 1)
        assert document is not None and any(b.page == 2 for b in document.blocks)
    assert stand.seen[1:] == ["/html/2101.00002v1", "/pdf/2101.00002v1"]


def test_a_failed_html_conversion_falls_back_to_the_pdf(serve: Callable[[Stand], str]) -> None:
    failed = b"<html><body><p>Conversion to HTML had a Fatal error and exited abruptly.</p></body></html>"
    stand = Stand(
        [_paper("2101.00003")],
        {"/html/2101.00003v1": [(200, failed, {})], "/pdf/2101.00003v1": [(200, PDF, {})]},
    )
    with _session(serve(stand), None) as session:
        assert _full(session, "2101.00003").fulltext == "pdf"


def test_neither_html_nor_pdf_is_not_offered_and_remembered(
    serve: Callable[[Stand], str], tmp_path: Path
) -> None:
    stand = Stand([_paper("2101.00004")], {})
    base = serve(stand)
    with _session(base, PaperCache(tmp_path / "c.sqlite3")) as session:
        paper = _full(session, "2101.00004")
        assert (paper.fulltext, paper.fulltext_reason) == ("none", "not_offered")
    with _session(base, PaperCache(tmp_path / "c.sqlite3")) as session:
        assert _full(session, "2101.00004").fulltext_reason == "not_offered"
    assert stand.seen[1:] == ["/html/2101.00004v1", "/pdf/2101.00004v1"]


def test_429_with_retry_after_is_honoured(serve: Callable[[Stand], str]) -> None:
    stand = Stand(
        [_paper("2101.00005")],
        {"/html/2101.00005v1": [(429, b"slow down", {"Retry-After": "1"}), (200, HTML, {})]},
    )
    told: list[FetchEvent] = []
    with _session(serve(stand), None, events=told.append) as session:
        assert _full(session, "2101.00005").fulltext == "html"
    assert stand.seen[1:] == ["/html/2101.00005v1", "/html/2101.00005v1"]
    assert stand.times[2] - stand.times[1] >= 0.95
    assert any(e.kind == "retry" and "429" in e.message for e in told)


def test_a_truncated_body_is_unavailable_and_never_cached(
    serve: Callable[[Stand], str], tmp_path: Path
) -> None:
    cut = (200, HTML[:300], {"Content-Length": str(len(HTML))})
    stand = Stand([_paper("2101.00006")], {"/html/2101.00006v1": [cut]})
    base = serve(stand)
    with _session(base, PaperCache(tmp_path / "c.sqlite3")) as session:
        session.polite.max_retries = 1
        session.polite.backoff = 0.01
        paper = _full(session, "2101.00006")
        assert (paper.fulltext, paper.fulltext_reason) == ("none", "unavailable")
    assert PaperCache(tmp_path / "c.sqlite3").get_document("2101.00006", 1) is None


def test_an_oversize_body_is_too_large_without_reading_it(serve: Callable[[Stand], str]) -> None:
    stand = Stand(
        [_paper("2101.00007")],
        {"/html/2101.00007v1": [(200, HTML, {})], "/pdf/2101.00007v1": [(200, PDF, {})]},
    )
    with _session(serve(stand), None, max_document_bytes=500) as session:
        paper = _full(session, "2101.00007")
        assert (paper.fulltext, paper.fulltext_reason) == ("none", "too_large")


def test_offline_asks_nothing_and_says_why(serve: Callable[[Stand], str], tmp_path: Path) -> None:
    stand = Stand([], {})
    base = serve(stand)
    cache = PaperCache(tmp_path / "c.sqlite3")
    cache.put(_paper("2101.00008").model_copy(update={"requested_version": 1}))
    with _session(base, cache, offline=True) as session:
        paper = _full(session, "2101.00008")
        assert (paper.fulltext, paper.fulltext_reason) == ("none", "offline")
    assert stand.seen == []


def test_no_full_text_reads_abstracts_only(serve: Callable[[Stand], str]) -> None:
    stand = Stand([_paper("2101.00009")], {"/html/2101.00009v1": [(200, HTML, {})]})
    with _session(serve(stand), None, full_text=False) as session:
        assert _full(session, "2101.00009").fulltext is None
    assert [p for p in stand.seen if not p.startswith("/api/")] == []


def test_saved_full_text_is_read_back_offline_from_sources(
    serve: Callable[[Stand], str], tmp_path: Path
) -> None:
    stand = Stand(
        [_paper("2101.00010"), _paper("2101.00011")],
        {"/html/2101.00010v1": [(200, HTML, {})], "/pdf/2101.00011v1": [(200, PDF, {})]},
    )
    recorded = tmp_path / "recorded"
    with _session(serve(stand), None) as session:
        papers = session.full_texts(session.references([("2101.00010", 1), ("2101.00011", 1)]))
        session.save(papers.values(), recorded)
    assert sorted(p.name for p in recorded.iterdir()) == [
        "2101.00010v1.html",
        "2101.00010v1.xml",
        "2101.00011v1.pdf",
        "2101.00011v1.xml",
    ]
    with SourceSession(sources=recorded, offline=True) as offline:
        back = offline.full_texts(offline.references([("2101.00010", 1), ("2101.00011", 1)]))
        assert [p.fulltext for p in back.values()] == ["html", "pdf"]


def test_verify_reads_the_body_and_says_where(serve: Callable[[Stand], str], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from claimcheck.cli import app

    stand = Stand([_paper("2101.00012")], {"/html/2101.00012v1": [(200, HTML, {})]})
    base = serve(stand)
    report = tmp_path / "r.md"
    report.write_text(
        "# Tides\n\n## Claims\n\n| claim | verified | confidence |\n|---|---|---|\n"
        "| Kiel reaches 0.79 accuracy in summer, trained for 980 hours. | ✓ | 0.9 |\n"
        "| The encoder stacks 6 layers. | ✓ | 0.9 |\n"
        "| Volcanic ash clouds delay every ferry crossing in the archipelago. | ✓ | 0.9 |\n\n"
        "## References\n\n1. https://arxiv.org/abs/2101.00012v1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["verify", str(report), "--format", "json", "--cache", str(tmp_path / "c.sqlite3"), "--delay", "0",
         "--api-url", f"{base}/api/query", "--html-url", f"{base}/html", "--pdf-url", f"{base}/pdf"],
    )  # fmt: skip
    data = json.loads(result.stdout)
    (ref,) = data["reports"][0]["references"]
    assert (ref["fulltext"], ref["fulltext_reason"]) == ("html", None)
    claims = data["reports"][0]["claims"]
    assert [c["recomputed"]["checked"] for c in claims] == ["fulltext"] * 3
    assert [c["evidence"][0]["location"] for c in claims[:2]] == ["table", "body"]
    assert [c["evidence"][0]["section"] for c in claims[:2]] == ["Table 1", "2.1 Attention"]
    # a ✓ claim the whole paper does not state: the strong signal of a fabricated claim
    assert claims[2]["recomputed"]["label"] == "not_found"
    codes = [f["code"] for f in claims[2]["findings"]]
    assert "claim_not_in_paper" in codes and "unsupported_verified_claim" not in codes
