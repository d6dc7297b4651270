"""`claimcheck match`: the JSONL contract of DESIGN.md."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from claimcheck.cli.cmd_match import match_lines

SENT = "MNLI, SQuAD and HellaSwag achieve the best overall results as intermediate tasks."


def test_one_line_out_per_line_in_with_ids_echoed_and_errors_inline() -> None:
    lines = [
        json.dumps({"id": 7, "claim": SENT, "sources": [{"id": "2005.13013", "title": "T", "text": SENT}]}),
        "{not json",
        json.dumps({"id": "x", "claim": SENT, "source": SENT}),
        json.dumps({"id": [1], "claim": "", "source": SENT}),
        json.dumps({"id": None, "claim": SENT, "sources": []}),
    ]
    out, bad = match_lines(io.StringIO("\n".join(lines) + "\n"), "lexical")
    recs = [json.loads(x) for x in out]
    assert bad and len(recs) == 5
    assert recs[0]["id"] == 7 and recs[0]["label"] == "supported" and recs[0]["verified"] is True
    assert recs[0]["evidence"][0]["source_id"] == "2005.13013"
    assert {"sentence", "start", "end", "score"} <= set(recs[0]["evidence"][0])
    assert recs[1] == {"id": None, "error": recs[1]["error"]} and "line 2" in recs[1]["error"]
    assert recs[2]["id"] == "x" and 0.0 <= recs[2]["confidence"] <= 1.0
    assert recs[3]["id"] == [1] and "claim" in recs[3]["error"]
    assert "sources" in recs[4]["error"]


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from claimcheck.cli._app import app

    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": 1, "claim": SENT, "source": SENT}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        app(args=["match", str(good)], prog_name="claimcheck")
    assert exc.value.code == 0
    assert json.loads(capsys.readouterr().out)["verified"] is True
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[]\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        app(args=["match", str(bad)], prog_name="claimcheck")
    assert exc.value.code == 2


def test_nli_scorer_without_model_names_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimcheck.cli._app import app

    monkeypatch.delenv("CLAIMCHECK_NLI_MODEL", raising=False)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": 1, "claim": SENT, "source": SENT}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        app(args=["match", str(good), "--scorer", "nli"], prog_name="claimcheck")
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert "--model" in captured.err and not captured.out


def test_unknown_scorer_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from claimcheck.cli._app import app

    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": 1, "claim": SENT, "source": SENT}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        app(args=["match", str(good), "--scorer", "bogus"], prog_name="claimcheck")
    assert exc.value.code == 2
    assert "nli" in capsys.readouterr().err  # the message lists the scorers to choose from


def test_model_without_the_nli_scorer_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from claimcheck.cli._app import app

    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": 1, "claim": SENT, "source": SENT}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        # --model alone switches the nli scorer on; with another scorer it is refused
        app(
            args=["match", str(good), "--scorer", "semantic", "--model", str(tmp_path)],
            prog_name="claimcheck",
        )
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert "--model is for --scorer nli" in captured.err and not captured.out
