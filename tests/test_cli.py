"""The command line: parse, schema, version/help, exit codes, and that help and README cannot drift."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import claimcheck
from claimcheck.cli import app, main

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
FIXTURES = ROOT / "fixtures" / "reports"
runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"claimcheck {claimcheck.__version__}"


def test_main_returns_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["parse", str(FIXTURES / "empty.md")]) == 2
    assert "empty.md" in capsys.readouterr().err


def test_version_and_help_do_not_import_the_matcher_or_httpx() -> None:
    code = (
        "import sys\n"
        "from claimcheck.cli import main\n"
        "main(['--version']); main(['--help'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'httpx', 'feedparser', 'rapidfuzz', 'pysbd'}"
        " or m.startswith('claimcheck._match'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_parse_json_on_samples() -> None:
    result = runner.invoke(app, ["parse", str(REPORTS), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [len(r["claims"]) for r in data] == [10, 9, 20, 9, 14]
    first = data[0]
    for key in ("path", "title", "format", "stated", "references", "claims", "findings"):
        assert key in first
    assert set(first["stated"]) >= {
        "papers_retrieved",
        "claims_extracted",
        "claims_verified",
        "quality_score",
    }
    claim = first["claims"][0]
    assert set(claim) >= {"index", "line", "text", "truncated", "reported"}
    assert "recomputed" not in claim and "evidence" not in claim
    assert first["references"][0] == {
        **first["references"][0],
        "arxiv_id": "2411.15127",
        "version": 3,
    }


def test_parse_table_is_readable() -> None:
    result = runner.invoke(app, ["parse", str(REPORTS / "000_72ee14e1c07839b6.txt")])
    assert result.exit_code == 0
    assert "Alignment Stability" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes


def test_parse_batch_goes_on_past_a_bad_report(tmp_path: Path) -> None:
    good = REPORTS / "000_72ee14e1c07839b6.txt"
    bad = FIXTURES / "bad-confidence.md"
    result = runner.invoke(
        app, ["parse", str(good), str(bad), str(tmp_path / "missing.md"), "--format", "json"]
    )
    assert result.exit_code == 2
    # the report with a bad claims row is still parsed, without that row
    parsed = json.loads(result.stdout)
    assert [Path(r["path"]).name for r in parsed] == [good.name, bad.name]
    assert 32 not in [c["line"] for c in parsed[1]["claims"]]
    assert f"{bad}:32: confidence 'high'" in result.stderr
    assert "missing.md: no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_output_file_is_written(tmp_path: Path) -> None:
    out = tmp_path / "parsed.json"
    result = runner.invoke(app, ["parse", str(REPORTS), "--format", "json", "--output", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 5


def test_unknown_option_is_usage_error() -> None:
    result = runner.invoke(app, ["parse", "--format", "yaml", str(REPORTS)])
    assert result.exit_code == 2


def test_schema_is_json_schema_of_verify_output() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "reports" in schema["properties"] and "schema_version" in schema["properties"]


def _commands() -> list[str]:
    names = []
    for info in app.registered_commands:
        names.append(info.name or "")
    for group in app.registered_groups:
        names.append(group.name or "")
    return [n for n in names if n]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _commands()
    assert {"parse", "fetch", "match", "verify", "schema", "cache"} <= set(commands)
    for name in commands:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert len(result.stdout.strip()) > 40, name
        assert re.search(rf"claimcheck {name}\b", readme), f"README does not show `claimcheck {name}`"


def test_public_names_are_pinned() -> None:
    for name in claimcheck.__all__:
        assert getattr(claimcheck, name) is not None, name
    assert set(claimcheck.__all__) == {
        "ArxivClient", "ArxivId", "Block", "CacheError", "Claim", "ClaimResult", "ClaimcheckError", "Document",
        "DocumentUnusable", "Evidence", "FetchEvent", "Finding", "InputError", "MatchOptions", "MatchResult",
        "Matcher", "OutputError", "Paper", "PaperCache", "PaperKey", "ParseResult", "Reference", "Report",
        "ReportOutcome", "ReportParseError", "ReportResult", "ScorerUnavailable", "Source", "SourceError",
        "SourceSession", "SourceUnavailable", "VerifyResult", "VerifyStream", "__version__", "fetch_papers",
        "gate_failures", "parse_arxiv_id", "parse_paths", "parse_report", "parse_report_file", "render_reports",
        "render_verify", "verify_json_schema", "verify_paths", "verify_reports", "verify_stream",
    }  # fmt: skip


def test_public_classes_say_where_users_find_them() -> None:
    assert claimcheck.Paper.__module__ == "claimcheck"
    assert repr(claimcheck.SourceSession).startswith("<class 'claimcheck.SourceSession'")


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "claimcheck", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("claimcheck ")
