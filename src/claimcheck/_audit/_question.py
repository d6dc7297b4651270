"""Does any claim address the report's research question?

The question of a machine report typically joins the topic of its sources ("English intermediate-task
training … zero-shot cross-lingual transfer … XTREME") to a twist that none of them studies ("… under
adversarial perturbations", "… as model size scales"). The claims, extracted from those sources, cover the
topic and never the twist. So the question's terms are weighed by how rare they are across the claims and
the cited papers' titles and abstracts: the topic the claims share weighs little, a term no claim or paper
uses weighs most. The question is unaddressed when the claims leave most of that weight uncovered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ._text import content_terms, stem, terms_match, words

__all__ = ["UNADDRESSED_BELOW", "QuestionCoverage", "question_coverage"]

UNADDRESSED_BELOW = 0.4
"""The question is unaddressed when the claims cover less than this share of its distinctive weight."""

_MIN_CLAIMS_FOR_TOPIC = 3
"""Below this many claims, what the claims share says nothing about the report's topic."""

# Words that frame a research question rather than name what it asks about.
_FRAMING = frozenset(
    stem(w)
    for w in words(
        """
    impact impacts effect effects affect affects influence influences effectiveness effective extent
    role relationship relation compare compared comparison evaluate evaluated evaluating evaluation
    assess assessed study studies investigate investigated examine particularly particular terms
    term respect regard regarding degree level levels factor factors aspect aspects way ways mean
    means lead leads result results outcome outcomes various different specific certain given
    current existing overall key main potential possible approach approaches method methods use used
    using exist exists research question strategy strategies technique techniques important importance
    significant significantly benefit benefits gain gains help helps
    """
    )
)


@dataclass(frozen=True)
class QuestionCoverage:
    """How far the claims cover the research question's distinctive terms.

    ``terms`` maps each distinctive question term (as written) to its weight; ``covered`` and ``missing``
    split them; ``share`` is the covered weight over the total (1.0 when the question has no distinctive
    term).
    """

    terms: dict[str, float] = field(default_factory=dict)
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    best_claim: int | None = None
    share: float = 1.0

    @property
    def addressed(self) -> bool:
        """Whether the claims cover enough of the question's distinctive weight."""
        return self.share >= UNADDRESSED_BELOW


class _Doc:
    """A document's stems, indexed for `_contains`: a set, one joined string, and buckets by 3-letter prefix;
    and the answers `_contains` gave (a cited abstract meets the same question terms report after report)."""

    __slots__ = ("by_prefix", "joined", "known", "stems")

    def __init__(self, stems: set[str] | frozenset[str]) -> None:
        self.stems = stems
        self.known: dict[str, bool] = {}
        self.joined = " ".join(stems)  # for substring tests: the order does not matter
        self.by_prefix: dict[str, list[str]] = {}
        for s in stems:
            self.by_prefix.setdefault(s[:3], []).append(s)


# Bounded for archives of thousands of distinct papers and claims: 16,384 stem sets and 1,024 indexed
# abstracts held about 45 MB per worker process (tracemalloc); these bounds about 11 MB.
@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    # claims recur across the reports of a batch: stem each text once
    return frozenset(stem(t) for t in content_terms(text))


@lru_cache(maxsize=256)
def _source_doc(text: str) -> _Doc:
    # The same cited abstracts come back for every report of a batch: index each once.
    return _Doc(_stems(text))


@lru_cache(maxsize=4096)
def _claim_doc(text: str) -> _Doc:
    # Claims recur across the reports of a batch: index each once (about 1.8 KB each, 7 MB in all).
    return _Doc(_stems(text))


# The answers a document keeps (about 100 bytes each): a cited abstract meets the terms of every question
# asked of it, which in an archive are many.
_KNOWN = 256


def _contains(doc: _Doc, term: str) -> bool:
    known = doc.known.get(term)
    if known is None:
        if len(doc.known) >= _KNOWN:
            doc.known.clear()
        # "bert" is in "mbert", "lingual" in "crosslingual": a long enough term inside a claim word counts;
        # terms_match needs a shared prefix of at least 3 letters
        near = doc.by_prefix.get(term[:3])
        known = doc.known[term] = (
            term in doc.stems
            or (len(term) >= 4 and term in doc.joined)
            or (near is not None and any(terms_match(term, s) for s in near))
        )
    return known


_ACRONYM = re.compile(r"\b[a-z]?[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b")


def _acronym_runs(question_words: list[str]) -> dict[str, set[str]]:
    """The initials of every run of 2 to 6 question words, with the stems of the runs having them."""
    runs: dict[str, set[str]] = {}
    for start in range(len(question_words)):
        for end in range(start + 2, min(start + 6, len(question_words)) + 1):
            run = question_words[start:end]
            runs.setdefault("".join(w[0] for w in run), set()).update(stem(w) for w in run)
    return runs


@lru_cache(maxsize=4096)
def _acronyms(claim: str) -> frozenset[str]:
    # claims recur across the reports of a batch, each time with another question
    return frozenset(a.casefold().removesuffix("s") for a in _ACRONYM.findall(claim))


def _expand_acronyms(runs: dict[str, set[str]], claim: str) -> set[str]:
    """Stems of the question's word runs that an acronym of the claim abbreviates: "mPLMs" covers
    "multilingual pretrained language models", "DST" covers "dialogue state tracking"."""
    covered: set[str] = set()
    for acronym in _acronyms(claim):
        covered |= runs.get(acronym, set())
    return covered


@lru_cache(maxsize=1024)
def _question_terms(question: str) -> tuple[dict[str, set[str]], dict[str, str]]:
    # The reports of one generator ask few distinct questions: analyse each once. Callers only read these.
    question_words = content_terms(question)
    seen: dict[str, str] = {}
    for word in question_words:
        key = stem(word)
        if key in _FRAMING or key in seen.values():
            continue
        seen[word] = key
    return _acronym_runs(question_words), seen


def question_coverage(question: str, claims: Sequence[str], sources: Sequence[str] = ()) -> QuestionCoverage:
    """Weigh the question's distinctive terms and measure how much of that weight the claims cover.

    Parameters: ``question``, the research question; ``claims``, the claim texts; ``sources``, the cited
    papers' titles and abstracts (they tell the field's common words from the question's own).

    A term's weight is its inverse document frequency over claims + sources (smoothed); terms that more than
    half of the claims share are the report's topic and weigh nothing extra, since any claim addresses them.
    A claim covers the weight of the question terms it contains; the share reported is the best single
    claim's when it reaches the threshold, else the union's (at most twice the best claim's), so that a
    question split over several claims counts as answered only if its distinctive terms all appear
    somewhere and one claim carries a good part of them.

    Example: ``question_coverage("Does scaling model size improve robustness?", ["XLM-R improves XNLI."])``
    has ``missing`` ``["scaling", "size", "robustness"]`` and is not addressed.
    """
    runs, seen = _question_terms(question)
    claim_stems = [
        _Doc(_stems(c) | extra) if (extra := _expand_acronyms(runs, c)) else _claim_doc(c) for c in claims
    ]
    source_stems = [_source_doc(s) for s in sources]
    n_docs = len(claim_stems) + len(source_stems)
    if not seen or not claim_stems:
        return QuestionCoverage(share=1.0 if not seen else 0.0, missing=list(seen))

    # which claims contain each question term, worked out once
    in_claims = {word: [_contains(doc, key) for doc in claim_stems] for word, key in seen.items()}
    weights: dict[str, float] = {}
    for word, key in seen.items():
        claim_df = sum(in_claims[word])
        df = claim_df + sum(_contains(doc, key) for doc in source_stems)
        idf = math.log((n_docs + 1) / (df + 0.5))
        # the claims' shared topic: any claim addresses it, so it cannot show whether the question is answered
        shared = len(claim_stems) >= _MIN_CLAIMS_FOR_TOPIC and claim_df * 2 > len(claim_stems)
        weights[word] = 0.0 if shared else max(idf, 0.1)
    total = sum(weights.values())
    if total == 0.0:
        return QuestionCoverage(terms=weights, covered=list(weights), share=1.0)

    covered = [w for w in seen if weights[w] > 0 and any(in_claims[w])]
    missing = [w for w in seen if weights[w] > 0 and w not in covered]
    union_share = sum(weights[w] for w in covered) / total
    best_index, best_share = None, 0.0
    for index in range(len(claim_stems)):
        share = sum(weights[w] for w in seen if weights[w] > 0 and in_claims[w][index]) / total
        if share > best_share:
            best_index, best_share = index + 1, share
    share = best_share if best_share >= UNADDRESSED_BELOW else min(union_share, 2 * best_share)
    return QuestionCoverage(
        terms={w: round(x, 3) for w, x in weights.items() if x > 0},
        covered=covered,
        missing=missing,
        best_claim=best_index,
        share=share,
    )
