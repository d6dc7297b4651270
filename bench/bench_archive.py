"""Issue 17's held-out archive-scale check, end to end through the CLI, against a local stand-in for arXiv.

Done when (issue 17): at about 4,000 reports citing about 4,500 distinct papers, (1) the cold run fetches
every paper in one run; (2) the warm offline run keeps the largest process under 300 MB and the sum under
1 GB (2 workers); (3) four times the reports cost at most about four and a half times the time; (4)
``--executor dask`` on a local cluster gives the same output as ``--jobs 1``.

What runs, nothing inside claimcheck mocked (``python -m claimcheck`` subprocesses):

1. ``--papers`` papers and the largest ``--reports`` count of reports are generated with bench_verify's
   many-papers generators (real-length SciFact abstracts with redrawn figures; 3 distinct cited papers and
   12 claims a report, most of them rewordings of the cited papers' sentences).
2. A stand-in for arXiv (`arxiv_standin.VersionedStand`) serves them on 127.0.0.1: the Atom ``id_list`` API
   (latest version for an unversioned id, the version asked for otherwise; a share of the papers has a v2
   while the reports cite v1, so the cited versions are asked for by versioned id as arXiv needs),
   ``/html/<id>vN`` (a small LaTeXML page for a share of the papers, a failed conversion for a few, 404 for
   the rest) and ``/pdf/<id>vN`` (404). Every request is counted.
3. Cold run: ``verify`` on every report with a new cache, ``--delay`` small, ``--jobs``; exit code,
   distinct cited papers against those found in the cache afterwards, requests, wall and CPU time, and what
   the requests would cost at arXiv's ``--delay 3``.
4. Warm runs: ``verify --offline`` on the first N reports for each N of ``--reports`` (same cache): wall and
   CPU time, peak RSS of the largest process and summed over the main process and its workers (sampled
   every 20 ms, bench_verify's sampler), and the time ratio of the largest to the smallest step.
5. Dask: ``--dask-reports`` reports with ``--executor dask`` (a LocalCluster of ``--jobs`` workers) and
   with ``--jobs 1``: are the outputs byte-identical?

Prints every figure and PASS/MISS per target; exits 0 (it is a benchmark, not a gate).

Usage::

    python bench/bench_archive.py [--reports 1000,4000] [--papers 4500] [--keep DIR] [--delay 0.05]
        [--jobs 2] [--dask-reports 200]
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import mmap
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))
# the CLI subprocesses run this checkout's claimcheck, whatever the environment has installed
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])

from arxiv_standin import VersionedStand, serve  # noqa: E402
from bench_verify import Run, make_many_paper_reports, make_papers, run_claimcheck  # noqa: E402
from claimcheck._models import Paper  # noqa: E402
from claimcheck._sources import PaperCache  # noqa: E402

GeneratedPaper = tuple[str, str, list[str]]
"""(id with version, title, abstract sentences), as bench_verify.make_papers returns them."""

HTML_SHARE = 0.10  # papers with a LaTeXML page (arXiv itself renders nearly all; 404 keeps the run short)
FAILED_SHARE = 0.01  # papers whose HTML conversion failed: HTML unusable, then the PDF is asked for (404)
REVISED_SHARE = 0.10  # papers whose latest version is v2 while the reports cite v1
MB = 1024


# -- the stand-in's content ----------------------------------------------------------------------------


_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def latexml_page(title: str, sentences: list[str], rng: random.Random) -> bytes:
    """A small page shaped like arXiv's LaTeXML HTML: title, abstract, two sections of paragraphs (with a
    footnote and inline math given by its ``alttext``), a table with a caption, and a bibliography (which
    claimcheck must drop). The body restates the abstract's sentences, as a paper's body does."""
    esc = html.escape
    half = max(1, len(sentences) // 2)
    figures = [m.group(0) for s in sentences for m in _NUMBER.finditer(s)][:6] or ["1", "2"]
    rows = "".join(
        f'<tr class="ltx_tr"><td class="ltx_td ltx_align_left">Setting {i + 1}</td>'
        f'<td class="ltx_td ltx_align_center">{esc(v)}</td></tr>'
        for i, v in enumerate(figures)
    )
    para = " ".join(esc(s) for s in sentences[:half])
    results = " ".join(esc(s) for s in sentences[half:])
    alpha = f"{rng.uniform(0.01, 0.1):.2f}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title></head>
<body><div class="ltx_page_main"><div class="ltx_page_content">
<article class="ltx_document ltx_authors_1line">
<h1 class="ltx_title ltx_title_document">{esc(title)}</h1>
<div class="ltx_authors"><span class="ltx_creator ltx_role_author"><span class="ltx_personname">Bench Author</span></span></div>
<div class="ltx_abstract"><h6 class="ltx_title ltx_title_abstract">Abstract</h6>
<p class="ltx_p">{" ".join(esc(s) for s in sentences)}</p></div>
<section class="ltx_section" id="S1"><h2 class="ltx_title ltx_title_section"><span class="ltx_tag ltx_tag_section">1 </span>Introduction</h2>
<div class="ltx_para" id="S1.p1"><p class="ltx_p">{para}<span class="ltx_note ltx_role_footnote" id="footnote1"><sup class="ltx_note_mark">1</sup><span class="ltx_note_outer"><span class="ltx_note_content"><sup class="ltx_note_mark">1</sup><span class="ltx_tag ltx_tag_note">1</span>Code and data are released with the paper.</span></span></span></p></div>
</section>
<section class="ltx_section" id="S2"><h2 class="ltx_title ltx_title_section"><span class="ltx_tag ltx_tag_section">2 </span>Results</h2>
<div class="ltx_para" id="S2.p1"><p class="ltx_p">{results} Differences were tested at a level of <math alttext="\\alpha={alpha}" class="ltx_Math" display="inline"><semantics><mrow><mi>α</mi><mo>=</mo><mn>{alpha}</mn></mrow></semantics></math>.</p></div>
<figure class="ltx_table" id="S2.T1"><figcaption class="ltx_caption ltx_centering"><span class="ltx_tag ltx_tag_table">Table 1: </span>Figures reported in this study.</figcaption>
<table class="ltx_tabular ltx_centering ltx_align_middle"><thead class="ltx_thead"><tr class="ltx_tr"><th class="ltx_td ltx_th ltx_align_left">Setting</th><th class="ltx_td ltx_th ltx_align_center">Value</th></tr></thead>
<tbody class="ltx_tbody">{rows}</tbody></table></figure>
</section>
<section class="ltx_bibliography" id="bib"><h2 class="ltx_title ltx_title_bibliography">References</h2>
<ul class="ltx_biblist"><li class="ltx_bibitem" id="bib.bib1"><span class="ltx_bibblock">A. Author. A cited work. 2020.</span></li></ul></section>
</article></div></div></body></html>
""".encode()


_FAILED_PAGE = (
    b'<!DOCTYPE html><html><body><article class="ltx_document"><div class="ltx_para"><p class="ltx_p">'
    b"Conversion to HTML had a Fatal error and exited abruptly. This document may be truncated or damaged."
    b"</p></div></article></body></html>"
)


def build_stand(papers: list[GeneratedPaper], *, seed: int = 23) -> VersionedStand:
    """The stand-in's arXiv: every generated paper as v1 (some with a v2 on top), some with an HTML page."""
    rng = random.Random(seed)
    stand = VersionedStand()
    for k, (ident, title, sentences) in enumerate(papers):
        arxiv_id, _, version = ident.rpartition("v")
        first = Paper(
            arxiv_id=arxiv_id,
            version=int(version),
            status="found",
            title=title,
            abstract=" ".join(sentences),
            authors=[f"Bench Author {k}"],
            published="2026-01-15T00:00:00Z",
            updated="2026-01-15T00:00:00Z",
            primary_category="cs.CL",
            categories=["cs.CL"],
        )
        draw = rng.random()
        page = None
        if draw < HTML_SHARE:
            page = latexml_page(title, sentences, rng)
        elif draw < HTML_SHARE + FAILED_SHARE:
            page = _FAILED_PAGE
        stand.add(first, html=page)
        if rng.random() < REVISED_SHARE:
            revised = [*sentences[:-1], "This version corrects the figures of the first."]
            stand.add(
                first.model_copy(
                    update={
                        "version": first.version + 1 if first.version else 2,
                        "abstract": " ".join(revised),
                        "updated": "2026-03-02T00:00:00Z",
                    }
                )
            )
    return stand


# -- runs ----------------------------------------------------------------------------------------------


@dataclass
class Timed:
    """A CLI run, with what it wrote to stderr."""

    run: Run
    stderr: str


def verify(args: list[str], log: Path) -> Timed:
    """``claimcheck verify ARGS`` measured (bench_verify's sampler), its stderr kept in ``log``."""
    with log.open("wb") as err:
        run = run_claimcheck(["verify", *args], stderr=err)
    return Timed(run, log.read_text("utf-8", errors="replace"))


def output_papers(path: Path) -> list[dict[str, object]]:
    """The ``papers`` list at the end of a ``verify --format json`` output, without loading the reports."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        at = data.rfind(b'\n  "papers": ')
        if at < 0:
            return []
        papers: list[dict[str, object]] = json.loads(b"{" + data[at:])["papers"]
        return papers


def cited(directory: Path) -> set[tuple[str, int | None]]:
    """The distinct (id, version) the reports of ``directory`` cite, read from their reference lines."""
    pattern = re.compile(r"<http://arxiv\.org/abs/([^>v]+?)(?:v(\d+))?>")
    out: set[tuple[str, int | None]] = set()
    for path in directory.rglob("*.md"):
        for m in pattern.finditer(path.read_text("utf-8")):
            out.add((m.group(1), int(m.group(2)) if m.group(2) else None))
    return out


def in_cache(cache_path: Path, keys: set[tuple[str, int | None]]) -> tuple[int, Counter[str]]:
    """(how many of ``keys`` the cache holds as found, the cached full-text kinds of those papers)."""
    cache = PaperCache(cache_path)
    try:
        found = 0
        kinds: Counter[str] = Counter()
        for arxiv_id, version in sorted(keys, key=lambda k: (k[0], k[1] or 0)):
            paper = cache.get(arxiv_id, version)
            if paper is None or paper.status != "found":
                continue
            found += 1
            if paper.version is not None:
                doc = cache.get_document(arxiv_id, paper.version)
                kinds[doc.kind if doc is not None else "absent"] += 1
        return found, kinds
    finally:
        cache.close()


def mb(kib: int) -> float:
    return kib / MB


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def first_lines(text: str, n: int = 5) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    more = f"\n      … {len(lines) - n} more line(s)" if len(lines) > n else ""
    return "\n".join(f"      {line}" for line in lines[:n]) + more


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", default="1000,4000", help="warm-run report counts, comma-separated")
    parser.add_argument("--papers", type=int, default=4500, help="distinct papers generated")
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep reports, cache, outputs in this directory"
    )
    parser.add_argument("--delay", type=float, default=0.05, help="--delay of the cold run (seconds)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dask-reports", type=int, default=200)
    opts = parser.parse_args()
    steps = sorted(int(n) for n in opts.reports.split(","))
    largest = max([*steps, opts.dask_reports])

    with tempfile.TemporaryDirectory(prefix="claimcheck-archive-") as name:
        work = opts.keep or Path(name)
        shutil.rmtree(work / "reports", ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        cache = work / "cache.sqlite"
        for stale in work.glob("cache.sqlite*"):
            stale.unlink()
        figures: list[tuple[str, str]] = []
        targets: list[tuple[str, str, str]] = []

        def say(label: str, value: str) -> None:
            figures.append((label, value))
            print(f"{label:<46} {value}", flush=True)

        # 1. generate ------------------------------------------------------------------------------------
        started = time.perf_counter()
        papers = make_papers(work / "papers", opts.papers)
        stand = build_stand(papers)
        dirs: dict[int, Path] = {}
        for n in sorted({*steps, opts.dask_reports}):
            # same seed: the first n reports of every step are the same reports
            dirs[n] = work / "reports" / f"r{n}"
            dirs[n].mkdir(parents=True)
            make_many_paper_reports(dirs[n], n, papers)
        wanted = cited(dirs[largest])
        revised = sum(len(v) > 1 for v in stand.papers.values())
        say("generated", f"{len(papers)} papers, {largest} reports in {time.perf_counter() - started:.0f} s")
        say("distinct papers cited (largest step)", f"{len(wanted)}")
        say(
            "stand-in",
            f"{len(stand.html)} HTML pages ({sum(v == _FAILED_PAGE for v in stand.html.values())} failed "
            f"conversions), 0 PDFs, {revised} papers with a v2 (cited as v1)",
        )

        with serve(stand) as base:
            # 2-3. cold run ------------------------------------------------------------------------------
            cold_out = work / "cold.json"
            cold = verify(
                [str(dirs[largest]), "--cache", str(cache), "--api-url", f"{base}/api/query",
                 "--html-url", f"{base}/html", "--pdf-url", f"{base}/pdf", "--delay", str(opts.delay),
                 "--jobs", str(opts.jobs), "--format", "json", "--output", str(cold_out)],
                work / "cold.stderr",
            )  # fmt: skip
            requests = stand.counts()
            answered = dict(sorted(stand.answered.items()))
        total_requests = sum(requests.values())
        found, kinds = in_cache(cache, wanted)
        statuses = Counter(str(p.get("status")) for p in output_papers(cold_out)) if cold_out.exists() else {}
        fulltext = (
            Counter(str(p.get("fulltext")) for p in output_papers(cold_out)) if cold_out.exists() else {}
        )
        say("cold: exit code", f"{cold.run.code} (0/1 = complete; 3 = sources missing)")
        say("cold: cited papers found in the cache after", f"{found} of {len(wanted)}")
        say(
            "cold: papers in the output by status", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        )
        say("cold: full text read", ", ".join(f"{k} {v}" for k, v in sorted(fulltext.items())))
        say("cold: cached full text of cited papers", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        say(
            "cold: requests",
            f"{total_requests} ({', '.join(f'{k} {v}' for k, v in sorted(requests.items()))}); "
            f"answers {', '.join(f'{k}/{s} {v}' for (k, s), v in answered.items())}",
        )
        say(
            "cold: wall / CPU",
            f"{cold.run.seconds:.1f} s / {cold.run.cpu_seconds:.1f} s (--delay {opts.delay:g})",
        )
        say(
            "cold: request floor at this delay",
            f"{total_requests * opts.delay:.0f} s ({total_requests} × {opts.delay:g} s)",
        )
        say(
            "cold: expected at arXiv's --delay 3",
            f"{total_requests * 3:.0f} s = {total_requests * 3 / 3600:.2f} h ({total_requests} × 3 s)",
        )
        say(
            "cold: peak RSS largest / summed",
            f"{mb(cold.run.peak_kib):.0f} MB / {mb(cold.run.peak_sum_kib):.0f} MB",
        )
        if cold.stderr.strip():
            print(
                f"      cold run stderr ({len(cold.stderr.splitlines())} lines):\n{first_lines(cold.stderr)}"
            )
        targets.append(
            (
                "cold run fetches every cited paper in one run",
                f"exit {cold.run.code}, {found}/{len(wanted)} in cache, unavailable {statuses.get('unavailable', 0)}",
                verdict(cold.run.code in (0, 1) and found == len(wanted) and not statuses.get("unavailable")),
            )
        )

        # 4. warm offline runs -------------------------------------------------------------------------
        warm: dict[int, Run] = {}
        for n in steps:
            out = work / f"warm-{n}.json"
            timed = verify(
                [str(dirs[n]), "--offline", "--cache", str(cache), "--jobs", str(opts.jobs),
                 "--format", "json", "--output", str(out)],
                work / f"warm-{n}.stderr",
            )  # fmt: skip
            warm[n] = timed.run
            r = timed.run
            say(
                f"warm {n}: exit / wall / CPU",
                f"{r.code} / {r.seconds:.1f} s / {r.cpu_seconds:.1f} s ({n * 12 / r.seconds:.0f} claims/s, "
                f"{n * 12 / r.cpu_seconds:.0f} claims/CPU-s)",
            )
            say(
                f"warm {n}: peak RSS largest / summed",
                f"{mb(r.peak_kib):.0f} MB / {mb(r.peak_sum_kib):.0f} MB",
            )
            if timed.stderr.strip():
                print(f"      stderr:\n{first_lines(timed.stderr)}")
        top = warm[steps[-1]]
        targets.append(
            (
                f"warm {steps[-1]}: largest process < 300 MB",
                f"{mb(top.peak_kib):.0f} MB",
                verdict(mb(top.peak_kib) < 300),
            )
        )
        targets.append(
            (
                f"warm {steps[-1]}: summed < 1 GB ({opts.jobs} workers)",
                f"{mb(top.peak_sum_kib):.0f} MB",
                verdict(mb(top.peak_sum_kib) < 1024),
            )
        )
        if len(steps) > 1:
            low = warm[steps[0]]
            size = steps[-1] / steps[0]
            ratio, cpu_ratio = top.seconds / low.seconds, top.cpu_seconds / low.cpu_seconds
            limit = 4.5 * size / 4
            say(
                f"warm time ratio {steps[-1]}/{steps[0]}",
                f"{ratio:.2f} wall, {cpu_ratio:.2f} CPU ({size:g}x the reports)",
            )
            targets.append(
                (
                    f"{size:g}x the reports cost <= {limit:g}x the time",
                    f"{ratio:.2f}x wall, {cpu_ratio:.2f}x CPU",
                    f"{verdict(ratio <= limit)} wall, {verdict(cpu_ratio <= limit)} CPU",
                )
            )

        # 5. dask against --jobs 1 ---------------------------------------------------------------------
        n = opts.dask_reports
        one, dask = work / f"jobs1-{n}.json", work / f"dask-{n}.json"
        common = [str(dirs[n]), "--offline", "--cache", str(cache), "--format", "json"]
        serial = verify([*common, "--jobs", "1", "--output", str(one)], work / "jobs1.stderr")
        spread = verify(
            [*common, "--executor", "dask", "--jobs", str(opts.jobs), "--output", str(dask)],
            work / "dask.stderr",
        )
        same = one.exists() and dask.exists() and one.read_bytes() == dask.read_bytes()
        say(
            f"dask {n}: --jobs 1 exit / wall / CPU",
            f"{serial.run.code} / {serial.run.seconds:.1f} s / {serial.run.cpu_seconds:.1f} s",
        )
        say(
            f"dask {n}: --executor dask exit / wall / CPU",
            f"{spread.run.code} / {spread.run.seconds:.1f} s / {spread.run.cpu_seconds:.1f} s",
        )
        say(f"dask {n}: outputs byte-identical", "yes" if same else "no")
        if not same:
            if spread.stderr.strip():
                print(f"      dask stderr:\n{first_lines(spread.stderr, 10)}")
            if one.exists() and dask.exists():
                diff = list(
                    difflib.unified_diff(
                        one.read_text("utf-8").splitlines(),
                        dask.read_text("utf-8").splitlines(),
                        lineterm="",
                        n=0,
                    )
                )
                changed = sum(1 for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---"))
                print(f"      {changed} differing lines; first:\n{first_lines(chr(10).join(diff[2:]), 12)}")
        targets.append(
            (
                f"--executor dask = --jobs 1 ({n} reports)",
                "byte-identical" if same else "differs",
                verdict(same),
            )
        )

        # the table ------------------------------------------------------------------------------------
        print("\nfigure" + " " * 41 + "value")
        for label, value in figures:
            print(f"{label:<46} {value}")
        print(f"\n{'target':<48} {'measured':<44} result")
        for label, value, result in targets:
            print(f"{label:<48} {value:<44} {result}")
        if opts.keep is None:
            print("\n(work files removed; --keep DIR keeps them)")


if __name__ == "__main__":
    main()
