"""schema.org JSON-LD: NewsArticle for articles, CollectionPage and BreadcrumbList for lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gen.config import SiteConfig
from gen.markup.text import plain_text
from gen.model import Article, LiveUpdate
from gen.outputs.feeds import absolute, rfc3339
from gen.urls import url_path

Json = dict[str, Any]


def publisher(config: SiteConfig) -> Json:
    """The NewsMediaOrganization that publishes the site."""
    org: Json = {
        "@type": "NewsMediaOrganization",
        "name": config.publisher.name,
        "url": config.base_url,
    }
    if config.publisher.logo:
        org["logo"] = {
            "@type": "ImageObject",
            "url": absolute(config, url_path(config.publisher.logo)),
        }
    return org


def iso_published(article: Article) -> str:
    """When a story was published, as schema.org and HTML's <time> take it: the date alone
    (2010-02-16) for a story dated without a time, not an invented midnight."""
    return article.date.date().isoformat() if article.dated_only else rfc3339(article.date)


def iso_modified(article: Article) -> str:
    """When a story last changed: the date alone while that is its undated publication."""
    if article.dated_only and article.modified == article.date:
        return iso_published(article)
    return rfc3339(article.modified)


def news_article(article: Article, config: SiteConfig) -> Json:
    """NewsArticle with authors, dates, section, keywords, corrections and sources."""
    url = absolute(config, article.url)
    data: Json = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": iso_published(article),
        "dateModified": iso_modified(article),
        "author": [
            {
                "@type": "Person",
                "name": a.name,
                "url": absolute(config, a.url),
                **({"jobTitle": a.role} if a.role else {}),
            }
            for a in article.authors
        ],
        "publisher": publisher(config),
        "articleSection": article.section.title,
        "keywords": [t.name for t in article.tags],
        "wordCount": article.word_count,
        "inLanguage": article.lang,
        "isAccessibleForFree": True,
    }
    if article.dateline:
        data["dateline"] = article.dateline
    if article.image is not None:
        image: Json = {"@type": "ImageObject", "url": absolute(config, article.image.url)}
        if article.image.width and article.image.height:
            image["width"] = article.image.width
            image["height"] = article.image.height
        if article.image.caption:
            image["caption"] = article.image.caption
        if article.image.credit:
            image["creditText"] = article.image.credit
        data["image"] = image
    elif config.publisher.logo:
        # Search engines require an image on a NewsArticle; the publisher's logo stands in.
        data["image"] = {
            "@type": "ImageObject",
            "url": absolute(config, url_path(config.publisher.logo)),
        }
    if article.corrections:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": c.text, "datePublished": rfc3339(c.date)}
            for c in article.corrections
        ]
    if article.sources:
        data["citation"] = [
            {"@type": "CreativeWork", "name": s.name, **({"url": s.url} if s.url else {})}
            for s in article.sources
        ]
    return data


def collection_page(path: str, title: str, config: SiteConfig) -> Json:
    """CollectionPage with its breadcrumb trail, for every list page of the site."""
    crumbs = [("/", config.title)]
    if path != "/":
        crumbs.append((path, title))
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": title,
        "url": absolute(config, path),
        "inLanguage": config.language,
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.base_url},
        "breadcrumb": {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "name": name, "item": absolute(config, p)}
                for i, (p, name) in enumerate(crumbs, 1)
            ],
        },
    }


def live_blog_posting(article: Article, updates: Sequence[LiveUpdate], config: SiteConfig) -> Json:
    """LiveBlogPosting with coverage times and the page's updates as liveBlogUpdate entries."""
    live = article.live
    assert live is not None
    data = news_article(article, config)
    data["@type"] = "LiveBlogPosting"
    data.pop("dateline", None)  # a NewsArticle property; LiveBlogPosting is not one
    data["coverageStartTime"] = rfc3339(live.coverage_start)
    if live.coverage_end is not None:
        data["coverageEndTime"] = rfc3339(live.coverage_end)
    data["liveBlogUpdate"] = [
        {
            "@type": "BlogPosting",
            "headline": update.headline or article.title,
            "datePublished": rfc3339(update.time),
            "articleBody": plain_text(update.body_html),
            "url": absolute(config, update_url(article, update)),
            "author": [{"@type": "Person", "name": a.name} for a in update.authors],
            **({"image": data["image"]} if "image" in data else {}),
        }
        for update in updates
    ]
    return data


def update_url(article: Article, update: LiveUpdate) -> str:
    """The stable site path of one update: its part's page and its anchor."""
    return f"{article.url}part/{update.part}/#update-{update.id}"
