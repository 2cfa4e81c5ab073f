"""Related articles from an inverted index over tags and sections: never every pair."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence

from gen.model import Article

SECTION_WEIGHT = 0.5  # about one common tag's worth
TIME_WEIGHT = 1.0  # at most this much for a story published the same day
TIME_SCALE_DAYS = 30.0  # closeness in time halves every month


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
    articles = pool
    postings: dict[str, list[int]] = defaultdict(list)
    position = {a.url: i for i, a in enumerate(pool)}
    keys = [-a.date.timestamp() for a in pool]  # ascending, as the pool is newest first
    for i, article in enumerate(pool):
        for tag in article.tags:
            postings[tag.slug].append(i)
    total = len(pool)
    # Inverse document frequency: a tag on every story says little; a rare one says a lot.
    idf = {slug: math.log(1 + total / len(ids)) for slug, ids in postings.items()}
    limit = max(200, 20 * count)  # candidates walked per tag, nearest in list order
    result: dict[str, tuple[Article, ...]] = {}
    for article in targets:
        # A target outside the pool (an expired page) looks around its place in time.
        i = position.get(article.url, -1)
        near = i if i >= 0 else bisect.bisect_left(keys, -article.date.timestamp())
        scores: dict[int, float] = defaultdict(float)
        for tag in article.tags:
            ids = postings.get(tag.slug, [])
            for j in _nearest(ids, near, limit):
                if j != i:
                    scores[j] += idf[tag.slug]
        ranked = []
        for j, score in scores.items():
            other = articles[j]
            if other.section.id == article.section.id:
                score += SECTION_WEIGHT
            days = abs((other.date - article.date).total_seconds()) / 86400
            score += TIME_WEIGHT * 0.5 ** (days / TIME_SCALE_DAYS)
            ranked.append((-score, other.date, other.url, j))
        ranked.sort(key=lambda r: (r[0], -r[1].timestamp(), r[2]))
        result[article.url] = tuple(articles[r[3]] for r in ranked[:count])
    return result


def _nearest(ids: list[int], i: int, limit: int) -> list[int]:
    """At most `limit` postings around position `i` (lists are date-ordered: nearest in time)."""
    if len(ids) <= limit:
        return ids
    at = bisect.bisect_left(ids, i)
    lo = max(0, at - limit // 2)
    return ids[lo : lo + limit]
