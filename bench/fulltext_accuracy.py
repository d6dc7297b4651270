"""Full-text verdicts on the five shared arXiv papers: accuracy, where the evidence is, and what was fetched.

A stand-in for arXiv on 127.0.0.1 serves the papers of ``../shared/fulltext/`` (metadata as Atom built from
``metadata/*.json`` with the project's ``paper_to_atom``; ``/html/<id>v<N>`` for the two LaTeXML HTML papers;
404 there and ``/pdf/<id>v<N>`` for the three PDF papers). ``claimcheck verify`` runs on the dev reports of
``bench/data/fulltext_reports/`` with ``--api-url/--html-url/--pdf-url`` pointed at it and a fresh cache, with
full text and again with ``--no-full-text``, and the labels are compared with ``bench/data/fulltext_claims.jsonl``
(truth read by hand from the papers). Printed: verified-flag accuracy, the confusion matrix, precision and
recall of ``contradicted``, how many claims' best evidence stands where the jsonl says, per kind of claim, and
the requests the stand-in saw (HTML before PDF, nothing twice, a second run asks nothing).

The shared papers are read at run time, never copied: ``CLAIMCHECK_SHARED`` or ``../shared`` beside the
project. The reports are written from the jsonl by ``--write-reports`` (they are committed).

Usage::

    python bench/fulltext_accuracy.py                 # full text, then --no-full-text
    python bench/fulltext_accuracy.py --save DIR      # and keep both runs' JSON outputs in DIR
    python bench/fulltext_accuracy.py --write-reports # regenerate bench/data/fulltext_reports/
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from arxiv_standin import atom_feed, serve  # noqa: E402
from claimcheck._models import Paper  # noqa: E402

DATA = ROOT / "bench" / "data"
CLAIMS = DATA / "fulltext_claims.jsonl"
REPORTS = DATA / "fulltext_reports"

# Each dev report is about one paper and cites it with two others, so every claim is matched against three
# full papers, as in a generated report.
REPORT_REFS: dict[str, tuple[str, str, str]] = {
    "transformer-translation": ("1706.03762", "2310.06825", "1903.10676"),
    "mistral-efficient-inference": ("2310.06825", "1706.03762", "2501.10120"),
    "scibert-scientific-nlp": ("1903.10676", "2206.10883", "1706.03762"),
    "legal-summarization": ("2206.10883", "1903.10676", "2310.06825"),
    "paper-search-agents": ("2501.10120", "2206.10883", "1903.10676"),
}
REPORT_TITLES = {
    "transformer-translation": "Attention-Only Architectures for Machine Translation and Parsing",
    "mistral-efficient-inference": "Efficient Inference in Small Open Language Models",
    "scibert-scientific-nlp": "Domain-Specific Pretraining for Scientific Text",
    "legal-summarization": "Summarizing Long Legal Case Records",
    "paper-search-agents": "LLM Agents for Academic Paper Search",
}


def shared_dir() -> Path | None:
    """The shared folder holding ``fulltext/``: env ``CLAIMCHECK_SHARED``, else ``shared`` beside the project
    (or beside the folder of worktrees, for a git worktree at ``wt/<name>``); None when absent."""
    env = os.environ.get("CLAIMCHECK_SHARED")
    candidates = [Path(env)] if env else [ROOT.parent / "shared", ROOT.parents[1] / "shared"]
    return next((c for c in candidates if (c / "fulltext" / "metadata").is_dir()), None)


def load_claims(path: Path = CLAIMS) -> list[dict[str, Any]]:
    """The labelled dev claims, one JSON object a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- the stand-in -------------------------------------------------------------------------------------------


@dataclass
class SharedPaper:
    """One shared paper as the stand-in serves it."""

    arxiv_id: str
    version: int
    paper: Paper
    html: bytes | None
    pdf: bytes | None


def shared_papers(shared: Path) -> dict[str, SharedPaper]:
    """The five shared papers: metadata from ``metadata/*.json``, HTML or PDF bytes read in place."""
    out = {}
    full = shared / "fulltext"
    for meta in sorted((full / "metadata").glob("*.json")):
        d = json.loads(meta.read_text(encoding="utf-8"))
        version = int(str(d["version_cited"]).lstrip("v"))
        published = f"{d['published']}T00:00:00Z"
        paper = Paper(
            arxiv_id=d["id"],
            version=version,
            status="found",
            title=d["title"],
            abstract=d["abstract"],
            authors=d["authors"],
            published=published,
            updated=published,
            primary_category=d.get("primary_category"),
            categories=d.get("categories") or [],
        )
        html = full / "html" / f"{d['id']}.html"
        pdfs = [full / "pdf" / f"{d['id']}v{version}.pdf", full / "pdf" / f"{d['id']}.pdf"]
        pdf = next((p for p in pdfs if p.is_file()), None)
        out[d["id"]] = SharedPaper(
            d["id"],
            version,
            paper,
            html.read_bytes() if html.is_file() else None,
            pdf.read_bytes() if pdf else None,
        )
    return out


@dataclass
class Stand:
    """The stand-in's content and every path it was asked for, in order."""

    papers: dict[str, SharedPaper]
    seen: list[str] = field(default_factory=list)

    def answer(self, path: str) -> tuple[int, bytes, str]:
        if path.startswith("/api/query"):
            ids = path.split("id_list=", 1)[1].split("&", 1)[0].split(",")
            found = [self.papers[i.split("v")[0]].paper for i in ids if i.split("v")[0] in self.papers]
            return 200, atom_feed(found), "application/atom+xml"
        kind, _, vid = path.lstrip("/").partition("/")
        arxiv_id, _, version = vid.partition("v")
        paper = self.papers.get(arxiv_id)
        if paper is None or not version.isdigit():
            return 404, b"not here", "text/plain"
        # 1903.10676.pdf is unversioned in shared/: any version of it is served.
        if kind == "html" and paper.html is not None and int(version) == paper.version:
            return 200, paper.html, "text/html; charset=utf-8"
        if kind == "pdf" and paper.pdf is not None:
            return 200, paper.pdf, "application/pdf"
        return 404, b"not here", "text/plain"


# --- reports --------------------------------------------------------------------------------------------------

_TEMPLATE = """# {title}

Assignee Research

July 14, 2026

## Abstract

This synthesis reviews {topic}. Claims were extracted from the full text of the cited papers, including their
methods, result tables and abstracts.

## 1 Introduction

This report reviews {topic}. Research question: What do the cited papers report about {topic}?

## 2 Methodology

Systematic literature search yielded {papers} papers. Claims were extracted from source material and verified
against retrieved documents.

## 3 Results

{papers} papers retrieved. {n} claims extracted; {verified} independently verified.

## 4 Extracted Claims

Claim\tVerified\tConfidence
{rows}

## References

{refs}
"""


def render_report(title: str, claims: list[str], refs: list[str]) -> str:
    """A report in the project's report format citing ``refs`` (versioned ids), its claims all marked ✓ as a
    generator would mark them."""
    rows = "\n".join(f"{c}\t✓\t{0.62 + 0.03 * (i % 10):.2f}" for i, c in enumerate(claims))
    return _TEMPLATE.format(
        title=title,
        topic=title,
        papers=len(refs),
        n=len(claims),
        verified=len(claims),
        rows=rows,
        refs="\n".join(f"- <http://arxiv.org/abs/{r}>" for r in refs),
    )


VERSIONS = {"1706.03762": 7, "2310.06825": 1, "1903.10676": 3, "2206.10883": 3, "2501.10120": 1}


def write_reports(claims: list[dict[str, Any]], directory: Path) -> list[Path]:
    """Write one report per ``report`` name of ``claims`` into ``directory``; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in REPORT_REFS:
        mine = [c for c in claims if c["report"] == name]
        if not mine:
            continue
        path = directory / f"{name}.md"
        refs = [f"{r}v{VERSIONS[r]}" for r in REPORT_REFS[name]]
        text = render_report(REPORT_TITLES[name], [c["claim"] for c in mine], refs)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# --- running and scoring --------------------------------------------------------------------------------------


def verify(paths: Iterable[Path], base: str, cache: Path, *extra: str) -> dict[str, Any]:
    """``claimcheck verify --format json`` on ``paths`` against the stand-in at ``base``; the parsed output."""
    with tempfile.TemporaryDirectory(prefix="claimcheck-ft-") as tmp:
        out = Path(tmp) / "out.json"
        args = [sys.executable, "-m", "claimcheck", "verify", *map(str, paths), "--format", "json",
                "--output", str(out), "--cache", str(cache), "--delay", "0", "--jobs", "1",
                "--api-url", f"{base}/api/query", "--html-url", f"{base}/html", "--pdf-url", f"{base}/pdf",
                "--mailto", "bench@example.org", *extra]  # fmt: skip
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
        if proc.returncode not in (0, 1) or not out.is_file():
            raise RuntimeError(f"claimcheck verify exited {proc.returncode}: {proc.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def results_by_claim(output: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each claim's result in the JSON output, keyed by its text."""
    out = {}
    for report in output["reports"]:
        for claim in report["claims"]:
            out[claim["text"]] = claim
    return out


def references(output: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    """Per cited arXiv id: (fulltext kind, reason) as the output states it."""
    out = {}
    for report in output["reports"]:
        for ref in report["references"]:
            if ref.get("arxiv_id"):
                out[ref["arxiv_id"]] = (ref.get("fulltext"), ref.get("fulltext_reason"))
    return out


@dataclass
class Score:
    n: int = 0
    right: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    contra_tp: int = 0
    contra_fp: int = 0
    contra_fn: int = 0
    located: dict[str, list[int]] = field(default_factory=dict)
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    by_paper: dict[str, list[int]] = field(default_factory=dict)
    checked: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)


def score(claims: list[dict[str, Any]], output: dict[str, Any]) -> Score:
    """Compare the output's labels with the hand-read truth of ``claims``."""
    got = results_by_claim(output)
    s = Score()
    for c in claims:
        result = got.get(c["claim"])
        if result is None:
            raise RuntimeError(f"claim {c['id']} not in the output (the report parser cut or changed it)")
        rec = result["recomputed"]
        truth_sup = c["truth"] == "supported"
        truth = "contradicted" if c["contradicted"] else ("supported" if truth_sup else "not_supported")
        s.n += 1
        ok = bool(rec["verified"]) == truth_sup
        s.right += ok
        s.confusion[(rec["label"], truth)] += 1
        s.checked[rec.get("checked") or "?"] += 1
        tally = s.by_kind.setdefault(c["kind"], [0, 0])
        tally[0] += ok
        tally[1] += 1
        tally = s.by_paper.setdefault(c["paper"], [0, 0])
        tally[0] += ok
        tally[1] += 1
        if rec["label"] == "contradicted":
            if c["contradicted"]:
                s.contra_tp += 1
            else:
                s.contra_fp += 1
        elif c["contradicted"]:
            s.contra_fn += 1
        if c["location"]:
            # Supported claims by where they are stated; changed/reversed/swapped ones under "altered": their
            # best evidence should be the row or sentence that states the real fact.
            key = c["location"] if truth_sup else f"altered ({c['location']})"
            evidence = result.get("evidence") or []
            place = s.located.setdefault(key, [0, 0])
            place[0] += bool(evidence) and evidence[0].get("location") == c["location"]
            place[1] += 1
        if not ok:
            where = (result.get("evidence") or [{}])[0].get("location")
            s.wrong.append(f"{c['id']:<11} {c['kind']:<10} -> {rec['label']:<12} (best evidence in {where})")
    return s


def print_score(name: str, s: Score) -> None:
    print(f"\n== {name}")
    print(f"verified flag right  {s.right} of {s.n} ({100 * s.right / s.n:.0f}%)")
    print(f"checked              {dict(s.checked)}")
    truths = ["supported", "not_supported", "contradicted"]
    labels = ["supported", "contradicted", "not_found", "unverifiable"]
    print("confusion (rows: label given, columns: truth)")
    print(f"  {'':<13}" + "".join(f"{t:>15}" for t in truths))
    for label in labels:
        if any(s.confusion[(label, t)] for t in truths):
            print(f"  {label:<13}" + "".join(f"{s.confusion[(label, t)]:>15}" for t in truths))
    given = s.contra_tp + s.contra_fp
    actual = s.contra_tp + s.contra_fn
    p = f"{s.contra_tp / given:.2f}" if given else "n/a"
    r = f"{s.contra_tp / actual:.2f}" if actual else "n/a"
    print(f"contradicted         precision {p} ({s.contra_tp}/{given}), recall {r} ({s.contra_tp}/{actual})")
    where = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(s.located.items()))
    print(f"evidence located     best evidence where the jsonl says: {where}")
    print("by kind (flag right)", json.dumps({k: f"{v[0]}/{v[1]}" for k, v in sorted(s.by_kind.items())}))
    print("by paper            ", json.dumps({k: f"{v[0]}/{v[1]}" for k, v in s.by_paper.items()}))
    if s.wrong:
        print("wrong flags:")
        for line in s.wrong:
            print("  " + line)


def fetch_properties(seen: list[str], papers: dict[str, SharedPaper]) -> list[str]:
    """Problems with the requests of one full-text run: HTML not tried before the PDF, anything twice."""
    problems = []
    twice = [p for p, k in Counter(seen).items() if k > 1]
    if twice:
        problems.append(f"requested more than once: {twice}")
    for ident, paper in papers.items():
        html = f"/html/{ident}v{paper.version}"
        pdf = f"/pdf/{ident}v{paper.version}"
        if html not in seen:
            problems.append(f"{ident}: HTML never tried")
        elif pdf in seen and seen.index(pdf) < seen.index(html):
            problems.append(f"{ident}: PDF asked before HTML")
        if paper.html is None and pdf not in seen:
            problems.append(f"{ident}: no HTML, yet the PDF was not fetched")
        if paper.html is not None and pdf in seen:
            problems.append(f"{ident}: HTML served, yet the PDF was fetched too")
    return problems


def _without_source(output: dict[str, Any]) -> dict[str, Any]:
    """The output without the papers' ``source`` (api on a first run, cache on a second)."""
    return {
        **output,
        "papers": [{k: v for k, v in p.items() if k != "source"} for p in output.get("papers", [])],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write-reports", action="store_true", help="regenerate the dev reports and stop")
    parser.add_argument("--quiet", action="store_true", help="do not list the claims whose flag is wrong")
    parser.add_argument(
        "--save", type=Path, default=None, help="write the two runs' JSON outputs into this directory"
    )
    opts = parser.parse_args()
    claims = load_claims()
    if opts.write_reports:
        for path in write_reports(claims, REPORTS):
            print(path.relative_to(ROOT))
        return
    shared = shared_dir()
    if shared is None:
        raise SystemExit("skipped: ../shared/fulltext not found (set CLAIMCHECK_SHARED)")
    papers = shared_papers(shared)
    paths = sorted(REPORTS.glob("*.md"))
    print(f"dev set              {len(claims)} claims in {len(paths)} reports, 3 cited papers each")
    print("kinds               ", json.dumps(Counter(c["kind"] for c in claims)))
    print("papers              ", json.dumps(Counter(c["paper"] for c in claims)))
    with tempfile.TemporaryDirectory(prefix="claimcheck-ftacc-") as tmp:
        stand = Stand(papers)
        with serve(stand) as base:
            cache = Path(tmp) / "cache.sqlite3"
            full = verify(paths, base, cache)
            first = list(stand.seen)
            again = verify(paths, base, cache)
            second = stand.seen[len(first) :]
            stand.seen.clear()
            abstract_only = verify(paths, base, Path(tmp) / "fresh.sqlite3", "--no-full-text")
            no_ft = list(stand.seen)
    if opts.save:
        opts.save.mkdir(parents=True, exist_ok=True)
        (opts.save / "fulltext.json").write_text(json.dumps(full, indent=1), encoding="utf-8")
        (opts.save / "no-full-text.json").write_text(json.dumps(abstract_only, indent=1), encoding="utf-8")
    if _without_source(full) != _without_source(again):
        print("\nNOTE: the second (cached) run's verdicts differ from the first")
    for name, output in (("full text", full), ("--no-full-text", abstract_only)):
        result = score(claims, output)
        if opts.quiet:
            result.wrong.clear()
        print_score(name, result)
    print("\n== requests the stand-in saw")
    print("full text, fresh cache:")
    for path in first:
        print(f"  {path}")
    print("fulltext per paper  ", json.dumps(references(full)))
    problems = fetch_properties(first, papers)
    print(
        "fetch properties    ",
        "; ".join(problems) if problems else "HTML tried before PDF for every paper; nothing requested twice",
    )
    print(f"second run (cached)  {len(second)} requests {second if second else ''}")
    print(
        f"--no-full-text       {len(no_ft)} requests, {sum(not p.startswith('/api/') for p in no_ft)} of them for HTML/PDF"
    )


if __name__ == "__main__":
    main()
