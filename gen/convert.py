"""The markup stage: every Markdown body converted once, from the cache or on a process pool.

The result is an engine-shaped object whose `convert(text)` answers from the precomputed
results, so the assemble stage stays pure and does not know where conversions came from.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from gen import __version__, markup
from gen.markup import Rendered
from gen.model import Heading

T = TypeVar("T")

PARALLEL_MIN = 64  # below this many conversions a pool costs more than it saves
CHUNK = 16  # documents per task: few enough round trips, small enough to balance


class Engine(Protocol):
    """Anything that converts Markdown: MarkdownEngine, the cmark engine, or this stage."""

    def convert(self, text: str) -> Rendered: ...


EngineFactory = Callable[[], Engine]


class Converted:
    """Precomputed conversions, looked up by text; anything missing is converted on demand."""

    def __init__(self, results: dict[str, Rendered], fallback: EngineFactory) -> None:
        self.results = results
        self.fallback = fallback
        self._engine: Engine | None = None

    def convert(self, text: str) -> Rendered:
        """The conversion of `text`."""
        found = self.results.get(text)
        if found is not None:
            return found
        if self._engine is None:
            self._engine = self.fallback()
        return self._engine.convert(text)


class SqliteCache(Generic[T]):
    """Values in a table of SQLite under .cache/, keyed by a hash, stored as JSON text.

    A cache that cannot be opened or read (corrupt, foreign, locked) is set aside with a
    warning and the build goes on without it; an entry that does not decode is ignored:
    a cache is never trusted over doing the work (and holds data, never code).
    """

    def __init__(
        self,
        path: Path | None,
        warn: Callable[[str], None],
        table: str,
        encode: Callable[[T], str | None],
        decode: Callable[[str], T | None],
    ) -> None:
        self.db: sqlite3.Connection | None = None
        self.warn = warn
        self.table = table
        self.encode = encode
        self.decode = decode
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = self._open(path)
        except (sqlite3.Error, OSError) as exc:
            warn(f"the cache {path} could not be used ({exc}); it was set aside")
            self._reset(path)

    def _open(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=5)
        for table in TABLES:  # every table, so a file made by one stage serves the others
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT)")
        db.execute(f"SELECT count(*) FROM {self.table}").fetchone()  # proves it is a database
        return db

    def _reset(self, path: Path) -> None:
        try:
            path.unlink(missing_ok=True)
            self.db = self._open(path)
        except (sqlite3.Error, OSError):
            self.db = None

    def get_many(self, keys: Iterable[str]) -> dict[str, T]:
        """The cached values among `keys`."""
        if self.db is None:
            return {}
        found: dict[str, T] = {}
        wanted = list(keys)
        try:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                marks = ",".join("?" * len(batch))
                rows = self.db.execute(
                    f"SELECT key, value FROM {self.table} WHERE key IN ({marks})", batch
                )
                for key, value in rows:
                    decoded = self.decode(value)
                    if decoded is not None:
                        found[key] = decoded
        except sqlite3.Error as exc:
            self.warn(f"the {self.table} cache could not be read ({exc}); doing the work")
            self.db = None
            return {}
        return found

    def put_many(self, items: dict[str, T]) -> None:
        """Remember values; a failure only costs speed next time."""
        if self.db is None or not items:
            return
        rows = [(k, text) for k, v in items.items() if (text := self.encode(v)) is not None]
        try:
            with self.db:
                self.db.executemany(
                    f"INSERT OR REPLACE INTO {self.table} (key, value) VALUES (?, ?)", rows
                )
        except sqlite3.Error as exc:
            self.warn(f"the {self.table} cache could not be written ({exc})")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


TABLES = ("markup", "sources")


def MarkupCache(path: Path | None, warn: Callable[[str], None]) -> SqliteCache[Rendered]:  # noqa: N802 (reads as the class it makes)
    """Conversions, keyed by the text's hash and the settings."""
    return SqliteCache(path, warn, "markup", _to_json, _from_json)


def convert_all(
    texts: Iterable[str],
    settings: str,
    factory: EngineFactory,
    cache: SqliteCache[Rendered],
    jobs: int,
    memo: dict[str, tuple[str, Rendered]] | None = None,
) -> tuple[Converted, int, int]:
    """Convert every text once: (results, how many came from the cache, how many were made).

    `memo` (a watch session's: text → (settings, result)) answers before the cache does.
    """
    unique = list(dict.fromkeys(texts))
    results: dict[str, Rendered] = {}
    if memo is not None:
        for text in unique:
            known = memo.get(text)
            if known is not None and known[0] == settings:
                results[text] = known[1]
    keys = {text: _key(text, settings) for text in unique if text not in results}
    hits = cache.get_many(keys.values())
    results.update({text: hits[key] for text, key in keys.items() if key in hits})
    missing = [text for text in unique if text not in results]
    made = _convert(missing, factory, jobs)
    results.update(made)
    cache.put_many({keys[text]: rendered for text, rendered in made.items()})
    if memo is not None:
        memo.clear()
        memo.update({text: (settings, rendered) for text, rendered in results.items()})
    return Converted(results, factory), len(unique) - len(made), len(made)


def _convert(texts: list[str], factory: EngineFactory, jobs: int) -> dict[str, Rendered]:
    if jobs <= 1 or len(texts) < PARALLEL_MIN or "fork" not in get_all_start_methods():
        engine = factory()
        return {text: engine.convert(text) for text in texts}
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    # fork: the workers inherit the factory (a closure) instead of pickling it.
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=get_context("fork"),
        initializer=_start_worker,
        initargs=(factory,),
    ) as pool:
        converted = pool.map(_convert_chunk, chunks)
        return {
            text: r
            for chunk, rs in zip(chunks, converted, strict=True)
            for text, r in zip(chunk, rs, strict=True)
        }


# Each worker process holds one engine for its lifetime; it lives only in that process.
_worker_engine: list[Engine] = []


def _start_worker(factory: EngineFactory) -> None:
    _worker_engine.append(factory())


def _convert_chunk(texts: list[str]) -> list[Rendered]:
    engine = _worker_engine[0]
    return [engine.convert(text) for text in texts]


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def engine_version(engine: str) -> str:
    """The installed version of the library behind an engine (part of the cache key)."""
    package = "cmarkgfm" if engine == "cmark" else "markdown"
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def settings_key(*parts: str) -> str:
    """Everything besides the text that shapes a conversion, as one string: the settings,
    the library versions, and the source of Dateline's own markup code, so a change to it
    never serves a stale conversion."""
    code = hashlib.sha256()
    here = Path(markup.__file__ or "").parent
    for name in ("markup.py", "markup_cmark.py"):
        code.update((here / name).read_bytes())
    return "|".join((__version__, code.hexdigest()[:16], *parts))


def _key(text: str, settings: str) -> str:
    return hashlib.sha256(f"{settings}\0{text}".encode()).hexdigest()


def _to_json(rendered: Rendered) -> str:
    return json.dumps(
        {
            "html": rendered.html,
            "toc": [[h.level, h.id, h.text] for h in rendered.toc],
            "first": rendered.first_paragraph,
            "words": rendered.word_count,
            "images": [list(i) for i in rendered.images],
        },
        ensure_ascii=False,
    )


def _from_json(value: Any) -> Rendered | None:
    """A cached conversion, or None if the entry is not one we wrote."""
    try:
        data = json.loads(value)
        return Rendered(
            html=str(data["html"]),
            toc=tuple(Heading(int(a), str(b), str(c)) for a, b, c in data["toc"]),
            first_paragraph=str(data["first"]),
            word_count=int(data["words"]),
            images=tuple((str(s), str(a)) for s, a in data["images"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
