"""One entry to full-text extraction: a fetched body and the kind it was served as → a `Document`.

The body's own first bytes decide which extractor reads it, since a server may answer an HTML URL with
a PDF or the other way round (an error page in place of a PDF).
"""

from __future__ import annotations

from typing import Literal

from claimcheck._document import Document
from claimcheck._errors import DocumentUnusable
from claimcheck._sources._html import extract_html
from claimcheck._sources._pdf import extract_pdf

__all__ = ["extract_document", "sniff_kind"]


def sniff_kind(body: bytes) -> Literal["html", "pdf"] | None:
    """What a body is by its first bytes: ``"pdf"``, ``"html"``, or None when neither.

    Example: ``sniff_kind(b"%PDF-1.5 ...") == "pdf"``
    """
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"%PDF-" in body[:1024]:
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<article", b"<!--")):
        return "html"
    return None


def extract_document(
    body: bytes, kind: Literal["html", "pdf"], *, arxiv_id: str, version: int | None
) -> Document:
    """The `Document` of a paper's full text; `DocumentUnusable` when the body cannot be read.

    Args:
        body: the bytes as fetched or recorded.
        kind: what the body was served as (its URL or file name); the body's first bytes win over it.
        arxiv_id: the paper's identifier, without version.
        version: the version the body belongs to, when known.

    Example::

        doc = extract_document(path.read_bytes(), "html", arxiv_id="1706.03762", version=7)
    """
    if not body.strip():
        raise DocumentUnusable(f"the {kind.upper()} body is empty")
    actual = sniff_kind(body) or kind
    if actual == "pdf":
        return extract_pdf(body, arxiv_id=arxiv_id, version=version)
    return extract_html(body, arxiv_id=arxiv_id, version=version)
