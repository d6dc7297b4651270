"""JUnit XML: a testsuite per report, a testcase per claim, so CI systems show claims as test results.

A claim fails when it is marked ✓ but not recomputed as verified, or when the papers contradict it; it is
skipped when it cannot be verified (its papers are unavailable). Report findings become testsuite properties;
inputs that could not be read become error testcases of a separate suite.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from .._models import (
    BatchSummary,
    ClaimResult,
    InputErrorRecord,
    Paper,
    ReportResult,
    ReportSummary,
    VerifyResult,
)
from ._common import LABEL_TEXT, Spool, best_evidence, claim_is_unsupported, clean

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


def _details(claim: ClaimResult) -> str:
    lines = [
        f"line {claim.line}: {claim.text}",
        f"reported: {'✓' if claim.reported.verified else '×'} {claim.reported.confidence}",
        f"recomputed: {LABEL_TEXT[claim.recomputed.label]} {claim.recomputed.confidence:.2f}",
    ]
    ev = best_evidence(claim)
    if ev is not None:
        lines.append(f"best evidence: arXiv:{ev.arxiv_id}: {ev.sentence}")
    lines += [f"{f.severity}: {f.code}: {f.message}" for f in claim.findings]
    return _x("\n".join(lines))


def _testcase(parent: ET.Element, report: ReportResult, claim: ClaimResult) -> str:
    case = ET.SubElement(
        parent,
        "testcase",
        name=_claim_name(claim),
        classname=_x(report.path),
        file=_x(report.path),
        line=str(claim.line),
        time="0",
    )
    label = claim.recomputed.label
    if label == "unverifiable":
        ET.SubElement(case, "skipped", message="unverifiable: the cited papers could not be obtained")
        return "skipped"
    if label == "contradicted" or claim_is_unsupported(claim):
        kind = "contradicted" if label == "contradicted" else "unsupported_verified_claim"
        message = f"marked {'✓' if claim.reported.verified else '×'}, recomputed as {LABEL_TEXT[label]}"
        failure = ET.SubElement(case, "failure", message=_x(message), type=kind)
        failure.text = _details(claim)
        return "failure"
    out = ET.SubElement(case, "system-out")
    out.text = _details(claim)
    return "passed"


def _suite(report: ReportResult) -> ET.Element:
    suite = ET.Element("testsuite", name=_x(report.title or report.path), file=_x(report.path))
    props = ET.SubElement(suite, "properties")
    st = report.stated
    for key in ("papers_retrieved", "claims_extracted", "claims_verified", "quality_score"):
        ET.SubElement(props, "property", name=f"stated.{key}", value=str(getattr(st, key)))
    for f in report.findings:
        where = f"line {f.line}: " if f.line is not None else ""
        ET.SubElement(
            props, "property", name=_x(f"finding.{f.severity}.{f.code}"), value=_x(where + f.message)
        )
    outcomes = [_testcase(suite, report, c) for c in report.claims]
    suite.set("tests", str(len(outcomes)))
    suite.set("failures", str(outcomes.count("failure")))
    suite.set("skipped", str(outcomes.count("skipped")))
    suite.set("errors", "0")
    suite.set("time", "0")
    return suite


_COUNTS = ("tests", "failures", "skipped", "errors")


def _serialise(suite: ET.Element) -> str:
    # a suite is a child of <testsuites>: indented one level, as ET.indent(root) would do it
    ET.indent(suite, level=1)
    return ET.tostring(suite, encoding="unicode")


def junit_chunk(report: ReportResult) -> str:
    """The ``<testsuite>`` of one report, indented as a child of ``<testsuites>``, preceded by a newline.

    Example: ``junit_chunk(report).lstrip().startswith("<testsuite ")``
    """
    suite = _suite(report)
    counts = "".join(f" {suite.get(k, '0')}" for k in _COUNTS)
    return f"{counts}\n  {_serialise(suite)}"


class JunitWriter:
    """Writes a JUnit document report by report; the totals of ``<testsuites>`` come first, so the suites
    wait in a temporary file (not in memory) until `close`.

    Example: ``w = JunitWriter(out); w.add(junit_chunk(r)); w.close(summary, errors, papers)``
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
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
        """Write the whole document: totals, every suite, the suite of unreadable inputs."""
        tail = ""
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
            tail = "\n  " + _serialise(suite)
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


def render_junit(result: VerifyResult) -> str:
    """The verify result as a JUnit XML document (``<testsuites>``).

    Parameters: ``result`` — the verify output.

    Example: ``ET.fromstring(render_junit(result)).tag == "testsuites"``
    """
    out = io.StringIO()
    writer = JunitWriter(out)
    for report in result.reports:
        writer.add(junit_chunk(report))
    writer.close(result.summary, result.errors, result.papers)
    return out.getvalue()
