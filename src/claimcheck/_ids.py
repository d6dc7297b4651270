"""arXiv identifiers: recognise, split off the version, and find them in reference text.

New-style ids are ``YYMM.NNNN`` (2007–2014) or ``YYMM.NNNNN`` (2015 on); old-style ids are
``archive(.SUBJ)/YYMMNNN`` (``hep-th/9901001``, ``math.GT/0309136``). Either may carry ``vN``.
"Malformed" is purely syntactic, as on the API: ``0808.05394`` is well-formed (and simply absent).
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["ArxivId", "find_arxiv_id", "parse_arxiv_id"]

_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
_ID_RE = re.compile(rf"^(?P<id>{_NEW}|{_OLD})(?:v(?P<version>\d+))?$")
# Where an id stands inside free text (a URL, "arXiv:ID", a bare id).
_FIND_RE = re.compile(
    rf"(?<![\w.])(?P<id>{_NEW}|{_OLD})(?:v(?P<version>\d+))?(?:\.pdf)?(?![\w])",
)
_MONTH_OK = re.compile(r"^\d{2}(0[1-9]|1[0-2])")


class ArxivId(NamedTuple):
    """An arXiv id split into the id without version and the version (or None)."""

    id: str
    version: int | None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId | None:
    """Parse ``text`` as an arXiv id (optionally versioned); None when it is not one.

    Example: ``parse_arxiv_id("2005.13013v2") == ArxivId("2005.13013", 2)``
    """
    text = text.strip()
    if text.lower().startswith("arxiv:"):
        text = text[6:].strip()
    m = _ID_RE.match(text)
    if m is None:
        return None
    ident = m.group("id")
    number = ident.rsplit("/", 1)[-1]
    if not _MONTH_OK.match(number):
        return None
    version = m.group("version")
    if version is not None and int(version) == 0:
        return None
    return ArxivId(ident, int(version) if version is not None else None)


def find_arxiv_id(text: str) -> ArxivId | None:
    """Find the first arXiv id inside free text such as a URL or ``arXiv:2005.13013v2``.

    Example: ``find_arxiv_id("https://arxiv.org/pdf/2005.13013v2.pdf") == ArxivId("2005.13013", 2)``
    """
    for m in _FIND_RE.finditer(text):
        found = parse_arxiv_id(m.group(0).removesuffix(".pdf"))
        if found is not None:
            return found
    return None
