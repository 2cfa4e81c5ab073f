"""The preview server: only files under output/, right types, no caching, live-reload events."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pytest

from gen.cli import make_parser
from gen.config import BuildOptions
from gen.preview.serve import EVENTS_PATH, LiveReload, PreviewServer, ServedSite, route
from gen.preview.session import Preview, PreviewSettings, settings_from
from tests.conftest import (
    CLOCK,
    TINY_PNG,
    Child,
    PreviewStarter,
    article,
    make_site,
    vim_save,
)

SECRET = "TOP SECRET: outside the output folder"
PAGE = "<!doctype html><html><head><title>{0}</title></head><body><p>{0}</p></body></html>\n"
OUTPUT: dict[str, str | bytes] = {
    "index.html": PAGE.format("Front page"),
    "404.html": PAGE.format("Page not found"),
    "2026/01/06/a/index.html": PAGE.format("Article A"),
    "static/style.css": "body { color: #111; }\n",
    "static/.hidden.css": "hidden",
    "images/photo.png": TINY_PNG,
    "feed.xml": "<feed/>",
    "rss.xml": "<rss/>",
    "feed.json": "{}",
    "section/diplomacy/feed.xml": "<feed/>",
    "sitemap.xml": "<urlset/>",
    "robots.txt": "User-agent: *\n",
    "pagefind/pagefind.js": "export {}",
    ".dateline-manifest.json": '{"files": {}}',
    ".tmp-half-written": "<!doctype html><p>half",
}


@dataclass
class Response:
    """A raw HTTP response."""

    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    port: int,
    target: str,
    *,
    method: str = "GET",
    host: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Send `target` exactly as given (no client-side normalising) and read the response."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        request = f"{method} {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n"
        request += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        conn.sendall((request + "Connection: close\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return Response(int(status_line.split()[1]), headers, body)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path, PreviewServer]]:
    """A server on a free port over a hand-made output folder, with secrets just outside it."""
    site = tmp_path / "site"
    out = site / "output"
    for rel, data in OUTPUT.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    (site / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (out / "leak.txt").symlink_to(site / "secret.txt")
    (out / "leakdir").symlink_to(tmp_path)
    (out / "inside.html").symlink_to(out / "index.html")
    server = PreviewServer(("127.0.0.1", 0), ServedSite(out.resolve()), LiveReload())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server.server_address[1], out, server
    server.live.close()
    server.shutdown()
    server.server_close()
    thread.join()


TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/static/../../secret.txt",
    "/static/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/static%2f..%2f..%2fsecret.txt",
    "/..\\secret.txt",
    "/static\\..\\..\\secret.txt",
    "/..%5csecret.txt",
    "/%5c..%5csecret.txt",
    "/%252e%252e/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/index.html%00",
    "/index.html%00.txt",
    "/index.html\x00",
    "//evil.example/",
    "//evil.example/%2e%2e/secret.txt",
    "http://evil.example/secret.txt",
    "/leak.txt",
    "/leakdir/secret.txt",
    "/leakdir/site/secret.txt",
    "/.dateline-manifest.json",
    "/.tmp-half-written",
    "/static/.hidden.css",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_refuses_everything_outside_the_output_folder(
    served: tuple[int, Path, PreviewServer], target: str
) -> None:
    port, _, _ = served
    response = fetch(port, target)
    assert response.status in (400, 404)
    assert SECRET.encode() not in response.body
    assert b"half" not in response.body and b"files" not in response.body
    assert not response.headers.get("location", "/").startswith("//")


@pytest.mark.parametrize("target", ["//evil.example/", "//evil.example/2026", "/\\evil.example"])
def test_never_redirects_off_site(tmp_path: Path, target: str) -> None:
    assert route(target, ServedSite(tmp_path)).status == HTTPStatus.BAD_REQUEST


def test_symlink_inside_the_output_folder_is_served(
    served: tuple[int, Path, PreviewServer],
) -> None:
    port, _, _ = served
    response = fetch(port, "/inside.html")
    assert response.status == 200
    assert b"Front page" in response.body


def test_directory_urls_serve_index_html(served: tuple[int, Path, PreviewServer]) -> None:
    port, _, _ = served
    assert b"Article A" in fetch(port, "/2026/01/06/a/").body
    moved = fetch(port, "/2026/01/06/a?x=1")
    assert moved.status == 302
    assert moved.headers["location"] == "/2026/01/06/a/?x=1"


def test_missing_page_gets_the_sites_404_page(served: tuple[int, Path, PreviewServer]) -> None:
    port, _, _ = served
    response = fetch(port, "/no/such/page/")
    assert response.status == 404
    assert b"Page not found" in response.body
    assert EVENTS_PATH.encode() in response.body
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/images/photo.png", "image/png"),
        ("/feed.xml", "application/atom+xml"),
        ("/section/diplomacy/feed.xml", "application/atom+xml"),
        ("/rss.xml", "application/rss+xml"),
        ("/feed.json", "application/feed+json"),
        ("/sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/pagefind/pagefind.js", "text/javascript; charset=utf-8"),
    ],
)
def test_content_types_and_no_caching(
    served: tuple[int, Path, PreviewServer], target: str, kind: str
) -> None:
    port, _, _ = served
    response = fetch(port, target)
    assert response.status == 200
    assert response.headers["content-type"] == kind
    assert "last-modified" not in response.headers
    if kind.startswith("text/html"):
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
    else:  # revalidated before every use, so never stale
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["etag"]


def test_an_unchanged_file_is_revalidated_and_a_changed_one_sent_again(
    served: tuple[int, Path, PreviewServer],
) -> None:
    port, output, _ = served
    first = fetch(port, "/static/style.css")
    etag = first.headers["etag"]
    again = fetch(port, "/static/style.css", headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    css = output / "static" / "style.css"
    css.write_bytes(css.read_bytes() + b"\n/* changed */\n")
    changed = fetch(port, "/static/style.css", headers={"If-None-Match": etag})
    assert changed.status == 200
    assert changed.body.endswith(b"/* changed */\n")
    assert changed.headers["etag"] != etag


def test_script_goes_into_html_responses_never_into_files(
    served: tuple[int, Path, PreviewServer],
) -> None:
    port, out, _ = served
    body = fetch(port, "/2026/01/06/a/").body
    assert body.count(EVENTS_PATH.encode()) == 1
    assert body.index(EVENTS_PATH.encode()) < body.index(b"</body>")
    assert b"__dateline__" not in (out / "2026/01/06/a/index.html").read_bytes()
    assert b"__dateline__" not in fetch(port, "/static/style.css").body
    assert b"__dateline__" not in fetch(port, "/feed.xml").body


def test_head_has_the_headers_of_get_and_no_body(
    served: tuple[int, Path, PreviewServer],
) -> None:
    port, _, _ = served
    get, head = fetch(port, "/"), fetch(port, "/", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.body))


def test_site_under_a_sub_path(served: tuple[int, Path, PreviewServer]) -> None:
    port, out, server = served
    server.site = ServedSite(out.resolve(), "/news/")
    assert fetch(port, "/").headers["location"] == "/news/"
    assert fetch(port, "/news").headers["location"] == "/news/"
    assert b"Front page" in fetch(port, "/news/").body
    assert fetch(port, "/news/static/style.css").status == 200
    outside = fetch(port, "/static/style.css")
    assert outside.status == 404
    assert b"Page not found" in outside.body


def test_refuses_foreign_host_names(served: tuple[int, Path, PreviewServer]) -> None:
    port, _, _ = served
    assert fetch(port, "/", host="attacker.example").status == 400
    assert fetch(port, "/", host=f"localhost:{port}").status == 200
    assert fetch(port, "/", host=f"[::1]:{port}").status == 200


def no_build() -> BuildOptions:
    raise AssertionError("these tests only bind; nothing builds")


def test_binds_127_0_0_1_by_default(tmp_path: Path) -> None:
    args = make_parser().parse_args(["serve", "--site", str(tmp_path)])
    assert settings_from(args).host == "127.0.0.1"
    preview = Preview(PreviewSettings(tmp_path, tmp_path / "output", port=0), no_build)
    preview.bind()
    assert preview.server is not None
    try:
        assert preview.server.server_address[0] == "127.0.0.1"
    finally:
        preview.server.server_close()


def test_busy_port_moves_on_to_the_next(tmp_path: Path) -> None:
    busy, port = socket.socket(), 0
    for candidate in range(18000, 18100):  # two free ports in a row
        try:
            busy.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", candidate + 1)) != 0:
                port = candidate
                break
    busy.listen()
    settings = PreviewSettings(tmp_path, tmp_path / "output", port=port)
    log = io.StringIO()
    preview = Preview(settings, no_build, out=log)
    try:
        preview.bind()
        assert preview.server is not None
        assert preview.server.server_address[1] == port + 1
        assert f"port {port} is in use; trying {port + 1}" in log.getvalue()
        preview.server.server_close()
    finally:
        busy.close()


def read_event(conn: socket.socket, name: str) -> str:
    """Read SSE messages until one called `name`; its data line."""
    buffer = b""
    while True:
        while b"\n\n" not in buffer:
            chunk = conn.recv(65536)
            assert chunk, "event stream closed"
            buffer += chunk
        message, _, buffer = buffer.partition(b"\n\n")
        fields = dict(
            line.partition(": ")[::2] for line in message.decode().splitlines() if ": " in line
        )
        if fields.get("event") == name:
            return fields["data"]


def test_events_follow_builds(tmp_path: Path, start_preview: PreviewStarter) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    preview = start_preview(site)
    assert preview.server is not None
    port = preview.server.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert read_event(conn, "hello") == f'{{"version": {preview.live.version}, "notes": []}}'
        vim_save(site / "content/articles/a.md", article(extra="titel: typo\n"))
        failed = read_event(conn, "failed")
        assert "content/articles/a.md:6: unknown front matter key 'titel'" in failed
        vim_save(site / "content/articles/a.md", article("Fixed"))
        read_event(conn, "reload")


def test_requests_during_rebuilds_get_whole_pages(
    tmp_path: Path, start_preview: PreviewStarter
) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    preview = start_preview(site)
    assert preview.server is not None
    port = preview.server.server_address[1]
    stop, bodies = threading.Event(), []

    def hammer() -> None:
        while not stop.is_set():
            bodies.append(fetch(port, "/2026/01/06/a/"))

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        for n in range(4):
            vim_save(site / "content/articles/a.md", article(body=f"Version {n}. " * 200))
            assert preview.wait_for_builds(n + 2, 30)
    finally:
        stop.set()
        thread.join()
    assert len(bodies) > 4
    for response in bodies:
        assert response.status == 200
        assert response.body.rstrip().endswith(b"</html>")
        assert response.body.count(b"</body>") == 1


def test_serve_prints_the_local_url_and_exits_0_on_ctrl_c(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    child = Child("serve", "--site", str(site), "--port", "0", "--clock", CLOCK)
    try:
        assert child.line().startswith("Built 1 article:")
        url = child.line()
        assert url.startswith("Serving http://127.0.0.1:")
        port = int(url.split(":")[2].split("/")[0])
        assert fetch(port, "/").status == 200
        code, err = child.interrupt()
    finally:
        child.kill()
    assert code == 0
    assert "Traceback" not in err


def test_serving_to_the_network_is_an_explicit_choice_with_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    child = Child("serve", "--site", str(site), "--host", "0.0.0.0", "--port", "0")
    try:
        assert child.line().startswith("Built 1 article:")
        assert child.line().startswith("Serving http://127.0.0.1:")
        code, err = child.interrupt()
    finally:
        child.kill()
    assert code == 0
    assert "warning: --host 0.0.0.0 lets other machines on the network see this preview" in err
