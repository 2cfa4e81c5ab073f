"""`build()`: read → assemble → render → write, each stage timed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from gen.assemble import ParseMemo, build_site, make_context
from gen.cache import (
    ImageCache,
    read_json_cache,
    read_page_memo,
    write_json_cache,
    write_page_memo,
    write_state_file,
)
from gen.cache import (
    Memo as PageMemo,
)
from gen.config import CONFIG_FILE, BuildOptions, SiteConfig, load_config
from gen.convert import Converted, MarkupCache, convert_all, engine_version, settings_key
from gen.errors import ContentError, ErrorReport, GenError, Problem, TemplateError
from gen.feeds import Extras, render_feed, render_feeds, render_live_feeds
from gen.hot import HotState, capture, quick_build
from gen.images import image_info, plan_variants
from gen.markup import MarkdownEngine, Rendered
from gen.model import Article, OutputFile, Site
from gen.pages import Page, PlanMemo, corrections_feed
from gen.read import ReadMemo, SourceTree, read_tree, source_cache
from gen.related import RelatedMemo
from gen.render import ArticleDigests, JobDigests, JobMemo, Renderer, read_theme
from gen.search import (
    BUNDLE_DIR,
    SearchUnavailable,
    build_index,
    check_available,
    indexed_digest,
)
from gen.sitemaps import render_sitemaps
from gen.urls import output_file
from gen.write import (
    OutputState,
    check_output_dir,
    is_intact,
    read_output_state,
    write_output,
)

Progress = Callable[[int, int], None]
# One Pagefind at a time (each holds a year's pages in memory), beside the build's own work.
SEARCH_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dateline-search")


@dataclass(slots=True)
class BuildResult:
    """What a successful build did, and how long each stage took."""

    articles: int = 0
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    warnings: list[Problem] = field(default_factory=list)
    next_embargo: Article | None = None
    cached: int = 0  # Markdown bodies taken from the cache
    converted: int = 0  # Markdown bodies converted in this build
    rendered: int = 0  # pages rendered (the others were kept: their inputs are unchanged)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Wall time of the whole build."""
        return sum(self.timings.values())


class BuildFailed(GenError):
    """A build stopped on errors; `warnings` are what it found besides."""

    def __init__(self, error: GenError, warnings: list[Problem]) -> None:
        super().__init__(error.problems)
        self.kind = error.kind
        self.warnings = warnings


@dataclass(slots=True)
class Session:
    """What a watch or preview session keeps between its builds, to rebuild faster.

    `pages`: each page's inputs digest and output hash from the last build, so a page
    whose inputs did not change is not rendered again. `quick_search`: reuse the last search
    index instead of re-indexing on every save (the next full build refreshes it).
    """

    pages: PageMemo = field(default_factory=dict)
    sources: ReadMemo = field(default_factory=dict)  # unchanged files are not read again
    parsed: ParseMemo = field(default_factory=dict)  # nor validated again
    related: RelatedMemo = field(default_factory=dict)  # related stories, if no tag moved
    digests: ArticleDigests = field(default_factory=dict)  # nor hashed again
    plans: PlanMemo = field(default_factory=dict)  # nor their pages planned again
    jobs: JobMemo = field(default_factory=dict)  # nor those hashed again
    markup: dict[str, tuple[str, Rendered]] = field(default_factory=dict)  # nor converted
    # The search index as last written, and its groups: a preview reuses it as it is.
    search: tuple[tuple[str, ...], list[OutputFile]] = ((), [])
    feeds: PageMemo = field(default_factory=dict)  # the same for feed files
    output: OutputState | None = None  # what the output folder holds, after the last build
    hot: HotState | None = None  # what the quick path needs, from the last full build
    quick_search: bool = True


def build(
    options: BuildOptions,
    progress: Progress | None = None,
    session: Session | None = None,
    changed: frozenset[str] = frozenset(),
) -> BuildResult:
    """Build the site in `options.site_dir` into `options.output_dir`.

    Raises `BuildFailed` with every problem found; the output folder is only touched
    after every page rendered, so a failed build leaves it as it was. A watch session
    passes the site-relative paths its watcher saw `changed`: a save that only edited
    stories' text takes the quick path (`gen.hot`).
    """
    result = BuildResult()
    if session is not None:
        if session.hot is not None and changed:
            try:
                done = quick_build(options, session, changed, result)
            except BaseException:
                session.hot = None
                raise
            if done is not None:
                return done
        session.hot = None  # kept only by a full build that succeeds
    report = ErrorReport()

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            result.timings[name] = time.perf_counter() - start

    try:
        with stage("config"):
            config = load_config(options.site_dir, options.base_url)
            if options.now.tzinfo is None:  # a bare --clock is the newsroom's local time
                options = replace(options, now=options.now.replace(tzinfo=config.tz))
            check_output_dir(options.output_dir, options.site_dir)
            if config.search:
                try:
                    check_available()
                except SearchUnavailable as exc:
                    # No search page that cannot work: the page, its link and the index go.
                    report.warn(CONFIG_FILE, None, str(exc))
                    config = replace(config, search=False)
        with stage("read"):
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
            theme = read_theme(options.site_dir, config.theme)
        with stage("markup"):
            engine = convert_bodies(
                tree, config, options, report, result, session.markup if session else None
            )
        with stage("assemble"):
            related_memo = read_json_cache(options, "related") if session is None else None
            related_key = related_memo.get("key") if related_memo else None
            ctx = make_context(tree, config, report, options)
            site = build_site(
                tree,
                config,
                options,
                report,
                engine,
                session.parsed if session else None,
                session.related if session else related_memo,
                ctx,
            )
        with stage("images"):
            assets = publish_assets(site, config, ImageCache(options.cache_dir), report)
            report.raise_if_errors(ContentError)
        with stage("render"):
            renderer = Renderer(config, theme, options.cache_dir)
            out = options.output_dir
            state_file = write_state_file(options)
            first = session is None or session.output is None
            memo: PageMemo | None
            feed_memo: PageMemo | None
            loaded: tuple[PageMemo, PageMemo] = ({}, {})
            if session is not None and session.output is not None:
                previous, memo, feed_memo = session.output, session.pages, session.feeds
            else:
                # A build, or a preview's first: what the last build left, from the cache.
                previous = read_output_state(out, state_file)
                memo = read_page_memo(options)
                feed_memo = read_page_memo(options, "feeds")
                loaded = (dict(memo or {}), dict(feed_memo or {}))
                if session is not None:
                    session.pages = memo = memo if memo is not None else {}
                    session.feeds = feed_memo = feed_memo if feed_memo is not None else {}

            def intact(path: str, digest: str) -> bool:
                return is_intact(out, path, digest, previous)

            files, pages = renderer.render_site(
                site,
                report,
                progress,
                memo,
                intact,
                session.digests if session else None,
                session.plans if session else None,
                session.jobs if session else None,
            )
            report.raise_if_errors(TemplateError)
            result.rendered = sum(1 for f in files if not f.kept)
        with stage("search"):

            def load(file: OutputFile) -> bytes:
                return (out / file.path).read_bytes() if file.kept else file.data

            def search_key(file: OutputFile, page: Page) -> str:
                known = memo.get(page.path) if memo is not None else None
                if file.kept and known is not None and known[2]:
                    return known[2]
                return indexed_digest(load(file))

            # Pagefind runs beside the rest of the build (feeds, writing the pages); its
            # files are written last, once it is done.
            index: Future[list[OutputFile]] | None = None
            if config.search and any(p.searchable for p in pages):
                # A page is indexed again only if what Pagefind reads of it changed (not, say,
                # its related links, which it ignores).
                searchable = [
                    (p.search_group, f, search_key(f, p))
                    for f, p in zip(files, pages, strict=True)
                    if p.searchable
                ]
                quick = session is not None and session.quick_search
                groups = tuple(sorted({g for g, _, _ in searchable}))

                if quick and session is not None and session.search[0] == groups:
                    index = Future()
                    index.set_result(session.search[1])
                else:
                    index = SEARCH_POOL.submit(
                        build_index,
                        searchable,
                        options.cache_dir,
                        reuse_latest=quick,
                        load=load,
                        intact=intact,
                    )
        with stage("feeds"):
            # Enclosures give the size of the file as published (re-encoded), not the source's.
            sizes = {f.path: len(f.data) for f in assets}
            # The articles the render stage hashed (a session's, kept between its builds).
            digests_of = JobDigests("", renderer.last_digests)
            files += render_feeds(site, config, sizes, feed_memo, digests_of.digest_of, intact)
            files += render_live_feeds(site, config)
            files += render_feed(corrections_feed(site, config), config, Extras(config, sizes))[:1]
            public = [(p.path, p.modified) for p in pages if p.public]
            files += render_sitemaps(site, config, public, options.now)
            # Assets after pages: a page and an asset at one path is a collision, not an overwrite.
            origins = {output_file(p.path): p.source for p in pages if p.source}
            files = check_unique([*files, *theme.static, *assets], report, origins)
            if index is not None:
                reserved = [f for f in files if f.path.startswith(f"{BUNDLE_DIR}/")]
                for file in reserved:
                    report.error(
                        origins.get(file.path, file.path),
                        None,
                        f"{BUNDLE_DIR}/ is the search index's folder; {file.path} cannot be there",
                    )
                report.raise_if_errors(TemplateError)
        with stage("write"):
            waited = 0.0
            index_files: list[OutputFile] = []

            def search_files() -> list[OutputFile]:
                nonlocal waited, index_files
                if index is None:
                    return []
                start = time.perf_counter()
                try:
                    index_files = index.result()
                    return index_files
                except SearchUnavailable as exc:
                    report.warn(CONFIG_FILE, None, str(exc))
                    return []
                finally:
                    waited = time.perf_counter() - start

            # A session keeps the state in memory; saving it on every save costs at 10,000
            # files. A stale one on disk is safe: files it does not match are not trusted.
            saved_state = state_file if first else None
            written = write_output(files, out, saved_state, previous, later=search_files)
            if session is not None:
                session.output = written.state
                session.hot = capture(
                    options, ctx, site, renderer, sizes, len(files) + written.later, session
                )
                if index_files:
                    session.search = (
                        tuple(sorted({f.path.split("/")[1] for f in index_files})),
                        [
                            OutputFile(f.path, b"", kept=written.state[f.path][0])
                            for f in index_files
                        ],
                    )
            if first and memo is not None and memo != loaded[0]:
                write_page_memo(options, memo)
            if first and feed_memo is not None and feed_memo != loaded[1]:
                write_page_memo(options, feed_memo, "feeds")
            if related_memo is not None and related_memo.get("key") != related_key:
                write_json_cache(options, "related", related_memo)
    except GenError as exc:
        raise BuildFailed(exc, report.warnings) from None
    # Waiting for Pagefind is search time, not writing time.
    result.timings["search"] += waited
    result.timings["write"] -= waited
    result.articles = len(site.articles)
    result.pages = len(files) + written.later
    result.written = written.written
    result.unchanged = written.unchanged
    result.removed = written.removed
    result.warnings = report.warnings
    result.next_embargo = site.next_embargo
    return result


def check_unique(
    files: list[OutputFile], report: ErrorReport, origins: dict[str, str] | None = None
) -> list[OutputFile]:
    """Refuse two outputs at one path, or a file where another needs a folder (Pelican's
    FileOverwriteFailedError, kept); `origins` names what asked for a path (an alias)."""
    origins = origins or {}
    seen: set[str] = set()
    for file in files:
        if file.path in seen:
            report.error(
                origins.get(file.path, file.path),
                None,
                f"two pages or files would be written to {file.path}",
            )
        seen.add(file.path)
    for path in sorted(seen):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in seen:
                report.error(
                    origins.get(path, origins.get(folder, path)),
                    None,
                    f"{folder} is a file, but {path} needs it to be a folder",
                )
    report.raise_if_errors(TemplateError)
    return files


def publish_assets(
    site: Site, config: SiteConfig, cache: ImageCache, report: ErrorReport
) -> list[OutputFile]:
    """Content files as published: raster images re-encoded in every width, metadata stripped."""
    refs: dict[str, list[str]] = {}
    for article in site.articles:
        for image in (article.image, *article.body_images):
            if image is not None:
                refs.setdefault(image.src, []).append(image.ref)
    files: list[OutputFile] = []
    for asset in site.files:
        info = image_info(asset.data) if is_raster(asset.path) else None
        variants = plan_variants(asset.path, info, config.image_widths) if info else ()
        if not variants:
            files.append(asset)
            continue
        try:
            files.extend(cache.variants(asset.data, variants))
        except ValueError as exc:
            for ref in refs.get(asset.path, [f"content/{asset.path}:"]):
                path, _, line = ref.rpartition(":")
                report.error(path, int(line) if line else None, f"image '{asset.path}' {exc}")
    return files


def is_raster(path: str) -> bool:
    """True for the image formats Dateline re-encodes."""
    return path.lower().endswith((".jpg", ".jpeg", ".png", ".webp"))


def convert_bodies(
    tree: SourceTree,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    result: BuildResult,
    memo: dict[str, tuple[str, Rendered]] | None = None,
) -> Converted:
    """Every Markdown body converted once: from the cache, or on a pool when there are many."""
    texts = [doc.body for doc in tree.articles]
    for live in tree.live:
        texts += [live.index.body, *(u.body for u in live.updates)]
    base_path = config.base_path
    engine_name = config.markdown_engine

    def factory() -> MarkdownEngine:
        return MarkdownEngine(base_path, engine_name)

    db = options.cache_dir / "dateline.sqlite" if options.cache_dir is not None else None
    cache = MarkupCache(db, lambda message: report.warn(".cache", None, message))
    try:
        settings = settings_key(engine_name, engine_version(engine_name), base_path)
        converted, result.cached, result.converted = convert_all(
            texts, settings, factory, cache, options.jobs, memo
        )
    finally:
        cache.close()
    return converted
