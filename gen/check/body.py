"""The rules that read a body's markup: template syntax from other generators, risky raw
HTML, and the words that go with images (alt text and credit)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from gen.check.rules import RULES, Finding
from gen.check.story import Story
from gen.markup.embeds import PROVIDERS

# (pattern, what it is, Dateline's equivalent or "")
_FOREIGN = (
    (
        re.compile(r"\{\{[<%]\s*/?\s*(?P<name>[\w./-]+).*?[>%]\}\}", re.DOTALL),
        "a Hugo shortcode",
    ),
    (re.compile(r"\{%-?\s*(?P<name>\w+).*?-?%\}", re.DOTALL), "a Liquid tag"),
    (re.compile(r"\{\{-?\s*(?P<name>[\w.]+)[^{}\n]*?-?\}\}"), "a Liquid variable"),
    (
        re.compile(r"\[(?P<name>caption|embed|gallery|video|audio|playlist)\b[^\]\n]*\]"),
        "a WordPress shortcode",
    ),
    (re.compile(r"\{:(?P<name>[^}\n]*)\}"), "a kramdown attribute list"),
)
_HINTS = {
    "figure": 'a Markdown image alone in its paragraph is a figure: ![alt](src "Caption|Credit")',
    "caption": 'a Markdown image alone in its paragraph is a figure: ![alt](src "Caption|Credit")',
    "gallery": 'list the images one per paragraph, each as ![alt](src "Caption|Credit")',
    "highlight": "use a fenced code block (```lang … ```)",
    "post_url": "link to the story's URL, e.g. [text](/2026/01/06/slug/)",
    "link": "link to the story's URL, e.g. [text](/2026/01/06/slug/)",
    "ref": "link to the story's URL, e.g. [text](/2026/01/06/slug/)",
    "relref": "link to the story's URL, e.g. [text](/2026/01/06/slug/)",
    "site.baseurl": "root-relative links (/…) already carry the site's base path",
    "site.url": "root-relative links (/…) already carry the site's base path",
    "toc": "Dateline gives headings ids and long stories a table of contents itself",
}
_RISKY_TAG_RE = re.compile(r"<(script|iframe|form|object|embed)\b", re.IGNORECASE)
_HANDLER_RE = re.compile(r"<(\w+)\b[^>]*?\s(on[a-z]+)\s*=", re.IGNORECASE)
_JS_URL_RE = re.compile(
    r"<(\w+)\b[^>]*?\s(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE
)
_RAW_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_MD_IMAGE_RE = re.compile(
    r"!\[(?P<alt>[^\]\n]*)\]\(\s*(?P<src><[^>\n]*>|[^\s)]+)(?:\s+(?P<q>[\"'])(?P<title>.*?)(?P=q))?\s*\)"
)
_PLACEHOLDERS = frozenset(
    [
        "image",
        "photo",
        "photograph",
        "picture",
        "pic",
        "img",
        "graphic",
        "illustration",
        "screenshot",
        "untitled",
        "alt",
        "фото",
        "фотографія",
        "зображення",
        "світлина",
        "картинка",
        "знімок",
    ]
)
_FILE_RE = re.compile(r"^[\w.-]+\.(?:jpe?g|png|gif|webp|avif|svg|tiff?|heic)$", re.IGNORECASE)
_CAMERA_RE = re.compile(r"^(?:img|dsc|dscn|dsc_|pxl|photo|image)[_-]?\d+$", re.IGNORECASE)


def body_findings(story: Story) -> list[Finding]:
    """foreign-markup, raw-html, alt-text and credit in one story."""
    found = foreign_markup(story)
    found += raw_html(story)
    found += image_words(story)
    return found


def foreign_markup(story: Story) -> list[Finding]:
    """Template syntax another generator would have expanded, left as text."""
    rule = RULES["foreign-markup"]
    found = []
    taken: list[tuple[int, int]] = []
    for pattern, what in _FOREIGN:
        for match in pattern.finditer(story.body):
            start, end = match.span()
            if story.in_code(start, start + 1) or any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            name = match.group("name").strip()
            key = "toc" if what.startswith("a kramdown") and "toc" in name else name
            shown = match.group(0) if len(match.group(0)) <= 40 else match.group(0)[:37] + "…"
            found.append(
                story.finding(
                    start,
                    rule.id,
                    rule.level,
                    f"{what} is printed as text: {shown}",
                    _HINTS.get(key, ""),
                )
            )
    return found


def raw_html(story: Story) -> list[Finding]:
    """Raw HTML that runs code or pulls in other sites: script, iframe, form, on* and
    javascript: URLs."""
    rule = RULES["raw-html"]
    found = []
    for match in _RISKY_TAG_RE.finditer(story.body):
        if _in_code_span(story, match.start()):
            continue
        tag = match.group(1).lower()
        if tag == "iframe":
            hint = _iframe_hint(story.body[match.start() : story.body.find(">", match.start())])
        elif tag == "form":
            hint = "a static page cannot receive a form: link to where it is handled"
        else:
            hint = "readers without JavaScript or on slow connections lose it; link to it instead"
        found.append(
            story.finding(match.start(), rule.id, rule.level, f"raw <{tag}> in the body", hint)
        )
    for match in _HANDLER_RE.finditer(story.body):
        if _in_code_span(story, match.start()):
            continue
        found.append(
            story.finding(
                match.start(2),
                rule.id,
                rule.level,
                f"an {match.group(2).lower()}= script on <{match.group(1).lower()}> in the body",
            )
        )
    for match in _JS_URL_RE.finditer(story.body):
        if _in_code_span(story, match.start()):
            continue
        found.append(
            story.finding(
                match.start(),
                rule.id,
                rule.level,
                f"a javascript: URL on <{match.group(1).lower()}> in the body",
            )
        )
    return found


def _iframe_hint(tag: str) -> str:
    """The embed form that replaces an iframe: a known provider's page address alone in its
    paragraph, or any page as a link titled "embed"."""
    src = _ATTR_RE.search(tag[tag.find(" src") :]) if " src" in tag else None
    url = html.unescape(src.group(2) or src.group(3) or src.group(4) or "") if src else ""
    for provider in PROVIDERS:
        if provider.address.search(url):
            return (
                f"put the {provider.name} page's address alone in its paragraph: readers get "
                "a card, and the provider is contacted only when they press Load"
            )
    return (
        'write the page\'s address as a link titled "embed", alone in its paragraph: '
        '[Caption](https://… "embed"). Readers get a card, and the provider is contacted only '
        "when they press Load"
    )


def _in_code_span(story: Story, offset: int) -> bool:
    """In a code block or code span (tags themselves count as "code" to prose rules)."""
    before = story.body.rfind("\n```", 0, offset)
    if story.in_code(offset) and before >= 0 and story.body.count("```", before, offset) % 2:
        return True
    line_start = story.body.rfind("\n", 0, offset) + 1
    return story.body.count("`", line_start, offset) % 2 == 1


def body_images(story: Story) -> Iterator[tuple[int, str, str | None, str | None, str | None]]:
    """(offset, src, alt or None, caption, credit) of every image in the body, Markdown and
    raw <img> alike (a raw one has no caption or credit: None)."""
    for match in _MD_IMAGE_RE.finditer(story.body):
        if _in_code_span(story, match.start()) or story.in_code(match.start()):
            continue
        title = match.group("title") or ""
        caption, _, credit = title.partition("|")
        yield match.start(), match.group("src").strip("<>"), match.group("alt"), caption, credit
    for match in _RAW_IMG_RE.finditer(story.body):
        if _in_code_span(story, match.start()):
            continue
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR_RE.finditer(match.group(0))
        }
        yield match.start(), attrs.get("src", ""), attrs.get("alt"), None, None


def alt_problem(alt: str | None, src: str, caption: str | None) -> str | None:
    """What is wrong with an image's alt text, or None."""
    if alt is None:
        return "has no alt attribute"
    text = " ".join(alt.split())
    if not text:
        return None  # empty alt marks a decorative image; the build asks for it where needed
    if text.casefold().strip(".") in _PLACEHOLDERS:
        return f"alt text '{text}' says nothing about the image"
    stem = PurePosixPath(src.split("?")[0]).stem.casefold()
    if _FILE_RE.match(text) or text.casefold() == stem or _CAMERA_RE.match(text):
        return f"alt text '{text}' is a file name"
    if caption and text.casefold() == " ".join(caption.split()).casefold():
        return "alt text repeats the caption"
    return None


def image_words(story: Story) -> list[Finding]:
    """alt-text for the lead image and every body image; credit for body images."""
    alt_rule, credit_rule = RULES["alt-text"], RULES["credit"]
    found = []
    image = story.front.get("image")
    if isinstance(image, dict):
        problem = alt_problem(
            str(image.get("alt", "")), str(image.get("src", "")), str(image.get("caption") or "")
        )
        if problem is not None:
            key = ("image", "alt") if "alt" in image else ("image",)
            found.append(
                story.front_finding(key, alt_rule.id, alt_rule.level, f"the lead image's {problem}")
            )
    elif isinstance(image, str) and "image_alt" in story.front:
        problem = alt_problem(
            str(story.front["image_alt"]), image, str(story.front.get("image_caption") or "")
        )
        if problem is not None:
            found.append(
                story.front_finding(
                    ("image_alt",), alt_rule.id, alt_rule.level, f"the lead image's {problem}"
                )
            )
    for offset, src, alt, caption, credit in body_images(story):
        problem = alt_problem(alt, src, caption)
        if problem is not None:
            found.append(
                story.finding(
                    offset,
                    alt_rule.id,
                    alt_rule.level,
                    f"image {src} {problem}" if alt is None else f"image {src}: {problem}",
                    "describe what the image shows for readers who cannot see it",
                )
            )
        if not (credit or "").strip():
            found.append(
                story.finding(
                    offset,
                    credit_rule.id,
                    credit_rule.level,
                    f"image {src} has no credit",
                    'write it as ![alt](src "Caption|Credit")',
                )
            )
    return found
