"""Pelican settings for the benchmark corpus (bench/make_corpus.py --format pelican copies it).

Comparable to Dateline's sample site: date permalinks, sections as categories, tag, author and
month-archive pages, lists of 10, Atom and RSS feeds of 20 entries for the front page and for
every section, tag and author, and the same Markdown extensions Dateline uses. Content caching
is off: the benchmark times cold builds.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Written by make_corpus.py: author bios and section descriptions (Pelican has no data files).
DATA = json.loads((HERE / "pelican_data.json").read_text(encoding="utf-8"))
AUTHOR_BIOS = DATA["authors"]
SECTION_INFO = DATA["sections"]

SITENAME = "The Meridian Ledger"
SITEURL = "https://example.org"
SITE_DESCRIPTION = "Reporting on the war in Ukraine, its politics, its economy and its people."
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "Europe/Kyiv"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%B %d, %Y %H:%M"
STATIC_PATHS = ["images"]
PAGE_PATHS = ["pages"]
ARTICLE_EXCLUDES = ["images"]

DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
CATEGORY_URL = "section/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
CATEGORIES_SAVE_AS = "section/index.html"
TAGS_SAVE_AS = "tag/index.html"
AUTHORS_SAVE_AS = "author/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_URL = "archive/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL + "index.html"
DAY_ARCHIVE_SAVE_AS = ""

FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 20
FEED_ALL_ATOM = "feed.xml"
FEED_ALL_RSS = "rss.xml"
CATEGORY_FEED_ATOM = "section/{slug}/feed.xml"
CATEGORY_FEED_RSS = "section/{slug}/rss.xml"
TAG_FEED_ATOM = "tag/{slug}/feed.xml"
TAG_FEED_RSS = "tag/{slug}/rss.xml"
AUTHOR_FEED_ATOM = "author/{slug}/feed.xml"
AUTHOR_FEED_RSS = "author/{slug}/rss.xml"
TRANSLATION_FEED_ATOM = None

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {},
        "markdown.extensions.smarty": {},
        "markdown.extensions.sane_lists": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}

CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = False
