"""Find the site's sources and split them into front matter (with key lines) and body."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frontmatter.default_handlers import YAMLHandler

from gen import code_digest
from gen.cache import SqliteCache
from gen.errors import ErrorReport
from gen.source.walk import SiteFile, SiteWalk, read_file, read_text, site_file
from gen.source.yamldoc import YamlDoc, YamlSyntaxError, doc_from_json, doc_to_json, load_yaml

ARTICLES_DIR = "content/articles"
LIVE_DIR = "content/live"
AUTHORS_DIR = "content/authors"
CONTENT_DIR = "content"
MARKDOWN_SUFFIXES = (".md", ".markdown")
# A story in a folder of its own (a Hugo page bundle): the folder names it, and the files
# beside it are its own (content/articles/my-story/index.md and photo.jpg).
BUNDLE_INDEXES = ("index.md", "index.markdown")
# Hugo's section list pages: Dateline's sections are declared in site.yaml.
SECTION_INDEXES = ("_index.md", "_index.markdown")
SECTION_INDEX_UNUSED = (
    "Hugo's section page (_index.md) is not used by Dateline, so it is left out: sections "
    "are declared in site.yaml; remove the file"
)
# Whole lines of nothing but spaces and tabs, before a file's opening '---'.
_LEADING_BLANK_RE = re.compile(r"(?:[ \t]*\n)+")
# Files that are never content: editors' backups, OS litter, version control.


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


# A watch session's memory of the sources it read: path → (size, mtime, ctime, doc).
ReadMemo = dict[str, tuple[int, int, int, SourceDoc]]


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
    bundles = bundle_folders(f.rel for f in files)
    articles_at, authors_at, live_at, assets = [], [], [], []
    for file in files:
        rel = file.rel
        markdown = rel.lower().endswith(MARKDOWN_SUFFIXES)
        if rel.startswith(ARTICLES_DIR + "/"):
            name = rel.rsplit("/", 1)[-1].lower()
            if markdown and name in SECTION_INDEXES:
                report.warn(rel, None, SECTION_INDEX_UNUSED)
            elif markdown:
                articles_at.append(file)
            elif in_bundle(rel, bundles):
                data = read_file(file.disk, rel, report)
                if data is not None:
                    assets.append(Asset(rel[len(CONTENT_DIR) + 1 :], data))
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


def bundle_folders(paths: Iterable[str]) -> frozenset[str]:
    """The story folders (`BUNDLE_INDEXES`) among site paths: content/articles/my-story."""
    found = set()
    for rel in paths:
        folder, _, name = rel.rpartition("/")
        if name.lower() in BUNDLE_INDEXES and folder.startswith(ARTICLES_DIR + "/"):
            found.add(folder)
    return frozenset(found)


def in_bundle(rel: str, bundles: frozenset[str]) -> bool:
    """True for a file in a story folder, or in a folder below one."""
    folder = rel.rpartition("/")[0]
    while folder.startswith(ARTICLES_DIR + "/"):
        if folder in bundles:
            return True
        folder = folder.rpartition("/")[0]
    return False


def story_folder(path: str) -> str:
    """Where the files a story names by a relative path are first looked for (relative to
    content/, ending in '/'): a story folder's own (articles/my-story/), a live blog's
    (live/kyiv-overnight-attack/); '' for a story in a file of its own."""
    folder, _, name = path.rpartition("/")
    if name.lower() in BUNDLE_INDEXES and folder.startswith(ARTICLES_DIR + "/"):
        return folder[len(CONTENT_DIR) + 1 :] + "/"
    if path.startswith(LIVE_DIR + "/") and path.count("/") >= LIVE_DIR.count("/") + 2:
        slug = path.split("/")[LIVE_DIR.count("/") + 1]
        return f"{LIVE_DIR[len(CONTENT_DIR) + 1 :]}/{slug}/"
    return ""


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
    """Split `text` into front matter and body, keeping file lines. A UTF-8 BOM and blank
    lines before the opening '---' are skipped, as Hugo does."""
    handler = YAMLHandler()
    whole = text
    text = text.removeprefix("\ufeff")
    blank = _LEADING_BLANK_RE.match(text)
    skipped = text.count("\n", 0, blank.end()) if blank else 0
    text = text[blank.end() :] if blank else text
    if not handler.detect(text):
        report.error(rel, skipped + 1, "no front matter: the file must start with a '---' line")
        return None
    try:
        front, body = handler.split(text)
    except ValueError:
        report.error(rel, skipped + 1, "front matter is not closed: add a '---' line after it")
        return None
    # The front matter text starts where the opening '---' match ends (which may swallow
    # blank lines after it); counting newlines up to there keeps every key on its true
    # file line (hugo#9857).
    opening = handler.FM_BOUNDARY.search(text)
    front_line = skipped + (text.count("\n", 0, opening.end()) + 1 if opening else 1)
    body_start = len(text) - len(body)
    body_line = skipped + text.count("\n", 0, body_start) + 1
    try:
        doc = load_yaml(front, front_line)
    except YamlSyntaxError as exc:
        report.error(rel, exc.line, f"front matter: {exc.message}")
        return None
    return SourceDoc(rel, doc, body, body_line, source_digest(rel, whole))


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
