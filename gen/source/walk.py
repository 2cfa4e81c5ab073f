"""Finding the site's files safely: only regular files inside the site, every name checked
(symlinks that leave the site, FIFOs and devices, names that are not UTF-8 or differ only in
Unicode form are reported, never followed or opened)."""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from gen.errors import ErrorReport

IGNORED_PREFIXES = (".", "#", "~")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", "___jb_tmp___", "___jb_old___")


def is_ignored(name: str) -> bool:
    """True for editors' temporary and backup files and hidden files."""
    return name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES) or name == "4913"


# What a hostile tree gets (see `SiteWalk`): every message names the file, relative to the site.
OUTSIDE = "symlink to outside the site"
BROKEN = "broken symlink"
NOT_REGULAR = "not a regular file"
HIDDEN_TARGET = "symlink to a hidden file or folder"
NAME_NOT_UTF8 = "file name is not UTF-8"
# A URL path cannot hold a backslash (browsers read it as a slash): rename the file.
NAME_BACKSLASH = "file name has a backslash, which a URL cannot hold; rename the file"
# Open the final file ourselves: never through a symlink swapped in after the check, and
# never blocking on a FIFO that was (fstat then refuses it).
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


@dataclass(frozen=True, slots=True)
class SiteFile:
    """A regular file found in the site: where to open it, and its name in the site."""

    disk: str  # the path to open: the file itself, or a symlink's target inside the site
    rel: str  # relative to the site folder, posix, every name in Unicode NFC


def shown_name(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 as `\\xd4` escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _is_utf8(name: str) -> bool:
    """False for a name whose bytes are not UTF-8 (Python holds them as lone surrogates)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _nfc(name: str) -> str:
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def _form(name: str) -> str:
    """Which Unicode normal form a name is in, for messages."""
    for form in ("NFC", "NFD"):
        if unicodedata.is_normalized(form, name):
            return form
    return "mixed"


class SiteWalk:
    """Lists a folder of the site without ever leaving the site or opening anything but
    regular files.

    One scandir entry per file (its type comes with the listing); a symlink alone costs a
    realpath and a stat. Problems go to `report`, named by their path in the site:
    a symlink whose target is outside the site (not followed, files or folders), a
    symlink into a hidden file or folder of the site (such as `.git`, whose config holds
    CI credentials), a broken symlink, anything that is not a regular file or folder
    (FIFO, socket, device, also behind a symlink), a name that is not UTF-8, and two
    names that differ only in their Unicode form. A symlink to a regular file or a folder
    inside the site is followed; every real folder is listed at most once, so a symlink
    loop, or a second name for a folder already read, is an error too.
    """

    def __init__(self, site_dir: Path, report: ErrorReport) -> None:
        self.site = os.path.realpath(site_dir)
        self.prefix = self.site.rstrip("/") + "/"
        self.report = report
        self.refused: set[str] = set()  # site paths with a problem reported

    def error(self, rel: str, message: str) -> None:
        self.refused.add(rel)
        self.report.error(rel, None, message)

    def target(self, link: str, rel: str, litter: bool = False) -> tuple[str, int] | None:
        """A symlink's real path in the site and its mode, or None with the problem reported
        (a broken one named as editors' `litter`, such as Emacs's `.#x` locks, quietly)."""
        real = os.path.realpath(link)
        if not real.startswith(self.prefix) and real != self.site:
            self.error(rel, OUTSIDE)
            return None
        if any(part.startswith(".") for part in real[len(self.prefix) :].split("/")):
            self.error(rel, HIDDEN_TARGET)
            return None
        try:
            mode = Path(real).stat().st_mode
        except OSError:  # gone, a loop, or a file where a folder should be
            if not litter:
                self.error(rel, BROKEN)
            return None
        return real, mode

    def root(self, rel: str) -> str | None:
        """The real path of the site's folder `rel` (e.g. "content"), each step checked like a
        symlink in a walk; None if it is missing (nothing to read) or refused."""
        real = self.site
        done: list[str] = []
        for part in rel.split("/") if rel else ():
            if part in ("", ".", ".."):
                return None
            done.append(part)
            path = f"{real}/{part}"
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                return None
            if stat.S_ISLNK(mode):
                found = self.target(path, "/".join(done))
                if found is None:
                    return None
                path, mode = found
            if not stat.S_ISDIR(mode):
                return None
            real = path
        return real

    def files(
        self, rel: str, dirs: list[str] | None = None, *, every: bool = False
    ) -> list[SiteFile]:
        """Every regular file below the site's folder `rel` ("" for the site itself), sorted
        by path; the folders listed go to `dirs`. Hidden and temporary files and folders
        are left out, unless `every` (for what others may open by any name: templates)."""
        top = self.root(rel)
        if top is None:
            return []
        found: list[SiteFile] = []
        listed: dict[str, str] = {top: rel}  # real path -> site path of each folder listed
        todo: list[tuple[str, str]] = [(top, rel)]
        links: list[tuple[str, str]] = []  # symlinked folders: listed after the real tree
        while todo or links:
            if not todo:
                real, where = links.pop(0)
                seen = self._listed(real, listed)
                if seen:
                    self.error(where, seen)
                    continue
                listed[real] = where
                todo.append((real, where))
            folder, where = todo.pop()
            if dirs is not None:
                dirs.append(where)
            for name, entry in self._entries(folder, where, every):
                sub = f"{where}/{name}" if where else name
                if entry.is_symlink():
                    target = self.target(entry.path, sub, every and is_ignored(name))
                    if target is None:
                        continue
                    real, mode = target
                    if stat.S_ISREG(mode):
                        found.append(SiteFile(real, sub))
                    elif stat.S_ISDIR(mode):
                        links.append((real, sub))
                    else:
                        self.error(sub, NOT_REGULAR)
                elif entry.is_dir(follow_symlinks=False):
                    listed[entry.path] = sub
                    todo.append((entry.path, sub))
                elif entry.is_file(follow_symlinks=False):
                    found.append(SiteFile(entry.path, sub))
                else:
                    self.error(sub, NOT_REGULAR)
        found.sort(key=lambda f: f.rel.split("/"))
        if dirs is not None:
            dirs.sort(key=lambda d: d.split("/"))
        return found

    def _listed(self, real: str, listed: dict[str, str]) -> str:
        """Why a symlinked folder is not read ('' if it is read): it is, or is inside, a
        folder already read, or holds one."""
        head = real
        while head.startswith(self.prefix) or head == self.site:
            if head in listed:
                rest = real[len(head) :]
                return f"symlink to a folder already read as {listed[head]}{rest}"
            head = head.rpartition("/")[0]
        for folder, where in listed.items():
            if folder.startswith(real + "/"):
                return f"symlink to a folder holding {where}, which is read already"
        return ""

    def _entries(
        self, folder: str, where: str, every: bool = False
    ) -> list[tuple[str, os.DirEntry[str]]]:
        """The entries of a folder not ignored, by their NFC names; names not UTF-8 and
        names that only differ in Unicode form are reported and left out."""
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            self.error(where, f"cannot read the folder ({exc.strerror})")
            return []
        named: dict[str, list[os.DirEntry[str]]] = {}
        for entry in entries:
            name = entry.name
            if not every and is_ignored(name):
                continue
            if not _is_utf8(name):
                self.error(f"{where}/{shown_name(name)}".lstrip("/"), NAME_NOT_UTF8)
                continue
            if "\\" in name:
                self.error(f"{where}/{name}".lstrip("/"), NAME_BACKSLASH)
                continue
            named.setdefault(_nfc(name), []).append(entry)
        kept = []
        for name, same in named.items():
            if len(same) == 1:
                kept.append((name, same[0]))
                continue
            forms = sorted(same, key=lambda e: (_form(e.name) != "NFC", e.name))
            both = " and ".join(f"'{e.name}' ({_form(e.name)})" for e in forms)
            self.error(
                f"{where}/{name}".lstrip("/"),
                f"two files have this name in different Unicode forms, {both}; keep one",
            )
        return kept


def walk_files(root: Path) -> list[Path]:
    """Every regular file below `root`, sorted, skipping hidden and temporary files and
    folders; what `SiteWalk` refuses (taking `root` as the site) is left out."""
    walk = SiteWalk(root, ErrorReport())
    return [root / f.rel for f in walk.files("")]


def read_file(disk: str, rel: str, report: ErrorReport) -> bytes | None:
    """The bytes of the regular file at `disk`, or None with an error: never through a
    symlink at the last step, never waiting on a FIFO, never a device."""
    try:
        fd = os.open(disk, _OPEN_FLAGS)
    except OSError as exc:
        report.error(rel, None, f"cannot read the file ({exc.strerror})")
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            report.error(rel, None, NOT_REGULAR)
            return None
        try:
            return handle.read()
        except OSError as exc:
            report.error(rel, None, f"cannot read the file ({exc.strerror})")
            return None


def read_text(path: Path | str, rel: str, report: ErrorReport) -> str | None:
    """A regular file's text, or None with an error if it is not UTF-8 (or not readable)."""
    data = read_file(os.fspath(path), rel, report)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(rel, line, "file is not UTF-8 text (save it as UTF-8)")
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def site_file(path: Path, site_dir: Path, report: ErrorReport) -> SiteFile | None:
    """One file of the site checked as `SiteWalk` checks what it lists (with a realpath: for
    single files, such as a watch session's saves), or None with the problem reported."""
    walk = SiteWalk(site_dir, report)
    rel_raw = Path(os.path.relpath(path, site_dir)).as_posix()
    if rel_raw == ".." or rel_raw.startswith("../"):
        report.error(shown_name(str(path)), None, OUTSIDE)
        return None
    if not _is_utf8(rel_raw):
        report.error(shown_name(rel_raw), None, NAME_NOT_UTF8)
        return None
    rel = "/".join(_nfc(part) for part in rel_raw.split("/"))
    real = os.path.realpath(path)
    if real != f"{walk.prefix}{rel_raw}":  # a symlink on the way
        found = walk.target(os.fspath(path), rel)
        if found is None:
            return None
        real, mode = found
    else:
        try:
            mode = os.lstat(real).st_mode
        except OSError as exc:
            report.error(rel, None, f"cannot read the file ({exc.strerror})")
            return None
    if not stat.S_ISREG(mode):
        report.error(rel, None, NOT_REGULAR)
        return None
    return SiteFile(real, rel)
