"""Markdown → HTML, table of contents, summary, word count.

Two engines behind one interface: Python-Markdown (the default; its extensions are what
authors coming from Pelican and MkDocs know) and cmark-gfm (`gen.markup_cmark`: CommonMark
plus GitHub's extensions, much faster). `site.yaml` picks one with `markdown: {engine: …}`.
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from gen.model import Heading
from gen.urls import slugify

if TYPE_CHECKING:
    from gen.config import SiteConfig

WORDS_PER_MINUTE = 230
EXTENSIONS = ["extra", "toc", "smarty", "sane_lists"]
_TAG_RE = re.compile(r"<[^>]+>")
# A word: letters or digits, joined by apostrophes or hyphens ("Kyiv-based", "it's"). Counted
# as \w runs once "_" is a space: the same words as [^\W_], and twice as fast.
_WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")
_BLOCK_TAG_RE = re.compile(
    r"<(?:br|hr|/?(?:p|li|ul|ol|h[1-6]|t[dhr]|table|div|blockquote|figure|figcaption|dd|dt))\b[^>]*>",
    re.IGNORECASE,
)
# Opening or closing containers that nest paragraphs, and paragraphs themselves.
_CONTAINER_OR_P_RE = re.compile(
    r"<(/?)(p|blockquote|ul|ol|div|table|figure|aside|details|dl)(?=[\s>])[^>]*>", re.IGNORECASE
)
_FOOTNOTES_RE = re.compile(r'<div class="footnote">.*?</div>\s*$', re.DOTALL)
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class Rendered:
    """What markup produces for one document."""

    html: str
    toc: tuple[Heading, ...]
    first_paragraph: str  # plain text
    word_count: int
    images: tuple[tuple[str, str], ...] = ()  # (src as written, alt) of the body's local images

    @property
    def reading_minutes(self) -> int:
        """Minutes to read at a steady pace; at least one."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))


class _SitePathsProcessor(Treeprocessor):
    """Root-relative links and content images carry the site's base path (sites under /news/)."""

    def __init__(self, md: markdown.Markdown, base_path: str) -> None:
        super().__init__(md)
        self.base_path = base_path
        self.images: list[tuple[str, str]] = []

    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            if el.tag == "img":
                src = el.get("src", "")
                if is_local(src):
                    self.images.append((src, el.get("alt", "")))
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None:
                    el.set(attr, rebase(value, self.base_path))
            if el.tag == "img":
                el.set("loading", "lazy")
                el.set("decoding", "async")


def is_local(src: str) -> bool:
    """True for an image source on this site (no scheme, not protocol-relative)."""
    return not _SCHEME_RE.match(src) and not src.startswith("//")


def rebase(value: str, base_path: str) -> str:
    """A root-relative URL or an `images/…` source under the site's base path; others as is."""
    if value.startswith("/") and not value.startswith("//"):
        return base_path + value[1:]
    if value.startswith("images/") and not _SCHEME_RE.match(value):
        return base_path + value
    return value


class _SitePaths(Extension):
    def __init__(self, base_path: str) -> None:
        super().__init__()
        self.base_path = base_path

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        self.processor = _SitePathsProcessor(md, self.base_path)
        md.treeprocessors.register(self.processor, "site_paths", 1)


def heading_id(value: str, separator: str = "-") -> str:
    """The id a heading's text gets (before it is made unique in its document)."""
    return slugify(value) or "section"


class Converter(Protocol):
    """What an engine offers: one document's Markdown in, a `Rendered` out."""

    def convert(self, text: str) -> Rendered: ...


class MarkdownEngine:
    """Markdown → `Rendered` with the engine a site chose; one instance converts many documents."""

    def __init__(self, base_path: str = "/", engine: str = "markdown") -> None:
        self.engine = engine
        self._converter: Converter
        if engine == "markdown":
            self._converter = PythonMarkdownConverter(base_path)
        elif engine == "cmark":
            # Imported here so a site on the default engine never needs cmarkgfm.
            from gen.markup_cmark import CmarkConverter

            self._converter = CmarkConverter(base_path)
        else:
            raise ValueError(f"unknown Markdown engine {engine!r}")

    @classmethod
    def for_site(cls, config: SiteConfig) -> MarkdownEngine:
        """The engine `site.yaml` asks for, with the site's base path."""
        return cls(config.base_path, config.markdown_engine)

    def convert(self, text: str) -> Rendered:
        """Convert one document."""
        return self._converter.convert(text)


class PythonMarkdownConverter:
    """One Python-Markdown instance, reset between documents (it keeps per-document state)."""

    def __init__(self, base_path: str = "/") -> None:
        configs: dict[str, dict[str, Any]] = {
            "toc": {"slugify": heading_id, "toc_depth": "2-3"},
            "smarty": {"smart_angled_quotes": False},
        }
        self._paths = _SitePaths(base_path)
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, self._paths],
            extension_configs=configs,
            output_format="html",
        )

    def convert(self, text: str) -> Rendered:
        """Convert one document."""
        md = self._md
        md.reset()
        self._paths.processor.images = []
        body = md.convert(text)
        tokens = getattr(md, "toc_tokens", [])
        return Rendered(
            html=body,
            toc=tuple(_flatten_toc(tokens)),
            first_paragraph=first_paragraph(body),
            word_count=body_word_count(body),
            images=tuple(self._paths.processor.images),
        )


def _flatten_toc(tokens: list[dict[str, Any]]) -> list[Heading]:
    out: list[Heading] = []
    for token in tokens:
        out.append(Heading(int(token["level"]), str(token["id"]), html.unescape(token["name"])))
        out.extend(_flatten_toc(token.get("children", [])))
    return out


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, tags removed, entities decoded, spaces folded.

    Block tags and <br> separate words; inline tags (a link, emphasis) do not, so
    "in <a>Kyiv</a>, then" reads "in Kyiv, then".
    """
    spaced = _BLOCK_TAG_RE.sub(" ", fragment)
    return " ".join(html.unescape(_TAG_RE.sub("", spaced)).split())


def count_words(fragment: str) -> int:
    """Words in an HTML fragment, counted from its text (never from a stated figure)."""
    return len(_WORD_RE.findall(html.unescape(_TAG_RE.sub(" ", fragment)).replace("_", " ")))


def body_word_count(body: str) -> int:
    """Words in a converted body, its footnotes left out."""
    return count_words(_FOOTNOTES_RE.sub("", body))


def first_paragraph(fragment: str) -> str:
    """The plain text of the first top-level paragraph (not one inside a quote or list)."""
    depth = 0
    for match in _CONTAINER_OR_P_RE.finditer(fragment):
        closing, name = match.group(1), match.group(2).lower()
        if name == "p":
            if depth == 0 and not closing:
                end = fragment.find("</p>", match.end())
                return plain_text(fragment[match.end() : end if end >= 0 else None])
            continue
        depth = max(0, depth + (-1 if closing else 1))
    return ""
