"""The build cache under .cache/: a damaged or foreign cache is set aside, never trusted."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.conftest import article, build, make_site, output_files

SITE = {
    "content/articles/a.md": article("Talks in Kyiv", extra="tags: [kyiv]\n"),
    "content/articles/b.md": article(
        "Grain talks", date="2026-02-01T08:00:00+02:00", body="Ships left *Odesa*.\n"
    ),
}


def clean_output(tmp_path: Path) -> dict[str, bytes]:
    """What a build with no cache at all writes."""
    site = make_site(tmp_path / "clean", SITE)
    assert build(site, "--no-cache").code == 0
    assert not (site / ".cache").exists()  # --no-cache neither reads nor writes one
    return output_files(site / "output")


def test_a_corrupt_cache_file_is_set_aside_with_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", SITE)
    (site / ".cache").mkdir()
    (site / ".cache/dateline.sqlite").write_bytes(b"not a database at all\x00" * 64)
    first = build(site)
    assert first.code == 0, first.err
    assert ".cache: the cache" in first.err and "set aside" in first.err
    assert output_files(site / "output") == clean_output(tmp_path)
    # Rebuilt: the next build uses it without a word.
    shutil.rmtree(site / "output")
    again = build(site)
    assert again.code == 0 and "cache" not in again.err
    assert output_files(site / "output") == clean_output(tmp_path)


def test_entries_that_are_not_ours_are_ignored(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", SITE)
    assert build(site).code == 0
    db = sqlite3.connect(site / ".cache/dateline.sqlite")
    with db:
        for table in ("markup", "sources"):
            rows = db.execute(f"SELECT key FROM {table}").fetchall()
            assert rows, table  # the first build did fill both
            db.executemany(
                f"UPDATE {table} SET value = ? WHERE key = ?",
                [(("{]", '{"front": 3}', "[]")[i % 3], key) for i, (key,) in enumerate(rows)],
            )
    db.close()
    shutil.rmtree(site / "output")
    result = build(site)
    assert result.code == 0, result.err
    assert output_files(site / "output") == clean_output(tmp_path)


def test_a_foreign_database_gets_our_tables(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", SITE)
    (site / ".cache").mkdir()
    db = sqlite3.connect(site / ".cache/dateline.sqlite")
    with db:
        db.execute("CREATE TABLE other (x)")
    db.close()
    result = build(site)
    assert result.code == 0, result.err
    assert output_files(site / "output") == clean_output(tmp_path)
