"""The matcher on full papers: numbers with their scale, table rows under their headers, the slot of a figure
held by the claim's own other figure, and features read on a unit's neighbourhood. Text from real arXiv
papers (2501.10120 PaSa, 2310.06825 Mistral 7B, 1706.03762 Attention Is All You Need)."""

from __future__ import annotations

import math

import pytest

from claimcheck._document import Block, Document
from claimcheck._match import Matcher, Source
from claimcheck._match._analysis import analyse
from claimcheck._match._conflicts import _number_matched, prepare_claim
from claimcheck._match._features import REGION_SENTENCES, prepare_source, source_features


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


def test_model_sizes_carry_their_scale_and_names_keep_their_number() -> None:
    values = [m.value for m in analyse("Mistral 7B outperforms Llama 2 13B on all benchmarks.").numbers]
    assert values == [7e9, 13e9]  # not 7, 2 and 13
    assert [m.value for m in analyse("a model with 7 billion parameters").numbers] == [7e9]


def test_scientific_notation_is_one_number() -> None:
    assert [m.value for m in analyse("a training cost of 3.3e18 FLOPs").numbers] == [3.3e18]
    assert [m.value for m in analyse(r"Transformer (base model) | 27.3 | 3.3\cdot 10^{18}").numbers] == [
        27.3,
        3.3e18,
    ]
    eps = [m.value for m in analyse(r"with \beta_{1}=0.9 and \epsilon=10^{-9}.").numbers]
    assert eps[-1] == pytest.approx(1e-9)
    assert [m.value for m in analyse("epsilon of 1e-9").numbers] == [pytest.approx(1e-9)]


def test_a_label_word_after_the_figure_is_not_the_slot_of_the_next() -> None:
    claim = analyse("Mistral 7B achieved 99.4% precision at 95.6% recall.")
    unit = analyse("We got a precision of 99.4% for a recall of 95.6% (considering acceptable prompts).")
    assert all(_number_matched(m, unit, claim.numbers) for m in claim.numbers[1:])  # [0] is the 7B
    # another figure in the slot is still a mismatch
    changed = analyse("Mistral 7B achieved 99.4% precision at 91.2% recall.")
    assert not _number_matched(changed.numbers[2], unit, changed.numbers)


def _pasa() -> Document:
    rows = [
        "Method | Precision | Recall | F1",
        "GPT-4o | 0.96 | 0.69 | 0.80",
        "Qwen-2.5-7b | 1.0 | 0.38 | 0.55",
        "PaSa-7b-Selector | 0.95 | 0.78 | 0.85",
        "PaSa-7b-Selector (Reason First) | 0.94 | 0.76 | 0.84",
    ]
    blocks = [
        Block("title", "PaSa: An LLM Agent for Comprehensive Academic Paper Search"),
        Block(
            "abstract",
            "We introduce PaSa, an advanced Paper Search agent powered by large language models. PaSa can "
            "autonomously make a series of decisions, including invoking search tools, reading papers, and "
            "selecting relevant references.",
        ),
        *[Block("table", r, section="Table 7") for r in rows],
        Block("caption", "Table 7: Selector Evaluation.", section="Table 7"),
    ]
    return Document("2501.10120", 1, "pdf", tuple(blocks))


def test_a_table_row_is_read_under_its_column_headers(matcher: Matcher) -> None:
    source = Source.from_document(_pasa())
    claim = "In the selector evaluation, PaSa-7b-Selector achieves a precision of 0.95 and a recall of 0.78."
    res = matcher.match(claim, [source])
    assert res.verified and res.evidence[0].location == "table"
    assert res.evidence[0].sentence == "PaSa-7b-Selector | 0.95 | 0.78 | 0.85"
    # the two figures the other way round: each is said under the other column
    swapped = matcher.match(claim.replace("0.95", "X").replace("0.78", "0.95").replace("X", "0.78"), [source])
    assert not swapped.verified


def test_header_figures_are_attached_per_column() -> None:
    prepared = prepare_source(Source.from_document(_pasa()))
    row = next(u for u in prepared.units if u.sentence.startswith("PaSa-7b-Selector |"))
    by_value = {m.value: m.before[-1] for m in row.info.numbers}
    assert by_value == {0.95: "precision", 0.78: "recall", 0.85: "1"}  # "F1": the letter is dropped


def _long_paper(sentence: str) -> Document:
    """A paper of 40 body paragraphs (five sentences each), one of which states ``sentence``."""
    filler = [
        Block(
            "body",
            " ".join(
                f"Paragraph {i} sentence {j} discusses attention layers, decoding speed and memory use."
                for j in range(5)
            ),
            section=f"{i // 4} Section",
        )
        for i in range(40)
    ]
    filler[23] = Block("body", filler[23].text + " " + sentence, section=filler[23].section)
    return Document(
        "2310.06825",
        1,
        "html",
        (
            Block("title", "Mistral 7B"),
            Block("abstract", "We introduce Mistral 7B, a 7-billion-parameter language model."),
            *filler,
        ),
    )


def test_a_long_paper_does_not_lower_the_confidence_of_a_sentence_it_states(matcher: Matcher) -> None:
    sentence = "On a sequence length of 32k tokens, this reduces the cache memory usage by 8x."
    claim = "On 32k-token sequences the rolling buffer cache reduces cache memory usage by 8x."
    paper = _long_paper(sentence)
    long = matcher.match(claim, [Source.from_document(paper)])
    # the same paragraph and its neighbour under the same heading, alone after the title and abstract
    short = Document(paper.arxiv_id, 1, "html", paper.blocks[:2] + paper.blocks[2 + 22 : 2 + 24])
    alone = matcher.match(claim, [Source.from_document(short)])
    assert long.evidence[0].sentence == alone.evidence[0].sentence == sentence
    assert long.confidence == pytest.approx(alone.confidence, abs=0.05)
    # the per-source features see the unit's neighbourhood (about an abstract's worth), not the 240 sentences
    prepared = prepare_source(Source.from_document(_long_paper(sentence)))
    unit = next(u for u in prepared.units if u.sentence == sentence)
    info = prepare_claim(claim, {}, 5.0, False)
    assert sum(1 for u in prepared.units if not u.window) > 200
    region_len = source_features(info, prepared, unit.region)[3]
    assert region_len <= math.log1p(2 * REGION_SENTENCES) / 3.0


def _mistral_table_4() -> Document:
    caption = (
        "Table 4: System prompts. Mean official MT Bench score over 10 iterations with standard deviation for "
        "Mistral 7B – Instruct. For reference, Llama 2 13B – Chat reports official results of 6.65."
    )
    rows = [
        "Guardrails | MT Bench",
        r"No system prompt | 6.84 \pm 0.07",
        r"Llama 2 system prompt | 6.38 \pm 0.07",
        r"Mistral system prompt | 6.58 \pm 0.05",
    ]
    blocks = [
        Block("title", "Mistral 7B"),
        Block(
            "abstract",
            "We introduce Mistral 7B, a 7-billion-parameter language model engineered for performance.",
        ),
        Block("caption", caption, section="Table 4", anchor="S5.T4"),
        *[Block("table", r, section="Table 4", anchor="S5.T4") for r in rows],
    ]
    return Document("2310.06825", 1, "html", tuple(blocks))


def test_the_row_stating_the_figure_outranks_a_wordier_caption(matcher: Matcher) -> None:
    res = matcher.match(
        "With the Mistral system prompt, Mistral 7B Instruct scores 6.58 on MT Bench.",
        [Source.from_document(_mistral_table_4())],
    )
    assert res.verified
    assert res.evidence[0].sentence == r"Mistral system prompt | 6.58 \pm 0.05"


def test_cells_opening_with_a_figure_make_a_data_row_not_a_header() -> None:
    prepared = prepare_source(Source.from_document(_mistral_table_4()))
    row = next(u for u in prepared.units if u.sentence.startswith("Mistral system prompt |"))
    assert {"guardrail", "bench"} <= set(row.tf)  # read under "Guardrails | MT Bench"


def test_an_em_dash_parts_two_clauses(matcher: Matcher) -> None:
    text = (
        "All the summarizers fail to generate long summaries of lengths that match the human summaries— "
        "PRIMERA produces the longest summaries of 416 words on average, less than 65% of the groundtruths' "
        "average length of 647."
    )
    res = matcher.match(
        "PRIMERA produces the longest summaries, 416 words on average, less than 65% of the 647-word average "
        "of human summaries.",
        [Source(id="2206.10883", title="Multi-LexSum", text=text)],
    )
    assert res.label != "contradicted"  # 'fail' is said of the other clause


def test_greek_letters_of_a_papers_math_are_words(matcher: Matcher) -> None:
    # 1706.03762 §5.3, as its LaTeXML HTML gives the math (alttext)
    text = (
        r"We used the Adam optimizer (kingma2014adam, ) with \beta_{1}=0.9, \beta_{2}=0.98 and "
        r"\epsilon=10^{-9}."
    )
    assert {"beta", "epsilon"} <= set(analyse(text).stems)
    res = matcher.match(
        "Training used the Adam optimizer with beta1 of 0.9, beta2 of 0.98 and epsilon of 1e-9.",
        [Source(id="1706.03762", title="Attention Is All You Need", text=text)],
    )
    assert res.verified
