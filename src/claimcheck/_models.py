"""Typed records that flow through the pipeline: parse → fetch → match → audit → render.

Field names follow the JSON contract of DESIGN.md (schema_version "1"): extend, never rename.
"""

from __future__ import annotations

import copy
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

__all__ = [
    "SCHEMA_VERSION",
    "BatchSummary",
    "Claim",
    "ClaimResult",
    "Evidence",
    "Finding",
    "InputErrorRecord",
    "Label",
    "MatchEvidence",
    "MatchResult",
    "Paper",
    "PaperStatus",
    "Recomputed",
    "Reference",
    "Report",
    "ReportResult",
    "ReportSummary",
    "Reported",
    "Severity",
    "StatedFigures",
    "VerifyResult",
    "trusted",
]

SCHEMA_VERSION: Literal["1"] = "1"

Severity = Literal["error", "warning", "info"]
PaperStatus = Literal["found", "not_found", "unavailable", "malformed"]
Label = Literal["supported", "contradicted", "not_found", "unverifiable"]
ReportFormat = Literal["markdown", "text"]
TableFormat = Literal["tsv", "pipe"]
UrlKind = Literal["abs", "pdf", "arxiv_prefix", "bare", "doi", "other"]
FullTextKind = Literal["html", "pdf", "none"]
Location = Literal["title", "abstract", "body", "table", "caption"]
Checked = Literal["fulltext", "abstract"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=False)


_M = TypeVar("_M", bound=BaseModel)
_IMMUTABLE = (str, int, float, bool, type(None), tuple, frozenset)
# Per model: how `trusted` builds it (`_trusted_fields`) and its field names.
_TRUSTED: dict[type[BaseModel], tuple[tuple[tuple[str, Any, bool | None], ...] | None, frozenset[str]]] = {}
# The slots of every pydantic record beside its __dict__.
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__


def _trusted_fields(cls: type[BaseModel]) -> tuple[tuple[str, Any, bool | None], ...] | None:
    """How `trusted` builds ``cls``, or None when only `BaseModel.model_construct` may (aliases, private
    attributes, a post-init hook or extra fields, which it handles and `trusted` does not)."""
    if cls.__private_attributes__ or cls.__pydantic_post_init__ or cls.model_config.get("extra") == "allow":
        return None
    table: list[tuple[str, Any, bool | None]] = []
    for name, info in cls.__pydantic_fields__.items():
        if info.alias is not None or info.validation_alias is not None:
            return None
        if info.default_factory is not None:
            table.append((name, info.default_factory, True))
        elif info.is_required():
            table.append((name, None, None))
        else:
            table.append((name, info.default, False))
    return tuple(table)


def trusted(cls: type[_M], /, **values: Any) -> _M:
    """A ``cls`` record of trusted ``values`` (taken from validated records or computed by claimcheck),
    without validation: what ``cls.model_construct(**values)`` makes (defaults filled in, the fields set
    recorded), in a third of its time; the verifier builds about nine records a claim.

    Example: ``trusted(Recomputed, verified=True, confidence=0.9, label="supported")``
    """
    spec = _TRUSTED.get(cls)
    if spec is None:
        spec = _TRUSTED[cls] = (_trusted_fields(cls), frozenset(cls.__pydantic_fields__))
    table, names = spec
    if table is None:
        return cls.model_construct(**values)
    if values.keys() == names:  # every field given (the usual case): the keywords are the record's fields
        fields: dict[str, Any] = values
        given = set(values)
    else:
        fields = {}
        for name, default, factory in table:
            if name in values:
                fields[name] = values[name]
            elif factory:
                fields[name] = default()
            elif factory is False:
                fields[name] = default if isinstance(default, _IMMUTABLE) else copy.deepcopy(default)
            # a required field not given is left unset, as model_construct leaves it
        given = {n for n in values if n in fields}
    record = cls.__new__(cls)
    object.__setattr__(record, "__dict__", fields)
    # (the slots set through their descriptors: object.__setattr__ looks each up by name)
    _SET_FIELDS_SET(record, given)
    _SET_EXTRA(record, None)
    _SET_PRIVATE(record, None)
    return record


def _without(data: Any, keys: frozenset[str]) -> Any:
    """``data`` without the computed ``keys`` a dump carries, so an output validates back into its model."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k not in keys}
    return data


class Finding(_Model):
    """One thing wrong (or worth knowing) about a report, a claim, a reference or a batch.

    Example: ``Finding(code="truncated_claim", severity="warning", message="claim 1 is cut off mid-word", line=31)``
    """

    code: str
    severity: Severity
    message: str
    line: int | None = None
    arxiv_id: str | None = None
    claim_index: int | None = None
    path: str | None = None
    details: dict[str, str | int | float | bool | list[str] | None] = Field(default_factory=dict)


class StatedFigures(_Model):
    """Figures the report states about itself; None when the report does not state them."""

    papers_retrieved: int | None = None
    claims_extracted: int | None = None
    claims_verified: int | None = None
    quality_score: float | None = None
    papers_retrieved_line: int | None = None
    claims_extracted_line: int | None = None
    claims_verified_line: int | None = None


class Reported(_Model):
    """What the report says of a claim: its ✓/× mark and confidence."""

    verified: bool
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)


class Claim(_Model):
    """One row of the report's claims table."""

    index: int = Field(ge=1, description="1-based position in table order")
    line: int = Field(ge=1, description="1-based line of the row in the report file")
    text: str
    truncated: bool = False
    reported: Reported


class Reference(_Model):
    """One cited paper of the report's reference list."""

    raw: str
    line: int
    arxiv_id: str | None = Field(default=None, description="arXiv id without version")
    version: int | None = None
    url_kind: UrlKind = "other"
    status: PaperStatus | None = Field(
        default=None, description="None until fetched; malformed when not an id"
    )
    title: str | None = None
    fulltext: FullTextKind | None = Field(
        default=None, description="html or pdf when the paper's full text was read, none when it was not"
    )
    fulltext_reason: str | None = Field(default=None, description="why there is no full text")


class Report(_Model):
    """A parsed synthesis report (the output of `parse_report`)."""

    path: str
    format: ReportFormat
    table_format: TableFormat | None = None
    encoding: str = "utf-8"
    title: str | None = None
    title_line: int | None = None
    date: str | None = None
    abstract: str | None = None
    abstract_line: int | None = None
    research_question: str | None = None
    research_question_line: int | None = None
    stated: StatedFigures = Field(default_factory=StatedFigures)
    claims: list[Claim] = Field(default_factory=list)
    claims_line: int | None = Field(default=None, description="line of the claims section heading")
    references: list[Reference] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class Paper(_Model):
    """Metadata of one arXiv paper, or the reason it could not be had (`status`)."""

    arxiv_id: str
    version: int | None = Field(default=None, description="version returned by the API")
    requested_version: int | None = None
    status: PaperStatus
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    abstract: str | None = None
    published: str | None = None
    updated: str | None = None
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list)
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    version_missing: bool = Field(
        default=False, description="the cited version is not the one arXiv returned"
    )
    message: str | None = Field(default=None, description="why the paper is not found/unavailable/malformed")
    source: str | None = Field(default=None, description="where it came from: sources, cache, api, local")
    fulltext: FullTextKind | None = Field(
        default=None, description="what was read of the paper's full text; None when it was not asked for"
    )
    fulltext_reason: str | None = Field(
        default=None,
        description="why there is no full text: not_offered, unavailable, too_large, unparseable, offline",
    )


class MatchEvidence(_Model):
    """A sentence (or window) of a source that bears on a claim, with offsets into its text."""

    source_id: str
    sentence: str
    start: int
    end: int
    score: float
    field: Literal["title", "abstract", "text"] = "text"
    stance: Literal["support", "contradict", "neutral"] = "neutral"
    location: Location = Field(
        default="abstract", description="where in the source: title, abstract, body, table, caption"
    )
    section: str | None = Field(default=None, description="the heading the sentence stands under, when known")
    page: int | None = Field(default=None, description="the PDF page (1-based), when read from a PDF")
    anchor: str | None = Field(
        default=None, description="the id of its element in the paper's HTML, for a link"
    )


class MatchResult(_Model):
    """The matcher's verdict on one claim against its sources."""

    label: Literal["supported", "contradicted", "not_found"]
    verified: bool
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[MatchEvidence] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class Evidence(_Model):
    """Evidence in the verify output, naming the paper by arXiv id."""

    arxiv_id: str
    sentence: str
    start: int
    end: int
    score: float
    field: Literal["title", "abstract", "text"] = "abstract"
    stance: Literal["support", "contradict", "neutral"] = "neutral"
    location: Location = Field(
        default="abstract", description="where in the paper: title, abstract, body, table or caption"
    )
    section: str | None = Field(
        default=None, description='the heading the sentence stands under ("4 Results", "Table 1")'
    )
    page: int | None = Field(default=None, description="the PDF page (1-based), when read from a PDF")
    anchor: str | None = Field(
        default=None, description="the id of its element in the paper's HTML, for a link"
    )


class Recomputed(_Model):
    """claimcheck's own verdict on a claim."""

    verified: bool
    confidence: float = Field(ge=0.0, le=1.0)
    label: Label
    checked: Checked = Field(
        default="abstract",
        description="what the verdict was checked against: the cited papers' full text, or only their abstracts",
    )


class ClaimResult(Claim):
    """A claim with its recomputed verdict, evidence and findings."""

    recomputed: Recomputed
    evidence: list[Evidence] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class ReportSummary(_Model):
    """Recomputed figures beside the stated ones."""

    references: int = 0
    references_found: int = 0
    claims: int = 0
    reported_verified: int = 0
    supported: int = 0
    contradicted: int = 0
    not_found: int = 0
    unverifiable: int = 0
    errors: int = Field(default=0, description="error-severity findings (also as error_findings)")
    warnings: int = Field(default=0, description="warning-severity findings (also as warning_findings)")

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        return _without(data, frozenset({"error_findings", "warning_findings"}))

    # Unambiguous names beside the old ones (the batch summary's "errors" counts unreadable inputs instead);
    # computed, so every way a summary is built gives the same value.
    @computed_field(description="error-severity findings of the report and its claims")  # type: ignore[prop-decorator]
    @property
    def error_findings(self) -> int:
        """Error-severity findings of the report and its claims (the same as ``errors``)."""
        return self.errors

    @computed_field(description="warning-severity findings of the report and its claims")  # type: ignore[prop-decorator]
    @property
    def warning_findings(self) -> int:
        """Warning-severity findings of the report and its claims (the same as ``warnings``)."""
        return self.warnings


class ReportResult(Report):
    """A report after verification: the verify output's per-report object."""

    claims: list[ClaimResult] = Field(default_factory=list)  # type: ignore[assignment]
    summary: ReportSummary = Field(default_factory=ReportSummary)


class InputErrorRecord(_Model):
    """An input that could not be read or parsed; the other inputs are still processed."""

    path: str
    message: str
    line: int | None = None


class BatchSummary(_Model):
    """Totals over all reports of a run, and batch-level findings."""

    reports: int = 0
    claims: int = 0
    reported_verified: int = 0
    supported: int = 0
    contradicted: int = 0
    not_found: int = 0
    unverifiable: int = 0
    errors: int = Field(
        default=0, description="inputs that could not be read or parsed (also as input_errors)"
    )
    findings: list[Finding] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        return _without(data, frozenset({"input_errors"}))

    @computed_field(description="inputs that could not be read or parsed")  # type: ignore[prop-decorator]
    @property
    def input_errors(self) -> int:
        """Inputs that could not be read or parsed (the same as ``errors``)."""
        return self.errors


class VerifyResult(_Model):
    """The whole output of `verify` (schema_version "1")."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    tool: str = "claimcheck"
    version: str = ""
    scorer: str = "lexical"
    reports: list[ReportResult] = Field(default_factory=list)
    errors: list[InputErrorRecord] = Field(default_factory=list)
    summary: BatchSummary = Field(default_factory=BatchSummary)
    papers: list[Paper] = Field(
        default_factory=list, description="every cited paper once (abstracts for showing evidence in context)"
    )
