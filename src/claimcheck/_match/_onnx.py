"""``--backend onnx``: run a sequence classifier with ONNX Runtime, exported from torch once and cached.

The export (``torch.onnx``, the TorchScript exporter, opset 17, batch and sequence length dynamic) is written
atomically to ``CLAIMCHECK_ONNX_CACHE`` (default: ``<user cache dir>/claimcheck/onnx``) under a key made of the
model directory (a hub snapshot directory names its commit) and the size and modification time of its config and
weights, so a new revision or retrained weights are exported again and anything else is reused. Running needs
only ``onnxruntime`` and the tokenizer; torch is imported for the export alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import InputError
from ._extra import import_extra

__all__ = ["OnnxClassifier", "ensure_exported", "onnx_cache_dir", "onnx_path"]

log = logging.getLogger("claimcheck")
_OPSET = 17
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def onnx_cache_dir() -> Path:
    """Where exported models are kept: ``CLAIMCHECK_ONNX_CACHE``, else the user cache dir.

    Example: ``onnx_cache_dir()`` → ``~/.cache/claimcheck/onnx``
    """
    env = os.environ.get("CLAIMCHECK_ONNX_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("claimcheck")) / "onnx"


def onnx_path(model_dir: Path) -> Path:
    """The cached export of the model in ``model_dir`` (whether it exists yet or not).

    Example: ``onnx_path(Path("models/nli"))`` → ``~/.cache/claimcheck/onnx/nli-3f2a…/model.onnx``
    """
    real = model_dir.resolve()
    digest = hashlib.sha256(str(real).encode("utf-8"))
    for p in sorted(real.iterdir()):
        if p.name == "config.json" or p.suffix in {".safetensors", ".bin"}:
            st = p.stat()
            digest.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    name = real.parent.parent.name if real.parent.name == "snapshots" else real.name
    return onnx_cache_dir() / f"{name[:60]}-{digest.hexdigest()[:16]}" / "model.onnx"


def ensure_exported(model_dir: Path) -> Path:
    """Export the model in ``model_dir`` to ONNX unless its export is cached; return the ``model.onnx`` path.

    Example: ``ensure_exported(Path("models/nli"))`` (before worker processes start, so they do not all export)
    """
    path = onnx_path(model_dir)
    if not path.is_file():
        import_extra("onnx", [("onnxruntime", "onnxruntime")])
        OnnxClassifier(model_dir)._export(path)
    return path


@dataclass
class OnnxClassifier:
    """A sequence classifier run by ONNX Runtime; exported from the torch model on first use.

    Parameters:
        model_dir: the transformers model directory (config, weights).
        threads: ONNX Runtime intra-op threads (0: its default, one per core).

    Example: ``OnnxClassifier(Path("models/nli")).logits({"input_ids": ids, "attention_mask": mask})``
    """

    model_dir: Path
    threads: int = 0
    exported: bool = field(default=False, init=False)
    _session: Any = field(default=None, init=False, repr=False)
    _inputs: tuple[str, ...] = field(default=(), init=False, repr=False)

    @property
    def path(self) -> Path:
        """The ``model.onnx`` file this classifier runs."""
        return onnx_path(self.model_dir)

    def load(self) -> None:
        """Export the model if it is not cached yet, then open an ONNX Runtime session on it.

        Example: ``c = OnnxClassifier(Path("m")); c.load(); c.exported`` → True on first use only
        """
        if self._session is not None:
            return
        (ort,) = import_extra("onnx", [("onnxruntime", "onnxruntime")])
        path = self.path
        if not path.is_file():
            self._export(path)
            self.exported = True
        options = ort.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
        try:
            session = ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors for a bad file
            raise InputError(f"cannot open the exported ONNX model: {exc}", path=str(path)) from exc
        self._session = session
        self._inputs = tuple(i.name for i in session.get_inputs())

    def _export(self, path: Path) -> None:
        torch, transformers = import_extra("onnx", [("torch", "torch"), ("transformers", "transformers")])
        log.info("exporting %s to ONNX (once) at %s", self.model_dir, path)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            str(self.model_dir), local_files_only=True
        )
        model.eval()
        model.config.return_dict = False
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
        sample = tokenizer(
            ["a claim to check", "a"], ["its evidence", "b"], padding=True, return_tensors="pt"
        )
        names = [n for n in _INPUTS if n in sample]
        axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"logits": {0: "batch"}}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with warnings.catch_warnings():
                # The exporter warns about tracing details (constants, deprecation) that do not concern a user.
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    model,
                    tuple(sample[n] for n in names),
                    str(tmp),
                    input_names=names,
                    output_names=["logits"],
                    dynamic_axes=axes,
                    opset_version=_OPSET,
                    dynamo=False,
                )
            os.replace(tmp, path)
        except (RuntimeError, ValueError, TypeError, OSError) as exc:
            raise InputError(
                f"cannot export the model to ONNX: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}",
                path=str(self.model_dir),
            ) from exc
        finally:
            tmp.unlink(missing_ok=True)

    def logits(self, encoded: dict[str, Any]) -> Any:
        """The classifier's logits (a numpy array, batch × labels) for tokenizer output (numpy arrays).

        Example: ``c.logits(tokenizer(premises, claims, return_tensors="np", padding=True))``
        """
        import numpy as np

        self.load()
        feed = {n: np.asarray(encoded[n], dtype=np.int64) for n in self._inputs}
        return self._session.run(["logits"], feed)[0]
