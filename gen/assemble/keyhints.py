"""What an unknown front-matter key should be: other generators' names (Jekyll, Hugo,
WordPress exports, Pelican) mapped to Dateline's, then a close spelling (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from gen.errors import suggest

NOT_USED = "not used by Dateline: remove it"
URL_NOT_USED = (
    "not used by Dateline: the URL comes from site.yaml's permalink and 'slug'; "
    "put an old URL in 'aliases'"
)
# Keys are compared lowercase without '_' and '-' (publishDate, publish_date, PublishDate).
# A spelling hint guesses from letters ('description' → 'section'); these know the meaning.
FOREIGN_KEYS = {
    "description": "use 'summary'",
    "excerpt": "use 'summary'",
    "subtitle": "use 'summary'",
    "lead": "use 'summary'",
    "abstract": "use 'summary'",
    "categories": "use 'section' for the first (one of site.yaml's sections) and 'tags'",
    "category": "use 'section' (one of site.yaml's sections)",
    "redirectfrom": "use 'aliases'",
    "alias": "use 'aliases'",
    "authors": "use 'author' (one id, or a list of ids)",
    "byline": "use 'author' (one id, or a list of ids)",
    "featuredimage": "use 'image'",
    "featureimage": "use 'image'",
    "cover": "use 'image'",
    "coverimage": "use 'image'",
    "thumbnail": "use 'image'",
    "images": "use 'image' (one lead image)",
    "ogimage": "use 'image'",
    "lastmod": "use 'updated'",
    "modified": "use 'updated'",
    "lastmodified": "use 'updated'",
    "lastmodifiedat": "use 'updated'",
    "updatedat": "use 'updated'",
    "publishdate": "use 'date'",
    "pubdate": "use 'date'",
    "datepublished": "use 'date'",
    "published": "use 'date' for when, and 'draft: true' to keep it out",
    "expirydate": "use 'expires'",
    "unpublishdate": "use 'expires'",
    "keywords": "use 'tags'",
    "tag": "use 'tags'",
    "language": "use 'lang'",
    "translationkey": "use 'translation_of' (the slug of the original)",
    "location": "use 'dateline'",
    "status": "use 'draft: true' to keep it out",
    "permalink": URL_NOT_USED,
    "url": URL_NOT_USED,
    **{
        key: NOT_USED
        for key in (
            "layout",
            "type",
            "weight",
            "toc",
            "comments",
            "menu",
            "menus",
            "sitemap",
            "hidden",
            "markup",
            "outputs",
            "build",
            "cascade",
            "headless",
            "linktitle",
            "iscjklanguage",
            "math",
            "mathjax",
            "katex",
            "share",
            "sharing",
            "related",
            "series",
            "guid",
            "wordpressid",
        )
    },
}


def key_hint(key: str, known: Iterable[str]) -> str:
    """'; use 'summary'' for another generator's key, '; did you mean …?' for a misspelt
    one, or ''. A key that is Dateline's in another case (Title) gets the spelling hint."""
    known = list(known)
    folded = key.lower().replace("_", "").replace("-", "")
    if folded in FOREIGN_KEYS and not any(folded == k.replace("_", "") for k in known):
        return f"; {FOREIGN_KEYS[folded]}"
    return suggest(key, known)
