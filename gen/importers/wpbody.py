"""A WordPress post's HTML as Dateline Markdown: Gutenberg blocks, shortcodes ([caption],
[gallery], [embed]) and WordPress's automatic paragraphs, then markdownify (pure)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag
from markdownify import markdownify

# Blocks WordPress renders from the database when a page is shown: their saved HTML is not
# the page's, so they are left as a marker for a person (and listed in the report).
DYNAMIC_BLOCKS = (
    "query",
    "navigation",
    "comments",
    "social-links",
    "latest-comments",
    "latest-posts",
    "search",
    "calendar",
    "archives",
    "categories",
    "tag-cloud",
    "rss",
    "page-list",
    "loginout",
    "block",
)
# Markers that mean nothing outside WordPress: removed without a word.
SILENT_BLOCKS = ("more", "nextpage", "spacer")
BLOCK_OPEN_RE = re.compile(r"<!-- wp:([a-z0-9/-]+)(\s+\{.*?\})?\s+(/)?-->", re.DOTALL)
BLOCK_ANY_RE = re.compile(r"<!-- /?wp:[a-z0-9/-]+(?:\s+\{.*?\})?\s+/?-->", re.DOTALL)
EMBED_RE = re.compile(
    r"<!-- wp:(embed|core-embed/[a-z0-9-]+)\s+(\{.*?\})\s+-->.*?<!-- /wp:\1 -->", re.DOTALL
)
SHORTCODE_RE = re.compile(r"\[(caption|gallery|embed)\b([^\]]*)\](?:(.*?)\[/\1\])?", re.DOTALL)
OTHER_SHORTCODE_RE = re.compile(r"\[/?([a-z][a-z0-9_-]*)(?:\s[^\]\n]*)?\]")
SHORTCODE_ATTR_RE = re.compile(r'(\w+)\s*=\s*"([^"]*)"|(\w+)\s*=\s*\'([^\']*)\'')
BARE_URL_LINE_RE = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$", re.MULTILINE)
BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|"
    "area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|"
    "hgroup|header|footer|nav|figure|figcaption|details|menu|summary"
)
BLOCK_START_RE = re.compile(rf"^\s*</?(?:{BLOCK_TAGS})[\s/>]", re.IGNORECASE)
TOKEN_RE = re.compile(r"DATELINETOKEN(\d+)X")


@dataclass(frozen=True, slots=True)
class Figure:
    """One image as a figure: where it is (a URL from the export), its alt text and caption."""

    src: str
    alt: str
    caption: str
    attachment: int | None = None


@dataclass(slots=True)
class Converted:
    """A body being converted: its placeholders (each a paragraph of Markdown that
    markdownify must not touch) and the notes for a person (text found in the result, note)."""

    figure: Callable[[Figure], str]
    gallery: Callable[[list[int]], list[Figure]]
    tokens: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def token(self, markdown: str) -> str:
        """A paragraph standing for `markdown` until markdownify has run."""
        self.tokens.append(markdown)
        return f"\n\n<p>DATELINETOKEN{len(self.tokens) - 1}X</p>\n\n"


def convert_body(
    content: str,
    figure: Callable[[Figure], str],
    gallery: Callable[[list[int]], list[Figure]],
) -> tuple[str, list[tuple[str, str]]]:
    """Markdown for a post's `content:encoded`, and notes for a person as (text to find in
    the Markdown, what to do). `figure` makes a figure's Markdown (finding the file, its
    credit); `gallery` lists the images of a [gallery] by attachment ids ([] = the post's)."""
    work = Converted(figure, gallery)
    blocks = "<!-- wp:" in content
    if blocks:
        content = convert_blocks(content, work)
    content = convert_shortcodes(content, work)
    if not blocks:
        # Classic posts: a URL alone on its line was an oEmbed; paragraphs are wpautop's.
        content = BARE_URL_LINE_RE.sub(lambda m: work.token(m.group(1)), content)
        content = autop(content)
    html = convert_media(content, work)
    markdown = markdownify(html, heading_style="ATX", bullets="-", escape_misc=False)
    markdown = TOKEN_RE.sub(lambda m: work.tokens[int(m.group(1))], markdown)
    markdown = re.sub(r"\n[ \t]+\n", "\n\n", markdown)  # keep "  \n": a <br>
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    for match in OTHER_SHORTCODE_RE.finditer(markdown):
        name = match.group(1)
        if name not in ("x", "sic", "ed") and markdown[match.end() : match.end() + 1] != "(":
            work.notes.append((match.group(0), f"shortcode [{name}] left as written"))
    return markdown, work.notes


def convert_blocks(content: str, work: Converted) -> str:
    """Gutenberg blocks: embeds → a bare URL, galleries → figures, dynamic blocks → a
    marker; the other blocks' delimiters removed (their HTML is the post's)."""

    def embed(match: re.Match[str]) -> str:
        try:
            url = str(json.loads(match.group(2)).get("url", ""))
        except ValueError:
            url = ""
        return work.token(url) if url.startswith(("http://", "https://")) else ""

    content = EMBED_RE.sub(embed, content)
    out, at = [], 0
    for match in BLOCK_OPEN_RE.finditer(content):
        if match.start() < at:
            continue  # inside a block replaced whole
        name = match.group(1).removeprefix("core/")
        base = name.split("/")[-1]
        dynamic = base in DYNAMIC_BLOCKS or base.startswith(("post-", "query", "comment"))
        if base not in SILENT_BLOCKS and base != "gallery" and not (dynamic or match.group(3)):
            continue
        end = match.end() if match.group(3) else _block_end(content, name, match.end())
        out.append(content[at : match.start()])
        if base in SILENT_BLOCKS:
            pass
        elif base == "gallery":
            soup = BeautifulSoup(content[match.end() : end], "html.parser")
            for img in soup.find_all("img"):
                out.append(work.token(work.figure(_figure_of(img))))
        else:
            marker = f"<!-- wp:{name} /-->"
            out.append(work.token(marker))
            work.notes.append(
                (
                    marker,
                    f"dynamic block wp:{name}: WordPress made it when the page was shown; "
                    "write what it showed or remove the marker",
                )
            )
        at = end
    out.append(content[at:])
    return (
        BLOCK_ANY_RE.sub("", "".join(out)).replace("<!--more-->", "").replace("<!--nextpage-->", "")
    )


def _block_end(content: str, name: str, start: int) -> int:
    """Where the block `name` opened before `start` ends (after its closing comment), nested
    blocks of the same name counted; the end of the content if it never closes."""
    pattern = re.compile(rf"<!-- (/?)wp:{re.escape(name)}(?:\s+\{{.*?\}})?\s+(/?)-->", re.DOTALL)
    depth = 1
    for match in pattern.finditer(content, start):
        if match.group(2):
            continue
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return len(content)


def convert_shortcodes(content: str, work: Converted) -> str:
    """[caption] and [gallery] → figures, [embed] → a bare URL."""

    def replace(match: re.Match[str]) -> str:
        name, attrs, inner = match.group(1), shortcode_attrs(match.group(2)), match.group(3) or ""
        if name == "embed":
            url = inner.strip() or attrs.get("src", "")
            return work.token(url) if url.startswith(("http://", "https://")) else match.group(0)
        if name == "gallery":
            ids = [
                int(i) for i in re.findall(r"\d+", attrs.get("ids", "") or attrs.get("include", ""))
            ]
            figures = work.gallery(ids)
            if not figures:
                work.notes.append((match.group(0), "a [gallery] with no images found; removed"))
            return "".join(work.token(work.figure(f)) for f in figures)
        soup = BeautifulSoup(inner, "html.parser")
        img = soup.find("img")
        if not isinstance(img, Tag):
            return match.group(0)
        found = _figure_of(img)
        img.decompose()
        caption = attrs.get("caption") or soup.get_text(" ", strip=True)
        return work.token(work.figure(Figure(found.src, found.alt, caption, found.attachment)))

    return SHORTCODE_RE.sub(replace, content)


def shortcode_attrs(text: str) -> dict[str, str]:
    """A shortcode's attributes: name="value" or name='value'."""
    return {
        (m.group(1) or m.group(3)).lower(): m.group(2) or m.group(4) or ""
        for m in SHORTCODE_ATTR_RE.finditer(text)
    }


def autop(text: str) -> str:
    """WordPress's automatic paragraphs (wpautop, simplified): text between blank lines is a
    paragraph unless it starts with a block element, and a single line break is a <br>;
    <pre> is left as it is."""
    pres: list[str] = []

    def keep(match: re.Match[str]) -> str:
        code = match.group(0)
        pres.append(code if code[:4].lower() == "<pre" else f"<pre>{code}</pre>")
        return f"\n\nDATELINEPRE{len(pres) - 1}X\n\n"

    # <pre> as it is; so is a <code> of several lines, which becomes a code block.
    pattern = r"<pre\b.*?</pre>|<code>[^<]*\n[^<]*</code>"
    text = re.sub(pattern, keep, text.replace("\r\n", "\n"), flags=re.DOTALL | re.I)
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if BLOCK_START_RE.match(chunk) or re.fullmatch(r"DATELINEPRE\d+X", chunk):
            paragraphs.append(chunk)
        else:
            paragraphs.append("<p>" + re.sub(r"(?<!<br>)(?<!<br />)\n", "<br />\n", chunk) + "</p>")
    html = "\n\n".join(paragraphs)
    return re.sub(r"DATELINEPRE(\d+)X", lambda m: pres[int(m.group(1))], html)


def convert_media(html: str, work: Converted) -> str:
    """Figures and images alone in their paragraph → figure placeholders; audio, video and
    iframes → a link or a bare URL for a person to look at."""
    soup = BeautifulSoup(html, "html.parser")
    for code in soup.find_all("code"):
        if "\n" in code.get_text() and code.find_parent("pre") is None:
            code.wrap(soup.new_tag("pre"))
    for figure in soup.find_all("figure"):
        img = figure.find("img")
        if not isinstance(img, Tag) or figure.find_parent("figure") is not None:
            continue
        caption_tag = figure.find("figcaption")
        caption = caption_tag.get_text(" ", strip=True) if isinstance(caption_tag, Tag) else ""
        found = _figure_of(img)
        figure.replace_with(
            _placeholder(
                soup,
                work.token(work.figure(Figure(found.src, found.alt, caption, found.attachment))),
            )
        )
    for paragraph in soup.find_all("p"):
        imgs = paragraph.find_all("img")
        if len(imgs) == 1 and not paragraph.get_text(strip=True):
            paragraph.replace_with(_placeholder(soup, work.token(work.figure(_figure_of(imgs[0])))))
    for media in soup.find_all(["video", "audio", "iframe", "embed", "object"]):
        src = str(media.get("src") or "")
        source = media.find("source")
        if not src and isinstance(source, Tag):
            src = str(source.get("src") or "")
        if media.name == "iframe" and src.startswith(("http://", "https://")):
            media.replace_with(_placeholder(soup, work.token(src)))
            continue
        text = f"[{media.name}: {src.rsplit('/', 1)[-1]}]({src})" if src else ""
        media.replace_with(_placeholder(soup, work.token(text)) if text else "")
        work.notes.append((text or "", f"<{media.name}> not imported; a link to it is left"))
    return str(soup)


def _placeholder(soup: BeautifulSoup, token: str) -> Tag | str:
    """A token as a node: its paragraph (`Converted.token` makes `<p>…</p>`)."""
    fragment = BeautifulSoup(token, "html.parser").find("p")
    return fragment if isinstance(fragment, Tag) else token


def _figure_of(img: Tag) -> Figure:
    """A figure from an <img>: its src, alt and WordPress attachment id (class wp-image-ID)."""
    classes: list[str] = list(img.get("class") or [])
    ids = [c.removeprefix("wp-image-") for c in classes if c.startswith("wp-image-")]
    attachment = int(ids[0]) if ids and ids[0].isdigit() else None
    if attachment is None and str(img.get("data-id") or "").isdigit():
        attachment = int(str(img.get("data-id")))
    return Figure(str(img.get("src") or ""), str(img.get("alt") or ""), "", attachment)
