"""Reading a WordPress export (WXR) safely: no DTD, no entities, nothing fetched; each item
with the line it starts at, for the report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from gen.errors import ContentError, Problem

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
# Exports from WordPress 6.5 on name their namespaces with https.
NS_HTTPS = {k: v.replace("http://wordpress.org", "https://wordpress.org") for k, v in NS.items()}


@dataclass(frozen=True, slots=True)
class Item:
    """One <item> of an export: a post, page, attachment, menu item …"""

    id: int
    type: str
    status: str
    title: str
    link: str
    slug: str
    date_gmt: str
    date: str
    modified_gmt: str
    creator: str
    content: str
    excerpt: str
    password: str
    sticky: bool
    parent: int
    menu_order: int
    attachment_url: str
    categories: tuple[tuple[str, str, str], ...]  # (domain, nicename, name)
    meta: tuple[tuple[str, str], ...]
    comments: int
    line: int

    def meta_values(self, key: str) -> list[str]:
        """Every value of the post meta `key`."""
        return [v for k, v in self.meta if k == key]


@dataclass(frozen=True, slots=True)
class Export:
    """A whole export: the site's title, address and language, its authors and items."""

    title: str
    link: str
    base_url: str
    language: str
    authors: tuple[tuple[str, str], ...]  # (login, display name)
    categories: tuple[tuple[int, str, str], ...]  # (term id, nicename, name)
    items: tuple[Item, ...]


def read_export(path: Path, shown: str) -> Export:
    """The export at `path` (`shown` names it in errors); a ContentError if it is not XML,
    declares a DTD or entities, or is not a WordPress export."""
    data = path.read_bytes()
    lines = _item_lines(data, shown)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ContentError([Problem(shown, exc.position[0], f"not XML: {exc}")]) from None
    channel = root.find("channel")
    if channel is None:
        raise ContentError([Problem(shown, 1, "not a WordPress export (no <channel>)")])
    ns = NS_HTTPS if channel.find("wp:wxr_version", NS_HTTPS) is not None else NS
    if channel.find("wp:wxr_version", ns) is None:
        raise ContentError([Problem(shown, 1, "not a WordPress export (no <wp:wxr_version>)")])

    def text(element: ET.Element, tag: str) -> str:
        return (element.findtext(tag, "", ns) or "").strip()

    authors = tuple(
        (text(a, "wp:author_login"), text(a, "wp:author_display_name"))
        for a in channel.findall("wp:author", ns)
    )
    categories = tuple(
        (_int(text(c, "wp:term_id")), text(c, "wp:category_nicename"), text(c, "wp:cat_name"))
        for c in channel.findall("wp:category", ns)
    )
    items = []
    for number, item in enumerate(channel.findall("item")):
        items.append(
            Item(
                id=_int(text(item, "wp:post_id")),
                type=text(item, "wp:post_type"),
                status=text(item, "wp:status"),
                title=text(item, "title"),
                link=text(item, "link"),
                slug=text(item, "wp:post_name"),
                date_gmt=text(item, "wp:post_date_gmt"),
                date=text(item, "wp:post_date"),
                modified_gmt=text(item, "wp:post_modified_gmt"),
                creator=text(item, "dc:creator"),
                content=item.findtext("content:encoded", "", ns) or "",
                excerpt=text(item, "excerpt:encoded"),
                password=text(item, "wp:post_password"),
                sticky=text(item, "wp:is_sticky") == "1",
                parent=_int(text(item, "wp:post_parent")),
                menu_order=_int(text(item, "wp:menu_order")),
                attachment_url=text(item, "wp:attachment_url"),
                categories=tuple(
                    (c.get("domain", ""), c.get("nicename", ""), (c.text or "").strip())
                    for c in item.findall("category")
                ),
                meta=tuple(
                    (text(m, "wp:meta_key"), text(m, "wp:meta_value"))
                    for m in item.findall("wp:postmeta", ns)
                ),
                comments=len(item.findall("wp:comment", ns)),
                line=lines[number] if number < len(lines) else 0,
            )
        )
    return Export(
        title=text(channel, "title"),
        link=text(channel, "link"),
        base_url=text(channel, "wp:base_blog_url") or text(channel, "link"),
        language=text(channel, "language"),
        authors=authors,
        categories=categories,
        items=tuple(items),
    )


def _int(value: str) -> int:
    """A whole number from the export, 0 if it is not one."""
    return int(value) if value.isdigit() else 0


def _item_lines(data: bytes, shown: str) -> list[int]:
    """The line each <item> starts at, read by expat with DTDs and entities refused, before
    ElementTree reads the same bytes (which then holds no declaration to expand)."""
    parser = expat.ParserCreate()
    lines: list[int] = []

    def refuse(*_: object) -> NoReturn:
        raise ContentError(
            [
                Problem(
                    shown,
                    parser.CurrentLineNumber,
                    "declares a DTD or entities, which an export never needs; refused",
                )
            ]
        )

    def start(name: str, _attrs: object) -> None:
        if name == "item":
            lines.append(parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ContentError([Problem(shown, exc.lineno, f"not XML: {exc}")]) from None
    return lines
