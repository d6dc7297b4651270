"""The whole pipeline over files: parse → fetch → match → audit, one public function per CLI command.

```
_parsing   parse_paths / iter_parsed        files → Report | InputErrorRecord      (claimcheck parse)
_verifier  Verifier, MatchOptions           one parsed report × its papers → ReportResult
_pool      WorkerPool                       the one process-pool mechanism (in order, bounded in flight)
_stream    verify_stream / verify_paths     parse once → fetch once → verify in workers → batch audit
```
"""

from __future__ import annotations

from ._parsing import ParseResult, iter_parsed, parse_one, parse_paths
from ._stream import ReportOutcome, VerifyStream, verify_paths, verify_reports, verify_stream
from ._verifier import MatchOptions, PaperKey, Verifier

__all__ = [
    "MatchOptions",
    "PaperKey",
    "ParseResult",
    "ReportOutcome",
    "Verifier",
    "VerifyStream",
    "iter_parsed",
    "parse_one",
    "parse_paths",
    "verify_paths",
    "verify_reports",
    "verify_stream",
]
