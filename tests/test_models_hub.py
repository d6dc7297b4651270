"""``--model ORG/NAME``: download from a hub stand-in on 127.0.0.1 into the HF cache once, reuse it offline.

The stand-in (`_hubstub`) serves tiny randomly initialised models this module builds; ``HF_ENDPOINT`` points
at it and ``HF_HOME`` at a temporary directory, so nothing here touches the network or the user's cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from _hubstub import MINICHECK, MNLI, HubStub, serve_hub, tiny_model
from claimcheck._errors import InputError
from claimcheck._match._nli import LabelMap, model_kind

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "arxiv" / "2005.13013v2.xml"
CLAIM = "MNLI, SQuAD and HellaSwag achieve the best overall results as intermediate tasks."
SWAPPED = {0: "entailment", 1: "neutral", 2: "contradiction"}


def _abstract() -> str:
    from claimcheck._sources._atom import parse_atom

    (paper,) = parse_atom(FIXTURE.read_bytes()).papers
    return f"{paper.title or ''} {paper.abstract or ''}"


def _config(id2label: dict[int, str], archs: list[str] | None = None, name: str = "") -> SimpleNamespace:
    return SimpleNamespace(
        architectures=["DebertaV2ForSequenceClassification"] if archs is None else archs,
        num_labels=len(id2label),
        id2label=id2label,
        _name_or_path=name,
    )


# -- kinds and label names, from the config alone (no torch needed) ------------------------------------------


@pytest.mark.parametrize(
    ("id2label", "kind", "labels"),
    [
        (MNLI, "nli", LabelMap(2, 0, 1)),
        (SWAPPED, "nli", LabelMap(0, 2, 1)),
        ({0: "Neutral", 1: "Entailment", 2: "Contradiction"}, "nli", LabelMap(1, 2, 0)),
        ({0: "entailment", 1: "not_entailment"}, "nli", LabelMap(0, None, None)),
        (MINICHECK, "minicheck", LabelMap(1, None, None)),
    ],
)
def test_kind_and_labels_are_read_from_the_config(
    id2label: dict[int, str], kind: str, labels: LabelMap
) -> None:
    assert model_kind(_config(id2label), name="m") == (kind, labels)


def test_model_kind_option_overrides_the_config() -> None:
    assert model_kind(_config(MINICHECK), name="m", kind="nli") == ("nli", LabelMap(1, None, None))
    named = _config({0: "LABEL_0", 1: "LABEL_1"}, name="lytang/MiniCheck-RoBERTa-Large")
    assert model_kind(named, name="m")[0] == "minicheck"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (_config(MNLI, archs=["DebertaV2Model"]), "not a sequence classifier"),
        (_config(MNLI, archs=[]), "not a sequence classifier"),
        (_config({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}), "entailment"),
        (
            _config({0: "positive", 1: "negative", 2: "entailment"}),
            "not entailment / neutral / contradiction",
        ),
        (_config({i: f"c{i}" for i in range(5)}), "has 5 outputs"),
    ],
)
def test_a_model_of_the_wrong_kind_is_an_input_error_naming_it(config: SimpleNamespace, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        model_kind(config, name="org/odd-model")
    assert "org/odd-model" in str(info.value)


def test_minicheck_kind_needs_two_outputs() -> None:
    with pytest.raises(InputError, match="has 3 outputs; a MiniCheck checker has 2"):
        model_kind(_config(MNLI), name="m", kind="minicheck")


@pytest.mark.parametrize("spec", ["bogus", "org/", "a/b/c", "org/name@", "  "])
def test_unknown_names_are_input_errors(spec: str) -> None:
    from claimcheck._match._hub import resolve_model

    with pytest.raises(InputError, match="--model"):
        resolve_model(spec, offline=True)


# -- the hub stand-in --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    text = (_abstract(), CLAIM)
    return {
        "nli": tiny_model(root / "nli", MNLI, texts=text, bias=[0.0, 0.0, 6.0]),
        "swapped": tiny_model(root / "swapped", SWAPPED, texts=text, bias=[6.0, 0.0, 0.0]),
        "minicheck": tiny_model(root / "minicheck", MINICHECK, texts=text, arch="bert"),
        "encoder": tiny_model(root / "encoder", MNLI, texts=text, head=False),
    }


@pytest.fixture
def hf_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face cache of this test's own; never offline unless the test says so."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("CLAIMCHECK_ONNX_CACHE", str(tmp_path / "onnx"))
    return tmp_path / "hf" / "hub"


@pytest.fixture
def hub(models: dict[str, Path], hf_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubStub]:
    with serve_hub() as stub:
        stub.add("org/tiny-nli", models["nli"])
        stub.add("org/tiny-swapped", models["swapped"])
        stub.add("org/tiny-minicheck", models["minicheck"])
        stub.add("org/tiny-encoder", models["encoder"])
        # what --model nli-small names
        stub.add("cross-encoder/nli-deberta-v3-xsmall", models["nli"])
        monkeypatch.setenv("HF_ENDPOINT", stub.url)
        yield stub


@pytest.mark.models
def test_first_use_downloads_then_the_cache_serves_it_offline_with_the_hub_down(
    models: dict[str, Path], hf_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimcheck._match._hub import resolve_model

    notices: list[str] = []
    with serve_hub() as stub:
        stub.add("org/tiny-nli", models["nli"])
        monkeypatch.setenv("HF_ENDPOINT", stub.url)
        first = resolve_model("org/tiny-nli", on_download=notices.append)
        assert any(r.startswith("GET /org/tiny-nli/resolve/") for r in stub.requests)
        assert (first.path / "config.json").is_file() and any(first.path.glob("*.safetensors"))
        assert first.path.is_relative_to(hf_env) and first.revision == stub.repos["org/tiny-nli"].commit
        assert len(notices) == 1 and "org/tiny-nli" in notices[0]
        stub.requests.clear()
        assert resolve_model("org/tiny-nli").path == first.path
        assert stub.requests == []  # the cache is tried first: no request at all for a cached model
    # the stand-in is gone: online and offline alike, the cache answers at once
    for offline in (False, True):
        start = time.monotonic()
        assert resolve_model("org/tiny-nli", offline=offline).path == first.path
        assert time.monotonic() - start < 2.0
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve_model("org/tiny-nli").path == first.path
    with pytest.raises(InputError, match=r"org/tiny-other is not in the Hugging Face cache .* offline"):
        resolve_model("org/tiny-other")


@pytest.mark.models
def test_hub_errors_name_the_model(hub: HubStub) -> None:
    from claimcheck._errors import ScorerUnavailable
    from claimcheck._match._hub import resolve_model

    with pytest.raises(InputError, match=r"has no such model: org/missing"):
        resolve_model("org/missing")
    with pytest.raises(InputError, match=r"has no such revision: org/tiny-nli@v9"):
        resolve_model("org/tiny-nli@v9")
    pinned = resolve_model(f"org/tiny-nli@{hub.repos['org/tiny-nli'].commit}")
    assert pinned.revision == hub.repos["org/tiny-nli"].commit
    os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"  # nothing listens there (monkeypatch restores it)
    with pytest.raises(ScorerUnavailable, match=r"cannot download org/elsewhere from http://127\.0\.0\.1:9"):
        resolve_model("org/elsewhere")


@pytest.mark.models
def test_preset_names_download_their_hub_model(hub: HubStub) -> None:
    from claimcheck._match._hub import PRESETS, resolve_model

    assert PRESETS["nli-small"].repo == "cross-encoder/nli-deberta-v3-xsmall"
    assert (
        PRESETS["minicheck"].repo == "lytang/MiniCheck-DeBERTa-v3-Large"
        and PRESETS["minicheck"].kind == "minicheck"
    )
    resolved = resolve_model("nli-small")
    assert "models--cross-encoder--nli-deberta-v3-xsmall" in str(resolved.path)
    assert resolved.kind == "nli"


@pytest.mark.models
@pytest.mark.parametrize(
    ("repo", "label"), [("org/tiny-nli", "supported"), ("org/tiny-swapped", "supported")]
)
def test_label_order_comes_from_the_config(hub: HubStub, repo: str, label: str) -> None:
    from claimcheck._match import Matcher, Source

    # Both models always put their mass on the output their config names "entailment" (index 2, resp. 0).
    m = Matcher(scorer="nli", model_path=repo)
    result = m.match(CLAIM, [m.prepare(Source(id="2005.13013", text=_abstract()))])
    assert result.label == label and result.confidence > 0.99


@pytest.mark.models
def test_a_hub_model_without_a_classifier_head_is_refused(hub: HubStub) -> None:
    from claimcheck._match import Matcher

    with pytest.raises(InputError, match=r"org/tiny-encoder: it is not a sequence classifier"):
        Matcher(scorer="nli", model_path="org/tiny-encoder")


# -- the command line, as a user runs it ----------------------------------------------------------------------


def _claimcheck(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("claimcheck")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "claimcheck"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.models
@pytest.mark.slow
def test_cli_downloads_once_then_runs_offline_with_the_hub_down(
    models: dict[str, Path], tmp_path: Path
) -> None:
    pytest.importorskip("transformers", reason="needs the nli extra (transformers)")
    claims = tmp_path / "claims.jsonl"
    claims.write_text(json.dumps({"id": 7, "claim": CLAIM, "source": _abstract()}) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env |= {"HF_HOME": str(tmp_path / "hf"), "CLAIMCHECK_CACHE": str(tmp_path / "c.sqlite3")}
    with serve_hub() as stub:
        stub.add("org/tiny-nli", models["nli"])
        env["HF_ENDPOINT"] = stub.url
        first = _claimcheck(["match", str(claims), "--model", "org/tiny-nli"], env, tmp_path)
        assert first.returncode == 0, first.stderr
        assert "downloading it from" in first.stderr and "Traceback" not in first.stderr
        (rec,) = [json.loads(line) for line in first.stdout.splitlines()]
        assert rec["id"] == 7 and rec["label"] == "supported" and rec["confidence"] > 0.99
        unknown = _claimcheck(["match", str(claims), "--model", "org/no-such-model"], env, tmp_path)
        assert unknown.returncode == 2
        assert "org/no-such-model" in unknown.stderr and "Traceback" not in unknown.stderr
    # the stand-in is stopped: verify --offline reads the model from the cache, at once
    start = time.monotonic()
    report = ROOT / "fixtures" / "reports" / "clean-robust-training.md"
    args = ["verify", str(report), "--offline", "--sources", str(ROOT / "fixtures" / "arxiv"), "--no-cache"]
    again = _claimcheck([*args, "--model", "org/tiny-nli", "--format", "json", "--jobs", "1"], env, tmp_path)
    elapsed = time.monotonic() - start
    assert again.returncode in (0, 1), again.stderr
    assert "downloading" not in again.stderr and "Traceback" not in again.stderr
    out = json.loads(again.stdout)
    labels = {c["recomputed"]["label"] for r in out["reports"] for c in r["claims"]}
    assert labels and labels <= {"supported", "not_found", "contradicted", "unverifiable"}
    assert elapsed < 60
    missing = _claimcheck([*args, "--model", "org/never-downloaded"], env, tmp_path)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "org/never-downloaded is not in the Hugging Face cache" in missing.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "bogus"], "'bogus': no such directory, preset"),
        (["--model-kind", "nli"], "--model-kind and --backend need --model"),
        (["--backend", "onnx"], "--model-kind and --backend need --model"),
        (["--model", "nli-small", "--scorer", "semantic"], "--model is for --scorer nli"),
    ],
)
def test_cli_model_option_errors_are_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from claimcheck.cli import main

    claims = tmp_path / "claims.jsonl"
    claims.write_text('{"claim": "x", "source": "y"}\n', encoding="utf-8")
    assert main(["match", str(claims), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_lexical_runs_import_no_model_stack(tmp_path: Path) -> None:
    claims = tmp_path / "claims.jsonl"
    claims.write_text(json.dumps({"id": 1, "claim": CLAIM, "source": "MNLI helps."}) + "\n", encoding="utf-8")
    code = f"""
import sys
import claimcheck
from claimcheck.cli import main
code = main(["match", {str(claims)!r}, "--output", {str(tmp_path / "out.jsonl")!r}])
heavy = sorted(n for n in ("torch", "transformers", "huggingface_hub", "onnxruntime", "onnx") if n in sys.modules)
print(code, heavy)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0 []", proc.stdout
