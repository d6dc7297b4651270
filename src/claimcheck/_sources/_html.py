"""A paper's LaTeXML HTML (arXiv's `ltx_` markup) as a `Document`: title, abstract, sections, paragraphs,
footnotes, captions, and tables as one block per row.

Only what sits in ``article.ltx_document`` is read (arXiv's pages add a header, a footer and navigation).
Math is read from its ``alttext`` (the LaTeX), not from the MathML tokens; the bibliography, the author
block and LaTeXML's error marks (``ltx_ERROR``, the name of an undefined macro) are dropped.

The parser is lxml's HTML parser: it never expands entities or fetches anything, stops at a nesting depth
of 256 instead of recursing without end, and reads megabytes in milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from lxml import etree

from claimcheck._document import Block, Document, Location
from claimcheck._errors import DocumentUnusable

__all__ = ["MAX_HTML_BYTES", "MAX_HTML_CHARS", "extract_html"]

MAX_HTML_BYTES = 25_000_000
"""Bodies above this many bytes are ``too_large`` (arXiv's largest math-heavy pages are a few MB)."""
MAX_HTML_CHARS = 2_000_000
"""Extracted text above this many characters is ``too_large`` (a long paper is about 150,000)."""

_MAX_DEPTH = 200
_MAX_SPAN = 64
_MAX_COLUMNS = 512
_FATAL = "Conversion to HTML had a Fatal error"

_SECTIONS = frozenset(
    {
        "ltx_section",
        "ltx_subsection",
        "ltx_subsubsection",
        "ltx_appendix",
        "ltx_chapter",
        "ltx_part",
        "ltx_index",
        "ltx_acknowledgements",
    }
)
_RUN_IN = frozenset({"ltx_paragraph", "ltx_subparagraph"})
_EQUATIONS = frozenset({"ltx_equation", "ltx_equationgroup", "ltx_eqn_table"})
_SKIP_CLASSES = frozenset(
    {
        "ltx_ERROR",
        "ltx_authors",
        "ltx_bibliography",
        "ltx_dates",
        "ltx_page_footer",
        "ltx_page_header",
        "ltx_page_navbar",
        "ltx_TOC",
        "ltx_note_mark",
        "ltx_note_type",
        "ltx_tag_note",
        "ltx_role_footnotemark",
        "ltx_pagination",
        "ltx_tag_item",
    }
)
_SKIP_TAGS = frozenset(
    {"script", "style", "img", "svg", "nav", "header", "footer", "button", "noscript", "head"}
)
_BLOCK_TAGS = frozenset(
    {
        "article",
        "section",
        "div",
        "p",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "figure",
        "figcaption",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
# Elements whose text is separated from their neighbours' when read inline (cells of a nested table).
_SPACED_TAGS = frozenset({"td", "th", "tr", "br", "li", "p", "div", "table", "figcaption"})
_SPACE = re.compile(r"\s+")
_TEX_LINE_COMMENT = re.compile(r"%\s*\n")
_LABEL = re.compile(r"^\s*((?:Table|Figure|Fig\.|Algorithm|Listing)\s*[A-Za-z]?[\dIVX.]*)\s*[:.]?")


def extract_html(
    body: bytes,
    *,
    arxiv_id: str,
    version: int | None,
    max_chars: int = MAX_HTML_CHARS,
    max_bytes: int = MAX_HTML_BYTES,
) -> Document:
    """The `Document` of one paper's LaTeXML HTML page; `DocumentUnusable` when it cannot be read.

    Args:
        body: the page's bytes, as served (UTF-8).
        arxiv_id: the paper's identifier, without version.
        version: the version the page belongs to, when known.
        max_chars: ``too_large`` when the extracted text grows past this many characters.
        max_bytes: ``too_large`` when the body is longer than this.

    Example::

        doc = extract_html(Path("1706.03762v7.html").read_bytes(), arxiv_id="1706.03762", version=7)
        [b.text for b in doc.blocks if b.location == "table"][:1]   # ["Layer Type | Complexity per Layer | …"]
    """
    if len(body) > max_bytes:
        raise DocumentUnusable(
            f"HTML of {len(body):,} bytes is over the {max_bytes:,}-byte limit", reason="too_large"
        )
    if not body.strip():
        raise DocumentUnusable("the HTML page is empty")
    article = _article(body)
    reader = _Reader(max_chars)
    reader.walk_children(article, _Context())
    blocks = reader.blocks
    if not any(b.location in ("body", "table") for b in blocks):
        raise DocumentUnusable("the HTML page holds no body text (an empty or failed conversion)")
    return Document(arxiv_id, version, "html", tuple(blocks))


def _article(body: bytes) -> etree._Element:
    parser = etree.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(body, parser)
    except (etree.LxmlError, ValueError) as exc:
        raise DocumentUnusable(f"the HTML page cannot be parsed: {exc}") from exc
    if root is None:
        raise DocumentUnusable("the HTML page cannot be parsed")
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > _MAX_DEPTH:
            raise DocumentUnusable(f"the HTML page nests elements more than {_MAX_DEPTH} deep")
    articles = root.xpath("//article[contains(concat(' ', normalize-space(@class), ' '), ' ltx_document ')]")
    if not isinstance(articles, list) or not articles or not isinstance(articles[0], etree._Element):
        raise DocumentUnusable("not a LaTeXML document (no article.ltx_document)")
    article = articles[0]
    text = article.xpath("string()")
    if isinstance(text, str) and _FATAL in text:
        raise DocumentUnusable("arXiv's HTML conversion failed for this paper")
    return article


@dataclass(frozen=True, slots=True)
class _Context:
    """Where the walk stands: the heading blocks stand under, their location, the float's label."""

    section: str | None = None
    location: Location = "body"
    anchor: str | None = None
    label: str | None = None
    label_anchor: str | None = None
    # Shared, not copied, by the contexts derived inside one run-in section: the first paragraph that
    # takes the heading pops it for all of them.
    run_in: list[str] = field(default_factory=list)


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _tag(el: etree._Element) -> str:
    return el.tag if isinstance(el.tag, str) else ""


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class _Reader:
    """Walks an article, appending blocks; counts characters so that hostile pages stop early."""

    def __init__(self, max_chars: int) -> None:
        self.blocks: list[Block] = []
        self.max_chars = max_chars
        self.chars = 0

    def add(self, location: Location, text: str, ctx: _Context, anchor: str | None) -> None:
        text = _norm(text)
        if not text:
            return
        self.chars += len(text)
        if self.chars > self.max_chars:
            raise DocumentUnusable(
                f"the HTML page's text is over the {self.max_chars:,}-character limit", reason="too_large"
            )
        self.blocks.append(Block(location, text, ctx.section, None, anchor or ctx.anchor))

    # -- blocks ------------------------------------------------------------------------------------------

    def walk_children(self, el: etree._Element, ctx: _Context) -> None:
        """Read an element holding blocks; loose inline text between them becomes blocks of its own."""
        pending: list[str] = []
        notes: list[tuple[str, str | None]] = []
        if el.text:
            pending.append(el.text)
        for child in el:
            if _tag(child) and self._is_block(child):
                self._flush(pending, notes, ctx, el.get("id"))
                self.walk(child, ctx)
            elif _tag(child):
                _inline(child, pending, notes)
            if child.tail:
                pending.append(child.tail)
        self._flush(pending, notes, ctx, el.get("id"))

    def _flush(
        self, pending: list[str], notes: list[tuple[str, str | None]], ctx: _Context, anchor: str | None
    ) -> None:
        text = "".join(pending)
        pending.clear()
        if _norm(text):
            self.add(ctx.location, self._with_run_in(text, ctx), ctx, anchor)
        self._notes(notes, ctx)

    def _notes(self, notes: list[tuple[str, str | None]], ctx: _Context) -> None:
        for text, anchor in notes:
            self.add("body", text, replace(ctx, location="body"), anchor)
        notes.clear()

    @staticmethod
    def _with_run_in(text: str, ctx: _Context) -> str:
        # A run-in heading ("Encoder:") reads as the start of its section's first paragraph.
        if ctx.run_in:
            text = f"{ctx.run_in.pop()} {text}"
        return text

    @staticmethod
    def _is_block(el: etree._Element) -> bool:
        if _tag(el) in _BLOCK_TAGS:
            return True
        return bool(_classes(el) & {"ltx_para", "ltx_inline-para", "ltx_minipage"})

    def walk(self, el: etree._Element, ctx: _Context) -> None:
        """Read one block-level element."""
        tag, classes = _tag(el), _classes(el)
        if tag in _SKIP_TAGS or classes & _SKIP_CLASSES:
            return
        anchor = el.get("id") or ctx.anchor
        if tag == "h1" and "ltx_title_document" in classes:
            self.add("title", _text(el), replace(ctx, section=None), anchor)
        elif "ltx_abstract" in classes:
            self._abstract(el, ctx, anchor)
        elif "ltx_keywords" in classes:
            self.add("body", _text(el), replace(ctx, section="Keywords"), anchor)
        elif tag == "section" and classes & (_SECTIONS | _RUN_IN):
            self._section(el, ctx, anchor, run_in=bool(classes & _RUN_IN))
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            return  # headings are read by _section, stray ones are not evidence
        elif tag == "figure":
            self._figure(el, ctx, anchor)
        elif tag == "figcaption":
            self._caption(el, ctx, anchor)
        elif tag == "table" and classes & _EQUATIONS:
            self.add("body", _equation(el), ctx, anchor)
        elif tag == "table":
            self._table(el, ctx)
        elif tag == "p" or (
            tag == "li" and not el.xpath("./*[self::div or self::p or self::ul or self::ol]")
        ):
            self._paragraph(el, ctx, anchor)
        else:
            self.walk_children(el, replace(ctx, anchor=anchor))

    def _paragraph(self, el: etree._Element, ctx: _Context, anchor: str | None) -> None:
        pieces: list[str] = []
        notes: list[tuple[str, str | None]] = []
        _inline_children(el, pieces, notes)
        text = "".join(pieces)
        if _norm(text):
            self.add(ctx.location, self._with_run_in(text, ctx), ctx, anchor)
        self._notes(notes, ctx)

    def _abstract(self, el: etree._Element, ctx: _Context, anchor: str | None) -> None:
        inner = replace(ctx, section="Abstract", location="abstract", anchor=anchor)
        for child in el:
            if _tag(child) == "h6" or "ltx_title_abstract" in _classes(child):
                continue
            if _tag(child) and self._is_block(child):
                self.walk(child, inner)
            elif _tag(child):
                pieces: list[str] = []
                notes: list[tuple[str, str | None]] = []
                _inline(child, pieces, notes)
                self.add("abstract", "".join(pieces), inner, anchor)
                self._notes(notes, inner)

    def _section(self, el: etree._Element, ctx: _Context, anchor: str | None, *, run_in: bool) -> None:
        heading = next((c for c in el if "ltx_title" in _classes(c)), None)
        title = _text(heading) if heading is not None else ""
        if run_in:
            inner = replace(ctx, anchor=anchor, run_in=[title] if title else [])
        else:
            inner = replace(ctx, section=title or ctx.section, anchor=anchor, run_in=[])
        self.walk_children(el, inner)
        if inner.run_in:  # a run-in heading with no paragraph after it is still text of the paper
            self.add("body", inner.run_in.pop(), inner, anchor)

    def _figure(self, el: etree._Element, ctx: _Context, anchor: str | None) -> None:
        label, label_anchor = _float_label(el)
        inner = replace(
            ctx,
            section=label or ctx.label or ctx.section,
            anchor=anchor,
            label=label or ctx.label,
            label_anchor=label_anchor if label else ctx.label_anchor,
        )
        self.walk_children(el, inner)

    def _caption(self, el: etree._Element, ctx: _Context, anchor: str | None) -> None:
        pieces: list[str] = []
        notes: list[tuple[str, str | None]] = []
        _inline_children(el, pieces, notes)
        text = _norm("".join(pieces))
        match = _LABEL.match(text)
        section = _norm(match.group(1)).rstrip(".") if match and match.group(1).strip() else ctx.section
        self.add("caption", text, replace(ctx, section=section), ctx.label_anchor or anchor)
        self._notes(notes, ctx)

    def _table(self, el: etree._Element, ctx: _Context) -> None:
        section = ctx.label if ctx.label and ctx.label.startswith("Table") else ctx.section
        anchor = ctx.label_anchor or el.get("id") or ctx.anchor
        table_ctx = replace(ctx, section=section)
        notes: list[tuple[str, str | None]] = []
        for row in _rows(el, notes):
            self.add("table", row, table_ctx, anchor)
        self._notes(notes, table_ctx)


def _float_label(figure: etree._Element) -> tuple[str | None, str | None]:
    """The label ("Table 1") of a float and the id of the figure that captions it.

    A table set beside a figure sits in a flex cell while its caption is in another cell's
    ``figure.ltx_table``: the outer figure takes the table caption's label, so the rows get it.
    """
    captions = list(figure.iter("figcaption"))
    own = [c for c in captions if c.getparent() is figure]
    tables = [c for c in captions if c.xpath(".//*[contains(@class, 'ltx_tag_table')]")]
    if not captions:
        return None, None
    chosen = (tables or own or captions)[0]
    match = _LABEL.match(_text(chosen))
    if not match or not match.group(1).strip():
        return None, None
    holder = chosen.getparent()
    holder_id = holder.get("id") if holder is not None else None
    return _norm(match.group(1)).rstrip("."), holder_id or figure.get("id")


def _rows(table: etree._Element, notes: list[tuple[str, str | None]]) -> Iterator[str]:
    """The rows of a data table, cells joined by `` | ``, row and column spans filled in.

    Only the table's own rows are read: a nested table (``\\makecell``) is the text of its cell.
    """
    pending: dict[int, tuple[int, str]] = {}  # column -> (rows still spanned, text)
    trs = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    for tr in trs if isinstance(trs, list) else []:
        if not isinstance(tr, etree._Element):
            continue
        cells: list[str] = []
        for cell in tr:
            if _tag(cell) not in ("td", "th"):
                continue
            _take_spanned(pending, cells)
            pieces: list[str] = []
            _inline_children(cell, pieces, notes)
            text = _norm("".join(pieces))
            colspan, rowspan = _span(cell.get("colspan")), _span(cell.get("rowspan"))
            for _ in range(colspan):
                if len(cells) >= _MAX_COLUMNS:
                    break
                if rowspan > 1:
                    pending[len(cells)] = (rowspan - 1, text)
                cells.append(text)
        while len(cells) < _MAX_COLUMNS and any(col >= len(cells) for col in pending):
            if len(cells) not in pending:
                cells.append("")
            _take_spanned(pending, cells)
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            yield " | ".join(cells)


def _take_spanned(pending: dict[int, tuple[int, str]], cells: list[str]) -> None:
    """Append the cells that rows above span into this row, at the row's next columns."""
    while len(cells) in pending and len(cells) < _MAX_COLUMNS:
        col = len(cells)
        left, text = pending[col]
        cells.append(text)
        if left <= 1:
            del pending[col]
        else:
            pending[col] = (left - 1, text)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or "1"), _MAX_SPAN))
    except ValueError:
        return 1


def _equation(table: etree._Element) -> str:
    """A display equation's LaTeX (its ``alttext``), without the equation number."""
    maths = [_alttext(m) for m in table.iter("math")]
    return " ".join(m for m in maths if m)


def _alttext(math: etree._Element) -> str:
    return _TEX_LINE_COMMENT.sub("", math.get("alttext") or "")


def _text(el: etree._Element) -> str:
    pieces: list[str] = []
    _inline_children(el, pieces, [])
    return _norm("".join(pieces))


def _inline_children(el: etree._Element, out: list[str], notes: list[tuple[str, str | None]]) -> None:
    if el.text:
        out.append(el.text)
    for child in el:
        if _tag(child):
            _inline(child, out, notes)
        if child.tail:
            out.append(child.tail)


def _inline(el: etree._Element, out: list[str], notes: list[tuple[str, str | None]]) -> None:
    """Append an element's running text to ``out``; footnotes go to ``notes`` instead of the sentence."""
    tag, classes = _tag(el), _classes(el)
    if tag in _SKIP_TAGS or classes & _SKIP_CLASSES:
        return
    if tag == "math":
        out.append(f" {_alttext(el)} " if el.get("display") == "block" else _alttext(el))
        return
    if "ltx_note" in classes and "ltx_role_footnote" in classes:
        content = next(iter(el.xpath(".//*[contains(@class, 'ltx_note_content')]")), None)
        if isinstance(content, etree._Element):
            pieces: list[str] = []
            _inline_children(content, pieces, notes)
            notes.append((_norm("".join(pieces)), el.get("id")))
        return
    if "ltx_note" in classes:
        return  # margin notes and other note roles: not running text
    spaced = tag in _SPACED_TAGS
    if spaced:
        out.append(" ")
    _inline_children(el, out, notes)
    if spaced:
        out.append(" ")
