"""JUnit XML: a testsuite per report, a testcase per claim and per report-level finding, so CI systems show
them as test results.

A test case fails exactly when its findings fail the gate: under the ``--fail-on`` policies when they are
given, else on error-severity findings (`claimcheck._gate.DEFAULT_JUNIT_POLICIES`), so the failures a CI test
view lists are the ones that failed the run. A claim is skipped when it cannot be verified (its papers are
unavailable) and nothing else fails it. Findings across reports make a suite of their own, and so do the
inputs that could not be read (error test cases). The stated figures and report findings are also kept as
testsuite properties.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from .._gate import DEFAULT_JUNIT_POLICIES, GateFailure, claim_failures, finding_fails
from .._models import (
    BatchSummary,
    ClaimResult,
    Finding,
    InputErrorRecord,
    Paper,
    Reference,
    ReportResult,
    ReportSummary,
    VerifyResult,
)
from ._common import LABEL_TEXT, Spool, best_evidence, claim_where, clean, reference_read_phrase

__all__ = ["JunitWriter", "junit_chunk", "render_junit"]

# Characters XML 1.0 cannot carry at all, even escaped (`clean` already replaced the C0 controls).
_XML_ILLEGAL = re.compile("[\ufffe\uffff\ud800-\udfff]")
_NAME_WIDTH = 100


def _x(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", clean(text))


def _claim_name(claim: ClaimResult) -> str:
    text = " ".join(claim.text.split())
    if len(text) > _NAME_WIDTH:
        text = text[: _NAME_WIDTH - 1] + "…"
    return _x(f"claim {claim.index}: {text}")


def _details(claim: ClaimResult, references: Sequence[Reference]) -> str:
    lines = [
        f"line {claim.line}: {claim.text}",
        f"reported: {'✓' if claim.reported.verified else '×'} {claim.reported.confidence}",
        f"recomputed: {LABEL_TEXT[claim.recomputed.label]} {claim.recomputed.confidence:.2f}",
    ]
    where = claim_where(claim, references)
    if where is not None:
        lines.append(f"where: {where}")
    ev = best_evidence(claim)
    if ev is not None:
        lines.append(f"best evidence: arXiv:{ev.arxiv_id}: {ev.sentence}")
    lines += [f"{f.severity}: {f.code}: {f.message}" for f in claim.findings]
    return _x("\n".join(lines))


def _failure(case: ET.Element, failures: Sequence[GateFailure], details: str) -> str:
    first = failures[0]
    message = "; ".join(f"{f.code}: {f.message}" for f in failures)
    failure = ET.SubElement(case, "failure", message=_x(message), type=_x(first.code))
    failure.text = details
    return "failure"


def _testcase(parent: ET.Element, report: ReportResult, claim: ClaimResult, policies: frozenset[str]) -> str:
    case = ET.SubElement(
        parent,
        "testcase",
        name=_claim_name(claim),
        classname=_x(report.path),
        file=_x(report.path),
        line=str(claim.line),
        time="0",
    )
    failures = claim_failures(report.path, claim, policies)
    if failures:
        return _failure(case, failures, _details(claim, report.references))
    if claim.recomputed.label == "unverifiable":
        ET.SubElement(case, "skipped", message="unverifiable: the cited papers could not be obtained")
        return "skipped"
    out = ET.SubElement(case, "system-out")
    out.text = _details(claim, report.references)
    return "passed"


def _finding_case(parent: ET.Element, path: str, finding: Finding, policies: frozenset[str]) -> str:
    """A report-level (or batch) finding as a test case of its own: failed when it fails the gate."""
    case = ET.SubElement(
        parent,
        "testcase",
        name=_x(f"{finding.code}" + (f" (line {finding.line})" if finding.line is not None else "")),
        classname=_x(path or "claimcheck.batch"),
        file=_x(path),
        time="0",
    )
    if finding.line is not None:
        case.set("line", str(finding.line))
    text = _x(f"{finding.severity}: {finding.code}: {finding.message}")
    if finding_fails(finding, policies):
        return _failure(case, [GateFailure(path, finding.line, finding.code, finding.message)], text)
    ET.SubElement(case, "system-out").text = text
    return "passed"


def _suite(report: ReportResult, policies: frozenset[str]) -> ET.Element:
    suite = ET.Element("testsuite", name=_x(report.title or report.path), file=_x(report.path))
    props = ET.SubElement(suite, "properties")
    st = report.stated
    for key in ("papers_retrieved", "claims_extracted", "claims_verified", "quality_score"):
        ET.SubElement(props, "property", name=f"stated.{key}", value=str(getattr(st, key)))
    read: dict[str, str] = {}  # a paper cited twice is read once
    for ref in report.references:
        phrase = reference_read_phrase(ref)
        if phrase is not None:
            read.setdefault(ref.arxiv_id or ref.raw, phrase)
    for ident, phrase in read.items():
        ET.SubElement(props, "property", name=_x(f"read.{ident}"), value=_x(phrase))
    for f in report.findings:
        where = f"line {f.line}: " if f.line is not None else ""
        ET.SubElement(
            props, "property", name=_x(f"finding.{f.severity}.{f.code}"), value=_x(where + f.message)
        )
    outcomes = [_finding_case(suite, report.path, f, policies) for f in report.findings]
    outcomes += [_testcase(suite, report, c, policies) for c in report.claims]
    _set_counts(suite, outcomes)
    return suite


def _set_counts(suite: ET.Element, outcomes: Sequence[str], errors: int = 0) -> None:
    suite.set("tests", str(len(outcomes)))
    suite.set("failures", str(outcomes.count("failure")))
    suite.set("skipped", str(outcomes.count("skipped")))
    suite.set("errors", str(errors))
    suite.set("time", "0")


_COUNTS = ("tests", "failures", "skipped", "errors")


def _serialise(suite: ET.Element) -> str:
    # a suite is a child of <testsuites>: indented one level, as ET.indent(root) would do it
    ET.indent(suite, level=1)
    return ET.tostring(suite, encoding="unicode")


def junit_chunk(report: ReportResult, policies: frozenset[str] = frozenset()) -> str:
    """The ``<testsuite>`` of one report, indented as a child of ``<testsuites>``, preceded by a newline.

    ``policies`` are the ``--fail-on`` policies (none given: error-severity findings fail).

    Example: ``junit_chunk(report).lstrip().startswith("<testsuite ")``
    """
    suite = _suite(report, policies or DEFAULT_JUNIT_POLICIES)
    counts = "".join(f" {suite.get(k, '0')}" for k in _COUNTS)
    return f"{counts}\n  {_serialise(suite)}"


class JunitWriter:
    """Writes a JUnit document report by report; the totals of ``<testsuites>`` come first, so the suites
    wait in a temporary file (not in memory) until `close`.

    Example: ``w = JunitWriter(out); w.add(junit_chunk(r)); w.close(summary, errors, papers)``
    """

    def __init__(self, out: TextIO, policies: frozenset[str] = frozenset()) -> None:
        self.out = out
        self.policies = policies or DEFAULT_JUNIT_POLICIES
        self.spool = Spool()
        self.totals = dict.fromkeys(_COUNTS, 0)

    def add(self, chunk: str, path: str = "", summary: ReportSummary | None = None) -> None:
        """Take one report's suite (a `junit_chunk`)."""
        counts, _, body = chunk.partition("\n")
        for key, value in zip(_COUNTS, counts.split(), strict=True):
            self.totals[key] += int(value)
        self.spool.write("\n" + body)

    def close(
        self, summary: BatchSummary, errors: Sequence[InputErrorRecord], papers: Sequence[Paper]
    ) -> None:
        """Write the whole document: totals, every suite, the findings across reports, the unreadable inputs."""
        tail = ""
        if summary.findings:
            batch = ET.Element("testsuite", name="findings across reports")
            outcomes = [_finding_case(batch, f.path or "", f, self.policies) for f in summary.findings]
            _set_counts(batch, outcomes)
            for key in _COUNTS:
                self.totals[key] += int(batch.get(key, "0"))
            tail += "\n  " + _serialise(batch)
        if errors:
            suite = ET.Element(
                "testsuite",
                name="inputs that could not be read",
                tests=str(len(errors)),
                failures="0",
                skipped="0",
                errors=str(len(errors)),
                time="0",
            )
            for e in errors:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    name=_x(e.path),
                    classname="claimcheck.inputs",
                    time="0",
                    file=_x(e.path),
                )
                if e.line is not None:
                    case.set("line", str(e.line))
                ET.SubElement(case, "error", message=_x(e.message), type="input_error")
            for key in _COUNTS:
                self.totals[key] += int(suite.get(key, "0"))
            tail += "\n  " + _serialise(suite)
        root = ET.Element("testsuites", name="claimcheck")
        for key in _COUNTS:
            root.set(key, str(self.totals[key]))
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        if not self.spool.size and not tail:
            self.out.write(ET.tostring(root, encoding="unicode") + "\n")
            return
        self.out.write(ET.tostring(root, encoding="unicode").removesuffix(" />") + ">")
        self.spool.copy_to(self.out)
        self.out.write(tail + "\n</testsuites>\n")


def render_junit(result: VerifyResult, policies: frozenset[str] = frozenset()) -> str:
    """The verify result as a JUnit XML document (``<testsuites>``).

    Parameters: ``result`` — the verify output; ``policies`` — the ``--fail-on`` policies that decide which
    test cases fail (none: error-severity findings).

    Example: ``ET.fromstring(render_junit(result)).tag == "testsuites"``
    """
    out = io.StringIO()
    writer = JunitWriter(out, policies)
    for report in result.reports:
        writer.add(junit_chunk(report, policies))
    writer.close(result.summary, result.errors, result.papers)
    return out.getvalue()
