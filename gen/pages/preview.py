"""Preview builds (`dateline build --preview`): a build that can never be taken for the
published site. Every page is marked (a banner, robots noindex), drafts and, if asked,
embargoed stories are shown and marked, no feed or sitemap is published, robots.txt keeps
every crawler out, and canonical links name the published site (pure).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from gen.config import BuildOptions
from gen.model import Article, OutputFile
from gen.pages.i18n import format_datetime
from gen.pages.page import Job

MAX_LABEL = 100  # characters: a pull request's number or branch, not a paragraph
ROBOTS = b"User-agent: *\nDisallow: /\n"
STYLESHEET = "static/dateline-preview.css"
# A file of its own, not an inline <style>: the banner keeps its colours under a strict
# Content-Security-Policy. Without it the banner is still the first text of every page.
# Contrast: #111 on #ffdd00 is 14:1, white on #b3001b is 7:1, in light and dark schemes.
STYLE = b"""\
.dl-preview{margin:0;padding:.5em 1em;background:#ffdd00;color:#111;\
border-bottom:3px solid #111;font:700 1rem/1.4 system-ui,sans-serif}
.dl-preview p{margin:0;max-width:none}
.dl-preview .dl-embargo{margin:.5em -1em -.5em;padding:.5em 1em;background:#b3001b;color:#fff}
.dl-mark{display:inline-block;margin:0 .3em 0 0;padding:0 .35em;border-radius:2px;\
background:#111;color:#ffdd00;font:700 .75rem/1.5 system-ui,sans-serif;\
text-transform:uppercase;letter-spacing:.05em}
.dl-mark.dl-embargoed{background:#b3001b;color:#fff}
"""
_STYLE_VERSION = hashlib.sha256(STYLE).hexdigest()[:10]
# What every page of a preview carries (the default theme's _preview_head.html and
# _preview_banner.html); a page without them fails the build.
MARKS = (b'<meta name="robots" content="noindex,nofollow">', b'<aside class="dl-preview"')
UNMARKED = (
    'a preview page must be marked: include "_preview_head.html" in <head> and '
    '"_preview_banner.html" first in <body>, as the default theme\'s base.html does'
)


@dataclass(frozen=True, slots=True)
class PreviewBuild:
    """What every page of one preview build shows and links to (templates see it as
    `preview`; a production build's is None)."""

    label: str = ""  # e.g. "PR 42"
    published_url: str = ""  # site.yaml's base_url, whatever --base-url serves the preview at
    embargoed: bool = False  # scheduled stories are shown, each under its banner

    @property
    def stylesheet(self) -> str:
        """The banner's stylesheet, as a site path that changes when its rules do."""
        return f"/{STYLESHEET}?v={_STYLE_VERSION}"


@dataclass(frozen=True, slots=True)
class Embargo:
    """A scheduled story shown before its time, and when it may be published."""

    until: datetime
    shown: str  # '6 January 2026, 09:30 EET': in the site's time zone, named


def preview_options(options: BuildOptions) -> BuildOptions:
    """A preview shows drafts, and with `embargoed` the stories scheduled after now
    (`future`); other builds as given. Idempotent."""
    if not options.preview:
        return options
    future = options.future or options.embargoed
    if options.drafts and options.future == future:
        return options
    return replace(options, drafts=True, future=future)


def label_problem(label: str) -> str | None:
    """What is wrong with a --label (None: nothing): one line of printable text."""
    if not label.isprintable():
        return "the label must be one line of printable text"
    if len(label) > MAX_LABEL:
        return f"the label must be at most {MAX_LABEL} characters, got {len(label)}"
    return None


def mark_job(job: Job, now: datetime, tz: ZoneInfo) -> Job:
    """A page as a preview makes it: without links to feeds (a preview publishes none), and
    with every story it shows that is scheduled after `now` marked (`embargo` for the story
    of the page, `embargoed` for the urls of those in its list)."""
    page = replace(job.page, feeds=()) if job.page.feeds else job.page
    context = job.context
    story = context.get("article")
    if isinstance(story, Article) and story.date > now:
        embargo = Embargo(story.date, format_datetime(story.date, "en", tz))
        context = {**context, "embargo": embargo}
    listed = context.get("articles")
    if isinstance(listed, tuple):
        held = tuple(a.url for a in listed if isinstance(a, Article) and a.date > now)
        if held:
            context = {**context, "embargoed": held}
    if page is job.page and context is job.context:
        return job
    return replace(job, page=page, context=context)


def is_marked(page: bytes) -> bool:
    """A preview's page carries the robots noindex meta and the banner."""
    return all(mark in page for mark in MARKS)


def preview_files() -> list[OutputFile]:
    """What a preview publishes besides its pages: a robots.txt that disallows everything
    (instead of sitemaps), and the banner's stylesheet."""
    return [OutputFile("robots.txt", ROBOTS), OutputFile(STYLESHEET, STYLE)]
