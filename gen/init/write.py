"""Writing a new site's files into a new or empty folder: nothing outside it, never over a
file, and nothing left behind if a write fails."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from gen.errors import GenError, Problem
from gen.source.newarticle import write_exclusive

# What a fresh clone of an empty repository holds: init may write beside it.
ALLOWED = frozenset({".git"})
NOT_EMPTY = "not empty; dateline init writes a new site only into a new or empty folder"


class InitError(GenError):
    """The folder cannot take a new site, or a file could not be written."""

    kind = "init"


def write_new_site(folder: Path, files: dict[str, bytes]) -> None:
    """Create `folder` (or use it if it is empty) and write `files` (relative path → bytes)
    into it, each created anew; on any failure remove what this call made and raise."""
    made_folder = _prepare(folder)
    made: list[Path] = []  # files and folders this call created, in order
    try:
        for rel, data in files.items():
            path = folder / rel
            for parent in reversed(path.relative_to(folder).parents[:-1]):
                at = folder / parent
                if not at.is_dir():
                    at.mkdir()
                    made.append(at)
            write_exclusive(path, data)
            made.append(path)
    except OSError as exc:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()
        if made_folder:
            with contextlib.suppress(OSError):
                folder.rmdir()
        where = exc.filename if isinstance(exc.filename, str) else str(folder)
        reason = exc.strerror or type(exc).__name__
        raise InitError([Problem(where, None, f"cannot be written: {reason.lower()}")]) from None


def _prepare(folder: Path) -> bool:
    """Check that `folder` can take a new site, making it if it does not exist (its parent
    must); True if it was made."""
    if folder.is_dir():
        try:
            names = sorted(path.name for path in folder.iterdir())
        except OSError as exc:
            raise _problem(folder, f"cannot be read: {(exc.strerror or '').lower()}") from None
        if any(name not in ALLOWED for name in names):
            raise _problem(folder, NOT_EMPTY)
        return False
    if os.path.lexists(folder):
        raise _problem(folder, "is a file, not a folder")
    parent = folder.absolute().parent
    if not parent.is_dir():
        raise _problem(folder, f"cannot be made: {parent} is not a folder")
    try:
        folder.mkdir()
    except OSError as exc:
        raise _problem(folder, f"cannot be made: {(exc.strerror or '').lower()}") from None
    return True


def _problem(folder: Path, message: str) -> InitError:
    return InitError([Problem(str(folder), None, message)])
