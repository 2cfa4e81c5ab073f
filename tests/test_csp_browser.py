"""Every kind of page of the sample site in Chromium, served with the Content-Security-Policy
exactly as the build wrote it in `_headers`: not one violation, scripts and search working."""

from __future__ import annotations

import functools
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLOCK, REPO, run_cli

pytestmark = pytest.mark.browser

TIMEOUT_MS = 20_000
LIVE = "content/live/kyiv-overnight-attack"
# Reported to the console, where the test collects it across navigations (a redirect page
# is left at once, taking its own window with it).
LISTEN = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI +
                " in " + e.sourceFile + ":" + e.lineNumber + " " + e.sample);
});
"""


def headers_for_every_path(headers_file: str) -> list[tuple[str, str]]:
    """The headers of the `/*` rule of a `_headers` file, as written."""
    found: list[tuple[str, str]] = []
    rule = ""
    for line in headers_file.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            rule = line
        elif rule == "/*":
            name, _, value = line.strip().partition(": ")
            found.append((name, value))
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The sample site for Netlify, its live blog long enough to come in parts, served as a
    host serves it: the `/*` headers of its `_headers` on every response, 404.html for a
    missing page."""
    site = tmp_path_factory.mktemp("csp") / "site"
    shutil.copytree(REPO / "content", site / "content")
    config = (REPO / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(config + "host: netlify\n", encoding="utf-8")
    for n in range(21):  # with the blog's own five, past the 20 of a part
        (site / LIVE / f"extra-{n:02d}.md").write_text(
            f"---\ntime: 2026-11-26T{15 + n // 6}:{n % 6 * 10:02d}:00+02:00\n"
            f"author: olena-kovalenko\nheadline: Repairs continue, report {n}\n---\n\n"
            "Crews restored power to more homes in the districts hit overnight.\n",
            encoding="utf-8",
        )
    out = site / "output"
    result = run_cli("build", "--site", str(site), "--clock", CLOCK)
    assert result.code == 0, result.err
    headers = headers_for_every_path((out / "_headers").read_text(encoding="utf-8"))
    assert headers[0][0] == "Content-Security-Policy"

    class Host(SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            for name, value in headers:
                self.send_header(name, value)
            super().end_headers()

        def send_error(self, code: int, message: str | None = None, explain: Any = None) -> None:
            if code != 404:
                super().send_error(code, message, explain)
                return
            body = (out / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Host, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", out
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A fresh tab listening for violations, and the CSP messages it collected."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.add_init_script(LISTEN)
    messages: list[str] = []
    tab.on(
        "console",
        lambda m: (
            messages.append(m.text)
            if "Content Security Policy" in m.text or "CSP violation" in m.text
            else None
        ),
    )
    yield tab, messages
    context.close()


def first_page(out: Path, pattern: str, under: str = "") -> str:
    """The URL path of the first page (in path order) whose HTML matches `pattern`."""
    for path in sorted((out / under).rglob("index.html")):
        if re.search(pattern, path.read_text(encoding="utf-8")):
            return "/" + path.parent.relative_to(out).as_posix() + "/"
    raise AssertionError(f"no page matches {pattern!r}")


def test_the_policy_has_nothing_unsafe(served: tuple[str, Path]) -> None:
    _, out = served
    headers = dict(headers_for_every_path((out / "_headers").read_text(encoding="utf-8")))
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp


def test_no_page_of_any_kind_violates_the_policy(
    served: tuple[str, Path], page: tuple[Any, list[str]]
) -> None:
    base, out = served
    tab, messages = page
    table = first_page(out, r'style="text-align', "2026")  # alignment: hashed attributes
    live = "/live/kyiv-overnight-attack/"
    pages = [
        "/",
        table,
        live,
        "/section/conflict/",
        "/tag/kyiv/",
        "/author/olena-kovalenko/",
        "/archive/2026/01/",
        "/lite/",
        "/lite" + table,  # its inline <style>
        "/corrections/",
    ]
    for path in pages:
        response = tab.goto(base + path)
        assert response is not None and response.status == 200, path
        tab.wait_for_load_state("load")
    assert tab.goto(base + "/no-such-story/").status == 404  # type: ignore[union-attr]
    assert tab.locator("h1").count() == 1

    # An alias's meta-refresh page sends the reader on.
    tab.goto(base + "/2026/01/06/allies-meet-in-kyiv/")
    tab.wait_for_url(base + "/2026/01/06/allies-meet-in-kyiv-security-advisers/")

    # The live blog in parts: a link to an update on the other part is forwarded by
    # static/live.js, which reads anchors.json.
    assert tab.goto(base + live).ok  # type: ignore[union-attr]
    assert tab.locator("script[src*='live.js']").count() == 1
    tab.goto(base + live + "part/2/#update-0215-sirens")
    tab.wait_for_url(re.compile(r"/part/1/#update-0215-sirens$"))

    # Search: Pagefind's code and WebAssembly, the theme's search.js and its label.
    tab.goto(base + "/search/")
    tab.locator("#search input").fill("grain")
    tab.locator(".pagefind-ui__result").first.wait_for()
    assert tab.locator(".pagefind-ui__result").count() > 0
    assert tab.locator("label.search-label").inner_text() == "Search for words in our stories"

    assert messages == []
