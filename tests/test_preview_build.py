"""Preview builds (`dateline build --preview`): a build that can never be taken for the
published site, whatever file of it one looks at, and whose caches stay exact."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.robotparser import RobotFileParser

import pytest

from gen.config import BuildOptions
from gen.outputs.state import MANIFEST, Manifest, is_preview
from gen.pages.theme import DEFAULT_THEME_DIR
from gen.pipeline import Session, build
from tests.conftest import (
    CLOCK,
    REPO,
    SITE_YAML,
    article,
    make_site,
    output_files,
    require_java,
    run_cli,
)
from tests.test_pages_valid import QuietHandler, page_types, vnu_jar

NOW = datetime.fromisoformat(CLOCK)
PRODUCTION = "https://example.org/"  # the sample's base_url
PREVIEW_HOST = "https://preview.example.net/"
DRAFT = "2026/11/20/shadow-fleet-enforcement-review/index.html"
EMBARGOED = "2027/03/01/five-questions-for-the-spring/index.html"
BANNER = "Preview — not published"
FEED_NAMES = re.compile(r"(^|/)(rss\.xml|feed\.xml|feed\.json|(news-)?sitemap[^/]*\.xml)$")
# What a feed or a sitemap starts with, whatever its name.
FEED_MARKS = (
    "<rss",
    "<feed",
    'xmlns="http://www.w3.org/2005/Atom"',
    "jsonfeed.org/version",
    "<urlset",
    "<sitemapindex",
)
FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/feed+json")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


class PageFacts(HTMLParser):
    """What a page says to crawlers and readers: robots, canonical, feed links, the banner."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.robots: list[str] = []
        self.canonical: list[str] = []
        self.og_url: list[str] = []
        self.feed_links: list[str] = []
        self.banner = ""
        self.banners = 0
        self._in_banner = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name") == "robots":
            self.robots.append(a.get("content", ""))
        if tag == "meta" and a.get("property") == "og:url":
            self.og_url.append(a.get("content", ""))
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a.get("href", ""))
        if tag in ("link", "a") and (
            a.get("type") in FEED_TYPES or FEED_NAMES.search(a.get("href", "").split("?")[0])
        ):
            self.feed_links.append(a.get("href", ""))
        if tag == "aside" and "dl-preview" in a.get("class", "").split():
            self._in_banner = True
            self.banners += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "aside":
            self._in_banner = False

    def handle_data(self, data: str) -> None:
        if self._in_banner:
            self.banner += data


def preview(out: Path, *args: str) -> Path:
    """The sample site built as a preview into `out`."""
    result = run_cli(
        "build",
        "--site",
        str(REPO),
        "--output",
        str(out),
        "--clock",
        CLOCK,
        "--no-cache",
        "--quiet",
        "--preview",
        "--label",
        "PR 42",
        "--base-url",
        PREVIEW_HOST,
        *args,
    )
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def preview_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return preview(tmp_path_factory.mktemp("preview") / "output")


@pytest.fixture(scope="module")
def embargoed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return preview(tmp_path_factory.mktemp("embargoed") / "output", "--embargoed")


def pages(out: Path) -> dict[str, PageFacts]:
    return {
        rel: PageFacts(data.decode("utf-8"))
        for rel, data in output_files(out).items()
        if rel.endswith(".html")
    }


@pytest.mark.parametrize("kind", ["preview", "embargoed"])
def test_no_file_of_a_preview_build_can_be_taken_for_the_published_site(
    kind: str, request: pytest.FixtureRequest
) -> None:
    out: Path = request.getfixturevalue(f"{kind}_build")
    files = output_files(out)
    html = 0
    for rel, data in files.items():
        assert not FEED_NAMES.search(rel), f"{rel}: a preview publishes no feed or sitemap"
        head = data[:4096].decode("utf-8", "replace")
        assert not any(mark in head for mark in FEED_MARKS), f"{rel} is a feed or a sitemap"
        if not rel.endswith(".html"):
            continue
        html += 1
        page = PageFacts(data.decode("utf-8"))
        assert "noindex,nofollow" in page.robots, f"{rel}: indexable"
        assert page.banners == 1, f"{rel}: {page.banners} preview banners"
        assert BANNER in page.banner and "PR 42" in page.banner, f"{rel}: {page.banner!r}"
        assert page.feed_links == [], f"{rel} links to feeds: {page.feed_links}"
    assert html > 100  # every page of the sample: stories, lists, lite edition, redirects
    robots = RobotFileParser()
    robots.parse(files["robots.txt"].decode("utf-8").splitlines())
    for rel in ("index.html", DRAFT, "robots.txt", "static/style.css", "lite/index.html"):
        assert not robots.can_fetch("Googlebot", PREVIEW_HOST + rel), rel
        assert not robots.can_fetch("*", PRODUCTION + rel), rel
    assert b"Sitemap" not in files["robots.txt"]
    # The marker `dateline publish` reads to refuse publishing a preview.
    assert json.loads(files[MANIFEST])["preview"] is True
    assert is_preview(out)


def test_canonical_links_name_the_production_site(preview_build: Path) -> None:
    for rel, page in pages(preview_build).items():
        assert len(page.canonical) == 1, rel
        assert page.canonical[0].startswith(PRODUCTION), f"{rel}: {page.canonical}"
        assert all(url.startswith(PRODUCTION) for url in page.og_url), f"{rel}: {page.og_url}"
    story = pages(preview_build)["2026/01/06/allies-meet-in-kyiv-security-advisers/index.html"]
    assert story.canonical == [PRODUCTION + "2026/01/06/allies-meet-in-kyiv-security-advisers/"]
    # Links within the preview stay on the host it is served at.
    text = (preview_build / "index.html").read_text(encoding="utf-8")
    assert 'href="/section/diplomacy/"' in text


def test_drafts_are_shown_and_marked_on_the_story_and_in_lists(preview_build: Path) -> None:
    story = PageFacts((preview_build / DRAFT).read_text(encoding="utf-8"))
    assert "Draft" in story.banner and "draft" in story.banner
    url = "/" + DRAFT.removesuffix("index.html")
    for rel in ("index.html", "section/diplomacy/index.html"):
        text = (preview_build / rel).read_text(encoding="utf-8")
        card = next(
            c
            for c in re.split(r"<article class=\"card\">|<div class=\"lead-text\">", text)
            if url in c.split("</article>")[0]
        )
        assert '<span class="dl-mark">Draft</span>' in card, rel
    lite = (preview_build / "lite/section/diplomacy/index.html").read_text(encoding="utf-8")
    line = next(li for li in lite.splitlines() if url in li)
    assert "(Draft)" in line
    # A story that is no draft is not marked.
    other = PageFacts(
        (preview_build / "2026/01/06/allies-meet-in-kyiv-security-advisers/index.html").read_text(
            encoding="utf-8"
        )
    )
    assert "Draft" not in other.banner and "EMBARGOED" not in other.banner


def test_embargoed_stories_appear_only_with_embargoed_under_their_banner(
    preview_build: Path, embargoed_build: Path
) -> None:
    assert not (preview_build / EMBARGOED).exists()
    assert "five-questions-for-the-spring" not in (preview_build / "index.html").read_text(
        encoding="utf-8"
    )
    story = (embargoed_build / EMBARGOED).read_text(encoding="utf-8")
    banner = PageFacts(story).banner
    assert "EMBARGOED until 1 March 2027, 08:00 EET" in banner
    assert (
        '<p class="dl-embargo">EMBARGOED until <time datetime="2027-03-01T08:00:00+02:00">' in story
    )
    lite = PageFacts((embargoed_build / "lite" / EMBARGOED).read_text(encoding="utf-8"))
    assert "EMBARGOED until" in lite.banner
    front = (embargoed_build / "index.html").read_text(encoding="utf-8")
    assert '<span class="dl-mark dl-embargoed">Embargoed</span>' in front
    # The published stories carry no embargo banner.
    assert (
        "EMBARGOED" not in PageFacts((embargoed_build / DRAFT).read_text(encoding="utf-8")).banner
    )


def test_the_production_build_carries_none_of_the_preview_marks(sample_build: Path) -> None:
    files = output_files(sample_build)
    for rel, data in files.items():
        assert b"dl-preview" not in data and BANNER.encode() not in data, rel
        assert b"noindex,nofollow" not in data, rel
    story = PageFacts(
        (sample_build / "2026/01/06/allies-meet-in-kyiv-security-advisers/index.html").read_text(
            encoding="utf-8"
        )
    )
    assert story.robots == [] and story.banners == 0
    assert "sitemap.xml" in files and "feed.xml" in files
    assert files["robots.txt"].startswith(b"User-agent: *\nAllow: /\n")
    assert "preview" not in json.loads(files[MANIFEST])
    assert not is_preview(sample_build)
    assert not (sample_build / DRAFT).exists()


def test_the_manifest_marks_a_preview_exactly_and_old_manifests_still_read(
    tmp_path: Path,
) -> None:
    hashes = {"index.html": "ab" * 32, "a/b.html": "cd" * 32}
    for files in (hashes, {}):
        marked = Manifest(files, preview=True).text()
        assert (
            marked == json.dumps({"files": files, "preview": True}, indent=0, sort_keys=True) + "\n"
        )
        assert (
            Manifest(files).text() == json.dumps({"files": files}, indent=0, sort_keys=True) + "\n"
        )
    (tmp_path / MANIFEST).write_text(Manifest(hashes, preview=True).text(), encoding="utf-8")
    assert is_preview(tmp_path)
    (tmp_path / MANIFEST).write_text(json.dumps({"files": hashes}), encoding="utf-8")
    assert not is_preview(tmp_path)  # a manifest from before previews: a production build
    for damaged in ('{"files": {}, "preview": "yes"}', "[true]", "{not json"):
        (tmp_path / MANIFEST).write_text(damaged, encoding="utf-8")
        assert not is_preview(tmp_path)
    (tmp_path / MANIFEST).unlink()
    assert not is_preview(tmp_path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--embargoed"], "dateline build: error: --embargoed needs --preview\n"),
        (["--label", "PR 42"], "dateline build: error: --label needs --preview\n"),
    ],
)
def test_preview_flags_without_preview_are_a_usage_error(
    tmp_path: Path, args: list[str], message: str
) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    result = run_cli("build", "--site", str(site), *args)
    assert (result.code, result.err) == (2, message)
    assert not (site / "output").exists()


def test_a_label_is_one_short_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    result = run_cli("build", "--site", str(site), "--preview", "--label", "PR 42\n<b>")
    assert result.code == 2
    assert "the label must be one line of printable text: 'PR 42\\n<b>'" in result.err
    result = run_cli("build", "--site", str(site), "--preview", "--label", "x" * 101)
    assert result.code == 2 and "at most 100 characters, got 101" in result.err


def test_a_theme_that_leaves_preview_pages_unmarked_fails_the_preview(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    base = (DEFAULT_THEME_DIR / "templates/base.html").read_text(encoding="utf-8")
    own = base.replace('{% if preview %}{% include "_preview_banner.html" %}{% endif %}\n', "")
    assert own != base
    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "base.html").write_text(own, encoding="utf-8")
    result = run_cli("build", "--site", str(site), "--clock", CLOCK, "--preview")
    assert result.code == 1
    assert (
        'article.html: a preview page must be marked: include "_preview_head.html" in <head> '
        'and "_preview_banner.html" first in <body>, as the default theme\'s base.html does '
        "(rendering /2026/01/06/a/)\n"
    ) in result.err
    assert not (site / "output").exists()
    assert run_cli("build", "--site", str(site), "--clock", CLOCK).code == 0


# --- The engine's caches: a preview and a build into one folder stay exact ----------------


def small_site(root: Path, search: bool = True) -> Path:
    """A draft, a story scheduled after the clock, an alias, a translation: all a preview marks."""
    config = "" if search else "search: false\n"
    return make_site(
        root,
        {
            "content/articles/a.md": article(
                "Talks in Kyiv", extra="tags: [kyiv]\naliases: [/2026/01/05/talks/]\n"
            ),
            "content/articles/a-uk.md": article(
                "Переговори в Києві", extra="lang: uk\ntranslation_of: a\ntags: [kyiv]\n"
            ),
            "content/articles/b.md": article(
                "Shelling near Kharkiv",
                date="2026-02-01T08:00:00+02:00",
                section="conflict",
                extra="draft: true\ntags: [kyiv]\n",
            ),
            "content/articles/c.md": article(
                "The spring offensive", date="2026-12-01T08:00:00+02:00", extra="tags: [kyiv]\n"
            ),
            "site.yaml": SITE_YAML + config,
        },
    )


def options(site: Path, out: Path, cache: Path | None, **kind: bool | str) -> BuildOptions:
    """Build options at the test clock; `kind` sets preview, label, embargoed or drafts."""
    base = BuildOptions(site_dir=site, output_dir=out, now=NOW, cache_dir=cache, jobs=1)
    return replace(base, **kind)


def clean_build(opts: BuildOptions, scratch: Path) -> dict[str, bytes]:
    """A fresh build of the same kind, with no cache and no session."""
    out = scratch / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(replace(opts, output_dir=out, cache_dir=None))
    return output_files(out)


LATER = datetime.fromisoformat("2026-12-02T12:00:00+02:00")  # the scheduled story is out
STEPS: list[tuple[datetime, dict[str, bool | str]]] = [
    (NOW, {}),
    (NOW, {"preview": True, "label": "PR 1"}),
    (NOW, {"preview": True, "label": "PR 2"}),
    (NOW, {"preview": True, "label": "PR 2", "embargoed": True}),
    (NOW, {}),
    (NOW, {"preview": True, "label": "PR 2", "embargoed": True}),
    (LATER, {"preview": True, "label": "PR 2", "embargoed": True}),  # the embargo lifted
    (LATER, {}),
    (LATER, {"preview": True, "label": "PR 2"}),
    (LATER, {"drafts": True}),  # a build with drafts is still no preview
]


@pytest.mark.parametrize("with_session", [True, False], ids=["watch-session", "cache-only"])
def test_previews_and_builds_alternating_in_one_folder_each_equal_a_clean_build(
    tmp_path: Path, with_session: bool
) -> None:
    site = small_site(tmp_path / "site")
    out = tmp_path / "out"
    session = Session(quick_search=False) if with_session else None
    for now, kind in STEPS:
        opts = replace(options(site, out, site / ".cache", **kind), now=now)
        build(opts, session=session)
        assert output_files(out) == clean_build(opts, tmp_path), f"differs after {kind} at {now}"
        assert is_preview(out) == bool(kind.get("preview")), kind


def test_a_preview_sessions_quick_saves_equal_a_clean_preview(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", search=False)
    out = tmp_path / "out"
    session = Session()
    opts = options(site, out, site / ".cache", preview=True, label="PR 7", embargoed=True)
    assert not build(opts, session=session).partial
    for rel in ("content/articles/a.md", "content/articles/b.md", "content/articles/c.md"):
        path = site / rel
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        result = build(opts, session=session, changed=frozenset({rel}))
        assert result.partial, rel
        assert output_files(out) == clean_build(opts, tmp_path), f"{rel}: differs from clean"
    assert is_preview(out)


def test_a_preview_does_not_record_published_urls(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", search=False)
    cache = site / ".cache"
    build(options(site, tmp_path / "out", cache, preview=True))
    assert not (cache / "published.json").exists()
    build(options(site, tmp_path / "out", cache))
    published = json.loads((cache / "published.json").read_text(encoding="utf-8"))
    assert "content/articles/b.md" not in json.dumps(published)  # the draft


# --- The banner is accessible: valid HTML, no axe violations in either colour scheme ------


@pytest.mark.java
def test_preview_pages_are_valid_html(embargoed_build: Path) -> None:
    java = require_java()
    run = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--format", "json", "--skip-non-html", str(embargoed_build)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stderr)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]
    assert errors == []


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_preview_pages_have_no_axe_violations(
    browser: Any, embargoed_build: Path, scheme: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    picks = [*page_types(embargoed_build), DRAFT, EMBARGOED, "lite/" + EMBARGOED]
    handler = functools.partial(QuietHandler, directory=str(embargoed_build))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(color_scheme=scheme)
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        for rel in picks:
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{rel}")
            assert page.locator("aside.dl-preview").is_visible(), rel
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            violations = results.response["violations"]
            if violations:
                found[rel] = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in violations]
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_a_preview_for_a_host_with_headers_tells_robots_to_keep_away(tmp_path: Path) -> None:
    """With host: netlify, a preview's _headers add X-Robots-Tag; production's do not."""
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    (site / "site.yaml").write_text(
        (site / "site.yaml").read_text(encoding="utf-8") + "host: netlify\n", encoding="utf-8"
    )
    assert run_cli("build", "--site", str(site), "--clock", CLOCK, "--preview").code == 0
    assert "  X-Robots-Tag: noindex, nofollow" in (site / "output/_headers").read_text("utf-8")
    assert run_cli("build", "--site", str(site), "--clock", CLOCK).code == 0
    assert "X-Robots-Tag" not in (site / "output/_headers").read_text("utf-8")
