"""The one exception hierarchy of claimcheck.

```
ClaimcheckError
├── ReportParseError        a report could not be read or parsed (path, line)
├── InputError              bad input that is not a report: a match JSONL line, a path, an option (path, line)
├── SourceError             a cited paper could not be obtained
│   ├── SourceUnavailable   network error, timeout, 429/5xx after retries, unparseable body (url, status,
│   │                       retry_after)
│   └── DocumentUnusable    a paper's full text was fetched but cannot be read: too large or unparseable
│                           (reason, url)
├── CacheError              the cache database could not be used (path)
├── ScorerUnavailable       a scorer's optional dependencies are missing (scorer, package)
└── OutputError             an output file could not be written (path)
```

Every exception carries its context as attributes and pickles cleanly (so it can cross a process pool).
Library code raises these; only the CLI turns them into messages and exit codes.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CacheError",
    "ClaimcheckError",
    "InputError",
    "OutputError",
    "DocumentUnusable",
    "ReportParseError",
    "ScorerUnavailable",
    "SourceError",
    "SourceUnavailable",
]


class ClaimcheckError(Exception):
    """Root of every error claimcheck raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def _state(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "message"}

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild from the message and restore the context attributes, so that
        # subclasses with keyword-only context pickle without custom code.
        return (_rebuild, (type(self), self.message, self._state()))

    def __str__(self) -> str:
        return self.message


def _rebuild(cls: type[ClaimcheckError], message: str, state: dict[str, Any]) -> ClaimcheckError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.message = message
    exc.__dict__.update(state)
    return exc


class _Located(ClaimcheckError):
    """An error about a place in a file: ``path:line: message``."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        super().__init__(message)

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class ReportParseError(_Located):
    """A report could not be read or parsed.

    Example: ``ReportParseError("confidence 'high' is not a number in [0, 1]", path="r.md", line=31)``
    """


class InputError(_Located):
    """Bad input other than a report: a malformed JSONL line, a missing path, an invalid option value."""


class SourceError(ClaimcheckError):
    """A cited paper could not be obtained."""


class SourceUnavailable(SourceError):
    """The source could not be reached or answered unusably (network, timeout, 429/5xx, bad body).

    Never means "the paper does not exist": that is a paper with status ``not_found``.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.url = url
        self.status = status
        self.retry_after = retry_after
        super().__init__(message)


class DocumentUnusable(SourceError):
    """A paper's full text (HTML or PDF) was had but cannot be used.

    ``reason`` is ``"too_large"`` (over the size cap) or ``"unparseable"`` (broken, empty, hostile or a failed
    conversion); the paper is then checked against its abstract.

    Example: ``DocumentUnusable("no text in the PDF", reason="unparseable", url="…/pdf/2501.10120v1")``
    """

    def __init__(self, message: str, *, reason: str = "unparseable", url: str | None = None) -> None:
        self.reason = reason
        self.url = url
        super().__init__(message)


class CacheError(ClaimcheckError):
    """The cache database could not be opened or used."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class ScorerUnavailable(ClaimcheckError):
    """A scorer needs optional packages that are not installed."""

    def __init__(self, message: str, *, scorer: str | None = None, package: str | None = None) -> None:
        self.scorer = scorer
        self.package = package
        super().__init__(message)


class OutputError(ClaimcheckError):
    """An output file could not be written."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)
