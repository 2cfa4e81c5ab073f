"""Front-matter fields, each read and checked on its own: text, dates, tags, images, sources…

Every reader takes the raw value and an `err(key_path, message)` callback that records a
problem at the key's line; it returns a clean value (or an empty one after an error).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime, time
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from zoneinfo import ZoneInfo

from gen.config import outside_years
from gen.errors import suggest
from gen.model import Author, Correction, Source, Tag
from gen.urls import has_control, output_file, shown, slugify

Err = Callable[[tuple[str | int, ...], str], None]
IMAGE_KEYS = ("src", "alt", "credit", "caption")
SOURCE_KEYS = ("name", "url", "kind", "note")
CORRECTION_KEYS = ("date", "text", "kind", "prominent")
CORRECTION_KINDS = ("correction", "clarification", "editors-note")
DATE_EXAMPLE = "e.g. 2026-01-06T09:30:00+02:00"
# The years a date (or --clock) may be in. A newsroom's stories, its digitised archive
# included, are dated in the 20th and 21st centuries, and no embargo or expiry is set
# centuries ahead: a year outside is a typo or a placeholder (0001-01-01, 9999-12-31).


def text_field(data: dict[str, Any], key: str, err: Err, expected: str) -> str:
    """A text value, stripped; '' if absent."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list, bool)):
        err((key,), f"'{key}' must be text: {expected}")
        return ""
    return str(value).strip()


def to_datetime(value: Any, tz: ZoneInfo) -> datetime | None:
    """A timezone-aware moment from YAML's value; bare dates and naive times take `tz`."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    return None


def is_date_only(value: Any) -> bool:
    """True for a date written without a time: 2010-02-16, quoted or not."""
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    if isinstance(value, str):
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            return False
        return True
    return False


# A Jekyll post's file name starts with its date: 2016-01-18-operatyvna-narada.md.
_NAME_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(?=.)")


def name_date(name: str) -> tuple[date | None, str]:
    """A name's leading date and the rest ('2016-01-18-narada' → (2016-01-18, 'narada'));
    (None, name) if it has none, or one that is no real date in the years allowed."""
    match = _NAME_DATE_RE.match(name)
    if match is None:
        return None, name
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None, name
    if outside_years(day) is not None:
        return None, name
    return day, name[match.end() :]


def datetime_field(
    data: dict[str, Any], key: str, tz: ZoneInfo, err: Err, path: tuple[str | int, ...] = ()
) -> datetime | None:
    """`data[key]` as a moment, or None (with an error if it is there but not a date, or
    outside the years `outside_years` allows)."""
    value = data.get(key)
    if value is None or value == "":
        return None
    moment = to_datetime(value, tz)
    if moment is None:
        err((*path, key), f"'{key}' is not a date: expected {DATE_EXAMPLE}, got '{value}'")
        return None
    problem = outside_years(moment)
    if problem is not None:
        written = value.strip() if isinstance(value, str) else value.isoformat()
        err((*path, key), f"'{key}' {written} {problem}")
        return None
    return moment


def authors_field(
    value: Any, authors: Mapping[str, Author], err: Err, broken: Collection[str] = ()
) -> tuple[Author, ...]:
    """`author:` as one id or a list of ids from content/authors/; an id in `broken` (an
    author file with errors, reported at the file) is not called unknown as well."""
    ids = value if isinstance(value, list) else [value] if value else []
    found: list[Author] = []
    for i, raw in enumerate(ids):
        key: tuple[str | int, ...] = ("author", i) if isinstance(value, list) else ("author",)
        author_id = str(raw).strip()
        author = authors.get(author_id)
        if author is None and author_id in broken:
            continue
        if author is None:
            hint = suggest(author_id, authors)
            if not hint and not isinstance(raw, str):
                # An id YAML reads as something else (yes → true, 007 → 7) is kept as text
                # only when quoted.
                hint = f" (YAML read it as {raw!r}, not as text: quote the id)"
            err(key, f"unknown author '{author_id}'{hint} (authors are content/authors/<id>.yaml)")
        elif author not in found:
            found.append(author)
    return tuple(found)


def tags_field(value: Any, lang: str, err: Err) -> tuple[Tag, ...]:
    """`tags:` as a list (or a comma-separated string) → unique tags with slugs."""
    if value is None:
        return ()
    names = [t.strip() for t in value.split(",")] if isinstance(value, str) else value
    if not isinstance(names, list):
        err(("tags",), "'tags' must be a list, e.g. [ukraine, diplomacy]")
        return ()
    tags: dict[str, Tag] = {}
    for i, name in enumerate(names):
        if isinstance(name, bool) or not isinstance(name, (str, int)) or not str(name).strip():
            hint = (
                " (YAML reads yes/no/on/off as true/false: quote it)"
                if isinstance(name, bool)
                else ""
            )
            err(("tags", i), f"tag {i + 1} must be a word or phrase{hint}")
            continue
        slug = slugify(str(name), lang)
        if not slug:
            err(("tags", i), f"tag '{name}' has no letters or digits to make a URL from")
            continue
        tags.setdefault(slug, Tag(slug, str(name).strip(), f"/tag/{slug}/"))
    return tuple(tags.values())


def is_web_url(url: str, *, mail: bool = False) -> bool:
    """True for an absolute http(s) URL; with `mail`, a mailto: address too."""
    try:
        parts = urlsplit(url)
    except ValueError:  # a broken host, such as http://[x
        return False
    if mail and parts.scheme == "mailto":
        return "@" in parts.path
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def web_url_field(
    value: Any, what: str, key: tuple[str | int, ...], err: Err, *, mail: bool = False
) -> str | None:
    """A link's `url:` as an absolute http(s) address (with `mail`, or a mailto: address),
    '' if there is none, or None with an error at `key`: a `javascript:` or `data:` link
    must never reach a page."""
    url = str(value or "").strip()
    if url and not is_web_url(url, mail=mail):
        kinds = "an http(s) or mailto: address" if mail else "an http(s) address"
        err(key, f"{what} url must be {kinds}, got '{url}'")
        return None
    return url


def sources_field(value: Any, err: Err) -> tuple[Source, ...]:
    """`sources:` → a list of {name, url, kind, note}; a URL must be http(s)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        err(("sources",), "'sources' must be a list of {name, url, kind, note}")
        return ()
    sources = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            err(("sources", i), "each source needs a 'name' (and may have url, kind, note)")
            continue
        for key in item:
            if key not in SOURCE_KEYS:
                hint = suggest(str(key), SOURCE_KEYS)
                err(("sources", i, key), f"unknown key '{key}' in a source{hint}")
        name = str(item.get("name") or "").strip()
        if not name:
            err(("sources", i), "each source needs a 'name'")
        url = web_url_field(item.get("url"), "source", ("sources", i, "url"), err)
        if url is None:
            continue
        kind = str(item.get("kind") or "").strip()
        sources.append(Source(name, url, kind, str(item.get("note") or "").strip()))
    return tuple(sources)


def corrections_field(
    value: Any, published: datetime | None, tz: ZoneInfo, err: Err
) -> tuple[Correction, ...]:
    """`corrections:` → dated notices, oldest first; none may predate publication."""
    if value is None:
        return ()
    if not isinstance(value, list):
        err(("corrections",), "'corrections' must be a list of {date, text, kind, prominent}")
        return ()
    found = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            err(("corrections", i), "each correction needs a 'date' and a 'text'")
            continue
        for key in item:
            if key not in CORRECTION_KEYS:
                hint = suggest(str(key), CORRECTION_KEYS)
                err(("corrections", i, key), f"unknown key '{key}' in a correction{hint}")
        when = datetime_field(item, "date", tz, err, ("corrections", i))
        text = str(item.get("text") or "").strip()
        if "date" not in item:
            err(("corrections", i), "a correction needs a 'date'")
        if not text:
            err(("corrections", i), "a correction needs a 'text' saying what was wrong")
        kind = str(item.get("kind") or "correction").strip().lower().replace("'", "")
        kind = kind.replace(" ", "-").replace("editor-note", "editors-note")
        if kind not in CORRECTION_KINDS:
            hint = suggest(kind, CORRECTION_KINDS)
            err(
                ("corrections", i, "kind"),
                f"correction kind '{kind}' is not one of {', '.join(CORRECTION_KINDS)}{hint}",
            )
        prominent = item.get("prominent", False)
        if not isinstance(prominent, bool):
            err(("corrections", i, "prominent"), "'prominent' must be true or false")
            prominent = False
        if when and published and when < published:
            err(("corrections", i, "date"), "a correction cannot be dated before the article")
        if when and text:
            found.append(Correction(when, text, kind, prominent))
    return tuple(sorted(found, key=lambda c: c.date))


# Hosts whose own redirect rules can match a query string (`_redirects` on Netlify, a map
# on $args for nginx, RewriteCond %{QUERY_STRING} for Apache). Cloudflare's `_redirects`,
# GitLab's and S3's routing rules match the path alone, and GitHub Pages has no redirects.
QUERY_REDIRECT_HOSTS = ("netlify", "nginx", "apache")
# A query an alias may hold: name=value pairs in characters every host writes as they are.
_QUERY_PAIR_RE = re.compile(r"[A-Za-z0-9_.~-]+=[A-Za-z0-9_.~-]+\Z")


def aliases_field(value: Any, err: Err, host: str = "") -> tuple[str, ...]:
    """`aliases:` → old site paths (e.g. /2025/old-slug/) that will redirect to the article;
    an old address with a query (WordPress's /?p=1164) where `host` can redirect it."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        err(("aliases",), "'aliases' must be a list of old paths, e.g. [/2025/01/02/old-slug/]")
        return ()
    paths = []
    for i, item in enumerate(items):
        written = str(item).strip()
        key: tuple[str | int, ...] = ("aliases", i) if isinstance(value, list) else ("aliases",)
        before, mark, query = written.partition("?")
        problem = alias_problem(written) or (mark and query_problem(query, host))
        if problem:
            err(key, f"alias '{shown(written)}' {problem}")
            continue
        # A server decodes a request's %-escapes before it looks for the file: the redirect
        # for /caf%C3%A9/ is written to café/.
        path = unquote(before)
        if not path.startswith("/"):
            path = "/" + path
        try:
            output_file(path)
        except ValueError:
            err(key, f"alias '{written}' is not a safe site path (e.g. /2025/01/02/old-slug/)")
            continue
        if mark:
            # Matched by the host as requested: /index.php?p=1 is not /index.php/?p=1.
            paths.append(f"{path}?{query}")
            continue
        if not path.endswith("/") and not path.endswith(".html"):
            path += "/"
        paths.append(path)
    return tuple(paths)


def is_query_alias(alias: str) -> bool:
    """An alias only the host's redirect rules can serve: no file is named for a query."""
    return "?" in alias


def query_problem(query: str, host: str) -> str:
    """Why an alias's query string (after '?') cannot be redirected on `host`, or ''."""
    if host not in QUERY_REDIRECT_HOSTS:
        *first, last = QUERY_REDIRECT_HOSTS
        if not host:
            return (
                "has a query string, which no file can answer; set host: "
                f"{', '.join(first)} or {last} in site.yaml to redirect it, or remove the alias"
            )
        return (
            f"has a query string, which host '{host}' cannot redirect and no file can answer; "
            f"only {', '.join(first)} and {last} redirect by query"
        )
    pairs = query.split("&")
    if not all(_QUERY_PAIR_RE.match(pair) for pair in pairs):
        return (
            "has a query string that is not name=value pairs of letters, digits and - _ . ~ "
            "(e.g. /?p=1164)"
        )
    names = [pair.partition("=")[0] for pair in pairs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        return f"has a query string that names '{twice[0]}' twice"
    return ""


_NOT_AN_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def alias_problem(alias: str) -> str:
    """Why no request reaches `alias` (an old address as written), or ''.

    A fragment is never sent to a server; an escape in the path that decodes to '/', '.',
    '..', a backslash or a control character names no file it would serve. A query is
    checked apart (`query_problem`): only some hosts can match one."""
    if has_control(alias):
        return "has a control character; an old address is a path"
    if "\\" in alias:
        return "has a backslash; folders are separated by '/'"
    if "#" in alias:
        return "has a fragment; an old address is a path"
    path = alias.partition("?")[0]
    if _NOT_AN_ESCAPE_RE.search(path):
        return "has a '%' that is not an escape such as %20"
    try:
        unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return "has %-escapes that are not UTF-8 text"
    for name in path.split("/"):
        plain = unquote(name)
        if plain == name:
            continue
        if "/" in plain:
            return f"has '{name}', an escaped '/'; an old address is a path with plain '/'"
        if plain in (".", ".."):
            return f"has '{name}', an escaped '{plain}'; no request reaches it as a path"
        if has_control(plain) or "\\" in plain:
            return f"has '{name}', an escaped control character or backslash"
    return ""


def shorten(text: str, limit: int) -> str:
    """Cut `text` at a word boundary to at most `limit` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
