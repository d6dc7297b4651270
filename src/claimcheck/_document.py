"""What a paper says, as text the matcher reads: a `Document` of blocks (title, abstract, body paragraphs,
table rows, captions), each with where it stands (location, section heading, page).

A document is built from the API's metadata (title and abstract) by `Document.from_abstract`, or from the
paper's full text by the extractors of `claimcheck._sources` (LaTeXML HTML, PDF). Evidence offsets index into
the text of the block they come from, so that abstract evidence keeps the offsets it always had.

Example::

    doc = Document.from_abstract("2005.13013", 2, title="English Intermediate-Task…", abstract="…")
    [b.location for b in doc.blocks]   # ["title", "abstract"]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, cast

__all__ = ["Block", "Document", "DocumentKind", "Location"]

Location = Literal["title", "abstract", "body", "table", "caption"]
DocumentKind = Literal["abstract", "html", "pdf"]
_LOCATIONS: frozenset[str] = frozenset({"title", "abstract", "body", "table", "caption"})
_KINDS: frozenset[str] = frozenset({"abstract", "html", "pdf"})


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of a paper's text: a title, an abstract, a paragraph, one table row, a caption, a footnote.

    ``section`` is the heading the block stands under ("4 Results", "Table 1"), ``page`` its PDF page
    (1-based), ``anchor`` the id of its element in the paper's HTML (for links), when known. A table row's
    ``text`` holds its cells joined by `` | ``, so that a claim's number is found beside its row label.

    Example: ``Block("table", "ANLI+ | 1,104,934 | 1,200", section="Table 1")``
    """

    location: Location
    text: str
    section: str | None = None
    page: int | None = None
    anchor: str | None = None
    sentences: tuple[tuple[int, int], ...] | None = None
    """The block's sentence spans, when worked out once and kept (`Document.with_sentences`)."""


@dataclass(frozen=True, slots=True)
class Document:
    """The text of one paper as the matcher reads it.

    ``kind`` says what was read: ``"abstract"`` (title and abstract from the API), ``"html"`` or ``"pdf"``
    (the full text; its abstract is one of its blocks). ``blocks`` are in reading order.

    Example: ``Document("2005.13013", 2, "html", (Block("title", "…"), Block("body", "We use…", "3 Setup")))``
    """

    arxiv_id: str
    version: int | None
    kind: DocumentKind
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @classmethod
    def from_abstract(
        cls,
        arxiv_id: str,
        version: int | None,
        *,
        title: str,
        abstract: str,
        sentences: tuple[tuple[int, int], ...] | None = None,
    ) -> Document:
        """The document of a paper known only by its metadata: its title and its abstract (with its sentence
        spans when they were worked out before: `SourceSession.abstract_sentences`).

        Example: ``Document.from_abstract("x", 1, title="T", abstract="A.").blocks[1].location == "abstract"``
        """
        blocks = [Block("title", title)] if title.strip() else []
        if abstract.strip():
            blocks.append(Block("abstract", abstract, sentences=sentences))
        return cls(arxiv_id, version, "abstract", tuple(blocks))

    @property
    def title(self) -> str:
        """The text of the first title block, or ""."""
        return next((b.text for b in self.blocks if b.location == "title"), "")

    @property
    def abstract(self) -> str:
        """The abstract blocks' text, joined by a space, or ""."""
        return " ".join(b.text for b in self.blocks if b.location == "abstract")

    def with_metadata(self, *, title: str, abstract: str) -> Document:
        """This document with the API's title and abstract in front when its own lack them.

        A PDF often yields no clean title, and a one-page excerpt no abstract: the API's metadata fills in.

        Example: ``pdf_doc.with_metadata(title=paper.title, abstract=paper.abstract)``
        """
        blocks = list(self.blocks)
        front: list[Block] = []
        if title.strip() and not any(b.location == "title" for b in blocks):
            front.append(Block("title", title))
        if abstract.strip() and not any(b.location == "abstract" for b in blocks):
            front.append(Block("abstract", abstract, section="Abstract"))
        if not front:
            return self
        return Document(self.arxiv_id, self.version, self.kind, (*front, *blocks))

    def with_sentences(self, split: Callable[[str], list[tuple[int, int]]]) -> Document:
        """This document with every prose block's sentence spans worked out by ``split`` and kept, so that
        a paper stored once is never split again (splitting is most of what preparing a paper costs).

        Example: ``doc.with_sentences(sentence_spans).blocks[1].sentences``
        """
        blocks = tuple(
            b
            if b.sentences is not None or b.location in ("title", "table")
            else replace(b, sentences=tuple(split(b.text)))
            for b in self.blocks
        )
        return replace(self, blocks=blocks)

    # -- serialisation (the cache keeps extracted documents) ----------------------------------------------

    def to_json(self) -> str:
        """A compact JSON form that `from_json` reads back.

        Example: ``Document.from_json(doc.to_json()) == doc``
        """
        return json.dumps(
            {
                "arxiv_id": self.arxiv_id,
                "version": self.version,
                "kind": self.kind,
                "blocks": [
                    [b.location, b.text, b.section, b.page, b.anchor, b.sentences] for b in self.blocks
                ],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Document:
        """Read a document written by `to_json`; `ValueError` when it is not one.

        Example: ``Document.from_json('{"arxiv_id":"x","version":1,"kind":"html","blocks":[]}')``
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("kind") not in _KINDS:
            raise ValueError("not a claimcheck document")
        return cls(
            str(data["arxiv_id"]),
            data["version"] if isinstance(data["version"], int) else None,
            data["kind"],
            tuple(_block(row) for row in data.get("blocks", [])),
        )


def _block(row: Sequence[object]) -> Block:
    location, text, section, page, anchor = row[:5]
    spans = row[5] if len(row) > 5 else None
    if location not in _LOCATIONS or not isinstance(text, str):
        raise ValueError(f"not a document block: {location!r}")
    sentences = None
    if isinstance(spans, list):
        sentences = tuple((int(s), int(e)) for s, e in spans)
    return Block(
        cast(Location, location),  # checked against _LOCATIONS above
        text,
        section if isinstance(section, str) else None,
        page if isinstance(page, int) else None,
        anchor if isinstance(anchor, str) else None,
        sentences,
    )
