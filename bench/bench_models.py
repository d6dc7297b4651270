"""CPU throughput of the model presets, torch vs ONNX Runtime, with randomly initialised models of their shape.

We cannot download the real weights here, and random weights cost exactly what trained ones cost: the same
layers, widths, heads and sequence lengths. The vocabulary is cut to 8,000 word pieces (the real ones have
50k-128k), which changes only the size of the embedding table, not the arithmetic per token.

Inputs are what claimcheck feeds each kind: an NLI model reads (sentence, claim) pairs of about 64 word pieces;
a MiniCheck model reads ``chunk + eos + claim`` where a chunk is a whole abstract (about 300 word pieces with the
claim). Each figure is pairs per second over at least ``--seconds`` of steady state, after one warm-up batch.

    python bench/bench_models.py                      # every preset, torch and onnx
    python bench/bench_models.py --presets nli-small --backends torch --seconds 5
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

# As claimcheck sets it before importing torch: spinning OpenMP workers on a shared 2-core machine cost 5-20x.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# name: (architecture, hidden, layers, heads, intermediate, kind)
SHAPES: dict[str, tuple[str, int, int, int, int, str]] = {
    "nli-small": ("deberta", 384, 12, 6, 1536, "nli"),  # DeBERTa-v3-xsmall
    "nli-base": ("deberta", 768, 12, 12, 3072, "nli"),  # DeBERTa-v3-base
    "minicheck-roberta": ("roberta", 1024, 24, 16, 4096, "minicheck"),  # RoBERTa-large
    "minicheck": ("deberta", 1024, 24, 16, 4096, "minicheck"),  # DeBERTa-v3-large
}
SEQ = {"nli": 64, "minicheck": 300}
BATCH = {"nli": 16, "minicheck": 8}
VOCAB = 8000


def build(name: str, root: Path) -> Any:
    import torch
    import transformers

    arch, hidden, layers, heads, inter, kind = SHAPES[name]
    labels = (
        {0: "LABEL_0", 1: "LABEL_1"}
        if kind == "minicheck"
        else {0: "entailment", 1: "neutral", 2: "contradiction"}
    )
    common: dict[str, Any] = {
        "vocab_size": VOCAB,
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": inter,
        "num_labels": len(labels),
        "id2label": labels,
        "label2id": {v: k for k, v in labels.items()},
    }
    if arch == "deberta":
        # DeBERTa-v3: relative attention with 256 position buckets, both disentangled terms, no absolute positions
        config = transformers.DebertaV2Config(
            **common,
            max_position_embeddings=512,
            relative_attention=True,
            position_buckets=256,
            pos_att_type=["p2c", "c2p"],
            max_relative_positions=-1,
            norm_rel_ebd="layer_norm",
            share_att_key=True,
            position_biased_input=False,
            type_vocab_size=0,
        )
        model = transformers.DebertaV2ForSequenceClassification(config)
    else:
        config = transformers.RobertaConfig(**common, max_position_embeddings=514, type_vocab_size=1)
        model = transformers.RobertaForSequenceClassification(config)
    torch.manual_seed(0)
    model.eval()
    path = root / name
    model.save_pretrained(str(path))
    return model, path, kind


def inputs(kind: str, tensors: str) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(0)
    ids = rng.integers(5, VOCAB, size=(BATCH[kind], SEQ[kind]), dtype=np.int64)
    mask = np.ones_like(ids)
    if tensors == "pt":
        import torch

        return {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask)}
    return {"input_ids": ids, "attention_mask": mask}


def steady(run: Any, batch: int, seconds: float) -> float:
    run()  # warm-up
    done, start = 0, time.perf_counter()
    while True:
        run()
        done += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and done >= 2 * batch:
            return done / elapsed


def bench_torch(model: Any, kind: str, seconds: float) -> float:
    import torch

    feed = inputs(kind, "pt")

    def run() -> None:
        with torch.inference_mode():
            model(**feed)

    return steady(run, BATCH[kind], seconds)


def bench_onnx(model: Any, path: Path, kind: str, seconds: float) -> tuple[float, float]:
    import onnxruntime as ort
    import torch

    onnx_file = path / "model.onnx"
    sample = inputs(kind, "pt")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (sample["input_ids"], sample["attention_mask"]),
            str(onnx_file),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "b", 1: "s"},
                "attention_mask": {0: "b", 1: "s"},
                "logits": {0: "b"},
            },
            opset_version=17,
            dynamo=False,
        )
    export = time.perf_counter() - start
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    feed = inputs(kind, "np")
    return steady(lambda: session.run(["logits"], feed), BATCH[kind], seconds), export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="*", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--backends", nargs="*", default=["torch", "onnx"], choices=["torch", "onnx"])
    parser.add_argument("--seconds", type=float, default=15.0, help="steady-state time per figure")
    args = parser.parse_args(argv)
    import torch

    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores")
    print("preset               kind       tokens  batch  backend  pairs/s  (export s)")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.presets:
            model, path, kind = build(name, Path(tmp))
            for backend in args.backends:
                if backend == "torch":
                    rate, export = bench_torch(model, kind, args.seconds), None
                else:
                    rate, export = bench_onnx(model, path, kind, args.seconds)
                extra = f"  ({export:.0f})" if export is not None else ""
                print(
                    f"{name:20} {kind:10} {SEQ[kind]:6} {BATCH[kind]:6}  {backend:7} {rate:8.2f}{extra}",
                    flush=True,
                )
            del model
    return 0


if __name__ == "__main__":
    sys.exit(main())
