"""Fit the matcher's weights file from labelled data (needs the `dev` extra: scikit-learn, numpy).

Run: ``python -m claimcheck._match._fit [--scorer lexical] [--mode binary|multiclass] [--data /work/shared/data]
[--perturbations bench/data/perturbations.jsonl] [--out src/claimcheck/_match/weights_lexical.json]``

Data: SciFact train pairs (claim vs the cited abstract), HealthVer dev (claim vs evidence excerpt) and the
perturbation set of `bench/make_perturbations.py`. Model (``--mode``): a 3-class logistic regression on
standardised features (`LEXICAL_FEATURES` + the scorer's extra ones) whose P(contradicted) must clear the
threshold that maximises 3-way macro-F1 out of fold, besides the clause-level conflict rule (`has_conflict`),
the default and shipped one (SciFact CV: balanced accuracy 0.67 against 0.66, F1 0.59 against 0.57); or
``binary``, supported vs not, with "contradicted" left to the conflict rule alone. Then a Platt map (a smooth sigmoid) of P(supported)
fitted on 5-fold out-of-fold predictions (folds grouped by claim) of SciFact (`CALIBRATE_ON`). A claim is
verified exactly when its calibrated confidence is at least `VERIFIED_AT` (0.5). Deterministic.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._analysis import analyse
from ._features import LEXICAL_FEATURES, FeatureExtractor, PreparedSource, Source, prepare_source
from ._matcher import (
    VERIFIED_AT,
    VETO_CAP,
    featurize,
    load_extractors,
    pick,
    plan_extractors,
    stated_conflict,
    vetoed,
)
from ._model import CLASSES
from ._text import idf_weight

__all__ = ["Example", "fit", "load_examples", "main"]

_LABELS = {
    "SUPPORT": "supported",
    "CONTRADICT": "contradicted",
    "NEI": "not_found",
    "Supports": "supported",
    "Refutes": "contradicted",
    "Neutral": "not_found",
}


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled (claim, sources) pair; ``group`` keeps a claim's pairs in one fold."""

    dataset: str
    group: str
    claim: str
    sources: tuple[Source, ...]
    label: str
    kind: str = ""


def load_examples(data: Path, perturbations: Path | None) -> list[Example]:
    """SciFact train pairs, HealthVer dev pairs and (if given) the perturbation set as `Example`s."""
    out: list[Example] = []
    with (data / "scifact-train" / "pairs_train.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            p = json.loads(line)
            src = Source(id=str(p["doc_id"]), title=p["title"], text=" ".join(p["abstract"]))
            out.append(Example("scifact", f"sf{p['claim_id']}", p["claim"], (src,), _LABELS[p["label"]]))
    with (data / "healthver-dev" / "healthver_dev.csv").open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            src = Source(id=f"hv{i}", title="", text=row["evidence"])
            out.append(
                Example("healthver", f"hv:{row['claim']}", row["claim"], (src,), _LABELS[row["label"]])
            )
    if perturbations is not None and perturbations.exists():
        with perturbations.open(encoding="utf-8") as fh:
            for line in fh:
                c = json.loads(line)
                srcs = tuple(
                    Source(id=s["id"], title=s.get("title", ""), text=s["text"]) for s in c["sources"]
                )
                out.append(Example("perturbations", c["group"], c["claim"], srcs, c["label"], c["kind"]))
    return out


def build_idf(examples: Iterable[Example]) -> tuple[dict[str, float], float]:
    """Global IDF of stems over the distinct source texts; stems seen once are left to the default."""
    df: dict[str, int] = {}
    seen: set[str] = set()
    for ex in examples:
        for s in ex.sources:
            if s.text in seen:
                continue
            seen.add(s.text)
            for stem in analyse(s.title + " " + s.text).stem_set:
                df[stem] = df.get(stem, 0) + 1
    n = len(seen)
    idf = {s: round(idf_weight(d, n), 3) for s, d in sorted(df.items()) if d >= 2}
    return idf, round(idf_weight(1, n), 3)


def feature_matrix(
    examples: Sequence[Example],
    idf: dict[str, float],
    idf_default: float,
    extractors: Sequence[FeatureExtractor] = (),
) -> tuple[list[list[float]], list[tuple[bool, bool]]]:
    """The feature vector of each example's best candidate unit (a zero vector when nothing matches), and
    per example whether a hard veto applies to it and whether any of its candidates states a conflict
    (`has_conflict`)."""
    from .._truncation import looks_truncated

    cache: dict[tuple[str, str, str], PreparedSource] = {}
    n_feats = len(LEXICAL_FEATURES) + sum(len(e.feature_names) for e in extractors)
    rows: list[list[float]] = []
    flags: list[tuple[bool, bool]] = []
    planned: list[tuple[str, list[PreparedSource]]] = []
    for ex in examples:
        prepared = []
        for s in ex.sources:
            key = (s.id, s.title, s.text)
            if key not in cache:
                cache[key] = prepare_source(s)
                for e in extractors:
                    e.prepare(cache[key])
            prepared.append(cache[key])
        planned.append((ex.claim, prepared))
    # a model-based scorer encodes every text of the data set in one batch
    plan_extractors(extractors, planned, idf=idf, idf_default=idf_default)
    for ex, (_, prepared) in zip(examples, planned, strict=True):
        cands = featurize(
            ex.claim,
            prepared,
            idf=idf,
            idf_default=idf_default,
            truncated=looks_truncated(ex.claim),
            extractors=extractors,
        )
        best = cands[pick(cands)] if cands else None
        rows.append(best.features if best else [0.0] * n_feats)
        flags.append(
            (
                best is not None and vetoed(best),
                bool(cands) and stated_conflict(cands, pick(cands)) is not None,
            )
        )
    return rows, flags


# Confidence is calibrated on SciFact only: claims against whole scientific abstracts, as in the reports this
# tool reads. HealthVer (claims against short COVID-19 excerpts) and the perturbation set (near-certain cases)
# have other base rates, and pooling them cost SciFact calibration (ECE 0.065 pooled, 0.027 SciFact-only, CV).
CALIBRATE_ON: tuple[str, ...] = ("scifact",)


# "multiclass" (shipped): a 3-class logistic regression whose P(contradicted) must clear a fitted threshold
# besides the conflict rule (`has_conflict`); "binary": supported vs not, "contradicted" by the rule alone.
MODES = ("binary", "multiclass")


# Weight of each dataset's examples in the fit. HealthVer pairs (claims against one- or two-sentence COVID-19
# excerpts) outnumber SciFact's two to one, yet are the least like a report's claims against whole abstracts:
# at full weight they pull the model towards them (5-fold CV on SciFact, binary mode: balanced accuracy 0.660
# at 1.0, 0.670 at 0.3; HealthVer's own 0.539 and 0.542).
DATASET_WEIGHTS: dict[str, float] = {"healthver": 0.3}


def _fit_lr(x: Any, y: Any, c: float = 1.0, mode: str = "multiclass", weights: Any = None) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
    target = (y == 0).astype(int) if mode == "binary" else y
    model.fit(x, target, logisticregression__sample_weight=weights)
    return model


def _weights(groups: Any) -> Any:
    """Per-example fit weights from `DATASET_WEIGHTS` (the dataset is the group's prefix)."""
    import numpy as np

    return np.array([DATASET_WEIGHTS.get(str(g).split(":", 1)[0], 1.0) for g in groups])


def _proba(model: Any, x: Any, mode: str) -> Any:
    """Class probabilities in CLASSES order; a binary model's P(contradicted) is 0."""
    import numpy as np

    pr = model.predict_proba(x)
    if mode == "binary":
        p = pr[:, list(model.classes_).index(1)]
        return np.column_stack([p, np.zeros_like(p), 1.0 - p])
    return pr[:, [list(model.classes_).index(i) for i in range(3)]]


def _oof(x: Any, y: Any, groups: Any, folds: int = 5, c: float = 1.0, mode: str = "multiclass") -> Any:
    """Out-of-fold class probabilities (columns in CLASSES order), folds grouped by claim."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    out = np.zeros((len(y), 3))
    for tr, te in GroupKFold(n_splits=folds).split(x, y, groups):
        out[te] = _proba(_fit_lr(x[tr], y[tr], c, mode, _weights(groups[tr])), x[te], mode)
    return out


def _logit(p: Any) -> Any:
    import numpy as np

    q = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(q / (1 - q))


def platt(p: Any, supported: Any) -> tuple[float, float]:
    """Platt scaling of out-of-fold P(supported): (a, b) of sigmoid(a * logit(p) + b), a smooth map."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(_logit(p).reshape(-1, 1), supported.astype(int))
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def apply_platt(ab: tuple[float, float], p: Any) -> Any:
    """Calibrated P(supported), as `Model.calibrate` computes it."""
    import numpy as np

    return 1.0 / (1.0 + np.exp(-(ab[0] * _logit(p) + ab[1])))


def cross_validate(
    x: Any,
    y: Any,
    groups: Any,
    flags: Any,
    folds: int = 5,
    c: float = 1.0,
    calibrate_on: Sequence[str] = CALIBRATE_ON,
    mode: str = "multiclass",
) -> dict[str, Any]:
    """Nested cross-validation: out-of-fold calibrated P(supported) and 3-way labels for every example
    (calibration and the P(contradicted) threshold are chosen inside each training fold). ``flags`` columns:
    vetoed, states a conflict."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    p_sup = np.zeros(len(y))
    labels = np.empty(len(y), dtype=object)
    for tr, te in GroupKFold(n_splits=folds).split(x, y, groups):
        ab, thr = _calibrate(x[tr], y[tr], groups[tr], c, calibrate_on, flags[tr, 1], mode)
        pr = _proba(_fit_lr(x[tr], y[tr], c, mode, _weights(groups[tr])), x[te], mode)
        cal = apply_platt(ab, pr[:, 0])
        cal = np.where(flags[te, 0] | flags[te, 1], VETO_CAP * (0.75 + 0.25 * cal), cal)  # as `capped`
        p_sup[te] = cal
        labels[te] = decide(cal, pr, thr, flags[te, 1], binary=mode == "binary")
    return {"p_supported": p_sup, "labels": labels}


def _calibrate(
    x: Any,
    y: Any,
    groups: Any,
    c: float,
    calibrate_on: Sequence[str] = (),
    conflicts: Any = None,
    mode: str = "multiclass",
) -> tuple[tuple[float, float], float]:
    """From out-of-fold predictions on (x, y): the Platt map of P(supported) (fitted on the ``calibrate_on``
    datasets, all when empty) and the P(contradicted) threshold (multiclass mode)."""
    import numpy as np

    inner = _oof(x, y, groups, folds=3, c=c, mode=mode)
    datasets = [str(g).split(":", 1)[0] for g in groups]
    mask = np.array([not calibrate_on or d in calibrate_on for d in datasets])
    ab = platt(inner[mask, 0], y[mask] == 0)
    cal = apply_platt(ab, inner[:, 0])
    thr = 0.0 if mode == "binary" else best_contradict_threshold(cal, inner, y, conflicts)
    return ab, thr


def decide(cal: Any, probs: Any, thr: float, conflicts: Any = None, *, binary: bool = True) -> list[str]:
    """3-way labels as the Matcher decides them: supported exactly when the calibrated confidence (as
    shown, rounded to 4 places) is at least `VERIFIED_AT`; otherwise contradicted where ``conflicts`` says
    the evidence states one (and, for a 3-class model, P(contradicted) clears ``thr``)."""
    out = []
    stated = [True] * len(cal) if conflicts is None else list(conflicts)
    for c, (_, p_con, p_nf), conflict in zip(cal, probs, stated, strict=True):
        if round(float(c), 4) >= VERIFIED_AT:
            out.append("supported")
        elif conflict and (binary or (p_con >= thr and p_con >= p_nf * 0.5)):
            out.append("contradicted")
        else:
            out.append("not_found")
    return out


def best_contradict_threshold(cal: Any, probs: Any, y: Any, conflicts: Any = None) -> float:
    """The P(contradicted) threshold with the best 3-way macro-F1."""
    from sklearn.metrics import f1_score

    truth = [CLASSES[int(v)] for v in y]
    best, best_f = 0.5, -1.0
    for t in [i / 40 for i in range(4, 36)]:
        f = f1_score(
            truth,
            decide(cal, probs, t, conflicts, binary=False),
            average="macro",
            labels=list(CLASSES),
            zero_division=0,
        )
        if f > best_f:
            best, best_f = t, f
    return best


def metrics(truth: Sequence[str], p_sup: Sequence[float], labels: Sequence[str]) -> dict[str, float]:
    """Balanced accuracy and F1 (supported vs not), 3-way macro-F1, ECE (10 bins) and Brier score."""
    from sklearn.metrics import balanced_accuracy_score, f1_score

    y = [t == "supported" for t in truth]
    pred = [lab == "supported" for lab in labels]
    n = len(y)
    ece = 0.0
    for b in range(10):
        idx = [i for i in range(n) if (b / 10 <= p_sup[i] < (b + 1) / 10) or (b == 9 and p_sup[i] == 1.0)]
        if idx:
            conf = sum(p_sup[i] for i in idx) / len(idx)
            acc = sum(y[i] for i in idx) / len(idx)
            ece += len(idx) / n * abs(conf - acc)
    brier = sum((p - float(t)) ** 2 for p, t in zip(p_sup, y, strict=True)) / n
    return {
        "n": n,
        "balanced_accuracy": round(float(balanced_accuracy_score(y, pred)), 3),
        "f1_supported": round(float(f1_score(y, pred, zero_division=0)), 3),
        "macro_f1_3way": round(
            float(
                f1_score(list(truth), list(labels), average="macro", labels=list(CLASSES), zero_division=0)
            ),
            3,
        ),
        "ece": round(ece, 3),
        "brier": round(brier, 3),
        "accuracy_3way": round(sum(a == b for a, b in zip(truth, labels, strict=True)) / n, 3),
        "accuracy_verified": round(sum(a == b for a, b in zip(y, pred, strict=True)) / n, 3),
        "contradicted_precision": round(_share(truth, labels, "contradicted", by_label=True), 3),
        "contradicted_recall": round(_share(truth, labels, "contradicted", by_label=False), 3),
    }


def _share(truth: Sequence[str], labels: Sequence[str], cls: str, *, by_label: bool) -> float:
    """Precision (``by_label``) or recall of ``cls``; 0 when it is never predicted (or never true)."""
    pairs = [(t, p) for t, p in zip(truth, labels, strict=True) if (p if by_label else t) == cls]
    return sum(1 for t, p in pairs if t == p) / len(pairs) if pairs else 0.0


def confusion(truth: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """The 3-way confusion matrix: rows the true label, columns the predicted one, both in CLASSES order."""
    return [
        [sum(1 for t, p in zip(truth, labels, strict=True) if t == a and p == b) for b in CLASSES]
        for a in CLASSES
    ]


def prepare_data(
    data: Path, perturbations: Path | None, scorer: str = "lexical"
) -> tuple[list[Example], Any, Any, Any, dict[str, float], float, Any]:
    """Examples, feature matrix, class indices, groups, the IDF table, and the (vetoed, conflict) flags."""
    import numpy as np

    examples = load_examples(data, perturbations)
    idf, idf_default = build_idf(examples)
    extractors = load_extractors(scorer)
    rows, flags = feature_matrix(examples, idf, idf_default, extractors)
    x = np.array(rows)
    y = np.array([CLASSES.index(e.label) for e in examples])
    groups = np.array([f"{e.dataset}:{e.group}" for e in examples])
    return examples, x, y, groups, idf, idf_default, np.array(flags, dtype=bool).reshape(-1, 2)


def fit(
    data: Path,
    perturbations: Path | None,
    out: Path,
    scorer: str = "lexical",
    c: float = 1.0,
    calibrate_on: Sequence[str] = CALIBRATE_ON,
    mode: str = "multiclass",
) -> dict[str, Any]:
    """Fit the weights file of ``scorer`` and write it to ``out``; returns the cross-validated metrics."""
    import numpy as np

    examples, x, y, groups, idf, idf_default, flags = prepare_data(data, perturbations, scorer)
    cv = cross_validate(x, y, groups, flags, c=c, calibrate_on=calibrate_on, mode=mode)
    report: dict[str, Any] = {}
    for ds in ("scifact", "healthver", "perturbations"):
        idx = [i for i, e in enumerate(examples) if e.dataset == ds]
        if idx:
            report[ds] = metrics(
                [examples[i].label for i in idx],
                [float(cv["p_supported"][i]) for i in idx],
                [str(cv["labels"][i]) for i in idx],
            )
    oof = _oof(x, y, groups, c=c, mode=mode)
    mask = np.array([not calibrate_on or e.dataset in calibrate_on for e in examples])
    ab = platt(oof[mask, 0], y[mask] == 0)
    cal = apply_platt(ab, oof[:, 0])
    thr = 0.0 if mode == "binary" else best_contradict_threshold(cal, oof, y, flags[:, 1])
    model = _fit_lr(x, y, c, mode, _weights(groups))
    scaler, lr = model.steps[0][1], model.steps[1][1]
    if mode == "binary":
        coef, intercept = [lr.coef_[0]], [lr.intercept_[0]]
    else:
        order = [list(lr.classes_).index(i) for i in range(3)]
        coef, intercept = [lr.coef_[i] for i in order], [lr.intercept_[i] for i in order]
    names = list(LEXICAL_FEATURES) + [n for e in load_extractors(scorer) for n in e.feature_names]
    weights = {
        "scorer": scorer,
        "mode": mode,
        "features": names,
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) if v > 0 else 1.0 for v in scaler.scale_],
        "coef": [[round(float(v), 6) for v in row] for row in coef],
        "intercept": [round(float(v), 6) for v in intercept],
        "calibration": {"platt": [round(ab[0], 6), round(ab[1], 6)]},
        "contradict_threshold": thr,
        "support_threshold": VERIFIED_AT,
        "select_by_model": False,
        "idf_default": idf_default,
        "meta": {
            "fitted_on": {ds: sum(1 for e in examples if e.dataset == ds) for ds in report},
            "regularisation_C": c,
            "dataset_weights": DATASET_WEIGHTS,
            "calibrated_on": list(calibrate_on),
            "cv_5fold_grouped": report,
            "licences": "SciFact claims CC BY 4.0, abstracts ODC-By 1.0; HealthVer (Sarrouti et al. 2021)",
        },
        "idf": idf,
    }
    out.write_text(json.dumps(weights, separators=(",", ":")) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line of the fitter."""
    here = Path(__file__).resolve()
    ap = argparse.ArgumentParser(prog="python -m claimcheck._match._fit", description=__doc__.split("\n")[0])
    ap.add_argument("--scorer", default="lexical")
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument(
        "--perturbations", type=Path, default=here.parents[3] / "bench" / "data" / "perturbations.jsonl"
    )
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("-C", type=float, default=1.0, dest="c")
    ap.add_argument(
        "--calibrate-on",
        default=",".join(CALIBRATE_ON),
        help="datasets the confidence is calibrated on, comma-separated (empty: all)",
    )
    ap.add_argument(
        "--mode",
        choices=MODES,
        default="multiclass",
        help="binary: supported vs not, contradicted by the conflict rule; multiclass: 3-class model",
    )
    args = ap.parse_args(argv)
    out = args.out or here.parent / f"weights_{args.scorer}.json"
    calibrate_on = tuple(d for d in args.calibrate_on.split(",") if d)
    report = fit(args.data, args.perturbations, out, args.scorer, args.c, calibrate_on, args.mode)
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    for ds, m in report.items():
        print(ds, json.dumps(m))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
