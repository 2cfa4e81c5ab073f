"""Pagefind's bundle format: made deterministic, and bundles of small parts merged into one.

Pagefind's data files are gzip-compressed CBOR behind a "pagefind_dcd" signature. A
language's meta file lists its pages (fragment name, word count), its index chunks (first
word, last word, file) and its filters. An index chunk lists words in order, each with its
postings: [page, positions, positions in metadata], where page is the difference from the
word's previous posting. A filter file lists values, each with its pages. Fragments (a
page's URL, excerpt, filters and metadata) do not name their page number, so they move
between bundles unchanged.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
# A merged index chunk closes past this many bytes (before compression): about the size of
# the chunks Pagefind makes (it counts 20,000 numbers), so a search fetches as much.
CHUNK_BYTES = 64 * 1024
# Pagefind's own files compress at about this level; 9 takes four times longer for 2% less.
GZIP_LEVEL = 6


class BundleFormatError(Exception):
    """A bundle holds something Dateline does not know how to read or merge."""


def decode_file(data: bytes) -> Any:
    """A data file's value (the small CBOR subset Pagefind writes)."""
    raw = _raw(data)
    try:
        value, _ = _cbor_decode(raw, len(SIGNATURE))
    except (IndexError, UnicodeDecodeError):
        raise BundleFormatError("Pagefind wrote a file Dateline cannot read") from None
    return value


def encode_file(value: Any) -> bytes:
    """A data file holding `value`."""
    return _compress(SIGNATURE + _cbor_encode(value))


def _raw(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise BundleFormatError("Pagefind wrote a file Dateline does not know")
    return raw


def _compress(raw: bytes) -> bytes:
    return gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0)


def _named(prefix: str, data: bytes, length: int, taken: dict[str, bytes]) -> str:
    """`prefix` and the start of the hash of `data`, longer while another file has that
    name; the name is noted in `taken` (name → data)."""
    digest = hashlib.sha256(data).hexdigest()
    while taken.get(f"{prefix}{digest[:length]}", data) != data:
        length += 1
    taken[f"{prefix}{digest[:length]}"] = data
    return f"{prefix}{digest[:length]}"


def canonical_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with filter files and meta files sorted and renamed by content.

    Pagefind keeps filters in hash maps, so the order of filter values (and of the filter
    list in each language's meta file) changes from run to run, and with it the
    content-hashed file names.
    """
    renamed: dict[str, str] = {}  # old filter name → new
    out = dict(files)
    for path in sorted(files):
        if path.startswith("filter/") and path.endswith(".pf_filter"):
            name, values = decode_file(files[path])[:2]
            data = encode_file([name, sorted(values, key=lambda v: str(v[0]))])
            old = path[len("filter/") : -len(".pf_filter")]
            new = f"{old.split('_', 1)[0]}_{hashlib.sha256(data).hexdigest()[:7]}"
            renamed[old] = new
            del out[path]
            out[f"filter/{new}.pf_filter"] = data
    entry = json.loads(files[ENTRY])
    for lang, info in entry.get("languages", {}).items():
        old_meta = f"pagefind.{info['hash']}.pf_meta"
        if old_meta not in files:
            continue
        meta = decode_file(files[old_meta])
        if len(meta) < 4:
            raise BundleFormatError("Pagefind wrote a meta file Dateline does not know")
        meta[3] = sorted([[n, renamed.get(h, h)] for n, h in meta[3]], key=lambda p: p[0])
        data = encode_file(meta)
        new_hash = f"{lang}_{hashlib.sha256(data).hexdigest()[:10]}"
        del out[old_meta]
        out[f"pagefind.{new_hash}.pf_meta"] = data
        info["hash"] = new_hash
    out[ENTRY] = json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()
    return out


def is_data(rel: str) -> bool:
    """A file that holds index data (the rest is Pagefind's code: scripts, styles, wasm)."""
    return rel == ENTRY or rel.endswith((".pf_meta", ".pf_index", ".pf_filter", ".pf_fragment"))


def merge_bundles(
    parts: list[dict[str, bytes]], tables: Sequence[WordTable | None] = (), *, jobs: int = 1
) -> tuple[dict[str, bytes], dict[str, tuple[int, str]]]:
    """One bundle holding the pages of every part, in order: (its files but the fragments,
    and each fragment's path → (the part holding it, its path there)).

    A year is indexed a month at a time, and a reader's search still loads one bundle per
    year. Page numbers move up by the pages of the parts before, and a word's first posting
    in each part is made relative to its last posting in the parts before; the rest of its
    postings are copied byte for byte. A part's word table (`tables`, each or None), if
    it has one, says where its words are without reading it word by word. The index's
    chunks are compressed on up to `jobs` threads.
    """
    try:
        return _merge(parts, [*tables, *[None] * (len(parts) - len(tables))], jobs)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        # A part missing a file it names, or holding a shape Pagefind never wrote.
        raise BundleFormatError(f"a part cannot be merged ({type(exc).__name__}: {exc})") from None


def _merge(
    parts: list[dict[str, bytes]], tables: list[WordTable | None], jobs: int
) -> tuple[dict[str, bytes], dict[str, tuple[int, str]]]:
    entries = [json.loads(part[ENTRY]) for part in parts]
    versions = {str(entry.get("version")) for entry in entries}
    if len(versions) > 1:
        raise BundleFormatError(f"parts made by different Pagefind versions: {sorted(versions)}")
    files: dict[str, bytes] = {}
    fragments: dict[str, tuple[int, str]] = {}
    languages: dict[str, dict[str, Any]] = {}
    for lang in sorted({lang for entry in entries for lang in entry.get("languages", {})}):
        metas: dict[int, list[Any]] = {}
        wasm = None
        for i, entry in enumerate(entries):
            info = entry.get("languages", {}).get(lang)
            if info is not None:
                wasm = wasm or info.get("wasm")
                metas[i] = decode_file(parts[i][f"pagefind.{info['hash']}.pf_meta"])
        name, page_count = _merge_language(lang, parts, tables, metas, files, fragments, jobs)
        languages[lang] = {"hash": name, "wasm": wasm, "page_count": page_count}
    entry = {**(entries[0] if entries else {}), "languages": languages}
    files[ENTRY] = json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()
    for part in parts:
        for rel, data in part.items():
            if not is_data(rel) and files.setdefault(rel, data) != data:
                raise BundleFormatError(f"parts hold different copies of Pagefind's {rel}")
    return files, fragments


def _merge_language(
    lang: str,
    parts: list[dict[str, bytes]],
    tables: list[WordTable | None],
    metas: dict[int, list[Any]],
    files: dict[str, bytes],
    fragments: dict[str, tuple[int, str]],
    jobs: int,
) -> tuple[str, int]:
    """Merge one language's pages, index and filters into `files` and `fragments`:
    (the meta file's name, the number of pages)."""
    pages: list[list[Any]] = []
    offsets: dict[int, int] = {}
    filters: dict[str, dict[str, list[int]]] = {}
    taken: dict[str, bytes] = {}  # fragment names → data
    rest: list[Any] | None = None
    version = ""
    for i, meta in metas.items():
        # version, pages, index chunks, filters, sorts, then (1.5) the metadata's names,
        # which postings refer to by number: the parts must agree on them.
        if len(meta) < 5 or meta[4]:
            raise BundleFormatError("the index is sorted (data-pagefind-sort): not merged")
        if rest is not None and meta[5:] != rest:
            raise BundleFormatError("parts name different metadata: not merged")
        version, rest = meta[0], meta[5:]
        offsets[i] = len(pages)
        for name, word_count in meta[1]:
            rel = f"fragment/{name}.pf_fragment"
            data = parts[i][rel]
            merged = name
            if taken.setdefault(name, data) != data:  # another part's page has its name
                merged = _named(f"{lang}_", data, len(name) - len(lang), taken)
            fragments[f"fragment/{merged}.pf_fragment"] = (i, rel)
            pages.append([merged, word_count])
        for filter_name, file in meta[3]:
            values = filters.setdefault(filter_name, {})
            for value, value_pages in decode_file(parts[i][f"filter/{file}.pf_filter"])[1]:
                values.setdefault(value, []).extend(offsets[i] + p for p in value_pages)
    names: dict[str, bytes] = {}
    filter_meta: list[list[str]] = []
    for filter_name in sorted(filters):
        listed = [[v, filters[filter_name][v]] for v in sorted(filters[filter_name])]
        data = encode_file([filter_name, listed])
        file = _named(f"{lang}_", data, 7, names)
        files[f"filter/{file}.pf_filter"] = data
        filter_meta.append([filter_name, file])
    chunk_meta = []
    # Equal words come out in the parts' order (heapq.merge keeps the streams' order).
    streams = [_words(parts[i], metas[i][2], offsets[i], tables[i]) for i in metas]
    # zlib lets go of the GIL: the chunks are compressed on threads of their own while the
    # next are merged (at 10,000 stories, 0.4 s of a year's 1.0 s, then on the other cores).
    with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="dateline-gzip") as gzip_pool:
        chunks = [
            (gzip_pool.submit(_compress, SIGNATURE + raw), first, last)
            for raw, first, last in _merged_chunks(heapq.merge(*streams, key=lambda w: w[0]))
        ]
        for compressed, first, last in chunks:
            data = compressed.result()
            file = _named(f"{lang}_", data, 7, names)
            files[f"index/{file}.pf_index"] = data
            chunk_meta.append([first, last, file])
    data = encode_file([version, pages, _bounds(chunk_meta), filter_meta, [], *(rest or [])])
    name = f"{lang}_{hashlib.sha256(data).hexdigest()[:10]}"
    files[f"pagefind.{name}.pf_meta"] = data
    return name, len(pages)


# One number, an array's head, and a posting (capturing its page difference), as CBOR.
_INT = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39]..|[\x1a\x3a]....|[\x1b\x3b].{8})"
_ARRAY = rb"(?:[\x80-\x97]|\x98.|\x99..|\x9a....)"
_UINT = rb"(?:[\x00-\x17]|\x18.|\x19..|\x1a....|\x1b.{8})"
_POSTING = rb"\x83(" + _UINT + rb")" + _ARRAY + _INT + rb"*" + _ARRAY + _INT + rb"*"
_POSTINGS_RE = re.compile(rb"(?:" + _POSTING.replace(b"(", b"(?:", 1) + rb")*", re.DOTALL)
_POSTING_RE = re.compile(_POSTING, re.DOTALL)

# (word, its postings in the part, the part's offset, the word's first and last page in the
# part, the bytes after the first posting's page)
_Word = tuple[str, int, int, int, int, bytes]


# A part's word table (`word_table`): index chunk → [its words, and for each five numbers:
# postings, first page, last page, where the bytes after the first posting's page start in
# the chunk, and where its postings end].
WordTable = dict[str, list[list[Any]]]
TABLE_VERSION = 1  # in a table's JSON: another version is not read


def word_table(part: Mapping[str, bytes]) -> WordTable:
    """What the merge reads of a part's index, word by word: kept with the part in the
    cache (`encode_word_table`), a part merged again (a year with one unit edited) is not
    read again."""
    entry = json.loads(part[ENTRY])
    chunks: WordTable = {}
    for info in entry.get("languages", {}).values():
        meta = decode_file(part[f"pagefind.{info['hash']}.pf_meta"])
        for chunk in meta[2]:
            words: list[str] = []
            numbers: list[int] = []
            for word, *found in _scan(_raw(part[f"index/{chunk[2]}.pf_index"])):
                words.append(word)
                numbers += found
            chunks[chunk[2]] = [words, numbers]
    return chunks


def encode_word_table(table: WordTable) -> bytes:
    """A word table as the JSON `read_word_table` reads."""
    return json.dumps({"version": TABLE_VERSION, "chunks": table}, ensure_ascii=False).encode()


def read_word_table(data: bytes | None) -> WordTable | None:
    """A part's word table, from `encode_word_table`'s JSON (None if it is not one)."""
    try:
        table = json.loads(data) if data is not None else None
    except ValueError:
        return None
    if not isinstance(table, dict) or table.get("version") != TABLE_VERSION:
        return None
    chunks = table.get("chunks")
    return chunks if isinstance(chunks, dict) else None


def _words(
    part: Mapping[str, bytes], chunks: list[Any], offset: int, table: WordTable | None = None
) -> Iterator[_Word]:
    """A part's words in order, each with its postings as bytes (read one chunk at a time,
    word by word unless the part's `table` says where they are)."""
    previous = None
    for chunk in chunks:
        raw = _raw(part[f"index/{chunk[2]}.pf_index"])
        listed = table.get(chunk[2]) if table is not None else None
        if listed is None:
            found: Iterator[tuple[str, int, int, int, int, int]] = _scan(raw)
        else:
            words, numbers = listed
            found = ((w, *numbers[5 * i : 5 * i + 5]) for i, w in enumerate(words))
        for word, postings, first, last, start, end in found:
            if previous is not None and word <= previous:
                raise BundleFormatError(f"the index word {word!r} is not as Dateline knows it")
            if postings:
                yield word, postings, offset, first, last, raw[start:end]
            previous = word


def _scan(raw: bytes) -> Iterator[tuple[str, int, int, int, int, int]]:
    """An index chunk's words in order: (word, its postings, its first page, its last page,
    where the bytes after the first posting's page start, where its postings end)."""
    at = len(SIGNATURE)
    if raw[at] != 0x81:
        raise BundleFormatError("an index chunk Dateline does not know")
    count, at = _head(raw, at + 1, 4)
    for _ in range(count):
        if raw[at] != 0x83:
            raise BundleFormatError("an index word Dateline does not know")
        size, at = _head(raw, at + 1, 3)
        word = raw[at : at + size].decode("utf-8")
        postings, at = _head(raw, at + size, 4)
        run = _POSTINGS_RE.match(raw, at)  # matches, if only the empty run
        end = run.end() if run is not None else at
        deltas = _POSTING_RE.findall(raw, at, end)
        if len(deltas) != postings or raw[end : end + 1] != b"\x80":
            raise BundleFormatError(f"the index word {word!r} is not as Dateline knows it")
        if postings:
            yield word, postings, _uint(deltas[0]), _sum(deltas), at + 1 + len(deltas[0]), end
        else:
            yield word, 0, 0, 0, at, at
        at = end + 1


def _merged_chunks(words: Iterator[_Word]) -> Iterator[tuple[bytes, str, str]]:
    """The merged index as chunks: (chunk's CBOR, its first word, its last word)."""
    entries: list[bytes] = []
    size = 0
    first = ""
    for word, group in itertools.groupby(words, key=lambda w: w[0]):
        last = 0
        count = 0
        body: list[bytes] = []
        for _, postings, offset, page, total, rest in group:
            body += (b"\x83", _cbor_int(0, offset + page - last), rest)
            last = offset + total
            count += postings
        text = word.encode("utf-8")
        entry = b"".join(
            (b"\x83", _cbor_int(3, len(text)), text, _cbor_int(4, count), *body, b"\x80")
        )
        first = first or word
        entries.append(entry)
        size += len(entry)
        if size >= CHUNK_BYTES:
            yield _chunk(entries), first, word
            entries, size, first = [], 0, ""
    if entries:
        yield _chunk(entries), first, word


def _chunk(entries: list[bytes]) -> bytes:
    """An index chunk holding the words `entries` (each a word's CBOR)."""
    return b"\x81" + _cbor_int(4, len(entries)) + b"".join(entries)


def _bounds(chunks: list[list[str]]) -> list[list[str]]:
    """Each chunk's bounds cut, as Pagefind cuts them, to the shortest prefixes that tell
    neighbouring chunks apart: the search loads a chunk by comparing a word's prefix."""
    for left, right in itertools.pairwise(chunks):
        common = len(os.path.commonprefix([left[1], right[0]]))  # noqa: RUF071 (by character)
        left[1], right[0] = left[1][: common + 1], right[0][: common + 1]
    return chunks


def _head(raw: bytes, at: int, major: int) -> tuple[int, int]:
    """The argument of the CBOR head of type `major` at `at`, and where its content starts."""
    kind, arg, after = _cbor_head(raw, at)
    if kind != major:
        raise BundleFormatError("an index chunk Dateline does not know")
    return arg, after


def _uint(data: bytes) -> int:
    """The unsigned integer a CBOR head holds."""
    return data[0] if len(data) == 1 else int.from_bytes(data[1:], "big")


def _sum(numbers: list[bytes]) -> int:
    """The sum of unsigned integers in CBOR, most of them below 24 (one byte each)."""
    joined = b"".join(numbers)
    return sum(joined) if len(joined) == len(numbers) else sum(map(_uint, numbers))


def _cbor_head(data: bytes, at: int) -> tuple[int, int, int]:
    """(major type, argument, position after the head)."""
    first = data[at]
    major, info = first >> 5, first & 0x1F
    if info < 24:
        return major, info, at + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise BundleFormatError("unexpected CBOR in Pagefind's bundle")
    return major, int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def _cbor_decode(data: bytes, at: int) -> tuple[Any, int]:
    major, arg, at = _cbor_head(data, at)
    if major == 0:
        return arg, at
    if major == 1:
        return -1 - arg, at
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
    raise BundleFormatError("unexpected CBOR in Pagefind's bundle")


def _cbor_encode(value: Any) -> bytes:
    if value is None:
        return b"\xf6"
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _cbor_int(0, value) if value >= 0 else _cbor_int(1, -1 - value)
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
