"""Conflicts scoped to the clause a claim aligns with, on real abstract text.

arXiv abstracts come from fixtures/match/abstracts; the biomedical sentences are quoted from SciFact's cited
abstracts (ODC-By 1.0; the number is the SciFact doc id). Each phenomenon is checked both ways: the
perturbed claim states a conflict, and the faithful (or reordered) one does not.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from claimcheck._match import Matcher, Source
from claimcheck._match import _conflicts as conflicts_module
from claimcheck._match._analysis import analyse
from claimcheck._match._conflicts import (
    Conflict,
    _changed_alike,
    clause_conflicts,
    comparison_said,
    prepare_claim,
)
from claimcheck._match._features import list_items

ABSTRACTS = Path(__file__).resolve().parents[1] / "fixtures" / "match" / "abstracts"

XTREME = (  # 2003.11080
    "We demonstrate that while models tested on English reach human performance on many tasks, there is still "
    "a sizable gap in the performance of cross-lingually transferred models, particularly on syntactic and "
    "sentence retrieval tasks."
)
DIABETES = (  # SciFact 12584053
    "CONCLUSION A single programme for people with newly diagnosed type 2 diabetes mellitus showed no "
    "difference in biomedical or lifestyle outcomes at three years although there were sustained improvements "
    "in some illness beliefs."
)
SSAT = (  # 2205.14230
    "Extensive experiments with different types of attacks demonstrate that our Semisupervised "
    "Semantics-guided Adversarial Training (SSAT) method can effectively mitigate the impact of adversarial "
    "attacks by up to 73% and outperform other popular defense methods."
)
PERINATAL = (  # SciFact, a cited abstract on perinatal mortality in rural China
    "The perinatal mortality rate in the study county was higher than previously reported for both rural and "
    "urban areas in China."
)
NORADRENALINE = (  # SciFact, a cited abstract on adipocytes
    "Acting via the β(3)-adrenergic receptors, noradrenaline induces lipolysis in white adipocytes, whereas it "
    "stimulates the expression of thermogenic genes in brown adipocytes."
)
RANKL = (  # SciFact, a cited abstract on thymic epithelial cells
    "We show that RANKL signals from this cell promote the maturation of RANK-expressing CD80-Aire- mTEC "
    "progenitors into CD80+Aire+ mTECs."
)
BMP = (  # SciFact 5633876
    "We conclude that BMP induces human and mouse pluripotent stem cells primarily to form mesoderm, rather "
    "than trophoblast, acting through BRA and CDX2."
)
RIBOSOME = (  # SciFact 12486491
    "Historically, the ribosome has been viewed as a complex ribozyme with constitutive rather than regulatory "
    "capacity in mRNA translation."
)
VAP = (  # SciFact 600437
    "Cells lacking VAP accumulate high levels of PI4P, actin comets, and trans-Golgi proteins on endosomes."
)
TLI = (  # 2506.15415
    "Our experiments show that TLI significantly improves the output-level lexical alignment for 623 trained "
    "Swahili-English word pairs, increasing average cosine similarity from 0.3211 to 0.4113 (+28.08%, p < 1.33 "
    "x 10^-240). More importantly, these improvements generalize remarkably well to 63 unseen control word "
    "pairs, with similarity increasing from 0.3143 to 0.4033 (+28.32%, p < 7.17 x 10^-27)."
)


def _conflicts(claim: str, evidence: str, *, truncated: bool = False) -> list[Conflict]:
    return clause_conflicts(prepare_claim(claim, {}, 5.0, truncated), analyse(evidence))


def _kinds(claim: str, evidence: str, *, truncated: bool = False) -> set[str]:
    return {c.kind for c in _conflicts(claim, evidence, truncated=truncated)}


def _source(arxiv_id: str) -> Source:
    d = json.loads((ABSTRACTS / f"{arxiv_id}.json").read_text(encoding="utf-8"))
    return Source(id=arxiv_id, title=d["title"], text=d["abstract"])


@pytest.mark.parametrize(
    ("evidence", "faithful", "conflicting", "kind"),
    [
        # a negated quantifier against an evaluative assertion, both ways
        (
            XTREME,
            "There is a sizable gap in the performance of cross-lingually transferred models.",
            "There is no gap in the performance of cross-lingually transferred models.",
            "negation",
        ),
        (
            DIABETES,
            "The programme for people with newly diagnosed type 2 diabetes showed no difference in biomedical "
            "or lifestyle outcomes at three years.",
            "The programme for people with newly diagnosed type 2 diabetes brought impressive differences in "
            "biomedical and lifestyle outcomes at three years.",
            "negation",
        ),
        # reach / fall short
        (
            XTREME,
            "Models tested on English reach human performance on many tasks.",
            "Models tested on English fall short of human performance on many tasks.",
            "direction",
        ),
        # higher / lower
        (
            PERINATAL,
            "The perinatal mortality rate in the study county was higher than previously reported in China.",
            "The perinatal mortality rate in the study county was lower than previously reported in China.",
            "direction",
        ),
        # induce / reduce
        (
            NORADRENALINE,
            "Noradrenaline induces lipolysis in white adipocytes.",
            "Noradrenaline reduces lipolysis in white adipocytes.",
            "direction",
        ),
        # promote / counteract
        (
            RANKL,
            "RANKL signals promote the maturation of RANK-expressing mTEC progenitors.",
            "RANKL signals counteract the maturation of RANK-expressing mTEC progenitors.",
            "direction",
        ),
        # active and passive comparatives
        (
            SSAT,
            "Other popular defense methods are outperformed by the SSAT method.",
            "The SSAT method is outperformed by other popular defense methods.",
            "roles",
        ),
        (
            SSAT,
            "The SSAT method outperforms other popular defense methods.",
            "Other popular defense methods outperform the SSAT method.",
            "roles",
        ),
        # an attribute swapped inside one sentence that names both values
        (
            BMP,
            "BMP induces human pluripotent stem cells to form mesoderm.",
            "BMP induces human pluripotent stem cells to form trophoblast.",
            "contrast",
        ),
        (
            RIBOSOME,
            "The ribosome has been viewed as a complex ribozyme with constitutive capacity in mRNA translation.",
            "The ribosome has been viewed as a complex ribozyme with regulatory capacity in mRNA translation.",
            "contrast",
        ),
        # "lacking X" negates X, not the predicate
        (
            VAP,
            "Cells lacking VAP accumulate high levels of PI4P on endosomes.",
            "Cells with VAP accumulate high levels of PI4P on endosomes.",
            "object",
        ),
        # constituents reordered around numbers are the same finding; the change reversed is not
        (
            TLI,
            "Average cosine similarity rises to 0.4113 from 0.3211 for trained Swahili-English word pairs.",
            "Average cosine similarity goes from 0.4113 to 0.3211 for trained Swahili-English word pairs.",
            "transition",
        ),
        # a figure given for the same thing: the claim's 623 is the abstract's, but said of other pairs
        (
            TLI,
            "These improvements generalize remarkably well to 63 unseen control word pairs.",
            "These improvements generalize remarkably well to 623 unseen control word pairs.",
            "numbers",
        ),
    ],
)
def test_each_conflict_fires_in_the_aligned_clause_and_only_against_the_perturbed_claim(
    evidence: str, faithful: str, conflicting: str, kind: str
) -> None:
    assert _kinds(faithful, evidence) == set()
    assert kind in _kinds(conflicting, evidence)


def test_a_negation_in_another_clause_of_the_sentence_does_not_flip_the_claim() -> None:
    # "no difference" is in the clause before "although"; the claim matches the one after it
    assert (
        _kinds("There were sustained improvements in some illness beliefs at three years.", DIABETES) == set()
    )
    # the 2005.13013 sentence: "... but neither consistently outperforms simply performing English
    # intermediate-task training" says nothing of what the first clause investigates
    itt = (
        "We also investigate continuing multilingual MLM during intermediate-task training and using "
        "machine-translated intermediate-task data, but neither consistently outperforms simply performing "
        "English intermediate-task training."
    )
    assert (
        _kinds("We investigate continuing multilingual MLM during intermediate-task training.", itt) == set()
    )
    # nor is the claim that names the subject of that clause: "neither" refers back to what the first clause
    # names, which a lexical matcher cannot resolve, so it stays silent rather than guess
    assert (
        _kinds("Multilingual MLM consistently outperforms English intermediate-task training.", itt) == set()
    )


def test_a_negation_in_the_claims_relative_clause_or_truncated_tail_does_not_flip_it() -> None:
    relative = "Models tested on English, which have no cross-lingual transfer, reach human performance on many tasks."
    assert _kinds(relative, XTREME) == set()
    cut = "Models tested on English reach human performance on many tasks; they never reach human perf"
    assert _kinds(cut, XTREME, truncated=True) == set()
    assert "negation" in _kinds(cut, XTREME, truncated=False)  # the same words, read as finished, do flip


def test_double_negation_cancels_and_lacking_x_does_not_negate_the_predicate() -> None:
    double = "It is not true that there is no gap in the performance of cross-lingually transferred models."
    assert _kinds(double, XTREME) == set()
    assert _kinds("Cells lacking VAP accumulate high levels of PI4P on endosomes.", VAP) == set()
    assert "negation" in _kinds("Cells lacking VAP do not accumulate high levels of PI4P on endosomes.", VAP)


def test_neither_nor_is_one_negation() -> None:
    evidence = (  # SciFact 1606628
        "CONCLUSIONS An overall improvement in the global situation is anticipated; however, neither the world "
        "as a whole, nor the developing regions, are expected to achieve the Millennium Development goals."
    )
    assert "negation" in _kinds(
        "The developing regions are expected to achieve the Millennium Development goals.", evidence
    )
    assert (
        _kinds(
            "The developing regions are not expected to achieve the Millennium Development goals.", evidence
        )
        == set()
    )


def test_a_hedge_flipped_is_found_even_when_the_other_sentence_of_the_window_says_the_claims_word() -> None:
    # Two adjacent sentences of 2005.13013: "large improvements" in the first, "small additional improvements"
    # in the second. A claim about multi-task training aligns with the second only.
    window = (
        "We see large improvements from intermediate training on the BUCC and Tatoeba sentence retrieval tasks "
        "and moderate improvements on question-answering target tasks. MNLI, SQuAD and HellaSwag achieve the "
        "best overall results as intermediate tasks, while multi-task intermediate offers small additional "
        "improvements."
    )
    assert "direction" in _kinds(
        "Multi-task intermediate training offers large additional improvements.", window
    )
    assert _kinds("Multi-task intermediate training offers small additional improvements.", window) == set()
    assert "direction" in _kinds(
        "We see small improvements from intermediate training on the BUCC and Tatoeba sentence retrieval tasks.",
        window,
    )


def test_list_items_need_every_item_but_a_truncated_last_one() -> None:
    claim = (
        "We perform rigorous experiments on four NLP tasks, including text classification, question answering, "
        "named entity recognition, and task-oriented semantic parsing."
    )
    assert [i for i, _ in list_items(claim)][1:] == [
        "text classification",
        "question answering",
        "named entity recognition",
        "task-oriented semantic",
    ]
    m = Matcher()
    src = m.prepare(_source("2106.02134"))
    assert m.match(claim, [src]).verified
    swapped = claim.replace("named entity recognition", "speech synthesis")
    r = m.match(swapped, [src])
    assert not r.verified and r.label == "not_found"
    cut = claim[: claim.index("task-oriented")] + "speech synth"
    assert [i for i, _ in list_items(cut, truncated=True)][-1] == "named entity recognition"


def test_contradicted_only_with_a_stated_conflict_and_evidence_is_the_contradicting_sentence() -> None:
    m = Matcher()
    tli = m.prepare(_source("2506.15415"))
    absent = m.match(
        "TLI improves the output-level lexical alignment, increasing average cosine similarity from 0.3211 to 0.5113.",
        [tli],
    )
    assert absent.label == "not_found"  # 0.5113 is in no abstract: unsupported, not refuted
    xtreme = m.prepare(_source("2003.11080"))
    r = m.match("There is no gap in the performance of cross-lingually transferred models.", [xtreme])
    assert r.label == "contradicted" and not r.verified and r.confidence < 0.5
    assert r.evidence[0].stance == "contradict"
    assert "sizable gap" in r.evidence[0].sentence and r.evidence[0].sentence.count(". ") == 0
    finding = next(f for f in r.findings if f.code == "contradicted")
    assert "'no' in the claim" in finding.message and finding.message.endswith(".")


SHARED_LABEL = (  # 2009.05166
    "However, this shared label becomes less accurate or even unavailable for more complex tasks such as "
    "question answering, NER and POS tagging."
)
A20 = (  # SciFact 33370
    "The decreased survival of GSCs upon A20 knockdown contributed to the reduced ability of these cells to "
    "self-renew in primary and secondary neurosphere formation assays."
)
SHOULDER = (  # SciFact 4200695
    "CONCLUSION A specific exercise strategy, focusing on strengthening eccentric exercises for the rotator cuff "
    "and concentric/eccentric exercises for the scapula stabilisers, is effective in reducing pain and improving "
    "shoulder function in patients with persistent subacromial impingement syndrome."
)


@pytest.mark.parametrize(
    ("evidence", "faithful", "conflicting"),
    [
        # both sides of a pair in one sentence: each direction word is read against the one said of the
        # same thing ("less accurate" stays, "more complex" flips)
        (
            SHARED_LABEL,
            "The shared label becomes less accurate for more complex tasks such as question answering.",
            "The shared label becomes less accurate for less complex tasks such as question answering.",
        ),
        (
            A20,
            "The decreased survival of GSCs upon A20 knockdown contributed to their reduced ability to self-renew.",
            "The increased survival of GSCs upon A20 knockdown contributed to their reduced ability to self-renew.",
        ),
    ],
)
def test_a_direction_is_read_against_the_word_said_of_the_same_thing(
    evidence: str, faithful: str, conflicting: str
) -> None:
    assert _kinds(faithful, evidence) == set()
    assert "direction" in _kinds(conflicting, evidence)


def test_an_evidence_direction_word_answers_only_the_claim_word_it_matches_best() -> None:
    # "reducing pain" answers the claim's "reducing pain", not its "more effective"
    claim = "Rotator cuff exercises are more effective than general exercise therapy in reducing pain."
    assert "direction" not in _kinds(claim, SHOULDER)


@pytest.mark.parametrize(
    ("evidence", "faithful", "conflicting"),
    [
        # loser-first comparatives name the sides the other way round
        (
            SSAT,
            "Other popular defense methods lag behind the SSAT method.",
            "The SSAT method lags behind other popular defense methods.",
        ),
        (
            SSAT,
            "Other popular defense methods underperform the SSAT method.",
            "The SSAT method underperforms other popular defense methods.",
        ),
        (
            SSAT,
            "Other popular defense methods are inferior to the SSAT method.",
            "The SSAT method is inferior to other popular defense methods.",
        ),
    ],
)
def test_comparatives_say_who_wins_by_their_roles(evidence: str, faithful: str, conflicting: str) -> None:
    assert _kinds(faithful, evidence) == set()
    assert "roles" in _kinds(conflicting, evidence)


def test_a_fronted_adverbial_and_brackets_are_no_side_of_a_comparison() -> None:
    # 2411.15127: "With fewer than 500 labeled samples per class, PRIMUS improves test accuracy by up to 15%,
    # compared to state-of-the-art baselines."
    primus = (
        "With fewer than 500 labeled samples per class, PRIMUS (our method) improves test accuracy by up to "
        "15%, compared to state-of-the-art baselines."
    )
    faithful = "With fewer than 500 labeled samples per class, state-of-the-art baselines are outperformed by PRIMUS."
    conflicting = (
        "With fewer than 500 labeled samples per class, PRIMUS is outperformed by state-of-the-art baselines."
    )
    assert _kinds(faithful, primus) == set()
    assert "roles" in _kinds(conflicting, primus)


HPV_TRIAGE = (  # SciFact 27446873
    "CONCLUSIONS When incorporated into a well established organised screening programme, primary HPV screening "
    "with cytology triage was more sensitive than conventional cytology in detecting CIN III+ lesions."
)
HPV_PASSIVE = (  # the same finding in the passive, for a claim in the active
    "Conventional cytology was outperformed in sensitivity by primary HPV screening with cytology triage in "
    "detecting CIN III+ lesions."
)


@pytest.mark.parametrize(
    ("claim", "evidence", "said"),
    [
        # a passive claim of an active comparison: what it is outperformed in ("in sensitivity"), and adverbs
        # before the verb, are no side of it
        (
            "Conventional cytology is outperformed in sensitivity by primary HPV screening with cytology triage.",
            HPV_TRIAGE,
            {"outperform"},
        ),
        (
            "Conventional cytology is far surpassed by primary HPV screening with cytology triage.",
            HPV_TRIAGE,
            {"surpass"},
        ),
        # the loser named first
        (
            "Conventional cytology lags behind primary HPV screening with cytology triage.",
            HPV_TRIAGE,
            {"lag", "behind"},
        ),
        # an active claim of a passive comparison
        (
            "Primary HPV screening with cytology triage outperforms conventional cytology.",
            HPV_PASSIVE,
            {"outperform"},
        ),
        (
            "Primary HPV screening with cytology triage is more sensitive than conventional cytology.",
            HPV_PASSIVE,
            set(),
        ),
    ],
)
def test_a_comparative_of_the_same_sides_the_same_way_round_says_the_claims_verb(
    claim: str, evidence: str, said: set[str]
) -> None:
    assert _kinds(claim, evidence) == set()
    assert comparison_said(prepare_claim(claim, {}, 5.0, False), analyse(evidence)) == said


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        (
            "Primary HPV screening with cytology triage is outperformed in sensitivity by conventional cytology.",
            HPV_TRIAGE,
        ),
        ("Primary HPV screening with cytology triage lags behind conventional cytology.", HPV_TRIAGE),
        ("Conventional cytology outperforms primary HPV screening with cytology triage.", HPV_PASSIVE),
        (
            "Conventional cytology is more sensitive than primary HPV screening with cytology triage.",
            HPV_PASSIVE,
        ),
    ],
)
def test_a_comparative_the_other_way_round_says_nothing_of_the_claims_verb(claim: str, evidence: str) -> None:
    assert "roles" in _kinds(claim, evidence)
    assert comparison_said(prepare_claim(claim, {}, 5.0, False), analyse(evidence)) == set()


def test_a_side_that_stays_on_its_side_is_no_swap() -> None:
    # SciFact 5386514: the population ("anthracycline-treated ... breast cancer") is said on the winner's side
    # of the evidence and on the loser's side of the claim; the alleles that tell the sides apart are not moved
    evidence = (
        "Anthracycline-treated individuals with breast cancer carrying a loss-of-function allele of P2RX7 "
        "developed metastatic disease more rapidly than individuals bearing the normal allele."
    )
    faithful = (
        "Anthracycline-treated breast cancer patients bearing the normal P2RX7 allele lag behind those carrying "
        "a loss-of-function allele in how rapidly they develop metastatic disease."
    )
    reversed_ = (
        "Anthracycline-treated breast cancer patients carrying a loss-of-function allele of P2RX7 lag behind "
        "those bearing the normal allele in how rapidly they develop metastatic disease."
    )
    assert _kinds(faithful, evidence) == set()
    assert "roles" in _kinds(reversed_, evidence)


def test_a_relative_pronoun_before_the_comparative_keeps_its_subject() -> None:
    # 2310.06825: "Mistral 7B -- Instruct, that surpasses Llama 2 13B -- Chat model"
    evidence = (
        "We also provide a model fine-tuned to follow instructions, Mistral 7B -- Instruct, that surpasses "
        "Llama 2 13B -- Chat model both on human and automated benchmarks."
    )
    assert _kinds("Llama 2 13B -- Chat is surpassed by Mistral 7B -- Instruct.", evidence) == set()
    assert "roles" in _kinds("Mistral 7B -- Instruct is surpassed by Llama 2 13B -- Chat.", evidence)


def test_a_lesser_amount_against_a_rank_says_nothing_of_which_way_round() -> None:
    # "less sensitive than" ranks its first side last, "lower error than" first: no roles conflict either way
    for claim in (
        "Conventional cytology is less sensitive than primary HPV screening with cytology triage.",
        "Primary HPV screening with cytology triage is less sensitive than conventional cytology.",
    ):
        assert "roles" not in _kinds(claim, HPV_PASSIVE)


ADIPOCYTES = NORADRENALINE
ITT_NEITHER = (  # 2005.13013
    "We also investigate continuing multilingual MLM during intermediate-task training and using "
    "machine-translated intermediate-task data, but neither consistently outperforms simply performing "
    "English intermediate-task training."
)


def test_an_attribute_swapped_between_two_contrasted_clauses_is_a_contrast() -> None:
    # "X in white adipocytes, whereas Y in brown adipocytes": each finding is said of one value of the slot
    # beside "adipocytes"; the claim that gives a finding the other value conflicts, the faithful one does not
    assert _kinds("Noradrenaline induces lipolysis in white adipocytes.", ADIPOCYTES) == set()
    assert "contrast" in _kinds("Noradrenaline induces lipolysis in brown adipocytes.", ADIPOCYTES)
    sibling = "Noradrenaline stimulates the expression of thermogenic genes in brown adipocytes."
    assert _kinds(sibling, ADIPOCYTES) == set()
    swapped = "Noradrenaline stimulates the expression of thermogenic genes in white adipocytes."
    assert "contrast" in _kinds(swapped, ADIPOCYTES)
    (conflict,) = [c for c in _conflicts(swapped, ADIPOCYTES) if c.kind == "contrast"]
    assert "'brown'" in conflict.cue and "'white'" in conflict.cue


def test_a_word_the_sentence_repeats_is_no_slot_of_two_contrasted_clauses() -> None:
    # "intermediate-task" is said thrice: "English intermediate-task" is not the other value of
    # "multilingual MLM during intermediate-task training"
    claim = (
        "Training on English intermediate tasks outperforms using machine-translated intermediate-task data."
    )
    assert "contrast" not in _kinds(claim, ITT_NEITHER)


def test_a_negation_differing_between_two_aligned_relative_clauses_is_a_conflict() -> None:
    evidence = (  # 2104.08645
        "Especially, learning alignments in the multilingual embedding space usually requires sentence-level "
        "or word-level parallel corpora, which are expensive to be obtained for low-resource languages."
    )
    faithful = (
        "Learning alignments in the embedding space requires parallel corpora, which are expensive to obtain."
    )
    negated = "Learning alignments in the embedding space requires parallel corpora, which are not expensive to obtain."
    assert _kinds(faithful, evidence) == set()
    assert "negation" in _kinds(negated, evidence)
    # a relative clause of another thing, or with nothing aligned in the evidence, still flips nothing
    other = (
        "Learning alignments requires parallel corpora of low-resource languages, which have no embeddings."
    )
    assert _kinds(other, evidence) == set()


def test_an_aside_between_a_negation_and_what_it_negates_keeps_its_scope() -> None:
    evidence = (  # SciFact, a cited abstract on bariatric surgery and mental health
        "Bariatric surgery was, however, consistently associated with postoperative decreases in the "
        "prevalence of depression (7 studies; 8%-74% decrease) and the severity of depressive symptoms."
    )
    assert (
        _kinds("Bariatric surgery was consistently associated with decreases in depression.", evidence)
        == set()
    )
    negated = "Bariatric surgery was not, however, consistently associated with decreases in depression."
    assert "negation" in _kinds(negated, evidence)


def test_a_clause_that_asks_and_goes_on_to_state_a_result_is_aligned() -> None:
    evidence = (  # SciFact, a cited abstract on an amidotransferase tunnel
        "Site-directed mutagenesis was used to investigate the acyl-acceptor side of the tunnel, yielding "
        "mutants with a marked increase in preference for hydrolysis over transamidation."
    )
    assert analyse(evidence).clauses[0].asserts
    assert (
        not analyse("Site-directed mutagenesis was used to investigate the acyl-acceptor side.")
        .clauses[0]
        .asserts
    )
    claim = "Mutagenesis of the acyl-acceptor side of the tunnel yielded mutants with no increase in preference for hydrolysis."
    assert _kinds(claim, evidence) & {"negation", "object"}  # "with no X" negates X (`test_with_no_...`)


def test_a_figure_after_rather_than_is_not_said_of_the_words_before_it() -> None:
    sentence = (  # SciFact, a cited abstract on malaria elimination
        "The study's major limitations are that elimination was defined as incidence below 1/1,000 "
        "person-years rather than 0% prevalence, and drug resistance was not modeled."
    )
    (zero,) = [m for m in analyse(sentence).numbers if m.value == 0]
    assert zero.before == ()


def test_direction_words_pair_by_what_they_are_said_of_on_either_side() -> None:
    claim = "Bypass products fall from 85% to 6% as the severity of the mispair increases."
    evidence = "With increases in mispair severity gradually reducing bypass products from 85 to 6%."
    assert "direction" not in _kinds(claim, evidence)
    assert "direction" in _kinds("Rising mispair severity gradually increases bypass products.", evidence)


def test_a_clause_that_points_back_is_aligned_with_the_claims_subject() -> None:
    evidence = (
        "The subgroup of early-blind subjects who were superior at sound localization displayed activation "
        "foci in the occipital cortex. This effect was not seen in blind persons who did not have superior "
        "sound localization abilities."
    )
    claim = "The occipital activation was not seen in blind persons who did not have superior sound localization abilities."
    assert not _kinds(claim, evidence)
    assert "negation" in _kinds(claim.replace("was not seen", "was seen"), evidence)


def test_a_change_in_another_order_states_the_same_figures() -> None:
    claim = "Underweight prevalence was projected to reach 17.6% in 2015, down from 26.5% in 1990."
    evidence = "Underweight prevalence was projected to decline from 26.5% in 1990 to 17.6% in 2015."
    assert "numbers" not in _kinds(claim, evidence)


def test_a_denied_change_says_the_thing_stays_not_that_it_is_absent() -> None:
    evidence = "Deleting the receptor does not affect IL18 binding to peritoneal macrophages."
    # "does not affect binding": binding is as it was, which a claim that binding is there agrees with
    assert "negation" not in _kinds(
        "Peritoneal macrophages still show IL18 binding after the receptor is deleted.", evidence
    )
    # a claim of the change itself, or of a direction, is still denied
    assert "negation" in _kinds(
        "Deleting the receptor affects IL18 binding to peritoneal macrophages.", evidence
    )
    assert _kinds("Deleting the receptor reduces IL18 binding to peritoneal macrophages.", evidence) & {
        "negation",
        "direction",
    }


def test_a_direction_both_contrasted_clauses_share_does_not_decide_whose_finding_the_claim_says() -> None:
    evidence = (
        "Greater intake of whole grains is associated with a lower risk of stroke, whereas greater intake of "
        "refined grains is associated with a higher risk."
    )
    # "greater" is in both clauses; "lower" is the whole grains' finding, given here to the refined ones
    assert "contrast" in _kinds(
        "Greater intake of refined grains is associated with a lower risk of stroke.", evidence
    )
    assert not _kinds("Greater intake of whole grains is associated with a lower risk of stroke.", evidence)


def test_an_adverb_beside_a_direction_word_is_not_what_it_is_said_of() -> None:
    # (our own sentence, on the pattern of a register study's results) "significantly" stands beside both
    # directions: what each is said of is the rate before it
    evidence = (
        "The infection rate associated with surgery was significantly lower (2.1) and the rates associated "
        "with chemotherapy (8.4) and radiotherapy (9.9) were significantly higher than in the cohort."
    )
    claim = "The infection rate associated with surgery was significantly higher than in the cohort."
    assert "direction" in _kinds(claim, evidence)
    assert "direction" not in _kinds(claim.replace("higher", "lower"), evidence)
    assert "direction" not in _kinds(
        "The infection rate associated with radiotherapy was significantly higher than in the cohort.",
        evidence,
    )


def test_direction_words_are_paired_one_to_one_by_their_best_total_match() -> None:
    # "reducing" stands right after "mispair severity", the words the claim's "increases" is said of; paired
    # with it, the claim's "fall" would be left with nothing, and "increases" with "increases" matches too
    claim = "Bypass products fall from 85% to 6% as the severity of the mispair increases."
    evidence = "With increases in mispair severity reducing bypass products from 85 to 6%."
    assert "direction" not in _kinds(claim, evidence)
    assert "direction" in _kinds(
        "Bypass products rise from 85% to 6% as the severity of the mispair increases.", evidence
    )


def test_a_statistics_letter_is_the_slot_of_its_figure() -> None:
    evidence = "In-hospital mortality declined (-3.3%/y [95% CI, -5.6% to -1.0%], P = .004) over the period."
    claim = "In-hospital mortality fell by 3.3% per year over the period (P = .004)."
    assert "numbers" not in _kinds(claim, evidence)
    assert "numbers" in _kinds(claim.replace(".004", ".04"), evidence)
    stat = analyse(claim).numbers[-1]
    assert stat.value == 0.004 and stat.before[-1] == "p"


def test_a_value_the_claim_says_elsewhere_is_not_said_in_the_contrasted_slot() -> None:
    # (our own sentence, on the pattern of a review of lymphocyte migration) the claim names "B" (of "B-zone")
    # elsewhere; in the slot after "cells" it says the other clause's value, "thymus"
    evidence = (
        "The interleukin IL7 plays a central role in guiding T cells to the thymus whereas B-zone cytokines "
        "guide activated T cells to the B zone."
    )
    swapped = (
        "B-zone cytokines guide T cells to the thymus, whereas IL7 guides activated T cells to the B zone."
    )
    assert "contrast" in _kinds(swapped, evidence)
    assert not _kinds(
        "IL7 guides T cells to the thymus, whereas B-zone cytokines guide activated T cells to the B zone.",
        evidence,
    )


def test_a_semicolon_inside_brackets_parts_figures_not_clauses() -> None:
    # (our own sentence, in the style of a case-control study's results)
    evidence = (
        "Use of statins in the prior year (adjusted OR, 0.50; 95% CI, 0.33-0.76) was associated with a "
        "significant reduction in the risk of hip fracture."
    )
    assert len(analyse(evidence).clauses) == 1
    claim = "Statin use in the prior year was not associated with a reduction in the risk of hip fracture."
    assert "negation" in _kinds(claim, evidence)
    assert not _kinds(claim.replace("was not associated", "was associated"), evidence)


def test_the_framing_of_a_finding_is_not_its_subject() -> None:
    evidence = "We did not find an overall association between migraine and myocardial infarction."
    claim = "The meta-analysis found a clear overall association between migraine and myocardial infarction."
    assert "negation" in _kinds(claim, evidence)
    assert not _kinds(
        "The meta-analysis found no overall association between migraine and myocardial infarction.", evidence
    )


def test_an_insignificant_change_is_no_change() -> None:
    evidence = "After delivery the decrease in sympathetic output occurred despite an insignificant change in blood pressure."
    assert "negation" not in _kinds("After delivery blood pressure did not change significantly.", evidence)
    assert "negation" in _kinds(
        "After delivery blood pressure changed significantly.",
        "Blood pressure did not change after delivery.",
    )


def test_a_list_opens_where_it_reads_as_one() -> None:
    text = "In MDS, signalling raises ROS levels that initiate cation influx, cell swelling, mitochondrial fission and catenin activation."
    assert [i for i, _ in list_items(text)] == [
        "influx",
        "cell swelling",
        "mitochondrial fission",
        "catenin activation",
    ]


def test_marked_is_a_magnitude() -> None:
    evidence = "Combined with the MEK inhibitor, there was marked synergy in shrinking these tumours."
    assert "direction" in _kinds(
        "Combined with the MEK inhibitor, there was slight synergy in shrinking these tumours.", evidence
    )
    assert not _kinds(
        "Combined with the MEK inhibitor, there was strong synergy in shrinking these tumours.", evidence
    )


def test_irregular_past_tenses_and_went_up_say_directions() -> None:
    evidence = "Mean concentration of IL6R increased by 34% for every copy of the allele inherited."
    assert "direction" in _kinds(
        "Mean concentration of IL6R went down for every copy of the allele inherited.", evidence
    )
    assert not _kinds("Mean concentration of IL6R went up for every copy of the allele inherited.", evidence)
    assert "direction" in _kinds(
        "Mean concentration of IL6R fell for every copy of the allele inherited.", evidence
    )
    assert not _kinds("Mean concentration of IL6R rose for every copy of the allele inherited.", evidence)


def test_a_middle_dot_is_a_decimal_point() -> None:
    # as Lancet journals print figures
    assert [m.value for m in analyse("Risk was reduced by 3·4% (1·8-5·0).").numbers][:2] == [3.4, 1.8]


def test_no_x_is_an_absence_of_x() -> None:
    evidence = (
        "Trials are concordant in suggesting an absence of benefit from lowering homocysteine for stroke."
    )
    assert "negation" not in _kinds(
        "Trials agree in suggesting no benefit from lowering homocysteine for stroke.", evidence
    )
    assert "negation" in _kinds(
        "Trials agree in suggesting no benefit from lowering homocysteine for stroke.",
        "Trials are concordant in suggesting a benefit from lowering homocysteine for stroke.",
    )
    # an absence in the claim's subject is not what the evidence's negation denies
    assert "negation" in _kinds(
        "Absence of the receptor reduces lesion size in deficient mice.",
        "Absence of the receptor does not reduce lesion size in deficient mice.",
    )


def test_a_verb_that_brings_about_a_direction_says_none_of_its_own() -> None:
    # (our own sentence, on the pattern of a study of dendrite growth) "induces" stands where "reduced" does
    evidence = (
        "An increase in the density of presynaptic release sites induces a reduction in the extent of the "
        "dendritic arbor."
    )
    assert "direction" not in _kinds(
        "More presynaptic release sites reduced the extent of the arbor.", evidence
    )
    assert "direction" in _kinds(
        "More presynaptic release sites increased the extent of the arbor.", evidence
    )


def test_figures_set_side_by_side_are_the_ends_of_a_change_in_either_order() -> None:
    evidence = "Survival improved over time (5-year survival, 43% in 1979-1984 vs 52% in 1996-2000, P<.001)."
    claim = "Five-year survival reached 52% in 1996-2000, up from 43% in 1979-1984."
    # the change's period is a range: its end is not a figure of its own ("-2000")
    assert analyse(claim).clauses[0].transitions == ((43.0, 52.0),)
    assert "numbers" not in _kinds(claim, evidence)
    said = analyse(evidence).clauses
    assert _changed_alike(analyse(claim).clauses, said) == {43.0, 52.0, 1979.0, 1984.0, 1996.0, 2000.0}
    assert _changed_alike(analyse(claim.replace("52%", "55%")).clauses, said) == frozenset()


def test_an_amount_compared_between_two_groups_has_the_groups_as_its_sides() -> None:
    # (our own sentences) "higher in A than in B": the sides are the groups, not the measure before it
    evidence = "The incidence of admission was higher in boys than in girls."
    assert "roles" in _kinds(
        "The incidence of admission in boys was exceeded by the incidence in girls.", evidence
    )
    assert "roles" not in _kinds(
        "The incidence of admission in girls was exceeded by that in boys.", evidence
    )
    # a group in the words between the comparative and "than", and brackets there
    evidence = (
        "Restriction gives a greater extension (in days of life) in cells lacking the gene than in cells "
        "where the gene is present."
    )
    assert "roles" in _kinds(
        "The extension in cells lacking the gene was surpassed by that in cells where the gene is present.",
        evidence,
    )


def test_exceeding_is_having_more_of_an_amount() -> None:
    evidence = "Admission rates were lower in girls than in boys."
    assert "roles" in _kinds("Admission rates in boys were exceeded by those in girls.", evidence)
    assert not _kinds("Admission rates in girls were exceeded by those in boys.", evidence)


def test_bettered_by_ranks_its_sides() -> None:
    evidence = "Healthy controls outperformed patients with steatohepatitis at replenishing ATP stores."
    assert not _kinds(
        "Patients with steatohepatitis were bettered by healthy controls at replenishing ATP stores.",
        evidence,
    )
    assert "roles" in _kinds(
        "Healthy controls were bettered by patients with steatohepatitis at replenishing ATP stores.",
        evidence,
    )


def test_a_negated_participle_describes_the_things_before_it() -> None:
    evidence = "Among patients without acetylcysteine, 12% developed a rise in serum creatinine."
    claim = "Among patients not given acetylcysteine, 12% developed a rise in serum creatinine."
    assert not _kinds(claim, evidence)
    (clause,) = analyse(claim).clauses
    assert clause.negations == () and clause.object_cues == ("not given",)
    # after an auxiliary it is the predicate's
    assert analyse("Acetylcysteine was not given to these patients.").clauses[0].negations == ("not",)


def test_the_align_shortcut_turns_away_only_units_no_clause_of_which_aligns() -> None:
    # `_align` first weighs the claim clause's stems found anywhere in the unit (its `stem_set`): that holds
    # only if every clause's stems are among its text's, in abstracts and in a full paper's tables and rows
    from claimcheck._parse import parse_report_file
    from claimcheck._sources._html import extract_html

    html = (Path(__file__).resolve().parents[1] / "fixtures" / "fulltext" / "latexml-paper.html").read_bytes()
    matcher = Matcher()
    papers = [matcher.prepare(_source(p.stem)) for p in sorted(ABSTRACTS.glob("*.json"))]
    papers.append(matcher.prepare(Source.from_document(extract_html(html, arxiv_id="0000.00000", version=1))))
    units = [u.info for p in papers for u in p.units]
    assert len(units) > 150
    assert all(c.stems <= u.stem_set for u in units for c in u.clauses)
    # and it changes no alignment: every claim of the sample reports against every unit of its papers
    claims = [
        prepare_claim(c.text, matcher.model.idf, matcher.model.idf_default, c.truncated)
        for path in sorted((Path(__file__).resolve().parents[1] / "reports").glob("*.txt"))
        for c in parse_report_file(path).claims
    ]
    assert len(claims) > 40
    everything = frozenset(s for claim in claims for s in claim.weights)
    turned_away = aligned = 0
    for claim in claims:
        for c, (total, named) in zip(claim.info.clauses, claim.clause_terms, strict=True):
            for unit in units:
                found = conflicts_module._align(c, unit, claim.weights, total, named)
                # the same unit with every stem "somewhere" in it: the shortcut never fires
                whole = conflicts_module._align(
                    c, replace(unit, stem_set=unit.stem_set | everything), claim.weights, total, named
                )
                assert found is whole
                turned_away += total > 0 and found is None
                aligned += found is not None
    assert aligned > 50 and turned_away > 1000
