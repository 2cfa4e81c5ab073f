"""GitHub's autolinks for Python-Markdown, so both engines link bare addresses alike.

cmark-gfm links `https://…`, `http://…`, `ftp://…`, `www.…` and e-mail addresses written
in running text; Python-Markdown left them as text (and could read their underscores as
emphasis and their dashes as typographic ones). This inline pattern follows GitHub's rules:
trailing punctuation and an unbalanced closing parenthesis are not part of the address.
It runs after code, links, `<…>` autolinks and raw HTML tags, so an address already inside
them is left be.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

_PATTERN = (
    r"(?<![A-Za-z0-9])(?:(?:https?|ftp)://|(?<![\w.+-])www\.)[A-Za-z0-9_-][^\s<\x02\x03]*"
    r"|(?<![\w.+-])[\w.+-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+"
)
_TRAILING = "?!.,:*_~'\""
_ENTITY_END_RE = re.compile(r"&[A-Za-z0-9]+;\Z")


def trim(address: str) -> str:
    """An address without what GitHub leaves outside it: trailing punctuation, a closing
    parenthesis it did not open, an entity-like `&…;` ending."""
    while address:
        entity = _ENTITY_END_RE.search(address)
        if entity:
            address = address[: entity.start()]
        elif address[-1] in _TRAILING or (
            address[-1] == ")" and address.count(")") > address.count("(")
        ):
            address = address[:-1]
        else:
            break
    return address


class _Autolink(InlineProcessor):
    ANCESTOR_EXCLUDES = ("a",)  # a link's own text is not linked again

    def handleMatch(  # type: ignore[override]  # noqa: N802 (Markdown's API)
        self, m: re.Match[str], data: str
    ) -> tuple[ET.Element | None, int | None, int | None]:
        address = trim(m.group(0))
        if "@" in address and "://" not in address and not address.startswith("www."):
            if address[-1] in "-_" or address.endswith("."):
                return None, None, None
            href = "mailto:" + address
        elif address.startswith("www."):
            href = "http://" + address
        else:
            href = address
        if not address or address.endswith("://"):
            return None, None, None
        link = ET.Element("a", {"href": href})
        link.text = AtomicString(address)
        return link, m.start(0), m.start(0) + len(address)


class GithubAutolinks(Extension):
    """Bare web and e-mail addresses become links, as on GitHub."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        # After code (190), links (160…125), <…> autolinks (120, 110) and raw HTML tags
        # (90), whose attributes hold addresses too; before entities and emphasis.
        md.inlinePatterns.register(_Autolink(_PATTERN, md), "github_autolink", 85)
