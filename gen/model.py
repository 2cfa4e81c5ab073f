"""The site model: frozen values that the render stage turns into pages."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled link, as in an author's profile."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Author:
    """A reporter or editor, from `content/authors/<id>.yaml`."""

    id: str
    name: str
    role: str
    bio: str
    url: str
    avatar: Image | None = None
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """A desk of the newsroom, declared in `site.yaml`."""

    id: str
    title: str
    description: str
    url: str


@dataclass(frozen=True, slots=True)
class Tag:
    """A topic shared by articles."""

    slug: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Variant:
    """One published file of an image: a width in one format."""

    width: int
    height: int
    path: str  # relative to the output folder, e.g. images/kyiv-talks-jpg-480.webp
    mime: str


@dataclass(frozen=True, slots=True)
class Image:
    """A published image: its URL under the site, its size and the words that go with it."""

    src: str  # path relative to content/, e.g. images/kyiv-talks.jpg
    url: str  # site path, e.g. /images/kyiv-talks.jpg
    alt: str
    credit: str = ""
    caption: str = ""
    width: int | None = None
    height: int | None = None
    length: int = 0  # bytes, for feed enclosures
    variants: tuple[Variant, ...] = ()  # resized copies; empty for GIF and SVG
    ref: str = ""  # "path:line" of the front matter or body that shows it, for errors


@dataclass(frozen=True, slots=True)
class Heading:
    """One entry of an article's table of contents."""

    level: int
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact came from: an agency, a document, a post."""

    name: str
    url: str = ""
    kind: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Correction:
    """A dated notice on a published article."""

    date: datetime
    text: str
    kind: str = "correction"  # correction, clarification, editors-note
    prominent: bool = False


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """One post of a live blog: its own file, so reporters never edit the same one."""

    id: str  # anchor: #update-<id>
    source: str
    time: datetime
    authors: tuple[Author, ...]
    headline: str
    body_html: str
    pinned: bool = False
    part: int = 1  # the stable archive part it lives on (1 = oldest)


@dataclass(frozen=True, slots=True)
class LiveInfo:
    """What makes an article a live blog."""

    status: str  # "live" or "ended"
    coverage_start: datetime
    coverage_end: datetime | None
    updates: tuple[LiveUpdate, ...]  # newest first
    parts: int = 1  # how many stable parts the updates are split into

    @property
    def pinned(self) -> tuple[LiveUpdate, ...]:
        """Key events, newest first."""
        return tuple(u for u in self.updates if u.pinned)


@dataclass(frozen=True, slots=True)
class Article:
    """A published (or previewed) story."""

    source: str  # path relative to the site folder, for messages
    slug: str
    url: str  # site path, e.g. /2026/01/06/kyiv-talks/
    title: str
    authors: tuple[Author, ...]
    date: datetime
    updated: datetime | None
    section: Section
    tags: tuple[Tag, ...]
    summary: str  # for lists, feeds, search engines: the given summary or the first paragraph
    standfirst: str  # the summary as written by the author, shown under the headline; or ''
    dateline: str
    image: Image | None
    body_html: str
    toc: tuple[Heading, ...]
    word_count: int
    reading_minutes: int
    lang: str
    draft: bool = False
    sources: tuple[Source, ...] = ()
    corrections: tuple[Correction, ...] = ()  # oldest first
    expires: datetime | None = None
    translation_of: str = ""  # the slug of the original
    aliases: tuple[str, ...] = ()  # old site paths that redirect here
    body_images: tuple[Image, ...] = ()  # the content images the body shows
    live: LiveInfo | None = None  # set on live blogs
    # Dated without a time (date: 2010-02-16, or a Jekyll file name's date): shown as the
    # date alone. `date` is then midnight in the site's time zone, for sorting, scheduling
    # and the formats that need a time.
    dated_only: bool = False
    # A digest of everything the article was made from (its file, the site's settings,
    # authors and images, Dateline's code), so pages showing it can be checked without
    # hashing the article itself; "" when it was made from more (a live blog).
    inputs: str = field(default="", compare=False, repr=False)

    @property
    def bodies(self) -> tuple[tuple[str, str], ...]:
        """(source file, HTML) of its body and of each of its live updates' bodies."""
        own = ((self.source, self.body_html),)
        if self.live is None:
            return own
        return own + tuple((update.source, update.body_html) for update in self.live.updates)

    @property
    def modified(self) -> datetime:
        """When the story last changed: the latest of date, `updated` and any correction."""
        if self.updated is None and not self.corrections:
            return self.date
        return max(
            [
                self.date,
                *([self.updated] if self.updated else []),
                *(c.date for c in self.corrections),
            ]
        )


@dataclass(frozen=True, slots=True)
class Month:
    """A month of the archive."""

    year: int
    month: int
    url: str


@dataclass(frozen=True, slots=True)
class Listing:
    """A list of articles that gets its own paginated pages: front, section, tag, author, month."""

    kind: str  # "front", "section", "tag", "author", "archive"
    key: str
    title: str
    url: str
    articles: tuple[Article, ...]
    description: str = ""
    author: Author | None = None  # on an author's page


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the built site: a rendered page, or an image or stylesheet published as is."""

    path: str  # relative to the output folder, posix
    data: bytes
    # The sha256 of a page the last build wrote and this one did not render again, as its
    # inputs are unchanged: the writer leaves the file as it is (`data` is empty).
    kept: str = ""
    # A page a big build wrote to its spool folder instead of keeping it in memory (`data`
    # is empty): the writer renames that file into place (`gen.outputs.spool`).
    spooled: Spooled | None = None


@dataclass(frozen=True, slots=True)
class Spooled:
    """Where a spooled page's bytes are, and their sha256 and size."""

    file: str  # absolute path, in the build's spool folder under .cache/
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the render stage needs: the articles and the ways to list them."""

    articles: tuple[Article, ...]  # newest first
    sections: tuple[Section, ...]
    tags: tuple[Tag, ...]
    authors: tuple[Author, ...]
    months: tuple[Month, ...]  # newest first
    listings: tuple[Listing, ...]
    files: tuple[OutputFile, ...] = field(default=())
    related: dict[str, tuple[Article, ...]] = field(default_factory=dict)  # url → related
    translations: dict[str, tuple[Article, ...]] = field(default_factory=dict)  # url → others
    expired: frozenset[str] = frozenset()  # urls of pages kept but out of lists and feeds
    next_embargo: Article | None = None  # the next scheduled article to publish
    # The next moment the site changes by the clock alone (an embargo lifts, a story expires).
    next_change: datetime | None = None
    # Stories this build leaves out, url → why ("a draft", "scheduled for …"): a link to
    # one will not work (`dateline check`'s broken-link says why).
    withheld: tuple[tuple[str, str], ...] = ()
    # Images under content/ nothing shows or links to: not published (`check`'s unused-image).
    unused_images: tuple[str, ...] = ()


def fast_pickling(*classes: type) -> None:
    """Pickle frozen slotted dataclasses by a plain list of their fields.

    The dataclass default looks the fields up on every call, which dominated hashing the
    site model for the render memo (every article is pickled once per build).
    """
    for cls in classes:
        names = tuple(f.name for f in fields(cls))

        def getstate(self: object, names: tuple[str, ...] = names) -> list[object]:
            return [getattr(self, name) for name in names]

        def setstate(self: object, state: list[object], names: tuple[str, ...] = names) -> None:
            for name, value in zip(names, state, strict=True):
                object.__setattr__(self, name, value)

        setattr(cls, "__getstate__", getstate)  # noqa: B010 (a method, set on the class)
        setattr(cls, "__setstate__", setstate)  # noqa: B010


fast_pickling(
    Link, Author, Section, Tag, Variant, Image, Heading, Source, Correction, LiveUpdate,
    LiveInfo, Article, Month, Listing, OutputFile, Site,
)  # fmt: skip
