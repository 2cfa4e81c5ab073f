"""What every Markdown engine shares: the `Rendered` result and the text measures on it."""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Protocol

from gen.errors import ContentError, Problem
from gen.model import Heading
from gen.urls import slugify

WORDS_PER_MINUTE = 230
_TAG_RE = re.compile(r"<[^>]+>")
# A word: letters or digits, joined by apostrophes or hyphens ("Kyiv-based", "it's"). Counted
# as \w runs once "_" is a space: the same words as [^\W_], and twice as fast.
WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")
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
    # Warnings for the author: (line of the body, from 1; message), e.g. what the raw HTML
    # policy removed.
    notes: tuple[tuple[int, str], ...] = ()

    @property
    def reading_minutes(self) -> int:
        """Minutes to read at a steady pace; at least one."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))


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


def heading_id(value: str, separator: str = "-") -> str:
    """The id a heading's text gets (before it is made unique in its document)."""
    return slugify(value) or "section"


class MarkupRefused(ContentError):
    """A body the site will not convert (nested too deeply, too slow, raw HTML where it is
    forbidden). `found` holds (line of the body, from 1; message); the conversion stage
    reports them at the file's lines. Raised where no file is known (a watch session's
    quick rebuild), it still fails the build with the messages, never a traceback."""

    def __init__(self, found: list[tuple[int, str]]) -> None:
        self.found = tuple(found)
        super().__init__(
            Problem("(a story's body)", None, f"{message} (line {line} of the body)")
            for line, message in found
        )


class Converter(Protocol):
    """What an engine offers: one document's Markdown in, a `Rendered` out."""

    def convert(self, text: str) -> Rendered: ...


class RawConverter(Converter, Protocol):
    """An engine behind `MarkdownEngine`, which also tells the last document's raw HTML
    pieces as written (None where it cannot tell)."""

    @property
    def raw(self) -> list[str] | None: ...


# Typographic punctuation as Python-Markdown's smarty writes it, character and named entity.
# A body in ASCII takes half the memory of one with a single curly quote (Python then keeps
# the whole string at two bytes a character), so the cmark engine writes them so too.
TYPOGRAPHY = (
    ("\u2018", "&lsquo;"),
    ("\u2019", "&rsquo;"),
    ("\u201c", "&ldquo;"),
    ("\u201d", "&rdquo;"),
    ("\u2013", "&ndash;"),
    ("\u2014", "&mdash;"),
    ("\u2026", "&hellip;"),
)


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, tags removed, entities decoded, spaces folded.

    Block tags and <br> separate words; inline tags (a link, emphasis) do not, so
    "in <a>Kyiv</a>, then" reads "in Kyiv, then".
    """
    spaced = _BLOCK_TAG_RE.sub(" ", fragment)
    return " ".join(html.unescape(_TAG_RE.sub("", spaced)).split())


def count_words(fragment: str) -> int:
    """Words in an HTML fragment, counted from its text (never from a stated figure)."""
    return len(WORD_RE.findall(html.unescape(_TAG_RE.sub(" ", fragment)).replace("_", " ")))


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
