"""What a new user and a CI job meet first (issue 18): empty inputs, skipped files, terminal width and colour,
the gate's verdict line, malformed fetch ids, ``match`` on blank and bad lines, and ``--help``."""

from __future__ import annotations

import json
import os
import pickle
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring as parse_xml
from typer.testing import CliRunner, Result

from claimcheck._errors import InputError
from claimcheck._gate import GateFailure, gate_failures, gate_verdict
from claimcheck._inputs import discover_reports, skipped_files
from claimcheck._models import InputErrorRecord, VerifyResult
from claimcheck.cli import app
from claimcheck.cli.cmd_parse import parse_size

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
SOURCES = ROOT / "fixtures" / "arxiv"
OFFLINE = ["--offline", "--sources", str(SOURCES), "--no-cache"]

runner = CliRunner()


def verify(*args: str | Path) -> Result:
    return runner.invoke(app, ["verify", *map(str, args), *OFFLINE])


# --- empty inputs and skipped files ------------------------------------------------------------------


def test_an_empty_directory_is_an_input_error(tmp_path: Path) -> None:
    result = verify(tmp_path, "--fail-on", "any")
    assert result.exit_code == 2
    assert f"no reports found under {tmp_path} (*.md, *.txt, *.markdown)" in result.stderr


def test_parse_of_an_empty_directory_is_an_input_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["parse", str(tmp_path)])
    assert result.exit_code == 2
    assert "no reports found under" in result.stderr


def test_files_of_other_kinds_are_named_in_a_note(tmp_path: Path) -> None:
    shutil.copy(sorted(REPORTS.glob("*.txt"))[0], tmp_path / "a.txt")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "data.json").write_text("{}")
    result = verify(tmp_path, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    assert "note: skipped 2 files that are not reports" in result.stderr
    assert "notes.pdf" in result.stderr


def test_discover_reports_yields_an_error_for_a_directory_without_reports(tmp_path: Path) -> None:
    (tmp_path / "only.pdf").write_bytes(b"%PDF")
    items = list(discover_reports([tmp_path]))
    assert len(items) == 1 and isinstance(items[0], InputErrorRecord)
    assert skipped_files([tmp_path]) == [tmp_path / "only.pdf"]


# --- the gate: verdict line, JUnit that follows --fail-on, unknown policies ---------------------------


def test_gate_closes_with_one_verdict_line() -> None:
    failed = verify(REPORTS, "--format", "json", "--fail-on", "counts,unsupported")
    assert failed.exit_code == 1
    last = failed.stderr.rstrip().splitlines()[-1]
    assert re.fullmatch(
        r"claimcheck: gate failed: \d+ findings — (unsupported|counts) \d+, (unsupported|counts) \d+", last
    )
    passed = verify(REPORTS, "--format", "json", "--fail-on", "contradicted", "--fail-on", "none")
    if passed.exit_code == 0:
        assert passed.stderr.rstrip().splitlines()[-1] == "claimcheck: gate passed"
    ungated = verify(REPORTS, "--format", "json")
    assert "gate" not in ungated.stderr


def test_junit_fail_on_counts_fails_the_counts_findings(tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    result = verify(REPORTS, "--format", "junit", "--fail-on", "counts", "--output", out)
    assert result.exit_code == 1
    root = parse_xml(out.read_text(encoding="utf-8"))
    failures = root.findall(".//testcase/failure")
    assert failures and {f.get("type") for f in failures} == {"papers_retrieved_mismatch"}
    assert int(root.get("failures", "-1")) == len(failures) == 5
    assert "counts 5" in result.stderr


def test_unknown_policies_are_rejected() -> None:
    result = verify(REPORTS, "--fail-on", "unsuported")
    assert result.exit_code == 2
    assert "unknown --fail-on policy 'unsuported'" in result.stderr
    with pytest.raises(InputError):
        gate_failures(VerifyResult(), {"bogus"})


def test_gate_verdict_counts_by_policy() -> None:
    assert gate_verdict({}) == "gate passed"
    assert (
        gate_verdict({"counts": 5, "unsupported": 35})
        == "gate failed: 40 findings — unsupported 35, counts 5"
    )
    failure = GateFailure("r.txt", 3, "claims_count_mismatch", "m")
    # a reason crosses from worker processes pickled
    assert pickle.loads(pickle.dumps(failure)).category  # noqa: S301 - our own object == "counts"
    assert str(failure) == "r.txt:3: claims_count_mismatch: m"


def test_github_min_severity_and_summary_line() -> None:
    result = verify(REPORTS, "--format", "github", "--min-severity", "error")
    lines = result.stdout.splitlines()
    assert all(ln.startswith("::error ") for ln in lines[:-1])
    assert lines[-1].startswith("::notice title=claimcheck summary::claimcheck: 5 reports, 62 claims")


# --- width and colour ----------------------------------------------------------------------------------


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_table_follows_columns_and_width() -> None:
    narrow = runner.invoke(app, ["verify", str(REPORTS), *OFFLINE], env={"COLUMNS": "80"})
    wide = runner.invoke(app, ["verify", str(REPORTS), *OFFLINE], env={"COLUMNS": "160"})
    assert _widest(narrow.stdout) <= 80 < _widest(wide.stdout) <= 160
    assert "best evidence" in wide.stdout and "best evidence" not in narrow.stdout
    flag = runner.invoke(app, ["verify", str(REPORTS), *OFFLINE, "--width", "90"], env={"COLUMNS": "200"})
    assert 80 < _widest(flag.stdout) <= 90


def _on_a_terminal(*args: str, env: dict[str, str]) -> bytes:
    """Run the CLI with stdout on a pseudo-terminal; return what it wrote there."""
    leader, follower = pty.openpty()
    cmd = [
        sys.executable,
        "-m",
        "claimcheck",
        "verify",
        str(REPORTS / "000_72ee14e1c07839b6.txt"),
        *OFFLINE,
        *args,
    ]
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"COLUMNS": "100", **env}
    proc = subprocess.Popen(cmd, stdout=follower, stderr=subprocess.DEVNULL, env=full_env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


def test_color_on_a_terminal_unless_no_color() -> None:
    assert b"\x1b[" in _on_a_terminal(env={})
    assert b"\x1b[" not in _on_a_terminal(env={"NO_COLOR": "1"})
    assert b"\x1b[" not in _on_a_terminal("--color", "never", env={})
    assert b"\x1b[" in _on_a_terminal("--color", "always", env={"NO_COLOR": "1"})


def test_color_always_in_a_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", str(REPORTS), *OFFLINE, "--color", "always"])
    assert "\x1b[" in result.stdout
    assert "\x1b[" not in runner.invoke(app, ["verify", str(REPORTS), *OFFLINE]).stdout


# --- help ------------------------------------------------------------------------------------------------


def test_help_shows_flags_choices_sizes_examples_and_exit_codes() -> None:
    out = runner.invoke(app, ["verify", "--help"], env={"COLUMNS": "200"}).stdout
    assert "<bool>" not in out and "<str>" not in out and "list[str]" not in out
    assert "10485760" not in out and "10 MiB" in out
    assert "table|json|jsonl|markdown|html|junit|github" in out
    assert "auto|always|never" in out and "info|warning|error" in out
    assert "lexical|semantic|nli" in out
    for panel in ("Output", "CI gate", "Sources and cache"):
        assert f"─ {panel} " in out
    assert "Examples" in out and "Exit codes" in out
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout
    commands = re.findall(r"^│ (\w+) ", top, re.M)
    assert commands[0] == "verify"


def test_max_size_takes_human_sizes(tmp_path: Path) -> None:
    assert parse_size("10MiB") == 10 * 1024 * 1024
    assert parse_size("500k") == 500_000
    assert parse_size("2000") == 2000
    result = verify(REPORTS, "--format", "json", "--max-size", "1k")
    assert result.exit_code == 2
    assert "over the size limit of 1,000 bytes" in result.stderr
    assert runner.invoke(app, ["verify", str(REPORTS), "--max-size", "lots"]).exit_code == 2


def test_the_pre_commit_hook_speaks_to_a_person() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entry = re.search(r"^\s*entry: (.+)$", hooks, re.M)
    assert entry is not None
    assert "--format table" in entry.group(1) and "github" not in entry.group(1)


# --- fetch and match: malformed input is exit 2, and every line is answered -----------------------------


def test_fetch_of_a_malformed_id_is_an_input_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["fetch", "notanid", "2005.13013", "--offline", "--sources", str(SOURCES), "--format", "json",
         "--cache", str(tmp_path / "c.sqlite3")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "error: notanid: malformed" in result.stderr
    papers = json.loads(result.stdout)
    assert [(p["arxiv_id"], p["status"]) for p in papers] == [
        ("notanid", "malformed"),
        ("2005.13013", "found"),
    ]


def test_match_answers_every_line_and_names_the_bad_ones_on_stderr() -> None:
    good = json.dumps(
        {"id": 1, "claim": "We obtain 5.4 points.", "source": "We obtain 5.4 points on XTREME."}
    )
    result = runner.invoke(app, ["match"], input=f"{good}\n\n{{bad\n{good}\n")
    assert result.exit_code == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 4
    assert records[0]["id"] == records[3]["id"] == 1 and "label" in records[3]
    assert records[1] == {"id": None, "error": "line 2: blank line (expected a JSON object)"}
    assert "line 3" in records[2]["error"]
    assert "<stdin>:2: blank line" in result.stderr and "<stdin>:3: " in result.stderr
    assert "2 of 4 lines could not be matched" in result.stderr
    clean = runner.invoke(app, ["match"], input=f"{good}\n")
    assert clean.exit_code == 0 and clean.stderr == ""


# --- the matching progress bar: on a terminal only, never with --quiet ----------------------------------


def _stderr_on_a_terminal(*args: str) -> bytes:
    leader, follower = pty.openpty()
    cmd = [
        sys.executable,
        "-m",
        "claimcheck",
        "verify",
        str(REPORTS),
        *OFFLINE,
        "-f",
        "json",
        "-o",
        os.devnull,
        *args,
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=follower, env={**os.environ, "COLUMNS": "120"}
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


def test_progress_bar_on_a_terminal_and_quiet_otherwise() -> None:
    shown = _stderr_on_a_terminal()
    assert b"matching claims" in shown and b"claims/s" in shown and b"5/5" in shown
    assert b"matching claims" not in _stderr_on_a_terminal("--quiet")
    # not a terminal (CliRunner): no bar at all
    assert "matching claims" not in verify(REPORTS, "--format", "json").stderr
