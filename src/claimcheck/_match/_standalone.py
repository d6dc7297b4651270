"""The scorer ``--model`` hands claims to when no weights were fitted for that model: the model's own
probabilities label the claims, through an `NLIScorer` for an NLI cross-encoder or a `MiniCheckScorer` for a
MiniCheck checker, as the model's config (or ``--model-kind``) says. `Matcher` finds it by name
(``claimcheck._match._standalone:standalone``), so the default install never imports torch.
"""

from __future__ import annotations

from pathlib import Path

from ._hub import ModelKind
from ._minicheck import MiniCheckScorer
from ._nli import NLIModel, NLIScorer, _model_path

__all__ = ["standalone"]


def standalone(
    model_path: Path | str | None = None,
    cache_dir: Path | None = None,
    cache_size: int = 4096,
    *,
    model_kind: ModelKind | None = None,
    backend: str = "torch",
    offline: bool | None = None,
    progress: bool = False,
) -> NLIScorer | MiniCheckScorer:
    """The scorer ``Matcher(scorer="nli", model_path=...)`` hands prepare/match to when no ``weights_nli.json``
    was fitted: the model's own probabilities label the claims (an `NLIScorer`, or a `MiniCheckScorer` for a
    MiniCheck model).

    Parameters:
        model_path: the model (``--model``: directory, preset or hub name); default: ``CLAIMCHECK_NLI_MODEL``.
        cache_dir: unused (a cross-encoder has nothing to cache per paper).
        cache_size: prepared sources the lexical candidate finder keeps.
        model_kind: ``nli`` or ``minicheck`` (``--model-kind``); default: read from the model's config.
        backend: ``torch`` or ``onnx`` (``--backend``).
        offline: only the Hugging Face cache is read (``--offline``); default: ``HF_HUB_OFFLINE``.
        progress: show download progress bars on stderr.

    Raises `InputError` without a model or when it is not a loadable model of a known kind, and
    `ScorerUnavailable` (naming the package) when torch or transformers is missing.
    Example: ``standalone("nli-small").match(claim, [source]).label``
    """
    model = NLIModel(
        _model_path(model_path), kind=model_kind, backend=backend, offline=offline, progress=progress
    )
    model.load()
    if model.detected == "minicheck":
        return MiniCheckScorer(model, cache_size=cache_size)
    return NLIScorer(model, cache_size=cache_size)
