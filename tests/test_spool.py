"""A big build's pages spooled to disk: the same output, nothing left behind, all or nothing
(gen.outputs.spool)."""

from __future__ import annotations

from pathlib import Path

import pytest

import gen.outputs.pagefind_run
import gen.outputs.spool
from gen.outputs import write
from gen.outputs.spool import spool_folder
from tests.conftest import build, output_files

# Any site's pages go to the pool here, as in test_render_pool (an autouse fixture).
from tests.test_render_pool import pool_for_every_site, stories  # noqa: F401


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def spooled_files(site: Path) -> list[Path]:
    return sorted(p for p in (site / ".cache/spool").rglob("*") if p.is_file())


def test_spooled_pages_are_renamed_into_place_and_equal_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adopted: list[str] = []
    real = write._Staging.adopt

    def counting(self: write._Staging, path: str, *args: str) -> None:
        adopted.append(path)
        real(self, path, *args)

    monkeypatch.setattr(write._Staging, "adopt", counting)
    site = stories(tmp_path / "site")
    assert build(site, "--jobs", "2").code == 0
    assert "2026/01/01/story-0/index.html" in adopted  # made in a worker, written from disk
    # Feeds, sitemaps and the search index wait on disk too, whichever process made them.
    assert {"feed.xml", "rss.xml", "feed.json", "sitemap.xml"} <= set(adopted)
    assert "pagefind/2026/pagefind-entry.json" in adopted
    assert spooled_files(site) == []
    one = stories(tmp_path / "one")
    assert build(one, "--jobs", "1", "--no-cache").code == 0
    assert snapshot(site / "output").keys() == snapshot(one / "output").keys()
    assert output_files(site / "output") == output_files(one / "output")
    modes = {v[2] for v in snapshot(site / "output").values()}
    assert modes == {v[2] for v in snapshot(one / "output").values()}
    # Again after an edit: the pages that changed come from the spool, the rest stay.
    adopted.clear()
    story = site / "content/articles/2026/story-4.md"
    story.write_text(story.read_text("utf-8") + "\nA late line.\n", "utf-8")
    assert build(site, "--jobs", "2").code == 0
    assert "2026/01/05/story-4/index.html" in adopted
    assert "feed.xml" in adopted  # the story is among the newest
    assert "2026/01/01/story-0/index.html" not in adopted
    assert spooled_files(site) == []
    (one / "content/articles/2026/story-4.md").write_text(story.read_text("utf-8"), "utf-8")
    assert build(one, "--jobs", "1", "--no-cache").code == 0
    assert output_files(site / "output") == output_files(one / "output")


def test_a_build_that_fails_after_spooling_leaves_the_output_and_no_spool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = stories(tmp_path / "site")
    assert build(site, "--jobs", "2").code == 0
    before = snapshot(site / "output")
    story = site / "content/articles/2026/story-4.md"
    story.write_text(story.read_text("utf-8").replace("Story number 4", "Story four"), "utf-8")

    def fail(*args: object) -> dict[str, bytes]:
        raise OSError("disk full")

    monkeypatch.setattr(gen.outputs.pagefind_run, "run_pagefind", fail)
    run = build(site, "--jobs", "2")
    assert run.code == 1
    assert "the search index could not be built (OSError: disk full)" in run.err
    assert snapshot(site / "output") == before  # not a byte, mode nor timestamp changed
    assert spooled_files(site) == []


def test_a_spool_folder_left_by_a_build_that_stopped_is_removed(tmp_path: Path) -> None:
    site = stories(tmp_path / "site")
    left = site / ".cache/spool/999999999-0123456789ab"
    left.mkdir(parents=True)
    (left / "7.html").write_bytes(b"<p>half a build</p>")
    assert build(site, "--jobs", "2").code == 0
    assert not left.exists()


def test_pages_are_not_spooled_to_another_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, out = tmp_path / "site/.cache", tmp_path / "output"
    assert spool_folder(cache, out) is not None
    assert spool_folder(None, out) is None
    devices = {cache: 1, out: 2}
    monkeypatch.setattr(gen.outputs.spool, "_device", lambda path: devices[path])
    assert spool_folder(cache, out) is None


def test_pages_are_not_spooled_through_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = tmp_path / "site/.cache"
    cache.mkdir(parents=True)
    (cache / "spool").symlink_to(elsewhere)
    assert spool_folder(cache, tmp_path / "output") is None
    linked = tmp_path / "linked-cache"
    linked.symlink_to(elsewhere)
    assert spool_folder(linked, tmp_path / "output") is None
