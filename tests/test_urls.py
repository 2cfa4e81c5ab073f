"""Slugs (Ukrainian by the 2010 national table, Russian, English), permalinks, safe paths."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from gen.urls import (
    article_path,
    guess_cyrillic_language,
    is_safe_slug,
    output_file,
    page_path,
    slugify,
    transliterate,
)

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Київ", "kyiv"),
        ("Запоріжжя", "zaporizhzhia"),
        ("Згорани", "zghorany"),
        ("Розгон", "rozghon"),
        ("Юрій", "yurii"),
        ("Харків", "kharkiv"),
        ("Вінниця", "vinnytsia"),
        ("Щастя", "shchastia"),
        ("Ґорґани", "gorgany"),
        ("Біла Церква", "bila-tserkva"),
        ("Одеса", "odesa"),
        ("Львів", "lviv"),
    ],
)
def test_transliterates_ukrainian_by_the_national_table(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Єнакієве", "yenakiieve"),
        ("Їжакевич", "yizhakevych"),
        ("Йосипівка", "yosypivka"),
        ("Юрій", "yurii"),
        ("Яготин", "yahotyn"),
    ],
)
def test_writes_ye_yi_y_yu_ya_at_the_start_of_a_word(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Маріуполь", "mariupol"),  # ю/я/є/ї/й inside a word: iu, ia, ie, i, i
        ("Соломія", "solomiia"),
        ("Київ Мій", "kyiv-mii"),
        ("Новий Єрусалим", "novyi-yerusalym"),
        ("Стрий-Ялта", "stryi-yalta"),  # a hyphen starts a new word
    ],
)
def test_writes_ie_i_iu_ia_inside_a_word(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ"])
def test_drops_ukrainian_apostrophes_without_starting_a_word(apostrophe: str) -> None:
    # After an apostrophe, я is still inside the word: "ia", never "ya".
    assert slugify(f"Знам{apostrophe}янка") == "znamianka"
    assert slugify(f"Обʼєднання{apostrophe}") == "obiednannia"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Съезд", "sezd"),
        ("Выборы", "vybory"),
        ("Эстония", "estoniya"),
        ("Ёлка", "elka"),
    ],
)
def test_letters_only_russian_has_switch_to_russian(text: str, slug: str) -> None:
    assert guess_cyrillic_language(text) == "ru"
    assert slugify(text) == slug


def test_ukrainian_letters_win_over_russian_ones() -> None:
    assert guess_cyrillic_language("Київ и Съезд") == "uk"


def test_shared_letters_follow_the_given_language() -> None:
    assert slugify("Москва", "ru") == "moskva"
    assert slugify("Юрий", "ru") == "yuriy"
    assert slugify("Юрий", "uk") == "yuryi"
    # An article language that is neither falls back to Ukrainian.
    assert slugify("Юрий", "en") == "yuryi"


def test_transliterate_leaves_latin_text_alone() -> None:
    assert transliterate("Kyiv 2026") == "kyiv 2026"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ukraine's allies", "ukraines-allies"),
        ("Ukraine’s allies", "ukraines-allies"),
        ("Don't panic", "dont-panic"),
    ],
)
def test_english_apostrophes_join_the_word(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Allies meet in Kyiv", "allies-meet-in-kyiv"),
        ("  --Kyiv,  Ukraine!--  ", "kyiv-ukraine"),
        ("Zürich café", "zurich-cafe"),
        ("G7: 2026 summit", "g7-2026-summit"),
        ("../../etc/passwd", "etc-passwd"),
        ("C:\\Windows\\system32", "c-windows-system32"),
        ("", ""),
        ("!!!", ""),
        ("日本", ""),
    ],
)
def test_slugify_keeps_lowercase_ascii_words(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_long_slugs_are_cut_at_a_word_boundary() -> None:
    slug = slugify(" ".join(["word"] * 40))
    assert len(slug) <= 80
    assert slug.endswith("word")
    assert is_safe_slug(slug)


@pytest.mark.parametrize("slug", ["kyiv", "kyiv-talks", "g7-2026"])
def test_accepts_safe_slugs(slug: str) -> None:
    assert is_safe_slug(slug)


@pytest.mark.parametrize(
    "slug", ["", "Kyiv", "kyiv talks", "-kyiv", "kyiv-", "a--b", "../x", "a/b", "київ", "a_b"]
)
def test_refuses_unsafe_slugs(slug: str) -> None:
    assert not is_safe_slug(slug)


def test_formats_the_default_permalink_with_padded_fields() -> None:
    moment = datetime(2026, 1, 6, 9, 30, tzinfo=KYIV)
    assert article_path("/{year}/{month}/{day}/{slug}/", moment, "kyiv-talks", "conflict") == (
        "/2026/01/06/kyiv-talks/"
    )


def test_formats_a_permalink_with_the_section() -> None:
    moment = datetime(2026, 11, 27, tzinfo=KYIV)
    assert article_path("/{section}/{year}/{slug}/", moment, "x", "economy") == "/economy/2026/x/"


@pytest.mark.parametrize(
    ("base", "page", "path"),
    [
        ("/", 1, "/"),
        ("/", 2, "/page/2/"),
        ("/tag/kyiv/", 1, "/tag/kyiv/"),
        ("/tag/kyiv/", 3, "/tag/kyiv/page/3/"),
    ],
)
def test_page_path_numbers_pages_after_the_first(base: str, page: int, path: str) -> None:
    assert page_path(base, page) == path


@pytest.mark.parametrize(
    ("site_path", "file"),
    [
        ("/", "index.html"),
        ("/2026/01/06/kyiv-talks/", "2026/01/06/kyiv-talks/index.html"),
        ("/404.html", "404.html"),
        ("/static/style.css", "static/style.css"),
    ],
)
def test_output_file_maps_site_paths_to_files(site_path: str, file: str) -> None:
    assert output_file(site_path) == file


@pytest.mark.parametrize(
    "site_path",
    [
        "/../x",
        "/a/../../x/",
        "/a/..",
        "/./x",
        "/a\\b",
        "/..\\x",
        "/a\x00b",
        "//x",
        "//evil.example/x",
        "relative/x",
        "",
    ],
)
def test_output_file_refuses_paths_that_could_escape(site_path: str) -> None:
    with pytest.raises(ValueError, match="unsafe path"):
        output_file(site_path)
