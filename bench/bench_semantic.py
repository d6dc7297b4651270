"""Default (lexical) vs semantic scorer: cross-validated accuracy on SciFact train, and throughput.

Run: ``python bench/bench_semantic.py [--data /work/shared/data] [--pairs 300] [--skip-cv]``

Accuracy: the fitter's own nested 5-fold cross-validation (folds grouped by claim; fitted on SciFact train
pairs, HealthVer dev and the perturbation set; isotonic calibration and the contradiction threshold fitted
inside each training fold), reported on the SciFact train pairs: SUPPORT-vs-not balanced accuracy and F1,
3-way macro-F1, ECE (10 bins) and Brier score of the calibrated P(supported).

Throughput: claim/abstract pairs per second through `Matcher.prepare` + `Matcher.match` on SciFact pairs (each
pair has its own abstract: the worst case for encoding). Cold = an empty embedding cache (model load reported
apart); warm = a second process-like pass whose sentence vectors all come from the SQLite embedding cache.
"Report-shaped": each claim against 5 abstracts at once, as `verify` matches a claim against a report's
cited papers (pairs = claims × abstracts).
The machine has 2 cores shared with other jobs: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _cv(data: Path, perturbations: Path | None, scorer: str) -> dict[str, Any]:
    # The fitter's own nested cross-validation; the weights it writes go to a temporary file.
    from claimcheck._match._fit import fit

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        report = fit(data, perturbations, Path(tmp) / f"weights_{scorer}.json", scorer)
    out = dict(report["scifact"])
    out["fit_and_cv_seconds"] = round(time.perf_counter() - t0, 1)
    return out


def _pairs(data: Path, n: int) -> list[tuple[str, str, str, str]]:
    rows = []
    with (data / "scifact-train" / "pairs_train.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            p = json.loads(line)
            rows.append((p["claim"], str(p["doc_id"]), p["title"], " ".join(p["abstract"])))
    return rows[:n]


def _throughput(
    scorer: str, pairs: list[tuple[str, str, str, str]], cache_dir: Path, per_claim: int = 1
) -> dict[str, float]:
    """Pairs per second; ``per_claim`` > 1 matches each claim against that many abstracts at once, as
    `verify` matches a report's claim against all its cited papers (pairs = claims × abstracts)."""
    os.environ["CLAIMCHECK_CACHE"] = str(cache_dir / "papers.sqlite3")
    from claimcheck._match import Matcher, Source

    out: dict[str, float] = {}
    t0 = time.perf_counter()
    m = Matcher(scorer=scorer)
    for ex in m.extractors:  # load the model now, so that "cold" measures encoding, not start-up
        encoder = getattr(ex, "encoder", None)
        if encoder is not None:
            encoder._load()
    out["load_seconds"] = round(time.perf_counter() - t0, 2)
    for phase in ("cold", "warm"):
        if phase == "warm":
            m = Matcher(scorer=scorer)  # fresh in-memory state; vectors come from the embedding cache
            for ex in m.extractors:
                encoder = getattr(ex, "encoder", None)
                if encoder is not None:
                    encoder._load()
        t = time.perf_counter()
        prepared = [m.prepare(Source(id=doc, title=title, text=text)) for _, doc, title, text in pairs]
        claims = [c for c, _, _, _ in pairs][::per_claim]
        groups = [prepared[i : i + per_claim] for i in range(0, len(prepared), per_claim)]
        for ex in m.extractors:
            if hasattr(ex, "prepare_pairs"):  # plan the run's candidates and encode them in one batch
                planned = list(zip(claims, groups, strict=True))
                ex.prepare_pairs(planned, idf=m.model.idf, idf_default=m.model.idf_default)
        for claim, group in zip(claims, groups, strict=True):
            m.match(claim, group, truncated=False)
        n_pairs = sum(len(g) for g in groups)
        out[f"{phase}_pairs_per_s"] = round(n_pairs / (time.perf_counter() - t), 1)
        encoded = sum(getattr(getattr(ex, "encoder", None), "encoded", 0) for ex in m.extractors)
        out[f"{phase}_sentences_encoded"] = encoded
    return out


def main(argv: list[str] | None = None) -> int:
    """Print accuracy and throughput of the lexical and semantic scorers as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    here = Path(__file__).parent
    ap.add_argument("--perturbations", type=Path, default=here / "data" / "perturbations.jsonl")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--scorers", default="lexical,semantic")
    ap.add_argument("--skip-cv", action="store_true")
    args = ap.parse_args(argv)
    pairs = _pairs(args.data, args.pairs)
    for scorer in args.scorers.split(","):
        row: dict[str, Any] = {"scorer": scorer}
        saved = os.environ.get("CLAIMCHECK_CACHE")
        with tempfile.TemporaryDirectory() as tmp:
            row["throughput"] = _throughput(scorer, pairs, Path(tmp))
        with tempfile.TemporaryDirectory() as tmp:
            shaped = _throughput(scorer, pairs, Path(tmp), per_claim=5)
            row["throughput_report_shaped_5_abstracts_per_claim"] = shaped
        if saved is None:
            os.environ.pop("CLAIMCHECK_CACHE", None)
        else:
            os.environ["CLAIMCHECK_CACHE"] = saved
        row["throughput"]["pairs"] = len(pairs)
        row["load_average_1min"] = round(os.getloadavg()[0], 2)
        if not args.skip_cv:
            # the user's embedding cache: vectors encoded by the fitter are reused
            row["cv_scifact_train"] = _cv(args.data, args.perturbations, scorer)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
