"""Unknown front-matter keys from other generators get the Dateline key they mean, and
any author file the build finds can be named by a story."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.assemble.keyhints import key_hint
from tests.conftest import AUTHOR_YAML, article, build, make_site
from tests.test_assemble import failures

KNOWN = ["title", "author", "date", "updated", "section", "tags", "summary", "draft", "image"]


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("description", "; use 'summary'"),
        ("excerpt", "; use 'summary'"),
        ("subtitle", "; use 'summary'"),
        ("categories", "; use 'section' for the first (one of site.yaml's sections) and 'tags'"),
        ("redirect_from", "; use 'aliases'"),
        ("authors", "; use 'author' (one id, or a list of ids)"),
        ("featured_image", "; use 'image'"),
        ("cover", "; use 'image'"),
        ("thumbnail", "; use 'image'"),
        ("lastmod", "; use 'updated'"),
        ("last_modified_at", "; use 'updated'"),
        ("publishDate", "; use 'date'"),
        ("pubDate", "; use 'date'"),
        ("keywords", "; use 'tags'"),
        ("layout", "; not used by Dateline: remove it"),
        ("weight", "; not used by Dateline: remove it"),
        ("toc", "; not used by Dateline: remove it"),
        (
            "permalink",
            "; not used by Dateline: the URL comes from site.yaml's permalink and 'slug'; "
            "put an old URL in 'aliases'",
        ),
        ("Title", "; did you mean 'title'?"),
        ("Draft", "; did you mean 'draft'?"),
        ("Tags", "; did you mean 'tags'?"),
        ("xyzzy", ""),
    ],
)
def test_another_generators_key_gets_the_key_it_means(key: str, hint: str) -> None:
    assert key_hint(key, KNOWN) == hint


def test_the_hint_is_part_of_the_error_at_the_keys_line() -> None:
    text = article(extra="description: Short.\ncategories: [news, ukraine]\nlayout: post\n")
    assert failures({"a.md": text}) == [
        "content/articles/a.md:6: unknown front matter key 'description'; use 'summary'",
        "content/articles/a.md:7: unknown front matter key 'categories'; use 'section' for the "
        "first (one of site.yaml's sections) and 'tags'",
        "content/articles/a.md:8: unknown front matter key 'layout'; not used by Dateline: "
        "remove it",
    ]


def test_an_author_file_ending_in_a_hyphen_can_be_named(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/authors/mattr-.yaml": AUTHOR_YAML,
            "content/authors/j.smith.yaml": AUTHOR_YAML,
            "content/articles/a.md": article(author="[mattr-, j.smith]"),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    assert (site / "output/author/mattr-/index.html").is_file()
    assert (site / "output/author/j.smith/index.html").is_file()


def test_an_author_file_no_story_can_name_is_reported_once_at_the_file(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "content/authors/Matt R.yaml": AUTHOR_YAML,
            "content/articles/a.md": article(author="Matt R"),
        },
    )
    result = build(site)
    assert result.code == 1
    assert result.err.splitlines()[:-1] == [
        "content/authors/Matt R.yaml:1: author id 'Matt R' (the file name) must be lowercase "
        "letters, digits, '-', '_' or '.': rename the file"
    ]


def test_an_author_id_yaml_reads_as_a_boolean_says_to_quote_it(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article(author="yes")})
    result = build(site)
    assert result.err.splitlines()[:-1] == [
        "content/articles/a.md:3: unknown author 'True' (YAML read it as True, not as text: "
        "quote the id) (authors are content/authors/<id>.yaml)"
    ]
