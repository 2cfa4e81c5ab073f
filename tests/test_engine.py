"""The engine's promise, case by case: whatever a build reuses, its output is a clean build's.

Each test is one of the ways an earlier Dateline published a stale or wrong page (issue 7):
a cache reused across --base-url, a theme reading a list beyond its page, a watch session
whose search index stayed stale, a search failure after pages were written.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

import gen.outputs.pagefind_run
from gen.config import BuildOptions
from gen.pages.theme import DEFAULT_THEME_DIR
from gen.pipeline import BuildCancelled, BuildFailed, Session, build
from tests.conftest import (
    CLOCK,
    REPO,
    PreviewStarter,
    article,
    make_site,
    output_files,
    vim_save,
    wait_until,
)

NOW = datetime.fromisoformat(CLOCK)
STAGING = "https://staging.example.org/news/"


def options(site: Path, out: Path, cache: Path | None, **more: object) -> BuildOptions:
    return BuildOptions(site_dir=site, output_dir=out, now=NOW, cache_dir=cache, jobs=1, **more)  # type: ignore[arg-type]


def clean(site: Path, scratch: Path, **more: object) -> dict[str, bytes]:
    """What a build with no cache and no session makes."""
    out = scratch / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(options(site, out, None, **more))
    return output_files(out)


def sample_site(root: Path) -> Path:
    """A copy of the bundled sample site."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))


def test_a_cache_reused_across_base_urls_publishes_the_new_base_url(tmp_path: Path) -> None:
    """Jinja folded `'/archive/'|url` into a constant that the bytecode cache kept: 145 pages
    of a staging build linked the menu without /news/."""
    site = sample_site(tmp_path / "site")
    out, cache = tmp_path / "out", site / ".cache"
    build(options(site, out, cache))
    build(options(site, out, cache, base_url=STAGING))
    expected = clean(site, tmp_path, base_url=STAGING)
    assert differing(output_files(out), expected) == []
    front = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="/news/archive/"' in front and 'href="/archive/"' not in front
    assert not (cache / "templates").exists()  # no compiled templates (code) in the cache


LIST_WITH_LEAD = (
    "{% block main %}{% if listing.articles %}"
    '<p class="lead-story">{{ listing.articles[0].title }}</p>{% endif %}'
)


def theme_reading_the_whole_list(site: Path) -> None:
    """A list.html showing the list's newest story on every one of its pages."""
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True)
    text = (DEFAULT_THEME_DIR / "templates/list.html").read_text(encoding="utf-8")
    assert "{% block main %}" in text
    (templates / "list.html").write_text(text.replace("{% block main %}", LIST_WITH_LEAD))


@pytest.mark.parametrize("with_session", [False, True], ids=["warm-build", "watch-save"])
def test_a_theme_reading_a_story_on_a_page_that_does_not_list_it_is_never_stale(
    tmp_path: Path, with_session: bool
) -> None:
    stories = {
        f"content/articles/s{i}.md": article(
            f"Story {i}", date=f"2026-01-{10 + i:02d}T08:00:00+02:00", extra="tags: [kyiv]\n"
        )
        for i in range(5)
    }
    site = make_site(tmp_path / "site", stories)  # per_page: 2, so lists have pages 2 and 3
    theme_reading_the_whole_list(site)
    out, cache = tmp_path / "out", site / ".cache"
    session = Session() if with_session else None
    build(options(site, out, cache), session=session)
    newest = "content/articles/s4.md"
    text = article("Ceasefire talks collapse", date="2026-01-14T08:00:00+02:00")
    (site / newest).write_text(text.replace("---\n\n", "tags: [kyiv]\n---\n\n"), encoding="utf-8")
    result = build(options(site, out, cache), session=session, changed=frozenset({newest}))
    assert result.partial == with_session
    page_two = (out / "tag/kyiv/page/2/index.html").read_text(encoding="utf-8")
    assert '<p class="lead-story">Ceasefire talks collapse</p>' in page_two
    if session is not None:  # the search index waits for the session to catch up
        assert session.behind
        build(options(site, out, cache), session=session, exact=True)
    assert differing(output_files(out), clean(site, tmp_path)) == []
    # Nothing changed: the pages that read the whole list are kept, not made again.
    again = build(options(site, out, cache), session=session)
    assert (again.rendered, again.written) == (0, 0)


def test_a_watch_session_catches_up_to_a_clean_build_search_index_included(
    tmp_path: Path, start_preview: PreviewStarter
) -> None:
    """After a quick save the search index waits; once saves pause the session builds it,
    and the output folder is what a clean build makes, byte for byte."""
    site = sample_site(tmp_path / "site")
    preview = start_preview(site, serve=False)
    assert preview.wait_for_catch_up(1, 60)  # the first build reused an index: caught up too
    story = site / "content/articles/2026/allies-meet-in-kyiv-security-advisers.md"
    vim_save(story, story.read_text(encoding="utf-8").replace("Allies", "Partners", 1))
    assert preview.wait_for_builds(2, 30)
    assert preview.last is not None and preview.last.partial
    assert preview.wait_for_catch_up(2, 60)
    assert not preview.session.behind
    assert any(p.startswith("pagefind/") for p in output_files(site / "output"))
    assert differing(output_files(site / "output"), clean(site, tmp_path)) == []


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    "failure",
    [subprocess.TimeoutExpired(["pagefind"], 600), OSError(28, "No space left on device")],
    ids=["timeout", "oserror"],
)
def test_a_search_index_failure_leaves_the_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article("Talks in Kyiv")})
    (site / "site.yaml").write_text(
        (site / "site.yaml").read_text(encoding="utf-8") + "search: true\n", encoding="utf-8"
    )
    out, cache = tmp_path / "out", site / ".cache"
    build(options(site, out, cache))
    before = snapshot(out)
    (site / "content/articles/a.md").write_text(article("Talks resume"), encoding="utf-8")
    (site / "content/articles/b.md").write_text(
        article("Grain deal", date="2026-02-01T08:00:00+02:00"), encoding="utf-8"
    )

    def fail(*args: object, **kwargs: object) -> dict[str, bytes]:
        raise failure

    monkeypatch.setattr(gen.outputs.pagefind_run, "run_pagefind", fail)
    with pytest.raises(BuildFailed) as failed:
        build(options(site, out, cache))
    [problem] = failed.value.problems
    assert problem.path == "site.yaml"
    assert problem.message.startswith("the search index could not be built")
    assert snapshot(out) == before  # not a byte nor a timestamp changed, nothing added
    monkeypatch.undo()
    build(options(site, out, cache))  # the next build recovers
    assert differing(output_files(out), clean(site, tmp_path)) == []


def test_a_preview_takes_a_deleted_or_renamed_story_out(
    tmp_path: Path, start_preview: PreviewStarter
) -> None:
    """A save that deletes or renames a story is not partial: the build redoes everything,
    the deleted story's page goes, the renamed one moves, and nothing fails."""
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article("Talks in Kyiv"),
            "content/articles/b.md": article("Grain deal", date="2026-02-01T08:00:00+02:00"),
        },
    )
    preview = start_preview(site, serve=False)
    out = site / "output"
    assert (out / "2026/01/06/a/index.html").is_file()
    (site / "content/articles/a.md").unlink()
    assert preview.wait_for_builds(2, 30)
    assert preview.failures == 0
    assert not (out / "2026/01/06/a/index.html").exists()
    (site / "content/articles/b.md").rename(site / "content/articles/grain.md")
    assert preview.wait_for_builds(3, 30)
    assert preview.failures == 0
    assert (out / "2026/02/01/grain/index.html").is_file()
    assert not (out / "2026/02/01/b/index.html").exists()
    # A storm of renames ends in the site a clean build makes.
    story = site / "content/articles/grain.md"
    for i in range(300):
        target = site / f"content/articles/grain-{i % 2}.md"
        story.rename(target)
        story = target
    assert wait_until(
        lambda: (out / f"2026/02/01/{story.stem}/index.html").is_file(), timeout=60
    ), "the last name was not published"
    settled = (preview.builds, preview.caught_up)
    while True:  # until two quiet seconds pass with no build, and the session caught up
        time.sleep(2.0)
        now = (preview.builds, preview.caught_up)
        if now == settled and not preview.session.behind:
            break
        settled = now
    assert preview.failures == 0
    assert differing(output_files(out), clean(site, tmp_path)) == []


MANIFEST_ALIAS = "aliases: [/.dateline-manifest.json/]\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"content/images/a\\b.png": b""},
            "content/images/a\\b.png: file name has a backslash, which a URL cannot hold; "
            "rename the file",
        ),
        (
            {
                "content/articles/b.md": article(
                    "Old", extra="aliases: [/.dateline-manifest.json/]\n"
                )
            },
            "content/articles/b.md: alias /.dateline-manifest.json/: "
            ".dateline-manifest.json/index.html cannot be published: the name is the writer's own",
        ),
    ],
    ids=["backslash", "manifest-alias"],
)
def test_a_path_the_writer_cannot_take_is_refused_before_anything_is_written(
    tmp_path: Path, files: dict[str, str | bytes], expected: str
) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    out = tmp_path / "out"
    build(options(site, out, None))
    before = snapshot(out)
    for rel, data in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    with pytest.raises(BuildFailed) as failed:
        build(options(site, out, None))
    assert [str(p) for p in failed.value.problems] == [expected]
    assert snapshot(out) == before


def test_an_output_folder_linked_outside_is_never_written_through(tmp_path: Path) -> None:
    body = "![A photo](images/photo.png)\n"  # so that images/ is published
    site = make_site(tmp_path / "site", {"content/articles/a.md": article(body=body)})
    out, outside = tmp_path / "out", tmp_path / "outside"
    build(options(site, out, None))
    shutil.rmtree(out / "images")
    outside.mkdir()
    (out / "images").symlink_to(outside, target_is_directory=True)
    with pytest.raises(BuildFailed) as failed:
        build(options(site, out, None))
    assert all(
        p.message.endswith("the path leaves the output folder") for p in failed.value.problems
    )
    assert list(outside.iterdir()) == []


def test_a_watch_save_refused_by_the_markup_limits_is_located(tmp_path: Path) -> None:
    """A save whose body the converter refuses is not answered partially: the build that
    redoes everything reports it at its file and line."""
    site = make_site(tmp_path / "site", {"content/articles/a.md": article("Talks in Kyiv")})
    out, session = tmp_path / "out", Session()
    build(options(site, out, None), session=session)
    before = snapshot(out)
    text = article("Talks in Kyiv", body="> " * 1000 + "deep\n")
    (site / "content/articles/a.md").write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(
            options(site, out, None), session=session, changed=frozenset({"content/articles/a.md"})
        )
    [problem] = failed.value.problems
    assert problem.path == "content/articles/a.md"
    assert problem.line == text.count("\n", 0, text.index("> >")) + 1
    assert problem.message == "too deeply nested (1000 levels; the limit is 32)"
    assert snapshot(out) == before


def test_a_catch_up_gives_way_to_a_save_and_changes_nothing(tmp_path: Path) -> None:
    """A catch-up asked to stop (a save came in) raises before anything is written; the
    session still takes the save partially, and catches up afterwards."""
    site = sample_site(tmp_path / "site")
    out, session = tmp_path / "out", Session()
    build(options(site, out, None), session=session)
    story = site / "content/articles/2026/allies-meet-in-kyiv-security-advisers.md"
    rel = "content/articles/2026/allies-meet-in-kyiv-security-advisers.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Allies", "Partners", 1))
    assert build(options(site, out, None), session=session, changed=frozenset({rel})).partial
    before = snapshot(out)
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3  # after a few stages: mid-build

    with pytest.raises(BuildCancelled):
        build(options(site, out, None), session=session, exact=True, stop=stop)
    assert snapshot(out) == before
    story.write_text(story.read_text(encoding="utf-8").replace("Partners", "Allies", 1))
    assert build(options(site, out, None), session=session, changed=frozenset({rel})).partial
    build(options(site, out, None), session=session, exact=True)
    assert differing(output_files(out), clean(site, tmp_path)) == []
