"""Pages spooled to disk while a big build runs, so its memory is bounded by the model and
not by the output: each page made on the worker pool is written to the build's spool folder
under .cache/, on the output folder's file system, and the writer renames it into place."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from gen.model import OutputFile, Spooled

SPOOL_DIR = "spool"


def spool_folder(cache_dir: Path | None, output_dir: Path) -> Path | None:
    """A folder, made here, for this build's spooled files, or None if files cannot be
    spooled: no cache folder, a symbolic link, or one on another file system than the
    output (a rename would then be a copy). Folders that builds no longer running left
    behind are removed."""
    if cache_dir is None:
        return None
    parent = cache_dir / SPOOL_DIR
    try:
        if cache_dir.is_symlink() or parent.is_symlink():
            return None  # a repository's link out of the site: the pages stay in memory
        if _device(cache_dir) != _device(output_dir):
            return None
        for old in sorted(parent.iterdir()) if parent.is_dir() else []:
            if not _running(old.name.partition("-")[0]):
                shutil.rmtree(old, ignore_errors=True)
        folder = parent / f"{os.getpid()}-{os.urandom(6).hex()}"
        folder.mkdir(parents=True)
    except OSError:
        return None
    return folder


def spool(folder: Path, name: str, file: OutputFile, sha256: str = "") -> OutputFile:
    """`file` written to `folder` as `name`: the same file, its bytes no longer in memory."""
    target = folder / name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o644)  # as the writer leaves its files, whatever the umask
        handle.write(file.data)
    digest = sha256 or hashlib.sha256(file.data).hexdigest()
    return OutputFile(file.path, b"", spooled=Spooled(str(target), digest, len(file.data)))


def spooler(folder: Path | None, prefix: str) -> Callable[[OutputFile], OutputFile]:
    """What moves the bytes of each file made (a feed, a sitemap) to `folder` as it is
    made, named `prefix` and a count; files stay in memory if there is no folder (a
    preview, a session)."""
    if folder is None:
        return lambda file: file
    count = itertools.count()
    return lambda file: (
        spool(folder, f"{prefix}-{next(count)}", file) if file.data and not file.kept else file
    )


def made_bytes(file: OutputFile) -> bytes:
    """The bytes of a file this build made: in memory, or read back from the spool."""
    return Path(file.spooled.file).read_bytes() if file.spooled is not None else file.data


def made_digest(file: OutputFile) -> tuple[str, int]:
    """The sha256 and size of a file this build made (a spooled page's, as noted when it
    was spooled)."""
    if file.spooled is not None:
        return file.spooled.sha256, file.spooled.size
    return hashlib.sha256(file.data).hexdigest(), len(file.data)


def remove_spool(folder: Path | None) -> None:
    """Remove what is left of a build's spool folder (what the writer did not rename)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _device(path: Path) -> int:
    """The file system of `path`, or of the nearest folder above it that exists."""
    for at in (path, *path.parents):
        with contextlib.suppress(FileNotFoundError):
            return at.stat().st_dev
    raise OSError(f"no folder above {path}")


def _running(pid: str) -> bool:
    """Whether the process that made a spool folder is still running (this one counts)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True
