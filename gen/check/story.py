"""A story as the rules read it: its body's text, the file line and column of every offset,
its blocks, and the parts that are not prose (code, comments, tags, link targets).

Rules search `story.body` and report at `story.position(offset)`. Nothing here converts
Markdown: rules see what the author wrote, where they wrote it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from gen.check.rules import Finding
from gen.source.read import SourceDoc
from gen.source.yamldoc import YamlDoc

_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_IGNORE_RE = re.compile(r"<!--\s*check:\s*ignore\s+([^>]*?)\s*-->")
_INLINE_CODE_RE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_LINK_TARGET_RE = re.compile(r"\]\((?:<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+[^)]*)?\)")
_LINK_TEXT_RE = re.compile(r"(?<!!)\[([^\]\n]+)\](?=\(|\[)")
_AUTOLINK_RE = re.compile(r"<(?:https?|mailto):[^>\s]*>|https?://[^\s<>)\]]+")
_REF_DEF_RE = re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
# Direct quotation: straight, curly, guillemets and low-high quotes, within one paragraph.
_QUOTE_RE = re.compile(r"\"[^\"\n]+\"|“[^”\n]+”|«[^»\n]+»|„[^“”\n]+[“”]")
_HEADING_RE = re.compile(r"^[ ]{0,3}(#{1,6})(?:[ \t]+|$)")
_LIST_RE = re.compile(r"^[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")


@dataclass(frozen=True, slots=True)
class Block:
    """A run of non-blank body lines (a paragraph, a heading, a list item, a quote)."""

    start: int  # offset in the body
    end: int
    kind: str  # heading, paragraph, item, quote, html, code
    text: str  # the source as written


@dataclass(slots=True)
class Story:
    """One Markdown file's text, for the rules."""

    path: str
    front_doc: YamlDoc  # the front matter, with each key's line
    body: str
    body_line: int  # the file line of the body's first line
    lang: str
    ignored: frozenset[str] = frozenset()  # silenced in front matter (check: {ignore: […]})
    blocks: tuple[Block, ...] = ()
    code: tuple[tuple[int, int], ...] = ()  # body ranges that are code, comments, tags, URLs
    quoted: tuple[tuple[int, int], ...] = ()  # direct quotes and link texts
    silenced: dict[int, frozenset[str]] = field(default_factory=dict)  # file line → rules
    _starts: list[int] = field(default_factory=list)

    def position(self, offset: int) -> tuple[int, int]:
        """The file (line, column) of a body offset, both from 1."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return self.body_line + index, offset - self._starts[index] + 1

    def finding(self, offset: int, rule: str, level: str, message: str, hint: str = "") -> Finding:
        """A finding at a body offset."""
        line, col = self.position(offset)
        return Finding(self.path, line, col, rule, level, message, hint)

    def front_finding(
        self, key: tuple[str | int, ...], rule: str, level: str, message: str, hint: str = ""
    ) -> Finding:
        """A finding at a front matter key's line."""
        return Finding(self.path, self.front_position(*key), 1, rule, level, message, hint)

    @property
    def front(self) -> dict[str, Any]:
        """The front matter's values."""
        return self.front_doc.data

    def front_position(self, *key: str | int) -> int:
        """The file line of a front matter key (or of its nearest parent)."""
        return self.front_doc.line(*key)

    def in_code(self, start: int, end: int | None = None) -> bool:
        """True when [start, end) touches code, a comment, a tag or a URL."""
        return _overlaps(self.code, start, start + 1 if end is None else end)

    def in_quote(self, start: int, end: int | None = None) -> bool:
        """True when [start, end) lies in a direct quotation or a link's text."""
        return _overlaps(self.quoted, start, start + 1 if end is None else end)

    def is_silenced(self, rule: str, line: int) -> bool:
        """True when front matter or a comment on the line before silences `rule` at `line`."""
        if rule in self.ignored or "all" in self.ignored:
            return True
        rules = self.silenced.get(line, frozenset())
        return (
            rule in rules
            or "all" in rules
            or any(rule.startswith(r.rstrip("*")) for r in rules if r.endswith("*"))
        )


def _overlaps(ranges: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    index = bisect.bisect_right(ranges, (start, float("inf"))) - 1
    return any(a < end and start < b for a, b in ranges[max(0, index - 1) : index + 2])


def read_story(doc: SourceDoc, lang: str) -> Story:
    """A `SourceDoc` (front matter parsed, body split off) as a `Story`."""
    check = doc.front.data.get("check")
    ignore = check.get("ignore") if isinstance(check, dict) else None
    ignored = frozenset(str(r) for r in ignore) if isinstance(ignore, list) else frozenset()
    body = doc.body
    story = Story(
        path=doc.path,
        front_doc=doc.front,
        body=body,
        body_line=doc.body_line,
        lang=str(doc.front.data.get("lang") or lang),
        ignored=ignored,
    )
    story._starts = [0, *(m.end() for m in re.finditer(r"\n", body))]
    code, blocks = _blocks(body, story._starts)
    for pattern in (_INLINE_CODE_RE, _COMMENT_RE, _TAG_RE, _LINK_TARGET_RE, _AUTOLINK_RE):
        code.extend(m.span() for m in pattern.finditer(body))
    code.extend(m.span() for m in _REF_DEF_RE.finditer(body))
    story.code = _merge(code)
    quoted = [m.span() for m in _QUOTE_RE.finditer(body)]
    quoted.extend(m.span(1) for m in _LINK_TEXT_RE.finditer(body))
    story.quoted = _merge(quoted)
    story.blocks = tuple(blocks)
    story.silenced = _silenced(story)
    return story


def front_story(story: Story, key: str) -> Story | None:
    """A front matter text (the headline, the summary) as a story of its own whose text sits
    at the key's line, for rules that read prose."""
    value = story.front.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    part = Story(
        path=story.path,
        front_doc=YamlDoc({}, {}, story.front_doc.first_line),
        body=value,
        body_line=story.front_position(key),
        lang=story.lang,
        ignored=story.ignored,
    )
    part._starts = [0, *(m.end() for m in re.finditer(r"\n", value))]
    code, blocks = _blocks(value, part._starts)
    part.blocks, part.code = tuple(blocks), _merge(code)
    part.quoted = _merge([m.span() for m in _QUOTE_RE.finditer(value)])
    return part


def _blocks(body: str, starts: list[int]) -> tuple[list[tuple[int, int]], list[Block]]:
    """Fenced code ranges, and the blocks between blank lines (a heading or a list item
    starts a block of its own)."""
    code: list[tuple[int, int]] = []
    blocks: list[Block] = []
    lines = body.split("\n")
    fence: str | None = None
    fence_start = 0
    current: list[int] = []  # line indexes of the block being read

    def close() -> None:
        if not current:
            return
        start, end = starts[current[0]], starts[current[-1]] + len(lines[current[-1]])
        text = body[start:end]
        first = lines[current[0]]
        if _HEADING_RE.match(first):
            kind = "heading"
        elif first.lstrip().startswith(">"):
            kind = "quote"
        elif _LIST_RE.match(first):
            kind = "item"
        elif first.lstrip().startswith("<"):
            kind = "html"
        elif first.startswith(("    ", "\t")) and not blocks:
            kind = "code"
        else:
            kind = "paragraph"
        blocks.append(Block(start, end, kind, text))
        current.clear()

    for index, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                code.append((fence_start, starts[index] + len(line)))
                fence = None
            continue
        if match:
            close()
            fence, fence_start = match.group(1), starts[index]
            continue
        if not line.strip():
            close()
        elif _HEADING_RE.match(line) or (_LIST_RE.match(line) and current):
            close()
            current.append(index)
            if _HEADING_RE.match(line):
                close()
        else:
            current.append(index)
    close()
    if fence is not None:  # an unclosed fence runs to the end, as Markdown reads it
        code.append((fence_start, len(body)))
    return code, blocks


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _silenced(story: Story) -> dict[int, frozenset[str]]:
    """`<!-- check: ignore rule-a rule-b -->` silences those rules on the block after it
    (every line of it), or on its own line when text follows the comment there."""
    silenced: dict[int, frozenset[str]] = {}
    for match in _IGNORE_RE.finditer(story.body):
        rules = frozenset(re.split(r"[\s,]+", match.group(1).strip())) - {""}
        line, _ = story.position(match.start())
        after = story.body.find("\n", match.end())
        rest = story.body[match.end() : after if after >= 0 else len(story.body)]
        if rest.strip():
            lines = [line]
        else:
            following = next((b for b in story.blocks if b.start > match.end()), None)
            if following is None:
                continue
            first, _ = story.position(following.start)
            last, _ = story.position(following.end)
            lines = list(range(first, last + 1))
        for number in lines:
            silenced[number] = silenced.get(number, frozenset()) | rules
    return silenced
