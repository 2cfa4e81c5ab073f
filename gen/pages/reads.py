"""Recorded reads: what a page's template actually read, so the memo can tell when it is stale.

A page is a function of what it declares (its template chain, the settings, Dateline's code,
the articles and lists in its context) and of whatever else its template reaches while it
renders. Templates see the site and the context's lists through tracked views that note
each field read beyond the declared inputs (`site.articles`, `listing.articles`...). The
memo keeps those names with the page; the next build digests their current values, so a
theme that shows `listing.articles[0].title` on every list page, or `site.articles|length`
in its footer, is made again exactly when what it read changed, and kept otherwise.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterator
from dataclasses import fields, is_dataclass, replace
from datetime import date
from typing import Any

from gen.cache import article_digest
from gen.model import Article, Listing, Site
from gen.pages.page import Job

# What of `site` the layout digest covers: a page reading only these declares all it read.
LAYOUT_FIELDS = frozenset({"sections"})
# The field of a list that the page's context declares only in part (its own chunk).
LISTING_ARTICLES = "articles"

# id(article) → (the article, `article_digest`); a watch session keeps it.
ArticleDigests = dict[int, tuple[Article, bytes]]
# id(job) → (the job, the layout digest, the job's digest); a watch session keeps it too.
JobMemo = dict[int, tuple[Job, str, str]]


class SiteView:
    """`site` as templates see it, noting in `reads` each field read beyond the layout."""

    __slots__ = ("_site", "reads")

    def __init__(self, site: Site, reads: set[str]) -> None:
        self._site = site
        self.reads = reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._site, name)
        if name not in LAYOUT_FIELDS:
            self.reads.add(f"site.{name}")
        return value


class ListingView:
    """A list in a page's context, noting when the template reads all of its articles
    (the context declares the page's own chunk; `listing.articles` is the whole list)."""

    __slots__ = ("_listing", "_name", "_reads")

    def __init__(self, listing: Listing, name: str, reads: set[str]) -> None:
        self._listing = listing
        self._name = name
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        if name == LISTING_ARTICLES:
            self._reads.add(f"{self._name}.{LISTING_ARTICLES}")
        return getattr(self._listing, name)


def tracked_context(job: Job, site: Site, reads: set[str]) -> dict[str, Any]:
    """The variables a template gets, with the site and lists behind tracked views."""
    context: dict[str, Any] = {"site": SiteView(site, reads), "page": job.page}
    for name, value in job.context.items():
        context[name] = ListingView(value, name, reads) if isinstance(value, Listing) else value
    return context


def articles_in(value: Any) -> Iterator[Article]:
    """The articles a context value declares: itself, or the items of a tuple of them.
    (A list's articles are declared by the page's chunk, not by the list.)"""
    if isinstance(value, Article):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            if isinstance(item, Article):
                yield item


class JobDigests:
    """Digests of what each page's HTML depends on, for one build.

    The layout digest covers settings, sections, templates, static files and Dateline's own
    code; a page's declared inputs are its context; what else it read is digested by
    `reads_digest` from the names the memo kept. Each article is hashed once per build,
    however many pages show it.
    """

    def __init__(
        self, layout: str, known: ArticleDigests | None = None, jobs: JobMemo | None = None
    ) -> None:
        self.layout = layout
        self.articles: ArticleDigests = known if known is not None else {}
        self._used: set[int] = set()
        # A job the plan memo gave back is the same object as last build: so is its digest.
        self._jobs: JobMemo = jobs if jobs is not None else {}
        self._jobs_used: set[int] = set()
        self._values: dict[object, bytes] = {}  # digests of read values, for this build

    def article(self, article: Article) -> bytes:
        # Keyed by identity, holding the article: its id cannot be reused while it is here.
        key = id(article)
        found = self.articles.get(key)
        if found is None or found[0] is not article:
            found = self.articles[key] = (article, article_digest(article))
        self._used.add(key)
        return found[1]

    def digest_of(self, article: Article) -> bytes:
        """An article's digest, without marking it as shown (feeds ask for theirs too)."""
        found = self.articles.get(id(article))
        if found is not None and found[0] is article:
            return found[1]
        return article_digest(article)

    def forget_unused(self) -> None:
        """Drop the digests of articles and jobs this build did not have (kept between builds)."""
        for key in set(self.articles) - self._used:
            del self.articles[key]
        for key in set(self._jobs) - self._jobs_used:
            del self._jobs[key]

    def _declared(self, value: Any) -> Any:
        if isinstance(value, Listing):
            # The list's own chunk is in "articles"; the rest is a read, if it is read.
            return (replace(value, articles=()), len(value.articles))
        found = [self.article(a) for a in articles_in(value)]
        if found and (isinstance(value, Article) or len(found) == len(value)):
            return found[0] if isinstance(value, Article) else tuple(found)
        return value

    def job(self, job: Job) -> str:
        """The digest of what a page declares: layout, template, its facts and context."""
        key = id(job)
        self._jobs_used.add(key)
        known = self._jobs.get(key)
        if known is not None and known[0] is job and known[1] == self.layout:
            for value in job.context.values():  # still shown: keep their digests
                for article in articles_in(value):
                    self._used.add(id(article))
            return known[2]
        context = [(k, self._declared(v)) for k, v in sorted(job.context.items())]
        page = (job.page.path, job.page.number) if job.derived else job.page
        data = pickle.dumps((self.layout, job.template, page, context), 5)
        digest = hashlib.sha256(data).hexdigest()
        self._jobs[key] = (job, self.layout, digest)
        return digest

    def with_reads(self, declared: str, reads: tuple[str, ...], job: Job, site: Site) -> str:
        """The page's whole digest: what it declares and the current values of what it read
        besides ('' if a name no longer resolves: the page is made again)."""
        if not reads:
            return declared
        digest = hashlib.sha256(declared.encode())
        for name in reads:
            owner, _, field = name.partition(".")
            if owner == "site":
                key: object = name
                holder: Any = site
            else:
                holder = job.context.get(owner)
                key = (id(holder), field)
            if holder is None or not hasattr(holder, field):
                return ""
            found = self._values.get(key)
            if found is None:
                found = self._values[key] = self.value(getattr(holder, field))
            digest.update(name.encode() + b"\0" + found)
        return digest.hexdigest()

    def value(self, value: Any) -> bytes:
        """A digest of any value of the site model: articles by their digest, containers by
        their items, other model values field by field."""
        digest = hashlib.sha256()
        self._feed(value, digest)
        return digest.digest()

    def _feed(self, value: Any, digest: Any) -> None:
        if isinstance(value, Article):
            digest.update(b"A" + self.article(value))
        elif isinstance(value, tuple | list):
            digest.update(b"(%d" % len(value))
            for item in value:
                self._feed(item, digest)
        elif isinstance(value, dict):
            digest.update(b"{%d" % len(value))
            for k in sorted(value, key=repr):
                self._feed(k, digest)
                self._feed(value[k], digest)
        elif isinstance(value, frozenset | set):
            digest.update(b"<" + repr(sorted(value, key=repr)).encode())
        elif isinstance(value, bytes):
            digest.update(b"b" + hashlib.sha256(value).digest())
        elif is_dataclass(value) and not isinstance(value, type):
            digest.update(b"D" + type(value).__name__.encode())
            for f in fields(value):
                self._feed(getattr(value, f.name), digest)
        elif value is None or isinstance(value, str | int | float | bool | date):
            digest.update(b"=" + repr(value).encode())
        else:  # a value this does not know: never equal, so the page is made again
            digest.update(b"?" + os.urandom(16))
