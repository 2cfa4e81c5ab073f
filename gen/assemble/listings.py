"""Published articles → the lists that get pages, related stories and translation groups."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from gen.assemble.related import RelatedMemo, related_remembered
from gen.config import SiteConfig
from gen.model import Article, Author, Listing, Month, OutputFile, Section, Site, Tag


def link_site(
    articles: tuple[Article, ...],
    config: SiteConfig,
    sections: dict[str, Section],
    authors: dict[str, Author],
    files: tuple[OutputFile, ...],
    *,
    now: datetime,
    next_embargo: Article | None = None,
    related_memo: RelatedMemo | None = None,
) -> Site:
    """Group published articles (newest first) into lists; expired ones keep only their page."""
    expired = frozenset(a.url for a in articles if a.expires is not None and a.expires <= now)
    listed = tuple(a for a in articles if a.url not in expired)
    by_section: dict[str, list[Article]] = defaultdict(list)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    by_author: dict[str, list[Article]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[Article]] = defaultdict(list)
    tags: dict[str, Tag] = {}
    tz = config.tz
    for article in listed:  # newest first, so every group is too
        by_section[article.section.id].append(article)
        for tag in article.tags:
            by_tag[tag.slug].append(article)
            tags.setdefault(tag.slug, tag)
        for author in article.authors:
            by_author[author.id].append(article)
        local = article.date.astimezone(tz)
        by_month[(local.year, local.month)].append(article)
    months = tuple(
        Month(y, m, f"/archive/{y:04d}/{m:02d}/") for (y, m) in sorted(by_month, reverse=True)
    )
    sorted_tags = tuple(sorted(tags.values(), key=lambda t: t.slug))
    sorted_authors = tuple(sorted(authors.values(), key=lambda a: a.id))
    # A running live blog leads the front page, as rolling coverage does on news sites.
    running = tuple(a for a in listed if a.live is not None and a.live.status == "live")
    front = running + tuple(a for a in listed if a not in running)
    listings = [Listing("front", "", config.title, "/", front, config.description)]
    listings += [
        Listing("section", s.id, s.title, s.url, tuple(by_section[s.id]), s.description)
        for s in sections.values()
    ]
    listings += [Listing("tag", t.slug, t.name, t.url, tuple(by_tag[t.slug])) for t in sorted_tags]
    listings += [
        Listing("author", a.id, a.name, a.url, tuple(by_author[a.id]), a.bio, a)
        for a in sorted_authors
    ]
    listings += [
        Listing(
            "archive",
            f"{m.year:04d}-{m.month:02d}",
            f"{m.year:04d}-{m.month:02d}",
            m.url,
            tuple(by_month[(m.year, m.month)]),
        )
        for m in months
    ]
    return Site(
        articles=articles,
        sections=tuple(sections.values()),
        tags=sorted_tags,
        authors=sorted_authors,
        months=months,
        listings=tuple(listings),
        files=files,
        # Related stories come only from listed ones; expired pages still get theirs.
        related=related_remembered(listed, config.related_count, articles, related_memo),
        translations=translation_groups(articles),
        expired=expired,
        next_embargo=next_embargo,
    )


def translation_groups(articles: tuple[Article, ...]) -> dict[str, tuple[Article, ...]]:
    """url → the published articles that are the same story in other languages."""
    by_slug = {a.slug: a for a in articles}
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        root = article.translation_of or article.slug
        if root in by_slug or article.translation_of == "":
            groups[root].append(article)
    result: dict[str, tuple[Article, ...]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda a: (a.lang, a.url))
        for article in ordered:
            result[article.url] = tuple(a for a in ordered if a is not article)
    return result
