"""A Jekyll or Hugo body as Dateline Markdown: Liquid tags and Hugo shortcodes Dateline has
an equivalent for converted, the rest left for `check` and the report (pure)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import PurePosixPath

LIQUID_HIGHLIGHT_RE = re.compile(
    r"\{%-?\s*highlight\s+(\w[\w+-]*)?[^%]*-?%\}\n?(.*?)\{%-?\s*endhighlight\s*-?%\}", re.DOTALL
)
LIQUID_LINK_RE = re.compile(r"\{%-?\s*(post_url|link)\s+([^%]+?)\s*-?%\}")
LIQUID_SITE_RE = re.compile(r"\{\{-?\s*(?:site\.baseurl|site\.url)\s*-?\}\}")
LIQUID_RAW_RE = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
LIQUID_ANY_RE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
HUGO_HIGHLIGHT_RE = re.compile(
    r"\{\{[<%]\s*highlight\s+([^\s>%]+)[^>%]*[>%]\}\}\n?(.*?)\{\{[<%]\s*/highlight\s*[>%]\}\}",
    re.DOTALL,
)
HUGO_SHORTCODE_RE = re.compile(r"\{\{([<%])\s*(/?[\w.-]+)(.*?)\s*[>%]\}\}", re.DOTALL)
IMAGE_RE = re.compile(r'!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(\s+"[^"]*")?\s*\)')

Link = Callable[[str], str | None]  # a reference (post name, file) → the story's new URL


def convert_tree_body(
    text: str, link: Link, figure: Callable[[str, str, str], str]
) -> tuple[str, list[tuple[str, str]]]:
    """Markdown for a Jekyll or Hugo body, and notes (text to find, what to do). `link` finds
    the new URL of a referenced post; `figure(src, alt, caption)` makes a figure's Markdown."""
    notes: list[tuple[str, str]] = []
    text = LIQUID_HIGHLIGHT_RE.sub(lambda m: _fence(m.group(2), m.group(1) or ""), text)
    text = HUGO_HIGHLIGHT_RE.sub(lambda m: _fence(m.group(2), m.group(1)), text)
    text = LIQUID_SITE_RE.sub("", text)
    text = LIQUID_RAW_RE.sub("", text)

    def liquid_link(match: re.Match[str]) -> str:
        target = link(match.group(2).strip().strip("'\""))
        if target is None:
            notes.append((match.group(0), f"{{% {match.group(1)} %}} to a post not imported"))
            return match.group(0)
        return target

    text = LIQUID_LINK_RE.sub(liquid_link, text)

    def shortcode(match: re.Match[str]) -> str:
        name, args = match.group(2), _args(match.group(3))
        named = {k: v for k, v in args if k}
        plain = [v for k, v in args if not k]
        first = plain[0] if plain else ""
        if name in ("ref", "relref"):
            target = link(first or named.get("path", ""))
            if target is not None:
                return target
        elif name == "figure" and named.get("src"):
            caption = named.get("caption") or named.get("title", "")
            return "\n\n" + figure(named["src"], named.get("alt", ""), caption) + "\n\n"
        elif name == "youtube" and (first or named.get("id")):
            return f"\n\nhttps://www.youtube.com/watch?v={first or named['id']}\n\n"
        elif name == "vimeo" and (first or named.get("id")):
            return f"\n\nhttps://vimeo.com/{first or named['id']}\n\n"
        elif name in ("tweet", "x") and (first or named.get("id")):
            user = named.get("user", "i")
            return f"\n\nhttps://x.com/{user}/status/{first or named['id']}\n\n"
        notes.append((match.group(0), f"Hugo shortcode {name} left as written"))
        return match.group(0)

    text = HUGO_SHORTCODE_RE.sub(shortcode, text)
    for match in LIQUID_ANY_RE.finditer(text):
        if not HUGO_SHORTCODE_RE.fullmatch(match.group(0)):
            notes.append((match.group(0), "Liquid left as written"))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", notes


def _fence(code: str, language: str) -> str:
    """A fenced code block, its fence longer than any backtick run in the code."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.strip(chr(10))}\n{fence}"


def _args(text: str) -> list[tuple[str, str]]:
    """A shortcode's arguments: (name, value) pairs, name '' for positional ones."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    out = []
    for word in words:
        name, eq, value = word.partition("=")
        out.append((name, value) if eq and re.fullmatch(r"\w+", name) else ("", word))
    return out


def body_images(text: str) -> list[tuple[str, str]]:
    """Every Markdown image in a body as (src, alt)."""
    return [(m.group(2), m.group(1)) for m in IMAGE_RE.finditer(text)]


def with_alt(text: str, notes: list[tuple[str, str]]) -> str:
    """Images without alt text given their file's name, each noted for a person (a build
    refuses a body image without one)."""

    def fill(match: re.Match[str]) -> str:
        if match.group(1).strip():
            return match.group(0)
        alt = PurePosixPath(match.group(2)).stem.replace("-", " ").replace("_", " ")
        notes.append((match.group(2), f"no alt text: '{alt}' used; describe the image"))
        return f"![{alt}]({match.group(2)}{match.group(3) or ''})"

    return IMAGE_RE.sub(fill, text)
