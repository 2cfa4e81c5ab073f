"""A watch session's quick path: a save that edits stories without moving them.

When every file a save changed is an article whose story keeps its place in the site (the
same url, date, section, tags, authors, image...; its text, headline and summary may
change), only the pages and feeds that show it are made again, from the site model the
session keeps: at 10,000 articles that is a few dozen files, not 28,000 pages checked one
by one. Anything else (a new or deleted file, a story that moves, a template, site.yaml,
an image, any problem, or the clock passing an embargo) takes the full build, which also
refreshes what this keeps. Tests hold both to a clean build of the same sources.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from dataclasses import fields, replace
from datetime import datetime

from gen.assemble.article import Context, parse_article
from gen.cache import Memo as PageMemo
from gen.config import BuildOptions
from gen.errors import ErrorReport
from gen.markup.engine import MarkdownEngine
from gen.model import Article, OutputFile, Site
from gen.outputs.feeds import FEED_KINDS, Extras, feed_digest, listing_feed, render_feed
from gen.outputs.sitemaps import news_articles, news_sitemaps
from gen.outputs.write import Manifest, write_files
from gen.pages.page import Job
from gen.pages.plan import Planner, corrections_feed
from gen.pages.reads import JobDigests, articles_in
from gen.pages.render import Renderer
from gen.session import BuildResult, QuickState, Session
from gen.source.read import read_source

# What an edit may change and still leave the story where it was: in the same lists, in
# the same order, related to the same stories, with the same files and feeds.
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
MAX_PAGES = 500  # more pages than this to make again: the full build is as quick


def capture(
    options: BuildOptions,
    context: Context,
    site: Site,
    renderer: Renderer,
    sizes: dict[str, int],
    files: int,
    session: Session,
) -> QuickState:
    """Index the site the full build made: which lists, related links and pages show each
    story (by url)."""
    output = session.output or {}
    state = QuickState(
        options,
        context,
        site,
        renderer,
        list(renderer.last_jobs),
        list(renderer.last_units),
        sizes,
        Manifest({path: value[0] for path, value in output.items()}),
        files,
    )
    for i, article in enumerate(site.articles):
        if article.live is None:
            state.by_source[article.source] = i
    for i, unit in enumerate(state.units):
        state.by_unit.setdefault(unit, []).append(i)
    listed_in: defaultdict[str, list[int]] = defaultdict(list)
    for i, listing in enumerate(site.listings):
        for article in listing.articles:
            listed_in[article.url].append(i)
    for kind, index in (("related", state.related_by), ("translations", state.translated_by)):
        shown: defaultdict[str, list[str]] = defaultdict(list)
        for url, others in getattr(site, kind).items():
            for other in others:
                shown[other.url].append(url)
        index.update(shown)
    shown_on: defaultdict[str, list[int]] = defaultdict(list)
    memo = session.pages
    for i, job in enumerate(state.jobs):
        known = memo.get(job.page.path)
        if known is None or not known[0] or known[3]:
            state.whole.append(i)  # it read more than it declares: made again on every save
        for value in job.context.values():
            for article in articles_in(value):
                shown_on[article.url].append(i)
    state.listed_in = dict(listed_in)
    state.shown_on = dict(shown_on)
    return state


def quick_build(
    options: BuildOptions, session: Session, changed: frozenset[str], result: BuildResult
) -> BuildResult | None:
    """Rebuild after a save that only edited stories' text; None if the save did more (or
    anything is amiss), for the full build to do it."""
    state = session.quick
    if state is None or not changed or session.output is None:
        return None
    start = time.perf_counter()
    if options.now.tzinfo is None:
        options = replace(options, now=options.now.replace(tzinfo=state.context.config.tz))
    if replace(options, now=state.options.now) != state.options or options.now < state.options.now:
        return None
    if state.site.next_change is not None and options.now >= state.site.next_change:
        return None  # an embargo lifted, a story expired...: lists change
    config = state.context.config
    if config.search and not session.quick_search:
        return None  # a session that wants its search index exact re-indexes in full builds
    report = ErrorReport()
    edited: dict[str, Article] = {}
    for rel in sorted(changed):
        where = state.by_source.get(rel)
        if where is None:
            return None  # not a story the site shows: a new file, an author, a template...
        old = state.site.articles[where]
        path = options.site_dir / rel
        if not path.is_file():
            return None  # deleted, or renamed away: the full build takes it out
        try:
            source = read_source(path, options.site_dir, report)
        except OSError:
            return None  # gone since: the full build says what happened
        if source is None:
            return None
        if state.engine is None:
            state.engine = MarkdownEngine.for_site(config)
        article = parse_article(source, state.context, state.engine, options, report)
        if article is None or report.errors or report.warnings:
            return None  # the full build reports it, with every other problem
        if place_of(article) != place_of(old):
            return None
        # An article is a function of what it was made from: the same inputs, the same story
        # (`==` is not enough: a date equals the same instant written in another offset).
        if article.inputs != old.inputs or (not article.inputs and article != old):
            edited[article.url] = article
    if not edited:  # saved as it was
        result.articles, result.pages, result.unchanged = (
            len(state.site.articles),
            state.files,
            state.files,
        )
        result.quick = True
        result.timings["quick"] = time.perf_counter() - start
        return result
    site = substitute(state, edited)
    places = sorted({p for url in edited for p in state.shown_on.get(url, ())} | set(state.whole))
    if len(places) > MAX_PAGES:
        return None
    # Each page is made again by planning its unit again on the new site, as a full build
    # plans it: the unit's pages are all replaced, those that show an edited story rendered.
    planner = Planner(site, config)
    planned: dict[int, Job] = {}
    for unit in sorted({state.units[p] for p in places}):
        indices = state.by_unit[unit]
        try:
            made = planner.jobs(unit)
        except KeyError:
            return None  # not in the new site as it was: the full build
        if [j.page.path for j in made] != [state.jobs[i].page.path for i in indices]:
            return None  # its pages moved (a live blog's parts, say): the full build
        planned.update(zip(indices, made, strict=True))
    jobs = [(place, planned[place]) for place in places]
    # Fresh memos: a long run of quick saves must not pile up old stories in the session's
    # (articles hash by what they were made from, so this costs little).
    digests = JobDigests(state.renderer.last_layout)
    pages: PageMemo = {}
    out: list[OutputFile] = []
    try:
        for _, job in jobs:
            out.append(state.renderer.render_one(job, site, digests, pages))
    except Exception:  # a template that fails on the new text: the full build says where
        return None
    feed_memo: PageMemo = {}
    out += feeds_showing(state, site, edited, digests, feed_memo)
    recent = news_articles(site.articles, site.expired, options.now)
    if any(a.url in edited for a in recent):
        out += news_sitemaps(recent, config)
    written, _ = write_files(out, options.output_dir, session.output, state.manifest)
    # Only now, with every file on disk, does the session take the new model.
    state.site = site
    for place, job in planned.items():
        state.jobs[place] = job
    session.pages.update(pages)
    session.feeds.update(feed_memo)
    result.articles = len(site.articles)
    result.pages = state.files
    result.written = written
    result.unchanged = state.files - written
    result.rendered = len(jobs)
    result.next_embargo = site.next_embargo
    result.quick = True
    session.behind = True  # the search index waits for the session to catch up
    result.timings["quick"] = time.perf_counter() - start
    return result


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


def substitute(state: QuickState, edited: dict[str, Article]) -> Site:
    """The site with the `edited` stories in their old ones' places (the lists that show
    them, and others' related stories and translations)."""
    site = state.site
    if not edited:
        return site

    def swap(articles: tuple[Article, ...]) -> tuple[Article, ...]:
        return tuple(edited.get(a.url, a) for a in articles)

    listings = list(site.listings)
    for place in sorted({i for url in edited for i in state.listed_in.get(url, ())}):
        listing = replace(listings[place], articles=swap(listings[place].articles))
        listings[place] = listing
    related = dict(site.related)
    for url in {u for e in edited for u in state.related_by.get(e, ())}:
        related[url] = swap(related[url])
    translations = dict(site.translations)
    for url in {u for e in edited for u in state.translated_by.get(e, ())}:
        translations[url] = swap(translations[url])
    site = replace(
        site,
        articles=swap(site.articles),
        listings=tuple(listings),
        related=related,
        translations=translations,
    )
    return site


def feeds_showing(
    state: QuickState,
    site: Site,
    edited: dict[str, Article],
    digests: JobDigests,
    memo: PageMemo,
) -> list[OutputFile]:
    """The feed files whose entries include an edited story (noted in `memo`)."""
    config = state.context.config
    extras = Extras(config, state.sizes)
    files: list[OutputFile] = []
    for place in sorted({i for url in edited for i in state.listed_in.get(url, ())}):
        listing = site.listings[place]
        if listing.kind not in FEED_KINDS:
            continue
        feed = listing_feed(listing, config)
        if not any(a.url in edited for a in feed.entries):
            continue
        digest = feed_digest(feed, config, digests.article, state.sizes)
        for file in render_feed(feed, config, extras):
            memo[file.path] = (digest, hashlib.sha256(file.data).hexdigest(), "", ())
            files.append(file)
    if any(a.corrections for a in edited.values()):
        files += render_feed(corrections_feed(site, config), config, extras)[:1]
    return files
