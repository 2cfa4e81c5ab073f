"""A story in a folder of its own (a Hugo page bundle): content/articles/my-story/index.md
takes its slug from the folder, and the files beside it are its own (issue 15, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.errors import ErrorReport
from gen.source.read import read_tree, story_folder
from tests.conftest import TINY_PNG, article, build, make_site, png
from tests.test_hostile_fields import LIVE_INDEX, live_update

BUNDLE = "content/articles/2016-01-18-my-story"
STORY = article(
    "A story in its own folder",
    extra="image:\n  src: photo.png\n  alt: A grey square\n  credit: Us\n",
    body="Text.\n\n![A map](./maps/map.png)\n\n[The report](report.pdf).\n",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(
        tmp_path_factory.mktemp("bundle"),
        {
            f"{BUNDLE}/index.md": STORY,
            f"{BUNDLE}/photo.png": png(40, 30),
            f"{BUNDLE}/maps/map.png": TINY_PNG,
            f"{BUNDLE}/report.pdf": b"%PDF-1.4\n",
            "content/articles/other/index.md": article(
                "Another", body="![Same name, other story](photo.png)\n"
            ),
            "content/articles/other/photo.png": TINY_PNG,
            "content/articles/world/_index.md": "---\ntitle: World\n---\n",
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        "content/articles/world/_index.md: Hugo's section page (_index.md) is not used by "
        "Dateline, so it is left out: sections are declared in site.yaml; remove the file "
        "(warning)"
    ]
    return site / "output"


def test_the_folder_names_the_story(built: Path) -> None:
    assert (built / "2026/01/06/my-story/index.html").is_file()
    assert not (built / "2026/01/06/index").exists()


def test_files_beside_the_story_are_published_under_its_folder(built: Path) -> None:
    page = (built / "2026/01/06/my-story/index.html").read_text(encoding="utf-8")
    assert 'src="/articles/2016-01-18-my-story/photo-png-' in page or (
        "/articles/2016-01-18-my-story/photo" in page
    )
    assert '<a href="/articles/2016-01-18-my-story/report.pdf">The report</a>' in page
    assert (built / "articles/2016-01-18-my-story/report.pdf").read_bytes() == b"%PDF-1.4\n"
    published = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    assert any(p.startswith("articles/2016-01-18-my-story/photo") for p in published)
    assert any(p.startswith("articles/2016-01-18-my-story/maps/map") for p in published)
    assert "<picture>" in page.split("</h1>", 1)[1]  # the body's map became a picture


def test_two_stories_may_each_have_a_photo_png(built: Path) -> None:
    page = (built / "2026/01/06/other/index.html").read_text(encoding="utf-8")
    assert "/articles/other/photo" in page
    assert "/articles/2016-01-18-my-story/photo" not in page


def test_a_missing_file_beside_the_story_says_where_it_was_looked_for(tmp_path: Path) -> None:
    site = make_site(
        tmp_path, {"content/articles/my-story/index.md": article(body="![A map](map.png)\n")}
    )
    result = build(site)
    assert result.code == 1
    assert result.err.splitlines()[:-1] == [
        "content/articles/my-story/index.md:8: image 'map.png' does not exist beside the story "
        "(content/articles/my-story/) or under content/; did you mean 'images/photo.png'?"
    ]


def test_files_outside_a_story_folder_under_articles_are_not_read(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/2026/a.md": article(),
            "content/articles/2026/notes.txt": "private",
            "content/articles/b/index.md": article(),
            "content/articles/b/sub/c.png": TINY_PNG,
        },
    )
    tree = read_tree(site, ErrorReport())
    assert sorted(a.path for a in tree.assets) == ["articles/b/sub/c.png", "images/photo.png"]


def test_a_live_blogs_update_shows_a_photo_from_the_blogs_folder(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/live/strikes/index.md": LIVE_INDEX.format(extra=""),
            "content/live/strikes/u1.md": live_update(body="![Smoke](smoke.png)\n"),
            "content/live/strikes/smoke.png": TINY_PNG,
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    page = (site / "output/live/strikes/index.html").read_text(encoding="utf-8")
    assert 'src="/live/strikes/smoke.png"' in page


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        ("content/articles/my-story/index.md", "articles/my-story/"),
        ("content/articles/my-story/INDEX.markdown", "articles/my-story/"),
        ("content/articles/index.md", ""),
        ("content/articles/2026/kyiv-talks.md", ""),
        ("content/live/strikes/index.md", "live/strikes/"),
        ("content/live/strikes/0900/siren.md", "live/strikes/"),
    ],
)
def test_story_folder(path: str, folder: str) -> None:
    assert story_folder(path) == folder
