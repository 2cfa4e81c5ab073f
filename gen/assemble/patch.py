"""A watch save's assemble: stories edited in their places, put into the site the session
keeps (pure). A story keeps its place when it stays in the same lists, in the same order,
related to the same stories, with the same files and feeds: only its words changed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from gen.model import Article, Site

# What an edit may change and still leave the story where it was.
TEXT_FIELDS = frozenset(
    {
        "title",
        "summary",
        "standfirst",
        "dateline",
        "body_html",
        "toc",
        "word_count",
        "reading_minutes",
        "sources",
        "inputs",
    }
)
PLACE_FIELDS = tuple(f.name for f in fields(Article) if f.name not in TEXT_FIELDS)


def place_of(article: Article) -> tuple[object, ...]:
    """What decides where a story appears. Its images' file lines (kept for error messages)
    are left out: a paragraph added above a photograph does not move the story."""
    values: list[object] = []
    for name in PLACE_FIELDS:
        value = getattr(article, name)
        if name == "image" and value is not None:
            value = replace(value, ref="")
        elif name == "body_images":
            value = tuple(replace(image, ref="") for image in value)
        elif isinstance(value, datetime):
            value = value.isoformat()  # as printed: another offset for one instant is a move
        values.append(value)
    return tuple(values)


def is_edited(article: Article, old: Article) -> bool:
    """An article is a function of what it was made from: the same inputs, the same story
    (`==` is not enough: a date equals the same instant written in another offset)."""
    return article.inputs != old.inputs or (not article.inputs and article != old)


@dataclass(slots=True)
class SiteIndex:
    """Where each story (by url) sits in a site: its source, the lists that hold it, and the
    stories that show it as related or as a translation."""

    by_source: dict[str, int] = field(default_factory=dict)  # source → index in articles
    listed_in: dict[str, list[int]] = field(default_factory=dict)  # url → listing indices
    related_by: dict[str, list[str]] = field(default_factory=dict)  # url → urls showing it
    translated_by: dict[str, list[str]] = field(default_factory=dict)


def index_site(site: Site) -> SiteIndex:
    """Index a site for patching."""
    index = SiteIndex()
    for i, article in enumerate(site.articles):
        if article.live is None:
            index.by_source[article.source] = i
    listed_in: defaultdict[str, list[int]] = defaultdict(list)
    for i, listing in enumerate(site.listings):
        for article in listing.articles:
            listed_in[article.url].append(i)
    index.listed_in = dict(listed_in)
    for kind, found in (("related", index.related_by), ("translations", index.translated_by)):
        shown: defaultdict[str, list[str]] = defaultdict(list)
        for url, others in getattr(site, kind).items():
            for other in others:
                shown[other.url].append(url)
        found.update(shown)
    return index


def patch_site(site: Site, index: SiteIndex, edited: dict[str, Article]) -> Site:
    """The site with the `edited` stories (by url) in their old ones' places: the lists that
    hold them, and others' related stories and translations."""
    if not edited:
        return site

    def swap(articles: tuple[Article, ...]) -> tuple[Article, ...]:
        return tuple(edited.get(a.url, a) for a in articles)

    listings = list(site.listings)
    for place in sorted({i for url in edited for i in index.listed_in.get(url, ())}):
        listings[place] = replace(listings[place], articles=swap(listings[place].articles))
    related = dict(site.related)
    for url in {u for e in edited for u in index.related_by.get(e, ())}:
        related[url] = swap(related[url])
    translations = dict(site.translations)
    for url in {u for e in edited for u in index.translated_by.get(e, ())}:
        translations[url] = swap(translations[url])
    return replace(
        site,
        articles=swap(site.articles),
        listings=tuple(listings),
        related=related,
        translations=translations,
    )


def lists_holding(index: SiteIndex, urls: set[str]) -> set[int]:
    """The indices of the lists that hold any of these stories."""
    return {i for url in urls for i in index.listed_in.get(url, ())}
