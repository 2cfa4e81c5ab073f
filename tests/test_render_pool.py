"""A build's pages made on a pool of forked processes: the same bytes, memo and problems as
when one process makes them (gen.pages.render, `workers`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from gen.pages import render
from gen.pages.theme import DEFAULT_THEME_DIR
from tests.conftest import CLOCK, REPO, article, build, make_site, output_files, run_cli


@pytest.fixture(autouse=True)
def pool_for_every_site(monkeypatch: pytest.MonkeyPatch) -> None:
    # Four hundred pages is the threshold in use; here any site's pages go to the pool.
    monkeypatch.setattr(render, "RENDER_PARALLEL_MIN", 1)
    monkeypatch.setattr(render, "RENDER_CHUNK", 3)


def stories(root: Path, count: int = 12) -> Path:
    files = {
        f"content/articles/2026/story-{i}.md": article(
            f"Story number {i}",
            date=f"2026-01-{i + 1:02d}T09:00:00+02:00",
            section=("diplomacy", "conflict")[i % 2],
            extra=f"tags: [kyiv, t{i % 3}]\n",
        )
        for i in range(count)
    }
    return make_site(root, files)


def test_pages_made_on_the_pool_equal_one_process(tmp_path: Path) -> None:
    one = stories(tmp_path / "one")
    two = stories(tmp_path / "two")
    assert build(one, "--jobs", "1").code == 0
    assert build(two, "--jobs", "2").code == 0
    assert output_files(one / "output") == output_files(two / "output")
    # The page memo the next build keeps pages by is the same too: each page's output hash,
    # indexed digest and recorded reads. (The inputs digest of a page that read a value the
    # digests do not know, /archive/, is random by design in either case: it is made again.)
    memo_one, memo_two = (
        json.loads(next((site / ".cache").glob("pages-*.json")).read_text("utf-8"))["pages"]
        for site in (one, two)
    )
    assert {k: v[1:] for k, v in memo_one.items()} == {k: v[1:] for k, v in memo_two.items()}
    same = [k for k in memo_one if memo_one[k][0] == memo_two[k][0]]
    assert set(memo_one) - set(same) <= {"/archive/"}


def test_a_warm_build_on_the_pool_keeps_and_remakes_as_one_process_does(tmp_path: Path) -> None:
    site = stories(tmp_path / "site")
    assert build(site, "--jobs", "2").code == 0
    story = site / "content/articles/2026/story-3.md"
    story.write_text(story.read_text("utf-8").replace("Story number 3", "Story three"), "utf-8")
    run = build(site, "--jobs", "2")
    assert run.code == 0
    assert "0 files written" not in run.out
    clean = stories(tmp_path / "clean")
    (clean / "content/articles/2026/story-3.md").write_text(story.read_text("utf-8"), "utf-8")
    assert build(clean, "--no-cache", "--jobs", "1").code == 0
    assert output_files(site / "output") == output_files(clean / "output")


def test_a_template_error_in_a_worker_is_reported_as_in_one_process(tmp_path: Path) -> None:
    errors = []
    for jobs in ("1", "2"):
        site = stories(tmp_path / f"jobs-{jobs}")
        theme = site / "themes/default/templates"
        theme.mkdir(parents=True)
        (theme / "_article_bottom.html").write_text(
            "{{ page.title.nope.deeper }}\n", encoding="utf-8"
        )
        run = build(site, "--jobs", jobs)
        assert run.code == 1
        assert not (site / "output").exists()
        errors.append(run.err.replace(str(site), "SITE"))
    assert errors[0] == errors[1]
    assert "_article_bottom.html:1:" in errors[0]
    assert "(rendering /2026/01/" in errors[0]


def test_an_unmarked_preview_page_from_a_worker_fails_the_preview(tmp_path: Path) -> None:
    site = stories(tmp_path / "site")
    base = (DEFAULT_THEME_DIR / "templates/base.html").read_text(encoding="utf-8")
    own = base.replace('{% if preview %}{% include "_preview_banner.html" %}{% endif %}\n', "")
    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "base.html").write_text(own, encoding="utf-8")
    result = run_cli("build", "--site", str(site), "--clock", CLOCK, "--preview", "--jobs", "2")
    assert result.code == 1
    assert "a preview page must be marked" in result.err
    assert not (site / "output").exists()


@pytest.mark.parametrize("jobs", [2, 3])
def test_the_building_process_renders_too_beside_one_fewer_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    # A forked worker ends up with its own copy of most of the model, so `--jobs N` forks
    # N - 1 of them and this process takes slices no worker has started. The workers' call
    # queue holds a few slices at most, so with many slices this process always gets some.
    made_by = tmp_path / "made-by"
    made_by.mkdir()
    real = render.Renderer.render_one

    def noting(self: render.Renderer, *args: object, **kwargs: object) -> object:
        (made_by / str(os.getpid())).touch()
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render.Renderer, "render_one", noting)
    site = stories(tmp_path / "site", count=20)
    assert build(site, "--jobs", str(jobs)).code == 0
    pids = {int(p.name) for p in made_by.iterdir()}
    assert os.getpid() in pids
    assert len(pids) <= jobs
    clean = stories(tmp_path / "clean", count=20)
    assert build(clean, "--jobs", "1").code == 0
    assert output_files(site / "output") == output_files(clean / "output")


def test_the_workers_are_forked_again_each_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a worker writes to, the kernel copies for it; a worker lives for one round of
    # RENDER_ROUND pages, so those copies do not pile up over a large build.
    monkeypatch.setattr(render, "RENDER_ROUND", 12)
    made_by = tmp_path / "made-by"
    made_by.mkdir()
    real = render.Renderer.render_one
    here = os.getpid()

    def noting(self: render.Renderer, *args: object, **kwargs: object) -> object:
        (made_by / str(os.getpid())).touch()
        if os.getpid() == here:
            time.sleep(0.02)  # leaves the worker its share of each round's few slices
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render.Renderer, "render_one", noting)
    site = stories(tmp_path / "site", count=20)
    assert build(site, "--jobs", "2").code == 0
    workers = {int(p.name) for p in made_by.iterdir()} - {here}
    assert len(workers) >= 2  # one worker at a time, a new one each round
    clean = stories(tmp_path / "clean", count=20)
    assert build(clean, "--jobs", "1").code == 0
    assert output_files(site / "output") == output_files(clean / "output")


def test_the_readme_gives_the_round_in_use() -> None:
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"forked again every {render.RENDER_ROUND:,} pages" in readme
