"""Where a cited paper's text comes from: recorded sources, the cache, the arXiv API, and full text.

(Being filled in: the sources-layer issue moves the API client, the Atom reader, recorded directories and the
cache here; the full-text extractors live in `_html` and `_pdf`.)
"""
