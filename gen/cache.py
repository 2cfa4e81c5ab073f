"""The build cache under `.cache/` beside site.yaml: safe to delete, never trusted blindly."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from gen.config import BuildOptions
    from gen.model import Article
from gen.outputs.state import atomic_write

CACHE_DIR = ".cache"
T = TypeVar("T")


CHECKSUMS = "checksums.json"
# What Dateline keeps in .cache/ is published (converted HTML, encoded images, the search
# index), and a cache may be restored from elsewhere (another branch's CI run): each entry
# is signed with a key kept outside the site, and one that does not verify is a miss.
KEY_ENV = "DATELINE_CACHE_KEY"


def cache_secret() -> bytes:
    """The key that signs the cache: DATELINE_CACHE_KEY (a CI secret, so a restored cache
    is used), else a random key kept in the user's config folder, made on first use."""
    # Asked for every entry (20,000 times in a warm build at 10,000 articles): the answer is
    # remembered per setting, and the home folder looked up only when the key is made.
    return _secret(os.environ.get(KEY_ENV) or "", os.environ.get("XDG_CONFIG_HOME") or "")


@lru_cache(maxsize=4)
def _secret(given: str, config_home: str) -> bytes:
    if given:
        return hashlib.sha256(given.encode("utf-8")).digest()
    home = Path(config_home) if config_home else Path.home() / ".config"
    path = home / "dateline" / "cache-key"
    for _ in range(2):
        try:
            key = path.read_bytes()
            if len(key) >= 32:
                return key
        except OSError:
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue  # made meanwhile by another build: read it
        except OSError:
            break
        key = os.urandom(32)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key
    return os.urandom(32)  # no folder to keep it in: this process's cache only


def sign(*parts: str) -> str:
    """An HMAC of `parts` under the cache's key."""
    return hmac.new(cache_secret(), "\0".join(parts).encode("utf-8"), "sha256").hexdigest()


def _signed_sums(folder: Path) -> dict[str, str] | None:
    """A cache entry's file names and sha256, if its checksums are signed for this entry."""
    try:
        data = json.loads((folder / CHECKSUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    sums, mac = data.get("files"), data.get("mac")
    if not isinstance(sums, dict) or not isinstance(mac, str):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in sums.items()):
        return None
    text = json.dumps(sums, sort_keys=True)
    if not hmac.compare_digest(mac, sign("folder", folder.name, text)):
        return None
    return dict(sums)


def load_folder(folder: Path) -> dict[str, bytes] | None:
    """The files of a cache entry, if its checksums are signed for it and every file
    matches them. An entry that is incomplete, damaged or forged is removed, so it is made
    (and stored) again.
    """
    if not folder.is_dir():
        return None
    sums = _signed_sums(folder)
    if sums is not None:
        try:
            files = {name: (folder / name).read_bytes() for name in sums}
            if all(hashlib.sha256(data).hexdigest() == sums[name] for name, data in files.items()):
                return files
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)
    return None


def checksums(folder: Path) -> dict[str, str] | None:
    """A cache entry's file names and their sha256, without reading the files (None if none,
    or if they are not signed for this entry)."""
    return _signed_sums(folder)


def store_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write a cache entry (files and their checksums) and rename it into place whole.

    A cache that cannot be written is only slower, so failures are ignored.
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    except OSError:
        return
    try:
        for name, data in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        text = json.dumps(sums, sort_keys=True)
        signed = {"files": sums, "mac": sign("folder", folder.name, text)}
        (tmp / CHECKSUMS).write_text(json.dumps(signed, sort_keys=True), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.replace(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


# --- What one build leaves for the next, per output folder ----------------------------------

# Page path (or feed file path) → (digest of its inputs, sha256 of the file, digest of what
# the search index reads of it, the names of what its template read beyond its declared
# inputs: `gen.pages.reads`) as of the last build; the inputs digest covers those reads'
# values, and an empty one never matches. The render stage's `PageMemo`.
MemoEntry = tuple[str, str, str, tuple[str, ...]]
Memo = dict[str, MemoEntry]


def write_state_file(options: BuildOptions) -> Path | None:
    """Where the writer remembers file sizes and times for this output folder, in the cache."""
    if options.cache_dir is None:
        return None
    return options.cache_dir / f"output-{output_key(options)}.json"


def output_key(options: BuildOptions) -> str:
    """The output folder's name in the cache (one site may build into several)."""
    return hashlib.sha256(str(options.output_dir.resolve()).encode()).hexdigest()[:16]


def page_memo_file(options: BuildOptions, kind: str = "pages") -> Path | None:
    """Where each page's (or feed file's) inputs digest and output hash are kept."""
    if options.cache_dir is None:
        return None
    return options.cache_dir / f"{kind}-{output_key(options)}.json"


def read_page_memo(options: BuildOptions, kind: str = "pages") -> Memo | None:
    """The last build's page memo ({} if none or unreadable); None without a cache."""
    path = page_memo_file(options, kind)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(k): (
                str(v[0]),
                str(v[1]),
                str(v[2]) if len(v) > 2 else "",
                tuple(str(r) for r in v[3]) if len(v) > 3 else (),
            )
            for k, v in data["pages"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}  # a missing or foreign memo only means rendering every page


def read_json_cache(options: BuildOptions, name: str) -> dict[str, Any] | None:
    """A JSON object kept in the cache ({} if missing or unreadable; None without a cache)."""
    if options.cache_dir is None:
        return None
    try:
        data = json.loads((options.cache_dir / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json_cache(options: BuildOptions, name: str, data: dict[str, Any]) -> None:
    if options.cache_dir is None:
        return
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        atomic_write(options.cache_dir / f"{name}.json", json.dumps(data).encode("utf-8"))


def write_page_memo(options: BuildOptions, memo: Memo, kind: str = "pages") -> None:
    path = page_memo_file(options, kind)
    if path is None:
        return
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        atomic_write(path, json.dumps({"pages": memo}, sort_keys=True).encode("utf-8"))


def article_digest(article: Article) -> bytes:
    """What an article is, for the render memo: the digest of what it was made from when
    it knows it, else of the article itself."""
    if article.inputs:
        return bytes.fromhex(article.inputs)
    return hashlib.sha256(pickle.dumps(article, 5)).digest()


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
                    mac, _, text = str(value).partition(":")
                    if not hmac.compare_digest(mac, sign(self.table, key, text)):
                        continue  # not written by this machine's Dateline: a miss
                    decoded = self.decode(text)
                    if decoded is not None:
                        found[key] = decoded
        except sqlite3.Error as exc:
            self.warn(f"the {self.table} cache could not be read ({exc}); doing the work")
            self.db = None
            return {}
        return found

    def put_many(self, items: dict[str, T]) -> None:
        """Remember values; a failure only costs speed next time.

        Each row is encoded as SQLite takes it, not all first: a cold build's 100,000
        conversions, encoded at once, held a second copy of every body (1.5 GB at the
        peak of a build with the cmark engine)."""
        if self.db is None or not items:
            return
        rows = (
            (k, f"{sign(self.table, k, text)}:{text}")
            for k, v in items.items()
            if (text := self.encode(v)) is not None
        )
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


TABLES = ("markup", "sources", "checks")
