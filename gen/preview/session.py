"""`serve` and `watch`: build, rebuild on every change, and serve the output with live reload."""

from __future__ import annotations

import argparse
import contextlib
import errno
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from gen.config import CONFIG_FILE, BuildOptions, load_config
from gen.console import (
    options_from,
    os_problem,
    print_problems,
    summary_line,
)
from gen.errors import EXIT_ERRORS, EXIT_OK, GenError
from gen.pipeline import BuildCancelled, BuildFailed, BuildResult, Session, build
from gen.preview.serve import LiveReload, PreviewServer, ServedSite, is_loopback
from gen.preview.watch import QUIET_SECONDS, SETTLE_SECONDS, Watcher

PORT_TRIES = 11  # the port asked for and the next 10
WAIT_SLICE = 0.2


@dataclass(frozen=True, slots=True)
class PreviewSettings:
    """How a preview runs: what to watch, whether and where to serve."""

    site_dir: Path
    output_dir: Path
    base_url: str | None = None  # --base-url, else site.yaml's
    serve: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    poll: bool = False
    quiet: float = QUIET_SECONDS
    settle: float = SETTLE_SECONDS  # saves pause this long: the session catches up


class Preview:
    """The watcher, the builds it runs and (for serve) the server, started and stopped together."""

    def __init__(
        self,
        settings: PreviewSettings,
        make_options: Callable[[], BuildOptions],
        out: TextIO | None = None,
    ) -> None:
        self.settings = settings
        self.make_options = make_options  # called per build, so "now" moves on without --clock
        self.out = out or sys.stdout
        self.live = LiveReload()
        self.server: PreviewServer | None = None
        self.builds = 0
        self.failures = 0
        self.session = Session()  # unchanged pages are not rendered again between saves
        self.last: BuildResult | None = None  # what the last successful build did
        self._built = threading.Condition()
        self.caught_up = 0  # how many times the session caught up after partial saves
        self.watcher = Watcher(
            settings.site_dir,
            self.rebuild,
            poll=settings.poll,
            quiet=settings.quiet,
            catch_up=self.catch_up,
            behind=lambda: self.session.behind,
            settle=settings.settle,
        )

    def bind(self) -> None:
        """Open the server on the first free port from `settings.port` on."""
        site = ServedSite(self.settings.output_dir.resolve(), self.base_path())
        port = self.settings.port
        for attempt in range(PORT_TRIES):
            try:
                self.server = PreviewServer((self.settings.host, port + attempt), site, self.live)
                return
            except OSError as exc:
                last = attempt == PORT_TRIES - 1 or port + attempt >= 65535
                if exc.errno != errno.EADDRINUSE or port == 0 or last:
                    raise
                self.say(f"port {port + attempt} is in use; trying {port + attempt + 1}")

    def start(self, timeout: float = 120.0) -> None:
        """Start watching, wait for the first build, then start serving."""
        self.watcher.start()
        self.wait_for_builds(1, timeout)
        if self.server is not None:
            threading.Thread(
                target=self.server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="dateline-server",
                daemon=True,
            ).start()

    def stop(self) -> None:
        """Stop watching and serving; open pages' event streams end."""
        self.watcher.stop()
        self.live.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        """Where the site's front page is served."""
        assert self.server is not None
        host, port = self.server.server_address[:2]
        shown = "127.0.0.1" if str(host) in ("0.0.0.0", "::") else str(host)
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{port}{self.server.site.base_path}"

    def rebuild(self, changed: frozenset[str]) -> None:
        """Build once (called by the watcher's thread only); never raises."""
        try:
            result = build(self.make_options(), session=self.session, changed=changed)
        except BuildFailed as exc:
            self.failures += 1
            print_problems(exc)
            self.live.failed([str(problem) for problem in exc.problems])
        except OSError as exc:  # a file that cannot be read or written: not a bug
            self.failures += 1
            problem = str(os_problem(exc, self.settings.site_dir))
            print(problem, file=sys.stderr, flush=True)
            self.live.failed([problem])
        except Exception as exc:  # a bug in Dateline: say so, keep watching
            self.failures += 1
            traceback.print_exc()
            self.live.failed([f"internal error: {exc!r} (details in the terminal)"])
        else:
            self.last = result
            for warning in result.warnings:
                print(f"{warning} (warning)", file=sys.stderr, flush=True)
            self.say(f"{describe(changed)}{summary_line(result)}")
            if self.server is not None:  # site.yaml may have moved the site to another path
                self.server.site = ServedSite(self.server.site.output_dir, self.base_path())
            css_only = bool(changed) and all(path.endswith(".css") for path in changed)
            notes = self.editorial_notes(changed, result)
            self.live.built(
                changed=result.written + result.removed > 0, css_only=css_only, notes=notes
            )
        with self._built:
            self.builds += 1
            self._built.notify_all()

    def editorial_notes(self, changed: frozenset[str], result: BuildResult) -> list[str]:
        """The edited stories' editorial findings (`dateline check`'s rules), printed and
        returned for the browser's panel; they never block the page."""
        last = self.session.last
        if not changed or last is None:
            return []
        from gen.check.run import check_stories

        try:
            found = check_stories(self.make_options(), last.context.config, changed)
        except Exception as exc:  # a bug in a rule must not stop the preview
            traceback.print_exc()
            return [f"internal error in the editorial checks: {exc!r}"]
        for finding in found:  # the build's own findings were printed with its warnings
            print(finding, file=sys.stderr, flush=True)
        found += [f for f in result.findings if f.path in changed]
        return sorted({str(f) for f in found})

    def catch_up(self) -> None:
        """Once saves pause: a full build, search index included, so that the output is
        what a clean build makes (called by the watcher's thread only); never raises."""
        try:
            result = build(
                self.make_options(),
                session=self.session,
                exact=True,
                stop=self.watcher.queue.pending,
            )
        except BuildCancelled:
            # A save came in: it is built first, and the session catches up after.
            self.session.behind = True
            return
        except BuildFailed as exc:
            self.session.behind = False  # the next save builds again; nothing to catch up
            self.failures += 1
            print_problems(exc)
            self.live.failed([str(problem) for problem in exc.problems])
        except OSError as exc:  # a file that cannot be read or written: not a bug
            self.session.behind = False
            self.failures += 1
            problem = str(os_problem(exc, self.settings.site_dir))
            print(problem, file=sys.stderr, flush=True)
            self.live.failed([problem])
        except Exception as exc:  # a bug in Dateline: say so, keep watching
            self.session.behind = False
            self.failures += 1
            traceback.print_exc()
            self.live.failed([f"internal error: {exc!r} (details in the terminal)"])
        else:
            self.say(f"caught up (search index and all): {summary_line(result)}")
            if result.written + result.removed > 0:
                self.live.built(changed=True, css_only=False)
        with self._built:
            self.caught_up += 1
            self._built.notify_all()

    def wait_for_catch_up(self, count: int, timeout: float) -> bool:
        """Wait until the session has caught up `count` times; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._built:
            while self.caught_up < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._built.wait(min(left, WAIT_SLICE))
            return True

    def wait_for_builds(self, count: int, timeout: float) -> bool:
        """Wait until `count` builds have finished; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._built:
            # Short waits: a signal may reach another thread, and the main thread sees it
            # only when it runs Python again (an untimed wait would swallow Ctrl-C).
            while self.builds < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._built.wait(min(left, WAIT_SLICE))
            return True

    def base_path(self) -> str:
        """The served path of the site: site.yaml's (or --base-url's), "/" while it is broken."""
        try:
            return load_config(self.settings.site_dir, self.settings.base_url).base_path
        except GenError:
            return "/"

    def say(self, text: str) -> None:
        """A line on the terminal, at once (stdout may be a pipe)."""
        print(text, file=self.out, flush=True)


def describe(changed: frozenset[str]) -> str:
    """'content/articles/a.md changed: ' or '3 files changed: ' ('' for the first build)."""
    if not changed:
        return ""
    if len(changed) == 1:
        return f"{next(iter(changed))} changed: "
    return f"{len(changed)} files changed: "


def settings_from(args: argparse.Namespace) -> PreviewSettings:
    """PreviewSettings from the parsed `serve` or `watch` command line."""
    options = options_from(args)
    return PreviewSettings(
        site_dir=options.site_dir,
        output_dir=options.output_dir,
        base_url=options.base_url,
        serve=args.command == "serve",
        host=getattr(args, "host", "127.0.0.1"),
        port=getattr(args, "port", 8000),
        poll=args.poll,
    )


def run_preview(args: argparse.Namespace) -> int:
    """Run `serve` or `watch` until Ctrl-C; returns the exit status.

    Nothing is watched or served before the site folder and the output folder pass the
    checks a build makes (`check_output_dir`): a server never opens on a folder the build
    refused, however the first build goes.
    """
    from gen.console import check_output, check_site_dir, os_problem

    settings = settings_from(args)
    try:
        check_site_dir(settings.site_dir)
        try:
            load_config(settings.site_dir, settings.base_url)
        except GenError:
            # A broken site.yaml is shown in the browser like any mistake; a missing one is
            # a typo.
            if not (settings.site_dir / CONFIG_FILE).is_file():
                raise
        check_output(settings.output_dir, settings.site_dir)
    except GenError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERRORS
    except OSError as exc:  # site.yaml there but unreadable
        print(os_problem(exc, settings.site_dir), file=sys.stderr)
        return EXIT_ERRORS
    preview = Preview(settings, lambda: options_from(args))
    try:
        if settings.serve:
            try:
                preview.bind()
            except (OSError, OverflowError) as exc:
                # OverflowError: every port from --port up to 65535 was taken.
                reason = exc.strerror if isinstance(exc, OSError) else "no free port up to 65535"
                print(f"cannot serve on {settings.host}: {reason or exc}", file=sys.stderr)
                return EXIT_ERRORS
        try:
            preview.start()
        except OSError as exc:  # e.g. the system's limit on watched folders
            reason = exc.strerror or str(exc)
            print(f"cannot watch {settings.site_dir}: {reason}", file=sys.stderr)
            return EXIT_ERRORS
        if settings.serve:
            if not is_loopback(settings.host):
                print(
                    f"warning: --host {settings.host} lets other machines on the network see "
                    "this preview, drafts and embargoed articles included",
                    file=sys.stderr,
                )
            preview.say(f"Serving {preview.url} (Ctrl-C to stop)")
        else:
            preview.say("Watching for changes (Ctrl-C to stop)")
        while True:  # until Ctrl-C; short sleeps for the reason in wait_for_builds
            time.sleep(WAIT_SLICE)
    except KeyboardInterrupt:
        pass
    finally:
        with ignoring_interrupts():
            preview.stop()
    return EXIT_OK


@contextlib.contextmanager
def ignoring_interrupts() -> Iterator[None]:
    """A second Ctrl-C while stopping must not end in a traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
