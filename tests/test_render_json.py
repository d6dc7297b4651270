"""JSON, JSON Lines and the JSON Schema of the verify output."""

from __future__ import annotations

import json

import jsonschema
import pytest

from _render_fixtures import hostile, papers, samples
from claimcheck._models import VerifyResult
from claimcheck._render import render_reports, render_verify, verify_json_schema
from claimcheck._render._json import JSONL_TYPES


def test_json_has_the_contract_keys() -> None:
    data = json.loads(render_verify(samples(), "json"))
    assert data["schema_version"] == "1"
    report = data["reports"][0]
    assert {"path", "title", "format", "stated", "references", "claims", "findings"} <= report.keys()
    assert {"papers_retrieved", "claims_extracted", "claims_verified", "quality_score"} <= report[
        "stated"
    ].keys()
    claim = report["claims"][0]
    assert {
        "index",
        "line",
        "text",
        "truncated",
        "reported",
        "recomputed",
        "evidence",
        "findings",
    } <= claim.keys()
    assert set(claim["recomputed"]) >= {"verified", "confidence", "label"}
    assert set(claim["evidence"][0]) >= {"arxiv_id", "sentence", "start", "end", "score"}
    assert data["errors"][0] == {
        "path": "reports/broken.txt",
        "message": "confidence 'high' is not a number in [0, 1]",
        "line": 31,
    }


def test_json_round_trips_to_the_model() -> None:
    result = samples()
    assert VerifyResult.model_validate_json(render_verify(result, "json")) == result


@pytest.mark.parametrize("result", [samples(), hostile()], ids=["samples", "hostile"])
def test_json_output_validates_against_the_schema(result: VerifyResult) -> None:
    schema = verify_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(render_verify(result, "json")), schema)


def test_schema_rejects_a_broken_document() -> None:
    data = json.loads(render_verify(samples(), "json"))
    data["reports"][0]["claims"][0]["recomputed"]["label"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, verify_json_schema())


def test_json_carries_no_raw_terminal_escapes() -> None:
    out = render_verify(hostile(), "json")
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\\u001b]0;pwned\\u0007" in out
    assert "<script>alert(1)</script>" in json.loads(out)["reports"][0]["claims"][1]["text"]


def test_json_escapes_c1_and_bidi_characters_but_keeps_the_value() -> None:
    result = samples()
    result.reports[0].claims[0].text = "csi\x9b2J rtl\u202e"
    out = render_verify(result, "json")
    assert "\x9b" not in out
    assert "\u202e" not in out
    assert json.loads(out)["reports"][0]["claims"][0]["text"] == "csi\x9b2J rtl\u202e"


def test_jsonl_has_typed_records_for_reports_claims_errors_and_the_batch() -> None:
    result = samples()
    lines = [json.loads(line) for line in render_verify(result, "jsonl").splitlines()]
    claims = sum(len(r.claims) for r in result.reports)
    assert len(lines) == len(result.reports) + claims + len(result.errors) + 1
    assert all(line["type"] in JSONL_TYPES for line in lines)
    report = lines[0]
    assert report["type"] == "report" and report["path"] == "reports/000_72ee14e1c07839b6.txt"
    assert "claims" not in report
    assert [f["code"] for f in report["findings"]] == [f.code for f in result.reports[0].findings]
    assert report["summary"]["error_findings"] == report["summary"]["errors"]
    claim = lines[1]
    assert claim["type"] == "claim" and claim["path"] == report["path"] and claim["index"] == 1
    assert claim["recomputed"]["label"] in {"supported", "contradicted", "not_found", "unverifiable"}
    assert lines[-2] == {
        "type": "error",
        "path": "reports/broken.txt",
        "line": 31,
        "error": "confidence 'high' is not a number in [0, 1]",
    }
    assert lines[-1]["type"] == "summary"
    assert lines[-1]["claims"] == claims and lines[-1]["input_errors"] == lines[-1]["errors"] == 1


def test_summary_keys_say_what_they_count() -> None:
    data = json.loads(render_verify(samples(), "json"))
    for report in data["reports"]:
        summary = report["summary"]
        assert summary["error_findings"] == summary["errors"]
        assert summary["warning_findings"] == summary["warnings"]
    assert data["summary"]["input_errors"] == data["summary"]["errors"] == len(data["errors"])
    schema = verify_json_schema()["$defs"]
    assert {"error_findings", "warning_findings"} <= schema["ReportSummary"]["properties"].keys()
    assert "input_errors" in schema["BatchSummary"]["properties"]


def test_parse_json_is_an_array_of_report_objects() -> None:
    reports = samples().reports
    data = json.loads(render_reports(reports, "json"))
    assert [r["path"] for r in data] == [r.path for r in reports]
    assert data[0]["claims"][0]["reported"] == {"verified": True, "confidence": 0.27}


def _with_batch_findings(result: VerifyResult, *, reports: bool = True) -> VerifyResult:
    """``result`` with batch findings (one quoting a hostile claim's text) and the recorded papers."""
    from claimcheck._models import Finding

    hostile_text = hostile().reports[0].claims[0].text
    findings = [
        Finding(code="near_duplicate_claim", severity="info", message=f"the claim {hostile_text!r} appears in 2 reports",
                details={"occurrences": ["a.txt:3", "b.txt:4"]}),
        Finding(code="claim_verdict_differs", severity="info", message="supported in a, not in b", line=3),
    ]  # fmt: skip
    summary = result.summary.model_copy(update={"findings": findings})
    cited = sorted(papers().values(), key=lambda p: p.arxiv_id)
    return result.model_copy(
        update={"summary": summary, "reports": result.reports if reports else [], "papers": cited}
    )


@pytest.mark.parametrize(
    "result",
    [
        samples(),
        hostile(),
        VerifyResult(),
        _with_batch_findings(samples()),
        _with_batch_findings(samples(), reports=False),
    ],
    ids=["samples", "hostile", "empty", "batch-findings", "no-reports"],
)
def test_json_written_report_by_report_is_pydantics_whole_document(result: VerifyResult) -> None:
    from claimcheck._render._json import _terminal_safe

    assert render_verify(result, "json") == _terminal_safe(result.model_dump_json(indent=2)) + "\n"


def test_schema_has_the_full_text_keys() -> None:
    defs = verify_json_schema()["$defs"]
    evidence = defs["Evidence"]["properties"]
    assert set(evidence["location"]["enum"]) == {"title", "abstract", "body", "table", "caption"}
    assert {"section", "page", "anchor"} <= evidence.keys()
    assert set(defs["Recomputed"]["properties"]["checked"]["enum"]) == {"fulltext", "abstract"}
    for model in ("Reference", "Paper"):
        props = defs[model]["properties"]
        assert {"fulltext", "fulltext_reason"} <= props.keys()
        kinds = {v for option in props["fulltext"]["anyOf"] for v in option.get("enum", [])}
        assert kinds == {"html", "pdf", "none"}


def test_schema_rejects_an_unknown_location() -> None:
    data = json.loads(render_verify(samples(), "json"))
    data["reports"][0]["claims"][0]["evidence"][0]["location"] = "appendix"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, verify_json_schema())
