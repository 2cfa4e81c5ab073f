"""The build cache under `.cache/` beside site.yaml: safe to delete, never trusted blindly."""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from gen import __version__
from gen.config import BuildOptions
from gen.images import ENCODER_VERSION, render_variants
from gen.model import Article, OutputFile, Variant
from gen.write import atomic_write

CACHE_DIR = ".cache"


CHECKSUMS = "checksums.json"


def load_folder(folder: Path) -> dict[str, bytes] | None:
    """The files of a cache entry, if every one matches the checksum stored with it.

    An entry that is incomplete or damaged is removed, so it is made (and stored) again.
    """
    if not folder.is_dir():
        return None
    try:
        sums = json.loads((folder / CHECKSUMS).read_text(encoding="utf-8"))
        files = {name: (folder / name).read_bytes() for name in sums}
        if all(hashlib.sha256(data).hexdigest() == sums[name] for name, data in files.items()):
            return files
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    shutil.rmtree(folder, ignore_errors=True)
    return None


def checksums(folder: Path) -> dict[str, str] | None:
    """A cache entry's file names and their sha256, without reading the files (None if none)."""
    try:
        sums = json.loads((folder / CHECKSUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(sums, dict) and all(isinstance(v, str) for v in sums.values()):
        return {str(k): v for k, v in sums.items()}
    return None


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
        (tmp / CHECKSUMS).write_text(json.dumps(sums, sort_keys=True), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.replace(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


class ImageCache:
    """Processed image variants, keyed by the source bytes and the variants asked for.

    Each entry is a folder renamed into place only when complete, so a crash mid-write
    leaves no half entry; an entry missing a file is made again.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root / "images" if root is not None else None
        self.hits = 0
        self.misses = 0

    def variants(self, data: bytes, variants: tuple[Variant, ...]) -> list[OutputFile]:
        """The encoded variants of an image, from the cache or made now (ValueError if corrupt)."""
        key = self.key(data, variants)
        folder = self.root / key if self.root is not None else None
        found = load_folder(folder) if folder is not None else None
        if found is not None and all(_name(v) in found for v in variants):
            self.hits += 1
            return [OutputFile(v.path, found[_name(v)]) for v in variants]
        self.misses += 1
        files = render_variants(data, variants)
        if folder is not None:
            self.store(folder, variants, files)
        return files

    @staticmethod
    def key(data: bytes, variants: tuple[Variant, ...]) -> str:
        """Content hash of the source plus everything that shapes the output."""
        digest = hashlib.sha256(data)
        digest.update(ENCODER_VERSION.encode())
        for v in variants:
            digest.update(f"|{v.width}x{v.height}:{v.mime}:{_name(v)}".encode())
        return digest.hexdigest()[:40]

    def store(self, folder: Path, variants: tuple[Variant, ...], files: list[OutputFile]) -> None:
        """Keep the encoded variants of one image."""
        store_folder(folder, {_name(v): f.data for v, f in zip(variants, files, strict=True)})


def _name(variant: Variant) -> str:
    return variant.path.rsplit("/", 1)[-1]


# --- What one build leaves for the next, per output folder ----------------------------------

# Page path (or feed file path) → (digest of its inputs, sha256 of the file, digest of what
# the search index reads of it) as of the last build; an empty inputs digest never matches
# (the page read more of the site than the digest covers). The render stage's `PageMemo`.
Memo = dict[str, tuple[str, str, str]]


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
            str(k): (str(v[0]), str(v[1]), str(v[2]) if len(v) > 2 else "")
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


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of Dateline's own code: a new version may render the same inputs differently."""
    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def article_digest(article: Article) -> bytes:
    """What an article is, for the render memo: the digest of what it was made from when
    it knows it, else of the article itself."""
    if article.inputs:
        return bytes.fromhex(article.inputs)
    return hashlib.sha256(pickle.dumps(article, 5)).digest()
