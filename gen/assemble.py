"""Source documents → validated `Article`s → the `Site` model (pure: no disk, no clock)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from gen.config import BuildOptions, SiteConfig
from gen.errors import ContentError, ErrorReport, Problem, suggest
from gen.images import image_size
from gen.markup import MarkdownEngine
from gen.model import (
    Article,
    Author,
    Image,
    Link,
    Listing,
    Month,
    OutputFile,
    Section,
    Site,
    Tag,
)
from gen.read import Asset, DataDoc, SourceDoc, SourceTree
from gen.urls import article_path, is_safe_slug, slugify
from gen.yamldoc import YamlDoc

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
}
REQUIRED_KEYS = ("title", "author", "date", "section")
AUTHOR_KEYS = ("name", "role", "bio", "avatar", "links")
IMAGE_KEYS = ("src", "alt", "credit", "caption")
SUMMARY_LIMIT = 300

Err = Callable[[tuple[str | int, ...], str], None]


@dataclass(frozen=True, slots=True)
class Context:
    """What validating one article needs to know about the rest of the site."""

    config: SiteConfig
    sections: dict[str, Section]
    authors: dict[str, Author]
    assets: dict[str, Asset]


def build_site(
    tree: SourceTree, config: SiteConfig, options: BuildOptions, report: ErrorReport
) -> Site:
    """Validate every source and assemble the site; raise `ContentError` with all problems."""
    assets = {asset.path: asset for asset in tree.assets}
    sections = {
        s.id: Section(s.id, s.title, s.description, f"/section/{s.id}/") for s in config.sections
    }
    authors = {}
    for doc in tree.authors:
        author = parse_author(doc, assets, report)
        if author is not None:
            authors[author.id] = author
    ctx = Context(config, sections, authors, assets)
    engine = MarkdownEngine(config.base_path)
    articles = []
    for source in tree.articles:
        article = parse_article(source, ctx, engine, options, report)
        if article is not None:
            articles.append(article)
    check_collisions(articles, report)
    report.raise_if_errors(ContentError)
    published = [a for a in articles if is_visible(a, options)]
    published.sort(key=lambda a: (a.date, a.url), reverse=True)
    used_assets = tuple(OutputFile(a.path, a.data) for a in tree.assets)
    return link_site(tuple(published), config, sections, authors, used_assets)


def is_visible(article: Article, options: BuildOptions) -> bool:
    """Drafts and future articles stay out unless the build asks for them."""
    if article.draft and not options.drafts:
        return False
    return options.future or article.date <= options.now


def link_site(
    articles: tuple[Article, ...],
    config: SiteConfig,
    sections: dict[str, Section],
    authors: dict[str, Author],
    files: tuple[OutputFile, ...],
) -> Site:
    """Group published articles into the lists that get pages."""
    by_section: dict[str, list[Article]] = defaultdict(list)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    by_author: dict[str, list[Article]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[Article]] = defaultdict(list)
    tags: dict[str, Tag] = {}
    tz = config.tz
    for article in articles:  # newest first, so every group is too
        by_section[article.section.id].append(article)
        for tag in article.tags:
            by_tag[tag.slug].append(article)
            tags.setdefault(tag.slug, tag)
        for author in article.authors:
            by_author[author.id].append(article)
        local = article.date.astimezone(tz)
        by_month[(local.year, local.month)].append(article)
    months = tuple(
        Month(y, m, f"/archive/{y:04d}/{m:02d}/") for (y, m) in sorted(by_month, reverse=True)
    )
    listings = [Listing("front", "", config.title, "/", articles, config.description)]
    for section in sections.values():
        listings.append(
            Listing(
                "section",
                section.id,
                section.title,
                section.url,
                tuple(by_section[section.id]),
                section.description,
            )
        )
    sorted_tags = tuple(sorted(tags.values(), key=lambda t: t.slug))
    for tag in sorted_tags:
        listings.append(Listing("tag", tag.slug, tag.name, tag.url, tuple(by_tag[tag.slug])))
    for author in sorted(authors.values(), key=lambda a: a.id):
        listings.append(
            Listing(
                "author",
                author.id,
                author.name,
                author.url,
                tuple(by_author[author.id]),
                author.bio,
                author,
            )
        )
    for month in months:
        listings.append(
            Listing(
                "archive",
                f"{month.year:04d}-{month.month:02d}",
                f"{month.year:04d}-{month.month:02d}",
                month.url,
                tuple(by_month[(month.year, month.month)]),
            )
        )
    return Site(
        articles=articles,
        sections=tuple(sections.values()),
        tags=sorted_tags,
        authors=tuple(sorted(authors.values(), key=lambda a: a.id)),
        months=months,
        listings=tuple(listings),
        files=files,
    )


def parse_author(doc: DataDoc, assets: dict[str, Asset], report: ErrorReport) -> Author | None:
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
    name = _text(data, "name", err, "the author's full name")
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
        avatar = _find_image(str(data["avatar"]), name, "", "", ("avatar",), assets, err)
    if len(report.errors) > before:
        return None
    return Author(
        id=author_id,
        name=name,
        role=_text(data, "role", err, "the author's job title"),
        bio=_text(data, "bio", err, "a sentence or two about the author"),
        url=f"/author/{author_id}/",
        avatar=avatar,
        links=tuple(links),
    )


def parse_article(
    source: SourceDoc,
    ctx: Context,
    engine: MarkdownEngine,
    options: BuildOptions,
    report: ErrorReport,
) -> Article | None:
    """Validate one article's front matter and convert its body."""
    front = source.front
    data = front.data
    problems: list[Problem] = []

    def err(key: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(source.path, front.line(*key), message))

    for key in data:
        if key not in ARTICLE_KEYS:
            err((key,), f"unknown front matter key '{key}'{suggest(key, ARTICLE_KEYS)}")
    for key in REQUIRED_KEYS:
        if key not in data or data[key] in (None, "", []):
            err((key,), f"missing '{key}': {ARTICLE_KEYS[key]}")
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        err(("draft",), f"'draft' must be true or false, got '{draft}'")
        draft = False
    tz = ctx.config.tz
    title = _text(data, "title", err, ARTICLE_KEYS["title"])
    published = _datetime(data, "date", tz, err)
    updated = _datetime(data, "updated", tz, err)
    if published and updated and updated < published:
        err(
            ("updated",),
            f"'updated' ({_show(updated)}) is before 'date' ({_show(published)})",
        )
    authors = _authors(data.get("author"), ctx, err)
    section = _section(data.get("section"), ctx, err)
    lang = _text(data, "lang", err, ARTICLE_KEYS["lang"]) or ctx.config.language
    slug = _slug(source, data, lang, err)
    tags = _tags(data.get("tags"), lang, err)
    image = _lead_image(front, ctx.assets, err)
    dateline = _text(data, "dateline", err, ARTICLE_KEYS["dateline"])
    rendered = engine.convert(source.body)
    standfirst = _text(data, "summary", err, ARTICLE_KEYS["summary"])
    summary = standfirst or _shorten(rendered.first_paragraph, SUMMARY_LIMIT)
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
        body_html=rendered.html,
        toc=rendered.toc,
        word_count=rendered.word_count,
        reading_minutes=rendered.reading_minutes,
        lang=lang,
        draft=draft,
    )


def check_collisions(articles: list[Article], report: ErrorReport) -> None:
    """Two articles with one URL: name both files."""
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


def _text(data: dict[str, Any], key: str, err: Err, expected: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list, bool)):
        err((key,), f"'{key}' must be text: {expected}")
        return ""
    return str(value).strip()


def _show(moment: datetime) -> str:
    return moment.isoformat()


def _datetime(data: dict[str, Any], key: str, tz: ZoneInfo, err: Err) -> datetime | None:
    """A timezone-aware moment; bare dates and naive times take the site's time zone."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            err(
                (key,),
                f"'{key}' is not a date: expected e.g. 2026-01-06T09:30:00+02:00, got '{value}'",
            )
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    err((key,), f"'{key}' is not a date: expected e.g. 2026-01-06T09:30:00+02:00, got '{value}'")
    return None


def _authors(value: Any, ctx: Context, err: Err) -> tuple[Author, ...]:
    ids = value if isinstance(value, list) else [value] if value else []
    found = []
    for i, raw in enumerate(ids):
        key: tuple[str | int, ...] = ("author", i) if isinstance(value, list) else ("author",)
        author_id = str(raw).strip()
        author = ctx.authors.get(author_id)
        if author is None:
            hint = suggest(author_id, ctx.authors)
            err(key, f"unknown author '{author_id}'{hint} (authors are content/authors/<id>.yaml)")
        elif author not in found:
            found.append(author)
    return tuple(found)


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


def _tags(value: Any, lang: str, err: Err) -> tuple[Tag, ...]:
    if value is None:
        return ()
    names = [t.strip() for t in value.split(",")] if isinstance(value, str) else value
    if not isinstance(names, list):
        err(("tags",), "'tags' must be a list, e.g. [ukraine, diplomacy]")
        return ()
    tags: dict[str, Tag] = {}
    for i, name in enumerate(names):
        if not isinstance(name, (str, int)) or not str(name).strip():
            err(("tags", i), f"tag {i + 1} must be a word or phrase")
            continue
        slug = slugify(str(name), lang)
        if not slug:
            err(("tags", i), f"tag '{name}' has no letters or digits to make a URL from")
            continue
        tags.setdefault(slug, Tag(slug, str(name).strip(), f"/tag/{slug}/"))
    return tuple(tags.values())


def _lead_image(front: YamlDoc, assets: dict[str, Asset], err: Err) -> Image | None:
    """`image: {src, alt, credit, caption}`, or `image: PATH` with flat `image_*` keys."""
    data = front.data
    value = data.get("image")
    flat = {k: data[f"image_{k}"] for k in ("alt", "credit", "caption") if f"image_{k}" in data}
    if value is None:
        if flat:
            err((f"image_{next(iter(flat))}",), "'image_*' keys need an 'image: PATH'")
        return None
    if isinstance(value, str):
        spec: dict[str, Any] = {"src": value, **flat}
    elif isinstance(value, dict):
        for key in value:
            if key not in IMAGE_KEYS:
                err(("image", key), f"unknown key 'image.{key}'{suggest(str(key), IMAGE_KEYS)}")
        spec = {**flat, **value}
    else:
        err(("image",), "'image' must be a path or {src, alt, credit, caption}")
        return None

    def where(key: str) -> tuple[str, ...]:
        if isinstance(value, dict) and key in value:
            return ("image", key)
        return (f"image_{key}",) if f"image_{key}" in data else ("image",)

    alt = str(spec.get("alt") or "").strip()
    credit = str(spec.get("credit") or "").strip()
    if not alt:
        err(
            where("alt"),
            "the lead image needs 'alt' text describing it for readers who can't see it",
        )
    if not credit:
        err(where("credit"), "the lead image needs a 'credit' naming who made it")
    src = str(spec.get("src") or "").strip()
    if not src:
        err(where("src"), "the lead image needs a 'src' path under content/")
        return None
    caption = str(spec.get("caption") or "").strip()
    return _find_image(src, alt, credit, caption, where("src"), assets, err)


def _find_image(
    src: str,
    alt: str,
    credit: str,
    caption: str,
    key: tuple[str, ...],
    assets: dict[str, Asset],
    err: Err,
) -> Image | None:
    rel = src.lstrip("/").removeprefix("content/")
    asset = assets.get(rel)
    if asset is None:
        hint = suggest(rel, assets)
        err(key, f"image '{src}' does not exist under content/{hint}")
        return None
    size = image_size(asset.data)
    if size is None and not rel.endswith(".svg"):
        err(key, f"image '{src}' is not a readable PNG, JPEG, GIF or WebP file")
        return None
    width, height = size or (None, None)
    return Image(rel, "/" + rel, alt, credit, caption, width, height)


def _shorten(text: str, limit: int) -> str:
    """Cut `text` at a word boundary to at most `limit` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
