"""``claimcheck verify`` end to end: every output format, the gate and its exit codes, ``--output``.

The matcher and the audit are still being tuned, so these tests assert structure, exit codes and what is
certain (stated counts, reference statuses, the relation between findings and the gate), never the label of a
particular claim.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from defusedxml.ElementTree import fromstring as parse_xml
from typer.testing import CliRunner, Result

import claimcheck._render
from claimcheck.cli import app

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
SAMPLES = sorted(REPORTS.glob("*.txt"))
SOURCES = ROOT / "fixtures" / "arxiv"
BAD = ROOT / "fixtures" / "bad"
FORMATS = ("table", "json", "jsonl", "markdown", "html", "junit", "github")
OFFLINE = ["--offline", "--sources", str(SOURCES), "--no-cache"]

runner = CliRunner()


def verify(*args: str | Path, sources: Path | None = SOURCES) -> Result:
    """Run ``claimcheck verify`` offline against recorded sources (or an empty directory)."""
    offline = ["--offline", "--no-cache"] + (["--sources", str(sources)] if sources is not None else [])
    return runner.invoke(app, ["verify", *map(str, args), *offline])


def gate_reasons(stderr: str) -> int:
    """How many gate failures the CLI reported (it prints 20, then "… and N more")."""
    shown = [ln for ln in stderr.splitlines() if ln.startswith("claimcheck: gate: ")]
    assert stderr.rstrip().splitlines()[-1].startswith("claimcheck: gate failed: ")
    more = re.search(r"… and (\d+) more", stderr)
    return len(shown) - (1 if more else 0) + (int(more.group(1)) if more else 0)


_RUNS: dict[str, Result] = {}


def samples_gated(fmt: str) -> Result:
    """``verify reports/ --format FMT --fail-on unsupported``, run once per format for the whole module."""
    if fmt not in _RUNS:
        _RUNS[fmt] = verify(REPORTS, "--format", fmt, "--fail-on", "unsupported")
    return _RUNS[fmt]


@pytest.fixture(scope="module")
def samples_json() -> dict[str, Any]:
    result = verify(REPORTS, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def empty_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("no-sources")


def _claims(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for r in data["reports"] for c in r["claims"]]


# --- the JSON output and its schema --------------------------------------------------------------------


def test_samples_verify_to_the_documented_structure(samples_json: dict[str, Any]) -> None:
    assert samples_json["schema_version"] == "1"
    assert samples_json["errors"] == []
    assert [Path(r["path"]).name for r in samples_json["reports"]] == [p.name for p in SAMPLES]
    # claims per sample, as the tables count them (independent of the matcher)
    assert [len(r["claims"]) for r in samples_json["reports"]] == [10, 9, 20, 9, 14]
    for report in samples_json["reports"]:
        assert {r["status"] for r in report["references"]} == {"found"}
        assert [c["index"] for c in report["claims"]] == list(range(1, len(report["claims"]) + 1))
        for claim in report["claims"]:
            assert claim["recomputed"]["label"] in {"supported", "contradicted", "not_found"}
            assert 0.0 <= claim["recomputed"]["confidence"] <= 1.0
            assert claim["recomputed"]["verified"] == (claim["recomputed"]["label"] == "supported")
            for ev in claim["evidence"]:
                assert ev["arxiv_id"] in {r["arxiv_id"] for r in report["references"]}
                assert 0 <= ev["start"] < ev["end"]


def test_json_validates_against_claimcheck_schema(samples_json: dict[str, Any], empty_sources: Path) -> None:
    schema_run = runner.invoke(app, ["schema"])
    assert schema_run.exit_code == 0
    schema = json.loads(schema_run.stdout)
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema)
    validator.validate(samples_json)
    # the other shapes a run can take: input errors, unavailable sources
    bad = verify(BAD / "empty.txt", SAMPLES[0], "--format", "json", sources=empty_sources)
    validator.validate(json.loads(bad.stdout))
    # and the schema is not vacuous: a renamed key is refused
    broken = json.loads(json.dumps(samples_json))
    broken["reports"][0]["claims"][0]["recomputed"]["label"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


# --- every format ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_the_samples_and_gates_them(fmt: str) -> None:
    result = samples_gated(fmt)
    assert result.exit_code == 1, (
        result.stderr
    )  # `--fail-on unsupported` fails on the samples in every format
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert len(out) > 500
    for sample in SAMPLES:
        # markdown escapes the underscores of a file name
        assert sample.name in out or sample.name.replace("_", "\\_") in out, (fmt, sample.name)
    assert "\x1b" not in out  # not a terminal: no colour codes in any format


def test_jsonl_is_one_line_per_claim_with_its_report(samples_json: dict[str, Any]) -> None:
    result = samples_gated("jsonl")
    records = [json.loads(ln) for ln in result.stdout.splitlines()]
    lines = [r for r in records if r["type"] == "claim"]
    assert [r["path"] for r in records if r["type"] == "report"] == [
        r["path"] for r in samples_json["reports"]
    ]
    assert records[-1]["type"] == "summary"
    assert len(lines) == len(_claims(samples_json))
    expected = [(r["path"], c["index"]) for r in samples_json["reports"] for c in r["claims"]]
    assert [(ln["path"], ln["index"]) for ln in lines] == expected


def test_junit_has_one_testcase_per_claim(samples_json: dict[str, Any]) -> None:
    result = samples_gated("junit")
    root = parse_xml(result.stdout)
    suites = root.findall("testsuite") if root.tag == "testsuites" else [root]
    # one suite per report, then the findings across reports
    assert len(suites) == len(samples_json["reports"]) + (1 if samples_json["summary"]["findings"] else 0)
    for suite, report in zip(suites, samples_json["reports"], strict=False):
        cases = suite.findall("testcase")
        claims = [c for c in cases if c.get("name", "").startswith("claim ")]
        assert len(claims) == len(report["claims"])
        assert len(cases) == len(report["claims"]) + len(report["findings"])
        assert int(suite.get("tests", "-1")) == len(cases)
        failed = sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("failures", "-1")) == failed
        # --fail-on unsupported: exactly the unsupported claims fail
        unsupported = sum(
            any(f["code"] == "unsupported_verified_claim" for f in c["findings"]) for c in report["claims"]
        )
        assert failed == unsupported
    total = sum(1 for s in suites for c in s.findall("testcase") if c.get("name", "").startswith("claim "))
    assert total == len(_claims(samples_json)) == 62


_WORKFLOW = re.compile(r"^::(error|warning|notice)( [^:]*)?::(.+)$")
_PROPERTY = re.compile(r"^(file|line|endLine|col|endColumn|title)=([^,:]*)$")


def _workflow_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in text.splitlines():
        m = _WORKFLOW.match(line)
        assert m, f"not a workflow command: {line!r}"
        props: dict[str, str] = {}
        for part in (m.group(2) or "").strip().split(","):
            pm = _PROPERTY.match(part)
            assert pm, f"bad property {part!r} in {line!r}"
            props[pm.group(1)] = pm.group(2)
        commands.append((m.group(1), props, m.group(3)))
    return commands


def test_github_lines_are_workflow_commands_pointing_at_report_lines() -> None:
    result = samples_gated("github")
    commands = _workflow_commands(result.stdout)
    summary = commands.pop()  # the last line sums the run up
    assert summary[1] == {"title": "claimcheck summary"} and "62 claims" in summary[2]
    assert commands
    assert {level for level, _, _ in commands} >= {"error", "warning"}
    for _, props, _ in commands:
        path = ROOT / props["file"] if not Path(props["file"]).is_absolute() else Path(props["file"])
        assert path.resolve() in {p.resolve() for p in SAMPLES}
        n_lines = len(path.read_text(encoding="utf-8").splitlines())
        assert 1 <= int(props["line"]) <= n_lines


# --- the gate and exit codes -----------------------------------------------------------------------------


def test_no_gate_exits_zero_whatever_the_findings(samples_json: dict[str, Any]) -> None:
    errors = [f for r in samples_json["reports"] for f in r["findings"] if f["severity"] == "error"]
    assert errors  # the samples have error findings (e.g. "12 papers retrieved" over 3 references)...
    # ...and still exit 0 without --fail-on (the fixture asserted it)


def test_fail_on_unsupported_names_every_unsupported_verified_claim(samples_json: dict[str, Any]) -> None:
    unsupported = [
        c for c in _claims(samples_json) if c["reported"]["verified"] and not c["recomputed"]["verified"]
    ]
    assert unsupported  # DESIGN: many ✓ claims of the samples are absent from every cited abstract
    result = samples_gated("json")
    assert result.exit_code == 1
    assert gate_reasons(result.stderr) == len(unsupported)
    assert json.loads(result.stdout)["reports"] == samples_json["reports"]  # the gate does not change output


def test_fail_on_contradicted_matches_the_contradicted_labels(samples_json: dict[str, Any]) -> None:
    contradicted = [c for c in _claims(samples_json) if c["recomputed"]["label"] == "contradicted"]
    result = verify(REPORTS, "--format", "github", "--fail-on", "contradicted")
    assert result.exit_code == (1 if contradicted else 0)


def test_fail_on_counts_fails_on_papers_retrieved_only(samples_json: dict[str, Any]) -> None:
    # Every sample's claims/verified counts match its table, but each states more papers retrieved
    # ("12 papers retrieved") than the three it lists: DESIGN counts that as a stated count that disagrees.
    for report in samples_json["reports"]:
        stated = report["stated"]
        assert stated["claims_extracted"] == len(report["claims"])
        assert stated["claims_verified"] == sum(c["reported"]["verified"] for c in report["claims"])
        assert stated["papers_retrieved"] > len(report["references"])
    result = verify(REPORTS, "--format", "json", "--fail-on", "counts")
    assert result.exit_code == 1
    reasons = [ln for ln in result.stderr.splitlines() if ln.startswith("claimcheck: gate: ")]
    assert len(reasons) == len(SAMPLES)
    assert all("papers_retrieved_mismatch" in ln for ln in reasons)


def test_fail_on_counts_passes_when_the_counts_agree(tmp_path: Path) -> None:
    text = SAMPLES[1].read_text(encoding="utf-8")
    assert "10 papers retrieved" in text
    fixed = tmp_path / "counts-agree.txt"
    fixed.write_text(text.replace("10 papers retrieved", "3 papers retrieved"), encoding="utf-8")
    assert verify(fixed, "--fail-on", "counts").exit_code == 0
    assert verify(SAMPLES[1], "--fail-on", "counts").exit_code == 1


def test_fail_on_references(tmp_path: Path) -> None:
    assert verify(SAMPLES[0], "--fail-on", "references").exit_code == 0  # every cited paper is found
    text = SAMPLES[0].read_text(encoding="utf-8").rstrip("\n")
    bad_ref = tmp_path / "reference-not-arxiv.txt"
    bad_ref.write_text(text + "\n- <https://example.com/a-paper-that-is-not-on-arxiv>\n", encoding="utf-8")
    result = verify(bad_ref, "--fail-on", "references", "--format", "json")
    assert result.exit_code == 1, result.stderr
    statuses = [r["status"] for r in json.loads(result.stdout)["reports"][0]["references"]]
    assert statuses.count("malformed") == 1


def test_policies_combine_by_comma_and_repetition() -> None:
    a = verify(SAMPLES[1], "--fail-on", "references,counts")
    b = verify(SAMPLES[1], "--fail-on", "references", "--fail-on", "counts")
    assert a.exit_code == b.exit_code == 1
    assert gate_reasons(a.stderr) == gate_reasons(b.stderr) == 1
    assert verify(SAMPLES[1], "--fail-on", "none").exit_code == 0


def test_unknown_policy_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("previous run\n", encoding="utf-8")
    result = verify(SAMPLES[0], "--fail-on", "unsupported,bogus", "--output", out)
    assert result.exit_code == 2
    assert "unknown --fail-on policy 'bogus'" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "previous run\n"


def test_unknown_format_is_a_usage_error() -> None:
    result = verify(SAMPLES[0], "--format", "yaml")
    assert result.exit_code == 2
    assert "yaml" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unavailable_sources_exit_3_and_are_unverifiable_never_not_found(empty_sources: Path) -> None:
    result = verify(REPORTS, "--format", "json", sources=empty_sources)
    assert result.exit_code == 3, result.stderr
    assert "could not be fetched" in result.stderr
    data = json.loads(result.stdout)
    assert {r["status"] for rep in data["reports"] for r in rep["references"]} == {"unavailable"}
    assert {c["recomputed"]["label"] for c in _claims(data)} == {"unverifiable"}
    assert not any(c["recomputed"]["verified"] for c in _claims(data))
    codes = {f["code"] for rep in data["reports"] for f in rep["findings"]}
    assert "reference_unavailable" in codes and "reference_not_found" not in codes


def test_unavailable_with_a_fresh_cache_path(tmp_path: Path, empty_sources: Path) -> None:
    cache = tmp_path / "fresh" / "cache.sqlite"
    cache.parent.mkdir()
    result = runner.invoke(
        app, ["verify", str(SAMPLES[0]), "--offline", "--sources", str(empty_sources), "--cache", str(cache)]
    )
    assert result.exit_code == 3, result.stderr
    assert "unverifiable" in result.stdout


def test_partly_unavailable_sources(tmp_path: Path) -> None:
    # Only one of the three papers sample 000 cites is on hand: the other two are unavailable, and no claim of
    # the report may be called "not found" (the missing papers might support it).
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(SOURCES / "2005.13013v2.xml", partial)
    result = verify(SAMPLES[0], "--format", "json", sources=partial)
    assert result.exit_code == 3
    report = json.loads(result.stdout)["reports"][0]
    assert sorted(r["status"] for r in report["references"]) == ["found", "unavailable", "unavailable"]
    labels = {c["recomputed"]["label"] for c in report["claims"]}
    assert "not_found" not in labels
    assert labels <= {"supported", "contradicted", "unverifiable"}


@pytest.mark.parametrize(
    ("bad_input", "unavailable", "gate", "expected"),
    [
        (True, True, False, 2),  # 2 wins over 3
        (True, False, True, 2),  # 2 wins over 1
        (False, True, True, 3),  # 3 wins over 1
        (True, True, True, 2),
        (False, False, True, 1),
    ],
    ids=["input+sources", "input+gate", "sources+gate", "all-three", "gate-only"],
)
def test_exit_code_precedence(
    bad_input: bool, unavailable: bool, gate: bool, expected: int, empty_sources: Path
) -> None:
    paths: list[str | Path] = [SAMPLES[1], *([BAD / "empty.txt"] if bad_input else [])]
    # "counts" fails on sample 001 whether or not its sources are available (12 ≠ 3 references listed)
    options = ["--fail-on", "counts"] if gate else []
    result = verify(*paths, *options, "--format", "json", sources=empty_sources if unavailable else SOURCES)
    assert result.exit_code == expected, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert len(data["reports"]) == 1
    assert len(data["errors"]) == (1 if bad_input else 0)
    if gate:
        assert gate_reasons(result.stderr) == 1  # the gate is still evaluated and reported


@pytest.mark.parametrize("fmt", FORMATS)
def test_input_errors_exit_2_in_every_format(fmt: str) -> None:
    result = verify(SAMPLES[1], BAD / "empty.txt", "--format", fmt)
    assert result.exit_code == 2
    assert "empty.txt" in result.stdout  # every format lists the inputs that could not be read


# --- --output ----------------------------------------------------------------------------------------------


def test_output_file_replaces_the_old_one_and_stdout_stays_empty(tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    out.write_text("old", encoding="utf-8")
    result = verify(REPORTS, "--format", "html", "--output", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    assert [p.name for p in tmp_path.iterdir()] == ["audit.html"]  # no temporary file left behind


def test_output_is_written_even_when_every_input_is_bad(tmp_path: Path) -> None:
    # Decision: a run that reached the pipeline always writes its output, because the output itself lists the
    # inputs that could not be read (`errors`); only a usage error (bad option) leaves an old file alone.
    out = tmp_path / "out.json"
    out.write_text("previous run\n", encoding="utf-8")
    result = verify(BAD / "empty.txt", BAD / "binary.txt", "--format", "json", "--output", out)
    assert result.exit_code == 2
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["reports"] == []
    assert sorted(Path(e["path"]).name for e in data["errors"]) == ["binary.txt", "empty.txt"]


def test_a_failure_while_rendering_leaves_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_renderer(*args: object, **kwargs: object) -> str:
        raise RuntimeError("renderer bug")

    # json streams: each report is rendered as a chunk, after the head of the document is written
    monkeypatch.setattr(claimcheck._render._stream.ReportChunker, "__call__", broken_renderer)
    out = tmp_path / "out.json"
    out.write_text("previous run\n", encoding="utf-8")
    result = verify(SAMPLES[0], "--format", "json", "--output", out)
    assert isinstance(result.exception, RuntimeError)
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_output_to_dev_null() -> None:
    result = verify(SAMPLES[0], "--format", "json", "--output", "/dev/null")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


def test_output_into_a_missing_directory_is_an_error_naming_it(tmp_path: Path) -> None:
    out = tmp_path / "no-such-dir" / "out.json"
    result = verify(SAMPLES[0], "--format", "json", "--output", out)
    assert result.exit_code == 2
    assert str(out) in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.parent.exists()


def test_a_bad_claims_row_is_an_input_error_and_the_other_rows_are_verified(tmp_path: Path) -> None:
    lines = SAMPLES[0].read_text(encoding="utf-8").splitlines()
    rows = [i for i, ln in enumerate(lines) if ln.count("\t") == 2 and not ln.startswith("Claim")]
    lines[rows[1]] = lines[rows[1]].replace("\t", " ", 1)
    lines[rows[4]] = lines[rows[4]].rsplit("\t", 1)[0] + "\thigh"
    report = tmp_path / "two-bad-rows.txt"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = verify(report, "--format", "json")
    assert result.exit_code == 2
    assert f"{report}:{rows[1] + 1}: claims row has 2 tab-separated cells" in result.stderr
    assert f"{report}:{rows[4] + 1}: confidence 'high'" in result.stderr
    data = json.loads(result.stdout)
    assert [e["line"] for e in data["errors"]] == [rows[1] + 1, rows[4] + 1]
    claims = data["reports"][0]["claims"]
    assert len(claims) == len(rows) - 2
    assert all("recomputed" in c for c in claims)
    codes = [f["code"] for f in data["reports"][0]["findings"]]
    assert codes.count("malformed_claim_row") == 2
