"""schema.org JSON-LD, Open Graph and Twitter tags, canonical links: parsed from built pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from gen.config import SiteConfig
from gen.config_parts import Publisher
from gen.model import Article, Author, Section
from gen.pages.structured import collection_page, news_article
from tests.conftest import SITE_YAML, article, build, make_site, output_files, png

BASE = "https://example.org/"
TALKS = "2026/11/20/talks/"
PLAIN = "2026/11/22/plain/"
LOGO = BASE + "images/logo.png"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(
        tmp_path_factory.mktemp("structured"),
        {
            "site.yaml": SITE_YAML.replace(
                "  name: Test Ledger\n", "  name: Test Ledger\n  logo: images/logo.png\n"
            ),
            "content/images/logo.png": png(8, 8),
            "content/authors/oksana-hnatiuk.yaml": "name: Oksana Hnatiuk\n",
            "content/articles/talks.md": article(
                "Talks in Kyiv",
                date="2026-11-20T09:30:00+02:00",
                author="[david-okafor, oksana-hnatiuk]",
                extra="tags: [Ukraine, Security guarantees]\ndateline: Kyiv, Ukraine\n"
                "image: images/photo.png\nimage_alt: Delegates\nimage_credit: Agency\n"
                "sources:\n  - name: Ministry statement\n    url: https://mfa.gov.ua/x\n"
                "  - name: Interview with an adviser\n    kind: interview\n"
                "corrections:\n  - date: 2026-11-21T10:00:00+02:00\n    text: A name.\n",
                body="One two three four five.\n\n## Six\n\nSeven eight.\n",
            ),
            "content/articles/plain.md": article(
                "Plain story", date="2026-11-22T08:00:00+02:00", section="conflict"
            ),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def page(out: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / rel / "index.html").read_bytes())


def jsonld(doc: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    return [json.loads(s.text) for s in doc.xpath("//script[@type='application/ld+json']")]


def meta(doc: lxml.html.HtmlElement, key: str) -> list[str]:
    """The content of every <meta property=key> or <meta name=key>, in order."""
    return doc.xpath(f"//head/meta[@property='{key}' or @name='{key}']/@content")


def test_article_carries_a_complete_news_article(out: Path) -> None:
    [data] = jsonld(page(out, TALKS))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Talks in Kyiv"
    assert data["datePublished"] == "2026-11-20T09:30:00+02:00"
    assert data["dateModified"] == "2026-11-21T10:00:00+02:00"
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "David Okafor",
            "url": BASE + "author/david-okafor/",
            "jobTitle": "Diplomatic correspondent",
        },
        {"@type": "Person", "name": "Oksana Hnatiuk", "url": BASE + "author/oksana-hnatiuk/"},
    ]
    org = data["publisher"]
    assert org["@type"] == "NewsMediaOrganization"
    assert org["name"] == "Test Ledger"
    assert org["logo"]["url"] == LOGO
    assert data["image"]["url"] == BASE + "images/photo.png"
    assert data["articleSection"] == "Diplomacy"
    assert data["keywords"] == ["Ukraine", "Security guarantees"]
    assert data["wordCount"] == 8
    assert data["dateline"] == "Kyiv, Ukraine"
    assert data["inLanguage"] == "en"
    assert data["mainEntityOfPage"]["@id"] == BASE + TALKS
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "A name.",
            "datePublished": "2026-11-21T10:00:00+02:00",
        }
    ]
    assert data["citation"] == [
        {"@type": "CreativeWork", "name": "Ministry statement", "url": "https://mfa.gov.ua/x"},
        {"@type": "CreativeWork", "name": "Interview with an adviser"},
    ]


def test_an_article_without_an_image_falls_back_to_the_logo(out: Path) -> None:
    [data] = jsonld(page(out, PLAIN))
    assert data["image"]["url"] == LOGO
    assert data["dateModified"] == data["datePublished"] == "2026-11-22T08:00:00+02:00"
    assert "correction" not in data
    assert "citation" not in data
    assert "dateline" not in data


@pytest.mark.parametrize(
    ("rel", "crumbs"),
    [
        ("", ["Test Ledger"]),
        ("section/diplomacy/", ["Test Ledger", "Diplomacy"]),
        ("tag/ukraine/", ["Test Ledger", "Ukraine"]),
        ("author/david-okafor/", ["Test Ledger", "David Okafor"]),
        ("archive/2026/11/", ["Test Ledger", "Archive: November 2026"]),
        ("archive/", ["Test Ledger", "Archive"]),
        ("corrections/", ["Test Ledger", "Corrections"]),
    ],
)
def test_lists_carry_a_collection_page_with_breadcrumbs(
    out: Path, rel: str, crumbs: list[str]
) -> None:
    [data] = jsonld(page(out, rel))
    assert data["@type"] == "CollectionPage"
    assert data["url"] == BASE + rel
    trail = data["breadcrumb"]
    assert trail["@type"] == "BreadcrumbList"
    items = trail["itemListElement"]
    assert [i["@type"] for i in items] == ["ListItem"] * len(crumbs)
    assert [i["position"] for i in items] == list(range(1, len(crumbs) + 1))
    assert [i["name"] for i in items] == crumbs
    assert items[0]["item"] == BASE
    assert items[-1]["item"] == BASE + rel


def test_article_has_open_graph_and_twitter_tags(out: Path) -> None:
    doc = page(out, TALKS)
    assert meta(doc, "og:type") == ["article"]
    assert meta(doc, "og:title") == ["Talks in Kyiv"]
    assert meta(doc, "og:url") == [BASE + TALKS]
    assert meta(doc, "og:site_name") == ["Test Ledger"]
    assert meta(doc, "og:image") == [BASE + "images/photo.png"]
    assert meta(doc, "og:image:alt") == ["Delegates"]
    assert meta(doc, "article:published_time") == ["2026-11-20T09:30:00+02:00"]
    assert meta(doc, "article:modified_time") == ["2026-11-21T10:00:00+02:00"]
    assert meta(doc, "article:section") == ["Diplomacy"]
    assert meta(doc, "article:tag") == ["Ukraine", "Security guarantees"]
    assert meta(doc, "article:author") == [
        BASE + "author/david-okafor/",
        BASE + "author/oksana-hnatiuk/",
    ]
    assert meta(doc, "twitter:card") == ["summary_large_image"]
    assert meta(doc, "twitter:title") == ["Talks in Kyiv"]
    assert meta(doc, "og:description") == meta(doc, "twitter:description") != []


def test_lists_are_open_graph_websites(out: Path) -> None:
    doc = page(out, "section/conflict/")
    assert meta(doc, "og:type") == ["website"]
    assert meta(doc, "og:url") == [BASE + "section/conflict/"]
    assert meta(doc, "article:published_time") == []
    assert meta(doc, "twitter:card") == ["summary"]


def test_every_page_has_one_absolute_canonical_link(out: Path) -> None:
    pages = {
        rel: lxml.html.fromstring(data)
        for rel, data in output_files(out).items()
        if rel.endswith(".html")
    }
    assert len(pages) > 10
    canonical = {}
    for rel, doc in pages.items():
        links = doc.xpath("//head/link[@rel='canonical']/@href")
        assert len(links) == 1, rel
        assert links[0].startswith(BASE), rel
        canonical[BASE + rel.removesuffix("index.html")] = links[0]
    # A copy (a redirect, a light version) points at a page that is its own canonical.
    for url, target in canonical.items():
        assert canonical[target] == target, url
    for rel in (TALKS, PLAIN, "", "section/conflict/", "tag/ukraine/", "archive/", "404.html"):
        assert canonical[BASE + rel] == BASE + rel, rel


# The builders themselves, for what a small site does not show.

CONFIG = SiteConfig(
    title="Test Ledger",
    base_url="https://example.org/news/",
    language="uk",
    timezone="Europe/Kyiv",
    description="",
    publisher=Publisher("Test Ledger"),
    sections=(),
)


def test_news_article_without_image_or_logo_or_role_leaves_them_out() -> None:
    from datetime import datetime

    author = Author("a", "Anna", "", "", "/author/a/")
    story = Article(
        source="content/articles/s.md",
        slug="s",
        url="/2026/01/06/s/",
        title="S",
        authors=(author,),
        date=datetime.fromisoformat("2026-01-06T09:30:00+02:00"),
        updated=None,
        section=Section("news", "News", "", "/section/news/"),
        tags=(),
        summary="",
        standfirst="",
        dateline="",
        image=None,
        body_html="",
        toc=(),
        word_count=0,
        reading_minutes=1,
        lang="uk",
    )
    data = news_article(story, CONFIG)
    assert "image" not in data
    assert "logo" not in data["publisher"]
    assert data["author"] == [
        {"@type": "Person", "name": "Anna", "url": "https://example.org/news/author/a/"}
    ]
    assert data["url"] == "https://example.org/news/2026/01/06/s/"
    assert data["inLanguage"] == "uk"
    json.dumps(data)  # plain JSON values only


def test_collection_page_of_a_later_page_ends_its_trail_there() -> None:
    data = collection_page("/tag/kyiv/page/2/", "Kyiv — Page 2", CONFIG)
    items = data["breadcrumb"]["itemListElement"]
    assert [(i["position"], i["item"]) for i in items] == [
        (1, "https://example.org/news/"),
        (2, "https://example.org/news/tag/kyiv/page/2/"),
    ]
    assert data["inLanguage"] == "uk"
