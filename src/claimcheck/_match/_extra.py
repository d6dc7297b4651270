"""Importing the optional model stacks (the ``semantic``, ``nli`` and ``onnx`` extras) for a scorer, quietly.

The model-based scorers import torch and Hugging Face packages only when a scorer is built; this is the one
place that sets the environment those packages read at import, names the missing package (and the extra to
install) in a `ScorerUnavailable`, and silences Hugging Face progress bars (library code never prints).

It does not switch the hub offline for the whole process: models are loaded from disk with
``local_files_only=True``, and `claimcheck._match._hub` decides per model whether it may download (``--offline``,
``HF_HUB_OFFLINE``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Sequence
from types import ModuleType

from .._errors import ScorerUnavailable

__all__ = ["INSTALL_HINT", "import_extra"]

INSTALL_HINT = (
    "install the semantic extra: pip install torch==2.13.0 (install torch first, so pip does not pull a "
    "CUDA build), then pip install 'claimcheck[semantic]'"
)
_HINTS = {
    "nli": "install the nli extra: pip install torch==2.13.0 (install torch first, so pip does not pull a "
    "CUDA build), then pip install 'claimcheck[nli]'",
    "onnx": "install the onnx extra: pip install torch==2.13.0 (torch exports the model once), then "
    "pip install 'claimcheck[nli,onnx]'",
}


def _quiet_environment() -> None:
    # Set before transformers / huggingface_hub are imported: they read these once, at import.
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Spinning OpenMP workers on a busy 2-core machine made encoding 5x and matching 20x slower (measured).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def import_extra(scorer: str, modules: Sequence[tuple[str, str]]) -> list[ModuleType]:
    """Import ``modules`` in order, offline, and return them; the first missing one raises `ScorerUnavailable`.

    Parameters:
        scorer: the scorer name to put in the error.
        modules: (module name, what to call it in the error: the pip package, as ``package`` too).

    Example: ``torch, transformers = import_extra("nli", [("torch", "torch"), ("transformers", "transformers")])``
    """
    _quiet_environment()
    out = []
    for module, package in modules:
        try:
            out.append(importlib.import_module(module))
        except ImportError as exc:
            raise ScorerUnavailable(
                f"--scorer {scorer} needs {package}, which is not installed: {_HINTS.get(scorer, INSTALL_HINT)}",
                scorer=scorer,
                package=package,
            ) from exc
    with contextlib.suppress(ImportError):
        hf_logging = importlib.import_module("transformers.utils.logging")
        # Library code never prints: no "Loading weights" progress bars on stderr.
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    return out
