"""Where the real arXiv papers of ``../shared/fulltext`` are, for the tests that read them (skipped without)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["SHARED", "needs_shared"]


def _shared_fulltext() -> Path | None:
    for base in (os.environ.get("CLAIMCHECK_SHARED"), Path(__file__).resolve().parents[2] / "shared"):
        if base and (Path(base) / "fulltext").is_dir():
            return Path(base) / "fulltext"
    return None


SHARED = _shared_fulltext()
needs_shared = pytest.mark.skipif(
    SHARED is None, reason="shared/fulltext (real arXiv papers) is not beside the repo"
)
