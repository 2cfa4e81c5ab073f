"""Related stories: a hand-built ranking, what may never appear, the count, and the cost."""

from __future__ import annotations

import collections
from datetime import datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

import gen.assemble.related
from gen.assemble.related import related_articles
from gen.model import Article, Section, Tag
from tests.conftest import SITE_YAML, article, build, make_site

DAY0 = datetime.fromisoformat("2026-06-15T12:00:00+03:00")
NEWS = Section("news", "News", "", "/section/news/")
WORLD = Section("world", "World", "", "/section/world/")


def tag(slug: str) -> Tag:
    return Tag(slug, slug, f"/tag/{slug}/")


def story(slug: str, days: float, section: Section, *tags: str) -> Article:
    """An article `days` after DAY0 (negative: before) with the given tags."""
    return Article(
        source=f"content/articles/{slug}.md",
        slug=slug,
        url=f"/{slug}/",
        title=slug,
        authors=(),
        date=DAY0 + timedelta(days=days),
        updated=None,
        section=section,
        tags=tuple(tag(t) for t in tags),
        summary="",
        standfirst="",
        dateline="",
        image=None,
        body_html="",
        toc=(),
        word_count=0,
        reading_minutes=1,
        lang="en",
    )


def newest_first(articles: list[Article]) -> list[Article]:
    """The order the site hands articles over in."""
    return sorted(articles, key=lambda a: (a.date, a.url), reverse=True)


def hand_built() -> list[Article]:
    """The target shares a rare tag with one story and a common tag with many.

    - rare: on the target and `rare-far` only, so sharing it outweighs everything else,
      even though `rare-far` is in another section and two months away;
    - common: on 16 of 20 stories, so sharing only it says little; among those,
      the same section beats another section, and nearer in time beats farther.
    """
    stories = [
        story("target", 0, NEWS, "rare", "common"),
        story("rare-far", -60, WORLD, "rare"),
        story("common-same-section", -10, NEWS, "common"),
        story("common-near", -1, WORLD, "common"),
        story("common-farther", -20, WORLD, "common"),
        story("untagged-same-day", 0.1, NEWS),
    ]
    # Filler that carries the common tag, a year away in another section.
    stories += [story(f"filler-{n:02d}", -365 - n, WORLD, "common") for n in range(12)]
    stories += [story(f"other-{n}", -400 - n, WORLD, "elsewhere") for n in range(2)]
    assert sum("common" in (t.slug for t in s.tags) for s in stories) == 16
    assert len(stories) == 20
    return newest_first(stories)


def slugs(articles: tuple[Article, ...]) -> list[str]:
    return [a.slug for a in articles]


def test_rare_tags_then_section_then_time_decide_the_ranking() -> None:
    related = related_articles(hand_built(), 4)
    assert slugs(related["/target/"]) == [
        "rare-far",
        "common-same-section",
        "common-near",
        "common-farther",
    ]


def test_same_section_breaks_a_tie_in_tags_and_time() -> None:
    stories = newest_first(
        [
            story("target", 0, NEWS, "kyiv"),
            story("other-section", -3, WORLD, "kyiv"),
            story("same-section", 3, NEWS, "kyiv"),
        ]
    )
    assert slugs(related_articles(stories, 4)["/target/"]) == ["same-section", "other-section"]


def test_nearer_in_time_breaks_a_tie_in_tags_and_section() -> None:
    stories = newest_first(
        [
            story("target", 0, NEWS, "kyiv"),
            story("month-before", -30, NEWS, "kyiv"),
            story("day-after", 1, NEWS, "kyiv"),
            story("week-before", -7, NEWS, "kyiv"),
        ]
    )
    assert slugs(related_articles(stories, 4)["/target/"]) == [
        "day-after",
        "week-before",
        "month-before",
    ]


def test_two_shared_tags_beat_one() -> None:
    stories = newest_first(
        [
            story("target", 0, NEWS, "kyiv", "talks"),
            story("one", 5, NEWS, "kyiv"),
            story("both", -5, NEWS, "kyiv", "talks"),
        ]
    )
    assert slugs(related_articles(stories, 4)["/target/"])[0] == "both"


def test_never_the_article_itself_and_at_most_count() -> None:
    stories = hand_built()
    for count in (1, 2, 4, 7):
        related = related_articles(stories, count)
        assert set(related) == {a.url for a in stories}
        for url, others in related.items():
            assert url not in {a.url for a in others}
            assert len(others) <= count
            assert len(set(others)) == len(others)
    assert not any(related_articles(stories, 0).values())


def test_the_ranking_does_not_depend_on_input_ties() -> None:
    stories = hand_built()
    once = related_articles(stories, 4)
    again = related_articles(list(stories), 4)
    assert {k: slugs(v) for k, v in once.items()} == {k: slugs(v) for k, v in again.items()}


# Cost: count the score updates (every `scores[j] += …`), not the seconds.


class CountingDict(collections.defaultdict):  # type: ignore[type-arg]
    """A defaultdict that counts every item assignment made through it."""

    writes = 0

    def __setitem__(self, key: object, value: object) -> None:
        CountingDict.writes += 1
        super().__setitem__(key, value)


def synthetic(n: int) -> list[Article]:
    """n stories a few hours apart, all sharing one common tag, each with one of n/5 rare ones."""
    return newest_first(
        [
            story(f"s{i:05d}", -i / 6, NEWS if i % 2 else WORLD, "ukraine", f"topic-{i // 5}")
            for i in range(n)
        ]
    )


def updates_for(n: int, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(gen.assemble.related, "defaultdict", CountingDict)
    CountingDict.writes = 0
    related = related_articles(synthetic(n), 4)
    assert len(related) == n
    return CountingDict.writes


def test_cost_grows_with_articles_times_tags_not_with_their_square(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = updates_for(500, monkeypatch)
    large = updates_for(2000, monkeypatch)
    assert small > 500  # the counter does see the work
    n = 2000
    assert large < n * n / 5, large  # all-pairs would be ~n² for the common tag alone
    # Four times the articles, about four times the work (all pairs would be sixteen).
    assert large / small < 6, (small, large)


def test_the_cap_on_a_common_tag_keeps_the_rare_match() -> None:
    stories = synthetic(1000)
    related = related_articles(stories, 4)
    for i in (0, 500, 999):
        target = f"/s{i:05d}/"
        group = {f"/s{j:05d}/" for j in range(i // 5 * 5, i // 5 * 5 + 5)} - {target}
        # Its four topic-mates share a rare tag: they are the four related stories.
        assert {a.url for a in related[target]} == group


def test_expired_pages_do_not_make_the_cost_quadratic(monkeypatch: pytest.MonkeyPatch) -> None:
    def work(n: int) -> int:
        stories = tuple(synthetic(n))
        listed = stories[::2]  # every other story has expired: its page keeps related links
        monkeypatch.setattr(gen.assemble.related, "defaultdict", CountingDict)
        CountingDict.writes = 0
        related = related_articles(listed, 4, stories)
        assert set(related) == {a.url for a in stories}
        return CountingDict.writes

    small, large = work(600), work(1200)  # above the per-tag candidate cap (200)
    assert large / small < 3, (small, large)  # twice the stories, about twice the work


# End to end: what the page shows.


def related_site(root: Path, site_yaml: str = SITE_YAML) -> Path:
    return make_site(
        root,
        {
            "site.yaml": site_yaml,
            "content/articles/target.md": article(
                "Target story", date="2026-11-20T09:00:00+02:00", extra="tags: [grain, odesa]\n"
            ),
            **{
                f"content/articles/peer-{n}.md": article(
                    f"Peer {n}",
                    date=f"2026-11-{10 + n:02d}T09:00:00+02:00",
                    extra="tags: [grain]\n",
                )
                for n in range(1, 7)
            },
            "content/articles/draft.md": article(
                "Draft story",
                date="2026-11-20T10:00:00+02:00",
                extra="tags: [grain, odesa]\ndraft: true\n",
            ),
            "content/articles/future.md": article(
                "Future story", date="2026-12-20T09:00:00+02:00", extra="tags: [grain, odesa]\n"
            ),
        },
    )


def related_on_page(out: Path, path: str) -> list[str]:
    doc = lxml.html.fromstring((out / path / "index.html").read_bytes())
    return doc.xpath("//section[contains(@class, 'related')]//li/a/text()")


def test_page_shows_four_related_stories_by_default_never_drafts_or_future(
    tmp_path: Path,
) -> None:
    site = related_site(tmp_path)
    assert build(site).code == 0
    shown = related_on_page(site / "output", "2026/11/20/target")
    # Same tag and section for all: the nearest in time win.
    assert shown == ["Peer 6", "Peer 5", "Peer 4", "Peer 3"]
    for n in range(1, 7):
        others = related_on_page(site / "output", f"2026/11/{10 + n:02d}/peer-{n}")
        assert f"Peer {n}" not in others
        assert "Draft story" not in others and "Future story" not in others
    assert "Target story" in related_on_page(site / "output", "2026/11/16/peer-6")


def test_related_count_in_site_yaml_sets_how_many(tmp_path: Path) -> None:
    site = related_site(tmp_path, SITE_YAML + "related_count: 2\n")
    assert build(site).code == 0
    assert related_on_page(site / "output", "2026/11/20/target") == ["Peer 6", "Peer 5"]


def test_related_count_zero_leaves_the_section_out(tmp_path: Path) -> None:
    site = related_site(tmp_path, SITE_YAML + "related_count: 0\n")
    assert build(site).code == 0
    doc = lxml.html.fromstring((site / "output/2026/11/20/target/index.html").read_bytes())
    assert doc.xpath("//section[contains(@class, 'related')]") == []
