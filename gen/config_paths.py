"""The addresses in site.yaml checked: the permalink pattern, the base URL, the logo's path
(each a path or URL every page will carry, so a typo must stop the build, located)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gen.errors import suggest
from gen.urls import article_path, has_control, output_file, shown

PERMALINK_FIELDS = ("year", "month", "day", "slug", "section")


def check_permalink(pattern: str, err: Any) -> None:
    """The pattern must be a path with known fields that ends in a folder, made of plain names:
    what it makes is both an output folder and a URL, as it is."""
    found: list[str] = []

    def bad(message: str) -> None:
        found.append(message)
        err(("permalink",), message)

    if has_control(pattern):
        bad(f"'permalink' has a control character, got '{shown(pattern)}'")
        return
    fields, between, braces = _permalink_fields(pattern)
    if braces:
        bad(f"'permalink' {braces}, got '{pattern}'")
        return
    unknown = [f for f in fields if f not in PERMALINK_FIELDS]
    if unknown:
        hint = suggest(unknown[0], PERMALINK_FIELDS)
        bad(f"unknown field '{{{unknown[0]}}}' in 'permalink'{hint}")
    if "slug" not in fields:
        bad("'permalink' must contain {slug}, or two articles would share a URL")
    if not pattern.startswith("/") or not pattern.endswith("/"):
        bad(f"'permalink' must start and end with '/', got '{pattern}'")
        return
    others = "".join(dict.fromkeys(ch for ch in between if not PERMALINK_TEXT_RE.match(ch)))
    if others:
        listed = ", ".join(f"'{ch}'" for ch in others)
        bad(
            "'permalink' may hold only ASCII letters, digits, '-', '_', '.', '~' and '/' "
            f"between its fields, got {listed} in '{pattern}'"
        )
    for name in pattern[1:-1].split("/") if len(pattern) > 1 else ():
        if name in ("", ".", ".."):
            what = "an empty folder name ('//')" if not name else f"a '{name}' folder"
            bad(f"'permalink' has {what}: each part between slashes is a name, got '{pattern}'")
            break
    if not found:
        try:
            output_file(article_path(pattern, datetime(2026, 1, 6), "slug", "section"))
        except (ValueError, KeyError, IndexError, AttributeError):
            bad(f"'permalink' is not a safe path, got '{pattern}'")


# Between its fields a permalink holds characters no URL escapes and no file system minds.
PERMALINK_TEXT_RE = re.compile(r"[A-Za-z0-9._~/-]")


def _permalink_fields(pattern: str) -> tuple[list[str], str, str]:
    """The `{field}` names of a permalink, its text between them, and what is wrong with its
    braces ('' if each '{' has its '}'); `str.format` would raise on the same pattern."""
    names: list[str] = []
    between: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "}":
            return names, "".join(between), "has a '}' with no '{' before it"
        if ch == "{":
            end = pattern.find("}", i + 1)
            if end < 0:
                return names, "".join(between), "has a '{' with no '}' after it"
            if "{" in pattern[i + 1 : end]:
                return names, "".join(between), "has a '{' inside a field"
            names.append(pattern[i + 1 : end])
            i = end + 1
            continue
        between.append(ch)
        i += 1
    return names, "".join(between), ""


def base_url_problems(url: str, subject: str) -> list[str]:
    """What is wrong with a base URL, each message starting with `subject` ("'base_url' ", or
    "" for --base-url). Every page's address is the base URL and the page's path added to
    it, so it is a scheme, a host and a path of plain folder names, nothing more."""
    if has_control(url) or any(ch.isspace() for ch in url):
        return [
            f"{subject}has a space or control character, got '{shown(url)}' "
            "(a space in a path is written %20)"
        ]
    try:
        parts = urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL": an unbalanced '[' or ']'
        where = " ('[' or ']' out of place)" if "[" in url or "]" in url else ""
        return [f"{subject}has a host that is not valid{where}, got '{url}'"]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"{subject}must be an absolute http(s) URL, got '{url}'"]
    problems = []
    try:
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        problems.append(f"{subject}has a port that is not a number from 0 to 65535, got '{url}'")
    if "@" in parts.netloc:
        problems.append(
            f"{subject}has a user name or password before its host: every page would publish it"
        )
    example = "the site's address ends with its path, e.g. https://example.org/news/"
    if "#" in url:
        problems.append(f"{subject}has a fragment '{url[url.index('#') :]}'; {example}")
    elif "?" in url:
        problems.append(f"{subject}has a query '{url[url.index('?') :]}'; {example}")
    names = parts.path.split("/")[1:]
    if names and not names[-1]:
        names.pop()  # the trailing slash
    if "\\" in url or any(name in ("", ".", "..") for name in names):
        problems.append(
            f"{subject}path must be folder names between single slashes (no '.', '..' or "
            f"'//'), got '{url}'"
        )
    return problems


def check_logo(logo: str, content_dir: Path | None, err: Any) -> None:
    """`publisher.logo` names a file under content/: a relative path of plain names that stays
    inside content/, through symlinks too (../site.yaml, /etc/passwd are refused)."""
    key = ("publisher", "logo")
    names = logo.split("/")
    if has_control(logo) or "\\" in logo or any(name in ("", ".", "..") for name in names):
        err(
            key,
            "'publisher.logo' must be a path under content/ such as images/logo.png, "
            f"got '{shown(logo)}'",
        )
        return
    if content_dir is None:
        return
    path = content_dir / logo
    if not os.path.realpath(path).startswith(os.path.realpath(content_dir) + os.sep):
        err(key, f"'publisher.logo' {logo} is a link to outside content/")
        return
    try:
        exists = path.is_file()
    except OSError:  # a name too long for the file system
        exists = False
    if not exists:
        err(key, f"'publisher.logo' {logo} does not exist under content/")
