"""Builds that reuse work (the cache, a watch session) must equal a clean build, step by step."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from gen.config import BuildOptions
from gen.pages.theme import DEFAULT_THEME_DIR
from gen.pipeline import Session, build
from tests.conftest import CLOCK, article, make_site, output_files, png

NOW = datetime.fromisoformat(CLOCK)


def options(site: Path, output: Path, cache: Path | None) -> BuildOptions:
    # Without the editorial rules: url-changed compares with what the last build published,
    # and these steps move stories on purpose (tests/test_check.py holds its tests).
    return BuildOptions(
        site_dir=site, output_dir=output, now=NOW, cache_dir=cache, jobs=1, checks=False
    )


def clean_build(site: Path, scratch: Path) -> dict[str, bytes]:
    """The output of a fresh build with no cache and no session."""
    out = scratch / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(options(site, out, None))
    return output_files(out)


@pytest.mark.parametrize("with_session", [True, False], ids=["watch-session", "cache-only"])
def test_every_incremental_step_equals_a_clean_build(tmp_path: Path, with_session: bool) -> None:
    site = make_site(
        tmp_path / "site",
        {
            "content/authors/olena-kovalenko.yaml": "name: Olena Kovalenko\nrole: Reporter\n",
            "content/images/map.png": png(64, 36),
            "content/articles/a.md": article(
                "Talks in Kyiv",
                extra="tags: [kyiv, talks]\nimage: {src: images/map.png, alt: A map, credit: Us}\n",
            ),
            "content/articles/b.md": article(
                "Shelling near Kharkiv",
                date="2026-02-01T08:00:00+02:00",
                section="conflict",
                extra="tags: [kharkiv]\n",
            ),
            "content/articles/c.md": article(
                "Grain talks", date="2026-03-01T08:00:00+02:00", extra="tags: [talks]\n"
            ),
        },
    )
    out = tmp_path / "out"
    # The preview reuses the last search index between saves; everything else must be exact.
    session = Session(quick_search=False) if with_session else None
    cache = site / ".cache"

    def step() -> None:
        build(options(site, out, cache), session=session)
        assert output_files(out) == clean_build(site, tmp_path), "differs from a clean build"

    step()
    # Edit an article's body and its title (lists, feeds, related links all change).
    (site / "content/articles/a.md").write_text(
        article("Allies meet in Kyiv", extra="tags: [kyiv, talks]\n", body="New lede.\n"),
        encoding="utf-8",
    )
    step()
    # Add an article that shares a tag (front page, tag page, neighbours' related links).
    (site / "content/articles/d.md").write_text(
        article(
            "More talks",
            date="2026-03-05T08:00:00+02:00",
            author="olena-kovalenko",
            extra="tags: [talks]\n",
        ),
        encoding="utf-8",
    )
    step()
    # Rename one, delete another.
    (site / "content/articles/c.md").rename(site / "content/articles/grain.md")
    (site / "content/articles/b.md").unlink()
    step()
    # Change an author's name (bylines everywhere), an image's pixels, a template, site.yaml.
    (site / "content/authors/olena-kovalenko.yaml").write_text(
        "name: Olena Kovalenko-Shevchuk\nrole: Bureau chief\n", encoding="utf-8"
    )
    step()
    (site / "content/images/map.png").write_bytes(png(80, 45))
    (site / "content/articles/a.md").write_text(
        article(
            "Allies meet in Kyiv", extra="image: {src: images/map.png, alt: A map, credit: Us}\n"
        ),
        encoding="utf-8",
    )
    step()
    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost</h1>{% endblock %}\n', encoding="utf-8"
    )
    base = (DEFAULT_THEME_DIR / "templates/base.html").read_text()
    (theme / "base.html").write_text(base.replace("</footer>", "<p>Edition</p></footer>"))
    step()
    config = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(
        config.replace("title: Test Ledger", "title: Kyiv Ledger"), encoding="utf-8"
    )
    step()


def test_a_theme_that_lists_every_article_on_each_page_is_never_stale(tmp_path: Path) -> None:
    """A custom footer reading `site.articles` is seen while rendering: such pages are never
    kept from the last build, so a new story shows on every one of them."""
    site = make_site(
        tmp_path / "site",
        {
            "content/articles/a.md": article("Talks in Kyiv"),
            "content/articles/b.md": article("Grain talks", date="2026-02-01T08:00:00+02:00"),
        },
    )
    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    base = (DEFAULT_THEME_DIR / "templates/base.html").read_text()
    latest = (
        '<ul class="latest">{% for a in site.articles[:3] %}<li>{{ a.title }}</li>{% endfor %}</ul>'
    )
    (theme / "base.html").write_text(base.replace("</footer>", latest + "</footer>"))
    out, cache = tmp_path / "out", site / ".cache"
    for session in (None, Session(quick_search=False)):
        build(options(site, out, cache), session=session)
        (site / "content/articles/c.md").write_text(
            article("Ceasefire monitors arrive", date="2026-03-01T08:00:00+02:00"),
            encoding="utf-8",
        )
        build(options(site, out, cache), session=session)
        page = (out / "2026/01/06/a/index.html").read_text(encoding="utf-8")
        assert "<li>Ceasefire monitors arrive</li>" in page
        assert output_files(out) == clean_build(site, tmp_path)
        (site / "content/articles/c.md").unlink()


def test_a_warm_build_renders_only_what_changed(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site",
        {
            "content/articles/a.md": article("Talks in Kyiv"),
            "content/articles/b.md": article("Grain talks", date="2026-02-01T08:00:00+02:00"),
        },
    )
    out, cache = tmp_path / "out", site / ".cache"
    first = build(options(site, out, cache))
    assert first.rendered > 10  # every page
    again = build(options(site, out, cache))
    # Nothing changed: not even the pages that read the whole site (404, the archive) are
    # made, as the values of what they read (`site.articles`, `site.months`) are the same.
    assert again.rendered == 0, again.rendered
    assert again.written == 0
    # An edited body: its page and its text-only copy, not the other story's pages.
    (site / "content/articles/b.md").write_text(
        article("Grain talks", date="2026-02-01T08:00:00+02:00", body="A new lede.\n"),
        encoding="utf-8",
    )
    edited = build(options(site, out, cache))
    assert 2 < edited.rendered < first.rendered, (edited.rendered, first.rendered)
    assert "A new lede." in (out / "2026/02/01/b/index.html").read_text()
    # A page changed by hand in the output is not trusted: it is rendered again.
    page = out / "2026/01/06/a/index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"Talks in Kyiv", b"Tampered"))
    build(options(site, out, cache))
    assert page.read_bytes() == good
    assert output_files(out) == clean_build(site, tmp_path)
