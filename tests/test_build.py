"""End to end: small sites written inline, built by the CLI, checked through their output."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pytest
from PIL import Image as PILImage

from gen.outputs.state import MANIFEST
from tests.conftest import CLOCK, SITE_YAML, article, build, make_site, output_files, run_cli

LINK_ATTRS = ("href", "src")


def news_site(root: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    """Four stories, two authors, tags, a lead image and a Cyrillic heading."""
    files: dict[str, str | bytes] = {
        "content/authors/oksana-hnatiuk.yaml": "name: Oksana Hnatiuk\nrole: Photographer\n",
        "content/articles/2026/kyiv-talks.md": article(
            extra="tags: [Ukraine, diplomacy]\nimage: images/photo.png\n"
            "image_alt: Delegates\nimage_credit: Agency\n",
            body="Advisers met in [Kyiv](/tag/ukraine/).\n\n![Map](images/photo.png)\n\n"
            "## Переговори\n\nText.\n",
        ),
        "content/articles/2026/strikes.md": article(
            "Strikes",
            date="2026-01-07",
            section="conflict",
            author="oksana-hnatiuk",
            extra="tags: [Ukraine]\n",
        ),
        "content/articles/2025/grain.md": article("Grain", date="2025-12-20"),
        "content/articles/2025/power.md": article("Power", date="2025-12-21", section="conflict"),
    }
    return make_site(root, {**files, **(extra or {})})


def html_pages(out: Path) -> dict[str, lxml.html.HtmlElement]:
    return {
        p.relative_to(out).as_posix(): lxml.html.fromstring(p.read_bytes())
        for p in sorted(out.rglob("*.html"))
    }


def internal_links(doc: lxml.html.HtmlElement) -> list[str]:
    """Every href/src that points into the site: no scheme, no host, not just a fragment."""
    links = []
    for el in doc.iter():
        for attr in LINK_ATTRS:
            value = el.get(attr) if isinstance(el.tag, str) else None
            if value is None or value.startswith("#"):
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                continue
            links.append(value)
    return links


def target_file(out: Path, link: str, base_path: str) -> Path:
    """The output file a root-relative site link points at."""
    path = urlsplit(link).path
    assert path.startswith(base_path), link
    rel = path[len(base_path) :]
    return out / rel / "index.html" if rel.endswith("/") or rel == "" else out / rel


def test_every_page_of_a_sub_path_site_stays_under_the_sub_path(tmp_path: Path) -> None:
    site = news_site(tmp_path)
    result = build(site, "--base-url", "https://example.org/news/")
    assert result.code == 0, result.err
    pages = html_pages(site / "output")
    assert len(pages) > 10
    for rel, doc in pages.items():
        for link in internal_links(doc):
            assert link.startswith("/news/"), f"{rel}: {link}"
        for canonical in doc.xpath("//link[@rel='canonical']/@href"):
            assert canonical.startswith("https://example.org/news/"), f"{rel}: {canonical}"
        for meta in doc.xpath("//meta[starts-with(@property, 'og:') and @content]"):
            if meta.get("property") in ("og:url", "og:image"):
                assert meta.get("content").startswith("https://example.org/news/"), rel


def test_sitemap_urls_of_a_sub_path_site_stay_under_it(tmp_path: Path) -> None:
    site = news_site(tmp_path)
    assert build(site, "--base-url", "https://example.org/news/").code == 0
    tree = lxml.etree.parse(str(site / "output/sitemap.xml"))
    locs = [el.text for el in tree.iter() if isinstance(el.tag, str) and el.tag.endswith("loc")]
    assert locs
    assert all(loc.startswith("https://example.org/news/") for loc in locs), locs


@pytest.mark.parametrize("base_url", ["https://example.org/", "https://example.org/news/"])
def test_every_internal_link_leads_to_a_built_file(tmp_path: Path, base_url: str) -> None:
    site = news_site(tmp_path)
    assert build(site, "--base-url", base_url).code == 0
    out = site / "output"
    base_path = urlsplit(base_url).path
    broken = [
        f"{rel}: {link}"
        for rel, doc in html_pages(out).items()
        for link in internal_links(doc)
        if not target_file(out, link, base_path).is_file()
    ]
    assert broken == []


def test_the_sample_site_has_no_broken_internal_links(sample_build: Path) -> None:
    broken = [
        f"{rel}: {link}"
        for rel, doc in html_pages(sample_build).items()
        for link in internal_links(doc)
        if not target_file(sample_build, link, "/").is_file()
    ]
    assert broken == []


def test_every_html_page_has_one_h1_and_a_language(tmp_path: Path) -> None:
    site = news_site(tmp_path)
    assert build(site).code == 0
    for rel, doc in html_pages(site / "output").items():
        if doc.xpath("//meta[@http-equiv='refresh']"):
            continue  # a redirect stub, not a page
        assert len(doc.xpath("//h1")) == 1, rel
        assert doc.get("lang"), rel


def test_a_site_builds_the_pages_it_promises(tmp_path: Path) -> None:
    site = news_site(tmp_path)
    assert build(site).code == 0
    built = set(output_files(site / "output"))
    assert {
        "index.html",
        "page/2/index.html",
        "404.html",
        "2026/01/06/kyiv-talks/index.html",
        "2026/01/07/strikes/index.html",
        "2025/12/20/grain/index.html",
        "section/conflict/index.html",
        "section/diplomacy/index.html",
        "tag/ukraine/index.html",
        "tag/diplomacy/index.html",
        "author/david-okafor/index.html",
        "author/oksana-hnatiuk/index.html",
        "archive/index.html",
        "archive/2026/01/index.html",
        "archive/2025/12/index.html",
        "images/photo.png",
        "static/style.css",
        MANIFEST,
    } <= built


def test_two_builds_in_one_process_behave_like_fresh_runs(tmp_path: Path) -> None:
    first = news_site(tmp_path / "first")
    other = make_site(
        tmp_path / "other",
        {
            "site.yaml": SITE_YAML.replace("Test Ledger", "Other Paper").replace(
                "per_page: 2", "per_page: 1"
            ),
            "content/articles/x.md": article("X", extra="tags: [x]\n"),
        },
    )
    assert build(first, "--output", str(tmp_path / "a")).code == 0
    assert build(other, "--output", str(tmp_path / "b")).code == 0
    assert build(first, "--output", str(tmp_path / "c")).code == 0
    assert output_files(tmp_path / "a") == output_files(tmp_path / "c")


def test_a_bad_key_is_reported_at_its_exact_line(tmp_path: Path) -> None:
    text = (
        "---\n"
        "title: Allies meet\n"
        "author: david-okafor\n"
        "date: 2026-01-06T09:30:00+02:00\n"
        "section: diplomacy\n"
        "tags:\n"
        "  - ukraine\n"
        "image:\n"
        "  src: images/photo.png\n"
        "  alt: Delegates\n"
        "  credit: Agency\n"
        "  captoin: A typo\n"
        "---\n\nText.\n"
    )
    site = make_site(tmp_path, {"content/articles/a.md": text})
    result = build(site)
    assert result.code == 1
    [first, *_] = result.err.splitlines()
    path, line, message = first.split(":", 2)
    assert path == "content/articles/a.md"
    assert text.splitlines()[int(line) - 1] == "  captoin: A typo"
    assert message == " unknown key 'image.captoin'; did you mean 'caption'?"


def test_drafts_are_built_only_with_the_flag(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article("A"),
            "content/articles/d.md": article("D", extra="draft: true\ntags: [secret]\n"),
        },
    )
    assert build(site).code == 0
    assert not (site / "output/2026/01/06/d").exists()
    assert not (site / "output/tag/secret").exists()
    assert build(site, "--drafts").code == 0
    assert (site / "output/2026/01/06/d/index.html").is_file()
    assert (site / "output/tag/secret/index.html").is_file()
    assert build(site).code == 0
    assert not (site / "output/2026/01/06/d").exists()


def test_a_failed_build_after_a_good_one_changes_nothing(tmp_path: Path) -> None:
    site = news_site(tmp_path)
    assert build(site).code == 0
    before = output_files(site / "output")
    (site / "content/articles/2026/strikes.md").write_text(
        article("Strikes", section="sport"), encoding="utf-8"
    )
    assert build(site).code == 1
    assert output_files(site / "output") == before


def test_an_empty_site_still_has_a_front_page_and_404(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = run_cli("build", "--site", str(site), "--clock", CLOCK)
    assert result.code == 0, result.err
    front = lxml.html.fromstring((site / "output/index.html").read_bytes())
    assert "No articles yet." in front.text_content()
    assert (site / "output/404.html").is_file()


def photo(fmt: str, width: int, height: int) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), "grey").save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_srcsets_name_built_files_with_distinct_widths(tmp_path: Path, fmt: str) -> None:
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    lead = f"image: images/lead.{ext}\nimage_alt: A street\nimage_credit: Agency\n"
    site = make_site(
        tmp_path,
        {
            f"content/images/lead.{ext}": photo(fmt, 1100, 700),
            "content/articles/a.md": article(extra=lead),
        },
    )
    assert build(site, "--base-url", "https://example.org/news/").code == 0
    out = site / "output"
    doc = lxml.html.fromstring((out / "2026/01/06/a/index.html").read_bytes())
    srcsets = doc.xpath("//main//@srcset")
    assert srcsets
    for srcset in srcsets:
        candidates = [c.split() for c in srcset.split(",")]
        widths = [descriptor for _, descriptor in candidates]
        assert len(widths) == len(set(widths)), srcset
        for url, _ in candidates:
            assert target_file(out, url, "/news/").is_file(), url
    [img] = doc.xpath("//main//figure//img")
    assert (img.get("width"), img.get("height")) == ("1100", "700")
