"""PaperCache: expiry rules, four processes on one cold cache, corruption, interrupted transactions."""

from __future__ import annotations

import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimcheck._models import Paper
from claimcheck._sources import FetchEvent, PaperCache


def found(aid: str, version: int, requested: int | None) -> Paper:
    return Paper(arxiv_id=aid, version=version, requested_version=requested, status="found", title=f"t {aid}")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_expiry_rules(tmp_path: Path) -> None:
    clock = Clock()
    cache = PaperCache(tmp_path / "c.sqlite3", max_age=100, not_found_ttl=10, clock=clock)
    cache.put(found("2005.13013", 2, 2))
    cache.put(found("1605.08386", 1, None))
    cache.put(Paper(arxiv_id="0808.05394", status="not_found"))
    assert cache.put(Paper(arxiv_id="2101.00001", status="unavailable")) is False
    assert cache.get("2101.00001", None) is None
    assert cache.get("0808.05394", None) is not None
    clock.now += 11
    assert cache.get("0808.05394", None) is None  # not_found kept briefly
    assert cache.get("1605.08386", None) is not None
    clock.now += 100
    assert cache.get("1605.08386", None) is None  # unversioned: stale after max_age
    assert cache.get("1605.08386", 1) is not None  # ...but its returned version never expires
    clock.now += 10**9
    hit = cache.get("2005.13013", 2)
    assert hit is not None
    assert hit.source == "cache"


def test_version_missing_is_not_stored_as_permanent(tmp_path: Path) -> None:
    clock = Clock()
    cache = PaperCache(tmp_path / "c.sqlite3", max_age=100, clock=clock)
    cache.put(found("2411.15127", 2, 3).model_copy(update={"version_missing": True}))
    assert cache.get("2411.15127", 2) is None
    assert cache.get("2411.15127", 3) is not None
    clock.now += 101
    assert cache.get("2411.15127", 3) is None


def _writer(path: str, worker: int, count: int) -> None:
    cache = PaperCache(Path(path))
    for n in range(count):
        cache.put_many([found(f"2101.{worker * 1000 + n:05d}", 1, 1), found("2005.13013", 2, 2)])
    cache.close()


def test_four_processes_on_a_cold_cache(tmp_path: Path) -> None:
    path = tmp_path / "cold" / "c.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    told: list[FetchEvent] = []
    cache = PaperCache(path, events=told.append)
    stats = cache.stats()
    # 160 distinct papers, each stored once under v1 (requested = returned), plus the shared one
    assert stats.entries == 161
    assert stats.by_status == {"found": 161}
    assert told == []


def test_corrupt_file_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    told: list[FetchEvent] = []
    cache = PaperCache(path, events=told.append)
    assert cache.get("2005.13013", 2) is None
    cache.put(found("2005.13013", 2, 2))
    assert cache.get("2005.13013", 2) is not None
    aside = list(tmp_path.glob("c.sqlite3.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b"this is not")
    assert [e.kind for e in told] == ["warning"]
    assert "corrupt" in told[0].message


def test_interrupted_transaction_leaves_previous_state(tmp_path: Path) -> None:
    cache = PaperCache(tmp_path / "c.sqlite3")
    cache.put(found("2005.13013", 2, 2))

    def papers():  # type: ignore[no-untyped-def]
        yield found("2101.00001", 1, 1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cache.put_many(papers())
    assert cache.get("2101.00001", 1) is None
    assert cache.get("2005.13013", 2) is not None
    cache.put(found("2101.00002", 1, 1))  # still usable after the interrupt
    assert cache.stats().entries == 2


_KILLED_WRITER = """
import sys
from pathlib import Path
from claimcheck._sources import PaperCache
from claimcheck._models import Paper
cache = PaperCache(Path(sys.argv[1]))
n = 0
print("ready", flush=True)
while True:
    cache.put_many(Paper(arxiv_id=f"2101.{(n * 7 + k) % 99999:05d}", version=1, requested_version=1,
                         status="found", title="x" * 2000) for k in range(7))
    n += 1
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_process_killed_mid_write_leaves_cache_consistent(tmp_path: Path, sig: signal.Signals) -> None:
    path = tmp_path / "c.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")},
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.5)
        proc.send_signal(sig)
        proc.wait(10)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    conn.close()
    assert count > 0
    assert count % 7 == 0
    told: list[FetchEvent] = []
    cache = PaperCache(path, events=told.append)
    assert cache.stats().entries == count
    assert told == []


def test_sentence_spans_are_kept_by_text_and_splitter(tmp_path: Path) -> None:
    cache = PaperCache(tmp_path / "c.sqlite3")
    text = "We see gains. MNLI helps."
    assert cache.get_sentences([text]) == {}
    cache.put_sentences({text: [(0, 13), (14, 25)]})
    assert cache.get_sentences([text, "Another text."]) == {text: ((0, 13), (14, 25))}
    # another text (even one character) or another splitter is another key
    assert cache.get_sentences(["We see gains. MNLI helps!"]) == {}
    import claimcheck._sentences as sentences

    key = sentences.spans_digest(text)
    old = sentences.SPLITTER
    try:
        sentences.SPLITTER = old + "+changed"
        assert sentences.spans_digest(text) != key
        assert cache.get_sentences([text]) == {}
    finally:
        sentences.SPLITTER = old
    assert cache.clear() == 0  # no papers, but the spans go too
    assert cache.get_sentences([text]) == {}


def test_unusable_kept_spans_are_split_again_not_trusted(tmp_path: Path) -> None:
    from claimcheck._sentences import spans_digest

    cache = PaperCache(tmp_path / "c.sqlite3")
    short, broken = "One. Two.", "Three. Four."
    cache.put_sentences({short: [(0, 4), (5, 40)]})  # past the end of the text
    with cache.transaction() as conn:
        conn.execute("INSERT INTO sentences(digest, spans) VALUES (?, ?)", (spans_digest(broken), "[[0,"))
    assert cache.get_sentences([short, broken]) == {}


def test_many_texts_are_looked_up_past_sqlites_parameter_limit(tmp_path: Path) -> None:
    cache = PaperCache(tmp_path / "c.sqlite3")
    texts = {f"Sentence {i}. And another.": [(0, len(str(i)) + 10)] for i in range(1200)}
    cache.put_sentences(texts)
    got = cache.get_sentences(texts)
    assert len(got) == 1200 and got["Sentence 7. And another."] == ((0, 11),)
