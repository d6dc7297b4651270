"""MiniCheck checkers: ``chunk + eos + claim`` as one sequence, ~400-token chunks of real abstract text, max over
chunks; and the windows around lexical candidates when a source has more than a title and an abstract."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from _hubstub import MINICHECK, MNLI, tiny_model
from claimcheck._match._features import PreparedSource, Source, prepare_source
from claimcheck._match._minicheck import CHUNK_TOKENS, Chunk, chunk_source

ROOT = Path(__file__).resolve().parent.parent
CLAIM = "MNLI, SQuAD and HellaSwag achieve the best overall results as intermediate tasks."

pytestmark = pytest.mark.models


def _paper(name: str) -> Source:
    from claimcheck._sources._atom import parse_atom

    (paper,) = parse_atom((ROOT / "fixtures" / "arxiv" / name).read_bytes()).papers
    return Source(id=paper.arxiv_id, title=paper.title or "", text=paper.abstract or "")


@pytest.fixture(scope="module")
def sources() -> list[Source]:
    return [_paper(p.name) for p in sorted((ROOT / "fixtures" / "arxiv").glob("*.xml"))]


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory, sources: list[Source]) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("minicheck")
    texts = (*(f"{s.title} {s.text}" for s in sources), CLAIM)
    return {
        "random": tiny_model(root / "random", MINICHECK, texts=texts),
        "yes": tiny_model(root / "yes", MINICHECK, texts=texts, bias=[0.0, 6.0]),
        "no": tiny_model(root / "no", MINICHECK, texts=texts, bias=[6.0, 0.0]),
        "mnli": tiny_model(root / "mnli", MNLI, texts=texts),
    }


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"\w+|[^\w\s]", text.lower())


def test_chunks_pack_whole_sentences_up_to_the_budget(sources: list[Source]) -> None:
    # Word count stands in for a tokenizer here: chunking must not depend on torch.
    def count(texts: object) -> list[int]:
        return [len(_words(t)) for t in texts]  # type: ignore[attr-defined]

    for source in sources:
        prepared = prepare_source(source)
        singles = [i for i, u in enumerate(prepared.units) if not u.window]
        whole = chunk_source(prepared, count)
        assert [i for c in whole for i in c.units] == singles  # every sentence once, in order
        assert len(whole) == 1  # an abstract is far below 400 word pieces: one chunk, the whole abstract
        small = chunk_source(prepare_source(source), count, budget=40)
        assert [i for c in small for i in c.units] == singles
        assert len(small) > 1
        for chunk in small:
            assert chunk.tokens == sum(count([prepared.units[i].sentence])[0] for i in chunk.units)
            assert chunk.tokens <= 40 or len(chunk.units) == 1
            assert chunk.text == " ".join(prepared.units[i].sentence for i in chunk.units)
        for a, b in itertools.pairwise(small):
            # greedy: the next chunk's first sentence did not fit into this one
            assert a.tokens + count([prepared.units[b.units[0]].sentence])[0] > 40


def _as_full_text(prepared: PreparedSource, head: int) -> PreparedSource:
    """The source as a full text would be: its first ``head`` sentences the abstract, the rest the body."""
    singles = [i for i, u in enumerate(prepared.units) if not u.window and u.field == "text"]
    body = set(singles[head:])
    units = [dataclasses.replace(u, field="body") if i in body else u for i, u in enumerate(prepared.units)]  # type: ignore[arg-type]
    return dataclasses.replace(prepared, units=units, extra={})


def test_full_text_reads_the_abstract_whole_and_windows_around_candidates(sources: list[Source]) -> None:
    def count(texts: object) -> list[int]:
        return [len(_words(t)) for t in texts]  # type: ignore[attr-defined]

    long = max(sources, key=lambda s: len(s.text))
    prepared = _as_full_text(prepare_source(long), head=2)
    singles = [i for i, u in enumerate(prepared.units) if not u.window]
    body = [i for i in singles if prepared.units[i].field == "body"]
    assert len(body) >= 4
    assert chunk_source(prepared, count) == chunk_source(prepared, count, around=[])
    head_only = chunk_source(prepared, count, budget=120)
    assert {prepared.units[i].field for c in head_only for i in c.units} <= {"title", "text"}
    centre = body[len(body) // 2]
    windows = chunk_source(prepared, count, around=[centre], budget=120)
    extra = [c for c in windows if c not in head_only]
    assert len(extra) == 1
    (window,) = extra
    assert centre in window.units and window.tokens <= 120
    assert list(window.units) == body[body.index(window.units[0]) : body.index(window.units[-1]) + 1]
    assert len(window.units) > 1
    # as wide as the budget allows: neither neighbouring body sentence would still fit
    lo, hi = body.index(window.units[0]), body.index(window.units[-1])
    for j in (lo - 1, hi + 1):
        if 0 <= j < len(body):
            assert window.tokens + count([prepared.units[body[j]].sentence])[0] > 120


@pytest.fixture(scope="module")
def loaded(model_dirs: dict[str, Path]) -> dict[str, object]:
    from claimcheck._match._nli import NLIModel

    out: dict[str, object] = {}
    for name, path in model_dirs.items():
        model = NLIModel(path)
        model.load()
        out[name] = model
    return out


def test_minicheck_input_is_chunk_eos_claim_as_one_sequence(loaded: dict[str, object]) -> None:
    from claimcheck._match._nli import NLIModel

    model = loaded["random"]
    assert isinstance(model, NLIModel)
    assert model.detected == "minicheck"
    tok = model._tokenizer
    assert model.separator == "[SEP]"  # the BERT-style tokenizer has no eos: its separator stands in
    chunk = "MNLI and SQuAD help. Cats purr."
    text = model.minicheck_inputs(chunk, CLAIM)
    assert text == f"{chunk}[SEP]{CLAIM}"
    ids = tok(text)["input_ids"]
    first = tok(chunk, add_special_tokens=False)["input_ids"]
    second = tok(CLAIM, add_special_tokens=False)["input_ids"]
    assert ids == [tok.cls_token_id, *first, tok.sep_token_id, *second, tok.sep_token_id]
    assert "token_type_ids" not in tok(text) or set(tok(text)["token_type_ids"]) == {0}  # ONE sequence
    tok.eos_token = "</s>"  # noqa: S105 - a RoBERTa-style tokenizer: its end-of-sequence token separates
    try:
        assert model.minicheck_inputs("A.", "B.") == "A.</s>B."
    finally:
        tok.eos_token = None


def test_score_is_the_maximum_over_chunks(loaded: dict[str, object], sources: list[Source]) -> None:
    from claimcheck._match._minicheck import MiniCheckScorer
    from claimcheck._match._nli import NLIModel

    model = loaded["random"]
    assert isinstance(model, NLIModel)
    scorer = MiniCheckScorer(model)
    source = next(s for s in sources if s.id == "2005.13013")
    prepared = scorer.prepare(source)
    chunks = chunk_source(prepared, model.count_tokens)
    assert len(chunks) == 1 and chunks[0].tokens <= CHUNK_TOKENS
    result = scorer.match(CLAIM, [prepared])
    expected = max(model.support([(c.text, CLAIM) for c in chunks]))
    assert result.confidence == pytest.approx(expected, abs=1e-4)
    # smaller chunks: still the maximum over them
    small = chunk_source(prepared, model.count_tokens, budget=50)
    probs = model.support([(c.text, CLAIM) for c in small])
    assert len(small) > 1 and len(set(probs)) > 1
    fine = MiniCheckScorer(model, chunk_tokens=50).match(CLAIM, [prepared])
    assert fine.confidence == pytest.approx(max(probs), abs=1e-4)


@pytest.mark.parametrize(("which", "label"), [("yes", "supported"), ("no", "not_found")])
def test_matcher_with_a_minicheck_model(
    model_dirs: dict[str, Path], sources: list[Source], which: str, label: str
) -> None:
    from claimcheck._match import Matcher
    from claimcheck._match._minicheck import MiniCheckScorer

    m = Matcher(scorer="nli", model_path=model_dirs[which])
    assert isinstance(m._standalone, MiniCheckScorer)
    source = next(s for s in sources if s.id == "2005.13013")
    result = m.match(CLAIM, [m.prepare(source)])
    assert result.label == label and result.verified is (label == "supported")
    assert (result.confidence > 0.99) is (label == "supported")
    assert "contradicted" not in {f.code for f in result.findings}  # MiniCheck never says "contradicted"
    top = result.evidence[0]
    assert source.text[top.start : top.end] == top.sentence
    assert top.stance == ("support" if label == "supported" else "neutral")


def test_model_kind_nli_reads_a_minicheck_head_as_sentence_pairs(model_dirs: dict[str, Path]) -> None:
    from claimcheck._match import Matcher
    from claimcheck._match._nli import NLIScorer

    m = Matcher(scorer="nli", model_path=model_dirs["yes"], scorer_options={"model_kind": "nli"})
    assert isinstance(m._standalone, NLIScorer)
    m = Matcher(scorer="nli", model_path=model_dirs["mnli"])
    assert isinstance(m._standalone, NLIScorer)


def test_chunk_is_a_value() -> None:
    assert Chunk((1, 2), "a b", 2) == Chunk((1, 2), "a b", 2)
