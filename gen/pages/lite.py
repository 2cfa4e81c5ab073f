"""The text-only edition: front page, section pages and every story under /lite/ (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gen.config import SiteConfig
from gen.model import Article, Listing
from gen.pages.figures import lite_body
from gen.pages.i18n import translate
from gen.pages.page import (
    LITE_FACTOR,
    LITE_PREFIX,
    Job,
    Page,
    page_count,
)
from gen.urls import page_path


def lite_list_jobs(listing: Listing, config: SiteConfig) -> Iterator[Job]:
    """The text-only pages of a list (the front page or a section): headlines only. Each
    page's canonical URL is the full page, so search engines index only one of them."""
    for number in range(1, page_count(listing, config.per_page * LITE_FACTOR) + 1):
        yield lite_list_job(listing, config, number)


def lite_list_job(listing: Listing, config: SiteConfig, number: int) -> Job:
    """Page `number` of a list's text-only edition: headlines only."""
    lang = config.language
    per = config.per_page * LITE_FACTOR
    count = page_count(listing, per)
    full = page_path(listing.url, number)
    base = LITE_PREFIX + listing.url
    title = (
        listing.title if number == 1 else f"{listing.title} — {translate('page', lang)} {number}"
    )
    page = Page(
        kind="lite_list",
        path=LITE_PREFIX + full,
        title=title,
        description=listing.description,
        lang=lang,
        number=number,
        count=count,
        prev=page_path(base, number - 1) if number > 1 else None,
        next=page_path(base, number + 1) if number < count else None,
        public=False,
        canonical=full,
    )
    chunk = listing.articles[(number - 1) * per : number * per]
    return Job(
        "lite/list.html", page, {"listing": listing, "articles": chunk, "full": full}, derived=True
    )


class LiteBody:
    """An article's body for the text-only edition, made only if the page is rendered (a
    kept page never needs it); hashed by the body it is made from."""

    __slots__ = ("_html", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._html: str | None = None

    def __html__(self) -> str:
        if self._html is None:
            self._html = lite_body(self._source)
        return self._html

    __str__ = __html__

    def __reduce__(self) -> tuple[Callable[[bytes], LiteBody], tuple[bytes]]:
        # Pickled (to digest a page's inputs) as UTF-8 bytes: pickling the str itself would
        # leave CPython's UTF-8 copy on it for good, a second copy of every non-ASCII body
        # (44 MB at 10,000 stories on cmark, whose typographic quotes are not entities).
        return (_lite_body, (self._source.encode("utf-8"),))


def _lite_body(source: bytes) -> LiteBody:
    """A LiteBody from its pickled form."""
    return LiteBody(source.decode("utf-8"))


def lite_article_job(article: Article) -> Job:
    """An article's text-only page."""
    page = Page(
        kind="lite_article",
        path=LITE_PREFIX + article.url,
        title=article.title,
        description=article.summary,
        lang=article.lang,
        public=False,
        canonical=article.url,
    )
    return Job(
        "lite/article.html",
        page,
        {"article": article, "body": LiteBody(article.body_html), "full": article.url},
        derived=True,
    )
