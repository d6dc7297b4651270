"""Read and write the Atom feeds of the arXiv query API.

Reading: the body is untrusted. It is first checked with defusedxml (no DTD, no entity declarations, no
external references; well-formed UTF-8 XML whose root is an Atom ``<feed>``), and only then handed to
feedparser. feedparser on its own strips most entity declarations but keeps "safe" ones and silently falls
back to a lenient regex parser on malformed input, so a truncated body would look like a short feed:
the defused pre-check turns both into a `SourceUnavailable`.

Elements of the arXiv and OpenSearch namespaces are looked up by namespace URI, whatever prefix the
feed binds them to. Error entries (``/api/errors#`` ids in either scheme, or ``<title>Error</title>``) are
reported apart, never as papers. Both the classic (hard-wrapped, namespaces re-declared) and the current
(2025-11 backend) formats are read.

Writing: `paper_to_atom` renders one paper as the API's current format answers an ``id_list`` query, so that
`claimcheck fetch --save` output can be read back by ``--sources``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import defusedxml
import defusedxml.ElementTree as DET
import feedparser

from .._errors import SourceUnavailable
from .._ids import ArxivId, parse_arxiv_id
from .._models import Paper

__all__ = [
    "ARXIV_NS",
    "ATOM_NS",
    "OPENSEARCH_NS",
    "AtomErrorEntry",
    "AtomFeed",
    "entry_arxiv_id",
    "normalize_space",
    "paper_to_atom",
    "parse_atom",
]

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"

_ABS_RE = re.compile(r"^https?://(?:export\.)?arxiv\.org/abs/(?P<id>.+?)/?$")
_ERROR_ID_RE = re.compile(r"/api/errors#")
_INCORRECT_ID_RE = re.compile(r"incorrect_id_format_for_(?P<id>.+)$")
_MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True)
class AtomErrorEntry:
    """An error entry of an API feed (not a paper): its id, its message and the arXiv id it names, if any.

    Example: ``AtomErrorEntry(id="https://arxiv.org/api/errors#incorrect_id_format_for_abc",
    message="incorrect id format for abc", bad_id="abc")``
    """

    id: str
    message: str
    bad_id: str | None = None


@dataclass
class AtomFeed:
    """What one API body holds: the papers, the error entries, and ``opensearch:totalResults``.

    Example: ``parse_atom(body).papers[0].arxiv_id == "1605.08386"``
    """

    papers: list[Paper] = field(default_factory=list)
    errors: list[AtomErrorEntry] = field(default_factory=list)
    total_results: int | None = None
    skipped: int = 0  # entries without an abs id: the classic API's blank entry for an unknown id


def normalize_space(text: str | None) -> str | None:
    """Collapse runs of whitespace to one space and strip the ends; TeX such as ``---`` is kept as is.

    Example: ``normalize_space("  a\\n  b ") == "a b"``
    """
    if text is None:
        return None
    return " ".join(text.split())


def entry_arxiv_id(url: str) -> ArxivId | None:
    """The arXiv id (with version, when the URL has one) of an entry ``<id>`` such as ``http://arxiv.org/abs/IDvN``.

    Example: ``entry_arxiv_id("http://arxiv.org/abs/2104.12255v1") == ArxivId("2104.12255", 1)``
    """
    m = _ABS_RE.match(url.strip())
    if m is None:
        return None
    return parse_arxiv_id(m.group("id"))


def _check_safe(body: bytes) -> None:
    """Refuse bodies that are not plain, well-formed UTF-8 Atom (DTDs and entities included)."""
    if len(body) > _MAX_BODY:
        raise SourceUnavailable(f"Atom body too large ({len(body)} bytes)")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceUnavailable(f"Atom body is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    try:
        root = DET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise SourceUnavailable(
            f"Atom body refused: {type(exc).__name__} (DTDs and entities are not allowed)"
        ) from exc
    except ET.ParseError as exc:
        raise SourceUnavailable(f"unparseable Atom body: {exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise SourceUnavailable(f"unparseable Atom body: {exc}") from exc
    if root.tag != f"{{{ATOM_NS}}}feed":
        raise SourceUnavailable(f"not an Atom feed: root element is {root.tag!r}")


def _ns_key(prefixes: Mapping[str, str], uri: str, name: str) -> str | None:
    """feedparser's key for element ``name`` in namespace ``uri``: it uses the document's own prefix."""
    for prefix, bound in prefixes.items():
        if bound == uri and prefix:
            return f"{prefix}_{name}"
    return None


def _is_error_entry(entry: Mapping[str, Any]) -> bool:
    ident = str(entry.get("id") or "")
    return bool(_ERROR_ID_RE.search(ident)) or normalize_space(str(entry.get("title") or "")) == "Error"


def _text(entry: Mapping[str, Any], key: str | None) -> str | None:
    if key is None:
        return None
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("term")
    return normalize_space(str(value)) or None


def _paper_from_entry(entry: dict[str, Any], prefixes: Mapping[str, str], source: str) -> Paper | None:
    ident = entry_arxiv_id(str(entry.get("id") or ""))
    if ident is None:
        return None
    primary_key = _ns_key(prefixes, ARXIV_NS, "primary_category")
    primary = entry.get(primary_key) if primary_key else None
    primary_term = primary.get("term") if isinstance(primary, Mapping) else None
    categories = [str(t.get("term")) for t in entry.get("tags", []) if t.get("term")]
    authors = [normalize_space(str(a.get("name"))) or "" for a in entry.get("authors", []) if a.get("name")]
    return Paper(
        arxiv_id=ident.id,
        version=ident.version,
        status="found",
        title=normalize_space(entry.get("title")),
        authors=authors,
        abstract=normalize_space(entry.get("summary")),
        published=entry.get("published"),
        updated=dict.get(
            entry, "updated"
        ),  # not entry.get: feedparser would fall back to published, with a warning
        primary_category=str(primary_term) if primary_term else (categories[0] if categories else None),
        categories=categories,
        doi=_text(entry, _ns_key(prefixes, ARXIV_NS, "doi")),
        journal_ref=_text(entry, _ns_key(prefixes, ARXIV_NS, "journal_ref")),
        comment=_text(entry, _ns_key(prefixes, ARXIV_NS, "comment")),
        source=source,
    )


def parse_atom(body: bytes, *, source: str = "api") -> AtomFeed:
    """Parse an arXiv API Atom body into papers, error entries and ``totalResults``.

    Raises `SourceUnavailable` when the body is not safe, well-formed UTF-8 Atom (a truncated body, an HTML
    error page, a DTD or entity declaration).

    Parameters: ``body`` the raw response bytes; ``source`` recorded in each `Paper.source`.

    Example: ``parse_atom(Path("2005.13013v2.xml").read_bytes()).papers[0].version == 2``
    """
    _check_safe(body)
    parsed = feedparser.parse(
        body,
        response_headers={"content-type": "application/atom+xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if parsed.get("bozo") and not parsed.get("entries") and not parsed.get("feed"):
        raise SourceUnavailable(f"unparseable Atom body: {parsed.get('bozo_exception')}")
    prefixes: dict[str, str] = dict(parsed.get("namespaces") or {})
    feed = AtomFeed()
    total_key = _ns_key(prefixes, OPENSEARCH_NS, "totalresults")
    total = parsed.feed.get(total_key) if total_key else None
    if total is not None:
        try:
            feed.total_results = int(str(total).strip())
        except ValueError:
            feed.total_results = None
    for entry in parsed.entries:
        if _is_error_entry(entry):
            ident = str(entry.get("id") or "")
            m = _INCORRECT_ID_RE.search(ident)
            feed.errors.append(
                AtomErrorEntry(
                    id=ident,
                    message=normalize_space(entry.get("summary")) or "error",
                    bad_id=m.group("id") if m else None,
                )
            )
            continue
        paper = _paper_from_entry(entry, prefixes, source)
        if paper is None:
            feed.skipped += 1
            continue
        feed.papers.append(paper)
    return feed


def _feed_id(query: str) -> str:
    digest = hashlib.sha1(query.encode("utf-8"), usedforsecurity=False).digest()
    return "https://arxiv.org/api/" + base64.b64encode(digest).decode("ascii").rstrip("=")


def _el(name: str, text: str | None, indent: str = "    ") -> str:
    return f"{indent}<{name}>{escape(text)}</{name}>\n" if text is not None else ""


def paper_to_atom(paper: Paper, *, feed_updated: str) -> bytes:
    """Render one found paper as the body the current API returns for ``id_list=IDvN``.

    The element order and namespaces follow the 2026 recordings (namespaces declared once on ``<feed>``,
    https links, ``arxiv:primary_category`` without ``scheme``, DOI after the authors).

    Parameters: ``paper`` a found paper; ``feed_updated`` the feed's ``<updated>`` timestamp.

    Example: ``paper_to_atom(paper, feed_updated="2026-04-12T22:09:25Z").startswith(b"<?xml")``
    """
    if paper.status != "found":
        raise ValueError(f"only found papers can be written as Atom, not {paper.status!r}")
    vid = paper.arxiv_id if paper.version is None else f"{paper.arxiv_id}v{paper.version}"
    query = f"search_query=&id_list={vid}&start=0&max_results=100"
    feed_link = f"https://arxiv.org/api/query?search_query=&start=0&max_results=100&id_list={vid}"
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        f'<feed xmlns:opensearch="{OPENSEARCH_NS}" xmlns:arxiv="{ARXIV_NS}" xmlns="{ATOM_NS}">\n',
        _el("id", _feed_id(query), "  "),
        _el("title", f"arXiv Query: {query}", "  "),
        _el("updated", feed_updated, "  "),
        f'  <link href={quoteattr(feed_link)} type="application/atom+xml"/>\n',
        "  <opensearch:itemsPerPage>100</opensearch:itemsPerPage>\n",
        "  <opensearch:totalResults>1</opensearch:totalResults>\n",
        "  <opensearch:startIndex>0</opensearch:startIndex>\n",
        "  <entry>\n",
        _el("id", f"http://arxiv.org/abs/{vid}"),
        _el("title", paper.title or ""),
        _el("updated", paper.updated),
        f'    <link href={quoteattr("https://arxiv.org/abs/" + vid)} rel="alternate" type="text/html"/>\n',
        f'    <link href={quoteattr("https://arxiv.org/pdf/" + vid)} rel="related" type="application/pdf"'
        ' title="pdf"/>\n',
        _el("summary", paper.abstract or ""),
    ]
    for category in paper.categories or ([paper.primary_category] if paper.primary_category else []):
        out.append(f'    <category term={quoteattr(category)} scheme="{ARXIV_NS}"/>\n')
    out.append(_el("published", paper.published))
    out.append(_el("arxiv:comment", paper.comment))
    if paper.primary_category:
        out.append(f"    <arxiv:primary_category term={quoteattr(paper.primary_category)}/>\n")
    out.append(_el("arxiv:journal_ref", paper.journal_ref))
    for author in paper.authors:
        out.append(f"    <author>\n      <name>{escape(author)}</name>\n    </author>\n")
    if paper.doi:
        out.append(_el("arxiv:doi", paper.doi))
        out.append(
            f'    <link rel="related" href={quoteattr("https://doi.org/" + paper.doi)} title="doi"/>\n'
        )
    out.append("  </entry>\n</feed>\n")
    return "".join(out).encode("utf-8")
