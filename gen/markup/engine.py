"""Markdown → HTML, table of contents, summary, word count.

Two engines behind one interface: Python-Markdown (the default; its extensions are what
authors coming from Pelican and MkDocs know) and cmark-gfm (`gen.markup.cmark`: CommonMark
plus GitHub's extensions, much faster). `site.yaml` picks one with `markdown: {engine: …}`.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from gen.markup.text import (
    Converter,
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
    """Markdown → `Rendered` with the engine a site chose; one instance converts many documents."""

    def __init__(self, base_path: str = "/", engine: str = "markdown") -> None:
        self.engine = engine
        self._converter: Converter
        if engine == "markdown":
            self._converter = PythonMarkdownConverter(base_path)
        elif engine == "cmark":
            # Imported here so a site on the default engine never needs cmarkgfm.
            from gen.markup.cmark import CmarkConverter

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
