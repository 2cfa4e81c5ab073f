"""`dateline check`: the engine's dry build (config → … → the check stage, nothing written)
for the site-wide rules, then each story's own rules, cached by the story's text so a check
after one edit reads one story."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

from gen import code_digest
from gen.cache import SqliteCache
from gen.check.body import body_findings
from gen.check.external import check_external
from gen.check.links import Offsite, external_links
from gen.check.prose import prose_findings
from gen.check.rules import ERROR, OFF, RULES, STYLE_PREFIX, WARNING, Finding, Rule
from gen.check.settings import CheckSettings, unknown_rules
from gen.check.spelling import Misspellings, load_misspellings, spelling_findings
from gen.check.story import front_story, read_story
from gen.check.style import StyleRule, load_styles
from gen.config import CONFIG_FILE, BuildOptions, SiteConfig, load_config
from gen.errors import ConfigError, ErrorReport, GenError, Problem
from gen.pipeline import BuildFailed, build
from gen.source.read import SourceDoc, read_tree

PARALLEL_MIN = 200  # fewer stories are checked faster than worker processes start
BUILD = Rule("build", ERROR, "the site does not build: settings, front matter, templates")
LINKS_CACHE = "links.json"


@dataclass(slots=True)
class CheckRun:
    """What a check found, and how much it looked at."""

    findings: list[Finding] = field(default_factory=list)
    stories: int = 0  # stories whose own rules ran
    cached: int = 0  # of those, taken from the cache
    seconds: float = 0.0


def rules_of(site_dir: Path | None) -> tuple[list[Rule], list[Problem]]:
    """Every rule (the site's styles included), for --list-rules and SARIF."""
    styles, problems = load_styles(site_dir) if site_dir is not None else ((), [])
    rules = [*RULES.values(), *(Rule(s.id, s.level, s.description) for s in styles)]
    return [BUILD, *sorted(rules, key=lambda r: r.id)], problems


def check_site(
    options: BuildOptions, paths: Sequence[str] = (), *, external: bool = False
) -> CheckRun:
    """Every finding on the site (or on the files in `paths`, site-relative), sorted."""
    run = CheckRun()
    config, found = _config(options)
    settings = config.check if config is not None else CheckSettings()
    styles, problems = load_styles(options.site_dir)
    found += [_problem(p, ERROR) for p in problems]
    known = {*RULES, *(s.id for s in styles), BUILD.id}
    found += [
        Finding(CONFIG_FILE, line, 1, BUILD.id, ERROR, message)
        for line, message in unknown_rules(settings, known)
    ]
    sources: tuple[SourceDoc, ...] = ()
    offsite: list[Offsite] = []
    if config is not None:
        try:
            result = build(options, dry=True)
        except BuildFailed as exc:
            found += [_problem(p, ERROR) for p in exc.problems]
            found += [_problem(p, WARNING) for p in exc.warnings]
            sources = _read_sources(options)
        else:
            found += result.findings
            found += [_problem(p, WARNING) for p in result.warnings]
            sources = result.sources
            offsite = result.external
    wanted = set(paths)
    docs = [d for d in sources if not wanted or d.path in wanted]
    misspellings = _misspellings(settings)
    story_found, run.cached = _story_findings(
        docs, options, settings, styles, misspellings, config.language if config else "en"
    )
    found += story_found
    run.stories = len(docs)
    if external and config is not None:
        level = settings.level("external-link", WARNING)
        if level != OFF:
            cache = options.cache_dir / LINKS_CACHE if options.cache_dir is not None else None
            asked = [o for o in offsite if not wanted or o.target.source in wanted]
            shown = external_links(asked, partial(_read_text, options.site_dir), config.base_url)
            notes: list[str] = []
            found += check_external(
                shown,
                cache,
                options.now,
                site_url=config.base_url,
                warn=notes.append,
            )
            found += [Finding(".cache", 1, 1, BUILD.id, WARNING, note) for note in notes]
    run.findings = _final(found, settings, wanted, external)
    return run


def _read_text(site_dir: Path, source: str) -> str | None:
    """A story's text, to say where a link is in it."""
    try:
        return (site_dir / source).read_bytes().decode("utf-8", "replace")
    except OSError:
        return None


def _config(options: BuildOptions) -> tuple[SiteConfig | None, list[Finding]]:
    try:
        return load_config(options.site_dir, options.base_url), []
    except GenError as exc:
        return None, [_problem(p, ERROR) for p in exc.problems]


def _problem(problem: Problem, level: str) -> Finding:
    return Finding(problem.path, problem.line or 1, 1, BUILD.id, level, problem.message)


def _read_sources(options: BuildOptions) -> tuple[SourceDoc, ...]:
    """The stories, read as a build reads them, for a site that does not build."""
    try:
        tree = read_tree(options.site_dir, ErrorReport())
    except (GenError, OSError):
        return ()
    return tree.articles + tuple(d for live in tree.live for d in (live.index, *live.updates))


def _misspellings(settings: CheckSettings) -> Misspellings | None:
    level = settings.level("spelling", RULES["spelling"].level)
    if level == OFF:
        return None
    line = next((line for rule, _, line in settings.levels if rule == "spelling"), None)
    return load_misspellings(line)


def _story_findings(
    docs: Iterable[SourceDoc],
    options: BuildOptions,
    settings: CheckSettings,
    styles: tuple[StyleRule, ...],
    misspellings: Misspellings | None,
    language: str,
) -> tuple[list[Finding], int]:
    """Each story's own rules, silenced where it says so; from the cache when its text and
    the rules are unchanged. Returns the findings and how many stories came from the cache."""
    key = _rules_key(settings, styles, misspellings is not None, language)
    db = options.cache_dir / "dateline.sqlite" if options.cache_dir is not None else None
    cache: SqliteCache[list[Finding]] = SqliteCache(db, lambda m: None, "checks", _encode, _decode)
    docs = list(docs)
    keys = {d.path: hashlib.sha256(f"{key}\0{d.digest}".encode()).hexdigest() for d in docs}
    try:
        known = cache.get_many(k for d in docs if d.digest for k in [keys[d.path]])
        todo = [d for d in docs if not d.digest or keys[d.path] not in known]
        checked = dict(
            zip(
                (d.path for d in todo),
                _check_all(todo, settings, styles, misspellings, language, options.jobs),
                strict=True,
            )
        )
        found: list[Finding] = []
        for doc in docs:
            found += checked[doc.path] if doc.path in checked else known[keys[doc.path]]
        new = {keys[d.path]: checked[d.path] for d in todo if d.digest}
        cache.put_many(new)
    finally:
        cache.close()
    return found, len(docs) - len(new)


def _check_all(
    docs: list[SourceDoc],
    settings: CheckSettings,
    styles: tuple[StyleRule, ...],
    misspellings: Misspellings | None,
    language: str,
    jobs: int,
) -> list[list[Finding]]:
    """Each story's findings, in order; in worker processes when there are many (a cold
    check of a large archive), as Markdown is converted."""
    check = partial(
        _check_story,
        settings=settings,
        styles=styles,
        misspellings=misspellings,
        language=language,
    )
    if jobs <= 1 or len(docs) < PARALLEL_MIN or "fork" not in get_all_start_methods():
        return [check(doc) for doc in docs]
    # fork: the workers inherit the rules instead of compiling them again.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
        return list(pool.map(check, docs, chunksize=max(1, len(docs) // (jobs * 8))))


def _check_story(
    doc: SourceDoc,
    settings: CheckSettings,
    styles: tuple[StyleRule, ...],
    misspellings: Misspellings | None,
    language: str,
) -> list[Finding]:
    story = read_story(doc, language)
    found = prose_findings(story, settings) + body_findings(story)
    fronts = [front_story(story, key) for key in ("title", "summary")]
    for style in styles:
        if settings.level(style.id, style.level) != OFF:
            found += style.check(story, settings)
            for front in fronts:  # the headline and summary, at their keys' lines
                if front is not None:
                    found += [replace(f, col=1) for f in style.check(front, settings)]
    if misspellings is not None:
        found += spelling_findings(story, misspellings)
    return [f for f in found if not story.is_silenced(f.rule, f.line)]


def _rules_key(
    settings: CheckSettings, styles: tuple[StyleRule, ...], spelling: bool, language: str
) -> str:
    digest = hashlib.sha256(code_digest().encode())
    digest.update(repr((settings, spelling, language)).encode())
    for style in styles:
        digest.update(repr(style).encode())
    return digest.hexdigest()


def _encode(findings: list[Finding]) -> str:
    return json.dumps([[getattr(f, n) for n in Finding.__slots__] for f in findings])


def _decode(text: str) -> list[Finding] | None:
    try:
        rows: Any = json.loads(text)
        found = [Finding(*row) for row in rows]
    except (ValueError, TypeError):
        return None
    ok = all(
        isinstance(f.path, str) and isinstance(f.line, int) and isinstance(f.message, str)
        for f in found
    )
    return found if ok else None


def _final(
    found: list[Finding], settings: CheckSettings, wanted: set[str], external: bool
) -> list[Finding]:
    """The site's levels applied, rules it turned off dropped, sorted, each once."""
    final = set()
    for finding in found:
        if wanted and finding.path not in wanted and finding.rule != BUILD.id:
            continue
        default = finding.level
        if finding.rule.startswith(STYLE_PREFIX) or finding.rule in RULES:
            level = settings.level(finding.rule, default)
            if finding.rule == "external-link" and external and level == OFF:
                level = default
        else:
            level = default
        if level != OFF:
            final.add(replace(finding, level=level))
    return sorted(final)


def check_stories(options: BuildOptions, config: SiteConfig, paths: Iterable[str]) -> list[Finding]:
    """The edited stories' own rules, for a preview's panel (no cache, no network)."""
    from gen.source.read import read_source

    settings = config.check
    styles, _ = load_styles(options.site_dir)
    try:
        misspellings = _misspellings(settings)
    except ConfigError:
        misspellings = None  # the build says nothing of it; `dateline check` does
    found: list[Finding] = []
    for path in sorted(paths):
        if not path.endswith((".md", ".markdown")):
            continue
        try:
            doc = read_source(options.site_dir / path, options.site_dir, ErrorReport())
        except OSError:
            continue
        if doc is not None:
            found += _check_story(doc, settings, styles, misspellings, config.language)
    return _final(found, settings, set(), external=False)
