"""Stories dated without a time show the date alone, and a Jekyll file name's leading date
is the story's date, not part of its slug (issue 15, items 5 and 7)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gen.source.fields import is_date_only, name_date
from tests.conftest import article, build, make_site
from tests.test_assemble import failures, one

KYIV = ZoneInfo("Europe/Kyiv")


def json_ld(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    data = json.loads(found.group(1))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(
        tmp_path_factory.mktemp("dates"),
        {
            "content/articles/undated.md": article("Council meets", date="2010-02-16"),
            "content/articles/timed.md": article("Talks", date="2010-02-17T09:30:00+02:00"),
            "content/articles/2016-01-18-operatyvna-narada.md": (
                "---\ntitle: Operational meeting\nauthor: david-okafor\nsection: conflict\n"
                "---\n\nText.\n"
            ),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def test_a_date_only_story_shows_the_date_alone(built: Path) -> None:
    page = (built / "2010/02/16/undated/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2010-02-16">16 February 2010</time>' in page
    assert "00:00" not in page
    assert '<meta property="article:published_time" content="2010-02-16">' in page
    lite = (built / "lite/2010/02/16/undated/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2010-02-16">16 February 2010</time>' in lite
    assert "00:00" not in lite


def test_a_date_only_story_has_a_date_in_json_ld(built: Path) -> None:
    data = json_ld((built / "2010/02/16/undated/index.html").read_text(encoding="utf-8"))
    assert data["datePublished"] == "2010-02-16"
    assert data["dateModified"] == "2010-02-16"


def test_a_timed_story_keeps_its_time(built: Path) -> None:
    page = (built / "2010/02/17/timed/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2010-02-17T09:30:00+02:00">17 February 2010, 09:30 EET</time>' in page
    assert json_ld(page)["datePublished"] == "2010-02-17T09:30:00+02:00"


def test_feeds_give_a_date_only_story_midnight_in_the_site_time_zone(built: Path) -> None:
    atom = (built / "feed.xml").read_text(encoding="utf-8")
    assert "<published>2010-02-16T00:00:00+02:00</published>" in atom
    rss = (built / "rss.xml").read_text(encoding="utf-8")
    assert "<pubDate>Tue, 16 Feb 2010 00:00:00 +0200</pubDate>" in rss
    items = json.loads((built / "feed.json").read_text(encoding="utf-8"))["items"]
    [undated] = [i for i in items if i["title"] == "Council meets"]
    assert undated["date_published"] == "2010-02-16T00:00:00+02:00"


def test_a_jekyll_file_name_gives_the_date_and_not_the_slug(built: Path) -> None:
    page = (built / "2016/01/18/operatyvna-narada/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2016-01-18">18 January 2016</time>' in page
    assert not (built / "2016/01/18/2016-01-18-operatyvna-narada").exists()


def test_a_front_matter_date_wins_over_the_file_names() -> None:
    a = one(article(date="2016-01-19T10:00:00+02:00"), name="2016-01-18-narada.md")
    assert a.url == "/2016/01/19/narada/"  # type: ignore[attr-defined]
    assert a.dated_only is False  # type: ignore[attr-defined]


def test_a_date_only_story_sorts_and_schedules_at_midnight_in_the_site_zone() -> None:
    a = one(article(date="2026-01-06"))
    assert a.date == datetime(2026, 1, 6, tzinfo=KYIV)  # type: ignore[attr-defined]
    assert a.dated_only is True  # type: ignore[attr-defined]
    quoted = one(article(date='"2026-01-06"'))
    assert quoted.dated_only is True  # type: ignore[attr-defined]


def test_a_file_name_without_a_real_date_needs_a_date() -> None:
    text = "---\ntitle: A\nauthor: david-okafor\nsection: conflict\n---\n\nText.\n"
    assert failures({"2016-13-45-narada.md": text}) == [
        "content/articles/2016-13-45-narada.md:1: missing 'date': when it was published, e.g. "
        "2026-01-06T09:30:00+02:00"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2010-02-16", True),
        (" 2010-02-16 ", True),
        ("2010-02-16T00:00:00+02:00", False),
        ("2010-02-16 09:30", False),
        (datetime(2010, 2, 16), False),
        (datetime(2010, 2, 16).date(), True),
        (None, False),
    ],
)
def test_is_date_only(value: object, expected: bool) -> None:
    assert is_date_only(value) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2016-01-18-operatyvna-narada", ("2016-01-18", "operatyvna-narada")),
        ("2016-01-18", (None, "2016-01-18")),
        ("2016-02-30-x", (None, "2016-02-30-x")),
        ("1066-10-14-hastings", (None, "1066-10-14-hastings")),
        ("kyiv-talks", (None, "kyiv-talks")),
    ],
)
def test_name_date(name: str, expected: tuple[str | None, str]) -> None:
    day, rest = name_date(name)
    assert (day.isoformat() if day else None, rest) == expected
