"""Live blogs: a folder with an index page and one file per update → an `Article` with `live`."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gen.assemble.article import Context, body_images, parse_article, with_pictures
from gen.check.settings import FRONT_KEY_DOC, front_check_problems
from gen.config import MIN_YEAR
from gen.errors import ErrorReport, Problem, suggest
from gen.markup.convert import Engine
from gen.markup.text import WORDS_PER_MINUTE
from gen.model import Article, Image, LiveInfo, LiveUpdate
from gen.source.fields import authors_field, datetime_field, text_field
from gen.source.read import LiveSource, SourceDoc, story_folder
from gen.source.yamldoc import YamlDoc
from gen.urls import slugify

if TYPE_CHECKING:
    from gen.config import BuildOptions

LIVE_KEYS = {
    "status": "live while the story is running, ended when coverage stops",
    "coverage_start": "when coverage began, e.g. 2026-11-26T06:00:00+02:00",
    "coverage_end": "when coverage ended (with status: ended)",
}
UPDATE_KEYS = {
    "time": "when the update was posted, e.g. 2026-11-26T07:15:00+02:00",
    "author": "an author id, or a list of ids",
    "headline": "an optional headline for the update",
    "pinned": "true for a key event shown at the top",
    "draft": "true to keep the update out unless --drafts is given",
    "check": FRONT_KEY_DOC,
}
STATUSES = ("live", "ended")
PART_SIZE = 20  # updates per page; parts are counted from the oldest so anchors stay put
UpdateParts = tuple[LiveUpdate, bool, int, tuple[Image, ...]]  # update, draft, words, images


def live_path(slug: str) -> str:
    """The site path of a live blog."""
    return f"/live/{slug}/"


def part_path(slug: str, part: int) -> str:
    """The stable page of part `part` (1 = the oldest updates)."""
    return f"{live_path(slug)}part/{part}/"


def update_id(path: str) -> str:
    """An update's id, its anchor (#update-<id>): its file's name, whatever its folder."""
    return slugify(path.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "update"


def check_update_ids(live: LiveSource, problems: list[Problem]) -> None:
    """Two update files of one blog with one id (0900.md in two folders, or beside
    0900.markdown) would share a link: an error at the deeper (then the later by name),
    naming the other. Ids stay the files' names, so no published link changes."""
    seen: dict[str, str] = {}
    for path in sorted((d.path for d in live.updates), key=lambda p: (p.count("/"), p)):
        uid = update_id(path)
        first = seen.setdefault(uid, path)
        if first != path:
            problems.append(
                Problem(
                    path,
                    None,
                    f"update id '{uid}' is also the id of {first}; rename one of them "
                    f"(an update's id, its link #update-{uid}, is its file's name)",
                )
            )


def parse_live(
    live: LiveSource,
    ctx: Context,
    engine: Engine,
    options: BuildOptions,
    report: ErrorReport,
) -> Article | None:
    """Validate a live blog's index and updates; the blog becomes an article with `live` set."""
    index = live.index
    data = index.front.data
    problems: list[Problem] = []

    def err(key: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(index.path, index.front.line(*key), message))

    tz = ctx.config.tz
    if "date" in data:
        err(("date",), "a live blog starts at 'coverage_start', not 'date'")
    start = datetime_field(data, "coverage_start", tz, err)
    if "coverage_start" not in data:
        err((), f"missing 'coverage_start': {LIVE_KEYS['coverage_start']}")
    end = datetime_field(data, "coverage_end", tz, err)
    if start and end and end < start:
        err(("coverage_end",), "'coverage_end' is before 'coverage_start'")
    status = str(data.get("status") or "live")
    if status not in STATUSES:
        err(
            ("status",),
            f"'status' must be live or ended, got '{status}'{suggest(status, STATUSES)}",
        )
    folder = index.path.rsplit("/", 2)[-2]
    front = dict(data)
    front.setdefault("slug", slugify(folder))
    front.pop("date", None)
    lines = dict(index.front.lines)
    if start is not None:
        front["date"] = data["coverage_start"]
        lines[("date",)] = index.front.line("coverage_start")
    else:
        # Its error is reported above: not again as a missing 'date', and the dates judged
        # against it ('updated', corrections) are judged against the earliest allowed.
        front["date"] = datetime(MIN_YEAR, 1, 1, tzinfo=tz)
    source = replace(index, front=YamlDoc(front, lines, index.front.first_line))
    article = parse_article(source, ctx, engine, options, report, LIVE_KEYS)
    check_update_ids(live, problems)
    updates = [
        update
        for doc in live.updates
        if (update := parse_update(doc, ctx, engine, start, end, problems)) is not None
        and (options.drafts or not update[1])
        and (options.future or update[0].time <= options.now)
    ]
    for p in problems:
        report.error(p.path, p.line, p.message)
    if article is None or problems:
        return None
    ordered = sorted((u for u, _, _, _ in updates), key=lambda u: (u.time, u.id))
    parts = max(1, math.ceil(len(ordered) / PART_SIZE))
    placed = [replace(u, part=i // PART_SIZE + 1) for i, u in enumerate(ordered)]
    words = article.word_count + sum(w for _, _, w, _ in updates)
    # The updates' images are the blog's: published with it (never before), like a story's.
    images = {i.src: i for i in article.body_images}
    for *_, shown in updates:
        for image in shown:
            images.setdefault(image.src, image)
    latest = placed[-1].time if placed else None
    return replace(
        article,
        url=live_path(article.slug),
        updated=max(filter(None, [article.updated, latest]), default=None),
        word_count=words,
        reading_minutes=max(1, math.ceil(words / WORDS_PER_MINUTE)),
        body_images=tuple(images.values()),
        live=LiveInfo(status, article.date, end, tuple(reversed(placed)), parts),
        inputs="",  # made from its updates (and the clock) too: hashed as it is
    )


def parse_update(
    doc: SourceDoc,
    ctx: Context,
    engine: Engine,
    start: Any,
    end: Any,
    problems: list[Problem],
) -> UpdateParts | None:
    """One update file → (update, is draft, word count, the images its body shows), or None
    after recording problems; its body's images are checked as a story's are."""
    data = doc.front.data
    before = len(problems)

    def err(key: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(doc.path, doc.front.line(*key), message))

    for key in data:
        if key not in UPDATE_KEYS:
            err((key,), f"unknown key '{key}' in a live update{suggest(key, UPDATE_KEYS)}")
    if "check" in data:
        for where, message in front_check_problems(data["check"]):
            err(where, message)
    time = datetime_field(data, "time", ctx.config.tz, err)
    if "time" not in data:
        err((), f"missing 'time': {UPDATE_KEYS['time']}")
    if time and start and time < start:
        err(("time",), f"update 'time' ({time.isoformat()}) is before the blog's 'coverage_start'")
    if time and end and time > end:
        err(("time",), f"update 'time' ({time.isoformat()}) is after the blog's 'coverage_end'")
    if not data.get("author"):
        err((), f"missing 'author': {UPDATE_KEYS['author']}")
    authors = authors_field(data.get("author"), ctx.authors, err, ctx.broken_authors)
    pinned = data.get("pinned", False)
    draft = data.get("draft", False)
    for key, value in (("pinned", pinned), ("draft", draft)):
        if not isinstance(value, bool):
            err((key,), f"'{key}' must be true or false, got '{value}'")
    rendered = engine.convert(doc.body)
    images = body_images(doc, rendered.images, ctx, problems)
    if len(problems) > before or time is None:
        return None
    update = LiveUpdate(
        id=update_id(doc.path),
        source=doc.path,
        time=time,
        authors=authors,
        headline=text_field(data, "headline", err, UPDATE_KEYS["headline"]),
        body_html=with_pictures(rendered.html, images, ctx, story_folder(doc.path)),
        pinned=pinned is True,
    )
    return update, draft is True, rendered.word_count, images
