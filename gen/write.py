"""Write the site: atomically, only changed bytes, stale files removed, never outside output/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gen.errors import ConfigError, Problem
from gen.model import OutputFile

MANIFEST = ".dateline-manifest.json"


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What the writer did."""

    written: int
    unchanged: int
    removed: int


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


def read_manifest(out: Path) -> dict[str, str]:
    """Path → sha256 of every file the last build wrote ({} if none or unreadable)."""
    return _read_json_map(out / MANIFEST)


def _read_json_map(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return dict(files) if isinstance(files, dict) else {}


def write_output(
    files: list[OutputFile], output_dir: Path, state_file: Path | None = None
) -> WriteResult:
    """Make `output_dir` hold exactly `files` (and the manifest), touching only what changed.

    The manifest in the output folder says which files Dateline wrote and their hashes (it
    is deterministic, like every output file). `state_file`, in the cache, remembers each
    file's size and mtime as the writer left it: a file that still matches both and whose
    hash has not changed is not even read. Without it, bytes are compared.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    out = output_dir.resolve()
    old = read_manifest(out)
    seen = _read_json_map(state_file) if state_file is not None else {}
    new: dict[str, str] = {}
    stats: dict[str, list[int]] = {}
    written = unchanged = 0
    # Each folder is resolved once per write: the writer only creates real folders, so the
    # answer cannot change while it runs.
    checked: dict[str, bool] = {}
    for file in files:
        target = safe_target(out, file.path, checked)
        digest = hashlib.sha256(file.data).hexdigest()
        new[file.path] = digest
        st = _stat(target)
        if st is not None and old.get(file.path) == digest and seen.get(file.path) == list(st):
            stats[file.path] = list(st)
            unchanged += 1
            continue
        if st is not None and st[0] == len(file.data) and target.read_bytes() == file.data:
            stats[file.path] = list(st)
            unchanged += 1
            continue
        atomic_write(target, file.data)
        after = _stat(target)
        if after is not None:
            stats[file.path] = list(after)
        written += 1
    removed = 0
    for stale in sorted(set(old) - set(new), reverse=True):
        try:
            target = safe_target(out, stale)
        except ValueError:
            continue  # a manifest entry we would never have written: leave it alone
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
            removed += 1
        _remove_empty_parents(target.parent, out)
    manifest = json.dumps({"files": dict(sorted(new.items()))}, indent=0)
    atomic_write(out / MANIFEST, manifest.encode("utf-8") + b"\n")
    if state_file is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            atomic_write(state_file, json.dumps({"files": stats}).encode("utf-8"))
    return WriteResult(written, unchanged, removed)


def safe_target(out: Path, rel: str, checked: dict[str, bool] | None = None) -> Path:
    """`out / rel`, refusing anything that would land outside `out` (.., absolute, symlinks).

    `checked` remembers folders already resolved in this write, so each is resolved once.
    """
    if not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel:
        raise ValueError(f"unsafe output path {rel!r}")
    target = out / rel
    if ".." in Path(rel).parts:
        raise ValueError(f"unsafe output path {rel!r}")
    folder = rel.rpartition("/")[0]
    inside = checked.get(folder) if checked is not None else None
    if inside is None:
        inside = target.parent.resolve().is_relative_to(out)
        if checked is not None:
            checked[folder] = inside
    if not inside:
        raise ValueError(f"unsafe output path {rel!r}")
    return target


def _stat(target: Path) -> tuple[int, int] | None:
    """(size, mtime_ns) of a regular file (not a symlink), or None."""
    try:
        st = target.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def atomic_write(target: Path, data: bytes) -> None:
    """Write via a temporary file and a rename, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
