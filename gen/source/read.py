"""Find the site's sources and split them into front matter (with key lines) and body."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frontmatter.default_handlers import YAMLHandler

from gen import code_digest
from gen.cache import SqliteCache
from gen.errors import ErrorReport
from gen.source.yamldoc import YamlDoc, YamlSyntaxError, doc_from_json, doc_to_json, load_yaml

ARTICLES_DIR = "content/articles"
LIVE_DIR = "content/live"
AUTHORS_DIR = "content/authors"
CONTENT_DIR = "content"
MARKDOWN_SUFFIXES = (".md", ".markdown")
# Files that are never content: editors' backups, OS litter, version control.
IGNORED_PREFIXES = (".", "#", "~")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", "___jb_tmp___", "___jb_old___")


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """A Markdown file: its front matter, its body, and where the body starts."""

    path: str  # relative to the site folder, posix
    front: YamlDoc
    body: str
    body_line: int
    digest: str = ""  # of the file's path and text (`source_digest`)


@dataclass(frozen=True, slots=True)
class DataDoc:
    """A YAML file such as an author profile."""

    path: str
    doc: YamlDoc


@dataclass(frozen=True, slots=True)
class Asset:
    """A file under content/ published as it is (images and other media)."""

    path: str  # relative to content/, posix
    data: bytes


@dataclass(frozen=True, slots=True)
class LiveSource:
    """A live blog folder: its index page and one file per update."""

    index: SourceDoc
    updates: tuple[SourceDoc, ...]


@dataclass(frozen=True, slots=True)
class SourceTree:
    """Everything read from the site folder, in a stable order."""

    articles: tuple[SourceDoc, ...]
    authors: tuple[DataDoc, ...]
    assets: tuple[Asset, ...]
    live: tuple[LiveSource, ...] = ()


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


# A watch session's memory of the sources it read: path → (size, mtime, ctime, doc).
ReadMemo = dict[str, tuple[int, int, int, "SourceDoc"]]


# Parsed front matter as JSON, keyed by the file's path and text (see `SourceCache`).
FrontCache = SqliteCache[dict[str, Any]]


def source_cache(path: Path | None, warn: Callable[[str], None]) -> FrontCache:
    """The cache of parsed front matter: YAML is most of the time it takes to read a site."""

    def decode(text: str) -> dict[str, Any] | None:
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    return SqliteCache(path, warn, "sources", json.dumps, decode)


def source_digest(rel: str, text: str, version: bytes | None = None) -> str:
    """What a source file is, for caches: its path and text, and the code that reads it."""
    version = version if version is not None else _reader_version()
    return hashlib.sha256(version + rel.encode() + b"\0" + text.encode()).hexdigest()


def _reader_version() -> bytes:
    """Dateline's code: a new version may parse the same text differently."""
    return bytes.fromhex(code_digest())


def read_tree(
    site_dir: Path,
    report: ErrorReport,
    memo: ReadMemo | None = None,
    cache: FrontCache | None = None,
) -> SourceTree:
    """Read articles, authors and assets; problems go to `report`.

    `content/` is listed once, by `SiteWalk`: only regular files in the site are read.
    With `memo` (a watch session's), a Markdown file whose size and times are those of the
    last build is not read or parsed again: its document from then is reused. With `cache`,
    an article whose text was parsed by an earlier build is not parsed again.
    """
    walk = SiteWalk(site_dir, report)
    folders: list[str] = []
    files = walk.files(CONTENT_DIR, folders)
    articles_at, authors_at, live_at, assets = [], [], [], []
    for file in files:
        rel = file.rel
        markdown = rel.lower().endswith(MARKDOWN_SUFFIXES)
        if rel.startswith(ARTICLES_DIR + "/"):
            if markdown:
                articles_at.append(file)
        elif rel.startswith(AUTHORS_DIR + "/"):
            if rel.lower().endswith((".yaml", ".yml")):
                authors_at.append(file)
        elif rel.startswith(LIVE_DIR + "/") and markdown:
            live_at.append(file)
        else:
            data = read_file(file.disk, rel, report)
            if data is not None:
                assets.append(Asset(rel[len(CONTENT_DIR) + 1 :], data))
    articles = read_articles(articles_at, site_dir, report, memo, cache)
    authors = [d for f in authors_at if (d := _read_data(f, report)) is not None]
    live = _read_live(folders, live_at, walk, report, memo)
    if memo is not None:  # forget deleted files
        kept = {d.path for d in articles} | {
            d.path for blog in live for d in (blog.index, *blog.updates)
        }
        for gone in set(memo) - kept:
            del memo[gone]
    return SourceTree(tuple(articles), tuple(authors), tuple(assets), live)


def read_articles(
    files: list[SiteFile],
    site_dir: Path,
    report: ErrorReport,
    memo: ReadMemo | None,
    cache: FrontCache | None,
) -> list[SourceDoc]:
    """The articles in `files`, in order: from `memo`, from `cache` by their text, or parsed."""
    if cache is None:
        return [d for f in files if (d := _read_source(f, report, memo)) is not None]
    version = _reader_version()
    slots: list[SourceDoc | tuple[str, str, str, tuple[int, int, int]] | None] = []
    for file in files:
        rel = file.rel
        stamp = _stamp(file.disk) if memo is not None else (0, 0, 0)
        known = _remembered(memo, rel, stamp)
        if known is not None:
            slots.append(known)
            continue
        text = read_text(file.disk, rel, report)
        if text is None:
            slots.append(None)
            continue
        slots.append((rel, text, source_digest(rel, text, version), stamp))
    pending = [s for s in slots if isinstance(s, tuple)]
    hits = cache.get_many(k for _, _, k, _ in pending)
    fresh: dict[str, dict[str, Any]] = {}
    docs: list[SourceDoc] = []
    for slot in slots:
        if slot is None or isinstance(slot, SourceDoc):
            if slot is not None:
                docs.append(slot)
            continue
        rel, text, key, stamp = slot
        doc = _from_cache(rel, text, hits.get(key), key)
        if doc is None:
            doc = split_source(rel, text, report)
            front = doc_to_json(doc.front) if doc is not None else None
            if doc is not None and front is not None:
                fresh[key] = {
                    "front": front,
                    "body": len(text) - len(doc.body),
                    "line": doc.body_line,
                }
        if doc is not None:
            docs.append(doc)
            if memo is not None:
                memo[rel] = (*stamp, doc)
    cache.put_many(fresh)
    return docs


def _from_cache(rel: str, text: str, value: dict[str, Any] | None, digest: str) -> SourceDoc | None:
    """The document a cache entry describes, or None if there is none or it is not one."""
    if value is None:
        return None
    try:
        return SourceDoc(
            rel,
            doc_from_json(value["front"]),
            text[int(value["body"]) :],
            int(value["line"]),
            digest,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def read_live(
    site_dir: Path, report: ErrorReport, memo: ReadMemo | None = None
) -> tuple[LiveSource, ...]:
    """Every live blog folder: `content/live/<slug>/index.md` and its update files."""
    walk = SiteWalk(site_dir, report)
    folders: list[str] = []
    files = walk.files(LIVE_DIR, folders)
    markdown = [f for f in files if f.rel.lower().endswith(MARKDOWN_SUFFIXES)]
    return _read_live(folders, markdown, walk, report, memo)


def _read_live(
    folders: list[str],
    files: list[SiteFile],
    walk: SiteWalk,
    report: ErrorReport,
    memo: ReadMemo | None,
) -> tuple[LiveSource, ...]:
    """The live blogs from the folders and Markdown files a walk of `content/` found."""
    depth = LIVE_DIR.count("/") + 2
    blogs = []
    by_folder: dict[str, list[SiteFile]] = {}
    for file in files:
        parts = file.rel.split("/", depth)
        if len(parts) > depth:
            by_folder.setdefault("/".join(parts[:depth]), []).append(file)
    for folder in folders:
        if folder.count("/") != depth - 1 or not folder.startswith(LIVE_DIR + "/"):
            continue
        rel = f"{folder}/index.md"
        inside = by_folder.get(folder, [])
        index_file = next((f for f in inside if f.rel == rel), None)
        if index_file is None:
            if rel not in walk.refused:  # a refused index.md is reported already
                report.error(
                    rel, None, "a live blog folder needs an index.md with the blog's front matter"
                )
            continue
        index = _read_source(index_file, report, memo)
        updates = [
            doc
            for f in inside
            if f is not index_file and (doc := _read_source(f, report, memo)) is not None
        ]
        if index is not None:
            blogs.append(LiveSource(index, tuple(updates)))
    return tuple(blogs)


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


def read_source(
    path: Path, site_dir: Path, report: ErrorReport, memo: ReadMemo | None = None
) -> SourceDoc | None:
    """Read one Markdown file with YAML front matter (or reuse it from `memo`)."""
    file = site_file(path, site_dir, report)
    return _read_source(file, report, memo) if file is not None else None


def _read_source(file: SiteFile, report: ErrorReport, memo: ReadMemo | None) -> SourceDoc | None:
    """`read_source` of a file a walk checked."""
    rel = file.rel
    stamp = _stamp(file.disk) if memo is not None else (0, 0, 0)
    known = _remembered(memo, rel, stamp)
    if known is not None:
        return known
    text = read_text(file.disk, rel, report)
    if text is None:
        return None
    doc = split_source(rel, text, report)
    if memo is not None and doc is not None:
        memo[rel] = (*stamp, doc)
    return doc


def _stamp(path: str) -> tuple[int, int, int]:
    """What tells a watch session a file changed: its size, mtime and ctime."""
    try:
        st = Path(path).stat()
    except OSError:
        return (-1, -1, -1)  # gone: read (and reported) afresh
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _remembered(memo: ReadMemo | None, rel: str, stamp: tuple[int, int, int]) -> SourceDoc | None:
    """The document `memo` holds for `rel`, if the file still has the same `stamp`."""
    known = memo.get(rel) if memo is not None else None
    return known[3] if known is not None and known[:3] == stamp else None


def split_source(rel: str, text: str, report: ErrorReport) -> SourceDoc | None:
    """Split `text` into front matter and body, keeping file lines."""
    handler = YAMLHandler()
    if not handler.detect(text):
        report.error(rel, 1, "no front matter: the file must start with a '---' line")
        return None
    try:
        front, body = handler.split(text)
    except ValueError:
        report.error(rel, 1, "front matter is not closed: add a '---' line after it")
        return None
    # The front matter text starts where the opening '---' match ends (which may swallow
    # blank lines after it); counting newlines up to there keeps every key on its true
    # file line (hugo#9857).
    opening = handler.FM_BOUNDARY.search(text)
    front_line = text.count("\n", 0, opening.end()) + 1 if opening else 1
    body_start = len(text) - len(body)
    body_line = text.count("\n", 0, body_start) + 1
    try:
        doc = load_yaml(front, front_line)
    except YamlSyntaxError as exc:
        report.error(rel, exc.line, f"front matter: {exc.message}")
        return None
    return SourceDoc(rel, doc, body, body_line, source_digest(rel, text))


def read_data(path: Path, site_dir: Path, report: ErrorReport) -> DataDoc | None:
    """Read one YAML data file."""
    file = site_file(path, site_dir, report)
    return _read_data(file, report) if file is not None else None


def _read_data(file: SiteFile, report: ErrorReport) -> DataDoc | None:
    """`read_data` of a file a walk checked."""
    text = read_text(file.disk, file.rel, report)
    if text is None:
        return None
    try:
        return DataDoc(file.rel, load_yaml(text))
    except YamlSyntaxError as exc:
        report.error(file.rel, exc.line, exc.message)
        return None
