"""Write the site: atomically, only changed bytes, stale files removed, never outside output/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gen.errors import ConfigError, ErrorReport, Problem, TemplateError
from gen.model import OutputFile
from gen.outputs.spool import made_bytes, made_digest
from gen.outputs.state import (
    MANIFEST,
    Manifest,
    OutputState,
    _stat,
    atomic_write,
    is_preview,
    read_manifest,
    read_output_state,
)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What the writer did."""

    written: int
    unchanged: int
    removed: int
    state: OutputState = field(default_factory=dict)  # what the output folder now holds
    later: int = 0  # files that came from `later`


def write_output(
    files: list[OutputFile],
    output_dir: Path,
    state_file: Path | None = None,
    previous: OutputState | None = None,
    later: Callable[[], list[OutputFile]] | None = None,
    *,
    preview: bool = False,
) -> WriteResult:
    """Make `output_dir` hold exactly `files` (and the manifest), touching only what changed,
    all or nothing. The manifest of a `preview` build says so (`is_preview`).

    The manifest in the output folder says which files Dateline wrote and their hashes (it
    is deterministic, like every output file). `state_file`, in the cache, remembers each
    file's size and mtime as the writer left it: a file that still matches both and whose
    hash has not changed is not even read. Without it, bytes are compared. A file the
    render stage `kept` (unchanged inputs) must still be as the writer left it. `later`
    gives more files once the first are staged (the search index, built meanwhile).

    Every path is checked before anything is written. Changed files are staged beside
    their targets and renamed into place only once every file (those of `later` too) is
    staged: if anything fails before then, the staged files are removed and the output
    folder is as it was. Stale files are removed and the manifest written last.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    out = output_dir.resolve()
    if previous is None:
        previous = read_output_state(out, state_file)
    old = read_manifest(out)
    state: OutputState = {}
    unchanged = 0
    # Each folder is resolved once per write: the writer only creates real folders, so the
    # answer cannot change while it runs.
    checked: dict[str, bool] = {}
    root = str(out)
    more: list[OutputFile] = []
    # The first build into an empty folder creates files directly: nobody can be reading an
    # old version of them (and if the build fails, they are removed again). Every later
    # build stages beside and renames, so a reader (the preview server, a sync to hosting)
    # never sees half a file, nor a page whose new links lead to files not yet there.
    staging = _Staging(fresh=not old)
    try:
        # A kept file is not written: its path is checked, but not the folders on the way to
        # it (a stat each: 30,000 at 10,000 stories, for files the writer does not touch).
        targets = [
            _checked_target(root, file.path, checked, folders=not file.kept) for file in files
        ]
        for file, target in zip(files, targets, strict=True):
            unchanged += _stage_one(file, target, previous, state, staging)
        if later is not None:
            more = later()
            for file in more:
                target = _checked_target(root, file.path, checked, folders=not file.kept)
                unchanged += _stage_one(file, target, previous, state, staging)
    except BaseException:
        staging.abort()
        raise
    if preview and old and not is_preview(out):
        # Marked before a preview's files replace a build's: however the writer stops, the
        # folder is never taken for a production build holding preview pages.
        atomic_write(out / MANIFEST, Manifest(old, preview=True).text().encode("utf-8"))
    staging.commit(state)
    removed = 0
    for stale in sorted(set(old) - set(state), reverse=True):
        try:
            gone = safe_target(out, stale)
        except ValueError:
            continue  # a manifest entry we would never have written: leave it alone
        with contextlib.suppress(FileNotFoundError):
            gone.unlink()
            removed += 1
        _remove_empty_parents(gone.parent, out)
    hashes = {path: state[path][0] for path in sorted(state)}
    # An unchanged manifest is left be (a preview's says so: a build of the other kind
    # over the same files rewrites it).
    if hashes != old or not (out / MANIFEST).is_file() or preview != is_preview(out):
        atomic_write(out / MANIFEST, Manifest(hashes, preview=preview).text().encode("utf-8"))
    if state_file is not None and state != previous:
        stats = {path: list(value[1:]) for path, value in state.items()}
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            atomic_write(state_file, json.dumps({"files": stats}).encode("utf-8"))
    return WriteResult(len(staging.staged), unchanged, removed, state, len(more))


def _checked_target(root: str, rel: str, checked: dict[str, bool], *, folders: bool = True) -> str:
    """`_target`, with a path no build should make reported as the build's error."""
    try:
        return _target(root, rel, checked, folders=folders)
    except ValueError:
        raise ConfigError(
            [Problem(rel, None, "cannot be written: the path leaves the output folder")]
        ) from None


def _stage_one(
    file: OutputFile,
    target: str,
    previous: OutputState,
    state: OutputState,
    staging: _Staging,
) -> int:
    """Note `file` in `state` if the output already holds it (1), else stage it (0)."""
    if file.kept:
        # Checked against the disk when it was kept (moments ago), and never written.
        known = previous.get(file.path)
        if known is None or known[0] != file.kept:
            raise ConfigError(
                [Problem(file.path, None, "changed while the site was built; build again")]
            )
        state[file.path] = known
        return 1
    digest, size = made_digest(file)
    known = previous.get(file.path)
    st = _stat(target)
    if st is not None and known is not None and known == (digest, *st):
        state[file.path] = known
        return 1
    if st is not None and st[0] == size and _read(target) == made_bytes(file):
        state[file.path] = (digest, *st)
        return 1
    if file.spooled is not None:
        staging.adopt(file.path, target, file.spooled.file, digest)
    else:
        staging.stage(file.path, target, file.data, digest, exists=st is not None)
    return 0


class _Staging:
    """Files written beside their targets, renamed into place together (or all removed)."""

    def __init__(self, fresh: bool) -> None:
        self.fresh = fresh
        self.staged: list[tuple[str, str, str, str]] = []  # (path, target, temp, sha256)
        self.made: list[str] = []  # folders this write created, outermost first
        self._known: set[str] = set()  # folders known to exist

    def stage(self, path: str, target: str, data: bytes, digest: str, *, exists: bool) -> None:
        folder = target.rpartition("/")[0]
        if folder not in self._known:
            self._make(folder)
        if self.fresh and not exists:
            _write_new(target, data)
            self.staged.append((path, target, "", digest))
            return
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        self.staged.append((path, target, tmp, digest))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)

    def adopt(self, path: str, target: str, spooled: str, digest: str) -> None:
        """Stage a file already written elsewhere on the output's file system (a spooled
        page): it is renamed into place with the rest, and removed if the write fails."""
        folder = target.rpartition("/")[0]
        if folder not in self._known:
            self._make(folder)
        self.staged.append((path, target, spooled, digest))

    def _make(self, folder: str) -> None:
        missing: list[str] = []
        at = folder
        while at and not os.path.isdir(at):
            missing.append(at)
            at = at.rpartition("/")[0]
        os.makedirs(folder, exist_ok=True)
        self.made.extend(reversed(missing))
        self._known.add(folder)

    def commit(self, state: OutputState) -> None:
        for path, target, tmp, digest in self.staged:
            if tmp:
                os.replace(tmp, target)
            after = _stat(target)
            state[path] = (digest, *after) if after is not None else (digest, -1, -1)

    def abort(self) -> None:
        """Remove what was staged (and the files a fresh write created), and new folders."""
        for _, target, tmp, _ in self.staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp or target)
        for folder in reversed(self.made):
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def _put(
    file: OutputFile,
    target: str,
    known: tuple[str, int, int] | None,
    folder: str = "",
    fresh: bool = False,
) -> tuple[tuple[str, int, int], bool]:
    """Make `target` hold `file` unless it already does: (its state, whether it was written).

    `known` is what the writer left there last time; `folder`, if given, is made first;
    `fresh` (nobody can be reading the output yet) creates a missing file directly.
    """
    digest = hashlib.sha256(file.data).hexdigest()
    st = _stat(target)
    if st is not None and known is not None and known == (digest, *st):
        return known, False
    if st is not None and st[0] == len(file.data) and _read(target) == file.data:
        return (digest, *st), False
    if folder:
        os.makedirs(folder, exist_ok=True)
    if fresh and st is None:
        _write_new(target, file.data)
    else:
        atomic_write(target, file.data)
    after = _stat(target)
    return ((digest, *after) if after is not None else (digest, -1, -1)), True


def write_files(
    files: list[OutputFile], output_dir: Path, state: OutputState, manifest: Manifest
) -> tuple[int, int]:
    """Write some files of a site whose other files stay as they are (a watch session's
    save that changed only those): `state` and the `manifest` are updated to match.
    Returns (written, unchanged)."""
    out = output_dir.resolve()
    root = str(out)
    checked: dict[str, bool] = {}
    written = 0
    for file in files:
        target = _target(root, file.path, checked)
        state[file.path], changed = _put(
            file, target, state.get(file.path), target.rpartition("/")[0]
        )
        if changed:
            written += 1
            manifest.set(file.path, state[file.path][0])
    if written:
        atomic_write(out / MANIFEST, manifest.text().encode("utf-8"))
    return written, len(files) - written


def safe_target(out: Path, rel: str, checked: dict[str, bool] | None = None) -> Path:
    """`out / rel`, refusing anything that would land outside `out` (.., absolute, symlinks).

    `checked` remembers folders already checked in this write, so each is looked at once.
    """
    return Path(_target(str(out), rel, {} if checked is None else checked))


def _target(out: str, rel: str, checked: dict[str, bool], *, folders: bool = True) -> str:
    """`safe_target` on strings: the writer calls it for every file of the site (without
    looking at the `folders` on the way for a file it will not write)."""
    if not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel:
        raise ValueError(f"unsafe output path {rel!r}")
    if any(part in ("", ".", "..") for part in rel.split("/")):
        raise ValueError(f"unsafe output path {rel!r}")
    if folders and not _inside(out, rel.rpartition("/")[0], checked):
        raise ValueError(f"unsafe output path {rel!r}")
    return f"{out}/{rel}"


def _inside(out: str, folder: str, checked: dict[str, bool]) -> bool:
    """True if `out/folder` is, or would be created as, a folder inside `out`.

    Walks down from `out`: a folder whose parent is inside is inside unless it is a symlink
    that points elsewhere (one lstat per folder, not a realpath per file).
    """
    if not folder or folder == ".":
        return True
    known = checked.get(folder)
    if known is not None:
        return known
    inside = _inside(out, folder.rpartition("/")[0], checked)
    if inside:
        full = f"{out}/{folder}"
        try:
            mode = os.lstat(full).st_mode
        except (FileNotFoundError, NotADirectoryError):
            mode = 0  # not there yet: the writer creates it as a real folder
        if stat.S_ISLNK(mode):
            real = os.path.realpath(full)
            inside = real == out or real.startswith(out + "/")
    checked[folder] = inside
    return inside


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _write_new(target: str, data: bytes) -> None:
    """Create a file that does not exist yet: one create, no temporary file and rename (on
    the first build of a big site that saves the file system a good part of its work). Falls
    back to `atomic_write` if the file appeared."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        atomic_write(target, data)
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        raise


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def check_unique(
    files: list[OutputFile], report: ErrorReport, origins: dict[str, str] | None = None
) -> list[OutputFile]:
    """Refuse two outputs at one path, or a file where another needs a folder (Pelican's
    FileOverwriteFailedError, kept); `origins` names what asked for a path (an alias)."""
    origins = origins or {}
    seen: set[str] = set()
    for file in files:
        parts = file.path.split("/")
        if parts[0] == MANIFEST or any(part.startswith(".tmp-") for part in parts):
            # The writer's own names: the manifest, and the files it stages.
            report.error(
                origins.get(file.path, file.path),
                None,
                f"{file.path} cannot be published: the name is the writer's own",
            )
        if file.path in seen:
            report.error(
                origins.get(file.path, file.path),
                None,
                f"two pages or files would be written to {file.path}",
            )
        seen.add(file.path)
    for path in sorted(seen):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in seen:
                report.error(
                    origins.get(path, origins.get(folder, path)),
                    None,
                    f"{folder} is a file, but {path} needs it to be a folder",
                )
    report.raise_if_errors(TemplateError)
    return files
