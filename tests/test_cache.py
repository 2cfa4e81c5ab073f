"""The build cache under .cache/: a damaged or foreign cache is set aside, never trusted."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import article, build, make_site, output_files, png

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


# --- A cache restored from elsewhere (another branch's CI run) may be forged ----------------

EVIL = "<script>alert('forged')</script>"


def forged_site(tmp_path: Path) -> Path:
    """A site built once, whose cache then has an attacker's entries: well-formed, with
    their checksums made again, but not signed with this machine's key."""
    site = make_site(tmp_path / "site", {**SITE, "content/images/map.png": png(64, 36)})
    (site / "content/articles/c.md").write_text(
        article("Map", extra="image: {src: images/map.png, alt: A map, credit: Us}\n"),
        encoding="utf-8",
    )
    assert build(site).code == 0
    db = sqlite3.connect(site / ".cache/dateline.sqlite")
    with db:
        for key, value in db.execute("SELECT key, value FROM markup").fetchall():
            mac, _, text = value.partition(":")
            data = json.loads(text)
            data["html"] = EVIL + data["html"]
            forged = f"{mac}:{json.dumps(data)}"  # the entry's own mac, for other text
            db.execute("UPDATE markup SET value = ? WHERE key = ?", (forged, key))
    db.close()
    for sums in (site / ".cache/images").glob("*/checksums.json"):
        folder = sums.parent
        signed = json.loads(sums.read_text(encoding="utf-8"))
        for name in signed["files"]:
            (folder / name).write_bytes(EVIL.encode())
            signed["files"][name] = hashlib.sha256(EVIL.encode()).hexdigest()
        sums.write_text(json.dumps(signed), encoding="utf-8")  # the old, now wrong, mac
    shutil.rmtree(site / "output")
    return site


def test_a_forged_cache_publishes_nothing_of_its_own(tmp_path: Path) -> None:
    site = forged_site(tmp_path)
    result = build(site)
    assert result.code == 0, result.err
    out = output_files(site / "output")
    assert not [p for p, data in out.items() if EVIL.encode() in data]
    clean = make_site(tmp_path / "clean", {**SITE, "content/images/map.png": png(64, 36)})
    (clean / "content/articles/c.md").write_bytes((site / "content/articles/c.md").read_bytes())
    assert build(clean, "--no-cache").code == 0
    assert out == output_files(clean / "output")


def test_a_cache_signed_with_the_shared_key_is_used_and_another_key_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATELINE_CACHE_KEY", "a CI secret")
    site = make_site(tmp_path / "site", SITE)
    assert build(site).code == 0
    shutil.rmtree(site / "output")
    assert build(site).code == 0
    from gen.cache import SqliteCache

    def cached(key: str) -> int:
        monkeypatch.setenv("DATELINE_CACHE_KEY", key)
        table: SqliteCache[str] = SqliteCache(
            site / ".cache/dateline.sqlite", lambda _: None, "markup", str, str
        )
        try:
            keys = [k for (k,) in table.db.execute("SELECT key FROM markup")] if table.db else []
            return len(table.get_many(keys))
        finally:
            table.close()

    assert cached("a CI secret") == 2
    assert cached("another key") == 0
