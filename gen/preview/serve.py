"""The preview server: files under output/ only, never stale, pages reloaded over SSE."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import queue
import socket
import socketserver
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

EVENTS_PATH = "/__dateline__/events"
KEEPALIVE_SECONDS = 15.0
FEED_TYPES = {
    "feed.xml": "application/atom+xml",
    "rss.xml": "application/rss+xml",
    "feed.json": "application/feed+json",
}
# Our own table: the system's mime.types differs between machines.
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".wasm": "application/wasm",
}
# The page's own copy of the output version is __VERSION__. EventSource fires "error" itself
# when the connection drops, so a failed build is the "failed" event.
SCRIPT = (
    "<script>(()=>{let v=__VERSION__;const s=new EventSource('__EVENTS__'),id='dateline-errors',"
    "nid='dateline-notes',drop=()=>document.getElementById(id)?.remove(),"
    "m=t=>document.createElement(t),"
    "on=(n,f)=>s.addEventListener(n,e=>f(JSON.parse(e.data))),"
    "notes=d=>{document.getElementById(nid)?.remove();if(!d.notes||!d.notes.length)return;"
    "const b=m('aside'),h=m('h2'),u=m('ul'),x=m('button');b.id=nid;b.setAttribute('role','status');"
    "b.setAttribute('aria-labelledby',h.id=nid+'-title');"
    "h.textContent='Editorial checks: '+d.notes.length+' to look at (the page is built)';"
    "for(const p of d.notes){const i=m('li');i.textContent=p;u.append(i)}"
    "x.textContent='Hide';x.onclick=()=>b.remove();b.style.cssText='position:fixed;inset:auto 0 0;"
    "z-index:2147483646;max-height:40vh;overflow:auto;margin:0;padding:.5em 1em;background:#fffbe6;"
    "color:#000;border-top:4px solid #a60;font:14px/1.4 monospace';"
    "b.append(h,u,x);document.body.append(b)};"
    "on('hello',d=>{if(d.version!==v)location.reload();else notes(d)});"
    "on('reload',()=>location.reload());"
    "on('ok',d=>{v=d.version;drop();notes(d)});"
    "on('css',d=>{v=d.version;drop();notes(d);"
    "for(const l of document.querySelectorAll('link[rel~=stylesheet]')){const u=new URL(l.href);"
    "u.searchParams.set('dateline',v);l.href=u.href}});"
    "on('failed',d=>{if(d.version!==v)return location.reload();drop();"
    "const b=m('section'),h=m('h2'),u=m('ul'),x=m('button');"
    "b.id=id;b.setAttribute('role','alert');b.setAttribute('aria-labelledby',h.id=id+'-title');"
    "h.textContent='Build failed: this page is the last good build';"
    "for(const p of d.problems){const i=m('li');i.textContent=p;u.append(i)}"
    "x.textContent='Hide';x.onclick=drop;b.style.cssText='position:fixed;inset:0 0 auto;"
    "z-index:2147483647;max-height:80vh;overflow:auto;margin:0;padding:1em;background:#fff;"
    "color:#000;border-bottom:4px solid #b00;font:15px/1.4 monospace';"
    "b.append(h,u,x);document.body.append(b)})})()</script>"
).replace("__EVENTS__", EVENTS_PATH)


@dataclass(frozen=True, slots=True)
class ServedSite:
    """What the server serves: the output folder (resolved) and the site's base path."""

    output_dir: Path
    base_path: str = "/"


@dataclass(frozen=True, slots=True)
class Route:
    """The answer to a request path: a file, a redirect, or an error status."""

    status: HTTPStatus
    file: Path | None = None
    location: str = ""


class LiveReload:
    """What open pages follow: the output's version and the last build's errors."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[queue.SimpleQueue[str | None]] = set()
        self._problems: tuple[str, ...] = ()
        self._notes: tuple[str, ...] = ()  # the edited stories' editorial findings
        self.version = 0  # bumped when a successful build changed the output

    def subscribe(self) -> queue.SimpleQueue[str | None]:
        """A queue of SSE messages, starting with the current state."""
        inbox: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        with self._lock:  # the state and the subscription together: no event falls between
            inbox.put("retry: 500\n\n" + self._state())
            self._subscribers.add(inbox)
        return inbox

    def unsubscribe(self, inbox: queue.SimpleQueue[str | None]) -> None:
        """Forget a closed connection."""
        with self._lock:
            self._subscribers.discard(inbox)

    def built(
        self, *, changed: bool, css_only: bool = False, notes: Sequence[str] | None = None
    ) -> None:
        """A build succeeded: reload pages, swap the stylesheet, or just clear the overlay;
        `notes` (editorial findings; None: the last ones still hold) show in a panel that
        does not block the page."""
        with self._lock:
            self._problems = ()
            if notes is not None:
                self._notes = tuple(notes)
            if changed:
                self.version += 1
            name = ("css" if css_only else "reload") if changed else "ok"
            self._publish(sse(name, {"version": self.version, "notes": list(self._notes)}))

    def failed(self, problems: Sequence[str]) -> None:
        """A build failed: every open page shows `problems`."""
        with self._lock:
            self._problems = tuple(problems)
            self._publish(self._state())

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._lock:
            for inbox in self._subscribers:
                inbox.put(None)
            self._subscribers.clear()

    def _state(self) -> str:
        if self._problems:
            return sse("failed", {"version": self.version, "problems": list(self._problems)})
        return sse("hello", {"version": self.version, "notes": list(self._notes)})

    def _publish(self, message: str) -> None:
        for inbox in self._subscribers:
            inbox.put(message)


def sse(name: str, data: dict[str, Any]) -> str:
    """One Server-Sent Events message (JSON never holds a raw newline)."""
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def inject_script(html: bytes, version: int) -> bytes:
    """`html` with the live-reload script before its last </body> (or at the end)."""
    script = SCRIPT.replace("__VERSION__", str(version)).encode("utf-8")
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


def content_type(path: Path) -> str:
    """The Content-Type for a served file."""
    return FEED_TYPES.get(path.name) or TYPES.get(path.suffix.lower(), "application/octet-stream")


def route(target: str, site: ServedSite) -> Route:
    """Map a request target to a file under the output folder, refusing every escape."""
    raw, _, query = target.partition("?")
    raw = raw.partition("#")[0]
    # "//host" would make a redirect leave the site (CVE-2021-28861); %2f and %5c hide separators.
    if (
        not raw.startswith("/")
        or raw.startswith("//")
        or any(code in raw.lower() for code in ("%2f", "%5c", "%00"))
    ):
        return Route(HTTPStatus.BAD_REQUEST)
    try:
        path = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return Route(HTTPStatus.BAD_REQUEST)
    segments = path.split("/")[1:]
    if "\\" in path or any(ord(c) < 32 for c in path) or {".", ".."} & set(segments):
        return Route(HTTPStatus.BAD_REQUEST)
    base = site.base_path
    if (path == "/" and base != "/") or path == base.rstrip("/"):
        return Route(HTTPStatus.FOUND, location=base)
    if not path.startswith(base):
        return Route(HTTPStatus.NOT_FOUND)
    parts = path[len(base) :].split("/")
    # Hidden names cover the manifest and the writer's temporary files.
    if any(part.startswith(".") for part in parts) or "" in parts[:-1]:
        return Route(HTTPStatus.NOT_FOUND)
    root = site.output_dir.resolve()
    file = root.joinpath(*parts).resolve()  # follows symlinks: where it really lands is checked
    if not file.is_relative_to(root):
        return Route(HTTPStatus.NOT_FOUND)
    if file.is_dir():
        if not path.endswith("/"):
            return Route(HTTPStatus.FOUND, location=raw + "/" + (f"?{query}" if query else ""))
        file = (file / "index.html").resolve()
    if not file.is_relative_to(root) or any(
        p.startswith(".") for p in file.relative_to(root).parts
    ):
        return Route(HTTPStatus.NOT_FOUND)
    return Route(HTTPStatus.OK, file) if file.is_file() else Route(HTTPStatus.NOT_FOUND)


def host_name(header: str) -> str:
    """The name in a Host header, without the port or an IPv6 address's brackets."""
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if ":" in header else header


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server for one output folder, with its live-reload state."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: ServedSite, live: LiveReload) -> None:
        self.site = site  # replaced whole (never mutated) when the base path changes
        self.live = live
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the address (slow on some hosts)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD for files under the output folder, plus the live-reload event stream."""

    protocol_version = "HTTP/1.1"
    server: PreviewServer

    def do_GET(self) -> None:
        """Serve a file, a redirect, a 404 page or the event stream."""
        self.answer(with_body=True)

    def do_HEAD(self) -> None:
        """Like GET without the body."""
        self.answer(with_body=False)

    def answer(self, *, with_body: bool) -> None:
        """Route the request and send the response."""
        if not self.allowed_host():
            self.send_plain(HTTPStatus.BAD_REQUEST, "unknown Host header", with_body)
            return
        if self.path.partition("?")[0] == EVENTS_PATH and with_body:
            self.stream_events()
            return
        site = self.server.site
        # The version before the file: a race then costs one extra reload, never a missed one.
        version = self.server.live.version
        found = route(self.path, site)
        if found.status == HTTPStatus.FOUND:
            self.send(found.status, b"", "", with_body, location=found.location)
            return
        if found.status == HTTPStatus.BAD_REQUEST:
            self.send_plain(found.status, "bad request path", with_body)
            return
        file = found.file or site.output_dir / "404.html"
        data = read_file(file)
        if data is None:
            self.send_plain(HTTPStatus.NOT_FOUND, "not found", with_body)
            return
        kind = content_type(file)
        if kind.startswith("text/html"):
            data = inject_script(data, version)
            self.send(found.status, data, kind, with_body)
            return
        # Images, stylesheets, scripts: revalidated on every use (never stale), but an
        # unchanged one costs a 304, so a reload after a save does not fetch them again.
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        if found.status == HTTPStatus.OK and self.headers.get("If-None-Match") == etag:
            self.send(HTTPStatus.NOT_MODIFIED, b"", "", False, etag=etag)
            return
        self.send(found.status, data, kind, with_body, etag=etag)

    def allowed_host(self) -> bool:
        """On a loopback address, only local Host names: no DNS rebinding to read drafts."""
        if not is_loopback(str(self.server.server_address[0])):
            return True
        return is_loopback(host_name(self.headers.get("Host", "")))

    def send(
        self,
        status: HTTPStatus,
        data: bytes,
        kind: str,
        with_body: bool,
        location: str = "",
        etag: str = "",
    ) -> None:
        """A whole response, never sniffed and never shown stale: pages are not stored at all,
        other files (with an ETag) are checked with the server before every use."""
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        if kind:
            self.send_header("Content-Type", kind)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(data)))
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
        else:
            self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def send_plain(self, status: HTTPStatus, text: str, with_body: bool) -> None:
        """A short text response."""
        self.send(
            status, f"{int(status)} {text}\n".encode(), "text/plain; charset=utf-8", with_body
        )

    def stream_events(self) -> None:
        """Send live-reload events until the page goes away or the server stops."""
        inbox = self.server.live.subscribe()
        self.close_connection = True
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            while True:
                try:
                    message = inbox.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    message = ": keep-alive\n\n"  # also finds connections that went away
                if message is None:
                    return
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
        except OSError:
            return  # the browser closed the page
        finally:
            self.server.live.unsubscribe(inbox)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for build results."""


def read_file(path: Path) -> bytes | None:
    """A file's bytes, or None; never through a symlink swapped in after routing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read()
