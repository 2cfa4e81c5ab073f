"""The stages that make the site model, in order: config, read, markup, assemble, images.
Each takes `Changes` (`gen.engine.changes`): a build that redoes everything (keeping what it
can), or a partial one that does the same stage for the stories a watch save edited, from
what the session's last build left."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from gen.assemble.article import Context, make_context, parse_article
from gen.assemble.assets import linked_files
from gen.assemble.patch import is_edited, patch_site, place_of
from gen.assemble.site import build_site
from gen.cache import (
    read_json_cache,
    write_json_cache,
)
from gen.config import CONFIG_FILE, BuildOptions, SiteConfig, load_config
from gen.engine.changes import Changes, NotPartial
from gen.errors import ErrorReport
from gen.markup.convert import convert_bodies
from gen.markup.engine import MarkdownEngine
from gen.markup.text import Converter, MarkupRefused
from gen.model import Article, OutputFile, Site
from gen.outputs.images import ImageCache, publish_assets
from gen.outputs.pagefind_run import SearchUnavailable, check_available
from gen.outputs.state import check_output_dir
from gen.pages.preview import preview_options
from gen.pages.theme import Theme, read_theme
from gen.session import BuildResult, LastBuild, Session
from gen.source.read import SourceDoc, SourceTree, read_source, read_tree, source_cache

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
    """The settings, and the options with a bare --clock in the newsroom's time zone (and a
    preview's drafts and embargoed stories included: `preview_options`)."""
    if changes.partial:  # site.yaml did not change: the last build's settings
        config = last_build(session).context.config
    else:
        config = load_config(options.site_dir, options.base_url)
    if options.now.tzinfo is None:
        options = replace(options, now=options.now.replace(tzinfo=config.tz))
    options = preview_options(options)
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
    return tree, read_theme(options.site_dir, config.theme, report)


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
            try:
                article = parse_article(doc, last.context, engine, options, report)
            except MarkupRefused:
                raise NotPartial from None  # the build that redoes everything locates it
            if article is None or report.errors or report.warnings:
                raise NotPartial  # the build that redoes everything reports it, with the rest
            if place_of(article) != place_of(old):
                raise NotPartial  # the story moved
            paths = set(last.context.assets)
            if linked_files(article, config, paths) != linked_files(old, config, paths):
                raise NotPartial  # it links to another file: an image may now be published
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
