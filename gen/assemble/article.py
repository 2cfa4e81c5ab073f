"""One story: its front matter validated and its body converted → an `Article` (pure)."""

from __future__ import annotations

import hashlib
import html as html_lib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

from gen import code_digest
from gen.assemble.keyhints import key_hint
from gen.check.settings import FRONT_KEY_DOC, front_check_problems
from gen.config import LANG_RE, BuildOptions, SiteConfig
from gen.errors import ErrorReport, Problem, suggest
from gen.markup.convert import Engine, engine_version
from gen.model import Article, Author, Image, Link, Section
from gen.pages.figures import enhance_body_images
from gen.source.fields import (
    Err,
    aliases_field,
    authors_field,
    corrections_field,
    datetime_field,
    is_date_only,
    name_date,
    shorten,
    sources_field,
    tags_field,
    text_field,
    web_url_field,
)
from gen.source.images import ImageFinder, lead_image
from gen.source.read import (
    ARTICLES_DIR,
    BUNDLE_INDEXES,
    Asset,
    DataDoc,
    SourceDoc,
    SourceTree,
    story_folder,
)
from gen.urls import article_path, is_safe_slug, slugify, url_path

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
    "check": FRONT_KEY_DOC,
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
    # Ids of author files with errors (reported at the file): a story naming one is not
    # told the author is unknown as well.
    broken_authors: frozenset[str] = frozenset()


def make_context(
    tree: SourceTree, config: SiteConfig, report: ErrorReport, options: BuildOptions | None = None
) -> Context:
    """Sections, authors (their problems go to `report`) and images, for validating articles;
    with `options`, keyed by all of them."""
    assets = {asset.path: asset for asset in tree.assets}
    sections = {
        s.id: Section(s.id, s.title, s.description, f"/section/{s.id}/") for s in config.sections
    }
    finder = ImageFinder(assets, config.image_widths, config.max_image_megapixels)
    # One file per author id: of two (x.yaml and x.yml, or one in a subfolder) the
    # shallower, then the first by name, defines it; the other is an error.
    defined: dict[str, str] = {}
    for doc in sorted(tree.authors, key=lambda d: (d.path.count("/"), d.path)):
        defined.setdefault(author_id_of(doc.path), doc.path)
    authors: dict[str, Author] = {}
    for doc in tree.authors:
        author_id = author_id_of(doc.path)
        if defined[author_id] != doc.path:
            report.error(
                doc.path, None, f"author '{author_id}' is also defined in {defined[author_id]}"
            )
        author = parse_author(doc, finder, report)
        if author is not None:
            # Either one, so that articles naming the author report nothing more.
            authors.setdefault(author.id, author)
    broken = frozenset(defined) - frozenset(authors)
    ctx = Context(config, sections, authors, assets, finder, broken_authors=broken)
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


# An author's id is their file's name, and their page's URL (/author/<id>/): any name of
# lowercase ASCII letters, digits, '-', '_' and '.' (mattr-.yaml, j.smith.yaml) can be
# referenced as written; others are refused at the file, never left unreachable.
AUTHOR_ID_RE = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9_-])?\Z")


def author_id_of(path: str) -> str:
    """An author's id: the name of their file, without the folder or the .yaml/.yml."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def parse_author(doc: DataDoc, finder: ImageFinder, report: ErrorReport) -> Author | None:
    """An author profile from `content/authors/<id>.yaml`."""
    author_id = author_id_of(doc.path)
    data = doc.doc.data
    before = len(report.errors)

    def err(key: tuple[str | int, ...], message: str) -> None:
        report.error(doc.path, doc.doc.line(*key), message)

    if not AUTHOR_ID_RE.match(author_id) or len(author_id) > 200:
        err(
            (),
            f"author id '{author_id}' (the file name) must be lowercase letters, digits, "
            "'-', '_' or '.': rename the file",
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
        # A profile links to the author's pages, or to their address (mailto:).
        url = web_url_field(item["url"], "link", ("links", i, "url"), err, mail=True)
        if url:
            links.append(Link(str(item["label"]), url))
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
            hint = key_hint(key, [*ARTICLE_KEYS, *extra_keys])
            err((key,), f"unknown front matter key '{key}'{hint}")
    # A leading date in the file name (Jekyll's 2016-01-18-slug.md) is the story's date
    # when the front matter has none, never part of its slug.
    named_date, name = name_date(story_name(source.path))
    undated = data.get("date") in (None, "", [])
    for key in REQUIRED_KEYS:
        if key == "date" and named_date is not None:
            continue
        if key not in data or data[key] in (None, "", []):
            err((key,), f"missing '{key}': {ARTICLE_KEYS[key]}")
    if "check" in data:
        for where, message in front_check_problems(data["check"]):
            err(where, message)
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        err(("draft",), f"'draft' must be true or false, got '{draft}'")
        draft = False
    tz = ctx.config.tz
    title = text_field(data, "title", err, ARTICLE_KEYS["title"])
    published = datetime_field(data, "date", tz, err)
    dated_only = is_date_only(data.get("date"))
    if undated and named_date is not None:
        published = datetime.combine(named_date, time(0, 0), tzinfo=tz)
        dated_only = True
    updated = datetime_field(data, "updated", tz, err)
    if published and updated and updated < published:
        err(
            ("updated",),
            f"'updated' ({updated.isoformat()}) is before 'date' ({published.isoformat()})",
        )
    expires = datetime_field(data, "expires", tz, err)
    if published and expires and expires <= published:
        err(("expires",), f"'expires' ({expires.isoformat()}) is not after 'date'")
    authors = authors_field(data.get("author"), ctx.authors, err, ctx.broken_authors)
    section = _section(data.get("section"), ctx, err)
    lang = text_field(data, "lang", err, ARTICLE_KEYS["lang"]) or ctx.config.language
    if not LANG_RE.match(lang):
        err(("lang",), f"'lang' must be a language tag such as en or uk, got '{lang}'")
    slug = _slug(name, data, lang, err)
    tags = tags_field(data.get("tags"), lang, err)
    image = lead_image(front, ctx.images, source.path, err)
    dateline = text_field(data, "dateline", err, ARTICLE_KEYS["dateline"])
    sources = sources_field(data.get("sources"), err)
    corrections = corrections_field(data.get("corrections"), published, tz, err)
    translation_of = text_field(data, "translation_of", err, ARTICLE_KEYS["translation_of"])
    aliases = aliases_field(data.get("aliases"), err, ctx.config.host)
    rendered = engine.convert(source.body)
    images = body_images(source, rendered.images, ctx, problems)
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
        body_html=with_pictures(rendered.html, images, ctx, story_folder(source.path)),
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
        body_images=images,
        dated_only=dated_only,
        inputs=hashlib.sha256(f"{ctx.key}\0{source.digest}".encode()).hexdigest()
        if ctx.key and source.digest
        else "",
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


def story_name(path: str) -> str:
    """What names a story when its front matter does not: its file's name without the
    extension, or for a folder of its own (`BUNDLE_INDEXES`), the folder's."""
    folder, _, file = path.rpartition("/")
    if file.lower() in BUNDLE_INDEXES and folder.count("/") >= ARTICLES_DIR.count("/") + 1:
        return folder.rsplit("/", 1)[-1]
    return file.rsplit(".", 1)[0]


def _slug(stem: str, data: dict[str, Any], lang: str, err: Err) -> str:
    if "slug" in data:
        slug = str(data["slug"] or "")
        if not is_safe_slug(slug):
            err(
                ("slug",),
                f"unsafe slug '{slug}': use lowercase letters, digits and hyphens (e.g. "
                f"'{slugify(slug) or 'kyiv-talks'}')",
            )
        return slug
    slug = slugify(stem, lang)
    if not slug:
        err((), f"cannot make a URL from the file name '{stem}': add a 'slug'")
    return slug


def body_images(
    source: SourceDoc, found: tuple[tuple[str, str], ...], ctx: Context, problems: list[Problem]
) -> tuple[Image, ...]:
    """The content images a body (a story's or a live update's) shows, each checked like a
    lead image (exists, has alt, can be published); problems at the lines that show them."""
    images: dict[str, Image] = {}
    folder = story_folder(source.path)
    for src, alt in found:
        at = source.body.find(src)
        line = source.body_line + (source.body.count("\n", 0, at) if at >= 0 else 0)

        def err(key: tuple[str | int, ...], message: str, line: int = line) -> None:
            problems.append(Problem(source.path, line, message))

        near = "" if src.startswith("/") else folder  # a rooted path is under content/
        rel = ctx.images.resolve(src.lstrip("/"), near)
        if rel in images:
            continue
        if not alt.strip():
            err((), f"image '{src}' in the body needs alt text: ![what it shows]({src})")
        ref = f"{source.path}:{line}"
        image = ctx.images.find(src.lstrip("/"), (alt, "", ""), (), ref, err, near)
        if image is not None:
            images[rel] = image
    return tuple(images.values())


# A relative link or image source in body HTML: no scheme, not rooted, not a fragment.
_RELATIVE_RE = re.compile(r'(\s(?:href|src))="(?![/#])([^":?#]+)((?:[?#][^"]*)?)"')


def with_pictures(html: str, images: tuple[Image, ...], ctx: Context, folder: str = "") -> str:
    """Body HTML whose content images (`body_images`) are responsive pictures and figures,
    and whose links to files beside the story (in `folder`) point where they are published."""
    base = ctx.config.base_path
    if folder:
        html = _RELATIVE_RE.sub(lambda m: _story_file_link(m, folder, ctx), html)
    # An image's source as the body has it: as written, or percent-encoded (cmark, links to
    # files beside the story).
    shown = {base + image.src: image for image in images}
    shown.update({base + url_path("/" + image.src)[1:]: image for image in images})
    return enhance_body_images(html, shown, base)


def _story_file_link(match: re.Match[str], folder: str, ctx: Context) -> str:
    """A relative link to a file beside the story, made its published path (the file's
    path under content/: /articles/my-story/photo.jpg); any other link as it is."""
    attr, value, rest = match.groups()
    near = posixpath.normpath(folder + unquote(html_lib.unescape(value)))
    if near not in ctx.assets:
        return match.group(0)
    return f'{attr}="{ctx.config.base_path}{url_path("/" + near)[1:]}{rest}"'
