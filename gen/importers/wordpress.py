"""`dateline import wordpress`: a WXR export's posts as stories, its authors as author files,
its images (from the local uploads folder) under content/images/, every old URL an alias."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from gen.importers.common import Plan, PlanBuilder, make_id, story_text, unique_slug
from gen.importers.target import Sections, finish_site, new_sections, read_target
from gen.importers.wpbody import Figure, convert_body
from gen.importers.wxr import Export, Item, read_export
from gen.source.fields import QUERY_REDIRECT_HOSTS, aliases_field
from gen.urls import article_path, slugify

POST_STATUSES = ("publish", "future", "draft", "pending", "private")
DRAFT_STATUSES = ("draft", "pending", "private")


@dataclass(slots=True)
class Media:
    """The export's attachments and the local uploads folder they may be found in."""

    folder: Path | None
    by_id: dict[int, Item]
    by_key: dict[str, Item]
    default_credit: str
    plan: PlanBuilder
    notes: list[tuple[str, str]] = field(default_factory=list)  # for the story being made

    def local(self, url: str) -> str:
        """The image's path under content/ once copied from the uploads folder, or ''."""
        key = upload_key(url)
        if self.folder is None or not key:
            return ""
        for candidate in (key, strip_size(key)):
            path = self.folder / candidate
            if path.is_file() and not path.is_symlink():
                rel = f"images/{candidate}"
                self.plan.add(f"content/{rel}", path.read_bytes(), f"uploads/{candidate}")
                return rel
        return ""

    def attachment(self, figure: Figure) -> Item | None:
        """The attachment an image shows, by its id or its file."""
        if figure.attachment in self.by_id:
            return self.by_id[figure.attachment]
        key = upload_key(figure.src)
        return self.by_key.get(key) or self.by_key.get(strip_size(key))

    def figure(self, figure: Figure) -> str:
        """`![alt](src "Caption|Credit")` for a body image; notes for what a person must do."""
        item = self.attachment(figure)
        src = self.local(figure.src or (item.attachment_url if item else ""))
        shown = src or figure.src
        if not src:
            self.notes.append(
                (shown, f"image not imported (not in the --media folder): {figure.src}")
            )
        alts = item.meta_values("_wp_attachment_image_alt") if item else []
        alt = figure.alt or (alts[0] if alts else "")
        if not alt:
            alt = (item.title if item else "") or figure.caption or Path(urlsplit(shown).path).stem
            self.notes.append((shown, f"no alt text: '{alt}' used; describe the image"))
        caption = figure.caption or (item.excerpt if item else "")
        title = caption
        if self.default_credit:
            title = f"{caption}|{self.default_credit}"
            self.notes.append((shown, f"credit is --default-credit '{self.default_credit}'"))
        else:
            self.notes.append((shown, "no credit"))
        title = " ".join(title.replace('"', "'").split())
        alt = " ".join(alt.replace("]", ")").replace("[", "(").split())
        return f'![{alt}]({shown} "{title}")' if title else f"![{alt}]({shown})"

    def gallery(self, ids: list[int], parent: int) -> list[Figure]:
        """The images of a [gallery]: by id, or the post's attached images in their order."""
        if ids:
            items = [self.by_id[i] for i in ids if i in self.by_id]
        else:
            items = sorted(
                (a for a in self.by_id.values() if a.parent == parent),
                key=lambda a: (a.menu_order, a.id),
            )
        return [Figure(a.attachment_url, "", a.excerpt, a.id) for a in items]


def upload_key(url: str) -> str:
    """Where an uploaded file sits in the uploads folder ('2011/07/x.jpg'), from its URL."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if "/uploads/" in path:
        return path.split("/uploads/", 1)[1]
    if parts.hostname and parts.hostname.endswith(".files.wordpress.com"):
        return path.lstrip("/")
    return ""


def strip_size(key: str) -> str:
    """'x-300x200.jpg' → 'x.jpg': the original of a size WordPress made."""
    stem, dot, ext = key.rpartition(".")
    head, dash, size = stem.rpartition("-")
    if dash and "x" in size and size.replace("x", "").isdigit():
        return f"{head}{dot}{ext}"
    return key


def import_wordpress(
    export_path: Path,
    site: Path,
    *,
    media: Path | None,
    section_from: str,
    default_credit: str,
) -> Plan:
    """Plan every file an import of the export writes into `site`."""
    shown = export_path.name
    export = read_export(export_path, shown)
    target = read_target(site)
    plan = PlanBuilder("WordPress")
    sections = new_sections(target, plan)
    attachments = [i for i in export.items if i.type == "attachment"]
    library = Media(
        media,
        {a.id: a for a in attachments},
        {upload_key(a.attachment_url): a for a in attachments if upload_key(a.attachment_url)},
        default_credit,
        plan,
    )
    names = dict(export.authors)
    base_path = urlsplit(export.base_url).path.rstrip("/")
    terms = {str(term): nicename for term, nicename, _ in export.categories}
    taken: set[str] = set()
    aliases_taken: dict[str, str] = {}
    authors: set[str] = set()
    posts = [i for i in export.items if i.type == "post" and i.status in POST_STATUSES]
    posts.sort(key=lambda i: (i.date_gmt, i.id))
    moved: dict[str, str] = {}  # an old permalink → its story's new URL
    for item in posts:
        author = make_id(item.creator, "staff")
        authors.add(item.creator)
        rel, url = import_post(
            item,
            plan,
            library,
            sections,
            target.permalink,
            target.tz,
            taken,
            aliases_taken,
            author,
            section_from,
            base_path,
            terms,
            shown,
            target.host,
        )
        moved[item.link] = url
        plan.count("posts")
        if rel and item.sticky:
            plan.note(rel, 1, "was sticky on WordPress; Dateline has no sticky stories")
    relink(plan, moved)
    for login in sorted(authors):
        plan.add(
            f"content/authors/{make_id(login, 'staff')}.yaml",
            f"name: {_quoted(names.get(login) or login)}\n",
            f"wordpress:author:{login}",
        )
    plan.count("authors", len(authors))
    plan.count("images", sum(1 for rel in plan.files if rel.startswith("content/images/")))
    report_the_rest(export, plan, shown, posts, target.host)
    finish_site(sections, export.title, export.base_url, export.language.split("-")[0], "wordpress")
    return plan.plan()


def import_post(
    item: Item,
    plan: PlanBuilder,
    library: Media,
    sections: Sections,
    permalink: str,
    tz: Any,
    taken: set[str],
    aliases_taken: dict[str, str],
    author: str,
    section_from: str,
    base_path: str,
    terms: dict[str, str],
    shown: str,
    host: str,
) -> tuple[str, str]:
    """Plan one post's story file; its path and URL."""
    date = _moment(item.date_gmt, item.date, tz)
    slug = unique_slug(
        slugify(unquote(item.slug)) or slugify(item.title) or f"post-{item.id}", taken
    )
    local = date.astimezone(tz)
    rel = f"content/articles/{local.year:04d}/{slug}.md"
    categories = [(n, t) for d, n, t in item.categories if d == "category"]
    tags = [t for d, _, t in item.categories if d == "post_tag"]
    primary = ("", "")
    if section_from == "tag" and tags:
        primary = (slugify(tags[0]), tags[0])
    elif categories:
        yoast = terms.get((item.meta_values("_yoast_wpseo_primary_category") or [""])[0], "")
        primary = next((c for c in categories if c[0] == yoast), categories[0])
    section = sections.section_for(primary[0], primary[1])
    all_tags = [t for n, t in categories if n != primary[0]] + tags
    by_slug: dict[str, str] = {}
    for tag in all_tags:
        if slugify(tag):
            by_slug.setdefault(slugify(tag), tag)
    tag_list = list(by_slug.values())
    url = article_path(permalink, local, slug, section)
    old = old_urls(item, base_path, host)
    aliases = []
    for alias in old:
        valid = aliases_field([alias], lambda *_: None, host)
        if not valid or valid[0] == url:
            continue
        owner = aliases_taken.setdefault(valid[0], rel)
        if owner != rel:
            plan.note(rel, 1, f"old URL {alias} was also {owner}'s; left with that story")
            continue
        aliases.append(alias)
    library.notes = []
    body, notes = convert_body(
        item.content, library.figure, lambda ids: library.gallery(ids, item.id)
    )
    front: dict[str, Any] = {
        "title": item.title or f"Untitled ({item.id})",
        "author": author,
        "date": date,
        "section": section,
        "tags": tag_list,
        "summary": " ".join(BeautifulSoup(item.excerpt, "html.parser").get_text(" ").split()),
        "slug": slug,
        "draft": True if item.status in DRAFT_STATUSES or item.password else None,
        "aliases": aliases,
    }
    updated = _moment(item.modified_gmt, "", tz)
    if updated > date:
        front["updated"] = updated
    front["image"] = featured_image(item, library, rel)
    text = story_text(front, body or "(This story had no text.)")
    for needle, message in [*notes, *library.notes]:
        at = text.find(needle) if needle else -1
        plan.note(rel, text.count("\n", 0, at) + 1 if at >= 0 else None, message)
    if item.password:
        plan.note(rel, 1, "was password-protected: imported as a draft")
    if item.comments:
        plan.note(rel, 1, f"{item.comments} comments not imported (Dateline has no comments)")
    if not item.title:
        plan.note(rel, 2, "had no title")
    plan.add(rel, text, f"wordpress:post:{item.id}")
    return rel, url


def relink(plan: PlanBuilder, moved: dict[str, str]) -> None:
    """Links between imported posts (by their old permalink) point to the new URLs."""
    for rel, data in list(plan.files.items()):
        if not rel.startswith("content/articles/"):
            continue
        text = data.decode("utf-8")
        for old, new in moved.items():
            if old.startswith(("http://", "https://")):
                text = text.replace(f"]({old})", f"]({new})").replace(f"]({old} ", f"]({new} ")
        plan.files[rel] = text.encode("utf-8")


def featured_image(item: Item, library: Media, rel: str) -> dict[str, str] | None:
    """The lead image from `_thumbnail_id`, or None (with a note why)."""
    ids = item.meta_values("_thumbnail_id")
    if not ids or not ids[0].isdigit():
        return None
    attachment = library.by_id.get(int(ids[0]))
    if attachment is None:
        library.plan.note(rel, 1, f"featured image {ids[0]} is not in the export")
        return None
    src = library.local(attachment.attachment_url)
    if not src:
        library.plan.note(
            rel,
            1,
            f"featured image not imported (not in the --media folder): {attachment.attachment_url}",
        )
        return None
    if not library.default_credit:
        library.plan.note(
            rel,
            1,
            f"featured image {src} left out: it has no credit "
            "(give --default-credit, or add it with its credit)",
        )
        return None
    alt = (attachment.meta_values("_wp_attachment_image_alt") or [""])[0] or attachment.title
    return {"src": src, "alt": alt, "credit": library.default_credit, "caption": attachment.excerpt}


def old_urls(item: Item, base_path: str, host: str) -> list[str]:
    """The post's addresses on WordPress: its permalink, /?p=ID (where the host can redirect
    a query), and the permalink with each old slug."""
    urls = []
    link = urlsplit(item.link)
    path = unquote(link.path)
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    if path and path != "/" and not link.query:
        urls.append(path)
    if host in QUERY_REDIRECT_HOSTS:
        urls.append(f"/?p={item.id}")
    for old in item.meta_values("_wp_old_slug"):
        trimmed = path.rstrip("/")
        if trimmed.endswith("/" + unquote(item.slug)):
            urls.append(trimmed.rsplit("/", 1)[0] + f"/{old}/")
    return urls


def report_the_rest(
    export: Export, plan: PlanBuilder, shown: str, posts: list[Item], host: str
) -> None:
    """Notes for what is not imported: pages, other kinds, posts in the bin; /?p= without a
    host that redirects it."""
    menu = 0
    for item in export.items:
        if item.type == "page":
            plan.note(
                shown,
                item.line,
                f"page '{item.title}' ({item.link}) not imported: "
                "Dateline has no pages; make it a story, or a file under content/",
            )
            plan.count("pages not imported")
        elif item.type == "nav_menu_item":
            menu += 1
        elif item.type == "post" and item.status not in POST_STATUSES:
            plan.note(
                shown, item.line, f"post {item.id} '{item.title}' ({item.status}) not imported"
            )
        elif item.type not in ("post", "attachment"):
            plan.note(shown, item.line, f"{item.type} {item.id} '{item.title}' not imported")
    if menu:
        plan.note(shown, None, f"{menu} menu items not imported: Dateline's menu is its sections")
    plan.count("attachments", sum(1 for i in export.items if i.type == "attachment"))
    if posts and host not in QUERY_REDIRECT_HOSTS:
        plan.note(
            "site.yaml",
            None,
            f"{len(posts)} old addresses /?p=ID not made aliases: set host: "
            "netlify, nginx or apache in site.yaml, then import again",
        )


def _moment(gmt: str, local: str, tz: Any) -> datetime:
    """A moment from the export: its GMT time, or its local time (drafts have no GMT one),
    which then takes the site's time zone."""
    for text, zone in ((gmt, UTC), (local, tz)):
        if text and not text.startswith("0000"):
            try:
                return datetime.fromisoformat(text).replace(tzinfo=zone)
            except ValueError:
                continue
    return datetime(2000, 1, 1, tzinfo=UTC)


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted string."""
    import json

    return json.dumps(text, ensure_ascii=False)
