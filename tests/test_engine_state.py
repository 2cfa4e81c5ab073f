"""The authority for Dateline's promise: whatever the cache or a watch session holds, a
build's output equals a clean build's, byte for byte.

A hypothesis state machine keeps a small site (a custom theme whose templates read odd
fields, two authors, two images, a live blog, a draft and a scheduled story) and changes it
one real file at a time:

- stories: text (title, summary, body, dateline: the partial save's edits) and place
  (date, section, tags, author, lead image, draft, updated, expires, a correction, an
  alias, a translation); added, deleted, renamed; saves in a row; several files in one
  save; a save made later by the clock; an edit the watcher never reported;
- the live blog's updates (posted, edited, deleted) and its status;
- an author's profile, an image's pixels, a template or the stylesheet of the theme,
  site.yaml (per_page, section order, base_url, the Markdown engine, title, language,
  time zone, permalinks, related and feed lengths, feed formats, search);
- mistakes (a story, an author, site.yaml, a template that fail the build) and their fix;
- the build's options: base URL, drafts, future, the clock, jobs;
- the cache and the session: a restarted preview, `dateline build` run into the
  preview's folder, a CI checkout without output/ or without .cache/, an older cache
  restored (with or without its output), another cache key.

After every step the same options build three output folders:

- `warm`: a persistent cache and no session, as CI builds;
- `watch`: one `Session()` kept across steps, told the paths each save touched (as the
  watcher would), then caught up with `exact=True`;
- `clean`: a fresh folder with no cache.

`warm` and `watch` must equal `clean` byte for byte; the watch folder also before its
catch-up, but for the search index (and the manifest listing it) when site.yaml turns
search on: that is all a partial save defers. A build that fails must fail in all three
with the same problems. A failure prints the harness calls that led to it, as Python.

Runtime: about a minute by default (`EXAMPLES` examples of up to `STEPS` steps; `-s`
prints how many steps ran). A long soak runs more examples:

    DATELINE_SOAK=200 pytest tests/test_engine_state.py -s

(`DATELINE_SOAK_STEPS=40` makes each example longer too). Below the machine: one small
test with search on (a partial save's deferred Pagefind index, then the catch-up), one that
converts more bodies than the process pool's threshold, and the sequences the machine
found, shrunk, kept as plain regression tests.
"""

from __future__ import annotations

import difflib
import functools
import os
import shutil
import struct
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from gen.cache import KEY_ENV
from gen.config import BuildOptions
from gen.markup.convert import PARALLEL_MIN
from gen.pages.theme import DEFAULT_THEME_DIR
from gen.pipeline import BuildFailed, Session, build
from tests.conftest import CLOCK, article, output_files

NOW = datetime.fromisoformat(CLOCK)
SOAK = int(os.environ.get("DATELINE_SOAK") or 0)
EXAMPLES = SOAK or 18
STEPS = int(os.environ.get("DATELINE_SOAK_STEPS") or (25 if SOAK else 12))
TOTALS: Counter[str] = Counter()  # steps and examples the machine ran, in this process
KEY_AT_START = os.environ.get(KEY_ENV)  # the machine switches cache keys; put back after

# --- The site's vocabulary ---------------------------------------------------------------

SECTIONS = {
    "conflict": ("Conflict", "The fighting."),
    "diplomacy": ("Diplomacy", ""),
    "economy": ("Economy", "Trade and money."),
}
BASE_URLS = ("https://example.org/", "https://staging.example.org/news/")
OPTION_BASE_URLS = (None, "https://example.org/", "https://mirror.example.net/ledger/")
WORDS = (
    *("allies", "meet", "in", "kyiv", "grain", "talks", "shelling", "near", "kharkiv"),
    *("ceasefire", "monitors", "arrive", "power", "cuts", "ease", "ports", "reopen"),
)
ODD_TEXTS = (
    "Talks & “quotes” in Kyiv",
    "Grain 'deal' <em>signed</em>",
    "Ціни на зерно ростуть",
)
DATES = (
    "2025-12-31T23:30:00+02:00",  # a year earlier in Kyiv (search groups, archive months)
    "2026-01-06T09:30:00+02:00",
    "2026-03-01T08:00:00+02:00",
    "2026-11-26T18:00:00+02:00",  # in the news sitemap's window
    "2026-11-29T08:00:00+02:00",  # two days after the clock: scheduled
    "2026-12-05T08:00:00+02:00",
    "2026-03-01T06:00:00+00:00",  # the same instant as the third, written in UTC
)
SAME_INSTANT_IN_UTC = DATES[-1]
CLOCK_HOURS = (-72, 0, 3, 31, 72, 240)  # the clock, in hours from CLOCK
LATER_HOURS = (1, 3, 31)  # a save made later than the last build (the preview's clock moves)
TAGS = ("kyiv", "Kyiv", "talks", "grain", "energy", "Kharkiv Oblast")
BODIES = (
    "National security advisers met in Kyiv on Saturday.\n\n## What was agreed\n\nLittle.\n",
    "Short lede.\n",
    "A *new* lede with a [link](/section/conflict/).\n\n## Background\n\n- one\n- two\n\n"
    "## Next\n\nMore.\n\n## Later\n\nEven more words here.\n",
    "![A map of the front](/images/map.png)\n\nThe map shows the front line.\n",
    'Smart "quotes" -- and dashes... ~~struck~~ www.example.org\n\n'
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
)
DATELINES = (None, "Kyiv", "KHARKIV, Ukraine")
UPDATED_HOURS = (None, 2, 50)  # `updated:` this long after `date:`
EXPIRES_HOURS = (None, 20, 960)  # `expires:` this long after `date:`
CORRECTIONS = (None, "An earlier version misspelt a name.", "The date was wrong & is fixed.")
PEOPLE = {
    "david-okafor": ("David Okafor", "Diplomatic correspondent", "Covers diplomacy."),
    "olena-kovalenko": ("Olena Kovalenko", "Reporter", "Reports from Kharkiv."),
}
AUTHOR_VALUES = {
    "name": ("David Okafor", "Olena Kovalenko-Shevchuk", "D. Okafor"),
    "role": ("Reporter", "Bureau chief", "Editor & writer"),
    "bio": ("Covers diplomacy.", "Reports from the front.", "Writes about <grain> & ports."),
}
IMAGES = {"photo.png": (40, 30, 0x80), "map.png": (36, 20, 0x80)}  # name → width, height, grey
NAMES = ("kyiv-talks", "grain", "z", "2026/power-cuts", "monitors", "ports-reopen")
# A live blog (content/live/overnight/): its status, and update files by name.
LIVE_DIR = "content/live/overnight"
LIVE_STATUSES = ("live", "ended")
UPDATE_NAMES = ("0215-sirens", "0340-debris", "1100-repairs", "1400-metro", "0900-all-clear")
UPDATE_TIMES = (
    "2026-11-26T02:15:00+02:00",
    "2026-11-26T03:40:00+02:00",
    "2026-11-27T11:00:00+02:00",  # an hour before the clock
    "2026-11-27T14:00:00+02:00",  # two hours after it: published by the clock alone
    "2026-11-28T09:00:00+02:00",
)
STYLESHEETS = (None, "body { color: #111; }\n", "body { color: #222; }\n")
TEMPLATES = ("base.html", "list.html", "article.html", "_macros.html")
# What each custom template adds to the default's text (None: the file is removed, and
# the default's is used): fields that pages declare only in part, or not at all.
TEMPLATE_LINES = {
    "base.html": (
        '<p class="count">{{ site.articles|length }} stories</p>',
        '<p class="count">{{ site.articles|length }} stories, {{ site.tags|length }} topics</p>',
        '<p class="latest">{% for a in site.articles[:2] %}{{ a.title }}; {% endfor %}</p>',
        '{% if site.next_embargo %}<p class="next">{{ site.next_embargo.title }}</p>{% endif %}',
        '<p class="months">{{ site.months|length }} months; {{ site.authors[0].name }}</p>',
    ),
    "list.html": (
        '{% if listing.articles %}<p class="lead">{{ listing.articles[0].summary }}</p>{% endif %}',
        '{% if listing.articles %}<p class="lead">{{ listing.articles[-1].title }}</p>{% endif %}',
        '<p class="total">{{ listing.articles|length }} in all</p>',
    ),
    "article.html": (
        '<p class="bio">{{ article.authors[0].bio }}</p>',
        '<p class="bio">{{ article.authors[0].name }}, {{ article.authors[0].role }}</p>',
        '<p class="bio">{{ related|length }} related; {{ article.authors[0].url }}</p>',
    ),
    "_macros.html": (
        '<p class="words">{{ article.word_count }} words</p>',
        '<p class="tags">{{ article.tags|map(attribute="name")|join(", ") }}</p>',
        '<p class="bio">{{ article.authors[0].bio }}</p>',
    ),
}
# Where each line goes in the default template's text.
TEMPLATE_ANCHORS = {
    "base.html": "</footer>",
    "list.html": "{% for article in articles %}",
    "article.html": "</footer>",
    "_macros.html": '<p class="card-summary"',
}


def picture(width: int, height: int, grey: int = 0x80) -> bytes:
    """A real PNG of one grey (tests/conftest.py's `png`, in any shade: two shades of one
    size are files of the same length and dimensions, different only in their pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([grey]) * 3 * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class Story:
    """An article file, written as `article()` writes them."""

    title: str
    date: str
    section: str = "diplomacy"
    author: str = "david-okafor"
    tags: tuple[str, ...] = ()
    summary: str | None = None
    body: str = BODIES[0]
    image: bool = False
    draft: bool = False
    dateline: str | None = None
    updated: int | None = None  # hours after `date`
    expires: int | None = None  # hours after `date`
    correction: str | None = None  # dated five hours after `date`
    alias: str | None = None  # an old path that redirects here (unique: the harness's)
    translation_of: str | None = None  # the slug of the story this one translates (in uk)

    def text(self) -> str:
        published = datetime.fromisoformat(self.date)

        def later(hours: int) -> str:
            return (published + timedelta(hours=hours)).isoformat()

        extra = ""
        if self.tags:
            extra += f"tags: [{', '.join(self.tags)}]\n"
        if self.summary is not None:
            extra += f"summary: {self.summary}\n"
        if self.dateline is not None:
            extra += f"dateline: {self.dateline}\n"
        if self.image:
            extra += "image: {src: images/photo.png, alt: A photo, credit: Us}\n"
        if self.draft:
            extra += "draft: true\n"
        if self.updated is not None:
            extra += f"updated: {later(self.updated)}\n"
        if self.expires is not None:
            extra += f"expires: {later(self.expires)}\n"
        if self.correction is not None:
            extra += f"corrections:\n  - date: {later(5)}\n    text: {self.correction}\n"
        if self.alias is not None:
            extra += f"aliases: [{self.alias}]\n"
        if self.translation_of is not None:
            extra += f"lang: uk\ntranslation_of: {self.translation_of}\n"
        return article(
            self.title,
            date=self.date,
            section=self.section,
            author=self.author,
            extra=extra,
            body=self.body,
        )


@dataclass
class Update:
    """A live blog's update file."""

    time: str
    author: str = "olena-kovalenko"
    headline: str | None = None
    body: str = "Sirens sounded across the city.\n"
    pinned: bool = False
    draft: bool = False

    def text(self) -> str:
        extra = f"headline: {self.headline}\n" if self.headline is not None else ""
        extra += "pinned: true\n" if self.pinned else ""
        extra += "draft: true\n" if self.draft else ""
        return f"---\ntime: {self.time}\nauthor: {self.author}\n{extra}---\n\n{self.body}"


def live_index(status: str) -> str:
    """The live blog's index.md: `ended` closes coverage after the last update time."""
    end = "coverage_end: 2026-11-28T12:00:00+02:00\n" if status == "ended" else ""
    return (
        '---\ntitle: "Live: overnight attack on Kyiv"\nauthor: [olena-kovalenko, david-okafor]\n'
        f"coverage_start: 2026-11-26T02:00:00+02:00\nstatus: {status}\n{end}"
        "section: conflict\ntags: [kyiv]\nsummary: Rolling coverage of the attack.\n---\n\n"
        "Air raid sirens sounded across Kyiv shortly after 2 a.m.\n"
    )


@dataclass
class SiteSettings:
    """site.yaml, as the machine varies it."""

    per_page: int = 2
    order: tuple[str, ...] = tuple(SECTIONS)
    base_url: str = BASE_URLS[0]
    engine: str = "markdown"
    search: bool = False
    title: str = "Test Ledger"
    language: str = "en"
    timezone: str = "Europe/Kyiv"
    permalink: str | None = None  # None: the default, /{year}/{month}/{day}/{slug}/
    related_count: int | None = None
    feed_entries: int | None = None
    feeds: str | None = None  # None: every list in all three formats

    def text(self) -> str:
        sections = "".join(
            f"  {sid}:\n    title: {SECTIONS[sid][0]}\n"
            + (f"    description: {SECTIONS[sid][1]}\n" if SECTIONS[sid][1] else "")
            for sid in self.order
        )
        engine = "markdown: {engine: cmark}\n" if self.engine == "cmark" else ""
        optional = "".join(
            f"{key}: {value}\n"
            for key, value in (
                ("permalink", self.permalink),
                ("related_count", self.related_count),
                ("feed_entries", self.feed_entries),
                ("feeds", self.feeds),
            )
            if value is not None
        )
        return (
            f"title: {self.title}\nbase_url: {self.base_url}\nlanguage: {self.language}\n"
            f"timezone: {self.timezone}\ndescription: A test site.\n"
            "publisher:\n  name: Test Ledger\n"
            f"theme: custom\nsearch: {str(self.search).lower()}\nimage_widths: [16, 32]\n"
            f"per_page: {self.per_page}\nsections:\n{sections}{engine}{optional}"
        )


@dataclass
class Flags:
    """The build's options besides its folders: the same for all three builds of a step."""

    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    hours: int = 0  # the clock, in hours from CLOCK
    jobs: int = 1

    def options(self, site: Path, output: Path, cache: Path | None) -> BuildOptions:
        return BuildOptions(
            site_dir=site,
            output_dir=output,
            now=NOW + timedelta(hours=self.hours),
            drafts=self.drafts,
            future=self.future,
            base_url=self.base_url,
            cache_dir=cache,
            jobs=self.jobs,
            # The editorial rules are left out: url-changed compares with what the last
            # build published (history, by design), and a preview shows broken links as
            # warnings where a build fails. Their own tests are tests/test_check.py.
            checks=False,
        )


def slug_of(name: str) -> str:
    """A story's slug: its file name's stem (the names are all lowercase words)."""
    return name.rsplit("/", 1)[-1]


def initial_stories() -> dict[str, Story]:
    return {
        "a": Story(
            "Allies meet in Kyiv",
            "2026-01-06T09:30:00+02:00",
            tags=("kyiv", "talks"),
            image=True,
        ),
        "b": Story(
            "Shelling near Kharkiv",
            "2026-02-01T08:00:00+02:00",
            section="conflict",
            author="olena-kovalenko",
            tags=("Kharkiv Oblast",),
        ),
        "c": Story(
            "Grain talks",
            "2026-11-26T18:00:00+02:00",
            section="economy",
            tags=("talks", "grain"),
            summary="Ships wait in Odesa.",
            body=BODIES[3],
        ),
        "d": Story("Draft notes", "2026-03-01T08:00:00+02:00", draft=True),
        "e": Story("Ceasefire monitors arrive", "2026-11-29T08:00:00+02:00", tags=("kyiv",)),
    }


def differences(name: str, got: dict[str, bytes], want: dict[str, bytes]) -> str:
    """The first few paths where `got` differs from the clean build, and a diff of the first."""
    paths = sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))
    lines = [f"{name} differs from the clean build in {len(paths)} files: {paths[:8]}"]
    # The manifest lists every file's hash: show a file's own diff rather than its line.
    first = next((p for p in paths if p != ".dateline-manifest.json"), paths[0])
    if first not in got or first not in want:
        lines.append(f"{first}: only in {name if first in got else 'clean'}")
    old = want.get(first, b"").decode("utf-8", "replace").splitlines()
    new = got.get(first, b"").decode("utf-8", "replace").splitlines()
    diff = difflib.unified_diff(old, new, f"clean/{first}", f"{name}/{first}", n=1, lineterm="")
    lines += [line[:300] for line in list(diff)[:40]]
    return "\n".join(lines)


Outcome = dict[str, bytes] | tuple[object, ...]  # the output's files, or a failure's problems


def without_index(outcome: Outcome) -> Outcome:
    """The output without the search index and the manifest (which lists the index's files):
    what a partial save does not defer."""
    if isinstance(outcome, tuple):
        return outcome
    return {
        path: data
        for path, data in outcome.items()
        if not path.startswith("pagefind/") and path != ".dateline-manifest.json"
    }


def expect_equal(outcomes: list[tuple[str, Outcome]], clean: Outcome) -> None:
    """Each named outcome is the clean build's: the same files, or the same problems. A name
    that says "search index aside" is compared without the search index."""
    failures = []
    for name, got in outcomes:
        outcome, want = got, clean
        if "search index aside" in name:
            outcome, want = without_index(got), without_index(clean)
        if isinstance(clean, tuple) or isinstance(outcome, tuple):
            if outcome != want:
                failures.append(f"{name} build: {outcome!r}\nclean build: {want!r}")
        elif outcome != want:
            failures.append(differences(name, outcome, want))
    if failures:
        raise AssertionError("\n\n".join(failures))


Method = TypeVar("Method", bound=Callable[..., Any])


def logged(method: Method) -> Method:
    """Note a call of a harness method in its history (not the calls it makes itself), as
    the line of Python that makes it again: a failure shows how to replay it."""

    @functools.wraps(method)
    def wrapper(self: Harness, *args: Any, **kwargs: Any) -> Any:
        if self.depth == 0:
            words = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
            self.history.append(f"h.{method.__name__}({', '.join(words)})")
        self.depth += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self.depth -= 1

    return wrapper  # type: ignore[return-value]


class Harness:
    """A site on disk, its model, and the three ways of building it.

    Edits write real files and return the site paths they touched (what the watcher would
    report); `save` is a watch save, `check` builds warm, catches the session up, builds
    clean and compares; `step` is a save then a check.
    """

    def __init__(self, root: Path, *, search: bool = False, shared_cache: bool = False) -> None:
        self.root = root
        self.history = [f"h = Harness(root, search={search!r}, shared_cache={shared_cache!r})"]
        self.depth = 0
        self.site = root / "site"
        self.warm_dir, self.warm_cache = root / "warm", root / "cache"
        # `dateline build` and `dateline serve` share the site's .cache/ unless told otherwise.
        self.watch_dir = root / "watch"
        self.watch_cache = self.warm_cache if shared_cache else root / "watch-cache"
        self.stories = initial_stories()
        self.authors = {
            aid: dict(zip(("name", "role", "bio"), v, strict=True)) for aid, v in PEOPLE.items()
        }
        self.images = dict(IMAGES)
        self.config = SiteSettings(search=search)
        self.flags = Flags()
        self.templates: dict[str, int | None] = dict.fromkeys(TEMPLATES, 0)
        self.stylesheet: str | None = None
        self.live_status = "live"
        self.updates = {
            UPDATE_NAMES[0]: Update(UPDATE_TIMES[0], headline="Sirens"),
            UPDATE_NAMES[2]: Update(UPDATE_TIMES[2], author="david-okafor", pinned=True),
        }
        self.session = Session()
        self.aliases = 0
        self.steps = 0
        self.saved: Outcome | None = None  # the watch folder after the last save
        self.write("site.yaml", self.config.text())
        for aid in self.authors:
            self.write_author(aid)
        for name in self.images:
            self.write_image(name)
        for name in TEMPLATES:
            self.write_template(name)
        for name in self.stories:
            self.write_story(name)
        self.write(f"{LIVE_DIR}/index.md", live_index(self.live_status))
        for name in self.updates:
            self.write_update(name)

    # --- Files --------------------------------------------------------------------------

    def write(self, rel: str, data: str | bytes) -> frozenset[str]:
        path = self.site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return frozenset({rel})

    @staticmethod
    def story_path(name: str) -> str:
        return f"content/articles/{name}.md"

    def write_story(self, name: str) -> frozenset[str]:
        return self.write(self.story_path(name), self.stories[name].text())

    def write_author(self, aid: str) -> frozenset[str]:
        a = self.authors[aid]
        text = f"name: {a['name']}\nrole: {a['role']}\nbio: {a['bio']}\n"
        return self.write(f"content/authors/{aid}.yaml", text)

    def write_image(self, name: str) -> frozenset[str]:
        return self.write(f"content/images/{name}", picture(*self.images[name]))

    def write_update(self, name: str) -> frozenset[str]:
        return self.write(f"{LIVE_DIR}/{name}.md", self.updates[name].text())

    def write_template(self, name: str) -> frozenset[str]:
        rel = f"themes/custom/templates/{name}"
        variant = self.templates[name]
        if variant is None:
            (self.site / rel).unlink(missing_ok=True)
            return frozenset({rel})
        text = (DEFAULT_THEME_DIR / "templates" / name).read_text(encoding="utf-8")
        anchor = TEMPLATE_ANCHORS[name]
        assert anchor in text, f"the default {name} has no {anchor!r} any more"
        line = TEMPLATE_LINES[name][variant]
        return self.write(rel, text.replace(anchor, f"{line}\n{anchor}", 1))

    # --- Edits: each returns the site paths it touched, as a watcher would see them ------

    @logged
    def edit_story(self, name: str, **changes: object) -> frozenset[str]:
        if changes.get("alias") is True:  # a new old path, never another story's
            self.aliases += 1
            changes["alias"] = f"/old/{self.aliases}/"
        self.stories[name] = replace(self.stories[name], **changes)
        return self.write_story(name)

    @logged
    def add_story(self, name: str, story: Story) -> frozenset[str]:
        self.stories[name] = story
        return self.write_story(name)

    @logged
    def delete_story(self, name: str) -> frozenset[str]:
        del self.stories[name]
        rel = self.story_path(name)
        (self.site / rel).unlink()
        # Its translations stand alone now (saved with it: a dangling one is an error).
        return frozenset({rel}) | self.retarget(slug_of(name), None)

    @logged
    def rename_story(self, old: str, new: str) -> frozenset[str]:
        self.stories[new] = self.stories.pop(old)
        target = self.site / self.story_path(new)
        target.parent.mkdir(parents=True, exist_ok=True)
        (self.site / self.story_path(old)).rename(target)
        moved = frozenset({self.story_path(old), self.story_path(new)})
        return moved | self.retarget(slug_of(old), slug_of(new))

    def retarget(self, slug: str, to: str | None) -> frozenset[str]:
        """Point the translations of the story at `slug` to `to` (None: no original)."""
        changed: frozenset[str] = frozenset()
        for name, story in list(self.stories.items()):
            if story.translation_of == slug:
                changed |= self.edit_story(name, translation_of=to)
        return changed

    @logged
    def translate(self, name: str, original: str | None) -> frozenset[str]:
        """Make the story `name` the Ukrainian version of `original` (None: of none)."""
        slug = slug_of(original) if original is not None and original != name else None
        return self.edit_story(name, translation_of=slug)

    @logged
    def edit_author(self, aid: str, key: str, value: str) -> frozenset[str]:
        self.authors[aid][key] = value
        return self.write_author(aid)

    @logged
    def replace_image(self, name: str, width: int, height: int, grey: int) -> frozenset[str]:
        self.images[name] = (width, height, grey)
        return self.write_image(name)

    @logged
    def set_template(self, name: str, variant: int | None) -> frozenset[str]:
        self.templates[name] = variant
        return self.write_template(name)

    @logged
    def set_stylesheet(self, css: str | None) -> frozenset[str]:
        """The custom theme's style.css (None: none, the default's is published)."""
        self.stylesheet = css
        rel = "themes/custom/static/style.css"
        if css is None:
            (self.site / rel).unlink(missing_ok=True)
            return frozenset({rel})
        return self.write(rel, css)

    @logged
    def set_live_status(self, status: str) -> frozenset[str]:
        self.live_status = status
        return self.write(f"{LIVE_DIR}/index.md", live_index(status))

    @logged
    def edit_update(self, name: str, **changes: object) -> frozenset[str]:
        self.updates[name] = replace(self.updates.get(name) or Update(UPDATE_TIMES[0]), **changes)
        return self.write_update(name)

    @logged
    def delete_update(self, name: str) -> frozenset[str]:
        del self.updates[name]
        rel = f"{LIVE_DIR}/{name}.md"
        (self.site / rel).unlink()
        return frozenset({rel})

    @logged
    def edit_config(self, **changes: object) -> frozenset[str]:
        self.config = replace(self.config, **changes)
        return self.write("site.yaml", self.config.text())

    @logged
    def switch(self, **changes: object) -> frozenset[str]:
        self.flags = replace(self.flags, **changes)
        return frozenset()  # no file changed: the next build simply runs with other options

    def free_name(self, wanted: str) -> str:
        """`wanted`, or with a suffix: a story's file name whose slug no other story has."""
        stems = {n.rsplit("/", 1)[-1] for n in self.stories}
        name, n = wanted, 1
        while name.rsplit("/", 1)[-1] in stems:
            n += 1
            name = f"{wanted}-{n}"
        return name

    # --- Builds --------------------------------------------------------------------------

    def run(self, options: BuildOptions, **kwargs: object) -> Outcome:
        try:
            build(options, **kwargs)  # type: ignore[arg-type]
        except BuildFailed as failed:
            return tuple(failed.problems)
        return output_files(options.output_dir)

    def watch_options(self) -> BuildOptions:
        return self.flags.options(self.site, self.watch_dir, self.watch_cache)

    @logged
    def save(self, changed: Iterable[str]) -> None:
        """A watch save: the session builds, told which files changed."""
        changed = frozenset(changed)
        self.saved = self.run(self.watch_options(), session=self.session, changed=changed)

    @logged
    def forget_save(self) -> None:
        """The last save is not compared: it was not expected to be exact."""
        self.saved = None

    @logged
    def clean(self) -> Outcome:
        """A clean build of the site as it is now (no cache, no session)."""
        clean_dir = self.root / "clean"
        shutil.rmtree(clean_dir, ignore_errors=True)
        return self.run(self.flags.options(self.site, clean_dir, None))

    @logged
    def check(self) -> None:
        """Build warm, catch the watch session up, build clean: all three must agree."""
        self.steps += 1
        TOTALS["steps"] += 1
        clean = self.clean()
        if isinstance(clean, tuple):
            TOTALS["failed"] += 1  # a site the step made invalid: all three must fail alike
        warm = self.run(self.flags.options(self.site, self.warm_dir, self.warm_cache))
        saved, self.saved = self.saved, None
        caught_up = self.run(self.watch_options(), session=self.session, exact=True)
        outcomes = [("warm", warm), ("watch (caught up)", caught_up)]
        if saved is not None:
            aside = ", search index aside" if self.config.search else ""
            outcomes.insert(0, (f"watch (before catch-up{aside})", saved))
        try:
            expect_equal(outcomes, clean)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n\n{self.replay()}") from None

    @logged
    def compare_save(self, name: str) -> None:
        """The last save's outcome is the clean build's (nothing else is built)."""
        assert self.saved is not None
        if self.config.search:
            name += ", search index aside"  # deferred by a partial save, until the catch-up
        try:
            expect_equal([(name, self.saved)], self.clean())
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n\n{self.replay()}") from None

    def replay(self) -> str:
        """The calls that made this state, as lines of Python."""
        return "To replay:\n    " + "\n    ".join(self.history)

    @logged
    def step(self, changed: Iterable[str]) -> None:
        self.save(changed)
        self.check()

    # --- What else the cache and the session go through ---------------------------------

    @logged
    def foreign_build(self, other: str, *, cache: bool) -> None:
        """`dateline build [--drafts|--future|--base-url URL] [--no-cache]` into the
        preview's output folder (`other`: which option it has besides the preview's)."""
        flags = self.flags
        if other in ("drafts", "future"):
            flags = replace(flags, **{other: True})
        elif other == "base_url":
            flags = replace(flags, base_url="https://elsewhere.example.com/")
        self.run(flags.options(self.site, self.watch_dir, self.warm_cache if cache else None))

    @logged
    def cache_key(self, key: str | None) -> None:
        """Sign and check the cache with another key (DATELINE_CACHE_KEY; None: the user's
        own key): a cache restored on a runner with another secret is all misses."""
        if key is None:
            os.environ.pop(KEY_ENV, None)
        else:
            os.environ[KEY_ENV] = key

    @logged
    def restart_preview(self) -> None:
        """A new session over the same output folder and cache (the preview restarted)."""
        self.session = Session()

    @logged
    def wipe_warm_output(self) -> None:
        """A fresh checkout in CI: the cache is restored, the output folder is not there."""
        shutil.rmtree(self.warm_dir, ignore_errors=True)

    @logged
    def clear_warm_cache(self) -> None:
        shutil.rmtree(self.warm_cache, ignore_errors=True)

    @logged
    def snapshot(self) -> None:
        """Keep the warm cache and output folder as they are now (a CI cache saved)."""
        for name, folder in (("cache", self.warm_cache), ("output", self.warm_dir)):
            kept = self.root / "snapshot" / name
            shutil.rmtree(kept, ignore_errors=True)
            if folder.is_dir():
                shutil.copytree(folder, kept)

    @logged
    def restore(self, output: bool) -> None:
        """Put the snapshot's cache back (an older CI cache), and its output folder too."""
        names = (("cache", self.warm_cache), ("output", self.warm_dir))
        for name, folder in names if output else names[:1]:
            shutil.rmtree(folder, ignore_errors=True)
            kept = self.root / "snapshot" / name
            if kept.is_dir():
                shutil.copytree(kept, folder)

    @logged
    def break_file(self, kind: str, name: str) -> frozenset[str]:
        """A save with a mistake: an unknown key in a story, an author or site.yaml, or a
        template that does not parse. `mend(kind, name)` writes the file right again."""
        if kind == "story":
            text = self.stories[name].text()
            end = text.index("\n---\n", 3) + 1
            return self.write(self.story_path(name), text[:end] + "subtitle: oops\n" + text[end:])
        if kind == "author":
            text = (self.site / "content/authors/david-okafor.yaml").read_text(encoding="utf-8")
            return self.write("content/authors/david-okafor.yaml", text + "twitter: oops\n")
        if kind == "site.yaml":
            return self.write("site.yaml", self.config.text() + "colour: blue\n")
        template = (DEFAULT_THEME_DIR / "templates/article.html").read_text(encoding="utf-8")
        return self.write("themes/custom/templates/article.html", template + "{% if %}\n")

    @logged
    def mend(self, kind: str, name: str) -> frozenset[str]:
        if kind == "story":
            return self.write_story(name)
        if kind == "author":
            return self.write_author("david-okafor")
        if kind == "site.yaml":
            return self.write("site.yaml", self.config.text())
        return self.write_template("article.html")


# --- The state machine ----------------------------------------------------------------------

TITLES = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(
        lambda w: " ".join(w).capitalize()
    ),
    st.sampled_from(ODD_TEXTS),
)
SUMMARIES = st.one_of(st.none(), TITLES.map(lambda t: t + "."))
TAG_LISTS = st.lists(st.sampled_from(TAGS), max_size=3, unique=True).map(tuple)
# Edits that leave a story in its place (a partial save's), and edits that move it.
TEXT_EDITS = st.one_of(
    st.tuples(st.just("title"), TITLES),
    st.tuples(st.just("summary"), SUMMARIES),
    st.tuples(st.just("body"), st.sampled_from(BODIES)),
    st.tuples(st.just("dateline"), st.sampled_from(DATELINES)),
)
PLACE_EDITS = st.one_of(
    st.tuples(st.just("date"), st.sampled_from(DATES)),
    st.tuples(st.just("section"), st.sampled_from(tuple(SECTIONS))),
    st.tuples(st.just("tags"), TAG_LISTS),
    st.tuples(st.just("author"), st.sampled_from(tuple(PEOPLE))),
    st.tuples(st.just("image"), st.booleans()),
    st.tuples(st.just("draft"), st.booleans()),
    st.tuples(st.just("updated"), st.sampled_from(UPDATED_HOURS)),
    st.tuples(st.just("expires"), st.sampled_from(EXPIRES_HOURS)),
    st.tuples(st.just("correction"), st.sampled_from(CORRECTIONS)),
    st.tuples(st.just("alias"), st.sampled_from((None, True))),
)
STORY_EDITS = st.one_of(TEXT_EDITS, PLACE_EDITS)
STORIES = st.builds(
    Story,
    title=TITLES,
    date=st.sampled_from(DATES),
    section=st.sampled_from(tuple(SECTIONS)),
    author=st.sampled_from(tuple(PEOPLE)),
    tags=TAG_LISTS,
    summary=SUMMARIES,
    body=st.sampled_from(BODIES),
    image=st.booleans(),
    draft=st.booleans(),
    dateline=st.sampled_from(DATELINES),
    updated=st.sampled_from(UPDATED_HOURS),
    expires=st.sampled_from(EXPIRES_HOURS),
    correction=st.sampled_from(CORRECTIONS),
)
AUTHOR_EDITS = st.one_of(
    *(st.tuples(st.just(key), st.sampled_from(values)) for key, values in AUTHOR_VALUES.items())
)
SITE_EDITS = st.one_of(
    st.tuples(st.just("title"), st.sampled_from(("Test Ledger", "Kyiv Ledger"))),
    st.tuples(st.just("language"), st.sampled_from(("en", "uk"))),
    st.tuples(st.just("timezone"), st.sampled_from(("Europe/Kyiv", "UTC", "Asia/Tokyo"))),
    st.tuples(
        st.just("permalink"), st.sampled_from((None, "/{section}/{slug}/", "/{year}/{slug}/"))
    ),
    st.tuples(st.just("related_count"), st.sampled_from((None, 0, 1))),
    st.tuples(st.just("feed_entries"), st.sampled_from((None, 1, 2))),
    st.tuples(st.just("feeds"), st.sampled_from((None, "[atom]", "{tag: [json], section: [rss]}"))),
    st.tuples(st.just("search"), st.booleans()),
)
PICK = st.integers(0, 9)  # which story, as an index into the sorted names (wraps around)
UPDATE_EDITS = st.one_of(
    st.tuples(st.just("time"), st.sampled_from(UPDATE_TIMES)),
    st.tuples(st.just("author"), st.sampled_from(tuple(PEOPLE))),
    st.tuples(st.just("headline"), st.one_of(st.none(), TITLES)),
    st.tuples(st.just("body"), st.sampled_from(BODIES)),
    st.tuples(st.just("pinned"), st.booleans()),
    st.tuples(st.just("draft"), st.booleans()),
)
Edit = tuple[str, object]


class EngineMachine(RuleBasedStateMachine):
    """Edits and option switches, each followed by warm, watch and clean builds that agree."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="dateline-state-"))
        self.h: Harness
        self.snapshots = 0
        TOTALS["examples"] += 1

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        if KEY_AT_START is None:
            os.environ.pop(KEY_ENV, None)
        else:
            os.environ[KEY_ENV] = KEY_AT_START

    def pick(self, i: int) -> str:
        names = sorted(self.h.stories)
        return names[i % len(names)]

    def edit(self, i: int, edit: Edit) -> frozenset[str]:
        return self.h.edit_story(self.pick(i), **{edit[0]: edit[1]})

    @initialize(shared_cache=st.booleans())
    def first_build(self, shared_cache: bool) -> None:
        self.h = Harness(self.root, shared_cache=shared_cache)
        self.h.step(frozenset())

    # Stories: their text (a partial save), their place (the full build), their files.

    @rule(i=PICK, edit=TEXT_EDITS)
    def edit_text(self, i: int, edit: Edit) -> None:
        self.h.step(self.edit(i, edit))

    @rule(i=PICK, edit=PLACE_EDITS)
    def edit_place(self, i: int, edit: Edit) -> None:
        self.h.step(self.edit(i, edit))

    @rule(edits=st.lists(st.tuples(PICK, STORY_EDITS), min_size=2, max_size=3))
    def saves_in_a_row(self, edits: list[tuple[int, Edit]]) -> None:
        """Saves one after the other, each built by the session (and each like a clean
        build, as nothing is deferred without a search index), then the catch-up."""
        for i, edit in edits[:-1]:
            self.h.save(self.edit(i, edit))
            self.h.compare_save("watch (a save in a row)")
        self.h.step(self.edit(*edits[-1]))

    @rule(
        edits=st.lists(st.tuples(PICK, STORY_EDITS), min_size=1, max_size=3),
        author=st.one_of(st.none(), st.tuples(st.sampled_from(tuple(PEOPLE)), AUTHOR_EDITS)),
    )
    def one_save_for_many_files(
        self, edits: list[tuple[int, Edit]], author: tuple[str, tuple[str, str]] | None
    ) -> None:
        """Several files saved within the watcher's quiet period: one build for them all."""
        changed: set[str] = set()
        for i, edit in edits:
            changed |= self.edit(i, edit)
        if author is not None:
            changed |= self.h.edit_author(author[0], *author[1])
        self.h.step(changed)

    @rule(i=PICK, edit=TEXT_EDITS, hours=st.sampled_from(LATER_HOURS))
    def save_later(self, i: int, edit: Edit, hours: int) -> None:
        """A text save with the clock moved on since the last build, as a preview's is."""
        self.h.switch(hours=self.h.flags.hours + hours)
        self.h.step(self.edit(i, edit))

    @rule(
        i=PICK,
        edit=STORY_EDITS,
        then=st.one_of(st.none(), st.tuples(PICK, TEXT_EDITS)),
    )
    def unreported_edit(self, i: int, edit: Edit, then: tuple[int, Edit] | None) -> None:
        """An edit the watcher never reported (a missed event), maybe followed by a save
        that names only another story: a partial save may trust its stale model, but the
        catch-up reads everything again and must equal the clean build."""
        self.edit(i, edit)
        if then is not None:
            self.h.save(self.edit(*then))
            self.h.forget_save()  # the save itself is not expected to be exact
        self.h.check()

    @rule(i=PICK, original=st.one_of(st.none(), PICK))
    def translate(self, i: int, original: int | None) -> None:
        """A story becomes the Ukrainian version of another (or stands alone again)."""
        other = self.pick(original) if original is not None else None
        self.h.step(self.h.translate(self.pick(i), other))

    @rule(name=st.sampled_from(NAMES), story=STORIES)
    def add_story(self, name: str, story: Story) -> None:
        self.h.step(self.h.add_story(self.h.free_name(name), story))

    @precondition(lambda self: len(self.h.stories) > 1)
    @rule(i=PICK)
    def delete_story(self, i: int) -> None:
        self.h.step(self.h.delete_story(self.pick(i)))

    @rule(i=PICK, name=st.sampled_from(NAMES))
    def rename_story(self, i: int, name: str) -> None:
        self.h.step(self.h.rename_story(self.pick(i), self.h.free_name(name)))

    # The live blog: its updates (each a file) and its status.

    @rule(name=st.sampled_from(UPDATE_NAMES), edit=UPDATE_EDITS)
    def edit_live_update(self, name: str, edit: Edit) -> None:
        """An update edited, or posted if there is none by that name."""
        self.h.step(self.h.edit_update(name, **{edit[0]: edit[1]}))

    @precondition(lambda self: self.h.updates)
    @rule(i=PICK)
    def delete_live_update(self, i: int) -> None:
        names = sorted(self.h.updates)
        self.h.step(self.h.delete_update(names[i % len(names)]))

    @rule(status=st.sampled_from(LIVE_STATUSES))
    def set_live_status(self, status: str) -> None:
        self.h.step(self.h.set_live_status(status))

    # Everything else a story is made with.

    @rule(aid=st.sampled_from(tuple(PEOPLE)), edit=AUTHOR_EDITS)
    def edit_author(self, aid: str, edit: tuple[str, str]) -> None:
        self.h.step(self.h.edit_author(aid, *edit))

    @rule(
        name=st.sampled_from(tuple(IMAGES)),
        w=st.integers(8, 48),
        h=st.integers(8, 40),
        grey=st.sampled_from((0x40, 0x80, 0xC0)),
    )
    def replace_image(self, name: str, w: int, h: int, grey: int) -> None:
        self.h.step(self.h.replace_image(name, w, h, grey))

    @rule(name=st.sampled_from(TEMPLATES), variant=st.sampled_from((None, 0, 1, 2, 3, 4)))
    def edit_template(self, name: str, variant: int | None) -> None:
        if variant is not None:
            variant %= len(TEMPLATE_LINES[name])
        self.h.step(self.h.set_template(name, variant))

    @rule(css=st.sampled_from(STYLESHEETS))
    def edit_stylesheet(self, css: str | None) -> None:
        self.h.step(self.h.set_stylesheet(css))

    @rule(per_page=st.integers(1, 3))
    def set_per_page(self, per_page: int) -> None:
        self.h.step(self.h.edit_config(per_page=per_page))

    @rule(order=st.permutations(tuple(SECTIONS)))
    def reorder_sections(self, order: list[str]) -> None:
        self.h.step(self.h.edit_config(order=tuple(order)))

    @rule(url=st.sampled_from(BASE_URLS))
    def set_site_base_url(self, url: str) -> None:
        self.h.step(self.h.edit_config(base_url=url))

    @rule(engine=st.sampled_from(("markdown", "cmark")))
    def set_markdown_engine(self, engine: str) -> None:
        self.h.step(self.h.edit_config(engine=engine))

    @rule(edit=SITE_EDITS)
    def edit_site_yaml(self, edit: Edit) -> None:
        """The title, language, time zone, permalinks, related and feed lengths, feed formats."""
        self.h.step(self.h.edit_config(**{edit[0]: edit[1]}))

    # Mistakes: a step whose builds all fail alike (a draft's mistake is only a warning, so
    # that one builds), then the save that mends it.

    @rule(
        i=PICK,
        kind=st.sampled_from(("story", "author", "site.yaml", "template")),
        saves=st.integers(1, 2),
    )
    def broken_then_mended(self, i: int, kind: str, saves: int) -> None:
        name = self.pick(i)
        broken = self.h.break_file(kind, name)
        for _ in range(saves - 1):  # saved again, still broken: the session fails again
            self.h.save(broken)
            self.h.compare_save("watch (broken save)")
        self.h.step(broken)
        self.h.step(self.h.mend(kind, name))

    # The cache and the session: restarted, wiped, restored from an older run.

    @rule(
        other=st.sampled_from(("same options", "drafts", "future", "base_url")),
        cache=st.booleans(),
        then=st.one_of(st.none(), st.tuples(PICK, TEXT_EDITS)),
    )
    def build_into_the_preview_folder(
        self, other: str, cache: bool, then: tuple[int, Edit] | None
    ) -> None:
        """`dateline build` run into the folder the preview serves (both default to
        output/), with its own options: the session's picture of that folder is stale. A
        save may follow (not expected to be exact); the catch-up must be."""
        self.h.foreign_build(other, cache=cache)
        if then is not None:
            self.h.save(self.edit(*then))
            self.h.forget_save()
        self.h.check()

    @rule()
    def restart_preview(self) -> None:
        self.h.restart_preview()
        self.h.step(frozenset())

    @rule(what=st.sampled_from(("output", "cache", "both")))
    def ci_starts_afresh(self, what: str) -> None:
        if what in ("output", "both"):
            self.h.wipe_warm_output()
        if what in ("cache", "both"):
            self.h.clear_warm_cache()
        self.h.step(frozenset())

    @rule(key=st.sampled_from((None, "one secret", "another secret")))
    def ci_signs_with_another_key(self, key: str | None) -> None:
        self.h.cache_key(key)
        self.h.step(frozenset())

    @rule()
    def ci_saves_the_cache(self) -> None:
        self.h.snapshot()
        self.snapshots += 1

    @precondition(lambda self: self.snapshots > 0)
    @rule(output=st.booleans())
    def ci_restores_an_older_cache(self, output: bool) -> None:
        self.h.restore(output)
        self.h.step(frozenset())

    # The build's options (no file changes).

    @rule(url=st.sampled_from(OPTION_BASE_URLS))
    def option_base_url(self, url: str | None) -> None:
        self.h.step(self.h.switch(base_url=url))

    @rule(drafts=st.booleans(), future=st.booleans())
    def option_drafts_future(self, drafts: bool, future: bool) -> None:
        self.h.step(self.h.switch(drafts=drafts, future=future))

    @rule(hours=st.sampled_from(CLOCK_HOURS))
    def option_clock(self, hours: int) -> None:
        self.h.step(self.h.switch(hours=hours))

    @rule(jobs=st.sampled_from((1, 2)))
    def option_jobs(self, jobs: int) -> None:
        self.h.step(self.h.switch(jobs=jobs))


MACHINE_SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_every_build_equals_a_clean_build_whatever_the_cache_or_session_holds() -> None:
    before = Counter(TOTALS)
    run_state_machine_as_test(EngineMachine, settings=MACHINE_SETTINGS)
    ran = TOTALS - before
    print(
        f"\nengine state machine: {ran['steps']} steps in {ran['examples']} examples "
        f"({ran['failed']} of the steps' sites failed to build, alike in all three)"
    )


# --- Search on: a partial save defers the index; the catch-up makes it exact ---------------


def test_a_quick_title_save_then_catch_up_equals_a_clean_build_search_included(
    tmp_path: Path,
) -> None:
    h = Harness(tmp_path, search=True)
    h.save(frozenset())
    watch = tmp_path / "watch"
    assert any(p.startswith("pagefind/") for p in output_files(watch))
    options = h.watch_options()
    changed = h.edit_story("a", title="Allies gather in Kyiv")
    assert build(options, session=h.session, changed=changed).partial
    build(options, session=h.session, exact=True)
    clean = tmp_path / "clean"
    build(h.flags.options(h.site, clean, None))
    got, want = output_files(watch), output_files(clean)
    assert any(p.startswith("pagefind/") for p in want)
    assert got == want, differences("watch", got, want)


# --- Many bodies at once: converted on a process pool ---------------------------------------


def test_a_bulk_edit_converted_in_parallel_equals_a_clean_build(tmp_path: Path) -> None:
    """More new bodies than `PARALLEL_MIN` with `jobs=2`: the pool's conversions (in a
    session, a warm build and a clean one) are the ones a single process makes."""
    h = Harness(tmp_path)
    h.switch(jobs=2)
    count = PARALLEL_MIN + 2
    stems = [f"bulk-{n:02d}" for n in range(count)]
    for n, stem in enumerate(stems):
        h.add_story(stem, Story(f"Bulk story {n}", DATES[n % 4], body=f"Bulk lede {n}.\n"))
    h.step(frozenset())
    # A find-and-replace across the folder: every body changes in one save, same places.
    changed = frozenset().union(
        *(h.edit_story(stem, body=f"Bulk lede {n}, *revised*.\n") for n, stem in enumerate(stems))
    )
    h.step(changed)
    h.switch(jobs=1)  # the same again in one process: still the same bytes
    h.step(frozenset())


# --- Regression tests: sequences the machine found, shrunk ----------------------------------


def test_a_watch_save_that_deletes_a_story_takes_the_full_build(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.step(frozenset())
    h.step(h.delete_story("a"))


def test_a_watch_save_that_renames_a_story_takes_the_full_build(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.step(frozenset())
    h.step(h.rename_story("a", "kyiv-talks"))


# A story's date rewritten as the same instant in another UTC offset: Python's aware datetimes
# compare equal across offsets, and `Article.inputs` is compare=False, so the session takes
# the new story for the old one; the clean build prints the offset as written.


def test_a_date_rewritten_in_another_offset_is_seen_by_a_sessions_full_build(
    tmp_path: Path,
) -> None:
    h = Harness(tmp_path)
    h.edit_story("c", date="2026-03-01T08:00:00+02:00")
    h.step(frozenset())
    h.edit_story("c", date=SAME_INSTANT_IN_UTC)
    h.check()  # no watch save: the catch-up (a full build) alone


def test_a_date_rewritten_in_another_offset_is_seen_by_a_quick_save(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.edit_story("c", date="2026-03-01T08:00:00+02:00")
    h.step(frozenset())
    h.save(h.edit_story("c", date=SAME_INSTANT_IN_UTC))
    h.compare_save("watch (partial save)")


def test_a_retitle_with_the_date_in_another_offset_remakes_the_sitemap(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.edit_story("c", date="2026-03-01T08:00:00+02:00")
    h.step(frozenset())
    h.save(h.edit_story("c", date=SAME_INSTANT_IN_UTC, title="Grain deal"))
    h.compare_save("watch (partial save)")


def test_a_partial_save_after_a_build_into_the_preview_folder_leaves_no_stray_files(
    tmp_path: Path,
) -> None:
    h = Harness(tmp_path)
    h.step(frozenset())
    h.foreign_build("drafts", cache=False)  # `dateline build --drafts --no-cache` into output/
    h.save(h.edit_story("a", title="Allies gather in Kyiv"))  # a partial save
    h.forget_save()
    h.check()  # the catch-up keeps 4 files a clean build has not
