"""Shared loaders for the renderer tests: the built VerifyResult fixtures and the recorded papers."""

from __future__ import annotations

from _results import HOSTILE_JSON, SAMPLES_JSON, load_papers
from claimcheck._models import Paper, VerifyResult

__all__ = ["hostile", "papers", "samples"]


def samples() -> VerifyResult:
    """The five sample reports, verified (fixtures/results/samples.json)."""
    return VerifyResult.model_validate_json(SAMPLES_JSON.read_text(encoding="utf-8"))


def hostile() -> VerifyResult:
    """A report carrying HTML, Markdown and terminal escapes (fixtures/results/hostile-claim-text.json)."""
    return VerifyResult.model_validate_json(HOSTILE_JSON.read_text(encoding="utf-8"))


def papers() -> dict[str, Paper]:
    """The recorded papers the samples cite."""
    return load_papers()
