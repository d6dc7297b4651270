"""The words of a text for matching: cleaning, tokens and stems, figures, named things, the direction lexicon.

Everything here works on one string or word at a time and is memoised where a word recurs (stems, polarity).
What a sentence says, clause by clause, is read from these in `_analysis`.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .._sentences import sentence_spans

__all__ = ["STOPWORDS", "NumberMention", "clean_for_match", "idf_weight", "sentence_spans", "squash", "stem"]

# TeX left in arXiv abstracts: drop citations, keep the argument of formatting commands.
_TEX_CITE = re.compile(r"\\(?:cite[tp]?|ref|eqref|footnote)\*?\{[^}]*\}")
_TEX_CMD = re.compile(r"\\[a-zA-Z]+\*?\{([^}]*)\}")
_TEX_BARE = re.compile(r"\\[a-zA-Z]+")
# A Greek letter of a paper's math ("\\beta_{1}=0.9", from the alttext of its HTML) is a word a claim says
# ("beta1 of 0.9"), not markup to drop; its subscript is glued on, as a claim writes it.
_TEX_GREEK = re.compile(
    r"\\(alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|kappa|lambda|mu|nu|xi|pi|rho|sigma|tau|"
    r"phi|chi|psi|omega)(?![A-Za-z])(?:_\{?([A-Za-z0-9]{1,3})\}?)?"
)
_DASHES = re.compile(r"-{2,3}|[‐‑‒–—―]")
# An em dash between two words runs two clauses together ("All the summarizers fail to generate long
# summaries— PRIMERA produces the longest summaries ..."): a clause break, so a negation in the first is not
# read as bearing on the second.
_EM_DASH = re.compile(r"\s*(?:—|---)\s*")
_MIDDLE_DOT = re.compile(r"(?<=\d)·(?=\d)")
# The characters of `_DASHES` (which, with "--", `_EM_DASH` needs too).
_DASH_CHARS = "‐‑‒–—―"


def clean_for_match(text: str) -> str:
    """``text`` without TeX markup and with dashes as spaces, for comparison (never for offsets).

    Example: ``clean_for_match(r"mBERT \\cite{x} in the \\emph{generalized} setting---")`` is
    ``"mBERT  in the generalized setting; "`` (an em dash parts two clauses).
    """
    if "\\" in text:  # (every TeX pattern opens with a backslash: most texts have none)
        text = _TEX_CITE.sub("", text)
        if "\\" in text:
            text = _TEX_GREEK.sub(lambda m: " " + m.group(1) + (m.group(2) or ""), text)
        text = _TEX_CMD.sub(r"\1", text)
        text = _TEX_BARE.sub("", text)
    if "·" in text:
        text = _MIDDLE_DOT.sub(".", text)  # "1·68": a decimal point, as Lancet journals print it
    if "--" not in text and not any(c in text for c in _DASH_CHARS):
        return text  # no dash for the patterns below to rewrite
    return _DASHES.sub(" ", _EM_DASH.sub("; ", text))


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
# Scientific notation is one number: "3.3e18", "1e-9", and the LaTeX of a paper's HTML, "3.3\\cdot 10^{18}",
# "10^{-9}" (``clean_for_match`` leaves "3.3 10^{18}" of the first; read before the plain pattern, which would take their mantissa or base for the quantity).
_SCI_RE = re.compile(
    r"(?<![A-Za-z0-9.,\-])(?:(\d+(?:\.\d+)?)[eE]([-+−]?\d+)\b"
    r"|(?:(\d+(?:\.\d+)?)\s*(?:\\cdot|\\times|[x×·*])?\s*)?10\s*\^\s*\{?\s*([-+−]?\d+)\s*\}?)"
)
_NUM_RE = re.compile(
    r"(?<![A-Za-z0-9.,\-])(?<![A-Za-z]-)(?<![A-Za-z0-9]/)[-+−]?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)"
    r"(?![A-Za-z]+\d)"
    r"(\s*(?:%|percent\b|per\s*cent\b|[kK]\b|[mM]\b|[bB]\b|(?:hundred|thousand|million|billion)\b))?"
)
# "7B", "13B", "175M": a parameter count with its scale, the same figure as "7 billion".
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, **_SCALE_WORDS}
# A bare integer right after a capitalised word inside a sentence is part of a name ("Llama 2", "Table 3",
# "GPT 4"), not a quantity; checked on the text with its case kept.
_NAME_NUMBER_RE = re.compile(r"(?<=[a-z,;:(] )[A-Z][a-z]+ $")
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


def _numbers(text: str, tokens: list[tuple[str, int]], cased: str | None = None) -> list[NumberMention]:
    found: list[tuple[int, int, float, bool]] = []
    # Cheap tests first: most sentences have no figure and no number word, and the full patterns are slow.
    named = _NUMBER_WORD_SET.intersection(_LETTERS.findall(text.lower()))
    digits = bool(_DIGIT.search(text))
    taken: list[tuple[int, int]] = []
    for m in _SCI_RE.finditer(text) if digits and ("^" in text or "e" in text or "E" in text) else ():
        mant, exp = (m.group(1), m.group(2)) if m.group(2) is not None else (m.group(3) or "1", m.group(4))
        try:
            value = float(mant) * 10.0 ** int(exp.replace("−", "-"))
        except (ValueError, OverflowError):
            continue
        found.append((m.start(), m.end(), value, False))
        taken.append((m.start(), m.end()))
    for m in _NUM_RE.finditer(text) if digits else ():
        if any(a <= m.start() < b for a, b in taken):
            continue
        if (
            cased is not None
            and "." not in m.group(1)
            and not m.group(2)
            and _NAME_NUMBER_RE.search(cased, 0, m.start())
        ):
            continue
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
    found.sort()  # in the order of the text, whichever pattern read them
    words = [(st, pos) for st, pos in tokens if not st[0].isdigit()]
    starts = [pos for _, pos in words]
    # The words around a figure are those of its own sentence: in a window of two sentences, "target tasks.
    # Using nine intermediate tasks" does not say nine of the target tasks.
    stops = [m.end() for m in _SENTENCE_STOP.finditer(text)]
    # Nor are the words before "but not", "rather than": "prolonged abstinence but not 7-day point
    # prevalence" does not say 7 of abstinence.
    denials = [m.end() for m in _CONTRAST.finditer(text)]
    for start, end, value, pct in found:
        k = bisect.bisect_left(stops, start)
        lo = bisect.bisect_left(starts, stops[k - 1]) if k else 0
        d = bisect.bisect_left(denials, start + 1)
        if d:
            lo = max(lo, bisect.bisect_left(starts, denials[d - 1]))
        hi = bisect.bisect_left(starts, stops[k]) if k < len(stops) else len(words)
        a = bisect.bisect_left(starts, end)
        b = bisect.bisect_left(starts, start)
        after = tuple(st for st, _ in words[a : min(a + 3, hi)])
        before = tuple(st for st, _ in words[max(lo, b - 3) : b])
        # A statistic's letter names its slot ("P = .004", "r = 0.41", "n = 51"): the letter is no word of the
        # text, but the figure is said of it, not of the words before it ("[95% CI, 1.2-3.4], P = .004").
        stat = _STATISTIC.search(text, max(0, start - 6), start)
        if stat is not None:
            before = (*before[-2:], stat.group(1).lower())
        out.append(NumberMention(value, pct, after, before))
    return out


# What is contrasted away ("A rather than B", "A but not B", "A, not B"): a figure after it is not said of
# the words before it (`_numbers`), and a clause denies what follows it (`clauses`).
_CONTRAST = re.compile(r"\b(?:rather\s+than|instead\s+of|as\s+opposed\s+to|but\s+not)\b|,\s+not\b(?!\s+only)")
_SENTENCE_STOP = re.compile(r"(?<=[a-z)%])[.!?]\s+(?=[A-Za-z])")
_STATISTIC = re.compile(r"\b([a-z])\s*(?:=|<|>|≤|≥|<=|>=)\s*$", re.I)


_NEXT_WORD = re.compile(r"\s+([a-z]+)")


def _followed_by_noun(text: str, pos: int) -> bool:
    nxt = _NEXT_WORD.match(text, pos)
    return bool(nxt) and nxt.group(1) not in STOPWORDS  # type: ignore[union-attr]


# Acronyms and mixed-case names: MNLI, XLM-R, PAWS-X, mBERT, TyDiQA, SQuAD, COVID-19, IL-6.
_ENTITY_RE = re.compile(
    r"(?<![\w-])(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*)(?:-[A-Za-z0-9]+)*"
)
# Direction words: a claim with one member of a pair and evidence with the other (and not the first) disagree.
_POLARITY_GROUPS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in (
        (
            "increas rise ris rais elevat high higher greater upregul gain boost mor",
            "decreas reduc low lower fewer declin downregul drop diminish fall les",
        ),
        (
            "improv benefit help enhanc better outperform superior",
            "harm hurt worsen degrad impair wors inferior underperform",
        ),
        (
            "larg bigger strong substantial signific major dramatic impressiv sizabl considerabl marked mark "
            "profound extensiv pronounc great",
            "small smal weak slight minor modest negligibl marginal mild minimal littl",
        ),
        ("positiv", "negativ"),
        (
            "promot induc stimul activat facilitat amplif heighten strengthen",
            "inhibit suppress block counteract attenu prevent reduc dampen weaken abolish abrogat",
        ),
        ("safe", "unsaf danger"),
        ("associat correlat linked", "unrelat independent"),
        ("reach achiev attain", "short"),
        # rate, amount and extent, said of a process or a population ("accelerates the resolution of
        # fibrosis", "cells depleted of X", "prolonged survival")
        ("acceler faster hasten quicker", "delay slow slower deceler"),
        ("enrich accumul expand expansion gain", "deplet shrink shrank diminish los loss lost"),
        ("prolong lengthen", "shorten"),
        ("widen broaden wider", "narrow"),
        # what a treatment does to a disease or symptom
        ("exacerb aggrav worsen", "allevi amelior mitig reliev attenu"),
        ("sensitiz", "desensitiz"),
        ("stabiliz", "destabiliz"),
        ("effectiv efficient", "ineffectiv inefficient"),
    )
)


# Past tenses the stemmer does not bring to their verb ("rose" would stem to "ros", which is also ROS).
_IRREGULAR = {"rose": "ris", "risen": "ris", "fell": "fall", "fallen": "fall"}


@lru_cache(maxsize=65536)
def _word_polarity(word: str) -> tuple[tuple[int, int], ...]:
    """`_stem_polarity` of a word's stem."""
    return _stem_polarity(_IRREGULAR.get(word) or stem(word))


# Verbs that bring about what follows them: before a direction word ("induces a reduction", "promotes an
# increase"), that word says the direction and the verb none of its own.
_CAUSATIVE = frozenset(
    stem(w)
    for w in "induce induces induced promote promotes promoted stimulate stimulates "
    "stimulated trigger triggers triggered".split()
)


def _brings_direction(said: Sequence[tuple[str, int]], n: int) -> bool:
    """Whether the first word after ``said[n]`` that is no stopword ("a", "an", "the") is a direction word."""
    for w, _ in said[n + 1 : n + 4]:
        if w in STOPWORDS:
            continue
        return bool(_word_polarity(w))
    return False


# "went up", "goes down": a direction said by a particle after a verb of motion.
_GO = frozenset("go goes going gone went".split())
_PARTICLE = {"up": "increase", "down": "decrease"}


@lru_cache(maxsize=65536)
def _stem_polarity(st: str) -> tuple[tuple[int, int], ...]:
    """The (group, side) pairs of a stem; a stem may sit in two groups ("reduc": against "increase" and
    against "induce"). Short cue stems must match whole ("les" is "less", not "lesion")."""
    return tuple(
        (gi, side)
        for gi, group in enumerate(_POLARITY_GROUPS)
        for side in (0, 1)
        if any(st == w or (len(w) >= 5 and st.startswith(w)) for w in group[side])
    )


# The ASCII bytes other than a-z and 0-9, which `squash` drops (and every other character with them).
_NOT_ALNUM = bytes(b for b in range(128) if not (chr(b).isdigit() or "a" <= chr(b) <= "z"))


def squash(text: str) -> str:
    """``text`` lowercased with only its letters and digits, for finding a name whatever its spacing."""
    # what re.sub("[^a-z0-9]", "", text.lower()) gives, five times faster: a-z and 0-9 are all ASCII
    return text.lower().encode("ascii", "ignore").translate(None, _NOT_ALNUM).decode("ascii")


def idf_weight(df: int, n_docs: int) -> float:
    """Inverse document frequency with add-one smoothing, floored at a small positive value."""
    return max(0.05, math.log((n_docs + 1) / (df + 0.5)))
