"""`dateline new`: start an article file with valid front matter; never overwrite one."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import unicodedata
from datetime import datetime
from pathlib import Path

from gen.config import SiteConfig
from gen.errors import ContentError, ErrorReport, Problem, suggest
from gen.source.read import ARTICLES_DIR, AUTHORS_DIR, split_source
from gen.urls import slugify

# What YAML (and every reader of a headline) takes as a line break.
LINE_BREAKS = "\n\r\x85\u2028\u2029"
PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# os.link fails with these where the file system has no hard links (FAT, some network mounts).
NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


def title_problem(title: str) -> str | None:
    """Why `title` cannot be a headline, or None: it must be text (a title from a terminal
    that is not set to UTF-8 arrives as undecodable bytes) on one line, without control
    characters."""
    undecodable = [c for c in title if "\udc80" <= c <= "\udcff"]
    if undecodable:
        shown = "".join(f"\\x{ord(c) - 0xDC00:02x}" for c in undecodable[:8])
        return (
            f"the title is not UTF-8 text (bytes {shown}); set the terminal to UTF-8, "
            "or write the title in the article file"
        )
    for number, char in enumerate(title, start=1):
        kind = unicodedata.category(char)
        if kind in ("Cc", "Cs") or char in LINE_BREAKS or char in "\ufffe\uffff":
            what = (
                "a line break"
                if char in LINE_BREAKS
                else "a control character"
                if kind == "Cc"
                else "a character that is not text"
            )
            return (
                f"the title has {what} (U+{ord(char):04X}) at character {number}; "
                "a headline is one line of text"
            )
    return None


def create_article(
    site_dir: Path, config: SiteConfig, title: str, section: str, author: str, now: datetime
) -> Path:
    """Write `content/articles/<yyyy>/<slug>.md` as a draft and return its path.

    The file appears whole or not at all: its text is made and its front matter read back
    as a build reads it first, then it is written beside its place and linked into it (a
    link never replaces a file: one made meanwhile is left as it is).
    """
    bad_title = title_problem(title)
    if bad_title is not None:
        raise ContentError([Problem(ARTICLES_DIR, None, bad_title)])
    problems = []
    sections = [s.id for s in config.sections]
    if section not in sections:
        problems.append(
            Problem("site.yaml", None, f"unknown section '{section}'{suggest(section, sections)}")
        )
    authors_dir = site_dir / AUTHORS_DIR
    authors = sorted(p.stem for p in authors_dir.glob("*.y*ml"))
    if author not in authors:
        problems.append(
            Problem(
                f"{AUTHORS_DIR}/{author}.yaml",
                None,
                f"unknown author '{author}'{suggest(author, authors)}",
            )
        )
    slug = slugify(title, config.language)
    if not slug:
        problems.append(Problem(ARTICLES_DIR, None, f"cannot make a URL from the title '{title}'"))
    if problems:
        raise ContentError(problems)
    local = now.astimezone(config.tz).replace(microsecond=0)
    path = site_dir / ARTICLES_DIR / f"{local.year:04d}" / f"{slug}.md"
    rel = path.relative_to(site_dir).as_posix()
    if path.exists():
        raise ContentError([Problem(rel, None, "already exists; it was left as it is")])
    escaped = title.replace("\\", "\\\\").replace('"', '\\"')
    text = (
        "---\n"
        f'title: "{escaped}"\n'
        f"author: {_scalar(author)}\n"
        f"date: {local.isoformat()}\n"
        f"section: {_scalar(section)}\n"
        "tags: []\n"
        "dateline: \n"
        "summary: \n"
        "draft: true  # remove this line to publish\n"
        "---\n\n"
        "Write the lede here: who, what, when, where.\n"
    )
    _check_front_matter(rel, text, {"title": title, "author": author, "section": section})
    try:
        _write_new(path, text.encode("utf-8"))
    except FileExistsError:
        raise ContentError([Problem(rel, None, "already exists; it was left as it is")]) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        reason = reason[:1].lower() + reason[1:]
        raise ContentError([Problem(rel, None, f"cannot be written: {reason}")]) from None
    return path


def _scalar(value: str) -> str:
    """An id as YAML: plain if it reads back as itself, else a double-quoted string."""
    return value if PLAIN_ID.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def _check_front_matter(rel: str, text: str, expected: dict[str, str]) -> None:
    """Read `text` back as a build reads it; refuse it unless it says what was asked."""
    report = ErrorReport()
    doc = split_source(rel, text, report)
    data = doc.front.data if doc is not None else {}
    wrong = sorted(key for key, value in expected.items() if data.get(key) != value)
    if report.errors or wrong or data.get("draft") is not True:
        raise ContentError(
            [
                Problem(
                    rel,
                    None,
                    "cannot be written: its front matter would not read back as given"
                    + (f" ({', '.join(wrong)})" if wrong else ""),
                )
            ]
        )


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, whole or not at all; FileExistsError if it exists.

    The bytes go to a hidden temporary file in the same folder (builds and the watcher
    skip hidden files), which is then hard-linked to `path`: the link fails rather than
    replace a file, and `path` never exists half written. Folders this call made are
    removed again if it fails.
    """
    folder = path.parent
    made = _missing_folders(folder)
    try:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file where the folder should be
            raise NotADirectoryError(
                errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)
            ) from None
        tmp = _write_temporary(folder, path.name, data)
        try:
            try:
                os.link(tmp, path)
            except OSError as exc:
                if isinstance(exc, FileExistsError) or exc.errno not in NO_HARD_LINKS:
                    raise
                write_exclusive(path, data)  # no hard links here: create it, then fill it
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
    except BaseException:
        for made_folder in made:  # innermost first; only if still empty
            with contextlib.suppress(OSError):
                made_folder.rmdir()
        raise


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and its parents that do not exist yet, innermost first."""
    missing = []
    at = folder
    while not os.path.lexists(at) and at != at.parent:
        missing.append(at)
        at = at.parent
    return missing


def _write_temporary(folder: Path, name: str, data: bytes) -> Path:
    """A new hidden file in `folder` holding `data` (with the mode a new file gets)."""
    while True:
        tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            write_exclusive(tmp, data)
        except FileExistsError:
            continue
        return tmp


def write_exclusive(path: Path, data: bytes) -> None:
    """Create `path` (never replacing a file, nor through a link: O_EXCL refuses both) and
    write `data`; removed again on failure."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
