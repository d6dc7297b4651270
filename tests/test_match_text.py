"""Text analysis of real abstracts: sentence spans, numbers, entities, negation, polarity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimcheck._match._analysis import _remembered_clause, analyse, clauses, content_stems
from claimcheck._match._text import clean_for_match, sentence_spans, stem

ABSTRACTS = Path(__file__).resolve().parents[1] / "fixtures" / "match" / "abstracts"


def _abstract(arxiv_id: str) -> str:
    return str(json.loads((ABSTRACTS / f"{arxiv_id}.json").read_text(encoding="utf-8"))["abstract"])


@pytest.mark.parametrize(
    ("arxiv_id", "count"),
    [("2005.13013", 7), ("2106.02134", 8), ("2205.14230", 9), ("2506.15415", 8), ("2003.11080", 6)],
)
def test_sentence_spans_split_real_abstracts_right(arxiv_id: str, count: int) -> None:
    text = _abstract(arxiv_id)
    spans = sentence_spans(text)
    assert len(spans) == count
    for s, e in spans:
        assert text[s:e] == text[s:e].strip() and text[s:e]


def test_sentence_spans_keep_eg_decimals_and_glued_full_stops() -> None:
    text = _abstract("2106.02134")
    sents = [text[s:e] for s, e in sentence_spans(text)]
    assert any(x.startswith("Nevertheless, language syntax, e.g., syntactic dependencies") for x in sents)
    assert any("by 1.4 and 1.6 points" in x for x in sents)
    glued = _abstract("2205.14230")
    assert any(glued[s:e].startswith("In this paper, we present") for s, e in sentence_spans(glued))


def test_tex_is_cleaned_for_matching_only() -> None:
    assert "cite" not in clean_for_match(r"mBERT \cite{devlin-etal-2019-bert}, capture")
    assert "generalized" in clean_for_match(r"In the \emph{generalized} transfer setting")
    assert "---" not in clean_for_match("training---fine-tuning")


def test_numbers_thousands_decimals_percent_words() -> None:
    vals = [
        m.value
        for m in analyse("ANLI+ has 1,104,934 examples, a 5.4 point gain, 73% and nine tasks.").numbers
    ]
    assert sorted(vals) == [5.4, 9.0, 73.0, 1104934.0]
    pct = list(analyse("by up to 73%").numbers)
    assert pct[0].percent
    assert analyse("XLM-R Large, mT5, NLLB-200 and SQuAD v2.0").numbers == ()


def test_number_context_is_the_following_words() -> None:
    text = _abstract("2005.13013")
    s, e = sentence_spans(text)[2]
    nine = [m for m in analyse(text[s:e]).numbers if m.value == 9]
    assert nine and nine[0].after[0] == stem("intermediate")


def test_entities_and_negation_and_polarity() -> None:
    a = analyse("syntax-augmented mBERT improves cross-lingual transfer on PAWS-X and MLQA")
    assert {"mbert", "pawsx", "mlqa"} <= set(a.entities)
    assert analyse("neither consistently outperforms simply performing English training").clauses[
        0
    ].negations == ("neither",)
    assert analyse("XNLI does not see benefits").clauses[0].negations == ("not",)
    improves = {key for key, *_ in analyse("robust training improves transfer").clauses[0].polarity}
    harms = {key for key, *_ in analyse("robust training harms transfer").clauses[0].polarity}
    assert improves and harms and improves != harms


def test_compared_entity_is_the_one_improved_over() -> None:
    a = analyse("we obtain a 5.4 point improvement over XLM-R Large on the XTREME benchmark")
    assert "xlmr" in a.compared and "xtreme" not in a.compared


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("zero-shot cross-lingual transfer with nine intermediate tasks", [9.0]),  # "zero-shot" is a kind
        ("We follow a three-phase approach to training", [3.0]),  # but three phases are three
        ("Pioneer factor OCT3/4 interacts with chromatin remodeling factors", []),  # a name, not 4
        ("Cellular clocks are associated with mitosis timing in NIH 3T3 cells", []),
        ("an estimated 30 million cases of pneumonia in 2010", [30_000_000.0, 2010.0]),
        ("stable activity over several hundred hours", []),
        ("one hundred patients", [100.0]),
        ("a single nucleotide variant, once they are dispersed", []),
    ],
)
def test_numbers_are_quantities_not_names(text: str, values: list[float]) -> None:
    assert sorted(m.value for m in analyse(text).numbers) == sorted(values)


def test_entity_names_are_normalised() -> None:
    # Plurals and descriptive tails name the same thing; an alias in brackets is carried by its expansion.
    a = analyse(
        "Cholesterol loading induces KLF4 expression in VSMCs of RecQ-class and Sf1-expressing cells."
    )
    assert set(a.entities) == {"klf4", "vsmc", "recq", "sf1"}
    assert "ampk" not in analyse("AMP-activated protein kinase (AMPK) activation reduces fibrosis.").entities
    assert analyse("Taxation reduced type II diabetes").entities == ()  # a roman numeral names nothing
    assert analyse("VITAMIN D LEVELS MAY IMPACT MORTALITY RATES IN THE US").entities == ()


def test_subject_and_setting_entities() -> None:
    claim = analyse("The XTREME benchmark aims to evaluate zero-shot cross-lingual transfer performance")
    assert claim.lead_entity == "xtreme"
    text = _abstract("2005.13013")
    # "..., we evaluate intermediate-task transfer ... on the XTREME benchmark."
    s, e = sentence_spans(text)[2]
    assert "xtreme" in analyse(text[s:e]).setting_only
    xtreme = _abstract("2003.11080")
    assert not any("xtreme" in analyse(xtreme[s:e]).setting_only for s, e in sentence_spans(xtreme))
    assert analyse("Evaluating the models on the XTREME benchmark yields 5.4").lead_entity is None


def test_a_change_keeps_every_figure_of_its_phrase_in_either_order() -> None:
    (c,) = clauses("prevalence was projected to reach 17.6% in 2015, down from 26.5% in 1990")
    assert c.transitions == ((26.5, 17.6),)
    assert c.changes == (((26.5, 17.6), frozenset({26.5, 17.6, 2015.0, 1990.0})),)


def test_with_no_negates_the_object_and_not_without_asserts_it() -> None:
    (c,) = clauses("density was higher, with no change in receptor affinity")
    assert c.negations == () and c.negated == {"chang", "receptor"} and "chang" not in c.present
    (d,) = clauses("it is not without risk, being associated with sudden death")
    assert d.negations == () and d.negated == frozenset() and "risk" in d.present


def test_a_relative_clause_ends_with_its_sentence() -> None:
    parts = clauses(
        "subjects who were superior displayed foci. this effect was not seen in blind persons, nor here"
    )
    assert parts[1].negations == ("not",)
    assert parts[1].anaphoric and not parts[0].anaphoric


def test_high_and_low_are_direction_words() -> None:
    (c,) = clauses("cells lacking vap show low levels of pi4p")
    assert any(w == "low" for _, w, _, _ in c.polarity)


def test_what_a_direction_word_is_said_of_stops_at_a_comma_or_another_clause() -> None:
    said = {
        word: (left, right)
        for _, word, left, right in analyse(
            "In patient cohorts, the probability of survival increases as the levels of the marker fall."
        )
        .clauses[0]
        .polarity
    }
    assert said["increases"] == (frozenset({"probabil", "survival"}), frozenset())  # not "levels", "marker"
    assert said["fall"][1] == frozenset()
    low = {
        w: lr
        for _, w, *lr in analyse("In patient cohorts, low levels of the marker predict survival.")
        .clauses[0]
        .polarity
    }
    assert low["low"][0] == frozenset()  # not "patient", "cohort"
    # "as well as" and "such as" join no clause
    (_, _, _, right), *_ = analyse("Survival increases as well as relapse.").clauses[0].polarity
    assert right == frozenset({"well", "relaps"})


def test_a_clause_read_in_another_context_reads_as_when_read_afresh() -> None:
    # `clauses` remembers each clause's reading of an evidence unit; what a clause's words mean can depend on where it stands (a
    # cut-off tail is not read for negations, a relative clause runs to the clause's end), so the same words
    # in another context must not be served the other reading. Each text is analysed once with nothing
    # remembered, then all of them in turn, twice, in two orders.
    texts = [
        ("The effect was not seen in older mice", False),
        ("Dosing improved recall; the effect was not seen in older mice", True),  # a cut-off tail
        ("Dosing improved recall; the effect was not seen in older mice", False),
        ("Dosing improved recall. The effect was not seen in older mice.", False),  # a two-sentence window
        ("Patients who were not treated improved, but the effect was not seen in older mice", False),
        ("The effect, which was not seen in older mice, was reversed", False),
        ("The effect, which was not seen in older mice, was reversed", True),
        ("Training on MNLI does not improve XNLI by 2.1 points", False),
        ("Training on MNLI does not improve XNLI by 2.1 points", True),
    ]
    fresh = []
    for text, truncated in texts:
        _remembered_clause.cache_clear()
        fresh.append(analyse(text, truncated=truncated, remember=True))
    for order in (texts, texts[::-1]):
        _remembered_clause.cache_clear()
        for _ in range(2):
            for text, truncated in order:
                assert (
                    analyse(text, truncated=truncated, remember=True) == fresh[texts.index((text, truncated))]
                )
    # the cut-off tail reads no negation, the whole text does: the same clause, two readings
    assert fresh[1].clauses[-1].negations == () and fresh[2].clauses[-1].negations == ("not",)


@pytest.mark.parametrize(
    "text",
    [
        "MNLI, SQuAD and HellaSwag",
        "a 5.4 point gain over XLM-R Large",
        "Type 2 diabetes in a cohort of n = 51 (p < .05)",
        "the \\textbf{BERT} model \\cite{devlin2019} of 2019",
        "  Cross-lingual   transfer—zero-shot “as is”  ",
        "",
    ],
)
def test_content_stems_are_the_stems_analyse_reads(text: str) -> None:
    # (a list's items are read by their stems alone, with this lighter function)
    assert content_stems(text) == analyse(text).stems
