"""Raw HTML policy: what of an author's HTML reaches pages, feeds and the text-only edition.

nh3 (the Ammonia sanitiser, in Rust, on html5ever: the HTML5 parser browsers follow) does
the cleaning, with an allow-list fit for news: headings, paragraphs, lists, tables, figures,
quotes, inline text markup and images, with safe attributes only (links to http, https,
mailto or relative addresses; images from https or relative addresses; the classes and
ids our own markup writes). No regular expression of ours decides what is safe.

Bytes: nh3 writes HTML its own way (`’` for `&rsquo;`, `"` for `&quot;` in text), so
cleaning every body would change every page. `sanitize` keeps the body exactly as it was
when nh3 removed nothing: the body and nh3's output are read into the same list of tokens
(tags with their decoded attributes, decoded text) and compared. The comparison is strict
(only double-quoted attributes, lowercase names, every `&` a complete reference, no
comment or other markup): a body it cannot read that way, or whose tokens differ, is
replaced by nh3's output. Kept bytes therefore tokenize as nh3's own output does, and a
browser reads them as nh3's cleaned tree. Our own Markdown output always passes: a story
without raw HTML comes out byte for byte as before.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3

from gen.markup.embeds import embeds_as_links
from gen.markup.text import TYPOGRAPHY

# What our own markup writes (both engines and gen/pages/figures.py): footnotes, the [TOC]
# box, figures with credits, the text-only edition's image text, and fenced code's
# language-* class on <code>. Authors' other classes would be styling hooks into the
# theme (and its scripts), so they are removed.
OUR_CLASSES = frozenset(
    {"footnote", "footnote-ref", "footnote-backref", "toc", "image", "credit", "image-text"}
)
_LANGUAGE_CLASS = re.compile(r"language-[\w+#.-]+\Z")
# Table cells: Python-Markdown writes "text-align: left;", cmark "text-align: left".
_ALIGN = re.compile(r"text-align: (?:left|right|center);?\Z")
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")

TEXT_TAGS = frozenset(
    {
        *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span"),
        *("ul", "ol", "li", "dl", "dt", "dd", "blockquote", "cite", "q"),
        *("table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"),
        *("figure", "figcaption", "a", "abbr", "b", "i", "em", "strong", "code", "pre", "kbd"),
        *("sub", "sup", "small", "mark", "time", "del", "ins", "s"),
    }
)
IMAGE_TAGS = frozenset({"img", "picture", "source"})
TEXT_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
}
IMAGE_ATTRIBUTES: dict[str, set[str]] = {
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"},
    "source": {"srcset", "sizes", "type", "media"},
}
# Removed with everything inside them: code, styles, and embedded documents or graphics
# whose inner text means nothing without them. Other removed tags leave their text.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "textarea"}
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def _is_safe_image_url(value: str) -> bool:
    """Relative (to this site) or https: never http (mixed content), data: or others."""
    scheme = _SCHEME.match(value.strip())
    return scheme is None or scheme.group(0).lower() == "https:"


def _attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's filter for the attributes the allow-list lets through: their values."""
    if name == "class":
        kept = [
            c
            for c in value.split()
            if c in OUR_CLASSES or (tag == "code" and _LANGUAGE_CLASS.match(c))
        ]
        return " ".join(kept) if kept else None
    if name == "style":
        return value if _ALIGN.match(value) else None
    if name == "src":
        return value if _is_safe_image_url(value) else None
    if name == "cite":  # a quote's source: never followed, but kept to links' schemes
        scheme = _SCHEME.match(value.strip())
        return value if scheme is None or scheme.group(0)[:-1].lower() in URL_SCHEMES else None
    if name == "srcset":
        urls = [c.split()[0] for c in value.split(",") if c.strip()]
        return value if all(_is_safe_image_url(u) for u in urls) else None
    return value


def _cleaner(tags: frozenset[str], attributes: dict[str, set[str]]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(tags),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=attributes,
        attribute_filter=_attribute,
        strip_comments=True,  # an editor's note in a comment is not for readers
        link_rel=None,  # our links carry no rel; target= is not allowed, so none is needed
        url_schemes=set(URL_SCHEMES),
    )


# README: every page of the text-only edition is under 20 KB. Around a story its templates
# add about 1.5 KB (header, byline, navigation; the sample site's pages), which leaves the
# story's own markup and text the rest.
LITE_PAGE_BUDGET = 20 * 1024
LITE_PAGE_AROUND = 1536

_PAGE = _cleaner(TEXT_TAGS | IMAGE_TAGS, {**TEXT_ATTRIBUTES, **IMAGE_ATTRIBUTES})
# The text-only edition: no image tags or image attributes at all (figures.lite_body has
# already turned every image into its description).
_LITE = _cleaner(TEXT_TAGS, TEXT_ATTRIBUTES)


def sanitize(body: str) -> str:
    """`body` cleaned for a page or a feed: the same bytes when nothing had to go. An
    embed's card (gen/markup/embeds.py) becomes its link: its button needs the page's script."""
    return _keep_or_clean(embeds_as_links(body), _PAGE.clean)


def sanitize_lite(body: str) -> str:
    """`body` cleaned for the text-only edition: text markup and safe links only (an
    embed's card becomes its link)."""
    return _keep_or_clean(embeds_as_links(body), _LITE.clean)


def _keep_or_clean(body: str, clean: Callable[[str], str]) -> str:
    cleaned = str(clean(body))
    if cleaned == body:
        return body
    # The cleaner writes smarty's entities (&rsquo;) as characters: the same text. Said
    # without reading both as tokens, which took four times the cleaning of a story.
    if "&" in body and cleaned == _typography_as_characters(body):
        return body
    mine = _tokens(body)
    if mine is not None and mine == _tokens(cleaned):
        return body
    return cleaned


def _typography_as_characters(body: str) -> str:
    for char, entity in TYPOGRAPHY:
        body = body.replace(entity, char)
    return body


# --- Reading HTML as tokens, strictly (see the module's doc) ---------------------------

_TOKEN_RE = re.compile(
    r'<([a-z][a-z0-9]*)((?: [a-z][a-z0-9-]*(?:="[^"]*")?)*)>'  # a start tag
    r"|</([a-z][a-z0-9]*)>"  # an end tag
    r"|([^<]+)"  # text
)
_ATTR_RE = re.compile(r' ([a-z][a-z0-9-]*)(?:="([^"]*)")?')
# A complete character reference; any other "&" could mean one thing in text and another
# in an attribute, so a body with one is not read.
_REF_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

Token = tuple[str, str, tuple[tuple[str, str], ...]]


def _decoded(value: str) -> str | None:
    if "&" not in value:
        return value
    if len(_REF_RE.findall(value)) != value.count("&"):
        return None
    return html.unescape(value)


def _tokens(fragment: str) -> list[Token] | None:
    """Start tags (name, decoded attributes), end tags and decoded text; None for HTML
    that is not written in the strict form."""
    out: list[Token] = []
    at = 0
    for match in _TOKEN_RE.finditer(fragment):
        if match.start() != at:
            return None
        at = match.end()
        name, attrs, end, text = match.groups()
        if text is not None:
            decoded = _decoded(text)
            if decoded is None:
                return None
            out.append(("text", decoded, ()))
        elif end is not None:
            out.append(("end", end, ()))
        else:
            values = []
            for attr in _ATTR_RE.finditer(attrs):
                value = _decoded(attr.group(2) or "")
                if value is None:
                    return None
                values.append((attr.group(1), value))
            out.append(("start", name, tuple(values)))
    return out if at == len(fragment) else None


# --- What cleaning removed, for the author ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Removal:
    """A tag, or an attribute of one, that cleaning took out; `needle` finds it in the
    source."""

    tag: str  # "<iframe>"
    attribute: str  # 'onerror="alert(1)"', or "" for the whole tag
    needle: str

    def message(self, mode: str) -> str:
        """What the author is told."""
        if self.attribute:
            return f"HTML attribute {self.attribute} removed from {self.tag} (raw_html: {mode})"
        return f"HTML {self.tag} removed (raw_html: {mode})"


# Start tags as written, leniently (a message's wording depends on it, never safety).
_LOOSE_TAG_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_LOOSE_ATTR_RE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`=]+)))?""")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def removals(before: str, after: str) -> list[Removal]:
    """The tags and attributes in `before` that `after` (its cleaned form) lacks, in order."""
    kept = [(m.group(1), _attrs(m.group(2))) for m in _LOOSE_TAG_RE.finditer(after)]
    found: list[Removal] = []
    j = 0
    for match in _LOOSE_TAG_RE.finditer(before):
        name = match.group(1).lower()
        if j < len(kept) and kept[j][0] == name:
            now = kept[j][1]
            j += 1
            for attr, value in _attrs(match.group(2)).items():
                if now.get(attr) != value:
                    shown = _UNPRINTABLE.sub("?", value)
                    shown = shown if len(shown) <= 40 else shown[:39] + "…"
                    found.append(Removal(f"<{name}>", f'{attr}="{shown}"', value.strip() or attr))
        else:
            found.append(Removal(f"<{name}>", "", f"<{name}"))
    return found


def _attrs(written: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for match in _LOOSE_ATTR_RE.finditer(written):
        name, double, single, bare = match.groups()
        out.setdefault(name.lower(), html.unescape(double or single or bare or ""))
    return out


def clean_with_removals(body: str) -> tuple[str, list[Removal]]:
    """`sanitize(body)`, and what it removed (nothing when the body was kept)."""
    cleaned = sanitize(body)
    if cleaned == body:
        return body, []
    return cleaned, removals(body, cleaned)
