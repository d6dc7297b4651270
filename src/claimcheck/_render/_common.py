"""What every renderer shares: neutralising untrusted text, picking the best evidence, shared words.

Report and paper text is untrusted machine output. Before it reaches a terminal, a CI log, a Markdown comment
or an XML file, control characters (ESC, BEL, C1 controls such as CSI ``\\x9b``) and bidirectional overrides
(the "Trojan Source" characters) are replaced by visible stand-ins, so no escape sequence from a report
is ever interpreted by the reader's terminal.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, TextIO

from .._models import ClaimResult, Evidence, Finding, Reference, ReportResult, ReportSummary, Severity

__all__ = [
    "LABEL_TEXT",
    "Spool",
    "all_findings",
    "best_evidence",
    "claim_is_unsupported",
    "claim_where",
    "clean",
    "clean_line",
    "evidence_where",
    "finding_line",
    "not_found_where",
    "one_line",
    "papers_read",
    "read_phrase",
    "reason_words",
    "reference_read_phrase",
    "shared_word_spans",
    "worst_severity",
]

# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates, U+2028/U+2029.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")
_WORD = re.compile(r"\w+(?:[.,'’-]\w+)*")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "with",
        "which",
        "while",
        "whether",
        "we",
        "our",
        "us",
        "they",
        "than",
        "then",
        "these",
        "those",
        "also",
        "into",
        "over",
        "under",
        "can",
        "may",
        "not",
        "no",
    ]
)

LABEL_TEXT = {
    "supported": "supported",
    "contradicted": "contradicted",
    "not_found": "not found",
    "unverifiable": "unverifiable",
}

_SEVERITY_RANK: dict[Severity, int] = {"info": 0, "warning": 1, "error": 2}


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture" of the character, e.g. ␛ for ESC
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def clean(text: str) -> str:
    """Replace control and bidi-override characters with visible stand-ins; keep tabs and newlines.

    Parameters: ``text`` — untrusted report or paper text.

    Example: ``clean("a\\x1b[31mb") == "a␛[31mb"``
    """
    return _UNSAFE.sub(_stand_in, text)


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines, tabs) to single spaces.

    Example: ``one_line("a\\n  b") == "a b"``
    """
    return " ".join(text.split())


def clean_line(text: str) -> str:
    """`clean` then `one_line`: safe text for a single table cell or log line.

    Example: ``clean_line("x\\n\\x07y") == "x ␇y"``
    """
    return one_line(clean(text))


def best_evidence(claim: ClaimResult) -> Evidence | None:
    """The evidence shown first for a claim: the highest-scoring one, None when there is none.

    Example: ``best_evidence(claim).arxiv_id == "2005.13013"``
    """
    if not claim.evidence:
        return None
    return max(claim.evidence, key=lambda ev: ev.score)


def claim_is_unsupported(claim: ClaimResult) -> bool:
    """A claim the report marks ✓ that claimcheck does not recompute as verified.

    Example: ``claim_is_unsupported(claim)`` is True for a ✓ claim labelled not_found.
    """
    return claim.reported.verified and not claim.recomputed.verified


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP and (len(w) > 2 or w.isdigit())}


def shared_word_spans(claim: str, sentence: str) -> list[tuple[int, int]]:
    """Character spans of ``sentence`` holding content words that also occur in ``claim``.

    Parameters: ``claim`` — the claim text; ``sentence`` — the evidence sentence to highlight.

    Example: ``shared_word_spans("MNLI helps", "We use MNLI.") == [(7, 11)]``
    """
    wanted = _content_words(claim)
    return [(m.start(), m.end()) for m in _WORD.finditer(sentence) if m.group(0).lower() in wanted]


def finding_line(finding: Finding, default: int | None) -> int | None:
    """The report line a finding points at, falling back to ``default`` (the claim's line, say).

    Example: ``finding_line(Finding(code="x", severity="info", message="m"), 31) == 31``
    """
    return finding.line if finding.line is not None else default


def worst_severity(findings: Iterable[Finding]) -> Severity | None:
    """The most severe of ``findings`` (error > warning > info), None when empty.

    Example: ``worst_severity([])`` is None.
    """
    worst: Severity | None = None
    for f in findings:
        if worst is None or _SEVERITY_RANK[f.severity] > _SEVERITY_RANK[worst]:
            worst = f.severity
    return worst


def all_findings(report: ReportResult) -> list[tuple[Finding, int | None, ClaimResult | None]]:
    """Every finding of a report, report level first, each with its line and the claim it concerns.

    Example: ``[f.code for f, _, _ in all_findings(report)]``
    """
    out: list[tuple[Finding, int | None, ClaimResult | None]] = [
        (f, finding_line(f, None), None) for f in report.findings
    ]
    for claim in report.claims:
        out.extend((f, finding_line(f, claim.line), claim) for f in claim.findings)
    return out


# --- Where the evidence is, and what was read: the same words in every format ---------------------------

_REASON_SHORT = {
    "not_offered": "arXiv offers no HTML or PDF",
    "unavailable": "could not be fetched",
    "too_large": "too large",
    "unparseable": "could not be parsed",
    "offline": "not recorded",
}
_REASON_LONG = {
    "not_offered": "arXiv offers neither HTML nor PDF of it",
    "unavailable": "full text could not be fetched",
    "too_large": "full text too large to read",
    "unparseable": "full text could not be parsed",
    "offline": "full text not recorded; record it with `claimcheck fetch --save DIR`",
}


def reason_words(reason: str | None) -> str:
    """A ``fulltext_reason`` in a few words, for "full text unavailable (…)".

    Example: ``reason_words("offline") == "not recorded"``
    """
    if reason is None:
        return "no reason given"
    return _REASON_SHORT.get(reason, clean_line(reason))


def read_phrase(fulltext: str | None, reason: str | None) -> str:
    """What was read of one cited paper: "full text (HTML)", "full text (PDF)" or "abstract only — why".

    Parameters: ``fulltext``/``reason`` — a `Reference`'s (or `Paper`'s) ``fulltext`` and ``fulltext_reason``;
    ``fulltext`` None means full text was not asked for (``--no-full-text``).

    Example: ``read_phrase("none", "too_large") == "abstract only — full text too large to read"``
    """
    if fulltext == "html":
        return "full text (HTML)"
    if fulltext == "pdf":
        return "full text (PDF)"
    if fulltext is None:
        return "abstract only — full text not asked for (--no-full-text)"
    if reason in _REASON_LONG:
        return "abstract only — " + _REASON_LONG[reason]
    return f"abstract only — full text unavailable ({reason_words(reason)})"


def reference_read_phrase(ref: Reference) -> str | None:
    """`read_phrase` of a cited paper that was found, None for one that was not (nothing was read).

    Example: ``reference_read_phrase(ref) == "full text (HTML)"``
    """
    if ref.status != "found":
        return None
    return read_phrase(ref.fulltext, ref.fulltext_reason)


def _section_words(section: str | None) -> str:
    if not section:
        return ""
    words = clean_line(section)
    if words.lower() == "abstract":
        return ""
    # a numbered heading ("4 Results", "3.1 Attention", "A.2 Data") reads as §4 Results
    return "§" + words if re.match(r"^(?:\d+|[A-Z])(?:\.\d+)*\.?\s", words) else words


def evidence_where(ev: Evidence) -> str:
    """Where in its paper an evidence sentence is, in short words.

    "in the abstract", "in the title", "in the body, §4 Results", "in Table 1", "in the caption of Figure 2";
    ", p. 5" follows when it was read from a PDF.

    Example: ``evidence_where(Evidence(..., location="table", section="Table 1")) == "in Table 1"``
    """
    section = _section_words(ev.section)
    if ev.location == "title":
        where = "in the title"
    elif ev.location == "abstract":
        where = "in the abstract"
    elif ev.location == "table":
        where = (
            f"in {section}"
            if section.startswith("Table")
            else "in a table" + (f", {section}" if section else "")
        )
    elif ev.location == "caption":
        where = f"in the caption of {section}" if section and not section.startswith("§") else "in a caption"
    else:
        where = "in the body" + (f", {section}" if section else "")
    if ev.page is not None:
        where += f", p. {ev.page}"
    return where


def not_found_where(claim: ClaimResult, references: Sequence[Reference]) -> str:
    """Where a claim was looked for in vain: "not in the paper", "not in the abstract — full text unavailable
    (why)", or "not in the abstract" when full text was not asked for.

    Parameters: ``claim`` — a not_found claim; ``references`` — its report's references (what was read).

    Example: ``not_found_where(claim, report.references) == "not in the paper"``
    """
    if claim.recomputed.checked == "fulltext":
        return "not in the paper"
    found = [r for r in references if r.status == "found"]
    missing = [r for r in found if r.fulltext == "none"]
    if not missing:
        return "not in the abstract"
    reasons = "; ".join(dict.fromkeys(reason_words(r.fulltext_reason) for r in missing))
    if len(missing) == len(found):
        return f"not in the abstract — full text unavailable ({reasons})"
    ids = ", ".join(dict.fromkeys(clean_line(r.arxiv_id or r.raw) for r in missing))
    return f"not in the full text, nor in the abstract of {ids} — full text unavailable ({reasons})"


def claim_where(claim: ClaimResult, references: Sequence[Reference]) -> str | None:
    """Where a claim's evidence is (`evidence_where` of the best evidence) or was looked for in vain
    (`not_found_where`); None for an unverifiable claim or one with no evidence.

    Example: ``claim_where(claim, report.references) == "in Table 1"``
    """
    label = claim.recomputed.label
    if label == "not_found":
        return not_found_where(claim, references)
    ev = best_evidence(claim)
    if label == "unverifiable" or ev is None:
        return None
    return evidence_where(ev)


def papers_read(references: Sequence[Reference]) -> list[tuple[str, list[str]]]:
    """The cited papers that were found, grouped by what was read of them (`reference_read_phrase`), in
    order of first citation.

    Example: ``papers_read(report.references) == [("full text (HTML)", ["2005.13013", "2003.11080"])]``
    """
    groups: dict[str, list[str]] = {}
    for ref in references:
        phrase = reference_read_phrase(ref)
        if phrase is None:
            continue
        ident = clean_line(ref.arxiv_id or ref.raw)
        ids = groups.setdefault(phrase, [])
        if ident not in ids:
            ids.append(ident)
    return list(groups.items())


class Spool:
    """Text kept in an anonymous temporary file until it can be written out: memory stays flat.

    Example: ``s = Spool(); s.write("a"); s.copy_to(out)``
    """

    def __init__(self) -> None:
        self._file: IO[str] | None = None
        self.size = 0

    def write(self, text: str) -> None:
        """Append ``text``."""
        if self._file is None:
            # kept open across calls and closed in copy_to, so no context manager
            self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self._file.write(text)
        self.size += len(text)

    def copy_to(self, out: TextIO, *, drop_last: bool = False) -> None:
        """Write everything appended so far to ``out`` (without its last character with ``drop_last``), then
        discard it."""
        if self._file is None:
            return
        self._file.seek(0)
        pending = ""
        while block := self._file.read(1 << 16):
            out.write(pending)
            pending = block
        out.write(pending[:-1] if drop_last else pending)
        self.discard()

    def discard(self) -> None:
        """Forget everything appended so far (and close the temporary file)."""
        if self._file is not None:
            self._file.close()
        self._file = None
        self.size = 0


class ChunkWriter:
    """A writer whose report chunks go straight to ``out`` (JSON Lines, GitHub commands); subclasses write
    what comes after the reports in ``close``.

    Example: ``class JsonlWriter(ChunkWriter): def close(self, summary, errors, papers): ...``
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def add(self, chunk: str, path: str = "", summary: ReportSummary | None = None) -> None:
        """Write the chunk of one report as it is."""
        self.out.write(chunk)
