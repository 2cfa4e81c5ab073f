"""The headers a published file is served with, by its path in the output folder: pure
functions, shared by `dateline publish` and the files written for hosts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gen.preview.serve import FEED_TYPES, TYPES

# Names that carry a hash of their content: a new version is a new name, so a browser or CDN
# may keep one for a year. Pagefind's index files (`en_9b3b649.pf_fragment`,
# `pagefind.en_086b16ecc3.pf_meta`), and `static/name.<hash>.css` and the like: the hash is
# at least 8 hex digits and holds a letter, so a date (`logo.20260101.png`) never counts.
FINGERPRINTED = re.compile(
    r"^pagefind/(?:.+/)?[^/]*_[0-9a-f]{7,}\.pf_[a-z]+$"
    r"|^static/(?:.+/)?[^/]+\.(?=[0-9]*[a-f])[0-9a-f]{8,}\.[a-z0-9]+$"
)
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Pages, feeds, sitemaps and the search index's entry points: a correction reaches readers
# within five minutes, and after that a cache asks again (a 304 when nothing changed).
CACHE_PAGE = "public, max-age=300, must-revalidate"
# Images, stylesheets (linked with ?v=<hash>) and other files whose name stays when they change.
CACHE_ASSET = "public, max-age=3600"
PAGE_SUFFIXES = (".html", ".xml", ".json", ".txt")
# Types the preview server does not need but files under content/ may have.
MORE_TYPES = {
    ".gz": "application/gzip",
    ".zip": "application/zip",
    ".csv": "text/csv; charset=utf-8",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".ogg": "audio/ogg",
    ".m4a": "audio/mp4",
}
# Pre-compressed siblings (`compress: true`): `page.html.gz` is `page.html`, gzipped.
ENCODINGS = {".gz": "gzip", ".br": "br"}


@dataclass(frozen=True, slots=True, order=True)
class Headers:
    """What a file is served with; `content_encoding` only for a pre-compressed sibling."""

    content_type: str
    cache_control: str
    content_encoding: str = ""


def content_type(path: str) -> str:
    """The Content-Type of the file at `path` (as written, e.g. `feed.json`, `a.gz`)."""
    name = path.rpartition("/")[2]
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return (
        FEED_TYPES.get(name)
        or TYPES.get(suffix)
        or MORE_TYPES.get(suffix)
        or "application/octet-stream"
    )


def cache_control(path: str) -> str:
    """The Cache-Control of the file at `path`: a year for fingerprinted names, five minutes
    with revalidation for pages, feeds, sitemaps and the search index, an hour otherwise."""
    if FINGERPRINTED.match(path):
        return CACHE_FOREVER
    if path.endswith(PAGE_SUFFIXES) or path.startswith("pagefind/"):
        return CACHE_PAGE
    return CACHE_ASSET


def compressed_original(path: str) -> str:
    """`a.html` for `a.html.gz` or `a.html.br`; '' for a name without those suffixes."""
    for suffix in ENCODINGS:
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)]
    return ""


def headers_for(path: str, *, precompressed: bool = False) -> Headers:
    """The headers of the file at `path`; a `precompressed` sibling (`a.html.gz` beside
    `a.html`) is served as its original, with Content-Encoding."""
    original = compressed_original(path) if precompressed else ""
    if not original:
        return Headers(content_type(path), cache_control(path))
    encoding = ENCODINGS[path[len(original) :]]
    return Headers(content_type(original), cache_control(original), encoding)
