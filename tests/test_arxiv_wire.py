"""ArxivClient against a real fault-injecting HTTP server on 127.0.0.1 (started here, in a thread)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from claimcheck._sources import ArxivClient, PaperCache, SourceSession, fetch_papers

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv" / "api_samples"
GOOD = (SAMPLES / "arxivpy_unversioned_id_1605.08386.xml").read_bytes()


class Script:
    """What the server does for each request, in order; the last action repeats."""

    def __init__(self, *actions: tuple[object, ...]) -> None:
        self.actions = list(actions)
        self.times: list[float] = []
        self.paths: list[str] = []

    def next(self, path: str) -> tuple[object, ...]:
        self.times.append(time.monotonic())
        self.paths.append(path)
        return self.actions.pop(0) if len(self.actions) > 1 else self.actions[0]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            action = script.next(self.path)
            kind = action[0]
            if kind == "status":
                _, code, headers, body = action
                self.send_response(int(code))  # type: ignore[call-overload]
                for k, v in dict(headers).items():  # type: ignore[call-overload]
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))  # type: ignore[arg-type]
                self.end_headers()
                self.wfile.write(body)  # type: ignore[arg-type]
            elif kind in ("reset", "truncate"):
                self.send_response(200)
                self.send_header("Content-Length", str(len(GOOD)))
                self.end_headers()
                self.wfile.write(GOOD[:300])
                self.wfile.flush()
                if kind == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                self.close_connection = True
            elif kind == "truncated_xml":
                body = GOOD[: len(GOOD) // 2]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif kind == "slow":
                time.sleep(float(action[1]))  # type: ignore[arg-type]
                self.send_response(200)
                self.send_header("Content-Length", str(len(GOOD)))
                self.end_headers()
                self.wfile.write(GOOD)

    return Handler


@pytest.fixture
def serve() -> Iterator[object]:
    servers: list[ThreadingHTTPServer] = []

    def start(script: Script) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/api/query"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def client(url: str, **kw: object) -> ArxivClient:
    opts: dict[str, object] = {
        "delay": 0.05,
        "max_retries": 3,
        "timeout": 1.0,
        "backoff": 0.05,
        "max_total": 10.0,
    }
    opts.update(kw)
    return ArxivClient(api_url=url, **opts)  # type: ignore[arg-type]


def test_429_with_retry_after_twice_then_success(serve) -> None:  # type: ignore[no-untyped-def]
    script = Script(
        ("status", 429, {"Retry-After": "2"}, b""),
        ("status", 429, {"Retry-After": "2"}, b""),
        ("status", 200, {}, GOOD),
    )
    url = serve(script)
    started = time.monotonic()
    with client(url) as c:
        (paper,) = c.fetch(["1605.08386"])
    assert paper.status == "found"
    assert len(script.times) == 3
    assert script.times[1] - script.times[0] >= 1.9
    assert script.times[2] - script.times[1] >= 1.9
    assert time.monotonic() - started < 8


def test_429_without_retry_after_backs_off(serve) -> None:  # type: ignore[no-untyped-def]
    script = Script(("status", 429, {}, b""), ("status", 200, {}, GOOD))
    with client(serve(script), backoff=0.3) as c:
        assert c.fetch(["1605.08386"])[0].status == "found"
    assert script.times[1] - script.times[0] >= 0.15


def test_503_storm_is_unavailable_and_bounded(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = Script(("status", 503, {}, b"busy"))
    cache = PaperCache(tmp_path / "c.sqlite3")
    started = time.monotonic()
    with client(serve(script)) as c:
        papers = fetch_papers(["1605.08386", "2005.13013v2"], session=SourceSession(cache=cache, client=c))
    assert [p.status for p in papers] == ["unavailable", "unavailable"]
    assert len(script.times) == 4
    assert time.monotonic() - started < 5
    assert cache.stats().entries == 0


def test_refused_port_is_unavailable(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cache = PaperCache(tmp_path / "c.sqlite3")
    with client(f"http://127.0.0.1:{port}/api/query") as c:
        (paper,) = fetch_papers(["1605.08386"], session=SourceSession(cache=cache, client=c))
    assert paper.status == "unavailable"
    assert "unreachable" in (paper.message or "")
    assert cache.stats().entries == 0


@pytest.mark.parametrize("fault", ["reset", "truncate", "truncated_xml"])
def test_broken_body_then_recovery(serve, fault: str) -> None:  # type: ignore[no-untyped-def]
    script = Script((fault,), ("status", 200, {}, GOOD))
    with client(serve(script)) as c:
        assert c.fetch(["1605.08386"])[0].status == "found"
    assert len(script.times) == 2


@pytest.mark.parametrize("fault", ["reset", "truncated_xml"])
def test_broken_body_always_is_unavailable_and_not_cached(serve, fault: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = Script((fault,))
    cache = PaperCache(tmp_path / "c.sqlite3")
    with client(serve(script)) as c:
        (paper,) = fetch_papers(["1605.08386"], session=SourceSession(cache=cache, client=c))
    assert paper.status == "unavailable"
    assert cache.get("1605.08386", None) is None


def test_slow_response_times_out(serve) -> None:  # type: ignore[no-untyped-def]
    script = Script(("slow", 2.0))
    started = time.monotonic()
    with client(serve(script), timeout=0.3, max_retries=1) as c:
        (paper,) = c.fetch(["1605.08386"])
    assert paper.status == "unavailable"
    assert "timed out" in (paper.message or "")
    assert time.monotonic() - started < 2.5


def test_414_on_long_url_splits_and_retries(serve) -> None:  # type: ignore[no-untyped-def]
    empty = (SAMPLES / "arxivpy_nonexistent_id_0000.0000_empty_feed.xml").read_bytes()

    class LongScript(Script):
        def next(self, path: str) -> tuple[object, ...]:
            super().next(path)
            return ("status", 414, {}, b"") if len(path) > 600 else ("status", 200, {}, empty)

    script = LongScript(("status", 200, {}, empty))
    with client(serve(script), delay=0.0) as c:
        papers = c.fetch([f"2101.{n:05d}" for n in range(1, 101)])
    assert {p.status for p in papers} == {"not_found"}
    assert len(script.paths[0]) > 600
    assert len([p for p in script.paths if len(p) <= 600]) == 4  # 100 → 50 + 50 → four batches of 25


def test_dead_service_bounded_total_time(serve) -> None:  # type: ignore[no-untyped-def]
    script = Script(("slow", 5.0))
    started = time.monotonic()
    with client(serve(script), timeout=2.0, max_total=1.5, max_retries=10) as c:
        papers = c.fetch(["1605.08386"])
    assert papers[0].status == "unavailable"
    assert time.monotonic() - started < 3.0


def test_redirect_to_https_is_not_needed_for_injected_client(serve) -> None:  # type: ignore[no-untyped-def]
    script = Script(("status", 200, {}, GOOD))
    with httpx.Client() as http:
        c = ArxivClient(http, api_url=serve(script), delay=0)
        assert c.fetch(["1605.08386"])[0].status == "found"
