"""The command line: build, new (and the preview commands); the only module that prints."""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from gen import __version__
from gen.errors import EXIT_ERRORS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from gen.config import BuildOptions

# Each command imports its work when it runs, so `dateline --version` and `--help` start
# without loading the build (Jinja, Markdown, Pillow, the model).

COMMANDS = ("build", "check", "due", "import", "init", "new", "publish", "serve", "watch")
FORMATS = ("text", "github", "json", "sarif")
GC_THRESHOLD = 100_000  # allocations between young collections (Python's default: 700)
# More workers than this only costs memory: each is a forked process, all started at once.
MAX_JOBS = 256
MAX_PORT = 65535


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
    build_cmd.add_argument(
        "--no-check",
        action="store_true",
        help="skip the site-wide editorial rules (broken-link, url-changed): emergencies only",
    )
    build_cmd.add_argument(
        "--timings",
        action="store_true",
        help="print each stage's time (seconds) on stderr after the build",
    )

    check_cmd = commands.add_parser(
        "check", help="editorial checks: the desk's second pair of eyes before a merge"
    )
    check_cmd.add_argument("paths", nargs="*", metavar="PATH", help="only these story files")
    check_cmd.add_argument("--site", type=Path, default=Path(), help="the folder with site.yaml")
    check_cmd.add_argument("--format", choices=FORMATS, default="text", help="how to print")
    check_cmd.add_argument("--strict", action="store_true", help="fail on warnings too (exit 1)")
    check_cmd.add_argument(
        "--external",
        action="store_true",
        help="also check external links over the network (cached in .cache/)",
    )
    check_cmd.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    check_cmd.add_argument("--no-cache", action="store_true", help="ignore and don't write .cache/")
    check_cmd.add_argument(
        "--clock", type=parse_clock, help="the time to check for (what is published by then)"
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
            preview_cmd.add_argument(
                "--port",
                type=parse_port,
                default=8000,
                help="first port to try (0: any free port)",
            )
            preview_cmd.add_argument(
                "--host",
                type=parse_host,
                default="127.0.0.1",
                help="address to bind (0.0.0.0 exposes it to the network)",
            )

    new_cmd = commands.add_parser("new", help="start a new article (a draft)")
    new_cmd.add_argument("title", type=parse_title, help="the headline")
    new_cmd.add_argument("--section", required=True, help="a section id from site.yaml")
    new_cmd.add_argument("--author", required=True, help="an author id from content/authors/")
    new_cmd.add_argument("--site", type=Path, default=Path(), help="the folder with site.yaml")

    from gen.importers import command as import_command
    from gen.init import command as init_command
    from gen.publish import command as publish_command
    from gen.schedule import command as due_command

    init_command.add_parser(commands)
    import_command.add_parser(commands)
    due_command.add_parser(commands)
    publish_command.add_parser(commands)
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
        type=parse_jobs,
        help="worker processes for converting Markdown and making pages (default: the CPU count)",
    )
    cmd.add_argument(
        "--clock",
        type=parse_clock,
        help="the time to build for, e.g. 2026-01-06T12:00:00+02:00 (scheduling, previews)",
    )
    cmd.add_argument(
        "--preview",
        action="store_true",
        help="a preview build: every page marked and noindex, drafts included and marked, "
        "no feeds or sitemaps, robots.txt disallowing all",
    )
    cmd.add_argument(
        "--label", type=parse_label, default="", help="shown in a preview's banner, e.g. 'PR 42'"
    )
    cmd.add_argument(
        "--embargoed",
        action="store_true",
        help="a preview also shows scheduled stories, each under an EMBARGOED banner",
    )


def parse_label(value: str) -> str:
    """A preview's --label: one short line of text."""
    if not value:
        return value  # the default (argparse converts it too): nothing to load or check
    from gen.pages.preview import label_problem

    problem = label_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{problem}: '{shown(value)}'")
    return value.strip()


def parse_clock(value: str) -> datetime:
    """An ISO 8601 moment for --clock, in the years a story's date may be in."""
    from gen.config import outside_years

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO date and time: '{shown(value)}' (e.g. 2026-01-06T12:00:00+02:00)"
        ) from None
    problem = outside_years(moment)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"'{shown(value)}' {problem}")
    return moment


def whole_number(value: str, low: int, high: int, what: str) -> int:
    """`value` as a whole number from `low` to `high`, or a usage error naming `what`."""
    try:
        number = int(value, 10)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise argparse.ArgumentTypeError(
            f"{what} must be a whole number from {low} to {high}, got '{shown(value)}'"
        )
    return number


def parse_port(value: str) -> int:
    """A TCP port for --port (0: the system picks a free one)."""
    return whole_number(value, 0, MAX_PORT, "the port")


def parse_jobs(value: str) -> int:
    """A worker count for --jobs."""
    return whole_number(value, 1, MAX_JOBS, "the number of jobs")


def parse_host(value: str) -> str:
    """An address for --host: a name or an IP address, never empty (which would mean every
    network interface without saying so)."""
    if not value.strip() or not value.isprintable() or any(c.isspace() for c in value):
        raise argparse.ArgumentTypeError(
            f"not an address: '{shown(value)}' (e.g. 127.0.0.1, or 0.0.0.0 for the network)"
        )
    return value


def parse_title(value: str) -> str:
    """The headline for `new`: one line of text (see `title_problem`)."""
    from gen.source.newarticle import title_problem

    problem = title_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return value


def shown(value: str) -> str:
    """`value` safe to print: control characters and undecodable bytes as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in value)


def run() -> NoReturn:
    """The `dateline` command (and `python build.py`): `main()`, then exit at once.

    A build leaves a large heap behind (the model, every article's HTML); Python tearing it
    down object by object took 0.6 s of a warm build at 10,000 articles, for nothing: by
    then every file is written and closed, every cache committed, every pool shut down. The
    exit handlers still run, as they would on a normal exit; only the tear-down is skipped.
    """
    code = main()
    atexit._run_exitfuncs()  # what a normal exit runs first (temporary folders' clean-up…)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`dateline check | head`): nothing more can be said
        code = code or EXIT_ERRORS
    os._exit(code)


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
    if getattr(args, "preview", None) is False and (args.embargoed or args.label):
        # Only a preview shows what is not published: a build never shows embargoed stories.
        flag = "--embargoed" if args.embargoed else "--label"
        print(f"dateline {args.command}: error: {flag} needs --preview", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "init":
        from gen.init import command as init_command

        return init_command.run(args)
    if args.command == "import":
        from gen.importers import command as import_command

        return import_command.run(args)
    if args.command == "due":
        from gen.schedule import command as due_command

        return due_command.run(args)
    if args.command == "new":
        return run_new(args)
    if args.command == "check":
        return run_check(args)
    if args.command == "publish":
        from gen.publish import command as publish_command

        return publish_command.run(args)
    if args.command in ("serve", "watch"):
        from gen.preview.session import run_preview

        return run_preview(args)
    from gen.console import options_from

    options = options_from(args)
    if args.no_check:
        options = replace(options, checks=False)
    return run_build(options, quiet=args.quiet, timings=args.timings)


def run_build(options: BuildOptions, *, quiet: bool = False, timings: bool = False) -> int:
    """Build once, print a summary or every problem, return the exit status."""
    from gen.console import (
        ProgressLine,
        check_output,
        check_site_dir,
        failed,
        os_problem,
        print_problems,
        summary_line,
        timings_line,
    )
    from gen.engine import unchanged
    from gen.errors import GenError

    progress = None if quiet or not sys.stderr.isatty() else ProgressLine(sys.stderr)
    try:
        check_site_dir(options.site_dir)
        check_output(options.output_dir, options.site_dir)
        # A build that finds nothing changed never loads the pipeline (Jinja, the model…).
        listing, result = unchanged.replayed(options)
        if result is None:
            from gen.pipeline import build

            result = build(options, progress=progress, listing=listing)
    except (GenError, OSError) as exc:
        if progress:
            progress.clear()
        # A file that cannot be read or written (a folder without permission, a full disk)
        # is the site's problem, not Dateline's: located, no traceback.
        error = exc if isinstance(exc, GenError) else GenError([os_problem(exc, options.site_dir)])
        print_problems(failed(error))
        return EXIT_ERRORS
    except KeyboardInterrupt:
        # Ctrl-C: the build stops where it was (files are renamed into place one by one
        # once everything is made, so the output may be part-way there); no traceback.
        if progress:
            progress.clear()
        print("build interrupted (Ctrl-C); build again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED
    if progress:
        progress.clear()
    for warning in result.warnings:
        print(f"{warning} (warning)", file=sys.stderr)
    if not quiet:
        print(summary_line(result))
    if timings:
        print(timings_line(result), file=sys.stderr)
    if result.next_embargo is not None and not quiet:
        source, date = result.next_embargo
        print(f"next scheduled article: {source} publishes at {date.isoformat()}; build again then")
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    """Create a new article file and print its path."""
    from gen.config import load_config
    from gen.console import check_site_dir, os_problem
    from gen.errors import GenError
    from gen.source.newarticle import create_article

    try:
        check_site_dir(args.site)
        config = load_config(args.site)
        path = create_article(
            args.site, config, args.title, args.section, args.author, datetime.now().astimezone()
        )
    except (GenError, OSError) as exc:
        problems = exc.problems if isinstance(exc, GenError) else (os_problem(exc, args.site),)
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_ERRORS
    print(shown(str(path)))
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """`dateline check`: every finding, one per line (or in --format), and the exit status."""
    from gen.cache import CACHE_DIR
    from gen.check.report import (
        count_levels,
        github_report,
        github_summary,
        json_report,
        sarif_report,
        text_report,
    )
    from gen.check.run import check_site, rules_of
    from gen.config import BuildOptions, default_jobs
    from gen.console import check_site_dir, os_problem, plural
    from gen.errors import GenError

    if args.list_rules:
        rules, _ = rules_of(args.site if (args.site / "site.yaml").is_file() else None)
        width = max(len(rule.id) for rule in rules)
        for rule in rules:
            print(f"{rule.id:<{width}}  {rule.level:<7}  {rule.description}")
        return EXIT_OK
    try:
        check_site_dir(args.site)
    except (GenError, OSError) as exc:
        for problem in exc.problems if isinstance(exc, GenError) else (os_problem(exc, args.site),):
            print(problem, file=sys.stderr)
        return EXIT_ERRORS
    paths = []
    site = args.site.resolve()
    for given in args.paths:
        try:
            paths.append(Path(given).resolve().relative_to(site).as_posix())
        except ValueError:
            print(
                f"dateline check: error: {shown(given)} is not inside the site {site}",
                file=sys.stderr,
            )
            return EXIT_USAGE
    options = BuildOptions(
        site_dir=args.site,
        output_dir=args.site / "output",
        now=args.clock or datetime.now().astimezone(),
        cache_dir=None if args.no_cache else args.site / CACHE_DIR,
        jobs=default_jobs(),
    )
    start = time.perf_counter()
    try:
        run = check_site(options, paths, external=args.external)
    except (GenError, OSError) as exc:
        for problem in exc.problems if isinstance(exc, GenError) else (os_problem(exc, args.site),):
            print(problem, file=sys.stderr)
        return EXIT_ERRORS
    findings = run.findings
    rules, _ = rules_of(args.site)
    if args.format == "text":
        if findings:
            print(text_report(findings).rstrip("\n"))
    elif args.format == "github":
        if findings:
            print(github_report(findings).rstrip("\n"))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with Path(summary).open("a", encoding="utf-8") as handle:
                handle.write(github_summary(findings, {r.id: r.description for r in rules}))
    elif args.format == "json":
        print(json_report(findings), end="")
    else:
        print(sarif_report(findings, rules, site.as_uri()), end="")
    counts = count_levels(findings)
    failed = counts["error"] > 0 or (args.strict and counts["warning"] > 0)
    if args.format == "text":
        seconds = time.perf_counter() - start
        print(
            f"Checked {plural(run.stories, 'story', 'stories')} ({run.cached} unchanged): "
            f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')} "
            f"in {seconds:.2f} s",
            file=sys.stderr,
        )
    return EXIT_ERRORS if failed else EXIT_OK
