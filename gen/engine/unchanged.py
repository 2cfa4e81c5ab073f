"""A build that finds nothing changed since the last one: the last build's result, replayed.

A warm build redoes every stage and keeps each page whose inputs are unchanged; at 10,000
articles that still meant reading and digesting every source and planning 28,000 pages
(3 s) to write nothing. Before any of it, a production build now lists what it reads (the
names, sizes, times and inodes under site.yaml, content/ and themes/, in one walk) and
compares the list with the one the last successful build took before reading. When they
are equal, and so are the options, Dateline's code and the installed libraries, the clock
has not reached the site's next change (an embargo, an expiry, the news sitemap's window),
and every output file is as the writer left it, the output already is what the build would
make: its summary and warnings are replayed instead.

Anything else does the full build, so a doubt only costs time:
- a file changed within `RACY_NS` before the last build started (or since) never counts as
  unchanged: a file system's clock can lag, and a save in the same tick as the listing
  would otherwise look unchanged (git's "racily clean" entries, handled the same way);
- the record is signed with the cache's key, and names only this machine's inodes and
  change times (ctime, which no program can set back), so a cache restored from elsewhere
  never matches;
- previews, drafts, future stories, sessions and `--no-cache` builds never use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from gen import code_digest
from gen.cache import read_json_cache, sign, write_json_cache, write_state_file
from gen.config import CONFIG_FILE, BuildOptions
from gen.errors import Problem
from gen.outputs.state import MANIFEST, _stat, is_intact, read_output_state
from gen.schedule.record import record_built
from gen.session import BuildResult

NAME = "unchanged"  # .cache/unchanged.json
SOURCE_DIRS = ("content", "themes")  # with site.yaml, all a build reads of the site
PACKAGE = str(Path(__file__).resolve().parent.parent)  # gen/
PACKAGE_DATA = ("themes", "check/styles")
RACY_NS = 1_000_000_000  # a second: far more than any file system clock's lag


@dataclass(frozen=True, slots=True)
class Listing:
    """What the build is about to read, as the file system describes it."""

    digest: str  # of every entry's name, kind, size, mtime, ctime and inode
    newest: int  # the latest mtime or ctime among them, in ns
    taken: int  # when the listing was taken (time.time_ns())


def replayed(options: BuildOptions) -> tuple[Listing | None, BuildResult | None]:
    """This build's listing, and the last build's result when nothing changed since (timed
    as the one stage `unchanged`); (listing, None) when the build must run."""
    start = time.perf_counter()
    listing = take_listing(options)
    result = replay(options, listing)
    if result is not None:
        result.timings["unchanged"] = time.perf_counter() - start
    return listing, result


def take_listing(options: BuildOptions) -> Listing | None:
    """The listing of the site's sources, or None when this build cannot be replayed."""
    if not replayable(options):
        return None
    taken = time.time_ns()
    digest = hashlib.sha256()
    newest = 0
    site = str(options.site_dir)
    # The site's sources, and the files of Dateline's own that are not code (the default
    # theme, the built-in style rules): `code_digest` covers only the modules.
    stack = [f"{site}/{name}" for name in (CONFIG_FILE, *SOURCE_DIRS)]
    stack += [f"{PACKAGE}/{name}" for name in PACKAGE_DATA]
    while stack:
        rel = stack.pop()
        try:
            st = os.lstat(rel)
        except FileNotFoundError:
            digest.update(f"{rel}\0-\n".encode(errors="surrogateescape"))
            continue
        except OSError:
            return None
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        digest.update(
            f"{rel}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0"
            f"{st.st_ino}\0{st.st_dev}\n".encode(errors="surrogateescape")  # any file name
        )
        if stat.S_ISDIR(st.st_mode):
            try:
                with os.scandir(rel) as entries:
                    names = sorted((entry.name for entry in entries), reverse=True)
            except OSError:
                return None
            stack.extend(f"{rel}/{name}" for name in names)
    return Listing(digest.hexdigest(), newest, taken)


def replayable(options: BuildOptions) -> bool:
    """A production build that keeps a cache: the only kind that is recorded and replayed."""
    return (
        options.cache_dir is not None
        and not options.preview
        and not options.drafts
        and not options.future
    )


def setting_key(options: BuildOptions) -> str:
    """The options (but the clock and the worker count), Dateline's code, Python and the
    installed packages' versions (the names of their metadata folders)."""
    fields = {k: str(v) for k, v in asdict(options).items() if k not in ("now", "jobs")}
    text = json.dumps([fields, code_digest(), sys.version, _installed()], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _installed() -> list[str]:
    """The installed packages' metadata folders, once per process (a build asks twice: to
    replay, then to record). Only site-packages folders: a program's own folder, '' or the
    current one, would make the key depend on where dateline runs from."""
    packages: list[str] = []
    for entry in (p for p in sys.path if p.endswith(("site-packages", "dist-packages"))):
        with contextlib.suppress(OSError), os.scandir(entry) as found:
            packages.extend(f.name for f in found if f.name.endswith((".dist-info", ".egg-info")))
    return sorted(packages)


def replay(options: BuildOptions, listing: Listing | None) -> BuildResult | None:
    """The last build's result if nothing it depends on changed since, else None."""
    if listing is None:
        return None
    record = _read(options)
    if record is None:
        return None
    now = options.now
    try:
        last_now = datetime.fromisoformat(record["now"])
        next_change = record["next_change"]
        if (
            record["key"] != setting_key(options)
            or record["sources"] != listing.digest
            or listing.newest >= int(record["taken"]) - RACY_NS
            or now.tzinfo is None
            or now < last_now
            or (next_change is not None and now >= datetime.fromisoformat(next_change))
            or not _output_intact(options, record["output"], int(record["files"]))
        ):
            return None
        result = BuildResult(
            articles=int(record["articles"]),
            pages=int(record["files"]),
            unchanged=int(record["files"]),
            warnings=[Problem(str(p), line, str(m)) for p, line, m in record["warnings"]],
            checked=bool(record["checked"]),
        )
        scheduled = record["next_embargo"]
        if scheduled is not None:
            result.next_embargo = (str(scheduled[0]), datetime.fromisoformat(scheduled[1]))
    except (KeyError, TypeError, ValueError):
        return None
    record_built(options)  # `dateline due` counts a replayed build as a build
    return result


def record(
    options: BuildOptions,
    listing: Listing | None,
    result: BuildResult,
    next_change: datetime | None,
) -> None:
    """Remember a successful build for `replay` (or forget the last one)."""
    if options.cache_dir is None:
        return
    manifest = _stat(options.output_dir / MANIFEST)
    if listing is None or manifest is None or result.partial:
        with contextlib.suppress(OSError):
            (options.cache_dir / f"{NAME}.json").unlink()
        return
    scheduled = result.next_embargo
    data: dict[str, Any] = {
        "key": setting_key(options),
        "sources": listing.digest,
        "taken": listing.taken,
        "now": options.now.isoformat(),
        "next_change": next_change.isoformat() if next_change is not None else None,
        "output": list(manifest),
        "files": result.written + result.unchanged,
        "articles": result.articles,
        "warnings": [[w.path, w.line, w.message] for w in result.warnings],
        "checked": result.checked,
        "next_embargo": [scheduled[0], scheduled[1].isoformat()] if scheduled else None,
    }
    text = json.dumps(data, sort_keys=True)
    write_json_cache(options, NAME, {"record": text, "mac": sign(NAME, text)})


def _read(options: BuildOptions) -> dict[str, Any] | None:
    """The signed record, or None."""
    stored = read_json_cache(options, NAME)
    if stored is None:
        return None
    text, mac = stored.get("record"), stored.get("mac")
    if not isinstance(text, str) or not isinstance(mac, str):
        return None
    if not hmac.compare_digest(mac, sign(NAME, text)):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _output_intact(options: BuildOptions, manifest: list[int], files: int) -> bool:
    """Every file the last build left in the output folder is still as the writer left it
    (its size and mtime), and so is the manifest."""
    out = options.output_dir
    if list(_stat(out / MANIFEST) or ()) != manifest:
        return False
    state = read_output_state(out, write_state_file(options))
    if len(state) != files:
        return False
    return all(is_intact(out, path, known[0], state) for path, known in state.items())
