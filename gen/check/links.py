"""The rules only the whole site can decide: every internal link lands on something the build
publishes (`broken-link`), and no published story moves without an alias (`url-changed`).

Links are read from the converted bodies (Markdown links and raw HTML alike, after the base
path was added) and located in the file where the author wrote them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from gen.check.external import ExternalLink
from gen.check.rules import RULES, Finding
from gen.model import Article, Site
from gen.urls import page_of

_LINK_RE = re.compile(
    r"""<(a|img|source|video|audio|iframe|link)\b[^>]*?\s(href|src)\s*=\s*"([^"]*)\""""
)
_ID_RE = re.compile(r"""\s(?:id|name)\s*=\s*["']([^"']+)["']""")
_SKIPPED_SCHEMES = ("mailto:", "tel:", "sms:", "data:", "javascript:", "geo:", "ftp:")
_FRONT_END_RE = re.compile(r"^---\s*$", re.MULTILINE)

ReadText = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Target:
    """One link in a body: which file and what it says."""

    source: str  # the story (or live update) file
    page: str  # the site path of the page it is on
    value: str  # the href/src as converted (base path added)


def links_of(site: Site, only: frozenset[str] | None = None) -> Iterator[Target]:
    """Every href and src in the stories' and live updates' bodies, in order (of the
    stories in `only`, by URL, when given)."""
    for article in site.articles:
        if only is not None and article.url not in only:
            continue
        for source, body in article.bodies:
            yield from _targets(source, article.url, body)


def _targets(source: str, page: str, body: str) -> Iterator[Target]:
    for match in _LINK_RE.finditer(body):
        yield Target(source, page, html.unescape(match.group(3)).strip())


def anchors_in(text: str) -> frozenset[str]:
    """The ids (and a names) a page has: the fragments a link may point to."""
    return frozenset(html.unescape(m) for m in _ID_RE.findall(text))


@dataclass(frozen=True, slots=True)
class Offsite:
    """A link off the site (its absolute URL) and where it is; located in the file only when
    `dateline check --external` asks (`external_links`)."""

    url: str
    target: Target


class Locator:
    """Finds where the author wrote converted links in their files (each file read once)."""

    def __init__(self, read_text: ReadText, base_path: str) -> None:
        self.read_text = read_text
        self.base_path = base_path
        self._texts: dict[str, tuple[str, int] | None] = {}  # source → (text, body offset)
        self._cursor: dict[tuple[str, str], int] = {}

    def locate(self, target: Target) -> tuple[int, int]:
        """The file line and column where the author wrote the link (the next place after
        the last one found in that file, so a link written twice is found twice)."""
        if target.source not in self._texts:
            text = self.read_text(target.source)
            self._texts[target.source] = (text, _body_offset(text)) if text else None
        known = self._texts[target.source]
        if known is None:
            return 1, 1
        text, body_start = known
        start = self._cursor.get((target.source, target.value), body_start)
        for written in _spellings(target.value, self.base_path):
            at = text.find(written, start)
            if at < 0:
                at = text.find(written, body_start)
            if at >= 0:
                self._cursor[(target.source, target.value)] = at + 1
                line = text.count("\n", 0, at) + 1
                return line, at - (text.rfind("\n", 0, at) + 1) + 1
        return text.count("\n", 0, body_start) + 1, 1


def external_links(
    offsite: list[Offsite], read_text: ReadText, base_url: str
) -> list[ExternalLink]:
    """The links off the site, each at the place its story has it."""
    locator = Locator(read_text, urlsplit(base_url).path or "/")
    found = []
    for link in offsite:
        line, col = locator.locate(link.target)
        found.append(ExternalLink(link.url, link.target.source, line, col))
    return found


def published_of(paths: Iterable[str]) -> frozenset[str]:
    """The site paths a reader can ask for, of output files at `paths` (file names as on
    disk; a folder's index.html at the folder)."""
    return frozenset("/" + page_of(p) for p in paths)


class LinkChecker:
    """Resolves links against what a build publishes."""

    def __init__(
        self,
        site: Site,
        base_url: str,
        published: frozenset[str],
        page_text: Callable[[str], str | None],
        read_text: ReadText,
    ) -> None:
        self.site = site
        self.base_url = base_url
        self.base_path = urlsplit(base_url).path or "/"
        self.host = urlsplit(base_url).netloc.lower()
        self.published = published  # `published_of` the output's files
        self.page_text = page_text
        self.locator = Locator(read_text, self.base_path)
        self.withheld = {unquote(url): why for url, why in site.withheld}
        self.by_source = {a.source: a.url for a in site.articles}
        self._anchors: dict[str, frozenset[str]] = {}

    def check(self, only: frozenset[str] | None = None) -> tuple[list[Finding], list[Offsite]]:
        """broken-link findings, and the links off the site found on the way (in the stories
        at the URLs in `only`, when given)."""
        rule = RULES["broken-link"]
        found: list[Finding] = []
        external: list[Offsite] = []
        for target in links_of(self.site, only):
            value = target.value
            if not value or value.lower().startswith(_SKIPPED_SCHEMES):
                continue
            url = urljoin(self.base_url + target.page.lstrip("/"), value)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                continue
            if parts.netloc.lower() != self.host or not parts.path.startswith(self.base_path):
                external.append(Offsite(url.split("#")[0], target))
                continue
            path = "/" + unquote(parts.path[len(self.base_path) :])
            problem, hint = self.problem(path, unquote(parts.fragment), target)
            if problem is not None:
                line, col = self.locator.locate(target)
                found.append(Finding(target.source, line, col, rule.id, rule.level, problem, hint))
        return found, external

    def problem(self, path: str, fragment: str, target: Target) -> tuple[str | None, str]:
        """What is wrong with a link to `path#fragment`, and a hint; (None, "") if nothing."""
        shown = target.value
        page = path if path in self.published else None
        if page is None and not path.endswith("/") and path + "/" in self.published:
            page = path + "/"  # hosts redirect a folder's URL without its slash
        if page is None:
            why = self.withheld.get(path) or self.withheld.get(path + "/")
            if why is not None:
                return f"links to {shown}, a story that is not published ({why})", (
                    "it will not be found until it is"
                )
            return f"links to {shown}, which the site does not publish", self.hint(path, target)
        if fragment and page.endswith("/"):
            ids = self.anchors(page)
            if ids is not None and fragment not in ids:
                close = get_close_matches(fragment, sorted(ids), n=1)
                hint = f"did you mean #{close[0]}?" if close else ""
                return f"links to #{fragment}, which {page} does not have", hint
        return None, ""

    def hint(self, path: str, target: Target) -> str:
        """Where the author may have meant: the story of a linked .md file, or a near URL."""
        if path.endswith((".md", ".markdown")):
            written = unquote(urlsplit(target.value).path)
            folder = "" if written.startswith("/") else f"{PurePosixPath(target.source).parent}/"
            for key in (_normal(folder + written), _normal(f"content/{written}")):
                if key in self.by_source:
                    return f"link to the story's URL: {self.by_source[key]}"
        pages = [p for p in self.published if p.endswith("/") and p.count("/") > 2]
        close = get_close_matches(path, pages, n=1, cutoff=0.8)
        return f"did you mean {close[0]}?" if close else ""

    def anchors(self, page: str) -> frozenset[str] | None:
        """The ids of a published page (None: its text cannot be read)."""
        if page not in self._anchors:
            text = self.page_text(page.lstrip("/") + "index.html")
            if text is None:
                return None
            self._anchors[page] = anchors_in(text)
        return self._anchors[page]


def _normal(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _body_offset(text: str) -> int:
    """Where the body starts: after the front matter's closing ---."""
    if not text.startswith("---"):
        return 0
    matches = list(_FRONT_END_RE.finditer(text, 3))
    return matches[0].end() if matches else 0


def _spellings(value: str, base_path: str) -> list[str]:
    """How the author may have written a converted link: as it is, without the base path the
    conversion added, with & escaped."""
    found = [value]
    if base_path != "/" and value.startswith(base_path):
        found += ["/" + value[len(base_path) :], value[len(base_path) :]]
    elif value.startswith("/images/"):
        found.append(value[1:])
    found += [html.escape(v, quote=False) for v in found if "&" in v]
    return found


def published_stories(site: Site) -> dict[str, Any]:
    """What `url-changed` compares the next build with: each published story's URL and
    headline, by file."""
    return {a.source: {"url": a.url, "title": a.title} for a in site.articles if not a.draft}


def moved_stories(
    site: Site, previous: dict[str, Any], front_line: Callable[[str], int]
) -> list[Finding]:
    """Stories published before at a URL that no page or alias serves any more."""
    rule = RULES["url-changed"]
    served = {a.url for a in site.articles} | {x for a in site.articles for x in a.aliases}
    served |= {url for url, _ in site.withheld}
    by_source = {a.source: a for a in site.articles}
    by_title: dict[str, list[Article]] = {}
    for article in site.articles:
        by_title.setdefault(article.title.casefold(), []).append(article)
    found = []
    for source, known in sorted(previous.items()):
        if not isinstance(known, dict):
            continue
        old, title = known.get("url"), known.get("title")
        if not isinstance(old, str) or not isinstance(title, str) or old in served:
            continue
        moved: Article | None = by_source.get(source)
        if moved is None:  # renamed: the story with the same headline, if just one
            same = [a for a in by_title.get(title.casefold(), []) if a.source not in previous]
            moved = same[0] if len(same) == 1 else None
        if moved is None:
            continue  # taken down: deliberate, and nothing to put an alias on
        found.append(
            Finding(
                moved.source,
                front_line(moved.source),
                1,
                rule.id,
                rule.level,
                f"was published at {old} and is now at {moved.url}; links to the old URL "
                "would break",
                f"add aliases: [{old}]",
            )
        )
    return found


def unused_image_findings(site: Site) -> list[Finding]:
    """An image nothing shows or links to: the build neither processes nor publishes it."""
    rule = RULES["unused-image"]
    return [
        Finding(
            f"content/{path}",
            1,
            1,
            rule.id,
            rule.level,
            "no story, author or the publisher shows or links to this image, so it is not "
            "published",
            "delete it, or use it in a story",
        )
        for path in site.unused_images
    ]
