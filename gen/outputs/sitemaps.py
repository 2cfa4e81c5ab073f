"""sitemap.xml (sitemaps.org 0.9), Google News sitemap and robots.txt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from gen.config import SiteConfig
from gen.model import Article, OutputFile, Site
from gen.outputs.feeds import absolute, rfc3339, x

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
NEWS_LIMIT = 1_000  # URLs per news sitemap file (Google)
NEWS_WINDOW = timedelta(days=2)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def render_sitemaps(
    site: Site, config: SiteConfig, pages: list[tuple[str, datetime | None]], now: datetime
) -> list[OutputFile]:
    """The sitemap (or an index of sitemaps), the news sitemap and robots.txt.

    `pages` are (site path, last modified) of every public page, in a stable order.
    """
    files: list[OutputFile] = []
    chunks = [pages[i : i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        files.append(OutputFile("sitemap.xml", urlset(chunks[0], config)))
    else:
        names = [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        files += [OutputFile(n, urlset(c, config)) for n, c in zip(names, chunks, strict=True)]
        files.append(OutputFile("sitemap.xml", sitemap_index(names, pages, config)))
    recent = news_articles(site.articles, site.expired, now)
    files += news_sitemaps(recent, config)
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {absolute(config, '/sitemap.xml')}\n"
    if recent:
        robots += f"Sitemap: {absolute(config, '/news-sitemap.xml')}\n"
    files.append(OutputFile("robots.txt", robots.encode("utf-8")))
    return files


def news_sitemaps(recent: list[Article], config: SiteConfig) -> list[OutputFile]:
    """The news sitemap of `recent` articles (an index of parts if they are many)."""
    # No story in the two-day window: no news sitemap (an empty <urlset> is invalid).
    chunks = [recent[i : i + NEWS_LIMIT] for i in range(0, len(recent), NEWS_LIMIT)]
    if len(chunks) == 1:
        return [OutputFile("news-sitemap.xml", news_urlset(chunks[0], config))]
    if not chunks:
        return []
    names = [f"news-sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
    files = [OutputFile(n, news_urlset(c, config)) for n, c in zip(names, chunks, strict=True)]
    news_pages = [(a.url, a.modified) for a in recent]
    files.append(OutputFile("news-sitemap.xml", sitemap_index(names, news_pages, config)))
    return files


def news_articles(
    articles: tuple[Article, ...], expired: frozenset[str], now: datetime
) -> list[Article]:
    """Articles published in the two days before `now`, newest first."""
    return [a for a in articles if now - NEWS_WINDOW <= a.date <= now and a.url not in expired]


def urlset(pages: list[tuple[str, datetime | None]], config: SiteConfig) -> bytes:
    """One sitemaps.org <urlset>."""
    out = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for path, modified in pages:
        lastmod = f"<lastmod>{rfc3339(modified)}</lastmod>" if modified else ""
        out.append(f"<url><loc>{x(absolute(config, path))}</loc>{lastmod}</url>")
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")


def sitemap_index(
    names: list[str], pages: Sequence[tuple[str, datetime | None]], config: SiteConfig
) -> bytes:
    """A <sitemapindex> naming each part file."""
    newest = max((m for _, m in pages if m is not None), default=None)
    lastmod = f"<lastmod>{rfc3339(newest)}</lastmod>" if newest else ""
    out = ['<?xml version="1.0" encoding="utf-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    out += [f"<sitemap><loc>{x(absolute(config, n))}</loc>{lastmod}</sitemap>" for n in names]
    out.append("</sitemapindex>")
    return ("\n".join(out) + "\n").encode("utf-8")


def news_urlset(articles: list[Article], config: SiteConfig) -> bytes:
    """A Google News sitemap: publication, language, date and title of each recent article."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">',
    ]
    for article in articles:
        out.append(
            f"<url><loc>{x(absolute(config, article.url))}</loc>"
            "<news:news><news:publication>"
            f"<news:name>{x(config.publisher.name)}</news:name>"
            f"<news:language>{x(article.lang.split('-')[0])}</news:language>"
            "</news:publication>"
            f"<news:publication_date>{rfc3339(article.date)}</news:publication_date>"
            f"<news:title>{x(article.title)}</news:title>"
            "</news:news></url>"
        )
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")
