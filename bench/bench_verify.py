"""Batch re-verification benchmark: N synthetic reports, `claimcheck verify DIR` end to end, warm cache.

Reports are made from real material: claims taken from ``reports/`` and references drawn among the papers
recorded in ``fixtures/arxiv/``. The cache is warmed by ``claimcheck cache import fixtures/arxiv``, then
``claimcheck verify DIR --offline`` runs as a subprocess and is timed (claims/s, reports/s, peak RSS of the
largest process). The peer anchorcite (lexical tier, ``anchor_claim``) scores the same claim/source pairs in
the same run, on a sample, and the per-claim throughput ratio is printed.

Claims are varied (`perturb`: numbers changed, words dropped or swapped) so that the per-run memo of
verdicts cannot fake the figure; the share of claims that could be memo hits at all is printed.

Many-papers mode (``--papers N``): N papers are generated, each with its own recorded Atom file (imported into
the cache the same way), with real-length abstracts: real SciFact abstracts (``../shared/data``, else the
recorded ones) with their figures redrawn and a sentence taken from another, so that matching costs what it
does on real papers. Each report cites 3 distinct papers drawn from the N, and most of its claims are
rewordings of its cited papers' sentences (the rest are claims of uncited papers). ``--reports`` takes a
comma-separated series (``1000,2000,4000,8000,16000``): one run per step, a row per step with time, memory
and the per-core comparison with the peer.

Per core: our claims per CPU-second (user + system time of the CLI and its workers) and claims/s divided by
``--jobs``, each beside anchorcite's claims/s on one core.

Usage::

    python bench/bench_verify.py --reports 2000 [--jobs N] [--format json] [--peer-sample 3000]
    python bench/bench_verify.py --papers 4500 --reports 1000,2000,4000 [--jobs 2] [--repeat 2]
"""

from __future__ import annotations

import argparse
import html
import json
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
from typing import IO, NamedTuple

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


_SCIFACT = ROOT.parent.parent / "shared" / "data" / "scifact-train" / "corpus_cited_train.jsonl"
_ATOM = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" \
xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/bench{n}</id>
  <title>arXiv Query: search_query=&amp;id_list={ident}&amp;start=0&amp;max_results=100</title>
  <updated>2026-07-24T00:00:00Z</updated>
  <opensearch:itemsPerPage>100</opensearch:itemsPerPage>
  <opensearch:totalResults>1</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <entry>
    <id>http://arxiv.org/abs/{ident}</id>
    <title>{title}</title>
    <updated>2026-01-15T00:00:00Z</updated>
    <link href="https://arxiv.org/abs/{ident}" rel="alternate" type="text/html"/>
    <summary>{abstract}</summary>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <published>2026-01-15T00:00:00Z</published>
    <arxiv:primary_category term="cs.CL"/>
    <author>
      <name>Bench Author {n}</name>
    </author>
  </entry>
</feed>
"""


def _abstract_pool() -> list[tuple[str, list[str]]]:
    """(title, sentences) of real abstracts: SciFact's when ../shared/data has it, else the recorded ones."""
    if _SCIFACT.is_file():
        rows = [json.loads(line) for line in _SCIFACT.read_text("utf-8").splitlines() if line.strip()]
        return [(r["title"], list(r["abstract"])) for r in rows if len(r["abstract"]) >= 3]
    split = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
    return [(title, split.split(abstract)) for _, title, abstract in _papers()]


def make_papers(directory: Path, n: int, *, seed: int = 13) -> list[tuple[str, str, list[str]]]:
    """Write ``n`` generated papers, one recorded Atom file each, into ``directory``; return (id with
    version, title, abstract sentences) of each. Abstracts are real ones with their figures redrawn and
    one sentence replaced by another abstract's, so that no two papers are the same."""
    rng = random.Random(seed)
    pool = _abstract_pool()
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(n):
        title, sentences = pool[k % len(pool)]
        sentences = [" ".join(_NUMBER.sub(lambda m: _redraw(m.group(0), rng), s).split()) for s in sentences]
        other = rng.choice(pool)[1]
        sentences[rng.randrange(len(sentences))] = " ".join(rng.choice(other).split())
        ident = f"26{1 + k // 90000:02d}.{10000 + k % 90000:05d}v1"
        title = f"{title.rstrip('.')} ({k})"
        body = _ATOM.format(
            n=k, ident=ident, title=html.escape(title), abstract=html.escape(" ".join(sentences))
        )
        (directory / f"{ident}.xml").write_text(body, encoding="utf-8")
        out.append((ident, title, sentences))
    return out


def _redraw(value: str, rng: random.Random) -> str:
    return f"{float(value) * rng.uniform(0.5, 1.5):.1f}" if "." in value else str(rng.randint(2, 99))


def make_many_paper_reports(
    directory: Path,
    n: int,
    papers: list[tuple[str, str, list[str]]],
    *,
    claims_per_report: int = 12,
    cited_share: float = 0.6,
    seed: int = 7,
) -> tuple[int, list]:
    """Write ``n`` reports, each citing 3 distinct papers of ``papers``; return (claims, pairs for the peer).

    A share ``cited_share`` of each report's claims reword its cited papers' sentences (`perturb`; a third
    of them cut at 120 characters, as generators do); the rest are sentences of papers it does not cite.
    """
    rng = random.Random(seed)
    samples = [parse_report_file(p) for p in sorted((ROOT / "reports").glob("*.txt"))]
    pairs = []
    total = 0
    for i in range(n):
        sample = rng.choice(samples)
        refs = rng.sample(papers, k=3)
        texts = []
        for _ in range(claims_per_report):
            source = rng.choice(refs) if rng.random() < cited_share else rng.choice(papers)
            text = perturb(rng.choice(source[2]), rng) if rng.random() < 0.8 else rng.choice(source[2])
            texts.append(text[:120] if len(text) > 120 and rng.random() < 0.33 else text)
        verified = [rng.random() < 0.7 for _ in texts]
        rows = "\n".join(
            f"{t}\t{'✓' if v else '×'}\t{rng.uniform(0.05, 0.45):.2f}"
            for t, v in zip(texts, verified, strict=True)
        )
        text = _TEMPLATE.format(
            title=f"{sample.title} #{i}",
            day=1 + i % 28,
            abstract=sample.abstract or "",
            examines=refs[0][1],
            question=sample.research_question or "",
            papers=rng.randint(3, 16),
            n=len(texts),
            verified=sum(verified),
            rows=rows,
            refs="\n".join(f"- <http://arxiv.org/abs/{r[0]}>" for r in refs),
        )
        sub = directory / f"batch{i // 500:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"report_{i:05d}.md").write_text(text, encoding="utf-8")
        total += len(texts)
        pairs.extend((t, [" ".join(r[2]) for r in refs], tuple(r[0] for r in refs)) for t in texts)
    return total, pairs


def _tree_status_kib(pid: int) -> list[tuple[int, int]]:
    """(resident, peak resident) memory in KiB of ``pid`` and each of its descendants, from /proc (Linux)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            out.append((rss, hwm))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError, ValueError):
            continue
    return out


def _tree_rss_kib(pid: int) -> int:
    """Resident memory (KiB) of ``pid`` and all its descendants, from /proc (Linux); 0 when unreadable."""
    return sum(rss for rss, _ in _tree_status_kib(pid))


class Run(NamedTuple):
    """One timed CLI run: wall seconds, exit code, peak RSS (KiB) of the largest process and of the sum over
    processes, and CPU seconds (user + system) of the CLI and every worker it started."""

    seconds: float
    code: int
    peak_kib: int
    peak_sum_kib: int
    cpu_seconds: float


def _own_env() -> dict[str, str]:
    """The environment for running the claimcheck beside this script, whichever one the interpreter has
    installed (an editable install of another checkout would otherwise be what is measured)."""
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def run_claimcheck(args: list[str], *, stderr: IO[bytes] | None = None) -> Run:
    """Run the CLI and measure it (`Run`); memory is sampled every 20 ms from /proc (VmHWM for the largest
    process, so that a short peak between samples still counts; the summed figure is the largest sampled sum).
    ``stderr``: where the CLI's messages go (default: this process's stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimcheck", *args], stdout=subprocess.DEVNULL, stderr=stderr, env=_own_env()
    )
    peak = peak_sum = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_sum
        while not stop.is_set():
            status = _tree_status_kib(proc.pid)
            peak_sum = max(peak_sum, sum(rss for rss, _ in status))
            peak = max([peak] + [hwm for _, hwm in status])
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(elapsed, code, peak or after.ru_maxrss, peak_sum, cpu)


def peer_throughput(pairs: list, sample: int) -> tuple[float, int]:
    """Claims per second of anchorcite's lexical tier on ``sample`` of the same pairs."""
    rate, _, n = peer_rates(pairs, sample)
    return rate, n


def peer_rates(pairs: list, sample: int) -> tuple[float, float, int]:
    """(claims per wall second, claims per CPU-second, claims) of anchorcite's lexical tier on ``sample``
    of the same pairs, in this process: one core. On a shared machine the CPU figure is the fair one."""
    try:
        from anchorcite import LexicalScorer, anchor_claim
    except ImportError:
        return float("nan"), float("nan"), 0
    rng = random.Random(11)
    chosen = rng.sample(pairs, k=min(sample, len(pairs)))
    scorer = LexicalScorer()
    start, cpu = time.perf_counter(), time.process_time()
    for claim, sources, _ in chosen:
        for source in sources:
            anchor_claim(claim, source, scorer=scorer)
    return (
        len(chosen) / (time.perf_counter() - start),
        len(chosen) / (time.process_time() - cpu),
        len(chosen),
    )


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


def _step(
    opts: argparse.Namespace, tmp: Path, cache: Path, n: int, papers: list[tuple[str, str, list[str]]] | None
) -> dict[str, float]:
    """Generate ``n`` reports, verify them once through the CLI, time the peer around it; print the figures."""
    work = (opts.keep or tmp) / f"reports-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if papers is None:
        n_claims, pairs = make_reports(work, n)
    else:
        n_claims, pairs = make_many_paper_reports(work, n, papers)
    # The peer is timed just before and just after our run, and the two averaged: on a shared machine
    # the speed drifts within a minute, and one side timed alone would carry the drift into the ratio.
    peer_before, peer_cpu_before, _ = peer_rates(pairs, opts.peer_sample)
    out = tmp / f"out.{opts.format}"
    args = ["verify", str(work), "--offline", "--cache", str(cache), "--format", opts.format,
            "--output", str(out), "--jobs", str(opts.jobs)]  # fmt: skip
    run = run_claimcheck(args)
    if run.code not in (0, 1):
        raise SystemExit(f"claimcheck verify exited {run.code}")
    size = out.stat().st_size
    peer_after, peer_cpu_after, peer_n = peer_rates(pairs, opts.peer_sample)
    peer_rate = (peer_before + peer_after) / 2
    peer_cpu = (peer_cpu_before + peer_cpu_after) / 2
    if opts.keep is None:
        shutil.rmtree(work)

    ours = n_claims / run.seconds
    per_cpu = n_claims / run.cpu_seconds
    print(f"reports            {n}")
    print(f"claims             {n_claims}")
    print(f"papers             {len({i for _, _, ids in pairs for i in ids})} distinct cited")
    print(f"jobs               {opts.jobs}")
    print(
        f"wall time          {run.seconds:.2f} s  (end to end, warm cache, output {opts.format} {size / 1e6:.1f} MB)"
    )
    print(f"reports/s          {n / run.seconds:.1f}")
    print(f"claims/s           {ours:.0f}")
    print(f"CPU time           {run.cpu_seconds:.1f} s (CLI and workers, user + system)")
    print(f"claims/CPU-second  {per_cpu:.0f}  (per core)")
    print(f"peak RSS           {run.peak_kib / 1024:.0f} MB (largest process)")
    print(
        f"peak RSS, summed   {run.peak_sum_kib / 1024:.0f} MB (main process + workers, sampled every 20 ms)"
    )
    distinct = len({(text, ids) for text, _, ids in pairs})
    print(
        f"memo ceiling       {100 * (1 - distinct / n_claims):.1f}% of claims repeat an earlier (claim, cited "
        f"papers) pair: at most that share can be memo hits ({distinct} distinct of {n_claims})"
    )
    print(
        f"anchorcite claims/s {peer_rate:.0f}  (lexical tier, 3 abstracts per claim, {peer_n} claims sampled; "
        f"{peer_before:.0f} before our run, {peer_after:.0f} after; one core)"
    )
    print(
        f"anchorcite claims/CPU-second {peer_cpu:.0f}  ({peer_cpu_before:.0f} before, {peer_cpu_after:.0f} after)"
    )
    if peer_rate == peer_rate:  # not NaN
        print(
            f"ratio              {ours / peer_rate:.1f}x anchorcite per-claim throughput (our {opts.jobs} jobs)"
        )
        print(
            f"ratio per core     {per_cpu / peer_cpu:.1f}x by CPU time (claims per CPU-second, both), "
            f"{ours / opts.jobs / peer_rate:.1f}x by claims/s / jobs against its claims/s on one core"
        )
    print(flush=True)
    return {
        "reports": n, "claims": n_claims, "seconds": run.seconds, "claims_s": ours, "cpu": run.cpu_seconds,
        "per_cpu": per_cpu, "peer": peer_rate, "peer_cpu": peer_cpu, "peak": run.peak_kib / 1024, "peak_sum": run.peak_sum_kib / 1024,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", default="2000", help="reports, or a comma-separated series of counts")
    parser.add_argument("--papers", type=int, default=None, help="generate this many distinct papers")
    parser.add_argument("--repeat", type=int, default=1, help="runs per step (the machine is noisy)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--format", default="json")
    parser.add_argument("--peer-sample", type=int, default=2000)
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep the generated reports (and papers) in this directory"
    )
    opts = parser.parse_args()
    steps = [int(n) for n in opts.reports.split(",")]

    rows = []
    with tempfile.TemporaryDirectory(prefix="claimcheck-bench-") as name:
        tmp = Path(name)
        cache = tmp / "cache.sqlite"
        papers = None
        recorded = ROOT / "fixtures" / "arxiv"
        if opts.papers is not None:
            recorded = tmp / "papers"
            papers = make_papers(recorded, opts.papers)
        subprocess.run(
            [sys.executable, "-m", "claimcheck", "cache", "import", str(recorded), "--cache", str(cache)],
            stdout=subprocess.DEVNULL, check=True, env=_own_env(),
        )  # fmt: skip
        if opts.keep is not None and opts.papers is not None:
            # the generated papers' recorded Atom files, for rerunning a kept step by hand
            shutil.copytree(recorded, opts.keep / "papers", dirs_exist_ok=True)
        for n in steps:
            for _ in range(opts.repeat):
                rows.append(_step(opts, tmp, cache, n, papers))

    print(f"--version          {version_time():.3f} s (best of 5)")
    if len(rows) > 1:
        print(
            f"\n{'reports':>7} {'claims':>7} {'wall s':>7} {'claims/s':>8} {'CPU s':>6} {'/CPU-s':>6} "
            f"{'peer/s':>6} {'peer/CPU-s':>10} {'per-core':>8} {'largest':>7} {'summed':>7}"
        )
        for r in rows:
            print(
                f"{r['reports']:>7.0f} {r['claims']:>7.0f} {r['seconds']:>7.1f} {r['claims_s']:>8.0f} "
                f"{r['cpu']:>6.0f} {r['per_cpu']:>6.0f} {r['peer']:>6.0f} {r['peer_cpu']:>10.0f} "
                f"{r['per_cpu'] / r['peer_cpu']:>7.1f}x "
                f"{r['peak']:>5.0f}MB {r['peak_sum']:>5.0f}MB"
            )
    if re.search(r"\S", os.environ.get("CLAIMCHECK_BENCH_NOTE", "")):
        print(os.environ["CLAIMCHECK_BENCH_NOTE"])


if __name__ == "__main__":
    main()
