"""Text analysis for matching: sentence spans, tokens and stems, numbers, entities, negation and polarity.

Everything here works on one string at a time and is memoised where a string recurs (stems), so a paper's
sentences are analysed once (`analyse`) and a claim once per call.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

__all__ = [
    "Analysis",
    "NumberMention",
    "analyse",
    "clean_for_match",
    "sentence_spans",
    "stem",
]

# TeX left in arXiv abstracts: drop citations, keep the argument of formatting commands.
_TEX_CITE = re.compile(r"\\(?:cite[tp]?|ref|eqref|footnote)\*?\{[^}]*\}")
_TEX_CMD = re.compile(r"\\[a-zA-Z]+\*?\{([^}]*)\}")
_TEX_BARE = re.compile(r"\\[a-zA-Z]+")
_DASHES = re.compile(r"-{2,3}|[‐‑‒–—―]")
# pysbd keeps "task.In this paper" (a missing space after the full stop) as one sentence.
_GLUED = re.compile(r"(?<=[a-z]{3}[.!?])(?=[A-Z][a-z])")

_SEGMENTER = pysbd.Segmenter(language="en", clean=False)


def clean_for_match(text: str) -> str:
    """``text`` without TeX markup and with dashes as spaces, for comparison (never for offsets).

    Example: ``clean_for_match(r"mBERT \\cite{x} in the \\emph{generalized} setting---")`` is
    ``"mBERT  in the generalized setting "``.
    """
    text = _TEX_CITE.sub("", text)
    text = _TEX_CMD.sub(r"\1", text)
    text = _TEX_BARE.sub("", text)
    return _DASHES.sub(" ", text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text`` (pysbd, plus glued full stops).

    Example: ``sentence_spans("We see gains. MNLI helps.")`` is ``[(0, 13), (14, 25)]``.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in _SEGMENTER.segment(text):
        body = piece.strip()
        if not body:
            continue
        start = text.find(body, pos)
        if start < 0:  # pysbd altered the text; fall back to its own length
            start = pos
        end = start + len(body)
        cut = start
        for m in _GLUED.finditer(text, start, end):
            spans.append((cut, m.start()))
            cut = m.start()
        spans.append((cut, end))
        pos = end
    return [(s, e) for s, e in spans if text[s:e].strip()]


_WORD = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "but",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "into",
        "onto",
        "over",
        "under",
        "as",
        "than",
        "that",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "when",
        "while",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "this",
        "these",
        "those",
        "it",
        "its",
        "their",
        "our",
        "your",
        "his",
        "her",
        "we",
        "they",
        "i",
        "you",
        "he",
        "she",
        "them",
        "us",
        "also",
        "such",
        "both",
        "each",
        "either",
        "other",
        "more",
        "most",
        "very",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
        "there",
        "here",
        "then",
        "thus",
        "so",
        "if",
        "however",
        "although",
        "though",
        "via",
        "using",
        "use",
        "used",
        "based",
        "between",
        "among",
        "across",
        "about",
        "after",
        "before",
        "during",
        "within",
        "without",
        "not",
        "no",
        "nor",
        "neither",
        "never",
        "only",
        "all",
        "any",
        "some",
        "what",
        "how",
        "why",
        "whether",
        "one",
        "study",
        "studies",
        "paper",
        "work",
        "results",
        "result",
        "show",
        "shows",
        "shown",
        "showed",
        "found",
        "find",
        "finds",
        "et",
        "al",
        "e",
        "g",
        "i.e",
        "eg",
        "ie",
    ]
)

_SUFFIXES = (
    "izations",
    "ization",
    "ements",
    "ement",
    "ments",
    "ment",
    "ations",
    "ation",
    "ances",
    "ance",
    "ences",
    "ence",
    "ities",
    "ity",
    "ings",
    "ing",
    "ied",
    "ies",
    "ed",
    "es",
    "ly",
    "s",
    "e",
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripping stem, enough to meet "improves", "improved" and "improvements".

    Example: ``stem("improvements") == stem("improves") == "improv"``.
    """
    if len(word) <= 3 or word[0].isdigit():
        return word
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "dozen": 12,
    "twice": 2,
    "double": 2,
    "single": 1,
    "half": 0.5,
    "once": 1,
    "thrice": 3,
    "triple": 3,
}
_NUM_WORD_RE = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)
# A number not glued to letters ("XLM-R", "mT5", "NLLB-200", "v2.0" are names, not quantities).
_NUM_RE = re.compile(
    r"(?<![A-Za-z0-9.,\-])(?<![A-Za-z]-)[-+−]?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)"
    r"(\s*(?:%|percent\b|per\s*cent\b|[kK]\b|[mM]\b))?"
)
_SCALE = {"k": 1e3, "m": 1e6}


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A quantity in a text: its value, whether it is a percent, and the content stems around it."""

    value: float
    percent: bool
    after: tuple[str, ...]
    before: tuple[str, ...]


def _numbers(text: str, tokens: list[tuple[str, int]]) -> list[NumberMention]:
    found: list[tuple[int, int, float, bool]] = []
    for m in _NUM_RE.finditer(text):
        raw = m.group(1).replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        unit = (m.group(2) or "").strip().lower()
        pct = unit.startswith(("%", "percent", "per"))
        if unit in _SCALE:
            value *= _SCALE[unit]
        found.append((m.start(), m.end(), value, pct))
    for m in _NUM_WORD_RE.finditer(text):
        word = m.group(1).lower()
        if word == "one" and not _followed_by_noun(text, m.end()):
            continue  # "one of", "one can" are not quantities
        found.append((m.start(), m.end(), float(_NUMBER_WORDS[word]), False))
    out: list[NumberMention] = []
    for start, end, value, pct in found:
        after = tuple(st for st, pos in tokens if pos >= end and not st[0].isdigit())[:3]
        before = tuple(st for st, pos in tokens if pos < start and not st[0].isdigit())[-3:]
        out.append(NumberMention(value, pct, after, before))
    return out


def _followed_by_noun(text: str, pos: int) -> bool:
    nxt = re.match(r"\s+([a-z]+)", text[pos:])
    return bool(nxt) and nxt.group(1) not in STOPWORDS  # type: ignore[union-attr]


# Acronyms and mixed-case names: MNLI, XLM-R, PAWS-X, mBERT, TyDiQA, SQuAD, COVID-19, IL-6.
_ENTITY_RE = re.compile(
    r"(?<![\w-])(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*)(?:-[A-Za-z0-9]+)*"
)
_NEG_RE = re.compile(
    r"\b(?:not|no|never|neither|nor|none|cannot|without|lack|lacks|lacking|lacked|fail|fails|failed|"
    r"unable|absence|absent|insufficient|unlikely|nothing)\b|n't\b",
    re.I,
)
# Direction words: a claim with one member of a pair and evidence with the other (and not the first) disagree.
_POLARITY_GROUPS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in (
        (
            "increas rise rais elevat higher greater upregul gain boost",
            "decreas reduc lower fewer declin downregul drop diminish loss fall",
        ),
        (
            "improv benefit help enhanc better outperform superior",
            "harm hurt worsen degrad impair wors inferior underperform",
        ),
        (
            "larg bigger strong substantial signific major dramatic",
            "small smal weak slight minor modest negligibl",
        ),
        ("positiv", "negativ"),
        ("promot induc stimul", "inhibit suppress block"),
        ("safe", "unsaf danger"),
        ("associat correlat linked", "unrelat independent"),
    )
)
# "is outperformed by", "was improved upon by": the subject is on the losing side.
_PASSIVE_RE = re.compile(
    r"\b(?:is|are|was|were|been|be)\s+(?:\w+\s+)?(?:outperformed|surpassed|beaten|exceeded)\s+by\b", re.I
)
_COMPARE_RE = re.compile(
    r"\b(?:over|than|against|versus|vs\.?|compared (?:to|with)|relative to|outperforms?)\s+$", re.I
)


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the matcher needs to know about one sentence or claim."""

    text: str
    norm: str
    stems: tuple[str, ...]
    stem_set: frozenset[str]
    numbers: tuple[NumberMention, ...]
    entities: tuple[str, ...]
    entity_keys: frozenset[str]
    squashed: str
    negations: int
    polarity: frozenset[tuple[int, int]]
    passive_defeat: bool
    compared: frozenset[str]
    comparison: tuple[frozenset[str], frozenset[str]] | None


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def analyse(text: str) -> Analysis:
    """Analyse one sentence or claim: normalised text, content stems, numbers, entities, negation, polarity.

    Example: ``analyse("We obtain a 5.4 point improvement over XLM-R Large.").numbers[0].value == 5.4``.
    """
    clean = clean_for_match(text)
    norm = " ".join(clean.lower().split())
    tokens: list[tuple[str, int]] = []
    for m in _WORD.finditer(norm):
        w = m.group(0)
        if w in STOPWORDS or (len(w) == 1 and not w.isdigit()):
            continue
        tokens.append((stem(w), m.start()))
    stems = tuple(t for t, _ in tokens)
    numbers = tuple(_numbers(norm, tokens))
    entities: list[str] = []
    compared: set[str] = set()
    for m in _ENTITY_RE.finditer(clean):
        ent = m.group(0)
        if ent.isupper() and len(ent) <= 1:
            continue
        key = _squash(ent)
        if not key or key.isdigit():
            continue
        entities.append(key)
        if _COMPARE_RE.search(clean[max(0, m.start() - 25) : m.start()]):
            compared.add(key)
    stem_set = frozenset(stems)
    polarity = frozenset(
        (gi, side)
        for gi, group in enumerate(_POLARITY_GROUPS)
        for side in (0, 1)
        if any(s.startswith(tuple(group[side])) for s in stem_set)
    )
    return Analysis(
        text=text,
        norm=norm,
        stems=stems,
        stem_set=stem_set,
        numbers=numbers,
        entities=tuple(dict.fromkeys(entities)),
        entity_keys=frozenset(entities),
        squashed=_squash(clean),
        negations=len(_NEG_RE.findall(clean)),
        polarity=polarity,
        passive_defeat=bool(_PASSIVE_RE.search(clean)),
        compared=frozenset(compared),
        comparison=_comparison(norm, tokens),
    )


_COMPARATIVE = re.compile(r"\b(?:outperform\w*|surpass\w*|beat\w*|exceed\w*|better than|superior to)\b")


def _comparison(norm: str, tokens: list[tuple[str, int]]) -> tuple[frozenset[str], frozenset[str]] | None:
    """The content stems before and after a comparative verb ("A outperforms B"), for spotting swapped roles."""
    m = _COMPARATIVE.search(norm)
    if m is None:
        return None
    left = frozenset(st for st, pos in tokens if pos < m.start())
    right = frozenset(st for st, pos in tokens if pos >= m.end())
    both = left & right
    return left - both, right - both


def idf_weight(df: int, n_docs: int) -> float:
    """Inverse document frequency with add-one smoothing, floored at a small positive value."""
    return max(0.05, math.log((n_docs + 1) / (df + 0.5)))
