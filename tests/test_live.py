"""Live blogs end to end: badge, key events, updates, stable parts, JSON-LD, lists, feed, errors."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from gen.assemble.live import PART_SIZE
from tests.conftest import CLOCK, SITE_YAML, build, make_site, run_cli

START = datetime.fromisoformat("2026-11-26T00:00:00+02:00")
SAMPLE = "live/kyiv-overnight-attack"
SAMPLE_URL = "https://example.org/live/kyiv-overnight-attack/"
# The sample blog's updates, newest first: (id, time, author, headline or None, pinned).
SAMPLE_UPDATES = [
    ("1345-repairs", "2026-11-26T13:45:00+02:00", "Olena Kovalenko", "Power restored", False),
    ("0930-power", "2026-11-26T09:30:00+02:00", "Iryna Bondar", None, False),
    ("0610-injured", "2026-11-26T06:10:00+02:00", "Olena Kovalenko", "Six people injured", True),
    ("0340-debris", "2026-11-26T03:40:00+02:00", "Iryna Bondar", "Debris falls", False),
    ("0215-sirens", "2026-11-26T02:15:00+02:00", "Olena Kovalenko", "Air raid alert", True),
]
SITE = SITE_YAML + "search: false\n"  # Pagefind is tested in test_search.py; skip it here


def live_index(status: str = "live", extra: str = "") -> str:
    return (
        "---\ntitle: Strikes on Kyiv\nauthor: david-okafor\n"
        f"coverage_start: {START.isoformat()}\nstatus: {status}\nsection: conflict\n"
        f"tags: [kyiv]\nsummary: Rolling coverage of the night.\n{extra}---\n\n"
        "We follow the attack here.\n"
    )


def update(n: int, *, minutes: int | None = None, extra: str = "") -> str:
    """Update number `n`, posted `minutes` (default 10·n) after the coverage start."""
    at = START + timedelta(minutes=10 * n if minutes is None else minutes)
    return (
        f"---\ntime: {at.isoformat()}\nauthor: david-okafor\nheadline: Update number {n}\n"
        f"{extra}---\n\nReport {n} from the scene.\n"
    )


def uid(n: int) -> str:
    return f"u{n:03d}"


def live_site(root: Path, count: int, *, pinned: tuple[int, ...] = (), **files: str) -> Path:
    content: dict[str, str | bytes] = {
        "site.yaml": SITE,
        "content/live/strikes/index.md": live_index(),
    }
    for n in range(1, count + 1):
        extra = "pinned: true\n" if n in pinned else ""
        content[f"content/live/strikes/{uid(n)}.md"] = update(n, extra=extra)
    content.update(files)
    return make_site(root, content)


def parse(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def jsonld(doc: lxml_html.HtmlElement) -> dict[str, object]:
    (script,) = doc.xpath('//script[@type="application/ld+json"]')
    data: dict[str, object] = json.loads(script.text)
    return data


def update_ids(doc: lxml_html.HtmlElement) -> list[str]:
    """The ids of the update blocks on a page, in page order (without the 'update-')."""
    return [
        e.get("id").removeprefix("update-")
        for e in doc.xpath('//section[@class="updates"]/article')
    ]


def live_pages(out: Path, slug: str = "strikes") -> dict[str, lxml_html.HtmlElement]:
    """Site path → parsed page, for the main page and every part page."""
    folder = out / "live" / slug
    return {
        "/" + p.parent.relative_to(out).as_posix() + "/": parse(p)
        for p in sorted(folder.rglob("index.html"))
    }


def page_of(out: Path, url: str) -> lxml_html.HtmlElement:
    """The page an absolute or site-relative URL (with or without a #fragment) names."""
    path = re.sub(r"^https://example\.org", "", url).split("#", 1)[0]
    return parse(out / path.lstrip("/") / "index.html")


# --- The sample blog -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_page(sample_build: Path) -> lxml_html.HtmlElement:
    return parse(sample_build / SAMPLE / "index.html")


def test_sample_blog_has_a_live_badge(sample_page: lxml_html.HtmlElement) -> None:
    (badge,) = sample_page.xpath('//header[@class="story-head"]//span[contains(@class,"badge")]')
    assert badge.text_content().strip() == "Live"
    assert "badge-live" in badge.get("class").split()


def test_sample_blog_shows_pinned_key_events_above_the_updates(
    sample_page: lxml_html.HtmlElement,
) -> None:
    (key_events,) = sample_page.xpath('//section[@class="key-events"]')
    (updates,) = sample_page.xpath('//section[@class="updates"]')
    body = list(sample_page.iter())
    assert body.index(key_events) < body.index(updates)
    links = [a.get("href") for a in key_events.xpath(".//a")]
    pinned = [u[0] for u in SAMPLE_UPDATES if u[4]]
    assert links == [f"/{SAMPLE}/part/1/#update-{i}" for i in pinned]
    texts = [a.text_content() for a in key_events.xpath(".//a")]
    assert "Six people injured" in texts[0] and "Air raid alert" in texts[1]


def test_sample_updates_are_newest_first_with_time_author_headline_anchor_and_share(
    sample_page: lxml_html.HtmlElement,
) -> None:
    assert update_ids(sample_page) == [u[0] for u in SAMPLE_UPDATES]
    for uid_, time, author, headline, pinned in SAMPLE_UPDATES:
        (block,) = sample_page.xpath(f'//article[@id="update-{uid_}"]')
        assert block.xpath(".//time/@datetime") == [time]
        assert block.xpath('string(.//p[@class="update-byline"])').strip() == author
        heading = block.xpath("string(.//h3)").strip()
        assert heading.startswith(headline) if headline else heading == "Update"
        assert ("pinned" in block.get("class").split()) is pinned
        (share,) = block.xpath('.//p[@class="share"]/a/@href')
        assert share == f"{SAMPLE_URL}part/1/#update-{uid_}"


def test_sample_json_ld_is_a_live_blog_posting_with_every_update(
    sample_page: lxml_html.HtmlElement,
) -> None:
    data = jsonld(sample_page)
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] == "2026-11-26T02:00:00+02:00"
    assert "coverageEndTime" not in data  # still live, no end given
    assert data["dateModified"] == SAMPLE_UPDATES[0][1]  # the latest update's time
    entries = data["liveBlogUpdate"]
    assert isinstance(entries, list)
    assert [e["url"] for e in entries] == [
        f"{SAMPLE_URL}part/1/#update-{u[0]}" for u in SAMPLE_UPDATES
    ]
    for entry, (uid_, time, _, headline, _) in zip(entries, SAMPLE_UPDATES, strict=True):
        assert entry["@type"] == "BlogPosting"
        assert entry["datePublished"] == time
        assert entry["headline"].startswith(headline) if headline else entry["headline"]
        block = sample_page.xpath(f'//article[@id="update-{uid_}"]//div[@class="body"]')[0]
        assert " ".join(entry["articleBody"].split()) == " ".join(block.text_content().split())


def test_sample_blog_leads_the_front_page_marked_live(sample_build: Path) -> None:
    front = parse(sample_build / "index.html")
    (lead,) = front.xpath('//article[@class="lead-story"]')
    assert lead.xpath(".//h2/a/@href") == [f"/{SAMPLE}/"]
    assert lead.xpath('string(.//span[contains(@class,"badge-live")])').strip() == "Live"
    # With the latest update's time, not the coverage start.
    assert lead.xpath('.//p[@class="card-meta"]/time/@datetime') == [SAMPLE_UPDATES[0][1]]


def test_sample_blog_is_listed_in_its_section_with_the_latest_update_time(
    sample_build: Path,
) -> None:
    section = parse(sample_build / "section/conflict/index.html")
    (card,) = [
        c for c in section.xpath('//article[@class="card"]') if c.xpath(f'.//a[@href="/{SAMPLE}/"]')
    ]
    assert card.xpath('string(.//p[contains(@class,"badge-live")])').strip() == "Live"
    assert card.xpath('.//p[@class="card-meta"]/time/@datetime') == [SAMPLE_UPDATES[0][1]]


def test_sample_feed_of_updates_parses_newest_first(sample_build: Path) -> None:
    feed = feedparser.parse((sample_build / SAMPLE / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title.startswith("Live: Russia launches")
    assert [e.link for e in feed.entries] == [
        f"{SAMPLE_URL}part/1/#update-{u[0]}" for u in SAMPLE_UPDATES
    ]
    first = feed.entries[0]
    assert first.title == "Power restored to most of the left bank"
    assert first.author == "Olena Kovalenko"
    assert first.published == SAMPLE_UPDATES[0][1]
    assert "restored to most households" in first.content[0].value
    assert feed.feed.updated == SAMPLE_UPDATES[0][1]


def test_sample_feed_is_linked_from_the_blog(sample_page: lxml_html.HtmlElement) -> None:
    hrefs = sample_page.xpath('//link[@rel="alternate"][@type="application/atom+xml"]/@href')
    assert f"/{SAMPLE}/feed.xml" in hrefs


# --- An ended blog ---------------------------------------------------------------------


def test_an_ended_blog_shows_ended_and_does_not_lead_the_front_page(tmp_path: Path) -> None:
    end = START + timedelta(hours=3)
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/live/strikes/index.md": live_index(
                "ended", f"coverage_end: {end.isoformat()}\n"
            ),
            "content/live/strikes/u001.md": update(1),
            "content/articles/later.md": "---\ntitle: A later story\nauthor: david-okafor\n"
            "date: 2026-11-26T09:00:00+02:00\nsection: diplomacy\n---\n\nText.\n",
        },
    )
    assert build(site).code == 0
    page = parse(site / "output/live/strikes/index.html")
    (badge,) = page.xpath('//header[@class="story-head"]//span[contains(@class,"badge")]')
    assert (badge.text_content().strip(), badge.get("class")) == ("Ended", "badge badge-ended")
    data = jsonld(page)
    assert data["coverageEndTime"] == end.isoformat()
    front = parse(site / "output/index.html")
    assert front.xpath('//article[@class="lead-story"]//h2/a/@href') == ["/2026/11/26/later/"]
    assert not front.xpath('//*[contains(@class,"badge-live")]')


# --- Pagination and stable parts -------------------------------------------------------


@pytest.fixture(scope="module")
def paginated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = live_site(tmp_path_factory.mktemp("paginated"), 45, pinned=(3, 44))
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def test_45_updates_make_three_parts_counted_from_the_oldest(paginated: Path) -> None:
    assert PART_SIZE == 20
    pages = live_pages(paginated)
    assert set(pages) == {
        "/live/strikes/",
        "/live/strikes/part/1/",
        "/live/strikes/part/2/",
        "/live/strikes/part/3/",
    }
    assert update_ids(pages["/live/strikes/part/1/"]) == [uid(n) for n in range(20, 0, -1)]
    assert update_ids(pages["/live/strikes/part/2/"]) == [uid(n) for n in range(40, 20, -1)]
    newest = [uid(n) for n in range(45, 40, -1)]
    assert update_ids(pages["/live/strikes/part/3/"]) == newest
    assert update_ids(pages["/live/strikes/"]) == newest


def test_the_main_page_links_to_older_parts(paginated: Path) -> None:
    pages = live_pages(paginated)
    main = pages["/live/strikes/"]
    assert main.xpath('//nav[@class="pager"]/a[@rel="next"]/@href') == ["/live/strikes/part/2/"]
    part2 = pages["/live/strikes/part/2/"]
    assert part2.xpath('//nav[@class="pager"]/a[@rel="prev"]/@href') == ["/live/strikes/"]
    assert part2.xpath('//nav[@class="pager"]/a[@rel="next"]/@href') == ["/live/strikes/part/1/"]
    part1 = pages["/live/strikes/part/1/"]
    assert not part1.xpath('//nav[@class="pager"]/a[@rel="next"]')


def test_every_update_appears_on_exactly_one_part_page(paginated: Path) -> None:
    pages = live_pages(paginated)
    seen = [i for path, doc in pages.items() if "/part/" in path for i in update_ids(doc)]
    assert sorted(seen) == [uid(n) for n in range(1, 46)]


def test_every_share_and_time_link_points_to_a_page_showing_the_update(paginated: Path) -> None:
    for doc in live_pages(paginated).values():
        for block in doc.xpath('//section[@class="updates"]/article'):
            anchor = block.get("id")
            links = [
                *block.xpath('.//p[@class="share"]/a/@href'),
                *block.xpath('.//p[@class="update-time"]/a/@href'),
            ]
            assert len(links) == 2
            for link in links:
                assert link.endswith(f"#{anchor}")
                assert page_of(paginated, link).xpath(f'//*[@id="{anchor}"]'), link


def test_key_events_link_to_the_part_an_old_pinned_update_is_on(paginated: Path) -> None:
    main = live_pages(paginated)["/live/strikes/"]
    links = main.xpath('//section[@class="key-events"]//a/@href')
    assert links == ["/live/strikes/part/3/#update-u044", "/live/strikes/part/1/#update-u003"]
    for link in links:
        anchor = link.split("#")[1]
        assert page_of(paginated, link).xpath(f'//*[@id="{anchor}"]')


def test_json_ld_of_each_page_lists_its_updates_with_their_stable_urls(paginated: Path) -> None:
    listed: list[str] = []
    for path, doc in live_pages(paginated).items():
        canonical = doc.xpath('//link[@rel="canonical"]/@href')[0]
        if canonical != f"https://example.org{path}":
            # The newest part's stable address repeats the main page, which it names canonical.
            assert (path, canonical) == (
                "/live/strikes/part/3/",
                "https://example.org/live/strikes/",
            )
            assert not doc.xpath('//script[@type="application/ld+json"]')
            continue
        data = jsonld(doc)
        assert data["@type"] == "LiveBlogPosting"
        assert data["dateModified"] == (START + timedelta(minutes=450)).isoformat()
        entries = data["liveBlogUpdate"]
        assert isinstance(entries, list)
        assert [e["url"].split("#update-")[1] for e in entries] == update_ids(doc)
        for entry in entries:
            anchor = "update-" + entry["url"].split("#update-")[1]
            assert page_of(paginated, entry["url"]).xpath(f'//*[@id="{anchor}"]')
        listed += [e["url"] for e in entries]
    assert len(listed) == len(set(listed)) == 45


def test_anchor_map_names_each_updates_part(paginated: Path) -> None:
    anchors = json.loads((paginated / "live/strikes/anchors.json").read_bytes())
    assert anchors == {uid(n): (n - 1) // PART_SIZE + 1 for n in range(1, 46)}


def test_adding_updates_never_moves_an_existing_update_to_another_part(tmp_path: Path) -> None:
    site = live_site(tmp_path, 45)
    assert build(site).code == 0
    before = _parts_by_update(site / "output")
    for n in range(46, 56):
        (site / f"content/live/strikes/{uid(n)}.md").write_text(update(n), encoding="utf-8")
    assert build(site).code == 0
    after = _parts_by_update(site / "output")
    assert len(before) == 45 and len(after) == 55
    assert {i: after[i] for i in before} == before
    assert update_ids(live_pages(site / "output")["/live/strikes/"])[0] == uid(55)


def _parts_by_update(out: Path) -> dict[str, str]:
    """Update id → the part page that shows it, read from the pages themselves."""
    return {
        i: path
        for path, doc in live_pages(out).items()
        if "/part/" in path
        for i in update_ids(doc)
    }


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_an_old_part_link_still_reaches_an_update_moved_by_a_backdated_one(
    tmp_path: Path, browser: object
) -> None:
    """Parts count from the oldest, so an update filed late with an earlier time shifts the
    ones after it; every part page then forwards an old anchor via anchors.json."""
    site = live_site(tmp_path, 45)
    assert build(site).code == 0
    old_link = "/live/strikes/part/1/#update-u020"
    assert page_of(site / "output", old_link).xpath('//*[@id="update-u020"]')
    # A reporter files an update written at 00:05, after the others were published.
    late = site / "content/live/strikes/late.md"
    late.write_text(update(0, minutes=5), encoding="utf-8")
    assert build(site).code == 0
    assert not page_of(site / "output", old_link).xpath('//*[@id="update-u020"]')  # moved
    handler = partial(QuietHandler, directory=str(site / "output"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        try:
            page.goto(f"http://127.0.0.1:{server.server_port}{old_link}")
            page.wait_for_selector("#update-u020", state="attached", timeout=10_000)
            assert page.url.endswith("/live/strikes/part/2/#update-u020")
        finally:
            page.close()
    finally:
        server.shutdown()
        server.server_close()


# --- Errors, drafts and scheduled updates ----------------------------------------------


def test_update_errors_are_reported_at_their_lines(tmp_path: Path) -> None:
    site = live_site(
        tmp_path,
        1,
        **{
            "content/live/strikes/index.md": live_index("running"),
            "content/live/strikes/no-time.md": "---\nauthor: david-okafor\n---\n\nText.\n",
            "content/live/strikes/early.md": "---\nheadline: Too early\nauthor: david-okafor\n"
            "time: 2026-11-25T23:59:00+02:00\n---\n\nText.\n",
            "content/live/strikes/stranger.md": "---\ntime: 2026-11-26T01:00:00+02:00\n"
            "headline: Who?\nauthor: ivan-nobody\n---\n\nText.\n",
        },
    )
    result = build(site)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if line.startswith("content/")]
    assert lines == [
        "content/live/strikes/early.md:4: update 'time' (2026-11-25T23:59:00+02:00) is before "
        "the blog's 'coverage_start'",
        "content/live/strikes/index.md:5: 'status' must be live or ended, got 'running'",
        "content/live/strikes/no-time.md:1: missing 'time': when the update was posted, "
        "e.g. 2026-11-26T07:15:00+02:00",
        "content/live/strikes/stranger.md:4: unknown author 'ivan-nobody' "
        "(authors are content/authors/<id>.yaml)",
    ]
    assert "Traceback" not in result.err


def test_a_future_update_waits_for_the_clock(tmp_path: Path) -> None:
    clock = datetime.fromisoformat(CLOCK)
    later = clock + timedelta(hours=2)
    site = live_site(
        tmp_path,
        2,
        **{
            "content/live/strikes/next.md": "---\n"
            f"time: {later.isoformat()}\nauthor: david-okafor\nheadline: Scheduled\n---\n\n"
            "Not yet.\n"
        },
    )
    assert build(site).code == 0
    out = site / "output/live/strikes"
    assert update_ids(parse(out / "index.html")) == [uid(2), uid(1)]
    assert (
        jsonld(parse(out / "index.html"))["dateModified"]
        == (START + timedelta(minutes=20)).isoformat()
    )
    assert b"Not yet" not in (out / "feed.xml").read_bytes()
    after = (later + timedelta(minutes=1)).isoformat()
    result = run_cli("build", "--site", str(site), "--clock", after)
    assert result.code == 0, result.err
    assert update_ids(parse(out / "index.html")) == ["next", uid(2), uid(1)]
    assert jsonld(parse(out / "index.html"))["dateModified"] == later.isoformat()
    assert b"Not yet" in (out / "feed.xml").read_bytes()


def test_a_draft_update_is_left_out_unless_drafts_are_built(tmp_path: Path) -> None:
    site = live_site(
        tmp_path,
        2,
        **{"content/live/strikes/wip.md": update(3, extra="draft: true\n")},
    )
    out = site / "output/live/strikes"
    assert build(site).code == 0
    assert update_ids(parse(out / "index.html")) == [uid(2), uid(1)]
    assert b"Report 3" not in (out / "feed.xml").read_bytes()
    assert "wip" not in json.loads((out / "anchors.json").read_bytes())
    assert build(site, "--drafts").code == 0
    assert update_ids(parse(out / "index.html")) == ["wip", uid(2), uid(1)]
