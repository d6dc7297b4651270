"""The fitted model as plain numbers: reading features by name, the support threshold, the new lexical features."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from claimcheck._errors import InputError
from claimcheck._match import Matcher, Source
from claimcheck._match._features import LEXICAL_FEATURES
from claimcheck._match._matcher import featurize
from claimcheck._match._model import load_model, model_from_dict

ABSTRACTS = Path(__file__).resolve().parents[1] / "fixtures" / "match" / "abstracts"
CLAIM = "MNLI, SQuAD and HellaSwag achieve the best overall results as intermediate tasks."


def _weights() -> dict[str, Any]:
    text = resources.files("claimcheck._match").joinpath("weights_lexical.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _source() -> Source:
    d = json.loads((ABSTRACTS / "2005.13013.json").read_text(encoding="utf-8"))
    return Source(id="2005.13013", title=d["title"], text=d["abstract"])


def _drop(data: dict[str, Any], name: str) -> dict[str, Any]:
    i = data["features"].index(name)
    out = dict(data)
    out["features"] = [f for f in data["features"] if f != name]
    for key in ("mean", "scale"):
        out[key] = [v for j, v in enumerate(data[key]) if j != i]
    out["coef"] = [[v for j, v in enumerate(row) if j != i] for row in data["coef"]]
    return out


def test_shipped_weights_use_every_lexical_feature_and_a_tuned_support_threshold() -> None:
    model = load_model("lexical")
    assert model.features == LEXICAL_FEATURES
    assert 0.3 <= model.support_threshold <= 0.6


def test_older_weights_with_fewer_features_are_read_by_name() -> None:
    data = _weights()
    older = _drop(data, "margin")
    full = model_from_dict(data).bind(LEXICAL_FEATURES)
    bound = model_from_dict(older).bind(LEXICAL_FEATURES)
    assert bound.index is not None and len(bound.index) == len(LEXICAL_FEATURES) - 1
    x = [0.5] * len(LEXICAL_FEATURES)
    x[LEXICAL_FEATURES.index("margin")] = float(data["mean"][data["features"].index("margin")])
    assert bound.probabilities(x) == pytest.approx(full.probabilities(x))
    r = Matcher(model=model_from_dict(older)).match(CLAIM, [_source()])
    assert r.verified


def test_weights_naming_an_unknown_feature_are_refused() -> None:
    data = _weights()
    data["features"] = ["no_such_feature", *data["features"][1:]]
    with pytest.raises(InputError, match="refit"):
        Matcher(model=model_from_dict(data))


def test_support_threshold_decides_the_verified_flag() -> None:
    data = _weights()
    src = Matcher().prepare(_source())
    confidence = Matcher().match(CLAIM, [src]).confidence
    data["support_threshold"] = min(1.0, confidence + 0.01)
    assert not Matcher(model=model_from_dict(data)).match(CLAIM, [src]).verified
    data["support_threshold"] = confidence - 0.001  # the reported confidence is rounded
    assert Matcher(model=model_from_dict(data)).match(CLAIM, [src]).verified
    del data["support_threshold"]
    assert model_from_dict(data).support_threshold == 0.5


def test_verbatim_claim_has_all_bigrams_and_a_clear_margin() -> None:
    m = Matcher()
    src = m.prepare(_source())
    cands = featurize(CLAIM, [src], idf=m.model.idf, idf_default=m.model.idf_default, truncated=False)
    f = dict(zip(LEXICAL_FEATURES, cands[0].features, strict=True))
    assert f["bigram"] == 1.0 and f["bigram_source"] == 1.0 and f["rare_source"] == 1.0
    assert f["missing_source"] == 0.0 and f["missing_unit_max"] == 0.0
    assert f["margin"] >= 0.0 and f["cov_second"] <= f["cov"]
    unrelated = featurize(
        "Penguins migrate across Antarctic ice shelves.",
        [src],
        idf=m.model.idf,
        idf_default=m.model.idf_default,
        truncated=False,
    )
    assert (
        not unrelated or dict(zip(LEXICAL_FEATURES, unrelated[0].features, strict=True))["missing_source"] > 0
    )
