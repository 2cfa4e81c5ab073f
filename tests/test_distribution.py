"""End to end: corrections, sources, embargoes, expiry, translations, redirects, hostile titles."""

from __future__ import annotations

import gzip
import json
import re
import warnings
from pathlib import Path
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pytest

from tests.conftest import article, build, make_site, output_files, png

BASE = "https://example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def page(out: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / path / "index.html").read_bytes())


def jsonld(doc: lxml.html.HtmlElement) -> dict[str, Any]:
    [script] = doc.xpath("//script[@type='application/ld+json']")
    return json.loads(script.text)


def listed_paths(out: Path, path: str) -> set[str]:
    """Links in the main part of a page."""
    return set(page(out, path).xpath("//main//a/@href"))


# Corrections and updates.

TALKS = "2026/11/20/talks/"
STRIKE = "2026/11/23/strike/"
UPDATED = "2026/11/10/updated/"
PLAIN = "2026/11/05/plain/"


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(
        tmp_path_factory.mktemp("corrections"),
        {
            "content/articles/talks.md": article(
                "Talks in Kyiv",
                date="2026-11-20T09:30:00+02:00",
                extra="sources:\n"
                "  - name: Ministry of Foreign Affairs\n"
                "    url: https://mfa.gov.ua/en/news/1\n"
                "    kind: document\n"
                "    note: the joint statement\n"
                "  - name: A senior adviser\n"
                "    kind: interview\n"
                "corrections:\n"
                "  - date: 2026-11-21T10:00:00+02:00\n"
                "    text: An earlier version misspelled the adviser's name.\n"
                "  - date: 2026-11-22T08:00:00+02:00\n"
                "    kind: clarification\n"
                "    text: The talks were held in two rounds.\n",
            ),
            "content/articles/strike.md": article(
                "Strike on a substation",
                date="2026-11-23T07:00:00+02:00",
                section="conflict",
                extra="corrections:\n"
                "  - date: 2026-11-23T09:00:00+02:00\n"
                "    kind: editors-note\n"
                "    text: Photographs were added.\n"
                "  - date: 2026-11-24T12:00:00+02:00\n"
                "    prominent: true\n"
                "    text: The strike hit Kharkiv, not Kyiv, as we first reported.\n",
            ),
            "content/articles/updated.md": article(
                "Grain talks resume",
                date="2026-11-10T10:00:00+02:00",
                extra="updated: 2026-11-11T15:30:00+02:00\n",
            ),
            "content/articles/plain.md": article("Plain", date="2026-11-05T10:00:00+02:00"),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def test_a_correction_renders_a_dated_notice_at_the_foot(corrected: Path) -> None:
    doc = page(corrected, TALKS)
    [box] = doc.xpath("//section[contains(@class, 'corrections')]")
    notices = box.xpath(".//p[contains(@class, 'correction')]")
    # Newest first, each labelled with its kind and dated.
    assert [n.xpath("string(.//time/@datetime)") for n in notices] == [
        "2026-11-22T08:00:00+02:00",
        "2026-11-21T10:00:00+02:00",
    ]
    assert notices[0].text_content().startswith("Clarification")
    assert "The talks were held in two rounds." in notices[0].text_content()
    assert notices[1].text_content().startswith("Correction")
    assert "misspelled the adviser's name" in notices[1].text_content()
    assert doc.xpath("//aside[contains(@class, 'correction-prominent')]") == []


def test_a_prominent_correction_is_at_the_top(corrected: Path) -> None:
    doc = page(corrected, STRIKE)
    [top] = doc.xpath("//aside[contains(@class, 'correction-prominent')]")
    assert "hit Kharkiv, not Kyiv" in top.text_content()
    assert top.xpath("string(.//time/@datetime)") == "2026-11-24T12:00:00+02:00"
    [body] = doc.xpath("//div[contains(@class, 'body')]")
    order = list(doc.iter())
    assert order.index(top) < order.index(body)
    # The editor's note stays at the foot; the prominent one is not repeated there.
    [foot] = doc.xpath("//section[contains(@class, 'corrections')]")
    assert "Editor's note" in foot.text_content()
    assert "Kharkiv" not in foot.text_content()
    assert order.index(foot) > order.index(body)


def test_a_correction_moves_date_modified_in_page_and_json_ld(corrected: Path) -> None:
    doc = page(corrected, TALKS)
    assert doc.xpath("//*[contains(@class, 'updated')]//time/@datetime") == [
        "2026-11-22T08:00:00+02:00"
    ]
    data = jsonld(doc)
    assert data["datePublished"] == "2026-11-20T09:30:00+02:00"
    assert data["dateModified"] == "2026-11-22T08:00:00+02:00"
    assert [c["datePublished"] for c in data["correction"]] == [
        "2026-11-21T10:00:00+02:00",
        "2026-11-22T08:00:00+02:00",
    ]
    meta = doc.xpath("//meta[@property='article:modified_time']/@content")
    assert meta == ["2026-11-22T08:00:00+02:00"]


def test_a_correction_moves_updated_in_atom_and_json_feed(corrected: Path) -> None:
    atom = feedparser.parse((corrected / "feed.xml").read_bytes())
    entry = next(e for e in atom.entries if e.title == "Talks in Kyiv")
    assert entry.updated == "2026-11-22T08:00:00+02:00"
    assert entry.published == "2026-11-20T09:30:00+02:00"
    items = json.loads((corrected / "feed.json").read_text("utf-8"))["items"]
    item = next(i for i in items if i["title"] == "Talks in Kyiv")
    assert item["date_modified"] == "2026-11-22T08:00:00+02:00"


def test_a_correction_moves_updated_in_rss(corrected: Path) -> None:
    rss = feedparser.parse((corrected / "rss.xml").read_bytes())
    entry = next(e for e in rss.entries if e.title == "Talks in Kyiv")
    with warnings.catch_warnings():  # feedparser falls back to pubDate when there is none
        warnings.simplefilter("ignore", DeprecationWarning)
        updated = entry.get("updated_parsed")
    assert updated is not None
    assert tuple(updated[:6]) == (2026, 11, 22, 6, 0, 0)  # 08:00 at +02:00, in UTC


def test_corrections_page_lists_corrected_articles_newest_first(corrected: Path) -> None:
    doc = page(corrected, "corrections")
    titles = doc.xpath("//main//article//h2/a/text()")
    assert titles == ["Strike on a substation", "Talks in Kyiv"]
    links = doc.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href")
    assert "/corrections/feed.xml" in links
    feed = feedparser.parse((corrected / "corrections/feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == titles
    assert [e.updated for e in feed.entries] == [
        "2026-11-24T12:00:00+02:00",
        "2026-11-22T08:00:00+02:00",
    ]


def test_updated_without_a_correction_shows_updated(corrected: Path) -> None:
    doc = page(corrected, UPDATED)
    [stamp] = doc.xpath("//*[contains(@class, 'updated')]")
    assert stamp.text_content().strip().startswith("Updated")
    assert stamp.xpath(".//time/@datetime") == ["2026-11-11T15:30:00+02:00"]
    assert jsonld(doc)["dateModified"] == "2026-11-11T15:30:00+02:00"
    assert doc.xpath("//section[contains(@class, 'corrections')]") == []
    assert "/" + UPDATED not in listed_paths(corrected, "corrections")
    assert page(corrected, PLAIN).xpath("//*[contains(@class, 'updated')]") == []


def test_bad_corrections_are_errors_at_their_lines(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article(
                extra="corrections:\n"  # line 6
                "  - text: No date here.\n"  # 7
                "  - date: 2026-01-08T10:00:00+02:00\n"  # 8
                "    text: A retraction.\n"  # 9
                "    kind: retraction\n"  # 10
                "  - date: 2026-01-05T10:00:00+02:00\n"  # 11
                "    text: Before the story.\n"  # 12
            )
        },
    )
    result = build(site)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("content/")]
    assert len(errors) == 3, result.err
    assert errors[0].startswith("content/articles/a.md:7: ") and "'date'" in errors[0]
    assert errors[1].startswith("content/articles/a.md:10: ") and "retraction" in errors[1]
    assert errors[2].startswith("content/articles/a.md:11: ") and "before" in errors[2]
    assert not (site / "output").exists()


# Sources.


def test_sources_render_a_box_and_json_ld_citations(corrected: Path) -> None:
    doc = page(corrected, TALKS)
    [box] = doc.xpath("//section[contains(@class, 'sources')]")
    assert box.xpath("string(.//h2)") == "Sources"
    items = box.xpath(".//li")
    assert len(items) == 2
    assert items[0].xpath(".//a/@href") == ["https://mfa.gov.ua/en/news/1"]
    assert items[0].xpath("string(.//a)") == "Ministry of Foreign Affairs"
    assert "document" in items[0].text_content()
    assert "the joint statement" in items[0].text_content()
    assert items[1].xpath(".//a") == []
    assert "A senior adviser" in items[1].text_content()
    assert jsonld(doc)["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "Ministry of Foreign Affairs",
            "url": "https://mfa.gov.ua/en/news/1",
        },
        {"@type": "CreativeWork", "name": "A senior adviser"},
    ]
    assert page(corrected, PLAIN).xpath("//section[contains(@class, 'sources')]") == []


def test_a_source_url_that_is_not_http_is_an_error_at_its_line(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article(
                extra="sources:\n"  # line 6
                "  - name: Fine\n"  # 7
                "    url: https://example.com/\n"  # 8
                "  - name: Script\n"  # 9
                "    url: javascript:alert(1)\n"  # 10
                "  - name: Archive\n"  # 11
                "    url: ftp://x\n"  # 12
                "  - name: Data\n"  # 13
                "    url: 'data:text/html,<b>x</b>'\n"  # 14
            )
        },
    )
    result = build(site)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("content/")]
    assert [e.split(": ", 1)[0] for e in errors] == [
        "content/articles/a.md:10",
        "content/articles/a.md:12",
        "content/articles/a.md:14",
    ]
    assert "javascript:alert(1)" in errors[0] and "http" in errors[0]


# Embargo.

SECRET_TITLE = "Zyzzogeton ceasefire deal signed"
SECRET_SLUG = "zyzzogeton-deal"
SECRET_IMAGE = "zyzzogeton-signing"
LIFTS = "2026-12-01T09:00:00+02:00"


def embargo_site(root: Path) -> Path:
    return make_site(
        root,
        {
            "content/images/zyzzogeton-signing.png": png(6, 4),
            "content/articles/talks.md": article(
                "Talks in Kyiv", date="2026-11-20T09:30:00+02:00", extra="tags: [ceasefire]\n"
            ),
            f"content/articles/{SECRET_SLUG}.md": article(
                SECRET_TITLE,
                date=LIFTS,
                section="conflict",
                extra="tags: [ceasefire, zyzzogeton-talks]\n"
                "image: images/zyzzogeton-signing.png\n"
                "image_alt: Delegates sign\nimage_credit: Pool\n"
                "aliases: [/2026/zyzzogeton-draft/]\n",
                body="The zyzzogeton accord was signed at noon.\n",
            ),
        },
    )


def leaks(out: Path) -> list[str]:
    """Output files whose path or bytes (unzipped too) name the embargoed story."""
    words = [SECRET_SLUG, SECRET_TITLE, SECRET_IMAGE, "zyzzogeton"]
    found = []
    for rel, data in output_files(out).items():
        texts = [rel.encode(), data]
        if data[:2] == b"\x1f\x8b":  # Pagefind's index and fragments are gzipped
            texts.append(gzip.decompress(data))
        for text in texts:
            lowered = text.lower()
            found += [f"{rel}: {w}" for w in words if w.lower().encode() in lowered]
    return found


def test_an_embargoed_article_appears_nowhere_until_its_time(tmp_path: Path) -> None:
    site = embargo_site(tmp_path)
    result = build(site)
    assert result.code == 0, result.err
    assert leaks(site / "output") == []
    assert LIFTS in result.out  # CI learns when to build again

    # At its time it is published everywhere, which proves the scan finds it when present.
    result = build(site, "--clock", LIFTS)
    assert result.code == 0, result.err
    out = site / "output"
    found = leaks(out)
    for rel in (
        f"2026/12/01/{SECRET_SLUG}/index.html",
        "feed.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "news-sitemap.xml",
        "2026/zyzzogeton-draft/index.html",
        "tag/zyzzogeton-talks/index.html",
    ):
        assert any(f.startswith(rel + ":") for f in found), rel
    assert any(f.startswith("images/") for f in found)
    if (out / "pagefind").is_dir():  # search built: the gzipped index is scanned too
        assert any(f.startswith("pagefind/") for f in found)
    assert "next scheduled" not in result.out and LIFTS not in result.out


def test_the_next_embargo_is_the_earliest(tmp_path: Path) -> None:
    site = embargo_site(tmp_path)
    (site / "content/articles/later.md").write_text(
        article("Later", date="2026-12-05T09:00:00+02:00"), "utf-8"
    )
    result = build(site)
    assert result.code == 0
    assert LIFTS in result.out
    assert "2026-12-05" not in result.out


def test_an_image_shared_with_a_published_story_stays_published(tmp_path: Path) -> None:
    site = embargo_site(tmp_path)
    talks = site / "content/articles/talks.md"
    talks.write_text(
        article(
            "Talks in Kyiv",
            date="2026-11-20T09:30:00+02:00",
            extra="image: images/zyzzogeton-signing.png\nimage_alt: Sign\nimage_credit: Pool\n",
        ),
        "utf-8",
    )
    assert build(site).code == 0
    out = site / "output"
    assert any(rel.startswith("images/zyzzogeton-signing") for rel in output_files(out))
    assert not (out / f"2026/12/01/{SECRET_SLUG}").exists()


# Expiry.

WIRE = "2026/11/01/wire/"


def expiry_site(root: Path) -> Path:
    return make_site(
        root,
        {
            "content/articles/wire.md": article(
                "Wire update on shelling",
                date="2026-11-01T10:00:00+02:00",
                extra="tags: [grain]\nexpires: 2026-11-20T00:00:00+02:00\n",
            ),
            "content/articles/fresh.md": article(
                "Fresh grain story", date="2026-11-26T10:00:00+02:00", extra="tags: [grain]\n"
            ),
        },
    )


def feed_titles(out: Path) -> dict[str, list[str]]:
    """Every feed of the build → the titles of its entries."""
    titles = {}
    for rel, data in output_files(out).items():
        if rel.endswith(("feed.xml", "rss.xml")):
            titles[rel] = [e.title for e in feedparser.parse(data).entries]
        elif rel.endswith("feed.json"):
            titles[rel] = [i["title"] for i in json.loads(data)["items"]]
    return titles


def test_an_expired_article_keeps_its_page_with_a_notice_but_leaves_lists_and_feeds(
    tmp_path: Path,
) -> None:
    site = expiry_site(tmp_path)
    assert build(site).code == 0
    out = site / "output"
    doc = page(out, WIRE)
    assert doc.xpath("//h1/text()") == ["Wire update on shelling"]
    [notice] = doc.xpath("//*[contains(@class, 'notice-expired')]")
    assert "no longer current" in notice.text_content()
    for listing in ("", "section/diplomacy", "tag/grain", "author/david-okafor", "archive/2026/11"):
        assert "/" + WIRE not in listed_paths(out, listing), listing
    titles = feed_titles(out)
    assert len(titles) >= 9
    for rel, entries in titles.items():
        assert "Wire update on shelling" not in entries, rel
    assert "Fresh grain story" in titles["feed.xml"]
    assert "/" + WIRE not in listed_paths(out, "2026/11/26/fresh")  # not a related story


def test_before_it_expires_the_article_is_listed(tmp_path: Path) -> None:
    site = expiry_site(tmp_path)
    assert build(site, "--clock", "2026-11-19T23:00:00+02:00").code == 0
    out = site / "output"
    assert "/" + WIRE in listed_paths(out, "tag/grain")
    assert "Wire update on shelling" in feed_titles(out)["feed.xml"]
    assert page(out, WIRE).xpath("//*[contains(@class, 'notice-expired')]") == []


# Translations.

EN = "2026/10/01/heating/"
UK = "2026/10/01/opalennia/"


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(
        tmp_path_factory.mktemp("translations"),
        {
            "content/articles/heating.md": article(
                "Kyiv heating season begins", date="2026-10-01T09:00:00+03:00"
            ),
            "content/articles/opalennia.md": article(
                "У Києві починається опалювальний сезон",
                date="2026-10-01T11:00:00+03:00",
                extra="lang: uk\ntranslation_of: heating\n",
            ),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


@pytest.mark.parametrize(
    ("path", "lang", "other", "other_lang", "label"),
    [(EN, "en", UK, "uk", "Читати українською"), (UK, "uk", EN, "en", "Read in English")],
)
def test_translations_link_each_other_with_hreflang(
    translated: Path, path: str, lang: str, other: str, other_lang: str, label: str
) -> None:
    doc = page(translated, path)
    assert doc.get("lang") == lang
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in doc.xpath("//head/link[@rel='alternate'][@hreflang]")
    }
    assert alternates == {lang: BASE + path, other_lang: BASE + other}
    [link] = doc.xpath(f"//main//a[@hreflang='{other_lang}']")
    assert link.get("href") == "/" + other
    assert link.text_content().strip() == label
    assert link.get("lang") == other_lang
    assert jsonld(doc)["inLanguage"] == lang


def test_a_translation_uses_its_own_language_for_fixed_words_and_dates(
    translated: Path,
) -> None:
    doc = page(translated, UK)
    times = doc.xpath("//*[contains(@class, 'times')]")[0].text_content()
    assert "Опубліковано" in times
    assert "1 жовтня 2026" in times


def test_an_unknown_translation_of_is_an_error(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {"content/articles/a.md": article(extra="lang: uk\ntranslation_of: no-such-story\n")},
    )
    result = build(site)
    assert result.code == 1
    assert re.search(r"^content/articles/a\.md:\d+: .*no-such-story", result.err, re.M), result.err


# Redirects.


def test_aliases_become_redirect_pages_to_the_article(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/renamed.md": article(
                "Renamed story", extra="aliases: [/2025/01/02/old-slug/, old/story.html]\n"
            )
        },
    )
    assert build(site).code == 0
    out = site / "output"
    target = "2026/01/06/renamed/"
    for rel in ("2025/01/02/old-slug/index.html", "old/story.html"):
        doc = lxml.html.fromstring((out / rel).read_bytes())
        assert doc.xpath("//link[@rel='canonical']/@href") == [BASE + target], rel
        [refresh] = doc.xpath("//meta[@http-equiv='refresh']/@content")
        delay, url = refresh.split(";", 1)
        assert delay.strip() == "0"
        assert url.strip() == "url=/" + target
        assert doc.xpath("//body//a/@href") == ["/" + target]
    sitemap = (out / "sitemap.xml").read_bytes()
    assert b"old-slug" not in sitemap and b"old/story" not in sitemap


def test_an_alias_at_another_articles_url_is_an_error_naming_both(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/first.md": article("First"),
            "content/articles/second.md": article(
                "Second", extra="aliases: [/2026/01/06/first/]\n"
            ),
        },
    )
    result = build(site)
    assert result.code == 1
    [error] = [line for line in result.err.splitlines() if "/2026/01/06/first/" in line]
    assert "content/articles/second.md" in error
    assert "content/articles/first.md" in error


def test_an_alias_over_a_list_page_is_an_error_naming_the_article(tmp_path: Path) -> None:
    site = make_site(
        tmp_path, {"content/articles/a.md": article(extra="aliases: [/section/conflict/]\n")}
    )
    result = build(site)
    assert result.code == 1
    assert "content/articles/a.md" in result.err


def test_an_alias_over_a_feed_is_an_error_not_a_crash(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article(extra="aliases: [/feed.xml]\n")})
    result = build(site)
    assert result.code == 1
    assert "content/articles/a.md" in result.err


# Hostile titles.

HOSTILE = '</script> ]]> "><img src=x onerror=alert(1)> & Co'
HOSTILE_TAG = "</script><b>x & y</b>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(
        tmp_path_factory.mktemp("hostile"),
        {
            "content/articles/hostile.md": article(
                "'" + HOSTILE + "'",
                date="2026-11-27T09:00:00+02:00",
                extra=f"tags: ['{HOSTILE_TAG}']\naliases: [/old/hostile/]\n"
                "corrections:\n  - date: 2026-11-27T10:00:00+02:00\n    text: Fixed.\n",
            ),
            "content/articles/calm.md": article(
                "Calm", date="2026-11-26T09:00:00+02:00", extra=f"tags: ['{HOSTILE_TAG}']\n"
            ),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def test_hostile_title_is_escaped_in_every_html_page(hostile: Path) -> None:
    pages = {rel: d for rel, d in output_files(hostile).items() if rel.endswith(".html")}
    assert len(pages) > 10
    for rel, data in pages.items():
        assert b"</script> ]]>" not in data, rel
        doc = lxml.html.fromstring(data)
        assert doc.xpath("//*[@onerror]") == [], rel
        assert doc.xpath("//img[@src='x']") == [], rel
    article_page = page(hostile, "2026/11/27/hostile")
    assert article_page.xpath("//h1")[0].text_content() == HOSTILE
    assert article_page.findtext(".//title").startswith(HOSTILE)
    for key in ("og:title", "twitter:title"):
        content = article_page.xpath(f"//meta[@property='{key}' or @name='{key}']/@content")
        assert content == [HOSTILE], key
    assert HOSTILE in page(hostile, "").xpath("//main//a/text()")
    assert HOSTILE in page(hostile, "corrections").xpath("//main//a/text()")
    redirect = lxml.html.fromstring((hostile / "old/hostile/index.html").read_bytes())
    assert redirect.findtext(".//title") == HOSTILE
    tag_page = page(hostile, "tag/script-b-x-y-b")
    assert tag_page.xpath("//h1")[0].text_content() == HOSTILE_TAG


def test_hostile_title_is_exact_in_json_ld(hostile: Path) -> None:
    for rel, data in output_files(hostile).items():
        if not rel.endswith(".html"):
            continue
        doc = lxml.html.fromstring(data)
        for script in doc.xpath("//script[@type='application/ld+json']"):
            assert "</script" not in script.text.lower(), rel
            json.loads(script.text)  # the whole script is there: nothing closed it early
    assert jsonld(page(hostile, "2026/11/27/hostile"))["headline"] == HOSTILE
    assert jsonld(page(hostile, "tag/script-b-x-y-b"))["name"] == HOSTILE_TAG


def test_hostile_title_round_trips_through_every_feed_and_sitemap(hostile: Path) -> None:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    xml_files = {rel: d for rel, d in output_files(hostile).items() if rel.endswith(".xml")}
    titles: dict[str, list[str]] = {}
    for rel, data in xml_files.items():
        root = lxml.etree.fromstring(data, parser)  # raises on anything malformed
        if root.tag == ATOM + "feed":
            titles[rel] = [e.findtext(ATOM + "title") for e in root.iter(ATOM + "entry")]
            assert root.findtext(ATOM + "title") is not None
        elif root.tag == "rss":
            titles[rel] = [i.findtext("title") for i in root.iter("item")]
        elif rel == "news-sitemap.xml":
            titles[rel] = [t.text for t in root.iter(NEWS + "title")]
    for rel in (
        "feed.xml",
        "rss.xml",
        "section/diplomacy/feed.xml",
        "tag/script-b-x-y-b/rss.xml",
        "author/david-okafor/feed.xml",
        "corrections/feed.xml",
        "news-sitemap.xml",
    ):
        assert HOSTILE in titles[rel], rel
    tag_feed = lxml.etree.fromstring(xml_files["tag/script-b-x-y-b/feed.xml"], parser)
    assert tag_feed.findtext(ATOM + "title") == f"{HOSTILE_TAG} — Test Ledger"
    for rel in ("feed.json", "tag/script-b-x-y-b/feed.json"):
        items = json.loads((hostile / rel).read_text("utf-8"))["items"]
        assert HOSTILE in [i["title"] for i in items], rel
    assert json.loads((hostile / "tag/script-b-x-y-b/feed.json").read_text("utf-8"))["title"] == (
        f"{HOSTILE_TAG} — Test Ledger"
    )
    sitemap = lxml.etree.fromstring(xml_files["sitemap.xml"], parser)
    assert BASE + "2026/11/27/hostile/" in [u.text for u in sitemap.iter(SM + "loc")]
