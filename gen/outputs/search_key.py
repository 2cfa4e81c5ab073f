"""What Pagefind reads of a page: the key that tells the search index a page changed."""

from __future__ import annotations

import hashlib
import re

_SPACE_RE = re.compile(r"\s+")
_IGNORED_RE = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*\bdata-pagefind-ignore\b[^>]*>")


def indexed_digest(html: bytes) -> str:
    """A digest of what Pagefind reads of a page: the page without the elements marked
    `data-pagefind-ignore` (related links, say), unless they hold filters or metadata.

    Keys the search cache, so a change Pagefind would not see does not re-index a year.
    """
    text = html.decode("utf-8")
    kept: list[str] = []
    at = 0
    for match in _IGNORED_RE.finditer(text):
        if match.start() < at:
            continue  # inside an element already left out
        end = _element_end(text, match.group(1), match.end())
        if (
            end is None
            or "data-pagefind-filter" in text[match.start() : end]
            or ("data-pagefind-meta" in text[match.start() : end])
        ):
            continue
        kept.append(text[at : match.start()])
        at = end
    kept.append(text[at:])
    # Runs of white space read as one: a block left out leaves no trace behind.
    read = _SPACE_RE.sub(" ", "".join(kept))
    return hashlib.sha256(read.encode("utf-8")).hexdigest()


def _element_end(text: str, tag: str, start: int) -> int | None:
    """Where the element whose start tag ends at `start` closes (None if it does not)."""
    depth = 1
    pattern = re.compile(rf"<(/?){re.escape(tag)}\b[^>]*>", re.IGNORECASE)
    for match in pattern.finditer(text, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return None
