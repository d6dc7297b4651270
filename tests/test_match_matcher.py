"""The matcher on real abstract text: every signal, offsets, labels, findings, scorers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimcheck._errors import InputError, ScorerUnavailable
from claimcheck._match import Matcher, PreparedSource, Source, available_scorers, register_scorer
from claimcheck._match._features import cut_mid_word, prepare_source
from claimcheck._match._matcher import _REGISTRY

ABSTRACTS = Path(__file__).resolve().parents[1] / "fixtures" / "match" / "abstracts"


def _source(arxiv_id: str) -> Source:
    d = json.loads((ABSTRACTS / f"{arxiv_id}.json").read_text(encoding="utf-8"))
    return Source(id=arxiv_id, title=d["title"], text=d["abstract"])


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


@pytest.fixture(scope="module")
def itt(matcher: Matcher) -> PreparedSource:
    return matcher.prepare(_source("2005.13013"))


@pytest.fixture(scope="module")
def syntax(matcher: Matcher) -> PreparedSource:
    return matcher.prepare(_source("2106.02134"))


def test_prepare_is_memoised(matcher: Matcher) -> None:
    assert matcher.prepare(_source("2005.13013")) is matcher.prepare(_source("2005.13013"))


def test_verbatim_sentence_is_supported_with_exact_offsets(matcher: Matcher, itt: PreparedSource) -> None:
    claim = "MNLI, SQuAD and HellaSwag achieve the best overall results as intermediate tasks."
    r = matcher.match(claim, [itt])
    assert r.label == "supported" and r.verified and r.confidence > 0.5
    ev = r.evidence[0]
    assert ev.source_id == "2005.13013" and ev.field == "text" and ev.stance == "support"
    assert itt.source.text[ev.start : ev.end] == ev.sentence and ev.sentence.startswith("MNLI, SQuAD")


def test_number_word_and_paraphrase_are_supported(matcher: Matcher, itt: PreparedSource) -> None:
    r = matcher.match(
        "The authors evaluate intermediate-task transfer in a zero-shot cross-lingual setting on the "
        "XTREME benchmark, using 9 intermediate language-understanding tasks.",
        [itt],
    )
    assert r.verified


def test_number_attached_to_another_noun_is_not_supported(matcher: Matcher, itt: PreparedSource) -> None:
    r = matcher.match("Experiments were conducted on 9 target tasks from the XTREME benchmark.", [itt])
    assert not r.verified


def test_changed_number_is_not_supported_and_flagged(matcher: Matcher, syntax: PreparedSource) -> None:
    good = "Syntax-augmented mBERT improves cross-lingual transfer on PAWS-X and MLQA by 1.4 and 1.6 points on average."
    assert matcher.match(good, [syntax]).verified
    r = matcher.match(good.replace("1.4", "2.7"), [syntax])
    assert not r.verified
    assert any(f.code == "number_mismatch" and "2.7" in f.message for f in r.findings)


def test_thousands_separator_number_absent_everywhere(matcher: Matcher, itt: PreparedSource) -> None:
    r = matcher.match("The ANLI+ intermediate task contains 1,104,934 training examples.", [itt])
    assert r.label == "not_found" and not r.verified


def test_negation_is_contradicted(matcher: Matcher, syntax: PreparedSource) -> None:
    claim = (
        "The experiment results show that syntax-augmented mBERT does not improve cross-lingual transfer on "
        "popular benchmarks."
    )
    r = matcher.match(claim, [syntax])
    assert r.label == "contradicted" and not r.verified
    assert any(f.code == "negation_mismatch" for f in r.findings)
    assert any(f.code == "contradicted" and f.severity == "error" for f in r.findings)


def test_neither_outperforms_reads_as_the_converse(matcher: Matcher, itt: PreparedSource) -> None:
    r = matcher.match(
        "Training on English intermediate tasks outperforms using machine-translated intermediate-task data.",
        [itt],
    )
    assert r.verified


def test_reversed_finding_is_not_supported(matcher: Matcher) -> None:
    p = matcher.prepare(_source("2104.08645"))
    ok = (
        "The experimental results demonstrate that robust training improves zero-shot cross-lingual transfer."
    )
    assert matcher.match(ok, [p]).verified
    assert not matcher.match(ok.replace("improves", "harms"), [p]).verified


def test_swapped_entity_is_not_supported(matcher: Matcher, syntax: PreparedSource) -> None:
    claim = "Syntax-augmented mBERT improves cross-lingual transfer on popular benchmarks, such as XNLI and TyDiQA."
    assert not matcher.match(claim, [syntax]).verified


def test_attribution_to_the_baseline_is_not_supported(matcher: Matcher, itt: PreparedSource) -> None:
    r = matcher.match(
        "The pretrained XLM-R Large model achieves state-of-the-art performance on the XTREME benchmark.",
        [itt],
    )
    assert not r.verified


def test_truncated_claim_matches_as_a_prefix(matcher: Matcher, itt: PreparedSource) -> None:
    full = (
        "Using our best intermediate-task models for each target task, we obtain a 5.4 point improvement over "
        "XLM-R Large on the XTREME benchmark"
    )
    assert matcher.match(full[:120], [itt]).verified


def test_fabricated_claim_is_not_found(matcher: Matcher, itt: PreparedSource, syntax: PreparedSource) -> None:
    r = matcher.match(
        "PRIMUS improves test accuracy by up to 15% with fewer than 500 labeled samples per class.",
        [itt, syntax],
    )
    assert r.label == "not_found"
    other = matcher.prepare(_source("2411.15127"))
    r2 = matcher.match(
        "PRIMUS improves test accuracy by up to 15% with fewer than 500 labeled samples per class.",
        [itt, syntax, other],
    )
    assert r2.verified and r2.evidence[0].source_id == "2411.15127"


def test_confidence_orders_claims(matcher: Matcher, itt: PreparedSource) -> None:
    near = matcher.match(
        "We investigate whether English intermediate-task training is still helpful on "
        "non-English target tasks.",
        [itt],
    )
    far = matcher.match("Vitamin D supplementation reduces COVID-19 mortality.", [itt])
    assert 0.0 <= far.confidence < near.confidence <= 1.0


def test_empty_source_gives_not_found(matcher: Matcher) -> None:
    r = matcher.match("MNLI helps.", [Source(id="x", title="", text="")])
    assert r.label == "not_found" and r.evidence == []


def test_scorers() -> None:
    assert "lexical" in available_scorers()
    with pytest.raises(InputError):
        Matcher(scorer="nope")
    register_scorer("missing-extra", "claimcheck_no_such_module:extractors")
    try:
        with pytest.raises(ScorerUnavailable):
            Matcher(scorer="missing-extra")
    finally:
        _REGISTRY.pop("missing-extra")


def test_claim_about_a_benchmark_is_not_the_paper_that_only_uses_it(
    matcher: Matcher, itt: PreparedSource
) -> None:
    # 2005.13013 evaluates "on the XTREME benchmark"; it says nothing of what XTREME itself aims to do.
    claim = "The XTREME benchmark aims to evaluate zero-shot cross-lingual transfer performance across diverse target tasks"
    assert not matcher.match(claim, [itt]).verified
    # The XTREME paper does say it, and its evidence is found behind the vetoed unit of the other paper.
    xtreme = matcher.prepare(_source("2003.11080"))
    r = matcher.match(claim, [itt, xtreme])
    assert r.verified and r.evidence[0].source_id == "2003.11080"


def test_swapped_entity_in_a_verbatim_sentence_is_not_supported(
    matcher: Matcher, itt: PreparedSource
) -> None:
    original = "We see large improvements from intermediate training on the BUCC and Tatoeba sentence retrieval tasks"
    assert matcher.match(original, [itt]).verified
    r = matcher.match(original.replace("BUCC", "WikiANN"), [itt])
    assert not r.verified and r.confidence <= 0.2


def test_claim_naming_only_things_no_source_mentions_is_not_supported(
    matcher: Matcher, itt: PreparedSource
) -> None:
    r = matcher.match(
        "TyDiQA shows consistent improvements with many intermediate tasks, whereas XNLI does not see benefits",
        [itt],
    )
    assert not r.verified and r.confidence <= 0.2


def test_a_figure_no_source_states_vetoes_a_close_match(matcher: Matcher, itt: PreparedSource) -> None:
    ok = "Using our best intermediate-task models we obtain a 5.4 point improvement over XLM-R Large on XTREME."
    assert matcher.match(ok, [itt]).verified
    r = matcher.match(ok.replace("5.4", "6.3"), [itt])
    assert not r.verified and any(f.code == "number_mismatch" for f in r.findings)


def test_match_takes_fetched_papers() -> None:
    from pathlib import Path

    from claimcheck import SourceSession, fetch_papers

    root = Path(__file__).resolve().parent.parent
    with SourceSession(offline=True, sources=root / "fixtures" / "arxiv", full_text=False) as session:
        papers = fetch_papers(["2005.13013v2"], session=session)
    claim = "We obtain a 5.4 point improvement over XLM-R Large on the XTREME benchmark."
    result = Matcher().match(claim, papers)
    assert result.label == "supported"
    assert result.evidence[0].source_id == "2005.13013"


def test_a_claim_cut_mid_word_at_any_width_is_read_as_cut() -> None:
    text = (
        "During binaural sound localization, a sighted control group showed decreased cerebral blood flow in "
        "the occipital lobe, which was not seen in early-blind individuals."
    )
    p = prepare_source(Source(id="x", title="", text=text))
    assert cut_mid_word(text[:136], [p])
    assert not cut_mid_word(text[:130] + " seen", [p])
    assert not cut_mid_word("Blood flow rose in the lobe, which was seen by an", [p])
