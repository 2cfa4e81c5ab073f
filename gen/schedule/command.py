"""`dateline due`: has a scheduled change (an embargo lifting, a story expiring, a live update)
fallen due since the last published build? For a CI job that runs every few minutes and
builds only when it must.

Exit status: 0 due (or no build recorded: build now), 1 not due, 2 a wrong command line.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

EXIT_DUE, EXIT_NOT_DUE, EXIT_USAGE = 0, 1, 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `due` to the command line's commands."""
    cmd = commands.add_parser(
        "due",
        help="exit 0 if a scheduled story, expiry or live update has fallen due since the last "
        "published build (build now), 1 if not",
    )
    cmd.add_argument("--site", type=Path, default=Path(), help="the folder with site.yaml")
    cmd.add_argument(
        "--clock",
        type=parse_moment,
        help="the time to ask for, with its offset, e.g. 2026-01-06T12:00:00+02:00 (default: now)",
    )


def parse_moment(value: str) -> datetime:
    """An ISO 8601 date and time with its offset, for --clock."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"not a date and time with its offset: {value!r} (e.g. 2026-01-06T12:00:00+02:00)"
        )
    return moment


def run(args: argparse.Namespace) -> int:
    """Print one line saying whether a build is due, and return the exit status."""
    from gen.cache import CACHE_DIR
    from gen.config import CONFIG_FILE
    from gen.schedule.record import read_schedule

    site: Path = args.site
    if not (site / CONFIG_FILE).is_file():
        # Not "1": a CI job reading 1 as "nothing due" would hide a wrong --site for good.
        print(
            f"dateline due: error: no {CONFIG_FILE} in {site} (give the site folder with --site)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    now: datetime = args.clock or datetime.now(UTC)
    schedule, why = read_schedule(site / CACHE_DIR)
    if schedule is None:
        print(f"due: {CACHE_DIR}/schedule.json: {why}; build now")
        return EXIT_DUE
    at = schedule.next_change
    what = schedule.what or "a scheduled change"
    if at is None:
        print(f"not due: nothing scheduled since the build at {schedule.built.isoformat()}")
        return EXIT_NOT_DUE
    if at <= now:
        print(f"due: {what} at {at.isoformat()}")
        return EXIT_DUE
    print(f"not due: next change at {at.isoformat()} ({what})")
    return EXIT_NOT_DUE
