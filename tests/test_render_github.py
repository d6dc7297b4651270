"""GitHub Actions workflow commands: one per finding, at the report line, escaped per the runner's rules."""

from __future__ import annotations

import re

from _render_fixtures import hostile, samples
from claimcheck._render import render_verify
from claimcheck._render._github import escape_data, escape_property

_COMMAND = re.compile(
    r"^::(error|warning|notice) file=(?P<file>[^,:]+)(,line=(?P<line>\d+))?,title=[^,:]+::(?P<msg>.*)$"
)
_SUMMARY = "::notice title=claimcheck summary::"


def _annotations(out: str) -> list[str]:
    lines = out.splitlines()
    assert lines[-1].startswith(_SUMMARY)  # one summary line closes the output
    return lines[:-1]


def test_one_command_per_finding_pointing_at_the_report_line() -> None:
    result = samples()
    lines = _annotations(render_verify(result, "github"))
    findings = sum(len(r.findings) + sum(len(c.findings) for c in r.claims) for r in result.reports)
    assert len(lines) == findings + len(result.summary.findings) + len(result.errors)
    for line in lines:
        assert _COMMAND.match(line), line
    first_claim = result.reports[0].claims[0]
    assert (
        f"::warning file=reports/000_72ee14e1c07839b6.txt,line={first_claim.line},"
        "title=claimcheck truncated_claim (claim 1)::"
    ) in lines[len(result.reports[0].findings)]
    assert lines[0].startswith("::error file=reports/000_72ee14e1c07839b6.txt,line=23,")


def test_severity_maps_to_level() -> None:
    out = render_verify(samples(), "github")
    assert "::notice " in out
    assert "title=claimcheck unused_reference::" in out


def test_escaping_follows_the_runner_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_hostile_text_cannot_inject_commands_or_escapes() -> None:
    out = render_verify(hostile(), "github")
    assert "\x1b" not in out
    assert "\x07" not in out
    for line in _annotations(out):
        assert _COMMAND.match(line), line
    assert "evil ␛[31mred␛[0m %250A::error::injected%0Anext line" in out
    assert "file=reports/<hostile>␛[1m.txt," in out


def test_min_severity_drops_less_severe_findings() -> None:
    result = samples()
    lines = _annotations(render_verify(result, "github", min_severity="error"))
    errors = sum(
        f.severity == "error"
        for r in result.reports
        for f in [*r.findings, *(x for c in r.claims for x in c.findings)]
    )
    assert len(lines) == errors + len(result.errors)
    assert all(line.startswith("::error ") for line in lines)
    assert len(_annotations(render_verify(result, "github", min_severity="warning"))) > len(lines)


def test_summary_line_counts_reports_claims_and_findings() -> None:
    result = samples()
    last = render_verify(result, "github").splitlines()[-1]
    errors = sum(r.summary.errors for r in result.reports)
    assert f"claimcheck: {len(result.reports)} reports, {result.summary.claims} claims" in last
    assert f"{errors} error and" in last
    assert "1 unreadable input" in last
