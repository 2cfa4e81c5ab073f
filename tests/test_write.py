"""Writing the output: atomic, only changed bytes, stale files removed, never outside."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gen.errors import ConfigError
from gen.model import OutputFile
from gen.outputs.state import MANIFEST, Manifest, atomic_write, check_output_dir
from gen.outputs.write import safe_target, write_output
from tests.conftest import article, build, make_site, output_files


def files(pages: dict[str, str]) -> list[OutputFile]:
    return [OutputFile(path, text.encode()) for path, text in pages.items()]


def mtimes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def age(folder: Path) -> None:
    """Set every file's mtime an hour back, so a rewrite can't hide inside the clock's grain."""
    for p in folder.rglob("*"):
        if p.is_file():
            st = p.stat()
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - 3_600_000_000_000))


def test_writes_every_file_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = write_output(files({"index.html": "home", "a/index.html": "a"}), out)
    assert (result.written, result.unchanged, result.removed) == (2, 0, 0)
    assert output_files(out) == {
        MANIFEST: (out / MANIFEST).read_bytes(),
        "a/index.html": b"a",
        "index.html": b"home",
    }
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["a/index.html", "index.html"]


def test_unchanged_files_keep_their_mtime(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pages = files({"index.html": "home", "a/index.html": "a"})
    write_output(pages, out)
    age(out)
    before = mtimes(out)
    result = write_output(pages, out)
    assert (result.written, result.unchanged, result.removed) == (0, 2, 0)
    assert mtimes(out) == before


def test_a_changed_file_is_rewritten_and_only_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(files({"index.html": "home", "a/index.html": "a"}), out)
    age(out)
    before = mtimes(out)
    result = write_output(files({"index.html": "home", "a/index.html": "A!"}), out)
    assert (result.written, result.unchanged) == (1, 1)
    after = mtimes(out)
    assert after["index.html"] == before["index.html"]
    assert after["a/index.html"] != before["a/index.html"]
    assert (out / "a/index.html").read_bytes() == b"A!"


def test_a_file_edited_by_hand_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(files({"index.html": "home"}), out)
    (out / "index.html").write_bytes(b"hack")  # same size, other bytes
    result = write_output(files({"index.html": "home"}), out)
    assert result.written == 1
    assert (out / "index.html").read_bytes() == b"home"


def test_stale_files_and_their_empty_folders_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(files({"index.html": "home", "x/y/index.html": "old"}), out)
    result = write_output(files({"index.html": "home"}), out)
    assert result.removed == 1
    assert not (out / "x").exists()
    assert sorted(output_files(out)) == [MANIFEST, "index.html"]


def test_files_it_did_not_write_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(files({"index.html": "home"}), out)
    (out / "CNAME").write_text("news.example.org\n", encoding="utf-8")
    write_output(files({"other": "x"}), out)
    assert (out / "CNAME").is_file()
    assert not (out / "index.html").exists()


def test_a_manifest_naming_outside_paths_removes_nothing_outside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    manifest = {"files": {"../victim.txt": "0", "/etc/hostname": "0"}}
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    write_output(files({"index.html": "home"}), out)
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_a_corrupt_manifest_is_treated_as_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    result = write_output(files({"index.html": "home"}), out)
    assert result.written == 1


@pytest.mark.parametrize(
    "rel", ["../x", "a/../../x", "/etc/passwd", "", "a\\..\\x", "a\x00b", "..", "."]
)
def test_safe_target_refuses_paths_outside(tmp_path: Path, rel: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValueError, match="unsafe output path"):
        safe_target(out.resolve(), rel)


def test_safe_target_refuses_a_symlinked_folder_pointing_outside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "tag").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="unsafe output path"):
        safe_target(out.resolve(), "tag/index.html")
    with pytest.raises(ValueError, match="unsafe output path"):
        safe_target(out.resolve(), "tag/kyiv/index.html")


def test_writing_through_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "tag").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError) as refused:
        write_output(files({"index.html": "home", "tag/index.html": "x"}), out)
    assert [str(p) for p in refused.value.problems] == [
        "tag/index.html: cannot be written: the path leaves the output folder"
    ]
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["tag"]  # checked before anything is written


def test_a_kept_file_is_not_looked_for_but_nothing_is_written_through_a_symlink(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    first = write_output(
        files({"index.html": "home", "tag/index.html": "t", "tag/a.html": "a"}), out
    )
    # Someone swaps the folder for a link to a copy of it outside the output folder.
    outside = tmp_path / "outside"
    (out / "tag").rename(outside)
    (out / "tag").symlink_to(outside, target_is_directory=True)
    before = mtimes(outside)
    # A file the render stage kept is not written: the writer does not look at its folders.
    kept = [OutputFile("tag/index.html", b"", kept=first.state["tag/index.html"][0])]
    same = [OutputFile("tag/a.html", b"", kept=first.state["tag/a.html"][0])]
    result = write_output([*files({"index.html": "home 2"}), *kept, *same], out, None, first.state)
    assert result.written == 1 and mtimes(outside) == before
    # A file to be written there is refused, before anything is written.
    with pytest.raises(ConfigError) as refused:
        write_output(
            [*files({"index.html": "home 3", "tag/a.html": "b"}), *kept], out, None, result.state
        )
    assert [str(p) for p in refused.value.problems] == [
        "tag/a.html: cannot be written: the path leaves the output folder"
    ]
    assert mtimes(outside) == before and (out / "index.html").read_text() == "home 2"


def test_safe_target_accepts_nested_paths(tmp_path: Path) -> None:
    out = tmp_path.resolve()
    assert safe_target(out, "2026/01/06/x/index.html") == out / "2026/01/06/x/index.html"


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "a/b/index.html"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["index.html"]


def test_an_output_folder_with_foreign_files_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(ConfigError) as caught:
        check_output_dir(out, site)
    assert "has files Dateline did not write" in str(caught.value)


def test_an_empty_or_missing_output_folder_is_accepted(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty", site)
    check_output_dir(tmp_path / "missing", site)


@pytest.mark.parametrize("rel", [".", "..", "content", "content/out", "themes/x", ".git"])
def test_an_output_folder_over_the_sources_is_refused(tmp_path: Path, rel: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with pytest.raises(ConfigError, match="must not hold or be inside the site's sources"):
        check_output_dir(site / rel, site)


def test_builds_keep_unchanged_pages_and_rewrite_changed_ones(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article("A", section="conflict"),
            "content/articles/b.md": article("B", date="2026-01-07"),
        },
    )
    out = site / "output"
    assert build(site).code == 0
    age(out)
    before = mtimes(out)
    second = build(site)
    assert second.code == 0
    assert " 0 files written" in second.out
    assert mtimes(out) == before

    (site / "content/articles/a.md").write_text(
        article("A", section="conflict", body="New text.\n"), encoding="utf-8"
    )
    assert build(site).code == 0
    after = mtimes(out)
    assert after["2026/01/06/a/index.html"] != before["2026/01/06/a/index.html"]
    assert after["2026/01/07/b/index.html"] == before["2026/01/07/b/index.html"]
    assert after["static/style.css"] == before["static/style.css"]


def test_deleting_an_article_removes_its_pages(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article("A", extra="tags: [only-a]\n"),
            "content/articles/b.md": article("B", date="2026-01-07"),
        },
    )
    assert build(site).code == 0
    assert (site / "output/2026/01/06/a/index.html").is_file()
    assert (site / "output/tag/only-a/index.html").is_file()
    (site / "content/articles/a.md").unlink()
    result = build(site)
    assert result.code == 0
    assert not (site / "output/2026/01/06").exists()
    assert not (site / "output/tag/only-a").exists()
    manifest = json.loads((site / "output" / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(
        rel for rel in output_files(site / "output") if rel != MANIFEST
    )


def test_a_build_refuses_an_output_folder_with_foreign_files(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = build(site, "--output", str(out))
    assert result.code == 1
    assert f"{out}: the output folder has files Dateline did not write" in result.err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_the_manifest_kept_by_line_is_what_json_writes() -> None:
    hashes = {"b/ü.html": "1" * 64, "a/index.html": "2" * 64, 'q"uote.html': "3" * 64}
    manifest = Manifest(hashes)
    expected = json.dumps({"files": dict(sorted(hashes.items()))}, indent=0) + "\n"
    assert manifest.text() == expected
    manifest.set("a/index.html", "4" * 64)
    hashes["a/index.html"] = "4" * 64
    assert manifest.text() == json.dumps({"files": dict(sorted(hashes.items()))}, indent=0) + "\n"
    assert Manifest({}).text() == json.dumps({"files": {}}, indent=0) + "\n"
    with pytest.raises(KeyError):
        manifest.set("new.html", "5" * 64)
