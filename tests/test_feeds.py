"""Feeds: Atom, RSS and JSON Feed for the site and every section, tag and author, read back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

from tests.conftest import SITE_YAML, article, build, make_site, output_files

BASE = "https://example.org/"
ATOM_NS = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM_NS}}}"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
FEED_TYPES = {
    "application/atom+xml": "feed.xml",
    "application/rss+xml": "rss.xml",
    "application/feed+json": "feed.json",
}
# The pages that have feeds, and the articles (newest first) each feed carries.
FEED_PAGES = {
    "": ["Strikes hit Odesa", "Talks in Kyiv", "Grain corridor holds"],
    "section/diplomacy/": ["Talks in Kyiv", "Grain corridor holds"],
    "tag/ukraine/": ["Strikes hit Odesa", "Talks in Kyiv"],
    "author/oksana-hnatiuk/": ["Strikes hit Odesa", "Grain corridor holds"],
}
# title → (canonical path, published, updated, author names)
ENTRIES = {
    "Strikes hit Odesa": (
        "2026/11/25/strikes/",
        "2026-11-25T06:15:00+02:00",
        "2026-11-25T06:15:00+02:00",
        ["Oksana Hnatiuk"],
    ),
    "Talks in Kyiv": (
        "2026/11/20/talks/",
        "2026-11-20T09:30:00+02:00",
        "2026-11-21T10:00:00+02:00",
        ["David Okafor"],
    ),
    "Grain corridor holds": (
        "2026/07/01/grain/",
        "2026-07-01T12:00:00+03:00",
        "2026-07-02T08:00:00+03:00",
        ["David Okafor", "Oksana Hnatiuk"],
    ),
}


def feed_site(root: Path, site_yaml: str = SITE_YAML) -> Path:
    """Three stories: a corrected one with a lead image, a summer one with two authors."""
    return make_site(
        root,
        {
            "site.yaml": site_yaml.replace("per_page: 2", "per_page: 20").replace(
                "    title: Diplomacy\n", "    title: Diplomacy\n  energy:\n    title: Energy\n"
            ),
            "content/authors/oksana-hnatiuk.yaml": "name: Oksana Hnatiuk\nrole: Photographer\n",
            "content/articles/talks.md": article(
                "Talks in Kyiv",
                date="2026-11-20T09:30:00+02:00",
                extra="tags: [Ukraine, Kyiv]\nimage: images/photo.png\n"
                "image_alt: Delegates at the table\nimage_credit: Agency\n"
                "corrections:\n  - date: 2026-11-21T10:00:00+02:00\n    text: A name.\n",
                body="Advisers met, see [the tag](/tag/kyiv/).\n\n"
                "![Map of the talks](/images/photo.png)\n\nMore [here](/section/conflict/).\n",
            ),
            "content/articles/strikes.md": article(
                "Strikes hit Odesa",
                date="2026-11-25T06:15:00+02:00",
                section="conflict",
                author="oksana-hnatiuk",
                extra="tags: [Ukraine]\n",
            ),
            "content/articles/grain.md": article(
                "Grain corridor holds",
                date="2026-07-01T12:00:00+03:00",
                author="[david-okafor, oksana-hnatiuk]",
                extra="updated: 2026-07-02T08:00:00+03:00\n",
            ),
        },
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = feed_site(tmp_path_factory.mktemp("feeds"))
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def utc(stamp: str) -> tuple[int, ...]:
    """An RFC 3339 time as the UTC tuple feedparser's *_parsed gives."""
    return tuple(datetime.fromisoformat(stamp).astimezone(UTC).timetuple()[:6])


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def urls_in(html: str) -> list[str]:
    """Every URL an HTML fragment links to or loads (href, src and each srcset candidate)."""
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    found = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        found += [el.get(a) for a in ("href", "src") if el.get(a) is not None]
        for candidate in (el.get("srcset") or "").split(","):
            if candidate.strip():
                found.append(candidate.split()[0])
    return [u for u in found if not u.startswith("#")]


@pytest.mark.parametrize("page", FEED_PAGES)
def test_each_feed_is_linked_from_its_page_with_its_type(out: Path, page: str) -> None:
    doc = lxml.html.fromstring((out / page / "index.html").read_bytes())
    links = {
        link.get("type"): link.get("href")
        for link in doc.xpath("//head/link[@rel='alternate'][@type]")
    }
    for mime, name in FEED_TYPES.items():
        assert links.get(mime) == f"/{page}{name}", (page, mime, links)
        assert (out / page / name).is_file()
    assert lxml.etree.parse(out / page / "feed.xml").getroot().tag == f"{A}feed"
    assert lxml.etree.parse(out / page / "rss.xml").getroot().tag == "rss"
    assert json.loads((out / page / "feed.json").read_text("utf-8"))["version"].endswith("/1.1")


@pytest.mark.parametrize("page", FEED_PAGES)
@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_feedparser_reads_every_entry_back(out: Path, page: str, name: str) -> None:
    parsed = parse(out / page / name)
    assert parsed.version == ("atom10" if name == "feed.xml" else "rss20")
    assert [e.title for e in parsed.entries] == FEED_PAGES[page]
    for entry in parsed.entries:
        path, published, updated, authors = ENTRIES[entry.title]
        assert entry.link == BASE + path
        assert entry.id == BASE + path
        assert entry.published_parsed[:6] == utc(published)
        offset = published[-6:]
        assert entry.published.endswith(offset if name == "feed.xml" else offset.replace(":", ""))
        assert [a.get("name") for a in entry.authors] == authors
        if name == "feed.xml":
            assert entry.updated == updated  # RFC 3339 with the offset kept
            assert entry.updated_parsed[:6] == utc(updated)


@pytest.mark.parametrize("page", FEED_PAGES)
def test_json_feed_is_version_1_1_with_dated_items(out: Path, page: str) -> None:
    feed = json.loads((out / page / "feed.json").read_text("utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == f"{BASE}{page}feed.json"
    assert feed["home_page_url"] == BASE + page
    assert [item["title"] for item in feed["items"]] == FEED_PAGES[page]
    for item in feed["items"]:
        path, published, updated, authors = ENTRIES[item["title"]]
        assert item["id"] == item["url"] == BASE + path
        assert item["date_published"] == published
        assert item["date_modified"] == updated
        assert [a["name"] for a in item["authors"]] == authors
        assert item["content_html"]


@pytest.mark.parametrize("page", FEED_PAGES)
def test_atom_feed_has_id_updated_and_self_link(out: Path, page: str) -> None:
    root = lxml.etree.parse(out / page / "feed.xml").getroot()
    for tag in ("id", "title", "updated"):
        assert len(root.findall(A + tag)) == 1, tag
    self_url = f"{BASE}{page}feed.xml"
    assert root.findtext(A + "id") == self_url
    links = {
        (link.get("rel"), link.get("type")): link.get("href") for link in root.findall(A + "link")
    }
    assert links[("self", "application/atom+xml")] == self_url
    assert links[("alternate", "text/html")] == BASE + page
    entries = root.findall(A + "entry")
    updated = [datetime.fromisoformat(e.findtext(A + "updated")) for e in entries]
    assert datetime.fromisoformat(root.findtext(A + "updated")) == max(updated)
    for entry in entries:
        for tag in ("id", "title", "updated", "published"):
            assert len(entry.findall(A + tag)) == 1, tag
        assert entry.find(A + "author") is not None or root.find(A + "author") is not None
        # The id is the article's canonical URL, as its page says.
        path = ENTRIES[entry.findtext(A + "title")][0]
        doc = lxml.html.fromstring((out / path / "index.html").read_bytes())
        assert doc.xpath("//link[@rel='canonical']/@href") == [entry.findtext(A + "id")]


def test_atom_entries_carry_section_and_tags_as_categories(out: Path) -> None:
    root = lxml.etree.parse(out / "feed.xml").getroot()
    entry = next(e for e in root.iter(A + "entry") if e.findtext(A + "title") == "Talks in Kyiv")
    terms = {(c.get("scheme"), c.get("term")) for c in entry.iter(A + "category")}
    assert terms == {
        (BASE + "section/", "diplomacy"),
        (BASE + "tag/", "ukraine"),
        (BASE + "tag/", "kyiv"),
    }


def test_rss_items_have_guid_pubdate_and_an_image_enclosure_with_length(out: Path) -> None:
    root = lxml.etree.parse(out / "rss.xml").getroot()
    items = root.findall("channel/item")
    assert len(items) == 3
    for item in items:
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "true"
        assert guid.text == item.findtext("link")
        assert item.findtext("pubDate")
    talks = next(i for i in items if i.findtext("title") == "Talks in Kyiv")
    enclosure = talks.find("enclosure")
    assert enclosure.get("url") == BASE + "images/photo.png"
    assert enclosure.get("type") == "image/png"
    assert int(enclosure.get("length")) > 0
    assert all(i.find("enclosure") is None for i in items if i is not talks)
    # The same image as an Atom enclosure link, and as the JSON Feed item's image.
    atom = lxml.etree.parse(out / "feed.xml").getroot()
    enclosures = [link for link in atom.iter(A + "link") if link.get("rel") == "enclosure"]
    assert [(e.get("href"), e.get("length")) for e in enclosures] == [
        (BASE + "images/photo.png", enclosure.get("length"))
    ]
    items_json = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    assert [i.get("image") for i in items_json] == [None, BASE + "images/photo.png", None]


def test_enclosure_length_is_the_size_of_the_published_image(out: Path) -> None:
    size = (out / "images/photo.png").stat().st_size
    rss = lxml.etree.parse(out / "rss.xml").getroot()
    assert [int(e.get("length")) for e in rss.iter("enclosure")] == [size]
    atom = lxml.etree.parse(out / "feed.xml").getroot()
    lengths = [
        int(ln.get("length")) for ln in atom.iter(A + "link") if ln.get("rel") == "enclosure"
    ]
    assert lengths == [size]


def feed_contents(out: Path, page: str = "") -> list[str]:
    """The HTML content of every entry of the three feeds of `page`."""
    atom = lxml.etree.parse(out / page / "feed.xml").getroot()
    rss = lxml.etree.parse(out / page / "rss.xml").getroot()
    items = json.loads((out / page / "feed.json").read_text("utf-8"))["items"]
    return (
        [c.text for c in atom.iter(A + "content")]
        + [c.text for c in rss.iter(f"{{{CONTENT_NS}}}encoded")]
        + [i["content_html"] for i in items]
    )


@pytest.fixture(scope="module")
def sub_path_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = feed_site(tmp_path_factory.mktemp("feeds-sub"))
    result = build(site, "--base-url", "https://example.org/news/")
    assert result.code == 0, result.err
    return site / "output"


@pytest.mark.parametrize("where", ["root", "sub-path"])
def test_content_links_and_images_are_absolute(out: Path, sub_path_out: Path, where: str) -> None:
    folder, base = (out, BASE) if where == "root" else (sub_path_out, BASE + "news/")
    contents = feed_contents(folder)
    assert len(contents) == 9
    links = []
    for html in contents:
        doc = lxml.html.fragment_fromstring(html, create_parent="div")
        links += [v for el in doc.iter() for v in (el.get("href"), el.get("src")) if v]
    assert base + "tag/kyiv/" in links
    assert base + "images/photo.png" in links
    for link in links:
        assert link.startswith(base), link


def test_srcset_candidates_in_feed_content_are_absolute(sub_path_out: Path) -> None:
    for html in feed_contents(sub_path_out):
        for url in urls_in(html):
            parts = urlsplit(url)
            assert parts.scheme == "https" and parts.netloc == "example.org", url


def test_feeds_carry_feed_entries_articles(tmp_path: Path) -> None:
    site = feed_site(tmp_path, SITE_YAML + "feed_entries: 2\n")
    assert build(site).code == 0
    out = site / "output"
    newest = FEED_PAGES[""][:2]
    assert [e.title for e in parse(out / "feed.xml").entries] == newest
    assert [e.title for e in parse(out / "rss.xml").entries] == newest
    items = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    assert [i["title"] for i in items] == newest
    # The lists themselves are not cut.
    front = lxml.html.fromstring((out / "index.html").read_bytes())
    listed = set(front.xpath("//main//a/@href"))
    assert {"/" + path for path, *_ in ENTRIES.values()} <= listed


def test_feeds_carry_twenty_entries_by_default(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "site.yaml": SITE_YAML.replace("per_page: 2", "per_page: 50"),
        **{
            f"content/articles/story-{n:02d}.md": article(
                f"Story {n:02d}", date=f"2026-03-{n:02d}T10:00:00+02:00"
            )
            for n in range(1, 23)
        },
    }
    site = make_site(tmp_path, files)
    assert build(site).code == 0
    out = site / "output"
    expected = [f"Story {n:02d}" for n in range(22, 2, -1)]
    assert [e.title for e in parse(out / "feed.xml").entries] == expected
    assert [e.title for e in parse(out / "section/diplomacy/rss.xml").entries] == expected
    items = json.loads((out / "author/david-okafor/feed.json").read_text("utf-8"))["items"]
    assert [i["title"] for i in items] == expected


def test_a_section_feed_holds_only_its_section(out: Path) -> None:
    root = lxml.etree.parse(out / "section/conflict/feed.xml").getroot()
    assert root.findtext(A + "title") == "Conflict — Test Ledger"
    assert [e.findtext(A + "title") for e in root.iter(A + "entry")] == ["Strikes hit Odesa"]


def test_a_section_without_articles_has_valid_empty_feeds(out: Path) -> None:
    root = lxml.etree.parse(out / "section/energy/feed.xml").getroot()
    assert root.findall(A + "entry") == []
    # A fixed time, not the build's: an empty feed does not change from build to build.
    assert datetime.fromisoformat(root.findtext(A + "updated")).year < 2026
    assert parse(out / "section/energy/rss.xml").entries == []
    assert json.loads((out / "section/energy/feed.json").read_text("utf-8"))["items"] == []


# --- Which formats each kind of list is written in (`feeds:`) ---------------------------------


def feed_formats_on_disk(out: Path) -> dict[str, set[str]]:
    """Each list's feed files present, by the list's path ('' for the front page)."""
    found: dict[str, set[str]] = {}
    for page in FEED_PAGES:
        found[page] = {name for name in FEED_TYPES.values() if (out / page / name).is_file()}
    return found


def linked_feeds(page: Path) -> set[str]:
    """The feed files a page links to with <link rel=alternate>."""
    html = lxml.html.fromstring(page.read_bytes())
    return {
        link.get("href").rsplit("/", 1)[-1]
        for link in html.xpath("//head/link[@rel='alternate']")
        if link.get("type") in FEED_TYPES
    }


def test_feeds_in_atom_alone(tmp_path: Path) -> None:
    site = feed_site(tmp_path, SITE_YAML + "feeds: [atom]\n")
    assert build(site).code == 0
    out = site / "output"
    assert feed_formats_on_disk(out) == {page: {"feed.xml"} for page in FEED_PAGES}
    everywhere = {p.name for p in out.rglob("*") if p.name in ("rss.xml", "feed.json")}
    assert everywhere == set()
    for page in ("index.html", "section/diplomacy/index.html", "2026/11/20/talks/index.html"):
        assert linked_feeds(out / page) == {"feed.xml"}, page
    for path in FEED_PAGES:
        assert [e.title for e in parse(out / path / "feed.xml").entries] == FEED_PAGES[path]


def test_feeds_per_kind_of_list(tmp_path: Path) -> None:
    yaml = SITE_YAML + "feeds:\n  tag: [json]\n  author: [rss, atom]\n"
    site = feed_site(tmp_path, yaml)
    assert build(site).code == 0
    out = site / "output"
    assert feed_formats_on_disk(out) == {
        "": {"feed.xml", "rss.xml", "feed.json"},
        "section/diplomacy/": {"feed.xml", "rss.xml", "feed.json"},
        "tag/ukraine/": {"feed.json"},
        "author/oksana-hnatiuk/": {"feed.xml", "rss.xml"},
    }
    assert linked_feeds(out / "tag/ukraine/index.html") == {"feed.json"}
    assert linked_feeds(out / "author/oksana-hnatiuk/index.html") == {"feed.xml", "rss.xml"}
    items = json.loads((out / "tag/ukraine/feed.json").read_text("utf-8"))["items"]
    assert [i["title"] for i in items] == FEED_PAGES["tag/ukraine/"]


def test_changing_the_feed_formats_equals_a_clean_build(tmp_path: Path) -> None:
    site = feed_site(tmp_path / "warm")
    assert build(site).code == 0
    yaml = (site / "site.yaml").read_text("utf-8") + "feeds: {tag: [atom]}\n"
    (site / "site.yaml").write_text(yaml, encoding="utf-8")
    assert build(site).code == 0
    clean = feed_site(tmp_path / "clean", SITE_YAML + "feeds: {tag: [atom]}\n")
    assert build(clean, "--no-cache").code == 0
    assert output_files(site / "output") == output_files(clean / "output")
    assert not (site / "output/tag/ukraine/rss.xml").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[atom, rss2]", "site.yaml:{n}: unknown feed format 'rss2' in 'feeds'; did you mean"),
        ("[]", "site.yaml:{n}: 'feeds' must be a list of feed formats, e.g. [atom, rss, json]"),
        ("[atom, atom]", "site.yaml:{n}: 'atom' is twice in 'feeds'"),
        ("{tags: [atom]}", "site.yaml:{n}: unknown list 'tags' in 'feeds'; did you mean 'tag'?"),
        ("{tag: atom}", "site.yaml:{n}: 'feeds.tag' must be a list of feed formats"),
        ("atom", "site.yaml:{n}: 'feeds' must be a list of formats or a mapping"),
    ],
)
def test_a_wrong_feeds_setting_is_located(tmp_path: Path, value: str, message: str) -> None:
    yaml = SITE_YAML + f"feeds: {value}\n"
    site = feed_site(tmp_path, yaml)
    run = build(site)
    assert run.code == 1
    lines = (site / "site.yaml").read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("feeds:"))
    assert message.format(n=line) in run.err, run.err
    assert not (site / "output").exists()
