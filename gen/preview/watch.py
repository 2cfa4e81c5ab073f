"""Watch the site's sources; run one build per burst of changes, one at a time, in one thread."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from gen.config import CONFIG_FILE
from gen.source.walk import is_ignored

SOURCE_DIRS = ("content", "themes")
# Opened and closed-without-writing events come from the build itself reading the sources:
# counting them would rebuild forever. A folder's "modified" only echoes its children's events.
CHANGE_KINDS = (
    EVENT_TYPE_CREATED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_CLOSED,
)
QUIET_SECONDS = 0.05
# After a partial save, how long saves must pause before the session catches up (the search
# index, anything deferred) with a full build.
SETTLE_SECONDS = 1.0
MAX_WAIT_SECONDS = 2.0
POLL_SECONDS = 0.5

Rebuild = Callable[[frozenset[str]], None]


def source_path(site_dir: Path, path: str) -> str | None:
    """The site-relative path of a change that matters to a build, or None to ignore it."""
    try:
        rel = PurePosixPath(Path(path).relative_to(site_dir).as_posix())
    except ValueError:
        return None
    parts = rel.parts
    if not parts or any(is_ignored(part) for part in parts):
        return None  # editors' temporary files, hidden folders (.git, .cache)
    if len(parts) == 1:
        return rel.as_posix() if parts[0] in (CONFIG_FILE, *SOURCE_DIRS) else None
    return rel.as_posix() if parts[0] in SOURCE_DIRS else None


class ChangeQueue:
    """Paths changed since the last build; hands them over after a quiet period."""

    def __init__(self, quiet: float = QUIET_SECONDS, max_wait: float = MAX_WAIT_SECONDS) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._first = self._last = 0.0
        self._closed = False

    def add(self, paths: Iterable[str]) -> None:
        """Record changed paths (called from the observer's thread)."""
        paths = set(paths)
        if not paths:
            return
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending |= paths
            self._last = now
            self._cond.notify_all()

    def take(self, idle: float | None = None) -> frozenset[str] | None:
        """Block until changes have been quiet for a while; None once closed. With `idle`,
        an empty set once no change has come for that long (time to catch up)."""
        with self._cond:
            since = time.monotonic()
            while not self._closed:
                if not self._pending:
                    if idle is None:
                        self._cond.wait()
                        continue
                    left = since + idle - time.monotonic()
                    if left <= 0:
                        return frozenset()
                    self._cond.wait(left)
                    continue
                # A steady trickle of events must not starve the build: max_wait bounds it.
                due = min(self._last + self.quiet, self._first + self.max_wait)
                now = time.monotonic()
                if now >= due:
                    batch = frozenset(self._pending)
                    self._pending.clear()
                    return batch
                self._cond.wait(due - now)
            return None

    def pending(self) -> bool:
        """True if changes wait to be built (a catch-up in progress gives way to them)."""
        with self._cond:
            return bool(self._pending) or self._closed

    def close(self) -> None:
        """Wake the builder and make `take` return None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class SourceEvents(FileSystemEventHandler):
    """Turns watchdog's events into changed source paths; does no work of its own."""

    def __init__(self, site_dir: Path, queue: ChangeQueue) -> None:
        self.site_dir = site_dir
        self.queue = queue

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Record both ends of a move; skip reads and folder echoes."""
        if event.event_type not in CHANGE_KINDS:
            return
        if event.is_directory and event.event_type in (EVENT_TYPE_MODIFIED, EVENT_TYPE_CLOSED):
            return
        moved = event.event_type == EVENT_TYPE_MOVED
        ends = [event.src_path, event.dest_path] if moved else [event.src_path]
        found = (source_path(self.site_dir, _text(end)) for end in ends if end)
        self.queue.add(rel for rel in found if rel is not None)


def _text(path: bytes | str) -> str:
    return path.decode() if isinstance(path, bytes) else path


class Watcher:
    """Watches site.yaml, content/ and themes/ and runs `rebuild(changed)` in its own thread.

    The first build runs at start with an empty set. Changes arriving during a build are
    gathered and cause exactly one follow-up build. While `behind()` says the last build
    deferred work, `catch_up()` runs once no change has come for `settle` seconds. Neither
    callback may raise.
    """

    def __init__(
        self,
        site_dir: Path,
        rebuild: Rebuild,
        *,
        poll: bool = False,
        quiet: float = QUIET_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
        catch_up: Callable[[], None] | None = None,
        behind: Callable[[], bool] | None = None,
        settle: float = SETTLE_SECONDS,
    ) -> None:
        self.site_dir = site_dir.resolve()
        self.rebuild = rebuild
        self.catch_up = catch_up
        self.behind = behind
        self.settle = settle
        self.queue = ChangeQueue(quiet, max_wait)
        self.observer: BaseObserver = PollingObserver(timeout=POLL_SECONDS) if poll else Observer()
        self.events = SourceEvents(self.site_dir, self.queue)
        self.watches: dict[str, ObservedWatch] = {}
        self.thread = threading.Thread(target=self._run, name="dateline-builder", daemon=True)

    def start(self) -> None:
        """Start observing, then build once and after every burst of changes."""
        self.watches["."] = self.observer.schedule(self.events, self.site_dir, recursive=False)
        for name in SOURCE_DIRS:
            self._watch(name)
        self.observer.start()
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop observing; let a running build finish (its writes are atomic anyway)."""
        self.queue.close()
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout)
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def _watch(self, name: str) -> None:
        """(Re)watch a source folder: it may have been created, deleted or replaced."""
        old = self.watches.pop(name, None)
        if old is not None:
            with contextlib.suppress(KeyError):
                self.observer.unschedule(old)
        folder = self.site_dir / name
        if folder.is_dir():
            self.watches[name] = self.observer.schedule(self.events, folder, recursive=True)

    def _run(self) -> None:
        self.rebuild(frozenset())
        while (changed := self.queue.take(self._idle())) is not None:
            if not changed:
                if self.catch_up is not None:
                    self.catch_up()
                continue
            for name in SOURCE_DIRS:
                if name in changed:  # the folder itself came or went
                    self._watch(name)
            self.rebuild(changed)

    def _idle(self) -> float | None:
        """How long to wait for a change before catching up (None: nothing to catch up)."""
        if self.catch_up is None or self.behind is None or not self.behind():
            return None
        return self.settle
