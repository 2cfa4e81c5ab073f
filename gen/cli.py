"""The command line: build, new (and the preview commands); the only module that prints."""

from __future__ import annotations

import argparse
import gc
import sys
from datetime import datetime
from pathlib import Path

from gen import __version__
from gen.config import BuildOptions, load_config
from gen.console import (
    EXIT_ERRORS,
    EXIT_OK,
    ProgressLine,
    options_from,
    print_problems,
    summary_line,
)
from gen.errors import GenError
from gen.markup.convert import default_jobs
from gen.pipeline import BuildFailed, build
from gen.source.newarticle import create_article

COMMANDS = ("build", "new", "serve", "watch")
GC_THRESHOLD = 100_000  # allocations between young collections (Python's default: 700)


def make_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="dateline", description="Build and preview a Dateline news site."
    )
    parser.add_argument("--version", action="version", version=f"dateline {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    add_build_options(build_cmd)
    build_cmd.add_argument(
        "--quiet", action="store_true", help="print only errors and warnings (no summary)"
    )

    for name, text in (
        ("serve", "build, serve the site for preview and rebuild on every change"),
        ("watch", "build and rebuild on every change, without a server"),
    ):
        preview_cmd = commands.add_parser(name, help=text)
        add_build_options(preview_cmd)
        preview_cmd.add_argument(
            "--poll", action="store_true", help="poll for changes (network mounts)"
        )
        if name == "serve":
            preview_cmd.add_argument("--port", type=int, default=8000, help="first port to try")
            preview_cmd.add_argument(
                "--host",
                default="127.0.0.1",
                help="address to bind (0.0.0.0 exposes it to the network)",
            )

    new_cmd = commands.add_parser("new", help="start a new article (a draft)")
    new_cmd.add_argument("title", help="the headline")
    new_cmd.add_argument("--section", required=True, help="a section id from site.yaml")
    new_cmd.add_argument("--author", required=True, help="an author id from content/authors/")
    new_cmd.add_argument("--site", type=Path, default=Path(), help="the folder with site.yaml")
    return parser


def add_build_options(cmd: argparse.ArgumentParser) -> None:
    """Options shared by build, serve and watch."""
    cmd.add_argument("--site", type=Path, default=Path(), help="the folder with site.yaml")
    cmd.add_argument(
        "--output", type=Path, help="where to write (default: output/ beside site.yaml)"
    )
    cmd.add_argument("--base-url", help="publish under this URL instead of site.yaml's base_url")
    cmd.add_argument("--drafts", action="store_true", help="include drafts")
    cmd.add_argument("--future", action="store_true", help="include articles dated after now")
    cmd.add_argument("--no-cache", action="store_true", help="ignore and don't write .cache/")
    cmd.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        help="worker processes for converting Markdown (default: the CPU count)",
    )
    cmd.add_argument(
        "--clock",
        type=parse_clock,
        help="the time to build for, e.g. 2026-01-06T12:00:00+02:00 (scheduling, previews)",
    )


def parse_clock(value: str) -> datetime:
    """An ISO 8601 moment for --clock."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO date and time: '{value}' (e.g. 2026-01-06T12:00:00+02:00)"
        ) from None


def main(argv: list[str] | None = None) -> int:
    """Run a command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # A build holds hundreds of thousands of long-lived objects (the site model, the
    # pages); Python's default thresholds scan them all again and again, which cost a
    # quarter of a warm build at 10,000 articles. Rarer collections (as mypy does) keep
    # the garbage a build makes in check for a few MB more.
    gc.set_threshold(GC_THRESHOLD, 50, 1000)
    # `python build.py` and `python build.py --site x` mean `build`.
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on a wrong command line, 0 for --help
        return int(exc.code or 0)
    if args.command == "new":
        return run_new(args)
    if args.command in ("serve", "watch"):
        from gen.preview.session import run_preview

        return run_preview(args)
    return run_build(options_from(args), quiet=args.quiet)


def run_build(options: BuildOptions, *, quiet: bool = False) -> int:
    """Build once, print a summary or every problem, return the exit status."""
    progress = None if quiet or not sys.stderr.isatty() else ProgressLine(sys.stderr)
    try:
        result = build(options, progress=progress)
    except BuildFailed as exc:
        if progress:
            progress.clear()
        print_problems(exc)
        return EXIT_ERRORS
    if progress:
        progress.clear()
    for warning in result.warnings:
        print(f"{warning} (warning)", file=sys.stderr)
    if not quiet:
        print(summary_line(result))
    if result.next_embargo is not None and not quiet:
        article = result.next_embargo
        print(
            f"next scheduled article: {article.source} publishes at "
            f"{article.date.isoformat()}; build again then"
        )
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    """Create a new article file and print its path."""
    try:
        config = load_config(args.site)
        path = create_article(
            args.site, config, args.title, args.section, args.author, datetime.now().astimezone()
        )
    except GenError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERRORS
    print(path)
    return EXIT_OK
