"""`check:` in site.yaml: levels for rules, and the limits some rules use.

```yaml
check:
  rules: {credit: off, spelling: warning, style/ukraine: error}
  headline_length: 110
  summary_length: 300
  style_in_quotes: false
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gen.check.rules import LEVELS, STYLE_PREFIX

HEADLINE_LENGTH = 110  # Google's limit for a NewsArticle headline
SUMMARY_LENGTH = 300
KEYS = {
    "rules": "rule id → error, warning or off",
    "headline_length": "the longest headline, in characters (default 110)",
    "summary_length": "the longest summary, in characters (default 300)",
    "style_in_quotes": "true to check style words inside quotation marks too (default false)",
}

Err = Callable[[tuple[str | int, ...], str], None]


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """The site's choices for `dateline check` (and the rules `build` runs)."""

    levels: tuple[tuple[str, str, int], ...] = ()  # (rule id, level, line in site.yaml)
    headline_length: int = HEADLINE_LENGTH
    summary_length: int = SUMMARY_LENGTH
    style_in_quotes: bool = False

    def level(self, rule: str, default: str) -> str:
        """The level the site gives `rule`, or its default."""
        for rule_id, level, _ in self.levels:
            if rule_id == rule:
                return level
        return default


def parse_check(value: Any, err: Err, line: Callable[..., int]) -> CheckSettings:
    """Validate `check:`; rule ids are checked against the rules when a check runs."""
    from gen.errors import unknown_keys

    if value is None:
        return CheckSettings()
    if not isinstance(value, dict):
        err(("check",), "'check' must be a mapping such as {rules: {credit: off}}")
        return CheckSettings()
    unknown_keys(value, "check", KEYS, err)
    levels: list[tuple[str, str, int]] = []
    rules = value.get("rules") or {}
    if not isinstance(rules, dict):
        err(("check", "rules"), "'check.rules' must map rule ids to error, warning or off")
        rules = {}
    for rule, level in rules.items():
        # YAML reads a bare `off` as false: take it as the word.
        word = "off" if level is False else level
        if not isinstance(rule, str) or word not in LEVELS:
            err(
                ("check", "rules", rule),
                f"'check.rules.{rule}' must be error, warning or off, got '{level}'",
            )
            continue
        levels.append((rule, word, line("check", "rules", rule)))

    def number(key: str, default: int) -> int:
        got = value.get(key, default)
        if not isinstance(got, int) or isinstance(got, bool) or not 10 <= got <= 10_000:
            err(("check", key), f"'check.{key}' must be a whole number from 10 to 10000")
            return default
        return got

    quotes = value.get("style_in_quotes", False)
    if not isinstance(quotes, bool):
        err(("check", "style_in_quotes"), "'check.style_in_quotes' must be true or false")
        quotes = False
    return CheckSettings(
        tuple(levels),
        number("headline_length", HEADLINE_LENGTH),
        number("summary_length", SUMMARY_LENGTH),
        quotes,
    )


def unknown_rules(settings: CheckSettings, known: set[str]) -> list[tuple[int, str]]:
    """(line, message) for each rule id in `check.rules` no rule has."""
    found = []
    for rule, _, line in settings.levels:
        if rule not in known:
            from gen.errors import suggest

            where = " (style rules are styles/<name>.yml)" if rule.startswith(STYLE_PREFIX) else ""
            found.append(
                (line, f"unknown rule '{rule}' in check.rules{suggest(rule, known)}{where}")
            )
    return found


FRONT_KEY_DOC = "editorial checks for this story, e.g. {ignore: [credit]}"


def front_check_problems(value: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """What is wrong with a story's `check:` front matter ({ignore: [rule-id, …]})."""
    from gen.errors import unknown_keys

    if not isinstance(value, dict):
        return [(("check",), "'check' must be a mapping such as {ignore: [credit]}")]
    found: list[tuple[tuple[str | int, ...], str]] = []
    unknown_keys(value, "check", ("ignore",), lambda where, message: found.append((where, message)))
    ignore = value.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(r, str) and r for r in ignore):
        found.append((("check", "ignore"), "'check.ignore' must be a list of rule ids"))
    return found
