"""Small file helpers: atomic writes, so that no output is ever left half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ._errors import OutputError

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and `os.replace`.

    The target is replaced only once the whole content is on disk; on any failure it is left as it was.

    Example: ``write_atomic("out/report.html", html)``
    """
    target = Path(path)
    if target.is_symlink():
        # Replace the file the link points to and keep the link, as `cmd > link` would.
        try:
            target = target.resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
            raise OutputError(f"cannot write {target}: {exc}", path=str(target)) from exc
    payload = data.encode(encoding) if isinstance(data, str) else data
    if target.exists() and not target.is_file():
        # /dev/null, a FIFO, a terminal: there is nothing to replace atomically (and replacing a device
        # node would be wrong), so write straight through.
        try:
            with open(target, "wb") as fh:
                fh.write(payload)
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}", path=str(target)) from exc
        return
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}", path=str(target)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            with contextlib.suppress(OSError):
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}", path=str(target)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
