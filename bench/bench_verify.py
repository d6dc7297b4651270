"""Batch re-verification benchmark: N synthetic reports, `claimcheck verify DIR` end to end, warm cache.

Reports are made from real material: claims taken from ``reports/`` and references drawn among the papers
recorded in ``fixtures/arxiv/``. The cache is warmed by ``claimcheck cache import fixtures/arxiv``, then
``claimcheck verify DIR --offline`` runs as a subprocess and is timed (claims/s, reports/s, peak RSS of the
largest process). The peer anchorcite (lexical tier, ``anchor_claim``) scores the same claim/source pairs in
the same run, on a sample, and the per-claim throughput ratio is printed.

Claims are varied (`perturb`: numbers changed, words dropped or swapped) so that the per-run memo of
verdicts cannot fake the figure; the share of claims that could be memo hits at all is printed.

Usage::

    python bench/bench_verify.py --reports 2000 [--jobs N] [--format json] [--peer-sample 3000]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from claimcheck._parse import parse_report_file  # noqa: E402
from claimcheck._sources._atom import parse_atom  # noqa: E402

_TEMPLATE = """# {title}

Assignee Research

July {day}, 2026

## Abstract

{abstract}

## 1 Introduction

This paper examines: {examines}. Research question: {question}

## 2 Methodology

Systematic literature search across multiple databases yielded {papers} papers.

## 3 Results

{papers} papers retrieved. {n} claims extracted; {verified} independently verified. Quality review score: 8.1/10.

## 5 Extracted Claims

Claim\tVerified\tConfidence
{rows}

## References

{refs}
"""


def _papers() -> list[tuple[str, str, str]]:
    """(id with version, title, abstract) of every recorded paper in fixtures/arxiv."""
    out = []
    for path in sorted((ROOT / "fixtures" / "arxiv").glob("*.xml")):
        feed = parse_atom(path.read_bytes(), source="sources")
        for paper in feed.papers:
            if paper.status == "found":
                ident = paper.arxiv_id if paper.version is None else f"{paper.arxiv_id}v{paper.version}"
                out.append((ident, paper.title or "", paper.abstract or ""))
    return out


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def perturb(text: str, rng: random.Random) -> str:
    """A variant of a claim, as another report might word it: a number changed, a word dropped, two words
    swapped (one to three edits). Varied claims keep per-run memoisation from faking the throughput."""
    for _ in range(rng.randint(1, 3)):
        words = text.split()
        edit = rng.random()
        numbers = list(_NUMBER.finditer(text))
        if edit < 0.4 and numbers:
            m = rng.choice(numbers)
            value = m.group(0)
            new = f"{float(value) * rng.uniform(0.5, 1.5):.1f}" if "." in value else str(rng.randint(2, 99))
            text = text[: m.start()] + new + text[m.end() :]
        elif edit < 0.7 and len(words) > 6:
            del words[rng.randrange(1, len(words) - 1)]
            text = " ".join(words)
        elif len(words) > 3:
            i = rng.randrange(0, len(words) - 2)
            words[i], words[i + 1] = words[i + 1], words[i]
            text = " ".join(words)
    return text


def make_reports(
    directory: Path, n: int, *, claims_per_report: int = 12, seed: int = 7, varied: float = 0.8
) -> tuple[int, list]:
    """Write ``n`` synthetic reports into ``directory``; return (claims written, pairs for the peer).

    A share ``varied`` of the claims are `perturb`-ed variants of the sample claims rather than verbatim.
    """
    rng = random.Random(seed)
    samples = [parse_report_file(p) for p in sorted((ROOT / "reports").glob("*.txt"))]
    claims = [c for r in samples for c in r.claims]
    papers = _papers()
    if len(papers) < 3:
        raise SystemExit("fixtures/arxiv has fewer than 3 recorded papers")
    pairs = []
    total = 0
    for i in range(n):
        sample = rng.choice(samples)
        chosen = rng.sample(claims, k=min(claims_per_report, len(claims)))
        refs = rng.sample(papers, k=3)
        texts = [perturb(c.text, rng) if rng.random() < varied else c.text for c in chosen]
        rows = "\n".join(
            f"{t}\t{'✓' if c.reported.verified else '×'}\t{c.reported.confidence or 0.2:.2f}"
            for t, c in zip(texts, chosen, strict=True)
        )
        text = _TEMPLATE.format(
            title=f"{sample.title} #{i}",
            day=1 + i % 28,
            abstract=sample.abstract or "",
            examines=refs[0][1],
            question=sample.research_question or "",
            papers=rng.randint(3, 16),
            n=len(chosen),
            verified=sum(c.reported.verified for c in chosen),
            rows=rows,
            refs="\n".join(f"- <http://arxiv.org/abs/{r[0]}>" for r in refs),
        )
        sub = directory / f"batch{i // 500:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"report_{i:05d}.md").write_text(text, encoding="utf-8")
        total += len(chosen)
        pairs.extend((t, [r[2] for r in refs], tuple(r[0] for r in refs)) for t in texts)
    return total, pairs


def _tree_rss_kib(pid: int) -> int:
    """Resident memory (KiB) of ``pid`` and all its descendants, from /proc (Linux); 0 when unreadable."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError, ValueError):
            continue
    return total


def run_claimcheck(args: list[str]) -> tuple[float, int, int, int]:
    """Run the CLI; return (seconds, exit code, peak RSS in KiB of the largest process, peak of the sum of
    RSS over the process and its workers, sampled every 20 ms)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "claimcheck", *args], stdout=subprocess.DEVNULL)
    peak_sum = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_sum
        while not stop.is_set():
            peak_sum = max(peak_sum, _tree_rss_kib(proc.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, code, peak, peak_sum


def peer_throughput(pairs: list, sample: int) -> tuple[float, int]:
    """Claims per second of anchorcite's lexical tier on ``sample`` of the same pairs."""
    try:
        from anchorcite import LexicalScorer, anchor_claim
    except ImportError:
        return float("nan"), 0
    rng = random.Random(11)
    chosen = rng.sample(pairs, k=min(sample, len(pairs)))
    scorer = LexicalScorer()
    start = time.perf_counter()
    for claim, sources, _ in chosen:
        for source in sources:
            anchor_claim(claim, source, scorer=scorer)
    return len(chosen) / (time.perf_counter() - start), len(chosen)


def version_time(repeat: int = 5) -> float:
    """Best wall time of `claimcheck --version` over ``repeat`` runs."""
    exe = shutil.which("claimcheck") or ""
    cmd = [exe, "--version"] if exe else [sys.executable, "-m", "claimcheck", "--version"]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--format", default="json")
    parser.add_argument("--peer-sample", type=int, default=2000)
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep the generated reports in this directory"
    )
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="claimcheck-bench-") as tmp:
        work = opts.keep or Path(tmp) / "reports"
        work.mkdir(parents=True, exist_ok=True)
        cache = Path(tmp) / "cache.sqlite"
        n_claims, pairs = make_reports(work, opts.reports)
        subprocess.run(
            [sys.executable, "-m", "claimcheck", "cache", "import", str(ROOT / "fixtures" / "arxiv"),
             "--cache", str(cache)],
            stdout=subprocess.DEVNULL, check=True,
        )  # fmt: skip
        # The peer is timed just before and just after our run, and the two averaged: on a shared machine
        # the speed drifts within a minute, and one side timed alone would carry the drift into the ratio.
        peer_before, _ = peer_throughput(pairs, opts.peer_sample)
        out = Path(tmp) / f"out.{opts.format}"
        args = ["verify", str(work), "--offline", "--cache", str(cache), "--format", opts.format,
                "--output", str(out), "--jobs", str(opts.jobs)]  # fmt: skip
        seconds, code, peak_kib, peak_sum_kib = run_claimcheck(args)
        if code not in (0, 1):
            raise SystemExit(f"claimcheck verify exited {code}")
        size = out.stat().st_size
        peer_after, peer_n = peer_throughput(pairs, opts.peer_sample)
        peer_rate = (peer_before + peer_after) / 2

    ours = n_claims / seconds
    print(f"reports            {opts.reports}")
    print(f"claims             {n_claims}")
    print(f"jobs               {opts.jobs}")
    print(
        f"wall time          {seconds:.2f} s  (end to end, warm cache, output {opts.format} {size / 1e6:.1f} MB)"
    )
    print(f"reports/s          {opts.reports / seconds:.1f}")
    print(f"claims/s           {ours:.0f}")
    print(f"peak RSS           {peak_kib / 1024:.0f} MB (largest process)")
    print(f"peak RSS, summed   {peak_sum_kib / 1024:.0f} MB (main process + workers, sampled every 20 ms)")
    distinct = len({(text, ids) for text, _, ids in pairs})
    print(
        f"memo ceiling       {100 * (1 - distinct / n_claims):.1f}% of claims repeat an earlier (claim, cited "
        f"papers) pair: at most that share can be memo hits ({distinct} distinct of {n_claims})"
    )
    print(
        f"anchorcite claims/s {peer_rate:.0f}  (lexical tier, 3 abstracts per claim, {peer_n} claims sampled; "
        f"{peer_before:.0f} before our run, {peer_after:.0f} after)"
    )
    if peer_rate == peer_rate:  # not NaN
        print(f"ratio              {ours / peer_rate:.1f}x anchorcite per-claim throughput")
    print(f"--version          {version_time():.3f} s (best of 5)")
    if re.search(r"\S", os.environ.get("CLAIMCHECK_BENCH_NOTE", "")):
        print(os.environ["CLAIMCHECK_BENCH_NOTE"])


if __name__ == "__main__":
    main()
