"""Batch-audit benchmark: the near-duplicate search over 1k to 64k distinct claims, exact pairwise vs blocked.

Claims are generated as a synthesis archive repeats them: base claims (the sample reports' claims, sentences of
the recorded abstracts, and splices of two of them with their numbers redrawn, so that bases are as many and as
varied as a real archive's), each cited by a long-tailed number of reports, and reworded on the way as
generated reports do: a word dropped, two words swapped, cut off at 120 characters mid-word, re-cased or
re-punctuated, a number changed (which makes it another claim). `near_duplicate_keys` is shared with
``tests/test_batch_search.py``.

For each size the new blocked search (`audit_batch_keys`, the default above ``EXHAUSTIVE_UP_TO``; forced here
even at 1k) is timed, and the exact pairwise search (every pair of distinct claims compared) where it finishes
in reasonable time; the two finding lists are compared ("same"), and the recall of the exact search's
near-duplicate pairs is printed. Times are CPU seconds of this process (on a shared machine, wall time mostly
measures the other tenants). ``--bases 60`` draws every claim from 60 bases, like bench_verify's reports:
few, large clusters, where a search that compares every pair of a block turns quadratic.

Usage::

    python bench/bench_batch.py [--sizes 1000,4000,16000,64000] [--exact-up-to 16000] [--jobs 1]
"""

from __future__ import annotations

import argparse
import pickle
import random
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import claimcheck._audit._search as search_module  # noqa: E402
from claimcheck._audit import ClaimKey, audit_batch_keys  # noqa: E402
from claimcheck._audit._text import normalise_claim  # noqa: E402
from claimcheck._models import Finding  # noqa: E402
from claimcheck._parse import parse_report_file  # noqa: E402
from claimcheck._sources._atom import parse_atom  # noqa: E402

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
LABELS = ("supported", "not_found", "contradicted", "supported", "unverifiable")


def seed_claims() -> list[str]:
    """Real claim-shaped sentences: the sample reports' claims and the recorded abstracts' sentences."""
    out = [c.text for p in sorted((ROOT / "reports").glob("*.txt")) for c in parse_report_file(p).claims]
    for path in sorted((ROOT / "fixtures" / "arxiv").glob("*.xml")):
        for paper in parse_atom(path.read_bytes(), source="sources").papers:
            out += [s for s in _SENTENCE.split(paper.abstract or "") if 40 <= len(s) <= 300]
    return sorted(set(out))


def _redraw_numbers(text: str, rng: random.Random) -> str:
    return _NUMBER.sub(
        lambda m: f"{rng.uniform(0.5, 99):.1f}" if "." in m.group(0) else str(rng.randint(2, 999)), text
    )


def base_claims(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct base claims: the seeds, then splices of two seeds (first part of one, rest of another)
    with numbers redrawn and a number added, so that no two bases are near duplicates by construction."""
    seeds = seed_claims()
    out = list(seeds[:n])
    seen = {normalise_claim(t) for t in out}
    while len(out) < n:
        a, b = rng.sample(seeds, 2)
        wa, wb = a.split(), b.split()
        words = wa[: rng.randint(3, max(3, len(wa) // 2))] + wb[rng.randint(1, max(1, len(wb) // 2)) :]
        text = _redraw_numbers(" ".join(words), rng)
        if not _NUMBER.search(text):
            text = text.rstrip(".") + f" by {rng.randint(2, 999)} points."
        key = normalise_claim(text)
        if key not in seen and len(key) >= 30:
            seen.add(key)
            out.append(text)
    return out


def reword(text: str, rng: random.Random) -> str:
    """One report's wording of a claim: verbatim (40%), or one or two realistic edits."""
    if rng.random() < 0.4:
        return text
    for _ in range(rng.choice((1, 1, 2))):
        words = text.split()
        edit = rng.random()
        if edit < 0.25 and len(words) > 6:
            del words[rng.randrange(1, len(words) - 1)]
            text = " ".join(words)
        elif edit < 0.45 and len(words) > 3:
            i = rng.randrange(0, len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
            text = " ".join(words)
        elif edit < 0.65 and len(text) > 120:
            text = text[:120]  # the generators' cut, mid-word
        elif edit < 0.8:
            text = text.rstrip(".") if text.endswith(".") else text + "."
            text = text[0].lower() + text[1:] if rng.random() < 0.5 else text
        elif edit < 0.9 and (numbers := list(_NUMBER.finditer(text))):
            m = rng.choice(numbers)  # another figure: another claim, a near miss for the search
            text = text[: m.start()] + str(rng.randint(2, 999)) + text[m.end() :]
        else:
            words.insert(rng.randrange(1, len(words)), rng.choice(("also", "further", "notably", "the")))
            text = " ".join(words)
    return text


def near_duplicate_keys(
    distinct: int, *, seed: int = 5, per_report: int = 12, bases: int | None = None
) -> list[ClaimKey]:
    """Claim keys of an archive with about ``distinct`` distinct normalised claims, in report order, reworded
    from ``bases`` base claims (default: a third of ``distinct``; few bases make large clusters).

    Example: ``keys = near_duplicate_keys(4000)``; ``len({k.key for k in keys})`` is about 4,000.
    """
    rng = random.Random(seed)
    texts = base_claims(bases or max(8, distinct // 3), rng)
    # long tail: most claims are cited by one or two reports, a few by hundreds
    weights = [1.0 / (1 + i) ** 0.8 for i in range(len(texts))]
    keys: list[ClaimKey] = []
    seen: set[str] = set()
    report = 0
    while len(seen) < distinct:
        path = f"archive/r{report:06d}.md"
        for i, base in enumerate(rng.choices(texts, weights, k=per_report), 1):
            text = reword(base, rng)
            key = normalise_claim(text)
            seen.add(key)
            keys.append(ClaimKey(path, 40 + i, i, text, key, rng.choice(LABELS)))
        report += 1
    return keys


def exact(keys: list[ClaimKey]) -> list[Finding]:
    """The findings of the exact pairwise search (every pair of distinct claims compared)."""
    with mock.patch.object(search_module, "EXHAUSTIVE_UP_TO", 1 << 62):
        return audit_batch_keys(keys)


def components(findings: list[Finding]) -> list[frozenset[str]]:
    """The near-duplicate clusters a finding list names (as sets of ``path:line``)."""
    return [frozenset(f.details["occurrences"]) for f in findings if f.code == "near_duplicate_claim"]


def pair_recall(reference: list[Finding], found: list[Finding]) -> float:
    """Share of the pairs of occurrences that ``reference`` puts in one cluster that ``found`` does too."""
    cluster_of = {where: n for n, c in enumerate(components(found)) for where in c}
    total = kept = 0
    for cluster in components(reference):
        by: dict[int, int] = {}
        for where in cluster:
            c = cluster_of.get(where, -1 - len(by))
            by[c] = by.get(c, 0) + 1
        total += len(cluster) * (len(cluster) - 1) // 2
        kept += sum(v * (v - 1) // 2 for v in by.values())
    return kept / total if total else 1.0


def _timed(fn: Callable[[], list[Finding]]) -> tuple[float, list[Finding]]:
    """(CPU seconds, result): on a shared machine wall time mostly measures the other tenants."""
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def bytes_per_claim(keys: list[ClaimKey], jobs: int) -> tuple[float, float, float]:
    """(bytes per claim of the keys as the main process holds them, peak bytes per claim the audit adds on
    top, and of that, the findings it returns), by tracemalloc. The keys arrive as from the workers: pickled by 16
    reports (each string a new copy on arrival, unless the key's unpickling shares it)."""
    reports: dict[str, list[ClaimKey]] = {}
    for key in keys:
        reports.setdefault(key.path, []).append(key)
    per_report = list(reports.values())
    payloads = [
        pickle.dumps([k for report in per_report[i : i + 16] for k in report])
        for i in range(0, len(per_report), 16)
    ]
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    held = [k for payload in payloads for k in pickle.loads(payload)]  # noqa: S301 (our own bytes)
    kept = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    findings = audit_batch_keys(iter(held), jobs=jobs)
    now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del findings
    return kept / len(keys), (peak - before) / len(keys), (now - before) / len(keys)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,4000,16000,64000")
    parser.add_argument("--exact-up-to", type=int, default=16000, help="largest size to run the exact search")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--bases",
        type=int,
        default=None,
        help="base claims (default: a third of the size; 60 = bench_verify's)",
    )
    parser.add_argument("--memory", action="store_true", help="also measure bytes per claim (tracemalloc)")
    opts = parser.parse_args()
    print(
        f"{'distinct':>8} {'claims':>7} {'exact s':>8} {'new s':>9} {'same':>5} {'recall':>7} {'clusters':>8}"
    )
    for size in (int(s) for s in opts.sizes.split(",")):
        keys = near_duplicate_keys(size, bases=opts.bases)
        distinct = len({k.key for k in keys})
        with mock.patch.object(search_module, "EXHAUSTIVE_UP_TO", 0):  # the blocked search even at 1k
            fast_s, fast = _timed(lambda keys=keys: audit_batch_keys(keys, jobs=opts.jobs))
        if size <= opts.exact_up_to:
            exact_s, ref = _timed(lambda keys=keys: exact(keys))
            same = "yes" if ref == fast else "no"
            recall = f"{pair_recall(ref, fast):.4f}"
            exact_txt = f"{exact_s:8.2f}"
        else:
            same, recall, exact_txt = "-", "-", f"{'-':>8}"
        print(
            f"{distinct:>8} {len(keys):>7} {exact_txt} {fast_s:9.2f} {same:>5} {recall:>7} "
            f"{len(components(fast)):>8}"
        )
        if opts.memory:
            kept, peak, out = bytes_per_claim(keys, opts.jobs)
            print(
                f"{'':>8} bytes/claim: {kept:.0f} held as ClaimKeys, {peak:.0f} peak added by the audit "
                f"({out:.0f} of them its findings)"
            )


if __name__ == "__main__":
    main()
