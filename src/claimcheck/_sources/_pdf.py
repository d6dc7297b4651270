"""A paper's PDF as a `Document`, read with pypdfium2 (PDFium): paragraphs, headings, captions, table rows.

Text is read character by character with its box, size and weight, so that lines can be told apart by
where they sit: running headers and footers (the same line at the top or bottom of many pages), lone page
numbers and arXiv's margin stamp are dropped, headings ("3.2 Setup") name the blocks' section, and the
bibliography is cut. Line-end hyphens, which PDFium marks as U+FFFE whether they are soft or real, are
joined or kept by looking the two forms up among the other words of the same document.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from claimcheck._document import Block, Document, Location
from claimcheck._errors import DocumentUnusable

__all__ = ["MAX_PDF_BYTES", "MAX_PDF_CHARS", "MAX_PDF_PAGES", "extract_pdf"]

MAX_PDF_BYTES = 40_000_000
"""Bodies above this many bytes are ``too_large``."""
MAX_PDF_PAGES = 200
"""PDFs with more pages are ``too_large`` (a long paper with appendices has 60)."""
MAX_PDF_CHARS = 2_000_000
"""Text above this many characters is ``too_large``."""

_MAX_PAGE_CHARS = 100_000  # a dense page has 6,000; more is a hostile or broken page
_HYPHEN = "\ufffe"
_CELL = "\x1f"  # a wide horizontal gap inside a line: a table cell boundary
_MARKS = frozenset("0123456789∗*†‡§¶")
_STAMP = re.compile(r"^arXiv:\s*\S+\s*\[[^\]]*\]\s*\d{1,2}\s*\w{3}\s*\d{4}$")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[A-H](?:\.\d{1,2}){0,3})\s+[A-Z(][^\s].{0,90}$")
_NAMED = frozenset(
    {
        "abstract",
        "introduction",
        "related work",
        "background",
        "conclusion",
        "conclusions",
        "discussion",
        "limitations",
        "acknowledgments",
        "acknowledgements",
        "acknowledgment",
        "appendix",
        "ethics statement",
        "references",
        "bibliography",
    }
)
_BIBLIOGRAPHY = frozenset({"references", "bibliography", "literature cited", "references and notes"})
_APPENDIX = re.compile(
    r"^(?:appendix|appendices|supplementary material|[A-H](?:\.\d{1,2})*\s+[A-Z])", re.IGNORECASE
)
_CAPTION = re.compile(r"^(Table|Figure|Fig\.)\s*([A-Z]?\d{1,3}|[IVX]{1,5})\s*[:.|]")
_NUMBER = re.compile(
    r"^[(\[]?[-+±−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\(\d+(?:\.\d+)?\))?[%)\]*†]*$|^n/?a$|^[-–—]$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]|[A-Za-z]")
_BROKEN = re.compile(r"([A-Za-z0-9-]*)\ufffe\s*([A-Za-z0-9-]*)")
_SENTENCE_END = (".", "?", "!", ":", '"', "”")


@dataclass(slots=True)
class _Line:
    """One line of a page as PDFium reads it, with its box in PDF points (y grows upwards)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    page: int
    kind: str = "body"  # body | heading | caption | table
    label: str | None = None  # "Table 1" for a caption or a table row

    @property
    def plain(self) -> str:
        return self.text.replace(_CELL, " ").strip()


@dataclass(slots=True)
class _Char:
    ch: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    weight: int


def extract_pdf(
    body: bytes,
    *,
    arxiv_id: str,
    version: int | None,
    max_pages: int = MAX_PDF_PAGES,
    max_chars: int = MAX_PDF_CHARS,
    max_bytes: int = MAX_PDF_BYTES,
) -> Document:
    """The `Document` of one paper's PDF; `DocumentUnusable` when it cannot be read.

    Args:
        body: the PDF's bytes.
        arxiv_id: the paper's identifier, without version.
        version: the version the PDF belongs to, when known.
        max_pages: ``too_large`` above this many pages.
        max_chars: ``too_large`` when the text grows past this many characters.
        max_bytes: ``too_large`` when the body is longer than this.

    Example::

        doc = extract_pdf(Path("2501.10120v1.pdf").read_bytes(), arxiv_id="2501.10120", version=1)
        doc.blocks[0]   # Block("title", "PaSa: An LLM Agent for Comprehensive Academic Paper Search", None, 1)
    """
    if len(body) > max_bytes:
        raise DocumentUnusable(
            f"PDF of {len(body):,} bytes is over the {max_bytes:,}-byte limit", reason="too_large"
        )
    if b"%PDF-" not in body[:1024]:
        raise DocumentUnusable("not a PDF (no %PDF- header)")
    pages = _read_pages(body, max_pages=max_pages, max_chars=max_chars)
    lines = _clean(pages)
    blocks = list(_blocks(lines, _vocabulary(lines)))
    if sum(len(b.text) for b in blocks) > max_chars:
        raise DocumentUnusable(
            f"the PDF's text is over the {max_chars:,}-character limit", reason="too_large"
        )
    if not any(b.location in ("body", "table") for b in blocks):
        raise DocumentUnusable("the PDF holds no text (scanned or empty)")
    return Document(arxiv_id, version, "pdf", tuple(blocks))


# -- reading ------------------------------------------------------------------------------------------------


def _read_pages(body: bytes, *, max_pages: int, max_chars: int) -> list[list[_Line]]:
    try:
        pdf = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        raise DocumentUnusable(f"the PDF cannot be opened: {exc}") from exc
    try:
        count = len(pdf)
        if count == 0:
            raise DocumentUnusable("the PDF has no pages")
        if count > max_pages:
            raise DocumentUnusable(
                f"the PDF has {count} pages, over the {max_pages} limit", reason="too_large"
            )
        pages: list[list[_Line]] = []
        total = 0
        for index in range(count):
            try:
                page = pdf[index]
                textpage = page.get_textpage()
            except pdfium.PdfiumError as exc:
                raise DocumentUnusable(f"page {index + 1} of the PDF cannot be read: {exc}") from exc
            try:
                chars = textpage.count_chars()
                total += chars
                if chars > _MAX_PAGE_CHARS or total > 2 * max_chars:
                    raise DocumentUnusable("the PDF holds too much text", reason="too_large")
                pages.append(_page_lines(textpage, chars, index + 1))
            finally:
                textpage.close()
                page.close()
        return pages
    finally:
        pdf.close()


def _page_lines(textpage: pdfium.PdfTextPage, count: int, page: int) -> list[_Line]:
    """The page's lines in PDFium's content order, each with its box, size, and cell gaps marked."""
    lines: list[_Line] = []
    current: list[_Char] = []
    for index in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        ch = chr(code) if 0 < code < 0x110000 else ""
        if ch in ("\r", "\n"):
            if ch == "\n" or not pdfium_c.FPDFText_IsGenerated(textpage, index):
                _end_line(current, lines, page)
                current = []
            continue
        if not ch or (0xD800 <= code <= 0xDFFF):
            continue
        if code in (0x02, 0xFFFE):
            # A line-end hyphen: PDFium reports it as U+0002 and emits no line break after it.
            current.append(_Char(_HYPHEN, 0, 0, 0, 0, 0, 0))
            _end_line(current, lines, page)
            current = []
            continue
        x0, y0, x1, y1 = textpage.get_charbox(index)
        # The loose box's height, not the font size: a PDF that scales text by its matrix (macOS Quartz
        # re-saves) reports every font as 1 pt.
        _, low, _, high = textpage.get_charbox(index, loose=True)
        size = high - low
        weight = pdfium_c.FPDFText_GetFontWeight(textpage, index)
        current.append(_Char(ch, x0, y0, x1, y1, size, weight))
    _end_line(current, lines, page)
    return lines


def _end_line(chars: list[_Char], lines: list[_Line], page: int) -> None:
    inked = [c for c in chars if not c.ch.isspace() and c.ch != _HYPHEN and c.x1 > c.x0]
    if not inked:
        return
    size = statistics.median_low(c.size for c in inked)
    base = statistics.median_low(c.y0 for c in inked if abs(c.size - size) <= 0.5 * size)
    out: list[str] = []
    previous: _Char | None = None
    for c in chars:
        if c.ch != _HYPHEN and not c.ch.isspace() and c.x1 > c.x0:
            if _is_mark(c, previous, size, base):
                continue
            if previous is not None and c.x0 - previous.x1 > 0.6 * size:
                out.append(_CELL)
            previous = c
        out.append(c.ch)
    text = re.sub(r"[ \t]+", " ", "".join(out)).strip(" ")
    if not text.replace(_CELL, "").strip():
        return
    bold = sum(1 for c in inked if c.weight >= 600) > 0.6 * len(inked)
    lines.append(
        _Line(
            text,
            min(c.x0 for c in inked),
            min(c.y0 for c in inked),
            max(c.x1 for c in inked),
            max(c.y1 for c in inked),
            size,
            bold,
            page,
        )
    )


def _is_mark(c: _Char, previous: _Char | None, size: float, base: float) -> bool:
    """A footnote mark glued to a word ("(CRLC),1 which"): small, raised, after punctuation or a word."""
    if c.ch not in _MARKS or previous is None or c.size > 0.8 * size or c.y0 < base + 0.2 * size:
        return False
    return previous.size > 0.8 * size and (previous.ch in ",.;:)]" or previous.ch.isalpha())


# -- cleaning -----------------------------------------------------------------------------------------------


def _clean(pages: list[list[_Line]]) -> list[_Line]:
    """All pages' lines in reading order, without running headers, page numbers and the arXiv stamp."""
    repeated = _running_lines(pages)
    out: list[_Line] = []
    for lines in pages:
        if not lines:
            continue
        top = max(line.y1 for line in lines)
        bottom = min(line.y0 for line in lines)
        margin = 0.06 * max(top - bottom, 1.0)
        kept: list[_Line] = []
        for line in lines:
            plain = line.plain
            edge = line.y0 >= top - margin or line.y1 <= bottom + margin
            if (
                _STAMP.match(plain)
                or (_PAGE_NUMBER.match(plain) and (edge or len(plain) <= 3))
                or (edge and _key(plain) in repeated)
            ):
                continue
            kept.append(line)
        out.extend(_reading_order(kept))
    return out


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _running_lines(pages: list[list[_Line]]) -> set[str]:
    """Texts that stand at the top or bottom of several pages: running headers and footers."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        if not lines:
            continue
        ordered = sorted(lines, key=lambda line: -line.y1)
        edges = {_key(line.plain) for line in ordered[:2] + ordered[-2:]}
        seen.update(edges)
    need = max(3, len(pages) // 3)
    return {key for key, n in seen.items() if n >= need and len(key) > 1}


def _reading_order(lines: list[_Line]) -> list[_Line]:
    """PDFium's content order when it reads column by column (pdfTeX does), else a layout order.

    The layout order reads bands between full-width lines, each band left column first, then right.
    """
    if len(lines) < 6:
        return lines
    left_edge = min(line.x0 for line in lines)
    right_edge = max(line.x1 for line in lines)
    middle = (left_edge + right_edge) / 2

    def column(line: _Line) -> int:
        if line.x1 <= middle + 5:
            return 0
        if line.x0 >= middle - 5:
            return 1
        return -1

    columns = [column(line) for line in lines]
    pairs = [(a, b) for a, b in itertools.pairwise(columns) if a >= 0 and b >= 0]
    switches = sum(1 for a, b in pairs if a != b)
    if len(pairs) < 6 or switches <= max(3, 0.2 * len(pairs)):
        return lines
    ordered: list[_Line] = []
    band: list[_Line] = []
    for line in sorted(lines, key=lambda line: (-line.y1, line.x0)):
        if column(line) < 0:
            ordered.extend(sorted(band, key=lambda b: (column(b), -b.y1, b.x0)))
            band = []
            ordered.append(line)
        else:
            band.append(line)
    ordered.extend(sorted(band, key=lambda b: (column(b), -b.y1, b.x0)))
    return ordered


# -- structure ----------------------------------------------------------------------------------------------


def _body_size(lines: list[_Line]) -> float:
    sizes = Counter(round(line.size, 1) for line in lines for _ in range(max(1, len(line.text) // 10)))
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _classify(lines: list[_Line]) -> None:
    """Mark headings, captions, and the table rows next to a table caption."""
    body = _body_size(lines)
    for index, line in enumerate(lines):
        plain = line.plain
        lowered = (
            re.sub(r"^[\dA-Z](?:\.\d+)*\.?\s+", "", plain).lower() if _HEADING.match(plain) else plain.lower()
        )
        emphasised = line.bold or line.size > 1.1 * body
        short = len(plain) <= 100 and not plain.endswith((".", ","))
        numbered = bool(_HEADING.match(plain)) and any(ch.isalpha() for ch in plain[2:])
        if short and emphasised and (numbered or lowered.strip(" .:") in _NAMED):
            line.kind = "heading"
            continue
        if plain.lower().strip(" .:") in _NAMED and len(plain) < 30:
            line.kind = "heading"
            continue
        match = _CAPTION.match(plain)
        if match and (index == 0 or not _continues(lines[index - 1], line)):
            line.kind = "caption"
            word = "Figure" if match.group(1).startswith("Fig") else "Table"
            line.label = f"{word} {match.group(2)}"
    captions = [
        i for i, line in enumerate(lines) if line.kind == "caption" and (line.label or "").startswith("Table")
    ]
    # Rows sit above their caption in some styles (ACL) and below it in others (NeurIPS), and stacked tables
    # put rows on both sides of a caption: the side most captions of the document use alone decides, and
    # the other side is read only for captions that found no rows on it.
    runs = {}
    for index in captions:
        end = _caption_end(lines, index)
        runs[index] = (_table_run(lines, index, -1), _table_run(lines, end + 1, 1))
    only_above = sum(1 for above, below in runs.values() if above and not below)
    only_below = sum(1 for above, below in runs.values() if below and not above)
    sides = (0, 1) if only_above >= only_below else (1, 0)
    labelled: set[int] = set()
    for side in sides:
        for index in captions:
            rows = runs[index][side]
            if index in labelled or not rows or any(row.kind == "table" for row in rows):
                continue
            labelled.add(index)
            for row in rows:
                row.kind, row.label = "table", lines[index].label


def _caption_end(lines: list[_Line], index: int) -> int:
    end = index
    while end + 1 < len(lines) and lines[end + 1].kind == "body" and _continues(lines[end], lines[end + 1]):
        end += 1
    return end


def _tabular(line: _Line) -> bool:
    tokens = line.plain.split()
    numbers = sum(1 for t in tokens if _NUMBER.match(t))
    if numbers >= 2 or line.text.count(_CELL) >= 2:
        return True
    return len(tokens) <= 4 and len(line.plain) < 40 and not line.plain.endswith((".", ","))


def _row_like(line: _Line) -> bool:
    tokens = line.plain.split()
    numbers = sum(1 for t in tokens if _NUMBER.match(t))
    return numbers >= 3 and numbers >= 0.5 * len(tokens)


def _numeric(line: _Line) -> bool:
    return sum(1 for t in line.plain.split() if _NUMBER.match(t)) >= 2


def _table_run(lines: list[_Line], start: int, step: int) -> list[_Line]:
    """The table-looking lines from ``start`` on (backwards when ``step`` is -1), if at least two have numbers."""
    run: list[_Line] = []
    index = start if step == 1 else start - 1
    page = lines[start if step == 1 and start < len(lines) else max(start - 1, 0)].page if lines else 0
    while 0 <= index < len(lines):
        line = lines[index]
        if line.kind != "body" or line.page != page or not _tabular(line):
            break
        run.append(line)
        index += step
    return run if sum(1 for line in run if _numeric(line)) >= 2 else []


def _continues(previous: _Line, line: _Line) -> bool:
    """Whether ``line`` goes on the paragraph that ``previous`` ends."""
    if previous.text.endswith(_HYPHEN):
        return True
    if _row_like(previous) or _row_like(line):
        return False  # a table row no caption claimed still reads best as a line of its own
    if line.page != previous.page:
        return not previous.plain.endswith(_SENTENCE_END) and line.plain[:1].islower()
    size = max(previous.size, 1.0)
    if abs(line.size - previous.size) > 0.3 * size:  # small caps are 0.8
        return False
    if line.y1 > previous.y1 + 2 or previous.y0 - line.y1 > 0.9 * size:
        return False  # a new column, an out-of-order object, or a paragraph gap
    if abs(line.x0 - previous.x0) > 15 * size:
        return False
    return not (previous.plain.endswith(_SENTENCE_END) and line.x0 - previous.x0 > 0.8 * size)


# -- blocks -------------------------------------------------------------------------------------------------


def _vocabulary(lines: list[_Line]) -> Counter[str]:
    words: Counter[str] = Counter()
    for line in lines:
        text = line.plain
        if text.endswith(_HYPHEN):
            text = text[: text.rfind(" ") + 1] if " " in text else ""
        words.update(w.lower() for w in _WORD.findall(text.replace(_HYPHEN, " ")))
    return words


def _join(parts: list[str], words: Counter[str]) -> str:
    """Join a paragraph's lines, deciding each line-end hyphen from the document's own words."""
    text = ""
    for part in parts:
        part = part.strip()
        text = f"{text}{part}" if text.endswith(_HYPHEN) or not text else f"{text} {part}"
    text = _BROKEN.sub(lambda m: _dehyphenate(m.group(1), m.group(2), words), text)
    return re.sub(r"\s+", " ", text.replace(_HYPHEN, "")).strip()


def _dehyphenate(a: str, b: str, words: Counter[str]) -> str:
    """``a-b`` or ``ab``: whichever the document's other words use; a hyphen before a capital or a digit."""
    joined, hyphened = (a + b).lower(), f"{a}-{b}".lower()
    if words[hyphened] > words[joined]:
        keep = True
    elif words[joined] > 0:
        keep = False
    else:
        keep = bool(a and b) and (a[-1].isdigit() or b[0].isdigit() or b[0].isupper())
    return f"{a}-{b}" if keep else f"{a}{b}"


def _blocks(lines: list[_Line], words: Counter[str]) -> Iterator[Block]:
    _classify(lines)
    section: str | None = None
    location: Location = "body"
    in_bibliography = False
    title_done = False
    body = _body_size(lines)
    paragraph: list[_Line] = []

    def flush() -> Iterator[Block]:
        if not paragraph:
            return
        first = paragraph[0]
        text = _join([line.text.replace(_CELL, " ") for line in paragraph], words)
        paragraph.clear()
        if not text:
            return
        if first.kind == "caption":
            yield Block("caption", text, first.label, first.page)
        else:
            yield Block(location, text, section, first.page)

    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        heading = line.plain
        if line.kind == "heading":
            name = re.sub(r"^[\dA-Z](?:\.\d+)*\.?\s+", "", heading).lower().strip(" .:")
            if in_bibliography and not _APPENDIX.match(heading):
                continue
            yield from flush()
            if name in _BIBLIOGRAPHY or heading.lower().strip(" .:") in _BIBLIOGRAPHY:
                in_bibliography = True
                continue
            in_bibliography = False
            title_done = True
            section = re.sub(r"\s+", " ", heading)
            location = "abstract" if name == "abstract" else "body"
            if heading.lower().strip(" .:") == "abstract":
                section = "Abstract"
            continue
        if in_bibliography:
            continue
        if not title_done and line.page == 1 and line.size > 1.3 * body and line.kind == "body":
            title = [line]
            while index < len(lines) and lines[index].page == 1 and abs(lines[index].size - line.size) < 0.5:
                title.append(lines[index])
                index += 1
            yield from flush()
            yield Block("title", _join([t.plain for t in title], words), None, 1)
            title_done = True
            continue
        if line.kind == "table":
            yield from flush()
            cells = [c.strip() for c in line.text.replace(_HYPHEN, "").split(_CELL)]
            yield Block("table", " | ".join(c for c in cells if c), line.label, line.page)
            continue
        if paragraph and (line.kind == "caption" or not _continues(paragraph[-1], line)):
            yield from flush()
        paragraph.append(line)
    yield from flush()
