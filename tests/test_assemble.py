"""Sources → validated articles → the site model, without touching the disk."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gen.assemble.site import build_site
from gen.config import BuildOptions, SiteConfig, parse_config
from gen.errors import ContentError, ErrorReport
from gen.model import Site
from gen.source.read import Asset, DataDoc, SourceTree, split_source
from gen.source.yamldoc import load_yaml
from tests.conftest import AUTHOR_YAML, SITE_YAML, TINY_PNG, article

KYIV = ZoneInfo("Europe/Kyiv")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=KYIV)
OKSANA_YAML = "name: Oksana Hnatiuk\nrole: Photographer\n"


def config(extra: str = "") -> SiteConfig:
    return parse_config(load_yaml(SITE_YAML + extra))


def tree(articles: dict[str, str]) -> SourceTree:
    """A source tree from article texts (path under content/articles/ → text)."""
    report = ErrorReport()
    docs = tuple(
        split_source(f"content/articles/{name}", text, report)
        for name, text in sorted(articles.items())
    )
    assert not report.errors, report.errors
    authors = (
        DataDoc("content/authors/david-okafor.yaml", load_yaml(AUTHOR_YAML)),
        DataDoc("content/authors/oksana-hnatiuk.yaml", load_yaml(OKSANA_YAML)),
    )
    assets = (Asset("images/photo.png", TINY_PNG),)
    return SourceTree(docs, authors, assets)  # type: ignore[arg-type]


def options(**kwargs: object) -> BuildOptions:
    values: dict[str, object] = {"site_dir": Path(), "output_dir": Path("out"), "now": NOW}
    return BuildOptions(**{**values, **kwargs})  # type: ignore[arg-type]


def assemble(
    articles: dict[str, str], extra_config: str = "", **kwargs: object
) -> tuple[Site, ErrorReport]:
    report = ErrorReport()
    site = build_site(tree(articles), config(extra_config), options(**kwargs), report)
    return site, report


def failures(articles: dict[str, str], **kwargs: object) -> list[str]:
    """The errors that stop assembling `articles`, as printed."""
    with pytest.raises(ContentError) as caught:
        assemble(articles, **kwargs)
    return [str(p) for p in caught.value.problems]


def one(text: str, name: str = "2026/kyiv-talks.md", **kwargs: object) -> object:
    site, report = assemble({name: text}, **kwargs)
    assert not report.errors
    [only] = site.articles
    return only


def test_builds_an_article_from_front_matter_and_body() -> None:
    a = one(article(extra="tags: [Ukraine, diplomacy]\ndateline: Kyiv, Ukraine\n"))
    assert a.title == "Allies meet in Kyiv"
    assert a.slug == "kyiv-talks"
    assert a.url == "/2026/01/06/kyiv-talks/"
    assert a.date == datetime(2026, 1, 6, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert [au.id for au in a.authors] == ["david-okafor"]
    assert a.authors[0].role == "Diplomatic correspondent"
    assert a.section.id == "diplomacy"
    assert [(t.slug, t.name, t.url) for t in a.tags] == [
        ("ukraine", "Ukraine", "/tag/ukraine/"),
        ("diplomacy", "diplomacy", "/tag/diplomacy/"),
    ]
    assert a.dateline == "Kyiv, Ukraine"
    assert a.word_count == 12
    assert a.reading_minutes == 1
    assert a.lang == "en"


def test_drafts_are_left_out_unless_asked_for() -> None:
    texts = {"a.md": article("Draft", extra="draft: true\n"), "b.md": article("Published")}
    site, _ = assemble(texts)
    assert [a.title for a in site.articles] == ["Published"]
    site, _ = assemble(texts, drafts=True)
    assert sorted(a.title for a in site.articles) == ["Draft", "Published"]
    assert [a.draft for a in site.articles if a.title == "Draft"] == [True]


def test_a_broken_draft_is_only_a_warning_without_drafts() -> None:
    broken = article("Draft", section="sport", extra="draft: true\n")
    site, report = assemble({"draft.md": broken, "ok.md": article("Published")})
    assert [a.title for a in site.articles] == ["Published"]
    assert not report.errors
    assert [str(p) for p in report.warnings] == [
        "content/articles/draft.md:5: (draft) unknown section 'sport' "
        "(site.yaml has: conflict, diplomacy)"
    ]


def test_a_broken_draft_is_an_error_with_drafts() -> None:
    broken = article("Draft", section="sport", extra="draft: true\n")
    assert failures({"draft.md": broken}, drafts=True) == [
        "content/articles/draft.md:5: unknown section 'sport' (site.yaml has: conflict, diplomacy)"
    ]


def test_a_draft_sharing_a_url_does_not_block_publishing() -> None:
    texts = {
        "kyiv-talks.md": article(),
        "kyiv-talks-rewrite.md": article(extra="slug: kyiv-talks\ndraft: true\n"),
    }
    site, _ = assemble(texts)
    assert [a.source for a in site.articles] == ["content/articles/kyiv-talks.md"]


def test_future_articles_wait_for_the_clock() -> None:
    texts = {
        "now.md": article("Now", date="2026-11-27T11:59:00+02:00"),
        "soon.md": article("Soon", date="2026-11-27T12:01:00+02:00"),
    }
    site, _ = assemble(texts)
    assert [a.title for a in site.articles] == ["Now"]
    site, _ = assemble(texts, now=NOW + timedelta(minutes=2))
    assert [a.title for a in site.articles] == ["Soon", "Now"]
    site, _ = assemble(texts, future=True)
    assert [a.title for a in site.articles] == ["Soon", "Now"]


def test_an_article_dated_exactly_now_is_published() -> None:
    site, _ = assemble({"a.md": article(date="2026-11-27T12:00:00+02:00")})
    assert len(site.articles) == 1


def test_a_bare_date_takes_the_site_time_zone() -> None:
    a = one(article(date="2026-01-06"))
    assert a.date == datetime(2026, 1, 6, 0, 0, tzinfo=KYIV)
    assert a.date.utcoffset() == timedelta(hours=2)


def test_a_naive_time_takes_the_site_time_zone() -> None:
    a = one(article(date="2026-07-06 09:30:00"))
    assert a.date == datetime(2026, 7, 6, 9, 30, tzinfo=KYIV)
    assert a.date.utcoffset() == timedelta(hours=3)


def test_the_url_uses_the_date_in_the_site_time_zone() -> None:
    # 23:30 UTC on 5 January is 01:30 on 6 January in Kyiv.
    a = one(article(date="2026-01-05T23:30:00+00:00"))
    assert a.url == "/2026/01/06/kyiv-talks/"


def test_articles_are_newest_first_with_a_stable_tiebreak() -> None:
    texts = {
        "b.md": article("B", date="2026-01-06T09:00:00+02:00"),
        "a.md": article("A", date="2026-01-06T09:00:00+02:00"),
        "c.md": article("C", date="2026-01-07T09:00:00+02:00"),
    }
    site, _ = assemble(texts)
    assert [a.slug for a in site.articles] == ["c", "b", "a"]


def test_rejects_updated_before_date() -> None:
    text = article(extra="updated: 2026-01-05T18:00:00+02:00\n")
    assert failures({"a.md": text}) == [
        "content/articles/a.md:6: 'updated' (2026-01-05T18:00:00+02:00) is before "
        "'date' (2026-01-06T09:30:00+02:00)"
    ]


def test_keeps_a_valid_updated_time() -> None:
    a = one(article(extra="updated: 2026-01-06T18:10:00+02:00\n"))
    assert a.updated == datetime(2026, 1, 6, 18, 10, tzinfo=timezone(timedelta(hours=2)))


def test_rejects_an_impossible_date_at_its_line() -> None:
    assert failures({"a.md": article(date="2026-02-30")}) == [
        "content/articles/a.md:4: 'date' is not a date: expected e.g. 2026-01-06T09:30:00+02:00, "
        "got '2026-02-30'"
    ]


def test_accepts_several_authors_in_order() -> None:
    a = one(article(author="[oksana-hnatiuk, david-okafor, oksana-hnatiuk]"))
    assert [au.id for au in a.authors] == ["oksana-hnatiuk", "david-okafor"]


def test_an_unknown_author_in_a_list_is_reported_at_its_line() -> None:
    text = (
        "---\ntitle: A\nauthor:\n  - david-okafor\n  - oksana-hnatuk\ndate: 2026-01-06\n"
        "section: conflict\n---\n\nText.\n"
    )
    assert failures({"a.md": text}) == [
        "content/articles/a.md:5: unknown author 'oksana-hnatuk'; did you mean 'oksana-hnatiuk'? "
        "(authors are content/authors/<id>.yaml)"
    ]


def test_an_unknown_key_gets_a_suggestion() -> None:
    assert failures({"a.md": article(extra="sumary: Short.\n")}) == [
        "content/articles/a.md:6: unknown front matter key 'sumary'; did you mean 'summary'?"
    ]


def test_every_problem_of_every_article_is_reported() -> None:
    texts = {
        "a.md": article(section="sport"),
        "b.md": "---\ntitle: B\n---\n\nText.\n",
    }
    assert failures(texts) == [
        "content/articles/a.md:5: unknown section 'sport' (site.yaml has: conflict, diplomacy)",
        "content/articles/b.md:1: missing 'author': an author id, or a list of ids, from "
        "content/authors/",
        "content/articles/b.md:1: missing 'date': when it was published, e.g. "
        "2026-01-06T09:30:00+02:00",
        "content/articles/b.md:1: missing 'section': one of the sections in site.yaml",
    ]


def test_flat_image_keys_mean_the_same_as_the_nested_form() -> None:
    nested = one(
        article(
            extra="image:\n  src: images/photo.png\n  alt: Delegates\n  credit: Agency\n"
            "  caption: The meeting.\n"
        )
    )
    flat = one(
        article(
            extra="image: images/photo.png\nimage_alt: Delegates\nimage_credit: Agency\n"
            "image_caption: The meeting.\n"
        )
    )
    assert nested.image is not None and flat.image is not None
    # Only where each form was written (for messages) differs.
    assert replace(nested.image, ref="") == replace(flat.image, ref="")
    assert (nested.image.url, nested.image.alt, nested.image.credit, nested.image.caption) == (
        "/images/photo.png",
        "Delegates",
        "Agency",
        "The meeting.",
    )
    assert (nested.image.width, nested.image.height) == (4, 3)


def test_a_lead_image_needs_a_credit_at_the_flat_key_line() -> None:
    text = article(extra="image: images/photo.png\nimage_alt: Delegates\n")
    assert failures({"a.md": text}) == [
        "content/articles/a.md:6: the lead image needs a 'credit' naming who made it"
    ]


def test_tags_as_a_comma_string_equal_tags_as_a_list() -> None:
    listed = one(article(extra="tags: [Ukraine, security guarantees]\n"))
    comma = one(article(extra="tags: Ukraine, security guarantees\n"))
    assert listed.tags == comma.tags
    assert [t.slug for t in listed.tags] == ["ukraine", "security-guarantees"]


def test_tags_with_one_slug_are_merged() -> None:
    a = one(article(extra="tags: [Kyiv, kyiv, KYIV, Київ]\n"))
    assert [(t.slug, t.name) for t in a.tags] == [("kyiv", "Kyiv")]


def test_a_yaml_boolean_is_not_taken_as_a_tag() -> None:
    text = article(extra="tags:\n  - ukraine\n  - no\n")
    assert failures({"a.md": text}) == [
        "content/articles/a.md:8: tag 2 must be a word or phrase "
        "(YAML reads yes/no/on/off as true/false: quote it)"
    ]


def test_slug_comes_from_the_file_name_transliterated() -> None:
    a = one(article(), name="2026/Переговори в Києві.md")
    assert a.slug == "perehovory-v-kyievi"
    assert a.url == "/2026/01/06/perehovory-v-kyievi/"


def test_a_slug_key_overrides_the_file_name() -> None:
    a = one(article(extra="slug: allies-meet\n"), name="2026/draft-3.md")
    assert a.url == "/2026/01/06/allies-meet/"


def test_rejects_an_unsafe_slug() -> None:
    assert failures({"a.md": article(extra="slug: ../../etc/passwd\n")}) == [
        "content/articles/a.md:6: unsafe slug '../../etc/passwd': use lowercase letters, digits "
        "and hyphens (e.g. 'etc-passwd')"
    ]


def test_two_articles_at_one_url_name_each_other() -> None:
    texts = {"a.md": article(extra="slug: same\n"), "b.md": article("Other", extra="slug: same\n")}
    assert failures(texts) == [
        "content/articles/a.md:1: URL /2026/01/06/same/ is also the URL of content/articles/b.md; "
        "give one of them another 'slug'",
        "content/articles/b.md:1: URL /2026/01/06/same/ is also the URL of content/articles/a.md; "
        "give one of them another 'slug'",
    ]


def test_summary_defaults_to_the_first_paragraph() -> None:
    a = one(article(body="## Heading\n\nThe *first* paragraph.\n\nThe second.\n"))
    assert a.summary == "The first paragraph."
    assert a.standfirst == ""


def test_a_given_summary_is_also_the_standfirst() -> None:
    a = one(article(extra="summary: Advisers from 18 countries met.\n"))
    assert a.summary == a.standfirst == "Advisers from 18 countries met."


def test_a_long_first_paragraph_is_cut_at_a_word() -> None:
    a = one(article(body=" ".join(["Kyiv"] * 100) + "\n"))
    assert len(a.summary) <= 300
    assert a.summary.endswith("Kyiv…")


def test_word_count_is_counted_not_trusted() -> None:
    a = one(article(body="Four words are here.\n\n(Word count: 712)\n"))
    assert a.word_count == 7


def test_site_lists_sections_tags_authors_and_months() -> None:
    texts = {
        "a.md": article(
            "A", date="2026-01-31T23:30:00+00:00", section="conflict", extra="tags: [kyiv]\n"
        ),
        "b.md": article(
            "B", date="2026-01-10", author="oksana-hnatiuk", extra="tags: [kyiv, lviv]\n"
        ),
        "c.md": article("C", date="2026-02-10", extra="tags: [hidden]\ndraft: true\n"),
    }
    site, _ = assemble(texts)
    lists = {(li.kind, li.key): [a.title for a in li.articles] for li in site.listings}
    assert lists == {
        ("front", ""): ["A", "B"],
        ("section", "conflict"): ["A"],
        ("section", "diplomacy"): ["B"],
        ("tag", "kyiv"): ["A", "B"],
        ("tag", "lviv"): ["B"],
        ("author", "david-okafor"): ["A"],
        ("author", "oksana-hnatiuk"): ["B"],
        # 23:30 UTC on 31 January is February in Kyiv.
        ("archive", "2026-02"): ["A"],
        ("archive", "2026-01"): ["B"],
    }
    assert [(m.year, m.month, m.url) for m in site.months] == [
        (2026, 2, "/archive/2026/02/"),
        (2026, 1, "/archive/2026/01/"),
    ]
    assert [t.slug for t in site.tags] == ["kyiv", "lviv"]


def test_assembling_twice_gives_equal_sites() -> None:
    texts = {"a.md": article("A", extra="tags: [x, y]\n"), "b.md": article("B", date="2026-01-07")}
    first, _ = assemble(texts)
    second, _ = assemble(texts)
    assert first.articles == second.articles
    assert first.listings == second.listings


def test_an_embargoed_story_keeps_its_photo_unpublished() -> None:
    image = "image: images/photo.png\nimage_alt: Delegates\nimage_credit: Agency\n"
    texts = {"later.md": article("Later", date="2026-12-01T08:00:00+02:00", extra=image)}
    site, _ = assemble(texts)
    assert [f.path for f in site.files] == []
    site, _ = assemble(texts, future=True)
    assert [f.path for f in site.files] == ["images/photo.png"]
