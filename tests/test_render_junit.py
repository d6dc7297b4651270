"""JUnit XML: one testsuite per report, one testcase per claim; failures, skips and properties."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from _render_fixtures import hostile, samples
from claimcheck._gate import gate_failures
from claimcheck._models import Finding
from claimcheck._render import render_verify


def _root(result_fmt: str) -> ET.Element:
    return ET.fromstring(result_fmt)  # noqa: S314 - our own output


def test_junit_has_a_testcase_per_claim() -> None:
    result = samples()
    root = _root(render_verify(result, "junit"))
    suites = root.findall("testsuite")
    assert len(suites) == len(result.reports) + 1  # plus the suite of unreadable inputs
    for suite, report in zip(suites, result.reports, strict=False):
        cases = [c for c in suite.findall("testcase") if c.get("name", "").startswith("claim ")]
        assert len(cases) == len(report.claims)
        assert len(suite.findall("testcase")) == len(report.claims) + len(report.findings)
        assert int(suite.get("tests", "-1")) == len(report.claims) + len(report.findings)
        assert suite.get("file") == report.path
        assert [int(c.get("line", "0")) for c in cases] == [c.line for c in report.claims]
    expected = sum(len(r.claims) + len(r.findings) for r in result.reports) + 1
    assert int(root.get("tests", "0")) == expected + len(result.summary.findings)


def _errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def test_junit_without_policies_fails_error_findings() -> None:
    result = samples()
    suite = _root(render_verify(result, "junit")).findall("testsuite")[0]
    report = result.reports[0]
    expected = sum(_errors(c.findings) for c in report.claims) + sum(_errors([f]) for f in report.findings)
    failures = suite.findall("testcase/failure")
    assert expected > 0
    assert len(failures) == expected == int(suite.get("failures", "-1"))


def test_junit_failures_follow_the_policies() -> None:
    result = samples()
    root = _root(render_verify(result, "junit", policies=frozenset({"counts"})))
    failed = root.findall("testsuite/testcase/failure")
    counts = gate_failures(result, {"counts"})
    assert len(failed) == len(counts) > 0
    assert {f.get("type") for f in failed} <= {
        "papers_retrieved_mismatch",
        "claims_count_mismatch",
        "verified_count_mismatch",
    }
    # the counts findings are test cases of their own, not only properties
    names = [c.get("name", "") for c in root.iter("testcase") if c.find("failure") is not None]
    assert all(n.split(" ")[0].endswith("_mismatch") for n in names)
    unsupported = _root(render_verify(result, "junit", policies=frozenset({"unsupported"})))
    assert {f.get("type") for f in unsupported.iter("failure")} == {"unsupported_verified_claim"}


def test_junit_skips_unverifiable_claims_and_lists_report_findings() -> None:
    suite = _root(render_verify(hostile(), "junit")).findall("testsuite")[0]
    assert len(suite.findall("testcase/skipped")) == 1 == int(suite.get("skipped", "-1"))
    names = [p.get("name") for p in suite.findall("properties/property")]
    assert "finding.error.papers_retrieved_mismatch" in names
    assert "stated.papers_retrieved" in names


def test_junit_is_well_formed_with_hostile_text() -> None:
    out = render_verify(hostile(), "junit")
    assert "\x1b" not in out
    assert "\x07" not in out
    root = _root(out)
    texts = [c.get("name", "") for c in root.iter("testcase")]
    assert any("<script>alert(1)</script>" in t for t in texts)
    error = root.find("testsuite[@name='inputs that could not be read']/testcase/error")
    assert error is not None
