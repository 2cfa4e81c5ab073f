"""What the commands share: build options from the command line, exit codes, and every line
printed about a build (problems, the summary, progress)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from gen.cache import CACHE_DIR
from gen.config import BuildOptions
from gen.pipeline import BuildFailed, BuildResult

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def options_from(args: argparse.Namespace) -> BuildOptions:
    """BuildOptions from parsed arguments."""
    site_dir: Path = args.site
    return BuildOptions(
        site_dir=site_dir,
        output_dir=args.output if args.output is not None else site_dir / "output",
        now=args.clock or datetime.now().astimezone(),
        drafts=args.drafts,
        future=args.future,
        base_url=args.base_url,
        cache_dir=None if args.no_cache else site_dir / CACHE_DIR,
        jobs=max(1, args.jobs),
    )


def print_problems(exc: BuildFailed) -> None:
    """Every warning and error, then a count."""
    for warning in exc.warnings:
        print(f"{warning} (warning)", file=sys.stderr)
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    count = len(exc.problems)
    print(
        f"build failed: {count} error{'s' if count != 1 else ''}; output left as it was",
        file=sys.stderr,
    )


def summary_line(result: BuildResult) -> str:
    """'Built 26 articles: 180 pages written, 12 unchanged, 0 removed in 0.41 s'."""
    return (
        f"Built {result.articles} articles: {result.written} files written, "
        f"{result.unchanged} unchanged, {result.removed} removed in {result.seconds:.2f} s"
    )


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
