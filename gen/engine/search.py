"""The search stage: the index of a build's searchable pages, started once they are rendered
and made beside the stages after (on a thread, or an edit's in a forked process); the writer
waits for it (`gen.engine.outputs.write_site`)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from gen.config import SiteConfig
from gen.engine.forked import run_forked
from gen.engine.outputs import RenderedPages
from gen.model import OutputFile
from gen.outputs.pagefind_run import SearchUnavailable
from gen.outputs.search import start_index
from gen.outputs.spool import spooler
from gen.session import Session

# Units for Pagefind to index at most, for the search index to be made in a forked process
# (`start_search`): an edit or a day's stories need one or a few, a process for a second.
FORK_UNITS = 8
# Pages a site may have at most for that. What the fork costs in memory grows with the model
# (the pages this process writes to while the other lives are copied): an edit's peak, 305
# MB without it and 427 MB with it at 10,000 stories (28,000 pages); at 100,000 stories
# (283,000 pages) 2.7 GB without and 3.6 GB with it, more than a cold build may use.
FORK_PAGES = 60_000


def start_search(
    pool: ThreadPoolExecutor,
    rendered: RenderedPages,
    config: SiteConfig,
    session: Session | None,
    exact: bool,
) -> Future[list[OutputFile]] | None:
    """The search index, built on `pool`: only the years whose indexed text changed are
    indexed again. A session reuses its last index unless `exact` (it catches up later);
    a partial build leaves it for then."""
    if rendered.partial:
        if session is not None and rendered.files:
            session.behind = True  # the session catches up once saves pause
        return None
    if session is not None:
        session.behind = False
    if not config.search or not any(p.searchable for p in rendered.pages):
        return None
    searchable = [
        (p.search_group, f, rendered.search_key(f, p))
        for f, p in zip(rendered.files, rendered.pages, strict=True)
        if p.searchable
    ]
    reuse = session is not None and session.quick_search and not exact
    groups = tuple(sorted({g for g, _, _ in searchable}))
    if reuse and session is not None and session.search[0] == groups:
        session.behind = True
        index: Future[list[OutputFile]] = Future()
        index.set_result(session.search[1])
        return index
    if session is not None:
        session.behind = reuse
    try:
        # The years the output already holds are found here, before the build goes on; the
        # rest is done on the pool.
        finish = start_index(
            searchable,
            rendered.options.cache_dir,
            reuse_latest=reuse,
            load=rendered.load,
            intact=rendered.intact,
            jobs=rendered.options.jobs,
            hold=spooler(rendered.spool, "search"),
        )
    except (SearchUnavailable, OSError, ValueError) as exc:
        index = Future()
        index.set_exception(exc)  # the writer reports it, as a failure on the pool
        return index
    forking = finish.to_index <= FORK_UNITS and len(rendered.pages) <= FORK_PAGES
    if rendered.spool is not None and forking:
        # An edit's index is made in a process of its own, and spooled there too. Not a
        # cold build's: that process would hold the model as it was while this one goes on
        # writing to it (each page this one writes to is then copied), for the index's
        # whole time. Nor a session's: it keeps its index in memory for the next save.
        forked = run_forked(finish)
        if forked is not None:
            return forked
    return pool.submit(finish)
