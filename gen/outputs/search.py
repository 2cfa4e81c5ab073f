"""Static search with Pagefind: an index of the published articles under /pagefind/."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from gen.cache import checksums, load_folder, store_folder
from gen.model import OutputFile

BUNDLE_DIR = "pagefind"


class SearchUnavailable(Exception):
    """Pagefind is not installed or failed: the site builds without search."""


def find_pagefind() -> Path:
    """The Pagefind binary shipped by PyPI's pagefind-bin package."""
    try:
        import pagefind_bin
    except ImportError:
        raise SearchUnavailable(
            "search skipped: Pagefind is not installed (pip install 'pagefind[bin]')"
        ) from None
    try:
        return Path(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError) as exc:
        raise SearchUnavailable(f"search skipped: Pagefind's binary is missing ({exc})") from None


def check_available() -> None:
    """Raise SearchUnavailable unless Pagefind can run."""
    find_pagefind()


# What a reader's browser loads from the primary (newest) part only: the search code, its
# styles and the WebAssembly. The other parts are merged in as data and need none of it.
_CODE_SUFFIXES = (".js", ".css")
_CODE_PREFIX = "wasm."


def build_index(
    pages: list[tuple[str, OutputFile, str]],
    cache_dir: Path | None = None,
    *,
    reuse_latest: bool = False,
    load: Callable[[OutputFile], bytes] | None = None,
    intact: Callable[[str, str], bool] | None = None,
) -> list[OutputFile]:
    """The Pagefind bundles for `pages`: (group, output file, digest of what Pagefind reads
    of it) of each article to index.

    Each group (a year) gets its own bundle at /pagefind/<group>/; the search page loads
    the newest and merges the others, so publishing a story re-indexes only its year.
    Pagefind reads a folder, so a group's pages are staged in a temporary one: the output
    folder is written once, by the writer, after everything has succeeded. Each bundle is
    kept in the cache under the hash of its pages, so an unchanged year is not re-indexed.
    `load` gives a page's bytes (a page `kept` from the last build is read from the output).
    A cached bundle already in the output, as `intact(path, sha256)` says, comes back kept.
    """
    binary = find_pagefind()
    groups: dict[str, list[tuple[OutputFile, str]]] = {}
    for group, page, key in pages:
        groups.setdefault(group, []).append((page, key))
    newest = max(groups, default="")
    files: list[OutputFile] = []
    for group in sorted(groups):
        bundle = _group_bundle(
            binary,
            group,
            groups[group],
            cache_dir,
            reuse_latest,
            load or (lambda p: p.data),
            intact,
            code=group == newest,
        )
        for rel in sorted(bundle):
            if group == newest or not _is_code(rel):
                files.append(replace(bundle[rel], path=f"{BUNDLE_DIR}/{group}/{rel}"))
    return files


_SPACE_RE = re.compile(r"\s+")
_IGNORED_RE = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*\bdata-pagefind-ignore\b[^>]*>")


def indexed_digest(html: bytes) -> str:
    """A digest of what Pagefind reads of a page: the page without the elements marked
    `data-pagefind-ignore` (related links, say), unless they hold filters or metadata.

    Keys the search cache, so a change Pagefind would not see does not re-index a year.
    """
    text = html.decode("utf-8")
    kept: list[str] = []
    at = 0
    for match in _IGNORED_RE.finditer(text):
        if match.start() < at:
            continue  # inside an element already left out
        end = _element_end(text, match.group(1), match.end())
        if (
            end is None
            or "data-pagefind-filter" in text[match.start() : end]
            or ("data-pagefind-meta" in text[match.start() : end])
        ):
            continue
        kept.append(text[at : match.start()])
        at = end
    kept.append(text[at:])
    # Runs of white space read as one: a block left out leaves no trace behind.
    read = _SPACE_RE.sub(" ", "".join(kept))
    return hashlib.sha256(read.encode("utf-8")).hexdigest()


def _element_end(text: str, tag: str, start: int) -> int | None:
    """Where the element whose start tag ends at `start` closes (None if it does not)."""
    depth = 1
    pattern = re.compile(rf"<(/?){re.escape(tag)}\b[^>]*>", re.IGNORECASE)
    for match in pattern.finditer(text, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return None


def _is_code(rel: str) -> bool:
    return rel.endswith(_CODE_SUFFIXES) or rel.startswith(_CODE_PREFIX)


def _group_bundle(
    binary: Path,
    group: str,
    pages: list[tuple[OutputFile, str]],
    cache_dir: Path | None,
    reuse_latest: bool,
    load: Callable[[OutputFile], bytes],
    intact: Callable[[str, str], bool] | None,
    *,
    code: bool = True,
) -> dict[str, OutputFile]:
    """One group's bundle (path in the bundle → file): from the cache, or from Pagefind.

    A cached bundle whose every file the output already holds (by its checksum) is not
    read: its files come back `kept` (without Pagefind's code unless `code`: only the newest
    group's is published).
    """
    digest = hashlib.sha256(binary.name.encode())
    for page, key in sorted(pages, key=lambda p: p[0].path):
        digest.update(page.path.encode() + b"\0" + key.encode())
    folder = cache_dir / "search" / group if cache_dir is not None else None
    cached = folder / digest.hexdigest()[:40] if folder is not None else None
    if reuse_latest and folder is not None and folder.is_dir():
        # Preview: any bundle of this group will do; a save must not wait for Pagefind.
        latest = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        cached = latest[0] if latest else cached
    if cached is not None:
        sums = checksums(cached)
        prefix = f"{BUNDLE_DIR}/{group}/"
        if (
            sums
            and "pagefind-entry.json" in sums
            and intact is not None
            and all(intact(prefix + r, sha) for r, sha in sums.items() if code or not _is_code(r))
        ):
            return {
                rel: OutputFile(rel, b"", kept=sha)
                for rel, sha in sums.items()
                if code or not _is_code(rel)
            }
        found = load_folder(cached)
        if found is not None and "pagefind-entry.json" in found:
            return {rel: OutputFile(rel, data) for rel, data in found.items()}
    bundle = _run_pagefind(binary, [page for page, _ in pages], load)
    if folder is not None and cached is not None:
        # Only the newest bundle of a group is worth keeping: old ones never match again.
        for old in sorted(folder.iterdir()) if folder.is_dir() else []:
            shutil.rmtree(old, ignore_errors=True)
        store_folder(cached, bundle)
    return {rel: OutputFile(rel, data) for rel, data in bundle.items()}


def _run_pagefind(
    binary: Path, pages: list[OutputFile], load: Callable[[OutputFile], bytes]
) -> dict[str, bytes]:
    """Index `pages` with the Pagefind binary and return its (made deterministic) bundle."""
    with tempfile.TemporaryDirectory(prefix="dateline-search-", dir=_staging_root()) as tmp:
        site = Path(tmp) / "site"
        bundle = Path(tmp) / "bundle"
        for page in pages:
            target = site / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(load(page))
        site.mkdir(exist_ok=True)
        run = subprocess.run(
            [str(binary), "--site", str(site), "--output-path", str(bundle), "--quiet"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if run.returncode != 0:
            detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no message"]
            raise SearchUnavailable(f"search skipped: Pagefind failed: {detail[0]}")
        found = {
            p.relative_to(bundle).as_posix(): p.read_bytes()
            for p in bundle.rglob("*")
            if p.is_file()
        }
    return canonical_bundle(found)


def _staging_root() -> str | None:
    """Where to stage pages for Pagefind: memory (/dev/shm) when the system offers it, as
    creating thousands of files on disk costs more than indexing them; else the temp folder."""
    shm = "/dev/shm"
    return shm if Path(shm).is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


# --- Making Pagefind's bundle deterministic ------------------------------------------------
# Pagefind keeps filters in hash maps, so the order of filter values (and of the filter list
# in each language's meta file) changes from run to run, and with it the content-hashed file
# names. We sort both and rename the files by the hash of their sorted contents. The files
# are gzip-compressed CBOR behind a "pagefind_dcd" signature; only the small CBOR subset
# Pagefind writes (integers, strings, arrays, null, booleans) is needed.

_SIGNATURE = b"pagefind_dcd"


def canonical_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with filter files and meta files sorted and renamed by content."""
    renamed: dict[str, str] = {}  # old filter hash → new
    out = dict(files)
    for path in sorted(files):
        if path.startswith("filter/") and path.endswith(".pf_filter"):
            name, values = _decode_file(files[path])
            values = sorted(values, key=lambda v: str(v[0]))
            data = _encode_file([name, values])
            old = path[len("filter/") : -len(".pf_filter")]
            new = f"{old.split('_', 1)[0]}_{hashlib.sha256(data).hexdigest()[:7]}"
            renamed[old] = new
            del out[path]
            out[f"filter/{new}.pf_filter"] = data
    entry = json.loads(files["pagefind-entry.json"])
    for lang, info in entry.get("languages", {}).items():
        old_meta = f"pagefind.{info['hash']}.pf_meta"
        if old_meta not in files:
            continue
        meta = _decode_file(files[old_meta])
        for i, part in enumerate(meta):
            if isinstance(part, list) and part and all(_is_filter_ref(p) for p in part):
                meta[i] = sorted([[n, renamed.get(h, h)] for n, h in part], key=lambda p: p[0])
        data = _encode_file(meta)
        new_hash = f"{lang}_{hashlib.sha256(data).hexdigest()[:10]}"
        del out[old_meta]
        out[f"pagefind.{new_hash}.pf_meta"] = data
        info["hash"] = new_hash
    out["pagefind-entry.json"] = json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()
    return out


def _is_filter_ref(part: object) -> bool:
    return (
        isinstance(part, list)
        and len(part) == 2
        and all(isinstance(p, str) for p in part)
        and "_" in str(part[1])
    )


def _decode_file(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(_SIGNATURE):
        raise SearchUnavailable("search skipped: Pagefind wrote a file Dateline does not know")
    value, _ = _cbor_decode(raw, len(_SIGNATURE))
    return value


def _encode_file(value: Any) -> bytes:
    raw = _SIGNATURE + _cbor_encode(value)
    return gzip.compress(raw, compresslevel=9, mtime=0)


def _cbor_head(data: bytes, at: int) -> tuple[int, int, int]:
    """(major type, argument, position after the head)."""
    first = data[at]
    major, info = first >> 5, first & 0x1F
    if info < 24:
        return major, info, at + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise SearchUnavailable("search skipped: unexpected CBOR in Pagefind's bundle")
    return major, int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def _cbor_decode(data: bytes, at: int) -> tuple[Any, int]:
    major, arg, at = _cbor_head(data, at)
    if major == 0:
        return arg, at
    if major == 2:
        return bytes(data[at : at + arg]), at + arg
    if major == 3:
        return data[at : at + arg].decode("utf-8"), at + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = _cbor_decode(data, at)
            items.append(item)
        return items, at
    if major == 7 and arg in (20, 21, 22):
        return {20: False, 21: True, 22: None}[arg], at
    raise SearchUnavailable("search skipped: unexpected CBOR in Pagefind's bundle")


def _cbor_encode(value: Any) -> bytes:
    if value is None:
        return b"\xf6"
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _cbor_int(0, value)
    if isinstance(value, bytes):
        return _cbor_int(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_int(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_int(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def _cbor_int(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")
