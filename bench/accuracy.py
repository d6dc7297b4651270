"""Accuracy, calibration and speed of the matcher, next to the peer anchorcite (lexical tier), on the same pairs.

Run: ``python bench/accuracy.py [--mode binary|multiclass|both]`` (needs scikit-learn and numpy; the peer
anchorcite, from the bench extra, is compared when installed). Prints a markdown table: 5-fold cross-validated
(folds grouped by claim) balanced accuracy and F1 (supported vs not), 3-way macro-F1, ECE (10 bins), Brier, and
the precision and recall of ``contradicted`` on SciFact train, HealthVer dev and the perturbation set; the 3-way
confusion matrix of each; the verified flag right by perturbation kind; then throughput (claims/s) on
three-abstract sources.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from claimcheck._match import Matcher, Source
from claimcheck._match._fit import MODES, confusion, cross_validate, metrics, prepare_data

DATA = Path("/work/shared/data")
PERT = Path(__file__).parent / "data" / "perturbations.jsonl"
META = Path("/work/shared/arxiv/metadata")


def _anchorcite(examples: list) -> tuple[list[float], list[str]]:  # type: ignore[type-arg]
    from anchorcite import LexicalScorer, anchor_claim

    scorer = LexicalScorer()
    probs, labels = [], []
    for ex in examples:
        best = 0.0
        for s in ex.sources:
            a = anchor_claim(ex.claim, (s.title + ". " + s.text) if s.title else s.text, scorer=scorer)
            if a is not None:
                best = max(best, float(a.score))
        probs.append(min(1.0, best))
        labels.append("supported" if best > 0 else "not_found")
    return probs, labels


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=[*MODES, "both"], default="multiclass")
    args = ap.parse_args(argv)
    modes = list(MODES) if args.mode == "both" else [args.mode]
    examples, x, y, groups, _, _, flags = prepare_data(DATA, PERT)
    runs = {mode: cross_validate(x, y, groups, flags, mode=mode) for mode in modes}
    try:
        ac_p, ac_l = _anchorcite(examples)
    except ImportError:  # the peer is only in the bench extra
        ac_p, ac_l = [], []
    rows = []
    matrices = []
    for ds in ("scifact", "healthver", "perturbations"):
        idx = [i for i, e in enumerate(examples) if e.dataset == ds]
        truth = [examples[i].label for i in idx]
        for mode, cv in runs.items():
            labels = [str(cv["labels"][i]) for i in idx]
            rows.append(
                (
                    ds,
                    f"claimcheck (lexical, {mode}, 5-fold CV)",
                    metrics(truth, [float(cv["p_supported"][i]) for i in idx], labels),
                )
            )
            matrices.append((ds, mode, confusion(truth, labels)))
        if ac_p:
            rows.append(
                (
                    ds,
                    "anchorcite 0.1.0 (lexical)",
                    metrics(truth, [ac_p[i] for i in idx], [ac_l[i] for i in idx]),
                )
            )
    print(
        "| data | matcher | n | balanced acc. | F1 supported | 3-way macro-F1 | ECE | Brier | "
        "contradicted precision | contradicted recall |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for ds, who, m in rows:
        print(
            f"| {ds} | {who} | {m['n']} | {m['balanced_accuracy']:.3f} | {m['f1_supported']:.3f} | "
            f"{m['macro_f1_3way']:.3f} | {m['ece']:.3f} | {m['brier']:.3f} | "
            f"{m['contradicted_precision']:.3f} | {m['contradicted_recall']:.3f} |"
        )
    print("\nconfusion (rows: true, columns: predicted; supported / contradicted / not_found)")
    for ds, mode, matrix in matrices:
        print(f"  {ds:13} {mode:10} " + "  ".join("/".join(f"{v}" for v in row) for row in matrix))
    cv = runs.get("multiclass", runs[modes[0]])  # the kinds of the shipped model
    pert = [e for e in examples if e.dataset == "perturbations"]
    kinds: dict[str, list[bool]] = {}
    labels3: dict[str, list[bool]] = {}
    for i, e in enumerate(examples):
        if e.dataset == "perturbations":
            kinds.setdefault(e.kind, []).append((cv["labels"][i] == "supported") == (e.label == "supported"))
            labels3.setdefault(e.kind, []).append(cv["labels"][i] == e.label)
    print(
        "\nperturbations, verified flag right by kind (CV):",
        json.dumps({k: f"{sum(v)}/{len(v)}" for k, v in sorted(kinds.items())}),
        f"(n={len(pert)})",
    )
    print(
        "perturbations, 3-way label right by kind (CV):",
        json.dumps({k: f"{sum(v)}/{len(v)}" for k, v in sorted(labels3.items())}),
    )

    # Throughput on three-abstract sources: the report's claims against its own three cited papers.
    srcs = []
    for f in sorted(META.glob("*.json"))[:3]:
        d = json.loads(f.read_text())
        srcs.append(Source(id=d["id"], title=d["title"], text=d["abstract"]))
    claims = [e.claim for e in examples if e.dataset == "scifact"][:400]
    m = Matcher()
    prepared = [m.prepare(s) for s in srcs]
    t0 = time.perf_counter()
    for c in claims:
        m.match(c, prepared)
    ours = len(claims) / (time.perf_counter() - t0)
    try:
        from anchorcite import LexicalScorer, anchor_claim
    except ImportError:
        print(f"\nthroughput on three-abstract sources: claimcheck {ours:,.0f} claims/s")
        return
    sc = LexicalScorer()
    t0 = time.perf_counter()
    for c in claims[:100]:
        for s in srcs:
            anchor_claim(c, s.title + ". " + s.text, scorer=sc)
    peer = 100 / (time.perf_counter() - t0)
    print(
        f"\nthroughput on three-abstract sources: claimcheck {ours:,.0f} claims/s, anchorcite {peer:,.0f} claims/s "
        f"({ours / peer:.1f}x)"
    )


if __name__ == "__main__":
    main()
