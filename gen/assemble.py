"""Source documents → validated `Article`s → the `Site` model (pure: no disk, no clock)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from gen.cache import code_digest
from gen.config import LANG_RE, BuildOptions, SiteConfig
from gen.convert import Engine, engine_version
from gen.errors import ContentError, ErrorReport, Problem, suggest
from gen.fields import (
    Err,
    ImageFinder,
    aliases_field,
    authors_field,
    corrections_field,
    datetime_field,
    lead_image,
    shorten,
    sources_field,
    tags_field,
    text_field,
)
from gen.figures import enhance_body_images
from gen.listings import link_site
from gen.live import parse_live
from gen.markup import MarkdownEngine
from gen.model import Article, Author, Image, Link, OutputFile, Section, Site
from gen.read import Asset, DataDoc, LiveSource, SourceDoc, SourceTree
from gen.related import RelatedMemo
from gen.sitemaps import NEWS_WINDOW
from gen.urls import article_path, is_safe_slug, slugify

ARTICLE_KEYS = {
    "title": "the headline",
    "author": "an author id, or a list of ids, from content/authors/",
    "date": "when it was published, e.g. 2026-01-06T09:30:00+02:00",
    "updated": "when it was last updated, after 'date'",
    "section": "one of the sections in site.yaml",
    "tags": "a list of topics, e.g. [ukraine, diplomacy]",
    "summary": "one or two sentences for lists, feeds and search engines",
    "dateline": "where the story was reported, e.g. Kyiv, Ukraine",
    "slug": "the last part of the URL: lowercase letters, digits and hyphens",
    "draft": "true to keep the article out of the site unless --drafts is given",
    "lang": "the article's language if not the site's, e.g. uk",
    "image": "the lead image: {src, alt, credit, caption} or a path under content/",
    "image_alt": "the lead image's text alternative",
    "image_credit": "who made the lead image",
    "image_caption": "the lead image's caption",
    "sources": "a list of {name, url, kind, note}",
    "corrections": "a list of {date, text, kind, prominent}",
    "expires": "when the article leaves lists and feeds (its page stays)",
    "translation_of": "the slug of the article this one translates",
    "aliases": "old paths that should redirect here, e.g. [/2025/01/02/old-slug/]",
}
REQUIRED_KEYS = ("title", "author", "date", "section")
AUTHOR_KEYS = ("name", "role", "bio", "avatar", "links")
SUMMARY_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Context:
    """What validating one article needs to know about the rest of the site."""

    config: SiteConfig
    sections: dict[str, Section]
    authors: dict[str, Author]
    assets: dict[str, Asset]
    images: ImageFinder
    key: str = ""  # a digest of all of the above, the build's options and Dateline's code


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
    report.raise_if_errors(ContentError)
    visible = [a for a in articles if is_visible(a, options)]
    visible.sort(key=lambda a: (a.date, a.url), reverse=True)
    scheduled = sorted(
        (a for a in articles if not a.draft and a.date > options.now), key=lambda a: a.date
    )
    files = published_assets(tree.assets, articles, visible, ctx.authors, config)
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
    return replace(site, next_change=next_change(articles, tree.live, config, options.now))


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


def make_context(
    tree: SourceTree, config: SiteConfig, report: ErrorReport, options: BuildOptions | None = None
) -> Context:
    """Sections, authors (their problems go to `report`) and images, for validating articles;
    with `options`, keyed by all of them."""
    assets = {asset.path: asset for asset in tree.assets}
    sections = {
        s.id: Section(s.id, s.title, s.description, f"/section/{s.id}/") for s in config.sections
    }
    finder = ImageFinder(assets, config.image_widths)
    authors = {}
    for doc in tree.authors:
        author = parse_author(doc, finder, report)
        if author is not None:
            authors[author.id] = author
    ctx = Context(config, sections, authors, assets, finder)
    if options is None:
        return ctx
    return replace(ctx, key=context_key(ctx, options))


def context_key(ctx: Context, options: BuildOptions) -> str:
    """Everything besides its source that making an article reads, as one digest: the
    settings, sections, authors and files, the Markdown engine, and Dateline's own code."""
    engine = ctx.config.markdown_engine
    digest = hashlib.sha256(
        repr(
            (ctx.config, ctx.sections, ctx.authors, options.drafts, engine_version(engine))
        ).encode("utf-8")
    )
    digest.update(code_digest().encode())
    for path in sorted(ctx.assets):
        digest.update(path.encode() + b"\0" + hashlib.sha256(ctx.assets[path].data).digest())
    return digest.hexdigest()


def is_visible(article: Article, options: BuildOptions) -> bool:
    """Drafts and future articles stay out unless the build asks for them."""
    if article.draft and not options.drafts:
        return False
    return options.future or article.date <= options.now


def published_assets(
    assets: tuple[Asset, ...],
    articles: list[Article],
    visible: list[Article],
    authors: dict[str, Author],
    config: SiteConfig,
) -> tuple[OutputFile, ...]:
    """Files under content/ to publish: all but images that only unpublished articles use.

    An embargoed story's photograph must not be reachable before the story is.
    """
    used: set[str] = {config.publisher.logo} | {
        a.avatar.src for a in authors.values() if a.avatar is not None
    }
    for article in visible:
        used.update(_images_of(article))
    hidden: set[str] = set()
    for article in articles:
        hidden.update(_images_of(article))
    withheld = hidden - used
    return tuple(OutputFile(a.path, a.data) for a in assets if a.path not in withheld)


def _images_of(article: Article) -> set[str]:
    images = {image.src for image in article.body_images}
    if article.image is not None:
        images.add(article.image.src)
    return images


def parse_author(doc: DataDoc, finder: ImageFinder, report: ErrorReport) -> Author | None:
    """An author profile from `content/authors/<id>.yaml`."""
    author_id = doc.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    data = doc.doc.data
    before = len(report.errors)

    def err(key: tuple[str | int, ...], message: str) -> None:
        report.error(doc.path, doc.doc.line(*key), message)

    if not is_safe_slug(author_id):
        err(
            (),
            f"author id '{author_id}' (the file name) must be lowercase letters, digits, hyphens",
        )
    for key in data:
        if key not in AUTHOR_KEYS:
            err((key,), f"unknown key '{key}'{suggest(key, AUTHOR_KEYS)}")
    name = text_field(data, "name", err, "the author's full name")
    if not name:
        err(("name",) if "name" in data else (), "missing 'name': the author's full name")
    links = []
    raw_links = data.get("links") or []
    if not isinstance(raw_links, list):
        err(("links",), "'links' must be a list of {label, url}")
        raw_links = []
    for i, item in enumerate(raw_links):
        if not isinstance(item, dict) or not item.get("label") or not item.get("url"):
            err(("links", i), "each link needs a 'label' and a 'url'")
            continue
        links.append(Link(str(item["label"]), str(item["url"])))
    avatar = None
    if data.get("avatar"):
        ref = f"{doc.path}:{doc.doc.line('avatar')}"
        avatar = finder.find(str(data["avatar"]), (name, "", ""), ("avatar",), ref, err)
    if len(report.errors) > before:
        return None
    return Author(
        id=author_id,
        name=name,
        role=text_field(data, "role", err, "the author's job title"),
        bio=text_field(data, "bio", err, "a sentence or two about the author"),
        url=f"/author/{author_id}/",
        avatar=avatar,
        links=tuple(links),
    )


def parse_article(
    source: SourceDoc,
    ctx: Context,
    engine: Engine,
    options: BuildOptions,
    report: ErrorReport,
    extra_keys: Mapping[str, str] = MappingProxyType({}),
) -> Article | None:
    """Validate one article's front matter (plus `extra_keys`) and convert its body."""
    front = source.front
    data = front.data
    problems: list[Problem] = []

    def err(key: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(source.path, front.line(*key), message))

    for key in data:
        if key not in ARTICLE_KEYS and key not in extra_keys:
            hint = suggest(key, [*ARTICLE_KEYS, *extra_keys])
            err((key,), f"unknown front matter key '{key}'{hint}")
    for key in REQUIRED_KEYS:
        if key not in data or data[key] in (None, "", []):
            err((key,), f"missing '{key}': {ARTICLE_KEYS[key]}")
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        err(("draft",), f"'draft' must be true or false, got '{draft}'")
        draft = False
    tz = ctx.config.tz
    title = text_field(data, "title", err, ARTICLE_KEYS["title"])
    published = datetime_field(data, "date", tz, err)
    updated = datetime_field(data, "updated", tz, err)
    if published and updated and updated < published:
        err(
            ("updated",),
            f"'updated' ({updated.isoformat()}) is before 'date' ({published.isoformat()})",
        )
    expires = datetime_field(data, "expires", tz, err)
    if published and expires and expires <= published:
        err(("expires",), f"'expires' ({expires.isoformat()}) is not after 'date'")
    authors = authors_field(data.get("author"), ctx.authors, err)
    section = _section(data.get("section"), ctx, err)
    lang = text_field(data, "lang", err, ARTICLE_KEYS["lang"]) or ctx.config.language
    if not LANG_RE.match(lang):
        err(("lang",), f"'lang' must be a language tag such as en or uk, got '{lang}'")
    slug = _slug(source, data, lang, err)
    tags = tags_field(data.get("tags"), lang, err)
    image = lead_image(front, ctx.images, source.path, err)
    dateline = text_field(data, "dateline", err, ARTICLE_KEYS["dateline"])
    sources = sources_field(data.get("sources"), err)
    corrections = corrections_field(data.get("corrections"), published, tz, err)
    translation_of = text_field(data, "translation_of", err, ARTICLE_KEYS["translation_of"])
    aliases = aliases_field(data.get("aliases"), err)
    rendered = engine.convert(source.body)
    body_images = _body_images(source, rendered.images, ctx, problems)
    standfirst = text_field(data, "summary", err, ARTICLE_KEYS["summary"])
    summary = standfirst or shorten(rendered.first_paragraph, SUMMARY_LIMIT)
    if problems:
        # An unfinished draft must not block publishing: its problems are warnings
        # unless the build includes drafts.
        for p in problems:
            if draft and not options.drafts:
                report.warn(p.path, p.line, f"(draft) {p.message}")
            else:
                report.error(p.path, p.line, p.message)
        return None
    assert published is not None and section is not None
    return Article(
        source=source.path,
        slug=slug,
        url=article_path(ctx.config.permalink, published.astimezone(tz), slug, section.id),
        title=title,
        authors=authors,
        date=published,
        updated=updated,
        section=section,
        tags=tags,
        summary=summary,
        standfirst=standfirst,
        dateline=dateline,
        image=image,
        body_html=enhance_body_images(
            rendered.html,
            {ctx.config.base_path + image.src: image for image in body_images},
            ctx.config.base_path,
        ),
        toc=rendered.toc,
        word_count=rendered.word_count,
        reading_minutes=rendered.reading_minutes,
        lang=lang,
        draft=draft,
        sources=sources,
        corrections=corrections,
        expires=expires,
        translation_of=translation_of,
        aliases=aliases,
        body_images=body_images,
        inputs=hashlib.sha256(f"{ctx.key}\0{source.digest}".encode()).hexdigest()
        if ctx.key and source.digest
        else "",
    )


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


def _section(value: Any, ctx: Context, err: Err) -> Section | None:
    if value is None or value == "":
        return None
    section = ctx.sections.get(str(value))
    if section is None:
        hint = suggest(str(value), ctx.sections)
        known = ", ".join(ctx.sections)
        err(("section",), f"unknown section '{value}'{hint} (site.yaml has: {known})")
    return section


def _slug(source: SourceDoc, data: dict[str, Any], lang: str, err: Err) -> str:
    if "slug" in data:
        slug = str(data["slug"] or "")
        if not is_safe_slug(slug):
            err(
                ("slug",),
                f"unsafe slug '{slug}': use lowercase letters, digits and hyphens (e.g. "
                f"'{slugify(slug) or 'kyiv-talks'}')",
            )
        return slug
    stem = source.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    slug = slugify(stem, lang)
    if not slug:
        err((), f"cannot make a URL from the file name '{stem}': add a 'slug'")
    return slug


def _body_images(
    source: SourceDoc, found: tuple[tuple[str, str], ...], ctx: Context, problems: list[Problem]
) -> tuple[Image, ...]:
    """The content images a body shows, each checked like a lead image (exists, has alt)."""
    images: dict[str, Image] = {}
    for src, alt in found:
        at = source.body.find(src)
        line = source.body_line + (source.body.count("\n", 0, at) if at >= 0 else 0)

        def err(key: tuple[str | int, ...], message: str, line: int = line) -> None:
            problems.append(Problem(source.path, line, message))

        rel = src.lstrip("/")
        if rel in images:
            continue
        if not alt.strip():
            err((), f"image '{src}' in the body needs alt text: ![what it shows]({src})")
        image = ctx.images.find(rel, (alt, "", ""), (), f"{source.path}:{line}", err)
        if image is not None:
            images[rel] = image
    return tuple(images.values())
