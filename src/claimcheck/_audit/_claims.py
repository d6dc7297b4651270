"""Claim-level checks: truncation, the reported flag against its confidence and against the recomputed one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from .._models import Claim, Finding, MatchResult, trusted
from .._truncation import looks_truncated
from ._text import normalise_claim, quote

__all__ = [
    "CONFIDENCE_THRESHOLD",
    "DUPLICATE_SIMILARITY",
    "audit_claim",
    "digit_set",
    "duplicate_claims",
    "same_claim",
    "same_normalised_claim",
    "similar_starts",
]

CONFIDENCE_THRESHOLD = 0.5
"""A ✓ claim should carry at least this confidence, a × claim at most this."""

DUPLICATE_SIMILARITY = 92.0
"""rapidfuzz ratio (0-100) above which two claims with the same numbers and names are the same claim."""

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
"""A number in a claim (its figures must agree for two claims to be the same)."""
_NAME = re.compile(r"\b[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9-]*\b|\b[A-Z][a-z]+\b")


def audit_claim(
    claim: Claim, verdict: MatchResult | None, *, unverifiable: bool = False, checked: str = "abstract"
) -> list[Finding]:
    """Findings about one claim row: truncation, flag vs confidence, flag vs recomputed verdict, matcher's.

    Parameters: ``claim``, the parsed row; ``verdict``, the matcher's result against the fetched sources (None
    when the claim was not matched); ``unverifiable``, True when no cited source could be fetched, so that a ✓
    claim is reported as not checkable rather than unsupported; ``checked``, ``"fulltext"`` when every cited
    paper was read whole: a ✓ claim none of them states is then ``claim_not_in_paper``, the strong signal of
    a fabricated claim, instead of ``unsupported_verified_claim``.

    Example: ``audit_claim(claim, MatchResult(label="not_found", verified=False, confidence=0.1))`` on a ✓ row
    with confidence 0.27 gives ``confidence_flag_mismatch`` and ``unsupported_verified_claim``.
    """
    where = f"Claim {claim.index} (line {claim.line})"
    findings: list[Finding] = []

    def add(code: str, severity: str, message: str, **details: str | int | float | bool | None) -> None:
        # built without validation: every value is the audit's own (a computed message, figures, flags)
        findings.append(
            trusted(
                Finding, code=code, severity=severity, message=message, line=claim.line,
                claim_index=claim.index, details=details,
            )
        )  # fmt: skip

    if claim.truncated or looks_truncated(claim.text):
        tail = claim.text.rstrip()[-30:]
        add(
            "truncated_claim",
            "warning",
            f"{where} is cut off mid-word or mid-sentence after {len(claim.text.rstrip())} characters: "
            f'"…{tail}".',
            length=len(claim.text.rstrip()),
        )

    confidence = claim.reported.confidence
    if confidence is not None:
        if claim.reported.verified and confidence < CONFIDENCE_THRESHOLD:
            add(
                "confidence_flag_mismatch",
                "warning",
                f"{where} is marked ✓ (verified) with a confidence of {confidence:.2f}, "
                f"below {CONFIDENCE_THRESHOLD:.1f}.",
                reported_verified=True,
                reported_confidence=confidence,
            )
        elif not claim.reported.verified and confidence > CONFIDENCE_THRESHOLD:
            add(
                "confidence_flag_mismatch",
                "warning",
                f"{where} is marked × (not verified) with a confidence of {confidence:.2f}, "
                f"above {CONFIDENCE_THRESHOLD:.1f}.",
                reported_verified=False,
                reported_confidence=confidence,
            )

    if claim.reported.verified:
        if unverifiable:
            add(
                "claim_unverifiable",
                "warning",
                f"{where} is marked ✓ but could not be checked: none of the cited papers could be fetched "
                "(this is not evidence against it).",
            )
        elif verdict is not None and not verdict.verified:
            cues = [
                str(cue)
                for f in verdict.findings
                if f.code == "contradicted"
                for cue in (f.details.get("cues") or [])  # type: ignore[union-attr]
            ]
            whole = checked == "fulltext"
            why = {
                "contradicted": "a cited paper contradicts it" + (f" ({'; '.join(cues)})" if cues else ""),
                "not_found": "the cited papers do not state it (their full text was read)"
                if whole
                else "no cited paper's title or abstract supports it",
                "supported": "its support is too weak to count as verified",
            }[verdict.label]
            add(
                "claim_not_in_paper"
                if whole and verdict.label == "not_found"
                else "unsupported_verified_claim",
                "error",
                f"{where} is marked ✓ but {why}; recomputed confidence {verdict.confidence:.2f}: "
                f"{quote(claim.text)}.",
                recomputed_label=verdict.label,
                recomputed_confidence=verdict.confidence,
                checked=checked,
            )

    if verdict is not None:
        for finding in verdict.findings:
            update: dict[str, object] = {}
            if finding.line is None:
                update["line"] = claim.line
            if finding.claim_index is None:
                update["claim_index"] = claim.index
            findings.append(finding.model_copy(update=update) if update else finding)
    return findings


def _read_signature(text: str) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(NUMBER.findall(text)), frozenset(_NAME.findall(text))


# A claim's own signature recurs; the start of another claim cut to its length hardly does (not cached).
_signature = lru_cache(maxsize=65536)(_read_signature)


def _same_signature(a: str, b: str) -> bool:
    """Whether the numbers and names of ``a`` and ``b`` agree up to the length of the shorter."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    numbers, names = _signature(short)
    start = long[: len(short)]
    # every number and name of the shorter is a substring of the other's start, or they differ
    if not all(t in start for t in numbers) or not all(t in start for t in names):
        return False
    return _read_signature(start) == (numbers, names)


def digit_set(text: str) -> frozenset[str]:
    """The decimal digits ``text`` writes, in any script (what `NUMBER`'s ``\\d`` reads).

    Every digit is inside one of the text's numbers, so two texts whose numbers agree up to the length of the
    shorter (`same_normalised_claim`) have the shorter's digits among the other's: a test that costs a set
    comparison, where most reworded copies of a claim with other figures fail.

    Example: ``digit_set("5.4 points over 32 tasks") == frozenset("5432")``
    """
    return frozenset(filter(str.isdecimal, set(text)))


def same_claim(a: str, b: str, *, threshold: float = DUPLICATE_SIMILARITY) -> bool:
    """Whether two claim texts state the same thing: equal once normalised, or nearly equal with the same
    numbers and names (so "on SQuAD … 8.2 points" and "on MNLI … 7.5 points" are different claims).

    A truncated claim is compared with the same-length start of the other.

    Example: ``same_claim("XNLI does not benefit.", "XNLI does not benefit")`` is True.
    """
    return same_normalised_claim(a, normalise_claim(a), b, normalise_claim(b), threshold=threshold)


def same_normalised_claim(
    a: str, na: str, b: str, nb: str, *, threshold: float = DUPLICATE_SIMILARITY, starts_checked: bool = False
) -> bool:
    """`same_claim` for texts whose normalised forms (`normalise_claim`) are already at hand;
    ``starts_checked``: the caller has found the shorter form and the same-length start of the other similar
    at ``threshold`` already.

    Example: ``same_normalised_claim("A b.", "a b", "A b", "a b")`` is True.
    """
    if na == nb:
        return True
    if not na or not nb:
        return False
    n = min(len(na), len(nb))
    if n < 20:
        return False
    if not starts_checked and fuzz.ratio(na[:n], nb[:n]) < threshold:
        return False
    if fuzz.ratio(na, nb) < threshold * 0.6:
        return False
    return _same_signature(a, b)


def similar_starts(short: str, longer: Sequence[str]) -> list[int]:
    """The places in ``longer`` (keys at least as long as the key ``short``) whose start of ``short``'s length
    is similar to it at `DUPLICATE_SIMILARITY`: the first test of `same_normalised_claim` (its
    ``starts_checked``), for them all in one rapidfuzz call, most similar first.

    Example: ``similar_starts("xnli does not benefit at all", ["xnli does not benefit at all here", "mnli"])``
    is ``[0]``.
    """
    size = len(short)
    found = process.extract(
        short,
        [key[:size] for key in longer],
        scorer=fuzz.ratio,
        score_cutoff=DUPLICATE_SIMILARITY,
        limit=None,
    )
    return [offset for _, _, offset in found]


def _first_repeats(texts: Sequence[str], keys: Sequence[str]) -> dict[int, int]:
    """For each claim that repeats an earlier one (`same_normalised_claim`), the first it repeats, by position.

    Each pair is compared once, the shorter key against the same-length starts of all the longer ones in one
    rapidfuzz call (the first test of `same_normalised_claim`); only the pairs that pass it are tested whole.

    Example: ``_first_repeats(["A b c.", "A b c"], ["a b c", "a b c"])`` is ``{1: 0}``.
    """
    first: dict[int, int] = {}
    ranked = sorted(range(len(keys)), key=lambda k: (len(keys[k]), k))
    for place, x in enumerate(ranked):
        short, longer = keys[x], ranked[place + 1 :]
        if len(short) < 20:  # only an equal key repeats a short one
            hits = [y for y in longer if keys[y] == short]
        else:
            hits = [longer[offset] for offset in similar_starts(short, [keys[y] for y in longer])]
        for y in hits:
            i, j = min(x, y), max(x, y)
            if i < first.get(j, j) and same_normalised_claim(
                texts[i], keys[i], texts[j], keys[j], starts_checked=True
            ):
                first[j] = i
    return first


def duplicate_claims(claims: Sequence[Claim]) -> list[Finding]:
    """``duplicate_claim`` findings: a claim that repeats an earlier claim of the same report (the first one
    it repeats).

    Example: two rows "XNLI does not benefit." and "XNLI does not benefit" give one finding on the second row.
    """
    keys = [normalise_claim(c.text) for c in claims]
    first = _first_repeats([c.text for c in claims], keys)
    findings: list[Finding] = []
    for j in sorted(first):
        later, earlier, i = claims[j], claims[first[j]], first[j]
        exact = keys[i] == keys[j]
        findings.append(
            Finding(
                code="duplicate_claim",
                severity="warning",
                message=(
                    f"Claim {later.index} (line {later.line}) "
                    f"{'repeats' if exact else 'nearly repeats'} claim {earlier.index} "
                    f"(line {earlier.line}): {quote(later.text)}."
                ),
                line=later.line,
                claim_index=later.index,
                details={"duplicate_of": earlier.index, "duplicate_of_line": earlier.line},
            )
        )
    return findings
