"""ArxivClient against recorded API bodies through httpx.MockTransport (no network, fake clock)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from claimcheck._models import Paper
from claimcheck._sources import ArxivClient, PaperCache, SourceSession, fetch_papers
from claimcheck._sources._atom import paper_to_atom

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv" / "api_samples"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, t: FakeTime, **kw: object) -> tuple[ArxivClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.Client(transport=httpx.MockTransport(record))
    client = ArxivClient(http, delay=3.0, sleep=t.sleep, clock=t.clock, rng=lambda: 0.5, **kw)  # type: ignore[arg-type]
    return client, seen


def body(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def id_list(request: httpx.Request) -> list[str]:
    return request.url.params["id_list"].split(",")


def test_versioned_id() -> None:
    t = FakeTime()
    client, seen = make_client(
        lambda r: httpx.Response(200, content=body("arxivpy_versioned_id_2104.12255v1.xml")), t
    )
    (paper,) = client.fetch(["2104.12255v1"])
    assert (paper.status, paper.version, paper.requested_version, paper.title) == ("found", 1, 1, "0")
    assert not paper.version_missing
    assert seen[0].url.params["max_results"] == "1"
    assert seen[0].url.scheme == "https"
    assert "claimcheck/" in seen[0].headers["user-agent"]


def test_unversioned_id() -> None:
    t = FakeTime()
    client, _ = make_client(
        lambda r: httpx.Response(200, content=body("arxivpy_unversioned_id_1605.08386.xml")), t
    )
    (paper,) = client.fetch(["1605.08386"])
    assert (paper.status, paper.version, paper.requested_version) == ("found", 1, None)


def test_malformed_is_local_and_makes_no_request() -> None:
    t = FakeTime()
    client, seen = make_client(lambda r: httpx.Response(500), t)
    (paper,) = client.fetch(["abc"])
    assert paper.status == "malformed"
    assert seen == []


def test_http_400_error_entry_is_malformed_and_not_retried() -> None:
    t = FakeTime()
    # 1234.1234 passes our syntactic check in some forms; the API's 400 still decides here.
    client, seen = make_client(
        lambda r: httpx.Response(
            400, content=body("arxivpy_malformed_id_abc_HTTP400.xml").replace(b"abc", b"0801.0001")
        ),
        t,
    )
    (paper,) = client.fetch(["0801.0001"])
    assert paper.status == "malformed"
    assert "incorrect id format" in (paper.message or "")
    assert len(seen) == 1


def test_unknown_id_is_not_found() -> None:
    t = FakeTime()
    client, _ = make_client(
        lambda r: httpx.Response(200, content=body("arxivpy_nonexistent_id_0000.0000_empty_feed.xml")), t
    )
    (paper,) = client.fetch(["0808.05394"])
    assert paper.status == "not_found"


def test_mixed_list_indexed_by_returned_id() -> None:
    t = FakeTime()
    content = body("arxivpy_two_ids_one_missing_0808.05394_1707.08567.xml")
    client, seen = make_client(lambda r: httpx.Response(200, content=content), t)
    missing, found = client.fetch(["0808.05394", "1707.08567"])
    assert missing.status == "not_found"
    assert missing.arxiv_id == "0808.05394"
    assert found.status == "found"
    assert found.arxiv_id == "1707.08567"
    assert len(seen) == 1
    assert id_list(seen[0]) == ["0808.05394", "1707.08567"]


def test_oldstyle_id_with_journal_ref() -> None:
    t = FakeTime()
    content = body("arxivpy_oldstyle_id_astro-ph_0601001_journal_ref_affiliation.xml")
    client, seen = make_client(lambda r: httpx.Response(200, content=content), t)
    (paper,) = client.fetch(["astro-ph/0601001v1"])
    assert paper.status == "found"
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert id_list(seen[0]) == ["astro-ph/0601001v1"]


def test_classic_hard_wrapped_format() -> None:
    t = FakeTime()
    content = body("classic_2022_id_list_2101.05225_printed_in_R_book.xml")
    client, _ = make_client(lambda r: httpx.Response(200, content=content), t)
    (paper,) = client.fetch(["2101.05225"])
    assert paper.status == "found"
    assert paper.abstract is not None
    assert "\n" not in paper.abstract


def test_missing_version_is_reported_not_replaced() -> None:
    t = FakeTime()
    v2 = Paper(
        arxiv_id="2411.15127", version=2, status="found", title="PRIMUS", updated="2025-01-21T13:55:17Z"
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if id_list(request) == ["2411.15127v3"]:
            return httpx.Response(200, content=body("arxivpy_nonexistent_id_0000.0000_empty_feed.xml"))
        return httpx.Response(200, content=paper_to_atom(v2, feed_updated="2026-01-01T00:00:00Z"))

    client, seen = make_client(handler, t)
    (paper,) = client.fetch(["2411.15127v3"])
    assert paper.status == "found"
    assert paper.version_missing
    assert (paper.version, paper.requested_version) == (2, 3)
    assert [id_list(r) for r in seen] == [["2411.15127v3"], ["2411.15127"]]


def test_other_version_returned_is_flagged() -> None:
    t = FakeTime()
    client, _ = make_client(
        lambda r: httpx.Response(200, content=body("arxivpy_unversioned_id_1605.08386.xml")), t
    )
    (paper,) = client.fetch(["1605.08386v2"])
    assert paper.status == "found"
    assert paper.version == 1
    assert paper.version_missing


def _feed_for(request: httpx.Request) -> httpx.Response:
    papers = [
        Paper(arxiv_id=i.split("v")[0], version=1, status="found", title=f"paper {i}", published="2020-01-01")
        for i in reversed(id_list(request))  # entry order is not request order
    ]
    entries = b"".join(
        paper_to_atom(p, feed_updated="x")
        .split(b"<entry>")[1]
        .split(b"</entry>")[0]
        .join([b"<entry>", b"</entry>"])
        for p in papers
    )
    head = paper_to_atom(papers[0], feed_updated="x").split(b"<entry>")[0]
    return httpx.Response(200, content=head + entries + b"</feed>")


def test_250_ids_take_3_requests_then_0_via_cache(tmp_path: Path) -> None:
    t = FakeTime()
    client, seen = make_client(_feed_for, t)
    ids = [f"2101.{n:05d}" for n in range(1, 251)]
    cache = PaperCache(tmp_path / "c.sqlite3")
    papers = fetch_papers(ids, session=SourceSession(cache=cache, client=client))
    assert [p.arxiv_id for p in papers] == ids
    assert all(p.status == "found" and p.title == f"paper {p.arxiv_id}" for p in papers)
    assert len(seen) == 3
    assert [r.url.params["max_results"] for r in seen] == ["100", "100", "50"]
    assert all(len(str(r.url)) < 4000 for r in seen)
    # politeness: at least 3 s between consecutive requests
    assert sum(t.sleeps) >= 2 * 3.0
    again = fetch_papers(ids, session=SourceSession(cache=PaperCache(tmp_path / "c.sqlite3"), client=client))
    assert len(seen) == 3
    assert all(p.source == "cache" for p in again)


def test_duplicates_fetched_once_and_kept_in_input_order() -> None:
    t = FakeTime()
    client, seen = make_client(_feed_for, t)
    papers = client.fetch(["2101.00002", "2101.00001", "2101.00002"])
    assert [p.arxiv_id for p in papers] == ["2101.00002", "2101.00001", "2101.00002"]
    assert id_list(seen[0]) == ["2101.00002", "2101.00001"]


def test_always_503_gives_unavailable_within_budget() -> None:
    t = FakeTime()
    client, seen = make_client(lambda r: httpx.Response(503), t)
    papers = client.fetch([f"2101.{n:05d}" for n in range(1, 251)])
    assert {p.status for p in papers} == {"unavailable"}
    assert len(seen) == 5  # one batch tried 1 + 4 retries; the others are not attempted
    assert t.now < 120


def test_retry_after_honoured_and_capped() -> None:
    t = FakeTime()
    answers = [
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(200, content=body("arxivpy_unversioned_id_1605.08386.xml")),
    ]
    client, _ = make_client(lambda r: answers.pop(0), t)
    (paper,) = client.fetch(["1605.08386"])
    assert paper.status == "found"
    assert t.sleeps == [7.0]
    t2 = FakeTime()
    client2, seen2 = make_client(lambda r: httpx.Response(429, headers={"Retry-After": "3600"}), t2)
    (paper2,) = client2.fetch(["1605.08386"])
    assert paper2.status == "unavailable"
    assert len(seen2) == 1
    assert "3600" in (paper2.message or "")


def test_retry_after_http_date() -> None:
    t = FakeTime()
    answers = [
        httpx.Response(503, headers={"Retry-After": "Thu, 01 Jan 2026 00:00:05 GMT"}),
        httpx.Response(200, content=body("arxivpy_unversioned_id_1605.08386.xml")),
    ]
    http = httpx.Client(transport=httpx.MockTransport(lambda r: answers.pop(0)))
    client = ArxivClient(http, delay=0, sleep=t.sleep, clock=t.clock, wallclock=lambda: 1767225600.0)
    assert client.fetch(["1605.08386"])[0].status == "found"
    assert t.sleeps == [5.0]


def test_transport_error_is_unavailable_never_not_found() -> None:
    t = FakeTime()

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, seen = make_client(handler, t)
    (paper,) = client.fetch(["2005.13013v2"])
    assert paper.status == "unavailable"
    assert "unreachable" in (paper.message or "")
    assert len(seen) == 5
    assert all(s >= 3.0 for s in t.sleeps)


def test_414_splits_the_batch() -> None:
    t = FakeTime()

    def handler(request: httpx.Request) -> httpx.Response:
        if len(id_list(request)) > 30:
            return httpx.Response(414)
        return _feed_for(request)

    client, seen = make_client(handler, t)
    papers = client.fetch([f"2101.{n:05d}" for n in range(1, 101)])
    assert all(p.status == "found" for p in papers)
    assert [len(id_list(r)) for r in seen] == [100, 50, 25, 25, 50, 25, 25]


def test_owned_client_is_one_connection() -> None:
    client = ArxivClient()
    pool = client.http._http._transport._pool  # type: ignore[attr-defined]
    assert pool._max_connections == 1
    client.close()


@pytest.mark.parametrize("status", [403, 404])
def test_other_http_errors_are_unavailable_without_retry(status: int) -> None:
    t = FakeTime()
    client, seen = make_client(lambda r: httpx.Response(status), t)
    (paper,) = client.fetch(["2005.13013"])
    assert paper.status == "unavailable"
    assert len(seen) == 1
