"""Verify one parsed report: match every claim against its cited papers, audit it, summarise it.

A `Verifier` lives as long as a run (one per worker process). It prepares each cited paper once and keeps
the prepared papers in a cache bounded by their size, and remembers recent verdicts, so that a claim matched
against the same papers again in the run costs nothing. Parsed input is never changed: the result carries
copies of the references with their fetch status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .._document import Document
from .._lru import Lru
from .._models import (
    Checked,
    Claim,
    ClaimResult,
    Evidence,
    Finding,
    Label,
    MatchResult,
    Paper,
    Recomputed,
    Reference,
    Report,
    ReportResult,
    ReportSummary,
    trusted,
)
from .._sources import PaperCache, PaperKey

if TYPE_CHECKING:
    from .._match import Matcher, PreparedSource

__all__ = ["MatchOptions", "PaperKey", "Verifier", "summarise"]


@dataclass(frozen=True)
class MatchOptions:
    """How claims are matched: the scorer and its options, passed on to every worker process.

    Example: ``MatchOptions(scorer="nli", model_path=Path("models/nli"))``
    """

    scorer: str = "lexical"
    model_path: Path | str | None = None
    cache_dir: Path | None = None
    scorer_options: dict[str, object] = field(default_factory=dict)
    """What the nli scorer also takes: ``model_kind``, ``backend``, ``offline`` (`claimcheck._match._standalone.standalone`)."""


_FIELDS: dict[str, Literal["title", "abstract", "text"]] = {
    "title": "title",
    "abstract": "abstract",
    "body": "text",
    "table": "text",
    "caption": "text",
}
"""The evidence's older ``field`` key, kept beside ``location``: body, table and caption text is "text"."""

_MEMO_SIZE = 1024
"""Verdicts remembered per process, by (claim text, truncated flag, cited papers): about 6 KB each (measured
with tracemalloc at archive scale), 6 MB in all; a repeated claim/papers pair mostly recurs close by."""
_PREPARED_UNITS = 4_000
"""Prepared papers kept per process, counted in evidence units (an abstract has about 20, a full paper 400 to
800, so three full papers of one report always fit; a prepared unit costs about 16 KB, measured with
tracemalloc): about 64 MB whatever the number of distinct papers in the run. With thousands of distinct
papers cited at random a larger cache buys few hits (276 of 4,168 papers held: 7%) for its memory."""


class Verifier:
    """Matches and audits reports against fetched papers, one report at a time.

    Parameters: ``options``, the scorer and its model; ``documents``, where the papers' full text is
    (`SourceSession.documents`: the papers marked ``fulltext`` html/pdf are read from it).

    Example: ``Verifier(MatchOptions()).verify(report, papers)``
    """

    def __init__(self, options: MatchOptions, documents: PaperCache | None = None) -> None:
        from .._match import Matcher

        # The matcher's own memo is kept to one paper: this verifier's bounded cache is the one that counts.
        self.matcher: Matcher = Matcher(
            scorer=options.scorer,
            model_path=options.model_path,
            cache_dir=options.cache_dir,
            cache_size=1,
            scorer_options=options.scorer_options,
        )
        self.documents = documents
        # prepared papers, bounded by their units (one paper is always kept, however long)
        self._prepared: Lru[PaperKey, PreparedSource] = Lru(_PREPARED_UNITS, lambda p: len(p.units), floor=1)
        self._memo: Lru[tuple[str, bool, tuple[PaperKey, ...]], MatchResult] = Lru(_MEMO_SIZE)
        self.memo_hits = 0

    def document(
        self, key: PaperKey, paper: Paper, sentences: tuple[tuple[int, int], ...] | None = None
    ) -> Document:
        """The text of ``paper`` the matcher reads: its full text when it was read, else title and abstract
        (split at ``sentences``, its abstract's sentence spans, when given)."""
        title, abstract = paper.title or "", paper.abstract or ""
        if paper.fulltext in ("html", "pdf") and self.documents is not None and paper.version is not None:
            entry = self.documents.get_document(paper.arxiv_id, paper.version)
            if entry is not None and entry.document is not None:
                return entry.document.with_metadata(title=title, abstract=abstract)
        return Document.from_abstract(
            key[0], paper.version, title=title, abstract=abstract, sentences=sentences
        )

    def prepared(
        self, key: PaperKey, paper: Paper | None, sentences: tuple[tuple[int, int], ...] | None = None
    ) -> PreparedSource | None:
        """``paper`` prepared for matching (once per run while it stays in the bounded cache); ``sentences``
        are its abstract's sentence spans, when known (`SourceSession.abstract_sentences`)."""
        if paper is None or paper.status != "found":
            return None
        hit = self._prepared.get(key)
        if hit is None:
            from .._match import Source

            document = self.document(key, paper, sentences)
            hit = self.matcher.prepare(Source.from_document(document, paper.arxiv_id))
            self._prepared.put(key, hit)
        return hit

    def match(self, claim: Claim, keys: tuple[PaperKey, ...], prepared: list[PreparedSource]) -> MatchResult:
        """The verdict on ``claim`` against ``prepared`` (remembered by claim and papers)."""
        memo_key = (claim.text, claim.truncated, keys)
        verdict = self._memo.get(memo_key)
        if verdict is not None:
            self.memo_hits += 1
            return verdict
        verdict = self.matcher.match(claim.text, prepared, truncated=claim.truncated)
        self._memo.put(memo_key, verdict)
        return verdict

    def verify(
        self,
        report: Report,
        papers: Mapping[PaperKey, Paper],
        latest: Mapping[str, Paper] | None = None,
        sentences: Mapping[PaperKey, tuple[tuple[int, int], ...]] | None = None,
    ) -> ReportResult:
        """Match, audit and summarise ``report`` against ``papers`` (keyed by the references' id, version).

        ``latest`` (the latest version of each cited paper, by arXiv id) lets the audit tell version drift;
        ``sentences`` (the sentence spans of cited papers' abstracts, by the same key) spare splitting them.
        """
        from .._audit import audit_claim, audit_report

        keys: list[PaperKey] = []
        references: list[Reference] = []
        for ref in report.references:
            if ref.arxiv_id is None:
                references.append(ref)
                continue
            key = (ref.arxiv_id, ref.version)
            paper = papers.get(key)
            references.append(
                ref.model_copy(
                    update={
                        "status": paper.status if paper is not None else "unavailable",
                        "title": paper.title if paper is not None else None,
                        "fulltext": paper.fulltext if paper is not None else None,
                        "fulltext_reason": paper.fulltext_reason if paper is not None else None,
                    }
                )
            )
            if key not in keys:
                keys.append(key)
        spans = sentences or {}
        usable = [(k, p) for k in keys if (p := self.prepared(k, papers.get(k), spans.get(k))) is not None]
        found = tuple(k for k, _ in usable)
        prepared = [p for _, p in usable]
        any_unavailable = any((papers.get(k) is None or papers[k].status == "unavailable") for k in keys)
        # "not in the paper" is strong only when every cited paper that was found was read whole
        checked: Checked = (
            "fulltext" if found and all(papers[k].fulltext in ("html", "pdf") for k in found) else "abstract"
        )

        if prepared and self.matcher.extractors:  # a model-based scorer encodes the report's texts at once
            self.matcher.plan([(c.text, prepared) for c in report.claims])
        # Records are built by `trusted`, without validation: every value comes from validated models or the matcher.
        claims: list[ClaimResult] = []
        for claim in report.claims:
            verdict = self.match(claim, found, prepared) if prepared else None
            label: Label
            if verdict is None or (verdict.label == "not_found" and any_unavailable):
                # Nothing to judge against, or the paper that might say it could not be fetched.
                label = "unverifiable" if (any_unavailable or not keys) else "not_found"
                confidence = verdict.confidence if verdict is not None else 0.0
                recomputed = trusted(
                    Recomputed, verified=False, confidence=confidence, label=label, checked=checked
                )
            else:
                recomputed = trusted(
                    Recomputed,
                    verified=verdict.verified,
                    confidence=verdict.confidence,
                    label=verdict.label,
                    checked=checked,
                )
            evidence = (
                [
                    trusted(
                        Evidence,
                        arxiv_id=e.source_id,
                        sentence=e.sentence,
                        start=e.start,
                        end=e.end,
                        score=e.score,
                        field=_FIELDS[e.location],
                        stance=e.stance,
                        location=e.location,
                        section=e.section,
                        page=e.page,
                        anchor=e.anchor,
                    )
                    for e in verdict.evidence
                ]
                if verdict is not None
                else []
            )
            claims.append(
                trusted(
                    ClaimResult,
                    # a record's fields as dict(claim) gives them, without its failed lookup of a keys()
                    **vars(claim),
                    recomputed=recomputed,
                    evidence=evidence,
                    findings=audit_claim(
                        claim, verdict, unverifiable=recomputed.label == "unverifiable", checked=checked
                    ),
                )
            )

        cited = {k: papers[k] for k in keys if k in papers}
        fetched = report.model_copy(update={"references": references})
        report_findings = audit_report(fetched, cited, claims, latest=latest)
        findings = [*report.findings, *report_findings]
        summary = summarise(report, claims, findings, keys, papers)
        return trusted(
            ReportResult,
            **{
                **vars(report),
                "references": references,
                "claims": claims,
                "findings": findings,
                "summary": summary,
            },
        )


def summarise(
    report: Report,
    claims: Sequence[ClaimResult],
    findings: Sequence[Finding],
    keys: Sequence[PaperKey],
    papers: Mapping[PaperKey, Paper],
) -> ReportSummary:
    """The recomputed figures of one verified report."""
    labels = [c.recomputed.label for c in claims]
    all_findings = [*findings, *(f for c in claims for f in c.findings)]
    return trusted(
        ReportSummary,
        references=len(report.references),
        references_found=sum(1 for k in keys if k in papers and papers[k].status == "found"),
        claims=len(claims),
        reported_verified=sum(1 for c in claims if c.reported.verified),
        supported=labels.count("supported"),
        contradicted=labels.count("contradicted"),
        not_found=labels.count("not_found"),
        unverifiable=labels.count("unverifiable"),
        errors=sum(1 for f in all_findings if f.severity == "error"),
        warnings=sum(1 for f in all_findings if f.severity == "warning"),
    )
