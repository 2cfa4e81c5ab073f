"""What the commands share: build options from the command line, exit codes, and every line
printed about a build (problems, the summary, progress)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TextIO

from gen.cache import CACHE_DIR
from gen.config import CONFIG_FILE, BuildOptions, default_jobs
from gen.errors import ConfigError, GenError, Problem
from gen.outputs.state import check_output_dir
from gen.session import BuildFailed, BuildResult


def options_from(args: argparse.Namespace) -> BuildOptions:
    """BuildOptions from parsed arguments (a preview's with its drafts and embargoed stories
    included, as the build would include them)."""
    site_dir: Path = args.site
    options = BuildOptions(
        site_dir=site_dir,
        output_dir=args.output if args.output is not None else site_dir / "output",
        now=args.clock or datetime.now().astimezone(),
        drafts=args.drafts,
        future=args.future,
        base_url=args.base_url,
        cache_dir=None if args.no_cache else site_dir / CACHE_DIR,
        jobs=default_jobs() if args.jobs is None else max(1, args.jobs),
        preview=args.preview,
        label=args.label,
        embargoed=args.embargoed,
    )
    if not options.preview:
        return options
    from gen.pages.preview import preview_options  # the page modules: only for previews

    return preview_options(options)


CACHE_LINK = (
    "is a symbolic link: the cache stays inside the site (remove the link; the cache is made again)"
)


def check_site_dir(site_dir: Path) -> None:
    """Refuse a --site that is not a folder (or whose site.yaml is not a file, or whose
    .cache is a link) before any work, as a located ConfigError; a folder without site.yaml
    is `load_config`'s error."""
    config = site_dir / CONFIG_FILE
    try:
        if site_dir.is_dir():
            if config.exists() and not config.is_file():
                raise ConfigError([Problem(CONFIG_FILE, None, "not a regular file")])
            if (site_dir / CACHE_DIR).is_symlink():
                # A repository's link would send the cache (and what is read back from
                # it) outside the site.
                raise ConfigError([Problem(CACHE_DIR, None, CACHE_LINK)])
            return
        if site_dir.exists():
            raise ConfigError(
                [
                    Problem(
                        str(site_dir),
                        None,
                        f"is a file, not a folder; give --site the folder that holds {CONFIG_FILE}",
                    )
                ]
            )
    except OSError as exc:  # a folder we may not look into
        raise ConfigError([os_problem(exc, site_dir)]) from None
    raise ConfigError(
        [
            Problem(
                CONFIG_FILE,
                None,
                f"no {CONFIG_FILE} in {site_dir} (give the site folder with --site)",
            )
        ]
    )


def check_output(output_dir: Path, site_dir: Path) -> None:
    """Refuse, before any work, an output folder the build would refuse
    (`check_output_dir`) or could not create, as a located ConfigError.

    For a missing folder, a folder is made where it would go, and removed again.
    """
    try:
        check_output_dir(output_dir, site_dir)
        if output_dir.is_dir():
            return
    except OSError as exc:  # a folder we may not look into
        reason = lower(exc.strerror or type(exc).__name__)
        raise ConfigError([Problem(str(output_dir), None, f"cannot be read: {reason}")]) from None
    except RuntimeError as exc:  # Path.resolve: a symlink loop
        raise ConfigError([Problem(str(output_dir), None, f"cannot be resolved: {exc}")]) from None
    # Make (and remove) a folder where the first missing one would go: the real one is made
    # only when the build writes.
    at = output_dir.absolute()
    while not os.path.lexists(at) and at != at.parent:
        at = at.parent
    try:
        Path(tempfile.mkdtemp(prefix=".dateline-", dir=at)).rmdir()
    except OSError as exc:
        reason = lower(exc.strerror or type(exc).__name__)
        problem = Problem(str(output_dir), None, f"cannot create the output folder: {reason}")
        raise ConfigError([problem]) from None


def os_problem(exc: OSError, site_dir: Path) -> Problem:
    """A file system error as a located problem: the file (relative to the site folder
    when inside it) and the system's reason."""
    where = os.fsdecode(exc.filename) if exc.filename is not None else str(site_dir)
    with contextlib.suppress(ValueError, OSError):
        where = Path(where).absolute().relative_to(site_dir.absolute()).as_posix()
    return Problem(where, None, lower(exc.strerror or type(exc).__name__))


def lower(text: str) -> str:
    """'No such file' → 'no such file': messages here start in lower case."""
    return text[:1].lower() + text[1:]


def failed(error: GenError) -> BuildFailed:
    """A problem found before the build started, reported as a failed build's."""
    return error if isinstance(error, BuildFailed) else BuildFailed(error, [])


def print_problems(exc: BuildFailed) -> None:
    """Every warning and error, then a count."""
    for warning in exc.warnings:
        print(f"{warning} (warning)", file=sys.stderr)
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    count = len(exc.problems)
    print(
        f"build failed: {plural(count, 'error')}; output left as it was",
        file=sys.stderr,
    )


def plural(count: int, noun: str, nouns: str = "") -> str:
    """'1 error', '2 errors'."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def summary_line(result: BuildResult) -> str:
    """'Built 26 articles: 180 files written, 12 unchanged, 0 removed in 0.41 s'."""
    line = (
        f"Built {plural(result.articles, 'article')}: "
        f"{plural(result.written, 'file')} written, "
        f"{result.unchanged} unchanged, {result.removed} removed in {result.seconds:.2f} s"
    )
    # Said every time, so a log shows that links and URLs went unchecked.
    return line if result.checked else f"{line} (--no-check: links and URLs not checked)"


def timings_line(result: BuildResult) -> str:
    """'timings: config 0.012 read 0.834 … total 4.401' (seconds, in stage order), and
    'index 2.130' after the total if the search index was made: its own time, beside the
    stages after render (the search stage is the wait for it that is left)."""
    stages = " ".join(f"{name} {seconds:.3f}" for name, seconds in result.timings.items())
    beside = f" index {result.index_seconds:.3f}" if result.index_seconds is not None else ""
    return f"timings: {stages} total {result.seconds:.3f}{beside}"


class ProgressLine:
    """A one-line progress display on a terminal, redrawn in place."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        # Redraw at most ~100 times: terminals are slow and big sites have many pages.
        if total >= 200 and done % max(1, total // 100) and done != total:
            return
        self.stream.write(f"\rrendering {done}/{total} pages")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
