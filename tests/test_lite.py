"""The text-only edition under /lite/: budgets, no images or scripts, links both ways."""

from __future__ import annotations

import json
import pickle
import re
import sys
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from gen.pages.lite import LiteBody
from tests.conftest import SITE_YAML, article, build, make_site, png

BASE = "https://example.org"
PAGE_BUDGET = 20 * 1024
FRONT_BUDGET = 15 * 1024
OWN_MARKUP_BUDGET = 3 * 1024


def parse(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def site_path(out: Path, file: Path) -> str:
    """/lite/section/energy/ for output/lite/section/energy/index.html."""
    rel = file.relative_to(out).as_posix()
    return "/" + rel.removesuffix("index.html")


@pytest.fixture(scope="module")
def lite_pages(sample_build: Path) -> dict[str, Path]:
    pages = {site_path(sample_build, p): p for p in sorted((sample_build / "lite").rglob("*"))}
    files = {k: v for k, v in pages.items() if v.is_file()}
    assert all(p.suffix == ".html" for p in files.values()), "only HTML under /lite/"
    return files


def lite_articles(pages: dict[str, Path]) -> dict[str, Path]:
    """The lite pages of articles and live blogs (not the front or section lists)."""
    return {k: v for k, v in pages.items() if k != "/lite/" and not k.startswith("/lite/section/")}


def test_the_sample_lite_edition_has_front_sections_and_every_article(
    sample_build: Path, lite_pages: dict[str, Path]
) -> None:
    sections = {"conflict", "diplomacy", "humanitarian", "economy", "energy", "analysis"}
    assert "/lite/" in lite_pages
    assert {f"/lite/section/{s}/" for s in sections} <= set(lite_pages)
    full_articles = {
        path for path, doc in _full_pages(sample_build).items() if _is_story(path, doc)
    }  # every article and live blog published in the full site
    assert len(full_articles) == 30
    assert {p.removeprefix("/lite") for p in lite_articles(lite_pages)} == full_articles


def test_every_lite_page_is_under_20_kb(lite_pages: dict[str, Path]) -> None:
    sizes = {path: file.stat().st_size for path, file in lite_pages.items()}
    assert len(sizes) > 35
    assert max(sizes.values()) < PAGE_BUDGET, max(sizes.items(), key=lambda kv: kv[1])


def test_the_lite_front_page_is_under_15_kb(lite_pages: dict[str, Path]) -> None:
    assert lite_pages["/lite/"].stat().st_size < FRONT_BUDGET


def test_a_lite_articles_own_markup_and_navigation_is_under_3_kb(
    lite_pages: dict[str, Path],
) -> None:
    """The page minus the text of the story itself: everything the edition adds."""
    overheads = {}
    for path, file in lite_articles(lite_pages).items():
        data = file.read_bytes()
        (story,) = lxml_html.fromstring(data).xpath("//main/article")
        overheads[path] = len(data) - len(story.text_content().encode())
    assert len(overheads) == 30
    worst = max(overheads.items(), key=lambda kv: kv[1])
    assert worst[1] < OWN_MARKUP_BUDGET, worst


def test_lite_pages_have_no_images_scripts_external_styles_or_fonts(
    lite_pages: dict[str, Path],
) -> None:
    for path, file in lite_pages.items():
        doc = parse(file)
        for tag in ("img", "picture", "source", "svg", "video", "iframe", "script", "object"):
            assert not doc.xpath(f"//{tag}"), (path, tag)
        assert not doc.xpath(
            '//link[@rel!="canonical" and not(@rel="icon" and starts-with(@href, "data:"))]'
        ), path  # stylesheets, fonts, icons
        for inline in doc.xpath("//@style"):  # table alignment from Markdown is fine
            assert not re.search(r"url\(|font", inline), (path, inline)
        styles = doc.xpath("//style")
        assert len(styles) <= 1, path
        css = styles[0].text if styles else ""
        assert len(css.encode()) < 512, path  # at most a tiny inline style
        assert not re.search(r"@font-face|@import|url\(", css), path
        assert not doc.xpath("//@src | //@srcset"), path
        assert not doc.xpath("//@*[starts-with(name(), 'on')]"), path  # no inline handlers


def test_lite_pages_keep_the_lead_images_alt_text_and_credit(
    lite_pages: dict[str, Path],
) -> None:
    page = parse(lite_pages["/lite/2026/11/26/kyiv-air-defences-repel-overnight-attack/"])
    text = " ".join(page.xpath("//main")[0].text_content().split())
    assert (
        "[A city skyline in silhouette at night, crossed by orange tracer arcs and the beams "
        "of two searchlights]" in text
    )
    assert "Mobile fire groups and interceptor drones worked through the night" in text  # caption
    assert "Illustration by Dateline" in text  # credit


def test_lite_body_images_become_their_alt_caption_and_credit(tmp_path: Path) -> None:
    body = (
        "Before the picture.\n\n"
        '![Grey rubble in a courtyard](/images/photo.png "The courtyard on Friday|Photo: '
        'Oksana Lys")\n\n'
        "Inline ![a small map](/images/map.png) in a sentence.\n"
    )
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE_YAML + "search: false\n",
            "content/images/photo.png": png(700, 400),
            "content/images/map.png": png(40, 30),
            "content/articles/a.md": article(
                extra="image:\n  src: images/photo.png\n  alt: Smoke over the river\n"
                "  credit: Reuters pool\n  caption: The morning after\n",
                body=body,
            ),
        },
    )
    assert build(site).code == 0
    out = site / "output"
    full = parse(out / "2026/01/06/a/index.html")
    assert full.xpath("//main//img"), "the full page shows the images"
    lite = parse(out / "lite/2026/01/06/a/index.html")
    assert not lite.xpath("//img | //picture | //figure")
    paragraphs = [" ".join(p.text_content().split()) for p in lite.xpath("//main//p")]
    assert "[Smoke over the river] The morning after Reuters pool" in paragraphs
    assert "[Grey rubble in a courtyard] The courtyard on Friday Photo: Oksana Lys" in paragraphs
    assert "Inline [a small map] in a sentence." in paragraphs


def test_each_lite_page_links_to_its_full_version_and_names_it_canonical(
    sample_build: Path, lite_pages: dict[str, Path]
) -> None:
    for path, file in lite_pages.items():
        full = path.removeprefix("/lite")
        doc = parse(file)
        assert doc.xpath('//link[@rel="canonical"]/@href') == [BASE + full], path
        assert full in doc.xpath("//header//a/@href"), path
        assert (sample_build / full.lstrip("/") / "index.html").is_file(), path


def test_every_full_article_front_and_section_page_links_to_its_lite_version(
    sample_build: Path, lite_pages: dict[str, Path]
) -> None:
    checked = 0
    for path, doc in _full_pages(sample_build).items():
        if not (_is_story(path, doc) or path == "/" or re.fullmatch(r"/section/[a-z-]+/", path)):
            continue
        lite = "/lite" + path
        assert lite in lite_pages, path
        assert lite in doc.xpath('//a[contains(@href, "/lite/")]/@href'), path
        checked += 1
    assert checked == 30 + 1 + 6


def test_lite_pages_are_not_in_any_sitemap(sample_build: Path) -> None:
    sitemaps = sorted(sample_build.glob("*sitemap*.xml"))
    assert sitemaps
    locs = []
    for sitemap in sitemaps:
        tree = etree.fromstring(sitemap.read_bytes())
        locs += [e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(
        loc.endswith("/2026/11/26/kyiv-air-defences-repel-overnight-attack/") for loc in locs
    )
    assert not [loc for loc in locs if "/lite/" in loc]


def test_lite_article_of_a_live_blog_shows_its_updates_as_text(
    lite_pages: dict[str, Path],
) -> None:
    doc = parse(lite_pages["/lite/live/kyiv-overnight-attack/"])
    ids = [e.get("id") for e in doc.xpath("//main//h3")]
    assert ids == [
        "update-1345-repairs",
        "update-0930-power",
        "update-0610-injured",
        "update-0340-debris",
        "update-0215-sirens",
    ]


def _full_pages(out: Path) -> dict[str, lxml_html.HtmlElement]:
    """Every HTML page of the full edition (not /lite/), by site path."""
    pages = {}
    for file in sorted(out.rglob("index.html")):
        path = site_path(out, file)
        if not path.startswith("/lite/"):
            pages[path] = parse(file)
    return pages


def _is_story(path: str, doc: lxml_html.HtmlElement) -> bool:
    """An article or live blog page at its own URL (not a redirect, not an older part)."""
    canonical = doc.xpath('//link[@rel="canonical"]/@href')
    scripts = doc.xpath('//script[@type="application/ld+json"]/text()')
    if canonical != [BASE + path] or not scripts:
        return False
    return json.loads(scripts[0])["@type"] in ("NewsArticle", "LiveBlogPosting")


def test_a_lite_body_pickles_for_the_memo_without_a_second_copy_of_the_body() -> None:
    # The render memo digests a page's context by pickling it. Pickling a str leaves
    # CPython's UTF-8 copy on it for good: for every non-ASCII body (Ukrainian, or cmark's
    # typographic quotes) that was a second copy of the article held to the end of the build.
    body = "<p>Ukrenergo’s engineers restored power to Київ’s left bank.</p>\n" * 50
    before = sys.getsizeof(body)
    lite = LiteBody(body)
    again = pickle.loads(pickle.dumps(lite, 5))
    assert sys.getsizeof(body) == before
    assert str(again) == str(lite)
    assert pickle.dumps(again, 5) == pickle.dumps(lite, 5)  # the same digest
