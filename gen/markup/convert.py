"""The markup stage: every Markdown body converted once, from the cache or on a process pool.

The result is an engine-shaped object whose `convert(text)` answers from the precomputed
results, so the assemble stage stays pure and does not know where conversions came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any, Protocol, TypeVar

from gen import code_digest
from gen.cache import SqliteCache
from gen.config import BuildOptions, SiteConfig
from gen.errors import ErrorReport
from gen.markup.engine import MarkdownEngine
from gen.markup.sanitize import LITE_PAGE_AROUND, LITE_PAGE_BUDGET, sanitize_lite
from gen.markup.text import MarkupRefused, Rendered
from gen.model import Heading
from gen.source.read import SourceDoc, SourceTree

T = TypeVar("T")

PARALLEL_MIN = 64  # below this many conversions a pool costs more than it saves
CHUNK = 16  # documents per task: few enough round trips, small enough to balance


class Engine(Protocol):
    """Anything that converts Markdown: MarkdownEngine, the cmark engine, or this stage."""

    def convert(self, text: str) -> Rendered: ...


EngineFactory = Callable[[], Engine]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A body the engine refused (`MarkupRefused`): (line of the body, message) each."""

    found: tuple[tuple[int, str], ...]


# What a refused body converts to for the stages after this one: the build fails on the
# errors reported here (or, for a draft left out, never publishes it).
REFUSED = Rendered(html="", toc=(), first_paragraph="", word_count=0)


def _converted(engine: Engine, text: str) -> Rendered | Refusal:
    """One conversion; a refusal as data, so a pool worker returns it like any result."""
    try:
        return engine.convert(text)
    except MarkupRefused as exc:
        return Refusal(exc.found)


class Converted:
    """Precomputed conversions, looked up by text; anything missing is converted on demand."""

    def __init__(
        self,
        results: dict[str, Rendered],
        fallback: EngineFactory,
        refused: dict[str, Refusal] | None = None,
    ) -> None:
        self.results = results
        self.fallback = fallback
        self.refused = refused or {}
        self._engine: Engine | None = None

    def convert(self, text: str) -> Rendered:
        """The conversion of `text`."""
        found = self.results.get(text)
        if found is not None:
            return found
        if text in self.refused:
            return REFUSED
        if self._engine is None:
            self._engine = self.fallback()
        return self._engine.convert(text)


def MarkupCache(path: Path | None, warn: Callable[[str], None]) -> SqliteCache[Rendered]:  # noqa: N802 (reads as the class it makes)
    """Conversions, keyed by the text's hash and the settings."""
    return SqliteCache(path, warn, "markup", _to_json, _from_json)


def convert_all(
    texts: Iterable[str],
    settings: str,
    factory: EngineFactory,
    cache: SqliteCache[Rendered],
    jobs: int,
    memo: dict[str, tuple[str, Rendered]] | None = None,
) -> tuple[Converted, int, int]:
    """Convert every text once: (results, how many came from the cache, how many were made).

    `memo` (a watch session's: text → (settings, result)) answers before the cache does.
    """
    unique = list(dict.fromkeys(texts))
    results: dict[str, Rendered] = {}
    if memo is not None:
        for text in unique:
            known = memo.get(text)
            if known is not None and known[0] == settings:
                results[text] = known[1]
    keys = {text: _key(text, settings) for text in unique if text not in results}
    hits = cache.get_many(keys.values())
    results.update({text: hits[key] for text, key in keys.items() if key in hits})
    missing = [text for text in unique if text not in results]
    outcomes = _convert(missing, factory, jobs)
    made = {text: r for text, r in outcomes.items() if isinstance(r, Rendered)}
    refused = {text: r for text, r in outcomes.items() if isinstance(r, Refusal)}
    results.update(made)
    # Refusals are not kept: the next build checks the body again (it is cheap to refuse).
    cache.put_many({keys[text]: rendered for text, rendered in made.items()})
    if memo is not None:
        memo.clear()
        memo.update({text: (settings, rendered) for text, rendered in results.items()})
    converted = Converted(results, factory, refused)
    return converted, len(unique) - len(outcomes), len(outcomes)


def _convert(texts: list[str], factory: EngineFactory, jobs: int) -> dict[str, Rendered | Refusal]:
    if not texts:
        return {}  # every body from the cache: no engine is made (Markdown's costs 20 ms)
    if jobs <= 1 or len(texts) < PARALLEL_MIN or "fork" not in get_all_start_methods():
        engine = factory()
        return {text: _converted(engine, text) for text in texts}
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    # fork: the workers inherit the factory (a closure) instead of pickling it.
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=get_context("fork"),
        initializer=_start_worker,
        initargs=(factory,),
    ) as pool:
        converted = pool.map(_convert_chunk, chunks)
        return {
            text: r
            for chunk, rs in zip(chunks, converted, strict=True)
            for text, r in zip(chunk, rs, strict=True)
        }


# Each worker process holds one engine for its lifetime; it lives only in that process.
_worker_engine: list[Engine] = []


def _start_worker(factory: EngineFactory) -> None:
    _worker_engine.append(factory())


def _convert_chunk(texts: list[str]) -> list[Rendered | Refusal]:
    engine = _worker_engine[0]
    return [_converted(engine, text) for text in texts]


def engine_version(engine: str) -> str:
    """The installed version of the library behind an engine (part of the cache key)."""
    return _version("cmarkgfm" if engine == "cmark" else "markdown")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def settings_key(*parts: str) -> str:
    """Everything besides the text that shapes a conversion, as one string: the settings,
    the library versions, and Dateline's own code, so a change to it never serves a stale
    conversion."""
    return "|".join((code_digest()[:16], *parts))


def lite_size(body: str) -> int:
    """About how many bytes a story's text-only page takes: its body as that edition
    keeps it, and what the templates put around it. Only long bodies are measured."""
    if len(body) * 4 + LITE_PAGE_AROUND <= LITE_PAGE_BUDGET:  # 4 bytes a character at most
        return 0
    if len(body.encode("utf-8")) + LITE_PAGE_AROUND <= LITE_PAGE_BUDGET:  # cleaning only cuts
        return 0
    return len(sanitize_lite(body).encode("utf-8")) + LITE_PAGE_AROUND


def _key(text: str, settings: str) -> str:
    return hashlib.sha256(f"{settings}\0{text}".encode()).hexdigest()


def _to_json(rendered: Rendered) -> str:
    return json.dumps(
        {
            "html": rendered.html,
            "toc": [[h.level, h.id, h.text] for h in rendered.toc],
            "first": rendered.first_paragraph,
            "words": rendered.word_count,
            "images": [list(i) for i in rendered.images],
            "notes": [list(n) for n in rendered.notes],
        },
        ensure_ascii=False,
    )


def _from_json(value: Any) -> Rendered | None:
    """A cached conversion, or None if the entry is not one we wrote."""
    try:
        data = json.loads(value)
        return Rendered(
            html=str(data["html"]),
            toc=tuple(Heading(int(a), str(b), str(c)) for a, b, c in data["toc"]),
            first_paragraph=str(data["first"]),
            word_count=int(data["words"]),
            images=tuple((str(s), str(a)) for s, a in data["images"]),
            notes=tuple((int(line), str(message)) for line, message in data["notes"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def convert_bodies(
    tree: SourceTree,
    config: SiteConfig,
    options: BuildOptions,
    report: ErrorReport,
    memo: dict[str, tuple[str, Rendered]] | None = None,
) -> tuple[Converted, int, int]:
    """Every Markdown body of the site converted once, from the cache or on a pool when there
    are many: (the conversions, how many came from the cache, how many were made)."""
    texts = [doc.body for doc in tree.articles]
    for live in tree.live:
        texts += [live.index.body, *(u.body for u in live.updates)]
    engine_name = config.markdown_engine
    factory = partial(MarkdownEngine, config.base_path, engine_name, config.raw_html)
    db = options.cache_dir / "dateline.sqlite" if options.cache_dir is not None else None
    cache = MarkupCache(db, lambda message: report.warn(".cache", None, message))
    try:
        settings = settings_key(
            engine_name,
            engine_version(engine_name),
            config.base_path,
            config.raw_html,
            _version("nh3") if config.raw_html != "allow" else "",
        )
        result = convert_all(texts, settings, factory, cache, options.jobs, memo)
    finally:
        cache.close()
    report_bodies(tree, result[0], options, report)
    return result


def report_bodies(
    tree: SourceTree, converted: Converted, options: BuildOptions, report: ErrorReport
) -> None:
    """Each body's refusals (errors) and notes (warnings) at the lines of its file. A
    draft's refusals are warnings unless the build includes drafts, as for its other
    problems: an unfinished draft does not block publishing. A story too long for one
    page of the text-only edition is a warning at its first line."""
    docs: list[SourceDoc] = list(tree.articles)
    stories = len(docs)
    for live in tree.live:
        docs += [live.index, *live.updates]
    for number, doc in enumerate(docs):
        refusal = converted.refused.get(doc.body)
        rendered = converted.results.get(doc.body)
        notes = rendered.notes if rendered is not None else ()
        draft = doc.front.data.get("draft") is True and not options.drafts
        if rendered is not None and number < stories and not draft:
            size = lite_size(rendered.html)
            if size > LITE_PAGE_BUDGET:
                report.warn(
                    doc.path,
                    doc.body_line,
                    f"its text-only (lite) page will be about {size / 1024:.1f} KB, over the "
                    f"lite edition's {LITE_PAGE_BUDGET // 1024} KB budget",
                )
        mark = "(draft) " if draft else ""
        for line, message in refusal.found if refusal is not None else ():
            where = doc.body_line + line - 1
            if draft:
                report.warn(doc.path, where, mark + message)
            else:
                report.error(doc.path, where, message)
        for line, message in notes:
            report.warn(doc.path, doc.body_line + line - 1, mark + message)
