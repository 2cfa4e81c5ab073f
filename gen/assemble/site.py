"""Validated `Article`s → the `Site` model: lists, related stories, live blogs (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gen.assemble.article import Context, context_key, make_context, parse_article
from gen.assemble.assets import UsedFiles, published_assets, unused_images
from gen.assemble.listings import link_site
from gen.assemble.live import parse_live
from gen.assemble.related import RelatedMemo
from gen.config import BuildOptions, SiteConfig
from gen.errors import ContentError, ErrorReport, suggest
from gen.markup.convert import Engine
from gen.markup.engine import MarkdownEngine
from gen.model import Article, Site
from gen.outputs.sitemaps import NEWS_WINDOW
from gen.source.fields import (
    datetime_field,
)
from gen.source.read import LiveSource, SourceDoc, SourceTree

# A watch session's memory of validated articles: id(source) → (source, context key, article).
ParseMemo = dict[int, tuple[SourceDoc, str, Article]]


def build_site(
    tree: SourceTree,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    engine: Engine | None = None,
    memo: ParseMemo | None = None,
    related_memo: RelatedMemo | None = None,
    ctx: Context | None = None,
) -> Site:
    """Validate every source and assemble the site; raise `ContentError` with all problems.

    With `memo` (a watch session's, whose reader reuses unchanged sources), an unchanged
    source validated without a problem in the same context is not validated again. `ctx`
    is `make_context`'s, if the caller made it.
    """
    ctx = ctx or make_context(tree, config, report, options)
    engine = engine or MarkdownEngine.for_site(config)
    articles = []
    key = ctx.key or context_key(ctx, options) if memo is not None else ""
    seen: ParseMemo = {}
    for source in tree.articles:
        known = memo.get(id(source)) if memo is not None else None
        if known is not None and known[0] is source and known[1] == key:
            article: Article | None = known[2]
        else:
            before = len(report.errors) + len(report.warnings)
            article = parse_article(source, ctx, engine, options, report)
            if len(report.errors) + len(report.warnings) > before:
                known = None  # validated again next time, so its warnings are shown again
            elif article is not None:
                known = (source, key, article)
        if article is not None:
            articles.append(article)
        if known is not None:
            seen[id(source)] = known
    if memo is not None:
        memo.clear()
        memo.update(seen)
    for live in tree.live:
        article = parse_live(live, ctx, engine, options, report)
        if article is not None:
            articles.append(article)
    # Scheduled articles are checked too (they will publish by themselves); drafts only
    # when included, so an unfinished draft never blocks publishing.
    check_collisions([a for a in articles if options.drafts or not a.draft], report)
    check_translations(articles, report)
    ctx.images.report_unshown(report)  # unused files that cannot be published, reported now
    report.raise_if_errors(ContentError)
    visible = [a for a in articles if is_visible(a, options)]
    visible.sort(key=lambda a: (a.date, a.url), reverse=True)
    scheduled = sorted(
        (a for a in articles if not a.draft and a.date > options.now), key=lambda a: a.date
    )
    used: UsedFiles = {}  # each story's files, found once for both questions
    files = published_assets(tree.assets, ctx.images.checked, visible, ctx.authors, config, used)
    site = link_site(
        tuple(visible),
        config,
        ctx.sections,
        ctx.authors,
        files,
        now=options.now,
        next_embargo=scheduled[0] if scheduled else None,
        related_memo=related_memo,
    )
    shown = {a.url for a in visible}
    withheld = sorted(
        (a.url, "a draft" if a.draft else f"scheduled for {a.date.isoformat()}")
        for a in articles
        if a.url not in shown
    )
    return replace(
        site,
        next_change=next_change(articles, tree.live, config, options.now),
        withheld=tuple(withheld),
        unused_images=unused_images(
            tree.assets, ctx.images.checked, articles, ctx.authors, config, used
        ),
    )


def next_change(
    articles: list[Article], live: tuple[LiveSource, ...], config: SiteConfig, now: datetime
) -> datetime | None:
    """The next moment the site changes with the clock alone: a story (or a live update)
    comes out of embargo, a story expires or leaves the news sitemap's window."""
    moments: list[datetime] = []
    for article in articles:
        if article.date > now:
            moments.append(article.date)
        elif article.date + NEWS_WINDOW >= now:
            moments.append(article.date + NEWS_WINDOW)
        if article.expires is not None and article.expires > now:
            moments.append(article.expires)
    for blog in live:
        for doc in blog.updates:
            moment = datetime_field(doc.front.data, "time", config.tz, lambda *_: None)
            if moment is not None and moment > now:
                moments.append(moment)
    return min(moments, default=None)


def is_visible(article: Article, options: BuildOptions) -> bool:
    """Drafts and future articles stay out unless the build asks for them."""
    if article.draft and not options.drafts:
        return False
    return options.future or article.date <= options.now


def check_collisions(articles: list[Article], report: ErrorReport) -> None:
    """Two articles, or an article and another's alias, at one URL: name both files."""
    seen: dict[str, Article] = {}
    for article in articles:
        other = seen.get(article.url)
        if other is None:
            seen[article.url] = article
            continue
        for a, b in ((article, other), (other, article)):
            report.error(
                a.source,
                1,
                f"URL {a.url} is also the URL of {b.source}; give one of them another 'slug'",
            )
    aliases: dict[str, Article] = {}
    for article in articles:
        for alias in article.aliases:
            owner = seen.get(alias) or aliases.get(alias)
            if owner is not None:
                report.error(
                    article.source,
                    1,
                    f"alias {alias} is already the URL of {owner.source}; remove one of them",
                )
            aliases[alias] = article


def check_translations(articles: list[Article], report: ErrorReport) -> None:
    """`translation_of` must name an article that exists."""
    slugs = {a.slug for a in articles}
    for article in articles:
        if article.translation_of and article.translation_of not in slugs:
            hint = suggest(article.translation_of, slugs)
            report.error(
                article.source,
                1,
                f"'translation_of' names '{article.translation_of}', which is no article's slug"
                f"{hint}",
            )
