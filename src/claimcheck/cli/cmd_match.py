"""`claimcheck match [FILE|-]`: JSONL in, JSONL out (DESIGN.md, "match JSONL").

One output line per input line, in order, blank lines included; ``id`` echoed with its JSON type; a malformed
or blank line yields ``{"id": ..., "error": "line N: ..."}`` and the run goes on. The malformed lines are also
named on stderr, with a count; exit 2 if any line was malformed, else 0.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from ._app import app
from ._common import (
    EXIT_INPUT,
    EXIT_OK,
    Backend,
    BackendOption,
    ModelKindOption,
    ModelOption,
    OutputOption,
    ScorerOption,
    handle_errors,
    model_scorer,
    say,
)

_SHOWN = 20
"""Malformed lines named one by one on stderr; the rest are counted."""


def _sources(obj: dict[str, Any]) -> list[Any]:
    from .._match import Source

    if "source" in obj and "sources" not in obj:
        if not isinstance(obj["source"], str):
            raise ValueError('"source" must be a string')
        return [Source(id="source", title="", text=obj["source"])]
    raw = obj.get("sources")
    if not isinstance(raw, list) or not raw:
        raise ValueError('"sources" must be a non-empty list (or give "source": "text")')
    out = []
    for i, s in enumerate(raw):
        if (
            not isinstance(s, dict)
            or not isinstance(s.get("text", ""), str)
            or not isinstance(s.get("title", ""), str)
        ):
            raise ValueError(f'sources[{i}] must be an object with string "text" and optional "title"')
        out.append(Source(id=str(s.get("id", i)), title=s.get("title") or "", text=s.get("text") or ""))
    return out


def match_lines(
    lines: TextIO,
    scorer: str,
    model_path: Path | str | None = None,
    scorer_options: dict[str, object] | None = None,
) -> tuple[list[str], list[tuple[int, str]]]:
    """Match every JSONL line; returns one output line per input line and the malformed lines (number,
    message), blank lines included.

    ``model_path`` is the model of ``--scorer nli``; ``scorer_options`` its kind and backend (`model_scorer`).
    """
    from .._match import Matcher

    matcher = Matcher(scorer=scorer, model_path=model_path, scorer_options=scorer_options)
    out: list[str] = []
    bad: list[tuple[int, str]] = []
    for lineno, line in enumerate(lines, 1):
        ident: Any = None
        try:
            if not line.strip():
                raise ValueError("blank line (expected a JSON object)")
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("a line must be a JSON object")
            ident = obj.get("id")
            claim = obj.get("claim")
            if not isinstance(claim, str) or not claim.strip():
                raise ValueError('"claim" must be a non-empty string')
            sources = _sources(obj)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            bad.append((lineno, str(exc)))
            out.append(json.dumps({"id": ident, "error": f"line {lineno}: {exc}"}, ensure_ascii=False))
            continue
        result = matcher.match(claim, sources)
        record = {
            "id": ident,
            "label": result.label,
            "verified": result.verified,
            "confidence": result.confidence,
            "evidence": [
                {
                    "source_id": e.source_id,
                    "sentence": e.sentence,
                    "start": e.start,
                    "end": e.end,
                    "score": e.score,
                    "field": e.field,
                    "stance": e.stance,
                }
                for e in result.evidence
            ],
            "findings": [f.model_dump(exclude_none=True) for f in result.findings],
        }
        out.append(json.dumps(record, ensure_ascii=False))
    return out, bad


_EPILOG = """\
[b]Example[/b]
  echo '{"id": 1, "claim": "We gain 5.4 points.", "source": "We gain 5.4 points on XTREME."}' | claimcheck match

[b]Exit codes[/b]
  0  every line was matched
  2  some line was blank or malformed (answered with an error record; named on stderr), or FILE unreadable
"""


@app.command("match", epilog=_EPILOG)
def match(
    file: Annotated[str, typer.Argument(help="JSONL file of claims and sources, or - for stdin.")] = "-",
    scorer: ScorerOption = "lexical",
    model: ModelOption = None,
    model_kind: ModelKindOption = None,
    backend: BackendOption = Backend.torch,
    output: OutputOption = None,
) -> None:
    """Score claims against given source texts: JSONL in, JSONL out (one line per input line)."""
    from .._errors import InputError
    from .._io import write_atomic

    with handle_errors():
        name = "<stdin>" if file == "-" else file
        scorer, model_path, options = model_scorer(scorer, model, model_kind, backend)
        if file == "-":
            lines, bad = match_lines(sys.stdin, scorer, model_path, options)
        else:
            path = Path(file)
            try:
                fh = path.open(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", path=file) from exc
            with fh:
                lines, bad = match_lines(fh, scorer, model_path, options)
        text = "".join(line + "\n" for line in lines)
        if output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_atomic(output, text)
        for lineno, message in bad[:_SHOWN]:
            say("error", f"{name}:{lineno}: {message}")
        if bad:
            more = f" (the first {_SHOWN} named above)" if len(bad) > _SHOWN else ""
            say(
                "error",
                f"{len(bad)} of {len(lines)} lines could not be matched{more}; each is answered with an error record",
            )
    raise typer.Exit(EXIT_INPUT if bad else EXIT_OK)
