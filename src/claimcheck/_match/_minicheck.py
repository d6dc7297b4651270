"""MiniCheck checkers (Tang, Laban & Durrett, EMNLP 2024, arXiv:2404.10774) as the scorer of ``--model minicheck``.

How MiniCheck reads its input, as its reference code (``minicheck/inference.py``) does it for the RoBERTa and
DeBERTa checkers: the grounding document is split into sentences and packed greedily into chunks of about 400
word pieces (a sentence never split; a new chunk starts when the next sentence would pass 400); each chunk is
joined to the claim with the tokenizer's end-of-sequence token, ``chunk + eos + claim``, and tokenized as ONE
sequence (the tokenizer adds its own start and end tokens); the classifier's label 1 is "supported"; the claim's
score is the maximum P(supported) over the chunks.

Which text is the document here: the units (sentences) of a prepared source, so the same code serves an
abstract today and a paper's full text (more fields, sections) tomorrow. The title and abstract are always
checked whole; in other parts (body, tables, captions) only a window of about 400 word pieces around each of the
lexical matcher's candidate sentences, so a long paper costs a few chunks, not a hundred.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from .._models import MatchEvidence, MatchResult
from ._features import PreparedSource, Source, Unit
from ._front import LexicalFront

if TYPE_CHECKING:
    from ._nli import NLIModel

__all__ = ["CHUNK_TOKENS", "HEAD_FIELDS", "Chunk", "MiniCheckScorer", "chunk_source"]

CHUNK_TOKENS = 400
"""Word pieces per chunk: MiniCheck's default for its RoBERTa and DeBERTa checkers."""
HEAD_FIELDS = frozenset({"title", "text", "abstract"})
"""Unit fields read whole: the title and the abstract (``text`` is the abstract of an abstract-only source)."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of adjacent sentences of one source, read by the checker as its document.

    Parameters:
        units: indices into ``PreparedSource.units`` (single sentences, in order).
        text: their sentences joined by spaces (as MiniCheck joins them).
        tokens: word pieces of the sentences, without special tokens.
    """

    units: tuple[int, ...]
    text: str
    tokens: int


def _group(unit: Unit) -> tuple[str, object]:
    # Title and abstract form one document head; other fields split at their sections (full text).
    field = str(unit.field)
    if field in HEAD_FIELDS:
        return ("head", None)
    return (field, getattr(unit, "section", None))


def chunk_source(
    source: PreparedSource,
    count: Callable[[Sequence[str]], list[int]],
    *,
    around: Sequence[int] = (),
    budget: int = CHUNK_TOKENS,
) -> list[Chunk]:
    """The chunks a MiniCheck model reads of ``source``: the title and abstract whole, cut greedily into
    chunks of at most ``budget`` word pieces, plus a window of about ``budget`` word pieces around each unit in
    ``around`` that lies elsewhere (the body of a full text).

    Parameters:
        source: the prepared source (its single-sentence units are the sentences).
        count: word pieces per text (the model's tokenizer, `NLIModel.count_tokens`).
        around: unit indices (the lexical matcher's candidates) whose neighbourhood to read.
        budget: word pieces per chunk (a longer sentence is a chunk of its own).

    Example: ``[c.text for c in chunk_source(p, model.count_tokens)]`` → ``["Title. First sentence. …"]``
    """
    singles = [i for i, u in enumerate(source.units) if not u.window]
    if not singles:
        return []
    cache = cast("dict[int, int]", source.extra.setdefault("minicheck:tokens", {}))
    missing = [i for i in singles if i not in cache]
    for i, n in zip(missing, count([source.units[i].sentence for i in missing]), strict=True):
        cache[i] = n
    groups: list[list[int]] = []
    for i in singles:
        if groups and _group(source.units[groups[-1][-1]]) == _group(source.units[i]):
            groups[-1].append(i)
        else:
            groups.append([i])
    chunks: list[Chunk] = []
    where: dict[int, list[int]] = {}
    for g in groups:
        for i in g:
            where[i] = g
        if _group(source.units[g[0]])[0] == "head":
            chunks.extend(_greedy(source, g, cache, budget))
    seen = {c.units for c in chunks}
    covered = {i for c in chunks for i in c.units}
    for u in around:
        single = _single_of(source, u, singles)
        if single is None or single in covered:
            continue
        chunk = _window(source, where[single], single, cache, budget)
        if chunk.units not in seen:
            seen.add(chunk.units)
            chunks.append(chunk)
    return chunks


def _single_of(source: PreparedSource, index: int, singles: list[int]) -> int | None:
    unit = source.units[index]
    if not unit.window:
        return index
    inside = [
        i
        for i in singles
        if source.units[i].field == unit.field and unit.start <= source.units[i].start < unit.end
    ]
    return inside[0] if inside else None


def _make(source: PreparedSource, ids: list[int], cache: dict[int, int]) -> Chunk:
    return Chunk(tuple(ids), " ".join(source.units[i].sentence for i in ids), sum(cache[i] for i in ids))


def _greedy(source: PreparedSource, group: list[int], cache: dict[int, int], budget: int) -> list[Chunk]:
    out: list[Chunk] = []
    current: list[int] = []
    size = 0
    for i in group:
        if current and size + cache[i] > budget:
            out.append(_make(source, current, cache))
            current, size = [], 0
        current.append(i)
        size += cache[i]
    if current:
        out.append(_make(source, current, cache))
    return out


def _window(
    source: PreparedSource, group: list[int], centre: int, cache: dict[int, int], budget: int
) -> Chunk:
    pos = group.index(centre)
    lo, hi = pos, pos + 1
    size = cache[centre]
    grew = True
    while grew:
        grew = False
        for step in (-1, 1):  # alternate: one sentence before, one after
            j = lo - 1 if step < 0 else hi
            if 0 <= j < len(group) and size + cache[group[j]] <= budget:
                size += cache[group[j]]
                lo, hi = (j, hi) if step < 0 else (lo, j + 1)
                grew = True
    return _make(source, group[lo:hi], cache)


class MiniCheckScorer(LexicalFront):
    """Matcher-compatible scorer: the lexical matcher finds candidate sentences (with offsets) and findings; a
    MiniCheck model reads the chunks (`chunk_source`) and its maximum P(supported) is the confidence.

    A MiniCheck model says supported or unsupported, never "contradicted": a claim it does not support is
    ``not_found`` (the lexical matcher's number and negation findings still say why, when they apply).

    Parameters:
        model: a loaded MiniCheck model (`NLIModel` whose kind is ``minicheck``).
        candidates: lexical candidate units per claim whose neighbourhood is read in a full text.
        chunk_tokens: word pieces per chunk (MiniCheck's 400).

    Example:
        ``s = MiniCheckScorer(NLIModel("minicheck")); p = s.prepare(Source(id="x", title=t, text=abstract))``
        ``s.match("XLM-R improves by 5.4 points.", [p]).label`` → ``"supported"``
    """

    def __init__(
        self,
        model: NLIModel,
        *,
        candidates: int = 3,
        cache_size: int = 4096,
        chunk_tokens: int = CHUNK_TOKENS,
    ) -> None:
        super().__init__(candidates=candidates, cache_size=cache_size)
        self.nli = model
        self.chunk_tokens = chunk_tokens

    def match(
        self, claim: str, sources: Sequence[PreparedSource | Source], *, truncated: bool | None = None
    ) -> MatchResult:
        """Label a claim by MiniCheck's maximum P(supported) over the chunks of its sources.

        Example: ``s.match("XLM-R improves by 5.4 points.", [p]).confidence`` → ``0.97``
        """
        prepared = [s if isinstance(s, PreparedSource) else self.prepare(s) for s in sources]
        base = self.lexical.match(claim, prepared, truncated=truncated)
        lexical = base.evidence[: self.candidates]
        plan: list[tuple[int, Chunk]] = []
        for si, src in enumerate(prepared):
            around = [_unit_index(src, e) for e in lexical if e.source_id == src.id]
            chunks = chunk_source(
                src,
                self.nli.count_tokens,
                around=[i for i in around if i is not None],
                budget=self.chunk_tokens,
            )
            plan.extend((si, c) for c in chunks)
        if not plan:
            return base
        probs = self.nli.support([(c.text, claim) for _, c in plan])
        best = max(range(len(plan)), key=lambda i: probs[i])
        p_sup = probs[best]
        label: Literal["supported", "not_found"] = "supported" if p_sup >= 0.5 else "not_found"
        evidence = _evidence(prepared, plan, probs, best, lexical, label)
        return MatchResult(
            label=label,
            verified=label == "supported",
            confidence=round(min(1.0, max(0.0, p_sup)), 4),
            evidence=evidence,
            findings=[f for f in base.findings if f.code != "contradicted"],
        )


def _unit_index(source: PreparedSource, ev: MatchEvidence) -> int | None:
    for i, u in enumerate(source.units):
        if u.start == ev.start and u.end == ev.end and u.field == ev.field:
            return i
    return None


def _evidence(
    prepared: Sequence[PreparedSource],
    plan: Sequence[tuple[int, Chunk]],
    probs: Sequence[float],
    best: int,
    lexical: Sequence[MatchEvidence],
    label: str,
) -> list[MatchEvidence]:
    """Lexical candidates scored by the best chunk that contains them; first the one in the winning chunk, else
    the winning chunk itself as a passage (when it is one run of the abstract)."""
    stance: Literal["support", "neutral"] = "support" if label == "supported" else "neutral"

    def score_of(ev: MatchEvidence) -> float:
        scores = [
            probs[k]
            for k, (si, c) in enumerate(plan)
            if prepared[si].id == ev.source_id and any(_inside(prepared[si].units[i], ev) for i in c.units)
        ]
        return round(max(scores), 4) if scores else 0.0

    si, chunk = plan[best]
    src = prepared[si]
    scored = [e.model_copy(update={"score": score_of(e), "stance": "neutral"}) for e in lexical]
    top = next(
        (
            k
            for k, e in enumerate(lexical)
            if e.source_id == src.id and any(_inside(src.units[i], e) for i in chunk.units)
        ),
        None,
    )
    if top is not None:
        first = scored.pop(top).model_copy(update={"stance": stance})
        return [first, *scored]
    body = [src.units[i] for i in chunk.units if src.units[i].field == "text"]
    if not body:
        return scored
    start, end = body[0].start, body[-1].end
    passage = MatchEvidence(
        source_id=src.id,
        sentence=src.source.text[start:end],
        start=start,
        end=end,
        score=round(probs[best], 4),
        field="text",
        stance=stance,
    )
    return [passage, *scored]


def _inside(unit: Unit, ev: MatchEvidence) -> bool:
    return unit.field == ev.field and unit.start < ev.end and ev.start < unit.end
