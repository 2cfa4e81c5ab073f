"""Jekyll's `_posts/` and Hugo's `content/` trees as stories: dates from file names,
categories as section and tags, old URLs as aliases, page bundles as story folders."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from markdownify import markdownify

from gen.importers.common import Plan, PlanBuilder, make_id, story_text, unique_slug
from gen.importers.target import finish_site, new_sections, read_target
from gen.importers.treebody import convert_tree_body, with_alt
from gen.source.fields import aliases_field, to_datetime
from gen.urls import article_path, slugify

DATED_NAME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(.+)")
SKIPPED_DIRS = {"_site", "node_modules", "vendor", ".git", "public", "resources"}
POST_SUFFIXES = (".md", ".markdown", ".html")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg")
JEKYLL_PERMALINKS = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


@dataclass(frozen=True, slots=True)
class Post:
    """One post file of the tree, read: where it is, its front matter and body."""

    rel: str  # under the source folder
    name: str  # the slug it had (file or bundle name, without a date)
    front: dict[str, Any]
    body: str
    bundle: tuple[Path, ...]  # the bundle's images
    draft: bool
    line: int  # where the body starts


def import_tree(kind: str, source: Path, site: Path) -> Plan:
    """Plan every file an import of the Jekyll or Hugo site at `source` writes into `site`."""
    target = read_target(site)
    plan = PlanBuilder(kind.capitalize())
    config = _site_config(source, kind)
    posts = _find_posts(source, kind, plan)
    sections = new_sections(target, plan)
    taken: set[str] = set()
    placed: dict[str, tuple[str, str, Post]] = {}  # post rel → (story rel, new URL, post)
    refs: dict[str, str] = {}  # every name a post is referred to by → new URL
    for post in posts:
        moment = _date(post, target.tz)
        slug = unique_slug(slugify(str(post.front.get("slug") or post.name)) or "post", taken)
        categories = _words(post.front.get("categories") or post.front.get("category"))
        section = sections.section_for(
            slugify(categories[0]) if categories else "", categories[0] if categories else ""
        )
        local = moment.astimezone(target.tz)
        rel = (
            f"content/articles/{slug}/index.md"
            if post.bundle
            else f"content/articles/{local.year:04d}/{slug}.md"
        )
        url = article_path(target.permalink, local, slug, section)
        placed[post.rel] = (rel, url, post)
        stem = PurePosixPath(post.rel).stem
        for ref in (post.rel, stem, post.rel.removeprefix("content/"), post.name):
            refs.setdefault(ref, url)
    authors: dict[str, str] = {}
    aliases_taken: dict[str, str] = {}
    for post_rel, (rel, url, post) in placed.items():
        categories = _words(post.front.get("categories") or post.front.get("category"))
        section = sections.section_for(slugify(categories[0]) if categories else "", "")
        tags = categories[1:] + _words(post.front.get("tags"))
        author_name = str(
            post.front.get("author")
            or _first(post.front.get("authors"))
            or config.get("author")
            or "Staff"
        )
        author = make_id(author_name, "staff")
        authors[author] = author_name
        notes: list[tuple[str, str]] = []

        def link(ref: str) -> str | None:
            ref = ref.split("#")[0].strip().lstrip("/")
            return (
                refs.get(ref)
                or refs.get(PurePosixPath(ref).stem)
                or refs.get(str(PurePosixPath(ref).parent.name))
            )

        def figure(src: str, alt: str, caption: str, post: Post = post, rel: str = rel) -> str:
            src = _image(src, post, rel, source, plan, kind)
            title = " ".join(caption.replace('"', "'").split())
            return f'![{alt}]({src} "{title}")' if title else f"![{alt}]({src})"

        body = post.body
        if post.rel.endswith(".html"):
            body = markdownify(body, heading_style="ATX", bullets="-", escape_misc=False)
        body, found = convert_tree_body(body, link, figure)
        notes += found
        body = _local_images(body, post, rel, source, plan, kind)
        body = with_alt(body, notes)
        old = [_old_url(post, config, kind, target.tz)]
        old += _words(post.front.get("redirect_from")) + _words(post.front.get("aliases"))
        aliases = []
        for alias in old:
            valid = aliases_field([alias], lambda *_: None, target.host) if alias else ()
            if valid and valid[0] != url and aliases_taken.setdefault(valid[0], rel) == rel:
                aliases.append(alias)
        moment = _date(post, target.tz)
        updated = to_datetime(
            post.front.get("lastmod") or post.front.get("last_modified_at"), target.tz
        )
        front = {
            "title": str(post.front.get("title") or post.name.replace("-", " ").capitalize()),
            "author": author,
            "date": _written_date(post, moment),
            "updated": updated if updated and updated > moment else None,
            "section": section,
            "tags": [t for t in dict.fromkeys(tags) if slugify(t)],
            "summary": str(
                post.front.get("summary")
                or post.front.get("excerpt")
                or post.front.get("description")
                or ""
            ),
            "slug": PurePosixPath(rel).parent.name if post.bundle else PurePosixPath(rel).stem,
            "draft": True if post.draft else None,
            "aliases": aliases,
        }
        text = story_text(front, body or "(This story had no text.)")
        for needle, message in notes:
            at = text.find(needle) if needle else -1
            plan.note(rel, text.count("\n", 0, at) + 1 if at >= 0 else None, message)
        plan.add(rel, text, f"{kind}:{post_rel}")
        plan.count("posts")
    for author, name in sorted(authors.items()):
        plan.add(
            f"content/authors/{author}.yaml",
            f"name: {json.dumps(name, ensure_ascii=False)}\n",
            f"{kind}:author",
        )
    plan.count("authors", len(authors))
    plan.count("images", sum(1 for f in plan.files if not f.endswith((".md", ".yaml"))))
    finish_site(
        sections,
        str(config.get("title") or ""),
        str(config.get("url") or config.get("baseURL") or "http://localhost/"),
        str(config.get("lang") or config.get("languageCode") or "en").split("-")[0],
        kind,
    )
    return plan.plan()


def _first(value: Any) -> Any:
    """The first of a list, or the value."""
    return value[0] if isinstance(value, list) and value else value


def _words(value: Any) -> list[str]:
    """A list from front matter: a list, or words separated by spaces (Jekyll's categories)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return str(value).split()


def _site_config(source: Path, kind: str) -> dict[str, Any]:
    """The site's own settings (_config.yml; hugo.toml/config.toml/… for Hugo), or {}."""
    names = (
        ("_config.yml", "_config.yaml")
        if kind == "jekyll"
        else ("hugo.toml", "config.toml", "hugo.yaml", "config.yaml", "hugo.yml", "config.yml")
    )
    for name in names:
        path = source / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            try:
                data = tomllib.loads(text) if name.endswith(".toml") else yaml.safe_load(text)
            except (tomllib.TOMLDecodeError, yaml.YAMLError):
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def _find_posts(source: Path, kind: str, plan: PlanBuilder) -> list[Post]:
    """Every post file of the tree, sorted by path."""
    posts = []
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source).as_posix()
        parts = rel.split("/")
        if any(p in SKIPPED_DIRS or p.startswith(".") for p in parts) or path.is_symlink():
            continue
        if not path.is_file() or path.suffix.lower() not in POST_SUFFIXES:
            continue
        if kind == "jekyll":
            if "_posts" not in parts and "_drafts" not in parts:
                continue
            draft = "_drafts" in parts
            bundle: tuple[Path, ...] = ()
            name = path.stem
        else:
            if parts[0] != "content" or len(parts) < 3:
                continue  # Hugo's pages outside a section are not stories
            if path.stem == "_index":
                plan.note(rel, None, "a Hugo list page (_index): not imported")
                continue
            draft = False
            bundle = ()
            name = path.stem
            if path.stem == "index":
                name = path.parent.name
                bundle = tuple(
                    p
                    for p in sorted(path.parent.iterdir())
                    if p.is_file() and not p.is_symlink() and p.suffix.lower() in IMAGE_SUFFIXES
                )
        front, body, line = _split(path.read_text(encoding="utf-8"), rel, plan)
        if front.get("draft") is True or front.get("published") is False:
            draft = True
        dated = DATED_NAME_RE.fullmatch(name)
        posts.append(Post(rel, dated.group(4) if dated else name, front, body, bundle, draft, line))
    return posts


def _split(text: str, rel: str, plan: PlanBuilder) -> tuple[dict[str, Any], str, int]:
    """Front matter (YAML ---, TOML +++ or JSON {}) and body; blank lines before it allowed."""
    stripped = text.lstrip("\ufeff\n\r ")
    skipped = text[: len(text) - len(stripped)].count("\n")
    for fence, load in (("---", yaml.safe_load), ("+++", tomllib.loads)):
        if stripped.startswith(fence + "\n"):
            end = stripped.find(f"\n{fence}", len(fence))
            if end < 0:
                break
            raw = stripped[len(fence) + 1 : end]
            try:
                data = load(raw)
            except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
                plan.note(
                    rel, skipped + 1, f"front matter not readable: {str(exc).splitlines()[0]}"
                )
                data = {}
            body = stripped[end + len(fence) + 1 :]
            return (data if isinstance(data, dict) else {}), body, skipped + raw.count("\n") + 3
    return {}, text, 1


def _date(post: Post, tz: Any) -> datetime:
    """The post's date: front matter's, else the file name's, else 2000-01-01."""
    value = post.front.get("date") or post.front.get("publishDate")
    moment = to_datetime(value, tz) if value else None
    if moment is not None:
        return moment
    dated = DATED_NAME_RE.fullmatch(PurePosixPath(post.rel).stem)
    if dated:
        day = date(int(dated.group(1)), int(dated.group(2)), int(dated.group(3)))
        return datetime.combine(day, time(0, 0), tzinfo=tz)
    return datetime(2000, 1, 1, tzinfo=tz)


def _written_date(post: Post, moment: datetime) -> datetime | date:
    """The date as the post gave it: a day alone (from the file name, or a bare date) stays a
    day, so no time is invented."""
    value = post.front.get("date") or post.front.get("publishDate")
    if isinstance(value, datetime) or (isinstance(value, str) and ("T" in value or ":" in value)):
        return moment
    return moment.date()


def _old_url(post: Post, config: dict[str, Any], kind: str, tz: Any) -> str:
    """Where the post was published on the old site."""
    explicit = post.front.get("permalink") if kind == "jekyll" else post.front.get("url")
    if explicit:
        return str(explicit)
    moment = _date(post, tz)
    slug = str(post.front.get("slug") or post.name)
    if kind == "jekyll":
        pattern = str(config.get("permalink") or "date")
        pattern = JEKYLL_PERMALINKS.get(pattern, pattern)
        categories = "/".join(
            c.lower() for c in _words(post.front.get("categories") or post.front.get("category"))
        )
    else:
        section = post.rel.split("/")[1]
        permalinks = config.get("permalinks") or {}
        pattern = str(permalinks.get(section, "") if isinstance(permalinks, dict) else "")
        pattern = pattern or f"/{section}/:slug/"
        categories = section
    values = {
        ":year": f"{moment.year:04d}",
        ":month": f"{moment.month:02d}",
        ":day": f"{moment.day:02d}",
        ":i_month": str(moment.month),
        ":i_day": str(moment.day),
        ":short_year": f"{moment.year % 100:02d}",
        ":y_day": f"{moment.timetuple().tm_yday:03d}",
        ":categories": categories,
        ":section": categories,
        ":title": slug if kind == "jekyll" else slugify(str(post.front.get("title") or slug)),
        ":slug": slug,
        ":filename": post.name,
        ":contentbasename": post.name,
        ":output_ext": ".html",
    }
    for token in sorted(values, key=len, reverse=True):
        pattern = pattern.replace(token, values[token])
    return re.sub(r"/{2,}", "/", "/" + pattern.lstrip("/"))


def _image(src: str, post: Post, rel: str, source: Path, plan: PlanBuilder, kind: str) -> str:
    """A figure's image found and planned beside the story (bundles) or under content/."""
    name = src.split("?")[0]
    for image in post.bundle:
        if image.name == name:
            plan.add(
                str(PurePosixPath(rel).parent / image.name),
                image.read_bytes(),
                f"{kind}:{post.rel}",
            )
            return image.name
    return _copy_site_file(name, source, plan, kind) or src


def _copy_site_file(src: str, source: Path, plan: PlanBuilder, kind: str) -> str:
    """A site-absolute image (/assets/x.jpg, Hugo's static/…) copied under content/, or ''."""
    if not src.startswith("/") or ".." in src.split("/"):
        return ""
    for root in (source, source / "static", source / "assets"):
        path = root / src.lstrip("/")
        if path.is_file() and not path.is_symlink():
            plan.add(
                f"content{src}", path.read_bytes(), f"{kind}:{path.relative_to(source).as_posix()}"
            )
            return src
    return ""


def _local_images(
    body: str, post: Post, rel: str, source: Path, plan: PlanBuilder, kind: str
) -> str:
    """Markdown images of the site's own files planned under content/ (bundle images beside
    the story)."""
    from gen.importers.treebody import body_images

    for src, _alt in body_images(body):
        if src.startswith(("http://", "https://", "data:")):
            continue
        found = _image(src, post, rel, source, plan, kind)
        if found != src:
            body = body.replace(f"]({src}", f"]({found}")
    return body
