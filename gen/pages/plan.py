"""Which pages the site has, at which paths, with which template and facts (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import lru_cache, partial

from gen.assemble.live import part_path
from gen.config import SiteConfig
from gen.model import Article, Listing, Site
from gen.outputs.feeds import Feed, feed_paths, feed_title
from gen.pages.i18n import format_month, translate
from gen.pages.lite import lite_article_job, lite_jobs, lite_list_job
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
from gen.pages.structured import collection_page, live_blog_posting, news_article
from gen.urls import page_path


def plan_pages(site: Site, config: SiteConfig, memo: PlanMemo | None = None) -> Iterator[Job]:
    """Every page of the site, in a stable order.

    With `memo` (a watch session's), an article whose page is made from the same objects
    as last time gets the same job back, so its digest need not be computed again.
    """
    lang = config.language
    site_feeds = feed_links(config.title, "/")
    if memo is not None and memo.get("config", ((), ()))[0] != (config,):
        memo.clear()
        memo["config"] = ((config,), ())
    for article in site.articles:
        if article.live is None:
            inputs = (
                article,
                site.related.get(article.url, ()),
                site.translations.get(article.url, ()),
                article.url in site.expired,
            )
            yield from _remembered(
                memo,
                ("article", id(article)),
                inputs,
                partial(_one, article_job, article, site, config, site_feeds),
            )
        else:
            yield from live_jobs(article, site, config, site_feeds)
    for listing in site.listings:
        # A list is the same when its facts are equal and it holds the same articles.
        facts = (replace(listing, articles=()), listing.articles)
        key = ("listing", listing.kind, listing.key)
        yield from _remembered(memo, key, facts, partial(listing_jobs, listing, config))
    yield corrections_job(site, config)
    yield Job(
        "archive_index.html",
        Page(
            "archive_index",
            "/archive/",
            translate("archive", lang),
            "",
            lang,
            feeds=site_feeds,
            jsonld=collection_page("/archive/", translate("archive", lang), config),
            modified=max((a.modified for a in site.articles), default=None),
        ),
    )
    if config.search:
        # The index comes in one part per year, the newest first (it holds Pagefind's code).
        groups = sorted({search_group(a, config) for a in site.articles}, reverse=True)
        yield Job(
            "search.html",
            Page("search", "/search/", translate("search", lang), "", lang),
            {"search_bundles": tuple(f"/pagefind/{g}/" for g in groups)},
        )
    yield Job(
        "404.html", Page("404", "/404.html", translate("not_found", lang), "", lang, public=False)
    )
    yield from lite_jobs(site, config, memo)
    for article in site.articles:
        for alias in article.aliases:
            yield redirect_job(article, alias)


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


def remake_job(
    job: Job,
    site: Site,
    config: SiteConfig,
    articles: Mapping[str, Article],
    listings: Mapping[tuple[str, str], Listing],
) -> Job | None:
    """`job` made again for `site`, in which the `articles` (by url) and `listings` (by kind
    and key) were replaced by new versions that sit in the same places: the same function
    makes it as `plan_pages` did. None for a page it does not know how to make alone."""
    kind = job.page.kind
    context = job.context
    if kind in ("article", "lite_article", "redirect"):
        old = context["target" if kind == "redirect" else "article"]
        article = articles.get(old.url, old)
        if kind == "article":
            return article_job(article, site, config, feed_links(config.title, "/"))
        if kind == "lite_article":
            return lite_article_job(article)
        return redirect_job(article, job.page.path)
    if kind == "corrections":
        return corrections_job(site, config)
    if kind == "live":
        article = articles.get(context["article"].url, context["article"])
        feeds = feed_links(config.title, "/")
        return next(
            (j for j in live_jobs(article, site, config, feeds) if j.page == job.page), None
        )
    listing = context.get("listing")
    if isinstance(listing, Listing):
        listing = listings.get((listing.kind, listing.key), listing)
        if kind == "lite_list":
            return lite_list_job(listing, config, job.page.number)
        return listing_page_job(listing, config, job.page.number)
    for value in context.values():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Article | Listing):
                return None  # made from stories in a way this does not know
    return job  # shows no story (the 404 page, say): the same job


@lru_cache(maxsize=4096)
def feed_links(title: str, base: str) -> tuple[FeedLink, ...]:
    """Links to the three formats of the feed at `base` (a section's, for each of its
    articles: made once)."""
    paths = feed_paths(base)
    return tuple(FeedLink(mime, title, paths[key]) for key, mime in FEED_TYPES)


def article_job(
    article: Article, site: Site, config: SiteConfig, site_feeds: tuple[FeedLink, ...]
) -> Job:
    """An article page with its JSON-LD, feeds, translations and related stories."""
    translations = site.translations.get(article.url, ())
    section_feed = feed_links(f"{article.section.title} — {config.title}", article.section.url)
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
    """The part of the search index an article is in: the year it was published.

    Publishing or editing a story re-indexes only its year, and no part grows without end.
    """
    return f"{article.date.astimezone(config.tz).year:04d}"


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
        feeds = feed_links(feed_title(listing, config), listing.url)
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
