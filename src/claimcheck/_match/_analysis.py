"""What one sentence or claim says: its clauses, and in each its negations, directions, comparison, figures.

`analyse` reads a text once into an `Analysis` (stems, figures, named things, and `clauses`); each `Clause`
carries what `_conflicts.clause_conflicts` compares between a claim and its evidence: the negations of its
predicate (not those of a relative clause, a participle or a cut-off tail), what it negates as an object
("lacking X"), what it contrasts ("X rather than Y"), its direction words with the words they are said of,
which side of a comparison wins, and the changes it states ("from a to b"). The word-level pieces (cleaning,
stems, figures, the direction lexicon) are in `_text`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ._text import (
    _CAUSATIVE,
    _CONTRAST,
    _DIGIT,
    _ENTITY_RE,
    _GO,
    _NUM_WORD_RE,
    _PARTICLE,
    _SCALE_WORD_RE,
    _WORD,
    STOPWORDS,
    NumberMention,
    _brings_direction,
    _numbers,
    _word_polarity,
    clean_for_match,
    squash,
    stem,
)

__all__ = [
    "CHANGE_VERBS",
    "CONTRAST_JOIN",
    "Analysis",
    "Clause",
    "analyse",
    "clauses",
    "content_stems",
    "content_tokens",
]

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
    squashed: str
    compared: frozenset[str]
    # Entities named only as the setting or tool of what "we" do, and the entity the text opens with (its
    # subject, when no more than two words precede it).
    setting_only: frozenset[str]
    lead_entity: str | None
    comparison: tuple[frozenset[str], frozenset[str]] | None
    # The text's clauses, each with the negation, direction and figures said in it (`clauses`).
    clauses: tuple[Clause, ...] = ()


def _stem_tokens(norm: str) -> tuple[list[tuple[str, int]], bool]:
    """The content stems of a normalised text with their offsets, and whether it has a one-letter word (a
    token of a clause but not of the text)."""
    tokens: list[tuple[str, int]] = []
    letters = False
    for m in _WORD.finditer(norm):
        w = m.group(0)
        if w in STOPWORDS:
            continue
        if len(w) == 1 and not w.isdigit():
            letters = True
            continue
        tokens.append((stem(w), m.start()))
    return tokens, letters


def content_stems(text: str) -> tuple[str, ...]:
    """The ``stems`` `analyse` gives of ``text``, without the rest of its reading (clauses, numbers, names).

    Example: ``content_stems("Intermediate-task training")`` is ``analyse("Intermediate-task training").stems``.
    """
    return tuple(t for t, _ in _stem_tokens(" ".join(clean_for_match(text).lower().split()))[0])


def analyse(text: str, *, truncated: bool = False, remember: bool = False) -> Analysis:
    """Analyse one sentence or claim: normalised text, content stems, numbers, entities, and its clauses (each
    with its negations and directions).

    ``truncated``: the text is cut off, so a negation in its unfinished last clause is not read; ``remember``:
    its clauses' readings are kept for other texts with the same clauses (the units of an evidence paper).
    Example: ``analyse("We obtain a 5.4 point improvement over XLM-R Large.").numbers[0].value == 5.4``.
    """
    clean = clean_for_match(text)
    norm = " ".join(clean.lower().split())
    tokens, letters = _stem_tokens(norm)
    stems = tuple(t for t, _ in tokens)
    cased = " ".join(clean.split())  # ``norm`` with its case: the same offsets
    parts = clauses(norm, truncated=truncated, cased=cased, remember=remember)
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
    return Analysis(
        text=text,
        norm=norm,
        stems=stems,
        stem_set=stem_set,
        numbers=numbers,
        entities=tuple(dict.fromkeys(entities)),
        squashed=squash(clean),
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
    r"\b(?:(?P<win>outperform\w*|surpass\w*|beat\w*|better(?:ed|s)\b|exceed\w*|outnumber\w*|outpac\w*|outstrip\w*|better than|"
    r"superior to|preferable to|preferred (?:to|over))|(?P<lose>underperform\w*|(?:lag\w*|fall\w*|fell|trail\w*)\s+"
    r"behind|trail(?:s|ed|ing)?|worse than|inferior to)|"
    r"(?:higher|lower|greater|larger|smaller|more|less|fewer)\s+(?P<mid>(?:[\w.\-]+\s+|\([^()]*\)\s+){0,10}?)than|"
    r",?\s*(?:compared (?:to|with)|"
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
# The group a comparative of an amount is said of ("in boys", "among smokers"), after "than" and in the words
# between the comparative and "than"
_GROUP_AFTER_THAN = re.compile(r"\s+(in|among|for|with)\s+")
_GROUP_OPENS = re.compile(r"(?:in|among)\s")
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
    # "higher in boys than in girls", "a greater extension in cells lacking X than in cells with X": the
    # sides are the groups after the comparative and after "than", not the measure before it
    mid = m.group("mid") if not ranked else None
    if mid:
        group = _GROUP_AFTER_THAN.match(norm, m.end())
        at = mid.rfind(f" {group.group(1)} ") if group else -1
        if at < 0 and _GROUP_OPENS.match(mid):
            at = 0
        if at >= 0:
            lo, stop = m.start("mid") + at, m.end("mid")
            start = group.end() if group else m.end()
    quiet = [(b.start(), b.end()) for b in _BRACKETS.finditer(norm)] if "(" in norm or "[" in norm else []
    left = frozenset(st for st, pos in tokens if lo <= pos < stop and not any(a <= pos < b for a, b in quiet))
    end = _SIDE_END.search(norm, start + 1)
    while True:
        hi = end.start() if end else len(norm)
        right = frozenset(
            st for st, pos in tokens if start <= pos < hi and not any(a <= pos < b for a, b in quiet)
        )
        # "exceeded by that of B", "by the rate in B": the measure both sides share is not the side yet
        if (
            end is None
            or not right <= left
            or norm[end.start() : end.end()].strip() not in ("in", "of", "among", "from")
        ):
            break
        end = _SIDE_END.search(norm, end.end())
    both = left & right
    left, right = left - both, right - both
    if bool(by) != bool(m.group("lose")):
        return right, left
    return left, right


# One of `Clause.polarity`
Direction = tuple[tuple[int, int], str, frozenset[str], frozenset[str]]


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
    polarity: tuple[Direction, ...]
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
    r"nothing|unable|unlikely|insufficient|insignificant|non-?significant|fail(?:s|ed|ing)?(?=\s+to\b))\b|\b\w+n't\b"
)  # (the \b before \w+n't: a search tries it at a word's start only, where its first match starts anyway)
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
_FIGURE = r"[-+]?\d+(?:\.\d+)?"
# An endpoint of a change may carry when or where it was measured ("17.6% in 2015, down from 26.5% in 1990").
_WHEN = rf"(?:\s+(?:in|at|by|on|during)\s+{_FIGURE}(?:-\d+)?)?"  # "in 2015", "in 1996-2000"
_TRANSITIONS = (
    (re.compile(rf"\bfrom\s+({_FIGURE})\s*%?\s+(?:\w+\s+){{0,2}}?to\s+({_FIGURE})\s*%?{_WHEN}"), False),
    (re.compile(rf"\bto\s+({_FIGURE})\s*%?\s+(?:\w+\s+){{0,2}}?from\s+({_FIGURE})\s*%?{_WHEN}"), True),
    (re.compile(rf"({_FIGURE})\s*%?{_WHEN},?\s+(?:up|down)\s+from\s+({_FIGURE})\s*%?{_WHEN}"), True),
)
# Two figures set side by side ("(43% in 1979-1984 vs 52% in 1996-2000)", "(2.3% vs 14.1% matched)"): the
# two ends of what a change states, in no order of their own (a treatment and its control, or two times)
_VERSUS = re.compile(rf"(?<![\d.])({_FIGURE})\s*%?{_WHEN}\s+(?:vs\.?|versus)\s+({_FIGURE})\s*%?{_WHEN}")
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


# Words in -ly that are not adverbs
_NOT_ADVERBS = frozenset(
    "early family daily weekly monthly yearly hourly nightly quarterly supply apply reply rely july italy "
    "assembly anomaly homily ally lily holy jelly belly fly poly butterfly firefly".split()
)


def _adverb(word: str) -> bool:
    """Whether ``word`` is an adverb of manner or degree ("significantly", "markedly"), by its -ly."""
    return len(word) > 4 and word.endswith("ly") and word not in _NOT_ADVERBS


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


# What frames a finding rather than names what it is about: the study that found it and the verb that
# reports it ("Taken together, the meta-analysis found a clear association of A with B": about A and B).
_FRAMING_LEAD = frozenset(
    stem(w)
    for w in "taken together overall meta analysis analyses evidence data finding findings review reviews trial "
    "trials author authors researcher researchers investigator investigators demonstrate demonstrates "
    "demonstrated suggest suggests suggested indicate indicates indicated reveal reveals revealed observe "
    "observed report reports reported conclude concluded".split()  # ("find", "show": stopwords already)
)


def _lead(tokens: Sequence[tuple[str, int]]) -> tuple[str, ...]:
    """A clause's first two content stems after the words that frame it (`_FRAMING_LEAD`): roughly, the head
    of its subject."""
    content = [st for st, _ in tokens if len(st) > 1]
    i = 0
    while i < len(content) and content[i] in _FRAMING_LEAD:
        i += 1
    return tuple(content[i : i + 2] if i < len(content) else content[:2])


# A participle after "not" ("not given", "not expressing"), and the word before a position
_PARTICIPLE = re.compile(r"\s+([a-z]+(?:ing|ed)|given|taken|seen|shown|known)\b")
_WORD_BEFORE = re.compile(r"([a-z0-9]+)\W*$")
# The predicate after a participle that describes ("patients not given X, 12% developed", "cells not exposed
# to Y were"): without one, the participle is the predicate ("Vaccines not tested on children.")
_LATER_VERB = re.compile(
    r",\s+\S|\b(?:is|are|was|were|has|have|had|did|do|does|can|could|may|might|will|would|should|must|show|"
    r"shows|showed)\b|\b[a-z]{3,}ed\b"
)


def _describes(text: str, at: int) -> bool:
    """Whether the word before ``at`` is a content word (a noun the participle after the "not" describes:
    "patients not given"), not an auxiliary or a joining word ("was not given", "and not treated")."""
    before = _WORD_BEFORE.search(text, 0, at)
    word = before.group(1) if before is not None else ""
    # (not "it's not known": the "s" of a contraction)
    return len(word) > 2 and word not in STOPWORDS and not word.isdigit()


def _states(text: str) -> bool:
    """Whether a clause states something: it does not ask or plan ("to evaluate whether X improves Y"), or
    it goes on to say what came of it ("was used to investigate X, yielding mutants with ...")."""
    ask = _ASKS.search(text)
    return ask is None or _RESULT.search(text, ask.end()) is not None


def clauses(
    norm: str, *, truncated: bool = False, cased: str | None = None, remember: bool = False
) -> tuple[Clause, ...]:
    """The clauses of a normalised text with what each says (see `Clause`); ``cased`` is the same text with
    its case kept (same offsets), for telling a name's number ("Llama 2") from a quantity; ``remember``: keep
    each clause's reading for the next text that has the same clause in the same context (an evidence unit).

    Example: ``clauses("a helps, but b does not")[1].negations == ("not",)``
    """
    cuts = [0]
    # a semicolon inside brackets parts figures ("(adjusted OR, 0.50; 95% CI, 0.33-0.76)"), not clauses
    bracketed = [(m.start(), m.end()) for m in _BRACKETS.finditer(norm)] if "(" in norm or "[" in norm else []
    for m in _CLAUSE_BREAK.finditer(norm):
        if bracketed and any(a < m.start() < b for a, b in bracketed):
            continue
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

    read = _remembered_clause if remember else _clause
    out: list[Clause] = []
    for a, b in spans:
        n = b - a
        # What the clause's reading depends on besides its words: the quiet spans over it and where a cut-off
        # tail starts (both relative to it), and its relative clauses (each clipped as `_relative_clauses`
        # clips it), with the five characters before it when one opens within them (a pattern looks back).
        cut = min(max(cut_tail - a, 0), n)
        silent = tuple((max(x, a) - a, min(y, b) - a) for x, y in quiet if x < b and y > a)
        own_relatives: list[tuple[int, int]] = []
        for k, (r0, r1) in enumerate(relatives):
            if a <= r0 < b and r0 < cut_tail:
                nxt = relatives[k + 1][0] if k + 1 < len(relatives) else r1
                own_relatives.append((r0 - a, min(r1, nxt, b, cut_tail) - a))
        before = norm[max(0, a - 5) : a] if any(r0 < 5 for r0, _ in own_relatives) else ""
        clause = read(
            norm[a:b], cased[a:b] if cased is not None else None, silent, cut, tuple(own_relatives), before
        )
        out.append(clause if a == 0 else replace(clause, start=a, end=b))
    return tuple(out)


def _clause(
    text: str,
    cased: str | None,
    quiet: tuple[tuple[int, int], ...],
    cut: int,
    relatives: tuple[tuple[int, int], ...],
    before: str,
) -> Clause:
    """One clause (its offsets 0 and ``len(text)``) as `clauses` reads it: ``cased`` is its text with case kept,
    ``quiet`` the spans where a negation is not read, ``cut`` where a cut-off tail starts, ``relatives`` its
    relative clauses, ``before`` up to five characters of the text before it (when a relative clause opens
    near its start). Every position is relative to the clause."""

    def loud(pos: int) -> bool:
        return not any(x <= pos < y for x, y in quiet)

    said = [(m.group(0), m.start()) for m in _WORD.finditer(text)]  # every word, with its offset
    tokens: list[tuple[str, int]] = []
    kept: list[tuple[str, int]] = []  # the words of ``tokens``, as written
    content: list[str] = []
    for w, pos in said:
        if w not in STOPWORDS:
            st = stem(w)
            tokens.append((st, pos))
            kept.append((w, pos))
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
    participles: set[int] = set()  # where a "not" negates a participle, not the predicate
    present: set[str] = set()
    for m in _OBJ_NEG.finditer(text):
        if _UNDONE.search(text, max(0, m.start() - 7), m.start()):
            present |= _content_after(text, m.end(), 2)  # "not without risk": risk is there
        elif loud(m.start()):
            negated |= _content_after(text, m.end(), 2)
            object_cues.append(m.group(0))
    negs: list[str] = []
    for m in _PRED_NEG.finditer(text):
        word = m.group(0)
        if m.start() in contrast_at or not loud(m.start()):
            continue
        participle = _PARTICIPLE.match(text, m.end()) if word == "not" else None
        if (
            participle is not None
            and _describes(text, m.start())
            and _LATER_VERB.search(text, participle.end())
        ):
            # "patients not given X", "neurons not expressing APOE": it describes the things, as "without"
            # would; the finding is what is said of them
            negated |= _content_after(text, m.end(), 2)
            object_cues.append(f"not {participle.group(1)}")
            participles.add(m.start())
            continue
        if word in ("nor", "neither") and negs:
            continue  # "neither A nor B", "did not differ, neither for A": one negation, not two that cancel
        negs.append(word)
    cmp = _COMPARATIVE.search(text)
    # "A underperforms B", "A lags behind B", "A is worse than B" say who wins by their roles (see
    # `_comparison`), not by a direction of their own
    own = range(cmp.start(), cmp.end()) if cmp and (cmp.group("win") or cmp.group("lose")) else range(0)
    cue = frozenset(stem(w) for w in _WORD.findall(text[own.start : own.stop]) if w not in STOPWORDS)
    # a direction word in a relative clause still says the finding; one cut off may not
    polarity = _directions(text, said, tokens, kept, own, cut)
    scope: set[str] = set()
    unchanged: set[str] = set()
    for m in _PRED_NEG.finditer(text) if negs else ():
        # "neither A, nor B": A and B
        if m.start() not in contrast_at and m.start() not in participles and loud(m.start()):
            aside = _ASIDE.match(text, m.end())
            scope |= _content_after(text, aside.end() if aside else m.end(), 3)
            unchanged |= _content_after(text, aside.end() if aside else m.end(), 1) & CHANGE_VERBS
    k = len(before)
    rels = _relative_clauses(
        before + text,
        (k, k + len(text)),
        tokens,
        [(x + k, y + k) for x, y in relatives],
        k + cut,
        contrast_at,
    )
    for m in _WITH.finditer(text):
        present |= _content_after(text, m.end(), 2)
    return Clause(
        0,
        len(text),
        stems,
        tuple(negs),
        frozenset(negated),
        tuple(object_cues),
        frozenset(asserted - denied),
        frozenset(denied - asserted),
        polarity,
        _comparison(text, tokens, cmp) if cmp else None,
        tuple(_numbers(text, tokens, cased)) if _DIGIT.search(text) or _NUM_WORD_RE.search(text) else (),
        changes=_changes(text),
        anaphoric=bool(_ANAPHOR.match(text)),
        lead=_lead(tokens),
        squashed=squash(text),
        negation_scope=frozenset(scope),
        unchanged=frozenset(unchanged),
        present=frozenset(present),
        asserts=_states(text),
        relatives=rels,
        cue=cue,
        downward=bool(cmp and _DOWNWARD.match(cmp.group(0))),
    )


# A clause's reading is a function of its words and the few things `clauses` passes along (`_clause`): in an
# evidence paper the same clause recurs (a two-sentence window repeats its sentences' clauses), so there it is
# read once while remembered. 1,024 readings hold about 4 MB (tracemalloc); of the evidence units' clause
# readings on the many-paper benchmark 75% were done already. Claims are not remembered here: a batch's claims
# share few clauses (7% in bench_verify's), and keeping them would cost more than it saves.
_remembered_clause = lru_cache(maxsize=1024)(_clause)


def _directions(
    text: str,
    said: Sequence[tuple[str, int]],
    tokens: Sequence[tuple[str, int]],
    kept: Sequence[tuple[str, int]],
    own: range,
    cut: int,
) -> tuple[Direction, ...]:
    """A clause's direction words (`Clause.polarity`), each with the two content words before it and after it
    that it is said of. ``said``: every word of ``text`` with its offset; ``tokens``/``kept``: its non-stopwords
    as stems and as written; ``own``: where its ranking comparative stands (its words rank, they are no
    direction); ``cut``: where a cut-off tail starts."""
    out: list[Direction] = []
    # (worked out at the first direction word: most clauses have none)
    joins: list[int] = []
    things: list[tuple[str, int]] = []
    thing_starts: list[int] = []
    read = False
    for n, (w, at) in enumerate(said):
        if at >= cut:
            continue
        keys = _word_polarity(w)
        if not keys and w in _PARTICLE and n and said[n - 1][0] in _GO:
            keys = _word_polarity(_PARTICLE[w])
        if keys and stem(w) in _CAUSATIVE and _brings_direction(said, n):
            continue  # "induces a reduction in X": the reduction is the direction, not "induces"
        if keys and at not in own:
            if not read:
                read = True
                joins = [m.start() for m in _PHRASE_JOIN.finditer(text)]
                # what a direction word is said of are things, not the adverbs beside it ("was significantly
                # lower")
                things = [(st, pos) for (st, pos), (w, _) in zip(tokens, kept, strict=True) if not _adverb(w)]
                thing_starts = [pos for _, pos in things]
            # what the word is said of: the content words either side ("small additional improvements");
            # every occurrence is kept, so "less accurate ... for more complex tasks" says both
            # (not past a comma or a subordinating word: "survival increases as the levels fall" says
            # nothing of the levels by "increases")
            i = bisect.bisect_left(thing_starts, at)
            j = i + 1 if i < len(things) and things[i][1] == at else i
            k = bisect.bisect_left(joins, at)
            lo = joins[k - 1] if k else -1
            hi = joins[k] if k < len(joins) else len(text)
            left = frozenset(st for st, pos in things[max(0, i - 2) : i] if pos > lo)
            right = frozenset(st for st, pos in things[j : j + 2] if pos < hi)
            out.extend((key, w, left, right) for key in keys)
    return tuple(out)


def _relative_clauses(
    norm: str,
    span: tuple[int, int],
    tokens: Sequence[tuple[str, int]],
    relatives: Sequence[tuple[int, int]],
    cut_tail: int,
    contrast_at: set[int],
) -> tuple[tuple[frozenset[str], frozenset[str], tuple[str, ...]], ...]:
    """Each relative clause of the clause at ``span`` of ``norm`` with what it describes, what it says and its
    negations (`Clause.relatives`): a claim's relative clause is compared only with the evidence's relative
    clause of the same thing (`clause_conflicts`). ``tokens`` are the clause's, offsets into it."""
    a, b = span
    out = []
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
            out.append((head, body, rneg))
    return tuple(out)


def _changes(text: str) -> tuple[tuple[tuple[float, float], frozenset[float]], ...]:
    """The changes a clause states (`Clause.changes`): "from a to b" and its other orders, each with every
    figure of its phrase; two figures set side by side ("43% vs 52%") either way round."""
    changed: list[tuple[tuple[float, float], frozenset[float]]] = []
    for pattern, backwards in _TRANSITIONS:
        for m in pattern.finditer(text):
            x, y, figures = _ends(m)
            changed.append(((y, x) if backwards else (x, y), figures))
    for m in _VERSUS.finditer(text) if " v" in text else ():
        x, y, figures = _ends(m)
        changed.extend((((x, y), figures), ((y, x), figures)))  # either way round: no direction
    return tuple(changed)


def _ends(m: re.Match[str]) -> tuple[float, float, frozenset[float]]:
    """The two figures a change's pattern matched, in the order written, and every figure of its phrase."""
    return (
        float(m.group(1)),
        float(m.group(2)),
        frozenset(abs(float(f)) for f in _FIGURE_RE.findall(m.group(0))),
    )
