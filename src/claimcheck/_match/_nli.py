"""``--model NAME``: an NLI cross-encoder or a MiniCheck checker as the scorer (``--scorer nli``).

``NAME`` is a local directory, a preset (``minicheck``, ``nli-base``, …; see `claimcheck._match._hub.PRESETS`) or
a hub name ``ORG/NAME[@REVISION]``, downloaded once into the Hugging Face cache (`claimcheck._match._hub`). The
model is any ``transformers`` sequence classifier; its kind is read from its config (or set, ``--model-kind``):

- ``nli``: three outputs whose ``config.id2label`` names say entailment / neutral / contradiction (any order,
  any case), or two (entailment / not_entailment). It reads (evidence sentence, claim) pairs.
- ``minicheck``: two outputs with generic names (``LABEL_0`` / ``LABEL_1``), label 1 = supported (MiniCheck's
  convention); it reads a document chunk and the claim as one sequence (`claimcheck._match._minicheck`).

Anything else (no sequence-classification head, unnamed three-way labels, another number of outputs) is an
`InputError` naming the model. ``--backend onnx`` runs the classifier with ONNX Runtime (`_onnx`).

The lexical matcher still finds the candidate evidence units (with offsets) and its findings (numbers,
negation); the NLI probabilities of those units decide the label and the confidence: a unit entailed with
probability ≥ 0.5 makes the claim supported, one contradicted with probability ≥ 0.5 (and not entailed)
makes it contradicted. The confidence is the model's entailment probability of the best unit, so it is only as
calibrated as the user's model.

``Matcher(scorer="nli", model_path=PATH)`` (and ``--scorer nli --model PATH``) hands prepare/match to that
`NLIScorer` (via `_standalone.standalone`) unless a ``weights_nli.json`` was fitted for a particular model with
``CLAIMCHECK_NLI_MODEL=PATH python -m claimcheck._match._fit --scorer nli``; then the NLI probabilities are two
more features of the fitted, calibrated matcher (`extractors`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .._errors import InputError, ScorerUnavailable
from .._models import Finding, MatchResult
from ._extra import import_extra
from ._features import PreparedSource, Source
from ._front import LexicalFront
from ._hub import ModelKind, resolve_model

__all__ = [
    "BACKENDS",
    "KINDS",
    "NLI_FEATURES",
    "LabelMap",
    "NLIExtractor",
    "NLIModel",
    "NLIScorer",
    "extractors",
    "label_map",
    "model_kind",
]

KINDS: tuple[ModelKind, ...] = ("nli", "minicheck")
BACKENDS: tuple[str, ...] = ("torch", "onnx")

NLI_FEATURES: tuple[str, ...] = ("nli_entail", "nli_contradict")
_ENTAIL = ("entail", "support", "consistent", "faithful")
_CONTRADICT = ("contradict", "refute", "inconsistent")
_NEUTRAL = ("neutral", "not_enough", "nei", "unrelated")
_NEGATED = ("not", "non", "un", "in", "no_", "no-", "no ")


@dataclass(frozen=True, slots=True)
class LabelMap:
    """Indices of the model's outputs: entailment, and contradiction/neutral when the model has them."""

    entailment: int
    contradiction: int | None
    neutral: int | None


def label_map(id2label: dict[int, str] | dict[str, str], num_labels: int) -> LabelMap:
    """Find the entailment / contradiction / neutral outputs from a model's ``config.id2label`` (any case).

    Parameters:
        id2label: the model config's index → label name.
        num_labels: how many outputs the classifier has.

    Example: ``label_map({0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}, 3) == LabelMap(2, 0, 1)``
    """
    names = {int(k): str(v).lower() for k, v in id2label.items()}

    def find(keys: tuple[str, ...], negated: bool = False) -> int | None:
        hits = [i for i, n in names.items() if any(k in n for k in keys) and (negated or not _negated(n))]
        return hits[0] if len(hits) == 1 else None

    contradiction = find(_CONTRADICT, negated=True)
    entail = find(_ENTAIL)
    neutral = find(_NEUTRAL)
    if entail is not None:
        return LabelMap(entail, contradiction, neutral)
    if num_labels == 2:
        # MiniCheck-style binary checkers ship generic LABEL_0 / LABEL_1: 1 means "supported".
        return LabelMap(1, contradiction, None)
    raise InputError(
        f"cannot tell which output of the NLI model is entailment from its labels {sorted(names.items())}; "
        "set config.id2label (e.g. {0: 'contradiction', 1: 'neutral', 2: 'entailment'})"
    )


def model_kind(config: Any, *, name: str, kind: ModelKind | None = None) -> tuple[ModelKind, LabelMap]:
    """The kind of a sequence classifier and its output indices, from its ``transformers`` config.

    Parameters:
        config: the model's config (``architectures``, ``num_labels``, ``id2label``, ``_name_or_path``).
        name: what the user called the model, for messages.
        kind: the kind the user (``--model-kind``) or a preset says; None reads it from the config.

    Raises `InputError` naming the model when it is not a sequence classifier or its labels fit no kind.
    Example: ``model_kind(AutoConfig.from_pretrained(d), name="nli-base")`` → ``("nli", LabelMap(0, 2, 1))``
    """
    archs = [str(a) for a in (getattr(config, "architectures", None) or [])]
    if not any(a.endswith("ForSequenceClassification") for a in archs):
        raise InputError(
            f"cannot load the model {name}: it is not a sequence classifier (architectures: "
            f"{', '.join(archs) or 'none named'}); --model needs an NLI cross-encoder or a MiniCheck checker"
        )
    n = int(config.num_labels)
    names = {int(k): str(v) for k, v in dict(config.id2label).items()}
    if kind == "minicheck" or (kind is None and n == 2 and _minicheck_like(config, names)):
        if n != 2:
            raise InputError(
                f"the model {name} has {n} outputs; a MiniCheck checker has 2 (unsupported, supported)"
            )
        return "minicheck", LabelMap(1, None, None)
    if n not in (2, 3):
        raise InputError(
            f"the model {name} has {n} outputs; an NLI model has 3 (entailment, neutral, contradiction)"
        )
    try:
        labels = label_map(names, n)
    except InputError as exc:
        raise InputError(f"the model {name}: {exc.message}") from exc
    if n == 3 and (labels.contradiction is None or labels.neutral is None):
        raise InputError(
            f"the model {name} has label names {sorted(names.items())}, not entailment / neutral / contradiction"
        )
    return "nli", labels


def _minicheck_like(config: Any, names: dict[int, str]) -> bool:
    if "minicheck" in str(getattr(config, "_name_or_path", "")).lower():
        return True
    # MiniCheck ships the generic names transformers gives an unnamed binary head.
    return all(v.upper() == f"LABEL_{k}" for k, v in names.items())


def _require(scorer: str = "nli") -> tuple[Any, Any]:
    torch, transformers = import_extra(scorer, [("torch", "torch"), ("transformers", "transformers")])
    return torch, transformers


@dataclass
class NLIModel:
    """A sequence classifier scoring (premise, hypothesis) pairs or MiniCheck (chunk, claim) inputs; loaded on
    first use.

    Parameters:
        path: a model directory, a preset name or a hub name ``ORG/NAME[@REVISION]`` (see `resolve_model`).
        batch_size: inputs per forward pass.
        max_length: tokens per NLI pair (longer pairs are truncated, premise first).
        kind: ``nli`` or ``minicheck``; None reads it from the model's config (`model_kind`).
        backend: ``torch``, or ``onnx`` (ONNX Runtime, exported once and cached).
        offline: never download (default: ``HF_HUB_OFFLINE``); only the Hugging Face cache is read.

    Example: ``NLIModel("nli-small").scores([("Cats purr.", "Cats make sounds.")])``
    """

    path: Path | str
    batch_size: int = 16
    max_length: int = 256
    kind: ModelKind | None = None
    backend: str = "torch"
    offline: bool | None = None
    progress: bool = False
    minicheck_length: int = 512
    model_dir: Path | None = field(default=None, init=False)
    detected: ModelKind | None = field(default=None, init=False)
    _tokenizer: Any = field(default=None, init=False, repr=False)
    _model: Any = field(default=None, init=False, repr=False)
    _labels: LabelMap | None = field(default=None, init=False, repr=False)
    _memo: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict, init=False, repr=False)
    _support: dict[tuple[str, str], float] = field(default_factory=dict, init=False, repr=False)

    def load(self) -> LabelMap:
        """Find the model (downloading it on first use), load tokenizer and classifier, return the label indices.

        Example: ``NLIModel(Path("m")).load().entailment`` → ``2``
        """
        if self._labels is not None:
            return self._labels
        if self.backend not in BACKENDS:
            raise InputError(f"unknown backend {self.backend!r}; choose from {', '.join(BACKENDS)}")
        if self.kind is not None and self.kind not in KINDS:
            raise InputError(f"unknown model kind {self.kind!r}; choose from {', '.join(KINDS)}")
        resolved = resolve_model(self.path, offline=self.offline, progress=self.progress)
        path = resolved.path
        if not (path / "config.json").is_file():
            raise InputError("--model: not a model directory (no config.json)", path=str(self.path))
        if self.backend == "onnx":
            (transformers,) = import_extra("nli", [("transformers", "transformers")])
        else:
            _, transformers = _require()
        try:
            config = transformers.AutoConfig.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"cannot load the model config: {_first_line(exc)}", path=str(self.path)
            ) from exc
        kind, labels = model_kind(config, name=resolved.name, kind=self.kind or resolved.kind)
        # Prefer safetensors (no pickle); a model saved only as pytorch_model.bin still loads.
        safetensors = any(path.glob("*.safetensors"))
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            if self.backend == "onnx":
                from ._onnx import OnnxClassifier

                model: Any = OnnxClassifier(path)
                model.load()
            else:
                import torch

                model = transformers.AutoModelForSequenceClassification.from_pretrained(
                    str(path), local_files_only=True, use_safetensors=safetensors
                )
                model.eval()
                torch.set_grad_enabled(False)
        except ImportError as exc:
            raise ScorerUnavailable(
                f"the model {resolved.name} needs a package that is not installed: {exc}",
                scorer="nli",
                package=getattr(exc, "name", None),
            ) from exc
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            message = f"cannot load the NLI model: {_first_line(exc)}"
            raise InputError(message, path=str(self.path)) from exc
        self._tokenizer, self._model, self._labels = tokenizer, model, labels
        self.model_dir, self.detected = path, kind
        return labels

    @property
    def separator(self) -> str:
        """The token MiniCheck puts between the document chunk and the claim: the tokenizer's end-of-sequence
        token (``</s>`` for RoBERTa, ``[SEP]`` for DeBERTa-v3), else its separator token.

        Example: ``NLIModel("minicheck-roberta").separator`` → ``"</s>"``
        """
        self.load()
        token = self._tokenizer.eos_token or self._tokenizer.sep_token
        if not token:
            raise InputError(f"the tokenizer of {self.path} has no end-of-sequence or separator token")
        return str(token)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, without special tokens (for cutting a document into chunks).

        Example: ``model.count_tokens(["The model improves."])`` → ``[4]``
        """
        self.load()
        if not texts:
            return []
        ids = self._tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
        return [len(x) for x in ids]

    def minicheck_inputs(self, chunk: str, claim: str) -> str:
        """The one sequence MiniCheck reads: the chunk, the end-of-sequence token, the claim.

        Example: ``model.minicheck_inputs("Cats purr.", "Cats make sounds.")`` → ``"Cats purr.</s>Cats make sounds."``
        """
        return f"{chunk}{self.separator}{claim}"

    def _probabilities(
        self, first: list[str], second: list[str] | None, max_length: int
    ) -> list[list[float]]:
        truncation: Any = "only_first" if second is not None else True
        if self.backend == "onnx":
            import numpy as np

            enc = self._tokenizer(
                first, second, padding=True, truncation=truncation, max_length=max_length, return_tensors="np"
            )
            logits = np.asarray(self._model.logits(dict(enc)), dtype=np.float64)
            logits -= logits.max(axis=-1, keepdims=True)
            exp = np.exp(logits)
            rows: list[list[float]] = (exp / exp.sum(axis=-1, keepdims=True)).tolist()
            return rows
        import torch

        enc = self._tokenizer(
            first, second, padding=True, truncation=truncation, max_length=max_length, return_tensors="pt"
        )
        with torch.inference_mode():
            out = self._model(**enc).logits
        probs: list[list[float]] = torch.softmax(out.float(), dim=-1).tolist()
        return probs

    def scores(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, float]]:
        """(P(entailment), P(contradiction)) of each (premise, hypothesis) pair, batched; memoised.

        Parameters:
            pairs: (evidence sentence, claim) pairs.

        Example: ``model.scores([("XLM-R improves by 5.4 points.", "XLM-R improves.")])`` → ``[(0.93, 0.01)]``
        """
        labels = self.load()
        todo = list(dict.fromkeys(p for p in pairs if p not in self._memo))
        # Similar lengths in a batch pad less.
        todo.sort(key=lambda p: len(p[0]) + len(p[1]))
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            probs = self._probabilities([p for p, _ in chunk], [h for _, h in chunk], self.max_length)
            for pair, row in zip(chunk, probs, strict=True):
                ent = float(row[labels.entailment])
                con = float(row[labels.contradiction]) if labels.contradiction is not None else 0.0
                self._memo[pair] = (_finite(ent), _finite(con))
        return [self._memo[p] for p in pairs]

    def support(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """P(supported) of each (document chunk, claim), read as MiniCheck reads them (`minicheck_inputs`);
        batched, memoised.

        Example: ``model.support([("XLM-R improves by 5.4 points on XNLI.", "XLM-R improves.")])`` → ``[0.97]``
        """
        labels = self.load()
        todo = list(dict.fromkeys(p for p in pairs if p not in self._support))
        todo.sort(key=lambda p: len(p[0]) + len(p[1]))
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            texts = [self.minicheck_inputs(doc, claim) for doc, claim in chunk]
            probs = self._probabilities(texts, None, self.minicheck_length)
            for pair, row in zip(chunk, probs, strict=True):
                self._support[pair] = _finite(float(row[labels.entailment]))
        return [self._support[p] for p in pairs]


@dataclass
class NLIExtractor:
    """The NLI probabilities as matcher features (for fitting a weights file for one particular model).

    Example: ``NLIExtractor(NLIModel(path)).features("MNLI helps.", p, 1)`` → ``[0.91, 0.02]``
    """

    model: NLIModel
    name: str = "nli"
    feature_names: tuple[str, ...] = NLI_FEATURES

    def prepare(self, source: PreparedSource) -> None:
        """Nothing to precompute: a cross-encoder reads each (sentence, claim) pair together."""

    def features(
        self, claim_text: str, source: PreparedSource, unit_index: int, peers: Sequence[int] = ()
    ) -> list[float]:
        """P(entailment) and P(contradiction) of the unit (premise) for the claim (hypothesis).

        Example: ``ex.features("MNLI helps.", p, 1)`` → ``[0.91, 0.02]``
        """
        ent, con = self.model.scores([(source.units[unit_index].sentence, claim_text)])[0]
        return [ent, con]


def _model_path(model_path: Path | str | None) -> Path | str:
    path = model_path or os.environ.get("CLAIMCHECK_NLI_MODEL")
    if not path:
        raise InputError(
            "--scorer nli needs --model NAME: a preset (minicheck, minicheck-roberta, nli-base, nli-small), "
            "a hub name ORG/NAME[@REVISION] or a model directory (or set CLAIMCHECK_NLI_MODEL)"
        )
    return path


def extractors(model_path: Path | str | None = None, cache_dir: Path | None = None) -> list[NLIExtractor]:
    """NLI probabilities as features, for fitting a weights file for one model (the matcher registry calls this).

    Parameters:
        model_path: the model (``--model``: directory, preset or hub name); default: ``CLAIMCHECK_NLI_MODEL``.
        cache_dir: unused (a cross-encoder has nothing to cache per paper).

    Example: ``CLAIMCHECK_NLI_MODEL=models/deberta-mnli python -m claimcheck._match._fit --scorer nli``
    """
    path = _model_path(model_path)
    _require()
    return [NLIExtractor(NLIModel(path))]


class NLIScorer(LexicalFront):
    """Matcher-compatible scorer: lexical candidates and findings, NLI label and confidence.

    Parameters:
        model_path: an `NLIModel`, or what it takes: a model directory, a preset or a hub name.
        candidates: how many of the lexical matcher's best units are read by the NLI model per claim.

    Example:
        ``s = NLIScorer(Path("models/deberta-mnli")); p = s.prepare(Source(id="x", title=t, text=abstract))``
        ``s.match("XLM-R improves by 5.4 points.", [p]).label`` → ``"supported"``
    """

    def __init__(
        self,
        model_path: Path | str | NLIModel,
        *,
        candidates: int = 3,
        batch_size: int = 16,
        cache_size: int = 4096,
    ) -> None:
        super().__init__(candidates=candidates, cache_size=cache_size)
        self.nli = (
            model_path if isinstance(model_path, NLIModel) else NLIModel(model_path, batch_size=batch_size)
        )
        self.nli.load()

    def match(
        self, claim: str, sources: Sequence[PreparedSource | Source], *, truncated: bool | None = None
    ) -> MatchResult:
        """Label a claim by the NLI model's verdict on its best lexical candidate units.

        Example: ``s.match("XLM-R improves by 5.4 points.", [p]).confidence`` → ``0.93``
        """
        base = self.lexical.match(claim, sources, truncated=truncated)
        units = base.evidence[: self.candidates]
        if not units:
            return base
        probs = self.nli.scores([(u.sentence, claim) for u in units])
        best = max(range(len(units)), key=lambda i: probs[i][0])
        worst = max(range(len(units)), key=lambda i: probs[i][1])
        p_ent = probs[best][0]
        p_con = probs[worst][1]
        if p_ent >= 0.5:
            label, top = "supported", best
        elif p_con >= 0.5:
            label, top = "contradicted", worst
        else:
            label, top = "not_found", best
        order = [top] + [i for i in range(len(units)) if i != top]
        stance: Literal["support", "contradict", "neutral"] = (
            "support" if label == "supported" else "contradict" if label == "contradicted" else "neutral"
        )
        evidence = [
            units[i].model_copy(
                update={"score": round(probs[i][0], 4), "stance": stance if rank == 0 else "neutral"}
            )
            for rank, i in enumerate(order)
        ]
        findings = [f for f in base.findings if f.code != "contradicted"]
        if label == "contradicted":
            findings.append(
                Finding(
                    code="contradicted",
                    severity="error",
                    arxiv_id=units[top].source_id,
                    message=f"the NLI model reads the cited abstract of {units[top].source_id} as contradicting "
                    f"the claim (P(contradiction) = {p_con:.2f})",
                )
            )
        return MatchResult(
            label=label,  # type: ignore[arg-type]
            verified=label == "supported",
            confidence=round(min(1.0, max(0.0, p_ent)), 4),
            evidence=evidence,
            findings=findings,
        )


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _negated(name: str) -> bool:
    return name.startswith(_NEGATED)
