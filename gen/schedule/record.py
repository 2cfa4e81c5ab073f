"""The record a published build leaves in `.cache/schedule.json` for `dateline due`: when
it was built and the next moment the site changes by the clock alone.

The record comes back from a CI cache, so it is read as untrusted: every field is checked,
and one that does not check out is no record at all (a build is due). The worst a forged
record can do is start a build early or hold one until the next push.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from gen.cache import read_json_cache, write_json_cache

if TYPE_CHECKING:
    from gen.config import BuildOptions
    from gen.model import Site
    from gen.session import Session

SCHEDULE = "schedule"  # .cache/schedule.json
MAX_BYTES = 64 * 1024  # a record is under 1 KB; a larger file is not one
MAX_WHAT = 500  # characters of the description of the change


@dataclass(frozen=True, slots=True)
class Schedule:
    """What the last published build recorded."""

    built: datetime  # the build's "now"
    next_change: datetime | None  # None: nothing changes by the clock alone
    what: str = ""  # e.g. "content/articles/2026/x.md publishes"


def record_schedule(options: BuildOptions, site: Site, session: Session | None = None) -> None:
    """Record this build's time and the site's next change, if it publishes the site: not a
    watch session's build, a preview, or one with drafts or future stories."""
    if session is not None or options.preview or options.drafts or options.future:
        return
    at = site.next_change
    write_json_cache(
        options,
        SCHEDULE,
        {
            "built": options.now.isoformat(),
            "next_change": at.isoformat() if at is not None else None,
            "what": describe_change(site),
        },
    )


def record_built(options: BuildOptions) -> None:
    """A build that found nothing changed (`gen.engine.unchanged`): the record keeps its
    next change and says the site was built now."""
    schedule = read_json_cache(options, SCHEDULE)
    if isinstance(schedule, dict) and "built" in schedule:
        write_json_cache(options, SCHEDULE, {**schedule, "built": options.now.isoformat()})


def describe_change(site: Site) -> str:
    """What happens at `site.next_change`, for people: which story publishes or expires."""
    from gen.outputs.sitemaps import NEWS_WINDOW

    at = site.next_change
    if at is None:
        return ""
    if site.next_embargo is not None and site.next_embargo.date == at:
        return f"{site.next_embargo.source} publishes"
    for article in site.articles:
        if article.expires == at:
            return f"{article.source} expires"
    for article in site.articles:
        if article.date + NEWS_WINDOW == at:
            return f"{article.source} leaves the news sitemap"
    # Live updates and drafts are not in the model before their time.
    return "a scheduled live update or draft falls due"


def read_schedule(cache_dir: Path) -> tuple[Schedule | None, str]:
    """The record in `cache_dir`, or None and why there is none."""
    path = cache_dir / f"{SCHEDULE}.json"
    try:
        # Not following a link at the last step, nor waiting on a FIFO someone put there.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None, "no published build recorded"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or type(exc).__name__})"
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None, "not a regular file"
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return None, f"larger than {MAX_BYTES // 1024} KB"
    return parse_schedule(data)


def parse_schedule(data: bytes) -> tuple[Schedule | None, str]:
    """A record from its bytes, every field checked; or None and what is wrong."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, "not JSON"
    if not isinstance(value, dict):
        return None, "not a JSON object"
    built = _moment(value.get("built"))
    if built is None:
        return None, "'built' is not a date and time with its offset"
    raw_next = value.get("next_change")
    next_change = _moment(raw_next)
    if raw_next is not None and next_change is None:
        return None, "'next_change' is neither null nor a date and time with its offset"
    what = value.get("what", "")
    if not isinstance(what, str) or len(what) > MAX_WHAT or not what.isprintable():
        return None, "'what' is not one line of text"
    return Schedule(built, next_change, what), ""


def _moment(value: object) -> datetime | None:
    """An ISO 8601 date and time with an offset, or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None
