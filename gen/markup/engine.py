"""Markdown → HTML, table of contents, summary, word count.

Two engines behind one interface: Python-Markdown (the default; its extensions are what
authors coming from Pelican and MkDocs know) and cmark-gfm (`gen.markup.cmark`: CommonMark
plus GitHub's extensions, much faster). `site.yaml` picks one with `markdown: {engine: …}`.

Whichever it is, `MarkdownEngine.convert` applies the site's rules the same way: the limits
on nesting and time (`gen.markup.limits`), and the raw HTML policy (`raw_html:` allow,
sanitize or forbid; `gen.markup.sanitize`).
"""

from __future__ import annotations

import html
import re
import string
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, HtmlInlineProcessor
from markdown.treeprocessors import Treeprocessor

from gen.config import RAW_HTML_MODES
from gen.markup.autolink import GithubAutolinks
from gen.markup.budget import Overrun, too_slow, within_budget
from gen.markup.embeds import embed_cards
from gen.markup.foreign import StrictAttrList, protect, restore, restore_text
from gen.markup.limits import Scan, check, scan
from gen.markup.needles import quicken
from gen.markup.sanitize import clean_with_removals
from gen.markup.text import (
    MarkupRefused,
    RawConverter,
    Rendered,
    body_word_count,
    first_paragraph,
    heading_id,
    is_local,
    rebase,
)
from gen.model import Heading

if TYPE_CHECKING:
    from gen.config import SiteConfig

EXTENSIONS = ["extra", "toc", "smarty", "sane_lists"]


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


class _SitePaths(Extension):
    def __init__(self, base_path: str) -> None:
        super().__init__()
        self.base_path = base_path

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        self.processor = _SitePathsProcessor(md, self.base_path)
        md.treeprocessors.register(self.processor, "site_paths", 1)


class MarkdownEngine:
    """Markdown → `Rendered` with the engine a site chose; one instance converts many documents.

    `raw_html` is the site's policy; the engine alone defaults to "allow" (what it is given
    is converted as written), a site to "sanitize" (gen/config.py).
    """

    def __init__(
        self, base_path: str = "/", engine: str = "markdown", raw_html: str = "allow"
    ) -> None:
        if raw_html not in RAW_HTML_MODES:
            raise ValueError(f"unknown raw HTML policy {raw_html!r}")
        self.engine = engine
        self.raw_html = raw_html
        self._make: Callable[[], RawConverter]
        if engine == "markdown":
            self._make = lambda: PythonMarkdownConverter(base_path)
        elif engine == "cmark":
            # Imported here so a site on the default engine never needs cmarkgfm.
            from gen.markup.cmark import CmarkConverter

            self._make = lambda: CmarkConverter(base_path, collect_raw=raw_html == "forbid")
        else:
            raise ValueError(f"unknown Markdown engine {engine!r}")
        self._converter: RawConverter = self._make()

    @classmethod
    def for_site(cls, config: SiteConfig) -> MarkdownEngine:
        """The engine `site.yaml` asks for, with the site's base path and raw HTML policy."""
        return cls(config.base_path, config.markdown_engine, config.raw_html)

    def convert(self, text: str) -> Rendered:
        """Convert one document; `MarkupRefused` if it breaks the site's rules."""
        problems = check(text)
        if problems:
            raise MarkupRefused(problems)
        try:
            rendered = within_budget(lambda: self._converter.convert(text))
        except (Overrun, RecursionError) as exc:
            # Interrupted anywhere inside: that converter's state is not to be trusted.
            self._converter = self._make()
            # A RecursionError: the limits keep far from it, should an engine recurse deeper.
            message = too_slow() if isinstance(exc, Overrun) else "too deeply nested to convert"
            raise MarkupRefused([(scan(text).costliest, message)]) from None
        if self.raw_html != "allow":
            rendered = self._apply_policy(text, rendered, self._converter.raw)
        # After the policy: a card is our markup, made from what the policy kept.
        body, words = embed_cards(rendered.html)
        if body == rendered.html:
            return rendered
        return replace(rendered, html=body, word_count=body_word_count(words))

    def _apply_policy(self, text: str, rendered: Rendered, raw: list[str] | None) -> Rendered:
        """Refuse raw HTML (forbid), then clean what is left (forbid and sanitize)."""
        where: Scan | None = None
        if self.raw_html == "forbid" and (raw is None or raw):
            where = scan(text)
            tags = [_first_tag(fragment) for fragment in raw] if raw is not None else None
            found = _locate(where, [t for t in tags if t] if tags is not None else None)
            if found:
                message = "raw HTML {} is not allowed (raw_html: forbid)"
                raise MarkupRefused([(line, message.format(tag)) for line, tag in found])
        cleaned, removed = clean_with_removals(rendered.html)
        if cleaned == rendered.html:
            return rendered
        notes: list[tuple[int, str]] = []
        if removed:
            where = where or scan(text)
            at, seen = 0, set()
            for removal in removed:
                found_at = where.find(removal.needle.lower(), at)
                if found_at < 0:
                    found_at = where.find(removal.needle.lower())
                line = where.line(found_at)
                at = found_at + 1 if found_at >= 0 else at
                if line not in seen:
                    seen.add(line)
                    notes.append((line, removal.message(self.raw_html)))
        return replace(
            rendered,
            html=cleaned,
            first_paragraph=first_paragraph(cleaned),
            word_count=body_word_count(cleaned),
            notes=_at_most(MAX_NOTES, sorted(notes), self.raw_html),
        )


MAX_NOTES = 20  # warnings about removed HTML for one body: enough to find each kind
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_FIRST_TAG_RE = re.compile(r"<(/?[A-Za-z][A-Za-z0-9:-]*|![A-Za-z]+|\?[A-Za-z]*)")
# Tags in the text itself, for an engine that cannot say which of its HTML is raw.
_TEXT_TAG_RE = re.compile(r"<(/?[A-Za-z][A-Za-z0-9:-]*)(?=[\s/>])|<(![A-Za-z]+|\?[A-Za-z]*)")


def _at_most(count: int, notes: list[tuple[int, str]], mode: str) -> tuple[tuple[int, str], ...]:
    """The first notes, and one that says how many more follow."""
    if len(notes) <= count:
        return tuple(notes)
    more = len(notes) - count + 1
    return (
        *notes[: count - 1],
        (notes[count - 1][0], f"{more} more HTML removals from here on (raw_html: {mode})"),
    )


def _first_tag(fragment: str) -> str:
    """'<script>' for a fragment of raw HTML holding a tag; '' for comments only."""
    match = _FIRST_TAG_RE.search(_COMMENT_RE.sub("", fragment))
    return f"<{match.group(1).lower()}>" if match else ""


def _locate(where: Scan, tags: list[str] | None) -> list[tuple[int, str]]:
    """The line of each tag in order (found one after another in the text with code
    blanked), the first on each line; with `tags` None, every tag in that text."""
    found: list[tuple[int, str]] = []
    lines: set[int] = set()
    if tags is None:
        for number, masked in enumerate(where.masked, 1):
            text = _COMMENT_RE.sub("", masked)
            match = _TEXT_TAG_RE.search(text)
            if match:
                found.append((number, f"<{(match.group(1) or match.group(2)).lower()}>"))
        return found
    at = 0
    for tag in tags:
        needle = tag[:-1]  # "<script" finds <script>, <SCRIPT src=…>
        position = where.find(needle, at)
        if position < 0:
            position = where.find(needle)
        line = where.line(position)
        at = position + 1 if position >= 0 else at
        if line not in lines:
            lines.add(line)
            found.append((line, tag))
    return sorted(found)


class _RawInline(HtmlInlineProcessor):
    """Python-Markdown's inline raw HTML (and comments), each piece kept in `found`."""

    def __init__(self, md: markdown.Markdown, found: list[str]) -> None:
        super().__init__(HTML_RE, md)
        self.found = found

    def handleMatch(  # type: ignore[override]  # noqa: N802 (Markdown's API)
        self, m: re.Match[str], data: str
    ) -> tuple[ET.Element | str | None, int | None, int | None]:
        self.found.append(m.group(1))
        return super().handleMatch(m, data)


class PythonMarkdownConverter:
    """One Python-Markdown instance, reset between documents (it keeps per-document state).

    `raw` is the last document's raw HTML as the author wrote it: the blocks and inline
    tags Python-Markdown passes through (code is never among them).
    """

    def __init__(self, base_path: str = "/", *, quick: bool = True) -> None:
        configs: dict[str, dict[str, Any]] = {
            "toc": {"slugify": heading_id, "toc_depth": "2-3"},
            "smarty": {"smart_angled_quotes": False},
        }
        self._paths = _SitePaths(base_path)
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, GithubAutolinks(), self._paths],
            extension_configs=configs,
            output_format="html",
        )
        self._raw: list[str] = []
        # Raw HTML blocks are stashed by the html_block preprocessor (md_in_html's, with
        # `extra`): whatever it stashes is the author's HTML, as text or, for a block
        # with markdown="1", as an element.
        md, raw = self._md, self._raw
        md.inlinePatterns.register(_RawInline(md, raw), "html", 90)
        md.treeprocessors.register(StrictAttrList(md), "attr_list", 8)  # replaces extra's
        # A backslash escapes any ASCII punctuation, as in CommonMark (cmark): \~, \<, \&.
        md.ESCAPED_CHARS.extend(sorted(set(string.punctuation) - set(md.ESCAPED_CHARS)))
        blocks = md.preprocessors["html_block"]
        run_blocks = blocks.run

        def run(lines: list[str]) -> list[str]:
            stash = md.htmlStash.rawHtmlBlocks
            before = len(stash)
            out = run_blocks(lines)
            raw.extend(i if isinstance(i, str) else f"<{i.tag}>" for i in stash[before:])
            return out

        blocks.run = run  # type: ignore[method-assign]
        if quick:  # the same HTML, in about half the time (gen/markup/needles.py)
            for name in ("inline", "smarty"):
                quicken(md.treeprocessors[name])

    @property
    def raw(self) -> list[str]:
        """The last document's raw HTML pieces, as written."""
        return self._raw

    def convert(self, text: str) -> Rendered:
        """Convert one document; other generators' template tags stay as written."""
        protected, tags = protect(text)
        body = restore(self._convert(protected), tags) if tags else None
        if body is None:
            body = self._convert(text)
        tokens = getattr(self._md, "toc_tokens", [])
        return Rendered(
            html=body,
            toc=tuple(restore_text(h, tags) for h in _flatten_toc(tokens)),
            first_paragraph=first_paragraph(body),
            word_count=body_word_count(body),
            images=tuple(self._paths.processor.images),
        )

    def _convert(self, text: str) -> str:
        md = self._md
        md.reset()
        self._paths.processor.images = []
        self._raw.clear()
        return md.convert(text)


def _flatten_toc(tokens: list[dict[str, Any]]) -> list[Heading]:
    out: list[Heading] = []
    for token in tokens:
        out.append(Heading(int(token["level"]), str(token["id"]), html.unescape(token["name"])))
        out.extend(_flatten_toc(token.get("children", [])))
    return out
