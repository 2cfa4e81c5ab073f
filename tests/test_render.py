"""Pages rendered through the theme: what a reader sees on each kind of page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from gen.config import load_config
from gen.pages.render import Renderer, to_json
from gen.pages.theme import DEFAULT_THEME_DIR, read_theme, theme_dirs
from tests.conftest import SITE_YAML, article, build, make_site

ARTICLE_URL = re.compile(r"^/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$")
LEAD = (
    "updated: 2026-01-06T18:10:00+02:00\n"
    "tags: [Ukraine, security guarantees]\n"
    "dateline: Kyiv, Ukraine\n"
    "summary: Advisers from 18 countries met.\n"
    "image:\n  src: images/photo.png\n  alt: Delegates at a long table\n"
    "  credit: News agencies\n  caption: The first such meeting.\n"
)


def built(tmp_path: Path, files: dict[str, str | bytes], *args: str) -> Path:
    """Build a small site and return its output folder."""
    site = make_site(tmp_path / "site", files)
    result = build(site, *args)
    assert result.code == 0, result.err
    return site / "output"


def page(out: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / rel).read_bytes())


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def story_links(el: lxml.html.HtmlElement) -> list[str]:
    """Article links in headings of the main column (or of `el` inside it), in page order."""
    if el.find(".//main") is not None:
        el = el.find(".//main")
    hrefs = el.xpath(".//*[self::h2 or self::h3]/a/@href")
    return [h for h in hrefs if ARTICLE_URL.match(h)]


def story_times(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The <time> elements in the story's own header (not in related stories)."""
    return doc.xpath("(//main//article)[1]/header//time")


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small site: five stories over two months, two authors, two sections."""
    root = tmp_path_factory.mktemp("news")
    files: dict[str, str | bytes] = {
        "content/authors/oksana-hnatiuk.yaml": "name: Oksana Hnatiuk\nrole: Photographer\n",
        "content/articles/kyiv-talks.md": article(extra=LEAD),
        "content/articles/strikes.md": article(
            "Overnight strikes on Kharkiv",
            date="2026-01-07T06:00:00+02:00",
            section="conflict",
            author="[oksana-hnatiuk, david-okafor]",
            extra="tags: [Ukraine]\n",
        ),
        "content/articles/grain.md": article(
            "Grain corridor reopens", date="2025-12-20T10:00:00+02:00", extra="tags: [trade]\n"
        ),
        "content/articles/blackout.md": article(
            "Blackouts ease", date="2025-12-28T08:00:00+02:00", section="conflict"
        ),
        "content/articles/heating.md": article(
            "Heating points open", date="2026-01-02T12:00:00+02:00", section="conflict"
        ),
    }
    return built(root, files)


def test_article_page_has_the_headline_as_h1(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    assert [text(h) for h in doc.xpath("//h1")] == ["Allies meet in Kyiv"]
    assert doc.findtext(".//title") == "Allies meet in Kyiv | Test Ledger"


def test_article_page_has_canonical_url(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    assert doc.xpath("//link[@rel='canonical']/@href") == [
        "https://example.org/2026/01/06/kyiv-talks/"
    ]


def test_byline_links_to_the_author_page_with_the_role(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    [author] = doc.xpath("//main//a[@rel='author']")
    assert author.get("href") == "/author/david-okafor/"
    assert text(author) == "David Okafor"
    byline = author.getparent()
    assert "Diplomatic correspondent" in text(byline)


def test_byline_names_every_author_in_order(news: Path) -> None:
    doc = page(news, "2026/01/07/strikes/index.html")
    authors = doc.xpath("//main//a[@rel='author']")
    assert [(a.get("href"), text(a)) for a in authors] == [
        ("/author/oksana-hnatiuk/", "Oksana Hnatiuk"),
        ("/author/david-okafor/", "David Okafor"),
    ]
    byline = text(authors[0].getparent())
    assert "Photographer" in byline
    assert "Diplomatic correspondent" in byline


def test_published_and_updated_times_are_machine_readable(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    times = story_times(doc)
    assert [(t.get("datetime"), text(t)) for t in times] == [
        ("2026-01-06T09:30:00+02:00", "6 January 2026, 09:30 EET"),
        ("2026-01-06T18:10:00+02:00", "6 January 2026, 18:10 EET"),
    ]


def test_an_article_never_updated_shows_one_time(news: Path) -> None:
    doc = page(news, "2026/01/07/strikes/index.html")
    assert [t.get("datetime") for t in story_times(doc)] == ["2026-01-07T06:00:00+02:00"]


def test_lead_image_has_alt_size_caption_and_credit(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    [figure] = doc.xpath("//main//figure[.//img[contains(@src, 'photo.png')]]")
    [img] = figure.xpath(".//img")
    assert img.get("src") == "/images/photo.png"
    assert img.get("alt") == "Delegates at a long table"
    assert (img.get("width"), img.get("height")) == ("4", "3")
    caption = text(figure.xpath(".//figcaption")[0])
    assert "The first such meeting." in caption
    assert "News agencies" in caption
    assert (news / "images/photo.png").is_file()


def test_article_shows_word_count_and_reading_time(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    header = text(doc.xpath("//main//article")[0])
    assert "12 words" in header
    assert "1 min read" in header


def test_article_shows_the_standfirst_and_dateline(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    main = text(doc.xpath("//main")[0])
    assert "Advisers from 18 countries met." in main
    assert "Kyiv, Ukraine" in main
    assert doc.xpath("//meta[@name='description']/@content") == ["Advisers from 18 countries met."]


def test_article_links_its_tags_and_section(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    tags = doc.xpath("//main//a[@rel='tag']")
    assert [(a.get("href"), text(a)) for a in tags] == [
        ("/tag/ukraine/", "Ukraine"),
        ("/tag/security-guarantees/", "security guarantees"),
    ]
    assert "/section/diplomacy/" in doc.xpath("//main//a/@href")


def test_article_body_is_in_the_page(news: Path) -> None:
    doc = page(news, "2026/01/06/kyiv-talks/index.html")
    [heading] = doc.xpath("//main//h2[@id='what-was-agreed']")
    assert text(heading) == "What was agreed"


def test_front_page_leads_with_the_newest_story(news: Path) -> None:
    doc = page(news, "index.html")
    links = story_links(doc)
    assert links == ["/2026/01/07/strikes/", "/2026/01/06/kyiv-talks/"]  # per_page: 2
    [lead] = doc.xpath("//main//*[@class='lead-story']")
    assert story_links(lead) == ["/2026/01/07/strikes/"]
    assert doc.findtext(".//title") == "Test Ledger"


def test_front_pages_list_every_story_newest_first(news: Path) -> None:
    links = []
    for rel in ["index.html", "page/2/index.html", "page/3/index.html"]:
        links += story_links(page(news, rel))
    assert links == [
        "/2026/01/07/strikes/",
        "/2026/01/06/kyiv-talks/",
        "/2026/01/02/heating/",
        "/2025/12/28/blackout/",
        "/2025/12/20/grain/",
    ]
    assert not (news / "page/4").exists()


def test_pagination_links_in_head_and_pager(news: Path) -> None:
    first = page(news, "index.html")
    middle = page(news, "page/2/index.html")
    last = page(news, "page/3/index.html")
    assert first.xpath("//head/link[@rel='prev']") == []
    assert first.xpath("//head/link[@rel='next']/@href") == ["/page/2/"]
    assert middle.xpath("//head/link[@rel='prev']/@href") == ["/"]
    assert middle.xpath("//head/link[@rel='next']/@href") == ["/page/3/"]
    assert last.xpath("//head/link[@rel='prev']/@href") == ["/page/2/"]
    assert last.xpath("//head/link[@rel='next']") == []
    assert middle.xpath("//body//a[@rel='prev']/@href") == ["/"]
    assert middle.xpath("//body//a[@rel='next']/@href") == ["/page/3/"]
    assert "Page 2 of 3" in text(middle.xpath("//body")[0])
    assert middle.xpath("//link[@rel='canonical']/@href") == ["https://example.org/page/2/"]


def test_section_pages_list_their_own_stories(news: Path) -> None:
    doc = page(news, "section/conflict/index.html")
    assert [text(h) for h in doc.xpath("//h1")] == ["Conflict"]
    assert "The fighting." in text(doc.xpath("//main")[0])
    links = story_links(doc) + story_links(page(news, "section/conflict/page/2/index.html"))
    assert links == ["/2026/01/07/strikes/", "/2026/01/02/heating/", "/2025/12/28/blackout/"]


def test_tag_pages_list_tagged_stories(news: Path) -> None:
    doc = page(news, "tag/ukraine/index.html")
    assert [text(h) for h in doc.xpath("//h1")] == ["Ukraine"]
    assert story_links(doc) == ["/2026/01/07/strikes/", "/2026/01/06/kyiv-talks/"]
    assert story_links(page(news, "tag/trade/index.html")) == ["/2025/12/20/grain/"]


def test_author_pages_show_the_role_and_list_their_stories(news: Path) -> None:
    doc = page(news, "author/oksana-hnatiuk/index.html")
    assert [text(h) for h in doc.xpath("//h1")] == ["Oksana Hnatiuk"]
    assert "Photographer" in text(doc.xpath("//main")[0])
    assert story_links(doc) == ["/2026/01/07/strikes/"]


def test_month_archives_list_the_month_in_the_site_time_zone(news: Path) -> None:
    january = page(news, "archive/2026/01/index.html")
    assert [text(h) for h in january.xpath("//h1")] == ["Archive: January 2026"]
    links = story_links(january) + story_links(page(news, "archive/2026/01/page/2/index.html"))
    assert links == ["/2026/01/07/strikes/", "/2026/01/06/kyiv-talks/", "/2026/01/02/heating/"]
    assert story_links(page(news, "archive/2025/12/index.html")) == [
        "/2025/12/28/blackout/",
        "/2025/12/20/grain/",
    ]


def test_archive_index_links_every_month_newest_first(news: Path) -> None:
    doc = page(news, "archive/index.html")
    months = doc.xpath("//main//a[contains(@href, '/archive/2')]")
    assert [(a.get("href"), text(a)) for a in months] == [
        ("/archive/2026/01/", "January 2026"),
        ("/archive/2025/12/", "December 2025"),
    ]


def test_not_found_page_exists_and_is_not_indexed(news: Path) -> None:
    doc = page(news, "404.html")
    assert [text(h) for h in doc.xpath("//h1")] == ["Page not found"]
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert "/" in doc.xpath("//main//a/@href")


def test_titles_are_escaped_in_every_place(tmp_path: Path) -> None:
    title = "Leak: <script>alert('x')</script> & more"
    out = built(tmp_path, {"content/articles/a.md": article(f'"{title}"')})
    doc = page(out, "2026/01/06/a/index.html")
    assert [text(h) for h in doc.xpath("//h1")] == [title]
    assert doc.findtext(".//title") == f"{title} | Test Ledger"
    for script in doc.xpath("//script"):
        assert script.get("type") == "application/ld+json"
        assert "<" not in script.text
    for script in doc.xpath("//script[@type='application/ld+json']"):
        assert json.loads(script.text)["headline"] == title
    front = page(out, "index.html")
    assert [text(a) for a in front.xpath("//main//h2/a")] == [title]
    assert [s.get("type") for s in front.xpath("//script")] == [
        "application/ld+json" for _ in front.xpath("//script")
    ]


def test_body_html_from_markdown_is_kept(tmp_path: Path) -> None:
    out = built(tmp_path, {"content/articles/a.md": article(body="Some *emphasis* here.\n")})
    doc = page(out, "2026/01/06/a/index.html")
    assert [text(e) for e in doc.xpath("//main//em")] == ["emphasis"]


def test_a_ukrainian_article_uses_ukrainian_words_and_dates(tmp_path: Path) -> None:
    out = built(
        tmp_path, {"content/articles/a.md": article("Переговори в Києві", extra="lang: uk\n")}
    )
    doc = page(out, "2026/01/06/a/index.html")
    assert doc.get("lang") == "uk"
    main = text(doc.xpath("//main")[0])
    assert "Опубліковано" in main
    assert "6 січня 2026, 09:30 EET" in main
    assert "хв читання" in main


def test_a_site_theme_overrides_one_template_and_falls_back_for_the_rest(
    tmp_path: Path,
) -> None:
    out = built(
        tmp_path,
        {
            "site.yaml": SITE_YAML + "theme: paper\n",
            "themes/paper/templates/404.html": (
                '{% extends "base.html" %}{% block main %}<h1>Lost at sea</h1>{% endblock %}\n'
            ),
            "themes/paper/static/extra.css": "body { color: black; }\n",
            "content/articles/a.md": article(),
        },
    )
    assert [text(h) for h in page(out, "404.html").xpath("//h1")] == ["Lost at sea"]
    assert [text(h) for h in page(out, "2026/01/06/a/index.html").xpath("//h1")] == [
        "Allies meet in Kyiv"
    ]
    assert (out / "static/extra.css").read_text(encoding="utf-8") == "body { color: black; }\n"
    assert (out / "static/style.css").read_bytes() == (
        DEFAULT_THEME_DIR / "static/style.css"
    ).read_bytes()


def test_theme_chain_puts_the_site_theme_first(tmp_path: Path) -> None:
    (tmp_path / "themes/paper/templates").mkdir(parents=True)
    dirs = theme_dirs(tmp_path, "paper")
    assert dirs == ((tmp_path / "themes/paper").resolve(), DEFAULT_THEME_DIR)
    assert theme_dirs(tmp_path, "missing") == (DEFAULT_THEME_DIR,)


def test_a_site_static_file_overrides_the_default_one(tmp_path: Path) -> None:
    (tmp_path / "themes/paper/static").mkdir(parents=True)
    (tmp_path / "themes/paper/static/style.css").write_text("/* mine */\n", encoding="utf-8")
    theme = read_theme(tmp_path, "paper")
    files = {f.path: f.data for f in theme.static}
    assert files["static/style.css"] == b"/* mine */\n"


def test_urls_carry_the_base_path(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    config = load_config(tmp_path, "https://example.org/news/")
    renderer = Renderer(config, read_theme(tmp_path, "default"))
    assert renderer.url("/tag/kyiv/") == "/news/tag/kyiv/"
    assert renderer.url("/") == "/news/"
    assert renderer.abs_url("/tag/kyiv/") == "https://example.org/news/tag/kyiv/"


def test_json_for_scripts_cannot_close_the_script() -> None:
    value = {"headline": "</script><script>alert(1)</script> & 'x'"}
    encoded = str(to_json(value))
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == value
