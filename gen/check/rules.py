"""Every rule: its id, default level and one line about it; a finding and its order."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
OFF = "off"
LEVELS = (ERROR, WARNING, OFF)


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: `level` is its default (OFF: only when a site or a flag turns it on)."""

    id: str
    level: str
    description: str


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One thing a rule found, at `path:line:col` (line and column from 1)."""

    path: str
    line: int
    col: int
    rule: str
    level: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.level} {self.rule}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "duplicate-paragraph",
            ERROR,
            "a paragraph or the headline appears twice in a story (or nearly: 90% alike)",
        ),
        Rule(
            "stated-word-count",
            WARNING,
            "a word count or reading time written in the text is more than 5% off",
        ),
        Rule(
            "broken-link",
            ERROR,
            "an internal link, anchor, image or file the build does not publish",
        ),
        Rule(
            "url-changed",
            ERROR,
            "a published story moved to a new URL without an alias to its old one",
        ),
        Rule(
            "external-link",
            OFF,
            "an external link that does not answer (only with --external; cached in .cache/)",
        ),
        Rule(
            "foreign-markup",
            WARNING,
            "Hugo, Liquid or WordPress template syntax, or a kramdown attribute list, in a body",
        ),
        Rule(
            "raw-html",
            WARNING,
            "script, iframe, form, on* attributes or javascript: URLs in a body's raw HTML",
        ),
        Rule(
            "alt-text",
            WARNING,
            "an image's alt text is missing, a file name, a placeholder or the caption again",
        ),
        Rule("credit", WARNING, "an image in the body without a credit"),
        Rule(
            "headline-length",
            WARNING,
            "a headline longer than the limit (110 characters: Google's NewsArticle limit)",
        ),
        Rule(
            "summary-length",
            WARNING,
            "a summary longer than the limit (check: {summary_length: N}, default 300)",
        ),
        Rule("spelling", OFF, "common misspellings (codespell's list), in English stories"),
        Rule(
            "unused-image",
            WARNING,
            "an image under content/ that nothing shows or links to (so it is not published)",
        ),
    )
}
# Rules only the whole site can decide: `dateline build` runs these too.
SITE_RULES = ("broken-link", "url-changed")
STYLE_PREFIX = "style/"


def is_error(finding: Finding) -> bool:
    """True for a finding at error level."""
    return finding.level == ERROR
