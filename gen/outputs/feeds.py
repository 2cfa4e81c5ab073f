"""Atom (RFC 4287), RSS 2.0 and JSON Feed 1.1 for the site and every section, tag and author."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from types import MappingProxyType
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from gen.cache import Memo, article_digest
from gen.config import SiteConfig, feed_formats
from gen.config_parts import FEED_FORMATS
from gen.markup.sanitize import sanitize
from gen.model import Article, Image, Listing, OutputFile, Site
from gen.outputs.inspect import IMAGE_TYPES
from gen.outputs.spool import made_digest
from gen.urls import url_path

FEED_KINDS = ("front", "section", "tag", "author")
ATOM, RSS, JSON_FEED = "feed.xml", "rss.xml", "feed.json"
EMPTY: Mapping[str, int] = MappingProxyType({})
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # `updated` of a feed with no entries: fixed, not now
# Characters XML 1.0 forbids; a stray control character must not make a feed unreadable.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROOT_LINK = re.compile(r'(\s(?:href|src))="/(?!/)')
_SRCSET = re.compile(r'(\ssrcset)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed's facts, shared by its three formats."""

    title: str
    description: str
    page: str  # site path of the page it mirrors
    base: str  # site path the feed files sit under
    lang: str
    entries: tuple[Article, ...]
    formats: tuple[str, ...] = FEED_FORMATS  # which of the three files it is written as


def feed_paths(base: str, formats: tuple[str, ...] = FEED_FORMATS) -> dict[str, str]:
    """The feed URLs (site paths) of a page at `base`, in `formats` (default all three)."""
    names = {"atom": ATOM, "rss": RSS, "json": JSON_FEED}
    return {kind: base + names[kind] for kind in formats}


def feed_title(listing: Listing, config: SiteConfig) -> str:
    """'The Kyiv Ledger' or 'Diplomacy — The Kyiv Ledger'."""
    return config.title if listing.kind == "front" else f"{listing.title} — {config.title}"


class Extras:
    """What every feed of one build shares: published image sizes, and each article's body
    made absolute and escaped once (an article sits in up to a dozen feeds)."""

    def __init__(self, config: SiteConfig, sizes: Mapping[str, int] = EMPTY) -> None:
        self.config = config
        self.sizes = sizes
        self._html: dict[str, str] = {}
        self._xml: dict[str, str] = {}

    def html(self, article: Article) -> str:
        """The body, sanitised whatever `raw_html` says (feed readers are other people's
        pages), with absolute links."""
        if article.url not in self._html:
            self._html[article.url] = entry_html(self.config, article.body_html)
        return self._html[article.url]

    def xml(self, article: Article) -> str:
        """The body with absolute links, escaped as XML text."""
        if article.url not in self._xml:
            self._xml[article.url] = x(self.html(article))
        return self._xml[article.url]

    def size(self, image: Image) -> int:
        """Bytes of the image as published."""
        return self.sizes.get(image.src, image.length)


def render_feeds(
    site: Site,
    config: SiteConfig,
    sizes: Mapping[str, int] = EMPTY,
    memo: Memo | None = None,
    entry_digest: Callable[[Article], bytes] | None = None,
    intact: Callable[[str, str], bool] | None = None,
    only: Collection[int] | None = None,
    hold: Callable[[OutputFile], OutputFile] | None = None,
) -> list[OutputFile]:
    """Atom, RSS and JSON Feed files for every feed of the site (or of the lists at the
    indices `only`, for a watch save: the memo then keeps the others as they are). `hold`
    takes each file as it is made (to spool it: 90 MB of feeds at 10,000 stories).

    With `memo` (file path → digest of the feed's inputs and sha256 of the file, from the
    last build), a feed whose entries and settings are unchanged and whose files
    `intact(path, sha256)` says are still as written is not rendered: its files come back
    `kept`. `entry_digest` gives an entry's digest (once per build, not once per feed).
    """

    digest_of = entry_digest or article_digest
    keep = hold or (lambda file: file)
    files: list[OutputFile] = []
    extras = Extras(config, sizes)
    seen: set[str] = set()
    listings = site.listings if only is None else [site.listings[i] for i in sorted(only)]
    for feed in (listing_feed(x, config) for x in listings if x.kind in FEED_KINDS):
        if memo is None:
            files.extend(map(keep, render_feed(feed, config, extras)))
            continue
        digest = feed_digest(feed, config, digest_of, sizes)
        paths = [p.lstrip("/") for p in feed_paths(feed.base, feed.formats).values()]
        seen.update(paths)
        known = [memo.get(p) for p in paths]
        if intact is not None and all(
            k is not None and k[0] == digest and intact(p, k[1])
            for p, k in zip(paths, known, strict=True)
        ):
            files.extend(
                OutputFile(p, b"", kept=k[1])
                for p, k in zip(paths, known, strict=True)
                if k is not None
            )
            continue
        made = [keep(file) for file in render_feed(feed, config, extras)]
        for file in made:  # a spooled file's sha256 was taken as it was spooled
            memo[file.path] = (digest, made_digest(file)[0], "", ())
        files.extend(made)
    if memo is not None and only is None:
        for stale in set(memo) - seen:
            del memo[stale]
    return files


def feed_digest(
    feed: Feed,
    config: SiteConfig,
    digest_of: Callable[[Article], bytes],
    sizes: Mapping[str, int] = EMPTY,
) -> str:
    """What a feed's three files are made from: its facts, the settings, its entries and
    the published sizes of their images."""
    images = [a.image.src for a in feed.entries if a.image is not None]
    entries = [digest_of(a) for a in feed.entries]
    state = (replace(feed, entries=()), config, entries, [sizes.get(src) for src in images])
    return hashlib.sha256(pickle.dumps(state, 5)).hexdigest()


def listing_feed(listing: Listing, config: SiteConfig) -> Feed:
    """The feed of a front, section, tag or author page."""
    return Feed(
        title=feed_title(listing, config),
        description=listing.description or config.description,
        page=listing.url,
        base=listing.url,
        lang=config.language,
        entries=listing.articles[: config.feed_entries],
        formats=feed_formats(config, listing.kind),
    )


def render_feed(feed: Feed, config: SiteConfig, extras: Extras | None = None) -> list[OutputFile]:
    """One feed's files: Atom, RSS and JSON Feed, or the formats its list's kind is set to."""
    extras = extras or Extras(config)
    writers = {"atom": atom, "rss": rss, "json": json_feed}
    return [
        OutputFile(path.lstrip("/"), writers[kind](feed, config, extras).encode("utf-8"))
        for kind, path in feed_paths(feed.base, feed.formats).items()
    ]


def absolute(config: SiteConfig, path: str) -> str:
    """A site path as an absolute URL."""
    return config.base_url + path.lstrip("/")


def entry_html(config: SiteConfig, body: str) -> str:
    """A body as a feed carries it: sanitised (links made absolute after, so an http://
    base URL is not taken for an insecure image), unchanged when nothing had to go."""
    return absolute_html(config, sanitize(body))


def absolute_html(config: SiteConfig, html: str) -> str:
    """Body HTML with root-relative links made absolute: a feed has no page to resolve them."""
    parts = urlsplit(config.base_url)
    origin = f"{parts.scheme}://{parts.netloc}/"
    html = _ROOT_LINK.sub(lambda m: f'{m.group(1)}="{origin}', html)

    def srcset(match: re.Match[str]) -> str:
        parts = [c.strip() for c in match.group(2).split(",")]
        fixed = [
            origin + c[1:] if c.startswith("/") and not c.startswith("//") else c for c in parts
        ]
        return f'{match.group(1)}="{", ".join(fixed)}"'

    return _SRCSET.sub(srcset, html)


def x(text: str) -> str:
    """Text escaped for XML content and attributes, forbidden characters removed."""
    return escape(_XML_BAD.sub("", text), {'"': "&quot;"})


def image_type(image: Image) -> str:
    """The media type of an image file, from its name."""
    return IMAGE_TYPES.get("." + image.src.rsplit(".", 1)[-1].lower(), "image/jpeg")


# A story dated without a time (`Article.dated_only`) is shown as the date alone on pages
# and in JSON-LD, but every feed format here needs a time: Atom's published/updated and
# JSON Feed's date_published are RFC 3339 date-times, RSS's pubDate an RFC 822 date-time.
# They carry midnight in the site's time zone, the moment the story sorts and publishes at
# (never UTC midnight, which would move it to the day before west of Greenwich).


def rfc3339(moment: datetime) -> str:
    """2026-01-06T09:30:00+02:00."""
    return moment.replace(microsecond=0).isoformat()


def feed_updated(entries: Sequence[Article]) -> datetime:
    """The newest change among the entries (a fixed date when there are none)."""
    return max((a.modified for a in entries), default=EPOCH)


def atom(feed: Feed, config: SiteConfig, extras: Extras | None = None) -> str:
    """An Atom 1.0 document."""
    self_url = absolute(config, feed_paths(feed.base)["atom"])
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{x(feed.lang)}">',
        f"<title>{x(feed.title)}</title>",
    ]
    if feed.description:
        out.append(f"<subtitle>{x(feed.description)}</subtitle>")
    out += [
        f'<link rel="self" type="application/atom+xml" href="{x(self_url)}"/>',
        f'<link rel="alternate" type="text/html" href="{x(absolute(config, feed.page))}"/>',
        f"<id>{x(self_url)}</id>",
        f"<updated>{rfc3339(feed_updated(feed.entries))}</updated>",
        f"<author><name>{x(config.publisher.name)}</name></author>",
        '<generator uri="https://example.org/dateline">Dateline</generator>',
    ]
    if config.publisher.logo:
        out.append(f"<logo>{x(absolute(config, url_path(config.publisher.logo)))}</logo>")
    extras = extras or Extras(config)
    for article in feed.entries:
        out.extend(atom_entry(article, config, extras))
    out.append("</feed>")
    return "\n".join(out) + "\n"


def atom_entry(article: Article, config: SiteConfig, extras: Extras) -> list[str]:
    """One Atom <entry>."""
    url = absolute(config, article.url)
    out = [
        "<entry>",
        f"<title>{x(article.title)}</title>",
        f'<link rel="alternate" type="text/html" href="{x(url)}"/>',
        f"<id>{x(url)}</id>",
        f"<published>{rfc3339(article.date)}</published>",
        f"<updated>{rfc3339(article.modified)}</updated>",
    ]
    for author in article.authors:
        out.append(
            f"<author><name>{x(author.name)}</name>"
            f"<uri>{x(absolute(config, author.url))}</uri></author>"
        )
    out.append(
        f'<category term="{x(article.section.id)}" label="{x(article.section.title)}" '
        f'scheme="{x(absolute(config, "/section/"))}"/>'
    )
    for tag in article.tags:
        out.append(
            f'<category term="{x(tag.slug)}" label="{x(tag.name)}" '
            f'scheme="{x(absolute(config, "/tag/"))}"/>'
        )
    if article.image is not None:
        image = article.image
        mime = image_type(image)
        out.append(
            f'<link rel="enclosure" type="{mime}" length="{extras.size(image)}" '
            f'href="{x(absolute(config, image.url))}"/>'
        )
    out += [
        f"<summary>{x(article.summary)}</summary>",
        f'<content type="html">{extras.xml(article)}</content>',
        "</entry>",
    ]
    return out


def rss(feed: Feed, config: SiteConfig, extras: Extras | None = None) -> str:
    """An RSS 2.0 document (with the content and Dublin Core modules)."""
    extras = extras or Extras(config)
    self_url = absolute(config, feed_paths(feed.base)["rss"])
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">',
        "<channel>",
        f"<title>{x(feed.title)}</title>",
        f"<link>{x(absolute(config, feed.page))}</link>",
        f"<description>{x(feed.description or feed.title)}</description>",
        f"<language>{x(feed.lang)}</language>",
        f"<lastBuildDate>{format_datetime(feed_updated(feed.entries))}</lastBuildDate>",
        f'<atom:link rel="self" type="application/rss+xml" href="{x(self_url)}"/>',
        "<generator>Dateline</generator>",
    ]
    for article in feed.entries:
        url = absolute(config, article.url)
        out += [
            "<item>",
            f"<title>{x(article.title)}</title>",
            f"<link>{x(url)}</link>",
            f'<guid isPermaLink="true">{x(url)}</guid>',
            f"<pubDate>{format_datetime(article.date)}</pubDate>",
            # RSS has no "updated"; Atom's element says when a correction or update came.
            f"<atom:updated>{rfc3339(article.modified)}</atom:updated>",
        ]
        out += [f"<dc:creator>{x(a.name)}</dc:creator>" for a in article.authors]
        out.append(f"<category>{x(article.section.title)}</category>")
        out += [f"<category>{x(t.name)}</category>" for t in article.tags]
        out.append(f"<description>{x(article.summary)}</description>")
        out.append(f"<content:encoded>{extras.xml(article)}</content:encoded>")
        if article.image is not None:
            image = article.image
            mime = image_type(image)
            out.append(
                f'<enclosure url="{x(absolute(config, image.url))}" '
                f'length="{extras.size(image)}" type="{mime}"/>'
            )
        out.append("</item>")
    out += ["</channel>", "</rss>"]
    return "\n".join(out) + "\n"


def json_feed(feed: Feed, config: SiteConfig, extras: Extras | None = None) -> str:
    """A JSON Feed 1.1 document."""
    extras = extras or Extras(config)
    items = []
    for article in feed.entries:
        url = absolute(config, article.url)
        item: dict[str, object] = {
            "id": url,
            "url": url,
            "title": article.title,
            "summary": article.summary,
            "content_html": extras.html(article),
            "date_published": rfc3339(article.date),
            "date_modified": rfc3339(article.modified),
            "authors": [{"name": a.name, "url": absolute(config, a.url)} for a in article.authors],
            "tags": [article.section.title, *(t.name for t in article.tags)],
            "language": article.lang,
        }
        if article.image is not None:
            item["image"] = absolute(config, article.image.url)
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": absolute(config, feed.page),
        "feed_url": absolute(config, feed_paths(feed.base)["json"]),
        "description": feed.description,
        "language": feed.lang,
        "authors": [{"name": config.publisher.name}],
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def render_live_feeds(site: Site, config: SiteConfig, *, feeds: bool = True) -> list[OutputFile]:
    """An Atom feed of updates for every live blog (not with `feeds=False`: a preview build),
    and its anchor map for moved updates."""
    files = []
    for article in site.articles:
        if article.live is not None:
            if feeds:
                files.append(
                    OutputFile(article.url.lstrip("/") + ATOM, live_atom(article, config).encode())
                )
            anchors = {u.id: u.part for u in article.live.updates}
            files.append(
                OutputFile(
                    article.url.lstrip("/") + "anchors.json",
                    json.dumps(anchors, sort_keys=True).encode(),
                )
            )
    return files


def live_atom(article: Article, config: SiteConfig) -> str:
    """The updates of a live blog, newest first, as Atom entries."""
    live = article.live
    assert live is not None
    self_url = absolute(config, article.url + ATOM)
    updates = live.updates[: config.feed_entries]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{x(article.lang)}">',
        f"<title>{x(article.title)}</title>",
        f"<subtitle>{x(article.summary)}</subtitle>",
        f'<link rel="self" type="application/atom+xml" href="{x(self_url)}"/>',
        f'<link rel="alternate" type="text/html" href="{x(absolute(config, article.url))}"/>',
        f"<id>{x(self_url)}</id>",
        f"<updated>{rfc3339(article.modified)}</updated>",
        f"<author><name>{x(config.publisher.name)}</name></author>",
    ]
    for update in updates:
        url = absolute(config, f"{article.url}part/{update.part}/#update-{update.id}")
        title = update.headline or f"{article.title} ({rfc3339(update.time)})"
        out += [
            "<entry>",
            f"<title>{x(title)}</title>",
            f'<link rel="alternate" type="text/html" href="{x(url)}"/>',
            f"<id>{x(url)}</id>",
            f"<published>{rfc3339(update.time)}</published>",
            f"<updated>{rfc3339(update.time)}</updated>",
        ]
        out += [f"<author><name>{x(a.name)}</name></author>" for a in update.authors]
        out += [
            f'<content type="html">{x(entry_html(config, update.body_html))}</content>',
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"
