"""Slugs (Ukrainian and Russian by their national tables, every other script by anyascii),
permalinks, safe output paths and the URLs files are published at."""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

from anyascii import anyascii

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 80

# Ukrainian: the national transliteration table (Cabinet of Ministers resolution 55, 2010).
# Є, Ї, Й, Ю, Я are written one way at the start of a word and another inside it.
_UK = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
# Russian: the common passport-style romanisation, as Russian-language outlets use in URLs.
_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
_UK_ONLY = set("ґєії")
_RU_ONLY = set("ёъыэ")


def guess_cyrillic_language(text: str, default: str = "uk") -> str:
    """'uk' or 'ru' from letters only one alphabet has; otherwise `default`."""
    letters = set(text.lower())
    if letters & _UK_ONLY:
        return "uk"
    if letters & _RU_ONLY:
        return "ru"
    return default if default in ("uk", "ru") else "uk"


def transliterate(text: str, lang: str = "uk") -> str:
    """Latin letters for Ukrainian or Russian Cyrillic; other text passes through."""
    lowered = text.lower()
    table = _RU if lang == "ru" else _UK
    out = []
    for i, ch in enumerate(lowered):
        if lang != "ru":
            # "зг" is written "zgh" so it is not read as "zh" (Згорани → Zghorany).
            if ch == "г" and i > 0 and lowered[i - 1] == "з":
                out.append("gh")
                continue
            at_start = i == 0 or (not lowered[i - 1].isalpha() and lowered[i - 1] not in "'’ʼ")
            if at_start and ch in _UK_INITIAL:
                out.append(_UK_INITIAL[ch])
                continue
        out.append(table.get(ch, ch))
    return "".join(out)


@lru_cache(maxsize=65536)  # tags repeat across thousands of articles
def slugify(text: str, lang: str = "") -> str:
    """A URL slug: lowercase ASCII words joined by hyphens ("Київ" → "kyiv", "中国" →
    "zhongguo", "Kyiv—Warsaw" → "kyiv-warsaw"); "" only if `text` has no letter or digit.

    Text whose letters have no Latin spelling gets a short hash of itself, never "".
    """
    if text.isascii():  # most file names: nothing to normalise or spell in Latin
        latin = text.replace("'", "")
    else:
        text = unicodedata.normalize("NFC", text)  # "Ї" typed as "І" and a combining mark
        written = text
        if any("\u0400" <= ch <= "\u04ff" for ch in text):
            written = transliterate(text, guess_cyrillic_language(text, lang or "uk"))
        written = re.sub(r"['’ʼ]", "", written)  # "Ukraine's" → "ukraines", not "ukraine-s"
        latin = "".join(map(_latin, written))
    words = re.findall(r"[a-z0-9]+", latin.lower())
    slug = "-".join(words)
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0]
    if not slug and _has_letters(text):
        slug = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]  # stable, never ""
    return slug


def _has_letters(text: str) -> bool:
    """True if `text` has a letter or digit besides apostrophes (which slugs drop)."""
    return any(unicodedata.category(ch)[0] in "LN" and ch not in "'’ʼ" for ch in text)


def _latin(ch: str) -> str:
    """One character in ASCII, for a slug: an accented Latin letter without its accent (as
    slugs always were: "é" → "e"), another script's letter or digit by anyascii ("Ł" → "L",
    "中" → "Zhong"), and a dash, symbol or emoji as a space between words."""
    if ch.isascii():
        return ch
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if plain.isascii():
        return plain  # "" for a lone combining mark
    if unicodedata.category(ch)[0] not in "LN":
        return " "  # dashes (—, –, ‐ …) separate words; so do symbols and emoji
    return anyascii(ch)


def is_safe_slug(slug: str) -> bool:
    """True if `slug` is lowercase ASCII words and hyphens: never a path."""
    return bool(SLUG_RE.match(slug)) and len(slug) <= 200


def article_path(pattern: str, date: datetime, slug: str, section: str) -> str:
    """The site path of an article from the permalink pattern, e.g. /2026/01/06/kyiv-talks/."""
    return pattern.format(
        year=f"{date.year:04d}",
        month=f"{date.month:02d}",
        day=f"{date.day:02d}",
        slug=slug,
        section=section,
    )


def page_path(base: str, page: int) -> str:
    """The path of page `page` of a paginated list at `base` ("/", "/tag/x/")."""
    return base if page == 1 else f"{base}page/{page}/"


def page_of(path: str) -> str:
    """Where an output file (relative, posix) is requested: a folder's index.html at the
    folder ("a/index.html" → "a/", "index.html" → ""), any other file at its own path."""
    if path == "index.html" or path.endswith("/index.html"):
        return path[: -len("index.html")]
    return path


def output_file(site_path: str) -> str:
    """The output file (relative, posix) for a site path; refuses anything that could escape.

    "/2026/01/06/x/" → "2026/01/06/x/index.html"; "/404.html" → "404.html".
    """
    if "\\" in site_path or "\x00" in site_path or not site_path.startswith("/"):
        raise ValueError(f"unsafe path {site_path!r}")
    parts = site_path.strip("/").split("/")
    if any(p in ("..", ".") for p in parts) or site_path.startswith("//"):
        raise ValueError(f"unsafe path {site_path!r}")
    rel = site_path.strip("/")
    if site_path.endswith("/"):
        rel = posixpath.join(rel, "index.html") if rel else "index.html"
    normal = posixpath.normpath(rel)
    if normal == ".." or normal.startswith("../") or posixpath.isabs(normal):
        raise ValueError(f"unsafe path {site_path!r}")
    return normal


def url_path(path: str) -> str:
    """A file's site path as it is written in a URL: '/' kept, every other character that
    means something in a URL ('#', '?', '%', a space, a comma) and every non-ASCII letter
    percent-encoded (UTF-8), as `quote` does. "/images/c#d.jpg" → "/images/c%23d.jpg",
    "/images/ї.jpg" → "/images/%D1%97.jpg"; the file keeps its name."""
    return quote(path, safe="/")


def has_control(text: str) -> bool:
    """True if `text` holds a control character (a NUL, a tab, a line break …)."""
    return any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in text)


def shown(text: str) -> str:
    """`text` as it can be printed in a message: control characters as escapes (\\x00)."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if has_control(ch) else ch for ch in text
    )
