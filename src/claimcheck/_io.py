"""Small file helpers: atomic writes, so that no output is ever left half-written, even when it is streamed."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TextIO, cast

from ._errors import OutputError

__all__ = ["open_atomic", "write_atomic"]


def _target(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    if target.is_symlink():
        # Replace the file the link points to and keep the link, as `cmd > link` would.
        try:
            target = target.resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
            raise OutputError(f"cannot write {target}: {exc}", path=str(target)) from exc
    return target


def _error(target: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {exc.strerror or exc}", path=str(target))


def _replace(tmp: str, target: Path) -> None:
    # keep the mode of the file replaced, or give a new one the mode `open` would
    if target.exists():
        with contextlib.suppress(OSError):
            os.chmod(tmp, target.stat().st_mode & 0o7777)
    else:
        with contextlib.suppress(OSError):
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Open a text stream whose content replaces ``path`` only when the ``with`` block ends without error.

    The text goes to a temporary file in the same directory, which is flushed, synced and renamed over
    ``path`` at the end; on any failure (or exception in the block) it is removed and ``path`` is left as it
    was. A symlink is followed (the file it points to is replaced); a device, FIFO or terminal (``/dev/null``)
    is written straight through, since there is nothing to replace atomically. An `OSError` inside the block
    becomes an `OutputError` naming ``path``.

    Example: ``with open_atomic("out/report.json") as fh: fh.write(head); fh.write(body)``
    """
    with _open_atomic(path, False, encoding) as fh:
        yield cast(TextIO, fh)


def _text(binary: bool, encoding: str) -> dict[str, Any]:
    return {} if binary else {"encoding": encoding, "newline": ""}


@contextlib.contextmanager
def _open_atomic(path: str | os.PathLike[str], binary: bool, encoding: str) -> Iterator[IO[Any]]:
    """`open_atomic` for text or bytes."""
    target = _target(path)
    if target.exists() and not target.is_file():
        try:
            with open(target, "wb" if binary else "w", **_text(binary, encoding)) as fh:
                yield fh
        except OSError as exc:
            raise _error(target, exc) from exc
        return
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _error(target, exc) from exc
    try:
        with os.fdopen(fd, "wb" if binary else "w", **_text(binary, encoding)) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        _replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _error(target, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and `os.replace`.

    The target is replaced only once the whole content is on disk; on any failure it is left as it was
    (`open_atomic` does the work: symlinks followed, devices such as /dev/null written straight through).

    Example: ``write_atomic("out/report.html", html)``
    """
    payload = data.encode(encoding) if isinstance(data, str) else data
    with _open_atomic(path, True, encoding) as fh:
        fh.write(payload)
