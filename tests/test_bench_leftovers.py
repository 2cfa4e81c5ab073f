"""The benchmark sets a run's output aside instead of deleting it before the next cold build,
and waits after a large deletion (bench/run.py, `Leftovers`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # run.py imports make_corpus beside it
    try:
        spec = importlib.util.spec_from_file_location("bench_run_under_test", BENCH / "run.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def _tree(root: Path, files: int) -> None:
    for i in range(files):
        folder = root / f"{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i}.html").write_text("x", encoding="utf-8")


def test_a_runs_output_is_renamed_aside_and_nothing_is_deleted(
    bench: ModuleType, tmp_path: Path
) -> None:
    leftovers = bench.Leftovers()
    leftovers.folder = tmp_path / "set-aside"
    site = tmp_path / "site"
    _tree(site / "output", 20)
    (site / ".cache").mkdir()
    leftovers.set_aside(site / "output", site / ".cache", site / "missing")
    assert not (site / "output").exists() and not (site / ".cache").exists()
    kept = sorted(p.name for p in leftovers.folder.iterdir())
    assert kept == ["0-output", "1-.cache"]
    assert len(list((leftovers.folder / "0-output").rglob("*.html"))) == 20
    assert leftovers.deleted_at is None  # nothing freed: the next run need not wait
    _tree(site / "output", 3)
    leftovers.set_aside(site / "output")
    assert (leftovers.folder / "2-output").is_dir()


def test_short_of_space_the_leftovers_are_deleted_first(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    leftovers = bench.Leftovers()
    leftovers.folder = tmp_path / "set-aside"
    _tree(tmp_path / "site" / "output", 5)
    leftovers.set_aside(tmp_path / "site" / "output")
    monkeypatch.setattr(bench, "KEEP_FREE", 1 << 62)  # more than any disk has free
    _tree(tmp_path / "site" / "output", 5)
    leftovers.set_aside(tmp_path / "site" / "output")
    assert [p.name for p in leftovers.folder.iterdir()] == ["1-output"]


def test_a_large_deletion_makes_the_next_measurement_wait(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench, "MANY_FILES", 50)
    slept: list[float] = []
    monkeypatch.setattr(bench.time, "sleep", slept.append)
    leftovers = bench.Leftovers()
    _tree(tmp_path / "small", 10)
    leftovers.delete(tmp_path / "small")
    leftovers.settle()
    assert not (tmp_path / "small").exists() and slept == []
    _tree(tmp_path / "big", 60)
    leftovers.delete(tmp_path / "big")
    assert not (tmp_path / "big").exists()
    leftovers.settle()
    assert len(slept) == 1 and bench.RECENTLY_FREED - 5 < slept[0] <= bench.RECENTLY_FREED
    leftovers.settle()  # once only
    assert len(slept) == 1
