"""The Jinja environment (theme chain, autoescape) and the pages it renders → `OutputFile`s."""

from __future__ import annotations

import hashlib
import json
import math
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from gen.config import SiteConfig
from gen.errors import ErrorReport, Problem, TemplateError
from gen.i18n import format_date, format_datetime, format_month, translate
from gen.model import Article, Listing, OutputFile, Site
from gen.urls import output_file, page_path

DEFAULT_THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "default"
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".json")

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Theme:
    """A chain of theme folders, the site's own first; templates and static files fall back."""

    dirs: tuple[Path, ...]
    static: tuple[OutputFile, ...]


@dataclass(frozen=True, slots=True)
class Page:
    """What every template gets as `page`: the page's own facts."""

    kind: str
    path: str  # site path, e.g. /tag/kyiv/page/2/
    title: str
    description: str
    lang: str
    number: int = 1
    count: int = 1
    prev: str | None = None
    next: str | None = None
    image: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


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

    def __init__(self, config: SiteConfig, theme: Theme) -> None:
        self.config = config
        self.theme = theme
        self.env = make_environment(theme.dirs)
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
        self.env.filters.update(
            url=self.url,
            abs_url=self.abs_url,
            date=date,
            datetime=date_time,
            month=month,
            isodate=lambda d: d.isoformat(),
            tojson=to_json,
        )

    def url(self, path: str) -> str:
        """A site path as a link that works under the site's base path."""
        return self.config.base_path + path.lstrip("/")

    def abs_url(self, path: str) -> str:
        """A site path as an absolute URL (canonical links, feeds)."""
        return self.config.base_url + path.lstrip("/")

    def render_site(
        self, site: Site, report: ErrorReport, progress: Progress | None = None
    ) -> list[OutputFile]:
        """Every page of the site; template problems go to `report`."""
        jobs = list(self.page_jobs(site))
        files: list[OutputFile] = []
        seen: set[tuple[str, int | None, str]] = set()
        for done, (template, page, context) in enumerate(jobs, 1):
            try:
                html = self.env.get_template(template).render(site=site, page=page, **context)
            except jinja2.TemplateError as exc:
                problem = template_problem(exc, self.theme.dirs, template)
            except Exception as exc:  # a theme bug must not hide where it is
                problem = template_problem(exc, self.theme.dirs, template)
            else:
                files.append(OutputFile(output_file(page.path), html.encode("utf-8")))
                if progress is not None:
                    progress(done, len(jobs))
                continue
            key = (problem.path, problem.line, problem.message)
            if key not in seen:  # one broken template would otherwise fail every page
                seen.add(key)
                report.error(
                    problem.path, problem.line, f"{problem.message} (rendering {page.path})"
                )
        return files

    def page_jobs(self, site: Site) -> Iterator[tuple[str, Page, dict[str, Any]]]:
        """(template, page, context) for every page, in a stable order."""
        lang = self.config.language
        for article in site.articles:
            yield "article.html", self.article_page(article), {"article": article}
        for listing in site.listings:
            yield from self.listing_pages(listing, lang)
        yield (
            "archive_index.html",
            Page("archive_index", "/archive/", translate("archive", lang), "", lang),
            {},
        )
        yield "404.html", Page("404", "/404.html", translate("not_found", lang), "", lang), {}

    def article_page(self, article: Article) -> Page:
        """The `page` of an article."""
        return Page(
            kind="article",
            path=article.url,
            title=article.title,
            description=article.summary,
            lang=article.lang,
            image=article.image,
        )

    def listing_pages(
        self, listing: Listing, lang: str
    ) -> Iterator[tuple[str, Page, dict[str, Any]]]:
        """The pages of one list, `per_page` articles each; an empty list still gets page 1."""
        per = self.config.per_page
        count = max(1, math.ceil(len(listing.articles) / per))
        template = "index.html" if listing.kind == "front" else "list.html"
        for number in range(1, count + 1):
            path = page_path(listing.url, number)
            title = listing_title(listing, lang)
            if number > 1:
                title = f"{title} — {translate('page', lang)} {number}"
            page = Page(
                kind=listing.kind,
                path=path,
                title=title,
                description=listing.description,
                lang=lang,
                number=number,
                count=count,
                prev=page_path(listing.url, number - 1) if number > 1 else None,
                next=page_path(listing.url, number + 1) if number < count else None,
            )
            chunk = listing.articles[(number - 1) * per : number * per]
            yield template, page, {"listing": listing, "articles": chunk}


def listing_title(listing: Listing, lang: str) -> str:
    """The heading of a list page."""
    if listing.kind == "archive":
        year, month = listing.key.split("-")
        return f"{translate('month_archive', lang)}: {format_month(int(year), int(month), lang)}"
    return listing.title


def make_environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    """Autoescaping, strict Jinja over the theme chain."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([d / "templates" for d in dirs]),
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )


def to_json(value: Any) -> str:
    """JSON safe inside <script>: '<', '>' and '&' are escaped so '</script>' can't close it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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


def raise_template_errors(report: ErrorReport) -> None:
    """Stop the build if any template failed."""
    report.raise_if_errors(TemplateError)


def latest(articles: tuple[Article, ...]) -> datetime | None:
    """The newest modification time among `articles`."""
    return max((a.modified for a in articles), default=None)
