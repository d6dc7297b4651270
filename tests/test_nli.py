"""The NLI scorer: label indices from config.id2label, and loading + inference of a tiny local model."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimcheck._errors import ClaimcheckError, InputError
from claimcheck._match._nli import LabelMap, label_map

_VOCAB = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
    "the", "model", "improves", "accuracy", "by", "5", ".", "4", "points", "on", "mnli", "xlm", "-", "r",
    "does", "not", "improve", "cats", "purr", "dogs", "bark",
]  # fmt: skip

_MNLI = {0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}
_ABSTRACT = "The model improves accuracy by 5.4 points on MNLI. Cats purr."
_CLAIM = "The model improves accuracy on MNLI."


@pytest.mark.parametrize(
    ("id2label", "n", "expected"),
    [
        (_MNLI, 3, LabelMap(2, 0, 1)),
        ({0: "entailment", 1: "neutral", 2: "contradiction"}, 3, LabelMap(0, 2, 1)),
        ({"0": "Contradiction", "1": "Entailment", "2": "Neutral"}, 3, LabelMap(1, 0, 2)),
        ({0: "LABEL_0", 1: "LABEL_1"}, 2, LabelMap(1, None, None)),  # MiniCheck-style binary checker
        ({0: "not_entailment", 1: "entailment"}, 2, LabelMap(1, None, None)),
        ({0: "unsupported", 1: "supported"}, 2, LabelMap(1, None, None)),
    ],
)
def test_label_map_reads_id2label_in_any_case(id2label: dict[int, str], n: int, expected: LabelMap) -> None:
    assert label_map(id2label, n) == expected


def test_label_map_refuses_unnamed_three_way_labels() -> None:
    with pytest.raises(InputError, match="entailment"):
        label_map({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, 3)


def _tiny_model(path: Path, id2label: dict[int, str], bias: list[float] | None = None) -> Path:
    """A randomly initialised 2-layer BERT classifier with a 26-word vocabulary, saved to ``path``."""
    torch = pytest.importorskip("torch", reason="needs the semantic extra (torch)")
    transformers = pytest.importorskip("transformers", reason="needs the semantic extra (transformers)")
    path.mkdir(parents=True, exist_ok=True)
    vocab = path / "vocab.txt"
    vocab.write_text("\n".join(_VOCAB) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(vocab_file=str(vocab), do_lower_case=True)
    tokenizer.save_pretrained(str(path))
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(_VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=37, max_position_embeddings=128, num_labels=len(id2label), id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )  # fmt: skip
    model = transformers.BertForSequenceClassification(config)
    if bias is not None:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(str(path))
    return path


@pytest.mark.semantic
def test_tiny_model_loads_offline_and_scores_pairs(tmp_path: Path) -> None:
    from claimcheck._match._nli import NLIModel

    model = NLIModel(_tiny_model(tmp_path / "mnli", _MNLI), batch_size=2)
    assert model.load() == LabelMap(2, 0, 1)
    pairs = [("The model improves accuracy by 5.4 points.", _CLAIM), ("Cats purr.", _CLAIM), ("Dog.", "x")]
    batched = model.scores(pairs)
    assert len(batched) == 3
    for ent, con in batched:
        assert 0.0 <= ent <= 1.0
        assert 0.0 <= con <= 1.0
        assert ent + con <= 1.0 + 1e-6
    fresh = NLIModel(tmp_path / "mnli", batch_size=1)
    for pair, expected in zip(pairs, batched, strict=True):
        assert fresh.scores([pair])[0] == pytest.approx(expected, abs=1e-5)


@pytest.mark.semantic
@pytest.mark.parametrize(
    ("bias", "label", "verified"),
    [
        ([0.0, 0.0, 6.0], "supported", True),
        ([6.0, 0.0, 0.0], "contradicted", False),
        ([0.0, 6.0, 0.0], "not_found", False),
    ],
)
def test_nli_probabilities_decide_the_label(
    tmp_path: Path, bias: list[float], label: str, verified: bool
) -> None:
    from claimcheck._match import Source
    from claimcheck._match._nli import NLIScorer

    scorer = NLIScorer(_tiny_model(tmp_path / "m", _MNLI, bias))
    prepared = scorer.prepare(Source(id="2005.13013", title="", text=_ABSTRACT))
    result = scorer.match(_CLAIM, [prepared], truncated=False)
    assert result.label == label
    assert result.verified is verified
    assert result.evidence
    top = result.evidence[0]
    assert _ABSTRACT[top.start : top.end] == top.sentence
    if label == "supported":
        assert result.confidence > 0.9
        assert top.stance == "support"
    else:
        assert result.confidence < 0.1
    assert ("contradicted" in {f.code for f in result.findings}) is (label == "contradicted")


@pytest.mark.semantic
def test_minicheck_style_binary_model_has_no_contradiction(tmp_path: Path) -> None:
    from claimcheck._match._nli import NLIModel

    model = NLIModel(_tiny_model(tmp_path / "minicheck", {0: "LABEL_0", 1: "LABEL_1"}, [0.0, 3.0]))
    ((ent, con),) = model.scores([("Cats purr.", "Cats purr.")])
    assert con == 0.0
    assert ent == pytest.approx(1 / (1 + 2.718281828**-3.0), abs=1e-4)


@pytest.mark.semantic
def test_nli_extractor_gives_features_per_unit(tmp_path: Path) -> None:
    from claimcheck._match._features import Source, prepare_source
    from claimcheck._match._nli import NLI_FEATURES, NLIExtractor, NLIModel

    ex = NLIExtractor(NLIModel(_tiny_model(tmp_path / "m", _MNLI, [1.0, 0.0, 2.0])))
    prepared = prepare_source(Source(id="x", text=_ABSTRACT))
    ex.prepare(prepared)
    feats = ex.features(_CLAIM, prepared, 0)
    assert len(feats) == len(NLI_FEATURES)
    e2, e1 = 2.718281828**2, 2.718281828
    assert feats == pytest.approx([e2 / (e2 + e1 + 1), e1 / (e2 + e1 + 1)], abs=1e-4)


@pytest.mark.semantic
def test_missing_or_broken_model_directory_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("transformers", reason="needs the semantic extra (transformers)")
    from claimcheck._match._nli import NLIModel

    with pytest.raises(InputError, match="no such directory"):
        NLIModel(tmp_path / "nowhere").load()
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no config\.json"):
        NLIModel(tmp_path / "empty").load()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    with pytest.raises(ClaimcheckError, match="cannot load"):
        NLIModel(broken).load()


_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv" / "2005.13013v2.xml"
_REAL_CLAIM = "MNLI, SQuAD and HellaSwag achieve the best overall results as intermediate tasks."


@pytest.fixture(scope="module")
def biased_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny MNLI-labelled models whose classifier ignores the input: one output always dominates."""
    root = tmp_path_factory.mktemp("nli")
    return {
        "entail": _tiny_model(root / "entail", _MNLI, [0.0, 0.0, 6.0]),
        "contradict": _tiny_model(root / "contradict", _MNLI, [6.0, 0.0, 0.0]),
        "neutral": _tiny_model(root / "neutral", _MNLI, [0.0, 6.0, 0.0]),
        "random": _tiny_model(root / "random", _MNLI),
    }


def _real_source() -> object:
    from claimcheck._match import Source
    from claimcheck._sources._atom import parse_atom

    (paper,) = parse_atom(_FIXTURE.read_bytes()).papers
    return Source(id=paper.arxiv_id, title=paper.title or "", text=paper.abstract or "")


@pytest.mark.semantic
@pytest.mark.parametrize(
    ("which", "label"),
    [("entail", "supported"), ("contradict", "contradicted"), ("neutral", "not_found")],
)
def test_matcher_nli_takes_its_label_from_the_model(
    biased_models: dict[str, Path], which: str, label: str
) -> None:
    from claimcheck._match import Matcher

    lexical = Matcher(scorer="lexical")
    source = _real_source()
    assert lexical.match(_REAL_CLAIM, [lexical.prepare(source)]).label == "supported"  # type: ignore[arg-type]
    m = Matcher(scorer="nli", model_path=biased_models[which])
    result = m.match(_REAL_CLAIM, [m.prepare(source)])  # type: ignore[arg-type]
    assert result.label == label
    assert result.verified is (label == "supported")
    text = source.text  # type: ignore[attr-defined]
    assert (
        result.evidence
        and text[result.evidence[0].start : result.evidence[0].end] == result.evidence[0].sentence
    )
    assert (result.confidence > 0.99) is (label == "supported")
    assert ("contradicted" in {f.code for f in result.findings}) is (label == "contradicted")


@pytest.mark.semantic
def test_matcher_nli_confidence_is_the_models_entailment_probability(biased_models: dict[str, Path]) -> None:
    from claimcheck._match import Matcher
    from claimcheck._match._nli import NLIModel

    m = Matcher(scorer="nli", model_path=biased_models["random"])
    source = _real_source()
    result = m.match(_REAL_CLAIM, [m.prepare(source)])  # type: ignore[arg-type]
    units = result.evidence[:3]
    probs = NLIModel(biased_models["random"]).scores([(u.sentence, _REAL_CLAIM) for u in units])
    assert result.confidence == pytest.approx(max(p for p, _ in probs), abs=1e-4)
    assert result.evidence[0].score == pytest.approx(result.confidence, abs=1e-4)
    assert m.extractors == [] and m.model.features  # the lexical model ranks the candidates


@pytest.mark.semantic
@pytest.mark.parametrize(("which", "label"), [("entail", "supported"), ("contradict", "contradicted")])
def test_cli_match_with_an_nli_model(
    biased_models: dict[str, Path],
    which: str,
    label: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from claimcheck.cli._app import app

    src = _real_source()
    line = {"id": 3, "claim": _REAL_CLAIM, "sources": [{"id": "2005.13013", "text": src.text}]}  # type: ignore[attr-defined]
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        app(
            args=["match", str(path), "--scorer", "nli", "--model", str(biased_models[which])],
            prog_name="claimcheck",
        )
    assert exc.value.code == 0
    (rec,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rec["id"] == 3 and rec["label"] == label and rec["verified"] is (label == "supported")
    assert 0.0 <= rec["confidence"] <= 1.0 and rec["evidence"][0]["source_id"] == "2005.13013"


@pytest.mark.semantic
@pytest.mark.parametrize(
    ("model", "message"),
    [(None, "--model NAME"), ("nowhere", "no such directory"), ("empty", "not a model directory")],
)
def test_cli_nli_model_errors_are_one_line(
    model: str | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from claimcheck.cli._app import app

    monkeypatch.delenv("CLAIMCHECK_NLI_MODEL", raising=False)
    (tmp_path / "empty").mkdir()
    path = tmp_path / "claims.jsonl"
    path.write_text('{"claim": "x", "source": "y"}\n', encoding="utf-8")
    args = ["match", str(path), "--scorer", "nli"] + (
        [] if model is None else ["--model", str(tmp_path / model)]
    )
    with pytest.raises(SystemExit) as exc:
        app(args=args, prog_name="claimcheck")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_nli_without_transformers_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import types

    from claimcheck._errors import ScorerUnavailable
    from claimcheck._match import Matcher, _extra

    def fake_import(name: str) -> object:
        if name == "torch":  # present or not, torch is not what this test is about
            return types.ModuleType("torch")
        if name.split(".")[0] == "transformers":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return importlib.import_module(name)

    monkeypatch.setattr(_extra, "importlib", types.SimpleNamespace(import_module=fake_import))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ScorerUnavailable, match=r"claimcheck\[nli\]") as exc:
        Matcher(scorer="nli", model_path=tmp_path / "m")
    assert exc.value.package == "transformers"  # type: ignore[attr-defined]
