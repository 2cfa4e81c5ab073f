"""Which files under content/ a build publishes (pure): every file that is not an image, and
the images that published stories, authors or the publisher show or link to.

An image nothing uses is neither processed nor published: re-encoding a newsroom's whole
photo folder cost minutes, and an unprocessed photo would carry its EXIF (GPS, camera
serial) to the web. `unused_images` lists them for `dateline check`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from gen.config import SiteConfig
from gen.model import Article, Author, OutputFile
from gen.outputs.inspect import Inspection
from gen.source.read import Asset

IMAGE_KINDS = ("raster", "svg")
# `\b(?:href|src)="…"` read the same, at a quarter of the speed (Python's regex engine
# scans for a literal start far faster than for a word boundary): the boundary is checked
# on each match instead.
_LINK_RE = re.compile(r'(?:href|src)="([^"]*)"')

# id(article) → (the article, the files it shows or links to), for one build.
UsedFiles = dict[int, tuple[Article, frozenset[str]]]


def published_assets(
    assets: tuple[Asset, ...],
    kinds: Mapping[str, Inspection],
    visible: Iterable[Article],
    authors: Mapping[str, Author],
    config: SiteConfig,
    seen: UsedFiles | None = None,
) -> tuple[OutputFile, ...]:
    """Files under content/ to publish: all but the images no published story, author or
    the publisher uses. An embargoed story's photograph must not be reachable before the
    story is, nor a photo no one chose to publish. (`seen`: as for `used_files`.)"""
    paths = {asset.path for asset in assets}
    used = used_files(visible, authors, config, paths, seen)
    return tuple(
        OutputFile(a.path, a.data)
        for a in assets
        if a.path in used or not is_image(kinds.get(a.path))
    )


def unused_images(
    assets: tuple[Asset, ...],
    kinds: Mapping[str, Inspection],
    articles: Iterable[Article],
    authors: Mapping[str, Author],
    config: SiteConfig,
    seen: UsedFiles | None = None,
) -> tuple[str, ...]:
    """Images under content/ (paths relative to it) that no story, published or not, no
    author and not the publisher shows or links to: never published, so `check` says so.
    (`seen`: as for `used_files`.)"""
    paths = {asset.path for asset in assets}
    used = used_files(articles, authors, config, paths, seen)
    return tuple(
        sorted(a.path for a in assets if a.path not in used and is_image(kinds.get(a.path)))
    )


def is_image(inspection: Inspection | None) -> bool:
    """True for a file that is an image by its bytes (raster or SVG)."""
    return inspection is not None and inspection.kind in IMAGE_KINDS


def used_files(
    articles: Iterable[Article],
    authors: Mapping[str, Author],
    config: SiteConfig,
    paths: set[str],
    seen: UsedFiles | None = None,
) -> set[str]:
    """The files under content/ (of `paths`) that `articles`, the authors' avatars and the
    publisher's logo show, or that the articles' bodies link to. Each article's are noted
    in `seen`, if given, for the next call with the same `paths` (a build asks twice: of
    the published stories, and of them all)."""
    used = {config.publisher.logo} | {
        a.avatar.src for a in authors.values() if a.avatar is not None
    }
    seen = {} if seen is None else seen
    for article in articles:
        found = seen.get(id(article))
        if found is None or found[0] is not article:
            shown = {image.src for image in article.body_images}
            if article.image is not None:
                shown.add(article.image.src)
            found = seen[id(article)] = (
                article,
                frozenset(shown | linked_files(article, config, paths)),
            )
        used |= found[1]
    return used & paths


def linked_files(article: Article, config: SiteConfig, paths: set[str]) -> set[str]:
    """The files under content/ (of `paths`) an article's body, or its live updates', link
    to or show in raw HTML (`href` and `src`, root-relative or absolute to the site)."""
    origin = _origin(config.base_url)
    found: set[str] = set()
    for _, body in article.bodies:
        for value in _links_in(body):
            url = html.unescape(value)
            if url.startswith(origin + "/"):
                url = url[len(origin) :]  # a link written with the site's address
            if not url.startswith(config.base_path):
                continue
            rel = unquote(re.split(r"[?#]", url[len(config.base_path) :], maxsplit=1)[0])
            if rel in paths:
                found.add(rel)
    return found


@lru_cache(maxsize=8)  # asked for each story
def _origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=1 << 16)  # bounded: a watch session sees every edit of every body
def _links_in(body: str) -> tuple[str, ...]:
    """The values of the `href` and `src` attributes in `body`'s HTML, in order (a watch
    session asks again of the bodies a save did not change)."""
    return tuple(
        match.group(1)
        for match in _LINK_RE.finditer(body)
        if match.start() == 0 or not _is_word(body[match.start() - 1])
    )


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"
