"""Full-text throughput: claims/s with three full papers per report (warm cache), beside anchorcite, and memory.

Reports are generated from the full-text dev set (``bench/data/fulltext_claims.jsonl``): each cites three of
the five shared papers (``../shared/fulltext/``: two LaTeXML HTML, three PDFs) and holds about 12 claims
drawn from the dev claims of those papers, most of them varied (`bench_verify.perturb`: a number changed, a
word dropped or swapped) so that the per-run memo of verdicts cannot fake the figure.

The cache is warmed through a stand-in for arXiv on 127.0.0.1 (``fulltext_accuracy.serve``), then
``claimcheck verify DIR --offline`` runs as a subprocess and is timed: claims/s, reports/s, peak RSS of the
largest process and of the sum over the main process and its workers. The peer anchorcite (lexical tier,
``anchor_claim``) scores a sample of the same claims against the same three papers, given each paper's full
extracted text (the `Document` claimcheck reads, its blocks joined by newlines), timed just before and just
after our run; the per-claim throughput ratio is printed.

Usage::

    python bench/bench_fulltext.py [--reports 300] [--jobs N] [--peer-sample 40]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fulltext_accuracy as fa
from bench_verify import perturb
from claimcheck._sources._extract import extract_document

Pair = tuple[str, tuple[str, ...]]


def make_reports(
    directory: Path,
    n: int,
    claims: list[dict[str, Any]],
    *,
    per_report: int = 12,
    varied: float = 0.8,
    seed: int = 7,
) -> list[Pair]:
    """Write ``n`` reports into ``directory``, each citing three shared papers; return (claim, cited ids) pairs."""
    rng = random.Random(seed)
    by_paper: dict[str, list[str]] = {}
    for c in claims:
        by_paper.setdefault(c["paper"], []).append(c["claim"])
    ids = sorted(by_paper)
    pairs: list[Pair] = []
    for i in range(n):
        cited = tuple(rng.sample(ids, k=3))
        pool = [text for ident in cited for text in by_paper[ident]]
        chosen = rng.sample(pool, k=min(per_report, len(pool)))
        texts = [perturb(t, rng) if rng.random() < varied else t for t in chosen]
        refs = [f"{r}v{fa.VERSIONS[r]}" for r in cited]
        text = fa.render_report(f"Full-text synthesis #{i}", texts, refs)
        sub = directory / f"batch{i // 500:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"report_{i:05d}.md").write_text(text, encoding="utf-8")
        pairs.extend((t, cited) for t in texts)
    return pairs


def full_texts(papers: dict[str, fa.SharedPaper]) -> dict[str, str]:
    """Each paper's full extracted text, as the peer gets it: the blocks of claimcheck's `Document`."""
    out = {}
    for ident, paper in papers.items():
        body, kind = (paper.html, "html") if paper.html is not None else (paper.pdf, "pdf")
        assert body is not None
        document = extract_document(body, kind, arxiv_id=ident, version=paper.version)  # type: ignore[arg-type]
        out[ident] = "\n".join(block.text for block in document.blocks)
    return out


def peer_throughput(pairs: list[Pair], texts: dict[str, str], sample: int, seed: int) -> tuple[float, int]:
    """Claims per second of anchorcite's lexical tier on ``sample`` of the pairs, three full papers a claim."""
    try:
        from anchorcite import LexicalScorer, anchor_claim
    except ImportError:
        return float("nan"), 0
    chosen = random.Random(seed).sample(pairs, k=min(sample, len(pairs)))
    scorer = LexicalScorer()
    start = time.perf_counter()
    for claim, cited in chosen:
        for ident in cited:
            anchor_claim(claim, texts[ident], scorer=scorer)
    return len(chosen) / (time.perf_counter() - start), len(chosen)


def _tree(pid: int) -> dict[int, tuple[int, int]]:
    """(VmRSS, VmHWM) in KiB of ``pid`` and each of its descendants, from /proc (Linux)."""
    out, todo = {}, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            out[current] = (rss, hwm)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError, ValueError):
            continue
    return out


def run_verify(args: list[str]) -> tuple[float, int, dict[int, int], int]:
    """Run ``claimcheck`` with ``args``; return (seconds, exit code, peak RSS in KiB per process (its VmHWM,
    the main process first), peak of the RSS summed over the process tree), sampled every 20 ms."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "claimcheck", *args], stdout=subprocess.DEVNULL)
    peaks: dict[int, int] = {proc.pid: 0}
    peak_sum = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_sum
        while not stop.is_set():
            tree = _tree(proc.pid)
            peak_sum = max(peak_sum, sum(rss for rss, _ in tree.values()))
            for pid, (_, hwm) in tree.items():
                peaks[pid] = max(peaks.get(pid, 0), hwm)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    return elapsed, code, peaks, peak_sum


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--peer-sample", type=int, default=40, help="claims the peer scores, before and after"
    )
    opts = parser.parse_args()
    shared = fa.shared_dir()
    if shared is None:
        raise SystemExit("skipped: ../shared/fulltext not found (set CLAIMCHECK_SHARED)")
    papers = fa.shared_papers(shared)
    claims = fa.load_claims()

    with tempfile.TemporaryDirectory(prefix="claimcheck-ftbench-") as tmp:
        work = Path(tmp) / "reports"
        work.mkdir()
        cache = Path(tmp) / "cache.sqlite3"
        pairs = make_reports(work, opts.reports, claims)
        stand = fa.Stand(papers)
        with fa.serve(stand) as base:
            fa.verify(sorted(fa.REPORTS.glob("*.md")), base, cache)  # warms the cache with all five papers
        warm_requests = len(stand.seen)
        texts = full_texts(papers)
        peer_before, _ = peer_throughput(pairs, texts, opts.peer_sample, seed=11)
        out = Path(tmp) / "out.json"
        args = ["verify", str(work), "--offline", "--cache", str(cache), "--format", "json",
                "--output", str(out), "--jobs", str(opts.jobs)]  # fmt: skip
        seconds, code, peaks, peak_sum_kib = run_verify(args)
        if code not in (0, 1):
            raise SystemExit(f"claimcheck verify exited {code}")
        # The fixed cost (start-up, reading the cache, preparing each paper once per worker) from a run on
        # two of the reports: what is left is the per-claim rate of a long batch.
        small = Path(tmp) / "small"
        small.mkdir()
        for path in sorted(work.rglob("*.md"))[:2]:
            (small / path.name).write_bytes(path.read_bytes())
        small_args = ["verify", str(small), "--offline", "--cache", str(cache), "--format", "json",
                      "--output", str(Path(tmp) / "small.json"), "--jobs", str(opts.jobs)]  # fmt: skip
        fixed, _, _, _ = run_verify(small_args)
        peer_after, peer_n = peer_throughput(pairs, texts, opts.peer_sample, seed=12)
        output = json.loads(out.read_text(encoding="utf-8"))
    checked: dict[str, int] = {}
    for report in output["reports"]:
        for claim in report["claims"]:
            key = claim["recomputed"].get("checked") or "?"
            checked[key] = checked.get(key, 0) + 1
    peer_rate = (peer_before + peer_after) / 2
    ours = len(pairs) / seconds
    distinct = len(set(pairs))
    print(
        f"reports            {opts.reports} (3 full papers cited by each; {warm_requests} requests to warm the cache)"
    )
    print(f"claims             {len(pairs)}  checked: {json.dumps(checked)}")
    print(f"jobs               {opts.jobs}")
    print(f"wall time          {seconds:.2f} s  (end to end, warm cache, --offline, JSON output)")
    print(f"reports/s          {opts.reports / seconds:.1f}")
    print(f"claims/s           {ours:.0f}")
    main_kib = peaks.pop(next(iter(peaks)))
    workers = list(peaks.values())  # in the order first seen: the parse workers, then the verify workers
    print(
        f"marginal claims/s  {(len(pairs) - 24) / max(seconds - fixed, 1e-9):.0f}  (fixed cost {fixed:.1f} s: a run on 2 reports)"
    )
    print(f"peak RSS, main     {main_kib / 1024:.0f} MB")
    print(
        f"peak RSS, children {', '.join(f'{w / 1024:.0f}' for w in workers) or 'none'} MB (VmHWM of each child "
        "process in the order seen: the parse workers, then the verify workers)"
    )
    print(f"peak RSS, largest  {max([main_kib, *workers]) / 1024:.0f} MB (largest process)")
    print(f"peak RSS, summed   {peak_sum_kib / 1024:.0f} MB (main process + workers, sampled every 20 ms)")
    print(
        f"memo ceiling       {100 * (1 - distinct / len(pairs)):.1f}% of claims repeat an earlier (claim, cited "
        f"papers) pair ({distinct} distinct of {len(pairs)})"
    )
    print(
        f"anchorcite claims/s {peer_rate:.2f}  (lexical tier, 3 full papers per claim, {peer_n} claims sampled "
        f"twice; {peer_before:.2f} before our run, {peer_after:.2f} after)"
    )
    if peer_rate == peer_rate:  # not NaN
        print(f"ratio              {ours / peer_rate:.0f}x anchorcite per-claim throughput")


if __name__ == "__main__":
    main()
