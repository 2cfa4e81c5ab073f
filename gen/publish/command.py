"""`dateline publish DEST [--dry-run]`: the built site synced to storage rclone reaches; the
changed URLs printed and handed to the purge command."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from gen.errors import EXIT_ERRORS, EXIT_OK

if TYPE_CHECKING:
    from gen.publish.sync import Plan

# The command's work is imported when it runs: the command line is built for every command.

# More changed URLs than this reach the purge command on stdin (one a line) instead of as
# arguments: a command line has a length limit (about 2 MB on Linux, 32 KB on Windows).
PURGE_ARGUMENTS_LIMIT = 500
SHOWN_FOREIGN = 10  # files left alone named in the warning; the rest counted


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `publish` to the command line's subcommands."""
    cmd = commands.add_parser(
        "publish",
        help="upload the built site's changed files to S3, GCS, Azure, SFTP, WebDAV … (rclone)",
    )
    cmd.add_argument(
        "dest",
        metavar="DEST",
        help="an rclone path (remote:bucket/prefix, :s3,provider=AWS:bucket) or a folder",
    )
    cmd.add_argument("--site", type=Path, default=Path(), help="the folder with site.yaml")
    cmd.add_argument(
        "--output", type=Path, help="the built folder (default: output/ beside site.yaml)"
    )
    cmd.add_argument(
        "--base-url", help="the URL the site was built for, for the changed URLs printed"
    )
    cmd.add_argument(
        "--dry-run", action="store_true", help="print what would change at DEST; change nothing"
    )


def run(args: argparse.Namespace) -> int:
    """Publish the output folder to DEST; print the changed URLs and a summary line."""
    from gen.config import load_config
    from gen.console import check_site_dir
    from gen.errors import GenError
    from gen.publish.rclone import MISSING, Remote, find_rclone, redact, shown_dest
    from gen.publish.sync import (
        execute,
        local_entries,
        plan_publish,
        read_manifest_strict,
        read_remote,
    )

    start = time.perf_counter()
    dest: str = args.dest
    shown = shown_dest(dest)
    started = False
    try:
        check_site_dir(args.site)
        config = load_config(args.site, args.base_url)
        output_dir: Path = args.output if args.output is not None else args.site / "output"
        hashes = read_manifest_strict(output_dir)
        binary = find_rclone()
        if binary is None:
            print(MISSING, file=sys.stderr)
            return EXIT_ERRORS
        remote = Remote(binary, dest)
        state = read_remote(remote)
        plan = plan_publish(local_entries(hashes, compress=config.compress), state)
        warn_unrecorded(shown, state.record is None, plan.foreign)
        if args.dry_run:
            print_plan(plan)
            print(f"Would publish {counts(plan)} to {shown} (dry run: nothing changed)")
            return EXIT_OK
        started = True
        execute(plan, remote, output_dir, say=lambda line: print(line, file=sys.stderr))
    except (GenError, OSError) as exc:
        for line in str(exc).splitlines():
            print(redact(line, dest), file=sys.stderr)
        if started:
            print(
                f"publish stopped: {shown} may hold some new files; publish again to finish",
                file=sys.stderr,
            )
        return EXIT_ERRORS
    urls = changed_urls(config.base_url, [*plan.uploads, *plan.deletions])
    for url in urls:
        print(url)
    purged = purge(config.publish.purge_command, urls, args.site)
    seconds = time.perf_counter() - start
    print(f"Published {counts(plan)} to {shown} in {seconds:.1f} s")
    return EXIT_OK if purged else EXIT_ERRORS


def counts(plan: Plan) -> str:
    """'12 files (3 deleted, 488 unchanged)'."""
    files = len(plan.uploads)
    noun = "file" if files == 1 else "files"
    return f"{files} {noun} ({len(plan.deletions)} deleted, {plan.unchanged} unchanged)"


def print_plan(plan: Plan) -> None:
    """Each phase's uploads and the deletions, with their paths, in the order they happen."""
    from gen.publish.sync import PHASES

    for phase in PHASES:
        paths = plan.phase_paths(phase)
        if paths:
            print(f"would upload {len(paths)} {phase}:")
            for path in paths:
                print(f"  {path}")
    if plan.deletions:
        print(f"would delete {len(plan.deletions)} files:")
        for path in plan.deletions:
            print(f"  {path}")


def warn_unrecorded(shown: str, unrecorded: bool, foreign: Sequence[str]) -> None:
    """Say when DEST has no record of ours, and which of its files are left alone."""
    if not unrecorded:
        return
    print(f"{shown}: no publish record there: every file is uploaded (warning)", file=sys.stderr)
    if foreign:
        names = ", ".join(foreign[:SHOWN_FOREIGN])
        more = f" and {len(foreign) - SHOWN_FOREIGN} more" if len(foreign) > SHOWN_FOREIGN else ""
        print(
            f"{shown}: {len(foreign)} files Dateline did not publish are left alone: "
            f"{names}{more} (warning)",
            file=sys.stderr,
        )


def changed_urls(base_url: str, paths: Sequence[str]) -> list[str]:
    """The absolute URLs of changed files, as readers ask for them (`a/` for `a/index.html`);
    a pre-compressed sibling only when its original did not change."""
    from gen.publish.headers import compressed_original

    changed = set(paths)
    urls = {
        page_url(base_url, path) for path in changed if compressed_original(path) not in changed
    }
    return sorted(urls)


def page_url(base_url: str, path: str) -> str:
    """The URL of the file at `path` under `base_url` (which ends with '/')."""
    from gen.urls import page_of

    return base_url + quote(page_of(path))


def purge(command: Sequence[str], urls: Sequence[str], site_dir: Path) -> bool:
    """Run the purge command (in the site folder, never through a shell) with the changed
    URLs as arguments, or on stdin past PURGE_ARGUMENTS_LIMIT; False if it failed."""
    if not command or not urls:
        return True
    many = len(urls) > PURGE_ARGUMENTS_LIMIT
    argv = [*command] if many else [*command, *urls]
    stdin = "".join(f"{url}\n" for url in urls) if many else ""
    try:
        done = subprocess.run(
            argv, cwd=site_dir, input=stdin, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        print(f"publish.purge_command: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
        return False
    for line in (done.stdout + done.stderr).splitlines():
        print(f"purge: {line}", file=sys.stderr)
    if done.returncode != 0:
        print(
            f"publish.purge_command: {command[0]} failed (exit status {done.returncode})",
            file=sys.stderr,
        )
        return False
    return True
