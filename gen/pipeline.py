"""`build()`: config → read → markup → assemble → images → render → search → feeds → write.

Every build is the same steps, each a named function and each timed: a cold build is the
case where nothing is known, a warm build finds what it can keep in `.cache/`, and a watch
session keeps the same memos in memory (`gen.session`). A save that only edits stories'
text is answered from the session's model by `gen.quick`; the session catches up with a
full build, search index included, once saves pause.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

from gen.assemble.article import Context, make_context
from gen.assemble.site import build_site
from gen.cache import (
    Memo,
    read_json_cache,
    read_page_memo,
    write_json_cache,
    write_page_memo,
    write_state_file,
)
from gen.config import CONFIG_FILE, BuildOptions, SiteConfig, load_config
from gen.errors import ConfigError, ContentError, ErrorReport, GenError, Problem, TemplateError
from gen.markup.convert import Converted, convert_bodies
from gen.model import OutputFile, Site
from gen.outputs.feeds import Extras, render_feed, render_feeds, render_live_feeds
from gen.outputs.images import ImageCache, publish_assets
from gen.outputs.search import (
    BUNDLE_DIR,
    SearchUnavailable,
    build_index,
    check_available,
    indexed_digest,
)
from gen.outputs.sitemaps import render_sitemaps
from gen.outputs.write import (
    OutputState,
    WriteResult,
    check_output_dir,
    check_unique,
    is_intact,
    read_output_state,
    write_output,
)
from gen.pages.page import Page
from gen.pages.plan import corrections_feed
from gen.pages.reads import JobDigests
from gen.pages.render import Renderer
from gen.pages.theme import Theme, read_theme
from gen.quick import capture, quick_build
from gen.session import BuildFailed, BuildResult, Session
from gen.source.read import SourceTree, read_tree, source_cache
from gen.urls import output_file

__all__ = ["BuildFailed", "BuildResult", "Session", "build"]

Progress = Callable[[int, int], None]


def build(
    options: BuildOptions,
    progress: Progress | None = None,
    session: Session | None = None,
    changed: frozenset[str] = frozenset(),
    *,
    exact: bool = False,
) -> BuildResult:
    """Build the site in `options.site_dir` into `options.output_dir`.

    Raises `BuildFailed` with every problem found; the output folder is only touched
    after every page rendered and the search index was built, so a failed build leaves it
    as it was. A watch session passes the site-relative paths its watcher saw `changed`:
    a save that only edited stories' text takes the quick path (`gen.quick`). `exact`
    re-indexes search even in a session (how a session catches up).
    """
    result = BuildResult()
    if session is not None and not exact:
        quick = try_quick(options, session, changed, result)
        if quick is not None:
            return quick
    report = ErrorReport()
    clock = StageClock(result)
    try:
        with clock("config"):
            config, options = configure(options, report)
        with clock("read"):
            tree, theme = read_sources(options, config, report, session)
        with clock("markup"):
            engine = convert_markup(tree, config, options, report, result, session)
        with clock("assemble"):
            ctx, site = assemble(tree, config, options, report, engine, session)
        with clock("images"):
            assets = publish_assets(site, config, ImageCache(options.cache_dir), report)
            report.raise_if_errors(ContentError)
        with clock("render"):
            pages = render_pages(site, config, theme, options, report, progress, session)
            result.rendered = sum(1 for f in pages.files if not f.kept)
        # Pagefind runs on its own thread beside the feeds and the staging of the files;
        # nothing is renamed into the output folder before its index is in too.
        with ThreadPoolExecutor(1, thread_name_prefix="dateline-search") as pool:
            with clock("search"):
                index = start_search(pool, pages, config, session, exact)
            with clock("feeds"):
                files = feeds_and_sitemaps(site, config, options, theme, assets, pages, index)
                report.raise_if_errors(TemplateError)
            with clock("write"):
                written = write_site(files, pages, index, report, clock)
        remember(options, session, pages, written, ctx, site, assets, len(files))
    except GenError as exc:
        raise BuildFailed(exc, report.warnings) from None
    result.articles = len(site.articles)
    result.pages = len(files) + written.later
    result.written = written.written
    result.unchanged = written.unchanged
    result.removed = written.removed
    result.warnings = report.warnings
    result.next_embargo = site.next_embargo
    return result


class StageClock:
    """Times each stage into `result.timings`."""

    def __init__(self, result: BuildResult) -> None:
        self.timings = result.timings

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def move(self, seconds: float, source: str, target: str) -> None:
        """Count `seconds` of one stage's time as another's (waiting for Pagefind is search)."""
        self.timings[source] = self.timings.get(source, 0.0) - seconds
        self.timings[target] = self.timings.get(target, 0.0) + seconds


def try_quick(
    options: BuildOptions, session: Session, changed: frozenset[str], result: BuildResult
) -> BuildResult | None:
    """A watch save answered from the session's model, or None for the full build (which
    then refreshes what the quick path keeps)."""
    if session.quick is not None and changed:
        try:
            done = quick_build(options, session, changed, result)
        except BaseException:
            session.quick = None
            raise
        if done is not None:
            return done
    session.quick = None  # kept only by a full build that succeeds
    return None


def configure(options: BuildOptions, report: ErrorReport) -> tuple[SiteConfig, BuildOptions]:
    """The settings, and the options with a bare --clock in the newsroom's time zone."""
    config = load_config(options.site_dir, options.base_url)
    if options.now.tzinfo is None:
        options = replace(options, now=options.now.replace(tzinfo=config.tz))
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
    options: BuildOptions, config: SiteConfig, report: ErrorReport, session: Session | None
) -> tuple[SourceTree, Theme]:
    """Every source file (a session's unchanged ones from memory) and the theme chain."""
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


def convert_markup(
    tree: SourceTree,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    result: BuildResult,
    session: Session | None,
) -> Converted:
    """Every Markdown body converted once, counted in `result`."""
    memo = session.markup if session else None
    converted, result.cached, result.converted = convert_bodies(tree, config, options, report, memo)
    return converted


def assemble(
    tree: SourceTree,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    engine: Converted,
    session: Session | None,
) -> tuple[Context, Site]:
    """The validated site model; the related-stories ranking is reused when no url, date,
    section or tag moved (a session keeps it in memory, a build in the cache)."""
    related = session.related if session else read_json_cache(options, "related")
    key = related.get("key") if related is not None else None
    ctx = make_context(tree, config, report, options)
    site = build_site(
        tree, config, options, report, engine, session.parsed if session else None, related, ctx
    )
    if session is None and related is not None and related.get("key") != key:
        write_json_cache(options, "related", related)
    return ctx, site


@dataclass(slots=True)
class RenderedPages:
    """The render stage's work: every page's file (or `kept`) and what the writer needs."""

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
    site: Site,
    config: SiteConfig,
    theme: Theme,
    options: BuildOptions,
    report: ErrorReport,
    progress: Progress | None,
    session: Session | None,
) -> RenderedPages:
    """Every page, kept where its declared inputs and recorded reads are unchanged."""
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
        site,
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


def start_search(
    pool: ThreadPoolExecutor,
    rendered: RenderedPages,
    config: SiteConfig,
    session: Session | None,
    exact: bool,
) -> Future[list[OutputFile]] | None:
    """The search index, built on `pool`: only the years whose indexed text changed are
    indexed again. A session reuses its last index unless `exact` (it catches up later)."""
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
    site: Site,
    config: SiteConfig,
    options: BuildOptions,
    theme: Theme,
    assets: list[OutputFile],
    rendered: RenderedPages,
    index: Future[list[OutputFile]] | None,
) -> list[OutputFile]:
    """Pages, feeds, sitemaps, static and content files: every file but the search index,
    each path checked to be written once."""
    report = ErrorReport()
    # Enclosures give the size of the file as published (re-encoded), not the source's.
    sizes = {f.path: len(f.data) for f in assets}
    # The articles the render stage hashed (a session's, kept between its builds).
    digests_of = JobDigests("", rendered.renderer.last_digests).digest_of
    files = list(rendered.files)
    files += render_feeds(site, config, sizes, rendered.feed_memo, digests_of, rendered.intact)
    files += render_live_feeds(site, config)
    files += render_feed(corrections_feed(site, config), config, Extras(config, sizes))[:1]
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
    clock: StageClock,
) -> WriteResult:
    """The output folder made to hold `files` and the search index, all or nothing."""
    options = rendered.options

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
            clock.move(time.perf_counter() - start, "write", "search")

    state_file = write_state_file(options) if rendered.first else None
    return write_output(files, options.output_dir, state_file, rendered.previous, search_files)


def remember(
    options: BuildOptions,
    session: Session | None,
    rendered: RenderedPages,
    written: WriteResult,
    ctx: Context,
    site: Site,
    assets: list[OutputFile],
    count: int,
) -> None:
    """Keep what the next build starts from: the session's model and index, or the cache's
    page memos (a session saves the writer's state in memory; on every save it would cost)."""
    if session is not None:
        session.output = written.state
        sizes = {f.path: len(f.data) for f in assets}
        total = count + written.later
        session.quick = capture(options, ctx, site, rendered.renderer, sizes, total, session)
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
