"""The external-link rule against real HTTP servers on 127.0.0.1, and its cache."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gen import __version__
from gen.check.external import ExternalLink, Reply, check_external

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PAGE = "content/articles/2026/kyiv-talks.md"


@dataclass
class Hit:
    """One request as the server saw it."""

    method: str
    path: str
    at: float
    headers: dict[str, str]


@dataclass
class Server:
    """A test server: its base URL, what it was asked, and a mode tests may change."""

    base: str
    hits: list[Hit]
    state: dict[str, str] = field(default_factory=dict)

    def asked(self, path: str) -> list[str]:
        """The methods used on `path`, in order."""
        return [hit.method for hit in self.hits if hit.path == path]


class Handler(BaseHTTPRequestHandler):
    """Answers by path: each route is one kind of link."""

    server: LinkServer

    def do_HEAD(self) -> None:
        self.answer()

    def do_GET(self) -> None:
        self.answer()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, location: str = "") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def answer(self) -> None:
        box = self.server.box
        box.hits.append(Hit(self.command, self.path, time.monotonic(), dict(self.headers)))
        path = self.path
        statuses = {"/ok": 200, "/ok2": 200, "/missing": 404, "/gone": 410}
        statuses |= {"/forbidden": 403, "/busy": 429, "/broken": 500}
        if path in statuses:
            self.send(statuses[path])
        elif path == "/moved":
            self.send(301, "/ok")
        elif path == "/no-head":
            self.send(405 if self.command == "HEAD" else 200)
        elif path in ("/loop", "/loop2"):
            self.send(302, "/loop2" if path == "/loop" else "/loop")
        elif path.startswith("/chain/"):
            self.send(302, f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/to-file":
            self.send(302, "file:///etc/passwd")
        elif path == "/hang":
            self.server.release.wait(5)
        elif path == "/together":
            try:
                self.server.barrier.wait()
                self.send(200)
            except threading.BrokenBarrierError:
                self.send(500)
        elif path == "/toggle":
            mode = box.state.get("toggle", "200")
            if mode != "drop":  # "drop": hang up without an answer
                self.send(int(mode))
        else:
            self.send(404)


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, box: Server, barrier: threading.Barrier) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.box = box
        self.barrier = barrier
        self.release = threading.Event()


@pytest.fixture
def serve() -> Iterator[Callable[[], Server]]:
    """Start servers on ephemeral ports (all share a barrier of two); stop them after."""
    servers: list[LinkServer] = []
    barrier = threading.Barrier(2, timeout=3)

    def start() -> Server:
        httpd = LinkServer(Server("", []), barrier)
        httpd.box.base = f"http://127.0.0.1:{httpd.server_address[1]}"
        threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(httpd)
        return httpd.box

    yield start
    for httpd in servers:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(serve: Callable[[], Server]) -> Server:
    return serve()


def closed_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def links(*urls: str) -> list[ExternalLink]:
    """One link per line of one story, in the order given."""
    return [ExternalLink(url, PAGE, line, 5) for line, url in enumerate(urls, start=10)]


def run(urls: list[ExternalLink], cache: Path | None, now: datetime = NOW, **kw: Any) -> list[str]:
    kw.setdefault("per_host_interval", 0.0)
    return [str(f) for f in check_external(urls, cache, now, timeout=0.5, **kw)]


def test_reports_each_answer_by_its_exact_message(server: Server, tmp_path: Path) -> None:
    base, refused = server.base, f"http://127.0.0.1:{closed_port()}/ok"
    paths = ["/ok", "/moved", "/missing", "/gone", "/forbidden", "/busy", "/broken"]
    paths += ["/no-head", "/loop", "/to-file", "/hang"]
    found = run(links(*[base + p for p in paths], refused), tmp_path / "links.json")
    dead, robots = f"{PAGE}:{{}}:5: error external-link: dead link:", "it may block robots"
    assert found == [
        f"{dead.format(12)} {base}/missing (404 Not Found); first seen dead today",
        f"{dead.format(13)} {base}/gone (410 Gone); first seen dead today",
        f"{PAGE}:14:5: warning external-link: the server refused the check: "
        f"{base}/forbidden (403 Forbidden); {robots}",
        f"{PAGE}:15:5: warning external-link: the server refused the check: "
        f"{base}/busy (429 Too Many Requests); {robots}",
        f"{dead.format(16)} {base}/broken (500 Internal Server Error); first seen dead today",
        f"{dead.format(18)} {base}/loop (redirect loop); first seen dead today",
        f"{dead.format(19)} {base}/to-file (redirects to a file: URL, not followed); "
        "first seen dead today",
        f"{dead.format(20)} {base}/hang (timed out); first seen dead today",
        f"{dead.format(21)} {refused} (connection refused); first seen dead today",
    ]
    assert server.asked("/ok") == ["HEAD", "HEAD"]  # itself, and where /moved led
    assert server.asked("/no-head") == ["HEAD", "GET"]
    assert server.asked("/busy") == ["HEAD"]  # a 429 is not asked again by GET
    assert server.asked("/missing") == ["HEAD", "GET"]


def test_a_tls_failure_and_a_dns_failure_are_dead(server: Server) -> None:
    tls = server.base.replace("http:", "https:") + "/ok"  # TLS to a plain HTTP server
    assert run(links(tls), None) == [
        f"{PAGE}:10:5: error external-link: dead link: {tls} (TLS error); first seen dead today"
    ]

    def no_dns(method: str, url: str, headers: Mapping[str, str], timeout: float) -> Reply:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    assert run(links("https://nowhere.invalid/"), None, fetch=no_dns) == [
        f"{PAGE}:10:5: error external-link: dead link: https://nowhere.invalid/ "
        "(DNS lookup failed); first seen dead today"
    ]


def test_gives_up_after_ten_redirects(server: Server) -> None:
    assert run(links(server.base + "/chain/0"), None) == [
        f"{PAGE}:10:5: error external-link: dead link: {server.base}/chain/0 "
        "(more than 10 redirects); first seen dead today"
    ]
    assert len(server.asked("/chain/10")) == 1 and not server.asked("/chain/11")


def test_asks_each_url_once_and_reports_each_place(server: Server) -> None:
    found = run(links(server.base + "/gone#a", server.base + "/gone#b", "mailto:desk@x.org"), None)
    assert [line.split(": ", 2)[0] for line in found] == [f"{PAGE}:10:5", f"{PAGE}:11:5"]
    assert server.asked("/gone") == ["HEAD", "GET"]


def test_sends_a_user_agent_and_no_credentials(server: Server) -> None:
    url = server.base.replace("//", "//editor:secret@") + "/ok"
    assert run(links(url), None, site_url="https://новини.example/") == []
    (hit,) = server.hits
    assert hit.headers["User-Agent"] == (
        f"Dateline/{__version__} link check (+https://%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8.example/)"
    )
    assert hit.headers["Accept"] == "text/html,*/*"
    assert not {"Authorization", "Cookie"} & set(hit.headers)


def test_one_host_is_asked_at_most_once_per_interval(server: Server) -> None:
    assert run(links(server.base + "/ok", server.base + "/ok2"), None, per_host_interval=0.3) == []
    first, second = server.hits
    assert second.at - first.at >= 0.3


def test_two_hosts_are_asked_in_parallel(serve: Callable[[], Server]) -> None:
    # Each answers only once the other is being asked too (a barrier of two): in turn,
    # the barrier would break and both would answer 500.
    one, two = serve(), serve()
    urls = links(one.base + "/together", two.base + "/together")
    assert run(urls, None, per_host_interval=5.0) == []


def test_an_answering_link_is_not_asked_again_within_a_week(server: Server, tmp_path: Path) -> None:
    cache = tmp_path / ".cache" / "links.json"
    urls = links(server.base + "/ok", server.base + "/gone")
    for days in (0, 6):
        run(urls, cache, NOW + timedelta(days=days))
    assert server.asked("/ok") == ["HEAD"]
    assert server.asked("/gone") == ["HEAD", "GET"] * 2  # a dead link is asked every run
    run(urls, cache, NOW + timedelta(days=8))
    assert server.asked("/ok") == ["HEAD", "HEAD"]
    assert sorted(p.name for p in cache.parent.iterdir()) == ["links.json"]  # no temp left


def test_a_dead_link_keeps_the_day_it_was_first_seen_dead(server: Server, tmp_path: Path) -> None:
    cache, url = tmp_path / "links.json", server.base + "/toggle"
    dead = f"{PAGE}:10:5: error external-link: dead link: {url}"

    def check(mode: str, day: int) -> list[str]:
        server.state["toggle"] = mode
        return run(links(url), cache, NOW + timedelta(days=day))

    assert check("404", 0) == [f"{dead} (404 Not Found); first seen dead today"]
    assert check("404", 4) == [f"{dead} (404 Not Found); dead since 2026-11-01"]
    assert check("drop", 5) == [f"{dead} (closed without an answer); dead since 2026-11-01"]
    assert check("200", 6) == []
    assert json.loads(cache.read_text(encoding="utf-8")) == {
        url: {
            "status": 200,
            "reason": "200 OK",
            "checked": "2026-11-07T09:00:00+00:00",
            "dead_since": None,
        }
    }
    assert check("503", 30) == [f"{dead} (503 Service Unavailable); first seen dead today"]


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        (b"\x00{garbage", "could not be read; it was ignored"),
        (b"[" * 100_000, "could not be read; it was ignored"),
        (b'{"u": {"status": ' + b"9" * 5000 + b"}}", "could not be read; it was ignored"),
        (b"[]", "is not a mapping of URLs; it was ignored"),
        (b'"https://example.org/"', "is not a mapping of URLs; it was ignored"),
    ],
)
def test_an_unreadable_cache_is_ignored(
    server: Server, tmp_path: Path, content: bytes, warning: str
) -> None:
    cache, warnings = tmp_path / "links.json", list[str]()
    cache.write_bytes(content)
    assert run(links(server.base + "/ok"), cache, warn=warnings.append) == []
    assert warnings == [f"the link cache {cache} {warning}"]
    assert server.asked("/ok") == ["HEAD"]
    assert list(json.loads(cache.read_text(encoding="utf-8"))) == [server.base + "/ok"]


@pytest.mark.parametrize(
    "entry",
    [
        {"status": "200", "reason": "", "checked": "2026-11-01T08:00:00+00:00"},
        {"status": True, "reason": "", "checked": "2026-11-01T08:00:00+00:00"},
        {"status": 1e999, "reason": "", "checked": "2026-11-01T08:00:00+00:00"},
        {"status": 10**30, "reason": "", "checked": "2026-11-01T08:00:00+00:00"},
        {"status": 200, "reason": ["OK"], "checked": "2026-11-01T08:00:00+00:00"},
        {"status": 200, "reason": "OK", "checked": "yesterday"},
        {"status": 200, "reason": "OK", "checked": 1_700_000_000},
        {"status": 200, "reason": "OK", "checked": "2026-11-01", "dead_since": "soon"},
        "200 OK",
    ],
)
def test_a_malformed_entry_is_ignored(server: Server, tmp_path: Path, entry: object) -> None:
    cache, warnings, url = tmp_path / "links.json", list[str](), server.base + "/ok"
    cache.write_text(json.dumps({url: entry}), encoding="utf-8")
    assert run(links(url), cache, warn=warnings.append) == []
    assert warnings == [f"the link cache {cache}: 1 malformed entry ignored"]
    assert server.asked("/ok") == ["HEAD"]


def test_an_entry_checked_in_the_future_is_asked_again(server: Server, tmp_path: Path) -> None:
    cache, warnings, url = tmp_path / "links.json", list[str](), server.base + "/gone"
    entry = {"status": 200, "reason": "200 OK", "checked": "2099-01-01T00:00:00+00:00"}
    cache.write_text(json.dumps({url: entry, "mailto:x@y.z": entry}), encoding="utf-8")
    assert len(run(links(url), cache, warn=warnings.append)) == 1
    assert warnings == [f"the link cache {cache}: 1 malformed entry ignored"]


def test_a_cache_too_big_or_not_a_file_is_ignored(server: Server, tmp_path: Path) -> None:
    big, folder, warnings = tmp_path / "big.json", tmp_path / "folder.json", list[str]()
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)
    folder.mkdir()
    for cache in (big, folder):
        run(links(server.base + "/ok"), cache, warn=warnings.append)
    assert warnings == [
        f"the link cache {big} is not a file of at most 50 MB; it was ignored",
        f"the link cache {folder} is not a file of at most 50 MB; it was ignored",
        f"the link cache {folder} could not be written (Is a directory)",
    ]
