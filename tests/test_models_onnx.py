"""``--backend onnx``: the model is exported once into the ONNX cache, reused after, and agrees with torch."""

from __future__ import annotations

from pathlib import Path

import pytest

from _hubstub import MINICHECK, MNLI, tiny_model

pytestmark = pytest.mark.models

TEXT = (
    "We investigate intermediate-task training with twelve tasks. MNLI, SQuAD and HellaSwag achieve the best "
    "overall results as intermediate tasks, while multi-task training over these tasks does not help further."
)


@pytest.fixture
def onnx_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pytest.importorskip("onnxruntime", reason="needs the onnx extra (onnxruntime)")
    pytest.importorskip("onnx", reason="needs the onnx extra (onnx, for torch.onnx export)")
    monkeypatch.setenv("CLAIMCHECK_ONNX_CACHE", str(tmp_path / "onnx"))
    return tmp_path / "onnx"


@pytest.mark.parametrize(("arch", "labels"), [("deberta", MNLI), ("bert", MINICHECK)])
def test_export_once_then_reuse_and_agree_with_torch(
    tmp_path: Path, onnx_cache: Path, arch: str, labels: dict[int, str]
) -> None:
    from claimcheck._match._nli import NLIModel

    path = tiny_model(tmp_path / "m", labels, texts=(TEXT,), arch=arch, spread=0.1)
    first = NLIModel(path, backend="onnx")
    first.load()
    assert first._model.exported is True
    (exported,) = onnx_cache.glob("*/model.onnx")
    stamp = exported.stat().st_mtime_ns
    second = NLIModel(path, backend="onnx")
    second.load()
    assert second._model.exported is False and second._model.path == exported
    assert exported.stat().st_mtime_ns == stamp  # reused, not written again
    torch_model = NLIModel(path)
    long = " ".join([TEXT] * 6)  # far longer than the export's sample: the sequence axis is dynamic
    pairs = [
        (TEXT, "MNLI helps."),
        ("MNLI", "SQuAD and HellaSwag help."),
        (long, "Multi-task training helps."),
    ]
    onnx_scores = [p for pair in second.scores(pairs) for p in pair]
    torch_scores = [p for pair in torch_model.scores(pairs) for p in pair]
    assert onnx_scores == pytest.approx(torch_scores, abs=1e-5)
    assert max(torch_scores[::2]) - min(torch_scores[::2]) > 2e-4  # the outputs do depend on the input
    assert second.support(pairs) == pytest.approx(torch_model.support(pairs), abs=1e-5)


def test_new_weights_are_exported_again(tmp_path: Path, onnx_cache: Path) -> None:
    from claimcheck._match._onnx import onnx_path

    path = tiny_model(tmp_path / "m", MNLI, texts=(TEXT,), arch="bert")
    before = onnx_path(path)
    assert before == onnx_path(path)
    tiny_model(tmp_path / "m", MNLI, texts=(TEXT,), arch="bert", bias=[0.0, 0.0, 1.0])
    (tmp_path / "m" / "config.json").touch()
    assert onnx_path(path) != before


def test_matcher_runs_on_onnx(tmp_path: Path, onnx_cache: Path) -> None:
    from claimcheck._match import Matcher, Source

    path = tiny_model(tmp_path / "m", MNLI, texts=(TEXT,), bias=[0.0, 0.0, 6.0])
    m = Matcher(scorer="nli", model_path=path, scorer_options={"backend": "onnx"})
    result = m.match(
        "MNLI, SQuAD and HellaSwag achieve the best results.", [m.prepare(Source(id="x", text=TEXT))]
    )
    assert result.label == "supported" and result.confidence > 0.99


def test_unknown_backend_is_an_input_error(tmp_path: Path) -> None:
    from claimcheck._errors import InputError
    from claimcheck._match._nli import NLIModel

    with pytest.raises(InputError, match="unknown backend 'tpu'"):
        NLIModel(tmp_path, backend="tpu").load()
