"""Defaults that the library and the command line share, written once (importing this loads nothing else)."""

from __future__ import annotations

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_DELAY",
    "DEFAULT_HTML_URL",
    "DEFAULT_MAX_REPORT_BYTES",
    "DEFAULT_PDF_URL",
]

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
"""The arXiv query API (env ``CLAIMCHECK_ARXIV_URL``)."""
DEFAULT_HTML_URL = "https://arxiv.org/html"
"""Where a paper's HTML is, as ``{html_url}/{id}v{N}`` (env ``CLAIMCHECK_HTML_URL``)."""
DEFAULT_PDF_URL = "https://export.arxiv.org/pdf"
"""Where a paper's PDF is, as ``{pdf_url}/{id}v{N}`` (env ``CLAIMCHECK_PDF_URL``)."""
DEFAULT_DELAY = 3.0
"""Seconds between any two arXiv requests (the arXiv API terms of use)."""
DEFAULT_MAX_REPORT_BYTES = 10 * 1024 * 1024
"""Report files larger than this are refused (``--max-size``)."""
