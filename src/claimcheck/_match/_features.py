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
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import itemgetter
from typing import Literal, Protocol

from rapidfuzz import fuzz

from .._document import Block, Document, Location
from .._models import Paper
from ._analysis import Analysis, analyse, content_stems
from ._conflicts import (
    ClaimInfo,
    Conflict,
    _changed_alike,
    _in,
    _number_matched,
    clause_conflicts,
    comparison_said,
    format_number,
)
from ._text import NumberMention, clean_for_match, sentence_spans, squash, stem

__all__ = [
    "LEXICAL_FEATURES",
    "ClaimContext",
    "FeatureExtractor",
    "PreparedSource",
    "Source",
    "Unit",
    "candidate_units",
    "claim_context",
    "cut_mid_word",
    "lexical_features",
    "list_items",
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

    @classmethod
    def from_paper(cls, paper: Paper) -> Source:
        """The source of a fetched `Paper`: its arXiv id, title and abstract.

        Example: ``Source.from_paper(fetch_papers(["2005.13013v2"])[0])``
        """
        return cls(paper.arxiv_id, paper.title or "", paper.abstract or "")

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
    # The unit's neighbourhood (`_regions`): the title and abstract, one table with its caption, or a run of
    # about an abstract's worth of body sentences under one heading.
    region: int = 0


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
    info = analyse(text[start:end], remember=True)  # a window repeats its sentences' clauses
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


# A cell that opens with a figure ("27.3", "6.58 \\pm 0.05", "100K", "(0.3)") holds data, not a column name.
_NUMERIC_CELL = re.compile(r"^[\s(]*[-+−±]?\.?\d")


def _cells(text: str) -> list[str]:
    return [c.strip() for c in text.split("|")]


def _is_header_row(text: str) -> bool:
    """A table row that labels columns: no cell of it opens with a figure."""
    cells = [c for c in _cells(text) if c]
    return bool(cells) and not any(_NUMERIC_CELL.match(c) for c in cells)


def _table_context(blocks: Sequence[Block]) -> dict[int, tuple[list[tuple[str, ...]], Analysis]]:
    """Per data row of each table (by block index): the stems of its column headers (one tuple per column,
    header rows stacked: "BLEU" over "EN-DE"), and the table's header and caption text analysed together.

    A table row carries no column names ("PaSa-7b-Selector | 0.95 | 0.78 | 0.85"): a claim's "a precision of
    0.95" is only said of the same thing as the row's 0.95 once the row's cell is read under its header."""
    out: dict[int, tuple[list[tuple[str, ...]], Analysis]] = {}
    tables: dict[str, list[int]] = {}
    captions: dict[str, str] = {}
    for i, b in enumerate(blocks):
        if b.location == "table":
            tables.setdefault(f"{b.section}|{b.anchor}", []).append(i)
        elif b.location == "caption" and b.section:
            captions[f"{b.section}|{b.anchor}"] = b.text
    for key, rows in tables.items():
        head = list(itertools.takewhile(lambda i: _is_header_row(blocks[i].text), rows))
        columns: list[tuple[str, ...]] = []
        for i in head:
            for j, cell in enumerate(_cells(blocks[i].text)):
                if j >= len(columns):
                    columns.append(())
                columns[j] = columns[j] + analyse(cell).stems
        words = " ; ".join([blocks[i].text.replace("|", ",") for i in head] + [captions.get(key, "")])
        context = analyse(words)
        for i in rows[len(head) :]:
            out[i] = (columns, context)
    return out


def _with_headers(unit: Unit, columns: list[tuple[str, ...]], context: Analysis) -> Unit:
    """A table row's unit read with its table's headers and caption: their words count for coverage and
    entities, and each figure is said under its column's header (or, when the row's cells do not line up
    with the header's, near all of the header's words)."""
    info = unit.info
    cells = _cells(unit.sentence)
    per_cell = [len(analyse(c).numbers) if c else 0 for c in cells]
    aligned = len(cells) == len(columns) and sum(per_cell) == len(info.numbers)
    every = tuple(dict.fromkeys(st for col in columns for st in col))
    numbers: list[NumberMention] = []
    at = 0
    for j, count in enumerate(per_cell if aligned else []):
        for m in info.numbers[at : at + count]:
            numbers.append(NumberMention(m.value, m.percent, columns[j] + m.after, m.before + columns[j]))
        at += count
    if not aligned:
        numbers = [NumberMention(m.value, m.percent, m.after + every, m.before) for m in info.numbers]
    extra = tuple(st for st in context.stems if st not in unit.tf)
    squashed = info.squashed + "|" + context.squashed
    clauses = info.clauses
    if len(clauses) == 1:
        clauses = (
            replace(
                clauses[0],
                stems=clauses[0].stems | context.stem_set,
                numbers=tuple(numbers),
                squashed=clauses[0].squashed + "|" + context.squashed,
            ),
        )
    info = replace(
        info,
        stems=info.stems + extra,
        stem_set=info.stem_set | context.stem_set,
        numbers=tuple(numbers),
        squashed=squashed,
        clauses=clauses,
    )
    tf = dict(unit.tf)
    for st in extra:
        tf[st] = tf.get(st, 0) + 1
    bigrams = unit.bigrams | _bigrams(context.stems)
    return replace(unit, info=info, tf=tf, norm_len=float(len(info.stems)), bigrams=bigrams)


# Sentences in a body region: about an abstract's worth, so that features read on a unit's neighbourhood
# (`source_features`) have the same scale on a 600-sentence paper as on the abstracts the model was fitted on.
REGION_SENTENCES = 10


def _regions(blocks: Sequence[Block]) -> list[int]:
    """The region of each block: 0 for the title and abstract, one per table (rows and caption), and runs of
    body blocks under one heading cut after `REGION_SENTENCES` sentences."""
    out: list[int] = []
    tables: dict[str, int] = {}
    last = 0
    run_key: object = None
    run_len = 0
    for b in blocks:
        if b.location in ("title", "abstract"):
            out.append(0)
            continue
        if b.location in ("table", "caption") and b.section:
            key = f"{b.section}|{b.anchor}"
            if key not in tables:
                last += 1
                tables[key] = last
            out.append(tables[key])
            continue
        n = len(b.sentences) if b.sentences is not None else len(sentence_spans(b.text))
        if run_key != (b.location, b.section) or run_len >= REGION_SENTENCES:
            last += 1
            run_key, run_len = (b.location, b.section), 0
        run_len += n
        out.append(last)
    return out


def prepare_source(source: Source) -> PreparedSource:
    """Split ``source`` into analysed units with offsets and build its postings and BM25 statistics.

    Example: ``prepare_source(Source(id="x", title="T", text="One. Two.")).units[1].sentence == "One."``
    """
    units: list[Unit] = []
    blocks = source.blocks()
    tables = _table_context(blocks) if any(b.location == "table" for b in blocks) else {}
    regions = _regions(blocks)
    for bi, block in enumerate(blocks):
        made = _block_units(block)
        if bi in tables:
            made = [_with_headers(u, *tables[bi]) for u in made]
        units.extend(replace(u, region=regions[bi]) for u in made)
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


_TAIL_WORDS = re.compile(r"(?:[a-z0-9]+\W+){3}([a-z]+)$")


def cut_mid_word(claim: str, sources: Sequence[PreparedSource]) -> bool:
    """Whether ``claim`` stops inside a word that a cited source finishes: it has no closing punctuation, its
    last word is a word of no source, and a source goes on from its last four words letter for letter
    ("... which was not se" against "... which was not seen in early-blind individuals"). A claim cut at
    another width than the one reports usually cut at (`looks_truncated`) is then still read as cut.

    Example: ``cut_mid_word("Blood flow fell in the lobe, which was not se", [p])``
    """
    tail = _TAIL_WORDS.search(" ".join(clean_for_match(claim).lower().split()))
    if tail is None or any(stem(tail.group(1)) in src.stems for src in sources):
        return False
    needle = squash(tail.group(0))
    for src in sources:
        at = src.squashed.find(needle)
        while at >= 0:
            nxt = src.squashed[at + len(needle) : at + len(needle) + 1]
            if nxt.isalnum():
                return True
            at = src.squashed.find(needle, at + 1)
    return False


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
    scored: list[tuple[float, int, int, float, float]] = []
    for si, src in enumerate(sources):
        sums: dict[int, list[float]] = {}  # per unit: [coverage, bm25]
        units = src.units
        postings = src.postings
        for s, w in claim.weights.items():
            for ui, term in postings.get(s, ()):
                acc = sums.get(ui)
                if acc is None:
                    sums[ui] = [w, term]
                else:
                    acc[0] += w
                    acc[1] += term
        ents = claim.info.entities
        named: dict[int, int] = {}
        for e in ents:
            for ui in _units_naming(src, e):
                named[ui] = named.get(ui, 0) + 1
        nums = claim.info.numbers
        stating: dict[int, int] = {}
        for m in nums:
            for ui in _units_stating(src, m.value):
                stating[ui] = stating.get(ui, 0) + 1
        for ui, (c, b) in sums.items():
            score = c / claim.total + 0.15 * b / (b + 3.0) - (0.04 if units[ui].window else 0.0)
            if ents:
                score += 0.3 * named.get(ui, 0) / len(ents)
            if nums:
                # A paper has many sentences on the claim's topic, and its figure in one or two of them (a
                # table row, under a caption that shares more of the claim's words than the row does).
                score += NUMBER_BOOST * stating.get(ui, 0) / len(nums)
            scored.append((score, si, ui, b, c))
    scored.sort(key=itemgetter(0), reverse=True)  # (stable: ties keep their order)
    top = scored[:k]
    # only the runner-up's coverage is read (the margin feature); a unit's postings hold each of its stems
    # once, so ``c`` is its sum of the claim's weights found in it, added up in the claim's order
    claim.ranked[:] = [c / claim.total for *_, c in top[:2]]
    return [(si, ui, b) for _, si, ui, b, _ in top]


# Ranking weight of the share of the claim's figures a unit states.
NUMBER_BOOST = 0.1


def _number_key(value: float) -> float:
    return float(f"{value:.6g}")


def _units_stating(src: PreparedSource, value: float) -> tuple[int, ...]:
    """Indices of the source's units that state ``value``; the index is built once, in ``src.extra``."""
    index = src.extra.get("_number_units")
    if not isinstance(index, dict):
        built: dict[float, list[int]] = {}
        for i, u in enumerate(src.units):
            for key in dict.fromkeys(_number_key(m.value) for m in u.info.numbers):
                built.setdefault(key, []).append(i)
        index = src.extra["_number_units"] = {k: tuple(v) for k, v in built.items()}
    hit: tuple[int, ...] = index.get(_number_key(value), ())
    return hit


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
    "conflict_near",
)


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
    missing_items: list[str] = field(default_factory=list)  # items of a list in the claim no source names
    conflict_near: bool = False  # some ranked unit (not only the best) states a conflict with the claim


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
    missing = [
        item
        for item, stems in _claim_items(ci.text, claim.truncated)
        if not any(sum(1 for st in stems if st in s.stems) * 2 >= len(stems) for s in sources)
    ]
    return ClaimContext(
        coverage_over_sources(claim, sources), absent, entity_absent, _bigrams(ci.stems), missing
    )


_LIST_TAIL = re.compile(r",?\s+(?:and|or)\s+")
_ITEM_WORDS = 4
_NOT_ITEMS = frozenset("yet however thus then therefore moreover also still and or but so hence".split())
# An item of a list is a noun phrase: a piece that opens a clause or a prepositional phrase is none.
_CLAUSE_OPENER = re.compile(
    r"(?:which|that|who|whom|whose|where|when|while|by|in|on|at|for|to|from|of)\b", re.I
)
_LIST_OPENER = re.compile(r"^(?:including|include[sd]?|such as|namely|e\.g\.|i\.e\.|like)\s+", re.I)


def list_items(text: str, *, truncated: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """The items of the first list of three or more in ``text`` ("A, B, C and D"), each with its content
    stems; the last item of a cut-off text is left out (it may be cut), unless a comma closes the list
    before the cut ("phagocytes, including monocytes, macrophages, and neutrophils, contribute to ...").

    Example: ``[i for i, _ in list_items("Tasks include MNLI, SQuAD, and HellaSwag.")] == ["MNLI", "SQuAD", "HellaSwag"]``
    """
    if "," not in text:
        return []  # a list of three or more has a comma
    body = clean_for_match(text).rstrip(" .;:")
    parts = [p.strip() for p in re.split(r"[;(]", body)]
    for part in parts:
        pieces = [p.strip() for p in part.split(",")]
        for k in range(1, len(pieces)):
            last = _LIST_TAIL.split(" " + pieces[k], maxsplit=1)
            if len(last) == 2:  # "and"/"or" before the last item (else: commas of clauses, not of a list)
                # the list opens at the earliest piece from which it reads as one ("In MDS, X raises levels
                # that initiate A, B, C and D": not at "In MDS")
                tail = [p.strip() for p in last if p.strip()]
                closed = k < len(pieces) - 1
                items = next(
                    (
                        found
                        for start in range(k)
                        if (found := _items(pieces[start:k] + tail, closed=closed)) is not None
                    ),
                    None,
                )
                if items is not None:
                    if truncated and k == len(pieces) - 1:
                        items = items[:-1]
                    out = [(i, content_stems(i)) for i in items]
                    return [(i, st) for i, st in out if st]
    return []


@lru_cache(maxsize=4096)
def _claim_items(text: str, truncated: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    # A claim recurs across the reports of a batch (against other papers each time): read its list once.
    return tuple(list_items(text, truncated=truncated))


def _items(pieces: list[str], *, closed: bool) -> list[str] | None:
    """A list's items from its comma-separated pieces, or None when they do not read as a list."""
    # The first piece carries the words that open the list ("the tasks include A"): keep its last word;
    # the last one runs on into the rest of the sentence ("C had higher risk"): keep its first two, unless
    # a comma closes it.
    first = pieces[0].split()[-1:]
    tail = pieces[-1] if closed else " ".join(pieces[-1].split()[:2])
    items = [_LIST_OPENER.sub("", i) for i in [" ".join(first), *pieces[1:-1], tail]]
    if any(i.lower() in _NOT_ITEMS or _CLAUSE_OPENER.match(i) for i in items):
        return None  # "scarce, yet, unlabeled data ...", "X, by producing A and B, ...": not a list
    if len(items) < 3 or any(len(i.split()) > _ITEM_WORDS or not i for i in items):
        return None
    return items


def lexical_features(
    claim: ClaimInfo,
    unit: Unit,
    bm25: float,
    context: ClaimContext,
    src: PreparedSource,
    per_source: tuple[float, float, float, float],
    cov_region: float | None = None,
    conflicts: list[Conflict] | None = None,
) -> tuple[list[float], dict[str, object]]:
    """The lexical feature vector (`LEXICAL_FEATURES` order) of a claim against one unit, and the facts behind it.

    ``src`` is the source the unit belongs to and ``per_source`` its `source_features` for this claim;
    ``conflicts`` the unit's `clause_conflicts` when the caller has them already.

    Example: ``feats, facts = lexical_features(c, p.units[0], 0.0, [p], 1.0)``
    """
    ci = claim.info
    ui = unit.info
    tf = unit.tf
    # the claim's "is surpassed by" is found where the unit says "is superior to" of the same sides
    said = comparison_said(claim, ui) if claim.ranks and unit.field != "title" else frozenset()
    found: list[float] = []
    missing: list[float] = []
    for s, w in claim.weights.items():
        (found if s in tf or s in said else missing).append(w)
    cov = sum(found) / claim.total
    cov_rare = sum(1 for s in claim.rare if s in tf or s in said) / max(1, len(claim.rare))
    partial, token_set, token_sort = _fuzzy(ci.norm, ui.norm, claim.truncated)

    nums = ci.numbers
    alike = _changed_alike(ci.clauses, ui.clauses) if nums else frozenset()
    unmatched = [m for m in nums if not _number_matched(m, ui, nums) and m.value not in alike]
    absent, entity_absent, cb = context.absent_numbers, context.entity_absent, context.bigrams
    has_number = 1.0 if nums else 0.0
    number_match = 1.0 - len(unmatched) / len(nums) if nums else 1.0
    number_absent = len(absent) / len(nums) if nums else 0.0
    if conflicts is None:  # a title names a topic and asserts nothing, so it cannot state a conflict
        conflicts = clause_conflicts(claim, ui, absent) if unit.field != "title" else []
    kinds = {c.kind for c in conflicts}
    number_conflict = 1.0 if "numbers" in kinds else 0.0
    neg_mismatch = 1.0 if kinds & {"negation", "object"} else 0.0
    polarity_conflict = 1.0 if kinds & {"direction", "roles", "transition", "contrast"} else 0.0
    passive_flip = 1.0 if "roles" in kinds else 0.0

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
    bigram_source = len(cb & _region(src, unit.region)[1]) / len(cb) if cb else 0.0
    title_cov, missing_source, rare_source, source_len = per_source
    missing_unit_max = max(missing, default=0.0) / 10.0

    claim_len = math.log1p(len(ci.stems)) / 3.0
    unit_len_ratio = min(3.0, len(ui.stems) / max(1, len(ci.stems))) / 3.0
    feats = [
        cov,
        cov_rare,
        bm25 / (bm25 + 3.0),
        token_set,
        partial,
        token_sort,
        context.cov_sources if cov_region is None else cov_region,
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
        1.0 if context.conflict_near else 0.0,
    ]
    facts: dict[str, object] = {
        "cov": cov,
        "unmatched_numbers": [format_number(m.value, m.percent) for m in unmatched],
        "unit_numbers": ui.numbers,  # formatted only when a finding quotes them
        "absent_numbers": [format_number(m.value, m.percent) for m in absent],
        "negation_mismatch": bool(neg_mismatch),
        "polarity_conflict": bool(polarity_conflict),
        "conflicts": conflicts,
        "claim": claim,  # for finding the contradicting sentence of a window
        "absent_mentions": absent,
        "missing_items": context.missing_items,
        "attribution_flip": bool(attribution_flip),
        "subject_named": bool(ents) and ents[0] in ui.squashed,
        # A name the cited sources never mention in an otherwise near-verbatim claim: a swapped entity.
        "entity_swap": entity_absent > 0 and cov >= ENTITY_SWAP_COVERAGE,
        # The claim is about named things (two or more) that no cited source mentions at all.
        "entities_unknown": len(ents) >= 2 and entity_absent == 1.0,
        "missing_entities": [e for e in ents if e not in ui.squashed],
    }
    return feats, facts


@lru_cache(maxsize=16384)
def _fuzzy(claim: str, unit: str, truncated: bool) -> tuple[float, float, float]:
    """The partial, token-set and token-sort ratios of a normalised claim and unit, in [0, 1]; remembered, as a
    claim recurs across the reports of a batch and meets the same units again."""
    # Alignment of the claim's opening inside the unit: rapidfuzz is several times faster for a needle of at
    # most 64 characters, and a claim cut off at the report's width is found by its start as well.
    if truncated or len(claim) < len(unit):
        partial = fuzz.partial_ratio(claim[:_PARTIAL_CHARS], unit) / 100.0
    else:
        partial = 0.0
    token_set = fuzz.token_set_ratio(claim, unit) / 100.0
    # rapidfuzz's token_sort_ratio is the ratio of the words sorted and joined: each text sorted once
    token_sort = fuzz.ratio(_sorted_words(claim), _sorted_words(unit)) / 100.0
    return partial, token_set, token_sort


@lru_cache(maxsize=8192)
def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def source_features(
    claim: ClaimInfo, src: PreparedSource, region: int = 0
) -> tuple[float, float, float, float]:
    """Title coverage, and missing and rare stems and length of one region of a source (`_regions`) for
    ``claim`` (the same for every unit of that region; an abstract is one region).

    Read on the region rather than the whole paper: a full paper holds nearly every word of a claim somewhere
    and is sixty times an abstract's length, which the model, fitted on abstracts, read as "unsupported".
    Example: ``title_cov, missing, rare, length = source_features(prepare_claim("MNLI helps.", {}, 5.0, False), p)``
    """
    title_cov = 0.0
    if src.units and src.units[0].field == "title":
        ttf = src.units[0].tf
        title_cov = sum(w for s, w in claim.weights.items() if s in ttf) / claim.total
    stems, _, size = _region(src, region)
    missing_source = min(5, sum(1 for s in claim.weights if s not in stems)) / 5.0
    rare_source = sum(1 for s in claim.rare if s in stems) / max(1, len(claim.rare))
    source_len = math.log1p(size) / 3.0
    return title_cov, missing_source, rare_source, source_len


def _region(src: PreparedSource, region: int) -> tuple[frozenset[str], frozenset[tuple[str, str]], int]:
    """The stems, adjacent stem pairs and number of sentences (and rows) of one region; memoised."""
    index = src.extra.get("_regions")
    if not isinstance(index, dict):
        index = src.extra["_regions"] = {}
    hit: tuple[frozenset[str], frozenset[tuple[str, str]], int] | None = index.get(region)
    if hit is None:
        members = [u for u in src.units if u.region == region and not u.window]
        stems = frozenset(st for u in members for st in u.tf)
        pairs = frozenset(p for u in members for p in u.bigrams)
        hit = index[region] = (stems, pairs, len(members))
    return hit


def region_coverage(
    claim: ClaimInfo, sources: Sequence[PreparedSource], src: PreparedSource, region: int
) -> float:
    """The claim's IDF-weighted share found in the unit's region, or in any source's title and abstract."""
    best = 0.0
    for s in [*sources, src]:
        stems = _region(s, region if s is src else 0)[0]
        best = max(best, sum(w for st, w in claim.weights.items() if st in stems) / claim.total)
    return best


def _bigrams(stems: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    return frozenset(itertools.pairwise(stems))


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
