"""The watcher: which changes count, bursts batched, one follow-up build, failures survived."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gen.preview.serve import LiveReload
from gen.preview.watch import ChangeQueue, Watcher, source_path
from tests.conftest import (
    CLOCK,
    Child,
    PreviewStarter,
    article,
    make_site,
    output_files,
    vim_save,
    wait_until,
)

QUIET = 0.05


class Recorder:
    """A stand-in build: records each batch of changed paths, optionally held until released."""

    def __init__(self) -> None:
        self.batches: list[frozenset[str]] = []
        self.started = threading.Semaphore(0)
        self.hold: threading.Event | None = None
        self.lock = threading.Lock()

    def __call__(self, changed: frozenset[str]) -> None:
        self.started.release()
        if self.hold is not None:
            self.hold.wait(30)
        with self.lock:
            self.batches.append(changed)

    @property
    def builds(self) -> int:
        with self.lock:
            return len(self.batches)

    def changed_since_first(self) -> set[str]:
        with self.lock:
            return set().union(*self.batches[1:])


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Path, Recorder]]:
    """A real site watched by inotify, with a recording stand-in for the build."""
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    recorder = Recorder()
    watcher = Watcher(site, recorder, quiet=QUIET)
    watcher.start()
    assert wait_until(lambda: recorder.builds == 1)
    yield site.resolve(), recorder
    watcher.stop()


@pytest.mark.parametrize(
    "rel",
    [
        "content/articles/a.md~",
        "content/articles/.a.md.swp",
        "content/articles/.a.md.swx",
        "content/articles/4913",
        "content/articles/a.md___jb_tmp___",
        "content/articles/a.md___jb_old___",
        "content/articles/.#a.md",
        "content/articles/#a.md#",
        "content/articles/a.md.tmp",
        "content/.git/index",
        ".git/HEAD",
        ".cache/build.sqlite",
        "output/index.html",
        "README.md",
        "notes/todo.md",
    ],
)
def test_ignores_temporary_and_foreign_files(tmp_path: Path, rel: str) -> None:
    assert source_path(tmp_path, str(tmp_path / rel)) is None


@pytest.mark.parametrize(
    "rel",
    ["site.yaml", "content", "content/articles/2026/a.md", "themes/default/static/style.css"],
)
def test_sources_count(tmp_path: Path, rel: str) -> None:
    assert source_path(tmp_path, str(tmp_path / rel)) == rel


def test_editor_temporary_files_cause_no_build(watched: tuple[Path, Recorder]) -> None:
    site, recorder = watched
    folder = site / "content/articles"
    for name in ("a.md~", ".a.md.swp", ".a.md.swx", "4913", "a.md___jb_tmp___", ".#a.md", "x.tmp"):
        (folder / name).write_text("scratch", encoding="utf-8")
        (folder / name).unlink()
    (folder / "b.md").write_text(article("Second"), encoding="utf-8")  # the one real change
    assert wait_until(lambda: recorder.builds == 2)
    assert recorder.batches[1] == {"content/articles/b.md"}


def test_vim_style_save_is_a_change(watched: tuple[Path, Recorder]) -> None:
    site, recorder = watched
    vim_save(site / "content/articles/a.md", article("Edited"))
    assert wait_until(lambda: recorder.builds == 2)
    assert recorder.batches[1] == {"content/articles/a.md"}


def test_move_is_a_change_at_both_ends(watched: tuple[Path, Recorder]) -> None:
    site, recorder = watched
    (site / "content/articles/a.md").rename(site / "content/articles/renamed.md")
    assert wait_until(lambda: recorder.builds == 2)
    assert recorder.batches[1] == {"content/articles/a.md", "content/articles/renamed.md"}


def test_delete_and_recreate_is_a_change(watched: tuple[Path, Recorder]) -> None:
    site, recorder = watched
    path = site / "content/articles/a.md"
    path.unlink()
    path.write_text(article("Recreated"), encoding="utf-8")
    assert wait_until(lambda: "content/articles/a.md" in recorder.changed_since_first())


def test_site_yaml_and_templates_are_watched(watched: tuple[Path, Recorder]) -> None:
    site, recorder = watched
    vim_save(site / "site.yaml", (site / "site.yaml").read_text(encoding="utf-8") + "\n")
    template = site / "themes/default/templates/base.html"
    template.parent.mkdir(parents=True)  # themes/ did not exist when watching began
    assert wait_until(lambda: "themes" in recorder.changed_since_first())
    template.write_text("{% block main %}{% endblock %}", encoding="utf-8")
    assert wait_until(
        lambda: (
            {"site.yaml", "themes/default/templates/base.html"} <= recorder.changed_since_first()
        )
    )


def test_burst_of_200_files_builds_at_most_twice(watched: tuple[Path, Recorder]) -> None:
    site, recorder = watched
    names = {f"content/articles/burst/{n:03}.md" for n in range(200)}
    (site / "content/articles/burst").mkdir()
    for name in sorted(names):
        (site / name).write_text(article(name), encoding="utf-8")
    assert wait_until(lambda: names <= recorder.changed_since_first())
    # Give a stray third build the time it would need to show up: a few quiet periods.
    assert not wait_until(lambda: recorder.builds > 3, timeout=QUIET * 6)
    assert recorder.builds - 1 <= 2


def test_change_during_build_causes_exactly_one_follow_up(
    watched: tuple[Path, Recorder],
) -> None:
    site, recorder = watched
    recorder.hold = threading.Event()
    recorder.started = threading.Semaphore(0)  # count from here, not from the first build
    (site / "content/articles/a.md").write_text(article("First"), encoding="utf-8")
    assert recorder.started.acquire(timeout=10)  # the second build is running (and held)
    for n in range(3):
        (site / f"content/articles/during-{n}.md").write_text(article(f"D{n}"), encoding="utf-8")
    recorder.hold.set()
    assert wait_until(lambda: recorder.builds == 3)
    assert not wait_until(lambda: recorder.builds > 3, timeout=QUIET * 6)
    assert recorder.batches[2] == {f"content/articles/during-{n}.md" for n in range(3)}


def test_queue_waits_for_quiet_but_not_forever() -> None:
    queue = ChangeQueue(quiet=0.05, max_wait=0.2)
    stop = threading.Event()

    def trickle() -> None:  # a change every 10 ms would starve a quiet-only debounce
        while not stop.wait(0.01):
            queue.add(["content/x.md"])

    thread = threading.Thread(target=trickle)
    thread.start()
    try:
        assert queue.take() == {"content/x.md"}
    finally:
        stop.set()
        thread.join()
    queue.close()
    assert queue.take() is None


def test_polling_observer_sees_changes(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    recorder = Recorder()
    watcher = Watcher(site, recorder, poll=True, quiet=QUIET)
    watcher.start()
    try:
        assert wait_until(lambda: recorder.builds == 1)
        vim_save(site / "content/articles/a.md", article("Polled"))
        assert wait_until(lambda: "content/articles/a.md" in recorder.changed_since_first())
    finally:
        watcher.stop()


def test_failed_build_keeps_output_and_next_good_save_recovers(
    tmp_path: Path, start_preview: PreviewStarter
) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    preview = start_preview(site, serve=False)
    assert preview.failures == 0
    before = output_files(site / "output")
    vim_save(site / "content/articles/a.md", article(extra="titel: typo\n"))
    assert preview.wait_for_builds(2, 30)
    assert preview.failures == 1
    assert output_files(site / "output") == before
    vim_save(site / "content/articles/a.md", article("Recovered by itself"))
    assert preview.wait_for_builds(3, 30)
    assert preview.failures == 1
    page = (site / "output/2026/01/06/a/index.html").read_text(encoding="utf-8")
    assert "Recovered by itself" in page


def test_a_text_edit_rebuilds_only_what_shows_the_story(
    tmp_path: Path, start_preview: PreviewStarter
) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article("Talks in Kyiv", extra="tags: [kyiv]\n"),
            "content/articles/b.md": article(
                "Grain", date="2026-02-01T08:00:00+02:00", extra="tags: [kyiv]\n"
            ),
        },
    )
    preview = start_preview(site, serve=False)
    vim_save(
        site / "content/articles/a.md", article("Talks resume in Kyiv", extra="tags: [kyiv]\n")
    )
    assert preview.wait_for_builds(2, 30)
    assert preview.last is not None and preview.last.partial
    assert preview.last.rendered < preview.last.pages
    for page in ("2026/01/06/a/index.html", "2026/02/01/b/index.html", "tag/kyiv/index.html"):
        assert "Talks resume in Kyiv" in (site / "output" / page).read_text(encoding="utf-8")


def test_failed_build_reaches_open_pages_with_path_and_line() -> None:
    live = LiveReload()
    inbox = live.subscribe()
    assert "event: hello" in str(inbox.get(timeout=1))
    live.failed(["content/articles/a.md:6: unknown front matter key 'titel'"])
    message = str(inbox.get(timeout=1))
    assert message.startswith("event: failed\n")
    assert "content/articles/a.md:6: unknown front matter key 'titel'" in message
    live.built(changed=True)
    assert str(inbox.get(timeout=1)).startswith("event: reload\n")


def test_watch_command_rebuilds_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    child = Child("watch", "--site", str(site), "--clock", CLOCK)
    try:
        assert child.line().startswith("Built 1 article:")
        assert child.line().startswith("Watching for changes")
        vim_save(site / "content/articles/a.md", article("Edited"))
        assert child.line().startswith("content/articles/a.md changed: Built")
        code, err = child.interrupt()
    finally:
        child.kill()
    assert code == 0
    assert "Traceback" not in err
