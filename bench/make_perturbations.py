"""Build the perturbation set: claims made from real abstract sentences, with known labels.

Run: ``python bench/make_perturbations.py`` → ``bench/data/perturbations.jsonl`` (deterministic, seed 0).
Sources: the arXiv abstracts in /work/shared/arxiv/metadata/ and SciFact rationale sentences
(/work/shared/data/scifact-train). Kinds: verbatim, truncated, paraphrase, number_word (supported);
negation, reversed (contradicted); changed_number (a figure no source states: not_found), swapped_entity,
fabricated, other_paper (not_found). The clause-level kinds of issue #15, made from every sentence of the
SciFact cited abstracts and the arXiv abstracts that shows the pattern (at most `PER_KIND` each):
reordered_transition ("rises to b from a": supported), reversed_transition ("from b to a"), negated_quantifier
("a sizable gap" -> "no gap"), direction (more/less, higher/lower, induce/reduce, reach/fall short,
promote/counteract), hedge (large/small and the like), contrast_swap ("X rather than Y" -> "Y rather than X")
(contradicted); list_swap (one item of a list of three or more replaced: not_found). Passive comparatives are
left to tests/test_match_conflicts.py: the abstracts hold too few "A outperforms B" sentences whose A and B
a pattern can cut out cleanly.
Each line is a `claimcheck match` input line plus ``label``, ``kind`` and ``group`` (the base abstract).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

META = Path("/work/shared/arxiv/metadata")
SCIFACT = Path("/work/shared/data/scifact-train/pairs_train.jsonl")
CORPUS = Path("/work/shared/data/scifact-train/corpus_cited_train.jsonl")
OUT = Path(__file__).parent / "data" / "perturbations.jsonl"

_WORDS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
    20: "twenty",
}
_PARA = [
    (r"^(?:In this (?:paper|work|study), |Specifically, |However, |Moreover, |In addition, |Finally, )", ""),
    (r"\bWe\b", "The authors"),
    (r"\bwe\b", "the authors"),
    (r"\bour\b", "their"),
    (r"\bOur\b", "Their"),
    (r"\bdemonstrate\b", "show"),
    (r"\bshow that\b", "demonstrate that"),
    (r"\bpropose\b", "introduce"),
    (r"\butilize\b", "use"),
    (r"\bsignificantly\b", "markedly"),
    (r"\bhowever\b", "yet"),
]
_NEGATE = [
    (r"\b(is|are|was|were|can|could|does|do|did|has|have|will|may)\b(?! not)", r"\1 not"),
    (
        r"\b(improves|outperforms|achieves|shows|reduces|increases|enhances|helps|requires)\b",
        lambda m: "does not " + m.group(1)[:-1],
    ),
    (r"\b(improved|reduced|increased|enhanced|achieved|showed)\b", lambda m: "did not " + _base(m.group(1))),
]
_ANTONYM = {
    "improves": "worsens",
    "improve": "worsen",
    "improved": "worsened",
    "improvement": "degradation",
    "improvements": "degradations",
    "increases": "decreases",
    "increase": "decrease",
    "increased": "decreased",
    "decreased": "increased",
    "reduces": "increases",
    "reduced": "increased",
    "higher": "lower",
    "lower": "higher",
    "large": "small",
    "small": "large",
    "outperforms": "underperforms",
    "better": "worse",
    "positive": "negative",
    "significant": "negligible",
    "strong": "weak",
    "enhances": "impairs",
    "effectively": "barely",
    "risk": "chance",
}


def _base(verb: str) -> str:
    v = verb[:-2] if verb.endswith("ed") else verb
    return {
        "improv": "improve",
        "reduc": "reduce",
        "increas": "increase",
        "enhanc": "enhance",
        "achiev": "achieve",
        "show": "show",
    }.get(v, v)


def _sentences(text: str) -> list[str]:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    return [s.strip() for s in seg.segment(text) if len(s.split()) >= 6]


_ENT = re.compile(r"(?<![\w-])(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*)(?:-[A-Za-z0-9]+)*")
_NUM = re.compile(r"(?<![\w.,\-])(\d+(?:\.\d+)?)(?!\w|[.,]\d)")


def _cases(
    rng: random.Random, group: str, source: dict[str, str], sent: str, others: list[str], entities: list[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(kind: str, claim: str, label: str) -> None:
        if (claim and claim != sent) or kind == "verbatim":
            out.append({"kind": kind, "claim": claim, "label": label})

    add("verbatim", sent, "supported")
    if len(sent) > 130:
        add("truncated", sent[:120], "supported")
    para = sent
    for pat, rep in _PARA:
        para = re.sub(pat, rep, para)
    if para != sent:
        add("paraphrase", para[0].upper() + para[1:], "supported")
    words = [w for w, v in _WORDS.items() if re.search(rf"(?<![\w.,\-]){w}(?!\w|[.,]\d)", sent)]
    named = [v for v in _WORDS.values() if re.search(rf"\b{v}\b", sent)]
    if words:
        w = words[0]
        add("number_word", re.sub(rf"(?<![\w.,\-]){w}(?!\w|[.,]\d)", _WORDS[w], sent, count=1), "supported")
    elif named:
        num = {v: k for k, v in _WORDS.items()}[named[0]]
        add("number_word", re.sub(rf"\b{named[0]}\b", str(num), sent, count=1), "supported")
    nums = _NUM.findall(sent)
    if nums:
        n = nums[rng.randrange(len(nums))]
        new = f"{float(n) * 1.5 + 1:.1f}" if "." in n else str(int(n) + rng.choice([1, 2, 3, 7]))
        changed = re.sub(rf"(?<![\w.,\-]){re.escape(n)}(?!\w|[.,]\d)", new, sent, count=1)
        # a figure the abstract never states leaves the claim unsupported, not refuted (issue #15)
        add("changed_number", changed, "contradicted" if _states(source["text"], new) else "not_found")
    for pat, rep in _NEGATE:
        neg = re.sub(pat, rep, sent, count=1)  # type: ignore[arg-type]
        if neg != sent:
            add("negation", neg, "contradicted")
            break
    for word, anti in _ANTONYM.items():
        if re.search(rf"\b{word}\b", sent):
            add("reversed", re.sub(rf"\b{word}\b", anti, sent, count=1), "contradicted")
            break
    ents = [e for e in _ENT.findall(sent) if len(e) > 2]
    pool = [e for e in entities if e not in sent]
    if ents and pool:
        add("swapped_entity", sent.replace(ents[0], rng.choice(pool), 1), "not_found")
    other = rng.choice(others)
    add("other_paper", other, "not_found")
    subject = " ".join(sent.split()[:6]).rstrip(",;:")
    fab = rng.choice(
        [
            f"{subject} reaches {rng.randint(60, 99)}.{rng.randint(0, 9)}% accuracy on {rng.choice(pool or ['ImageNet'])}.",
            f"{subject} was replicated in a trial of {rng.randint(100, 9000)} participants.",
            f"{subject} requires {rng.randint(2, 64)} GPUs and {rng.randint(3, 30)} days of training.",
        ]
    )
    add("fabricated", fab, "not_found")
    for case in out:
        case["group"] = group
        case["sources"] = [source]
    return out


def _states(text: str, number: str) -> bool:
    return re.search(rf"(?<![\w.,\-]){re.escape(number)}(?![\w]|[.,]\d)", text) is not None


PER_KIND = 12
_FIG = r"\d+(?:\.\d+)?%?"
_DIRECTION = {
    "more": "less",
    "less": "more",
    "higher": "lower",
    "lower": "higher",
    "increases": "decreases",
    "increased": "decreased",
    "decreased": "increased",
    "induces": "reduces",
    "induced": "reduced",
    "promotes": "counteracts",
    "promoted": "counteracted",
    "promote": "counteract",
    "reach": "fall short of",
    "reaches": "falls short of",
    "reached": "fell short of",
}
_HEDGE = {
    "large": "small",
    "small": "large",
    "substantial": "slight",
    "slight": "substantial",
    "modest": "dramatic",
    "marginal": "substantial",
    "sizable": "negligible",
    "strong": "weak",
    "weak": "strong",
}
_QUANT = re.compile(
    r"\b(?:a|an)\s+(?:significant|large|sizable|substantial|considerable|marked|strong|clear|impressive)\s+"
    r"(gap|improvement|difference|increase|reduction|decrease|benefit|effect|association|gain)\b"
)
# Two whole words, not pieces of a figure or a compound ("person-years rather than 0%" is no pair of words);
# when both sides end in the same noun ("RCT data rather than GPRD data") the words before it are the pair.
_RATHER = re.compile(r"(?<![\w\-/.%])([A-Za-z]+) rather than ([A-Za-z]+)(?![\w\-/%])")
_RATHER_HEAD = re.compile(r"(?<![\w\-/.%])([A-Za-z][\w\-]*) (\w+) rather than ([A-Za-z][\w\-]*) \2\b")
_LIST = re.compile(r"((?:[\w\-]+(?: [\w\-]+)?, ){2,}(?:and|or) [\w\-]+(?: [\w\-]+)?)")


def _clause_kinds(sent: str, pool: list[str]) -> list[tuple[str, str, str]]:
    """(kind, claim, label) cases of the clause-level kinds that ``sent`` shows."""
    out: list[tuple[str, str, str]] = []
    m = re.search(rf"\bfrom ({_FIG}) to ({_FIG})", sent)
    if m:
        a, b = m.group(1), m.group(2)
        out.append(
            ("reordered_transition", sent[: m.start()] + f"to {b} from {a}" + sent[m.end() :], "supported")
        )
        out.append(
            ("reversed_transition", sent[: m.start()] + f"from {b} to {a}" + sent[m.end() :], "contradicted")
        )
    m = _QUANT.search(sent)
    if m:
        out.append(
            ("negated_quantifier", sent[: m.start()] + f"no {m.group(1)}" + sent[m.end() :], "contradicted")
        )
    for word, anti in _DIRECTION.items():
        if re.search(rf"\b{word}\b", sent):
            out.append(("direction", re.sub(rf"\b{word}\b", anti, sent, count=1), "contradicted"))
            break
    for word, anti in _HEDGE.items():
        if re.search(rf"\b{word}\b", sent):
            out.append(("hedge", re.sub(rf"\b{word}\b", anti, sent, count=1), "contradicted"))
            break
    h = _RATHER_HEAD.search(sent)
    m = _RATHER.search(sent)
    if h:
        x, head, y = h.group(1), h.group(2), h.group(3)
        swapped = f"{y} {head} rather than {x} {head}"
        out.append(("contrast_swap", sent[: h.start()] + swapped + sent[h.end() :], "contradicted"))
    elif m and m.group(1).lower() not in ("is", "are", "was", "were"):
        x, y = m.group(1), m.group(2)
        out.append(
            ("contrast_swap", sent[: m.start()] + f"{y} rather than {x}" + sent[m.end() :], "contradicted")
        )
    m = _LIST.search(sent)
    if m and pool:
        items = re.split(r", (?:and |or )?", m.group(1))
        middle = items[1] if len(items) > 2 else items[0]
        new = pool[sum(map(ord, sent)) % len(pool)]
        if new.lower() not in sent.lower():
            swapped = m.group(1).replace(middle, new, 1)
            out.append(("list_swap", sent.replace(m.group(1), swapped, 1), "not_found"))
    return out


def _clause_cases(seen_docs: set[str]) -> list[dict[str, Any]]:
    """Cases of the clause-level kinds from the arXiv abstracts and the SciFact cited abstracts."""
    docs: list[tuple[str, dict[str, str], list[str]]] = []
    for f in sorted(META.glob("*.json")):
        d = json.loads(f.read_text())
        src = {"id": d["id"], "title": " ".join(d["title"].split()), "text": d["abstract"]}
        docs.append((f"arxiv:{d['id']}", src, _sentences(d["abstract"])))
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            src = {"id": str(d["doc_id"]), "title": d["title"], "text": " ".join(d["abstract"])}
            docs.append((f"scifact:{d['doc_id']}", src, [s.strip() for s in d["abstract"]]))
    # items for list swaps: the terms scientists list, from other abstracts' lists
    pool = sorted(
        {
            i
            for _, _, ss in docs
            for s in ss
            for m in _LIST.finditer(s)
            for i in re.split(r", (?:and |or )?", m.group(1))
            if 1 <= len(i.split()) <= 2 and len(i) > 4
        }
    )
    counts: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for group, src, sents in docs:
        for sent in sents:
            if len(sent.split()) < 6:
                continue
            for kind, claim, label in _clause_kinds(
                sent, [p for p in pool if p.lower() not in src["text"].lower()]
            ):
                if counts.get(kind, 0) >= PER_KIND or claim == sent:
                    continue
                counts[kind] = counts.get(kind, 0) + 1
                out.append({"kind": kind, "claim": claim, "label": label, "group": group, "sources": [src]})
    return out


def build(seed: int = 0) -> list[dict[str, Any]]:
    """All perturbation cases, deterministic for a seed."""
    rng = random.Random(seed)
    bases: list[tuple[str, dict[str, str], list[str]]] = []
    for f in sorted(META.glob("*.json")):
        d = json.loads(f.read_text())
        src = {"id": d["id"], "title": " ".join(d["title"].split()), "text": d["abstract"]}
        bases.append((f"arxiv:{d['id']}", src, _sentences(d["abstract"])))
    seen: set[int] = set()
    for line in SCIFACT.open():
        p = json.loads(line)
        if p["label"] != "SUPPORT" or p["doc_id"] in seen or not p["rationales"]:
            continue
        seen.add(p["doc_id"])
        rat = sorted({i for r in p["rationales"] for i in r})
        src = {"id": str(p["doc_id"]), "title": p["title"], "text": " ".join(p["abstract"])}
        bases.append((f"scifact:{p['doc_id']}", src, [p["abstract"][rat[0]]]))
        if len(seen) >= 40:
            break
    all_sents = [(g, s) for g, _, ss in bases for s in ss]
    entities = sorted({e for _, s in all_sents for e in _ENT.findall(s) if len(e) > 2})
    cases: list[dict[str, Any]] = []
    for group, src, sents in bases:
        others = [s for g, s in all_sents if g != group]
        picks = sents if group.startswith("scifact") else rng.sample(sents, min(len(sents), 5))
        for sent in picks:
            cases.extend(_cases(rng, group, src, sent, others, entities))
    cases.extend(_clause_cases(seen_docs={g for g, _, _ in bases}))
    for i, case in enumerate(cases):
        case["id"] = f"p{i:04d}"
    return cases


def main() -> None:
    cases = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for case in cases:
            keys = ("id", "claim", "sources", "label", "kind", "group")
            fh.write(json.dumps({k: case[k] for k in keys}, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for c in cases:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    print(f"wrote {len(cases)} cases to {OUT}: {kinds}")


if __name__ == "__main__":
    main()
