"""The theme's words and dates per language, formatted by us, never by the process locale."""

from __future__ import annotations

import locale
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gen.pages.i18n import (
    MONTHS,
    STRINGS,
    base_language,
    format_date,
    format_datetime,
    format_month,
    translate,
)

KYIV = ZoneInfo("Europe/Kyiv")


def test_formats_an_english_date() -> None:
    moment = datetime(2026, 1, 6, 9, 30, tzinfo=KYIV)
    assert format_date(moment, "en", KYIV) == "6 January 2026"


def test_formats_a_ukrainian_date_in_the_genitive() -> None:
    moment = datetime(2026, 1, 6, 9, 30, tzinfo=KYIV)
    assert format_date(moment, "uk", KYIV) == "6 січня 2026"
    assert format_date(moment.replace(month=11), "uk-UA", KYIV) == "6 листопада 2026"


def test_dates_are_shown_in_the_site_time_zone() -> None:
    # 23:30 UTC on 5 January is already 6 January in Kyiv.
    moment = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    assert format_date(moment, "en", KYIV) == "6 January 2026"
    assert format_date(moment, "en", ZoneInfo("UTC")) == "5 January 2026"


def test_formats_date_and_time_with_the_zone_abbreviation() -> None:
    winter = datetime(2026, 1, 6, 7, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 6, 6, 5, tzinfo=UTC)
    assert format_datetime(winter, "en", KYIV) == "6 January 2026, 09:30 EET"
    assert format_datetime(summer, "en", KYIV) == "6 July 2026, 09:05 EEST"
    assert format_datetime(winter, "uk", KYIV) == "6 січня 2026, 09:30 EET"


def test_formats_a_month_in_the_nominative() -> None:
    assert format_month(2026, 1, "en") == "January 2026"
    assert format_month(2026, 1, "uk") == "Січень 2026"
    assert format_month(2025, 12, "uk") == "Грудень 2025"


def test_formatting_ignores_the_process_locale() -> None:
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=KYIV)
    before = format_datetime(moment, "en", KYIV)
    saved = locale.setlocale(locale.LC_TIME)
    try:
        for name in ("uk_UA.UTF-8", "de_DE.UTF-8", "C.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            assert format_datetime(moment, "en", KYIV) == before
    finally:
        locale.setlocale(locale.LC_TIME, saved)
    assert before == "1 March 2026, 12:00 EET"


@pytest.mark.parametrize(
    ("lang", "base"), [("en", "en"), ("uk", "uk"), ("uk-UA", "uk"), ("UK", "uk"), ("fr", "en")]
)
def test_base_language_falls_back_to_english(lang: str, base: str) -> None:
    assert base_language(lang) == base


def test_translates_theme_words() -> None:
    assert translate("published", "en") == "Published"
    assert translate("published", "uk") == "Опубліковано"
    assert translate("published", "pl") == "Published"


def test_every_language_has_every_word() -> None:
    for lang, strings in STRINGS.items():
        assert set(strings) == set(STRINGS["en"]), lang
        assert all(strings.values()), lang
    for lang, months in MONTHS.items():
        assert len(months) == 12, lang


def test_unknown_words_are_a_bug_not_a_blank() -> None:
    with pytest.raises(KeyError):
        translate("no-such-word", "uk")
