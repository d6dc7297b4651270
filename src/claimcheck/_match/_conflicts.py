"""A claim analysed for matching, and what an evidence clause states against it.

`prepare_claim` reads a claim once per match into a `ClaimInfo` (its stems weighed by IDF, and per clause what
aligning it needs). `clause_conflicts` aligns each claim clause with the evidence clause holding most of its
weighted words and its subject, and reports what that clause states against it (`Conflict`): a negation of
the predicate, an absence against a presence, a direction said the other way round, the sides of a comparison
swapped, a change reversed, the other of two contrasted values, or another figure in the same slot. The figure
helpers (`_number_matched`, `_slot`, `_changed_alike`) say whether a claim's figure is said of the same thing.
The feature vectors built from all this are in `_features`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ._analysis import CONTRAST_JOIN, Analysis, Clause, analyse, content_tokens
from ._text import NumberMention

__all__ = [
    "ALIGN",
    "ClaimInfo",
    "Conflict",
    "clause_conflicts",
    "comparison_said",
    "format_number",
    "prepare_claim",
    "roles_swapped",
]


@dataclass(frozen=True, slots=True)
class ClaimInfo:
    """A claim analysed once per match: stems with their global IDF weights, and whether it is cut off."""

    info: Analysis
    weights: dict[str, float]
    total: float
    rare: tuple[str, ...]
    truncated: bool
    # Filled by `candidate_units`: the IDF-weighted coverage of the two best units, best first (for the margin
    # between the best unit and the runner-up).
    ranked: list[float] = field(default_factory=list)
    # Per clause of the claim, what aligning it needs (`_align`), worked out once: its weight, or 0 when it
    # cannot be aligned, and the things it names.
    clause_terms: tuple[tuple[float, tuple[str, ...]], ...] = ()
    # Whether a clause of it ranks two sides with a comparative ("outperforms", "is surpassed by")
    ranks: bool = False


def prepare_claim(text: str, idf: dict[str, float], idf_default: float, truncated: bool) -> ClaimInfo:
    """Analyse a claim; a truncated claim loses its last (possibly cut) word.

    Example: ``prepare_claim("MNLI helps.", {}, 5.0, False).rare == ("mnli", "help")``
    """
    if truncated:
        cut = text.rstrip()
        sp = cut.rfind(" ")
        if sp > 0:
            text = cut[:sp]
    info = analyse(text, truncated=truncated)
    # In the order of the text (not of a set): float sums, and ties between units, then come out the same
    # in every process, so verdicts and refitted weights do not depend on PYTHONHASHSEED.
    weights = {s: idf.get(s, idf_default) for s in dict.fromkeys(info.stems)}
    total = sum(weights.values()) or 1.0
    rare = tuple(sorted(weights, key=lambda s: (-weights[s], s))[:3])
    terms = []
    for c in info.clauses:
        weight = _clause_weight(c.stems, weights)
        if len(c.stems & weights.keys()) < 2:
            weight = 0.0
        terms.append((weight, tuple(e for e in info.entities if e in c.squashed)))
    ranks = any(c.cue for c in info.clauses)
    return ClaimInfo(info, weights, total, rare, truncated, clause_terms=tuple(terms), ranks=ranks)


def _num_close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a)) or (a != 0 and abs(a - b) / abs(a) < 1e-6)


def _number_matched(m: NumberMention, unit: Analysis | Clause, claim: Sequence[NumberMention] = ()) -> bool:
    """The claim's number is in the unit, and said of the same thing: the words next to it meet
    ("9 target tasks" is not "nine intermediate tasks"; "9 different intermediate tasks" is).

    ``claim``: all the claim's numbers (see `_slot`)."""
    # A number said right after the same word as the claim's ("MLQA, by 1.4" against "MLQA, by 3.1") is the
    # claim's slot: when the unit fills that slot, only that figure counts, not the same value said elsewhere.
    slot = _slot(m, unit.numbers, claim)
    if slot:
        return any(_num_close(m.value, n.value) for n in slot)
    mine = set(m.after[:2]) | set(m.before[-2:])
    for n in unit.numbers:
        if not _num_close(m.value, n.value):
            continue
        if not mine or mine & (set(n.after) | set(n.before)):
            return True
    return False


def _slot(
    m: NumberMention, numbers: Sequence[NumberMention], claim: Sequence[NumberMention] = ()
) -> list[NumberMention]:
    """The unit's figures said after the same word as ``m``. None when each of them is another of the claim's
    own figures that is not swapped with ``m`` (the unit does not put ``m`` in that figure's slot): the
    constituents are only in another order ("99.4% precision at 95.6% recall" against "a precision of 99.4%
    for a recall of 95.6%"; "41.8 after 3.5 days of training on eight GPUs" against "41.8 after training for
    3.5 days on eight GPUs"), while "a precision of 0.78 and a recall of 0.95" against a row with precision
    0.95 and recall 0.78 still puts another figure in each slot."""
    slot = [n for n in numbers if m.before and n.before and n.before[-1] == m.before[-1]]
    if not slot or not claim:
        return slot
    # the claim's other figures that the unit says in m's slot: all of the slot must be such
    mine = [
        o
        for o in claim
        if o is not m and not _num_close(o.value, m.value) and any(_num_close(n.value, o.value) for n in slot)
    ]
    if not all(any(_num_close(n.value, o.value) for o in mine) for n in slot):
        return slot
    for o in mine:
        theirs = [n for n in numbers if o.before and n.before and n.before[-1] == o.before[-1]]
        if any(_num_close(n.value, m.value) for n in theirs):
            return slot  # swapped: the unit says m where the claim says o
    return []


def _changed_alike(claim: Sequence[Clause], unit: Sequence[Clause]) -> frozenset[float]:
    """The figures of a change the claim states ("reached 17.6% in 2015, down from 26.5% in 1990") that the
    evidence states of the same change, from the same figure to the same figure ("declined from 26.5% in 1990
    to 17.6% in 2015"): each is said of what the change is said of, whatever words stand around it in either
    order (`_number_matched` reads only a figure's neighbours)."""
    out: set[float] = set()
    for c in claim:
        for (x, y), said in c.changes:
            for u in unit:
                for (ux, uy), usaid in u.changes:
                    if _num_close(x, ux) and _num_close(y, uy):
                        out.update(v for v in said if any(_num_close(v, w) for w in usaid))
    return frozenset(out)


# Comparatives that rank by an amount: "exceeds" is "is more than" (where "surpasses" may be "is better than")
_AMOUNT_RANKS = frozenset(("exceed", "outnumber"))


def roles_swapped(claim: Clause, unit: Clause) -> bool:
    """ "A outperforms B" against "B outperforms A" (or "A is outperformed by B"): each side of the claim is
    said on the evidence's other side (or on neither), and more words are swapped than kept. A side that stays
    on its own side is no swap, whatever else moved: in "patients bearing the normal allele lag behind those
    carrying a loss-of-function allele" the words of the population are on the loser's side, and in the
    evidence on the winner's ("individuals with breast cancer carrying a loss-of-function allele ... more
    rapidly than individuals bearing the normal allele").
    A lesser amount against a rank ("A is less sensitive than B", "A has lower error than B" against "B
    outperforms A") says nothing of which way round: the lesser amount may win or lose."""
    if claim.comparison is None or unit.comparison is None:
        return False
    cl, cr = claim.comparison
    ul, ur = unit.comparison
    if (claim.downward and unit.cue) or (unit.downward and claim.cue):
        # "A is exceeded by B", "B outnumbers A" rank an amount: "A is lower than B" says the same
        if not (claim.cue | unit.cue) & _AMOUNT_RANKS:
            return False
        if claim.downward:
            cl, cr = cr, cl
        else:
            ul, ur = ur, ul
    kept_win, kept_lose = len(cl & ul), len(cr & ur)
    moved_win, moved_lose = len(cl & ur), len(cr & ul)
    return moved_win + moved_lose > kept_win + kept_lose and moved_win >= kept_win and moved_lose >= kept_lose


# Share of a claim clause's weighted stems that an evidence clause must hold to be aligned with it: only an
# aligned clause can contradict the claim (a "neither" in another clause of the sentence says nothing of it).
ALIGN = 0.5


@dataclass(frozen=True, slots=True)
class Conflict:
    """A disagreement between a claim clause and the evidence clause aligned with it.

    ``kind``: negation (of the predicate), object ("without X" against X), direction (increase/decrease, and
    the like), roles (who outperforms whom), transition ("from a to b" against "from b to a"), contrast ("X
    rather than Y" against Y), numbers. ``cue``: a phrase quoting the words that fired, for findings.
    """

    kind: str
    cue: str
    clause: tuple[int, int]  # the evidence clause, as offsets into the unit's normalised text


def _clause_weight(stems: frozenset[str], weights: dict[str, float]) -> float:
    return sum(weights.get(s, 0.0) for s in stems)


def _align(
    c: Clause, unit: Analysis, weights: dict[str, float], total: float, named: Sequence[str]
) -> Clause | None:
    """The evidence clause holding the largest weighted share of ``c``'s stems and its subject (one of the things the claim clause names, else one of its first two content words), if it is aligned:
    only a clause that states something (not "to evaluate whether ...") is. ``total`` is the claim clause's
    weight (0: it has too few weighted words to align), ``named`` the things it names."""
    if total <= 0:
        return None
    # A clause's stems are among its text's (`Analysis.stem_set`): when the claim clause's weight found
    # anywhere in the unit falls short, no clause of it aligns (85% of the units a claim meets, told cheaply).
    # (The margin keeps a clause whose own sum, added in another order, reaches ALIGN by a rounding.)
    reach = c.stems & unit.stem_set
    if len(reach) < 2 or _clause_weight(reach, weights) / total < ALIGN - 1e-9:
        return None
    best, best_cov = None, 0.0
    for u in unit.clauses:
        if not u.asserts:
            continue  # "to evaluate whether X improves Y" states nothing
        # its subject: a clause that points back ("This effect was not seen") may be about anything before it
        if not u.anaphoric and not (
            any(e in u.squashed for e in named) if named else not c.lead or set(c.lead) & u.stems
        ):
            continue
        shared = c.stems & u.stems
        if len(shared) < 2:
            continue
        cov = _clause_weight(shared, weights) / total
        if cov > best_cov:
            best, best_cov = u, cov
    return best if best_cov >= ALIGN else None


def comparison_said(claim: ClaimInfo, unit: Analysis) -> frozenset[str]:
    """The words of the claim's ranking comparatives ("is surpassed by", "lags behind") that ``unit`` says in
    words of its own: the evidence clause aligned with the claim's states a comparison of the same two sides
    the same way round ("B is surpassed by A" against "A is superior to B", "A is more effective than B"),
    not of a lesser amount ("A has lower X than B", which may rank A first or last).

    Example: ``comparison_said(prepare_claim("B is surpassed by A.", {}, 5.0, False), analyse("A is superior to B."))``
    """
    out: set[str] = set()
    for c, (total, named) in zip(claim.info.clauses, claim.clause_terms, strict=True):
        if not c.cue or c.comparison is None:
            continue
        u = _align(c, unit, claim.weights, total, named)
        if u is None or u.comparison is None or u.downward:
            continue
        if (
            c.comparison[0] & u.comparison[0]
            and c.comparison[1] & u.comparison[1]
            and not roles_swapped(c, u)
        ):
            out |= c.cue
    return frozenset(out)


# The least match of a direction word's neighbours (`_neighbours`) that says it is said of the same thing.
DIRECTION_MATCH = 2


def _neighbours(
    a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]], *, either_side: bool
) -> int:
    """How far two direction words are said of the same thing: their neighbours in the same place (before,
    after) count twice and any shared neighbour once; with ``either_side``, any shared neighbour counts twice
    whichever side of the word it stands on ("bypass products fall" is "reducing bypass products"; "the
    severity of the mispair increases" is "increases in mispair severity"), and once more in the same place."""
    same = len(a[0] & b[0]) + len(a[1] & b[1])
    shared = len((a[0] | a[1]) & (b[0] | b[1]))
    return 2 * shared + same if either_side else 2 * same + shared


def _direction_conflict(c: Clause, u: Clause) -> str | None:
    """The cue of a direction the evidence clause says the other way round, if any.

    The direction words of each group (increase/decrease, more/less, ...) are paired one to one, the claim's
    with the evidence's, as their neighbours match best over all of them (`_pairing`): "bypass products fall
    from 85% to 6% as the severity of the mispair increases" against "increases in mispair severity
    reducing bypass products" pairs "fall" with "reducing" and "increases" with "increases", though
    "reducing" stands right after "mispair severity". A pair of the two sides of a group disagrees ("less
    accurate ... for less complex tasks" against "less accurate ... for more complex tasks"); when two
    pairings match as well, the one that agrees more is read."""
    if not c.polarity or not u.polarity:
        return None
    for gi in dict.fromkeys(gi for (gi, _), *_ in c.polarity):
        mine = [p for p in c.polarity if p[0][0] == gi]
        theirs = [p for p in u.polarity if p[0][0] == gi]
        if not theirs:
            continue
        agree = [[side == uside for (_, uside), *_ in theirs] for (_, side), *_ in mine]
        scores = [
            [
                _neighbours((left, right), (ul, ur), either_side=same)
                for ((_, _), _, ul, ur), same in zip(theirs, row, strict=True)
            ]
            for (_, _, left, right), row in zip(mine, agree, strict=True)
        ]
        for i, k in _pairing(scores, agree):
            if mine[i][0][1] != theirs[k][0][1]:
                return f"'{mine[i][1]}' in the claim against '{theirs[k][1]}' in the evidence"
    return None


def _pairing(scores: list[list[int]], agree: list[list[bool]]) -> list[tuple[int, int]]:
    """The one-to-one pairs (claim word, evidence word) of the best total neighbour match (pairs matching
    less than `DIRECTION_MATCH` are not paired), ties going to the pairing with more agreeing pairs. Exact
    over up to 4 words a side (a clause rarely says more of one group), else each claim word in turn takes its
    best free match."""
    n, m = len(scores), len(scores[0]) if scores else 0
    if n > 4 or m > 4:
        taken: set[int] = set()
        out = []
        for i in range(n):
            free = [k for k in range(m) if k not in taken and scores[i][k] >= DIRECTION_MATCH]
            if free:
                k = max(free, key=lambda k: (scores[i][k], agree[i][k]))
                taken.add(k)
                out.append((i, k))
        return out
    return _best_pairing(scores, agree, m)[1]


def _best_pairing(
    scores: list[list[int]], agree: list[list[bool]], m: int, i: int = 0, used: int = 0
) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """`_pairing`'s exhaustive search: the best ``(total, agreeing)`` of pairing claim words ``i`` on with the
    evidence words not in ``used`` (a bit each), and those pairs; of equal ones, the first in the order tried
    (the claim word unpaired, then paired with each evidence word in turn)."""
    if i == len(scores):
        return (0, 0), []
    best = _best_pairing(scores, agree, m, i + 1, used)  # the claim word unpaired
    for k in range(m):
        if not used >> k & 1 and scores[i][k] >= DIRECTION_MATCH:
            (total, agreeing), pairs = _best_pairing(scores, agree, m, i + 1, used | 1 << k)
            score = (total + scores[i][k], agreeing + agree[i][k])
            if score > best[0]:
                best = (score, [(i, k), *pairs])
    return best


def _relative_conflict(c: Clause, u: Clause) -> str | None:
    """The cue of a negation that differs between a relative clause of the claim and the evidence's relative
    clause of the same thing (it describes a word both name, and they share most of what it says): "corpora,
    which are not expensive to obtain" against "corpora, which are expensive to obtain". A relative clause of
    the claim with no such counterpart never conflicts (it describes; it is not the finding)."""
    for head, body, negs in c.relatives:
        for uhead, ubody, unegs in u.relatives:
            if len(negs) % 2 == len(unegs) % 2 or not head & uhead:
                continue
            if len(body & ubody) * 2 >= min(len(body), len(ubody)):
                said = f"'{negs[0]}' in the claim" if len(negs) % 2 else f"'{unegs[0]}' in the evidence"
                return f"{said}, in a relative clause of the same thing"
    return None


def _beside(tokens: Sequence[tuple[str, str]]) -> dict[tuple[str, int, str], str]:
    """Each stem with a neighbour: (stem, -1 for the word before it or 1 for the one after, that word's stem)
    -> the word as written."""
    out: dict[tuple[str, int, str], str] = {}
    for i, (w, st) in enumerate(tokens):
        if i + 1 < len(tokens):
            out.setdefault((st, 1, tokens[i + 1][1]), w)
        if i > 0:
            out.setdefault((st, -1, tokens[i - 1][1]), w)
    return out


def _sides(c: Clause) -> frozenset[tuple[int, int]]:
    return frozenset(key for key, *_ in c.polarity)


def _contrasted(
    c: Clause, u: Clause, claim_norm: str, unit: Analysis
) -> tuple[Clause, frozenset[str], str | None]:
    """The evidence clause to check claim clause ``c`` against, when ``u`` (the one aligned with it) is one of
    two clauses of a sentence that say different things of two values of one slot ("subcutaneous fat develops
    between embryonic days 14 and 18, whereas gonadal fat develops postnatally"; "Dicer-2 generates siRNAs,
    whereas Dicer-1 produces miRNAs"): the values are the words only one clause says, beside the same word,
    said once in each ("fat", "dicer"). A claim that names the sibling's value in that place, and not ``u``'s:
    - and says the sibling's finding (its direction word, or more of its own words) is about the sibling:
      it is checked against the sibling ("... whereas the SMC5/6 complex promotes them");
    - and says ``u``'s finding attaches it to the other value: ``u`` is returned denying the sibling's value
      and asserting its own (the "X rather than Y" of two clauses), with the claim's words of that value and
      a cue quoting both values.
    Otherwise ``u`` itself, unchanged."""
    at = next((i for i, x in enumerate(unit.clauses) if x is u), -1)
    siblings = [
        unit.clauses[j]
        for j in (at - 1, at + 1)
        if 0 <= j < len(unit.clauses)
        and CONTRAST_JOIN.search(
            unit.norm[min(u.end, unit.clauses[j].end) : max(u.start, unit.clauses[j].start)]
        )
    ]
    if at < 0 or not siblings:
        return u, frozenset(), None
    ctoks = content_tokens(claim_norm[c.start : c.end])
    cstems = {st for _, st in ctoks}
    cbeside = _beside(ctoks)
    utoks = content_tokens(unit.norm[u.start : u.end])
    ustems = {st for _, st in utoks}
    for v in siblings:
        vtoks = content_tokens(unit.norm[v.start : v.end])
        vstems = {st for _, st in vtoks}
        vbeside = _beside(vtoks)
        mine: dict[str, str] = {}  # u's values the claim does not say
        theirs: dict[str, str] = {}  # the sibling's values the claim says in their place
        ucount = Counter(st for _, st in utoks)
        vcount = Counter(st for _, st in vtoks)
        for (y, side, head), yw in _beside(utoks).items():
            # the word both values stand beside is said once in each clause: one slot, not a word the
            # sentence repeats ("intermediate-task" thrice)
            if y in vstems or (y, side, head) in cbeside or ucount[head] != 1 or vcount[head] != 1:
                continue
            for (x, side2, head2), xw in vbeside.items():
                if side2 == side and head2 == head and x not in ustems and (x, side, head) in cbeside:
                    mine[y], theirs[x] = yw, xw
        if not theirs:
            continue
        # whose finding the claim says: a direction word one clause says and the other says the other way
        # round decides; else the clause more of whose own words (beside the values) the claim says
        # (a direction both clauses say the same way, "greater consumption of A ... whereas greater
        # consumption of B", decides nothing)
        csides, usides, vsides = _sides(c), _sides(u), _sides(v)
        to_u = sum(1 for g, sd in csides if (g, sd) in usides - vsides and (g, 1 - sd) in vsides)
        to_v = sum(1 for g, sd in csides if (g, sd) in vsides - usides and (g, 1 - sd) in usides)
        if not to_u and not to_v:
            to_u = len(cstems & (ustems - vstems - mine.keys()))
            to_v = len(cstems & (vstems - ustems - theirs.keys()))
        if to_v > to_u:
            return v, frozenset(), None
        if to_u > to_v:
            cue = (
                f"the evidence says this of '{next(iter(mine.values()))}', and contrasts it with "
                f"'{next(iter(theirs.values()))}'"
            )
            denied = replace(u, asserted=u.asserted | mine.keys(), denied=u.denied | theirs.keys())
            return denied, frozenset(theirs), cue
    return u, frozenset(), None


def clause_conflicts(
    claim: ClaimInfo, unit: Analysis, absent: Sequence[NumberMention] = ()
) -> list[Conflict]:
    """What the evidence clauses aligned with the claim's clauses state against it (see `Conflict`).

    Negation, direction and comparison roles combine: two that flip together cancel ("does not increase"
    against "decreases" is no conflict; "A is outperformed by B" against "B outperforms A" neither).
    A number no cited source states is absent, not conflicting.
    Example: ``clause_conflicts(prepare_claim("X improves Y.", {}, 5.0, False), analyse("X does not improve Y."))``
    """
    out: list[Conflict] = []
    absent_values = [m.value for m in absent]
    for c, (total, named) in zip(claim.info.clauses, claim.clause_terms, strict=True):
        u = _align(c, unit, claim.weights, total, named)
        if u is None:
            continue
        u, named_other, other_cue = _contrasted(c, u, claim.info.norm, unit)
        where = (u.start, u.end)
        flips: list[Conflict] = []
        # the odd negation must be about something both say ("no consensus on screening" says nothing of a
        # claim about what screening does to mortality)
        negated_side = u if u.negated_predicate else c
        other = c if negated_side is u else u
        # "does not affect binding" says binding is as it was: it denies a claim of that change or of a
        # direction, not one that binding is there ("still show binding")
        kept = bool(negated_side.unchanged) and not (negated_side.unchanged & other.stems or other.polarity)
        # "no benefit" is "an absence of benefit", "without benefit": the other side negates the same thing
        said_absent = "no" in negated_side.negations and bool(negated_side.negation_scope & other.negated)
        if (
            c.negated_predicate != u.negated_predicate
            and negated_side.negation_scope & other.stems
            and not kept
            and not said_absent
        ):
            cue = (
                f"'{u.negations[0]}' in the evidence"
                if u.negated_predicate
                else f"'{c.negations[0]}' in the claim"
            )
            flips.append(Conflict("negation", cue, where))
        relative = _relative_conflict(c, u)
        if relative is not None:
            out.append(Conflict("negation", relative, where))
        direction = _direction_conflict(c, u)
        if direction is not None:
            flips.append(Conflict("direction", direction, where))
        if roles_swapped(c, u):
            flips.append(Conflict("roles", "the two sides of the comparison are the other way round", where))
        if len(flips) % 2 == 1:
            out.extend(flips)
        # A change stated the other way round ("from 0.41 to 0.32" against "from 0.32 to 0.41") disagrees
        # whatever verb says it; the same change in another word order ("to 0.41 from 0.32") agrees.
        theirs = u.transitions if c.changes else ()
        for x, y in c.transitions:
            if (y, x) in theirs and (x, y) not in theirs:
                cue = f"'from {x:g} to {y:g}' in the claim against 'from {y:g} to {x:g}' in the evidence"
                out.append(Conflict("transition", cue, where))
                break
        # "lacking X" against "with X": only an explicit presence disagrees with an absence (an abstract that
        # names X without saying it is there may be saying something else about X)
        if u.negated & c.present and u.object_cues:
            out.append(Conflict("object", f"'{u.object_cues[0]}' in the evidence", where))
        elif c.negated & u.present and c.object_cues:
            out.append(Conflict("object", f"'{c.object_cues[0]}' in the claim", where))
        # "X rather than Y" against a claim of Y that does not also say X (the claim's own "rather than Z"
        # denies Z, which it then does not assert)
        stated = (c.stems | named_other) - c.denied
        if u.denied & stated and not u.asserted <= stated:
            cue = other_cue or "the evidence says the other of the two things it names"
            out.append(Conflict("contrast", cue, where))
        alike = _changed_alike((c,), (u,)) if c.changes else frozenset()
        for m in c.numbers:
            if _in(m.value, frozenset(absent_values)) or _number_matched(m, u, c.numbers) or m.value in alike:
                continue
            slot = _slot(m, u.numbers, c.numbers)
            if slot:
                said_n = format_number(slot[0].value, slot[0].percent)
                out.append(
                    Conflict(
                        "numbers",
                        f"the claim's {format_number(m.value, m.percent)} against {said_n} in the evidence",
                        where,
                    )
                )
                break
    return out


def _in(value: float, values: frozenset[float]) -> bool:
    return any(_num_close(value, v) for v in values)


def format_number(value: float, percent: bool) -> str:
    """A number as findings quote it: ``format_number(5.4, False) == "5.4"``, ``format_number(73, True) == "73%"``."""
    text = f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return text + ("%" if percent else "")
