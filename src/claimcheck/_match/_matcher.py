"""`Matcher`: claim × prepared sources → `MatchResult` with label, calibrated confidence, evidence, findings."""

from __future__ import annotations

import importlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

from .._errors import InputError, ScorerUnavailable
from .._models import Finding, MatchEvidence, MatchResult
from .._truncation import looks_truncated
from ._features import (
    CANDIDATES,
    LEXICAL_FEATURES,
    FeatureExtractor,
    PreparedSource,
    Source,
    candidate_units,
    claim_context,
    format_number,
    lexical_features,
    prepare_claim,
    prepare_source,
    source_features,
)
from ._model import Model, load_model

__all__ = [
    "VETO_CAP",
    "Candidate",
    "Matcher",
    "Scorer",
    "available_scorers",
    "featurize",
    "pick",
    "plan_extractors",
    "register_scorer",
    "vetoed",
]

# Scorer name → "module:function" returning the extra feature extractors (imported lazily, so the lexical
# matcher never imports torch). The lexical scorer has none.
_REGISTRY: dict[str, str | None] = {
    "lexical": None,
    "semantic": "claimcheck._match._semantic:extractors",
    "nli": "claimcheck._match._nli:extractors",
}
# Scorers that can label claims on their own when no weights file was fitted for them: scorer name →
# "module:function" taking (model_path=, cache_dir=, cache_size=, **scorer_options) and returning a `Scorer` that
# the Matcher hands prepare/match to (an NLI or MiniCheck model: its own probability is the verdict).
_STANDALONE: dict[str, str] = {"nli": "claimcheck._match._nli:standalone"}


class Scorer(Protocol):
    """What a standalone scorer offers: the Matcher's prepare/match, and the lexical model ranking candidates."""

    model: Model

    def prepare(self, source: Source) -> PreparedSource: ...

    def match(
        self, claim: str, sources: Sequence[PreparedSource | Source], *, truncated: bool | None = None
    ) -> MatchResult: ...


def register_scorer(name: str, target: str | None) -> None:
    """Register a scorer: ``target`` is ``"module:function"`` returning its `FeatureExtractor` list.

    Example: ``register_scorer("semantic", "claimcheck._match_semantic:extractors")``
    """
    _REGISTRY[name] = target


def available_scorers() -> list[str]:
    """Names of the registered scorers (whether their extra is installed or not).

    Example: ``"lexical" in available_scorers()``
    """
    return sorted(_REGISTRY)


def load_extractors(scorer: str, **options: object) -> list[FeatureExtractor]:
    """The extra feature extractors of ``scorer``; `ScorerUnavailable` when its packages are missing.

    ``options`` go to the scorer's registered function: ``model_path`` (a local model directory, for
    ``nli``) and ``cache_dir`` (the paper cache, where embeddings are kept). A scorer ignores the ones it
    does not use.
    """
    if scorer not in _REGISTRY:
        raise InputError(f"unknown scorer {scorer!r}; choose from {', '.join(available_scorers())}")
    target = _REGISTRY[scorer]
    if target is None:
        if options.get("model_path") is not None:
            raise InputError(f"--model is for --scorer nli; the {scorer} scorer takes no model")
        return []
    extractors: list[FeatureExtractor] = _resolve(scorer, target)(**options)
    return extractors


def _resolve(scorer: str, target: str) -> Any:
    module, _, func = target.partition(":")
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise ScorerUnavailable(
            f"scorer {scorer!r} needs the '{scorer}' extra: pip install 'claimcheck[{scorer}]' ({exc})",
            scorer=scorer,
            package=getattr(exc, "name", None),
        ) from exc
    return getattr(mod, func)


def _has_weights(scorer: str) -> bool:
    return resources.files("claimcheck._match").joinpath(f"weights_{scorer}.json").is_file()


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate evidence unit of a claim with its feature vector and the facts behind it."""

    source_index: int
    unit_index: int
    features: list[float]
    facts: dict[str, object]


def featurize(
    claim: str,
    sources: Sequence[PreparedSource],
    *,
    idf: dict[str, float],
    idf_default: float,
    truncated: bool,
    extractors: Sequence[FeatureExtractor] = (),
    k: int = CANDIDATES,
) -> list[Candidate]:
    """Feature vectors of a claim against its best ``k`` candidate units (cheapest-ranked first), plus, when
    the first misattributes the claim's subject and none of them names it as actor, the next unit that does
    (among the best ``k + FALLBACK_DEPTH``), for `pick`.

    Example: ``featurize("MNLI helps.", [p], idf={}, idf_default=5.0, truncated=False)``
    """
    info = prepare_claim(claim, idf, idf_default, truncated)
    ranked = candidate_units(info, sources, k + FALLBACK_DEPTH)
    if not ranked:
        return []
    context = claim_context(info, sources)
    per_source: dict[int, tuple[float, float, float, float]] = {}

    peers: dict[int, list[int]] = {}
    for si, ui, _ in ranked[:k]:
        peers.setdefault(si, []).append(ui)

    def candidate(si: int, ui: int, bm: float) -> Candidate:
        if si not in per_source:
            per_source[si] = source_features(info, sources[si])
        src = sources[si]
        feats, facts = lexical_features(info, src.units[ui], bm, context, src, per_source[si])
        for ex in extractors:
            feats.extend(ex.features(claim, src, ui, peers.get(si, ())))
        return Candidate(si, ui, feats, facts)

    out = [candidate(*r) for r in ranked[:k]]
    if out and out[0].facts["attribution_flip"] and not any(_actor(c) for c in out):
        for r in ranked[k:]:
            c = candidate(*r)
            if _actor(c):
                out.append(c)
                break
    return out


def plan_extractors(
    extractors: Sequence[FeatureExtractor],
    pairs: Sequence[tuple[str, Sequence[PreparedSource]]],
    *,
    idf: dict[str, float],
    idf_default: float,
) -> None:
    """Hand the (claim, prepared sources) pairs about to be scored to every extractor that can plan them
    (``prepare_pairs``: a model-based one encodes all their texts in one batch).

    Example: ``plan_extractors(m.extractors, [(claim, [p])], idf=m.model.idf, idf_default=m.model.idf_default)``
    """
    for ex in extractors:
        planner = getattr(ex, "prepare_pairs", None)
        if planner is not None:
            planner(pairs, idf=idf, idf_default=idf_default)


# How far past the shown candidates `featurize` looks for a unit naming a vetoed claim's subject as actor.
FALLBACK_DEPTH = 5


def _actor(c: Candidate) -> bool:
    return not vetoed(c) and bool(c.facts["subject_named"])


VETO_CAP = 0.2
# Coverage of the claim's weighted words from which a unit is a strong match: a figure or negation that
# differs there is a conflict (or, for a figure no source states, a veto), not an unrelated sentence.
STRONG_MATCH = 0.5


def vetoed(cand: Candidate) -> bool:
    """Hard evidence against support that the data rarely shows the model: the claim credits its subject
    with what the evidence says was achieved over it ("XLM-R Large achieves state of the art" against
    "an improvement over XLM-R Large, setting the state of the art") or with what the authors did on it, or
    an otherwise near-verbatim claim names something no cited source mentions (a swapped entity), none of
    the two or more things the claim names appears in any cited source, or a claim that matches the evidence
    well states a figure that no cited source states ("improvements of 8.2, 7.5 and 7.0 points")."""
    facts = cand.facts
    numbers_absent = bool(facts["absent_numbers"]) and float(facts["cov"]) >= STRONG_MATCH  # type: ignore[arg-type]
    return bool(
        facts["attribution_flip"] or facts["entity_swap"] or facts["entities_unknown"] or numbers_absent
    )


def pick(cands: Sequence[Candidate]) -> int:
    """The candidate a verdict rests on: the best-ranked one, unless it is vetoed and a later one names the
    claim's subject as the actor (the subject is only the authors' setting or only what was beaten in the
    first; another unit, often of another cited paper, may still say it).

    Example: ``pick(featurize(claim, sources, idf={}, idf_default=5.0, truncated=False))``
    """
    if cands and cands[0].facts["attribution_flip"]:
        for i, c in enumerate(cands):
            if _actor(c):
                return i
    return 0


def has_conflict(cand: Candidate) -> bool:
    """Whether the evidence states something the claim disagrees with, as DESIGN.md defines "contradicted":
    a strong match whose numbers, negation or polarity disagree (or that credits the claim's subject with
    what was achieved over it). Without one, a low-support match is "not found", not a contradiction: an
    abstract that is silent on a detail does not contradict it."""
    facts = cand.facts
    cov = float(facts["cov"])  # type: ignore[arg-type]
    numbers = bool(facts["unmatched_numbers"]) and not facts["absent_numbers"] and cov >= STRONG_MATCH
    negation = bool(facts["negation_mismatch"]) and cov >= STRONG_MATCH
    return numbers or negation or bool(facts["polarity_conflict"]) or bool(facts["attribution_flip"])


class Matcher:
    """Scores claims against prepared sources with a fitted, calibrated model.

    Example:
        ``m = Matcher(); p = m.prepare(Source(id="2005.13013", title=t, text=abstract))``
        ``m.match("MNLI, SQuAD and HellaSwag achieve the best results.", [p]).label == "supported"``
    """

    def __init__(
        self,
        scorer: str = "lexical",
        *,
        model: Model | None = None,
        cache_size: int = 4096,
        model_path: Path | str | None = None,
        cache_dir: Path | None = None,
        scorer_options: Mapping[str, object] | None = None,
    ) -> None:
        self.scorer = scorer
        self._cache: OrderedDict[tuple[str, str, str], PreparedSource] = OrderedDict()
        self._cache_size = cache_size
        # Without a fitted weights file, a standalone scorer (nli) labels claims itself; prepare/match go to it.
        self._standalone: Scorer | None = None
        if model is None and scorer in _STANDALONE and not _has_weights(scorer):
            # scorer_options (nli: model_kind, backend, offline, progress) go to the standalone scorer only.
            self._standalone = _resolve(scorer, _STANDALONE[scorer])(
                model_path=model_path, cache_dir=cache_dir, cache_size=cache_size, **(scorer_options or {})
            )
            self.extractors: list[FeatureExtractor] = []
            self.model = self._standalone.model
            return
        self.extractors = load_extractors(scorer, model_path=model_path, cache_dir=cache_dir)
        self.model = model if model is not None else load_model(scorer)
        names = list(LEXICAL_FEATURES) + [n for e in self.extractors for n in e.feature_names]
        if len(set(self.model.features) - set(names)) or not self.model.features:
            raise InputError(f"weights of scorer {scorer!r} do not fit its features; refit them")
        self.model = self.model.bind(names)

    def prepare(self, source: Source) -> PreparedSource:
        """Analyse a source once (sentences with offsets, windows, tokens, numbers, BM25); memoised.

        Example: ``m.prepare(Source(id="x", title="", text="One. Two.")).units[0].sentence == "One."``
        """
        if self._standalone is not None:
            return self._standalone.prepare(source)
        key = (source.id, source.title, source.text)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        prepared = prepare_source(source)
        for ex in self.extractors:
            ex.prepare(prepared)
        self._cache[key] = prepared
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return prepared

    def plan(self, pairs: Sequence[tuple[str, Sequence[PreparedSource]]]) -> None:
        """Tell the scorer every (claim, prepared sources) pair about to be matched, so that a model-based one
        encodes all their texts in one large batch instead of claim by claim. A no-op for the lexical scorer.

        Example: ``m.plan([(c.text, prepared) for c in report.claims])`` before matching the claims.
        """
        plan_extractors(self.extractors, pairs, idf=self.model.idf, idf_default=self.model.idf_default)

    def match(
        self, claim: str, sources: Sequence[PreparedSource | Source], *, truncated: bool | None = None
    ) -> MatchResult:
        """Label one claim against its sources, with calibrated confidence, evidence and findings.

        ``truncated=None`` detects a cut-off claim with `looks_truncated`; a truncated claim is matched as a
        prefix of the real sentence.
        Example: ``m.match("We obtain a 5.4 point improvement over XLM-R Large.", [p]).verified``
        """
        if self._standalone is not None:
            return self._standalone.match(claim, sources, truncated=truncated)
        prepared = [s if isinstance(s, PreparedSource) else self.prepare(s) for s in sources]
        cut = looks_truncated(claim) if truncated is None else truncated
        model = self.model
        cands = featurize(
            claim,
            prepared,
            idf=model.idf,
            idf_default=model.idf_default,
            truncated=cut,
            extractors=self.extractors,
        )
        if not cands:
            return MatchResult(label="not_found", verified=False, confidence=round(model.calibrate(0.0), 4))
        probs = [model.probabilities(c.features) for c in cands]
        best = max(range(len(cands)), key=lambda i: probs[i][0]) if model.select_by_model else pick(cands)
        p_sup, p_con, p_nf = probs[best]
        confidence = model.calibrate(p_sup)
        if vetoed(cands[best]):
            confidence = min(confidence, VETO_CAP)
        label: Literal["supported", "contradicted", "not_found"]
        if confidence >= model.support_threshold:
            label = "supported"
        elif p_con >= model.contradict_threshold and p_con >= p_nf * 0.5 and has_conflict(cands[best]):
            label = "contradicted"
        else:
            label = "not_found"
        order = [best] + [i for i in range(len(cands)) if i != best]
        evidence: list[MatchEvidence] = []
        for rank, i in enumerate(order):
            c = cands[i]
            src = prepared[c.source_index]
            unit = src.units[c.unit_index]
            stance: Literal["support", "contradict", "neutral"] = "neutral"
            if rank == 0:
                stance = (
                    "support"
                    if label == "supported"
                    else "contradict"
                    if label == "contradicted"
                    else "neutral"
                )
            evidence.append(
                MatchEvidence(
                    source_id=src.id,
                    sentence=unit.sentence,
                    start=unit.start,
                    end=unit.end,
                    score=round(probs[i][0], 4),
                    field=unit.field,
                    stance=stance,
                )
            )
        findings = _findings(label, cands[best], prepared[cands[best].source_index].id)
        return MatchResult(
            label=label,
            verified=label == "supported",
            confidence=round(confidence, 4),
            evidence=evidence,
            findings=findings,
        )


def _findings(label: str, cand: Candidate, source_id: str) -> list[Finding]:
    facts = cand.facts
    cov = float(facts["cov"])  # type: ignore[arg-type]
    out: list[Finding] = []
    unmatched = list(facts["unmatched_numbers"])  # type: ignore[call-overload]
    absent = list(facts["absent_numbers"])  # type: ignore[call-overload]
    if unmatched and label != "supported" and (cov >= 0.4 or absent):
        stated = [format_number(n.value, n.percent) for n in facts["unit_numbers"]]  # type: ignore[attr-defined]
        where = ", ".join(stated) or "none"
        missing = ", ".join(absent) if absent else ", ".join(unmatched)
        what = "appear in no cited abstract" if absent else "are not stated of the same thing in the evidence"
        out.append(
            Finding(
                code="number_mismatch",
                severity="warning",
                arxiv_id=source_id,
                message=f"the claim's number(s) {missing} {what} (closest evidence states: {where})",
                details={"claim_numbers": unmatched, "evidence_numbers": stated},
            )
        )
    if facts["negation_mismatch"] and cov >= STRONG_MATCH and label != "supported":
        out.append(
            Finding(
                code="negation_mismatch",
                severity="warning",
                arxiv_id=source_id,
                message="the claim and its closest evidence differ in negation (one says 'not'/'no'/'without', the other does not)",
            )
        )
    if label == "contradicted":
        reasons = [
            r
            for r, flag in (
                ("numbers", bool(unmatched)),
                ("negation", bool(facts["negation_mismatch"])),
                ("direction of the finding", bool(facts["polarity_conflict"])),
                ("attribution", bool(facts["attribution_flip"])),
            )
            if flag
        ]
        why = ", ".join(reasons) or "wording"
        out.append(
            Finding(
                code="contradicted",
                severity="error",
                arxiv_id=source_id,
                message=f"the cited abstract of {source_id} says otherwise ({why} disagree)",
            )
        )
    return out
