"""`site.yaml` → a frozen `SiteConfig`; every error names its line."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from gen.check.settings import CheckSettings, parse_check
from gen.config_parts import (
    FEED_FORMATS,
    FEED_LISTS,
    ID_RE,
    Publisher,
    PublishSettings,
    SectionConfig,
    parse_feeds,
    parse_markdown,
    parse_publish,
    parse_publisher,
    parse_sections,
)
from gen.errors import ConfigError, ErrorReport, Problem, suggest

if TYPE_CHECKING:
    from gen.source.yamldoc import YamlDoc

# YAML and the address checks are imported when site.yaml is read: a build that finds
# nothing changed (gen.engine.unchanged) needs BuildOptions, not the parser.

CONFIG_FILE = "site.yaml"
DEFAULT_PERMALINK = "/{year}/{month}/{day}/{slug}/"
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# What raw HTML in a body becomes (gen/markup/sanitize.py).
RAW_HTML_MODES = ("allow", "sanitize", "forbid")
# Where the site is served: decides the redirect and header files written beside the pages.
HOSTS = ("github", "gitlab", "netlify", "cloudflare", "s3", "nginx", "apache")


def setting(doc: str, default: Any = MISSING, *, key: str = "") -> Any:
    """A setting of `site.yaml`: its one-line doc, its default (none: required) and, when it
    differs from the field's name, its key. The field's annotation is its type."""
    meta = {"doc": doc, "key": key}
    if default is MISSING:
        return field(metadata=meta)
    if isinstance(default, list | dict):
        raise TypeError("settings are frozen: give a tuple")
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The settings of one site, validated: each declared once, here, with its type, default
    and doc (README's table and the unknown-key hints come from these)."""

    title: str = setting("the site's name, shown in every page's header")
    base_url: str = setting("the absolute URL the site is published at, e.g. https://example.org/")
    language: str = setting("the site's language as a BCP 47 tag, e.g. en or uk")
    timezone: str = setting("the newsroom's time zone, e.g. Europe/Kyiv; bare dates take it")
    publisher: Publisher = setting("the publishing organisation: {name, logo}")
    sections: tuple[SectionConfig, ...] = setting(
        "a mapping of section id → {title, description}, in display order"
    )
    description: str = setting("one sentence about the site, for search engines and feeds", "")
    permalink: str = setting(
        "the article URL pattern; fields {year} {month} {day} {slug} {section}",
        DEFAULT_PERMALINK,
    )
    per_page: int = setting("how many articles a list page shows", 10)
    theme: str = setting(
        "the theme folder under themes/; templates not found there fall back", "default"
    )
    feed_entries: int = setting("how many articles each feed carries", 20)
    feeds: tuple[tuple[str, tuple[str, ...]], ...] = setting(
        "the formats of each list's feed: [atom, rss, json] (default, every list), or per "
        "kind of list, e.g. {tag: [atom], author: [atom]}",
        tuple((kind, FEED_FORMATS) for kind in FEED_LISTS),
    )
    related_count: int = setting("how many related articles end each article (0: none)", 4)
    image_widths: tuple[int, ...] = setting(
        "widths in pixels images are published in", (480, 960, 1600)
    )
    max_image_megapixels: int = setting(
        "the largest image decoded, in millions of pixels; larger ones are refused", 50
    )
    search: bool = setting("false to build without the /search/ page and its Pagefind index", True)
    markdown_engine: str = setting(
        "how Markdown is converted: {engine: markdown} (default) or {engine: cmark}",
        "markdown",
        key="markdown",
    )
    raw_html: str = setting(
        "raw HTML in bodies: sanitize (default: safe tags kept, the rest removed with a "
        "warning), allow (passed as written) or forbid (an error); feeds are always sanitised",
        "sanitize",
    )
    host: str = setting(
        "where the site is served: github, gitlab, netlify, cloudflare, s3, nginx or apache "
        "(redirect and header files for it); default none",
        "",
    )
    compress: bool = setting(
        "true to write .gz and .br copies of each text file of 1 KB or more, where smaller "
        "(nginx gzip_static, object storage)",
        False,
    )
    # Not part of any page: left out of the digests pages are kept by (repr) and of equality.
    publish: PublishSettings = field(
        default=PublishSettings(),
        repr=False,
        compare=False,
        metadata={
            "doc": "for dateline publish: {purge_command: [program, args…]} run with the "
            "changed URLs",
            "key": "",
        },
    )
    check: CheckSettings = field(
        default=CheckSettings(),
        repr=False,
        compare=False,
        metadata={
            "doc": "editorial checks: {rules: {rule-id: error|warning|off}, headline_length, "
            "summary_length, style_in_quotes}; see *Editorial checks*",
            "key": "",
        },
    )

    @property
    def base_path(self) -> str:
        """The path part of `base_url`: "/" or "/news/" for a site under a sub-path."""
        return urlsplit(self.base_url).path or "/"

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone, for bare dates and for display."""
        return ZoneInfo(self.timezone)


# Each key of site.yaml: (required, doc), from the declarations above. Unknown keys are
# errors with a suggestion.
KEYS: dict[str, tuple[bool, str]] = {
    f.metadata["key"] or f.name: (f.default is MISSING, f.metadata["doc"])
    for f in fields(SiteConfig)
}
DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in fields(SiteConfig) if f.default is not MISSING
}


def load_config(site_dir: Path, base_url: str | None = None) -> SiteConfig:
    """Read and validate `site.yaml` in `site_dir`; raise `ConfigError` with every problem."""
    data = _read_site_yaml(site_dir)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text_line_of_byte(data, exc.start)
        raise ConfigError([_problem("file is not UTF-8 text", line)]) from None
    from gen.source.yamldoc import YamlSyntaxError, load_yaml

    try:
        doc = load_yaml(text)
    except YamlSyntaxError as exc:
        raise ConfigError([_problem(exc.message, exc.line)]) from None
    return parse_config(doc, base_url, site_dir / "content")


def _read_site_yaml(site_dir: Path) -> bytes:
    """site.yaml's bytes: a regular file inside the site (a symlink out of it, a FIFO or a
    device would leak or hang), read without following a link at the last step."""
    path = site_dir / CONFIG_FILE
    if not (path.exists() or path.is_symlink()):
        raise ConfigError(
            [_problem(f"no {CONFIG_FILE} in {site_dir} (give the site folder with --site)")]
        )
    real, site = os.path.realpath(path), os.path.realpath(site_dir)
    if not real.startswith(site + os.sep):
        raise ConfigError([_problem("symlink to outside the site")])
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise ConfigError([_problem(f"cannot read the file ({exc.strerror})")]) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ConfigError([_problem("not a regular file")])
        return handle.read()


def _problem(message: str, line: int | None = None) -> Problem:
    return Problem(CONFIG_FILE, line, message)


def text_line_of_byte(data: bytes, offset: int) -> int:
    """The 1-based line holding byte `offset`."""
    return data.count(b"\n", 0, offset) + 1


def parse_config(
    doc: YamlDoc, base_url: str | None = None, content_dir: Path | None = None
) -> SiteConfig:
    """Validate a parsed `site.yaml`."""
    from gen.config_paths import base_url_problems, check_logo, check_permalink

    report = ErrorReport()
    data = doc.data

    def err(key: tuple[str | int, ...], message: str) -> None:
        report.error(CONFIG_FILE, doc.line(*key), message)

    for key in data:
        if key not in KEYS:
            err((key,), f"unknown key '{key}'{suggest(key, KEYS)}")
    for key, (required, help_text) in KEYS.items():
        if required and key not in data:
            err((), f"missing '{key}': {help_text}")

    def text(key: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None and not KEYS[key][0]:  # `description:` left empty means none
            return default
        if value is None or isinstance(value, (dict, list)):
            err((key,), f"'{key}' must be text: {KEYS[key][1]}")
            return default
        return str(value).strip()

    def whole_number(key: str, default: int, low: int, high: int) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            err((key,), f"'{key}' must be a whole number from {low} to {high}, got '{value}'")
            return default
        return value

    title = text("title")
    if "title" in data and not title:
        err(("title",), "'title' is empty")
    url = (base_url or text("base_url", "http://localhost/")).strip()
    # --base-url's problems are the command line's, not a line of site.yaml's.
    for message in base_url_problems(url, "" if base_url else "'base_url' "):
        if base_url:
            report.error("--base-url", None, message)
        else:
            err(("base_url",), message)
    if not url.endswith("/"):
        url += "/"
    language = text("language", "en")
    if not LANG_RE.match(language):
        err(("language",), f"'language' must be a language tag such as en or uk, got '{language}'")
    timezone = text("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggest(timezone, available_timezones())
        err(("timezone",), f"unknown time zone '{timezone}'{hint} (e.g. Europe/Kyiv)")
        timezone = "UTC"
    publisher = parse_publisher(data.get("publisher"), title, err)
    if publisher.logo:
        check_logo(publisher.logo, content_dir, err)
    sections = parse_sections(data.get("sections"), err)
    permalink = text("permalink", DEFAULTS["permalink"])
    check_permalink(permalink, err)
    per_page = whole_number("per_page", DEFAULTS["per_page"], 1, 500)
    feed_entries = whole_number("feed_entries", DEFAULTS["feed_entries"], 1, 1000)
    feeds = parse_feeds(data.get("feeds"), err)
    related_count = whole_number("related_count", DEFAULTS["related_count"], 0, 20)
    widths = data.get("image_widths", list(DEFAULTS["image_widths"]))
    if (
        not isinstance(widths, list)
        or not widths
        or not all(
            isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8000 for w in widths
        )
    ):
        err(("image_widths",), "'image_widths' must be a list of widths in pixels, e.g. [480, 960]")
        widths = list(DEFAULTS["image_widths"])
    max_image_megapixels = whole_number(
        "max_image_megapixels", DEFAULTS["max_image_megapixels"], 1, 1000
    )
    search = data.get("search", DEFAULTS["search"])
    if not isinstance(search, bool):
        err(("search",), f"'search' must be true or false, got '{search}'")
        search = DEFAULTS["search"]
    theme = text("theme", DEFAULTS["theme"])
    if not ID_RE.match(theme.replace("_", "-")):
        err(("theme",), f"'theme' must be a folder name under themes/, got '{theme}'")
        theme = DEFAULTS["theme"]
    description = text("description")
    markdown_engine = parse_markdown(data.get("markdown"), err)
    raw_html = text("raw_html", DEFAULTS["raw_html"])
    if raw_html not in RAW_HTML_MODES:
        hint = suggest(raw_html, RAW_HTML_MODES)
        err(("raw_html",), f"'raw_html' must be allow, sanitize or forbid, got '{raw_html}'{hint}")
        raw_html = DEFAULTS["raw_html"]
    check = parse_check(data.get("check"), err, doc.line)
    host = text("host", "")
    if host and host not in HOSTS:
        err(("host",), f"unknown host '{host}'{suggest(host, HOSTS)} (use {', '.join(HOSTS)})")
        host = ""
    compress = data.get("compress", False)
    if not isinstance(compress, bool):
        err(("compress",), f"'compress' must be true or false, got '{compress}'")
        compress = False
    publish = parse_publish(data.get("publish"), err)
    report.raise_if_errors(ConfigError)
    return SiteConfig(
        title=title,
        base_url=url,
        language=language,
        timezone=timezone,
        description=description,
        publisher=publisher,
        sections=sections,
        permalink=permalink,
        per_page=per_page,
        theme=theme,
        feed_entries=feed_entries,
        feeds=feeds,
        related_count=related_count,
        image_widths=tuple(sorted(set(widths))),
        max_image_megapixels=max_image_megapixels,
        search=search,
        markdown_engine=markdown_engine,
        raw_html=raw_html,
        host=host,
        compress=compress,
        publish=publish,
        check=check,
    )


def feed_formats(config: SiteConfig, kind: str) -> tuple[str, ...]:
    """The formats the feeds of a kind of list (front, section, tag, author) are written in."""
    return dict(config.feeds).get(kind, FEED_FORMATS)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How one build runs: where, for when, and what it includes."""

    site_dir: Path
    output_dir: Path
    now: datetime
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    cache_dir: Path | None = None  # None: no persistent cache (--no-cache)
    jobs: int = 1  # worker processes for Markdown conversion
    checks: bool = True  # the site-wide editorial rules (broken-link, url-changed); --no-check
    # A preview build (--preview): every page marked and kept out of search engines, drafts
    # included and marked, no feeds or sitemaps, canonical links to site.yaml's base_url.
    preview: bool = False
    label: str = ""  # shown in a preview's banner, e.g. "PR 42"
    embargoed: bool = False  # a preview includes scheduled stories, each under a banner


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Far from Python's own limits (years 1 and 9999), every moment the build derives from
# a date stays in range: the same moment in UTC or the site's zone, two days later (the
# news sitemap's window). Near them, those overflowed in templates and feeds.
MIN_YEAR = 1900
MAX_YEAR = 2200


def outside_years(moment: date) -> str | None:
    """'is outside the years 1900 to 2200' for a date or moment out of `MIN_YEAR`–`MAX_YEAR`
    (as written, before any time zone moves it), else None."""
    if MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return f"is outside the years {MIN_YEAR} to {MAX_YEAR}"
