"""The Content-Security-Policy a host sends with the site, and the other security headers.

The policy allows the site's own files and nothing inline but what the theme writes the
same on every page: each such `<script>` or `<style>` is allowed by the hash of its text,
found in the theme's templates. Inline code that varies with the page cannot be hashed
once for all pages; it is reported, so it can move to a file under `static/`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from gen.config import SiteConfig
from gen.errors import Problem
from gen.markup.embeds import player_origins
from gen.model import Site

# Table cells' alignment, as both Markdown engines write it (gen/markup/sanitize.py keeps
# exactly these): allowed as style attributes by their hashes ('unsafe-hashes').
ALIGN_STYLES = tuple(
    f"text-align: {side}{end}" for side in ("left", "right", "center") for end in (";", "")
)
# Data blocks, which a browser never runs: CSP does not apply to them (JSON-LD).
DATA_SCRIPT_TYPES = ("application/ld+json", "application/json")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
REFERRER_POLICY = "strict-origin-when-cross-origin"

_JINJA_COMMENT_RE = re.compile(r"\{#.*?#\}", re.S)
_ELEMENT_RE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)
_TAG_RE = re.compile(r"<[A-Za-z][^<>]*>")
_STYLE_ATTR_RE = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_HANDLER_RE = re.compile(r"\s(on[a-z]+)\s*=", re.I)
_TYPE_RE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]+)""", re.I)
_SRC_RE = re.compile(r"\ssrc\s*=", re.I)
_JINJA = ("{{", "{%", "{#")
# An image from another site in a story (raw HTML keeps https images): its origin is allowed.
_IMAGE_TAG_RE = re.compile(r"<(?:img|source)\b[^>]*>", re.I)
_IMAGE_URL_RE = re.compile(r"""\s(?:src|srcset)\s*=\s*"([^"]*)\"""", re.I)
_ORIGIN_RE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?\Z")


@dataclass(frozen=True, slots=True)
class InlineCode:
    """What the theme's templates write inline: the same on every page (hashed), or not."""

    scripts: tuple[str, ...] = ()  # bodies of inline <script> elements
    styles: tuple[str, ...] = ()  # bodies of <style> elements
    style_attributes: tuple[str, ...] = ()  # values of style="…" attributes
    problems: tuple[Problem, ...] = ()  # inline code that varies with the page, or handlers


def theme_inline_code(dirs: tuple[Path, ...], site_dir: Path) -> InlineCode:
    """The inline code of the templates the theme chain uses (a site's own template hides
    the default's of the same name), read from disk."""
    chosen: dict[str, Path] = {}
    for folder in dirs:
        root = folder / "templates"
        for path in sorted(root.rglob("*.html")) if root.is_dir() else ():
            chosen.setdefault(path.relative_to(root).as_posix(), path)
    found = [
        inline_code(_shown_path(path, site_dir), path.read_text("utf-8", "replace"))
        for _, path in sorted(chosen.items())
    ]
    return InlineCode(
        tuple(sorted({s for f in found for s in f.scripts})),
        tuple(sorted({s for f in found for s in f.styles})),
        tuple(sorted({s for f in found for s in f.style_attributes})),
        tuple(p for f in found for p in f.problems),
    )


def inline_code(path: str, text: str) -> InlineCode:
    """The inline code of one template's `text` (`path` names it in problems)."""
    # Jinja comments are not output: blanked out, keeping every line where it was.
    text = _JINJA_COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    scripts: list[str] = []
    styles: list[str] = []
    attributes: list[str] = []
    problems: list[Problem] = []

    def line(at: int) -> int:
        return text.count("\n", 0, at) + 1

    for match in _ELEMENT_RE.finditer(text):
        kind, attrs, body = match.group(1).lower(), match.group(2), match.group(3)
        if kind == "script":
            kind_of = _TYPE_RE.search(attrs)
            if _SRC_RE.search(attrs) or (kind_of and kind_of.group(1).lower() in DATA_SCRIPT_TYPES):
                continue
        if any(mark in body for mark in _JINJA):
            problems.append(
                Problem(
                    path,
                    line(match.start()),
                    f"an inline <{kind}> whose text varies with the page cannot be allowed by "
                    "the Content-Security-Policy; move it to a file under static/",
                )
            )
            continue
        (scripts if kind == "script" else styles).append(body)
    for tag in _TAG_RE.finditer(text):
        for attr in _STYLE_ATTR_RE.finditer(tag.group()):
            value = attr.group(1) if attr.group(1) is not None else attr.group(2)
            if any(mark in value for mark in _JINJA):
                problems.append(
                    Problem(
                        path,
                        line(tag.start()),
                        "a style attribute whose value varies with the page cannot be allowed "
                        "by the Content-Security-Policy; use a class and static/style.css",
                    )
                )
            else:
                attributes.append(html.unescape(value))
        for handler in _HANDLER_RE.finditer(tag.group()):
            problems.append(
                Problem(
                    path,
                    line(tag.start()),
                    f"an {handler.group(1).lower()} attribute is inline script, which the "
                    "Content-Security-Policy blocks; move it to a file under static/",
                )
            )
    return InlineCode(tuple(scripts), tuple(styles), tuple(attributes), tuple(problems))


def image_origins(site: Site) -> tuple[str, ...]:
    """The other sites whose images stories show (raw HTML may keep an https image)."""
    origins: set[str] = set()
    for article in site.articles:
        for _, body in article.bodies:
            if "://" not in body:
                continue
            for tag in _IMAGE_TAG_RE.finditer(body):
                for value in _IMAGE_URL_RE.findall(tag.group()):
                    for candidate in html.unescape(value).split(","):
                        origin = _origin(candidate.strip().split(" ")[0])
                        if origin:
                            origins.add(origin)
    return tuple(sorted(origins))


def frame_origins(site: Site) -> tuple[str, ...]:
    """The players stories' embeds may load once a reader asks (gen/markup/embeds.py)."""
    origins: set[str] = set()
    for article in site.articles:
        for _, body in article.bodies:
            origins |= player_origins(body)
    return tuple(sorted(origins))


def _origin(url: str) -> str:
    """`https://cdn.example.org` for an absolute http(s) URL with a plain host name, else ''."""
    if not url.lower().startswith(("http://", "https://")):
        return ""
    parts = urlsplit(url)
    origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    return origin if _ORIGIN_RE.match(origin) and "@" not in parts.netloc else ""


def csp_hash(text: str) -> str:
    """A CSP hash source for inline code: 'sha256-<base64 of the UTF-8 text's digest>'."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(
    config: SiteConfig,
    inline: InlineCode,
    images: tuple[str, ...] = (),
    frames: tuple[str, ...] = (),
) -> str:
    """The site's Content-Security-Policy: its own files, the theme's inline code by hash,
    Pagefind's WebAssembly when the site has search, stories' images from elsewhere, and
    the players of the providers stories embed."""
    scripts = ["'self'"]
    if config.search:
        scripts.append("'wasm-unsafe-eval'")  # Pagefind compiles its index code
    scripts += sorted({csp_hash(body) for body in inline.scripts})
    styles = ["'self'"]
    attributes = {*ALIGN_STYLES, *inline.style_attributes}
    # 'unsafe-hashes' lets a hash allow a style attribute too; only those hashed are.
    styles.append("'unsafe-hashes'")
    styles += sorted({csp_hash(text) for text in (*inline.styles, *attributes)})
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(scripts),
        "style-src " + " ".join(styles),
        "img-src " + " ".join(["'self'", "data:", *images]),
        *(["frame-src " + " ".join(["'self'", *frames])] if frames else []),
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def security_headers(csp: str, preview: bool = False) -> tuple[tuple[str, str], ...]:
    """The headers every response carries, in the order they are written (a preview build's
    also tell search engines to keep away)."""
    headers = (
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", REFERRER_POLICY),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    )
    return (*headers, ("X-Robots-Tag", "noindex, nofollow")) if preview else headers


def _shown_path(path: Path, site_dir: Path) -> str:
    """A template's path as its author knows it: relative to the site when it is the site's."""
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
