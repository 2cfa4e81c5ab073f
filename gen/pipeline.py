"""`build()`: what changed → config → read → markup → assemble → images → render → search →
feeds → write. One engine for every build.

A cold build is the case where everything changed; a warm build redoes everything but keeps
each page whose inputs and recorded reads are unchanged (the memo in `.cache/`); a watch
session keeps the same memos in memory, and a save that only edits stories' words runs the
same stages for those stories alone (`gen.engine.changes`). The session catches up, search index
included, with a build that redoes everything once saves pause.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from gen.check.links import unused_image_findings
from gen.config import BuildOptions
from gen.engine import unchanged
from gen.engine.changes import EVERYTHING, Changes, NotPartial, find_changes
from gen.engine.checks import remember_published, report_findings, site_checks
from gen.engine.inputs import assemble, configure, convert_markup, images, read_sources
from gen.engine.outputs import (
    feeds_and_sitemaps,
    remember,
    render_pages,
    write_site,
)
from gen.engine.search import start_search
from gen.errors import ContentError, ErrorReport, GenError, TemplateError
from gen.outputs.spool import remove_spool, spool_folder
from gen.schedule.record import record_schedule
from gen.session import BuildCancelled, BuildFailed, BuildResult, Session

__all__ = ["BuildCancelled", "BuildFailed", "BuildResult", "Session", "build"]

Progress = Callable[[int, int], None]
SEARCH_SWITCH = 0.0005  # seconds: the interpreter's switch interval while the index is made


def build(
    options: BuildOptions,
    progress: Progress | None = None,
    session: Session | None = None,
    changed: frozenset[str] = frozenset(),
    *,
    exact: bool = False,
    stop: Callable[[], bool] | None = None,
    dry: bool = False,
    listing: unchanged.Listing | None = None,
) -> BuildResult:
    """Build the site in `options.site_dir` into `options.output_dir`.

    Raises `BuildFailed` with every problem found; the output folder is only touched
    after every page rendered and the search index was built, so a failed build leaves it
    as it was. A watch session passes the site-relative paths its watcher saw `changed`.
    `exact` re-indexes search even in a session (how a session catches up); `stop()`,
    asked between stages and while Pagefind runs, cancels the build (`BuildCancelled`)
    before anything is written. A `dry` build (`dateline check`) stops after the check
    stage: it writes nothing, and returns the findings and the sources it read. A build
    that finds nothing changed replays the last (`gen.engine.unchanged`), unless the caller
    already tried and passes the sources' `listing` it took.
    """
    if listing is None and session is None and not dry:
        # Before anything is read: what the build is about to read, as the disk says.
        listing, replayed = unchanged.replayed(options)
        if replayed is not None:
            return replayed
    changes = find_changes(options, session, changed, exact)
    if changes.partial:
        try:
            return run(options, progress, session, changes, exact, stop, dry, listing)
        except NotPartial:
            pass  # the save did more than edit stories in their places
        except BaseException:
            if session is not None:
                session.last = None
            raise
    if session is not None and not exact:
        # Kept only by a build that redoes everything and succeeds (a catch-up changes no
        # source: what the last build left stays true if it is cancelled).
        session.last = None
    return run(options, progress, session, EVERYTHING, exact, stop, dry, listing)


def run(
    options: BuildOptions,
    progress: Progress | None,
    session: Session | None,
    changes: Changes,
    exact: bool,
    stop: Callable[[], bool] | None = None,
    dry: bool = False,
    listing: unchanged.Listing | None = None,
) -> BuildResult:
    """The stages, in order, each timed; a build with its sources' `listing` is recorded
    for the next to replay if nothing changes (`gen.engine.unchanged`)."""
    result = BuildResult(partial=changes.partial)
    report = ErrorReport()
    clock = StageClock(result, stop, trim=session is None)
    spool: Path | None = None
    try:
        with clock("config"):
            config, options = configure(options, report, session, changes)
        with clock("read"):
            tree, theme = read_sources(options, config, report, session, changes)
        with clock("markup"):
            engine = convert_markup(tree, config, options, report, result, session, changes)
        with clock("assemble"):
            model = assemble(tree, config, options, report, engine, session, changes)
            # The model holds what pages need of the sources: the sources themselves and
            # their conversions go (42 MB of Markdown at 10,000 stories), except to a dry
            # build, which reports on them (a session keeps its own).
            sources = (
                tree.articles + tuple(d for live in tree.live for d in (live.index, *live.updates))
                if dry
                else ()
            )
            del tree, engine
        with clock("images"):
            assets, sizes = images(model, config, options, report, session)
            report.raise_if_errors(ContentError)
        with clock("render"):
            # A build's pages made on the worker pool wait on disk, not in memory.
            spool = spool_folder(options.cache_dir, options.output_dir) if session is None else None
            pages = render_pages(model, config, theme, options, report, progress, session, spool)
            result.rendered = sum(1 for f in pages.files if not f.kept)
        # Pagefind runs on its own thread beside the feeds and the staging of the files;
        # nothing is renamed into the output folder before its index is in too.
        pool = ThreadPoolExecutor(1, thread_name_prefix="dateline-search")
        switch = sys.getswitchinterval()
        # That thread reads and writes many small files: each time it waits for the disk,
        # it then waits for this one to let go of the interpreter, by default 5 ms later.
        sys.setswitchinterval(SEARCH_SWITCH)
        try:
            with clock("search"):
                began = time.perf_counter()
                index = None if dry else start_search(pool, pages, config, session, exact)
                if index is not None:
                    index.add_done_callback(functools.partial(_index_done, result, began))
            with clock("feeds"):
                files = feeds_and_sitemaps(
                    model, config, options, theme, assets, sizes, pages, index, session, report
                )
                report.raise_if_errors(TemplateError)
            with clock("check"):
                result.findings, result.external = site_checks(
                    model, config, options, files, pages, session
                )
                result.checked = options.checks
                if dry:
                    result.findings += unused_image_findings(model.site)
                    result.sources = sources
                    result.warnings = report.warnings
                    result.articles = len(model.site.articles)
                    return result
                report_findings(result.findings, report, session)
                report.raise_if_errors(ContentError)
            with clock("write"):
                written = write_site(files, pages, index, report, clock.move, session, stop)
        except BuildCancelled:
            pool.shutdown(wait=False, cancel_futures=True)  # Pagefind ends by itself
            raise
        finally:
            sys.setswitchinterval(switch)
            pool.shutdown(wait=False)  # the writer waited for the index, if there was one
        remember(options, session, model, pages, written, sizes, len(files))
        remember_published(options, model, session)
        record_schedule(options, model.site, session)
    except GenError as exc:
        raise BuildFailed(exc, report.warnings) from None
    finally:
        remove_spool(spool)  # what the writer did not rename into place
    result.articles = len(model.site.articles)
    result.pages = written.written + written.unchanged if changes.partial else len(files)
    result.pages += written.later
    result.written = written.written
    result.unchanged = written.unchanged
    result.removed = written.removed
    result.warnings = report.warnings
    scheduled = model.site.next_embargo
    result.next_embargo = (scheduled.source, scheduled.date) if scheduled else None
    if session is None:  # a build, not a watch session's (a partial build is one of those)
        unchanged.record(options, listing, result, model.site.next_change)
    return result


def _index_done(result: BuildResult, began: float, _: object) -> None:
    """Note the search index's own time in `result` (`timings_line` prints it)."""
    result.index_seconds = time.perf_counter() - began


def give_back_memory() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim; elsewhere nothing).

    A stage frees much more than it keeps (the parse of 10,000 stories' front matter and
    Markdown, say), and the allocator holds on to the freed pages between the kept objects:
    at 10,000 stories about 50 MB, which forked render workers would inherit. It costs a
    few milliseconds a stage, so a build pays it and a watch session's save does not.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, looked up once; None where there is none."""
    import ctypes  # only a build needs it

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    return trim


class StageClock:
    """Times each stage into `result.timings`, and stops a build asked to stop between them."""

    def __init__(
        self, result: BuildResult, stop: Callable[[], bool] | None = None, trim: bool = False
    ) -> None:
        self.timings = result.timings
        self.stop = stop
        self.trim = trim

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Time a stage; a build asked to stop stops before it."""
        if self.stop is not None and self.stop():
            raise BuildCancelled
        start = time.perf_counter()
        try:
            yield
        finally:
            if self.trim:
                give_back_memory()
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def move(self, seconds: float, source: str, target: str) -> None:
        """Count `seconds` of one stage's time as another's (waiting for Pagefind is search)."""
        self.timings[source] = self.timings.get(source, 0.0) - seconds
        self.timings[target] = self.timings.get(target, 0.0) + seconds
