"""The Jinja environment (theme chain, autoescape) and the pages it renders → `OutputFile`s."""

from __future__ import annotations

import hashlib
import json
import pickle
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from gen.cache import Memo as PageMemo
from gen.cache import article_digest, code_digest
from gen.config import SiteConfig
from gen.errors import ErrorReport, Problem
from gen.figures import picture_html
from gen.i18n import format_date, format_datetime, format_month, translate
from gen.model import Article, Listing, OutputFile, Site
from gen.pages import Job, Page, PlanMemo, plan_pages
from gen.search import indexed_digest
from gen.urls import output_file

DEFAULT_THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "default"
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".json")

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Theme:
    """A chain of theme folders, the site's own first; templates and static files fall back."""

    dirs: tuple[Path, ...]
    static: tuple[OutputFile, ...]


def theme_dirs(site_dir: Path, theme: str) -> tuple[Path, ...]:
    """The site's theme, then the site's copy of the default theme, then Dateline's own."""
    dirs = [site_dir / "themes" / theme, site_dir / "themes" / "default", DEFAULT_THEME_DIR]
    seen: list[Path] = []
    for d in dirs:
        resolved = d.resolve()
        if resolved.is_dir() and resolved not in seen:
            seen.append(resolved)
    return tuple(seen)


def read_theme(site_dir: Path, theme: str) -> Theme:
    """Find the theme chain and read its static files (a site's file overrides the default's)."""
    dirs = theme_dirs(site_dir, theme)
    static: dict[str, bytes] = {}
    for d in reversed(dirs):
        root = d / "static"
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            if path.is_file() and not path.name.startswith("."):
                static["static/" + path.relative_to(root).as_posix()] = path.read_bytes()
    return Theme(dirs, tuple(OutputFile(p, static[p]) for p in sorted(static)))


class Renderer:
    """Renders a `Site` through a theme."""

    def __init__(self, config: SiteConfig, theme: Theme, cache_dir: Path | None = None) -> None:
        self.config = config
        self.base_path = config.base_path  # a property: computed once, used on every link
        self.theme = theme
        self.env = make_environment(theme.dirs, cache_dir)
        self.last_digests: ArticleDigests = {}  # the articles hashed by the last render_site
        self.last_jobs: list[Job] = []  # and the pages it had, in order
        self.last_layout = ""  # and the layout digest it used
        hashes = {f.path: hashlib.sha256(f.data).hexdigest()[:10] for f in theme.static}
        self.env.globals.update(
            config=config,
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

        @jinja2.pass_context
        def month(ctx: Any, m: Any) -> str:
            return format_month(m.year, m.month, ctx["page"].lang)

        self.env.globals["t"] = t
        self.env.globals["tr"] = translate  # a word in a given language: tr("read_in", "uk")
        self.env.globals["picture"] = lambda image, lazy=True: markupsafe.Markup(
            picture_html(image, config.base_path, lazy=lazy)
        )
        self.env.filters.update(
            url=self.url,
            abs_url=self.abs_url,
            date=date,
            datetime=date_time,
            month=month,
            isodate=lambda d: d.isoformat(),
            tojson=to_json,
        )

    def layout_digest(self, site: Site) -> str:
        """Everything every page shows: settings, sections, templates and static files."""
        digest = hashlib.sha256(repr((self.config, site.sections)).encode("utf-8"))
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
    ) -> tuple[list[OutputFile], list[Page]]:
        """Every page of the site, and the pages rendered; template problems go to `report`.

        With `memo` (page path → inputs digest and output hash from the last build, kept in
        the cache or by a watch session) a page whose inputs are unchanged, and whose file
        `intact(path, sha256)` says is still as written, is not rendered again: it comes
        back `kept`. The memo is updated with what this build rendered. `article_digests`
        keeps each article's digest between a watch session's builds (its articles are reused),
        `plan_memo` each article's jobs, and `job_memo` their digests.
        """
        jobs = list(plan_pages(site, self.config, plan_memo))
        layout = self.layout_digest(site) if memo is not None else ""
        digests = JobDigests(layout, article_digests, job_memo) if memo is not None else None
        self.last_digests = digests.articles if digests is not None else {}
        self.last_jobs, self.last_layout = jobs, layout
        view = SiteView(site)
        files: list[OutputFile] = []
        pages: list[Page] = []
        seen: set[tuple[str, int | None, str]] = set()
        for done, job in enumerate(jobs, 1):
            path = output_file(job.page.path)
            digest = ""
            if digests is not None and memo is not None:
                digest = digests.job(job)
                known = memo.get(job.page.path)
                if known and known[0] == digest and intact and intact(path, known[1]):
                    files.append(OutputFile(path, b"", kept=known[1]))
                    pages.append(job.page)
                    continue
            try:
                file = self.render_one(job, view, digest, memo, path)
            except Exception as exc:  # a theme bug must not hide where it is
                problem = template_problem(exc, self.theme.dirs, job.template)
            else:
                files.append(file)
                pages.append(job.page)
                if progress is not None:
                    progress(done, len(jobs))
                continue
            key = (problem.path, problem.line, problem.message)
            if key not in seen:  # one broken template would otherwise fail every page
                seen.add(key)
                report.error(
                    problem.path, problem.line, f"{problem.message} (rendering {job.page.path})"
                )
        if memo is not None:
            for stale in set(memo) - {p.path for p in pages}:
                del memo[stale]
        if digests is not None:
            digests.forget_unused()
        return files, pages

    def render_one(
        self,
        job: Job,
        view: SiteView,
        digest: str = "",
        memo: PageMemo | None = None,
        path: str | None = None,
    ) -> OutputFile:
        """One page (raising what its template raised), noted in `memo` with its inputs
        `digest`: blank if the page read more of the site than the digest covers."""
        view.read.clear()
        template = self.env.get_template(job.template)
        data = template.render(site=view, page=job.page, **job.context).encode("utf-8")
        if memo is not None:
            # A page that read more of the site than its sections (a list of every
            # article, say) has inputs the digest does not cover: always rendered.
            whole = digest if not view.read - LAYOUT_FIELDS else ""
            indexed = indexed_digest(data) if job.page.searchable else ""
            memo[job.page.path] = (whole, hashlib.sha256(data).hexdigest(), indexed)
        return OutputFile(path or output_file(job.page.path), data)


# id(article) → (the article, `article_digest`); a watch session keeps it.
ArticleDigests = dict[int, tuple[Article, bytes]]
# id(job) → (the job, the layout digest, the job's digest); a watch session keeps it too.
JobMemo = dict[int, tuple[Job, str, str]]

# What of `site` the layout digest covers: a page reading only these can be kept.
LAYOUT_FIELDS = frozenset({"sections"})


class SiteView:
    """`site` as templates see it, noting which of its fields a page reads."""

    __slots__ = ("_site", "read")

    def __init__(self, site: Site) -> None:
        self._site = site
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._site, name)
        self.read.add(name)
        return value


class JobDigests:
    """Digests of what each page's HTML depends on, for one build.

    The layout digest covers settings, sections, templates, static files and Dateline's own
    code; pages that read more of `site` are found while rendering (`SiteView`) and are not
    kept. Each article is pickled once per build, however many pages show it.
    """

    def __init__(
        self, layout: str, known: ArticleDigests | None = None, jobs: JobMemo | None = None
    ) -> None:
        self.layout = layout
        self.articles: ArticleDigests = known if known is not None else {}
        self._used: set[int] = set()
        # A job the plan memo gave back is the same object as last build: so is its digest.
        self._jobs: JobMemo = jobs if jobs is not None else {}
        self._jobs_used: set[int] = set()

    def article(self, article: Article) -> bytes:
        # Keyed by identity, holding the article: its id cannot be reused while it is here.
        key = id(article)
        found = self.articles.get(key)
        if found is None or found[0] is not article:
            found = self.articles[key] = (article, article_digest(article))
        self._used.add(key)
        return found[1]

    def digest_of(self, article: Article) -> bytes:
        """An article's digest, without marking it as shown (feeds ask for theirs too)."""
        found = self.articles.get(id(article))
        if found is not None and found[0] is article:
            return found[1]
        return article_digest(article)

    def forget_unused(self) -> None:
        """Drop the digests of articles and jobs this build did not have (kept between builds)."""
        for key in set(self.articles) - self._used:
            del self.articles[key]
        for key in set(self._jobs) - self._jobs_used:
            del self._jobs[key]

    def value(self, value: Any) -> Any:
        if isinstance(value, Article):
            return self.article(value)
        if isinstance(value, Listing):
            # The list's own chunk is in "articles"; the rest would make the cost quadratic.
            return (replace(value, articles=()), len(value.articles))
        if isinstance(value, tuple) and value and all(isinstance(v, Article) for v in value):
            return tuple(self.article(v) for v in value)
        return value

    def job(self, job: Job) -> str:
        key = id(job)
        self._jobs_used.add(key)
        known = self._jobs.get(key)
        if known is not None and known[0] is job and known[1] == self.layout:
            for value in job.context.values():  # still shown: keep their digests
                for item in value if isinstance(value, tuple) else (value,):
                    if isinstance(item, Article):
                        self._used.add(id(item))
            return known[2]
        context = [(k, self.value(v)) for k, v in sorted(job.context.items())]
        page = (job.page.path, job.page.number) if job.derived else job.page
        data = pickle.dumps((self.layout, job.template, page, context), 5)
        digest = hashlib.sha256(data).hexdigest()
        self._jobs[key] = (job, self.layout, digest)
        return digest


def make_environment(dirs: tuple[Path, ...], cache_dir: Path | None = None) -> jinja2.Environment:
    """Autoescaping, strict Jinja over the theme chain; compiled templates kept in the cache
    (Jinja checks each template's source against its checksum before using them)."""
    bytecode = None
    if cache_dir is not None:
        try:
            (cache_dir / "templates").mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(cache_dir / "templates"))
        except OSError:
            bytecode = None  # a cache that cannot be written is only slower
    return jinja2.Environment(
        bytecode_cache=bytecode,
        loader=jinja2.FileSystemLoader([d / "templates" for d in dirs]),
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # one Environment per build: no need to stat templates per page
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )


def to_json(value: Any) -> markupsafe.Markup:
    """JSON safe inside <script>: '<', '>', '&' and quotes are escaped so nothing can close it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, code)
    return markupsafe.Markup(text)


def template_problem(exc: BaseException, dirs: tuple[Path, ...], template: str) -> Problem:
    """`themes/x/templates/y.html:LINE: what went wrong` from a Jinja error or a bug."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Problem(
            _theme_rel(exc.filename, dirs), exc.lineno, f"template syntax: {exc.message}"
        )
    if isinstance(exc, jinja2.TemplateNotFound):
        return Problem(template, None, f"template not found: {exc.name}")
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.endswith(TEMPLATE_SUFFIXES) and "/templates/" in f.filename
    ]
    if frames:
        frame = frames[-1]
        what = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
        return Problem(_theme_rel(frame.filename, dirs), frame.lineno, f"template error: {what}")
    return Problem(template, None, f"template error: {type(exc).__name__}: {exc}")


def _theme_rel(filename: str, dirs: tuple[Path, ...]) -> str:
    """A template's path as the user knows it: relative to the site, or under Dateline's theme."""
    path = Path(filename).resolve()
    for d in dirs:
        if path.is_relative_to(d.parent.parent):
            return path.relative_to(d.parent.parent).as_posix()
    return path.as_posix()
