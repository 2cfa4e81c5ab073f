"""Related articles from an inverted index over tags and sections: never every pair."""

from __future__ import annotations

import bisect
import hashlib
import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from gen import code_digest
from gen.model import Article

SECTION_WEIGHT = 0.5  # about one common tag's worth
TIME_WEIGHT = 1.0  # at most this much for a story published the same day
TIME_SCALE_DAYS = 30.0  # closeness in time halves every month


# The last answer: {"key": digest of what the ranking read, "related": url → urls}; kept by a
# watch session, and as JSON in the cache between builds.
RelatedMemo = dict[str, Any]


def related_remembered(
    pool: Sequence[Article],
    count: int,
    targets: Sequence[Article],
    memo: RelatedMemo | None,
) -> dict[str, tuple[Article, ...]]:
    """`related_articles`, reusing the last answer when nothing it reads has changed: the
    ranking reads only urls, dates, sections and tags, so an edit to a story's text or
    title does not rank every story again (the tuples hold the current articles)."""
    if memo is None:
        return related_articles(pool, count, targets)

    def facts(articles: Sequence[Article]) -> list[object]:
        return [
            (a.url, a.date.isoformat(), a.section.id, [t.slug for t in a.tags]) for a in articles
        ]

    # The ranking code is part of the key: a new version may rank differently.
    code = code_digest().encode()
    key = hashlib.sha256(repr((count, facts(pool), facts(targets))).encode() + code).hexdigest()
    by_url = {a.url: a for a in (*pool, *targets)}
    known = memo.get("related")
    if memo.get("key") == key and isinstance(known, dict):
        try:
            return {url: tuple(by_url[u] for u in urls) for url, urls in known.items()}
        except (KeyError, TypeError):
            pass  # not an answer for these articles: rank again
    result = related_articles(pool, count, targets)
    memo.clear()
    memo["key"] = key
    memo["related"] = {url: [a.url for a in arts] for url, arts in result.items()}
    return result


def related_articles(
    pool: Sequence[Article], count: int, targets: Sequence[Article] | None = None
) -> dict[str, tuple[Article, ...]]:
    """url of each target (default: every article of the pool) → up to `count` articles of
    `pool` (newest first), ranked by rare shared tags, same section and nearness in time.

    Cost grows with the articles times their tags (each tag's postings are walked once per
    article that carries it), and a very common tag is capped so it cannot make the work
    quadratic; the section bonus only re-ranks articles already found through tags.
    """
    targets = pool if targets is None else targets
    if count <= 0:
        return {a.url: () for a in targets}
    postings: dict[str, list[int]] = defaultdict(list)
    position = {a.url: i for i, a in enumerate(pool)}
    stamps = [a.date.timestamp() for a in pool]
    keys = [-stamp for stamp in stamps]  # ascending, as the pool is newest first
    sections = [a.section.id for a in pool]
    for i, article in enumerate(pool):
        for tag in article.tags:
            postings[tag.slug].append(i)
    total = len(pool)
    # Inverse document frequency: a tag on every story says little; a rare one says a lot.
    idf = {slug: math.log(1 + total / len(ids)) for slug, ids in postings.items()}
    limit = max(200, 20 * count)  # candidates walked per tag, nearest in list order
    most_bonus = SECTION_WEIGHT + TIME_WEIGHT
    result: dict[str, tuple[Article, ...]] = {}
    for article in targets:
        # A target outside the pool (an expired page) looks around its place in time.
        i = position.get(article.url, -1)
        stamp = article.date.timestamp()
        near = i if i >= 0 else bisect.bisect_left(keys, -stamp)
        scores: dict[int, float] = defaultdict(float)
        for tag in article.tags:
            ids = postings.get(tag.slug)
            if not ids:
                continue
            weight = idf[tag.slug]
            for j in _nearest(ids, near, limit):
                if j != i:
                    scores[j] += weight
        if len(scores) > count:
            # The bonuses add at most `most_bonus`: a candidate that far behind the
            # count-th best tag score cannot reach the top, so it is never ranked.
            floor = heapq.nlargest(count, scores.values())[-1] - most_bonus - 1e-9
            candidates = [(j, s) for j, s in scores.items() if s >= floor]
        else:
            candidates = list(scores.items())
        section = article.section.id
        ranked = []
        for j, score in candidates:
            if sections[j] == section:
                score += SECTION_WEIGHT
            days = abs(stamps[j] - stamp) / 86400
            score += TIME_WEIGHT * 0.5 ** (days / TIME_SCALE_DAYS)
            ranked.append((-score, -stamps[j], pool[j].url, j))
        result[article.url] = tuple(pool[r[3]] for r in heapq.nsmallest(count, ranked))
    return result


def _nearest(ids: list[int], i: int, limit: int) -> list[int]:
    """At most `limit` postings around position `i` (lists are date-ordered: nearest in time)."""
    if len(ids) <= limit:
        return ids
    at = bisect.bisect_left(ids, i)
    lo = max(0, at - limit // 2)
    return ids[lo : lo + limit]
