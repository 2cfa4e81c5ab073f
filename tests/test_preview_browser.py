"""Live reload in a real Chromium: saves update the open page; mistakes show, then go."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gen.preview.session import Preview
from tests.conftest import PreviewStarter, article, make_site, vim_save

pytestmark = pytest.mark.browser

TIMEOUT_MS = 20_000
ARTICLE = "content/articles/a.md"
ARTICLE_URL = "2026/01/06/a/"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    yield tab
    context.close()


def open_article(page: Any, preview: Preview) -> None:
    """Open the article and wait until its live-reload stream is connected."""
    page.goto(preview.url + ARTICLE_URL)
    mark_page(page)


def mark_page(page: Any) -> None:
    """Tag this document, so a reload (a new document) can be told apart."""
    page.evaluate("window.__sameDocument = true")


def reloaded(page: Any) -> None:
    """Wait for the open page to have reloaded by itself."""
    page.wait_for_function("window.__sameDocument === undefined", timeout=TIMEOUT_MS)


def test_vim_style_save_updates_the_open_page(
    tmp_path: Path, start_preview: PreviewStarter, page: Any
) -> None:
    site = make_site(tmp_path, {ARTICLE: article("Allies meet in Kyiv")})
    preview = start_preview(site)
    open_article(page, preview)
    assert "Allies meet in Kyiv" in page.locator("h1").inner_text()
    vim_save(site / ARTICLE, article("Allies meet again in Kyiv"))
    page.get_by_role("heading", name="Allies meet again in Kyiv").wait_for()
    reloaded(page)


def test_error_overlay_shows_file_and_line_then_goes_after_a_fix(
    tmp_path: Path, start_preview: PreviewStarter, page: Any
) -> None:
    site = make_site(tmp_path, {ARTICLE: article("Allies meet in Kyiv")})
    preview = start_preview(site)
    open_article(page, preview)
    vim_save(site / ARTICLE, article("Allies meet in Kyiv", extra="titel: typo\n"))
    overlay = page.get_by_role("alert")
    overlay.wait_for()
    text = overlay.inner_text()
    assert "Build failed" in text
    assert f"{ARTICLE}:6: unknown front matter key 'titel'" in text
    assert page.locator("h1").first.inner_text() == "Allies meet in Kyiv"  # the last good page
    vim_save(site / ARTICLE, article("Allies meet in Kyiv, fixed"))
    page.get_by_role("heading", name="Allies meet in Kyiv, fixed").wait_for()
    assert page.locator("#dateline-errors").count() == 0


def test_page_opened_after_a_failed_build_shows_the_overlay(
    tmp_path: Path, start_preview: PreviewStarter, page: Any
) -> None:
    site = make_site(tmp_path, {ARTICLE: article()})
    preview = start_preview(site)
    vim_save(site / ARTICLE, article(extra="titel: typo\n"))
    assert preview.wait_for_builds(2, 30)
    page.goto(preview.url + ARTICLE_URL)
    page.get_by_role("alert").get_by_text(f"{ARTICLE}:6:").wait_for()
    page.get_by_role("button", name="Hide").click()
    assert page.locator("#dateline-errors").count() == 0


def test_stylesheet_change_swaps_it_without_a_reload(
    tmp_path: Path, start_preview: PreviewStarter, page: Any
) -> None:
    style = "themes/default/static/style.css"
    site = make_site(tmp_path, {ARTICLE: article(), style: "h1 { color: rgb(0, 0, 255); }\n"})
    preview = start_preview(site)
    open_article(page, preview)
    color = "getComputedStyle(document.querySelector('h1')).color"
    assert page.evaluate(color) == "rgb(0, 0, 255)"
    vim_save(site / style, "h1 { color: rgb(255, 0, 0); }\n")
    page.wait_for_function(f"{color} === 'rgb(255, 0, 0)'", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__sameDocument") is True


def test_editorial_findings_show_in_a_panel_that_does_not_block_the_page(
    tmp_path: Path, start_preview: PreviewStarter, page: Any
) -> None:
    """A save's findings for the story it edited (a pasted paragraph, a link to nowhere) show
    at the foot of the page that was built anyway; a clean save clears them."""
    site = make_site(tmp_path, {ARTICLE: article("Allies meet in Kyiv")})
    preview = start_preview(site)
    open_article(page, preview)
    pasted = "National security advisers from 18 countries met in Kyiv on Saturday.\n\n"
    body = pasted + "They talked.\n\n" + pasted + "See [the plan](/2026/01/06/no-such-story/).\n"
    vim_save(site / ARTICLE, article("Allies meet in Kyiv, again", body=body))
    page.get_by_role("heading", name="Allies meet in Kyiv, again").wait_for()  # built
    panel = page.get_by_role("status").filter(has_text="Editorial checks")
    panel.wait_for()
    text = panel.inner_text()
    assert (
        f"{ARTICLE}:12:1: error duplicate-paragraph: repeats the paragraph at line 8 word for "
        "word (delete one of them)"
    ) in text
    assert "broken-link: links to /2026/01/06/no-such-story/" in text
    assert page.locator("#dateline-errors").count() == 0  # no build-failed overlay
    vim_save(site / ARTICLE, article("Allies meet in Kyiv, tidied"))
    page.get_by_role("heading", name="Allies meet in Kyiv, tidied").wait_for()
    page.locator("#dateline-notes").wait_for(state="detached")
