"""``claimcheck fetch`` and ``claimcheck cache ...`` through typer's CliRunner (offline or a local server)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck.cli import app
from claimcheck.cli import cmd_fetch as _cmd_fetch  # noqa: F401  (registers the commands on app)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def always_503() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/query"
    server.shutdown()
    server.server_close()


def test_fetch_json_from_sources_offline(tmp_path: Path) -> None:
    code, out, _ = run(
        "fetch",
        "2005.13013v2",
        "2411.15127v3",
        "abc",
        "--format",
        "json",
        "--offline",
        "--sources",
        str(FIXTURES),
        "--cache",
        str(tmp_path / "c.sqlite3"),
    )
    assert code == 2  # "abc" is not an arXiv id: an input error; the others are still fetched and printed
    data = json.loads(out)
    keys = {
        "arxiv_id",
        "version",
        "status",
        "title",
        "authors",
        "abstract",
        "published",
        "updated",
        "primary_category",
    }
    assert all(keys <= set(item) for item in data)
    assert [(d["arxiv_id"], d["version"], d["status"]) for d in data] == [
        ("2005.13013", 2, "found"),
        ("2411.15127", 2, "found"),
        ("abc", None, "malformed"),
    ]
    assert data[1]["version_missing"] is True
    assert data[0]["authors"][0] == "Jason Phang"


def test_offline_missing_is_unavailable_exit_3(tmp_path: Path) -> None:
    code, out, err = run(
        "fetch", "2101.00001", "--offline", "--format", "json", "--cache", str(tmp_path / "c")
    )
    assert code == 3
    assert json.loads(out)[0]["status"] == "unavailable"
    assert "offline: not in cache or sources" in err
    assert "Traceback" not in err


def test_dead_service_exit_3_no_traceback(tmp_path: Path, always_503: str) -> None:
    code, out, err = run(
        "fetch",
        "2101.00001",
        "--format",
        "table",
        "--api-url",
        always_503,
        "--delay",
        "0",
        "--cache",
        str(tmp_path / "c"),
    )
    assert code == 3
    assert "unavailable" in out
    assert "Traceback" not in err


def test_save_then_sources_round_trip(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    code, _, _ = run(
        "fetch",
        "2003.11080v5",
        "2506.15415",
        "--offline",
        "--sources",
        str(FIXTURES),
        "--save",
        str(saved),
        "--format",
        "json",
        "--cache",
        str(tmp_path / "c"),
    )
    assert code == 0
    assert sorted(p.name for p in saved.iterdir()) == ["2003.11080v5.xml", "2506.15415v1.xml"]
    code, out, _ = run(
        "fetch",
        "2003.11080v5",
        "--offline",
        "--sources",
        str(saved),
        "--format",
        "json",
        "--cache",
        str(tmp_path / "c2"),
    )
    assert code == 0
    assert json.loads(out)[0]["title"].startswith("XTREME")


def test_table_escapes_terminal_sequences(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    body = (FIXTURES / "2506.15415v1.xml").read_text("utf-8")
    start = body.index("<title>", body.index("<entry>")) + len("<title>")
    (src / "evil.xml").write_text(body[:start] + "\u009b31mred \u202eevil " + body[start:], "utf-8")
    code, out, _ = run(
        "fetch", "2506.15415", "--offline", "--sources", str(src), "--cache", str(tmp_path / "c")
    )
    assert code == 0
    assert "\u009b" not in out
    assert "\u202e" not in out
    assert "found" in out


def test_cache_import_stats_export_clear(tmp_path: Path) -> None:
    cache = str(tmp_path / "c.sqlite3")
    code, out, _ = run("cache", "import", str(FIXTURES), "--cache", cache)
    assert code == 0
    assert "imported 10" in out
    code, out, _ = run("cache", "stats", "--cache", cache, "--format", "json")
    assert code == 0
    assert json.loads(out)["by_status"] == {"found": 10}
    code, out, _ = run("fetch", "2005.13013v2", "--offline", "--format", "json", "--cache", cache)
    assert code == 0
    assert json.loads(out)[0]["source"] == "cache"
    code, out, _ = run("cache", "export", str(tmp_path / "out"), "--cache", cache)
    assert code == 0
    assert len(list((tmp_path / "out").glob("*.xml"))) == 10
    code, out, _ = run("cache", "clear", "--cache", cache)
    assert code == 0
    assert "removed 10" in out


def test_corrupt_cache_warns_and_continues(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite3"
    cache.write_bytes(b"garbage" * 500)
    code, _, err = run("cache", "stats", "--cache", str(cache))
    assert code == 0
    assert "corrupt" in err


def test_cache_import_missing_directory_exit_2(tmp_path: Path) -> None:
    code, _, err = run("cache", "import", str(tmp_path / "nope"), "--cache", str(tmp_path / "c"))
    assert code == 2
    assert "not a directory" in err
