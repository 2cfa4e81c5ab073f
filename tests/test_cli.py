"""The command line: commands, exit codes, what goes to stdout and stderr."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from gen import __version__
from tests.conftest import CLOCK, REPO, SITE_YAML, Run, article, build, make_site, run_cli

SUMMARY = re.compile(
    r"^Built (\d+) articles?: (\d+) files? written, (\d+) unchanged, (\d+) removed in [\d.]+ s$"
)
PROBLEM = re.compile(r"^[^:\s]+(?:/[^:\s]+)*:\d+: .+$")


def one_article_site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {"content/articles/a.md": article()})


def test_python_build_py_without_a_command_builds_the_current_folder(tmp_path: Path) -> None:
    site = one_article_site(tmp_path)
    run = subprocess.run(
        [sys.executable, str(REPO / "build.py")],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert SUMMARY.match(run.stdout.strip())
    assert (site / "output/index.html").is_file()
    assert (site / "output/2026/01/06/a/index.html").is_file()


def test_options_without_a_command_mean_build(tmp_path: Path) -> None:
    site = one_article_site(tmp_path)
    run = run_cli("--site", str(site), "--clock", CLOCK)
    assert run.code == 0, run.err
    assert (site / "output/index.html").is_file()


def test_no_arguments_build_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = one_article_site(tmp_path)
    monkeypatch.chdir(site)
    run = run_cli()
    assert run.code == 0, run.err
    assert (site / "output/index.html").is_file()


def test_a_build_prints_one_summary_line(tmp_path: Path) -> None:
    site = one_article_site(tmp_path)
    run = build(site)
    assert run.code == 0
    assert run.err == ""
    [line] = run.out.splitlines()
    match = SUMMARY.match(line)
    assert match is not None, line
    articles, written, unchanged, removed = map(int, match.groups())
    assert (articles, unchanged, removed) == (1, 0, 0)
    assert written == sum(1 for p in (site / "output").rglob("*") if p.is_file()) - 1


def test_a_second_build_reports_files_unchanged(tmp_path: Path) -> None:
    site = one_article_site(tmp_path)
    first = SUMMARY.match(build(site).out.strip())
    second = SUMMARY.match(build(site).out.strip())
    assert first is not None and second is not None
    assert second.group(2) == "0"
    assert second.group(3) == first.group(2)


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    site = one_article_site(tmp_path)
    run = build(site, "--quiet")
    assert (run.code, run.out, run.err) == (0, "", "")
    assert (site / "output/index.html").is_file()


def test_the_next_scheduled_article_is_announced_unless_quiet(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site",
        {
            "content/articles/a.md": article(),
            "content/articles/later.md": article("Later", date="2026-12-01T08:00:00+02:00"),
        },
    )
    run = build(site)
    assert run.code == 0
    assert "content/articles/later.md" in run.out
    assert "2026-12-01T08:00:00+02:00" in run.out
    quiet = build(site, "--quiet")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--no-such-option"],
        ["--no-such-option"],
        ["build", "--clock", "next tuesday"],
        ["new"],
        ["new", "Title", "--section", "conflict"],
    ],
)
def test_a_wrong_command_line_exits_2(args: list[str], tmp_path: Path) -> None:
    run = run_cli(*args)
    assert run.code == 2
    assert "usage:" in run.err
    assert run.out == ""
    assert not (tmp_path / "output").exists()


def test_version_prints_the_version() -> None:
    run = run_cli("--version")
    assert run.code == 0
    assert run.out.strip() == f"dateline {__version__}"


def test_errors_exit_1_with_path_and_line_on_stderr(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site",
        {
            "content/articles/a.md": article(section="sport"),
            "content/articles/b.md": article("B", extra="updated: 2025-01-01\n"),
        },
    )
    run = build(site)
    assert run.code == 1
    assert run.out == ""
    lines = run.err.splitlines()
    assert lines[:-1] == [
        "content/articles/a.md:5: unknown section 'sport' (site.yaml has: conflict, diplomacy)",
        "content/articles/b.md:6: 'updated' (2025-01-01T00:00:00+02:00) is before "
        "'date' (2026-01-06T09:30:00+02:00)",
    ]
    assert all(PROBLEM.match(line) for line in lines[:-1])
    assert lines[-1] == "build failed: 2 errors; output left as it was"
    assert not (site / "output").exists()


def test_a_config_error_names_site_yaml_and_its_line(tmp_path: Path) -> None:
    site_yaml = SITE_YAML.replace("per_page: 2", "per_page: 0")
    site = make_site(tmp_path / "site", {"site.yaml": site_yaml})
    run = build(site)
    assert run.code == 1
    assert run.err.splitlines() == [
        "site.yaml:14: 'per_page' must be a whole number from 1 to 500, got '0'",
        "build failed: 1 error; output left as it was",
    ]


def test_a_missing_site_exits_1(tmp_path: Path) -> None:
    run = build(tmp_path / "nowhere")
    assert run.code == 1
    assert run.err.splitlines()[0].startswith("site.yaml: no site.yaml in ")


def test_warnings_go_to_stderr_and_the_build_succeeds(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site",
        {
            "content/articles/a.md": article(),
            "content/articles/draft.md": article("D", section="sport", extra="draft: true\n"),
        },
    )
    run = build(site)
    assert run.code == 0
    assert run.err.splitlines() == [
        "content/articles/draft.md:5: (draft) unknown section 'sport' "
        "(site.yaml has: conflict, diplomacy) (warning)"
    ]
    assert SUMMARY.match(run.out.strip())


def test_drafts_flag_turns_draft_problems_into_errors(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site",
        {"content/articles/draft.md": article("D", section="sport", extra="draft: true\n")},
    )
    run = build(site, "--drafts")
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        "content/articles/draft.md:5: unknown section 'sport' (site.yaml has: conflict, diplomacy)"
    )


def test_clock_decides_what_is_published(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site", {"content/articles/a.md": article(date="2026-01-06T11:00:00+02:00")}
    )
    page = site / "output/2026/01/06/a/index.html"
    assert run_cli("build", "--site", str(site), "--clock", "2026-01-06T10:59:00+02:00").code == 0
    assert not page.exists()
    # A clock without a zone is the newsroom's local time (Europe/Kyiv).
    assert run_cli("build", "--site", str(site), "--clock", "2026-01-06T11:00:00").code == 0
    assert page.is_file()
    assert run_cli("build", "--site", str(site), "--clock", "2026-01-06T09:30:00Z").code == 0
    assert page.is_file()  # 09:30 UTC is 11:30 in Kyiv


def test_future_flag_publishes_ahead_of_the_clock(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article(date="2030-01-01")})
    assert build(site).code == 0
    assert not (site / "output/2030").exists()
    assert build(site, "--future").code == 0
    assert (site / "output/2030/01/01/a/index.html").is_file()


def test_base_url_option_rebases_the_build(tmp_path: Path) -> None:
    site = one_article_site(tmp_path)
    assert build(site, "--base-url", "https://example.org/news/").code == 0
    html = (site / "output/index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/news/"' in html


def test_an_output_path_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    site = one_article_site(tmp_path)
    target = tmp_path / "out.txt"
    target.write_text("not a folder", encoding="utf-8")
    run = build(site, "--output", str(target))
    assert run.code == 1
    assert run.err.startswith(f"{target}: ")


# --- new -------------------------------------------------------------------------------


def new(site: Path, *args: str) -> Run:
    return run_cli("new", "--site", str(site), *args)


def test_new_writes_a_draft_and_prints_its_path(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    run = new(site, "Allies meet in Kyiv: what's next", "--section", "diplomacy",
              "--author", "david-okafor")  # fmt: skip
    assert run.code == 0, run.err
    path = Path(run.out.strip())
    assert path.is_file()
    assert path.parent.parent == site / "content/articles"
    assert path.name == "allies-meet-in-kyiv-whats-next.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    assert 'title: "Allies meet in Kyiv: what\'s next"' in text
    assert "draft: true" in text


def test_a_new_draft_builds_cleanly_with_drafts(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    title = 'The "corridor" \\ a test: ok?'
    run = new(site, title, "--section", "conflict", "--author", "david-okafor")
    assert run.code == 0, run.err
    left_out = run_cli("build", "--site", str(site))
    assert left_out.code == 0
    assert left_out.err == ""
    assert left_out.out.startswith("Built 0 articles")
    built = run_cli("build", "--site", str(site), "--drafts")
    assert built.code == 0, built.err
    assert built.err == ""
    assert built.out.startswith("Built 1 article:")
    pages = list((site / "output").glob("*/*/*/the-corridor-a-test-ok/index.html"))
    assert len(pages) == 1
    assert title in pages[0].read_text(encoding="utf-8").replace("&#34;", '"').replace(
        "&quot;", '"'
    )


def test_a_ukrainian_title_gets_a_transliterated_file_name(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    run = new(site, "Переговори в Києві", "--section", "conflict", "--author", "david-okafor")
    assert run.code == 0, run.err
    assert Path(run.out.strip()).name == "perehovory-v-kyievi.md"


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    args = ("Allies meet", "--section", "conflict", "--author", "david-okafor")
    first = new(site, *args)
    path = Path(first.out.strip())
    path.write_text("edited by a reporter", encoding="utf-8")
    second = new(site, *args)
    assert second.code == 1
    assert second.out == ""
    rel = path.relative_to(site).as_posix()
    assert second.err.strip() == f"{rel}: already exists; it was left as it is"
    assert path.read_text(encoding="utf-8") == "edited by a reporter"


def test_new_rejects_an_unknown_section_with_a_suggestion(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    run = new(site, "Title", "--section", "diplomcy", "--author", "david-okafor")
    assert run.code == 1
    assert run.err.strip() == "site.yaml: unknown section 'diplomcy'; did you mean 'diplomacy'?"
    assert not (site / "content/articles").exists()


def test_new_rejects_an_unknown_author_with_a_suggestion(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    run = new(site, "Title", "--section", "conflict", "--author", "david-okafr")
    assert run.code == 1
    assert run.err.strip() == (
        "content/authors/david-okafr.yaml: unknown author 'david-okafr'; "
        "did you mean 'david-okafor'?"
    )
    assert not (site / "content/articles").exists()


def test_new_rejects_a_title_with_nothing_to_make_a_url_from(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    run = new(site, "!!!", "--section", "conflict", "--author", "david-okafor")
    assert run.code == 1
    assert run.err.strip() == "content/articles: cannot make a URL from the title '!!!'"


def test_new_without_a_site_exits_1(tmp_path: Path) -> None:
    run = new(tmp_path, "Title", "--section", "conflict", "--author", "david-okafor")
    assert run.code == 1
    assert run.err.startswith("site.yaml: no site.yaml in ")
