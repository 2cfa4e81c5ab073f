"""Finding sources and splitting them into front matter (with file lines) and body."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.errors import ErrorReport
from gen.source.read import read_source, read_tree, split_source
from gen.source.walk import is_ignored, walk_files
from tests.conftest import TINY_PNG, article, make_site


def split(text: str) -> tuple[object, ErrorReport]:
    report = ErrorReport()
    return split_source("content/articles/a.md", text, report), report


def test_front_matter_keys_keep_their_file_lines() -> None:
    text = "---\ntitle: A\nauthor: b\nimage:\n  src: x.png\ntags:\n  - one\n---\nBody\n"
    doc, report = split(text)
    assert not report.errors
    lines = text.splitlines()
    for key, expected in [(("title",), "title: A"), (("image", "src"), "  src: x.png")]:
        assert lines[doc.front.line(*key) - 1] == expected
    assert lines[doc.front.line("tags", 0) - 1] == "  - one"


def test_a_bad_key_is_reported_at_its_line_in_the_file(tmp_path: Path) -> None:
    text = "---\ntitle: A\nauthor: b\n\nsummary: fine\ntags: [one, two\n---\nBody\n"
    path = tmp_path / "content/articles/a.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    report = ErrorReport()
    assert read_source(path, tmp_path, report) is None
    [problem] = report.errors
    assert problem.path == "content/articles/a.md"
    assert text.splitlines()[problem.line - 1] == "tags: [one, two"
    assert str(problem).startswith("content/articles/a.md:6: front matter: YAML does not parse")


def test_blank_lines_after_the_opening_dashes_do_not_shift_key_lines() -> None:
    text = "---\n\ntitle: A\nbogus: 1\n---\nBody\n"
    doc, _ = split(text)
    assert text.splitlines()[doc.front.line("bogus") - 1] == "bogus: 1"


def test_body_follows_the_closing_dashes() -> None:
    doc, _ = split("---\ntitle: A\n---\n\nFirst paragraph.\n")
    assert doc.body.strip() == "First paragraph."
    assert doc.front.data == {"title": "A"}


def test_reports_a_file_without_front_matter() -> None:
    doc, report = split("# Just a heading\n\nText.\n")
    assert doc is None
    assert [str(p) for p in report.errors] == [
        "content/articles/a.md:1: no front matter: the file must start with a '---' line"
    ]


def test_reports_unclosed_front_matter() -> None:
    doc, report = split("---\ntitle: A\n\nText.\n")
    assert doc is None
    assert [str(p) for p in report.errors] == [
        "content/articles/a.md:1: front matter is not closed: add a '---' line after it"
    ]


def test_refuses_python_tags_in_front_matter_at_their_line() -> None:
    doc, report = split("---\ntitle: A\nsummary: !!python/name:os.system\n---\n")
    assert doc is None
    [problem] = report.errors
    assert problem.line == 3
    assert problem.message.startswith("front matter: YAML tag '!!python/name:os.system' is refused")


def test_reports_a_file_that_is_not_utf8_at_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "content/articles/a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"---\ntitle: A\n---\n\nCaf\xe9 text.\n")
    report = ErrorReport()
    assert read_source(path, tmp_path, report) is None
    assert [str(p) for p in report.errors] == [
        "content/articles/a.md:5: file is not UTF-8 text (save it as UTF-8)"
    ]


def test_byte_order_mark_and_windows_line_ends_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "content/articles/a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("\ufeff---\r\ntitle: A\r\nauthor: b\r\n---\r\n\r\nText.\r\n".encode())
    report = ErrorReport()
    doc = read_source(path, tmp_path, report)
    assert not report.errors
    assert doc is not None
    assert doc.front.data == {"title": "A", "author": "b"}
    assert doc.front.line("author") == 3
    assert "\r" not in doc.body


@pytest.mark.parametrize(
    "name", [".hidden.md", "#draft.md#", "~lock.md", "a.md~", "a.md.swp", "a.swx", "a.tmp", "4913"]
)
def test_ignores_editor_and_system_litter(name: str) -> None:
    assert is_ignored(name)


@pytest.mark.parametrize("name", ["kyiv-talks.md", "photo.png", "index.md"])
def test_keeps_ordinary_files(name: str) -> None:
    assert not is_ignored(name)


def test_walk_files_is_sorted_and_skips_hidden_folders(tmp_path: Path) -> None:
    for rel in ["b/2.md", "a/1.md", "a/0.md", ".git/x.md", "a/.#0.md", "c.md"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in walk_files(tmp_path)]
    assert found == ["a/0.md", "a/1.md", "b/2.md", "c.md"]


def test_walk_files_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert walk_files(tmp_path / "nowhere") == []


def test_read_tree_finds_articles_authors_and_assets(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/2026/b.md": article("B"),
            "content/articles/2026/a.markdown": article("A"),
            "content/articles/2026/notes.txt": "not an article",
            "content/articles/2026/a.md~": article("Backup"),
            "content/authors/olena.yml": "name: Olena\n",
            "content/files/report.pdf": b"%PDF-1.4",
        },
    )
    report = ErrorReport()
    tree = read_tree(site, report)
    assert not report.errors
    assert [a.path for a in tree.articles] == [
        "content/articles/2026/a.markdown",
        "content/articles/2026/b.md",
    ]
    assert [a.path for a in tree.authors] == [
        "content/authors/david-okafor.yaml",
        "content/authors/olena.yml",
    ]
    assert {a.path: a.data for a in tree.assets} == {
        "files/report.pdf": b"%PDF-1.4",
        "images/photo.png": TINY_PNG,
    }


def test_read_tree_collects_every_broken_file(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": "no front matter\n",
            "content/articles/b.md": "---\ntitle: [\n---\n",
            "content/authors/x.yaml": "name: [\n",
        },
    )
    report = ErrorReport()
    tree = read_tree(site, report)
    assert tree.articles == ()
    assert [p.path for p in report.errors] == [
        "content/articles/a.md",
        "content/articles/b.md",
        "content/authors/x.yaml",
    ]


def test_blank_lines_before_the_opening_dashes_are_accepted_at_true_lines() -> None:
    text = "\n  \n---\ntitle: A\nbogus: 1\n---\nBody\n"
    doc, report = split(text)
    assert not report.errors
    assert text.splitlines()[doc.front.line("bogus") - 1] == "bogus: 1"
    plain, _ = split(text.lstrip(" \n"))
    assert doc.body == plain.body
    assert doc.body_line == plain.body_line + 2


def test_a_bom_and_blank_lines_before_the_front_matter_keep_error_lines(tmp_path: Path) -> None:
    text = "\ufeff\n\n---\ntitle: A\ntags: [one, two\n---\nBody\n"
    path = tmp_path / "content/articles/a.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    report = ErrorReport()
    assert read_source(path, tmp_path, report) is None
    [problem] = report.errors
    assert text.splitlines()[problem.line - 1] == "tags: [one, two"


def test_unclosed_front_matter_after_blank_lines_is_reported_at_its_opening() -> None:
    doc, report = split("\n\n---\ntitle: A\n\nText.\n")
    assert doc is None
    assert [str(p) for p in report.errors] == [
        "content/articles/a.md:3: front matter is not closed: add a '---' line after it"
    ]
