"""The fitted model as plain numbers: reading features by name, the support threshold, the new lexical features."""

from __future__ import annotations

import itertools
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


def test_shipped_weights_use_every_lexical_feature_and_a_smooth_calibration() -> None:
    model = load_model("lexical")
    assert model.features == LEXICAL_FEATURES
    assert model.platt is not None and model.platt[0] > 0  # a rising sigmoid, not isotonic steps
    assert model.support_threshold == 0.5


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


def test_verified_exactly_when_the_confidence_reaches_one_half_whatever_the_weights_file_says() -> None:
    data = _weights()
    src = Matcher().prepare(_source())
    data["support_threshold"] = 0.95  # an old weights file's own threshold no longer moves the verdict
    m = Matcher(model=model_from_dict(data))
    claims = [
        CLAIM,
        "We obtain a 5.4 point improvement over XLM-R Large on the XTREME benchmark.",
        "Multilingual MLM consistently outperforms English intermediate-task training.",
        "Intermediate training brings no gains on sentence retrieval.",
        "XNLI does not see benefits from intermediate training.",
    ]
    results = [m.match(c, [src]) for c in claims]
    assert any(r.verified for r in results) and not all(r.verified for r in results)
    for r in results:
        assert r.verified == (r.confidence >= 0.5) == (r.label == "supported")


def test_platt_calibration_is_smooth_and_monotone() -> None:
    data = _weights()
    data["calibration"] = {"platt": [0.8, -0.1]}
    model = model_from_dict(data)
    grid = [i / 200 for i in range(1, 200)]
    cal = [model.calibrate(p) for p in grid]
    assert all(b > a for a, b in itertools.pairwise(cal))  # strictly rising: no plateaus
    assert len({round(v, 3) for v in cal}) > 150


def test_a_binary_model_gives_no_contradicted_probability() -> None:
    data = _weights()
    data["coef"], data["intercept"] = data["coef"][:1], data["intercept"][:1]
    p_sup, p_con, p_nf = model_from_dict(data).probabilities([0.5] * len(data["features"]))
    assert p_con == 0.0 and p_sup + p_nf == pytest.approx(1.0)


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


def test_a_vetoed_confidence_is_scaled_below_the_cap_not_clipped_to_it() -> None:
    from claimcheck._match._matcher import VETO_CAP, capped

    values = [capped(p / 10) for p in range(11)]
    assert all(v < b for v, b in itertools.pairwise(values))
    assert max(values) <= VETO_CAP < 0.5
