"""The stages `build()` runs, in order. Each takes `Changes` (`gen.changes`): a build that
redoes everything (keeping what it can), or a partial one that does the same stage for the
stories a watch save edited, from what the session's last build left."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from gen.assemble.article import Context, make_context, parse_article
from gen.assemble.patch import is_edited, lists_holding, patch_site, place_of
from gen.assemble.site import build_site
from gen.cache import (
    Memo,
    read_json_cache,
    read_page_memo,
    write_json_cache,
    write_page_memo,
    write_state_file,
)
from gen.changes import Changes, NotPartial, pages_showing, remember_last_build
from gen.config import CONFIG_FILE, BuildOptions, SiteConfig, load_config
from gen.errors import ConfigError, ErrorReport, Problem, TemplateError
from gen.markup.convert import convert_bodies
from gen.markup.engine import MarkdownEngine
from gen.markup.text import Converter
from gen.model import Article, OutputFile, Site
from gen.outputs.feeds import Extras, render_feed, render_feeds, render_live_feeds
from gen.outputs.images import ImageCache, publish_assets
from gen.outputs.search import (
    BUNDLE_DIR,
    SearchUnavailable,
    build_index,
    check_available,
    indexed_digest,
)
from gen.outputs.sitemaps import news_articles, news_sitemaps, render_sitemaps
from gen.outputs.write import (
    OutputState,
    WriteResult,
    check_output_dir,
    check_unique,
    is_intact,
    read_output_state,
    write_files,
    write_output,
)
from gen.pages.page import Job, Page
from gen.pages.plan import Planner, corrections_feed
from gen.pages.reads import JobDigests
from gen.pages.render import Renderer
from gen.pages.theme import Theme, read_theme
from gen.session import BuildResult, LastBuild, Session
from gen.source.read import SourceDoc, SourceTree, read_source, read_tree, source_cache
from gen.urls import output_file

Progress = Callable[[int, int], None]
MoveTime = Callable[[float, str, str], None]


def last_build(session: Session | None) -> LastBuild:
    """What a partial build starts from."""
    if session is None or session.last is None:
        raise NotPartial
    return session.last


def configure(
    options: BuildOptions, report: ErrorReport, session: Session | None, changes: Changes
) -> tuple[SiteConfig, BuildOptions]:
    """The settings, and the options with a bare --clock in the newsroom's time zone."""
    if changes.partial:  # site.yaml did not change: the last build's settings
        config = last_build(session).context.config
    else:
        config = load_config(options.site_dir, options.base_url)
    if options.now.tzinfo is None:
        options = replace(options, now=options.now.replace(tzinfo=config.tz))
    if changes.partial:
        return config, options
    check_output_dir(options.output_dir, options.site_dir)
    if config.search:
        try:
            check_available()
        except SearchUnavailable as exc:
            # No search page that cannot work: the page, its link and the index go.
            report.warn(CONFIG_FILE, None, str(exc))
            config = replace(config, search=False)
    return config, options


def read_sources(
    options: BuildOptions,
    config: SiteConfig,
    report: ErrorReport,
    session: Session | None,
    changes: Changes,
) -> tuple[SourceTree, Theme]:
    """Every source file (a session's unchanged ones from memory) and the theme chain; for
    a partial build, the edited stories and the last build's theme."""
    if changes.partial:
        last = last_build(session)
        docs = [read_story(options, path, report) for path in changes.paths]
        return SourceTree(tuple(docs), (), ()), last.renderer.theme
    db = options.cache_dir / "dateline.sqlite" if options.cache_dir is not None else None
    fronts = source_cache(db, lambda message: report.warn(".cache", None, message))
    try:
        tree = read_tree(
            options.site_dir,
            report,
            session.sources if session else None,
            fronts if fronts.db is not None else None,
        )
    finally:
        fronts.close()
    return tree, read_theme(options.site_dir, config.theme)


def read_story(options: BuildOptions, path: str, report: ErrorReport) -> SourceDoc:
    """A story a watch save edited (NotPartial if it is gone or does not read cleanly)."""
    file = options.site_dir / path
    if not file.is_file():
        raise NotPartial  # deleted, or renamed away: the build that redoes everything
    try:
        doc = read_source(file, options.site_dir, report)
    except OSError:
        raise NotPartial from None  # gone since: that build says what happened
    if doc is None or report.errors or report.warnings:
        raise NotPartial
    return doc


def convert_markup(
    tree: SourceTree,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    result: BuildResult,
    session: Session | None,
    changes: Changes,
) -> Converter:
    """Every Markdown body converted once, counted in `result` (a partial build converts
    its few stories as it validates them)."""
    if changes.partial:
        last = last_build(session)
        if last.engine is None:
            last.engine = MarkdownEngine.for_site(config)
        result.converted = len(tree.articles)
        return last.engine
    memo = session.markup if session else None
    converted, result.cached, result.converted = convert_bodies(tree, config, options, report, memo)
    return converted


@dataclass(frozen=True, slots=True)
class Assembled:
    """The site model, and for a partial build the stories it edited (None: everything)."""

    context: Context
    site: Site
    edited: dict[str, Article] | None = None


def assemble(
    tree: SourceTree,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    engine: Converter,
    session: Session | None,
    changes: Changes,
) -> Assembled:
    """The validated site model; the related-stories ranking is reused when no url, date,
    section or tag moved (a session keeps it in memory, a build in the cache). A partial
    build puts the edited stories into the last build's model, in their places."""
    if changes.partial:
        last = last_build(session)
        edited: dict[str, Article] = {}
        for doc in tree.articles:
            old = last.site.articles[last.index.by_source[doc.path]]
            article = parse_article(doc, last.context, engine, options, report)
            if article is None or report.errors or report.warnings:
                raise NotPartial  # the build that redoes everything reports it, with the rest
            if place_of(article) != place_of(old):
                raise NotPartial  # the story moved
            if is_edited(article, old):
                edited[article.url] = article
        site = patch_site(last.site, last.index, edited)
        return Assembled(last.context, site, edited)
    related = session.related if session else read_json_cache(options, "related")
    key = related.get("key") if related is not None else None
    ctx = make_context(tree, config, report, options)
    memo = session.parsed if session else None
    site = build_site(tree, config, options, report, engine, memo, related, ctx)
    if session is None and related is not None and related.get("key") != key:
        write_json_cache(options, "related", related)
    return Assembled(ctx, site)


def images(
    model: Assembled,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    session: Session | None,
) -> tuple[list[OutputFile], dict[str, int]]:
    """Content files as published, and their sizes (for feed enclosures); a partial build
    changed none."""
    if model.edited is not None:
        return [], last_build(session).sizes
    assets = publish_assets(model.site, config, ImageCache(options.cache_dir), report)
    return assets, {f.path: len(f.data) for f in assets}


@dataclass(slots=True)
class RenderedPages:
    """The render stage's work: the pages' files (or `kept`) and what the writer needs."""

    files: list[OutputFile]
    pages: list[Page]
    renderer: Renderer
    previous: OutputState  # what the output folder held after the last build
    memo: Memo | None  # page path → inputs digest, output hash, recorded reads
    feed_memo: Memo | None
    loaded: tuple[Memo, Memo]  # the memos as read from the cache, to save only if changed
    options: BuildOptions
    # A build, or a session's first: what it knows is saved in the cache (a session keeps
    # it in memory afterwards; saving on every save would cost at 10,000 files).
    first: bool
    partial: bool = False  # only the pages showing a watch save's edited stories
    planned: dict[int, Job] = field(default_factory=dict)  # and their units' new jobs

    def intact(self, path: str, digest: str) -> bool:
        """The output still holds the file with `digest` at `path`, as the writer left it."""
        return is_intact(self.options.output_dir, path, digest, self.previous)

    def load(self, file: OutputFile) -> bytes:
        """A page's bytes: rendered now, or read back from the output if it was kept."""
        return (self.options.output_dir / file.path).read_bytes() if file.kept else file.data

    def search_key(self, file: OutputFile, page: Page) -> str:
        """A digest of what Pagefind reads of a page (the memo's, for a kept page)."""
        known = self.memo.get(page.path) if self.memo is not None else None
        if file.kept and known is not None and known[2]:
            return known[2]
        return indexed_digest(self.load(file))


def render_pages(
    model: Assembled,
    config: SiteConfig,
    theme: Theme,
    options: BuildOptions,
    report: ErrorReport,
    progress: Progress | None,
    session: Session | None,
) -> RenderedPages:
    """Every page, kept where its declared inputs and recorded reads are unchanged; for a
    partial build, the pages that show an edited story or read more than they declare."""
    if model.edited is not None:
        return render_edited(model, config, options, report, last_build(session), session)
    loaded: tuple[Memo, Memo] = ({}, {})
    first = session is None or session.output is None
    memo: Memo | None
    feed_memo: Memo | None
    if session is not None and session.output is not None:
        previous, memo, feed_memo = session.output, session.pages, session.feeds
    else:
        # A build, or a preview's first: what the last build left, from the cache.
        previous = read_output_state(options.output_dir, write_state_file(options))
        memo, feed_memo = read_page_memo(options), read_page_memo(options, "feeds")
        loaded = (dict(memo or {}), dict(feed_memo or {}))
        if session is not None:
            session.pages = memo = memo if memo is not None else {}
            session.feeds = feed_memo = feed_memo if feed_memo is not None else {}
    renderer = Renderer(config, theme)
    rendered = RenderedPages([], [], renderer, previous, memo, feed_memo, loaded, options, first)
    rendered.files, rendered.pages = renderer.render_site(
        model.site,
        report,
        progress,
        memo,
        rendered.intact,
        session.digests if session else None,
        session.plans if session else None,
        session.jobs if session else None,
    )
    report.raise_if_errors(TemplateError)
    return rendered


def render_edited(
    model: Assembled,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    last: LastBuild,
    session: Session | None,
) -> RenderedPages:
    """A partial build's pages: each unit showing an edited story planned again on the new
    site, as a build that redoes everything plans it, and its pages that show one made."""
    assert session is not None and session.output is not None and model.edited is not None
    places = pages_showing(last, set(model.edited))
    planner = Planner(model.site, config)
    planned: dict[int, Job] = {}
    for unit in sorted({last.units[p] for p in places}):
        indices = last.by_unit[unit]
        try:
            made = planner.jobs(unit)
        except KeyError:
            raise NotPartial from None  # not in the new site as it was
        if [j.page.path for j in made] != [last.jobs[i].page.path for i in indices]:
            raise NotPartial  # its pages moved (a live blog's parts, say)
        planned.update(zip(indices, made, strict=True))
    # Fresh memos: a long run of saves must not pile up old stories in the session's
    # (articles hash by what they were made from, so this costs little).
    digests = JobDigests(last.renderer.last_layout)
    memo: Memo = {}
    jobs = [planned[place] for place in places]
    files, pages = last.renderer.render_jobs(jobs, model.site, report, digests, memo)
    if report.errors:
        raise NotPartial  # a template that fails on the new text: that build says where
    previous = session.output
    renderer = last.renderer
    return RenderedPages(
        files, pages, renderer, previous, memo, {}, ({}, {}), options, False, True, planned
    )


def start_search(
    pool: ThreadPoolExecutor,
    rendered: RenderedPages,
    config: SiteConfig,
    session: Session | None,
    exact: bool,
) -> Future[list[OutputFile]] | None:
    """The search index, built on `pool`: only the years whose indexed text changed are
    indexed again. A session reuses its last index unless `exact` (it catches up later);
    a partial build leaves it for then."""
    if rendered.partial:
        if session is not None and rendered.files:
            session.behind = True  # the session catches up once saves pause
        return None
    if session is not None:
        session.behind = False
    if not config.search or not any(p.searchable for p in rendered.pages):
        return None
    searchable = [
        (p.search_group, f, rendered.search_key(f, p))
        for f, p in zip(rendered.files, rendered.pages, strict=True)
        if p.searchable
    ]
    reuse = session is not None and session.quick_search and not exact
    groups = tuple(sorted({g for g, _, _ in searchable}))
    if reuse and session is not None and session.search[0] == groups:
        session.behind = True
        index: Future[list[OutputFile]] = Future()
        index.set_result(session.search[1])
        return index
    if session is not None:
        session.behind = reuse
    return pool.submit(
        build_index,
        searchable,
        rendered.options.cache_dir,
        reuse_latest=reuse,
        load=rendered.load,
        intact=rendered.intact,
    )


def feeds_and_sitemaps(
    model: Assembled,
    config: SiteConfig,
    options: BuildOptions,
    theme: Theme,
    assets: list[OutputFile],
    sizes: dict[str, int],
    rendered: RenderedPages,
    index: Future[list[OutputFile]] | None,
    session: Session | None,
) -> list[OutputFile]:
    """Pages, feeds, sitemaps, static and content files: every file but the search index,
    each path checked to be written once. A partial build makes the feeds of the lists
    holding an edited story, and the news sitemap if one is in its window."""
    site = model.site
    extras = Extras(config, sizes)
    if model.edited is not None:
        last = last_build(session)
        assert session is not None
        edited = model.edited
        digests = JobDigests(last.renderer.last_layout).article
        lists = lists_holding(last.index, set(edited))
        files = list(rendered.files)
        files += render_feeds(site, config, sizes, session.feeds, digests, rendered.intact, lists)
        if any(a.corrections for a in edited.values()):
            files += render_feed(corrections_feed(site, config), config, extras)[:1]
        recent = news_articles(site.articles, site.expired, options.now)
        if any(a.url in edited for a in recent):
            files += news_sitemaps(recent, config)
        return files
    report = ErrorReport()
    # The articles the render stage hashed (a session's, kept between its builds).
    digests_of = JobDigests("", rendered.renderer.last_digests).digest_of
    files = list(rendered.files)
    files += render_feeds(site, config, sizes, rendered.feed_memo, digests_of, rendered.intact)
    files += render_live_feeds(site, config)
    files += render_feed(corrections_feed(site, config), config, extras)[:1]
    public = [(p.path, p.modified) for p in rendered.pages if p.public]
    files += render_sitemaps(site, config, public, options.now)
    # Assets after pages: a page and an asset at one path is a collision, not an overwrite.
    origins = {output_file(p.path): p.source for p in rendered.pages if p.source}
    files = check_unique([*files, *theme.static, *assets], report, origins)
    if index is not None:
        for file in files:
            if file.path.startswith(f"{BUNDLE_DIR}/"):
                report.error(
                    origins.get(file.path, file.path),
                    None,
                    f"{BUNDLE_DIR}/ is the search index's folder; {file.path} cannot be there",
                )
    report.raise_if_errors(TemplateError)
    return files


def write_site(
    files: list[OutputFile],
    rendered: RenderedPages,
    index: Future[list[OutputFile]] | None,
    report: ErrorReport,
    move_time: MoveTime,
    session: Session | None,
) -> WriteResult:
    """The output folder made to hold `files` and the search index, all or nothing; a
    partial build writes its few files and leaves the others as they are."""
    options = rendered.options
    if rendered.partial:
        last = last_build(session)
        assert session is not None and session.output is not None
        made = [f for f in files if not f.kept]  # a feed whose entries did not change is kept
        written, _ = write_files(made, options.output_dir, session.output, last.manifest)
        return WriteResult(written, last.files - written, 0, session.output)

    def search_files() -> list[OutputFile]:
        if index is None:
            return []
        start = time.perf_counter()
        try:
            return index.result()
        except SearchUnavailable as exc:
            report.warn(CONFIG_FILE, None, str(exc))
            return []
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            # Nothing is in place yet: the writer removes what it staged.
            problem = f"the search index could not be built ({type(exc).__name__}: {exc})"
            raise ConfigError([Problem(CONFIG_FILE, None, problem)]) from None
        finally:
            move_time(time.perf_counter() - start, "write", "search")

    state_file = write_state_file(options) if rendered.first else None
    return write_output(files, options.output_dir, state_file, rendered.previous, search_files)


def remember(
    options: BuildOptions,
    session: Session | None,
    model: Assembled,
    rendered: RenderedPages,
    written: WriteResult,
    sizes: dict[str, int],
    count: int,
) -> None:
    """Keep what the next build starts from: the session's model and index, or the cache's
    page memos (a session saves the writer's state in memory; on every save it would cost)."""
    if session is not None and rendered.partial:
        # Only now, with every file on disk, does the session take the new model.
        last = last_build(session)
        last.site = model.site
        for place, job in rendered.planned.items():
            last.jobs[place] = job
        if rendered.memo is not None:
            session.pages.update(rendered.memo)
        return
    if session is not None:
        session.output = written.state
        total = count + written.later
        session.last = remember_last_build(
            options, model.context, model.site, rendered.renderer, sizes, total, session
        )
        index = [f for f in written.state if f.startswith(f"{BUNDLE_DIR}/")]
        if index:
            session.search = (
                tuple(sorted({path.split("/")[1] for path in index})),
                [OutputFile(path, b"", kept=written.state[path][0]) for path in sorted(index)],
            )
    if not rendered.first:
        return
    memo, feed_memo = rendered.memo, rendered.feed_memo
    if memo is not None and memo != rendered.loaded[0]:
        write_page_memo(options, memo)
    if feed_memo is not None and feed_memo != rendered.loaded[1]:
        write_page_memo(options, feed_memo, "feeds")
