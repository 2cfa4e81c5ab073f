"""The render stage: every page of the site through the theme, kept when its inputs (what it
declares and what it read last time) are unchanged → `OutputFile`s."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from gen import code_digest
from gen.cache import Memo as PageMemo
from gen.config import SiteConfig
from gen.errors import ErrorReport, Problem
from gen.model import Article, OutputFile, Site
from gen.outputs.search_key import indexed_digest
from gen.outputs.spool import spool as spool_page
from gen.pages.figures import picture_html
from gen.pages.i18n import format_date, format_datetime, format_month, translate
from gen.pages.page import Job, Page, PlanMemo
from gen.pages.plan import Planner, Unit
from gen.pages.preview import UNMARKED, PreviewBuild, is_marked
from gen.pages.reads import ArticleDigests, JobDigests, JobMemo, tracked_context
from gen.pages.structured import iso_modified, iso_published
from gen.pages.theme import Theme, make_environment, template_problem
from gen.urls import output_file

Progress = Callable[[int, int], None]


class Renderer:
    """Renders a `Site` through a theme (as a preview build marks it, with `preview`)."""

    def __init__(
        self, config: SiteConfig, theme: Theme, preview: PreviewBuild | None = None
    ) -> None:
        self.config = config
        self.base_path = config.base_path  # a property: computed once, used on every link
        self.theme = theme
        self.preview = preview
        # Canonical links name the published site, even in a preview served elsewhere.
        self.published_url = preview.published_url if preview else config.base_url
        self.env = make_environment(theme.dirs)
        self.last_digests: ArticleDigests = {}  # the articles hashed by the last render_site
        self.last_jobs: list[Job] = []  # and the pages it had, in order
        self.last_units: list[Unit] = []  # and what each was planned from
        self.last_layout = ""  # and the layout digest it used
        hashes = {f.path: hashlib.sha256(f.data).hexdigest()[:10] for f in theme.static}
        self.env.globals.update(
            config=config,
            preview=preview,
            asset=lambda path: (
                self.url(f"/static/{path}") + f"?v={hashes.get('static/' + path, '')}"
            ),
        )
        tz = config.tz

        # Words and dates follow the page's language (an article may differ from the site).
        @jinja2.pass_context
        def t(ctx: Any, key: str) -> str:
            return translate(key, ctx["page"].lang)

        @jinja2.pass_context
        def date(ctx: Any, moment: datetime) -> str:
            return format_date(moment, ctx["page"].lang, tz)

        @jinja2.pass_context
        def date_time(ctx: Any, moment: datetime) -> str:
            return format_datetime(moment, ctx["page"].lang, tz)

        # A story's publication as shown: the date alone when it was dated without a time.
        @jinja2.pass_context
        def published(ctx: Any, article: Article) -> str:
            shown = format_date if article.dated_only else format_datetime
            return shown(article.date, ctx["page"].lang, tz)

        @jinja2.pass_context
        def month(ctx: Any, m: Any) -> str:
            return format_month(m.year, m.month, ctx["page"].lang)

        # Filters that read the settings take the context: Jinja never folds such a filter
        # into a constant when it compiles a template (`'/archive/'|url`).
        @jinja2.pass_context
        def url(ctx: Any, path: str) -> str:
            return self.url(path)

        @jinja2.pass_context
        def abs_url(ctx: Any, path: str) -> str:
            return self.abs_url(path)

        @jinja2.pass_context
        def published_url(ctx: Any, path: str) -> str:
            return self.published_url + path.lstrip("/")

        self.env.globals["t"] = t
        self.env.globals["tr"] = translate  # a word in a given language: tr("read_in", "uk")
        self.env.globals["picture"] = lambda image, lazy=True: markupsafe.Markup(
            picture_html(image, config.base_path, lazy=lazy)
        )
        self.env.filters.update(
            url=url,
            abs_url=abs_url,
            published_url=published_url,
            date=date,
            datetime=date_time,
            month=month,
            isodate=lambda d: d.isoformat(),
            published=published,
            published_iso=iso_published,
            modified_iso=iso_modified,
            tojson=to_json,
        )

    def layout_digest(self, site: Site) -> str:
        """Everything every page shows: settings, sections, preview marks, templates and
        static files."""
        layout = (self.config, site.sections, self.preview)
        digest = hashlib.sha256(repr(layout).encode("utf-8"))
        digest.update(code_digest().encode())
        for folder in self.theme.dirs:
            for path in sorted((folder / "templates").rglob("*")):
                if path.is_file():
                    digest.update(path.as_posix().encode() + path.read_bytes())
        for file in self.theme.static:
            digest.update(file.path.encode() + file.data)
        return digest.hexdigest()

    def url(self, path: str) -> str:
        """A site path as a link that works under the site's base path."""
        return self.base_path + path.lstrip("/")

    def abs_url(self, path: str) -> str:
        """A site path as an absolute URL (canonical links, feeds)."""
        return self.config.base_url + path.lstrip("/")

    def render_site(
        self,
        site: Site,
        report: ErrorReport,
        progress: Progress | None = None,
        memo: PageMemo | None = None,
        intact: Callable[[str, str], bool] | None = None,
        article_digests: ArticleDigests | None = None,
        plan_memo: PlanMemo | None = None,
        job_memo: JobMemo | None = None,
        now: datetime | None = None,
        workers: int = 1,
        spool: Path | None = None,
    ) -> tuple[list[OutputFile], list[Page]]:
        """Every page of the site, and the pages rendered; template problems go to `report`.

        With `memo` (page path → inputs digest, output hash and recorded reads from the last
        build, kept in the cache or by a watch session) a page whose declared inputs and
        whose recorded reads' values are unchanged, and whose file `intact(path, sha256)`
        says is still as written, is not rendered again: it comes back `kept`. The memo is
        updated with what this build rendered. `article_digests` keeps each article's
        digest between a watch session's builds (its articles are reused), `plan_memo` each
        article's jobs, and `job_memo` their digests. A preview marks the stories scheduled
        after `now` (the build's clock, which it needs). `workers` > 1 makes many pages on
        a pool of forked processes, which write them to the `spool` folder if given.
        """
        if self.preview is not None and now is None:
            raise ValueError("a preview build renders as of its clock: give `now`")
        planner = Planner(site, self.config, plan_memo, now if self.preview else None)
        jobs: list[Job] = []
        units: list[Unit] = []
        for unit in planner.units():
            made = planner.jobs(unit)
            jobs += made
            units += [unit] * len(made)
        layout = self.layout_digest(site) if memo is not None else ""
        digests = JobDigests(layout, article_digests, job_memo) if memo is not None else None
        self.last_digests = digests.articles if digests is not None else {}
        self.last_jobs, self.last_units, self.last_layout = jobs, units, layout
        files, pages = self.render_jobs(
            jobs, site, report, digests, memo, intact, progress, workers=workers, spool=spool
        )
        if memo is not None:
            for stale in set(memo) - {p.path for p in pages}:
                del memo[stale]
        if digests is not None:
            digests.forget_unused()
        return files, pages

    def render_jobs(
        self,
        jobs: list[Job],
        site: Site,
        report: ErrorReport,
        digests: JobDigests | None = None,
        memo: PageMemo | None = None,
        intact: Callable[[str, str], bool] | None = None,
        progress: Progress | None = None,
        *,
        digest_reads: bool = True,
        workers: int = 1,
        spool: Path | None = None,
    ) -> tuple[list[OutputFile], list[Page]]:
        """`jobs` rendered, each kept instead if what it declares and what it read last time
        are unchanged and its file is intact (the whole site's, or a watch save's few).
        Without `digest_reads`, a page that read more than it declares is noted with no
        digest (the next build makes it again) instead of digesting what it read: a watch
        save's few pages should not hash the whole site. With `workers` > 1 and many pages
        to make, they are made on a pool of forked processes (`_render_in_pool`), and
        written to the `spool` folder if given."""
        files: list[OutputFile] = []
        pages: list[Page] = []
        seen: set[tuple[str, int | None, str]] = set()
        # Which pages to make is worked out once, for the pool and for this process alike.
        paths = [output_file(job.page.path) for job in jobs]
        todo = [
            i
            for i, job in enumerate(jobs)
            if digests is None
            or memo is None
            or not self._is_kept(job, paths[i], site, digests, memo, intact)
        ]
        made = self._render_in_pool(jobs, todo, site, digests, memo, digest_reads, workers, spool)
        to_make = set(todo)
        for done, (job, path) in enumerate(zip(jobs, paths, strict=True), 1):
            outcome: Rendering | None = None  # kept
            if done - 1 in to_make and made is None:
                outcome = self._made_here(job, path, site, digests, memo, digest_reads)
            elif done - 1 in to_make and made is not None:
                outcome = made[done - 1]
                if memo is not None and isinstance(outcome, tuple) and outcome[1] is not None:
                    memo[job.page.path] = outcome[1]
            if outcome is None:
                assert memo is not None  # only a page the memo knows is kept
                files.append(OutputFile(path, b"", kept=memo[job.page.path][1]))
                pages.append(job.page)
                continue
            if isinstance(outcome, Problem):
                problem = outcome
            elif self.preview is None or is_marked(outcome[0].data):
                files.append(outcome[0])
                pages.append(job.page)
                if progress is not None:
                    progress(done, len(jobs))
                continue
            else:  # a theme's own base.html without the marks: never a preview that looks real
                problem = Problem(job.template, None, UNMARKED)
            key = (problem.path, problem.line, problem.message)
            if key not in seen:  # one broken template would otherwise fail every page
                seen.add(key)
                report.error(
                    problem.path, problem.line, f"{problem.message} (rendering {job.page.path})"
                )
        return files, pages

    def _made_here(
        self,
        job: Job,
        path: str,
        site: Site,
        digests: JobDigests | None,
        memo: PageMemo | None,
        digest_reads: bool,
    ) -> Rendering:
        """The page made in this process (noted in `memo`), or its template's problem."""
        try:
            file = self.render_one(job, site, digests, memo, path, digest_reads=digest_reads)
        except Exception as exc:  # a theme bug must not hide where it is
            return template_problem(exc, self.theme.dirs, job.template)
        return (file, None)

    @staticmethod
    def _is_kept(
        job: Job,
        path: str,
        site: Site,
        digests: JobDigests,
        memo: PageMemo,
        intact: Callable[[str, str], bool] | None,
    ) -> bool:
        """The page's inputs and recorded reads are as last build's, and its file intact."""
        known = memo.get(job.page.path)
        return bool(
            known
            and known[0]
            and known[0] == digests.with_reads(digests.job(job), known[3], job, site)
            and intact
            and intact(path, known[1])
        )

    def _render_in_pool(
        self,
        jobs: list[Job],
        todo: list[int],
        site: Site,
        digests: JobDigests | None,
        memo: PageMemo | None,
        digest_reads: bool,
        workers: int,
        spool: Path | None = None,
    ) -> dict[int, Rendering] | None:
        """The jobs at `todo` made by `workers` processes, this one and `workers` - 1 forked:
        job index → (file, memo entry) or the template's problem. None when a pool would
        not pay (few pages, one worker, no fork): the caller renders them itself.

        The workers are forked once the model is built, so they share it (copy-on-write)
        instead of receiving it; each renders a slice of the jobs and sends back bytes, or
        writes them to the `spool` folder and sends back where. This process
        renders too, taking slices from the end that no worker has started: a forked
        worker holds its own copy of most of the model (reference counts write to every
        object it reads), so one fewer of them is that much less memory at the peak. For
        the same reason the workers are forked again every RENDER_ROUND pages.
        """
        if workers <= 1 or len(todo) < RENDER_PARALLEL_MIN or "fork" not in get_all_start_methods():
            return None
        _POOL_STATE[:] = [(self, site, jobs, digests, memo is not None, digest_reads, spool)]
        rounds = -(-len(todo) // RENDER_ROUND)
        size = -(-len(todo) // rounds)  # as many pages in each
        try:
            made: dict[int, Rendering] = {}
            for start in range(0, len(todo), size):
                # The model's objects are moved out of the collector's reach before the
                # fork: a worker's collection would otherwise write to every one of them,
                # and the kernel would copy each page of memory it shared with this process.
                gc.freeze()
                made.update(_render_round(todo[start : start + size], workers))
        finally:
            gc.unfreeze()
            _POOL_STATE.clear()
        return made

    def render_one(
        self,
        job: Job,
        site: Site,
        digests: JobDigests | None = None,
        memo: PageMemo | None = None,
        path: str | None = None,
        *,
        digest_reads: bool = True,
    ) -> OutputFile:
        """One page (raising what its template raised), noted in `memo` with the digest of
        what it declares and of what it read besides."""
        reads: set[str] = set()
        template = self.env.get_template(job.template)
        data = template.render(**tracked_context(job, site, reads)).encode("utf-8")
        if memo is not None and digests is not None:
            read = tuple(sorted(reads))
            declared = digests.job(job)
            whole = (
                digests.with_reads(declared, read, job, site) if digest_reads or not read else ""
            )
            indexed = indexed_digest(data) if job.page.searchable else ""
            memo[job.page.path] = (whole, hashlib.sha256(data).hexdigest(), indexed, read)
        return OutputFile(path or output_file(job.page.path), data)


# A page made in a worker: its file and memo entry, or the problem its template raised.
Rendering = tuple[OutputFile, "MemoEntry | None"] | Problem
MemoEntry = tuple[str, str, str, tuple[str, ...]]
RENDER_PARALLEL_MIN = 400  # fewer pages to make than this: a pool costs more than it saves
RENDER_CHUNK = 64  # pages per task: few round trips, small enough to balance
# Pages per round of the pool, each round with workers forked afresh. Whatever a worker
# writes to (a reference count, a freed block it reuses) the kernel copies for it, page by
# page: about 10 KB per page rendered, 1.6 GB by the end of a 100,000-story build in one
# round. A round drops those copies for the cost of a fork (0.1 s at 2 GB).
RENDER_ROUND = 8192
# What the forked workers render from (set just before the fork, cleared after).
_POOL_STATE: list[tuple[Renderer, Site, list[Job], JobDigests | None, bool, bool, Path | None]] = []


def _render_round(todo: list[int], workers: int) -> dict[int, Rendering]:
    """One round of the pool: `todo` made by this process and `workers` - 1 forked."""
    chunks = [todo[i : i + RENDER_CHUNK] for i in range(0, len(todo), RENDER_CHUNK)]
    made: dict[int, Rendering] = {}
    with ProcessPoolExecutor(workers - 1, mp_context=get_context("fork")) as pool:
        futures = [pool.submit(_render_chunk, chunk) for chunk in chunks]
        # A slice is cancelled only while no worker has taken it: then it is ours.
        # Once one cannot be, the workers have every slice before it.
        for chunk, future in zip(reversed(chunks), reversed(futures), strict=True):
            if not future.cancel():
                break
            made.update(zip(chunk, _render_chunk(chunk), strict=True))
        for chunk, future in zip(chunks, futures, strict=True):
            if not future.cancelled():
                made.update(zip(chunk, future.result(), strict=True))
    return made


def _render_chunk(indices: list[int]) -> list[Rendering]:
    """In a worker: the pages at `indices` of the jobs, each with its memo entry (spooled
    if the pool has a spool folder)."""
    renderer, site, jobs, digests, with_memo, digest_reads, spool = _POOL_STATE[0]
    out: list[Rendering] = []
    for i in indices:
        job = jobs[i]
        memo: PageMemo | None = {} if with_memo else None
        try:
            file = renderer.render_one(job, site, digests, memo, digest_reads=digest_reads)
        except Exception as exc:  # a theme bug must not hide where it is
            out.append(template_problem(exc, renderer.theme.dirs, job.template))
            continue
        entry = memo.get(job.page.path) if memo is not None else None
        if spool is not None:
            file = spool_page(spool, f"{i}.html", file, entry[1] if entry else "")
        out.append((file, entry))
    return out


def to_json(value: Any) -> markupsafe.Markup:
    """JSON safe inside <script>: '<', '>', '&' and quotes are escaped so nothing can close it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, code)
    return markupsafe.Markup(text)
