"""What every renderer shares: neutralising untrusted text, picking the best evidence, shared words.

Report and paper text is untrusted machine output. Before it reaches a terminal, a CI log, a Markdown comment
or an XML file, control characters (ESC, BEL, C1 controls such as CSI ``\\x9b``) and bidirectional overrides
(the "Trojan Source" characters) are replaced by visible stand-ins, so no escape sequence from a report
is ever interpreted by the reader's terminal.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from typing import IO, TextIO

from .._models import ClaimResult, Evidence, Finding, ReportResult, ReportSummary, Severity

__all__ = [
    "LABEL_TEXT",
    "Spool",
    "all_findings",
    "best_evidence",
    "claim_is_unsupported",
    "clean",
    "clean_line",
    "finding_line",
    "one_line",
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
