"""A publish planned from the build's manifest and DEST's record of what it holds, then run
with rclone: assets, then pages, then feeds and sitemaps, then deletions, then the record.

DEST keeps two small files of ours. `.dateline-published.json` (the record, written last)
names every file published, with its sha256 and headers; a file is uploaded when the
record's entry differs from the build's. `.dateline-publishing.json` (the pending list)
names the files a publish is about to change, before it changes any, and is removed after
the record: a publish interrupted anywhere leaves those files marked as unknown, so the next
one uploads them again (or deletes them), whatever the folder holds by then. Without a
readable record every file is uploaded (the headers of what DEST holds are unknown), and
files DEST holds that Dateline did not publish are left alone and named.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from gen.errors import Problem
from gen.outputs.state import MANIFEST
from gen.publish import PublishError
from gen.publish.headers import CACHE_FOREVER, Headers, compressed_original, headers_for
from gen.publish.rclone import Remote

RECORD = ".dateline-published.json"
PENDING = ".dateline-publishing.json"
CONTROL = frozenset({RECORD, PENDING, MANIFEST})
RECORD_FORMAT = "dateline publish record 1"
PENDING_FORMAT = "dateline publish pending 1"
RECORD_HEADERS = Headers("application/json", "no-store")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Upload order: nothing a page links to is missing when the page arrives, and no feed or
# sitemap names a page before it exists. Deletions come after all three.
ASSETS, PAGES, FEEDS = "assets", "pages", "feeds and sitemaps"
PHASES = (ASSETS, PAGES, FEEDS)


@dataclass(frozen=True, slots=True)
class Entry:
    """A file as published: its sha256 and its headers."""

    sha256: str
    headers: Headers


@dataclass(frozen=True, slots=True)
class RemoteState:
    """What DEST holds, as far as its record, its pending list and a listing tell."""

    record: dict[str, Entry] | None  # None: no readable record
    record_text: str = ""  # the record as fetched
    pending: frozenset[str] = frozenset()  # paths an interrupted publish may have changed
    has_pending: bool = False  # DEST holds a pending list (to remove at the end)
    listed: tuple[str, ...] = ()  # only without a record: every file DEST holds


@dataclass(frozen=True, slots=True)
class Batch:
    """Files uploaded by one rclone run: one phase, one set of headers."""

    phase: str
    headers: Headers
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """What a publish does, in order."""

    batches: tuple[Batch, ...]  # in upload order
    deletions: tuple[str, ...]
    unchanged: int
    record: str  # the record to write last; '' when DEST's is already this one
    clear_pending: bool  # remove DEST's pending list at the end
    foreign: tuple[str, ...] = ()  # files DEST holds that Dateline did not publish: left

    @property
    def uploads(self) -> tuple[str, ...]:
        """Every path uploaded, in upload order."""
        return tuple(path for batch in self.batches for path in batch.paths)

    def phase_paths(self, phase: str) -> tuple[str, ...]:
        """The paths uploaded in `phase`."""
        return tuple(p for batch in self.batches if batch.phase == phase for p in batch.paths)


def phase_of(path: str) -> str:
    """Which upload phase a file belongs to (a pre-compressed sibling goes with its original)."""
    path = compressed_original(path) or path
    if path.startswith("pagefind/"):
        return ASSETS  # the search index is in place before the pages it finds
    if path.endswith(".html"):
        return PAGES
    if path.endswith(".xml") or path.rpartition("/")[2] == "feed.json" or path == "robots.txt":
        return FEEDS
    return ASSETS


def local_entries(hashes: dict[str, str], *, compress: bool) -> dict[str, Entry]:
    """What DEST should hold: every file of the manifest with its headers."""

    def precompressed(path: str) -> bool:
        return compress and compressed_original(path) in hashes

    return {
        path: Entry(digest, headers_for(path, precompressed=precompressed(path)))
        for path, digest in hashes.items()
    }


def plan_publish(local: dict[str, Entry], remote: RemoteState) -> Plan:
    """Upload what differs from DEST's record (or is pending), delete what it recorded or had
    pending that the build no longer has."""
    known = remote.record
    changed = sorted(
        path
        for path, entry in local.items()
        if known is None or path in remote.pending or known.get(path) != entry
    )
    ours = set(known or ()) | remote.pending
    deletions = tuple(sorted(ours - local.keys() - CONTROL))
    foreign = tuple(sorted(set(remote.listed) - local.keys() - ours - CONTROL))
    groups: dict[tuple[int, bool, Headers], list[str]] = {}
    for path in changed:
        headers = local[path].headers
        # Within a phase, fingerprinted files first: the index entry files name them.
        key = (PHASES.index(phase_of(path)), headers.cache_control != CACHE_FOREVER, headers)
        groups.setdefault(key, []).append(path)
    batches = tuple(
        Batch(PHASES[key[0]], key[2], tuple(paths)) for key, paths in sorted(groups.items())
    )
    text = record_text(local)
    return Plan(
        batches=batches,
        deletions=deletions,
        unchanged=len(local) - len(changed),
        record="" if text == remote.record_text else text,
        clear_pending=remote.has_pending or bool(changed or deletions),
        foreign=foreign,
    )


def execute(plan: Plan, remote: Remote, output_dir: Path, say: Callable[[str], None]) -> None:
    """Carry out `plan`: the pending list, each phase's uploads, deletions, the record, and
    the pending list removed; each step finished before the next starts."""
    with tempfile.TemporaryDirectory(prefix="dateline-publish-") as tmp:
        if plan.uploads or plan.deletions:
            pending = Path(tmp, PENDING)
            pending.write_text(pending_text([*plan.uploads, *plan.deletions]), encoding="utf-8")
            remote.upload_file(pending, PENDING, RECORD_HEADERS)
        for phase in PHASES:
            batches = [batch for batch in plan.batches if batch.phase == phase]
            if batches:
                say(f"uploading {sum(len(b.paths) for b in batches)} {phase}")
            for batch in batches:
                remote.upload(output_dir, batch.paths, batch.headers)
        if plan.deletions:
            say(f"deleting {len(plan.deletions)} files")
            remote.delete(plan.deletions)
        if plan.record:
            record = Path(tmp, RECORD)
            record.write_text(plan.record, encoding="utf-8")
            remote.upload_file(record, RECORD, RECORD_HEADERS)
        if plan.clear_pending:
            remote.delete([PENDING])


def read_remote(remote: Remote) -> RemoteState:
    """DEST's record and pending list; without a readable record, a listing of DEST."""
    with tempfile.TemporaryDirectory(prefix="dateline-publish-") as tmp:
        remote.fetch([RECORD, PENDING], Path(tmp))
        record_file, pending_file = Path(tmp, RECORD), Path(tmp, PENDING)
        text = record_file.read_text("utf-8", "replace") if record_file.is_file() else ""
        has_pending = pending_file.is_file()
        pending = parse_pending(pending_file.read_bytes()) if has_pending else frozenset()
    # A pending list that cannot be read marks nothing: then the record is not trusted either.
    record = parse_record(text) if pending is not None else None
    listed = tuple(remote.list_files()) if record is None else ()
    return RemoteState(record, text, pending or frozenset(), has_pending, listed)


def record_text(entries: dict[str, Entry]) -> str:
    """The record: the headers used, then one line per file (path → [sha256, headers' index])."""
    table = sorted(set(entry.headers for entry in entries.values()))
    index = {headers: i for i, headers in enumerate(table)}
    header_lines = ",\n".join(
        json.dumps([h.content_type, h.cache_control, h.content_encoding]) for h in table
    )
    file_lines = ",\n".join(
        f"{json.dumps(path)}: {json.dumps([entries[path].sha256, index[entries[path].headers]])}"
        for path in sorted(entries)
    )
    return (
        f'{{\n"format": {json.dumps(RECORD_FORMAT)},\n"headers": [\n{header_lines}\n],\n'
        f'"files": {{\n{file_lines}\n}}\n}}\n'
    )


def parse_record(text: str) -> dict[str, Entry] | None:
    """The entries of a record, or None for anything that is not a whole record of ours."""
    data = _load_json(text)
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        return None
    table, files = data.get("headers"), data.get("files")
    if not isinstance(table, list) or not isinstance(files, dict):
        return None
    if not all(isinstance(h, list) and len(h) == 3 and _all_str(h) for h in table):
        return None
    headers = [Headers(*h) for h in table]
    entries: dict[str, Entry] = {}
    for path, value in files.items():
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
            return None
        digest, i = value
        if not SHA256.match(digest) or type(i) is not int or not 0 <= i < len(headers):
            return None
        entries[path] = Entry(digest, headers[i])
    return entries


def pending_text(paths: Iterable[str]) -> str:
    """The pending list: the paths a publish is about to change."""
    return json.dumps({"format": PENDING_FORMAT, "paths": sorted(set(paths))}, indent=0) + "\n"


def parse_pending(data: bytes) -> frozenset[str] | None:
    """The paths of a pending list, or None if it is not one of ours."""
    parsed = _load_json(data.decode("utf-8", "replace"))
    if not isinstance(parsed, dict) or parsed.get("format") != PENDING_FORMAT:
        return None
    paths = parsed.get("paths")
    return frozenset(paths) if isinstance(paths, list) and _all_str(paths) else None


def read_manifest_strict(output_dir: Path) -> dict[str, str]:
    """The build's manifest (path → sha256), refusing a folder no build finished, a preview
    build, and any entry that is not a regular file inside the folder."""
    manifest = output_dir / MANIFEST
    if not manifest.is_file():
        raise PublishError(
            [Problem(str(output_dir), None, f"no {MANIFEST}: build the site before publishing")]
        )
    data = _load_json(manifest.read_text("utf-8", "replace"))
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not files:
        raise PublishError([Problem(str(manifest), None, "cannot be read; build the site again")])
    refuse_preview(output_dir, preview=data.get("preview") is True)
    on_disk = regular_files(output_dir)
    problems = [
        Problem(str(output_dir / path), None, "is in the manifest but not a file in the folder")
        for path, digest in sorted(files.items())
        if not (isinstance(digest, str) and SHA256.match(digest))
        or not safe_path(path)
        or path not in on_disk
    ]
    if problems:
        raise PublishError(problems)
    return dict(files)


def refuse_preview(output_dir: Path, *, preview: bool) -> None:
    """Refuse a `--preview` build: its manifest says `"preview": true`, or (a preview made
    before that marker) robots.txt disallows everything and the front page is noindex."""
    robots, front = output_dir / "robots.txt", output_dir / "index.html"
    if not preview and robots.is_file() and front.is_file():
        disallowed = "Disallow: /" in robots.read_text("utf-8", "replace").splitlines()
        preview = disallowed and b"noindex" in front.read_bytes()
    if preview:
        raise PublishError(
            [
                Problem(
                    str(output_dir),
                    None,
                    "is a preview build (robots.txt disallows every page, pages are noindex); "
                    "build without --preview to publish",
                )
            ]
        )


def regular_files(folder: Path) -> set[str]:
    """Every regular file under `folder` (posix paths), found without following symlinks:
    a link in the output folder never publishes what it points to."""
    found: set[str] = set()
    folders = [("", str(folder))]
    while folders:
        prefix, where = folders.pop()
        with os.scandir(where) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    found.add(prefix + entry.name)
    return found


def safe_path(path: str) -> bool:
    """A relative path with no '..', '.', empty part, backslash or line break."""
    parts = PurePosixPath(path).parts
    return (
        bool(parts)
        and not path.startswith("/")
        and "/".join(parts) == path
        and not any(part in (".", "..") for part in parts)
        and not any(c in path for c in "\\\n\r")
        and path not in CONTROL
    )


def _load_json(text: str) -> Any:
    """Parsed JSON, or None."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _all_str(values: list[Any]) -> bool:
    return all(isinstance(v, str) for v in values)
