"""The house style as data: a subset of Vale's rule format (https://vale.sh/docs), one rule a file.

Dateline ships `gen/check/styles/*.yml` and reads the site's `styles/*.yml` (files directly in
`styles/`, beside site.yaml; a site file named like a built-in one replaces it). A file
`styles/<name>.yml` is the rule `style/<name>`. What a file may hold:

- `extends`: `substitution` (`swap`: a mapping of word or pattern → replacement; a key may be
  `a|b`, a replacement `$1` for the key's first group) or `existence` (`tokens`: a list of
  words or patterns to flag);
- `message`: Vale's format string: each `%s` takes the next value, `%%` is a percent sign.
  Substitution gives the replacement then the text found ("Use '%s' instead of '%s'."),
  existence the text found. With `action: {name: replace}`, a replacement `a|b` offers
  choices, shown as `'a' or 'b'` (and a quoted first `'%s'` loses its quotes), as in Vale;
- `level`: `suggestion` (read as warning), `warning` or `error`; warning when left out;
- `ignorecase`, `nonword` (true or false; without `nonword`, matches start and end at word
  boundaries), `description` (for `--list-rules`), `link` (shown as the finding's hint);
- `scope` and `action` are accepted; only `action.name: replace` changes anything (above).

Patterns are Python regular expressions, each compiled when the styles load. Matches in code,
comments, tags and URLs are skipped; so are matches in quotation marks and link texts unless
`check: {style_in_quotes: true}`. Other keys, Vale's included, are errors.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from gen.check.rules import ERROR, STYLE_PREFIX, WARNING, Finding
from gen.check.settings import CheckSettings
from gen.check.story import Story
from gen.errors import ErrorReport, Problem, problem_order, suggest
from gen.source.walk import NOT_REGULAR, SiteWalk, is_ignored, read_text, shown_name
from gen.source.yamldoc import YamlSyntaxError, load_yaml

STYLES_DIR = "styles"
BUILTIN = "dateline:styles"  # how a built-in style's file is named in a problem
SUBSTITUTION, EXISTENCE = "substitution", "existence"
VALE_LEVELS = {"suggestion": WARNING, "warning": WARNING, "error": ERROR}
KEYS = {
    "extends": "substitution or existence",
    "message": "Vale's format string",
    "level": "suggestion, warning or error",
    "swap": "substitution: word or pattern → replacement",
    "tokens": "existence: the words or patterns to flag",
    "ignorecase": "true or false",
    "nonword": "true or false",
    "description": "one line for --list-rules",
    "link": "a URL about the rule",
    "scope": "accepted, not read",
    "action": "accepted; name: replace reads a|b replacements as choices",
}
# Vale's keys Dateline does not read: named as such, not as typing mistakes.
VALE_ONLY = frozenset(
    {"append", "capitalize", "code", "exceptions", "limit", "matchcase", "name", "raw", "vocab"}
)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_FORMAT_RE = re.compile(r"%[%s]")
_GROUP_REF_RE = re.compile(r"\$(\d+)")
_GLOBAL_FLAGS_RE = re.compile(r"^\(\?([aiLmsux]+)\)")


@dataclass(frozen=True, slots=True)
class Swap:
    """One `swap` entry: its key as written, its replacement, and the key's own pattern."""

    key: str
    replacement: str
    pattern: re.Pattern[str]  # for a `$1` replacement, applied to the text found


@dataclass(frozen=True, slots=True)
class StyleRule:
    """One style file, compiled: the rule `style/<name>`."""

    id: str
    level: str
    description: str
    message: str
    link: str
    pattern: re.Pattern[str]  # every key or token, longest first, in one pattern
    swaps: tuple[Swap, ...] = ()  # substitution only: group `_s<i>` of `pattern` is swaps[i]
    # existence only; also what makes two rules' reprs differ (a pattern's repr is cut short)
    tokens: tuple[str, ...] = ()
    choices: bool = False  # action: {name: replace}: a replacement `a|b` offers choices

    def check(self, story: Story, settings: CheckSettings) -> list[Finding]:
        """A finding for each match in the story's prose."""
        found = []
        for match in self.pattern.finditer(story.body):
            start, end = match.span()
            if start == end or story.in_code(start, end):
                continue
            if not settings.style_in_quotes and story.in_quote(start, end):
                continue
            message = self._swap_message(match) if self.swaps else self._message(match.group())
            if message is not None:
                found.append(story.finding(start, self.id, self.level, message, self.link))
        return found

    def _message(self, observed: str) -> str:
        return vale_format(self.message, _one_line(observed))

    def _swap_message(self, match: re.Match[str]) -> str | None:
        """Vale's substitution message, or None when the text is already what is asked."""
        swap = next(s for i, s in enumerate(self.swaps) if match.group(f"_s{i}") is not None)
        observed = match.group()
        expected = swap.replacement
        if _GROUP_REF_RE.search(expected):
            expected = swap.pattern.sub(_template(expected), observed)
        message = self.message
        if self.choices:
            options = split_choices(expected)
            if observed in options:
                return None
            expected = to_sentence(options, "or")
            message = _unquote_first(message)
        elif _matches_token(expected, observed):
            return None
        return vale_format(message, expected, _one_line(observed))


def vale_format(message: str, *values: str) -> str:
    """Vale's message format: each `%s` takes the next value ('' past the last), `%%` is %."""
    left = iter(values)
    return _FORMAT_RE.sub(lambda m: "%" if m.group() == "%%" else next(left, ""), message)


def split_choices(replacement: str) -> list[str]:
    """`a|b|c` as its choices (`\\|` is a pipe inside one), as Vale's `getOptions`."""
    parts = replacement.replace("\\|", "\0").split("|")
    return [part.replace("\0", "|") for part in parts if part]


def to_sentence(words: list[str], joiner: str) -> str:
    """'a', 'a' or 'b', 'a', 'b' or 'c': as Vale's `ToSentence` (no comma before `or`)."""
    quoted = [f"'{word}'" for word in words]
    if len(quoted) <= 2:
        return f" {joiner} ".join(quoted)
    return ", ".join([*quoted[:-1], f"{joiner} {quoted[-1]}"])


def _unquote_first(message: str) -> str:
    """Vale quotes choices itself: a message quoting both values drops the first quotes."""
    for spec in ("'%s'", '"%s"'):
        if message.count(spec) == 2:
            message = message.replace(spec, "%s", 1)
    return message


def _matches_token(expected: str, observed: str) -> bool:
    """True when the text found is already the replacement (a regex one: matches it whole)."""
    if all(c.isalpha() or c.isdecimal() or c in " -" for c in expected):
        return expected == observed
    try:
        return re.fullmatch(expected, observed) is not None
    except re.error:
        return expected == observed


def _template(replacement: str) -> str:
    """A Vale replacement (`$1`) as a Python one (`\\g<1>`)."""
    return _GROUP_REF_RE.sub(r"\\g<\1>", replacement.replace("\\", "\\\\"))


def _one_line(text: str) -> str:
    """A match across a line break, as one line for the message."""
    return " ".join(text.split()) if "\n" in text else text


def _scoped(pattern: str) -> str:
    """`(?i)x` as `(?i:x)`: flags at the start of a key stay with that key once joined."""
    found = _GLOBAL_FLAGS_RE.match(pattern)
    return f"(?{found.group(1)}:{pattern[found.end() :]})" if found else pattern


# --- Loading ---------------------------------------------------------------------------------


def load_styles(site_dir: Path) -> tuple[tuple[StyleRule, ...], list[Problem]]:
    """The built-in styles and the site's `styles/*.yml` (a site file replaces the built-in
    one of its name), by name, with the problems of the files that do not load."""
    problems: list[Problem] = []
    texts: dict[str, tuple[str, str]] = {}  # name → (file as named in problems, text)
    for entry in sorted(resources.files(__package__).joinpath(STYLES_DIR).iterdir(), key=str):
        if entry.name.endswith(".yml"):
            name = entry.name.removesuffix(".yml")
            texts[name] = (f"{BUILTIN}/{entry.name}", entry.read_text(encoding="utf-8"))
    texts.update(_site_styles(site_dir, problems))
    rules = []
    for name in sorted(texts):
        path, text = texts[name]
        rule = parse_style(name, path, text, problems)
        if rule is not None:
            rules.append(rule)
    return tuple(rules), sorted(problems, key=problem_order)


def _site_styles(site_dir: Path, problems: list[Problem]) -> dict[str, tuple[str, str]]:
    """The texts of the site's `styles/*.yml`: regular files inside the site only, opened
    without following a link at the last step; a symlink out of the site is refused."""
    report = ErrorReport()
    walk = SiteWalk(site_dir, report)
    folder = walk.root(STYLES_DIR)
    found: dict[str, tuple[str, str]] = {}
    entries: list[os.DirEntry[str]] = []
    if folder is not None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            report.error(STYLES_DIR, None, f"cannot read the folder ({exc.strerror})")
    for entry in entries:
        name, rel = entry.name, f"{STYLES_DIR}/{shown_name(entry.name)}"
        if is_ignored(name) or entry.is_dir():
            continue
        if name.endswith(".yaml"):
            stem = name.removesuffix(".yaml")
            report.error(rel, None, f"style files end in .yml, as Vale's do: rename it {stem}.yml")
        if not name.endswith(".yml"):
            continue
        if entry.is_symlink():
            target = walk.target(entry.path, rel)
            if target is None:
                continue
            disk, mode = target
        else:
            disk, mode = entry.path, _mode(entry)
        if not stat.S_ISREG(mode):
            report.error(rel, None, NOT_REGULAR)
            continue
        text = read_text(disk, rel, report)
        if text is not None:
            found[name.removesuffix(".yml")] = (rel, text)
    problems.extend(report.errors)
    return found


def _mode(entry: os.DirEntry[str]) -> int:
    """A listed file's type and permissions (0 if it went away: not a regular file)."""
    try:
        return entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return 0


def parse_style(name: str, path: str, text: str, problems: list[Problem]) -> StyleRule | None:
    """One style file's text as the rule `style/<name>`, or None with its problems added."""
    before = len(problems)

    def err(line: int | None, message: str) -> None:
        problems.append(Problem(path, line, message))

    if not _NAME_RE.match(name):
        err(None, "the file's name is its rule's id, style/<name>: use letters, digits, - and _")
        return None
    try:
        doc = load_yaml(text)
    except YamlSyntaxError as exc:
        err(exc.line, exc.message)
        return None
    data, line = doc.data, doc.line
    for key in data:
        if key in VALE_ONLY:
            err(line(key), f"'{key}' is a Vale key Dateline does not read; remove it")
        elif key not in KEYS:
            err(line(key), f"unknown key '{key}'{suggest(key, KEYS)}")
    extends = data.get("extends")
    if extends is None:
        err(line(), "missing 'extends': substitution or existence")
    elif extends not in (SUBSTITUTION, EXISTENCE):
        err(line("extends"), f"'extends' must be substitution or existence, got '{extends}'")
    message = data.get("message")
    if message is None:
        err(line(), "missing 'message': Vale's format, such as \"Use '%s' instead of '%s'.\"")
    level = data.get("level", "warning")
    if level not in VALE_LEVELS:
        err(line("level"), f"'level' must be suggestion, warning or error, got '{level}'")
    for key in ("message", "description", "link"):
        if key in data and not isinstance(data[key], str):
            err(line(key), f"'{key}' must be text")
    for key in ("ignorecase", "nonword"):
        if key in data and not isinstance(data[key], bool):
            err(line(key), f"'{key}' must be true or false")
    flags = re.MULTILINE | (re.IGNORECASE if data.get("ignorecase") is True else 0)

    def compile_part(part: str, at: int) -> re.Pattern[str] | None:
        return _compile(part, flags, lambda message: err(at, message))

    swaps: list[Swap] = []
    parts: list[str] = []
    if extends == SUBSTITUTION:
        if "tokens" in data:
            err(line("tokens"), "'tokens' is for existence rules; substitution has 'swap'")
        swaps = _read_swaps(data.get("swap"), doc.line, compile_part, err)
        swaps.sort(key=lambda s: -len(s.key))  # longest first, as Vale joins them
        parts = [f"(?P<_s{i}>{_scoped(s.key)})" for i, s in enumerate(swaps)]
    elif extends == EXISTENCE:
        if "swap" in data:
            err(line("swap"), "'swap' is for substitution rules; existence has 'tokens'")
        parts = _read_tokens(data.get("tokens"), doc.line, compile_part, err)
    if len(problems) > before:
        return None
    template = r"(?:%s)" if data.get("nonword") is True else r"\b(?:%s)\b"
    try:
        pattern = re.compile(template % "|".join(parts), flags)
    except re.error as exc:  # each part compiles alone: a group name given twice, say
        err(line(), f"the patterns do not join into one: {exc.msg}")
        return None
    action = data.get("action")
    action = action if isinstance(action, dict) else {}
    # Vale offers a|b as choices only when the action names none of its own.
    choices = action.get("name") == "replace" and not action.get("params")
    return StyleRule(
        id=f"{STYLE_PREFIX}{name}",
        level=VALE_LEVELS[level],
        description=str(data.get("description") or _describe(str(extends), path)),
        message=str(message),
        link=str(data.get("link") or ""),
        pattern=pattern,
        swaps=tuple(swaps),
        tokens=tuple(parts) if extends == EXISTENCE else (),
        choices=choices,
    )


def _describe(extends: str, path: str) -> str:
    if extends == SUBSTITUTION:
        return f"words the house style swaps for others ({path})"
    return f"words the house style avoids ({path})"


def _compile(pattern: str, flags: int, err: Callable[[str], None]) -> re.Pattern[str] | None:
    """A compiled pattern, or None with the reason it is not a regular expression."""
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        where = f" at character {exc.pos + 1}" if exc.pos is not None else ""
        err(f"'{pattern}' is not a valid regular expression: {exc.msg}{where}")
        return None
    if compiled.fullmatch(""):
        err(f"'{pattern}' matches empty text")
        return None
    return compiled


Lines = Callable[..., int]
CompilePart = Callable[[str, int], re.Pattern[str] | None]


def _read_swaps(
    swap: Any, line: Lines, compile_part: CompilePart, err: Callable[[int | None, str], None]
) -> list[Swap]:
    """`swap:` as (key, replacement, the key compiled), each checked at its line."""
    if swap is None:
        err(line(), "missing 'swap': words (or patterns) and their replacements, as {Kiev: Kyiv}")
        return []
    if not isinstance(swap, dict) or not swap:
        err(line("swap"), "'swap' must map words (or patterns) to replacements, as {Kiev: Kyiv}")
        return []
    swaps = []
    for key, value in swap.items():
        if not isinstance(key, str):
            err(line("swap"), f"a key of 'swap' is not text (YAML read {key!r}): quote it")
            continue
        at = line("swap", key)
        if value is None:
            value = ""
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        elif not isinstance(value, str):
            err(at, f"the replacement for '{key}' must be text")
            continue
        compiled = compile_part(_scoped(key), at)
        if compiled is None:
            continue
        for group in _GROUP_REF_RE.findall(value):
            if int(group) > compiled.groups:
                err(at, f"'${group}' in the replacement for '{key}' names no group of that pattern")
                break
        else:
            swaps.append(Swap(key, value, compiled))
    return swaps


def _read_tokens(
    tokens: Any, line: Lines, compile_part: CompilePart, err: Callable[[int | None, str], None]
) -> list[str]:
    """`tokens:` as patterns, each checked at its line (blank ones skipped, as Vale does)."""
    if tokens is None:
        err(line(), "missing 'tokens': a list of words (or patterns) to flag")
        return []
    if not isinstance(tokens, list) or not tokens:
        err(line("tokens"), "'tokens' must be a list of words (or patterns) to flag")
        return []
    parts = []
    for index, token in enumerate(tokens):
        at = line("tokens", index)
        if isinstance(token, int | float) and not isinstance(token, bool):
            token = str(token)
        if not isinstance(token, str):
            err(at, f"item {index + 1} of 'tokens' must be text")
        elif token.strip() and compile_part(_scoped(token), at) is not None:
            parts.append(f"(?:{_scoped(token)})")
    if not parts and all(isinstance(t, str) and not t.strip() for t in tokens):
        err(line("tokens"), "'tokens' must be a list of words (or patterns) to flag")
    return parts
