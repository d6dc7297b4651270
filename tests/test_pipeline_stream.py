"""The streamed verify pipeline: reports flow through match, audit and rendering one by one, in input order,
and the streamed output is byte for byte the whole-result rendering; the atomic streamed output file."""

from __future__ import annotations

import gc
import io
import itertools
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import claimcheck._audit._batch as audit_module
import claimcheck._match
from claimcheck._audit import audit_batch
from claimcheck._errors import ClaimcheckError, OutputError
from claimcheck._io import open_atomic
from claimcheck._pipeline import MatchOptions, Verifier, parse_paths, verify_paths, verify_stream
from claimcheck._pipeline._pool import WorkerPool
from claimcheck._render import STREAM_FORMATS, ReportChunker, render_verify, verify_writer
from claimcheck._sources import SourceSession
from claimcheck._version import __version__
from claimcheck.cli import app

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "fixtures" / "arxiv"
runner = CliRunner()


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample reports twice (so claims repeat across reports) and two unreadable inputs."""
    root = tmp_path_factory.mktemp("batch")
    for copy in ("a", "b"):
        (root / copy).mkdir()
        for path in sorted((ROOT / "reports").glob("*.txt")):
            shutil.copy(path, root / copy / path.name)
    shutil.copy(ROOT / "fixtures" / "bad" / "empty.txt", root / "a" / "empty.txt")
    shutil.copy(ROOT / "fixtures" / "bad" / "confidence-high.txt", root / "b" / "confidence-high.txt")
    return root


@pytest.fixture(scope="module")
def whole(batch: Path) -> Any:
    return verify_paths([batch], session=SourceSession(sources=SOURCES, offline=True))


def _streamed(batch: Path, fmt: str, jobs: int) -> str:
    chunker = ReportChunker(fmt, width=None, color=False)
    stream = verify_stream(
        [batch], session=SourceSession(sources=SOURCES, offline=True), jobs=jobs, chunker=chunker
    )
    out = io.StringIO()
    writer = verify_writer(chunker, out, version=__version__, scorer=stream.scorer, total=stream.total)
    for outcome in stream:
        assert outcome.result is None  # only compact keys are kept, not the verified report
        writer.add(outcome.chunk, outcome.path, outcome.summary)
    writer.close(stream.summary(), stream.errors, stream.papers)
    return out.getvalue()


@pytest.mark.parametrize("fmt", STREAM_FORMATS)
def test_streamed_output_is_the_whole_rendering(batch: Path, whole: Any, fmt: str) -> None:
    assert _streamed(batch, fmt, jobs=1) == render_verify(whole, fmt, color=False)


@pytest.mark.parametrize("fmt", ["json", "junit"])
def test_worker_processes_keep_the_input_order(batch: Path, whole: Any, fmt: str) -> None:
    assert _streamed(batch, fmt, jobs=2) == render_verify(whole, fmt, color=False)


def test_the_whole_result_is_the_same_with_workers(batch: Path, whole: Any) -> None:
    assert verify_paths([batch], session=SourceSession(sources=SOURCES, offline=True), jobs=2) == whole


def test_the_batch_audit_runs_after_the_verifying_workers_are_stopped(batch: Path) -> None:
    # At archive scale each verifying worker holds about 200 MB of prepared papers, verdicts and audit caches
    # that the batch search does not need: it must not run on top of them (issue 17's 300 MB per process).
    stream = verify_stream([batch], session=SourceSession(sources=SOURCES, offline=True), jobs=2)
    for _ in stream:
        pass
    audit = stream._audit
    seen: dict[str, Any] = {}

    class Watch:
        def findings(self, *, jobs: int = 1, executor: Any = None) -> Any:
            seen.update(workers=stream._pool, jobs=jobs, executor=executor)
            return audit.findings(jobs=jobs, executor=executor)

        def close(self) -> None:
            audit.close()

    stream._audit = Watch()  # type: ignore[assignment]
    stream.summary()
    assert seen == {"workers": None, "jobs": 2, "executor": None}
    assert audit._store is not None and not Path(audit._store.directory).exists()  # its file is gone


def test_the_near_duplicate_search_runs_on_a_worker_before_the_reports(batch: Path) -> None:
    # It needs only the claims' keys, known once the reports are parsed: run first on a fresh worker, it
    # overlaps the verification and does not sit on top of a worker's prepared papers (issue 17's 300 MB).
    stream = verify_stream([batch], session=SourceSession(sources=SOURCES, offline=True), jobs=2)
    pool = stream._pool
    assert pool is not None
    calls: list[str] = []
    beside, chunks = pool.beside, pool.map

    def watch_beside(fn: Any, arg: Any) -> Any:
        calls.append(fn.__name__)
        future = beside(fn, arg)
        assert future is not None
        return future

    def watch_map(fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn.__name__)
        return chunks(fn, *args, **kwargs)

    pool.beside, pool.map = watch_beside, watch_map  # type: ignore[method-assign]
    for _ in stream:
        pass
    audit = stream._audit
    ahead = audit._ahead
    assert calls == ["search_file", "_verify_chunk"] and ahead is not None
    assert stream.summary().findings and ahead[0].done() and audit._ahead is None  # its edges were used


def _slow_search(task: Any) -> Any:
    time.sleep(120)
    raise AssertionError("not stopped")


def test_a_stream_closed_early_does_not_wait_for_its_workers(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run that ends in an error (or is dropped) before its end stops its workers at once: at archive scale
    # the near-duplicate search can run for minutes.
    monkeypatch.setattr(audit_module, "search_file", _slow_search)
    stream = verify_stream([batch], session=SourceSession(sources=SOURCES, offline=True), jobs=2)
    reports = iter(stream)
    next(reports)  # the search is running on one worker, the reports on the other
    pool = stream._pool
    assert isinstance(pool, WorkerPool) and pool._pool is not None
    workers = list(pool._pool._processes.values())  # type: ignore[attr-defined]
    started = time.monotonic()
    stream.close()
    assert time.monotonic() - started < 60
    assert all(not w.is_alive() for w in workers)


def test_a_stream_stopped_early_audits_the_reports_it_verified(batch: Path) -> None:
    stream = verify_stream(
        [batch], session=SourceSession(sources=SOURCES, offline=True), jobs=2, keep_results=True
    )
    reports = iter(stream)  # (kept: a generator dropped unfinished closes the stream)
    results = [outcome.result for outcome in itertools.islice(reports, 7)]
    summary = stream.summary()
    assert summary.reports == 7 and summary.findings
    assert summary.findings == audit_batch([r for r in results if r is not None])


def test_unreadable_inputs_are_errors_in_discovery_order(whole: Any) -> None:
    assert [Path(e.path).name for e in whole.errors] == ["empty.txt", "confidence-high.txt"]
    # a bad claims row is an input error, and its report is still verified without that row
    assert len(whole.reports) == 11
    assert whole.summary.errors == 2


def test_a_stream_is_iterated_once(batch: Path) -> None:
    stream = verify_stream([batch / "a"], session=SourceSession(sources=SOURCES, offline=True))
    assert stream.total == 5
    assert len(list(stream)) == 5
    with pytest.raises(ClaimcheckError, match="only once"):
        list(stream)


def test_result_collects_a_kept_stream_and_refuses_a_compact_one(batch: Path, whole: Any) -> None:
    kept = verify_stream([batch], session=SourceSession(sources=SOURCES, offline=True), keep_results=True)
    assert kept.result() == whole
    compact = verify_stream([batch / "a"], session=SourceSession(sources=SOURCES, offline=True))
    with pytest.raises(ClaimcheckError, match="keep_results"):
        compact.result()
    compact.close()


def test_repeated_claims_reuse_the_verdict_and_get_the_same_result(batch: Path) -> None:
    reports = parse_paths([batch / "a", batch / "b"]).reports
    keys = [(ref.arxiv_id, ref.version) for r in reports for ref in r.references if ref.arxiv_id]
    papers = SourceSession(sources=SOURCES, offline=True).references(keys)
    shared = Verifier(MatchOptions())
    first = [shared.verify(r, papers) for r in reports]
    assert shared.memo_hits >= sum(len(r.claims) for r in reports[5:])  # the second copy is all memo hits
    fresh = [Verifier(MatchOptions()).verify(r, papers) for r in parse_paths([batch / "b"]).reports]
    assert [r.model_dump() for r in first[5:]] == [r.model_dump() for r in fresh]


def test_verify_passes_model_and_cache_to_the_matcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, object]] = []
    real = claimcheck._match.Matcher

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, scorer: str = "lexical", **kwargs: Any) -> None:
            seen.append({"scorer": scorer, **kwargs})
            # only the forwarding is under test: no model is loaded
            super().__init__("lexical", cache_dir=kwargs.get("cache_dir"))

    monkeypatch.setattr(claimcheck._match, "Matcher", Recording)
    monkeypatch.delenv("CLAIMCHECK_NLI_MODEL", raising=False)
    cache = tmp_path / "papers.sqlite3"
    model = tmp_path / "model"
    model.mkdir()
    result = runner.invoke(
        app,
        ["verify", str(ROOT / "reports"), "--offline", "--sources", str(SOURCES), "--cache", str(cache),
         "--model", str(model), "--jobs", "1", "--format", "jsonl"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # --model alone switches the nli scorer on; --offline keeps it to the local model
    options = {"model_kind": None, "backend": "torch", "offline": True}
    assert seen == [
        {"scorer": "nli", "model_path": model, "cache_dir": cache, "cache_size": 1, "scorer_options": options}
    ]
    assert "CLAIMCHECK_NLI_MODEL" not in os.environ


def test_match_options_pickle_for_the_worker_processes() -> None:
    import pickle

    options = MatchOptions(scorer="nli", model_path=Path("m"), cache_dir=Path("c.sqlite3"))
    assert pickle.loads(pickle.dumps(options)) == options  # noqa: S301 (our own bytes)


# --- the atomic streamed output ------------------------------------------------------------------------


def test_open_atomic_replaces_the_file_only_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old\n", encoding="utf-8")
    with open_atomic(target) as fh:
        fh.write("new ")
        assert target.read_text(encoding="utf-8") == "old\n"
        fh.write("content\n")
    assert target.read_text(encoding="utf-8") == "new content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_open_atomic_leaves_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old\n", encoding="utf-8")

    def write_then_fail() -> None:
        with open_atomic(target) as fh:
            fh.write("half")
            raise RuntimeError("renderer bug")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_open_atomic_writes_through_a_symlink_and_keeps_it(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with open_atomic(link) as fh:
        fh.write("new\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new\n"


def test_open_atomic_writes_straight_to_a_device() -> None:
    with open_atomic(os.devnull) as fh:
        fh.write("discarded")


def test_open_atomic_into_a_missing_directory_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="no-such-dir"), open_atomic(tmp_path / "no-such-dir" / "x") as fh:
        fh.write("x")


def test_abstracts_are_split_once_and_kept_in_the_cache(
    batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimcheck._sources import PaperCache

    cache = tmp_path / "papers.sqlite3"

    def run() -> Any:
        session = SourceSession(sources=SOURCES, offline=True, cache=PaperCache(cache))
        return verify_paths([batch / "a"], session=session)

    first = run()
    papers = [p for p in first.papers if p.status == "found" and p.abstract]
    kept = PaperCache(cache).get_sentences(p.abstract or "" for p in papers)
    assert papers and len(kept) == len({p.abstract for p in papers})

    # a second run splits no abstract (full texts keep their own spans) and gives the same result
    import claimcheck._match._features as features

    def no_split(text: str) -> list[tuple[int, int]]:
        raise AssertionError(f"split again: {text[:40]!r}")

    monkeypatch.setattr(features, "sentence_spans", no_split)
    assert run().model_dump() == first.model_dump()
    # and the spans are what splitting gives: the result without the cache is the same
    monkeypatch.undo()
    assert verify_paths([batch / "a"], session=SourceSession(sources=SOURCES, offline=True)).model_dump() == (
        first.model_dump()
    )


def test_the_session_splits_only_the_abstracts_the_cache_lacks(tmp_path: Path) -> None:
    from claimcheck._models import Paper
    from claimcheck._sources import PaperCache

    def paper(n: int, **extra: Any) -> Paper:
        return Paper(
            arxiv_id=f"2101.0000{n}",
            version=1,
            status="found",
            abstract=f"Claim {n} holds. It does.",
            **extra,
        )

    papers = {
        ("2101.00001", 1): paper(1),
        ("2101.00002", 1): paper(2),
        ("2101.00003", 1): paper(3, fulltext="html"),
    }
    asked: list[list[str]] = []

    def split(texts: list[str]) -> list[list[tuple[int, int]]]:
        asked.append(texts)
        return [[(0, 14), (15, 23)] for _ in texts]

    session = SourceSession(offline=True, cache=PaperCache(tmp_path / "c.sqlite3"))
    spans = session.abstract_sentences(papers, split)
    assert asked == [["Claim 1 holds. It does.", "Claim 2 holds. It does."]]  # not the one read whole
    assert spans["Claim 2 holds. It does."] == ((0, 14), (15, 23))
    assert session.abstract_sentences(papers, split) == spans and len(asked) == 1


def test_verifying_reports_leaves_no_cyclic_garbage() -> None:
    # The workers collect cyclic garbage only after 500,000 new objects (`quiet_gc`): a reference cycle made
    # per claim or report would hold its memory that long. (A recursive closure in the direction pairing made
    # 285 such objects on these five reports.)
    session = SourceSession(sources=SOURCES, offline=True)
    verify_paths([ROOT / "reports"], session=session)  # (imports and the process's caches, once)
    gc.collect()
    gc.disable()
    try:
        verify_paths([ROOT / "reports"], session=SourceSession(sources=SOURCES, offline=True))
        found = gc.collect()
    finally:
        gc.enable()
    assert found < 50
