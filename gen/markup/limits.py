"""What one Markdown body may ask of a converter: checked before it runs, and timed while
it runs. The rules are the site's, not an engine's: both engines refuse the same bodies
with the same messages, though cmark alone would cope with most of them.

Python-Markdown recurses once or more per level of nesting: 495 list markers on one line
(1 KB), 248 lists nested by indentation, 990 levels of emphasis, 330 nested
`<div markdown="1">` or 496 definition lists end in a RecursionError, and every unclosed
`[` (or `<a`) makes it read the rest of the paragraph again (20,000 of them: 53 s). nh3
(gen/markup/sanitize.py) takes quadratic time on raw HTML nested tens of thousands deep.
So, before converting, a linear pre-scan of the text measures five kinds of nesting, each
as the engines build it:

- blocks: list items and block quotes, by their markers and by indentation, as CommonMark
  matches a line against the containers still open (`- - - x`, `> > > x`, or indented);
- emphasis: `*` and `_` runs paired as CommonMark pairs them (flanking rules), a pair of
  two or three markers counting as the one or two elements it makes;
- brackets: `[` not yet closed by `]`, link destinations `](` not yet closed by `)`, and
  `<` before a letter (a tag or autolink being opened) not yet closed by `>`;
- definition lists: Python-Markdown nests a term and its definitions inside the previous
  definition when no blank line parts them (`Term\n: def\nTerm\n: def…`);
- raw HTML elements: open tags not yet closed (void elements and those whose end tag is
  optional, such as <p> and <li>, never count: browsers close them themselves).

Code (fenced, indented, and code spans) and backslash-escaped characters are not read.

MAX_DEPTH is 32 for each. A real story nests lists three or four deep, quotes two deep,
emphasis two deep, brackets one or two deep ("[sic]", "[[1]]"), and the deepest embed we
know (Instagram's) ten elements deep; at 32 Python-Markdown uses under a seventh of its
recursion limit, unclosed brackets cost at most 32 passes over a paragraph (0.15 s for
20 KB), and nh3's cost stays linear.

The time a conversion may take is gen/markup/budget.py's.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

MAX_DEPTH = 32


def too_deep(depth: int) -> str:
    """The message for nesting past the limit."""
    return f"too deeply nested ({depth} levels; the limit is {MAX_DEPTH})"


@dataclass(slots=True)
class Scan:
    """What the pre-scan found in one body (lines count from 1, the body's first line)."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)  # each line, code and escapes blanked
    costliest: int = 1  # first line of the paragraph costliest to convert
    _text: str = ""
    _starts: list[int] = field(default_factory=list)

    def find(self, needle: str, start: int = 0) -> int:
        """Where `needle` (lowercase) first is at or after `start` in the masked text, or -1."""
        if not self._starts:
            self._text = "\n".join(self.masked).lower()
            self._starts = [0]
            for line in self.masked:
                self._starts.append(self._starts[-1] + len(line) + 1)
        return self._text.find(needle, start)

    def line(self, position: int) -> int:
        """The line holding a position `find` gave."""
        return bisect_right(self._starts, position) if position >= 0 else 1


_LIST_MARKER_RE = re.compile(r"([-+*]|[0-9]{1,9}[.)])(?=[ \t]|$)")
_THEMATIC_BREAK_RE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)$")
# Where CommonMark starts an HTML block: a raw-text or block-level tag, a comment or other
# markup declaration, or a line holding nothing but one complete tag.
_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    "details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|"
    "h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|"
    "optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|"
    "tr|track|ul"
)
_HTML_START_RE = re.compile(
    r" {0,3}(?:<(?:script|pre|style|textarea)(?:[\s>]|$)|<!--|<\?|<![A-Za-z]"
    rf"|</?(?:{_BLOCK_TAGS})(?:[\s/>]|$)"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*)?/?>\s*$)",
    re.IGNORECASE,
)
_ESCAPED_RE = re.compile(r"\\[!-/:-@\[-`{-~]")
_BACKTICKS_RE = re.compile(r"`+")
_DELIMITER_RE = re.compile(r"\*+|_+")
_BRACKET_RE = re.compile(r"\]\(|[\[\])>]|<(?=[A-Za-z/!?])")
_DEFINITION_RE = re.compile(r"^ {0,3}:[ \t]", re.MULTILINE)
# A tag: a name followed by a space, "/" or ">" (so <https://…> and <me@x.org> are not).
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])([^<>]*)>")
# Elements that never hold others open: void ones, and those a browser closes by itself.
_NOT_NESTING = frozenset(
    (
        *("area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link"),
        *("meta", "param", "source", "track", "wbr"),
        *("p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option"),
        *("optgroup", "rt", "rp", "colgroup", "caption", "html", "head", "body"),
    )
)


# A line whose leading markers and indentation could open more than MAX_DEPTH containers:
# each level takes at least one character of them ("> " or "- " or two spaces), a tab four.
_DEEP_PREFIX_RE = re.compile(rf"^[ >*+\-0-9.)]{{{MAX_DEPTH + 1}}}|^[ >*+\-0-9.)]*\t", re.MULTILINE)
# Emphasis nested past the limit takes at least two markers a level.
_EMPHASIS_MARKERS = 2 * MAX_DEPTH + 1


def check(text: str) -> list[tuple[int, str]]:
    """Where `text` nests past MAX_DEPTH (line, message), reading only what could."""
    emphasis = text.count("*") + text.count("_") > _EMPHASIS_MARKERS
    tags = text.count("<") > MAX_DEPTH
    brackets = tags or text.count("[") + text.count("](") > MAX_DEPTH
    definitions = len(_DEFINITION_RE.findall(text)) > MAX_DEPTH
    if not (emphasis or brackets or definitions or _DEEP_PREFIX_RE.search(text)):
        return []  # most stories: none of it could be deep enough
    return _Scanner(text, emphasis, brackets, tags, definitions).run().problems


def scan(text: str) -> Scan:
    """The text with code blanked (where raw HTML is looked for), and its costliest
    paragraph."""
    return _Scanner(text, emphasis=False, brackets=False, tags=False, definitions=False).run()


class _Scanner:
    def __init__(
        self, text: str, emphasis: bool, brackets: bool, tags: bool, definitions: bool
    ) -> None:
        self.measure = {
            "emphasis": emphasis,
            "brackets": brackets,
            "tags": tags,
            "definitions": definitions,
        }
        self.lines = text.split("\n")
        self.result = Scan(masked=[""] * len(self.lines))
        self.deepest: dict[str, tuple[int, int]] = {}  # kind → (depth, first line over)
        self.html: list[str] = []  # open raw HTML elements, document-wide
        self.html_open: dict[str, int] = {}
        self.worst_cost = -1

    def run(self) -> Scan:
        containers: list[int] = []  # 0: a block quote; n: a list item whose content is n in
        quotes = 0  # how many of them are block quotes
        fence: tuple[str, int, int] | None = None  # (character, length, containers)
        run: list[tuple[int, str]] = []  # the paragraph (or HTML block) being read
        run_is_html = False
        continues = False  # the last line was a paragraph's: an indented line goes on with it
        for number, raw in enumerate(self.lines):
            line = raw.rstrip("\r").expandtabs(4) if "\t" in raw else raw.rstrip("\r")
            if not line.strip():
                # A blank line ends block quotes and paragraphs; list items go on.
                if quotes:
                    del containers[containers.index(0) :]
                    quotes = 0
                self._end(run, run_is_html)
                run, run_is_html, continues = [], False, False
                if fence is not None and fence[2] > len(containers):
                    fence = None
                continue
            pos, matched = 0, 0
            for width in containers:
                if width == 0:
                    at = pos + _spaces(line, pos, 3)
                    if at < len(line) and line[at] == ">":
                        pos = at + 1 + (line[at + 1 : at + 2] == " ")
                        matched += 1
                        continue
                    break
                if _spaces(line, pos, width) < width:
                    break
                pos += width
                matched += 1
            if matched < len(containers):
                quotes -= containers[matched:].count(0)
                del containers[matched:]
            if fence is not None:
                if fence[2] > len(containers):
                    fence = None  # its list item or quote ended
                else:
                    closing = _FENCE_RE.match(line, pos)
                    if (
                        closing
                        and closing.group(1)[0] == fence[0]
                        and len(closing.group(1)) >= fence[1]
                        and not closing.group(2).strip()
                    ):
                        fence = None
                    continue
            opened = 0
            while True:
                indent = _spaces(line, pos, 4)
                if indent >= 4:
                    break
                at = pos + indent
                if at < len(line) and line[at] == ">":
                    containers.append(0)
                    quotes += 1
                    pos = at + 1 + (line[at + 1 : at + 2] == " ")
                    opened += 1
                    continue
                marker = _LIST_MARKER_RE.match(line, at)
                if marker is None or _THEMATIC_BREAK_RE.match(line, pos):
                    break
                after = _spaces(line, marker.end(), 5)
                if after > 4 or marker.end() + after >= len(line):
                    after = 1
                containers.append(indent + len(marker.group(1)) + after)
                pos = marker.end() + after
                opened += 1
            if opened:
                self._depth("blocks", len(containers), number)
            rest = line[pos:]
            indent = _spaces(line, pos, 4)
            if not rest.strip():  # only markers: a blank line inside them
                self._end(run, run_is_html)
                run, run_is_html, continues = [], False, False
                continue
            if run_is_html and not opened:
                run.append((number, rest))
                continue
            if indent >= 4 and not opened and not continues:
                self._end(run, run_is_html)  # indented code: not read
                run, run_is_html = [], False
                continue
            fence_open = _FENCE_RE.match(rest)
            if fence_open and not (fence_open.group(1)[0] == "`" and "`" in fence_open.group(2)):
                self._end(run, run_is_html)
                run, run_is_html, continues = [], False, False
                fence = (fence_open.group(1)[0], len(fence_open.group(1)), len(containers))
                continue
            html_start = bool(_HTML_START_RE.match(rest))
            if opened or html_start or rest.lstrip().startswith("#"):
                self._end(run, run_is_html)
                run, run_is_html = [], html_start
            run.append((number, rest))
            continues = not run_is_html
        self._end(run, run_is_html)
        for kind in ("blocks", "definitions", "emphasis", "brackets", "html"):
            if kind in self.deepest:
                depth, first = self.deepest[kind]
                if depth > MAX_DEPTH:
                    self.result.problems.append((first + 1, too_deep(depth)))
        self.result.problems.sort()
        return self.result

    def _depth(self, kind: str, depth: int, line: int) -> None:
        known = self.deepest.get(kind)
        if known is None:
            self.deepest[kind] = (depth, line)
        elif depth > known[0]:
            first_over = known[1] if known[0] > MAX_DEPTH else line
            self.deepest[kind] = (depth, first_over)

    def _end(self, run: list[tuple[int, str]], is_html: bool) -> None:
        """Read one paragraph or HTML block: its inline nesting and its raw HTML."""
        if not run:
            return
        text = "\n".join(rest for _, rest in run)
        starts = []
        offset = 0
        for _, rest in run:
            starts.append(offset)
            offset += len(rest) + 1
        numbers = [number for number, _ in run]

        def line_at(index: int) -> int:
            return numbers[bisect_right(starts, index) - 1]

        if "\\" in text:
            text = _ESCAPED_RE.sub("..", text)
        measure = self.measure
        if not is_html:
            text = _blank_code_spans(text)
            if measure["emphasis"] and text.count("*") + text.count("_") > _EMPHASIS_MARKERS:
                self._emphasis(text, line_at)
            if measure["brackets"] and (
                text.count("[") + text.count("](") + text.count("<") > MAX_DEPTH
            ):
                self._brackets(text, line_at)
            if measure["definitions"]:
                self._definitions(run)
        if measure["tags"]:
            self._tags(text, line_at)
        for number, masked in zip(numbers, text.split("\n"), strict=True):
            self.result.masked[number] = masked
        cost = len(text) * (1 + text.count("[") + text.count("<"))
        if cost > self.worst_cost:
            self.worst_cost = cost
            self.result.costliest = numbers[0] + 1

    def _emphasis(self, text: str, line_at: Callable[[int], int]) -> None:
        # Openers not yet closed: [character, markers left, deepest pair inside, line].
        stack: list[list[Any]] = []
        waiting = {"*": 0, "_": 0}
        for match in _DELIMITER_RE.finditer(text):
            char, left = match.group()[0], len(match.group())
            before = text[match.start() - 1] if match.start() else " "
            after = text[match.end()] if match.end() < len(text) else " "
            opens, closes = _flanking(char, before, after)
            while closes and left and waiting[char]:
                index = len(stack) - 1
                while stack[index][0] != char:
                    index -= 1
                inner = max(entry[2] for entry in stack[index:])
                for entry in stack[index + 1 :]:
                    waiting[entry[0]] -= 1
                del stack[index + 1 :]
                opener = stack[index]
                used = min(left, opener[1])
                depth = (used + 1) // 2 + inner  # ** is one element, *** two
                self._depth("emphasis", depth, opener[3])
                left -= used
                opener[1] -= used
                if opener[1]:
                    opener[2] = depth
                else:
                    stack.pop()
                    waiting[char] -= 1
                    if stack:
                        stack[-1][2] = max(stack[-1][2], depth)
            if left and opens:
                stack.append([char, left, 0, line_at(match.start())])
                waiting[char] += 1

    def _definitions(self, run: list[tuple[int, str]]) -> None:
        depth, term_after = 0, False
        for number, rest in run:
            if _DEFINITION_RE.match(rest):
                if not depth or term_after:
                    depth += 1
                    self._depth("definitions", depth, number)
                term_after = False
            elif depth:
                term_after = True

    def _brackets(self, text: str, line_at: Callable[[int], int]) -> None:
        stack: list[str] = []
        squares = 0
        for match in _BRACKET_RE.finditer(text):
            token = match.group()
            if token == ")" or token == ">":
                if stack and stack[-1] == ("(" if token == ")" else "<"):
                    stack.pop()
                continue
            if token == "<":
                stack.append("<")
                self._depth("brackets", len(stack), line_at(match.start()))
                continue
            if token[0] == "]":
                if squares:
                    while stack.pop() != "[":
                        pass
                    squares -= 1
                if token == "](":
                    stack.append("(")
                    self._depth("brackets", len(stack), line_at(match.start()))
                continue
            stack.append("[")
            squares += 1
            self._depth("brackets", len(stack), line_at(match.start()))

    def _tags(self, text: str, line_at: Callable[[int], int]) -> None:
        stack, open_ = self.html, self.html_open
        for match in _TAG_RE.finditer(text):
            closing, name, rest = match.groups()
            name = name.lower()
            if closing:
                if open_.get(name):
                    while True:
                        top = stack.pop()
                        open_[top] -= 1
                        if top == name:
                            break
            elif name not in _NOT_NESTING and not rest.rstrip().endswith("/"):
                stack.append(name)
                open_[name] = open_.get(name, 0) + 1
                self._depth("html", len(stack), line_at(match.start()))


def _spaces(line: str, start: int, most: int) -> int:
    """How many spaces start at `start` (counting at most `most` + 1)."""
    count = 0
    while count <= most and start + count < len(line) and line[start + count] == " ":
        count += 1
    return count


def _blank_code_spans(text: str) -> str:
    """Code spans (a run of backticks up to the next run of the same length) as spaces."""
    if "`" not in text:
        return text
    runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    cursor = {length: 0 for length in by_length}
    out: list[str] = []
    at = 0
    index = 0
    while index < len(runs):
        start, end = runs[index]
        if start < at:
            index += 1
            continue
        same = by_length[end - start]
        position = cursor[end - start]
        while position < len(same) and same[position] <= index:
            position += 1
        cursor[end - start] = position
        if position == len(same):
            index += 1  # no closing run: literal backticks
            continue
        closing = runs[same[position]]
        out.append(text[at:start])
        # Spaces, but the span's line breaks kept: callers count lines in the result.
        out.append(re.sub(r"[^\n]", " ", text[start : closing[1]]))
        at = closing[1]
        index = same[position] + 1
    out.append(text[at:])
    return "".join(out)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _flanking(char: str, before: str, after: str) -> tuple[bool, bool]:
    """Whether a delimiter run can open and can close emphasis (CommonMark's rules)."""
    before_space, after_space = before.isspace(), after.isspace()
    before_punct, after_punct = _is_punctuation(before), _is_punctuation(after)
    left = not after_space and (not after_punct or before_space or before_punct)
    right = not before_space and (not before_punct or after_space or after_punct)
    if char == "*":
        return left, right
    return left and (not right or before_punct), right and (not left or after_punct)
