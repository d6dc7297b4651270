"""``--scorer nli --model PATH``: a user-supplied local NLI cross-encoder (or MiniCheck-style checker).

The model is any ``transformers`` sequence-classification model saved in a local directory (e.g. a DeBERTa
MNLI model, or a 2-label MiniCheck model). It is loaded offline (``local_files_only``, Hugging Face offline
switches set before import) and reads (evidence sentence, claim) pairs. Which output is "entailment" and which
"contradiction" is read from ``config.id2label``; a 2-label model whose labels do not name them is taken as
MiniCheck-style: label 1 = supported, label 0 = unsupported (no contradiction signal).

The lexical matcher still finds the candidate evidence units (with offsets) and its findings (numbers,
negation); the NLI probabilities of those units decide the label and the confidence: a unit entailed with
probability ≥ 0.5 makes the claim supported, one contradicted with probability ≥ 0.5 (and not entailed)
makes it contradicted. The confidence is the model's entailment probability of the best unit, so it is only as
calibrated as the user's model.

``Matcher(scorer="nli", model_path=PATH)`` (and ``--scorer nli --model PATH``) hands prepare/match to that
`NLIScorer` (via `standalone`) unless a ``weights_nli.json`` was fitted for a particular model with
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

__all__ = [
    "NLI_FEATURES",
    "LabelMap",
    "NLIExtractor",
    "NLIModel",
    "NLIScorer",
    "extractors",
    "label_map",
    "standalone",
]

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


def _require(scorer: str = "nli") -> tuple[Any, Any]:
    torch, transformers = import_extra(scorer, [("torch", "torch"), ("transformers", "transformers")])
    return torch, transformers


@dataclass
class NLIModel:
    """A local sequence-classification model scoring (premise, hypothesis) pairs; loaded on first use.

    Parameters:
        path: the model directory (``config.json``, weights, tokenizer files).
        batch_size: pairs per forward pass.
        max_length: tokens per pair (longer pairs are truncated, premise first).

    Example: ``NLIModel(Path("models/deberta-mnli")).scores([("Cats purr.", "Cats make sounds.")])``
    """

    path: Path
    batch_size: int = 16
    max_length: int = 256
    _tokenizer: Any = field(default=None, init=False, repr=False)
    _model: Any = field(default=None, init=False, repr=False)
    _labels: LabelMap | None = field(default=None, init=False, repr=False)
    _memo: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict, init=False, repr=False)

    def load(self) -> LabelMap:
        """Load tokenizer and model from ``path`` (offline) and return the label indices.

        Example: ``NLIModel(Path("m")).load().entailment`` → ``2``
        """
        if self._labels is not None:
            return self._labels
        if not self.path.exists():
            raise InputError("--model: no such directory", path=str(self.path))
        if not (self.path / "config.json").is_file():
            raise InputError("--model: not a model directory (no config.json)", path=str(self.path))
        torch, transformers = _require()
        # Prefer safetensors (no pickle); a model saved only as pytorch_model.bin still loads.
        safetensors = any(self.path.glob("*.safetensors"))
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            model = transformers.AutoModelForSequenceClassification.from_pretrained(
                str(self.path), local_files_only=True, use_safetensors=safetensors
            )
        except ImportError as exc:
            raise ScorerUnavailable(
                f"the NLI model in {self.path} needs a package that is not installed: {exc}",
                scorer="nli",
                package=getattr(exc, "name", None),
            ) from exc
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            message = f"cannot load the NLI model: {_first_line(exc)}"
            raise InputError(message, path=str(self.path)) from exc
        model.eval()
        torch.set_grad_enabled(False)
        labels = label_map(dict(model.config.id2label), int(model.config.num_labels))
        self._tokenizer, self._model, self._labels = tokenizer, model, labels
        return labels

    def scores(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, float]]:
        """(P(entailment), P(contradiction)) of each (premise, hypothesis) pair, batched; memoised.

        Parameters:
            pairs: (evidence sentence, claim) pairs.

        Example: ``model.scores([("XLM-R improves by 5.4 points.", "XLM-R improves.")])`` → ``[(0.93, 0.01)]``
        """
        labels = self.load()
        todo = list(dict.fromkeys(p for p in pairs if p not in self._memo))
        if todo:
            import torch

            for start in range(0, len(todo), self.batch_size):
                chunk = todo[start : start + self.batch_size]
                enc = self._tokenizer(
                    [p for p, _ in chunk],
                    [h for _, h in chunk],
                    padding=True,
                    truncation="only_first",
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                with torch.inference_mode():
                    logits = self._model(**enc).logits
                probs = torch.softmax(logits.float(), dim=-1).tolist()
                for pair, row in zip(chunk, probs, strict=True):
                    ent = float(row[labels.entailment])
                    con = float(row[labels.contradiction]) if labels.contradiction is not None else 0.0
                    self._memo[pair] = (_finite(ent), _finite(con))
        return [self._memo[p] for p in pairs]


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


def _model_path(model_path: Path | str | None) -> Path:
    path = model_path or os.environ.get("CLAIMCHECK_NLI_MODEL")
    if not path:
        raise InputError("--scorer nli needs --model PATH (or CLAIMCHECK_NLI_MODEL): a local model directory")
    return Path(path)


def extractors(model_path: Path | str | None = None, cache_dir: Path | None = None) -> list[NLIExtractor]:
    """NLI probabilities as features, for fitting a weights file for one model (the matcher registry calls this).

    Parameters:
        model_path: the model directory (``--model``); default: ``CLAIMCHECK_NLI_MODEL``.
        cache_dir: unused (a cross-encoder has nothing to cache per paper).

    Example: ``CLAIMCHECK_NLI_MODEL=models/deberta-mnli python -m claimcheck._match._fit --scorer nli``
    """
    path = _model_path(model_path)
    _require()
    return [NLIExtractor(NLIModel(path))]


def standalone(
    model_path: Path | str | None = None, cache_dir: Path | None = None, cache_size: int = 4096
) -> NLIScorer:
    """The scorer ``Matcher(scorer="nli", model_path=...)`` hands prepare/match to when no ``weights_nli.json``
    was fitted: the model's own probabilities label the claims.

    Parameters:
        model_path: the model directory (``--model``); default: ``CLAIMCHECK_NLI_MODEL``.
        cache_dir: unused (a cross-encoder has nothing to cache per paper).
        cache_size: prepared sources the lexical candidate finder keeps.

    Raises `InputError` without a model path or when it is not a loadable model directory, and
    `ScorerUnavailable` (naming the package) when torch or transformers is missing.
    Example: ``standalone(Path("models/deberta-mnli")).match(claim, [source]).label``
    """
    return NLIScorer(_model_path(model_path), cache_size=cache_size)


class NLIScorer:
    """Matcher-compatible scorer: lexical candidates and findings, NLI label and confidence.

    Parameters:
        model_path: a local sequence-classification model directory.
        candidates: how many of the lexical matcher's best units are read by the NLI model per claim.

    Example:
        ``s = NLIScorer(Path("models/deberta-mnli")); p = s.prepare(Source(id="x", title=t, text=abstract))``
        ``s.match("XLM-R improves by 5.4 points.", [p]).label`` → ``"supported"``
    """

    scorer = "nli"

    def __init__(
        self, model_path: Path | str, *, candidates: int = 3, batch_size: int = 16, cache_size: int = 4096
    ) -> None:
        from ._matcher import Matcher

        self.nli = NLIModel(Path(model_path), batch_size=batch_size)
        self.nli.load()
        self.lexical = Matcher(scorer="lexical", cache_size=cache_size)
        self.model = self.lexical.model
        self.candidates = candidates

    def prepare(self, source: Source) -> PreparedSource:
        """Analyse a source once (delegates to the lexical matcher).

        Example: ``s.prepare(Source(id="x", title="", text="One. Two."))``
        """
        return self.lexical.prepare(source)

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
