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
    "content_tokens",
    "sentence_spans",
    "squash",
    "stem",
]

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
        out.append(NumberMention(value, pct, after, before))
    return out


_SENTENCE_STOP = re.compile(r"(?<=[a-z)%])[.!?]\s+(?=[A-Za-z])")


_NEXT_WORD = re.compile(r"\s+([a-z]+)")


def _followed_by_noun(text: str, pos: int) -> bool:
    nxt = _NEXT_WORD.match(text, pos)
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
            "increas rise ris rais elevat high higher greater upregul gain boost mor",
            "decreas reduc low lower fewer declin downregul drop diminish fall les",
        ),
        (
            "improv benefit help enhanc better outperform superior",
            "harm hurt worsen degrad impair wors inferior underperform",
        ),
        (
            "larg bigger strong substantial signific major dramatic impressiv sizabl considerabl marked "
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


@lru_cache(maxsize=65536)
def _word_polarity(word: str) -> tuple[tuple[int, int], ...]:
    """`_stem_polarity` of a word's stem."""
    return _stem_polarity(stem(word))


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
    # The text's clauses, each with the negation, direction and figures said in it (`clauses`).
    clauses: tuple[Clause, ...] = ()


# The ASCII bytes other than a-z and 0-9, which `squash` drops (and every other character with them).
_NOT_ALNUM = bytes(b for b in range(128) if not (chr(b).isdigit() or "a" <= chr(b) <= "z"))


def squash(text: str) -> str:
    """``text`` lowercased with only its letters and digits, for finding a name whatever its spacing."""
    # what re.sub("[^a-z0-9]", "", text.lower()) gives, five times faster: a-z and 0-9 are all ASCII
    return text.lower().encode("ascii", "ignore").translate(None, _NOT_ALNUM).decode("ascii")


def analyse(text: str, *, truncated: bool = False) -> Analysis:
    """Analyse one sentence or claim: normalised text, content stems, numbers, entities, negation, polarity.

    ``truncated``: the text is cut off, so a negation in its unfinished last clause is not read.
    Example: ``analyse("We obtain a 5.4 point improvement over XLM-R Large.").numbers[0].value == 5.4``.
    """
    clean = clean_for_match(text)
    norm = " ".join(clean.lower().split())
    tokens: list[tuple[str, int]] = []
    letters = False  # a one-letter word that is a token of a clause but not of the text
    for m in _WORD.finditer(norm):
        w = m.group(0)
        if w in STOPWORDS:
            continue
        if len(w) == 1 and not w.isdigit():
            letters = True
            continue
        tokens.append((stem(w), m.start()))
    stems = tuple(t for t, _ in tokens)
    cased = " ".join(clean.split())  # ``norm`` with its case: the same offsets
    parts = clauses(norm, truncated=truncated, cased=cased)
    # A text of one clause has read its figures already: the same words, the same offsets.
    # (A clause reads a figure only where a digit or number word is: "a million" alone it leaves to the text.)
    whole = (
        len(parts) == 1
        and parts[0].start == 0
        and parts[0].end == len(norm)
        and not letters
        and (bool(parts[0].numbers) or not _SCALE_WORD_RE.search(norm))
    )
    numbers = parts[0].numbers if whole else tuple(_numbers(norm, tokens, cased))
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
        key = squash(ent)
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
    polarity = frozenset(p for st in stem_set for p in _stem_polarity(st))
    return Analysis(
        text=text,
        norm=norm,
        stems=stems,
        stem_set=stem_set,
        numbers=numbers,
        entities=tuple(dict.fromkeys(entities)),
        entity_keys=frozenset(entities),
        squashed=squash(clean),
        negations=len(_NEG_RE.findall(clean)),
        polarity=polarity,
        passive_defeat=bool(_PASSIVE_RE.search(clean)),
        compared=frozenset(compared),
        setting_only=frozenset(setting - acting),
        lead_entity=lead,
        comparison=parts[0].comparison if whole else _comparison(norm, tokens),
        clauses=parts,
    )


# A comparison and which way round it says its sides: "A outperforms B", "A is better than B", "A has higher
# X than B", "A ..., compared to B" name the winner first; "A lags behind B", "A underperforms B", "A is
# inferior to B" name the loser first ("A falls short of B" is a direction: `_POLARITY_GROUPS`).
_COMPARATIVE = re.compile(
    r"\b(?:(?P<win>outperform\w*|surpass\w*|beat\w*|exceed\w*|outnumber\w*|outpac\w*|outstrip\w*|better than|"
    r"superior to|preferable to|preferred (?:to|over))|(?P<lose>underperform\w*|(?:lag\w*|fall\w*|fell|trail\w*)\s+"
    r"behind|trail(?:s|ed|ing)?|worse than|inferior to)|"
    r"(?:higher|lower|greater|larger|smaller|more|less|fewer)\s+(?:\w+\s+)?than|,?\s*(?:compared (?:to|with)|"
    r"relative to))\b(?!\s*[-+]?\d)"
)
# "A is outperformed by B" says "B outperforms A": the roles either side of the verb swap. The verb may have
# adverbs before it ("is not consistently outperformed") and what it is outperformed in between it and its
# agent ("is surpassed in specificity by"): they belong to neither side.
_BE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:[a-z]+\s+){0,2}$")
_BY_AFTER = re.compile(r"(?:\s+(?!by\b)[a-z0-9][a-z0-9.\-]*){0,4}?\s+by\b")
# A comparative of a rank ("outperforms", "lags behind") and not of an amount ("more X than"): its words say
# only who wins, so a claim's "surpasses" is said by any comparison of the same sides the same way round.
# Of an amount, the lesser side is named first ("A has lower error than B"), whether it wins or loses.
_DOWNWARD = re.compile(r"(?:lower|smaller|less|fewer)\b")
# What a side of a comparison is not: a fronted adverbial ("For the secondary end point, A ..."), what is in
# brackets ("SOFA (AUROC, 0.736) outperformed"), the verb that opens a finding ("suggest that A ..."), and
# the adverbials after the second side ("B in preventing cancer", "B for the secondary end point").
_FRONTED = re.compile(r"^\W*(?:for|in|on|at|among|across|under|after|during|from|with|using)\b[^,]{0,80},\s*")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SIDE_END = re.compile(r"\s(?:in|on|for|at|across|during|when|while|both|with|from|by|as|because)\s|[,;(]")


def _comparison(
    norm: str, tokens: list[tuple[str, int]], m: re.Match[str] | None = None
) -> tuple[frozenset[str], frozenset[str]] | None:
    """The content stems of the winning and the losing side of a comparative ("A outperforms B": A, B; "A is
    outperformed by B", "A lags behind B": B, A), for spotting swapped roles. ``m``: `_COMPARATIVE`'s match
    in ``norm``, when the caller has it."""
    m = m or _COMPARATIVE.search(norm)
    if m is None:
        return None
    lo = 0
    fronted = _FRONTED.match(norm)
    if fronted and fronted.end() <= m.start():
        lo = fronted.end()
    # "suggest that A outperforms B": the finding opens after "that"; "a model, that outperforms B": a relative
    # pronoun right before the verb, whose subject is the words before it
    that = norm.rfind(" that ", lo, m.start())
    if that >= 0 and any(that < pos < m.start() for _, pos in tokens):
        lo = that + 6
    stop, start = m.start(), m.end()
    ranked = m.group("win") or m.group("lose")
    be = _BE_BEFORE.search(norm, max(lo, m.start() - 40), m.start()) if ranked else None
    by = _BY_AFTER.match(norm, m.end()) if be else None
    if be and by:
        stop, start = be.start(), by.end()
    end = _SIDE_END.search(norm, start + 1)
    hi = end.start() if end else len(norm)
    quiet = [(b.start(), b.end()) for b in _BRACKETS.finditer(norm)] if "(" in norm or "[" in norm else []
    left = frozenset(st for st, pos in tokens if lo <= pos < stop and not any(a <= pos < b for a, b in quiet))
    right = frozenset(
        st for st, pos in tokens if start <= pos < hi and not any(a <= pos < b for a, b in quiet)
    )
    both = left & right
    left, right = left - both, right - both
    if bool(by) != bool(m.group("lose")):
        return right, left
    return left, right


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a text (split at ";", a sentence break, "but", "whereas", "although", ...) and what it
    says: its content stems, the negations of its main predicate (not those inside a relative clause, an
    unfinished tail, "not only", or "without X"), what it negates as an object ("lacking X" negates X),
    what it contrasts ("X rather than Y": asserts X, denies Y), its direction words, comparison roles,
    figures and "from a to b" transitions. Offsets are into the normalised text (`Analysis.norm`)."""

    start: int
    end: int
    stems: frozenset[str]
    negations: tuple[str, ...]  # the cue words that negate the predicate, as written
    negated: frozenset[str]  # stems negated as objects ("without labelled data": label, data)
    object_cues: tuple[str, ...]
    asserted: frozenset[str]
    denied: frozenset[str]
    # Each direction word said: ((group, side), the word, the two content stems before it, the two after)
    polarity: tuple[tuple[tuple[int, int], str, frozenset[str], frozenset[str]], ...]
    comparison: tuple[frozenset[str], frozenset[str]] | None
    numbers: tuple[NumberMention, ...]
    # Each change ("from a to b", as (a, b)) with every figure its phrase states (both ends and when they were
    # measured): "reached 17.6% in 2015, down from 26.5% in 1990" says each of the four of the change of
    # prevalence, in whatever order
    changes: tuple[tuple[tuple[float, float], frozenset[float]], ...] = ()
    # Its subject points back to what an earlier clause said ("This effect was not seen in ..."), so it may be
    # said of the claim's subject without naming it
    anaphoric: bool = False
    lead: tuple[str, ...] = ()  # its first two content stems (roughly, the head of its subject)
    negation_scope: frozenset[str] = frozenset()  # the content stems right after its predicate negations
    # The verbs of change its predicate negations deny ("does not affect binding": binding is as it was)
    unchanged: frozenset[str] = frozenset()
    present: frozenset[str] = frozenset()  # stems said to be there ("with X", "expressing X")
    # False for a clause that asks or plans rather than states ("to evaluate whether X improves Y")
    asserts: bool = True
    squashed: str = ""  # its text lowercased without spaces or punctuation, for finding named entities
    # Its relative clauses ("corpora, which are not expensive"): the two content stems before the pronoun
    # (what it describes), the content stems it says, and its negation cues
    relatives: tuple[tuple[frozenset[str], frozenset[str], tuple[str, ...]], ...] = ()
    # The words of its comparative when it ranks its sides ("outperformed", "lag behind"): they say only who
    # wins (`comparison` says which way round); and whether its comparative names the lesser amount first
    cue: frozenset[str] = frozenset()
    downward: bool = False

    @property
    def transitions(self) -> tuple[tuple[float, float], ...]:
        """Its changes as (from, to), each once."""
        return tuple(dict.fromkeys(change for change, _ in self.changes))

    @property
    def negated_predicate(self) -> bool:
        """An odd number of predicate negations: "not" negates, "not ... never" cancels."""
        return len(self.negations) % 2 == 1


# The words that join two clauses saying opposite things ("A does X, whereas B does Y").
_CONTRAST_WORDS = r"\b(?:but|whereas|although|though|while|yet)\b"
_CLAUSE_BREAK = re.compile(
    rf"\s*;\s*|(?<=[a-z0-9)%])\.\s+(?=\S)|,?\s+{_CONTRAST_WORDS}(?!\s+(?:not|also)\b),?\s*"
)
# Verbs and words after which "that" opens the finding itself ("we show that ..."), not a relative clause.
_COMPLEMENT = frozenset(
    (
        "show shows showed shown demonstrate demonstrates demonstrated find finds found suggest suggests "
        "suggested indicate indicates indicated reveal reveals revealed conclude concluded report reports "
        "reported observe observed note noted argue argued confirm confirms confirmed hypothesize hypothesized "
        "propose proposed predict predicted believe know known evidence possible likely clear so such now is "
        "are was were fact ensure assume claim state states stated verify verified prove proves proved "
        "establish established determine determined mean means implies imply illustrate illustrates "
        "highlight highlights given assuming except true case"
    ).split()
)
_RELATIVE = re.compile(r"\b(that|which|who|whom|whose|where)\b")
# What negates a thing rather than the predicate: "without X", "lacking X", "with no X" (the predicate
# "with no change in affinity" is said of holds). Negated in turn ("is not without risk") it says X is there:
# a double negation, neither the predicate's nor the object's.
_OBJ_CUE = r"(?:without|with\s+no|lack(?:s|ed|ing)?(?:\s+of)?|absence\s+of|free\s+of|devoid\s+of)\b"
_PRED_NEG = re.compile(
    rf"\b(not(?!\s+(?:only\b|{_OBJ_CUE}))|(?<!with )no|never(?!\s+{_OBJ_CUE})|neither|nor|none|cannot|"
    r"nothing|unable|unlikely|insufficient|fail(?:s|ed|ing)?(?=\s+to\b))\b|\w+n't\b"
)
_OBJ_NEG = re.compile(rf"\b{_OBJ_CUE}")
_UNDONE = re.compile(r"\b(?:not|never)\s+$")
_ASKS = re.compile(
    r"^\W*(?:objectives?|aims?|purpose|background)\b|\b(?:whether|hypothesi[sz]e[ds]?|to (?:evaluate|assess|"
    r"determine|investigate|examine|test|compare|explore))\b"
)
# What a clause that asks goes on to state: "was used to investigate X, yielding mutants with ...".
_RESULT = re.compile(
    r",\s*(?:thus\s+|thereby\s+)?(?:yielding|showing|revealing|demonstrating|resulting|leading|producing|"
    r"indicating|suggesting|finding|identifying|and\s+(?:found|showed|observed|revealed|identified|demonstrated))\b"
)
# An aside between a negation and what it negates: "was not, however, consistently associated".
_ASIDE = re.compile(r"\s*,\s*(?:[a-z]+\s+){0,2}[a-z]+\s*,")
_WITH = re.compile(r"\b(?:with(?!\s+no\b)|having|containing|expressing|carrying|presence\s+of)\b")
_CONTRAST = re.compile(r"\b(?:rather\s+than|instead\s+of|as\s+opposed\s+to|but\s+not)\b|,\s+not\b(?!\s+only)")
_FIGURE = r"[-+]?\d+(?:\.\d+)?"
# An endpoint of a change may carry when or where it was measured ("17.6% in 2015, down from 26.5% in 1990").
_WHEN = rf"(?:\s+(?:in|at|by|on|during)\s+{_FIGURE})?"
_TRANSITIONS = (
    (re.compile(rf"\bfrom\s+({_FIGURE})\s*%?\s+(?:\w+\s+){{0,2}}?to\s+({_FIGURE})\s*%?{_WHEN}"), False),
    (re.compile(rf"\bto\s+({_FIGURE})\s*%?\s+(?:\w+\s+){{0,2}}?from\s+({_FIGURE})\s*%?{_WHEN}"), True),
    (re.compile(rf"({_FIGURE})\s*%?{_WHEN},?\s+(?:up|down)\s+from\s+({_FIGURE})\s*%?{_WHEN}"), True),
)
_FIGURE_RE = re.compile(_FIGURE)
_ANAPHOR = re.compile(
    r"^\W*(?:this|these|such|both|it|they)\b(?:\s+[a-z]+)?\s+(?:is|are|was|were|has|have|had|did|does|do|could|may|might|can|not|also|\w+ed)\b"
)
_ANY_WORD = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*")
CONTRAST_JOIN = re.compile(_CONTRAST_WORDS)


def content_tokens(text: str) -> list[tuple[str, str]]:
    """The non-stopwords of a normalised ``text`` in order, each as (word, stem); single letters and digits
    are kept ("Dicer-1": dicer, 1), as they tell two things of one name apart.

    Example: ``[s for _, s in content_tokens("the smc5/6 complex")] == ["smc", "5", "6", "complex"]``
    """
    return [(w, stem(w)) for w in _WORD.findall(text) if w not in STOPWORDS]


_PHRASE_BREAK = re.compile(r"[,;:()]")
# Verbs of change: denied, they say that what follows stays as it was, not that it is absent.
CHANGE_VERBS = frozenset(
    stem(w)
    for w in "affect affects affected alter alters altered change changed changes influence influenced "
    "modify modified modifies impair impaired impairs disrupt disrupted disrupts".split()
)
# Where the words a direction word is said of end: a phrase break, or a word that opens another clause.
_PHRASE_JOIN = re.compile(
    r"[,;:()]|(?<!\bwell )(?<!\bsuch )\b(?:as|while|when|whereas|because|since|if|although|though|until|unless|"
    r"after|before)\b(?!\s+(?:well|such|a\s+result)\b)"
)


def _content_after(text: str, pos: int, limit: int = 3) -> frozenset[str]:
    """The stems of the next ``limit`` content words after ``pos``, up to a comma."""
    tail = _PHRASE_BREAK.split(text[pos:], maxsplit=1)[0]
    out = [stem(w) for w in _WORD.findall(tail) if w not in STOPWORDS and len(w) > 1]
    return frozenset(out[:limit])


def _content_before(text: str, pos: int, limit: int = 4) -> frozenset[str]:
    pieces = [p for p in _PHRASE_BREAK.split(text[:pos]) if p.strip()]  # "form mesoderm, rather than"
    head = pieces[-1] if pieces else ""
    out = [stem(w) for w in _WORD.findall(head) if w not in STOPWORDS and len(w) > 1]
    return frozenset(out[-limit:])


def _states(text: str) -> bool:
    """Whether a clause states something: it does not ask or plan ("to evaluate whether X improves Y"), or
    it goes on to say what came of it ("was used to investigate X, yielding mutants with ...")."""
    ask = _ASKS.search(text)
    return ask is None or _RESULT.search(text, ask.end()) is not None


def clauses(norm: str, *, truncated: bool = False, cased: str | None = None) -> tuple[Clause, ...]:
    """The clauses of a normalised text with what each says (see `Clause`); ``cased`` is the same text with
    its case kept (same offsets), for telling a name's number ("Llama 2") from a quantity.

    Example: ``clauses("a helps, but b does not")[1].negations == ("not",)``
    """
    cuts = [0]
    for m in _CLAUSE_BREAK.finditer(norm):
        cuts.extend((m.start(), m.end()))
    cuts.append(len(norm))
    spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2) if cuts[i + 1] > cuts[i]]
    # Relative clauses ("languages that have no training data") run to the next comma or clause end: what they
    # negate describes a noun, not the finding.
    # (and never past the end of their own clause: "... who were superior. This effect was not seen ...")
    quiet: list[tuple[int, int]] = []
    ends = [b for _, b in spans]
    for m in _RELATIVE.finditer(norm):
        prev = norm[: m.start()].split()[-1:] or [""]
        if prev[0].strip(",") in _COMPLEMENT:
            continue
        end = norm.find(",", m.end())
        clause_end = ends[min(bisect.bisect_right(ends, m.start()), len(ends) - 1)] if ends else len(norm)
        quiet.append((m.start(), min(clause_end, len(norm) if end < 0 else end)))
    relatives = list(quiet)
    if truncated and spans:
        # The unfinished tail after the last comma (or its last few words) may have lost what it negated.
        tail = max(norm.rfind(","), norm.rfind(";"))
        if tail < 0:
            spoken = list(_ANY_WORD.finditer(norm))
            tail = spoken[-5].start() if len(spoken) >= 5 else 0
        quiet.append((tail, len(norm)))
    cut_tail = quiet[-1][0] if truncated and quiet else len(norm) + 1

    def loud(pos: int) -> bool:
        return not any(a <= pos < b for a, b in quiet)

    out: list[Clause] = []
    for a, b in spans:
        text = norm[a:b]
        said = [(m.group(0), m.start()) for m in _WORD.finditer(text)]  # every word, with its offset
        tokens: list[tuple[str, int]] = []
        content: list[str] = []
        for w, pos in said:
            if w not in STOPWORDS:
                st = stem(w)
                tokens.append((st, pos))
                if len(w) > 1:
                    content.append(st)
        stems = frozenset(content)
        contrasts = list(_CONTRAST.finditer(text))
        asserted: set[str] = set()
        denied: set[str] = set()
        contrast_at: set[int] = set()
        for m in contrasts:
            asserted |= _content_before(text, m.start(), 2)
            denied |= _content_after(text, m.end(), 4)
            contrast_at.update(range(m.start(), m.end()))
        negated: set[str] = set()
        object_cues: list[str] = []
        present: set[str] = set()
        for m in _OBJ_NEG.finditer(text):
            if _UNDONE.search(text, max(0, m.start() - 7), m.start()):
                present |= _content_after(text, m.end(), 2)  # "not without risk": risk is there
            elif loud(a + m.start()):
                negated |= _content_after(text, m.end(), 2)
                object_cues.append(m.group(0))
        negs: list[str] = []
        for m in _PRED_NEG.finditer(text):
            word = m.group(0)
            if m.start() in contrast_at or not loud(a + m.start()):
                continue
            if word in ("nor", "neither") and negs:
                continue  # "neither A nor B", "did not differ, neither for A": one negation, not two that cancel
            negs.append(word)
        starts = [pos for _, pos in tokens]
        cmp = _COMPARATIVE.search(text)
        # "A underperforms B", "A lags behind B", "A is worse than B" say who wins by their roles (see
        # `_comparison`), not by a direction of their own
        own = range(cmp.start(), cmp.end()) if cmp and (cmp.group("win") or cmp.group("lose")) else range(0)
        cue = frozenset(stem(w) for w in _WORD.findall(text[own.start : own.stop]) if w not in STOPWORDS)
        polarity: list[tuple[tuple[int, int], str, frozenset[str], frozenset[str]]] = []
        joins = [m.start() for m in _PHRASE_JOIN.finditer(text)] if said else []
        for w, at in said:
            if a + at >= cut_tail:
                continue  # a direction word in a relative clause still says the finding; one cut off may not
            keys = _word_polarity(w)
            if keys and at not in own:
                # what the word is said of: the content words either side ("small additional improvements");
                # every occurrence is kept, so "less accurate ... for more complex tasks" says both
                # (not past a comma or a subordinating word: "survival increases as the levels fall" says
                # nothing of the levels by "increases")
                i = bisect.bisect_left(starts, at)
                j = i + 1 if i < len(tokens) and tokens[i][1] == at else i
                k = bisect.bisect_left(joins, at)
                lo = joins[k - 1] if k else -1
                hi = joins[k] if k < len(joins) else len(text)
                left = frozenset(st for st, pos in tokens[max(0, i - 2) : i] if pos > lo)
                right = frozenset(st for st, pos in tokens[j : j + 2] if pos < hi)
                polarity.extend((key, w, left, right) for key in keys)
        scope: set[str] = set()
        unchanged: set[str] = set()
        for m in _PRED_NEG.finditer(text) if negs else ():
            if m.start() not in contrast_at and loud(a + m.start()):  # "neither A, nor B": A and B
                aside = _ASIDE.match(text, m.end())
                scope |= _content_after(text, aside.end() if aside else m.end(), 3)
                unchanged |= _content_after(text, aside.end() if aside else m.end(), 1) & CHANGE_VERBS
        # Each relative clause with what it describes, what it says and its negations: a claim's relative
        # clause is compared only with the evidence's relative clause of the same thing (`clause_conflicts`).
        rels: list[tuple[frozenset[str], frozenset[str], tuple[str, ...]]] = []
        for k, (r0, r1) in enumerate(relatives):
            if not a <= r0 < b or r0 >= cut_tail:
                continue
            nxt = relatives[k + 1][0] if k + 1 < len(relatives) else r1
            r1 = min(r1, nxt, b, cut_tail)
            head = frozenset([st for st, pos in tokens if a + pos < r0 and len(st) > 1][-2:])
            body = frozenset(st for st, pos in tokens if r0 < a + pos < r1 and len(st) > 1)
            rneg = tuple(
                m.group(0)
                for m in _PRED_NEG.finditer(norm, r0, r1)
                if m.start() - a not in contrast_at and m.group(0) not in ("nor",)
            )
            if head and len(body) >= 2:
                rels.append((head, body, rneg))
        for m in _WITH.finditer(text):
            present |= _content_after(text, m.end(), 2)
        changed: list[tuple[tuple[float, float], frozenset[float]]] = []
        for pattern, backwards in _TRANSITIONS:
            for m in pattern.finditer(text):
                x, y = float(m.group(1)), float(m.group(2))
                figures = frozenset(abs(float(f)) for f in _FIGURE_RE.findall(m.group(0)))
                changed.append(((y, x) if backwards else (x, y), figures))
        out.append(
            Clause(
                a,
                b,
                stems,
                tuple(negs),
                frozenset(negated),
                tuple(object_cues),
                frozenset(asserted - denied),
                frozenset(denied - asserted),
                tuple(polarity),
                _comparison(text, tokens, cmp) if cmp else None,
                tuple(_numbers(text, tokens, cased[a:b] if cased is not None else None))
                if _DIGIT.search(text) or _NUM_WORD_RE.search(text)
                else (),
                changes=tuple(changed),
                anaphoric=bool(_ANAPHOR.match(text)),
                lead=tuple(st for st, _ in tokens if len(st) > 1)[:2],
                squashed=squash(text),
                negation_scope=frozenset(scope),
                unchanged=frozenset(unchanged),
                present=frozenset(present),
                asserts=_states(text),
                relatives=tuple(rels),
                cue=cue,
                downward=bool(cmp and _DOWNWARD.match(cmp.group(0))),
            )
        )
    return tuple(out)


def idf_weight(df: int, n_docs: int) -> float:
    """Inverse document frequency with add-one smoothing, floored at a small positive value."""
    return max(0.05, math.log((n_docs + 1) / (df + 0.5)))
