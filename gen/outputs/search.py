"""Static search with Pagefind: an index of the published articles under /pagefind/."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from gen.model import OutputFile
from gen.outputs import pagefind_run
from gen.outputs.pagefind_format import (
    BundleFormatError,
    WordTable,
    encode_word_table,
    is_data,
    merge_bundles,
    word_table,
)
from gen.outputs.search_cache import BUNDLE_DIR, FRAGMENTS, UNIT_VERSION, WORDS, SearchCache

# A unit's bundle, its word table, and (when Pagefind made it) what keeps it in the cache.
_Unit = tuple[dict[str, bytes], WordTable | None, Callable[[], None] | None]
T = TypeVar("T")


MERGE_VERSION = "1"  # in each year's cache key: a change to merging makes years again
# Pages in a unit of the index, on average at most. Pagefind holds about 300 KB a page (40 MB
# for 100 pages, 670 MB for a month of 2,200), and two run at once on two cores; a unit costs
# Pagefind 10 ms to start, so at 10,000 stories halving the months costs no measurable time.
UNIT_PAGES = 100


def bundle_of(unit: str) -> str:
    """The bundle (a year, "2026") that holds a unit of the index (a month, "2026-03")."""
    return unit.partition("-")[0]


def start_index(
    pages: list[tuple[str, OutputFile, str]],
    cache_dir: Path | None = None,
    *,
    reuse_latest: bool = False,
    load: Callable[[OutputFile], bytes] | None = None,
    intact: Callable[[str, str], bool] | None = None,
    jobs: int = 1,
    hold: Callable[[OutputFile], OutputFile] | None = None,
) -> IndexWork:
    """The Pagefind bundles for `pages`: (month, output file, digest of what Pagefind reads
    of it) of each article to index, made in two steps. This one finds the years the
    output already holds; the `IndexWork` it returns makes the rest, beside the build (on
    a thread, or in a process of its own: `gen.engine.forked`). Finding a year kept takes
    a stat of each of its files (4,000 at 10,000 stories): here, before the build goes on,
    0.03 s; on a thread beside a build busy in Python, each stat waits for the
    interpreter's lock again, and it took ten times that.

    Pagefind indexes each unit (a month, or a share of a busy month) on its own, and the
    units of a year are merged into one bundle at /pagefind/<year>/; the search page loads
    the newest year and merges the others. Publishing or editing a story re-indexes its unit
    only, and Pagefind never holds more than a unit in memory. Pagefind reads a folder, so
    a unit's pages are staged in a temporary one: the output folder is written once, by the
    writer, after everything has succeeded. Units and years are kept in the cache under the
    hash of their pages. `load` gives a page's bytes (a page `kept` from the last build is
    read from the output). A cached year already in the output, as `intact(path, sha256)`
    says, comes back kept. Up to `jobs` units are indexed at once. `hold` takes each file of
    a year as the year is done (to spool it: a year's bundle weighs up to a few tens of MB).
    """
    binary = pagefind_run.find_pagefind()
    months: dict[str, list[tuple[OutputFile, str]]] = {}
    for month, page, key in pages:
        months.setdefault(month, []).append((page, key))
    years: dict[str, dict[str, list[tuple[OutputFile, str]]]] = {}
    for month in sorted(months):
        for unit, share in shares(month, months[month]):
            years.setdefault(bundle_of(month), {})[unit] = share
    newest = max(years, default="")
    index = _Index(binary, cache_dir, load or (lambda p: p.data), intact, jobs)
    plans = {year: index.plan(year, years[year], code=year == newest) for year in sorted(years)}
    to_index = sum(len(plan.misses) for plan in plans.values())
    return IndexWork(partial(_built, index, years, plans, newest, reuse_latest, hold), to_index)


@dataclass(frozen=True, slots=True)
class IndexWork:
    """What `start_index` leaves to do (call it), and how many units Pagefind must index."""

    finish: Callable[[], list[OutputFile]]
    to_index: int

    def __call__(self) -> list[OutputFile]:
        return self.finish()


def _built(
    index: _Index,
    years: dict[str, dict[str, list[tuple[OutputFile, str]]]],
    plans: dict[str, _Year],
    newest: str,
    reuse_latest: bool,
    hold: Callable[[OutputFile], OutputFile] | None,
) -> list[OutputFile]:
    """Every year's files: kept as planned, or from the cache, or indexed and merged."""
    ordered = sorted(years)
    files: list[OutputFile] = []
    # Pagefind runs in its own process, one unit at a time: units run side by side. A year
    # is merged here while Pagefind goes on with the next year's units.
    pool = ThreadPoolExecutor(max(1, index.jobs), thread_name_prefix="dateline-pagefind")
    try:
        index.cache.forget_others({unit for units in years.values() for unit in units})

        def start(year: str) -> Callable[[], dict[str, OutputFile]]:
            return index.start(pool, plans[year], years[year], reuse_latest)

        started = [start(year) for year in ordered[:1]]
        for at, year in enumerate(ordered):
            started += [start(following) for following in ordered[at + 1 : at + 2]]
            bundle = started.pop(0)()
            for rel in sorted(bundle):
                if year == newest or is_data(rel):
                    file = replace(bundle[rel], path=f"{BUNDLE_DIR}/{year}/{rel}")
                    files.append(_placed(file, index.cache.intact, hold))
    finally:
        pool.shutdown(cancel_futures=True)
    return files


def _placed(
    file: OutputFile,
    intact: Callable[[str, str], bool] | None,
    hold: Callable[[OutputFile], OutputFile] | None,
) -> OutputFile:
    """A file of a merged year: kept where the output already holds it, as it does most of
    a year with one story edited (its other units' fragments: 3,000 files at 10,000
    stories, not spooled and renamed again for nothing), else held."""
    if file.kept or not file.data:
        return file
    if intact is not None:
        digest = hashlib.sha256(file.data).hexdigest()
        if intact(file.path, digest):
            return OutputFile(file.path, b"", kept=digest)
    return hold(file) if hold is not None else file


def shares(
    month: str, pages: list[tuple[OutputFile, str]]
) -> list[tuple[str, list[tuple[OutputFile, str]]]]:
    """A month's units of the index: the month itself, or, past UNIT_PAGES pages, shares of
    it named "2026-03.0", "2026-03.1"…

    A page's share is fixed by a hash of its path, not by its place in the month, so an
    edit or a new story re-indexes one share; only a month growing past a multiple of
    UNIT_PAGES deals its pages out again.
    """
    count = -(-len(pages) // UNIT_PAGES)
    if count <= 1:
        return [(month, pages)]
    dealt: list[list[tuple[OutputFile, str]]] = [[] for _ in range(count)]
    for page, key in pages:
        hashed = int.from_bytes(hashlib.sha256(page.path.encode()).digest()[:8], "big")
        dealt[hashed % count].append((page, key))
    return [(f"{month}.{i}", share) for i, share in enumerate(dealt) if share]


@dataclass(frozen=True, slots=True)
class _Year:
    """What `_Index.plan` found of a year before it is built."""

    year: str
    code: bool  # Pagefind's code is published with it (the newest year)
    keys: dict[str, str]  # unit → the key of its pages
    cached: Path | None  # its cache entry, if there is a cache
    kept: dict[str, OutputFile] | None  # its files, if the output already holds them
    # Units for Pagefind to index: those the cache lacks, unless the year is kept or merged
    # in the cache already.
    misses: frozenset[str]


class _Index:
    """Where units and years come from: the cache, Pagefind, or a merge of units."""

    def __init__(
        self,
        binary: Path,
        cache_dir: Path | None,
        load: Callable[[OutputFile], bytes],
        intact: Callable[[str, str], bool] | None,
        jobs: int = 1,
    ) -> None:
        self.binary = binary
        self.jobs = jobs  # units indexed at once, and threads compressing a year's chunks
        self.cache = SearchCache(cache_dir, intact)
        self.load = load
        self.code: dict[str, bytes] = {}  # Pagefind's scripts and styles, one copy for all units

    def plan(
        self, year: str, units: dict[str, list[tuple[OutputFile, str]]], *, code: bool
    ) -> _Year:
        """A year's units' keys, its cache entry, and its files if the output already holds
        the cached year by their checksums (they come back `kept`, without Pagefind's code
        unless `code`: only the newest year's is published)."""
        keys = {unit: self._key(units[unit]) for unit in sorted(units)}
        digest = hashlib.sha256(f"merged {MERGE_VERSION}\n".encode())
        for unit, key in keys.items():
            digest.update(f"{unit}\0{key}\n".encode())
        cached = self.cache.entry(year, digest.hexdigest())
        kept = self.cache.kept_year(cached, year, code) if cached is not None else None
        merged = kept is not None or (cached is not None and cached.is_dir())
        misses = frozenset(
            unit for unit, key in keys.items() if not merged and not self.cache.is_cached(unit, key)
        )
        return _Year(year, code, keys, cached, kept, misses)

    def start(
        self,
        pool: ThreadPoolExecutor,
        plan: _Year,
        units: dict[str, list[tuple[OutputFile, str]]],
        reuse_latest: bool,
    ) -> Callable[[], dict[str, OutputFile]]:
        """One year's bundle (path in the bundle → file), given by the function returned:
        the year's units are on the `pool` meanwhile."""
        if plan.kept is not None:
            kept = plan.kept
            return lambda: kept
        cached = plan.cached
        looked = [cached] if cached is not None else []
        if reuse_latest and cached is not None and cached.parent.is_dir():
            # Preview: any bundle of this year will do; a save must not wait for Pagefind.
            looked = sorted(p for p in cached.parent.iterdir() if not p.name.startswith("."))
        for entry in looked[:1]:
            found = self.cache.year(entry, plan.year, plan.code)
            if found is not None:
                return lambda: found
        # Units Pagefind must index go first: loading the others from the cache is quick.
        order = sorted(plan.keys, key=lambda unit: unit not in plan.misses)
        futures = {
            unit: pool.submit(self._unit, unit, units[unit], plan.keys[unit]) for unit in order
        }
        results: list[Callable[[], _Unit]] = [futures[unit].result for unit in plan.keys]
        return partial(self._merged, pool, results, units, plan.keys, cached)

    def _merged(
        self,
        pool: ThreadPoolExecutor,
        results: list[Callable[[], _Unit]],
        units: dict[str, list[tuple[OutputFile, str]]],
        keys: dict[str, str],
        cached: Path | None,
    ) -> dict[str, OutputFile]:
        """A year's bundle, merged from its units' (as `results` give them), and kept in the
        cache at `cached`. The units Pagefind made are kept in the cache on the `pool` while
        the year is merged: writing a unit's files is no part of the merge (0.2 s of an
        edit's 0.9 s index at 10,000 stories), and both mostly wait on the disk and on zlib."""
        done = [result() for result in results]
        stored = [pool.submit(store) for _, _, store in done if store is not None]
        parts = [part for part, _, _ in done]
        try:
            merged, fragments = merge_bundles(
                parts, [table for _, table, _ in done], jobs=self.jobs
            )
        except BundleFormatError:
            # A bundle the merge does not know (sorted results, say): index the year whole.
            pages = [page for unit in keys for page, _ in units[unit]]
            bundle = pagefind_run.run_pagefind(self.binary, pages, self.load)
            self.cache.store(cached, bundle)
            return {rel: OutputFile(rel, data) for rel, data in bundle.items()}
        finally:
            for future in stored:
                future.result()
        units_of = list(keys)
        listing = {
            rel: [units_of[i], keys[units_of[i]], there] for rel, (i, there) in fragments.items()
        }
        self.cache.store(
            cached, {**merged, FRAGMENTS: json.dumps(listing, sort_keys=True).encode()}
        )
        merged.update({rel: parts[i][there] for rel, (i, there) in fragments.items()})
        return {rel: OutputFile(rel, data) for rel, data in merged.items()}

    def _key(self, pages: list[tuple[OutputFile, str]]) -> str:
        digest = hashlib.sha256(f"{self.binary.name}\0{UNIT_VERSION}\n".encode())
        for page, key in sorted(pages, key=lambda p: p[0].path):
            digest.update(page.path.encode() + b"\0" + key.encode())
        return digest.hexdigest()

    def _unit(self, unit: str, pages: list[tuple[OutputFile, str]], key: str) -> _Unit:
        """One unit's bundle, from the cache or from Pagefind, and its word table: kept in
        the cache beside it, so that a year merged again reads only its new units word by
        word (at 10,000 stories, 0.25 s of an edited year's 0.7 s merge)."""
        found = self.cache.unit(unit, key)
        if found is not None:
            return self._shared(found[0]), found[1], None
        entry = self.cache.entry(unit, key)
        bundle = pagefind_run.run_pagefind(self.binary, [page for page, _ in pages], self.load)
        try:
            made: WordTable | None = word_table(bundle)
        except (BundleFormatError, KeyError, IndexError, TypeError, ValueError):
            made = None  # the merge refuses the bundle too, and says so
        shared = self._shared(bundle)  # kept until stored: Pagefind's code once, not per unit
        kept = {rel: data for rel, data in shared.items() if is_data(rel)}
        code = {rel: data for rel, data in shared.items() if not is_data(rel)}
        if made is not None:
            kept[WORDS] = encode_word_table(made)
        return shared, made, partial(self.cache.store_unit, entry, kept, code)

    def _shared(self, bundle: dict[str, bytes]) -> dict[str, bytes]:
        """`bundle`, holding the copy of Pagefind's code the other units hold where it is
        the same (600 KB a unit, a year's units all held at once to be merged)."""
        for rel, data in bundle.items():
            if not is_data(rel) and self.code.setdefault(rel, data) == data:
                bundle[rel] = self.code[rel]
        return bundle
