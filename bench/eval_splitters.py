"""Compare pysbd and syntok sentence splitting on SciFact abstracts (gold sentences) and arXiv abstracts.

Run: ``python bench/eval_splitters.py``. Prints, per splitter, how many SciFact abstracts are split exactly like
the gold sentence list, boundary precision/recall, and the sentence counts on the arXiv sample abstracts.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pysbd
from syntok import segmenter

DATA = Path("/work/shared/data/scifact-train/corpus_cited_train.jsonl")
META = Path("/work/shared/arxiv/metadata")


def split_pysbd(text: str, seg: pysbd.Segmenter) -> list[str]:
    return [s.strip() for s in seg.segment(text) if s.strip()]


def split_syntok(text: str) -> list[str]:
    out: list[str] = []
    for para in segmenter.analyze(text):
        for sent in para:
            out.append("".join(t.spacing + t.value for t in sent).strip())
    return out


def boundaries(sents: list[str]) -> set[int]:
    pos, out = 0, set()
    for s in sents:
        pos += len("".join(s.split()))
        out.add(pos)
    return out


def main() -> None:
    docs = [json.loads(line) for line in DATA.open()]
    seg = pysbd.Segmenter(language="en", clean=False)
    splitters = {"pysbd": lambda t: split_pysbd(t, seg), "syntok": split_syntok}
    for name, fn in splitters.items():
        exact = tp = fp = fn_ = 0
        t0 = time.perf_counter()
        for d in docs:
            gold = [s.strip() for s in d["abstract"]]
            pred = fn(" ".join(gold))
            g, p = boundaries(gold), boundaries(pred)
            exact += g == p
            tp += len(g & p)
            fp += len(p - g)
            fn_ += len(g - p)
        dt = time.perf_counter() - t0
        print(
            f"{name}: SciFact exact {exact}/{len(docs)}, boundary P={tp / (tp + fp):.3f} R={tp / (tp + fn_):.3f}"
            f" ({dt:.1f}s)"
        )
        counts = {}
        for f in sorted(META.glob("*.json")):
            counts[f.stem] = len(fn(json.loads(f.read_text())["abstract"]))
        print(f"  arXiv sentence counts: {counts}")


if __name__ == "__main__":
    main()
