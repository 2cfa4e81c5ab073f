"""One golden site, built and compared file by file with tests/golden/ (--update-golden)."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from tests.conftest import CLOCK, output_files, run_cli

SITE = Path(__file__).parent / "fixtures" / "golden-site"
GOLDEN = Path(__file__).parent / "golden"


def test_golden_site_matches_file_by_file(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    out = tmp_path / "output"
    result = run_cli(
        "build", "--site", str(SITE), "--output", str(out), "--clock", CLOCK, "--quiet"
    )
    assert result.code == 0, result.err
    built = output_files(out)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    golden = output_files(GOLDEN)
    assert sorted(built) == sorted(golden)
    for rel, data in built.items():
        if data != golden[rel]:
            diff = difflib.unified_diff(
                golden[rel].decode().splitlines(),
                data.decode().splitlines(),
                f"golden/{rel}",
                f"built/{rel}",
                lineterm="",
            )
            pytest.fail(f"{rel} differs from tests/golden/:\n" + "\n".join(list(diff)[:60]))
