"""The search index's entries in the cache (`.cache/search/`): each unit's bundle (its data,
its word table, and the name of its copy of Pagefind's code), each copy of that code once,
and each merged year with where its fragments are (`gen.outputs.search` makes them)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from gen.cache import checksums, load_folder, store_folder
from gen.model import OutputFile
from gen.outputs.pagefind_format import ENTRY, WordTable, is_data, read_word_table

T = TypeVar("T")

BUNDLE_DIR = "pagefind"  # the output's folder for the index: /pagefind/<year>/
# In each unit's cache key: 2 keeps a word table beside the bundle, 3 keeps Pagefind's code
# apart (CODE).
UNIT_VERSION = "3"
FRAGMENTS = "fragments.json"  # a merged year's cache entry: where its fragments are kept
WORDS = "words.json"  # a unit's cache entry: its word table (not a file of the bundle)
# A unit's cache entry: the name of its copy of Pagefind's code (scripts, styles, wasm: 1 MB,
# the same for every unit of a language), kept once under CODE_DIR rather than in each of
# 140 units at 10,000 stories (1,400 at 100,000).
CODE = "code.txt"
CODE_DIR = "_code"
_CODE_NAME_RE = re.compile(r"[0-9a-f]{40}")


class SearchCache:
    """The cache entries of units and years under `cache_dir`/search (none without a cache).
    `intact(path, sha256)` says whether the output already holds a file (a year kept)."""

    def __init__(self, cache_dir: Path | None, intact: Callable[[str, str], bool] | None) -> None:
        self.folder = cache_dir / "search" if cache_dir is not None else None
        self.intact = intact
        # Copies of Pagefind's code in the cache (CODE_DIR), by name: as loaded (None: not
        # there), or stored by this build. Units are loaded and stored on several threads.
        self.code_sets: dict[str, dict[str, bytes] | None] = {}
        self.code_lock = threading.Lock()

    def forget_others(self, units: set[str]) -> None:
        """Remove the cache entries of a month's units that are not among `units`: a month
        dealt into more shares, or fewer, leaves entries that would never match again."""
        if self.folder is None:
            return
        months = {unit.partition(".")[0] for unit in units}
        try:
            names = sorted(p.name for p in self.folder.iterdir())
        except OSError:
            return
        for name in names:
            if name not in units and name.partition(".")[0] in months:
                shutil.rmtree(self.folder / name, ignore_errors=True)

    def is_cached(self, unit: str, key: str) -> bool:
        entry = self.entry(unit, key)
        return entry is not None and entry.is_dir()

    def entry(self, name: str, digest: str) -> Path | None:
        return self.folder / name / digest[:40] if self.folder is not None else None

    def store(self, entry: Path | None, files: dict[str, bytes]) -> None:
        """Keep `files` in the cache; only the newest entry of a unit or year is worth
        keeping, as old ones never match again."""
        if entry is None:
            return
        for old in sorted(entry.parent.iterdir()) if entry.parent.is_dir() else []:
            shutil.rmtree(old, ignore_errors=True)
        store_folder(entry, files)

    def store_unit(
        self, entry: Path | None, kept: dict[str, bytes], code: dict[str, bytes]
    ) -> None:
        """Keep a unit in the cache: its data and word table in its entry, with the name of
        its copy of Pagefind's code, which is stored once for all units that have it."""
        if entry is None or self.folder is None:
            return
        name = code_name(code)
        with self.code_lock:
            if self.code_sets.get(name) is None:
                folder = self.folder / CODE_DIR / name
                if checksums(folder) is None:
                    store_folder(folder, code)
                self.code_sets[name] = code
        self.store(entry, {**kept, CODE: name.encode()})

    def unit(self, unit: str, key: str) -> tuple[dict[str, bytes], WordTable | None] | None:
        """A unit's bundle and word table from the cache, if it holds them (and the copy of
        Pagefind's code it names)."""
        entry = self.entry(unit, key)
        found = load_folder(entry) if entry is not None else None
        if found is None or ENTRY not in found:
            return None
        code = self.code_set(found.pop(CODE, b"").decode("ascii", "replace"))
        if code is None:
            return None
        table = read_word_table(found.pop(WORDS, None))  # not a file of the bundle
        return {**found, **code}, table

    def code_set(self, name: str) -> dict[str, bytes] | None:
        """A copy of Pagefind's code kept in the cache (None if it is not, or is damaged)."""
        if self.folder is None or not _CODE_NAME_RE.fullmatch(name):
            return None
        with self.code_lock:
            if name not in self.code_sets:
                found = load_folder(self.folder / CODE_DIR / name)
                if found is not None and code_name(found) != name:
                    found = None
                self.code_sets[name] = found
            return self.code_sets[name]

    def kept_year(self, entry: Path, year: str, code: bool) -> dict[str, OutputFile] | None:
        """A cached year's files, kept, if the output holds every one (else None)."""
        if self.intact is None:
            return None
        sums = checksums(entry)
        listing = self.listing(entry, sums)
        fragment_sums = self.from_units(listing, checksums) if listing is not None else None
        if not sums or fragment_sums is None:
            return None
        wanted = {rel: sha for rel, sha in sums.items() if rel != FRAGMENTS} | fragment_sums
        wanted = {rel: sha for rel, sha in wanted.items() if code or is_data(rel)}
        prefix = f"{BUNDLE_DIR}/{year}/"
        if not all(self.intact(prefix + rel, sha) for rel, sha in wanted.items()):
            return None
        return {rel: OutputFile(rel, b"", kept=sha) for rel, sha in wanted.items()}

    def listing(self, entry: Path, sums: dict[str, str] | None) -> dict[str, list[str]] | None:
        """Where a cached year's fragments are: path → [unit, its key, path there] (None if
        the entry, with its checksums `sums`, is not a whole year)."""
        if not sums or ENTRY not in sums:
            return None
        if FRAGMENTS not in sums:
            return {}
        try:
            data = (entry / FRAGMENTS).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sums[FRAGMENTS]:
            return None
        listing: dict[str, list[str]] = json.loads(data)
        return listing

    def year(self, entry: Path, year: str, code: bool) -> dict[str, OutputFile] | None:
        """A cached year: kept if the output holds it, else read with its units' fragments."""
        kept = self.kept_year(entry, year, code)
        if kept is not None:
            return kept
        listing = self.listing(entry, checksums(entry))
        if listing is None:
            return None
        files = load_folder(entry)
        fragments = self.from_units(listing, load_folder)
        if files is None or fragments is None:
            return None
        files.pop(FRAGMENTS, None)
        return {rel: OutputFile(rel, data) for rel, data in (files | fragments).items()}

    def from_units(
        self, listing: dict[str, list[str]], read: Callable[[Path], dict[str, T] | None]
    ) -> dict[str, T] | None:
        """A merged year's fragments (path → [unit, its key, path there]) as `read` gives
        them from their units' cache entries: checksums or bytes (None if one is missing)."""
        held: dict[str, dict[str, T] | None] = {}
        found: dict[str, T] = {}
        for rel, (unit, key, there) in listing.items():
            if unit not in held:
                entry = self.entry(unit, key)
                held[unit] = read(entry) if entry is not None else None
            known = held[unit]
            if known is None or there not in known:
                return None
            found[rel] = known[there]
        return found


def code_name(code: dict[str, bytes]) -> str:
    """The name a copy of Pagefind's code is kept under: a digest of its files."""
    digest = hashlib.sha256(f"code {UNIT_VERSION}\n".encode())
    for rel in sorted(code):
        digest.update(rel.encode() + b"\0" + hashlib.sha256(code[rel]).digest())
    return digest.hexdigest()[:40]
