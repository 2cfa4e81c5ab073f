"""What a build returns (`BuildResult`, `BuildFailed`) and what a watch session keeps between
its builds (`Session`): the engine's memory, so that a save re-does only what it changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from gen.errors import GenError, Problem

if TYPE_CHECKING:
    from gen.assemble.article import Context
    from gen.assemble.patch import SiteIndex
    from gen.assemble.related import RelatedMemo
    from gen.assemble.site import ParseMemo
    from gen.cache import Memo as PageMemo
    from gen.check.links import Offsite
    from gen.check.rules import Finding
    from gen.config import BuildOptions
    from gen.markup.engine import MarkdownEngine
    from gen.markup.text import Rendered
    from gen.model import OutputFile, Site
    from gen.outputs.state import Manifest, OutputState
    from gen.pages.page import Job, PlanMemo
    from gen.pages.plan import Unit
    from gen.pages.reads import ArticleDigests, JobMemo
    from gen.pages.render import Renderer
    from gen.source.read import ReadMemo, SourceDoc


@dataclass(slots=True)
class BuildResult:
    """What a successful build did, and how long each stage took."""

    articles: int = 0
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    warnings: list[Problem] = field(default_factory=list)
    # The next scheduled story: its source and when it publishes (a build is due then).
    next_embargo: tuple[str, datetime] | None = None
    cached: int = 0  # Markdown bodies taken from the cache
    converted: int = 0  # Markdown bodies converted in this build
    rendered: int = 0  # pages rendered (the others were kept: their inputs are unchanged)
    # A watch save that only edited stories' words: only the files showing them were made
    # (`gen.engine.changes`), and the search index waits for the session to catch up.
    partial: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    # The search index's own time, from its start after render to its end: it runs beside
    # the stages after render, so the search stage counts only the wait for it that is left.
    index_seconds: float | None = None
    # The site-wide editorial rules' findings (a build fails on those at error level; a
    # watch session shows them all as warnings), and for a check the sources it read.
    findings: list[Finding] = field(default_factory=list)
    sources: tuple[SourceDoc, ...] = ()
    external: list[Offsite] = field(default_factory=list)  # links off the site
    checked: bool = False  # the site-wide rules ran (not --no-check)

    @property
    def seconds(self) -> float:
        """Wall time of the whole build."""
        return sum(self.timings.values())


class BuildCancelled(Exception):
    """A build that was asked to stop (a preview's catch-up, when a save comes in) did:
    nothing in the output folder changed."""


class BuildFailed(GenError):
    """A build stopped on errors; `warnings` are what it found besides."""

    def __init__(self, error: GenError, warnings: list[Problem]) -> None:
        super().__init__(error.problems)
        self.kind = error.kind
        self.warnings = warnings


@dataclass(slots=True)
class Session:
    """What a watch or preview session keeps between its builds, to rebuild faster.

    `pages`: each page's inputs digest (with its recorded reads) and output hash from the
    last build, so a page whose inputs did not change is not rendered again.
    `quick_search`: reuse the last search index on saves (the session catches up once saves
    pause: `behind` says it has to); False re-indexes on every build.
    """

    pages: PageMemo = field(default_factory=dict)
    sources: ReadMemo = field(default_factory=dict)  # unchanged files are not read again
    parsed: ParseMemo = field(default_factory=dict)  # nor validated again
    related: RelatedMemo = field(default_factory=dict)  # related stories, if no tag moved
    digests: ArticleDigests = field(default_factory=dict)  # nor hashed again
    plans: PlanMemo = field(default_factory=dict)  # nor their pages planned again
    jobs: JobMemo = field(default_factory=dict)  # nor those hashed again
    markup: dict[str, tuple[str, Rendered]] = field(default_factory=dict)  # nor converted
    # The search index as last written, and its groups: a preview reuses it as it is.
    search: tuple[tuple[str, ...], list[OutputFile]] = ((), [])
    feeds: PageMemo = field(default_factory=dict)  # the same for feed files
    output: OutputState | None = None  # what the output folder holds, after the last build
    # The site paths of `output` (the dict itself, then its paths), for broken-link.
    published: tuple[OutputState, frozenset[str]] | None = None
    last: LastBuild | None = None  # what partial builds start from (`gen.engine.changes`)
    renderer: Renderer | None = None  # its compiled templates, while settings and theme hold
    quick_search: bool = True
    # Something was deferred (the search index after a partial save or a reused index): the
    # next full build with `exact=True` brings the output to what a clean build makes.
    behind: bool = False


@dataclass(slots=True)
class LastBuild:
    """What a session's last build that redid everything leaves for partial builds."""

    options: BuildOptions
    context: Context
    site: Site
    renderer: Renderer
    jobs: list[Job]  # every page, in the order the build made them
    units: list[Unit]  # what each was planned from
    sizes: dict[str, int]  # published sizes of content files, for feed enclosures
    manifest: Manifest
    files: int  # how many files the site has
    index: SiteIndex  # where each story sits
    shown_on: dict[str, list[int]] = field(default_factory=dict)  # url → pages declaring it
    by_unit: dict[Unit, list[int]] = field(default_factory=dict)  # unit → its pages
    whole: list[int] = field(default_factory=list)  # pages that read more than they declare
    engine: MarkdownEngine | None = None
    # The manifest's (size, mtime) as this session last left it: another build into the
    # same folder changes it, and then the session's picture of the folder is not to be
    # patched (a partial save redoes everything instead).
    manifest_stamp: tuple[int, int] | None = None
