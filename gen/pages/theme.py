"""The theme chain (a site's theme over Dateline's default) and its Jinja environment."""

from __future__ import annotations

import hashlib
import os
import traceback
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from gen.errors import ContentError, ErrorReport, Problem
from gen.model import OutputFile
from gen.source.walk import SiteWalk, read_file

# The default theme ships inside the package (the wheel carries it), found as package data.
DEFAULT_THEME_DIR = Path(str(resources.files("gen") / "themes" / "default")).resolve()
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".json")
THEMES_DIR = "themes"  # the site's own themes, each a folder


@dataclass(frozen=True, slots=True)
class Theme:
    """A chain of theme folders, the site's own first; templates and static files fall back."""

    dirs: tuple[Path, ...]
    static: tuple[OutputFile, ...]
    # A digest of every template's path and bytes: two equal themes compile alike, so a
    # watch session may keep its compiled templates.
    templates: str = ""


def theme_dirs(site_dir: Path, theme: str, report: ErrorReport | None = None) -> tuple[Path, ...]:
    """The site's theme, then the site's copy of the default theme, then Dateline's own.

    A site's theme folder is found as `SiteWalk` finds folders: one that is, or sits behind,
    a symlink leaving the site (or a broken one) is left out, and reported to `report`.
    """
    walk = SiteWalk(site_dir, report if report is not None else ErrorReport())
    seen: list[Path] = []
    for name in (theme, "default"):
        real = walk.root(f"{THEMES_DIR}/{name}")
        if real is not None and Path(real) not in seen:
            seen.append(Path(real))
    if DEFAULT_THEME_DIR not in seen:
        seen.append(DEFAULT_THEME_DIR)
    return tuple(seen)


def read_theme(site_dir: Path, theme: str, report: ErrorReport | None = None) -> Theme:
    """Find the theme chain and read its static files (a site's file overrides the default's).

    The `static/` and `templates/` folders of the site's own themes (templates too: Jinja
    and the layout digest open them later) are checked as `SiteWalk` checks content: only
    regular files inside the site; anything else is an error and never opened. Problems go
    to `report`, whose owner must stop before rendering; without one, they are raised as a
    `ContentError`.
    Dateline's packaged default theme is trusted.
    """
    own = report if report is not None else ErrorReport()
    before = len(own.errors)
    dirs = theme_dirs(site_dir, theme, own)
    walk = SiteWalk(site_dir, own)
    static: dict[str, bytes] = {}
    for d in reversed(dirs):
        if d == DEFAULT_THEME_DIR:
            root = d / "static"
            for path in sorted(root.rglob("*")) if root.is_dir() else ():
                if path.is_file() and not path.name.startswith("."):
                    static["static/" + path.relative_to(root).as_posix()] = path.read_bytes()
            continue
        rel = Path(os.path.relpath(d, walk.site)).as_posix()
        base = "" if rel == "." else rel + "/"
        walk.files(base + "templates", every=True)  # checked only: Jinja opens them
        for file in walk.files(base + "static", every=True):
            if file.rel.rpartition("/")[2].startswith("."):
                continue
            data = read_file(file.disk, file.rel, own)
            if data is not None:
                static[file.rel[len(base) :]] = data
    if report is None and len(own.errors) > before:
        own.raise_if_errors(ContentError)
    files = tuple(OutputFile(p, static[p]) for p in sorted(static))
    return Theme(dirs, files, templates_digest(dirs))


def templates_digest(dirs: tuple[Path, ...]) -> str:
    """A digest of every template of the chain, path and bytes."""
    digest = hashlib.sha256()
    for folder in dirs:
        for path in sorted((folder / "templates").rglob("*")):
            if path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def make_environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    """Autoescaping, strict Jinja over the theme chain.

    Templates are compiled afresh by every build: no bytecode cache. Jinja's bytecode is
    code (loaded with marshal), and a cache restored from another branch must never run
    code; compiled templates also fold filters with constant arguments, which would carry
    one build's settings into the next.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([d / "templates" for d in dirs]),
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # one Environment per build: no need to stat templates per page
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )


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
