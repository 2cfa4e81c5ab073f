"""The cmark engine: CommonMark with GitHub's tables, strikethrough and autolinks (cmark-gfm).

cmark renders the HTML in C; this module then gives it what the Python-Markdown engine adds:
heading ids and the table of contents, site paths under the base path, collected and lazily
loaded body images, and footnotes in Python-Markdown's markup, so themes, anchors and
summaries work the same with either engine. The post-processing reads only cmark's own
regular output: authors' raw HTML is set aside before it and put back after it untouched,
as Python-Markdown passes raw HTML through untouched.

Where the engines differ (tests/test_markup_engines.py shows each): cmark follows CommonMark
and GitHub, so ~~text~~ is struck through, a list may start right under a paragraph, a list
item's content follows its text column (Python-Markdown needs four spaces), every item of a
list with a blank line is a paragraph, Markdown inside an HTML block is read after a blank
line, "#x" is no heading, "1)" starts a list, a change of bullet starts a new list, table
cells split at every "|", a backslash ends a line, and footnotes are numbered in the order
they are cited (unused ones dropped, labels without spaces); image alt text is the
description's plain text with typographic quotes. Python-Markdown's abbreviations, attribute
lists ({#id .class}), definition lists, markdown="1" inside HTML and [TOC] have no
equivalent. Aligned with Python-Markdown: a reference definition right under a line of text
(`separate_definitions`); Python-Markdown links bare addresses as GitHub does
(gen/markup/autolink.py) and escapes any ASCII punctuation.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import unquote

import cffi
import cmarkgfm
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options
from markdown.extensions.toc import unique

from gen.markup.foreign import protect, restore, restore_text
from gen.markup.text import (
    TYPOGRAPHY,
    Rendered,
    body_word_count,
    first_paragraph,
    heading_id,
    is_local,
    rebase,
)
from gen.model import Heading

OPTIONS: int = (
    Options.CMARK_OPT_SMART  # typographic quotes, dashes and ellipses, as smarty does
    | Options.CMARK_OPT_FOOTNOTES
    # Raw HTML passes through (an embedded <figure> or <iframe>), as with Python-Markdown;
    # the site's raw_html policy then decides what stays (gen/markup/sanitize.py).
    | Options.CMARK_OPT_UNSAFE
    # style="text-align: …" as Python-Markdown writes, not HTML5's obsolete align="…".
    | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
)
# GitHub's extensions less tagfilter, which would disable the <iframe> and <script> embeds
# that Python-Markdown lets through (raw_html: allow), and tasklist, whose checkboxes have
# no place in a story.
EXTENSIONS = ("table", "strikethrough", "autolink")

# The post-processing below rewrites only these tags (footnote markup included). Raw HTML
# without any of them passes through it unchanged, so only a source that has one pays for
# the walk that sets raw HTML aside (most embeds, <iframe>, <figure>, <abbr>, do not).
# Searched in the lowercased source: a leading literal "<" keeps the search fast.
_REWRITTEN_RE = re.compile(r"<(?:a|img|/?h[1-6]|br|hr|li|/?section)\b")
_PLACEHOLDER_RE = re.compile("\x02(\\d+)\x03")
_LINK_OR_IMAGE_RE = re.compile(
    r'<a href="([^"]*)"|<img src="([^"]*)" alt="([^"]*)"((?: title="[^"]*")?) />'
)
_HEADING_RE = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_FN_REF_RE = re.compile(
    r'<sup class="footnote-ref"><a href="#fn-([^"]*)" id="fnref-([^"]*)" '
    r"data-footnote-ref>([^<]*)</a></sup>"
)
_FN_BACKREF_RE = re.compile(
    r' ?<a href="#fnref-([^"]*)" class="footnote-backref" data-footnote-backref '
    r'data-footnote-backref-idx="([^"-]*)(?:-(\d+))?" aria-label="[^"]*">'
    r'↩(?:<sup class="footnote-ref">\d+</sup>)?</a>'
)
_FN_ITEM_RE = re.compile(r'<li id="fn-([^"]*)">')
_PM_FN_REF_RE = re.compile(r'<sup id="fnref\d*:[^"]*"><a class="footnote-ref"[^>]*>[^<]*</a></sup>')
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")

_EVENT_DONE, _EVENT_ENTER = 1, 2
_CDEF = """
typedef struct cmark_node cmark_node;
typedef struct cmark_parser cmark_parser;
typedef struct cmark_iter cmark_iter;
typedef struct cmark_syntax_extension cmark_syntax_extension;
typedef struct _cmark_llist cmark_llist;
typedef struct cmark_mem {
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
} cmark_mem;
cmark_mem *cmark_get_default_mem_allocator(void);
void cmark_gfm_core_extensions_ensure_registered(void);
cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
cmark_parser *cmark_parser_new(int options);
int cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *ext);
cmark_llist *cmark_parser_get_syntax_extensions(cmark_parser *parser);
void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
cmark_node *cmark_parser_finish(cmark_parser *parser);
void cmark_parser_free(cmark_parser *parser);
char *cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
void cmark_node_free(cmark_node *node);
cmark_iter *cmark_iter_new(cmark_node *root);
int cmark_iter_next(cmark_iter *iter);
cmark_node *cmark_iter_get_node(cmark_iter *iter);
void cmark_iter_free(cmark_iter *iter);
int cmark_node_get_type(cmark_node *node);
const char *cmark_node_get_type_string(cmark_node *node);
const char *cmark_node_get_literal(cmark_node *node);
int cmark_node_set_literal(cmark_node *node, const char *content);
"""


class _Native:
    """cmark-gfm's C API, from the library inside cmarkgfm.

    cmarkgfm's own wrapper frees neither the tree nor the HTML of a document (about
    150 kB lost per article: gigabytes over a big site) and cannot reach the tree, so
    this binds the same library directly: one parser per document, everything freed.
    """

    def __init__(self) -> None:
        ffi = cffi.FFI()
        ffi.cdef(_CDEF)
        lib = ffi.dlopen(_cmark.__file__)
        lib.cmark_gfm_core_extensions_ensure_registered()
        self.ffi, self.lib = ffi, lib
        self.free = lib.cmark_get_default_mem_allocator().free
        self.extensions = [lib.cmark_find_syntax_extension(name.encode()) for name in EXTENSIONS]
        if ffi.NULL in self.extensions:
            raise OSError("cmark-gfm lacks one of the extensions " + ", ".join(EXTENSIONS))
        # Node type numbers are read off a sample rather than copied from cmark's headers.
        self.html_types = frozenset(
            kind
            for kind, name in self._node_types("<div>\n\nx <b>y</b>\n")
            if name in ("html_block", "html_inline")
        )
        if len(self.html_types) != 2:
            raise OSError("cmark-gfm's node types are not as expected")

    def render(self, text: str, stash: list[str] | None) -> str:
        """HTML for `text`; with `stash`, raw HTML is replaced by placeholders kept there."""
        lib = self.lib
        data = text.encode("utf-8")
        parser = lib.cmark_parser_new(OPTIONS)
        try:
            for extension in self.extensions:
                lib.cmark_parser_attach_syntax_extension(parser, extension)
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            try:
                if stash is not None:
                    self._set_aside_raw_html(root, stash)
                extensions = lib.cmark_parser_get_syntax_extensions(parser)
                out = lib.cmark_render_html(root, OPTIONS, extensions)
                try:
                    return str(self.ffi.string(out).decode("utf-8"))
                finally:
                    self.free(out)
            finally:
                lib.cmark_node_free(root)
        finally:
            lib.cmark_parser_free(parser)

    def _set_aside_raw_html(self, root: Any, stash: list[str]) -> None:
        lib, ffi = self.lib, self.ffi
        walk = lib.cmark_iter_new(root)
        try:
            while (event := lib.cmark_iter_next(walk)) != _EVENT_DONE:
                node = lib.cmark_iter_get_node(walk)
                if event != _EVENT_ENTER or lib.cmark_node_get_type(node) not in self.html_types:
                    continue
                literal = lib.cmark_node_get_literal(node)
                raw = ffi.string(literal).decode("utf-8") if literal != ffi.NULL else ""
                # A block's closing newline stays outside the placeholder, so cmark lays
                # out what follows exactly as it would around the HTML itself.
                tail = "\n" if raw.endswith("\n") else ""
                placeholder = f"\x02{len(stash)}\x03{tail}"
                stash.append(raw[: len(raw) - len(tail)])
                lib.cmark_node_set_literal(node, placeholder.encode("utf-8"))
        finally:
            lib.cmark_iter_free(walk)

    def _node_types(self, sample: str) -> list[tuple[int, str]]:
        lib, ffi = self.lib, self.ffi
        data = sample.encode("utf-8")
        parser = lib.cmark_parser_new(0)
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        walk = lib.cmark_iter_new(root)
        types = []
        while lib.cmark_iter_next(walk) != _EVENT_DONE:
            node = lib.cmark_iter_get_node(walk)
            name = ffi.string(lib.cmark_node_get_type_string(node)).decode("ascii")
            types.append((int(lib.cmark_node_get_type(node)), name))
        lib.cmark_iter_free(walk)
        lib.cmark_node_free(root)
        lib.cmark_parser_free(parser)
        return types


def _load_native() -> _Native | None:
    """The direct binding, or None where the library's symbols are not exported (Windows)."""
    try:
        return _Native()
    except (OSError, AttributeError):
        return None


# Loaded once per process, like an import: a binding to a library, not state of a build.
_NATIVE = _load_native()


class CmarkConverter:
    """Markdown → `Rendered` with cmark-gfm; keeps no state between documents but `raw`.

    With `collect_raw` (a site that forbids raw HTML), `raw` is each document's raw HTML
    as written, always set aside to know it; otherwise only when a document needs it.
    """

    def __init__(self, base_path: str = "/", *, collect_raw: bool = False) -> None:
        self.base_path = base_path
        self._base_attr = html.escape(base_path)
        # Without the direct binding (see `_Native`) cmarkgfm's wrapper still converts, but
        # leaks memory, and raw HTML cannot be set aside: its root-relative links get the
        # base path too, and its <img> tags are lazy and checked like Markdown images.
        self.native = _NATIVE
        self.collect_raw = collect_raw
        self.raw: list[str] | None = []

    def convert(self, text: str) -> Rendered:
        """Convert one document; other generators' template tags stay as written."""
        text = separate_definitions(text)
        protected, tags = protect(text)
        done = self._convert(protected) if tags else None
        body = restore(done[0], tags) if done is not None else None
        if done is None or body is None:
            done = self._convert(text)
            body = done[0]
        return Rendered(
            html=body,
            toc=tuple(restore_text(h, tags) for h in done[1]),
            first_paragraph=first_paragraph(body),
            word_count=body_word_count(body),
            images=done[2],
        )

    def _convert(self, text: str) -> tuple[str, list[Heading], tuple[tuple[str, str], ...]]:
        """(HTML, headings, images) of one document."""
        stash: list[str] = []
        maybe_html = "<" in text
        if self.native is None:
            body = cmarkgfm.markdown_to_html_with_extensions(text, OPTIONS, list(EXTENSIONS))
            self.raw = None if maybe_html else []
            own = not maybe_html  # only cmark's own markup in `body`, no raw HTML
        else:
            rewritten = _REWRITTEN_RE.search(text.lower())
            collect = bool(rewritten) or (self.collect_raw and maybe_html)
            body = self.native.render(text, stash if collect else None)
            self.raw = list(stash) if collect else (None if maybe_html else [])
            # (whatever the raw_html policy: it must not change what cmark's markup reads)
            own = bool(rewritten) or not maybe_html
        # Order matters: footnote markup first, so heading text can drop footnote marks;
        # raw HTML last, so nothing an author wrote is rewritten.
        if "data-footnote" in body:
            body = _footnotes_like_python_markdown(body)
        images: list[tuple[str, str]] = []
        body = _LINK_OR_IMAGE_RE.sub(lambda m: self._site_paths(m, images, stash), body)
        toc: list[Heading] = []
        used: set[str] = set()
        counters: dict[str, int] = {}
        body = _HEADING_RE.sub(lambda m: _with_id(m, stash, used, counters, toc), body)
        body = body.replace("<br />", "<br>").replace("<hr />", "<hr>").rstrip("\n")
        if own and not body.isascii():  # an author's raw HTML is never rewritten
            for char, entity in TYPOGRAPHY:  # (str.translate takes 20 times as long)
                body = body.replace(char, entity)
        if stash:
            body = _restore(body, stash)
        return body, toc, tuple(images)

    def _site_paths(
        self, match: re.Match[str], images: list[tuple[str, str]], stash: list[str]
    ) -> str:
        """A link or image with the base path; a local image collected and loaded lazily."""
        href, src_attr, alt_attr, title = match.groups()
        if href is not None:
            return f'<a href="{rebase(href, self._base_attr)}"'
        # cmark percent-encodes sources; the author wrote them plain (images/київ.jpg).
        src = unquote(html.unescape(src_attr))
        alt = _restore(html.unescape(alt_attr), stash)
        if is_local(src):
            images.append((src, alt))
            src_attr = html.escape(rebase(src, self.base_path))
        return (
            f'<img src="{src_attr}" alt="{html.escape(alt)}"{title} '
            'loading="lazy" decoding="async">'
        )


# A link reference definition ([1]: https://…, with an optional title) right under a line of
# text: Python-Markdown (and kramdown) take it as a definition, CommonMark as paragraph text.
_DEFINITION_RE = re.compile(
    r"""[ ]{0,3}\[[^\[\]\n]+\]:[ \t]*\S+(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*"""
)
# Where a line starts as a definition does; whether the line above it has text is asked
# after. (One pattern for both, "\S[^\n]*\n[ ]{0,3}\[…", tried every character of a
# paragraph against its whole line: 0.5 ms a story, most of what cmark's engine took.)
_DEFINITION_LINE_RE = re.compile(r"\n[ ]{0,3}\[[^\[\]\n]+\]:")
_FENCE_RE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")


def separate_definitions(text: str) -> str:
    """`text` with a blank line before each reference definition that follows a line of text
    (outside fenced code), so cmark reads it as Python-Markdown does: a definition."""
    if not any(_under_text(text, m.start()) for m in _DEFINITION_LINE_RE.finditer(text)):
        return text
    return separate_every_definition(text)


def separate_every_definition(text: str) -> str:
    """`separate_definitions`, each line read (that one first asks if any line needs it)."""
    lines = text.split("\n")
    out: list[str] = []
    fence = ""
    for line in lines:
        opened = _FENCE_RE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
        elif opened:
            fence = opened.group(1)
        elif out and out[-1].strip() and _DEFINITION_RE.fullmatch(line):
            out.append("")
        out.append(line)
    return "\n".join(out)


def _under_text(text: str, end: int) -> bool:
    """Whether the line that ends at `end` (a newline) has more than spaces."""
    return bool(text[text.rfind("\n", 0, end) + 1 : end].strip())


def _with_id(
    match: re.Match[str],
    stash: list[str],
    used: set[str],
    counters: dict[str, int],
    toc: list[Heading],
) -> str:
    """A heading with Python-Markdown's id; levels 2 and 3 go into the table of contents."""
    level, inner = int(match.group(1)), match.group(2)
    # As Python-Markdown's toc: footnote marks, comments and tags out, spaces folded.
    text = _PM_FN_REF_RE.sub("", _restore(inner, stash))
    text = html.unescape(" ".join(_TAG_RE.sub("", _COMMENT_RE.sub("", text)).split()))
    anchor = unique(heading_id(text), used, counters)
    if 2 <= level <= 3:
        toc.append(Heading(level, anchor, text))
    return f'<h{level} id="{anchor}">{inner}</h{level}>'


def _footnotes_like_python_markdown(body: str) -> str:
    """cmark's footnote markup rewritten to Python-Markdown's (ids fn:x, fnref:x, fnref2:x),
    so the theme's styles and links to notes work with either engine."""

    def ref(match: re.Match[str]) -> str:
        encoded, ref_id, number = match.groups()
        nth = ref_id[len(encoded) + 1 :]  # "" for the first reference, "2" for the second
        label = _footnote_label(encoded)
        return (
            f'<sup id="fnref{nth}:{label}"><a class="footnote-ref" href="#fn:{label}">'
            f"{number}</a></sup>"
        )

    def backref(match: re.Match[str]) -> str:
        target, number, nth = match.groups()
        label = _footnote_label(target[: -len(nth) - 1] if nth else target)
        lead = "" if nth else "&#160;"
        return (
            f'{lead}<a class="footnote-backref" href="#fnref{nth or ""}:{label}" '
            f'title="Jump back to footnote {number} in the text">&#8617;</a>'
        )

    body = _FN_REF_RE.sub(ref, body)
    body = _FN_BACKREF_RE.sub(backref, body)
    body = _FN_ITEM_RE.sub(lambda m: f'<li id="fn:{_footnote_label(m.group(1))}">', body)
    return body.replace(
        '<section class="footnotes" data-footnotes>\n', '<div class="footnote">\n<hr>\n'
    ).replace("</ol>\n</section>", "</ol>\n</div>")


def _footnote_label(encoded: str) -> str:
    """A footnote label as written ([^джерело]), from cmark's percent-encoded one."""
    return html.escape(html.unescape(unquote(encoded)))


def _restore(fragment: str, stash: list[str]) -> str:
    """Put the raw HTML set aside back in place of its placeholders."""
    if not stash or "\x02" not in fragment:
        return fragment
    return _PLACEHOLDER_RE.sub(
        lambda m: stash[int(m.group(1))] if int(m.group(1)) < len(stash) else m.group(0),
        fragment,
    )
