"""How the sources layer tells what it is doing: one event channel that the caller installs.

The library never prints. A `FetchEvent` says that a fetch made progress, waits, retries, or met something
worth a warning; the CLI shows them (a progress bar, lines on stderr), a library user may pass any callable,
and without one warnings go to the ``claimcheck`` logger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["EventSink", "FetchEvent", "log_event"]

_LOG = logging.getLogger("claimcheck")


@dataclass(frozen=True, slots=True)
class FetchEvent:
    """One thing the sources layer tells its caller.

    ``kind``: ``"progress"`` (``done`` of ``total`` items of ``what``), ``"wait"`` and ``"retry"`` (a pause
    of ``seconds``), ``"warning"`` (something the user should know: an unusable recorded file, a cache that
    was rebuilt, a full text that could not be read).

    Example: ``FetchEvent("progress", what="arXiv metadata", done=100, total=4500)``
    """

    kind: Literal["progress", "wait", "retry", "warning"]
    message: str = ""
    what: str = ""
    done: int = 0
    total: int = 0
    seconds: float = 0.0


EventSink = Callable[[FetchEvent], None]


def log_event(event: FetchEvent) -> None:
    """The default sink: warnings to the ``claimcheck`` logger, waits and retries at INFO, progress dropped."""
    if event.kind == "warning":
        _LOG.warning("%s", event.message)
    elif event.kind in ("wait", "retry"):
        _LOG.info("%s", event.message)
