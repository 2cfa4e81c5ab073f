"""The theme's fixed words and date formats per language, never taken from the process locale."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    # Ukrainian dates use the genitive: "6 січня 2026".
    "uk": (
        "січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
        "вересня", "жовтня", "листопада", "грудня",
    ),
}  # fmt: skip
MONTHS_NOMINATIVE = {
    "en": MONTHS["en"],
    "uk": (
        "Січень", "Лютий", "Березень", "Квітень", "Травень", "Червень", "Липень", "Серпень",
        "Вересень", "Жовтень", "Листопад", "Грудень",
    ),
}  # fmt: skip

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to content",
        "sections": "Sections",
        "latest": "Latest",
        "archive": "Archive",
        "by": "By",
        "and": "and",
        "published": "Published",
        "updated": "Updated",
        "words": "words",
        "min_read": "min read",
        "tags": "Tags",
        "section": "Section",
        "contents": "In this article",
        "page": "Page",
        "of": "of",
        "newer": "Newer",
        "older": "Older",
        "pagination": "Pages",
        "photo": "Photo",
        "not_found": "Page not found",
        "not_found_text": (
            "There is no page at this address. It may have moved, or the link may be mistyped."
        ),
        "home": "Front page",
        "articles_by": "Articles by",
        "tagged": "Articles tagged",
        "month_archive": "Archive",
        "no_articles": "No articles yet.",
        "breadcrumb": "Breadcrumb",
        "main_nav": "Main",
        "site_footer": "Published with Dateline.",
        "lead_story": "Lead story",
        "more_stories": "More stories",
        "all_months": "All months",
        "corrections": "Corrections",
        "corrections_intro": "Errors we have corrected in our reporting, the latest first.",
        "correction": "Correction",
        "clarification": "Clarification",
        "editors-note": "Editor's note",
        "sources": "Sources",
        "related": "Related stories",
        "expired": "This article is no longer current and has been removed from our lists.",
        "read_in": "Read in English",
        "translations": "Other languages",
        "no_corrections": "No corrections so far.",
        "feed": "Feed",
        "redirect": "This story has moved to",
        "lite": "text-only edition",
        "lite_link": "Text-only edition (fast on slow connections)",
        "full": "Full version",
        "live": "Live",
        "ended": "Ended",
        "update": "Update",
        "updates": "Latest updates",
        "no_updates": "No updates yet.",
        "key_events": "Key events",
        "link_to_update": "Link to this update",
        "coverage_from": "Coverage from",
        "coverage_to": "to",
        "search_label": "Search for words in our stories",
        "search": "Search",
        "search_intro": "Search every story we have published.",
        "search_needs_js": "Search needs JavaScript. Every story is also listed in the archive:",
    },
    "uk": {
        "skip": "Перейти до змісту",
        "sections": "Розділи",
        "latest": "Останнє",
        "archive": "Архів",
        "by": "Автор:",
        "and": "і",
        "published": "Опубліковано",
        "updated": "Оновлено",
        "words": "слів",
        "min_read": "хв читання",
        "tags": "Теги",
        "section": "Розділ",
        "contents": "У цій статті",
        "page": "Сторінка",
        "of": "з",
        "newer": "Новіші",
        "older": "Старіші",
        "pagination": "Сторінки",
        "photo": "Фото",
        "not_found": "Сторінку не знайдено",
        "not_found_text": (
            "За цією адресою немає сторінки. Можливо, її перенесли або посилання хибне."
        ),
        "home": "Головна",
        "articles_by": "Статті автора",
        "tagged": "Статті з тегом",
        "month_archive": "Архів",
        "no_articles": "Статей ще немає.",
        "breadcrumb": "Навігація",
        "main_nav": "Головне меню",
        "site_footer": "Створено з Dateline.",
        "lead_story": "Головна новина",
        "more_stories": "Інші новини",
        "all_months": "Усі місяці",
        "corrections": "Виправлення",
        "corrections_intro": "Помилки, які ми виправили в наших матеріалах, від найновіших.",
        "correction": "Виправлення",
        "clarification": "Уточнення",
        "editors-note": "Примітка редакції",
        "sources": "Джерела",
        "related": "Читайте також",
        "expired": "Ця стаття вже не актуальна і прибрана з наших добірок.",
        "read_in": "Читати українською",
        "translations": "Іншими мовами",
        "no_corrections": "Виправлень поки немає.",
        "feed": "Стрічка",
        "redirect": "Матеріал переїхав за адресою",
        "lite": "текстова версія",
        "lite_link": "Текстова версія (швидка на повільному з'єднанні)",
        "full": "Повна версія",
        "live": "Наживо",
        "ended": "Завершено",
        "update": "Оновлення",
        "updates": "Останні оновлення",
        "no_updates": "Оновлень поки немає.",
        "key_events": "Ключові події",
        "link_to_update": "Посилання на це оновлення",
        "coverage_from": "Трансляція з",
        "coverage_to": "до",
        "search_label": "Шукати слова в наших матеріалах",
        "search": "Пошук",
        "search_intro": "Шукайте серед усіх наших матеріалів.",
        "search_needs_js": "Для пошуку потрібен JavaScript. Усі матеріали є також в архіві:",
    },
}


def base_language(lang: str) -> str:
    """'uk' for 'uk-UA'; English where the theme has no strings for the language."""
    short = lang.split("-", 1)[0].lower()
    return short if short in STRINGS else "en"


def translate(key: str, lang: str) -> str:
    """A fixed word of the theme in `lang` (falling back to English)."""
    return STRINGS[base_language(lang)].get(key) or STRINGS["en"][key]


def format_date(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """'6 January 2026' / '6 січня 2026', in the site's time zone."""
    local = moment.astimezone(tz)
    month = MONTHS[base_language(lang)][local.month - 1]
    return f"{local.day} {month} {local.year}"


def format_datetime(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """'6 January 2026, 09:30 EET' in the site's time zone."""
    local = moment.astimezone(tz)
    return f"{format_date(local, lang, tz)}, {local:%H:%M} {local.tzname() or ''}".rstrip()


def format_month(year: int, month: int, lang: str) -> str:
    """'January 2026' / 'Січень 2026'."""
    return f"{MONTHS_NOMINATIVE[base_language(lang)][month - 1]} {year}"
