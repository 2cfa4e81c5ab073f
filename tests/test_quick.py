"""A watch session's quick path: a save that edits stories' text remakes only what shows them,
and the output is byte for byte a clean build's."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gen.config import BuildOptions
from gen.pipeline import BuildFailed, BuildResult, Session, build
from tests.conftest import CLOCK, REPO, output_files

NOW = datetime.fromisoformat(CLOCK)
ALLIES = "content/articles/2026/allies-meet-in-kyiv-security-advisers.md"  # aliases, corrections
HEATING = "content/articles/2026/kyiv-heating-season.md"  # translated into Ukrainian
RECENT = "content/articles/2026/kyiv-air-defences-repel-overnight-attack.md"  # news sitemap


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the sample's resized photographs: each test starts from a copy."""
    site = tmp_path_factory.mktemp("warm") / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    build(options(site, site.parent / "out"))
    return site / ".cache"


def sample(tmp_path: Path, warm_cache: Path, search: bool = False) -> Path:
    """The bundled sample site (live blog, translations, aliases, corrections, embargo)."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    config = (REPO / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(config + f"search: {str(search).lower()}\n", encoding="utf-8")
    shutil.copytree(warm_cache, site / ".cache")
    shutil.copytree(warm_cache, tmp_path / "clean-cache")
    return site


def options(site: Path, out: Path, now: datetime = NOW) -> BuildOptions:
    # checks=False: these saves move stories on purpose; url-changed would ask for aliases.
    return BuildOptions(
        site_dir=site, output_dir=out, now=now, cache_dir=site / ".cache", jobs=1, checks=False
    )


def clean_build(site: Path, scratch: Path, now: datetime = NOW) -> dict[str, bytes]:
    out = scratch / "clean"
    shutil.rmtree(out, ignore_errors=True)
    # Its own cache (resized images), never the session's: cache-only builds equal clean
    # ones (test_incremental), and re-encoding every photograph for each is slow.
    cache = scratch / "clean-cache"
    build(
        BuildOptions(site_dir=site, output_dir=out, now=now, cache_dir=cache, jobs=1, checks=False)
    )
    return output_files(out)


def started(
    tmp_path: Path, warm_cache: Path, search: bool = False, session: Session | None = None
) -> tuple[Path, Path, Session]:
    """The sample site, its output folder and a watch session after its first (full) build."""
    site = sample(tmp_path, warm_cache, search)
    out = tmp_path / "out"
    session = session or Session()
    build(options(site, out), session=session)
    return site, out, session


def edit(site: Path, rel: str, old: str, new: str) -> frozenset[str]:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return frozenset({rel})


def quick(result: BuildResult) -> bool:
    return result.partial


def body_of(rel: str, site: Path) -> str:
    text = (site / rel).read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1]


def test_text_edits_take_the_quick_path_and_equal_a_clean_build(
    tmp_path: Path, warm_cache: Path
) -> None:
    site = sample(tmp_path, warm_cache)
    out = tmp_path / "out"
    session = Session()
    first = build(options(site, out), session=session)
    assert not quick(first)
    pages = first.pages

    steps = [
        # A headline: lists, feeds, related links, the alias's redirect, the corrections page.
        (ALLIES, "title: Allies meet in Kyiv", "title: Security advisers gather in Kyiv"),
        # A summary that now takes two lines: the image's key moves down a line, not the story.
        (ALLIES, "summary: National security advisers", "summary: >-\n  Security advisers"),
        # A body: the story's page and lite page, its feeds; the lede is its summary in lists.
        (ALLIES, "Senior security officials", "Senior defence and security officials"),
        # A headline the Ukrainian translation links to.
        (HEATING, "title: Kyiv's heating season", "title: Kyiv's long heating season"),
        # A story inside the news sitemap's two-day window.
        (RECENT, "title: ", "title: Latest — "),
    ]
    for rel, old, new in steps:
        result = build(options(site, out), session=session, changed=edit(site, rel, old, new))
        assert quick(result), f"{rel}: took the full build"
        assert 0 < result.written < 60
        assert result.pages == pages
        assert output_files(out) == clean_build(site, tmp_path), f"{rel}: differs from clean"
    assert new[len("title: ") :] in (out / "news-sitemap.xml").read_text(encoding="utf-8")

    # Saving without a change writes nothing.
    result = build(options(site, out), session=session, changed=frozenset({RECENT}))
    assert quick(result) and result.written == 0

    # After quick saves, a full build (a new story) starts from what they left: still exact.
    (site / "content/articles/2026/new-story.md").write_text(
        (site / RECENT).read_text(encoding="utf-8").replace("title: ", "title: New — ", 1),
        encoding="utf-8",
    )
    result = build(
        options(site, out),
        session=session,
        changed=frozenset({"content/articles/2026/new-story.md"}),
    )
    assert not quick(result)
    assert output_files(out) == clean_build(site, tmp_path)


MOVES = [
    ("tags: [ukraine, diplomacy, security-guarantees, reconstruction, kyiv]", "tags: [kyiv]"),
    ("date: 2026-01-06T09:30:00+02:00", "date: 2026-01-05T09:30:00+02:00"),
    ("section: diplomacy", "section: analysis"),
    (
        "  credit: Illustration by Dateline\n  caption: Delegates",
        "  credit: Us\n  caption: Delegates",
    ),
    ("aliases: [/2026/01/06/allies-meet-in-kyiv/]", "aliases: [/2026/01/06/allies/]"),
]


def test_a_save_that_moves_a_story_takes_the_full_build(tmp_path: Path, warm_cache: Path) -> None:
    site, out, session = started(tmp_path, warm_cache)
    for old, new in MOVES:
        result = build(options(site, out), session=session, changed=edit(site, ALLIES, old, new))
        assert not quick(result), new
        assert output_files(out) == clean_build(site, tmp_path), new


def test_a_mistake_fails_the_save_and_the_next_save_builds_in_full(
    tmp_path: Path, warm_cache: Path
) -> None:
    site, out, session = started(tmp_path, warm_cache)
    before = output_files(out)
    bad = edit(site, ALLIES, "section: diplomacy\n", "section: diplomacy\nsubtitle: oops\n")
    with pytest.raises(BuildFailed) as failed:
        build(options(site, out), session=session, changed=bad)
    assert any(
        p.path == ALLIES and p.line and "unknown front matter key 'subtitle'" in p.message
        for p in failed.value.problems
    )
    assert output_files(out) == before
    # Another story edited meanwhile: the fix's save names only the first, so the session
    # must not trust the quick path (it did not see the other edit).
    edit(site, HEATING, "title: Kyiv's heating season", "title: Kyiv's hard heating season")
    fixed = edit(site, ALLIES, "subtitle: oops\n", "")
    result = build(options(site, out), session=session, changed=fixed)
    assert not quick(result)
    assert output_files(out) == clean_build(site, tmp_path)
    assert "hard heating season" in (out / "section/energy/index.html").read_text("utf-8")


def test_the_clock_passing_an_embargo_takes_the_full_build(
    tmp_path: Path, warm_cache: Path
) -> None:
    site, out, session = started(tmp_path, warm_cache)
    embargoed = sorted((site / "content/articles/2027").glob("*.md"))[0]
    date = re.search(r"^date: (\S+)", embargoed.read_text(encoding="utf-8"), re.M)
    assert date is not None
    later = datetime.fromisoformat(date.group(1)) + timedelta(hours=1)
    changed = edit(site, HEATING, "title: Kyiv's heating season", "title: Heating season")
    result = build(options(site, out, later), session=session, changed=changed)
    assert not quick(result)
    assert output_files(out) == clean_build(site, tmp_path, later)


def test_the_quick_path_leaves_the_search_index_to_the_next_full_build(
    tmp_path: Path, warm_cache: Path
) -> None:
    site, out, session = started(tmp_path, warm_cache, search=True)
    index = {p: d for p, d in output_files(out).items() if p.startswith("pagefind/")}
    result = build(
        options(site, out),
        session=session,
        changed=edit(site, ALLIES, "Senior security officials", "Senior defence officials"),
    )
    assert quick(result)
    now = output_files(out)
    assert {p: d for p, d in now.items() if p.startswith("pagefind/")} == index
    clean = clean_build(site, tmp_path)
    differ = {p for p in clean.keys() | now.keys() if clean.get(p) != now.get(p)}
    assert differ and all(
        p.startswith("pagefind/") or p == ".dateline-manifest.json" for p in differ
    )


def test_a_session_that_keeps_its_search_index_exact_builds_in_full(
    tmp_path: Path, warm_cache: Path
) -> None:
    site, out, session = started(
        tmp_path, warm_cache, search=True, session=Session(quick_search=False)
    )
    changed = edit(site, ALLIES, "Senior security officials", "Senior defence officials")
    result = build(options(site, out), session=session, changed=changed)
    assert not quick(result)
    assert output_files(out) == clean_build(site, tmp_path)
