"""sitemap.xml against the sitemaps.org schema, the two-day news sitemap, robots.txt, splitting."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

import gen.outputs.sitemaps
from gen.config import SiteConfig
from gen.config_parts import Publisher
from gen.model import Article, Section, Site
from gen.outputs.sitemaps import render_sitemaps
from tests.conftest import CLOCK, REPO, article, build, make_site, output_files

BASE = "https://example.org/"
SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
SM = f"{{{SM_NS}}}"
NEWS = f"{{{NEWS_NS}}}"
NOW = datetime.fromisoformat(CLOCK)


@pytest.fixture(scope="module")
def schema() -> lxml.etree.XMLSchema:
    """The sitemaps.org 0.9 XSD, with extension elements (news:) checked laxly: offline."""
    text = (REPO / "tests/schemas/sitemap.xsd").read_bytes()
    text = text.replace(b'processContents="strict"', b'processContents="lax"')
    return lxml.etree.XMLSchema(lxml.etree.fromstring(text))


def stamp(hours_before_clock: float) -> str:
    return (NOW - timedelta(hours=hours_before_clock)).isoformat()


def sitemap_site(root: Path) -> Path:
    """Stories at 1 h, 47 h, 49 h and 10 days before the clock; a Ukrainian one; an alias."""
    return make_site(
        root,
        {
            "content/articles/fresh.md": article(
                "Fresh strike", date=stamp(1), section="conflict", extra="tags: [Odesa]\n"
            ),
            "content/articles/day-two.md": article(
                "Talks resume", date=stamp(47), extra="aliases: [/old/talks/]\n"
            ),
            "content/articles/ukr.md": article(
                "Переговори тривають", date=stamp(30), extra="lang: uk\nslug: perehovory\n"
            ),
            "content/articles/stale.md": article("Stale story", date=stamp(49)),
            "content/articles/old.md": article(
                "Old story",
                date=stamp(240),
                extra="corrections:\n  - date: " + stamp(200) + "\n    text: Fixed.\n",
            ),
        },
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = sitemap_site(tmp_path_factory.mktemp("sitemaps"))
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def locs(path: Path) -> dict[str, str | None]:
    """loc → lastmod of a <urlset>."""
    root = lxml.etree.parse(path).getroot()
    return {u.findtext(SM + "loc"): u.findtext(SM + "lastmod") for u in root.iter(SM + "url")}


def html_pages(out: Path) -> dict[str, lxml.html.HtmlElement]:
    """Output path → parsed page, for every HTML file of the build."""
    return {
        rel: lxml.html.fromstring(data)
        for rel, data in output_files(out).items()
        if rel.endswith(".html")
    }


def url_of(rel: str) -> str:
    """The URL a page is served at."""
    return BASE + rel.removesuffix("index.html")


def is_redirect(doc: lxml.html.HtmlElement) -> bool:
    return bool(doc.xpath("//meta[@http-equiv='refresh']"))


def test_sitemap_validates_against_the_sitemaps_org_schema(
    out: Path, schema: lxml.etree.XMLSchema
) -> None:
    tree = lxml.etree.parse(out / "sitemap.xml")
    assert schema.validate(tree), schema.error_log
    assert schema.validate(lxml.etree.parse(out / "news-sitemap.xml")), schema.error_log


def canonical(doc: lxml.html.HtmlElement) -> str:
    [href] = doc.xpath("//head/link[@rel='canonical']/@href")
    return str(href)


def test_sitemap_lists_every_public_page_and_no_redirect_or_404(out: Path) -> None:
    listed = locs(out / "sitemap.xml")
    pages = html_pages(out)
    # Public pages are their own canonical; redirects (and other copies) point elsewhere.
    public = {
        url_of(rel)
        for rel, doc in pages.items()
        if rel != "404.html" and canonical(doc) == url_of(rel)
    }
    assert set(listed) == public
    assert len(listed) == len(lxml.etree.parse(out / "sitemap.xml").getroot())  # no duplicates
    for rel, doc in pages.items():
        if rel != "404.html" and canonical(doc) != url_of(rel):
            assert canonical(doc) in listed, rel
    assert is_redirect(pages["old/talks/index.html"])
    for expected in (
        "2026/11/27/fresh/",
        "2026/11/26/perehovory/",
        "section/conflict/",
        "section/diplomacy/",
        "tag/odesa/",
        "author/david-okafor/",
        "archive/2026/11/",
        "archive/",
        "corrections/",
        "page/2/",
    ):
        assert BASE + expected in listed, expected
    assert BASE + "404.html" not in listed
    assert BASE + "old/talks/" not in listed
    assert "old/talks/index.html" in pages  # the redirect page exists, it is just not listed


def test_sitemap_lastmod_is_when_each_page_last_changed(out: Path) -> None:
    listed = locs(out / "sitemap.xml")
    for url, lastmod in listed.items():
        if lastmod is not None:
            assert datetime.fromisoformat(lastmod).utcoffset() is not None, url
    assert listed[BASE + "2026/11/27/fresh/"] == stamp(1)
    assert listed[BASE + "2026/11/17/old/"] == stamp(200)  # its correction moved it
    assert listed[BASE] == stamp(1)
    assert listed[BASE + "section/conflict/"] == stamp(1)
    assert listed[BASE + "corrections/"] == stamp(200)
    lists = [u for u in listed if "/section/" in u or "/tag/" in u or "/author/" in u]
    lists += [u for u in listed if "/archive/20" in u or "/page/" in u]
    for url in lists:
        assert listed[url] is not None, url


def test_the_archive_index_has_a_lastmod(out: Path) -> None:
    assert locs(out / "sitemap.xml")[BASE + "archive/"] == stamp(1)


def news(data: bytes) -> dict[str, dict[str, str | None]]:
    """loc → the news: facts of a news sitemap."""
    root = lxml.etree.fromstring(data)
    found = {}
    for url in root.iter(SM + "url"):
        found[url.findtext(SM + "loc")] = {
            "name": url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}name"),
            "language": url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language"),
            "date": url.findtext(f"{NEWS}news/{NEWS}publication_date"),
            "title": url.findtext(f"{NEWS}news/{NEWS}title"),
        }
    return found


def test_news_sitemap_holds_the_two_days_before_the_clock(out: Path) -> None:
    recent = news((out / "news-sitemap.xml").read_bytes())
    assert set(recent) == {
        BASE + "2026/11/27/fresh/",
        BASE + "2026/11/26/perehovory/",
        BASE + "2026/11/25/day-two/",
    }
    fresh = recent[BASE + "2026/11/27/fresh/"]
    assert fresh == {
        "name": "Test Ledger",
        "language": "en",
        "date": stamp(1),
        "title": "Fresh strike",
    }
    assert recent[BASE + "2026/11/26/perehovory/"]["language"] == "uk"
    assert recent[BASE + "2026/11/26/perehovory/"]["title"] == "Переговори тривають"


def test_moving_the_clock_moves_the_news_window(tmp_path: Path) -> None:
    site = sitemap_site(tmp_path)
    later = (NOW + timedelta(hours=12)).isoformat()
    assert build(site, "--clock", later).code == 0
    assert set(news((site / "output/news-sitemap.xml").read_bytes())) == {
        BASE + "2026/11/27/fresh/",
        BASE + "2026/11/26/perehovory/",
    }
    # The talks (now 59 hours old) have left the window.
    # Back to just after the stale story: it is the newest, and the fresh ones do not exist yet.
    earlier = (NOW - timedelta(hours=48)).isoformat()
    assert build(site, "--clock", earlier).code == 0
    assert set(news((site / "output/news-sitemap.xml").read_bytes())) == {
        BASE + "2026/11/25/stale/"
    }


def test_robots_txt_names_both_sitemaps(out: Path) -> None:
    robots = (out / "robots.txt").read_text("utf-8").splitlines()
    named = [line.split(":", 1)[1].strip() for line in robots if line.startswith("Sitemap:")]
    assert named == [BASE + "sitemap.xml", BASE + "news-sitemap.xml"]
    for url in named:
        assert (out / url.removeprefix(BASE)).is_file()


def test_a_build_with_no_recent_news_writes_only_valid_sitemaps(
    tmp_path: Path, schema: lxml.etree.XMLSchema
) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article(date="2026-01-06")})
    assert build(site).code == 0
    out = site / "output"
    robots = (out / "robots.txt").read_text("utf-8")
    for line in robots.splitlines():
        if line.startswith("Sitemap:"):
            assert (out / line.split(":", 1)[1].strip().removeprefix(BASE)).is_file(), line
    for rel in output_files(out):
        if rel.endswith(".xml"):
            tree = lxml.etree.parse(out / rel)
            if tree.getroot().tag == SM + "urlset":
                assert schema.validate(tree), (rel, schema.error_log)


def test_the_shared_feed_and_sitemap_checker_finds_no_errors(out: Path) -> None:
    checker = REPO.parent / "shared/tools/feed_sitemap_check.py"
    if not checker.is_file():
        pytest.skip(f"needs {checker}")
    xsd = REPO / "tests/schemas/sitemap.xsd"
    args = [sys.executable, str(checker), str(out), "--sitemap-xsd", str(xsd), "--base-url", BASE]
    run = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FEED_SITEMAP_ERRORS=0 " in run.stdout


# Splitting, through the functions themselves: 50,000 pages would be a slow test.

CONFIG = SiteConfig(
    title="Test Ledger",
    base_url=BASE,
    language="en",
    timezone="Europe/Kyiv",
    description="",
    publisher=Publisher("Test Ledger"),
    sections=(),
)
SECTION = Section("news", "News", "", "/section/news/")


def story(n: int, hours_before: float) -> Article:
    when = NOW - timedelta(hours=hours_before)
    return Article(
        source=f"content/articles/s{n}.md",
        slug=f"s{n}",
        url=f"/s{n}/",
        title=f"Story {n}",
        authors=(),
        date=when,
        updated=None,
        section=SECTION,
        tags=(),
        summary="",
        standfirst="",
        dateline="",
        image=None,
        body_html="",
        toc=(),
        word_count=0,
        reading_minutes=1,
        lang="en",
    )


def site_of(articles: list[Article]) -> Site:
    return Site(
        articles=tuple(articles), sections=(SECTION,), tags=(), authors=(), months=(), listings=()
    )


def files_of(site: Site, pages: list[tuple[str, datetime | None]]) -> dict[str, bytes]:
    return {f.path: f.data for f in render_sitemaps(site, CONFIG, pages, NOW)}


def test_sitemap_becomes_an_index_past_the_url_limit(
    monkeypatch: pytest.MonkeyPatch, schema: lxml.etree.XMLSchema
) -> None:
    monkeypatch.setattr(gen.outputs.sitemaps, "SITEMAP_LIMIT", 3)
    pages: list[tuple[str, datetime | None]] = [
        (f"/p{n}/", NOW - timedelta(days=n) if n % 2 else None) for n in range(7)
    ]
    files = files_of(site_of([]), pages)
    assert {"sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"} <= set(files)
    assert "sitemap-4.xml" not in files
    index = lxml.etree.fromstring(files["sitemap.xml"])
    assert index.tag == SM + "sitemapindex"
    parts = [s.findtext(SM + "loc") for s in index.iter(SM + "sitemap")]
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = []
    for n in (1, 2, 3):
        tree = lxml.etree.ElementTree(lxml.etree.fromstring(files[f"sitemap-{n}.xml"]))
        assert schema.validate(tree), schema.error_log
        urls = [u.findtext(SM + "loc") for u in tree.getroot().iter(SM + "url")]
        assert 1 <= len(urls) <= 3
        listed += urls
    assert listed == [BASE + path.lstrip("/") for path, _ in pages]  # each once, in order


def test_sitemap_at_the_limit_stays_one_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen.outputs.sitemaps, "SITEMAP_LIMIT", 3)
    files = files_of(site_of([]), [(f"/p{n}/", None) for n in range(3)])
    assert not any(name.startswith("sitemap-") for name in files)
    assert lxml.etree.fromstring(files["sitemap.xml"]).tag == SM + "urlset"


def test_news_sitemap_splits_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen.outputs.sitemaps, "NEWS_LIMIT", 2)
    articles = [story(n, hours_before=n) for n in range(1, 6)] + [story(9, hours_before=60)]
    files = files_of(site_of(articles), [("/", None)])
    index = lxml.etree.fromstring(files["news-sitemap.xml"])
    assert index.tag == SM + "sitemapindex"
    parts = [s.findtext(SM + "loc") for s in index.iter(SM + "sitemap")]
    assert parts == [f"{BASE}news-sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = []
    for n in (1, 2, 3):
        part = news(files[f"news-sitemap-{n}.xml"])
        assert 1 <= len(part) <= 2
        listed += list(part)
    assert listed == [f"{BASE}s{n}/" for n in range(1, 6)]  # not the one 60 hours old
    robots = files["robots.txt"].decode()
    assert f"Sitemap: {BASE}news-sitemap.xml" in robots.splitlines()
