"""The fitted model, as plain numbers: a logistic regression over standardised features (binary, supported vs
not, or 3-class) and a map that calibrates P(supported): a smooth Platt sigmoid or isotonic points. Loaded
from a JSON file shipped in the package; pure Python."""

from __future__ import annotations

import bisect
import json
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from .._errors import InputError

__all__ = ["CLASSES", "Model", "load_model"]

CLASSES = ("supported", "contradicted", "not_found")


@dataclass(frozen=True, slots=True)
class Model:
    """Weights of one scorer: feature names, standardisation, coefficients, calibration and thresholds."""

    scorer: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    cal_x: tuple[float, ...]
    cal_y: tuple[float, ...]
    contradict_threshold: float
    idf: dict[str, float]
    idf_default: float
    select_by_model: bool
    meta: dict[str, Any]
    support_threshold: float = 0.5
    # Platt scaling (a, b): calibrated = 1 / (1 + exp(-(a * logit(p) + b))); when set, the isotonic points
    # are not used. Smooth, so confidences do not pile up on a few plateau values.
    platt: tuple[float, float] | None = None
    index: tuple[int, ...] | None = None
    # Standardising folded into the weights (w/scale, b - w·mean/scale), so scoring is three dot products.
    folded: tuple[tuple[tuple[float, ...], float], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        rows = []
        for row, b in zip(self.coef, self.intercept, strict=True):
            w = tuple(c / s for c, s in zip(row, self.scale, strict=True))
            rows.append((w, b - sum(wi * m for wi, m in zip(w, self.mean, strict=True))))
        object.__setattr__(self, "folded", tuple(rows))

    @property
    def binary(self) -> bool:
        """A supported-vs-not model: "contradicted" is then decided by the conflict rule alone."""
        return len(self.coef) == 1

    def bind(self, names: Sequence[str]) -> Model:
        """This model reading its features by name out of vectors laid out as ``names`` (a scorer may compute
        more features than an older weights file uses); `InputError` when one it needs is missing.

        Example: ``model.bind(LEXICAL_FEATURES).probabilities(vector)``
        """
        where = {n: i for i, n in enumerate(names)}
        missing = [n for n in self.features if n not in where]
        if missing:
            raise InputError(
                f"weights of scorer {self.scorer!r} need features {', '.join(missing)}, which it does not "
                "compute; refit them"
            )
        index = tuple(where[n] for n in self.features)
        return replace(self, index=None if index == tuple(range(len(names))) else index)

    def probabilities(self, x: list[float]) -> tuple[float, float, float]:
        """Uncalibrated class probabilities (supported, contradicted, not_found) of one feature vector; a
        binary model (one row of weights) gives P(contradicted) = 0.

        Example: ``model.probabilities([0.0] * len(model.features))``
        """
        if self.index is not None:
            x = [x[i] for i in self.index]
        logits = [b + sum(map(operator.mul, row, x)) for row, b in self.folded]
        if len(logits) == 1:
            p = _sigmoid(logits[0])
            return p, 0.0, 1.0 - p
        top = max(logits)
        ex = [math.exp(v - top) for v in logits]
        tot = sum(ex)
        return ex[0] / tot, ex[1] / tot, ex[2] / tot

    def calibrate(self, p: float) -> float:
        """Calibrated P(supported) by linear interpolation between the isotonic points.

        Example: ``0.0 <= model.calibrate(0.7) <= 1.0``
        """
        if self.platt is not None:
            a, b = self.platt
            q = min(1.0 - 1e-9, max(1e-9, p))
            return _sigmoid(a * math.log(q / (1.0 - q)) + b)
        xs, ys = self.cal_x, self.cal_y
        if not xs:
            return min(1.0, max(0.0, p))
        if p <= xs[0]:
            return ys[0]
        if p >= xs[-1]:
            return ys[-1]
        i = bisect.bisect_right(xs, p)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (p - x0) / (x1 - x0)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def model_from_dict(data: dict[str, Any]) -> Model:
    """Build a `Model` from the JSON object `_fit` writes.

    Example: ``model_from_dict(json.loads(path.read_text()))``
    """
    try:
        return Model(
            scorer=str(data["scorer"]),
            features=tuple(data["features"]),
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) for v in data["scale"]),
            coef=tuple(tuple(float(v) for v in row) for row in data["coef"]),
            intercept=tuple(float(v) for v in data["intercept"]),
            cal_x=tuple(float(v) for v in data["calibration"].get("x", ())),
            cal_y=tuple(float(v) for v in data["calibration"].get("y", ())),
            platt=(
                (float(data["calibration"]["platt"][0]), float(data["calibration"]["platt"][1]))
                if "platt" in data["calibration"]
                else None
            ),
            contradict_threshold=float(data["contradict_threshold"]),
            idf={str(k): float(v) for k, v in data["idf"].items()},
            idf_default=float(data["idf_default"]),
            select_by_model=bool(data.get("select_by_model", False)),
            meta=dict(data.get("meta", {})),
            support_threshold=float(data.get("support_threshold", 0.5)),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(f"weights file is malformed: {exc}") from exc


def load_model(scorer: str) -> Model:
    """Load the shipped weights file ``weights_<scorer>.json`` of the package.

    Example: ``load_model("lexical").features[0] == "cov"``
    """
    name = f"weights_{scorer}.json"
    try:
        text = resources.files("claimcheck._match").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(
            f"no weights file {name} for scorer {scorer!r}; fit it with "
            f"`python -m claimcheck._match._fit --scorer {scorer}`"
        ) from exc
    return model_from_dict(json.loads(text))
