"""An embed in Chromium, served with the site's Content-Security-Policy: the card asks
nothing of the provider until Load is pressed, then the player loads (from a local stand-in:
the test is offline). The page is valid (Nu) and accessible (axe) before and after."""

from __future__ import annotations

import functools
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import SITE_YAML, article, build, make_site, require_java
from tests.test_csp_browser import LISTEN, headers_for_every_path
from tests.test_pages_valid import vnu_jar

pytestmark = pytest.mark.browser

BODY = """\
The mayor spoke after the night's strikes.

[The mayor's briefing, 3 March](https://www.youtube.com/watch?v=dQw4w9WgXcQ "embed")

https://t.me/ukrainenow/12345

Power returned by noon.
"""
PLAYER = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A site with two embeds for Netlify, served with the `/*` headers of its `_headers`."""
    site = make_site(
        tmp_path_factory.mktemp("embeds"),
        {
            "site.yaml": SITE_YAML + "host: netlify\n",
            "content/articles/briefing.md": article("The mayor's briefing", body=BODY),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    out = site / "output"
    headers = headers_for_every_path((out / "_headers").read_text(encoding="utf-8"))

    class Host(SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            for name, value in headers:
                self.send_header(name, value)
            super().end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Host, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    [page] = out.glob("2026/01/06/*/index.html")
    try:
        yield (
            f"http://127.0.0.1:{server.server_port}/{page.parent.relative_to(out).as_posix()}/",
            page,
        )
    finally:
        server.shutdown()
        server.server_close()


def axe_violations(tab: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": tags}})
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def test_a_card_asks_nothing_of_the_provider_until_load(
    browser: Any, served: tuple[str, Path]
) -> None:
    url, _ = served
    context = browser.new_context()
    elsewhere: list[str] = []

    def route(request_route: Any) -> None:
        request = request_route.request
        host = urlsplit(request.url).hostname
        if host == "127.0.0.1":
            request_route.continue_()
            return
        elsewhere.append(request.url)
        if request.url == PLAYER:  # the provider's player, stood in for locally
            request_route.fulfill(
                status=200,
                content_type="text/html",
                body="<!doctype html><title>Player</title><p id=stub>Stand-in player</p>",
            )
        else:
            request_route.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.add_init_script(LISTEN)
    violations: list[str] = []
    tab.on("console", lambda m: violations.append(m.text) if "CSP" in m.text else None)
    try:
        tab.goto(url)
        tab.wait_for_load_state("networkidle")
        cards = tab.locator("figure.embed")
        assert cards.count() == 2
        load = tab.get_by_role("button", name="Load YouTube video")
        load.wait_for()  # static/embed.js showed the button
        assert tab.locator("iframe").count() == 0
        assert elsewhere == []  # no request has left the site
        assert axe_violations(tab) == []

        load.click()
        frame = tab.locator("figure.embed iframe")
        frame.wait_for()
        assert frame.get_attribute("src") == PLAYER
        assert frame.get_attribute("title") == "YouTube video"
        stub = tab.frame_locator("figure.embed iframe").locator("#stub")
        assert stub.inner_text() == "Stand-in player"
        assert elsewhere == [PLAYER]  # the one provider asked, and only after the click
        assert tab.locator("button.embed-load").count() == 1  # Telegram's still waits
        assert axe_violations(tab) == []
        assert violations == []
    finally:
        context.close()


@pytest.mark.java
def test_a_page_with_cards_is_valid_html(served: tuple[str, Path]) -> None:
    _, page = served
    run = subprocess.run(
        [require_java(), "-jar", str(vnu_jar()), "--format", "json", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(run.stderr)["messages"]
    assert [m["message"] for m in messages if m["type"] in ("error", "non-document-error")] == []
