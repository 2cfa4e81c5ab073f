"""Which pages the site has, at which paths, with which template and facts (pure)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from functools import lru_cache, partial

from gen.assemble.live import part_path
from gen.config import SiteConfig, feed_formats
from gen.model import Article, Listing, Site
from gen.outputs.feeds import Feed, feed_paths, feed_title
from gen.outputs.search import bundle_of
from gen.pages.i18n import format_month, translate
from gen.pages.lite import lite_article_job, lite_list_job, lite_list_jobs
from gen.pages.page import (
    CORRECTIONS_PATH,
    FEED_TYPES,
    LITE_LISTS,
    LITE_PREFIX,
    Alternate,
    FeedLink,
    Job,
    Page,
    PlanMemo,
    _one,
    _remembered,
    page_count,
)
from gen.pages.preview import mark_job
from gen.pages.structured import collection_page, live_blog_posting, news_article
from gen.source.fields import is_query_alias
from gen.urls import page_path

# What a page is planned from: a story ("article", url), its text-only copy and its old
# addresses, a list ("listing", kind, key) and its text-only pages, or a page of the site's
# own ("corrections",), ("archive",), ("search",), ("404",). A page is made again by
# planning its unit again on the new site: the same function for every build.
Unit = tuple[str, ...]


def plan_pages(site: Site, config: SiteConfig, memo: PlanMemo | None = None) -> Iterator[Job]:
    """Every page of the site, in a stable order.

    With `memo` (a watch session's), an article whose page is made from the same objects
    as last time gets the same job back, so its digest need not be computed again.
    """
    planner = Planner(site, config, memo)
    for unit in planner.units():
        yield from planner.jobs(unit)


class Planner:
    """Plans the pages of one site, a unit at a time; for a preview build (`preview_at`, its
    clock) each page as a preview makes it (`mark_job`)."""

    def __init__(
        self,
        site: Site,
        config: SiteConfig,
        memo: PlanMemo | None = None,
        preview_at: datetime | None = None,
    ) -> None:
        self.site = site
        self.config = config
        self.memo = memo
        self.preview_at = preview_at
        self.site_feeds = feed_links(config.title, "/", feed_formats(config, "front"))
        if memo is not None and memo.get("config", ((), ()))[0] != (config,):
            memo.clear()
            memo["config"] = ((config,), ())
        self._articles: dict[str, Article] | None = None
        self._listings: dict[tuple[str, str], Listing] | None = None

    def units(self) -> Iterator[Unit]:
        """Every unit of the site, in the order its pages are made."""
        site = self.site
        for article in site.articles:
            yield ("article", article.url)
        for listing in site.listings:
            yield ("listing", listing.kind, listing.key)
        yield from (("corrections",), ("archive",))
        if self.config.search:
            yield ("search",)
        yield ("404",)
        for listing in site.listings:
            if listing.kind in LITE_LISTS:
                yield ("lite_list", listing.kind, listing.key)
        for article in site.articles:
            yield ("lite_article", article.url)
        for article in site.articles:
            if any(not is_query_alias(alias) for alias in article.aliases):
                yield ("aliases", article.url)

    def article(self, url: str) -> Article:
        if self._articles is None:
            self._articles = {a.url: a for a in self.site.articles}
        return self._articles[url]

    def listing(self, kind: str, key: str) -> Listing:
        if self._listings is None:
            self._listings = {(x.kind, x.key): x for x in self.site.listings}
        return self._listings[(kind, key)]

    def jobs(self, unit: Unit) -> tuple[Job, ...]:
        """The pages of one unit (KeyError if the site has no such story or list)."""
        jobs = self._planned(unit)
        if self.preview_at is None:
            return jobs
        return tuple(mark_job(job, self.preview_at, self.config.tz) for job in jobs)

    def _planned(self, unit: Unit) -> tuple[Job, ...]:
        site, config, memo = self.site, self.config, self.memo
        kind = unit[0]
        if kind == "article":
            article = self.article(unit[1])
            if article.live is not None:
                return tuple(live_jobs(article, site, config, self.site_feeds))
            inputs = (
                article,
                site.related.get(article.url, ()),
                site.translations.get(article.url, ()),
                article.url in site.expired,
            )
            make = partial(_one, article_job, article, site, config, self.site_feeds)
            return _remembered(memo, ("article", id(article)), inputs, make)
        if kind == "listing":
            listing = self.listing(unit[1], unit[2])
            # A list is the same when its facts are equal and it holds the same articles.
            facts = (replace(listing, articles=()), listing.articles)
            key = ("listing", listing.kind, listing.key)
            return _remembered(memo, key, facts, partial(listing_jobs, listing, config))
        if kind == "lite_list":
            return tuple(lite_list_jobs(self.listing(unit[1], unit[2]), config))
        if kind == "lite_article":
            article = self.article(unit[1])
            lite = partial(_one, lite_article_job, article)
            return _remembered(memo, ("lite", id(article)), (article,), lite)
        if kind == "aliases":
            article = self.article(unit[1])
            # A query alias (/?p=1164) has no page: only the host's redirect rules serve it.
            pages = [alias for alias in article.aliases if not is_query_alias(alias)]
            return tuple(redirect_job(article, alias) for alias in pages)
        if kind == "corrections":
            return (corrections_job(site, config),)
        return (self.own_page(kind),)

    def page(self, unit: Unit, position: int) -> Job:
        """The page at `position` among its unit's pages, planned alone (a list of a
        thousand pages is not planned again for one of them)."""
        kind = unit[0]
        if kind == "listing":
            job = listing_page_job(self.listing(unit[1], unit[2]), self.config, position + 1)
        elif kind == "lite_list":
            job = lite_list_job(self.listing(unit[1], unit[2]), self.config, position + 1)
        else:
            return self.jobs(unit)[position]
        if self.preview_at is None:
            return job
        return mark_job(job, self.preview_at, self.config.tz)

    def own_page(self, kind: str) -> Job:
        """The archive index, the search page or the 404 page."""
        site, config = self.site, self.config
        lang = config.language
        if kind == "archive":
            return Job(
                "archive_index.html",
                Page(
                    "archive_index",
                    "/archive/",
                    translate("archive", lang),
                    "",
                    lang,
                    feeds=self.site_feeds,
                    jsonld=collection_page("/archive/", translate("archive", lang), config),
                    modified=max((a.modified for a in site.articles), default=None),
                ),
            )
        if kind == "search":
            # The index comes in one part per year, the newest first (it holds Pagefind's code).
            groups = sorted({bundle_of(search_group(a, config)) for a in site.articles})[::-1]
            return Job(
                "search.html",
                Page("search", "/search/", translate("search", lang), "", lang),
                {"search_bundles": tuple(f"/pagefind/{g}/" for g in groups)},
            )
        return Job(
            "404.html",
            Page("404", "/404.html", translate("not_found", lang), "", lang, public=False),
        )


def redirect_job(article: Article, alias: str) -> Job:
    """A page at an old path that sends readers to the article."""
    return Job(
        "redirect.html",
        Page(
            "redirect",
            alias,
            article.title,
            "",
            article.lang,
            public=False,
            source=f"{article.source}: alias {alias}",
        ),
        {"target": article},
        derived=True,
    )


def corrections_job(site: Site, config: SiteConfig) -> Job:
    """/corrections/: every corrected article, the latest correction first."""
    lang = config.language
    corrected = corrected_articles(site)
    return Job(
        "corrections.html",
        Page(
            "corrections",
            CORRECTIONS_PATH,
            translate("corrections", lang),
            translate("corrections_intro", lang),
            lang,
            feeds=(
                FeedLink(
                    FEED_TYPES[0][1], translate("corrections", lang), CORRECTIONS_PATH + "feed.xml"
                ),
            ),
            modified=corrected[0].modified if corrected else None,
            jsonld=collection_page(CORRECTIONS_PATH, translate("corrections", lang), config),
        ),
        {"articles": corrected},
    )


@lru_cache(maxsize=4096)
def feed_links(title: str, base: str, formats: tuple[str, ...]) -> tuple[FeedLink, ...]:
    """Links to the feed at `base` in each of its `formats` (a section's, for each of its
    articles: made once)."""
    paths = feed_paths(base, formats)
    return tuple(FeedLink(mime, title, paths[key]) for key, mime in FEED_TYPES if key in paths)


def article_job(
    article: Article, site: Site, config: SiteConfig, site_feeds: tuple[FeedLink, ...]
) -> Job:
    """An article page with its JSON-LD, feeds, translations and related stories."""
    translations = site.translations.get(article.url, ())
    section_feed = feed_links(
        f"{article.section.title} — {config.title}",
        article.section.url,
        feed_formats(config, "section"),
    )
    page = Page(
        kind="article",
        path=article.url,
        title=article.title,
        description=article.summary,
        lang=article.lang,
        image=article.image,
        feeds=(*site_feeds, section_feed[0]),
        jsonld=news_article(article, config),
        alternates=tuple(Alternate(a.lang, a.url, a.title) for a in translations),
        modified=article.modified,
        searchable=True,
        search_group=search_group(article, config),
        lite=LITE_PREFIX + article.url,
    )
    return Job(
        "article.html",
        page,
        {
            "article": article,
            "related": site.related.get(article.url, ()),
            "translations": translations,
            "expired": article.url in site.expired,
        },
        derived=True,
    )


def search_group(article: Article, config: SiteConfig) -> str:
    """The unit of the search index an article is in: the month it was published ("2026-03").

    Publishing or editing a story re-indexes only its month, and no unit grows without end;
    a year's units are published as one bundle (`search.bundle_of`).
    """
    published = article.date.astimezone(config.tz)
    return f"{published.year:04d}-{published.month:02d}"


def live_jobs(
    article: Article, site: Site, config: SiteConfig, site_feeds: tuple[FeedLink, ...]
) -> Iterator[Job]:
    """A live blog: the newest updates at its URL, then every part at a stable address."""
    live = article.live
    assert live is not None
    base = article.url
    feeds = (*site_feeds, FeedLink(FEED_TYPES[0][1], article.title, base + "feed.xml"))
    context = {
        "article": article,
        "related": site.related.get(article.url, ()),
        "translations": site.translations.get(article.url, ()),
        "expired": article.url in site.expired,
    }
    for part in range(live.parts, 0, -1):
        updates = tuple(u for u in live.updates if u.part == part)
        main = part == live.parts
        path = base if main else part_path(article.slug, part)
        page = Page(
            kind="live",
            path=path,
            title=article.title
            if main
            else f"{article.title} — {translate('page', config.language)} {live.parts - part + 1}",
            description=article.summary,
            lang=article.lang,
            number=live.parts - part + 1,
            count=live.parts,
            prev=None
            if main
            else (base if part + 1 == live.parts else part_path(article.slug, part + 1)),
            next=part_path(article.slug, part - 1) if part > 1 else None,
            image=article.image,
            feeds=feeds,
            jsonld=live_blog_posting(article, updates, config),
            modified=article.modified,
            searchable=main,
            search_group=search_group(article, config) if main else "",
            lite=LITE_PREFIX + base if main else None,
        )
        yield Job("live.html", page, {**context, "updates": updates, "part": part})
    # The newest part also gets its stable address, so a shared link outlives the front page.
    if live.parts >= 1:
        newest = tuple(u for u in live.updates if u.part == live.parts)
        yield Job(
            "live.html",
            Page(
                kind="live",
                path=part_path(article.slug, live.parts),
                title=article.title,
                description=article.summary,
                lang=article.lang,
                number=1,
                count=live.parts,
                next=part_path(article.slug, live.parts - 1) if live.parts > 1 else None,
                feeds=feeds,
                modified=article.modified,
                public=False,
                canonical=base,
            ),
            {**context, "updates": newest, "part": live.parts},
        )


def listing_jobs(listing: Listing, config: SiteConfig) -> Iterator[Job]:
    """The pages of one list, `per_page` articles each; an empty list still gets page 1."""
    for number in range(1, page_count(listing, config.per_page) + 1):
        yield listing_page_job(listing, config, number)


def listing_page_job(listing: Listing, config: SiteConfig, number: int) -> Job:
    """Page `number` of a list."""
    lang = config.language
    per = config.per_page
    count = page_count(listing, per)
    template = "index.html" if listing.kind == "front" else "list.html"
    feeds: tuple[FeedLink, ...] = ()
    if listing.kind in ("front", "section", "tag", "author"):
        feeds = feed_links(
            feed_title(listing, config), listing.url, feed_formats(config, listing.kind)
        )
    heading = listing_title(listing, lang)
    path = page_path(listing.url, number)
    title = heading if number == 1 else f"{heading} — {translate('page', lang)} {number}"
    chunk = listing.articles[(number - 1) * per : number * per]
    page = Page(
        kind=listing.kind,
        path=path,
        title=title,
        description=listing.description,
        lang=lang,
        number=number,
        count=count,
        prev=page_path(listing.url, number - 1) if number > 1 else None,
        next=page_path(listing.url, number + 1) if number < count else None,
        feeds=feeds,
        jsonld=collection_page(path, title, config),
        modified=max((a.modified for a in chunk), default=None),
        lite=LITE_PREFIX + listing.url if listing.kind in LITE_LISTS else None,
    )
    return Job(template, page, {"listing": listing, "articles": chunk}, derived=True)


def listing_title(listing: Listing, lang: str) -> str:
    """The heading of a list page."""
    if listing.kind == "archive":
        year, month = listing.key.split("-")
        return f"{translate('month_archive', lang)}: {format_month(int(year), int(month), lang)}"
    return listing.title


def corrected_articles(site: Site) -> tuple[Article, ...]:
    """Published articles with corrections, the most recently corrected first."""
    corrected = [a for a in site.articles if a.corrections]
    return tuple(sorted(corrected, key=lambda a: (a.corrections[-1].date, a.url), reverse=True))


def corrections_feed(site: Site, config: SiteConfig) -> Feed:
    """The feed of /corrections/: corrected articles, the latest correction first."""
    return Feed(
        title=f"Corrections — {config.title}",
        description=config.description,
        page=CORRECTIONS_PATH,
        base=CORRECTIONS_PATH,
        lang=config.language,
        entries=corrected_articles(site)[: config.feed_entries],
    )
