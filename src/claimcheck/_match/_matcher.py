"""`Matcher`: claim × prepared sources → `MatchResult` with label, calibrated confidence, evidence, findings."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

from .._document import Document
from .._errors import InputError, ScorerUnavailable
from .._lru import Lru
from .._models import Finding, MatchEvidence, MatchResult, Paper, trusted
from .._truncation import looks_truncated
from ._conflicts import ClaimInfo, Conflict, clause_conflicts, format_number, prepare_claim
from ._features import (
    CANDIDATES,
    LEXICAL_FEATURES,
    FeatureExtractor,
    PreparedSource,
    Source,
    Unit,
    candidate_units,
    claim_context,
    cut_mid_word,
    lexical_features,
    prepare_source,
    region_coverage,
    source_features,
)
from ._model import Model, load_model

__all__ = [
    "VERIFIED_AT",
    "VETO_CAP",
    "Candidate",
    "Matcher",
    "Scorer",
    "available_scorers",
    "capped",
    "featurize",
    "pick",
    "plan_extractors",
    "register_scorer",
    "stated_conflict",
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
_STANDALONE: dict[str, str] = {"nli": "claimcheck._match._standalone:standalone"}


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
    prepared: ClaimInfo | None = None,
) -> list[Candidate]:
    """Feature vectors of a claim against its best ``k`` candidate units (cheapest-ranked first), plus, when
    the first misattributes the claim's subject and none of them names it as actor, the next unit that does
    (among the best ``k + FALLBACK_DEPTH``), for `pick`.

    ``prepared``: the claim's `prepare_claim` with the same ``idf``, ``idf_default`` and ``truncated``, when
    the caller has it (it is not changed: its per-match ``ranked`` is filled in a copy).
    Example: ``featurize("MNLI helps.", [p], idf={}, idf_default=5.0, truncated=False)``
    """
    if prepared is None:
        info = prepare_claim(claim, idf, idf_default, truncated)
    else:
        info = replace(prepared, ranked=[])
    ranked = candidate_units(info, sources, k + FALLBACK_DEPTH)
    if not ranked:
        return []
    context = claim_context(info, sources)
    # The sentence that states a conflict need not be the one most like the claim ("X does not improve Y"
    # shares more words with a sentence on how Y was measured): look for one among all the ranked units.
    # A claim that one unit states nearly word for word is settled by that unit, and a figure is compared
    # only in the best unit: sentences of the same shape ("84% (95% CI, 65%-75%)") abound in an abstract.
    first = sources[ranked[0][0]].units[ranked[0][1]]
    verbatim = sum(w for s, w in info.weights.items() if s in first.tf) / info.total >= VERBATIM
    found: dict[tuple[int, int], list[Conflict]] = {}  # each unit's conflicts, worked out once

    def conflicts(si: int, ui: int) -> list[Conflict]:
        hit = found.get((si, ui))
        if hit is None:
            unit = sources[si].units[ui]
            # a title names a topic and asserts nothing, so it cannot state a conflict
            hit = found[si, ui] = (
                [] if unit.field == "title" else clause_conflicts(info, unit.info, context.absent_numbers)
            )
        return hit

    conflicting = next(
        (
            (si, ui, bm)
            for rank, (si, ui, bm) in enumerate(ranked)
            if (rank == 0 or not verbatim)
            and any(rank == 0 or c.kind != "numbers" for c in conflicts(si, ui))
        ),
        None,
    )
    context = replace(context, conflict_near=conflicting is not None)
    per_source: dict[tuple[int, int], tuple[float, float, float, float]] = {}
    cov_region: dict[tuple[int, int], float] = {}

    peers: dict[int, list[int]] = {}
    for si, ui, _ in ranked[:k]:
        peers.setdefault(si, []).append(ui)

    def candidate(si: int, ui: int, bm: float) -> Candidate:
        src = sources[si]
        key = (si, src.units[ui].region)
        if key not in per_source:
            per_source[key] = source_features(info, src, key[1])
            cov_region[key] = region_coverage(info, sources, src, key[1])
        feats, facts = lexical_features(
            info, src.units[ui], bm, context, src, per_source[key], cov_region[key], conflicts(si, ui)
        )
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
    if conflicting is not None and not any((c.source_index, c.unit_index) == conflicting[:2] for c in out):
        out.append(candidate(*conflicting))
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


# Analysed claims a `Matcher` remembers: about 6.7 KB each (tracemalloc), 27 MB in all. On bench_verify's
# 2,000 reports 41% of a worker's claims were analysed already (30% with a memo of 1,024).
_CLAIM_MEMO = 4096

# How far past the shown candidates `featurize` looks for a unit naming a vetoed claim's subject as actor.
FALLBACK_DEPTH = 5
# Coverage of the claim's weighted stems from which the best unit states the claim nearly word for word.
VERBATIM = 0.9


def _actor(c: Candidate) -> bool:
    return not vetoed(c) and bool(c.facts["subject_named"])


VETO_CAP = 0.2


def capped(confidence: float) -> float:
    """The confidence of a vetoed claim: mapped into [0.75, 1] x `VETO_CAP` rather than clipped to it, so that
    vetoed claims keep their order and do not all show the same figure. Not lower: about a fifth of SciFact's
    vetoed pairs are SUPPORT, and scaling them down to ``VETO_CAP * confidence`` cost SciFact ECE 0.045
    against 0.030 (5-fold CV).

    Example: ``capped(1.0) == 0.2``
    """
    return VETO_CAP * (0.75 + 0.25 * confidence)


# The one rule of a verdict: a claim is verified exactly when its calibrated confidence reaches this.
VERIFIED_AT = 0.5
# Coverage of the claim's weighted words from which a unit is a strong match: a figure or negation that
# differs there is a conflict (or, for a figure no source states, a veto), not an unrelated sentence.
STRONG_MATCH = 0.5


def vetoed(cand: Candidate) -> bool:
    """Hard evidence against support that the data rarely shows the model: the claim credits its subject
    with what the evidence says was achieved over it ("XLM-R Large achieves state of the art" against
    "an improvement over XLM-R Large, setting the state of the art") or with what the authors did on it, or
    an otherwise near-verbatim claim names something no cited source mentions (a swapped entity), none of
    the two or more things the claim names appears in any cited source, a claim that matches the evidence
    well states a figure that no cited source states ("improvements of 8.2, 7.5 and 7.0 points"), or an
    item of a list in the claim ("the tasks include A, B, C and D") is named by no cited source."""
    facts = cand.facts
    numbers_absent = bool(facts["absent_numbers"]) and float(facts["cov"]) >= STRONG_MATCH  # type: ignore[arg-type]
    return bool(
        facts["attribution_flip"]
        or facts["entity_swap"]
        or facts["entities_unknown"]
        or numbers_absent
        or facts["missing_items"]
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


def stated_conflict(cands: Sequence[Candidate], best: int) -> int | None:
    """The index of the candidate that states a conflict with the claim: the verdict's own unit if it does,
    else another one (but not for a figure, and not when the verdict's unit states the claim nearly word for
    word: see `featurize`); None when none does.

    Example: ``stated_conflict(featurize(claim, sources, idf={}, idf_default=5.0, truncated=False), 0)``
    """
    if has_conflict(cands[best]):
        return best
    if float(cands[best].facts["cov"]) >= VERBATIM:  # type: ignore[arg-type]
        return None
    for i, cand in enumerate(cands):
        if i != best and has_conflict(cand) and any(c.kind != "numbers" for c in cand.facts["conflicts"]):  # type: ignore[attr-defined]
            return i
    return None


def has_conflict(cand: Candidate) -> bool:
    """Whether the evidence states something the claim disagrees with, as DESIGN.md defines "contradicted":
    an evidence clause aligned with a clause of the claim negates it, reverses its direction or comparison,
    says the other of two things it names, or gives another figure for the same thing (`clause_conflicts`).
    A figure that no cited source states makes the claim unsupported ("not found"), never contradicted, and so
    does a list item that no source names: the abstract is silent there, it does not disagree."""
    facts = cand.facts
    if facts["absent_numbers"] or facts["missing_items"]:
        return False
    return bool(facts["conflicts"])


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
        self._cache: Lru[tuple[str, str, str, Document | None], PreparedSource] = Lru(cache_size)
        self._claims: Lru[tuple[str, bool], tuple[Model, ClaimInfo]] = Lru(_CLAIM_MEMO)
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
        key = (source.id, source.title, source.text, source.document)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        prepared = prepare_source(source)
        for ex in self.extractors:
            ex.prepare(prepared)
        self._cache.put(key, prepared)
        return prepared

    def _claim(self, claim: str, truncated: bool) -> ClaimInfo:
        """The claim analysed for this matcher's model (`prepare_claim`), remembered: a claim recurs across
        the reports of a batch, each time against other papers."""
        key = (claim, truncated)
        hit = self._claims.get(key)
        if hit is not None and hit[0] is self.model:
            return hit[1]
        info = prepare_claim(claim, self.model.idf, self.model.idf_default, truncated)
        self._claims.put(key, (self.model, info))
        return info

    def plan(self, pairs: Sequence[tuple[str, Sequence[PreparedSource]]]) -> None:
        """Tell the scorer every (claim, prepared sources) pair about to be matched, so that a model-based one
        encodes all their texts in one large batch instead of claim by claim. A no-op for the lexical scorer.

        Example: ``m.plan([(c.text, prepared) for c in report.claims])`` before matching the claims.
        """
        plan_extractors(self.extractors, pairs, idf=self.model.idf, idf_default=self.model.idf_default)

    def match(
        self,
        claim: str,
        sources: Sequence[PreparedSource | Source | Paper],
        *,
        truncated: bool | None = None,
    ) -> MatchResult:
        """Label one claim against its sources, with calibrated confidence, evidence and findings.

        ``sources`` may be prepared sources, `Source` records, or fetched `Paper` records (read by their title
        and abstract; for a paper's full text, pass ``Source.from_document``). ``truncated=None`` detects a
        cut-off claim with `looks_truncated`; a truncated claim is matched as a prefix of the real sentence.
        Example: ``m.match("We obtain a 5.4 point improvement over XLM-R Large.", fetch_papers(["2005.13013v2"]))``
        """
        given = [Source.from_paper(s) if isinstance(s, Paper) else s for s in sources]
        if self._standalone is not None:
            return self._standalone.match(claim, given, truncated=truncated)
        prepared = [s if isinstance(s, PreparedSource) else self.prepare(s) for s in given]
        cut = (looks_truncated(claim) or cut_mid_word(claim, prepared)) if truncated is None else truncated
        model = self.model
        cands = featurize(
            claim,
            prepared,
            idf=model.idf,
            idf_default=model.idf_default,
            truncated=cut,
            extractors=self.extractors,
            prepared=self._claim(claim, cut),
        )
        if not cands:
            return MatchResult(label="not_found", verified=False, confidence=round(model.calibrate(0.0), 4))
        probs = [model.probabilities(c.features) for c in cands]
        best = max(range(len(cands)), key=lambda i: probs[i][0]) if model.select_by_model else pick(cands)
        p_sup, p_con, p_nf = probs[best]
        # the candidate whose aligned clause states a conflict, if any: the verdict's evidence when contradicted
        stated = stated_conflict(cands, best)
        confidence = model.calibrate(p_sup)
        if vetoed(cands[best]) or stated is not None:  # an aligned clause that disagrees: not verified
            confidence = capped(confidence)
        label: Literal["supported", "contradicted", "not_found"]
        confidence = round(confidence, 4)  # the shown figure decides, so verdict and figure always agree
        if confidence >= VERIFIED_AT:
            label = "supported"
        elif stated is not None and (
            model.binary or (p_con >= model.contradict_threshold and p_con >= p_nf * 0.5)
        ):
            label = "contradicted"
            best = stated
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
                if label == "contradicted" and unit.window:
                    unit = _contradicting_sentence(cands[best], src, unit)
            # built without validation: every value comes from the prepared source and the model
            evidence.append(
                trusted(
                    MatchEvidence,
                    source_id=src.id,
                    sentence=unit.sentence,
                    start=unit.start,
                    end=unit.end,
                    score=round(probs[i][0], 4),
                    field=unit.field,
                    stance=stance,
                    location=unit.location,
                    section=unit.section,
                    page=unit.page,
                    anchor=unit.anchor,
                )
            )
        findings = _findings(label, cands[best], prepared[cands[best].source_index].id)
        return trusted(
            MatchResult,
            label=label,
            verified=label == "supported",
            confidence=confidence,
            evidence=evidence,
            findings=findings,
        )


def _contradicting_sentence(cand: Candidate, src: PreparedSource, window: Unit) -> Unit:
    """The sentence of a two-sentence window that states the conflict (the window when neither does alone)."""
    claim = cand.facts["claim"]
    absent = cand.facts["absent_mentions"]
    for unit in src.units:
        if unit.window or unit.field != window.field or not window.start <= unit.start < window.end:
            continue
        if clause_conflicts(claim, unit.info, absent):  # type: ignore[arg-type]
            return unit
    return window


def _join(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _findings(label: str, cand: Candidate, source_id: str) -> list[Finding]:
    # built without validation, as the evidence is: every value is the matcher's own
    facts = cand.facts
    cov = float(facts["cov"])  # type: ignore[arg-type]
    out: list[Finding] = []
    unmatched = list(facts["unmatched_numbers"])  # type: ignore[call-overload]
    absent = list(facts["absent_numbers"])  # type: ignore[call-overload]
    conflicts: list[Conflict] = list(facts["conflicts"])  # type: ignore[call-overload]
    if unmatched and label != "supported" and (cov >= 0.4 or absent):
        stated = [format_number(n.value, n.percent) for n in facts["unit_numbers"]]  # type: ignore[attr-defined]
        missing = absent or unmatched
        subject = (
            f"The claim's figure {missing[0]}"
            if len(missing) == 1
            else f"The claim's figures {_join(missing)}"
        )
        verb = (
            ("appears" if len(missing) == 1 else "appear") if absent else "is" if len(missing) == 1 else "are"
        )
        what = (
            f"{verb} in no cited abstract"
            if absent
            else f"{verb} not stated of the same thing in the evidence"
        )
        closest = (
            f"; the closest evidence states {_join(stated)}"
            if stated
            else "; the closest evidence states no figure"
        )
        out.append(
            trusted(
                Finding,
                code="number_mismatch",
                severity="warning",
                arxiv_id=source_id,
                message=f"{subject} {what}{closest}.",
                details={"claim_numbers": unmatched, "evidence_numbers": stated},
            )
        )
    negations = [c for c in conflicts if c.kind in ("negation", "object")]
    if negations and label != "supported":
        cue = negations[0].cue
        side = (
            "negates what the claim asserts"
            if cue.endswith("in the evidence")
            else "negates what the evidence asserts"
        )
        out.append(
            trusted(
                Finding,
                code="negation_mismatch",
                severity="warning",
                arxiv_id=source_id,
                message=f"{cue[0].upper()}{cue[1:]} {side}, in the clause the claim matches.",
                details={"cues": [c.cue for c in negations]},
            )
        )
    if label == "contradicted":
        why = "; ".join(dict.fromkeys(c.cue for c in conflicts))
        out.append(
            trusted(
                Finding,
                code="contradicted",
                severity="error",
                arxiv_id=source_id,
                message=f"The cited abstract of {source_id} says otherwise: {why}.",
                details={
                    "kinds": sorted({c.kind for c in conflicts}),
                    "cues": list(dict.fromkeys(c.cue for c in conflicts)),
                },
            )
        )
    return out
