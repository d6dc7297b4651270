"""Where a cited paper's text comes from: recorded sources, the cache, the arXiv API (and, next, full text).

```
SourceSession      configured once (cache, recorded dir, offline, one polite connection, events), asked many times
├── RecordedSources  a ``--sources`` directory: Atom files and full-text files (_recorded)
├── PaperCache       SQLite: papers by (id, version), full text by versioned id (_cache, on _sqlite)
└── ArxivClient      the query API, batched (_arxiv, Atom read by _atom) over PoliteHttp (_http)
```
Nothing below the session knows about the others: the cache does not read directories, the client does not
know the cache. Progress, waits, retries and warnings go out as `FetchEvent`s (_events).

Example: ``with SourceSession(offline=True, sources=Path("fixtures/arxiv")) as s: s.papers(["2005.13013"])``
"""

from __future__ import annotations

from collections.abc import Sequence

from .._events import EventSink, FetchEvent
from .._models import Paper
from ._arxiv import DEFAULT_API_URL, ArxivClient
from ._cache import CachedDocument, CacheStats, PaperCache, default_cache_path
from ._http import PoliteHttp
from ._recorded import RecordedSources, load_sources, save_papers
from ._session import OFFLINE_MESSAGE, PaperKey, SourceSession, export_cache, import_into_cache

__all__ = [
    "DEFAULT_API_URL",
    "OFFLINE_MESSAGE",
    "ArxivClient",
    "CacheStats",
    "CachedDocument",
    "EventSink",
    "FetchEvent",
    "PaperCache",
    "PaperKey",
    "PoliteHttp",
    "RecordedSources",
    "SourceSession",
    "default_cache_path",
    "export_cache",
    "fetch_papers",
    "import_into_cache",
    "load_sources",
    "save_papers",
]


def fetch_papers(ids: Sequence[str], *, session: SourceSession | None = None) -> list[Paper]:
    """Fetch the papers ``ids`` name through ``session`` (default: a session with no cache, online).

    One `Paper` per input string, in input order; a string that is not an arXiv id is ``malformed``.

    Example: ``fetch_papers(["2005.13013v2"], session=SourceSession(offline=True, sources=Path("fixtures/arxiv")))``
    """
    if session is not None:
        return session.papers(ids)
    with SourceSession() as own:
        return own.papers(ids)
