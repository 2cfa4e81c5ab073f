"""What the output folder holds: the manifest of the files Dateline wrote (and their hashes),
the sizes and times the writer saw, and whether a folder may be written to at all."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gen.errors import ConfigError, Problem

MANIFEST = ".dateline-manifest.json"


def check_output_dir(output_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder that holds the site, sits in its sources, or holds others' files."""
    out = output_dir.resolve()
    site = site_dir.resolve()
    protected = [site / "content", site / "themes", site / ".git"]
    if out == site or site.is_relative_to(out) or any(out.is_relative_to(p) for p in protected):
        raise ConfigError(
            [
                Problem(
                    str(output_dir),
                    None,
                    "the output folder must not hold or be inside the site's sources",
                )
            ]
        )
    if out.exists() and not out.is_dir():
        raise ConfigError(
            [Problem(str(output_dir), None, "the output path is a file, not a folder")]
        )
    if out.is_dir() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        raise ConfigError(
            [
                Problem(
                    str(output_dir),
                    None,
                    "the output folder has files Dateline did not write; empty it or choose "
                    "another --output (Dateline only removes files it wrote)",
                )
            ]
        )


# What the output folder holds, as the last build left it: path → (sha256, size, mtime_ns).
OutputState = dict[str, tuple[str, int, int]]


def read_manifest(out: Path) -> dict[str, str]:
    """Path → sha256 of every file the last build wrote ({} if none or unreadable).

    An entry that is not a path and a hash is left out: a file the manifest does not
    name clearly is never removed as stale, only compared byte by byte.
    """
    files = _read_json_map(out / MANIFEST) or {}
    return {path: digest for path, digest in files.items() if isinstance(digest, str)}


def is_preview(out: Path) -> bool:
    """True if the output folder holds a preview build (`dateline build --preview`): its
    manifest says `"preview": true`. A production build's manifest has no such key, nor had
    any manifest before previews existed; a folder without a readable manifest is no build
    Dateline finished."""
    return _read_json(out / MANIFEST, "preview") is True


def _read_json_map(path: Path) -> dict[str, Any] | None:
    """The "files" object of a JSON file Dateline wrote: {} if there is no such file, None
    if it cannot be read or is not what Dateline writes (damaged, truncated, foreign)."""
    files = _read_json(path, "files", {})
    return dict(files) if isinstance(files, dict) else None


def _read_json(path: Path, key: str, missing: Any = None) -> Any:
    """The value at `key` of a JSON object Dateline wrote: `missing` if there is no such
    file, None if it cannot be read or is not a JSON object."""
    try:
        # Non-blocking, and regular files only: a FIFO or a device in its place never hangs
        # or floods a build.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return missing
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
        return None
    return data.get(key) if isinstance(data, dict) else None


def read_output_state(
    output_dir: Path, state_file: Path | None, warn: Callable[[str], None] | None = None
) -> OutputState:
    """The manifest's hashes joined with the sizes and times the writer saw (in the cache).

    Only files that appear in both are known: a file is trusted unread only when its hash
    is in the manifest and its size and mtime are those the writer left. A malformed entry
    is ignored (that file is compared byte by byte); a state file that cannot be read at
    all is set aside (removed: the writer makes it again), with a `warn`ing if given.
    """
    hashes = read_manifest(output_dir)
    seen = _read_json_map(state_file) if state_file is not None else {}
    if seen is None:
        assert state_file is not None
        with contextlib.suppress(OSError):
            state_file.unlink()
        if warn is not None:
            warn(
                f"the cache file {state_file} could not be read; it was set aside "
                "(output files are compared byte by byte)"
            )
        seen = {}
    state: OutputState = {}
    for path, digest in hashes.items():
        st = seen.get(path)
        if not isinstance(st, list) or len(st) != 2:
            continue
        size, mtime = st
        # Whole numbers only (no bools, floats or text), and no negative size.
        if type(size) is int and type(mtime) is int and size >= 0:
            state[path] = (digest, size, mtime)
    return state


def is_intact(output_dir: Path, path: str, digest: str, state: OutputState) -> bool:
    """True if `path` in the output folder still is the file with `digest` the writer left."""
    known = state.get(path)
    if known is None or known[0] != digest:
        return False
    return _stat(f"{output_dir}/{path}") == known[1:]


class Manifest:
    """The manifest's text, kept as one line per file, so that a save which changes a few
    files' hashes does not encode every other file's line again (40,000 on a big site).

    `text()` is `json.dumps({"files": hashes}, indent=0)` and a newline, byte for byte; a
    preview build's adds `"preview": true` after the files (`is_preview`).
    """

    def __init__(self, hashes: dict[str, str], *, preview: bool = False) -> None:
        self.preview = preview
        paths = sorted(hashes)
        self._lines = [f"{json.dumps(p)}: {json.dumps(hashes[p])}" for p in paths]
        self._where = {p: i for i, p in enumerate(paths)}

    def set(self, path: str, digest: str) -> None:
        """A new hash for a file the manifest lists (KeyError for one it does not)."""
        self._lines[self._where[path]] = f"{json.dumps(path)}: {json.dumps(digest)}"

    def text(self) -> str:
        end = ',\n"preview": true\n}\n' if self.preview else "\n}\n"
        if not self._lines:
            return '{\n"files": {}' + end
        return '{\n"files": {\n' + ",\n".join(self._lines) + "\n}" + end


def _stat(target: str | Path) -> tuple[int, int] | None:
    """(size, mtime_ns) of a regular file (not a symlink), or None."""
    try:
        st = os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def atomic_write(target: str | Path, data: bytes) -> None:
    """Write via a temporary file and a rename, so a reader never sees half a file."""
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
