"""Text analysis for matching: sentence spans, tokens and stems, numbers, entities, negation and polarity.

Everything here works on one string at a time and is memoised where a string recurs (stems), so a paper's
sentences are analysed once (`analyse`) and a claim once per call.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .._sentences import sentence_spans

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


def clean_for_match(text: str) -> str:
    """``text`` without TeX markup and with dashes as spaces, for comparison (never for offsets).

    Example: ``clean_for_match(r"mBERT \\cite{x} in the \\emph{generalized} setting---")`` is
    ``"mBERT  in the generalized setting "``.
    """
    text = _TEX_CITE.sub("", text)
    text = _TEX_CMD.sub(r"\1", text)
    text = _TEX_BARE.sub("", text)
    return _DASHES.sub(" ", text)


_WORD = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+")

STOPWORDS = frozenset(
    (
        "a an the of and or but to in on at by for with from into onto over under as than that which who whom "
        "whose where when while is are was were be been being has have had do does did this these those it "
        "its their our your his her we they i you he she them us also such both each either other more most "
        "very can could may might must shall should will would there here then thus so if however although "
        "though via using use used based between among across about after before during within without not no "
        "nor neither never only all any some what how why whether one study studies paper work results result "
        "show shows shown showed found find finds et al e g i.e eg ie"
    ).split()
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
    "dozen": 12,
    "twice": 2,
    "half": 0.5,
    "thrice": 3,
}
# Scale words are quantities only after "a"/"one" ("a hundred"); after a figure they scale it ("30 million"),
# and after "several" or "hundreds of" they are no number at all.
_SCALE_WORDS = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_NUM_WORD_RE = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)
# A number not glued to letters ("XLM-R", "mT5", "NLLB-200", "v2.0" are names, not quantities).
# Also not a number: the "4" of "OCT3/4", the "3" of "3T3" (a figure running into letters and digits again).
_NUM_RE = re.compile(
    r"(?<![A-Za-z0-9.,\-])(?<![A-Za-z]-)(?<![A-Za-z0-9]/)[-+−]?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)"
    r"(?![A-Za-z]+\d)"
    r"(\s*(?:%|percent\b|per\s*cent\b|[kK]\b|[mM]\b|(?:hundred|thousand|million|billion)\b))?"
)
_SCALE = {"k": 1e3, "m": 1e6, **_SCALE_WORDS}
_DIGIT = re.compile(r"\d")
_LETTERS = re.compile(r"[A-Za-z]+")
_NUMBER_WORD_SET = frozenset(_NUMBER_WORDS) | frozenset(_SCALE_WORDS)
_SCALE_WORD_RE = re.compile(r"\b(a|one)\s+(hundred|thousand|million|billion)\b", re.I)


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A quantity in a text: its value, whether it is a percent, and the content stems around it."""

    value: float
    percent: bool
    after: tuple[str, ...]
    before: tuple[str, ...]


def _numbers(text: str, tokens: list[tuple[str, int]]) -> list[NumberMention]:
    found: list[tuple[int, int, float, bool]] = []
    # Cheap tests first: most sentences have no figure and no number word, and the full patterns are slow.
    named = _NUMBER_WORD_SET.intersection(_LETTERS.findall(text.lower()))
    for m in _NUM_RE.finditer(text) if _DIGIT.search(text) else ():
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
    for m in _NUM_WORD_RE.finditer(text) if named else ():
        word = m.group(1).lower()
        if word == "one" and not _followed_by_noun(text, m.end()):
            continue  # "one of", "one can" are not quantities
        if word in ("zero", "one") and text[m.end() : m.end() + 1] == "-":
            continue  # "zero-shot", "one-sided" name a kind of thing ("three-phase" does count phases)
        if _SCALE_WORD_RE.match(text, m.start()):
            continue  # "a/one hundred": the scale word below carries the value
        found.append((m.start(), m.end(), float(_NUMBER_WORDS[word]), False))
    for m in _SCALE_WORD_RE.finditer(text) if not named.isdisjoint(_SCALE_WORDS) else ():
        found.append((m.start(), m.end(), _SCALE_WORDS[m.group(2).lower()], False))
    out: list[NumberMention] = []
    if not found:
        return out
    words = [(st, pos) for st, pos in tokens if not st[0].isdigit()]
    starts = [pos for _, pos in words]
    for start, end, value, pct in found:
        a = bisect.bisect_left(starts, end)
        b = bisect.bisect_left(starts, start)
        after = tuple(st for st, _ in words[a : a + 3])
        before = tuple(st for st, _ in words[max(0, b - 3) : b])
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
# One pattern for every (group, side): which sides have a stem starting with one of their prefixes.
_POLARITY_KEYS = {f"p{gi}_{side}": (gi, side) for gi in range(len(_POLARITY_GROUPS)) for side in (0, 1)}
_POLARITY_RE = re.compile(
    " (?:"
    + "|".join(
        f"(?P<p{gi}_{side}>" + "|".join(sorted(group[side], key=len, reverse=True)) + ")"
        for gi, group in enumerate(_POLARITY_GROUPS)
        for side in (0, 1)
    )
    + ")"
)
# "is outperformed by", "was improved upon by": the subject is on the losing side.
_PASSIVE_RE = re.compile(
    r"\b(?:is|are|was|were|been|be)\s+(?:\w+\s+)?(?:outperformed|surpassed|beaten|exceeded)\s+by\b", re.I
)
_COMPARE_RE = re.compile(
    r"\b(?:over|than|against|versus|vs\.?|compared (?:to|with)|relative to|outperforms?)\s+$", re.I
)
# "on the XTREME benchmark", "using XLM-R": the entity is the authors' setting or tool, not the actor.
_SETTING_RE = re.compile(
    r"\b(?:on|in|using|from|across|with|via|over)\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+)?$", re.I
)
_LOWER_TAIL = re.compile(r"(?:-[a-z]{3,})+$")
_PLURAL = re.compile(r"(?<=[A-Z0-9]{2})s$")
_ROMAN = re.compile(r"[IVX]{1,4}")
_FIRST_PERSON_RE = re.compile(r"\b(?:we|our)\b", re.I)


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
    # Entities named only as the setting or tool of what "we" do, and the entity the text opens with (its
    # subject, when no more than two words precede it).
    setting_only: frozenset[str]
    lead_entity: str | None
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
    setting: set[str] = set()
    acting: set[str] = set()
    lead: str | None = None
    first_person = bool(_FIRST_PERSON_RE.search(clean))
    # An all-caps headline ("VITAMIN D LEVELS MAY IMPACT ...") names nothing by its case.
    shouting = sum(1 for w in clean.split() if len(w) > 1 and w.isupper() and w.lower() in STOPWORDS) >= 2
    for m in [] if shouting else _ENTITY_RE.finditer(clean):
        # "RecQ-class", "Sf1-expressing" name RecQ and Sf1; "VSMCs", "EVs" are plurals of VSMC, EV.
        ent = _PLURAL.sub("", _LOWER_TAIL.sub("", m.group(0)))
        if (ent.isupper() and len(ent) <= 1) or _ROMAN.fullmatch(ent):
            continue
        key = _squash(ent)
        if not key or key.isdigit():
            continue
        if clean[m.start() - 1 : m.start()] == "(" and clean[m.end() : m.end() + 1] == ")" and m.start() > 1:
            continue  # "AMP-activated protein kinase (AMPK)": an alias of the words before it, which carry it
        if (
            not entities
            and len(clean[: m.start()].split()) <= 2
            and not _SETTING_RE.search(clean[: m.start()])
        ):
            lead = key
        entities.append(key)
        before = clean[max(0, m.start() - 25) : m.start()]
        if _COMPARE_RE.search(before):
            compared.add(key)
        if first_person and _SETTING_RE.search(before):
            setting.add(key)
        else:
            acting.add(key)
    stem_set = frozenset(stems)
    polarity = frozenset(
        _POLARITY_KEYS[m.lastgroup] for m in _POLARITY_RE.finditer(" " + " ".join(stem_set)) if m.lastgroup
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
        setting_only=frozenset(setting - acting),
        lead_entity=lead,
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
