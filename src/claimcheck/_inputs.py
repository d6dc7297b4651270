"""Find the report files named on the command line: files as given, directories searched recursively."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ._models import InputErrorRecord

__all__ = ["REPORT_SUFFIXES", "discover_reports"]

REPORT_SUFFIXES = (".md", ".txt", ".markdown")


def discover_reports(
    paths: Iterable[str | os.PathLike[str]], *, suffixes: tuple[str, ...] = REPORT_SUFFIXES
) -> Iterator[Path | InputErrorRecord]:
    """Yield report paths (sorted within each directory) and an `InputErrorRecord` for each bad path.

    Directories are searched recursively for files ending in ``suffixes``; symlinked directories are
    followed once (a symlink loop is reported, not followed forever). A file named explicitly is taken
    whatever its suffix.

    Example: ``[p for p in discover_reports(["reports/"]) if isinstance(p, Path)]``
    """
    seen_files: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            kind = "broken symlink" if path.is_symlink() else "no such file or directory"
            yield InputErrorRecord(path=str(path), message=kind)
            continue
        if path.is_dir():
            yield from _walk(path, suffixes, seen_files)
            continue
        resolved = path.resolve()
        if resolved not in seen_files:
            seen_files.add(resolved)
            yield path


def _walk(root: Path, suffixes: tuple[str, ...], seen_files: set[Path]) -> Iterator[Path | InputErrorRecord]:
    visited: set[tuple[int, int]] = set()
    # Each directory travels with the (device, inode) keys of its ancestors: meeting one of them again is a
    # loop (an error); meeting a directory already searched through another symlink is only a duplicate.
    stack: list[tuple[Path, frozenset[tuple[int, int]]]] = [(root, frozenset())]
    while stack:
        directory, ancestors = stack.pop()
        try:
            st = directory.stat()
        except OSError as exc:
            yield InputErrorRecord(
                path=str(directory), message=f"cannot read directory: {exc.strerror or exc}"
            )
            continue
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            yield InputErrorRecord(
                path=str(directory), message="directory loop (symlink to an ancestor): skipped"
            )
            continue
        if key in visited:
            continue
        visited.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield InputErrorRecord(
                path=str(directory), message=f"cannot read directory: {exc.strerror or exc}"
            )
            continue
        inner = ancestors | {key}
        subdirs: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            entry_path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(entry_path)
            elif entry.name.lower().endswith(suffixes):
                if not entry_path.exists():
                    yield InputErrorRecord(path=str(entry_path), message="broken symlink")
                    continue
                resolved = entry_path.resolve()
                if resolved not in seen_files:
                    seen_files.add(resolved)
                    yield entry_path
        # Depth-first in name order: push in reverse so the first name is visited first.
        stack.extend((sub, inner) for sub in reversed(subdirs))
