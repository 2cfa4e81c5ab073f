"""What a page is: its facts (`Page`), the job that renders it (`Job`), and the memo that lets
a watch session reuse the jobs made from the same objects (pure)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from gen.model import Article, Image, Listing, fast_pickling

FEED_TYPES = (
    ("atom", "application/atom+xml"),
    ("rss", "application/rss+xml"),
    ("json", "application/feed+json"),
)
CORRECTIONS_PATH = "/corrections/"
LITE_PREFIX = "/lite"  # the text-only edition mirrors the site's paths under /lite/
LITE_LISTS = ("front", "section")
LITE_FACTOR = 3  # headlines only: three times as many fit a list page's budget


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A `<link rel="alternate">` to a feed."""

    type: str
    title: str
    path: str


@dataclass(frozen=True, slots=True)
class Alternate:
    """The same story in another language."""

    lang: str
    path: str
    title: str


@dataclass(frozen=True, slots=True)
class Page:
    """What every template gets as `page`: the page's own facts."""

    kind: str
    path: str  # site path, e.g. /tag/kyiv/page/2/
    title: str
    description: str
    lang: str
    number: int = 1
    count: int = 1
    prev: str | None = None
    next: str | None = None
    image: Image | None = None
    feeds: tuple[FeedLink, ...] = ()
    jsonld: dict[str, Any] | None = None
    alternates: tuple[Alternate, ...] = ()
    modified: datetime | None = None
    public: bool = True  # listed in the sitemap
    searchable: bool = False  # indexed by Pagefind
    search_group: str = ""  # which unit of the search index (the month it was published)
    lite: str | None = None  # the text-only edition of this page
    canonical: str | None = None  # when not the page's own path (the lite edition's pages)
    source: str = ""  # what asked for this page, for collision messages


@dataclass(frozen=True, slots=True)
class Job:
    """One page to render: template, page facts and the template's other variables."""

    template: str
    page: Page
    context: dict[str, Any] = field(default_factory=dict)
    # The page's facts are made from the context, the page's path and number, the settings
    # and Dateline's code alone: the render memo need not hash them again.
    derived: bool = False


# A watch session's jobs: (kind, article id or list key) → (what they were made from, jobs).
PlanMemo = dict[object, tuple[tuple[object, ...], tuple[Job, ...]]]


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    """The same objects. Articles are compared by identity only (the session reuses an
    unchanged one), in lists too: two equal articles may still print differently, as a date
    compares equal to the same instant written in another UTC offset."""
    return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))


def _same_value(x: object, y: object) -> bool:
    if x is y:
        return True
    if isinstance(x, tuple) and isinstance(y, tuple):
        return _same(x, y)
    if isinstance(x, Listing) and isinstance(y, Listing):
        return replace(x, articles=()) == replace(y, articles=()) and _same(x.articles, y.articles)
    return not isinstance(x, Article) and x == y


def _remembered(
    memo: PlanMemo | None,
    key: object,
    inputs: tuple[object, ...],
    make: Callable[[], Iterable[Job]],
) -> tuple[Job, ...]:
    """The jobs made from `inputs` last time, if they are the same objects; else new ones."""
    if memo is None:
        return tuple(make())
    known = memo.get(key)
    if known is not None and _same(known[0], inputs):
        return known[1]
    jobs = tuple(make())
    memo[key] = (inputs, jobs)
    return jobs


def _one(make: Callable[..., Job], *args: Any) -> tuple[Job]:
    return (make(*args),)


fast_pickling(Page, FeedLink, Alternate, Job)


def page_count(listing: Listing, per: int) -> int:
    """How many pages a list of `per` articles each takes (at least one)."""
    return max(1, math.ceil(len(listing.articles) / per))
