"""What a new user and a CI job meet first (issue 18): empty inputs, skipped files, terminal width and colour,
the gate's verdict line, malformed fetch ids, ``match`` on blank and bad lines, and ``--help``."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner, Result

from claimcheck._inputs import discover_reports, skipped_files
from claimcheck._models import InputErrorRecord
from claimcheck.cli import app

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
