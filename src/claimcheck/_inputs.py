"""Find the report files named on the command line: files as given, directories searched recursively."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ._models import InputErrorRecord

__all__ = ["REPORT_SUFFIXES", "discover_reports", "no_reports_message", "skipped_files"]

REPORT_SUFFIXES = (".md", ".txt", ".markdown")


def discover_reports(
    paths: Iterable[str | os.PathLike[str]], *, suffixes: tuple[str, ...] = REPORT_SUFFIXES
) -> Iterator[Path | InputErrorRecord]:
    """Yield report paths (sorted within each directory) and an `InputErrorRecord` for each bad path.

    Directories are searched recursively for files ending in ``suffixes``; symlinked directories are
    followed once (a symlink loop is reported, not followed forever). A file named explicitly is taken
    whatever its suffix. A directory that holds no report at all is an input error ("no reports found
    under X"), so a run pointed at the wrong folder cannot pass as a run with nothing to complain about.

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
            found = False
            for item in _walk(path, suffixes, seen_files):
                found = True
                yield item
            if not found:
                yield InputErrorRecord(path=str(path), message=no_reports_message(path, suffixes))
            continue
        resolved = path.resolve()
        if resolved not in seen_files:
            seen_files.add(resolved)
            yield path


def no_reports_message(directory: Path, suffixes: tuple[str, ...] = REPORT_SUFFIXES) -> str:
    """The message for a directory without reports.

    Example: ``no_reports_message(Path("x"))`` is "no reports found under x (*.md, *.txt, *.markdown)".
    """
    patterns = ", ".join(f"*{s}" for s in suffixes)
    return f"no reports found under {directory} ({patterns})"


def skipped_files(
    paths: Iterable[str | os.PathLike[str]], *, suffixes: tuple[str, ...] = REPORT_SUFFIXES
) -> list[Path]:
    """Files inside the directories of ``paths`` that `discover_reports` passes over for their suffix.

    Example: ``skipped_files(["reports/"])`` lists ``reports/notes.pdf`` but not ``reports/a.md``.
    """
    skipped: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for _ in _walk(path, suffixes, set(), on_skip=skipped.append):
                pass
    return skipped


def _walk(
    root: Path,
    suffixes: tuple[str, ...],
    seen_files: set[Path],
    on_skip: Callable[[Path], None] | None = None,
) -> Iterator[Path | InputErrorRecord]:
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
            elif on_skip is not None:
                on_skip(entry_path)
        # Depth-first in name order: push in reverse so the first name is visited first.
        stack.extend((sub, inner) for sub in reversed(subdirs))
