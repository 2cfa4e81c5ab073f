"""`dateline due` and the record a published build leaves for it in .cache/schedule.json."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gen.config import BuildOptions
from gen.model import Article, Section, Site
from gen.schedule.record import describe_change, parse_schedule, read_schedule, record_schedule
from gen.session import Session
from tests.conftest import CLOCK, article, build, make_site, run_cli

NOW = datetime.fromisoformat(CLOCK)  # 2026-11-27T12:00:00+02:00
EMBARGO = "2026-11-27T18:00:00+02:00"
STORY = "content/articles/2026/later.md"
SECTION = Section("diplomacy", "Diplomacy", "", "/section/diplomacy/")


def embargoed_site(tmp_path: Path) -> Path:
    """A site with a published story and one under embargo until 18:00."""
    return make_site(
        tmp_path / "site",
        {
            "content/articles/2026/now.md": article(
                "Talks begin", date="2026-11-20T09:00:00+02:00"
            ),
            STORY: article("Talks end", date=EMBARGO),
        },
    )


def record_of(site: Path) -> dict[str, object]:
    data = json.loads((site / ".cache" / "schedule.json").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def due(site: Path, clock: str) -> tuple[int, str]:
    run = run_cli("due", "--site", str(site), "--clock", clock)
    assert run.err == ""
    return run.code, run.out


# --- the record --------------------------------------------------------------------------


def test_a_build_records_when_it_ran_and_what_changes_next(tmp_path: Path) -> None:
    site = embargoed_site(tmp_path)
    assert build(site).code == 0
    assert record_of(site) == {
        "built": CLOCK,
        "next_change": EMBARGO,
        "what": f"{STORY} publishes",
    }


@pytest.mark.parametrize("flag", ["--drafts", "--future", "--preview"])
def test_a_build_that_is_not_the_published_site_records_nothing(tmp_path: Path, flag: str) -> None:
    site = embargoed_site(tmp_path)
    assert build(site, flag).code == 0
    assert not (site / ".cache" / "schedule.json").exists()


def test_a_watch_session_records_nothing(tmp_path: Path) -> None:
    options = BuildOptions(tmp_path, tmp_path / "output", NOW, cache_dir=tmp_path / ".cache")
    record_schedule(options, site_of([story(NOW + timedelta(hours=1))]), Session())
    assert not (tmp_path / ".cache" / "schedule.json").exists()


def test_nothing_scheduled_is_recorded_as_null(tmp_path: Path) -> None:
    options = BuildOptions(tmp_path, tmp_path / "output", NOW, cache_dir=tmp_path / ".cache")
    record_schedule(options, site_of([]))
    assert record_of(tmp_path) == {"built": CLOCK, "next_change": None, "what": ""}


def story(date: datetime, expires: datetime | None = None, name: str = "a") -> Article:
    return Article(
        source=f"content/articles/{name}.md",
        slug=name,
        url=f"/{name}/",
        title=name,
        authors=(),
        date=date,
        updated=None,
        section=SECTION,
        tags=(),
        summary="",
        standfirst="",
        dateline="",
        image=None,
        body_html="",
        toc=(),
        word_count=0,
        reading_minutes=1,
        lang="en",
        expires=expires,
    )


def site_of(
    articles: list[Article], next_change: datetime | None = None, embargo: Article | None = None
) -> Site:
    return Site(
        articles=tuple(articles),
        sections=(SECTION,),
        tags=(),
        authors=(),
        months=(),
        listings=(),
        next_embargo=embargo,
        next_change=next_change,
    )


def test_the_change_is_described_by_what_causes_it() -> None:
    later = NOW + timedelta(hours=3)
    scheduled = story(later, name="scheduled")
    assert describe_change(site_of([], later, scheduled)) == (
        "content/articles/scheduled.md publishes"
    )
    expiring = story(NOW - timedelta(days=9), expires=later, name="old")
    assert describe_change(site_of([expiring], later)) == "content/articles/old.md expires"
    fresh = story(NOW - timedelta(hours=1), name="fresh")
    assert describe_change(site_of([fresh], fresh.date + timedelta(days=2))) == (
        "content/articles/fresh.md leaves the news sitemap"
    )
    assert describe_change(site_of([], later)) == "a scheduled live update or draft falls due"
    assert describe_change(site_of([])) == ""


# --- reading it back: untrusted JSON ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b"[]", "not a JSON object"),
        (b"{}", "'built' is not a date and time with its offset"),
        (b'{"built": 1}', "'built' is not a date and time with its offset"),
        (b'{"built": "2026-11-27T12:00:00"}', "'built' is not a date and time with its offset"),
        (b'{"built": "yesterday"}', "'built' is not a date and time with its offset"),
        (
            b'{"built": "2026-11-27T12:00:00+02:00", "next_change": 5}',
            "'next_change' is neither null nor a date and time with its offset",
        ),
        (
            b'{"built": "2026-11-27T12:00:00+02:00", "next_change": "' + b"9" * 10_000 + b'"}',
            "'next_change' is neither null nor a date and time with its offset",
        ),
        (
            b'{"built": "2026-11-27T12:00:00+02:00", "next_change": null, "what": ["x"]}',
            "'what' is not one line of text",
        ),
        (
            b'{"built": "2026-11-27T12:00:00+02:00", "next_change": null, "what": "a\\nb"}',
            "'what' is not one line of text",
        ),
    ],
)
def test_a_malformed_record_is_no_record(data: bytes, why: str) -> None:
    assert parse_schedule(data) == (None, why)


def test_a_record_too_large_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "schedule.json").write_bytes(b" " * 100_000 + b"{}")
    assert read_schedule(tmp_path) == (None, "larger than 64 KB")


def test_a_fifo_in_place_of_the_record_does_not_hang(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(tmp_path / "schedule.json")
    answer: list[object] = []
    reader = threading.Thread(target=lambda: answer.append(read_schedule(tmp_path)), daemon=True)
    reader.start()
    reader.join(5)
    assert answer == [(None, "not a regular file")]


def test_a_link_in_place_of_the_record_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"built": "2026-11-27T12:00:00+02:00", "next_change": null}', "utf-8")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "schedule.json").symlink_to(secret)
    schedule, why = read_schedule(tmp_path / "cache")
    assert schedule is None
    assert why.startswith("cannot be read")


# --- dateline due ------------------------------------------------------------------------


def test_due_without_a_recorded_build_says_build_now(tmp_path: Path) -> None:
    site = embargoed_site(tmp_path)
    assert due(site, CLOCK) == (
        0,
        "due: .cache/schedule.json: no published build recorded; build now\n",
    )


def test_due_before_an_embargo_lifts_says_when(tmp_path: Path) -> None:
    site = embargoed_site(tmp_path)
    assert build(site).code == 0
    assert due(site, "2026-11-27T17:59:59+02:00") == (
        1,
        f"not due: next change at {EMBARGO} ({STORY} publishes)\n",
    )


def test_due_once_an_embargo_lifts_names_the_story(tmp_path: Path) -> None:
    site = embargoed_site(tmp_path)
    assert build(site).code == 0
    # The same moment in another offset is the same moment.
    assert due(site, "2026-11-27T16:00:00+00:00") == (0, f"due: {STORY} publishes at {EMBARGO}\n")
    # A build after it records the next change: the story leaves the news sitemap two days on.
    assert build(site, "--clock", "2026-11-27T18:00:00+02:00").code == 0
    assert due(site, "2026-11-27T18:05:00+02:00") == (
        1,
        f"not due: next change at 2026-11-29T18:00:00+02:00 ({STORY} leaves the news sitemap)\n",
    )


def test_due_with_nothing_scheduled_says_so(tmp_path: Path) -> None:
    site = embargoed_site(tmp_path)
    (site / ".cache").mkdir()
    (site / ".cache" / "schedule.json").write_text(
        json.dumps({"built": CLOCK, "next_change": None, "what": ""}), "utf-8"
    )
    assert due(site, "2030-01-01T00:00:00+00:00") == (
        1,
        f"not due: nothing scheduled since the build at {CLOCK}\n",
    )


def test_due_with_a_forged_record_says_build_now(tmp_path: Path) -> None:
    site = embargoed_site(tmp_path)
    (site / ".cache").mkdir()
    (site / ".cache" / "schedule.json").write_text('{"built": "soon"}', "utf-8")
    assert due(site, CLOCK) == (
        0,
        "due: .cache/schedule.json: 'built' is not a date and time with its offset; build now\n",
    )


def test_due_without_a_site_is_a_usage_error(tmp_path: Path) -> None:
    # Not 1, which a scheduled job would take for "nothing due" for ever.
    run = run_cli("due", "--site", str(tmp_path / "nowhere"))
    assert run.code == 2
    assert run.out == ""
    assert run.err == (
        f"dateline due: error: no site.yaml in {tmp_path / 'nowhere'} "
        "(give the site folder with --site)\n"
    )


@pytest.mark.parametrize("clock", ["2026-11-27T12:00:00", "noon", ""])
def test_due_needs_a_clock_with_its_offset(tmp_path: Path, clock: str) -> None:
    run = run_cli("due", "--site", str(tmp_path), "--clock", clock)
    assert run.code == 2
    assert "not a date and time with its offset" in run.err
