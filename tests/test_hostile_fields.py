"""Hostile front matter: dates at the edges of the calendar, two files for one author or one
live update id, links that are not web addresses, live updates' images (issue "Hardening"
items 11, 16, 17, 18). Each a real site built as the CLI builds it: the exact lines on
stderr, the exit status, never a traceback, and the output of the last good build kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import (
    AUTHOR_YAML,
    CLOCK,
    TINY_PNG,
    Run,
    article,
    build,
    make_site,
    output_files,
    run_cli,
)

FAILED_1 = "build failed: 1 error; output left as it was"
START = "2026-11-26T00:00:00+02:00"
LIVE_INDEX = (
    "---\ntitle: Strikes on Kyiv\nauthor: david-okafor\n"
    f"coverage_start: {START}\nstatus: live\nsection: conflict\n"
    "summary: Rolling coverage.\n{extra}---\n\nWe follow the attack here.\n"
)


def live_update(time: str = "2026-11-26T02:15:00+02:00", body: str = "Sirens.\n") -> str:
    return f"---\ntime: {time}\nauthor: david-okafor\nheadline: Alert\n---\n\n{body}"


def fails_with(result: Run, *lines: str) -> None:
    """The build failed with exactly these problems, in this order, and nothing else."""
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    count = f"{len(lines)} error{'s' if len(lines) != 1 else ''}"
    assert result.err.splitlines() == [*lines, f"build failed: {count}; output left as it was"]


def broken_after_good_build(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[Path, Run]:
    """Build a valid site, lay `files` over it, build again: the output must not change."""
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    assert build(site).code == 0
    before = output_files(site / "output")
    for rel, data in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    result = build(site)
    assert output_files(site / "output") == before
    return site, result


# --- 11. Dates at the edges --------------------------------------------------------------


# A story whose date field is outside the years → the line and the start of the message.
STORY_DATES = [
    (article(date="0001-01-01"), "4: 'date' 0001-01-01"),
    (article(date="9999-12-31"), "4: 'date' 9999-12-31"),
    (article(date="'0001-01-01T00:00:00+05:00'"), "4: 'date' 0001-01-01T00:00:00+05:00"),
    (article(date="1899-12-31T23:59:00+02:00"), "4: 'date' 1899-12-31T23:59:00+02:00"),
    (article(date="2201-01-01"), "4: 'date' 2201-01-01"),
    # Once blamed on a template (_macros.html): an OverflowError while rendering.
    (
        article(extra="updated: 9999-12-31T23:00:00-05:00\n"),
        "6: 'updated' 9999-12-31T23:00:00-05:00",
    ),
    (article(extra="updated: 0001-01-01\n"), "6: 'updated' 0001-01-01"),
    (article(extra="expires: 9999-12-31\n"), "6: 'expires' 9999-12-31"),
    (
        article(extra="corrections:\n  - date: 9999-12-31\n    text: Fixed the name.\n"),
        "7: 'date' 9999-12-31",
    ),
    (
        article(extra="corrections:\n  - date: 0001-01-01\n    text: Fixed the name.\n"),
        "7: 'date' 0001-01-01",
    ),
]


@pytest.mark.parametrize(("text", "line"), STORY_DATES, ids=[line for _, line in STORY_DATES])
def test_a_date_outside_the_years_is_refused_at_its_line(
    tmp_path: Path, text: str, line: str
) -> None:
    _, result = broken_after_good_build(tmp_path, {"content/articles/a.md": text})
    fails_with(result, f"content/articles/a.md:{line} is outside the years 1900 to 2200")


def test_every_bad_date_of_a_story_is_reported_at_once(tmp_path: Path) -> None:
    text = article(
        date="0001-01-01",
        extra="updated: 9999-12-31\nexpires: 9999-12-31\n"
        "corrections:\n  - date: 9999-12-31\n    text: Fixed the name.\n",
    )
    site = make_site(tmp_path, {"content/articles/a.md": text})
    result = build(site)
    years = "is outside the years 1900 to 2200"
    assert result.err.splitlines() == [
        f"content/articles/a.md:4: 'date' 0001-01-01 {years}",
        f"content/articles/a.md:6: 'updated' 9999-12-31 {years}",
        f"content/articles/a.md:7: 'expires' 9999-12-31 {years}",
        f"content/articles/a.md:9: 'date' 9999-12-31 {years}",
        "build failed: 4 errors; output left as it was",
    ]
    assert result.code == 1
    assert not (site / "output").exists()


def test_the_first_and_last_years_are_allowed(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article(
                date="1900-01-01T00:00:00+14:00",
                extra="updated: 2200-12-31T23:59:59-12:00\nexpires: 2200-12-31T23:59:59-12:00\n"
                "corrections:\n  - date: 2200-12-31T23:59:59-12:00\n    text: Fixed.\n",
            ),
            "content/articles/b.md": article("Later", date="2200-12-31T23:59:59-12:00"),
        },
    )
    for args in ((), ("--future",)):
        result = build(site, *args)
        assert result.code == 0, result.err
        assert "Traceback" not in result.err
    # Written at the end of 2200 at UTC-12: the first day of 2201 in Kyiv, the site's zone.
    assert (site / "output/2201/01/01/b/index.html").is_file()


@pytest.mark.parametrize(
    ("index_extra", "update", "line"),
    [
        (
            "status: ended\ncoverage_end: 9999-12-31T23:00:00-05:00\n",
            live_update(),
            "index.md:8: 'coverage_end' 9999-12-31T23:00:00-05:00",
        ),
        (
            "",
            live_update(time="9999-12-31T23:00:00-05:00"),
            "u1.md:2: 'time' 9999-12-31T23:00:00-05:00",
        ),
        ("", live_update(time="0001-01-01"), "u1.md:2: 'time' 0001-01-01"),
    ],
    ids=["coverage_end", "time 9999", "time 1"],
)
def test_a_live_blogs_dates_are_held_to_the_years(
    tmp_path: Path, index_extra: str, update: str, line: str
) -> None:
    index = LIVE_INDEX.format(extra=index_extra)
    if index_extra.startswith("status:"):
        index = index.replace("status: live\n", "", 1)
    _, result = broken_after_good_build(
        tmp_path, {"content/live/strikes/index.md": index, "content/live/strikes/u1.md": update}
    )
    fails_with(result, f"content/live/strikes/{line} is outside the years 1900 to 2200")


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+02:00", "9999-12-31"])
def test_a_live_blogs_start_outside_the_years_is_its_only_error(tmp_path: Path, start: str) -> None:
    index = LIVE_INDEX.format(extra="updated: 2026-11-26T03:00:00+02:00\n").replace(START, start)
    _, result = broken_after_good_build(
        tmp_path,
        {"content/live/strikes/index.md": index, "content/live/strikes/u1.md": live_update()},
    )
    # Not also "missing 'date'": a live blog has none, its 'coverage_start' is the date.
    fails_with(
        result,
        f"content/live/strikes/index.md:4: 'coverage_start' {start} "
        "is outside the years 1900 to 2200",
    )


def test_a_live_blog_without_a_start_is_told_once(tmp_path: Path) -> None:
    index = LIVE_INDEX.format(extra="").replace(f"coverage_start: {START}\n", "")
    _, result = broken_after_good_build(
        tmp_path,
        {"content/live/strikes/index.md": index, "content/live/strikes/u1.md": live_update()},
    )
    fails_with(
        result,
        "content/live/strikes/index.md:1: missing 'coverage_start': when coverage began, "
        "e.g. 2026-11-26T06:00:00+02:00",
    )


@pytest.mark.parametrize(
    "clock", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "2201-01-01", "1899-06-01"]
)
def test_a_clock_outside_the_years_is_a_usage_error(tmp_path: Path, clock: str) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    result = run_cli("build", "--site", str(site), "--clock", clock)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.err.splitlines()[-1] == (
        f"dateline build: error: argument --clock: '{clock}' is outside the years 1900 to 2200"
    )
    assert not (site / "output").exists()


def test_a_clock_at_the_edges_of_the_years_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    for clock in ("1900-01-01T00:00:00+14:00", "2200-12-31T23:59:59-12:00"):
        result = run_cli("build", "--site", str(site), "--clock", clock)
        assert result.code == 0, result.err


# --- 16. One author, two files -----------------------------------------------------------


@pytest.mark.parametrize(
    ("second", "first"),
    [
        ("content/authors/david-okafor.yml", "content/authors/david-okafor.yaml"),
        ("content/authors/desk/david-okafor.yaml", "content/authors/david-okafor.yaml"),
        ("content/authors/desk/david-okafor.yml", "content/authors/david-okafor.yaml"),
    ],
)
def test_two_files_for_one_author_name_both(tmp_path: Path, second: str, first: str) -> None:
    other = AUTHOR_YAML.replace("David Okafor", "Another David")
    _, result = broken_after_good_build(tmp_path, {second: other})
    fails_with(result, f"{second}: author 'david-okafor' is also defined in {first}")


def test_two_author_files_in_subfolders_blame_the_later_name(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/authors/david-okafor.yaml": "",
            "content/authors/b/iryna.yaml": "name: Iryna Bondar\n",
            "content/authors/a/iryna.yaml": "name: Iryna B.\n",
            "content/articles/a.md": article(author="iryna"),
        },
    )
    fails_with(
        build(site),
        "content/authors/b/iryna.yaml: author 'iryna' is also defined in "
        "content/authors/a/iryna.yaml",
    )


def test_a_duplicate_authors_own_errors_are_reported_too(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/articles/a.md": article(),
            "content/authors/david-okafor.yml": "name: David\nemail: d@example.org\n",
        },
    )
    # Articles naming the author get no error of their own: the id is defined.
    fails_with(
        build(site),
        "content/authors/david-okafor.yml: author 'david-okafor' is also defined in "
        "content/authors/david-okafor.yaml",
        "content/authors/david-okafor.yml:2: unknown key 'email'",
    )


# --- 17. Author links --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/",
        "/author/david-okafor/",
        "https://",
        "http://[x",
        "ftp://example.org/",
        "mailto:?subject=hi",
    ],
)
def test_an_author_link_must_be_a_web_or_mail_address(tmp_path: Path, url: str) -> None:
    profile = AUTHOR_YAML + "links:\n  - label: Site\n    url: https://example.org/d\n"
    profile += f'  - label: Mine\n    url: "{url}"\n'
    _, result = broken_after_good_build(tmp_path, {"content/authors/david-okafor.yaml": profile})
    assert (
        "content/authors/david-okafor.yaml:8: link url must be an http(s) or mailto: address, "
        f"got '{url}'"
    ) in result.err.splitlines()
    assert result.code == 1
    assert "Traceback" not in result.err


@pytest.mark.parametrize("url", ["javascript:alert(1)", "mailto:desk@example.org", "http://[x"])
def test_a_source_url_must_be_a_web_address(tmp_path: Path, url: str) -> None:
    text = article(extra=f"sources:\n  - name: Ministry\n    url: '{url}'\n")
    _, result = broken_after_good_build(tmp_path, {"content/articles/a.md": text})
    fails_with(
        result, f"content/articles/a.md:8: source url must be an http(s) address, got '{url}'"
    )


def test_web_and_mail_links_are_shown_on_the_author_page(tmp_path: Path) -> None:
    profile = AUTHOR_YAML + (
        "links:\n  - label: Mastodon\n    url: ' https://example.social/@d '\n"
        "  - {label: Email, url: 'mailto:d.okafor@example.org'}\n"
    )
    site = make_site(
        tmp_path,
        {"content/articles/a.md": article(), "content/authors/david-okafor.yaml": profile},
    )
    result = build(site)
    assert result.code == 0, result.err
    page = (site / "output/author/david-okafor/index.html").read_text(encoding="utf-8")
    assert '<a href="https://example.social/@d">Mastodon</a>' in page
    assert '<a href="mailto:d.okafor@example.org">Email</a>' in page


# --- 18. Live updates: images and ids ----------------------------------------------------


def live_site(tmp_path: Path, updates: dict[str, str]) -> Path:
    files: dict[str, str | bytes] = {
        "content/live/strikes/index.md": LIVE_INDEX.format(extra=""),
        **{f"content/live/strikes/{name}": text for name, text in updates.items()},
    }
    return make_site(tmp_path, files)


def test_an_updates_images_are_checked_as_a_storys_are(tmp_path: Path) -> None:
    body = (
        "Sirens.\n\n![](/images/photo.png)\n\n![A map of the strikes](/images/map.png)\n\n"
        "![Smoke over the river](/images/photo.png)\n"
    )
    _, result = broken_after_good_build(
        tmp_path,
        {
            "content/live/strikes/index.md": LIVE_INDEX.format(extra=""),
            "content/live/strikes/u1.md": live_update(body=body),
        },
    )
    fails_with(
        result,
        "content/live/strikes/u1.md:9: image '/images/photo.png' in the body needs alt text: "
        "![what it shows](/images/photo.png)",
        "content/live/strikes/u1.md:11: image 'images/map.png' does not exist under content/; "
        "did you mean 'images/photo.png'?",
    )


def test_a_story_and_an_update_get_the_same_errors_for_the_same_body(tmp_path: Path) -> None:
    body = "Sirens.\n\n![](/images/gone.png)\n"
    story = make_site(tmp_path / "story", {"content/articles/a.md": article(body=body)})
    live = live_site(tmp_path / "live", {"u1.md": live_update(body=body)})
    told = [line.split(": ", 1)[1] for line in build(story).err.splitlines()[:-1]]
    assert told == [line.split(": ", 1)[1] for line in build(live).err.splitlines()[:-1]]
    assert len(told) == 2


def test_an_updates_image_is_a_responsive_figure_published_with_the_blog(tmp_path: Path) -> None:
    body = 'Sirens.\n\n![Smoke over the river](/images/smoke.png "Smoke at dawn|Reuters")\n'
    site = live_site(tmp_path, {"u1.md": live_update(body=body)})
    site.joinpath("content/images/smoke.png").write_bytes(TINY_PNG)
    result = build(site)
    assert result.code == 0, result.err
    page = (site / "output/live/strikes/index.html").read_text(encoding="utf-8")
    assert '<figure class="image"><picture>' in page
    assert 'alt="Smoke over the river" width="4" height="3"' in page
    assert '<figcaption>Smoke at dawn <span class="credit">Reuters</span></figcaption>' in page
    assert (site / "output/images/smoke.png").is_file()


def test_a_draft_blogs_update_images_are_not_published(tmp_path: Path) -> None:
    body = "Sirens.\n\n![Smoke over the river](/images/smoke.png)\n"
    site = make_site(
        tmp_path,
        {
            "content/live/strikes/index.md": LIVE_INDEX.format(extra="draft: true\n"),
            "content/live/strikes/u1.md": live_update(body=body),
            "content/images/smoke.png": TINY_PNG,
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    assert not (site / "output/live/strikes").exists()
    assert not (site / "output/images/smoke.png").exists()
    assert not (site / "output/images/photo.png").exists()  # no story's: not published


@pytest.mark.parametrize(
    ("second", "first", "uid"),
    [
        ("day2/0900.md", "day1/0900.md", "0900"),
        ("day1/0900.md", "0900.md", "0900"),
        ("0900.md", "0900.markdown", "0900"),
        ("09-00.md", "09 00.md", "09-00"),
    ],
)
def test_two_updates_with_one_id_name_both(
    tmp_path: Path, second: str, first: str, uid: str
) -> None:
    _, result = broken_after_good_build(
        tmp_path,
        {
            "content/live/strikes/index.md": LIVE_INDEX.format(extra=""),
            f"content/live/strikes/{first}": live_update(),
            f"content/live/strikes/{second}": live_update("2026-11-26T09:00:00+02:00"),
        },
    )
    fails_with(
        result,
        f"content/live/strikes/{second}: update id '{uid}' is also the id of "
        f"content/live/strikes/{first}; rename one of them (an update's id, its link "
        f"#update-{uid}, is its file's name)",
    )


def test_updates_in_subfolders_keep_their_file_names_as_ids(tmp_path: Path) -> None:
    site = live_site(
        tmp_path,
        {
            "day1/0215-sirens.md": live_update(),
            "day2/0900-repairs.md": live_update("2026-11-26T09:00:00+02:00"),
        },
    )
    result = build(site, "--clock", CLOCK)
    assert result.code == 0, result.err
    page = (site / "output/live/strikes/index.html").read_text(encoding="utf-8")
    assert 'id="update-0215-sirens"' in page
    assert 'id="update-0900-repairs"' in page
