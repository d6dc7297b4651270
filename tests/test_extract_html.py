"""LaTeXML HTML extraction: a page written for the tests, arXiv's real pages (when shared/ is beside the
repository), and hostile bodies that must give `DocumentUnusable` quickly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from _shared import SHARED, needs_shared
from claimcheck._document import Block, Document
from claimcheck._errors import DocumentUnusable
from claimcheck._sources._extract import extract_document, sniff_kind
from claimcheck._sources._html import extract_html

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fulltext"


def _doc(name: str) -> Document:
    return extract_html((FIXTURES / name).read_bytes(), arxiv_id="0000.00000", version=1)


def _texts(doc: Document, location: str) -> list[str]:
    return [b.text for b in doc.blocks if b.location == location]


# -- a page written for the tests ---------------------------------------------------------------------------


def test_title_and_abstract_are_their_own_blocks_without_the_heading() -> None:
    doc = _doc("latexml-paper.html")
    assert doc.kind == "html" and doc.title == "Tiny Transformers for Tide Tables"
    assert doc.abstract == "We predict tides with a 4-layer transformer and reach 0.91 accuracy."
    assert doc.blocks[1] == Block("abstract", doc.abstract, "Abstract", None, None)


def test_nothing_outside_the_article_and_no_authors_errors_or_bibliography() -> None:
    text = " ".join(b.text for b in _doc("latexml-paper.html").blocks)
    for absent in ("navigation", "arXiv header", "footer", "\\AND", "\\useunder", "Principia", "Ada Example"):
        assert absent not in text


def test_footnote_is_cut_out_of_its_sentence_and_kept_after_it() -> None:
    doc = _doc("latexml-paper.html")
    body = _texts(doc, "body")
    assert "We release our code under the MIT licence." in body[0]
    note = next(b for b in doc.blocks if b.anchor == "footnote1")
    assert (note.location, note.text, note.section) == ("body", "https://example.org/tides", "1 Introduction")


def test_sections_carry_numbered_headings_and_run_in_headings_open_their_paragraph() -> None:
    doc = _doc("latexml-paper.html")
    encoder = next(b for b in doc.blocks if "encoder stacks" in b.text)
    assert encoder.text == "Encoder: The encoder stacks N=6 layers."
    assert (encoder.section, encoder.anchor) == ("2.1 Attention", "S2.SS1.SSS0.Px1.p1")


def test_list_items_are_blocks_and_math_reads_as_its_alttext() -> None:
    body = _texts(_doc("latexml-paper.html"), "body")
    assert "Harbour data from 12 ports." in body
    assert "A model with d_{\\text{model}}=64 dimensions." in body
    assert "•" not in " ".join(body)


def test_display_equation_is_body_text_not_a_table() -> None:
    doc = _doc("latexml-paper.html")
    equation = next(b for b in doc.blocks if b.anchor == "S2.E1")
    assert (equation.location, equation.text) == ("body", "h=\\mathrm{softmax}(QK^{T})V")


def test_table_rows_fill_spans_and_read_nested_makecell_tables_as_cell_text() -> None:
    doc = _doc("latexml-paper.html")
    rows = [b for b in doc.blocks if b.location == "table"]
    assert [r.text for r in rows] == [
        "Port | Accuracy | Accuracy | Training Hours",
        "Port | Summer | Winter",
        "Brest | 0.91 | 0.88 | 1,204",
        "Brest | 0.87 | 0.85 | 1,310",
        "Kiel | 0.79 | | 980",
    ]
    assert {(r.section, r.anchor) for r in rows} == {("Table 1", "S3.T1")}


def test_captions_are_their_own_location_with_the_float_label() -> None:
    captions = [(b.section, b.text) for b in _doc("latexml-paper.html").blocks if b.location == "caption"]
    assert captions == [
        ("Table 1", "Table 1: Accuracy per port and season."),
        ("Figure 1", "Figure 1: Predicted and observed tides at Brest."),
    ]


def test_extract_document_sniffs_html_served_as_pdf() -> None:
    body = (FIXTURES / "latexml-paper.html").read_bytes()
    assert sniff_kind(body) == "html"
    doc = extract_document(body, "pdf", arxiv_id="x", version=2)
    assert (doc.kind, doc.version) == ("html", 2)


# -- hostile and unusable bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "unparseable"),
        (b"   \n", "unparseable"),
        (b"<html><body><p>Just a page about cats.</p></body></html>", "unparseable"),
        (
            b"<html><body><article class='ltx_document'><h1 class='ltx_title ltx_title_document'>T</h1></article>",
            "unparseable",
        ),
        (
            b"<html><body><article class='ltx_document'><div class='ltx_para'><p class='ltx_p'>Conversion to HTML had a "
            b"Fatal error and exited abruptly. This document may be truncated or damaged.</p></div></article>",
            "unparseable",
        ),
        (b"\x00\xff" * 5000, "unparseable"),
        (
            b"<article class='ltx_document'>" + b"<div>" * 10_000 + b"<p>deep</p>" + b"</div>" * 10_000,
            "unparseable",
        ),
        (b" " * 50_000_000, "too_large"),
    ],
    ids=["empty", "blank", "no-article", "no-body-text", "conversion-failed", "binary", "10000-deep", "50MB"],
)
def test_unusable_pages_raise_with_their_reason_quickly(body: bytes, reason: str) -> None:
    start = time.perf_counter()
    with pytest.raises(DocumentUnusable) as caught:
        extract_html(body, arxiv_id="x", version=1)
    assert caught.value.reason == reason
    assert time.perf_counter() - start < 5


def test_huge_table_hits_the_character_cap() -> None:
    row = b"<tr><td colspan='100000'>" + b"9" * 50 + b"</td></tr>"
    body = b"<article class='ltx_document'><table class='ltx_tabular'>" + row * 2000 + b"</table></article>"
    start = time.perf_counter()
    with pytest.raises(DocumentUnusable) as caught:
        extract_html(body, arxiv_id="x", version=1, max_chars=1_000_000)
    assert caught.value.reason == "too_large"
    assert time.perf_counter() - start < 5


# -- arXiv's real pages (shared/fulltext) ------------------------------------------------------------------


@needs_shared
def test_attention_paper_tables_footnotes_math_and_no_bibliography() -> None:
    assert SHARED is not None
    doc = extract_html((SHARED / "html" / "1706.03762.html").read_bytes(), arxiv_id="1706.03762", version=7)
    assert doc.title == "Attention Is All You Need"
    assert doc.abstract.startswith("The dominant sequence transduction models are based on complex recurrent")
    rows = {b.text for b in doc.blocks if b.location == "table" and b.section == "Table 2"}
    assert "Transformer (big) | 28.4 | 41.8 | 2.3\\cdot 10^{19} | 2.3\\cdot 10^{19}" in rows
    assert "Self-Attention | O(n^{2}\\cdot d) | O(1) | O(1)" in _texts(doc, "table")
    variations = [b.text for b in doc.blocks if b.section == "Table 3" and b.location == "table"]
    assert "base | 6 | 512 | 2048 | 8 | 64 | 64 | 0.1 | 0.1 | 100K | 4.92 | 25.8 | 65" in variations
    assert "(A) | | | | 16 | 32 | 32 | | | | 4.91 | 25.8" in variations  # the rowspan label is filled in
    flops = next(b for b in doc.blocks if b.anchor == "footnote2")
    assert (
        flops.text
        == "We used values of 2.8, 3.7, 6.0 and 9.5 TFLOPS for K80, K40, M40 and P100, respectively."
    )
    costs = next(b for b in doc.blocks if b.text.startswith("Table 2 summarizes our results"))
    assert "TFLOPS" not in costs.text and costs.section == "6.1 Machine Translation"
    assert any("d_{\\text{model}}=512" in t for t in _texts(doc, "body"))
    text = " ".join(b.text for b in doc.blocks)
    assert "Neural machine translation by jointly learning" not in text  # bibliography entry
    assert "<mi>" not in text and "\\AND" not in text


@needs_shared
def test_mistral_flex_figure_tables_take_the_caption_beside_them() -> None:
    assert SHARED is not None
    doc = extract_html((SHARED / "html" / "2310.06825.html").read_bytes(), arxiv_id="2310.06825", version=1)
    table1 = [(b.text, b.anchor) for b in doc.blocks if b.location == "table" and b.section == "Table 1"]
    assert ("vocab_size | 32000", "S2.T1") in table1 and ("window_size | 4096", "S2.T1") in table1
    table3 = [b.text for b in doc.blocks if b.location == "table" and b.section == "Table 3"]
    assert table3[0] == "Model | Chatbot Arena ELO Rating | MT Bench"
    assert "Mistral 7B Instruct | 1031 | 6.84 +/- 0.07" in table3
    assert (
        "Mistral 7B | Pretrained | 60.1% | 81.3% | 75.3% | 83.0% | 80.0% | 55.5% | 28.8% | 69.9% | 30.5% | 47.5% | 13.1% | 52.2%"
        in _texts(doc, "table")
    )
    assert "\\ul" not in " ".join(b.text for b in doc.blocks)
