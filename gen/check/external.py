"""The `external-link` rule (`dateline check --external`): does every http(s) link answer?

Each distinct URL (fragment stripped) is asked once per run: HEAD, then GET when HEAD fails
in a way GET might not. Redirects are followed (at most 10, only to http and https). One
host (name and port) gets one request at a time, `per_host_interval` seconds from the end
of one to the start of the next; different hosts are asked in parallel.

Results are kept in `.cache/links.json`: an answer checked within 7 days is not asked
again; a dead or refused link is asked every run, and a dead link keeps the day it was
first seen dead. The cache is data from disk: every field is validated, and a malformed
one is set aside with a warning (through `warn`), never a traceback.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import stat
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from gen import __version__
from gen.check.rules import ERROR, WARNING, Finding
from gen.outputs.state import atomic_write

RULE = "external-link"
FRESH = timedelta(days=7)  # an answering link is not asked again for this long
FORGET = timedelta(days=30)  # an entry no story asked for in this long is dropped
MAX_CACHE_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 10
MAX_BODY = 4096  # a GET reads this much of the body, then hangs up
REDIRECTS = (301, 302, 303, 307, 308)
REFUSED = (401, 403, 429)  # the server is there but turns robots away
OK, DEAD, REFUSE = "ok", "dead", "refused"


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """An external link as written in a story, at `path:line:col`."""

    url: str
    path: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer: its status and, for a redirect, its Location."""

    status: int
    location: str = ""


# (method, url, headers, timeout) → one answer, redirects not followed; raises OSError or
# http.client.HTTPException when there is none. Tests pass their own.
Fetcher = Callable[[str, str, Mapping[str, str], float], Reply]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a URL came to: ok, dead or refused, with the status (None without an HTTP
    answer) and the reason printed; `retry` when GET might fare better than HEAD."""

    kind: str
    status: int | None
    reason: str
    retry: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One URL in the cache: its last outcome, when checked, since when dead."""

    status: int | None
    reason: str
    checked: datetime
    dead_since: datetime | None

    def is_fresh(self, now: datetime) -> bool:
        """True for a link that answered within FRESH of `now` (and not in its future)."""
        answered = self.status is not None and 200 <= self.status < 400
        recent = timedelta(0) <= now - self.checked < FRESH
        return answered and recent and self.dead_since is None


def check_external(
    links: list[ExternalLink],
    cache_file: Path | None,
    now: datetime,
    *,
    timeout: float = 10.0,
    per_host_interval: float = 1.0,
    max_workers: int = 8,
    fetch: Fetcher | None = None,
    site_url: str = "",
    warn: Callable[[str], None] | None = None,
) -> list[Finding]:
    """Findings for the links that are dead (error) or refused the check (warning), sorted
    by place; the cache is read from and written to `cache_file` (None: no cache), and
    its problems are passed to `warn` (None: dropped)."""
    now = _aware(now)
    say = warn or (lambda _message: None)
    cache = read_cache(cache_file, say) if cache_file else {}
    urls = sorted({_strip(link.url) for link in links if _is_http(link.url)})
    asked = [url for url in urls if not (url in cache and cache[url].is_fresh(now))]
    site = quote(site_url, safe="/:?#[]@!$&'()*+,;=%~")  # a header is ASCII, one line
    headers = {
        "User-Agent": f"Dateline/{__version__} link check" + (f" (+{site})" if site else ""),
        "Accept": "text/html,*/*",
    }
    got = probe_all(
        asked, fetch or make_fetcher(), headers, timeout, per_host_interval, max_workers
    )
    for url, outcome in got.items():
        old = cache.get(url)
        since = None
        if outcome.kind == DEAD:  # dead since it was first seen dead, whatever the reason now
            since = old.dead_since if old and old.dead_since else now
        cache[url] = Entry(outcome.status, outcome.reason, now, since)
    if cache_file:
        kept = {
            u: e for u, e in cache.items() if u in got or timedelta(0) <= now - e.checked < FORGET
        }
        write_cache(cache_file, kept, say)
    findings = []
    for link in links:
        url = _strip(link.url)
        if url in got and (finding := link_finding(link, got[url], cache[url], now)):
            findings.append(finding)
    return sorted(findings)


def link_finding(
    link: ExternalLink, outcome: Outcome, entry: Entry, now: datetime
) -> Finding | None:
    """The finding for one link given its URL's outcome (None when it answered)."""
    if outcome.kind == REFUSE:
        message = (
            f"the server refused the check: {link.url} ({outcome.reason}); it may block robots"
        )
        return Finding(link.path, link.line, link.col, RULE, WARNING, message)
    if outcome.kind == DEAD:
        since = (entry.dead_since or now).astimezone(now.tzinfo).date()
        when = "first seen dead today" if since >= now.date() else f"dead since {since.isoformat()}"
        message = f"dead link: {link.url} ({outcome.reason}); {when}"
        return Finding(link.path, link.line, link.col, RULE, ERROR, message)
    return None


# --- Asking -----------------------------------------------------------------------------


class HostGate:
    """One request at a time per host and port, and `interval` seconds from the end of one
    to the start of the next (so a server sees at least that gap between two requests)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.guard = threading.Lock()
        self.locks: dict[tuple[str, int], threading.Lock] = {}
        self.free_at: dict[tuple[str, int], float] = {}

    @contextlib.contextmanager
    def turn(self, key: tuple[str, int]) -> Iterator[None]:
        """Wait for `key`'s turn and hold it for one request."""
        with self.guard:
            lock = self.locks.setdefault(key, threading.Lock())
        with lock:
            wait = self.free_at.get(key, 0.0) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self.free_at[key] = time.monotonic() + self.interval


def probe_all(
    urls: list[str],
    fetch: Fetcher,
    headers: Mapping[str, str],
    timeout: float,
    interval: float,
    max_workers: int,
) -> dict[str, Outcome]:
    """Each URL's outcome; one worker per host at a time, hosts in parallel."""
    gate = HostGate(interval)
    by_host: dict[tuple[str, int], list[str]] = {}
    found: dict[str, Outcome] = {}
    for url in urls:
        key = host_key(url)
        if key is None:
            found[url] = Outcome(DEAD, None, "not a valid URL")
        else:
            by_host.setdefault(key, []).append(url)

    def run(group: list[str]) -> list[tuple[str, Outcome]]:
        return [(url, probe(url, fetch, gate, headers, timeout)) for url in group]

    if by_host:
        workers = max(1, min(max_workers, len(by_host)))
        with ThreadPoolExecutor(workers, thread_name_prefix="link-check") as pool:
            for done in pool.map(run, [by_host[key] for key in sorted(by_host)]):
                found.update(done)
    return found


def probe(
    url: str, fetch: Fetcher, gate: HostGate, headers: Mapping[str, str], timeout: float
) -> Outcome:
    """HEAD, then GET if HEAD failed in a way GET might not (405, 501, a dropped line…)."""
    outcome = follow("HEAD", url, fetch, gate, headers, timeout)
    if outcome.retry:
        outcome = follow("GET", url, fetch, gate, headers, timeout)
    return outcome


def follow(
    method: str,
    url: str,
    fetch: Fetcher,
    gate: HostGate,
    headers: Mapping[str, str],
    timeout: float,
) -> Outcome:
    """Ask `url`, following at most MAX_REDIRECTS redirects, each to http or https only."""
    seen = {url}
    for _ in range(MAX_REDIRECTS + 1):
        key = host_key(url)
        if key is None:
            return Outcome(DEAD, None, "redirects to an invalid URL")
        try:
            with gate.turn(key):
                reply = fetch(method, url, headers, timeout)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return describe_failure(exc)
        if reply.status not in REDIRECTS or not reply.location:
            return classify(reply.status)
        url = urljoin(url, reply.location.strip())
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            return Outcome(
                DEAD, None, f"redirects to a {scheme or 'schemeless'}: URL, not followed"
            )
        if url in seen:
            return Outcome(DEAD, None, "redirect loop")
        seen.add(url)
    return Outcome(DEAD, None, f"more than {MAX_REDIRECTS} redirects")


def classify(status: int) -> Outcome:
    """An HTTP status as an outcome; `retry` on any error but 429 (asking again is rude)."""
    try:
        reason = f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        reason = str(status)  # the server's own reason phrase is not printed
    if 200 <= status < 400:
        return Outcome(OK, status, reason)
    retry = status != 429
    if status in REFUSED or not 100 <= status < 600:  # LinkedIn answers robots with 999
        return Outcome(REFUSE, status, reason, retry)
    return Outcome(DEAD, status, reason, retry)


def describe_failure(exc: OSError | http.client.HTTPException | ValueError) -> Outcome:
    """A request without an HTTP answer, as a dead outcome with a short reason."""
    if isinstance(exc, TimeoutError):
        return Outcome(DEAD, None, "timed out")
    if isinstance(exc, ConnectionRefusedError):
        return Outcome(DEAD, None, "connection refused")
    if isinstance(exc, socket.gaierror):
        return Outcome(DEAD, None, "DNS lookup failed")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Outcome(DEAD, None, f"TLS certificate: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return Outcome(DEAD, None, "TLS error")
    if isinstance(exc, http.client.InvalidURL | ValueError | UnicodeError):
        return Outcome(DEAD, None, "not a valid URL")
    if isinstance(exc, http.client.RemoteDisconnected):
        return Outcome(DEAD, None, "closed without an answer", retry=True)
    if isinstance(exc, ConnectionResetError):
        return Outcome(DEAD, None, "connection reset", retry=True)
    if isinstance(exc, http.client.HTTPException):
        return Outcome(DEAD, None, "not an HTTP answer", retry=True)
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return Outcome(DEAD, None, f"network error: {detail}")


def _is_http(url: str) -> bool:
    return url.partition(":")[0].strip().lower() in ("http", "https")


def _strip(url: str) -> str:
    """The URL without its fragment: the part a server sees, asked once per run."""
    return url.partition("#")[0]


def host_key(url: str) -> tuple[str, int] | None:
    """(host name, port) a request to `url` goes to; None for a URL that cannot be asked."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80)


def make_fetcher() -> Fetcher:
    """Ask with http.client: no cookies, no credentials (user:password@ is dropped), no
    proxy, no redirects followed; a GET reads at most MAX_BODY bytes."""
    context = ssl.create_default_context()

    def fetch(method: str, url: str, headers: Mapping[str, str], timeout: float) -> Reply:
        parts = urlsplit(url)
        host = parts.hostname or ""
        connection: http.client.HTTPConnection
        if parts.scheme.lower() == "https":
            connection = http.client.HTTPSConnection(
                host, parts.port, timeout=timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
        target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~") + (
            "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~?") if parts.query else ""
        )
        try:
            connection.request(method, target, headers=dict(headers))
            response = connection.getresponse()
            if method == "GET":
                response.read(MAX_BODY)
            return Reply(response.status, response.getheader("Location") or "")
        finally:
            connection.close()

    return fetch


# --- The cache ----------------------------------------------------------------------------


def read_cache(path: Path, warn: Callable[[str], None]) -> dict[str, Entry]:
    """The cache's entries; {} when missing, and {} with a warning when not a regular file,
    over 50 MB, not JSON or not a mapping. A malformed entry alone is dropped."""
    try:
        info = path.stat()
    except OSError:
        return {}
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
        warn(f"the link cache {path} is not a file of at most 50 MB; it was ignored")
        return {}
    try:
        with path.open("rb") as handle:
            data = json.loads(handle.read(MAX_CACHE_BYTES + 1))
    except (OSError, ValueError, RecursionError):
        warn(f"the link cache {path} could not be read; it was ignored")
        return {}
    if not isinstance(data, dict):
        warn(f"the link cache {path} is not a mapping of URLs; it was ignored")
        return {}
    entries = {url: entry for url, value in data.items() if (entry := parse_entry(url, value))}
    if dropped := len(data) - len(entries):
        what = "entry" if dropped == 1 else "entries"
        warn(f"the link cache {path}: {dropped} malformed {what} ignored")
    return entries


def parse_entry(url: object, value: object) -> Entry | None:
    """One cache entry, if every field has its type and range."""
    if not isinstance(url, str) or not _is_http(url) or not isinstance(value, dict):
        return None
    status, reason = value.get("status"), value.get("reason")
    checked, since = _when(value.get("checked")), _when(value.get("dead_since"))
    if status is not None and (type(status) is not int or not 100 <= status <= 999):
        return None
    if not isinstance(reason, str) or len(reason) > 200 or checked is None:
        return None
    if value.get("dead_since") is not None and since is None:
        return None
    return Entry(status, reason, checked, since)


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def write_cache(path: Path, entries: dict[str, Entry], warn: Callable[[str], None]) -> None:
    """Write the cache whole (a temporary file renamed in place)."""
    data = {
        url: {
            "status": e.status,
            "reason": e.reason,
            "checked": e.checked.isoformat(),
            "dead_since": e.dead_since.isoformat() if e.dead_since else None,
        }
        for url, e in sorted(entries.items())
    }
    try:
        atomic_write(path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
    except OSError as exc:
        warn(f"the link cache {path} could not be written ({exc.strerror or exc})")
