"""The settings of `site.yaml` that are mappings or lists (publisher, sections, publish,
feeds, markdown): their frozen types and their parsers, each error at its key's line."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from typing import Any

from gen.errors import suggest, unknown_keys

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Markdown engines: Python-Markdown (default) and cmark-gfm, through the cmarkgfm package.
MARKDOWN_ENGINES = ("markdown", "cmark")


@dataclass(frozen=True, slots=True)
class Publisher:
    """The organisation that publishes the site."""

    name: str
    logo: str = ""  # path relative to content/


@dataclass(frozen=True, slots=True)
class PublishSettings:
    """`publish:` in site.yaml: what `dateline publish` does besides syncing."""

    purge_command: tuple[str, ...] = ()  # run with the changed URLs (a CDN purge)


@dataclass(frozen=True, slots=True)
class SectionConfig:
    """A section as declared: id, title and description, in display order."""

    id: str
    title: str
    description: str = ""


# The lists that have feeds, and the formats a feed can be written in (Atom, RSS 2.0,
# JSON Feed 1.1).
FEED_LISTS = ("front", "section", "tag", "author")
FEED_FORMATS = ("atom", "rss", "json")


def parse_publisher(value: Any, title: str, err: Any) -> Publisher:
    """`publisher: {name, logo}`; a bare string is the name."""
    if isinstance(value, str):
        return Publisher(value.strip())
    if not isinstance(value, dict):
        if value is not None:
            err(("publisher",), "'publisher' must be a mapping with 'name' and 'logo'")
        return Publisher(title)
    unknown_keys(value, "publisher", ("name", "logo"), err)
    name = str(value.get("name") or "").strip()
    if not name:
        err(("publisher",), "'publisher.name' is missing")
    return Publisher(name or title, str(value.get("logo") or "").strip())


def parse_sections(value: Any, err: Any) -> tuple[SectionConfig, ...]:
    """`sections:` as a mapping id → {title, description} (or id → title)."""
    if not isinstance(value, dict) or not value:
        if value is not None:
            err(("sections",), "'sections' must be a mapping of id → {title, description}")
        return ()
    sections = []
    for raw_id, spec in value.items():
        sid = str(raw_id)
        if not ID_RE.match(sid):
            err(
                ("sections", sid),
                f"section id '{sid}' must be lowercase letters, digits and hyphens",
            )
            continue
        if isinstance(spec, str):
            sections.append(SectionConfig(sid, spec.strip()))
            continue
        if not isinstance(spec, dict):
            err(("sections", sid), f"section '{sid}' must have a 'title'")
            continue
        for key in spec:
            if key not in ("title", "description"):
                hint = suggest(str(key), ["title", "description"])
                err(("sections", sid, key), f"unknown key '{key}' in section '{sid}'{hint}")
        title = str(spec.get("title") or "").strip()
        if not title:
            err(("sections", sid), f"section '{sid}' must have a 'title'")
        sections.append(
            SectionConfig(sid, title or sid, str(spec.get("description") or "").strip())
        )
    return tuple(sections)


def parse_publish(value: Any, err: Any) -> PublishSettings:
    """`publish: {purge_command: [program, arg, …]}` (a string is split on spaces)."""
    if value is None:
        return PublishSettings()
    if not isinstance(value, dict):
        err(("publish",), "'publish' must be a mapping such as {purge_command: [./purge.sh]}")
        return PublishSettings()
    unknown_keys(value, "publish", ("purge_command",), err)
    command = value.get("purge_command") or []
    if isinstance(command, str):
        command = command.split()
    if not isinstance(command, list) or not all(isinstance(c, str) and c for c in command):
        err(("publish", "purge_command"), "'publish.purge_command' must be a list of words")
        return PublishSettings()
    return PublishSettings(tuple(command))


def parse_feeds(value: Any, err: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`feeds: [atom, rss, json]` for every list, or `{kind: [formats]}` (kinds not named
    keep all three)."""
    every: dict[str, tuple[str, ...]] = dict.fromkeys(FEED_LISTS, FEED_FORMATS)
    if value is None:
        return tuple(every.items())

    def formats(given: Any, key: tuple[str, ...]) -> tuple[str, ...] | None:
        where = ".".join(key)
        if not isinstance(given, list) or not given:
            err(key, f"'{where}' must be a list of feed formats, e.g. [atom, rss, json]")
            return None
        found: list[str] = []
        for name in given:
            if name not in FEED_FORMATS:
                hint = suggest(str(name), FEED_FORMATS)
                err(key, f"unknown feed format '{name}' in '{where}'{hint} (atom, rss or json)")
                return None
            if name in found:
                err(key, f"'{name}' is twice in '{where}'")
                return None
            found.append(name)
        return tuple(f for f in FEED_FORMATS if f in found)  # one order, whatever was written

    if isinstance(value, list):
        chosen = formats(value, ("feeds",))
        return tuple((kind, chosen or FEED_FORMATS) for kind in FEED_LISTS)
    if not isinstance(value, dict):
        err(("feeds",), "'feeds' must be a list of formats or a mapping of list kind → formats")
        return tuple(every.items())
    for kind, given in value.items():
        if kind not in FEED_LISTS:
            hint = suggest(str(kind), FEED_LISTS)
            err(
                ("feeds", kind), f"unknown list '{kind}' in 'feeds'{hint} ({', '.join(FEED_LISTS)})"
            )
            continue
        chosen = formats(given, ("feeds", kind))
        if chosen is not None:
            every[kind] = chosen
    return tuple(every.items())


def parse_markdown(value: Any, err: Any) -> str:
    """`markdown: {engine: markdown|cmark}`: the engine's name."""
    if value is None:
        return "markdown"
    if not isinstance(value, dict):
        err(("markdown",), "'markdown' must be a mapping such as {engine: cmark}")
        return "markdown"
    unknown_keys(value, "markdown", ("engine",), err)
    engine = str(value.get("engine", "markdown")).strip()
    if engine not in MARKDOWN_ENGINES:
        hint = suggest(engine, MARKDOWN_ENGINES)
        choices = " or ".join(MARKDOWN_ENGINES)
        err(("markdown", "engine"), f"unknown markdown engine '{engine}'{hint} (use {choices})")
        return "markdown"
    if engine == "cmark" and importlib.util.find_spec("cmarkgfm") is None:
        err(("markdown", "engine"), "markdown engine 'cmark' needs cmarkgfm: pip install cmarkgfm")
    return engine
