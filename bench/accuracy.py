"""Accuracy, calibration and speed of the matcher, next to the peer anchorcite (lexical tier), on the same pairs.

Run: ``python bench/accuracy.py`` (needs the bench extra: scikit-learn, numpy, anchorcite). Prints a markdown
table: 5-fold cross-validated (folds grouped by claim) balanced accuracy and F1 (supported vs not), 3-way
macro-F1, ECE (10 bins) and Brier on SciFact train, HealthVer dev and the perturbation set; then throughput
(claims/s) on three-abstract sources.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from claimcheck._match import Matcher, Source
from claimcheck._match._fit import cross_validate, metrics, prepare_data

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


def main() -> None:
    examples, x, y, groups, _, _, flags = prepare_data(DATA, PERT)
    cv = cross_validate(x, y, groups, flags)
    ac_p, ac_l = _anchorcite(examples)
    rows = []
    for ds in ("scifact", "healthver", "perturbations"):
        idx = [i for i, e in enumerate(examples) if e.dataset == ds]
        truth = [examples[i].label for i in idx]
        ours = metrics(truth, [float(cv["p_supported"][i]) for i in idx], [str(cv["labels"][i]) for i in idx])
        peer = metrics(truth, [ac_p[i] for i in idx], [ac_l[i] for i in idx])
        rows.append((ds, "claimcheck (lexical, 5-fold CV)", ours))
        rows.append((ds, "anchorcite 0.1.0 (lexical)", peer))
    print("| data | matcher | n | balanced acc. | F1 supported | 3-way macro-F1 | ECE | Brier |")
    print("|---|---|---|---|---|---|---|---|")
    for ds, who, m in rows:
        print(
            f"| {ds} | {who} | {m['n']} | {m['balanced_accuracy']:.3f} | {m['f1_supported']:.3f} | "
            f"{m['macro_f1_3way']:.3f} | {m['ece']:.3f} | {m['brier']:.3f} |"
        )
    pert = [e for e in examples if e.dataset == "perturbations"]
    kinds: dict[str, list[bool]] = {}
    for i, e in enumerate(examples):
        if e.dataset == "perturbations":
            kinds.setdefault(e.kind, []).append((cv["labels"][i] == "supported") == (e.label == "supported"))
    print(
        "\nperturbations, verified flag right by kind (CV):",
        json.dumps({k: f"{sum(v)}/{len(v)}" for k, v in sorted(kinds.items())}),
        f"(n={len(pert)})",
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
    from anchorcite import LexicalScorer, anchor_claim

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
