"""Per-(claim, evidence unit) features, and the registry that lets other scorers add their own.

A source is prepared once (`prepare_source`) from its `Document`: the title, and per block of text (abstract,
body paragraph, caption) its sentences with character offsets into the block and windows of two adjacent
sentences; each table row is one unit, so that a number stays beside its row label. Every unit is analysed
(stems, numbers, entities, negation) and indexed (postings, BM25 statistics over the whole paper).
A claim is then matched by walking the postings of its stems (no loop over every sentence in Python beyond
an accumulator), keeping the best few units, and computing the full feature vector for those only.

Extra scorers (e.g. a semantic one) implement `FeatureExtractor` and are registered with `register_scorer`;
their features are appended to the lexical ones and fitted by the same `_fit` command.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from rapidfuzz import fuzz

from .._document import Block, Document, Location
from ._text import Analysis, NumberMention, analyse, sentence_spans

__all__ = [
    "LEXICAL_FEATURES",
    "ClaimContext",
    "ClaimInfo",
    "FeatureExtractor",
    "PreparedSource",
    "Source",
    "Unit",
    "candidate_units",
    "claim_context",
    "format_number",
    "lexical_features",
    "prepare_claim",
    "prepare_source",
    "source_features",
]

_K1 = 1.2
_B = 0.75


@dataclass(frozen=True, slots=True)
class Source:
    """A text to match claims against: an id, a title and a body (an abstract), or a whole `Document`.

    When ``document`` is given it is what is read (``title`` and ``text`` are then only its title and
    abstract, for display); otherwise the title and ``text`` are the document.

    Example: ``Source(id="2005.13013", title="English Intermediate-Task Training…", text="Intermediate-task…")``
    """

    id: str
    title: str = ""
    text: str = ""
    document: Document | None = None

    @classmethod
    def from_document(cls, document: Document, id: str | None = None) -> Source:
        """The source of a paper's `Document` (its id the paper's arXiv id unless given).

        Example: ``Source.from_document(Document.from_abstract("x", 1, title="T", abstract="A."))``
        """
        return cls(id or document.arxiv_id, document.title, document.abstract, document)

    def blocks(self) -> tuple[Block, ...]:
        """What is read: the document's blocks, or the title and the text as an abstract."""
        if self.document is not None:
            return self.document.blocks
        return Document.from_abstract(self.id, None, title=self.title, abstract=self.text).blocks


@dataclass(frozen=True, slots=True)
class Unit:
    """One evidence unit: the title, a sentence, a window of two adjacent sentences, or a table row.

    ``start``/``end`` index into the text of the block the unit comes from (the abstract for an abstract
    sentence); ``location``, ``section`` and ``page`` say where that block stands in the paper.
    """

    field: Literal["title", "text"]
    start: int
    end: int
    sentence: str
    info: Analysis
    window: bool
    tf: dict[str, int]
    norm_len: float
    bigrams: frozenset[tuple[str, str]] = frozenset()
    location: Location = "abstract"
    section: str | None = None
    page: int | None = None
    anchor: str | None = None


@dataclass(slots=True)
class PreparedSource:
    """A source analysed once for matching: units, postings, BM25 statistics, and every number and entity."""

    source: Source
    units: list[Unit]
    postings: dict[str, list[tuple[int, float]]]  # stem -> (unit index, its BM25 term in that unit)
    bm25_idf: dict[str, float]
    numbers: frozenset[float]
    squashed: str
    stems: frozenset[str]
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The source id."""
        return self.source.id


def _unit(block: Block, start: int, end: int, window: bool) -> Unit:
    text = block.text
    info = analyse(text[start:end])
    tf: dict[str, int] = {}
    for s in info.stems:
        tf[s] = tf.get(s, 0) + 1
    return Unit(
        "title" if block.location == "title" else "text",
        start,
        end,
        text[start:end],
        info,
        window,
        tf,
        float(len(info.stems)),
        _bigrams(info.stems),
        block.location,
        block.section,
        block.page,
        block.anchor,
    )


def _block_units(block: Block) -> list[Unit]:
    """A block's units: the title or a table row whole; other text as sentences, then two-sentence windows."""
    if not block.text.strip():
        return []
    if block.location in ("title", "table"):
        return [_unit(block, 0, len(block.text), False)]
    spans = block.sentences if block.sentences is not None else sentence_spans(block.text)
    units = [_unit(block, s, e, False) for s, e in spans]
    units.extend(_unit(block, s, e, True) for (s, _), (_, e) in itertools.pairwise(spans))
    return units


def prepare_source(source: Source) -> PreparedSource:
    """Split ``source`` into analysed units with offsets and build its postings and BM25 statistics.

    Example: ``prepare_source(Source(id="x", title="T", text="One. Two.")).units[1].sentence == "One."``
    """
    units: list[Unit] = []
    for block in source.blocks():
        units.extend(_block_units(block))
    singles = [u for u in units if not u.window]
    n = max(1, len(singles))
    avgdl = sum(u.norm_len for u in singles) / n or 1.0
    df: dict[str, int] = {}
    for u in singles:
        for st in u.tf:
            df[st] = df.get(st, 0) + 1
    bm25_idf = {st: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for st, d in df.items()}
    postings_at: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        for st in u.tf:
            postings_at.setdefault(st, []).append(i)
    resized = [replace(u, norm_len=_K1 * (1 - _B + _B * u.norm_len / avgdl)) for u in units]
    # Each stem's BM25 term per unit depends on the source alone: worked out once, summed per claim.
    postings = {
        st: [
            (
                i,
                bm25_idf.get(st, 0.0)
                * resized[i].tf[st]
                * (_K1 + 1)
                / (resized[i].tf[st] + resized[i].norm_len),
            )
            for i in where
        ]
        for st, where in postings_at.items()
    }
    numbers = frozenset(m.value for u in singles for m in u.info.numbers)
    squashed = "|".join(u.info.squashed for u in singles)
    return PreparedSource(source, resized, postings, bm25_idf, numbers, squashed, frozenset(df))


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


def prepare_claim(text: str, idf: dict[str, float], idf_default: float, truncated: bool) -> ClaimInfo:
    """Analyse a claim; a truncated claim loses its last (possibly cut) word.

    Example: ``prepare_claim("MNLI helps.", {}, 5.0, False).rare == ("mnli", "help")``
    """
    if truncated:
        cut = text.rstrip()
        sp = cut.rfind(" ")
        if sp > 0:
            text = cut[:sp]
    info = analyse(text)
    # In the order of the text (not of a set): float sums, and ties between units, then come out the same
    # in every process, so verdicts and refitted weights do not depend on PYTHONHASHSEED.
    weights = {s: idf.get(s, idf_default) for s in dict.fromkeys(info.stems)}
    total = sum(weights.values()) or 1.0
    rare = tuple(sorted(weights, key=lambda s: (-weights[s], s))[:3])
    return ClaimInfo(info, weights, total, rare, truncated)


# Candidate units scored per claim: the verdict rests on the first (or, when it is vetoed, a later one naming
# the claim's subject); the others are shown as further evidence.
CANDIDATES = 3


def candidate_units(
    claim: ClaimInfo, sources: Sequence[PreparedSource], k: int = CANDIDATES
) -> list[tuple[int, int, float]]:
    """The ``k`` best units over all sources by IDF-weighted coverage, saturated BM25 and named entities.

    Returns ``(source_index, unit_index, bm25)`` triples, best first.
    Example: ``candidate_units(prepare_claim("MNLI helps.", {}, 5.0, False), [p])[0][0] == 0``
    """
    scored: list[tuple[float, int, int, float]] = []
    for si, src in enumerate(sources):
        cov: dict[int, float] = {}
        bm: dict[int, float] = {}
        units = src.units
        for s, w in claim.weights.items():
            for ui, term in src.postings.get(s, ()):
                cov[ui] = cov.get(ui, 0.0) + w
                bm[ui] = bm.get(ui, 0.0) + term
        ents = claim.info.entities
        named: dict[int, int] = {}
        for e in ents:
            for ui in _units_naming(src, e):
                named[ui] = named.get(ui, 0) + 1
        for ui, c in cov.items():
            b = bm[ui]
            score = c / claim.total + 0.15 * b / (b + 3.0) - (0.04 if units[ui].window else 0.0)
            if ents:
                score += 0.3 * named.get(ui, 0) / len(ents)
            scored.append((score, si, ui, b))
    scored.sort(key=lambda t: -t[0])
    top = scored[:k]
    claim.ranked[:] = [  # only the runner-up's is read (the margin feature)
        sum(w for s, w in claim.weights.items() if s in sources[si].units[ui].tf) / claim.total
        for _, si, ui, _ in top[:2]
    ]
    return [(si, ui, b) for _, si, ui, b in top]


def _units_naming(src: PreparedSource, entity: str) -> tuple[int, ...]:
    """Indices of the source's units whose squashed text contains ``entity``; memoised in ``src.extra``."""
    index = src.extra.get("_entity_units")
    if not isinstance(index, dict):
        index = src.extra["_entity_units"] = {}
    hit: tuple[int, ...] | None = index.get(entity)
    if hit is None:
        hit = index[entity] = tuple(i for i, u in enumerate(src.units) if entity in u.info.squashed)
    return hit


LEXICAL_FEATURES: tuple[str, ...] = (
    "cov",
    "cov_rare",
    "bm25",
    "token_set",
    "partial",
    "token_sort",
    "cov_sources",
    "has_number",
    "number_match",
    "number_absent",
    "number_conflict",
    "negation_mismatch",
    "polarity_conflict",
    "passive_flip",
    "has_entity",
    "entity_unit",
    "entity_absent",
    "attribution_flip",
    "truncated",
    "claim_len",
    "unit_len_ratio",
    "cov_x_negation",
    "cov_x_polarity",
    "cov_x_number_conflict",
    "cov_sq",
    "cov_x_token_set",
    "cov_x_attribution",
    "cov_x_number_absent",
    "margin",
    "cov_second",
    "bigram",
    "bigram_source",
    "title_cov",
    "missing_source",
    "rare_source",
    "missing_unit_max",
    "source_len",
)


def _num_close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a)) or (a != 0 and abs(a - b) / abs(a) < 1e-6)


def _number_matched(m: NumberMention, unit: Analysis) -> bool:
    """The claim's number is in the unit, and said of the same thing: the words next to it meet
    ("9 target tasks" is not "nine intermediate tasks"; "9 different intermediate tasks" is)."""
    # A number said right after the same word as the claim's ("MLQA, by 1.4" against "MLQA, by 3.1") is the
    # claim's slot: when the unit fills that slot, only that figure counts, not the same value said elsewhere.
    slot = [n for n in unit.numbers if m.before and n.before and n.before[-1] == m.before[-1]]
    if slot:
        return any(_num_close(m.value, n.value) for n in slot)
    mine = set(m.after[:2]) | set(m.before[-2:])
    for n in unit.numbers:
        if not _num_close(m.value, n.value):
            continue
        if not mine or mine & (set(n.after) | set(n.before)):
            return True
    return False


def roles_swapped(claim: Analysis, unit: Analysis) -> bool:
    """ "A outperforms B" against "B outperforms A" (or "neither B outperforms A")."""
    if claim.comparison is None or unit.comparison is None:
        return False
    cl, cr = claim.comparison
    ul, ur = unit.comparison
    return len(cl & ur) + len(cr & ul) > len(cl & ul) + len(cr & ur)


_PARTIAL_CHARS = 64

# Coverage at which a claim is near-verbatim: SciFact/HealthVer claims this close to their evidence almost
# never name something the evidence does not (6 of 903 supported pairs), swapped-entity fabrications always do.
ENTITY_SWAP_COVERAGE = 0.7


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """What a claim's features need from all of its sources at once: worked out once per match and shared
    by every candidate unit."""

    cov_sources: float  # the best IDF-weighted share of the claim's stems found anywhere in one source
    absent_numbers: list[NumberMention]  # the claim's numbers that no source states
    entity_absent: float  # the share of the claim's entities that no source names
    bigrams: frozenset[tuple[str, str]]  # the claim's adjacent stem pairs


def claim_context(claim: ClaimInfo, sources: Sequence[PreparedSource]) -> ClaimContext:
    """The `ClaimContext` of ``claim`` against ``sources``.

    Example: ``claim_context(prepare_claim("9 tasks.", {}, 5.0, False), [p]).absent_numbers``
    """
    ci = claim.info
    absent = [
        m for m in ci.numbers if not any(m.value in s.numbers or _in(m.value, s.numbers) for s in sources)
    ]
    ents = ci.entities
    entity_absent = (
        sum(1 for e in ents if not any(e in s.squashed for s in sources)) / len(ents) if ents else 0.0
    )
    return ClaimContext(coverage_over_sources(claim, sources), absent, entity_absent, _bigrams(ci.stems))


def lexical_features(
    claim: ClaimInfo,
    unit: Unit,
    bm25: float,
    context: ClaimContext,
    src: PreparedSource,
    per_source: tuple[float, float, float, float],
) -> tuple[list[float], dict[str, object]]:
    """The lexical feature vector (`LEXICAL_FEATURES` order) of a claim against one unit, and the facts behind it.

    ``src`` is the source the unit belongs to and ``per_source`` its `source_features` for this claim.

    Example: ``feats, facts = lexical_features(c, p.units[0], 0.0, [p], 1.0)``
    """
    ci = claim.info
    ui = unit.info
    present = [s for s in claim.weights if s in unit.tf]
    cov = sum(claim.weights[s] for s in present) / claim.total
    cov_rare = sum(1 for s in claim.rare if s in unit.tf) / max(1, len(claim.rare))
    # Alignment of the claim's opening inside the unit: rapidfuzz is several times faster for a needle of at
    # most 64 characters, and a claim cut off at the report's width is found by its start as well.
    if claim.truncated or len(ci.norm) < len(ui.norm):
        partial = fuzz.partial_ratio(ci.norm[:_PARTIAL_CHARS], ui.norm) / 100.0
    else:
        partial = 0.0
    token_set = fuzz.token_set_ratio(ci.norm, ui.norm) / 100.0
    token_sort = fuzz.token_sort_ratio(ci.norm, ui.norm) / 100.0

    nums = ci.numbers
    unmatched = [m for m in nums if not _number_matched(m, ui)]
    absent, entity_absent, cb = context.absent_numbers, context.entity_absent, context.bigrams
    has_number = 1.0 if nums else 0.0
    number_match = 1.0 - len(unmatched) / len(nums) if nums else 1.0
    number_absent = len(absent) / len(nums) if nums else 0.0
    number_conflict = 1.0 if unmatched and ui.numbers else 0.0

    swapped = roles_swapped(ci, ui)
    # Swapped comparison roles reverse the finding; together with a negation they cancel out.
    neg_mismatch = 1.0 if ((ci.negations % 2) != (ui.negations % 2)) != swapped else 0.0
    polarity_conflict = 0.0
    for gi, side in ci.polarity:
        if (gi, 1 - side) in ui.polarity and (gi, side) not in ui.polarity:
            polarity_conflict = 1.0
    passive_flip = 1.0 if ci.passive_defeat != ui.passive_defeat else 0.0
    if swapped and neg_mismatch:
        polarity_conflict = 1.0

    ents = ci.entities
    has_entity = 1.0 if ents else 0.0
    entity_unit = sum(1 for e in ents if e in ui.squashed) / len(ents) if ents else 1.0
    # What the claim attributes to its subject: the claim's first-named entity must not be, in the evidence,
    # only the thing compared against ("improvement over XLM-R Large"), nor, when it is the claim's subject,
    # only the setting of the authors' own work ("The XTREME benchmark aims to evaluate ..." against "we
    # evaluate ... on the XTREME benchmark").
    attribution_flip = 0.0
    if ents:
        subj = ents[0]
        if subj in ui.compared and subj not in ci.compared:
            attribution_flip = 1.0
        if ci.lead_entity is not None and ci.lead_entity in ui.setting_only:
            attribution_flip = 1.0

    ranked = claim.ranked
    second = ranked[1] if len(ranked) > 1 else 0.0
    margin = cov - second
    bigram = len(cb & unit.bigrams) / len(cb) if cb else 0.0
    bigram_source = len(cb & _source_bigrams(src)) / len(cb) if cb else 0.0
    title_cov, missing_source, rare_source, source_len = per_source
    missing_unit_max = max((w for s, w in claim.weights.items() if s not in unit.tf), default=0.0) / 10.0

    claim_len = math.log1p(len(ci.stems)) / 3.0
    unit_len_ratio = min(3.0, len(ui.stems) / max(1, len(ci.stems))) / 3.0
    feats = [
        cov,
        cov_rare,
        bm25 / (bm25 + 3.0),
        token_set,
        partial,
        token_sort,
        context.cov_sources,
        has_number,
        number_match,
        number_absent,
        number_conflict,
        neg_mismatch,
        polarity_conflict,
        passive_flip,
        has_entity,
        entity_unit,
        entity_absent,
        attribution_flip,
        1.0 if claim.truncated else 0.0,
        claim_len,
        unit_len_ratio,
        cov * neg_mismatch,
        cov * polarity_conflict,
        cov * number_conflict,
        cov * cov,
        cov * token_set,
        cov * attribution_flip,
        cov * number_absent,
        margin,
        second,
        bigram,
        bigram_source,
        title_cov,
        missing_source,
        rare_source,
        missing_unit_max,
        source_len,
    ]
    facts: dict[str, object] = {
        "cov": cov,
        "unmatched_numbers": [format_number(m.value, m.percent) for m in unmatched],
        "unit_numbers": ui.numbers,  # formatted only when a finding quotes them
        "absent_numbers": [format_number(m.value, m.percent) for m in absent],
        "negation_mismatch": bool(neg_mismatch),
        "polarity_conflict": bool(polarity_conflict or passive_flip),
        "attribution_flip": bool(attribution_flip),
        "subject_named": bool(ents) and ents[0] in ui.squashed,
        # A name the cited sources never mention in an otherwise near-verbatim claim: a swapped entity.
        "entity_swap": entity_absent > 0 and cov >= ENTITY_SWAP_COVERAGE,
        # The claim is about named things (two or more) that no cited source mentions at all.
        "entities_unknown": len(ents) >= 2 and entity_absent == 1.0,
        "missing_entities": [e for e in ents if e not in ui.squashed],
    }
    return feats, facts


def source_features(claim: ClaimInfo, src: PreparedSource) -> tuple[float, float, float, float]:
    """Title coverage, missing and rare stems, and length of one source for ``claim`` (the same for every
    unit of that source).

    Example: ``title_cov, missing, rare, length = source_features(prepare_claim("MNLI helps.", {}, 5.0, False), p)``
    """
    title_cov = 0.0
    if src.units and src.units[0].field == "title":
        ttf = src.units[0].tf
        title_cov = sum(w for s, w in claim.weights.items() if s in ttf) / claim.total
    missing_source = min(5, sum(1 for s in claim.weights if s not in src.stems)) / 5.0
    rare_source = sum(1 for s in claim.rare if s in src.stems) / max(1, len(claim.rare))
    source_len = math.log1p(sum(1 for u in src.units if not u.window)) / 3.0
    return title_cov, missing_source, rare_source, source_len


def _bigrams(stems: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    return frozenset(itertools.pairwise(stems))


def _source_bigrams(src: PreparedSource) -> frozenset[tuple[str, str]]:
    """Every adjacent stem pair of the source's title and sentences; memoised in ``src.extra``."""
    hit = src.extra.get("_bigrams")
    if isinstance(hit, frozenset):
        return hit
    out: set[tuple[str, str]] = set()
    for u in src.units:
        if not u.window:
            out |= u.bigrams
    done = frozenset(out)
    src.extra["_bigrams"] = done
    return done


def _in(value: float, values: frozenset[float]) -> bool:
    return any(_num_close(value, v) for v in values)


def format_number(value: float, percent: bool) -> str:
    """A number as findings quote it: ``format_number(5.4, False) == "5.4"``, ``format_number(73, True) == "73%"``."""
    text = f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return text + ("%" if percent else "")


def coverage_over_sources(claim: ClaimInfo, sources: Sequence[PreparedSource]) -> float:
    """The best, over sources, IDF-weighted share of the claim's stems found anywhere in one source."""
    best = 0.0
    for src in sources:
        c = sum(w for s, w in claim.weights.items() if s in src.stems) / claim.total
        best = max(best, c)
    return best


class FeatureExtractor(Protocol):
    """An extra scorer: contributes named features per (claim, unit), after the lexical ones.

    ``prepare`` may store per-source state in ``PreparedSource.extra[name]`` (e.g. sentence embeddings).
    """

    name: str
    feature_names: tuple[str, ...]

    def prepare(self, source: PreparedSource) -> None:
        """Precompute per-source state once."""

    def features(
        self, claim_text: str, source: PreparedSource, unit_index: int, peers: Sequence[int] = ()
    ) -> list[float]:
        """Extra features of the claim against ``source.units[unit_index]``; ``peers`` are the indices of the
        claim's other candidate units in the same source (what the lexical matcher ranked best)."""


ExtractorFactory = Callable[[], list[FeatureExtractor]]
