"""A build that finds nothing changed replays the last build's result (gen.engine.unchanged),
and any change, however it hides, makes a real build whose output equals a clean one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CLOCK, REPO, article, build, make_site, output_files

from gen.engine import unchanged

LATER = "2026-11-27T13:00:00+02:00"
REPLAYED = "timings: unchanged"


@pytest.fixture(autouse=True)
def short_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # A second in real use; here a tenth, and every test waits past it before building.
    monkeypatch.setattr(unchanged, "RACY_NS", 100_000_000)


def settle() -> None:
    time.sleep(0.15)


def site_with_stories(root: Path, **extra: str) -> Path:
    files = {
        "content/articles/2026/allies.md": article(),
        "content/articles/2026/grain.md": article(
            "Grain leaves Odesa", date="2026-01-05T08:00:00+02:00", section="conflict"
        ),
        **extra,
    }
    return make_site(root, files)


def built(site: Path, *args: str) -> tuple[str, str]:
    run = build(site, "--timings", *args)
    assert run.code == 0, run.err
    return run.out, run.err


def clean_build(site: Path, tmp_path: Path, *args: str) -> dict[str, bytes]:
    copy = tmp_path / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".cache"))
    run = build(copy, "--no-cache", *args)
    assert run.code == 0, run.err
    return output_files(copy / "output")


def test_a_build_with_nothing_changed_replays_the_last_one(tmp_path: Path) -> None:
    site = site_with_stories(
        tmp_path / "site",
        **{
            "content/articles/_index.md": "Hugo's section page\n",
            "content/articles/2027/spring.md": article(
                "Five questions for the spring", date="2027-03-01T08:00:00+02:00"
            ),
        },
    )
    settle()
    first_out, first_err = built(site)
    before = output_files(site / "output")
    assert REPLAYED not in first_err
    # --timings: each stage's seconds, in the order they ran, and the total; then the
    # search index's own time, which ran beside the stages after render.
    (line,) = [x for x in first_err.splitlines() if x.startswith("timings: ")]
    names = line.split()[1::2]
    assert names == [
        "config", "read", "markup", "assemble", "images", "render", "search", "feeds",
        "check", "write", "total", "index",
    ]  # fmt: skip
    seconds = dict(zip(names, map(float, line.split()[2::2]), strict=True))
    assert all(value >= 0 for value in seconds.values())
    # (its end is noted on its own thread, as the writer stops waiting: a moment apart)
    assert seconds["search"] <= seconds["index"] + 0.005
    assert seconds["index"] <= seconds["total"]
    again_out, again_err = built(site)
    assert REPLAYED in again_err
    # What a build that kept every file says (but the time), the same warning, the same
    # next scheduled story.
    files = len(before) - 1  # but the manifest
    assert f"Built 2 articles: 0 files written, {files} unchanged, 0 removed in" in again_out
    assert f"Built 2 articles: {files} files written" in first_out
    assert "next scheduled article: content/articles/2027/spring.md" in again_out
    warning = "content/articles/_index.md: Hugo's section page (_index.md) is not used"
    assert warning in first_err
    assert warning in again_err
    assert output_files(site / "output") == before
    # `dateline due` counts a replayed build as a build.
    schedule = json.loads((site / ".cache" / "schedule.json").read_text("utf-8"))
    assert schedule["built"] == CLOCK


def test_an_edit_that_keeps_the_size_and_time_is_seen(tmp_path: Path) -> None:
    site = site_with_stories(tmp_path / "site")
    story = site / "content/articles/2026/allies.md"
    settle()
    built(site)
    built(site)  # replayed
    st = story.stat()
    text = story.read_text("utf-8")
    story.write_text(text.replace("Allies meet", "Allies MEET"), encoding="utf-8")
    os.utime(story, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same size and mtime
    assert story.stat().st_size == st.st_size
    settle()
    _, err = built(site)
    assert REPLAYED not in err
    assert output_files(site / "output") == clean_build(site, tmp_path)
    assert "Allies MEET" in (site / "output/2026/01/06/allies/index.html").read_text("utf-8")


@pytest.mark.parametrize("change", ["edit", "delete", "add"])
def test_a_changed_output_folder_is_built_again(tmp_path: Path, change: str) -> None:
    site = site_with_stories(tmp_path / "site")
    settle()
    built(site)
    page = site / "output/2026/01/06/allies/index.html"
    if change == "edit":
        page.write_text("defaced", encoding="utf-8")
    elif change == "delete":
        page.unlink()
    else:
        (site / "content/articles/2026/new.md").write_text(
            article("A new story", date="2026-01-07T08:00:00+02:00"), encoding="utf-8"
        )
    settle()
    _, err = built(site)
    assert REPLAYED not in err
    assert output_files(site / "output") == clean_build(site, tmp_path)


def test_the_clock_reaching_an_embargo_builds_again(tmp_path: Path) -> None:
    site = site_with_stories(
        tmp_path / "site",
        **{
            "content/articles/2026/later.md": article(
                "Talks resume", date="2026-11-27T12:30:00+02:00"
            ),
        },
    )
    settle()
    built(site)
    assert REPLAYED in built(site)[1]
    run = build(site, "--timings", "--clock", LATER)  # after the embargo lifts
    assert run.code == 0
    assert REPLAYED not in run.err
    assert (site / "output/2026/11/27/later/index.html").is_file()
    assert output_files(site / "output") == clean_build(site, tmp_path, "--clock", LATER)


@pytest.mark.parametrize(
    "args", [("--base-url", "https://mirror.example.net/"), ("--no-check",), ("--drafts",)]
)
def test_other_options_build_again(tmp_path: Path, args: tuple[str, ...]) -> None:
    site = site_with_stories(tmp_path / "site")
    settle()
    built(site)
    _, err = built(site, *args)
    assert REPLAYED not in err
    assert output_files(site / "output") == clean_build(site, tmp_path, *args)


def test_a_forged_or_foreign_record_is_not_replayed(tmp_path: Path) -> None:
    site = site_with_stories(tmp_path / "site")
    settle()
    built(site)
    record = site / ".cache" / "unchanged.json"
    stored = json.loads(record.read_text("utf-8"))
    data = json.loads(stored["record"])
    data["articles"] = 99
    record.write_text(json.dumps({**stored, "record": json.dumps(data)}), encoding="utf-8")
    out, err = built(site)
    assert REPLAYED not in err
    assert "Built 2 articles" in out


def test_a_change_just_before_the_build_is_never_taken_as_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file system's clock ticks coarsely: a save in the same tick as the listing, made
    # after it, would keep every time the listing saw. Files changed within RACY_NS of the
    # listing make the next build a real one.
    monkeypatch.setattr(unchanged, "RACY_NS", 3_600 * 1_000_000_000)
    site = site_with_stories(tmp_path / "site")
    built(site)
    _, err = built(site)
    assert REPLAYED not in err


def test_a_theme_template_change_builds_again(tmp_path: Path) -> None:
    site = site_with_stories(tmp_path / "site")
    theme = site / "themes/site/templates"
    theme.mkdir(parents=True)
    (site / "site.yaml").write_text(
        (site / "site.yaml").read_text("utf-8") + "theme: site\n", encoding="utf-8"
    )
    settle()
    built(site)
    (theme / "_article_bottom.html").write_text("<p>Edited theme</p>\n", encoding="utf-8")
    settle()
    _, err = built(site)
    assert REPLAYED not in err
    assert output_files(site / "output") == clean_build(site, tmp_path)
    assert "Edited theme" in (site / "output/2026/01/06/allies/index.html").read_text("utf-8")


def test_a_replayed_build_loads_none_of_the_build(tmp_path: Path) -> None:
    # Start-up is most of a no-change build of a small site: the replay imports only what it
    # reads (no pipeline, Jinja, Markdown, Pillow or YAML parser).
    site = site_with_stories(tmp_path / "site")
    time.sleep(1.1)  # the subprocess has the real racy window of a second
    built(site)
    code = (
        "import sys; from gen.cli import main; "
        f"main(['build', '--site', {str(site)!r}, '--clock', {CLOCK!r}, '--timings']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('gen', 'jinja2', 'markdown', 'PIL', 'yaml', 'cmarkgfm')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert REPLAYED in run.stderr
    loaded = run.stdout.strip().splitlines()[-1]
    for heavy in ("gen.pipeline", "jinja2", "markdown", "PIL", "yaml", "gen.model"):
        assert f"'{heavy}'" not in loaded
