"""The engine's first step: what changed since the last build, and so what a build must redo.

A build with no session, a session's first build, and any save that does more than edit
stories' words redo everything (every page is still kept when its inputs and recorded reads
are unchanged: `gen.pages.reads`). A watch save that only edits stories (each keeps its
place: the same lists, related stories, files and feeds) is partial: the stages read,
assemble, render and write only what shows those stories, from what the session's last
build left (`LastBuild`). A stage that finds the save did more raises `NotPartial`, and
the build starts again redoing everything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from gen.assemble.article import Context
from gen.assemble.patch import index_site
from gen.config import BuildOptions
from gen.model import Site
from gen.outputs.state import MANIFEST, Manifest
from gen.pages.preview import preview_options
from gen.pages.reads import articles_in
from gen.pages.render import Renderer
from gen.session import LastBuild, Session

MAX_PAGES = 500  # more pages than this to make again: redoing everything is as quick


class NotPartial(Exception):
    """A partial build found that the save did more than edit stories in their places."""


@dataclass(frozen=True, slots=True)
class Changes:
    """What a build must redo: everything, or only the stories at `paths` (site-relative)."""

    paths: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """Only the `paths` changed, and the session knows everything else."""
        return bool(self.paths)


EVERYTHING = Changes()


def find_changes(
    options: BuildOptions, session: Session | None, changed: frozenset[str], exact: bool
) -> Changes:
    """What a build must redo, from the paths a watcher saw change since the last build."""
    last = session.last if session is not None else None
    if session is None or last is None or not changed or exact or session.output is None:
        return EVERYTHING
    config = last.context.config
    now = options.now if options.now.tzinfo else options.now.replace(tzinfo=config.tz)
    # The last build's options are as `configure` made them (a preview's drafts included).
    same = replace(preview_options(options), now=last.options.now) == last.options
    if not same or now < last.options.now:
        return EVERYTHING  # another option, or the clock went back
    if last.site.next_change is not None and now >= last.site.next_change:
        return EVERYTHING  # an embargo lifted, a story expired...: lists change
    if config.search and not session.quick_search:
        return EVERYTHING  # a session that wants its search index exact on every build
    if not all(path in last.index.by_source for path in changed):
        return EVERYTHING  # not only stories the site shows: a new file, a template...
    if manifest_stamp(options) != last.manifest_stamp:
        return EVERYTHING  # another build wrote into the output folder since
    return Changes(tuple(sorted(changed)))


def remember_last_build(
    options: BuildOptions,
    context: Context,
    site: Site,
    renderer: Renderer,
    sizes: dict[str, int],
    files: int,
    session: Session,
) -> LastBuild:
    """What a session keeps of a build that redid everything: the model, every page's job
    and unit, and which pages show each story (by url) or read more than they declare."""
    output = session.output or {}
    last = LastBuild(
        options,
        context,
        site,
        renderer,
        list(renderer.last_jobs),
        list(renderer.last_units),
        sizes,
        Manifest({path: value[0] for path, value in output.items()}, preview=options.preview),
        files,
        index_site(site),
    )
    for i, unit in enumerate(last.units):
        last.by_unit.setdefault(unit, []).append(i)
    shown_on: defaultdict[str, list[int]] = defaultdict(list)
    memo = session.pages
    for i, job in enumerate(last.jobs):
        known = memo.get(job.page.path)
        if known is None or not known[0] or known[3]:
            last.whole.append(i)  # it read more than it declares: considered on every save
        for value in job.context.values():
            for article in articles_in(value):
                shown_on[article.url].append(i)
    last.shown_on = dict(shown_on)
    return last


def pages_showing(last: LastBuild, urls: set[str]) -> list[int]:
    """The pages (indices into `last.jobs`) that show these stories, or read beyond what
    they declare (NotPartial if they are too many to be worth it)."""
    if not urls:
        return []
    places = sorted({p for url in urls for p in last.shown_on.get(url, ())} | set(last.whole))
    if len(places) > MAX_PAGES:
        raise NotPartial
    return places


def manifest_stamp(options: BuildOptions) -> tuple[int, int] | None:
    """The output manifest's size and mtime (None if there is none)."""
    try:
        st = (options.output_dir / MANIFEST).stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
