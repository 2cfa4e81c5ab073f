"""Embeds as facades: a provider's post, video or chart as a card that loads nothing from
the provider until the reader asks (pure).

A paragraph holding only a known provider's address (YouTube, Vimeo, X/Twitter, Telegram,
Facebook video, Datawrapper, Flourish) becomes a card; so does a paragraph holding only a
link titled "embed", `[Caption](https://… "embed")`, for any https page, its text the
caption. The card is plain HTML: the provider, what it is, a link to the source and the
caption. Its Load button (hidden until the theme's static/embed.js shows it) swaps in the
provider's player, from a privacy-friendly host where there is one. Both engines write the
paragraph alike (gen/markup/autolink.py), so this runs on their HTML, after the raw HTML
policy: the card is our markup, not the author's. Nothing is fetched at build time.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

EMBED_TITLE = "embed"  # a link with this title, alone in its paragraph, is an explicit embed


@dataclass(frozen=True, slots=True)
class Provider:
    """A site whose addresses become embeds: what its pages are and where its player is."""

    name: str
    kind: str  # "video", "post", "chart", "story": the card says "<name> <kind>"
    address: re.Pattern[str]
    player: Callable[[re.Match[str]], str]


def _youtube(m: re.Match[str]) -> str:
    start = re.search(r"[?&#]t=(\d+)s?(?:&|$)", m.string)
    return f"https://www.youtube-nocookie.com/embed/{m.group(1)}" + (
        f"?start={start.group(1)}" if start else ""
    )


PROVIDERS = (
    Provider(
        "YouTube",
        "video",
        re.compile(
            r"https?://(?:(?:www\.|m\.)?youtube\.com/(?:watch\?(?:[^#\s]*&)?v=|shorts/|live/|embed/)"
            r"|youtu\.be/)([A-Za-z0-9_-]{11})(?![A-Za-z0-9_-])"
        ),
        _youtube,
    ),
    Provider(
        "Vimeo",
        "video",
        re.compile(r"https?://(?:www\.)?vimeo\.com/(\d+)(?:/([0-9a-f]+))?/?(?:[?#]|$)"),
        lambda m: (
            f"https://player.vimeo.com/video/{m.group(1)}?dnt=1"
            + (f"&h={m.group(2)}" if m.group(2) else "")
        ),
    ),
    Provider(
        "X (Twitter)",
        "post",
        re.compile(
            r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/[A-Za-z0-9_]{1,15}/status/(\d+)"
        ),
        lambda m: f"https://platform.twitter.com/embed/Tweet.html?id={m.group(1)}&dnt=true",
    ),
    Provider(
        "Telegram",
        "post",
        re.compile(r"https?://t\.me/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/(\d+)/?(?:\?[^#]*)?$"),
        lambda m: f"https://t.me/{m.group(1)}/{m.group(2)}?embed=1",
    ),
    Provider(
        "Facebook",
        "video",
        re.compile(
            r"https?://(?:(?:www\.|m\.|web\.)?facebook\.com/"
            r"(?:[^/?#\s]+/videos/(?:[^/?#\s]+/)?\d+|watch/?\?v=\d+|reel/\d+)"
            r"|fb\.watch/[A-Za-z0-9_-]+)"
        ),
        lambda m: (
            "https://www.facebook.com/plugins/video.php?show_text=false&href="
            + quote(m.group(0), safe="")
        ),
    ),
    Provider(
        "Datawrapper",
        "chart",
        re.compile(r"https?://datawrapper\.dwcdn\.net/([A-Za-z0-9]{5})(?:/(\d+))?/?$"),
        lambda m: (
            f"https://datawrapper.dwcdn.net/{m.group(1)}/"
            + (f"{m.group(2)}/" if m.group(2) else "")
        ),
    ),
    Provider(
        "Flourish",
        "chart",
        re.compile(
            r"https?://(?:public\.flourish\.studio|flo\.uri\.sh)/(visualisation|story)/(\d+)"
            r"(?:/(?:embed)?)?/?$"
        ),
        lambda m: f"https://flo.uri.sh/{m.group(1)}/{m.group(2)}/embed",
    ),
)


@dataclass(frozen=True, slots=True)
class Embed:
    """One embed: the source page, its provider and kind, the player's address, a caption."""

    source: str
    provider: str
    kind: str
    player: str
    caption: str  # HTML, as the engine wrote the link's text; "" for a bare address


def find_embed(source: str, title: str, text_html: str) -> Embed | None:
    """The embed a paragraph holding only this link makes, or None for an ordinary link."""
    explicit = title == EMBED_TITLE
    if not explicit and unquote(html.unescape(text_html)) != unquote(source):
        return None
    for provider in PROVIDERS:
        match = provider.address.match(source)
        if match:
            caption = text_html if explicit and text_html != html.escape(source) else ""
            return Embed(source, provider.name, provider.kind, provider.player(match), caption)
    host = urlsplit(source).hostname or ""
    if explicit and source.startswith("https://") and host:
        return Embed(source, host, "page", source, text_html)
    return None


# A paragraph that is one link (both engines: href first, then an optional title), and the
# containers that make a paragraph not top-level.
_PARAGRAPH_LINK_RE = re.compile(
    r'<p><a href="([^"]*)"(?: title="([^"]*)")?>((?:(?!</a>|<a\b)[^\n])*)</a></p>'
    r"|<(/?)(blockquote|ul|ol|div|table|figure|aside|details|dl)(?=[\s>])[^>]*>"
)


def embed_cards(body: str) -> tuple[str, str]:
    """`body` with each embed paragraph as a card, and the same with each as its caption
    alone (for counting words: the card's own words are not the story's)."""
    if "<p><a href=" not in body:
        return body, body
    out: list[str] = []
    words: list[str] = []
    at, depth = 0, 0
    for match in _PARAGRAPH_LINK_RE.finditer(body):
        href, title, text, closing, container = match.groups()
        if container is not None:
            depth = max(0, depth + (-1 if closing else 1))
            continue
        embed = (
            find_embed(html.unescape(href), html.unescape(title or ""), text)
            if depth == 0
            else None
        )
        if embed is None:
            continue
        out += [body[at : match.start()], card(embed)]
        words += [body[at : match.start()], f"<p>{embed.caption}</p>" if embed.caption else ""]
        at = match.end()
    if not out:
        return body, body
    return "".join([*out, body[at:]]), "".join([*words, body[at:]])


def card(embed: Embed) -> str:
    """The card: readable and linked without JavaScript; no request to the provider."""
    what = f"{embed.provider} {embed.kind}"
    source = html.escape(embed.source)
    host = urlsplit(embed.player).hostname or ""
    caption = f"\n<figcaption>{embed.caption}</figcaption>" if embed.caption else ""
    return (
        '<figure class="embed">\n<div class="embed-card">\n'
        f'<p class="embed-what">{html.escape(what)}</p>\n'
        f'<p class="embed-source"><a href="{source}">{source}</a></p>\n'
        f'<p class="embed-note">Loading it connects to {html.escape(host)}.</p>\n'
        f'<button type="button" class="embed-load" data-embed-src="{html.escape(embed.player)}" '
        f'data-embed-title="{html.escape(what)}" data-embed-kind="{html.escape(embed.kind)}" '
        f"hidden>Load {html.escape(what)}</button>\n"
        f"</div>{caption}\n</figure>"
    )


_CARD_RE = re.compile(
    r'<figure class="embed">\n<div class="embed-card">\n.*?'
    r'<p class="embed-source"><a href="([^"]*)">.*?</div>(?:\n<figcaption>(.*?)</figcaption>)?'
    r"\n</figure>",
    re.DOTALL,
)


def embeds_as_links(body: str) -> str:
    """`body` with each card as a paragraph linking to its source (the caption its text):
    for the text-only edition and feeds."""
    if '<figure class="embed">' not in body:
        return body
    return _CARD_RE.sub(
        lambda m: f'<p><a href="{m.group(1)}">{m.group(2) or m.group(1)}</a></p>', body
    )


_PLAYER_RE = re.compile(r'\sdata-embed-src="([^"]*)"')


def player_origins(body: str) -> set[str]:
    """The origins of the players a body's cards may load (for the CSP's frame-src)."""
    found = set()
    for value in _PLAYER_RE.findall(body):
        parts = urlsplit(html.unescape(value))
        if parts.scheme == "https" and parts.hostname:
            found.add(f"https://{parts.netloc.lower()}")
    return found
