"""Every error we promise, as a broken site beside the exact message it must produce.

Each folder in tests/fixtures/invalid/ holds the files that differ from a small valid site
(a file named `site.yaml+` is appended to its site.yaml) and `expected.txt`: the exact
lines the build prints on stderr. `pytest --update-golden` rewrites expected.txt files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import build, make_site, output_files

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def broken_site(case: str, root: Path) -> Path:
    """A valid small site with the case's files laid over it."""
    site = make_site(root)
    for path in sorted((FIXTURES / case).rglob("*")):
        rel = path.relative_to(FIXTURES / case).as_posix()
        if not path.is_file() or rel == "expected.txt":
            continue
        if rel == "site.yaml+":
            with (site / "site.yaml").open("a", encoding="utf-8") as handle:
                handle.write(path.read_text(encoding="utf-8"))
            continue
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return site


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_reports_exact_errors(
    case: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    site = broken_site(case, tmp_path / "site")
    result = build(site)
    assert result.code == 1, result.out
    lines = result.err.splitlines()
    assert lines[-1].startswith("build failed: "), result.err
    expected_file = FIXTURES / case / "expected.txt"
    if request.config.getoption("--update-golden"):
        expected_file.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert lines[:-1] == expected
    assert not (site / "output").exists()


def test_failed_build_leaves_previous_output_byte_identical(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": (
                "---\ntitle: A\nauthor: david-okafor\ndate: 2026-01-06\n"
                "section: conflict\n---\n\nText.\n"
            )
        },
    )
    assert build(site).code == 0
    before = output_files(site / "output")
    mtimes = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*")}
    (site / "content/articles/a.md").write_text("---\ntitle: A\n---\n\nText.\n", encoding="utf-8")
    assert build(site).code == 1
    assert output_files(site / "output") == before
    assert {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*")} == mtimes


def test_yaml_tags_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    site = make_site(
        tmp_path / "site",
        {
            "content/articles/a.md": (
                "---\ntitle: A\nauthor: david-okafor\ndate: 2026-01-06\nsection: conflict\n"
                f"summary: !!python/object/apply:os.system ['touch {marker}']\n---\n\nText.\n"
            )
        },
    )
    result = build(site)
    assert result.code == 1
    assert "is refused" in result.err
    assert not marker.exists()
