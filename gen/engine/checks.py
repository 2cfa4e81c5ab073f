"""The check stage: the editorial rules only the whole site can decide (broken-link,
url-changed), run by every build after the feeds, before anything is written.

A build fails on their errors as on bad front matter (`--no-check` skips them); a watch
session shows every finding as a warning, so a half-typed link never blocks the preview.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from gen.cache import read_json_cache, write_json_cache
from gen.check.links import (
    LinkChecker,
    Offsite,
    moved_stories,
    published_of,
    published_stories,
)
from gen.check.rules import ERROR, OFF, RULES, Finding
from gen.check.story import read_story
from gen.config import BuildOptions, SiteConfig
from gen.engine.inputs import Assembled
from gen.engine.outputs import RenderedPages
from gen.errors import ErrorReport
from gen.model import OutputFile
from gen.outputs.spool import made_bytes
from gen.session import Session
from gen.source.read import read_source

PUBLISHED = "published"  # .cache/published.json: each story's URL as the last build published it
_KEY_RE = {key: re.compile(rf"^{key}\s*:", re.MULTILINE) for key in ("slug", "date", "title")}


def site_checks(
    model: Assembled,
    config: SiteConfig,
    options: BuildOptions,
    files: list[OutputFile],
    rendered: RenderedPages,
    session: Session | None,
) -> tuple[list[Finding], list[Offsite]]:
    """broken-link and url-changed findings, at the site's levels, silenced where a story
    says so (none with --no-check); and the external links found on the way."""
    settings = config.check
    links = settings.level("broken-link", RULES["broken-link"].level)
    moved = settings.level("url-changed", RULES["url-changed"].level)
    if not options.checks or (links == OFF and moved == OFF):
        return [], []
    site = model.site
    by_path = {f.path: f for f in files}
    found: list[Finding] = []
    external: list[Offsite] = []
    if links != OFF:
        checker = LinkChecker(
            site,
            config.base_url,
            _published(files, rendered, session),
            lambda path: _page_text(path, by_path, options.output_dir),
            lambda source: _read_text(options.site_dir / source),
        )
        # A watch save that edited stories in place: their links (the catch-up that follows
        # checks every story's, and a preview never fails on them).
        only = frozenset(model.edited) if model.edited is not None else None
        broken, external = checker.check(only)
        found += [_at(f, links) for f in broken]
    if moved != OFF and not rendered.partial:  # an edit in place keeps every URL
        previous = read_json_cache(options, PUBLISHED) or {}

        def front_line(source: str) -> int:
            return _front_line(_read_text(options.site_dir / source) or "")

        found += [_at(f, moved) for f in moved_stories(site, previous, front_line)]
    return sorted(_unsilenced(found, options.site_dir, config.language)), external


def _published(
    files: list[OutputFile], rendered: RenderedPages, session: Session | None
) -> frozenset[str]:
    """The site paths the output will hold: this build's files and, in a watch save's
    partial build, the files it leaves as they are. A partial build only rewrites files the
    last full build made, so the session works them out once per full build (40,000 paths
    at 10,000 articles: 25 ms of every save)."""
    if not rendered.partial or session is None or session.output is None:
        return published_of(f.path for f in files)
    known = session.published
    if (
        known is not None
        and known[0] is session.output
        and all(f.path in session.output for f in files)
    ):
        return known[1]
    published = published_of({f.path for f in files} | set(session.output))
    session.published = (session.output, published)
    return published


def report_findings(findings: list[Finding], report: ErrorReport, session: Session | None) -> None:
    """A build's findings as its errors and warnings (a session's are all warnings)."""
    for finding in findings:
        text = f"{finding.message} [{finding.rule}]"
        if finding.hint:
            text += f" ({finding.hint})"
        if finding.level == ERROR and session is None:
            report.error(finding.path, finding.line, text)
        else:
            report.warn(finding.path, finding.line, text)


def remember_published(options: BuildOptions, model: Assembled, session: Session | None) -> None:
    """Keep each story's URL for the next build's url-changed (a build, not a preview's
    saves nor a preview build: a preview publishes nothing)."""
    if session is None and options.checks and not options.drafts and not options.preview:
        stories = published_stories(model.site)
        if stories != read_json_cache(options, PUBLISHED):
            write_json_cache(options, PUBLISHED, stories)


def _at(finding: Finding, level: str) -> Finding:
    return Finding(
        finding.path, finding.line, finding.col, finding.rule, level, finding.message, finding.hint
    )


def _page_text(path: str, files: dict[str, OutputFile], output_dir: Path) -> str | None:
    """A page's text: rendered by this build, or as the output folder holds it (kept)."""
    file = files.get(path)
    if file is not None and not file.kept:
        return made_bytes(file).decode("utf-8", "replace")
    return _read_text(output_dir / path)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return None


def _front_line(text: str) -> int:
    """The line of the front matter key a story's URL is made from."""
    for pattern in _KEY_RE.values():
        match = pattern.search(text)
        if match is not None:
            return text.count("\n", 0, match.start()) + 1
    return 1


def _unsilenced(found: list[Finding], site_dir: Path, language: str) -> list[Finding]:
    """The findings no front matter or `<!-- check: ignore … -->` comment silences."""
    stories: dict[str, Callable[[str, int], bool]] = {}
    kept = []
    for finding in found:
        if finding.path not in stories:
            try:
                doc = read_source(site_dir / finding.path, site_dir, ErrorReport())
            except OSError:
                doc = None
            story = read_story(doc, language) if doc is not None else None
            stories[finding.path] = story.is_silenced if story else (lambda rule, line: False)
        if not stories[finding.path](finding.rule, finding.line):
            kept.append(finding)
    return kept
