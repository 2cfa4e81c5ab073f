"""The authority for Dateline's promise: whatever the cache or a watch session holds, a
build's output equals a clean build's, byte for byte.

A hypothesis state machine keeps a small site (a custom theme whose templates read odd
fields, two authors, two images, a draft and a scheduled story) and changes it one real
file at a time: stories edited (text, date, section, tags, author, image, updates,
corrections, expiry, aliases), added, deleted and renamed; an author's profile, an image's
pixels, a template, site.yaml; the build's options (base URL, drafts, future, the clock,
the Markdown engine, jobs). After every step the same options build three output folders:

- `warm`: a persistent cache and no session, as CI builds;
- `watch`: one `Session()` kept across steps, told the paths each save touched (as the
  watcher would), then caught up with `exact=True`;
- `clean`: a fresh folder with no cache.

`warm` and `watch` must equal `clean` byte for byte; the watch folder also before its
catch-up, since the machine's site has no search index (the only thing a quick save
defers). A build that fails must fail in all three with the same problems.

Runtime: about a minute by default (`EXAMPLES` examples of up to `STEPS` steps; `-s`
prints how many steps ran). A long soak runs more examples:

    DATELINE_SOAK=200 pytest tests/test_engine_state.py -s

(`DATELINE_SOAK_STEPS=40` makes each example longer too). Below the machine: one small
test with search on (a quick save's deferred Pagefind index, then the catch-up), and the
sequences the machine found, shrunk, kept as plain regression tests.
"""

from __future__ import annotations

import difflib
import os
import shutil
import struct
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from gen.config import BuildOptions
from gen.pages.theme import DEFAULT_THEME_DIR
from gen.pipeline import BuildFailed, Session, build
from tests.conftest import CLOCK, article, output_files

NOW = datetime.fromisoformat(CLOCK)
SOAK = int(os.environ.get("DATELINE_SOAK") or 0)
EXAMPLES = SOAK or 14
STEPS = int(os.environ.get("DATELINE_SOAK_STEPS") or (25 if SOAK else 12))
TOTALS: Counter[str] = Counter()  # steps and examples the machine ran, in this process

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
)
# The same instant as 2026-03-01T08:00:00+02:00, written in UTC. Left out of DATES while
# the engine takes the one for the other (test_a_date_rewritten_in_another_offset_*).
SAME_INSTANT_IN_UTC = "2026-03-01T06:00:00+00:00"
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
TEMPLATES = ("base.html", "list.html", "article.html")
# What each custom template adds to the default's text (None: the file is removed, and
# the default's is used): fields that pages declare only in part, or not at all.
TEMPLATE_LINES = {
    "base.html": (
        '<p class="count">{{ site.articles|length }} stories</p>',
        '<p class="count">{{ site.articles|length }} stories, {{ site.tags|length }} topics</p>',
        '<p class="latest">{% for a in site.articles[:2] %}{{ a.title }}; {% endfor %}</p>',
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
}
# Where each line goes in the default template's text.
TEMPLATE_ANCHORS = {
    "base.html": "</footer>",
    "list.html": "{% for article in articles %}",
    "article.html": "</footer>",
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
        return article(
            self.title,
            date=self.date,
            section=self.section,
            author=self.author,
            extra=extra,
            body=self.body,
        )


@dataclass
class SiteSettings:
    """site.yaml, as the machine varies it."""

    per_page: int = 2
    order: tuple[str, ...] = tuple(SECTIONS)
    base_url: str = BASE_URLS[0]
    engine: str = "markdown"
    search: bool = False

    def text(self) -> str:
        sections = "".join(
            f"  {sid}:\n    title: {SECTIONS[sid][0]}\n"
            + (f"    description: {SECTIONS[sid][1]}\n" if SECTIONS[sid][1] else "")
            for sid in self.order
        )
        engine = "markdown: {engine: cmark}\n" if self.engine == "cmark" else ""
        return (
            f"title: Test Ledger\nbase_url: {self.base_url}\nlanguage: en\n"
            "timezone: Europe/Kyiv\ndescription: A test site.\npublisher:\n  name: Test Ledger\n"
            f"theme: custom\nsearch: {str(self.search).lower()}\nimage_widths: [16, 32]\n"
            f"per_page: {self.per_page}\nsections:\n{sections}{engine}"
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
        )


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


def expect_equal(outcomes: list[tuple[str, Outcome]], clean: Outcome) -> None:
    """Each named outcome is the clean build's: the same files, or the same problems."""
    failures = []
    for name, outcome in outcomes:
        if isinstance(clean, tuple) or isinstance(outcome, tuple):
            if outcome != clean:
                failures.append(f"{name} build: {outcome!r}\nclean build: {clean!r}")
        elif outcome != clean:
            failures.append(differences(name, outcome, clean))
    if failures:
        raise AssertionError("\n\n".join(failures))


class Harness:
    """A site on disk, its model, and the three ways of building it.

    Edits write real files and return the site paths they touched (what the watcher would
    report); `save` is a watch save, `check` builds warm, catches the session up, builds
    clean and compares; `step` is a save then a check.
    """

    def __init__(self, root: Path, *, search: bool = False) -> None:
        self.root = root
        self.site = root / "site"
        self.stories = initial_stories()
        self.authors = {
            aid: dict(zip(("name", "role", "bio"), v, strict=True)) for aid, v in PEOPLE.items()
        }
        self.images = dict(IMAGES)
        self.config = SiteSettings(search=search)
        self.flags = Flags()
        self.templates: dict[str, int | None] = dict.fromkeys(TEMPLATES, 0)
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

    def edit_story(self, name: str, **changes: object) -> frozenset[str]:
        if changes.get("alias") is True:  # a new old path, never another story's
            self.aliases += 1
            changes["alias"] = f"/old/{self.aliases}/"
        self.stories[name] = replace(self.stories[name], **changes)
        return self.write_story(name)

    def add_story(self, name: str, story: Story) -> frozenset[str]:
        self.stories[name] = story
        return self.write_story(name)

    def delete_story(self, name: str) -> frozenset[str]:
        del self.stories[name]
        rel = self.story_path(name)
        (self.site / rel).unlink()
        return frozenset({rel})

    def rename_story(self, old: str, new: str) -> frozenset[str]:
        self.stories[new] = self.stories.pop(old)
        target = self.site / self.story_path(new)
        target.parent.mkdir(parents=True, exist_ok=True)
        (self.site / self.story_path(old)).rename(target)
        return frozenset({self.story_path(old), self.story_path(new)})

    def edit_author(self, aid: str, key: str, value: str) -> frozenset[str]:
        self.authors[aid][key] = value
        return self.write_author(aid)

    def replace_image(self, name: str, width: int, height: int, grey: int) -> frozenset[str]:
        self.images[name] = (width, height, grey)
        return self.write_image(name)

    def set_template(self, name: str, variant: int | None) -> frozenset[str]:
        self.templates[name] = variant
        return self.write_template(name)

    def edit_config(self, **changes: object) -> frozenset[str]:
        self.config = replace(self.config, **changes)
        return self.write("site.yaml", self.config.text())

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
        return self.flags.options(self.site, self.root / "watch", self.root / "watch-cache")

    def save(self, changed: Iterable[str]) -> None:
        """A watch save: the session builds, told which files changed."""
        changed = frozenset(changed)
        self.saved = self.run(self.watch_options(), session=self.session, changed=changed)

    def clean(self) -> Outcome:
        """A clean build of the site as it is now (no cache, no session)."""
        clean_dir = self.root / "clean"
        shutil.rmtree(clean_dir, ignore_errors=True)
        return self.run(self.flags.options(self.site, clean_dir, None))

    def check(self) -> None:
        """Build warm, catch the watch session up, build clean: all three must agree."""
        self.steps += 1
        TOTALS["steps"] += 1
        clean = self.clean()
        warm_options = self.flags.options(self.site, self.root / "warm", self.root / "warm-cache")
        warm = self.run(warm_options)
        saved, self.saved = self.saved, None
        caught_up = self.run(self.watch_options(), session=self.session, exact=True)
        outcomes = [("warm", warm), ("watch (caught up)", caught_up)]
        if saved is not None and not self.config.search:
            outcomes.insert(0, ("watch (before catch-up)", saved))
        expect_equal(outcomes, clean)

    def step(self, changed: Iterable[str]) -> None:
        self.save(changed)
        self.check()


# --- The state machine ----------------------------------------------------------------------

TITLES = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(
        lambda w: " ".join(w).capitalize()
    ),
    st.sampled_from(ODD_TEXTS),
)
SUMMARIES = st.one_of(st.none(), TITLES.map(lambda t: t + "."))
TAG_LISTS = st.lists(st.sampled_from(TAGS), max_size=3, unique=True).map(tuple)
# Edits that leave a story in its place (the quick path's), and edits that move it.
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
PICK = st.integers(0, 9)  # which story, as an index into the sorted names (wraps around)
Edit = tuple[str, object]


class EngineMachine(RuleBasedStateMachine):
    """Edits and option switches, each followed by warm, watch and clean builds that agree."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="dateline-state-"))
        self.h = Harness(self.root)
        TOTALS["examples"] += 1

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def pick(self, i: int) -> str:
        names = sorted(self.h.stories)
        return names[i % len(names)]

    def edit(self, i: int, edit: Edit) -> frozenset[str]:
        return self.h.edit_story(self.pick(i), **{edit[0]: edit[1]})

    @initialize()
    def first_build(self) -> None:
        self.h.step(frozenset())

    # Stories: their text (the quick path), their place (the full build), their files.

    @rule(i=PICK, edit=TEXT_EDITS)
    def edit_text(self, i: int, edit: Edit) -> None:
        self.h.step(self.edit(i, edit))

    @rule(i=PICK, edit=PLACE_EDITS)
    def edit_place(self, i: int, edit: Edit) -> None:
        self.h.step(self.edit(i, edit))

    @rule(edits=st.lists(st.tuples(PICK, STORY_EDITS), min_size=2, max_size=3))
    def saves_in_a_row(self, edits: list[tuple[int, Edit]]) -> None:
        """Saves one after the other, each built by the session, then the catch-up."""
        for i, edit in edits:
            self.h.save(self.edit(i, edit))
        self.h.check()

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

    @rule(name=st.sampled_from(TEMPLATES), variant=st.sampled_from((None, 0, 1, 2)))
    def edit_template(self, name: str, variant: int | None) -> None:
        self.h.step(self.h.set_template(name, variant))

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
    print(f"\nengine state machine: {ran['steps']} steps in {ran['examples']} examples")


# --- Search on: a quick save defers the index; the catch-up makes it exact -----------------


def test_a_quick_title_save_then_catch_up_equals_a_clean_build_search_included(
    tmp_path: Path,
) -> None:
    h = Harness(tmp_path, search=True)
    h.save(frozenset())
    watch = tmp_path / "watch"
    assert any(p.startswith("pagefind/") for p in output_files(watch))
    options = h.watch_options()
    changed = h.edit_story("a", title="Allies gather in Kyiv")
    assert build(options, session=h.session, changed=changed).quick
    build(options, session=h.session, exact=True)
    clean = tmp_path / "clean"
    build(h.flags.options(h.site, clean, None))
    got, want = output_files(watch), output_files(clean)
    assert any(p.startswith("pagefind/") for p in want)
    assert got == want, differences("watch", got, want)


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


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="engine bug: a session's full build keeps list pages and related links made "
    "with the old Article (gen/pages/page.py `_same` falls back to ==)",
)
def test_a_date_rewritten_in_another_offset_is_seen_by_a_sessions_full_build(
    tmp_path: Path,
) -> None:
    h = Harness(tmp_path)
    h.edit_story("c", date="2026-03-01T08:00:00+02:00")
    h.step(frozenset())
    h.edit_story("c", date=SAME_INSTANT_IN_UTC)
    h.check()  # no watch save: the catch-up (a full build) alone


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="engine bug: the quick path takes the story as saved unchanged (`article != old` "
    "in gen/quick.py is False) and writes nothing",
)
def test_a_date_rewritten_in_another_offset_is_seen_by_a_quick_save(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.edit_story("c", date="2026-03-01T08:00:00+02:00")
    h.step(frozenset())
    h.save(h.edit_story("c", date=SAME_INSTANT_IN_UTC))
    assert h.saved is not None
    expect_equal([("watch (quick save)", h.saved)], h.clean())


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="engine bug: with the title edited too the quick path remakes the story's pages, "
    "but not sitemap.xml, whose <lastmod> prints the date's offset",
)
def test_a_retitle_with_the_date_in_another_offset_remakes_the_sitemap(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.edit_story("c", date="2026-03-01T08:00:00+02:00")
    h.step(frozenset())
    h.save(h.edit_story("c", date=SAME_INSTANT_IN_UTC, title="Grain deal"))
    assert h.saved is not None
    expect_equal([("watch (quick save)", h.saved)], h.clean())
