"""The stages that make files, in order: render, feeds and sitemaps, write, and what the
next build starts from (the search index is started between render and feeds:
`gen.engine.search`). Each does everything, or a watch save's part
(`gen.engine.changes`)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from gen.assemble.patch import lists_holding
from gen.cache import (
    Memo,
    read_page_memo,
    write_page_memo,
    write_state_file,
)
from gen.config import CONFIG_FILE, BuildOptions, SiteConfig, load_config
from gen.engine.changes import NotPartial, manifest_stamp, pages_showing, remember_last_build
from gen.engine.inputs import Assembled, last_build
from gen.errors import ConfigError, ErrorReport, Problem, TemplateError
from gen.model import OutputFile
from gen.outputs.compress import SUFFIXES as COPY_SUFFIXES
from gen.outputs.compress import compressed_copies
from gen.outputs.feeds import Extras, render_feed, render_feeds, render_live_feeds
from gen.outputs.hosting import host_files
from gen.outputs.limits import limit_warnings, output_sizes
from gen.outputs.pagefind_run import SearchUnavailable
from gen.outputs.search_cache import BUNDLE_DIR
from gen.outputs.search_key import indexed_digest
from gen.outputs.sitemaps import news_articles, news_sitemaps, render_sitemaps
from gen.outputs.spool import made_bytes, spooler
from gen.outputs.state import OutputState, is_intact, read_output_state
from gen.outputs.write import WriteResult, check_unique, write_files, write_output
from gen.pages.page import Job, Page
from gen.pages.plan import Planner, corrections_feed
from gen.pages.preview import PreviewBuild, preview_files
from gen.pages.reads import JobDigests
from gen.pages.render import Renderer
from gen.pages.theme import Theme
from gen.session import BuildCancelled, LastBuild, Session
from gen.urls import output_file

Progress = Callable[[int, int], None]
MoveTime = Callable[[float, str, str], None]


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
    spool: Path | None = None  # where made files wait on disk for the writer, if anywhere

    def intact(self, path: str, digest: str) -> bool:
        """The output still holds the file with `digest` at `path`, as the writer left it."""
        return is_intact(self.options.output_dir, path, digest, self.previous)

    def load(self, file: OutputFile) -> bytes:
        """A page's bytes: rendered now (in memory or spooled), or read back from the output
        if it was kept."""
        if file.kept:
            return (self.options.output_dir / file.path).read_bytes()
        return made_bytes(file)

    def search_key(self, file: OutputFile, page: Page) -> str:
        """A digest of what Pagefind reads of a page (the memo's, for a kept page, and for
        a spooled one: its worker noted it as it made the page)."""
        known = self.memo.get(page.path) if self.memo is not None else None
        if (file.kept or file.spooled is not None) and known is not None and known[2]:
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
    spool: Path | None = None,
) -> RenderedPages:
    """Every page, kept where its declared inputs and recorded reads are unchanged; for a
    partial build, the pages that show an edited story or read more than they declare.
    A build's pages made on the worker pool go to the `spool` folder (a preview's stay in
    memory: its pages are checked for their marks)."""
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
        previous = read_output_state(
            options.output_dir,
            write_state_file(options),
            lambda message: report.warn(".cache", None, message),
        )
        memo, feed_memo = read_page_memo(options), read_page_memo(options, "feeds")
        loaded = (dict(memo or {}), dict(feed_memo or {}))
        if session is not None:
            session.pages = memo = memo if memo is not None else {}
            session.feeds = feed_memo = feed_memo if feed_memo is not None else {}
    renderer = session.renderer if session is not None else None
    preview = preview_build(options, config)
    if (
        renderer is None
        or renderer.config != config
        or renderer.theme != theme
        or renderer.preview != preview
    ):
        # A watch session keeps its compiled templates while settings and theme are equal.
        renderer = Renderer(config, theme, preview)
        if session is not None:
            session.renderer = renderer
    rendered = RenderedPages([], [], renderer, previous, memo, feed_memo, loaded, options, first)
    rendered.spool = spool if preview is None else None
    rendered.files, rendered.pages = renderer.render_site(
        model.site,
        report,
        progress,
        memo,
        rendered.intact,
        session.digests if session else None,
        session.plans if session else None,
        session.jobs if session else None,
        options.now,
        # A build's pages on the worker pool; a watch session keeps its digests' memory in
        # this process, and renders few pages a save.
        workers=options.jobs if session is None else 1,
        spool=rendered.spool,
    )
    report.raise_if_errors(TemplateError)
    return rendered


def preview_build(options: BuildOptions, config: SiteConfig) -> PreviewBuild | None:
    """What marks a preview build's pages (None for a production build); its canonical links
    name site.yaml's base_url, not the --base-url the preview is served at."""
    if not options.preview:
        return None
    published = load_config(options.site_dir).base_url if options.base_url else config.base_url
    return PreviewBuild(options.label, published, options.embargoed)


def render_edited(
    model: Assembled,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    last: LastBuild,
    session: Session | None,
) -> RenderedPages:
    """A partial build's pages: each page showing an edited story planned again on the new
    site, as a build that redoes everything plans it, and made."""
    assert session is not None and session.output is not None and model.edited is not None
    places = pages_showing(last, set(model.edited))
    planner = Planner(model.site, config, preview_at=options.now if options.preview else None)
    planned: dict[int, Job] = {}
    for place in places:
        unit = last.units[place]
        try:
            job = planner.page(unit, last.by_unit[unit].index(place))
        except (KeyError, IndexError):
            raise NotPartial from None  # not in the new site as it was
        if job.page.path != last.jobs[place].page.path:
            raise NotPartial  # its pages moved (a live blog's parts, say)
        planned[place] = job
    # Fresh memos: a long run of saves must not pile up old stories in the session's
    # (articles hash by what they were made from, so this costs little).
    digests = JobDigests(last.renderer.last_layout)
    memo: Memo = {}
    jobs = [planned[place] for place in places]
    files, pages = last.renderer.render_jobs(
        jobs, model.site, report, digests, memo, digest_reads=False
    )
    if report.errors:
        raise NotPartial  # a template that fails on the new text: that build says where
    previous = session.output
    renderer = last.renderer
    return RenderedPages(
        files, pages, renderer, previous, memo, {}, ({}, {}), options, False, True, planned
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
    report: ErrorReport,
) -> list[OutputFile]:
    """Pages, feeds, sitemaps, static and content files and the host's files: every file but
    the search index, each path checked to be written once. A partial build makes the feeds
    of the lists holding an edited story, and the news sitemap if one is in its window."""
    site = model.site
    extras = Extras(config, sizes)
    if model.edited is not None:
        last = last_build(session)
        assert session is not None
        edited = model.edited
        digests = JobDigests(last.renderer.last_layout).article
        lists = lists_holding(last.index, set(edited))
        files = list(rendered.files)
        if not options.preview:  # a preview publishes no feed or sitemap
            files += render_feeds(
                site, config, sizes, session.feeds, digests, rendered.intact, lists
            )
            if any(a.corrections for a in edited.values()):
                files += render_feed(corrections_feed(site, config), config, extras)[:1]
            recent = news_articles(site.articles, site.expired, options.now)
            if any(a.url in edited for a in recent):
                files += news_sitemaps(recent, config)
        return files
    # The articles the render stage hashed (a session's, kept between its builds).
    digests_of = JobDigests("", rendered.renderer.last_digests).digest_of
    files = list(rendered.files)
    if options.preview:
        # No feed or sitemap: nothing may pick a preview's stories up. robots.txt keeps
        # crawlers out; live blogs keep the map their pages' script reads.
        files += render_live_feeds(site, config, feeds=False)
        files += preview_files()
    else:
        # As the pages: a big site's feeds wait on disk (90 MB at 10,000 stories).
        hold = spooler(rendered.spool, "feed")
        memo = rendered.feed_memo
        files += render_feeds(site, config, sizes, memo, digests_of, rendered.intact, hold=hold)
        made = render_live_feeds(site, config)
        made += render_feed(corrections_feed(site, config), config, extras)[:1]
        public = [(p.path, p.modified) for p in rendered.pages if p.public]
        made += render_sitemaps(site, config, public, options.now)
        files += map(hold, made)
    # Assets after pages: a page and an asset at one path is a collision, not an overwrite.
    origins = {output_file(p.path): p.source for p in rendered.pages if p.source}
    files = [*files, *theme.static, *assets]
    # The host's redirect and header files (host: in site.yaml), planned like every output.
    host = host_files(
        site,
        config,
        [f.path for f in files],
        theme.dirs,
        options.site_dir,
        report,
        options.preview,
    )
    origins.update((f.path, CONFIG_FILE) for f in host)
    files = check_unique([*files, *host], report, origins)
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
    stop: Callable[[], bool] | None = None,
) -> WriteResult:
    """The output folder made to hold `files` and the search index, all or nothing; a
    partial build writes its few files and leaves the others as they are. With `compress:
    true`, each text file's .gz and .br copies are written with it."""
    options = rendered.options
    files = with_copies(files, rendered, rendered.renderer.config)
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
            while True:  # a build asked to stop does not wait for Pagefind
                try:
                    return index.result(timeout=0.05 if stop is not None else None)
                except FuturesTimeout:
                    if stop is not None and stop():
                        raise BuildCancelled from None
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
    return write_output(
        files,
        options.output_dir,
        state_file,
        rendered.previous,
        partial(with_index, files, search_files, rendered, report),
        preview=options.preview,
    )


def with_copies(
    files: list[OutputFile], rendered: RenderedPages, config: SiteConfig
) -> list[OutputFile]:
    """`files` and, with `compress: true`, their .gz and .br copies (kept with a kept file)."""
    if not config.compress:
        return files
    copies = compressed_copies(files, rendered.previous, rendered.intact, rendered.load)
    if rendered.partial:
        had = {f.path + s for f in files for s in COPY_SUFFIXES if f.path + s in rendered.previous}
        if {copy.path for copy in copies} != had:
            raise NotPartial  # a copy comes or goes: a partial build only rewrites files
    taken = sorted({f.path for f in files}.intersection(copy.path for copy in copies))
    if taken:
        raise TemplateError(
            [
                Problem(path, None, f"two pages or files would be written to {path}")
                for path in taken
            ]
        )
    return files + copies


def with_index(
    files: list[OutputFile],
    search_files: Callable[[], list[OutputFile]],
    rendered: RenderedPages,
    report: ErrorReport,
) -> list[OutputFile]:
    """The search index's files once Pagefind is done, with their copies; then every file the
    output will hold is measured against the host's documented limits."""
    config = rendered.renderer.config
    index = with_copies(search_files(), rendered, config)
    for message in limit_warnings(config.host, output_sizes([*files, *index], rendered.previous)):
        report.warn(CONFIG_FILE, None, message)
    return index


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
        last.manifest_stamp = manifest_stamp(options)
        return
    if session is not None:
        session.output = written.state
        total = count + written.later
        before = session.last
        session.last = remember_last_build(
            options, model.context, model.site, rendered.renderer, sizes, total, session
        )
        if before is not None and before.context.config == model.context.config:
            session.last.engine = before.engine  # the same settings: its converter is reused
        session.last.manifest_stamp = manifest_stamp(options)
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
