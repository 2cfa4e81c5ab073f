"""The rules that read one story's text: repeated paragraphs and stated word counts, and the
length of its headline and summary."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher

from gen.check.rules import RULES, Finding
from gen.check.settings import CheckSettings
from gen.check.story import Block, Story
from gen.markup.text import WORD_RE, WORDS_PER_MINUTE

NEAR = 0.9  # how alike two paragraphs must be to count as one pasted twice
MIN_CHARS = 40  # shorter blocks ("Read more", a one-word list item) repeat on purpose
MIN_WORDS = 6
SLACK = 0.05  # how far a stated count may be from the computed one

_MARKS_RE = re.compile(r"^[ ]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)")
_EMPHASIS_RE = re.compile(r"[*_~`]+")
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAGS_RE = re.compile(r"<[^>]+>")
_QUOTES = str.maketrans({c: '"' for c in "“”„«»‟″"} | {c: "'" for c in "‘’‚‛′`"})
_DASHES_RE = re.compile(r"\s*[‐‑‒–—―−-]{1,3}\s*")
_SPACE_RE = re.compile(r"\s+")
# "Word count: 712", "(712 words)", "a 712-word story"; "3-minute read", "Reading time: 3 min".
_STATED_WORDS_RE = re.compile(
    r"\bword\s*count\s*[:：]?\s*(?P<a>\d[\d,.  ]*\d|\d)|(?P<b>\d[\d,.  ]*\d|\d)[\s-]?words?\b",
    re.IGNORECASE,
)
_STATED_MINUTES_RE = re.compile(
    r"\breading\s+time\s*[:：]?\s*(?P<a>\d{1,3})\s*(?:min(?:ute)?s?)\b"
    r"|(?P<b>\d{1,3})[\s-]?min(?:ute)?s?\.?[\s-]+read\b",
    re.IGNORECASE,
)


def prose_findings(story: Story, settings: CheckSettings) -> list[Finding]:
    """Repeated paragraphs, stated counts, headline and summary length."""
    found = duplicate_paragraphs(story)
    found += stated_counts(story)
    found += lengths(story, settings)
    return found


def normalise(text: str) -> str:
    """A block's words as a reader sees them: no Markdown marks or tags, one kind of quote
    and dash, single spaces, case folded."""
    text = unicodedata.normalize("NFKC", text)
    lines = [_MARKS_RE.sub("", line) for line in text.split("\n")]
    text = " ".join(lines)
    text = _IMAGE_RE.sub("", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _TAGS_RE.sub("", text)
    text = _EMPHASIS_RE.sub("", text)
    text = text.translate(_QUOTES)
    text = _DASHES_RE.sub(" - ", text)
    return _SPACE_RE.sub(" ", text).strip().casefold()


def duplicate_paragraphs(story: Story) -> list[Finding]:
    """A block that repeats an earlier one (or the headline), word for word or nearly."""
    rule = RULES["duplicate-paragraph"]
    seen: list[_Seen] = []
    title = story.front.get("title")
    if isinstance(title, str) and title.strip():
        seen.append(_Seen(normalise(title), story.front_position("title"), "headline"))
    headline = seen[0].text if seen else None
    found = []
    for block in story.blocks:
        if not _is_prose(story, block):
            continue
        current = _Seen(normalise(block.text), story.position(block.start)[0], "paragraph")
        short = len(current.text) < MIN_CHARS or len(current.words) < MIN_WORDS
        if short and current.text != headline:
            continue
        match = _earlier(current, seen)
        if match is not None:
            earlier, ratio = match
            if ratio == 1.0:
                message = f"repeats the {earlier.what} at line {earlier.line} word for word"
            else:
                message = (
                    f"nearly repeats the {earlier.what} at line {earlier.line} ({ratio:.0%} alike)"
                )
            found.append(
                story.finding(block.start, rule.id, rule.level, message, "delete one of them")
            )
        if not short:
            seen.append(current)
    return found


class _Seen:
    """A block already read: its words, counted, for the comparisons."""

    __slots__ = ("counts", "line", "text", "what", "words")

    def __init__(self, text: str, line: int, what: str) -> None:
        self.text = text
        self.line = line
        self.what = what
        self.words = WORD_RE.findall(text)
        self.counts = Counter(self.words)


def _is_prose(story: Story, block: Block) -> bool:
    """Blocks a reader reads: not code, not a comment or other raw HTML on its own."""
    return block.kind not in ("code", "html")


def _earlier(current: _Seen, seen: list[_Seen]) -> tuple[_Seen, float] | None:
    """The first earlier block `current` repeats, with how alike their words are."""
    for other in seen:
        if other.text == current.text:
            return other, 1.0
    size = len(current.words)
    for other in seen:
        total = size + len(other.words)
        # Bounds first, cheapest first: two texts whose lengths, or whose words counted
        # regardless of order, differ this much cannot be 90% alike.
        if 2 * min(size, len(other.words)) < NEAR * total:
            continue
        if 2 * sum((current.counts & other.counts).values()) < NEAR * total:
            continue
        ratio = SequenceMatcher(None, other.words, current.words, autojunk=False).ratio()
        if ratio >= NEAR:
            return other, min(ratio, 0.99)
    return None


def count_words(story: Story) -> int:
    """The body's words as the build counts them, outside code, tags and link targets."""
    text = story.body
    spans = story.code
    kept, last = [], 0
    for start, end in spans:
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    words = 0
    for part in kept:
        part = _MARKS_RE.sub("", part)
        words += len(WORD_RE.findall(part.replace("_", " ")))
    return words


def _number(text: str) -> int | None:
    digits = re.sub(r"[,.  ]", "", text)
    return int(digits) if digits.isdigit() and len(digits) <= 7 else None


def stated_counts(story: Story) -> list[Finding]:
    """ "Word count: 712" or "3-minute read" where the text is far longer or shorter."""
    rule = RULES["stated-word-count"]
    found: list[Finding] = []
    words: int | None = None
    for match in _STATED_WORDS_RE.finditer(story.body):
        if story.in_code(match.start(), match.end()):
            continue
        stated = _number(match.group("a") or match.group("b") or "")
        if stated is None or stated < 50:  # "two-word slogan", "a 3-word title"
            continue
        words = count_words(story) if words is None else words
        if abs(stated - words) > SLACK * words:
            found.append(
                story.finding(
                    match.start(),
                    rule.id,
                    rule.level,
                    f"says {stated:,} words; the text has {words:,}",
                    f"write {words:,}, or remove the count",
                )
            )
    for match in _STATED_MINUTES_RE.finditer(story.body):
        if story.in_code(match.start(), match.end()):
            continue
        minutes = int(match.group("a") or match.group("b"))
        words = count_words(story) if words is None else words
        exact = words / WORDS_PER_MINUTE
        low, high = math.floor(exact * (1 - SLACK)), math.ceil(exact * (1 + SLACK))
        if not max(1, low) <= minutes <= max(1, high):
            computed = max(1, math.ceil(exact))
            found.append(
                story.finding(
                    match.start(),
                    rule.id,
                    rule.level,
                    f"says a {minutes}-minute read; the text's {words:,} words take "
                    f"{computed} at {WORDS_PER_MINUTE} words a minute",
                    "the page shows a reading time itself: remove this one",
                )
            )
    return found


def lengths(story: Story, settings: CheckSettings) -> list[Finding]:
    """A headline or summary longer than the site allows."""
    found = []
    for key, rule_id, limit in (
        ("title", "headline-length", settings.headline_length),
        ("summary", "summary-length", settings.summary_length),
    ):
        value = story.front.get(key)
        if isinstance(value, str) and len(value.strip()) > limit:
            rule = RULES[rule_id]
            what = "headline" if key == "title" else "summary"
            found.append(
                story.front_finding(
                    (key,),
                    rule.id,
                    rule.level,
                    f"the {what} is {len(value.strip())} characters, more than {limit}",
                    "search engines and feeds cut it short" if key == "title" else "",
                )
            )
    return found
