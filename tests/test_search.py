"""Search with Pagefind: the /search/ page in Chromium, what the index holds, builds without it."""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import html as lxml_html

import gen.engine.search
import gen.outputs.pagefind_format
import gen.outputs.pagefind_run
import gen.outputs.search
import gen.outputs.search_cache
import gen.outputs.search_key
import gen.outputs.spool
from gen.model import OutputFile
from gen.outputs.pagefind_run import SearchUnavailable
from tests.conftest import (
    REPO,
    SITE_YAML,
    Noted,
    article,
    build,
    make_site,
    output_files,
    run_cli,
)

SIGNATURE = b"pagefind_dcd"  # Pagefind's files: gzip of this signature and the payload
TIMEOUT_MS = 15_000
# Words that occur in one sample source each (checked below against content/).
PUBLISHED_WORD = ("Carpathians", "/2026/07/21/summer-camps-for-front-line-children/")
EMBARGOED_WORD = ("recruitment", "content/articles/2027/five-questions-for-the-spring.md")
DRAFT_WORD = ("cumbersome", "content/articles/2026/shadow-fleet-enforcement-review.md")
# In the 2025 part of the index, which the search page merges into the newest (2026).
OLDER_WORD = ("reinsurance", "/2025/09/04/black-sea-grain-shipments-hold-steady/")
BOTH_YEARS_WORD = (
    "ukrenergo",
    {
        "/2025/11/12/barrage-forces-emergency-blackouts/",
        "/2026/11/26/kyiv-air-defences-repel-overnight-attack/",
    },
)


def sources_with(word: str) -> list[str]:
    pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
    return sorted(
        p.relative_to(REPO).as_posix()
        for p in (REPO / "content").rglob("*.md")
        if pattern.search(p.read_text(encoding="utf-8"))
    )


def fragments(out: Path) -> list[dict[str, object]]:
    """Every page in the Pagefind index, decoded from its fragment file."""
    found = []
    for file in sorted(out.glob("pagefind/*/fragment/*.pf_fragment")):
        raw = gzip.decompress(file.read_bytes())
        assert raw.startswith(SIGNATURE), file
        found.append(json.loads(raw[len(SIGNATURE) :]))
    return found


def full_stories(out: Path) -> set[str]:
    """Site paths of the published articles and live blogs, from their own JSON-LD."""
    stories = set()
    for file in out.rglob("index.html"):
        path = "/" + file.relative_to(out).as_posix().removesuffix("index.html")
        doc = lxml_html.fromstring(file.read_bytes())
        canonical = doc.xpath('//link[@rel="canonical"]/@href')
        scripts = doc.xpath('//script[@type="application/ld+json"]/text()')
        own = canonical == [f"https://example.org{path}"]
        if (
            own
            and scripts
            and json.loads(scripts[0])["@type"] in ("NewsArticle", "LiveBlogPosting")
        ):
            stories.add(path)
    return stories


# --- The sample site's index -----------------------------------------------------------


def test_the_chosen_words_occur_in_one_sample_source_each() -> None:
    assert sources_with(PUBLISHED_WORD[0]) == [
        "content/articles/2026/summer-camps-for-front-line-children.md"
    ]
    assert sources_with(OLDER_WORD[0]) == [
        "content/articles/2025/black-sea-grain-shipments-hold-steady.md"
    ]
    assert len(sources_with(BOTH_YEARS_WORD[0])) == 2
    assert sources_with(EMBARGOED_WORD[0]) == [EMBARGOED_WORD[1]]
    assert sources_with(DRAFT_WORD[0]) == [DRAFT_WORD[1]]


def test_the_index_holds_exactly_the_published_stories(sample_build: Path) -> None:
    urls = [str(f["url"]) for f in fragments(sample_build)]
    assert len(urls) == len(set(urls))
    stories = full_stories(sample_build)
    assert len(stories) == 30
    assert set(urls) == stories
    # So none of these: the lite edition, the 404 page, lists, older live parts.
    assert not [u for u in urls if u.startswith("/lite/") or "404" in u or "/part/" in u]


def test_drafts_and_embargoed_articles_are_not_indexed(sample_build: Path) -> None:
    for f in fragments(sample_build):
        content = str(f["content"]).lower()
        assert "five-questions" not in str(f["url"]) and "shadow-fleet-enf" not in str(f["url"])
        assert EMBARGOED_WORD[0] not in content, f["url"]
        assert DRAFT_WORD[0] not in content, f["url"]


def test_every_indexed_article_has_section_and_author_filters(sample_build: Path) -> None:
    for f in fragments(sample_build):
        if str(f["url"]).startswith("/live/"):
            continue  # see the live blog test below
        filters = f["filters"]
        assert isinstance(filters, dict)
        assert len(filters["section"]) == 1, f["url"]
        assert filters["author"], f["url"]
    (camps,) = [f for f in fragments(sample_build) if f["url"] == PUBLISHED_WORD[1]]
    assert camps["filters"] == {"author": ["Marta Hrytsenko"], "section": ["Humanitarian"]}


def test_the_index_comes_in_one_part_per_year(sample_build: Path) -> None:
    parts = sorted(p.name for p in (sample_build / "pagefind").iterdir())
    assert parts == ["2025", "2026"]
    for part in parts:
        for file in (sample_build / "pagefind" / part).glob("fragment/*.pf_fragment"):
            url = json.loads(gzip.decompress(file.read_bytes())[len(SIGNATURE) :])["url"]
            assert not re.match(r"/\d{4}/", url) or url.startswith(f"/{part}/"), (part, url)
    # Only the newest part carries the search code; the others are data merged into it.
    assert (sample_build / "pagefind/2026/pagefind-ui.js").is_file()
    assert not list((sample_build / "pagefind/2025").glob("*.js"))
    assert not list((sample_build / "pagefind/2025").glob("wasm.*"))
    page = lxml_html.fromstring((sample_build / "search/index.html").read_bytes())
    index_code = [src for src in page.xpath("//script/@src") if src.startswith("/pagefind/")]
    assert index_code == ["/pagefind/2026/pagefind-ui.js"]  # beside the theme's search.js


def test_the_live_blog_is_filterable_by_author(sample_build: Path) -> None:
    (live,) = [f for f in fragments(sample_build) if str(f["url"]).startswith("/live/")]
    filters = live["filters"]
    assert isinstance(filters, dict)
    assert sorted(filters.get("author", [])) == ["Iryna Bondar", "Olena Kovalenko"]
    assert filters["section"] == ["Conflict"]


def test_a_word_from_one_story_is_indexed_on_that_story_only(sample_build: Path) -> None:
    word, url = PUBLISHED_WORD
    pages = [f["url"] for f in fragments(sample_build) if word.lower() in str(f["content"]).lower()]
    assert pages == [url]


# --- In the browser --------------------------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(sample_build: Path) -> Iterator[str]:
    """The sample build over HTTP on 127.0.0.1 (Pagefind fetches its index, so no file://)."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(QuietHandler, directory=str(sample_build))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def search_page(browser: object, served: str) -> Iterator[object]:
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{served}/search/")
    page.wait_for_selector("#search input", timeout=TIMEOUT_MS)
    yield page
    page.close()
    assert not errors


# The hrefs of the results Pagefind's UI shows for `word`, once the count in its message
# ("5 results for …") matches the results drawn (it draws at most 5 before "Load more").
RESULTS_JS = """word => {
  const message = document.querySelector(".pagefind-ui__message");
  if (!message || !message.textContent.includes(word)) return null;
  const text = message.textContent.trim();
  const count = text.startsWith("No results") ? 0 : parseInt(text, 10);
  const results = [...document.querySelectorAll(".pagefind-ui__result")];
  const links = results.map(r => r.querySelector(".pagefind-ui__result-title a"));
  if (results.length !== Math.min(count, 5) || links.some(a => !a)) return null;
  return links.map(a => a.getAttribute("href"));
}"""


def search(page: object, word: str) -> list[str]:
    """Type `word` into the search box; the result links once they are all shown."""
    page.fill("#search input", word)  # type: ignore[attr-defined]
    handle = page.wait_for_function(RESULTS_JS, arg=word, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    return [str(href) for href in handle.json_value()]


def test_searching_a_word_from_one_article_finds_it(search_page: object) -> None:
    word, url = PUBLISHED_WORD
    results = search(search_page, word)
    assert url in results


def test_a_word_from_an_older_year_is_found_in_the_merged_part(search_page: object) -> None:
    word, url = OLDER_WORD
    assert search(search_page, word) == [url]


def test_one_search_lists_stories_from_every_year(search_page: object) -> None:
    word, urls = BOTH_YEARS_WORD
    assert set(search(search_page, word)) == urls


def test_the_search_ui_filters_by_section_and_author(search_page: object) -> None:
    search(search_page, PUBLISHED_WORD[0])
    names = search_page.locator(".pagefind-ui__filter-name").all_inner_texts()  # type: ignore[attr-defined]
    assert {n.strip().lower() for n in names} == {"author", "section"}
    values = search_page.locator(".pagefind-ui__filter-checkbox")  # type: ignore[attr-defined]
    pairs = values.evaluate_all("els => els.map(e => [e.name, e.value])")
    assert ["section", "Humanitarian"] in pairs
    assert ["author", "Marta Hrytsenko"] in pairs


def test_an_embargoed_articles_word_finds_nothing(search_page: object) -> None:
    assert search(search_page, EMBARGOED_WORD[0]) == []
    message = search_page.locator(".pagefind-ui__message").inner_text()  # type: ignore[attr-defined]
    assert message.startswith("No results")


def test_a_drafts_word_finds_nothing(search_page: object) -> None:
    assert search(search_page, DRAFT_WORD[0]) == []


# --- Builds ----------------------------------------------------------------------------

FILTERED_SITE = {
    "content/authors/olena-kovalenko.yaml": "name: Olena Kovalenko\n",
    "content/authors/iryna-bondar.yaml": "name: Iryna Bondar\n",
    "content/articles/a.md": article("Talks in Kyiv", body="Advisers met in Kyiv.\n"),
    "content/articles/b.md": article(
        "Drones over Kharkiv",
        section="conflict",
        author="[olena-kovalenko, iryna-bondar]",
        date="2026-01-07T09:30:00+02:00",
        body="Drones hit Kharkiv.\n",
    ),
    "content/articles/c.md": article(
        "Front line report",
        section="conflict",
        author="iryna-bondar",
        date="2026-01-08T09:30:00+02:00",
        body="Shelling continued.\n",
    ),
    "content/articles/d.md": article(
        "Sanctions talks",
        author="olena-kovalenko",
        date="2026-01-09T09:30:00+02:00",
        body="Ministers met.\n",
    ),
}


def test_two_builds_write_byte_identical_search_bundles(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", FILTERED_SITE)
    bundles = []
    for name in ("one", "two", "three"):
        out = tmp_path / name
        result = run_cli(
            "build", "--site", str(site), "--output", str(out), "--no-cache", "--clock",
            "2026-11-27T12:00:00+02:00",
        )  # fmt: skip
        assert result.code == 0, result.err
        bundles.append({k: v for k, v in output_files(out).items() if k.startswith("pagefind/")})
    assert len(bundles[0]) > 5
    assert any(re.match(r"pagefind/\d{4}/filter/", k) for k in bundles[0])
    assert bundles[0] == bundles[1] == bundles[2]


@pytest.fixture
def no_pagefind(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def missing() -> Path:
        calls.append(1)
        raise SearchUnavailable(
            "search skipped: Pagefind is not installed (pip install 'pagefind[bin]')"
        )

    monkeypatch.setattr(gen.outputs.pagefind_run, "find_pagefind", missing)
    return calls


def test_without_pagefind_the_site_builds_and_warns_once(
    tmp_path: Path, no_pagefind: list[int]
) -> None:
    site = make_site(tmp_path, FILTERED_SITE)
    result = build(site)
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if line.strip()]
    assert warnings == [
        "site.yaml: search skipped: Pagefind is not installed (pip install 'pagefind[bin]') "
        "(warning)"
    ]
    out = site / "output"
    assert (out / "2026/01/07/b/index.html").is_file()
    assert not (out / "pagefind").exists()
    assert "Traceback" not in result.err


def test_without_pagefind_no_page_offers_a_search_that_cannot_work(
    tmp_path: Path, no_pagefind: list[int]
) -> None:
    site = make_site(tmp_path, FILTERED_SITE)
    assert build(site).code == 0
    out = site / "output"
    assert not (out / "search").exists()
    front = lxml_html.fromstring((out / "index.html").read_bytes())
    assert not front.xpath('//a[@href="/search/"]')


def test_search_false_writes_no_search_page_and_no_index(
    tmp_path: Path, no_pagefind: list[int]
) -> None:
    site = make_site(tmp_path, {**FILTERED_SITE, "site.yaml": SITE_YAML + "search: false\n"})
    result = build(site)
    assert result.code == 0, result.err
    assert result.err == ""  # off on purpose: nothing to warn about
    assert no_pagefind == []  # Pagefind is not even looked for
    out = site / "output"
    assert not (out / "search").exists()
    assert not (out / "pagefind").exists()
    front = lxml_html.fromstring((out / "index.html").read_bytes())
    assert not front.xpath('//a[@href="/search/"]')
    assert (out / "2026/01/06/a/index.html").is_file()


def test_an_alias_into_the_search_index_folder_is_an_error(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site",
        {"content/articles/a.md": article("Talks in Kyiv", extra="aliases: [/pagefind/2026/]\n")},
    )
    out = tmp_path / "out"
    result = run_cli("build", "--site", str(site), "--output", str(out), "--no-cache")
    assert result.code == 1
    assert (
        "content/articles/a.md: alias /pagefind/2026/: pagefind/ is the search index's folder; "
        "pagefind/2026/index.html cannot be there" in result.err
    )
    assert not out.exists()


def test_what_pagefind_ignores_does_not_change_the_index_key() -> None:
    page = (
        "<html><body><article data-pagefind-body><h1>Talks</h1><p>Text.</p>"
        '<section class="related" data-pagefind-ignore><h2>Related</h2>'
        '<ul><li><a href="/a/">{}</a></li></ul><section>nested</section></section>'
        "<p>After.</p></article></body></html>"
    )
    one = gen.outputs.search_key.indexed_digest(page.format("Old story").encode())
    assert one == gen.outputs.search_key.indexed_digest(page.format("A newer story").encode())
    # What Pagefind does read still counts, after the ignored part too.
    other = page.replace("After.", "Later.").format("Old story").encode()
    assert one != gen.outputs.search_key.indexed_digest(other)
    # An ignored block that holds a filter is kept: Pagefind still reads its filters.
    filtered = page.replace("<h2>Related</h2>", '<h2 data-pagefind-filter="x">R</h2>{}')
    assert gen.outputs.search_key.indexed_digest(filtered.format("a", "b").encode()) != (
        gen.outputs.search_key.indexed_digest(filtered.format("a", "c").encode())
    )


def pagefind_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Noted:
    """How many pages each run of Pagefind from now on indexes."""
    runs = Noted(tmp_path / "runs")
    real = gen.outputs.pagefind_run.run_pagefind

    def counting(*args: object) -> object:
        runs.append(len(args[1]))  # type: ignore[arg-type]
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(gen.outputs.pagefind_run, "run_pagefind", counting)
    return runs


def test_new_related_links_do_not_reindex_another_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(
        tmp_path / "site",
        {
            "content/articles/old.md": article(
                "Grain talks", date="2025-03-01T08:00:00+02:00", extra="tags: [grain]\n"
            ),
            "content/articles/new.md": article("Talks in Kyiv", extra="tags: [kyiv]\n"),
        },
    )
    assert build(site).code == 0
    runs = pagefind_runs(tmp_path, monkeypatch)
    (site / "content/articles/more.md").write_text(
        article("More grain talks", date="2026-01-07T08:00:00+02:00", extra="tags: [grain]\n"),
        encoding="utf-8",
    )
    assert build(site).code == 0
    related = (site / "output/2025/03/01/old/index.html").read_text(encoding="utf-8")
    assert "More grain talks" in related  # the 2025 page changed: a new related link
    assert runs.items == [2]  # but only 2026 was indexed again (two stories), not 2025


def unit_entries(site: Path) -> list[Path]:
    """The cache entries of the search index's units (a month's, or a share's)."""
    return sorted((site / ".cache/search").glob("*-*/*"))


def test_a_busy_month_is_indexed_in_shares_and_an_edit_reindexes_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gen.outputs.search, "UNIT_PAGES", 2)
    days = range(5, 13)
    site = make_site(
        tmp_path / "site",
        {
            f"content/articles/s{day}.md": article(
                f"Story {day}",
                date=f"2026-01-{day:02d}T09:30:00+02:00",
                body=f"Codeword{day} was reported.\n",
            )
            for day in days
        },
    )
    runs = Noted(tmp_path / "runs")
    real = gen.outputs.pagefind_run.run_pagefind

    def counting(*args: object) -> object:
        runs.append(sorted(p.path for p in args[1]))  # type: ignore[attr-defined]
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(gen.outputs.pagefind_run, "run_pagefind", counting)
    assert build(site).code == 0
    # Eight stories in January, two a unit on average: dealt by hash into four shares
    # (one may be left empty), each indexed on its own, together holding every story once.
    assert 2 <= len(runs.items) <= 4
    assert sorted(p for run in runs.items for p in run) == sorted(
        f"2026/01/{day:02d}/s{day}/index.html" for day in days
    )
    units = sorted(p.name for p in (site / ".cache/search").iterdir() if "-" in p.name)
    assert len(units) == len(runs.items)
    assert set(units) <= {"2026-01.0", "2026-01.1", "2026-01.2", "2026-01.3"}
    # One part per year, as ever: the shares are merged, and each story's word is in it.
    out = site / "output"
    for day in days:
        found = [f["url"] for f in fragments(out) if f"codeword{day}" in str(f["content"]).lower()]
        assert found == [f"/2026/01/{day:02d}/s{day}/"]
    # An edit re-indexes the one share that holds the story, and the output is what a
    # clean build makes. Of the merged year, only the files that changed are spooled to be
    # written: the output already holds the other shares' fragments.
    runs.clear()
    before = output_files(out)
    entries = unit_entries(site)
    spooled = Noted(tmp_path / "spooled")
    real_spool = gen.outputs.spool.spool

    def spooling(folder: Path, name: str, file: OutputFile, sha256: str = "") -> OutputFile:
        spooled.append(file.path)
        return real_spool(folder, name, file, sha256)

    monkeypatch.setattr(gen.outputs.spool, "spool", spooling)
    scanned = Noted(tmp_path / "scanned")
    real_scan = gen.outputs.pagefind_format._scan

    def scanning(raw: bytes) -> Iterator[tuple[str, int, int, int, int, int]]:
        scanned.append(len(raw))
        return real_scan(raw)

    monkeypatch.setattr(gen.outputs.pagefind_format, "_scan", scanning)
    source = site / "content/articles/s7.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nLater, more.\n", encoding="utf-8")
    assert build(site).code == 0
    (share,) = runs.items
    assert "2026/01/07/s7/index.html" in share and len(share) < len(days)
    # The year is merged again, but only the new share is read word by word, once: the
    # others' word tables, kept in the cache beside them, say where their words are.
    (new,) = set(unit_entries(site)) - set(entries)
    assert len(scanned.items) == len(list(new.glob("index/*.pf_index"))) > 0
    after = output_files(out)
    index = {p for p in after if p.startswith("pagefind/")}
    changed = {p for p in index if before.get(p) != after[p]}
    assert {p for p in spooled.items if p.startswith("pagefind/")} == changed
    assert changed and len([p for p in index - changed if "/fragment/" in p]) >= len(days) - 1
    clean = tmp_path / "clean"
    result = build(site, "--output", str(clean), "--no-cache")
    assert result.code == 0, result.err
    assert output_files(out) == output_files(clean)
    # A month dealt out otherwise (here, whole again) leaves no entry that cannot match.
    monkeypatch.setattr(gen.outputs.search, "UNIT_PAGES", 100)
    assert build(site).code == 0
    units = sorted(p.name for p in (site / ".cache/search").iterdir() if "-" in p.name)
    assert units == ["2026-01"]


def test_the_cache_keeps_one_copy_of_pagefinds_code_for_all_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gen.outputs.search, "UNIT_PAGES", 2)
    site = make_site(
        tmp_path / "site",
        {
            f"content/articles/s{day}.md": article(
                f"Story {day}", date=f"2026-01-{day:02d}T09:30:00+02:00", body=f"Word{day}.\n"
            )
            for day in range(5, 11)
        },
    )
    assert build(site).code == 0
    entries = unit_entries(site)
    assert len(entries) >= 2
    code = gen.outputs.search_cache.CODE
    names = {(entry / code).read_text(encoding="ascii") for entry in entries}
    (name,) = names  # every unit names the same copy…
    copy = site / ".cache/search" / gen.outputs.search_cache.CODE_DIR / name
    published = {
        p.name for p in (site / "output/pagefind/2026").iterdir() if p.is_file() and "." in p.name
    }
    held = {p.name for p in copy.iterdir()}
    assert {"pagefind.js", "pagefind-ui.js", "wasm.en.pagefind"} <= held
    assert held - {"checksums.json"} <= published
    for entry in entries:  # …and holds none of it itself
        assert not {p.name for p in entry.iterdir()} & (held - {"checksums.json"})
    # A build into a new folder merges the cached units, their code put back: as a clean one.
    runs = pagefind_runs(tmp_path, monkeypatch)
    for year in (site / ".cache/search").glob("2026/*"):
        (year / "checksums.json").unlink()  # the merged year is not kept: merge it again
    fresh = tmp_path / "fresh"
    assert build(site, "--output", str(fresh)).code == 0
    assert runs.items == []
    clean = tmp_path / "clean"
    assert build(site, "--output", str(clean), "--no-cache").code == 0
    assert output_files(fresh) == output_files(clean)
    # A damaged copy is not used: the units are indexed again, and the copy kept again.
    (copy / "pagefind.js").write_bytes(b"alert(1)")
    for year in (site / ".cache/search").glob("2026/*"):
        (year / "checksums.json").unlink()
    runs.clear()
    again = tmp_path / "again"
    assert build(site, "--output", str(again)).code == 0
    assert len(runs.items) == len(entries)
    assert output_files(again) == output_files(clean)
    assert (copy / "pagefind.js").read_bytes() == (fresh / "pagefind/2026/pagefind.js").read_bytes()


def test_the_readme_gives_the_unit_in_use() -> None:
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    unit = gen.outputs.search.UNIT_PAGES
    assert f"a month of more than {unit} stories in shares" in readme
    assert f"holds about {unit} pages in memory at most" in readme


@pytest.mark.parametrize(
    ("fork_units", "fork_pages", "forked"), [(0, 1000, False), (2, 1000, True), (2, 10, False)]
)
def test_an_edits_index_is_made_in_a_forked_process_as_on_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork_units: int, fork_pages: int, forked: bool
) -> None:
    # An edit's few units are indexed in a process of its own (gen.engine.forked), free of
    # the build's interpreter lock; more than FORK_UNITS (a cold build's), or those of a
    # site of more than FORK_PAGES pages, on a thread. Either way the output is a clean
    # build's, byte for byte, and what the index left in the cache serves the next build.
    monkeypatch.setattr(gen.engine.search, "FORK_UNITS", fork_units)
    monkeypatch.setattr(gen.engine.search, "FORK_PAGES", fork_pages)
    made_in = Noted(tmp_path / "made-in")
    real = gen.outputs.pagefind_run.run_pagefind

    def noting(*args: object) -> object:
        made_in.append(os.getpid())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(gen.outputs.pagefind_run, "run_pagefind", noting)
    site = make_site(
        tmp_path / "site",
        {
            f"content/articles/s{day}.md": article(
                f"Story {day}", date=f"2026-0{1 + day % 3}-{day:02d}T09:30:00+02:00"
            )
            for day in range(1, 9)
        },
    )
    assert build(site).code == 0
    assert made_in.items == [os.getpid()] * 3  # three months: on a thread of this process
    made_in.clear()
    source = site / "content/articles/s4.md"
    source.write_text(source.read_text("utf-8") + "\nLater, codeword quince.\n", "utf-8")
    assert build(site).code == 0
    (pid,) = made_in.items  # one unit indexed again: the story's month
    assert (pid != os.getpid()) == forked  # the site has dozens of pages: more than 10
    found = [f["url"] for f in fragments(site / "output") if "quince" in str(f["content"])]
    assert found == ["/2026/02/04/s4/"]
    clean = tmp_path / "clean"
    assert build(site, "--output", str(clean), "--no-cache").code == 0
    assert output_files(site / "output") == output_files(clean)
    made_in.clear()
    assert build(site).code == 0
    assert made_in.items == []  # nothing changed: nothing is indexed again
