"""PDF extraction: a PDF the tests generate with pypdfium2's page-object API, arXiv's real PDFs (when
shared/ is beside the repository), and hostile bodies that must give `DocumentUnusable` quickly."""

from __future__ import annotations

import ctypes
import io
import os
import time

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from _shared import SHARED, needs_shared
from claimcheck._document import Document
from claimcheck._errors import DocumentUnusable
from claimcheck._sources._extract import extract_document, sniff_kind
from claimcheck._sources._pdf import extract_pdf

# One column of text per page: (text, x, y, size, bold). The running header and page number repeat.
_PAGES: list[list[tuple[str, float, float, float, bool]]] = [
    [
        ("Tiny Tides preprint", 250, 760, 9, False),
        ("Tiny Transformers for Tide Tables", 150, 700, 17, True),
        ("Abstract", 72, 660, 11, True),
        ("We predict tides with a small transformer and", 72, 640, 10, False),
        ("reach 0.91 accuracy at Brest.", 72, 628, 10, False),
        ("1 Introduction", 72, 596, 11, True),
        ("Tides follow the moon. Our model is a tide-", 72, 576, 10, False),
        ("predictor trained on harbour data from twelve", 72, 564, 10, False),
        ("ports, a tidepredictor for every season.", 72, 552, 10, False),
        ("1", 300, 40, 9, False),
    ],
    [
        ("Tiny Tides preprint", 250, 760, 9, False),
        ("2 Results", 72, 700, 11, True),
        ("Port              Summer      Winter", 72, 676, 9, False),
        ("Brest             0.91        0.88", 72, 664, 9, False),
        ("Kiel              0.79        0.75", 72, 652, 9, False),
        ("Table 1: Accuracy per port and season.", 72, 632, 10, False),
        ("Brest reaches the best accuracy in summer.", 72, 608, 10, False),
        ("2", 300, 40, 9, False),
    ],
    [
        ("Tiny Tides preprint", 250, 760, 9, False),
        ("3 Conclusion", 72, 700, 11, True),
        ("Small models predict tides well.", 72, 680, 10, False),
        ("References", 72, 650, 11, True),
        ("I. Newton. Philosophiae Naturalis Principia. 1687.", 72, 630, 10, False),
        ("3", 300, 40, 9, False),
    ],
]


def _make_pdf(pages: list[list[tuple[str, float, float, float, bool]]]) -> bytes:
    pdf = pdfium.PdfDocument.new()
    for lines in pages:
        page = pdf.new_page(612, 792)
        for text, x, y, size, bold in lines:
            obj = pdfium_c.FPDFPageObj_NewTextObj(pdf.raw, b"Times-Bold" if bold else b"Times-Roman", size)
            wide = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(wide, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
        assert pdfium_c.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def made() -> Document:
    return extract_pdf(_make_pdf(_PAGES), arxiv_id="0000.00000", version=1)


# -- a PDF the test makes ---------------------------------------------------------------------------------


def test_title_abstract_and_sections_from_a_generated_pdf(made: Document) -> None:
    assert made.kind == "pdf" and made.title == "Tiny Transformers for Tide Tables"
    assert made.abstract == "We predict tides with a small transformer and reach 0.91 accuracy at Brest."
    intro = next(b for b in made.blocks if b.text.startswith("Tides follow the moon."))
    assert (intro.section, intro.page) == ("1 Introduction", 1)


def test_line_end_hyphen_is_decided_by_the_documents_other_words(made: Document) -> None:
    intro = next(b for b in made.blocks if b.text.startswith("Tides follow the moon."))
    assert "tidepredictor trained on harbour data" in intro.text  # the document writes "tidepredictor"


def test_running_header_and_page_numbers_are_dropped_and_pages_kept(made: Document) -> None:
    texts = [b.text for b in made.blocks]
    assert not any("Tiny Tides preprint" in t for t in texts)
    assert not any(t.strip().isdigit() for t in texts)
    assert {b.page for b in made.blocks} == {1, 2, 3}


def test_table_rows_above_their_caption_are_table_blocks_with_cells(made: Document) -> None:
    rows = [(b.text, b.section, b.page) for b in made.blocks if b.location == "table"]
    assert ("Brest | 0.91 | 0.88", "Table 1", 2) in rows and ("Kiel | 0.79 | 0.75", "Table 1", 2) in rows
    caption = next(b for b in made.blocks if b.location == "caption")
    assert (caption.text, caption.section) == ("Table 1: Accuracy per port and season.", "Table 1")


def test_bibliography_is_cut(made: Document) -> None:
    assert made.blocks[-1].text == "Small models predict tides well."
    assert not any("Newton" in b.text or b.text == "References" for b in made.blocks)


def test_extract_document_sniffs_a_pdf_served_as_html() -> None:
    body = _make_pdf(_PAGES)
    assert sniff_kind(body) == "pdf"
    assert extract_document(body, "html", arxiv_id="x", version=None).kind == "pdf"


# -- hostile and unusable bodies ----------------------------------------------------------------------------


def _encrypted() -> bytes:
    # A tiny PDF whose trailer names an /Encrypt dictionary with an unknown security handler.
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"3 0 obj<</Filter/Unknown/V 9/R 9/O(x)/U(y)/P -4>>endobj\n"
        b"trailer<</Root 1 0 R/Encrypt 3 0 R/ID[(a)(b)]>>\n%%EOF"
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "unparseable"),
        (b"<html><body>no</body></html>", "unparseable"),
        (os.urandom(200_000), "unparseable"),
        (b"%PDF-1.7\n" + os.urandom(100_000), "unparseable"),
        (None, "unparseable"),  # truncated: the generated PDF cut in half
        (_encrypted(), "unparseable"),
        (_make_pdf([[]]), "unparseable"),  # one blank page
        (b"%PDF-1.7\n" + b"0" * 50_000_000, "too_large"),
    ],
    ids=["empty", "html", "random", "pdf-header-then-junk", "truncated", "encrypted", "blank-page", "50MB"],
)
def test_unusable_pdfs_raise_with_their_reason_quickly(body: bytes | None, reason: str) -> None:
    if body is None:
        whole = _make_pdf(_PAGES)
        body = whole[: len(whole) // 2]
    start = time.perf_counter()
    with pytest.raises(DocumentUnusable) as caught:
        extract_pdf(body, arxiv_id="x", version=1)
    assert caught.value.reason == reason
    assert time.perf_counter() - start < 5


def test_too_many_pages_is_too_large() -> None:
    with pytest.raises(DocumentUnusable) as caught:
        extract_pdf(_make_pdf(_PAGES), arxiv_id="x", version=1, max_pages=2)
    assert caught.value.reason == "too_large"


# -- arXiv's real PDFs (shared/fulltext) ----------------------------------------------------------------


def _real(name: str) -> Document:
    assert SHARED is not None
    return extract_pdf((SHARED / "pdf" / name).read_bytes(), arxiv_id=name[:10], version=None)


@needs_shared
def test_scibert_one_page_table_rows_keep_numbers_with_their_labels() -> None:
    doc = _real("1903.10676.pdf")
    rows = [b.text for b in doc.blocks if b.location == "table" and b.section == "Table 1"]
    assert "JNLPBA (Collier and Kim, 2004) | 78.58 | 74.05 | 76.09 | 75.77 | 77.28" in rows
    assert "REL | ChemProt (Kringelum et al., 2016) | 76.68 | 68.21 | 79.14 | 75.03 | 83.64" in rows
    assert "BC5CDR | 88.85 | 90.01" in [b.text for b in doc.blocks if b.section == "Table 2"]
    cs = next(b for b in doc.blocks if b.section == "4.2 Computer Science Domain")
    # U+FFFE hyphens: kept in BERT-Base and ACL-ARC, joined in SciERC and substantially
    assert "SCIBERT outperforms BERT-Base on computer science tasks (+3.55 F1" in cs.text
    assert "ACL-ARC (Cohan et al., 2019)" in cs.text and "relations in SciERC" in cs.text
    assert {b.page for b in doc.blocks} == {1}


@needs_shared
def test_pasa_two_columns_headers_stamp_and_bibliography() -> None:
    doc = _real("2501.10120v1.pdf")
    assert doc.title == "PaSa: An LLM Agent for Comprehensive Academic Paper Search"
    assert "PaSa-7B surpasses the best Google-based baseline" in doc.abstract
    assert "It also exceeds PaSa-GPT-4o by 30.36% in recall" in doc.abstract
    text = [b.text for b in doc.blocks]
    assert not any(t.startswith("arXiv:2501.10120") for t in text)
    intro = next(b for b in doc.blocks if b.text.startswith("Academic paper search lies at the core"))
    assert (intro.section, intro.page) == ("1 Introduction", 1)
    assert "particularly challenging information retrieval task" in intro.text
    assert "PaSa-7b | 0.7931 | 0.1448 | 0.4834 | 0.6947 | 0.6334 | 0.5301" in [
        b.text for b in doc.blocks if b.section == "Table 5"
    ]
    assert not any("Gusenbauer, M., and Haddaway" in t or "Michael Gusenbauer and" in t for t in text)
    assert any(b.section and b.section.startswith("A.1") for b in doc.blocks)  # appendix after the references


@needs_shared
def test_multilexsum_one_column_no_running_header_and_pages() -> None:
    doc = _real("2206.10883v3.pdf")
    assert doc.title.startswith("Multi-LexSum: Real-World Summaries of Civil Rights Lawsuits")
    assert "Litigation Clearinghouse (CRLC), which posts information" in doc.abstract  # footnote mark 1 cut
    pages = {b.page for b in doc.blocks}
    assert 1 in pages and max(p for p in pages if p) > 9
    assert not any(b.text == "Preprint. Under review." and b.page != 1 for b in doc.blocks)
    assert any("Multi-LexSum D → T" in b.text or "XSUM | 226,677" in b.text for b in doc.blocks)


def test_columns_interleaved_in_content_order_are_read_by_their_boxes() -> None:
    left = [
        "Tides rise twice a day",
        "in most harbours of the",
        "Atlantic coast, as the",
        "moon pulls the water.",
    ]
    right = [
        "Kiel in the Baltic sees",
        "almost no tide at all,",
        "since that sea is nearly",
        "closed to the ocean.",
    ]
    interleaved = []
    for row, (a, b) in enumerate(zip(left, right, strict=True)):
        # The content stream alternates columns; the right column starts lower, beside a figure's space.
        interleaved += [(a, 72.0, 700.0 - 12 * row, 10.0, False), (b, 330.0, 652.0 - 12 * row, 10.0, False)]
    doc = extract_pdf(_make_pdf([interleaved]), arxiv_id="x", version=1)
    assert [b.text for b in doc.blocks] == [" ".join(left), " ".join(right)]
