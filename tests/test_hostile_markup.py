"""Hardening item 7: Markdown built to exhaust a converter is refused, located, and quickly.

Python-Markdown dies with a RecursionError on 1,000 nested list markers or 5,000 nested
`*`, and takes 53 s over 20,000 `[`. The site's limits (gen/markup/limits.py) refuse such
bodies before converting, with the same message from either engine, at the line where the
nesting goes past the limit; a conversion that still overruns its time budget is stopped.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import gen.markup.budget as budget
from gen.markup.engine import MarkdownEngine
from gen.markup.limits import MAX_DEPTH, check
from gen.markup.text import MarkupRefused
from tests.conftest import CLOCK, REPO, SITE_YAML, article, build, make_site, output_files

ENGINES = ("markdown", "cmark")
INTRO = "Officials met in Kyiv on Saturday.\n\n"

# name → (body after INTRO, the nesting reported, the 0-based line of INTRO + body where
# the nesting goes past the limit).
WORST = {
    "1,000 list markers on one line (2 KB)": ("- " * 1000 + "x\n", 1000, 2),
    "1,000 ordered list markers": ("1. " * 1000 + "x\n", 1000, 2),
    "lists nested by indentation": ("".join("  " * i + "- x\n" for i in range(40)), 40, 34),
    "1,000 block quotes": ("> " * 1000 + "x\n", 1000, 2),
    "1,000 quotes written tight": (">" * 1000 + " x\n", 1000, 2),
    "quotes and lists in turn": ("> - " * 500 + "x\n", 1000, 2),
    "5,000 nested *": ("*" * 5000 + "x" + "*" * 5000 + "\n", 2500, 2),
    "5,000 nested _": ("_" * 5000 + "x" + "_" * 5000 + "\n", 2500, 2),
    "emphasis opened word by word": ("*a " * 1000 + "x" + " b*" * 1000 + "\n", 1000, 2),
    "20,000 [": ("[" * 20000 + "\n", 20000, 2),
    "brackets spread over a paragraph": ("[a " * 5000 + "\n", 5000, 2),
    "1,000 unclosed link destinations": ("[a](b " * 1000 + "\n", 1000, 2),
    "20,000 unclosed tags": ("x <a " * 20000 + "\n", 20000, 2),
    "1,000 nested <div markdown>": ('<div markdown="1">\n' * 1000 + "x\n", 1000, 2 + MAX_DEPTH),
    "100,000 nested <div>": ("<div>" * 100_000 + "x\n", 100_000, 2),
    "definition lists without blank lines": ("Term\n: Definition.\n" * 600, 600, 2 + 65),
}


def story(body: str) -> str:
    return article(body=INTRO + body)


def file_line(text: str, body_line: int) -> int:
    """The file line of a 0-based line of INTRO + body in `story(...)`'s text."""
    return text.splitlines().index(INTRO.splitlines()[0]) + 1 + body_line


def site_for(tmp_path: Path, engine: str) -> Path:
    yaml = SITE_YAML + f"search: false\nmarkdown: {{engine: {engine}}}\n"
    return make_site(tmp_path / engine, {"site.yaml": yaml, "content/articles/ok.md": article()})


def run_build(site: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command line's build in a process of its own, which must end in time."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--clock", CLOCK],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize("case", WORST)
def test_each_worst_case_is_refused_at_its_line_the_same_by_both_engines(
    tmp_path: Path, case: str
) -> None:
    body, depth, line = WORST[case]
    text = story(body)
    errors = []
    for engine in ENGINES:
        site = site_for(tmp_path, engine)
        assert build(site).code == 0
        before = output_files(site / "output")
        (site / "content/articles/deep.md").write_text(text, encoding="utf-8")
        started = time.monotonic()
        result = run_build(site)
        assert time.monotonic() - started < 30, (case, engine)
        assert result.returncode == 1, (engine, result.stderr)
        assert "Traceback" not in result.stderr
        expected = (
            f"content/articles/deep.md:{file_line(text, line)}: too deeply nested "
            f"({depth} levels; the limit is {MAX_DEPTH})"
        )
        assert result.stderr.splitlines()[0] == expected, engine
        assert output_files(site / "output") == before
        errors.append(result.stderr)
    assert errors[0] == errors[1]  # the rule is the site's, not the engine's


@pytest.mark.parametrize("engine", ENGINES)
def test_every_problem_of_every_body_is_reported_together(tmp_path: Path, engine: str) -> None:
    site = site_for(tmp_path, engine)
    for number, case in enumerate(("20,000 [", "1,000 block quotes", "5,000 nested *")):
        (site / f"content/articles/deep-{number}.md").write_text(
            story(WORST[case][0]), encoding="utf-8"
        )
    result = run_build(site)
    assert result.returncode == 1
    located = [line for line in result.stderr.splitlines() if "too deeply nested" in line]
    assert [line.split(":")[0] for line in located] == [
        f"content/articles/deep-{n}.md" for n in range(3)
    ]


def test_what_real_stories_do_is_far_inside_the_limits(tmp_path: Path) -> None:
    body = (
        "- Ministers\n  - of defence\n    - and their deputies\n      - and advisers\n\n"
        "> A quote.\n>\n> > Quoting another, who said *it's **very** important*.\n\n"
        + " ".join(f"*{word}*" for word in ["one", "two", "three", "four", "five"] * 20)
        + "\n\n"
        + "He said [sic] that [the minister] was [[1]] right. " * 20
        + "\n\n"
        + " ".join(f"<https://news.example.net/{n}>" for n in range(50))
        + "\n\n"
        + "".join(f"Term {n}\n: Its definition.\n\n" for n in range(50))
        + "```\n"
        + "- " * 200
        + "x\n"
        + "[" * 500
        + "\n```\n\n    "
        + "> " * 200
        + "\n\nA `"
        + "[" * 100
        + "` in code, and escaped: "
        + "\\[" * 40
        + "\n\n"
        + "<div><div><div><figure><blockquote><p><b><i>deep enough</i></b></p></blockquote>"
        + "</figure></div></div></div>\n\n"
        + "Ratings: ***** and f*** and 2 * 3 * 4. " * 20
        + "\n"
    )
    assert check(body) == []
    for engine in ENGINES:
        site = site_for(tmp_path, engine)
        (site / "content/articles/long.md").write_text(story(body), encoding="utf-8")
        result = build(site)
        assert result.code == 0, result.err


def test_a_drafts_deep_body_only_warns_unless_drafts_are_built(tmp_path: Path) -> None:
    site = site_for(tmp_path, "markdown")
    text = article(extra="draft: true\n", body=INTRO + "[" * 20000 + "\n")
    (site / "content/articles/deep.md").write_text(text, encoding="utf-8")
    result = build(site)
    assert result.code == 0, result.err
    assert "content/articles/deep.md:" in result.err
    assert "(draft) too deeply nested (20000 levels" in result.err
    result = build(site, "--drafts")
    assert result.code == 1
    assert "(draft)" not in result.err


def test_a_live_updates_deep_body_is_located_in_its_own_file(tmp_path: Path) -> None:
    site = site_for(tmp_path, "markdown")
    live = site / "content/live/night"
    live.mkdir(parents=True)
    (live / "index.md").write_text(
        "---\ntitle: Live\nauthor: david-okafor\ncoverage_start: 2026-01-06T02:00:00+02:00\n"
        "status: live\nsection: conflict\n---\n\nRolling coverage.\n",
        encoding="utf-8",
    )
    (live / "0300-deep.md").write_text(
        "---\ntime: 2026-01-06T03:00:00+02:00\nauthor: david-okafor\n---\n\n" + "> " * 100 + "x\n",
        encoding="utf-8",
    )
    result = build(site)
    assert result.code == 1
    assert "content/live/night/0300-deep.md:6: too deeply nested (100 levels" in result.err


def test_the_pre_scan_is_linear_on_megabytes(tmp_path: Path) -> None:
    for text in (
        "[" * 1_000_000,
        "*a " * 300_000,
        "<b>" * 200_000 + "</i>" * 200_000,
        "".join("`" * n + " " for n in range(1, 1400)),
        "- " * 1000 + "x\n" + "\n" * 300_000,
        ("The minister said it's *fine* [sic]. " * 30 + "\n\n") * 800,
    ):
        started = time.monotonic()
        check(text)
        assert time.monotonic() - started < 3, text[:20]


# --- The time budget -----------------------------------------------------------------------

# Hard line breaks: quadratic in Python-Markdown (80 KB of them: 4 s), though nothing nests.
SLOW = "a  \n" * 40_000


def test_a_conversion_over_its_budget_is_stopped_and_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "TIME_BUDGET", 0.3)
    site = site_for(tmp_path, "markdown")
    text = story("Second paragraph.\n\n" + SLOW)
    (site / "content/articles/slow.md").write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = build(site)
    assert time.monotonic() - started < 3  # stopped, not waited for
    assert result.code == 1
    line = file_line(text, 4)  # the paragraph of line breaks, not the body's first line
    assert result.err.startswith(
        f"content/articles/slow.md:{line}: took too long to convert (over 0.3 s)\n"
    )
    assert "Traceback" not in result.err


def test_an_overrun_in_a_pool_worker_leaves_the_pool_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "TIME_BUDGET", 0.3)
    files = {f"content/articles/s{n:02}.md": article(body=f"Story {n}.\n") for n in range(80)}
    site = make_site(tmp_path, {"site.yaml": SITE_YAML + "search: false\n", **files})
    (site / "content/articles/s40.md").write_text(story(SLOW), encoding="utf-8")
    (site / "content/articles/s70.md").write_text(story(SLOW), encoding="utf-8")
    result = build(site, "--jobs", "2", "--no-cache")
    assert result.code == 1
    problems = result.err.splitlines()[:-1]
    assert [p.split(":")[0] for p in problems] == [
        "content/articles/s40.md",
        "content/articles/s70.md",
    ]
    assert all(p.endswith("took too long to convert (over 0.3 s)") for p in problems)
    # Every other story was converted by the same workers: fixed, the site builds.
    (site / "content/articles/s40.md").write_text(article(body="Fixed.\n"), encoding="utf-8")
    (site / "content/articles/s70.md").write_text(article(body="Fixed too.\n"), encoding="utf-8")
    assert build(site, "--jobs", "2").code == 0


def test_an_engine_stopped_mid_conversion_converts_the_next_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(budget, "TIME_BUDGET", 0.2)
    for engine in ENGINES:
        converter = MarkdownEngine("/", engine)
        if engine == "markdown":
            with pytest.raises(MarkupRefused) as refused:
                converter.convert("## Before\n\n" + SLOW)
            assert refused.value.found == ((3, "took too long to convert (over 0.2 s)"),)
        rendered = converter.convert("## Next\n\nA story[^1].\n\n[^1]: A note.\n")
        assert rendered.html.startswith('<h2 id="next">Next</h2>')
        assert 'class="footnote"' in rendered.html


def test_outside_the_main_thread_an_overrun_is_refused_once_it_ends() -> None:
    """A preview rebuilds on its watcher's thread, where no alarm can interrupt."""
    outcome: list[object] = []

    def slow() -> None:
        try:
            outcome.append(budget.within_budget(lambda: time.sleep(0.3) or "done", 0.1))
        except budget.Overrun as exc:
            outcome.append(exc)

    worker = threading.Thread(target=slow)
    worker.start()
    worker.join(5)
    assert len(outcome) == 1 and isinstance(outcome[0], budget.Overrun)
    assert budget.within_budget(lambda: "quick", 5) == "quick"


def test_a_code_span_across_lines_after_many_emphasis_marks_is_no_traceback(
    tmp_path: Path,
) -> None:
    """A multi-line code span after a run of asterisks once crashed the nesting limit's line
    count (found by the WordPress importer's tests)."""
    body = "*" * 32 + " `\n` and more text.\n"
    site = make_site(tmp_path, {"content/articles/a.md": article(body=body)})
    result = build(site)
    assert (result.code, result.err) == (0, "")
