"""``--executor dask``: the reports verified on a dask.distributed LocalCluster give the output of ``--jobs 1``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck.cli import app

pytest.importorskip("distributed", reason="needs the dask extra (pip install 'claimcheck[dask]')")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_dask_local_cluster_gives_the_output_of_one_job(tmp_path: Path, fmt: str) -> None:
    common = ["verify", str(ROOT / "reports"), "--offline", "--sources", str(ROOT / "fixtures" / "arxiv"),
              "--format", fmt, "--cache", str(tmp_path / "c.sqlite3")]  # fmt: skip
    one = CliRunner().invoke(app, [*common, "--jobs", "1"])
    dask = CliRunner().invoke(app, [*common, "--executor", "dask", "--jobs", "2"])
    assert one.exit_code == dask.exit_code == 0, dask.stderr
    assert dask.stdout == one.stdout
    assert len(one.stdout) > 1000


def test_unreachable_scheduler_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["verify", str(ROOT / "reports"), "--offline", "--sources", str(ROOT / "fixtures" / "arxiv"),
         "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "--cache", str(tmp_path / "c.sqlite3")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "dask scheduler" in result.stderr
    assert "Traceback" not in result.stderr
