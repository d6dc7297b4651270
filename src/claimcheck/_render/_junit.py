"""JUnit XML: a testsuite per report, a testcase per claim, so CI systems show claims as test results.

A claim fails when it is marked ✓ but not recomputed as verified, or when the papers contradict it; it is
skipped when it cannot be verified (its papers are unavailable). Report findings become testsuite properties;
inputs that could not be read become error testcases of a separate suite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .._models import ClaimResult, ReportResult, VerifyResult
from ._common import LABEL_TEXT, best_evidence, claim_is_unsupported, clean

__all__ = ["render_junit"]

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


def _suite(root: ET.Element, report: ReportResult) -> None:
    suite = ET.SubElement(root, "testsuite", name=_x(report.title or report.path), file=_x(report.path))
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


def render_junit(result: VerifyResult) -> str:
    """The verify result as a JUnit XML document (``<testsuites>``).

    Parameters: ``result`` — the verify output.

    Example: ``ET.fromstring(render_junit(result)).tag == "testsuites"``
    """
    root = ET.Element("testsuites", name="claimcheck")
    for report in result.reports:
        _suite(root, report)
    if result.errors:
        suite = ET.SubElement(
            root,
            "testsuite",
            name="inputs that could not be read",
            tests=str(len(result.errors)),
            failures="0",
            skipped="0",
            errors=str(len(result.errors)),
            time="0",
        )
        for e in result.errors:
            case = ET.SubElement(
                suite, "testcase", name=_x(e.path), classname="claimcheck.inputs", time="0", file=_x(e.path)
            )
            if e.line is not None:
                case.set("line", str(e.line))
            ET.SubElement(case, "error", message=_x(e.message), type="input_error")
    for key in ("tests", "failures", "skipped", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
