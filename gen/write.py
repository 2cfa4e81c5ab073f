"""Write the site: atomically, only changed bytes, stale files removed, never outside output/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def write_output(files: list[OutputFile], output_dir: Path) -> WriteResult:
    """Make `output_dir` hold exactly `files` (and the manifest), touching only what changed."""
    output_dir.mkdir(parents=True, exist_ok=True)
    out = output_dir.resolve()
    old = read_manifest(out)
    new: dict[str, str] = {}
    written = unchanged = 0
    for file in files:
        target = safe_target(out, file.path)
        digest = hashlib.sha256(file.data).hexdigest()
        new[file.path] = digest
        if old.get(file.path) == digest and _same_file(target, file.data):
            unchanged += 1
            continue
        if _same_file(target, file.data) and target.read_bytes() == file.data:
            unchanged += 1
            continue
        atomic_write(target, file.data)
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
    manifest = json.dumps({"files": dict(sorted(new.items()))}, indent=0, sort_keys=True)
    atomic_write(out / MANIFEST, manifest.encode("utf-8") + b"\n")
    return WriteResult(written, unchanged, removed)


def safe_target(out: Path, rel: str) -> Path:
    """`out / rel`, refusing anything that would land outside `out` (.., absolute, symlinks)."""
    if not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel:
        raise ValueError(f"unsafe output path {rel!r}")
    target = out / rel
    if ".." in Path(rel).parts or not target.parent.resolve().is_relative_to(out):
        raise ValueError(f"unsafe output path {rel!r}")
    return target


def _same_file(target: Path, data: bytes) -> bool:
    """True if `target` is a regular file of the same size (a cheap first test)."""
    try:
        st = target.lstat()
    except FileNotFoundError:
        return False
    return st.st_size == len(data) and not target.is_symlink() and target.is_file()


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
