"""Embeds: a provider's address alone in its paragraph, or a link titled "embed", becomes a
card that loads nothing from the provider until the reader asks (gen/markup/embeds.py)."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from conftest import SITE_YAML, article, build, make_site

from gen.markup.embeds import embeds_as_links
from gen.markup.engine import MarkdownEngine

ENGINES = ["markdown", "cmark"]

PLAYERS = {
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s": (
        "YouTube video",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42",
    ),
    "https://youtu.be/dQw4w9WgXcQ": (
        "YouTube video",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    "https://www.youtube.com/shorts/dQw4w9WgXcQ": (
        "YouTube video",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    "https://vimeo.com/76979871": ("Vimeo video", "https://player.vimeo.com/video/76979871?dnt=1"),
    "https://x.com/ZelenskyyUa/status/1765432109876543210": (
        "X (Twitter) post",
        "https://platform.twitter.com/embed/Tweet.html?id=1765432109876543210&dnt=true",
    ),
    "https://twitter.com/kyivindependent/status/1500000000000000000": (
        "X (Twitter) post",
        "https://platform.twitter.com/embed/Tweet.html?id=1500000000000000000&dnt=true",
    ),
    "https://t.me/ukrainenow/12345": ("Telegram post", "https://t.me/ukrainenow/12345?embed=1"),
    "https://www.facebook.com/ukrinform/videos/123456789012345/": (
        "Facebook video",
        "https://www.facebook.com/plugins/video.php?show_text=false&href="
        "https%3A%2F%2Fwww.facebook.com%2Fukrinform%2Fvideos%2F123456789012345",
    ),
    "https://datawrapper.dwcdn.net/AbC12/3/": (
        "Datawrapper chart",
        "https://datawrapper.dwcdn.net/AbC12/3/",
    ),
    "https://public.flourish.studio/visualisation/16123456/": (
        "Flourish chart",
        "https://flo.uri.sh/visualisation/16123456/embed",
    ),
}


def tree(body: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(body, create_parent="div")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("address", sorted(PLAYERS))
def test_a_known_providers_address_alone_in_its_paragraph_is_a_card(
    engine: str, address: str
) -> None:
    what, player = PLAYERS[address]
    body = MarkdownEngine("/", engine, "sanitize").convert(f"Before.\n\n{address}\n\nAfter.\n")
    root = tree(body.html)
    [card] = root.xpath("//figure[@class='embed']")
    assert card.xpath("string(.//p[@class='embed-what'])") == what
    assert card.xpath(".//p[@class='embed-source']/a/@href") == [address]
    [button] = card.xpath(".//button")
    assert button.get("data-embed-src") == player
    assert button.get("hidden") is not None  # shown by static/embed.js
    assert "<iframe" not in body.html and "<script" not in body.html
    assert body.word_count == 2  # the card's own words are not the story's


def test_both_engines_make_the_same_cards() -> None:
    text = "\n\n".join(
        [
            "Intro.",
            *sorted(PLAYERS),
            '[The mayor\'s briefing, 3 March](https://youtu.be/dQw4w9WgXcQ "embed")',
        ]
    )
    python_markdown, cmark = (MarkdownEngine("/", e).convert(text) for e in ENGINES)
    cards = [tree(r.html).xpath("//figure[@class='embed']") for r in (python_markdown, cmark)]
    assert len(cards[0]) == len(PLAYERS) + 1
    for one, other in zip(*cards, strict=True):
        assert " ".join(one.text_content().split()) == " ".join(other.text_content().split())
        assert one.xpath(".//@data-embed-src") == other.xpath(".//@data-embed-src")
        assert one.xpath(".//@href") == other.xpath(".//@href")


@pytest.mark.parametrize("engine", ENGINES)
def test_the_explicit_form_embeds_any_https_page_with_its_caption(engine: str) -> None:
    text = (
        '[Shelters open tonight](https://maps.example.org/embed/shelters "embed")\n\n'
        '[The briefing](https://youtu.be/dQw4w9WgXcQ "embed")\n\n'
        '[Not over http](http://maps.example.org/embed/1 "embed")\n'
    )
    root = tree(MarkdownEngine("/", engine, "sanitize").convert(text).html)
    first, second = root.xpath("//figure[@class='embed']")
    assert first.xpath("string(.//p[@class='embed-what'])") == "maps.example.org page"
    assert first.xpath(".//@data-embed-src") == ["https://maps.example.org/embed/shelters"]
    assert first.xpath("string(figcaption)") == "Shelters open tonight"
    assert second.xpath(".//@data-embed-src") == [
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    ]
    assert second.xpath("string(figcaption)") == "The briefing"
    assert root.xpath("//p/a[@href='http://maps.example.org/embed/1']")  # a link, no more


@pytest.mark.parametrize("engine", ENGINES)
def test_an_address_in_running_text_a_list_or_code_stays_a_link(engine: str) -> None:
    text = (
        "Watch https://youtu.be/dQw4w9WgXcQ today.\n\n"
        "- https://youtu.be/dQw4w9WgXcQ\n\n"
        "> https://youtu.be/dQw4w9WgXcQ\n\n"
        "    https://youtu.be/dQw4w9WgXcQ\n\n"
        "[a video](https://youtu.be/dQw4w9WgXcQ)\n\n"
        "https://example.org/not-a-provider\n"
    )
    rendered = MarkdownEngine("/", engine).convert(text)
    assert "embed" not in rendered.html


def test_the_lite_edition_and_feeds_get_the_link_alone() -> None:
    text = (
        'Intro.\n\n[The briefing](https://youtu.be/dQw4w9WgXcQ "embed")\n\nhttps://t.me/a_chan/7\n'
    )
    body = MarkdownEngine("/", "markdown").convert(text).html
    assert embeds_as_links(body) == (
        "<p>Intro.</p>\n"
        '<p><a href="https://youtu.be/dQw4w9WgXcQ">The briefing</a></p>\n'
        '<p><a href="https://t.me/a_chan/7">https://t.me/a_chan/7</a></p>'
    )


def test_a_site_with_embeds_allows_exactly_their_players(tmp_path: Path) -> None:
    body = "Intro.\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nhttps://t.me/ukrainenow/12345\n"
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE_YAML + "host: netlify\n",
            "content/articles/briefing.md": article(body=body),
            "content/articles/plain.md": article("Plain story", date="2026-01-05T09:00:00+02:00"),
        },
    )
    run = build(site)
    assert run.code == 0, run.err
    out = site / "output"
    headers = (out / "_headers").read_text(encoding="utf-8")
    assert "frame-src 'self' https://t.me https://www.youtube-nocookie.com;" in headers
    [page] = out.glob("2026/01/06/*/index.html")
    html = page.read_text(encoding="utf-8")
    assert html.count('<figure class="embed">') == 2
    assert "/static/embed.js?v=" in html and "/static/embed.css?v=" in html
    [plain] = out.glob("2026/01/05/*/index.html")
    assert "embed.js" not in plain.read_text(encoding="utf-8")
    lite = (out / "lite" / page.relative_to(out)).read_text(encoding="utf-8")
    assert '<a href="https://youtu.be/dQw4w9WgXcQ">' in lite and "<button" not in lite
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    [entry] = [i for i in feed["items"] if "briefing" in i["url"]]
    assert '<a href="https://t.me/ukrainenow/12345">' in entry["content_html"]
    assert "<button" not in entry["content_html"]


def test_a_site_without_embeds_has_no_frame_source(tmp_path: Path) -> None:
    files = {"site.yaml": SITE_YAML + "host: netlify\n", "content/articles/a.md": article()}
    site = make_site(tmp_path, files)
    assert build(site).code == 0
    assert "frame-src" not in (site / "output" / "_headers").read_text(encoding="utf-8")
