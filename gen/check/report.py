"""Findings as text: one a line, GitHub workflow commands and job summary, JSON or SARIF.

Every function takes values and returns the whole text, each line ending in a newline, so
the CLI writes it as it is (`sys.stdout.write`, not `print`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote

from gen import __version__
from gen.check.rules import ERROR, OFF, WARNING, Finding

TOOL_NAME = "Dateline"
# pyproject's [project.urls] Homepage, for SARIF's informationUri; None while it has none
# (tests/test_check_report.py keeps the two equal).
HOMEPAGE: str | None = None
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_LEVELS = {ERROR: "error", WARNING: "warning", OFF: "none"}
SRCROOT = "%SRCROOT%"

# GitHub's toolkit (actions/toolkit packages/core/src/command.ts): `%` first, so the runner
# decodes each escape once; a property also escapes the `:` and `,` that end it.
_DATA_ESCAPES = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY_ESCAPES = (*_DATA_ESCAPES, (":", "%3A"), (",", "%2C"))
# Markdown punctuation that could start a link, emphasis, code or a table cell.
_MARKDOWN_RE = re.compile(r"[\\`*_\[\]|~]")
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_SENTENCE_END = (".", "!", "?", "…")


class RuleLike(Protocol):
    """What SARIF needs of a rule: `gen.check.rules.Rule`, or a site's own."""

    @property
    def id(self) -> str: ...

    @property
    def level(self) -> str: ...

    @property
    def description(self) -> str: ...


def text_report(findings: Sequence[Finding]) -> str:
    """One finding a line, in the order given."""
    return "".join(f"{finding}\n" for finding in findings)


def github_report(findings: Sequence[Finding]) -> str:
    """One GitHub Actions workflow command (`::error …` or `::warning …`) per finding."""
    lines = []
    for finding in findings:
        command = "error" if finding.level == ERROR else "warning"
        properties = ",".join(
            f"{key}={_escape(str(value), _PROPERTY_ESCAPES)}"
            for key, value in (
                ("file", finding.path),
                ("line", finding.line),
                ("col", finding.col),
                ("title", finding.rule),
            )
        )
        lines.append(f"::{command} {properties}::{_escape(_with_hint(finding), _DATA_ESCAPES)}\n")
    return "".join(lines)


def github_summary(findings: Sequence[Finding], rules: Mapping[str, str]) -> str:
    """A Markdown job summary with every finding (annotations stop at 10 a level).

    `rules` maps a rule's id to its one-line description, listed under the table for the
    rules that found something.
    """
    lines = ["## Dateline check", ""]
    if not findings:
        return "\n".join([*lines, "No findings.", ""])
    counts = count_levels(findings)
    files = len({finding.path for finding in findings})
    lines += [
        f"**{_plural(counts[ERROR], 'error')}, {_plural(counts[WARNING], 'warning')}**"
        f" in {_plural(files, 'file')}.",
        "",
        "| Where | Level | Rule | Message |",
        "| --- | --- | --- | --- |",
    ]
    for finding in findings:
        cells = (
            f"{finding.path}:{finding.line}",
            finding.level,
            finding.rule,
            _with_hint(finding),
        )
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |")
    found = sorted({finding.rule for finding in findings} & rules.keys())
    if found:
        lines += ["", "Rules:", ""]
        lines += [f"- {_markdown_cell(rule)}: {_markdown_cell(rules[rule])}" for rule in found]
    return "\n".join([*lines, ""])


def json_report(findings: Sequence[Finding]) -> str:
    """Every finding and the counts by level as one JSON document, keys in a fixed order."""
    document = {
        "version": __version__,
        "findings": [
            {
                "path": finding.path,
                "line": finding.line,
                "column": finding.col,
                "rule": finding.rule,
                "level": finding.level,
                "message": finding.message,
                "hint": finding.hint,
            }
            for finding in findings
        ],
        "counts": count_levels(findings),
    }
    return _dump(document)


def sarif_report(
    findings: Sequence[Finding], rules: Sequence[RuleLike], root_uri: str | None = None
) -> str:
    """A SARIF 2.1.0 log for GitHub code scanning: one run, every rule, every finding.

    `rules` are listed in the order given (a result's ruleIndex points into them), at the
    level the site runs them; a finding's path is taken relative to `root_uri` (%SRCROOT%),
    the site's folder as an absolute URI, recorded when given.
    """
    index = {rule.id: number for number, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": TOOL_NAME, "version": __version__}
    if HOMEPAGE:
        driver["informationUri"] = HOMEPAGE
    driver["rules"] = [
        {
            "id": rule.id,
            "shortDescription": {"text": rule.description},
            "defaultConfiguration": {"level": SARIF_LEVELS[rule.level]},
        }
        for rule in rules
    ]
    run: dict[str, Any] = {"tool": {"driver": driver}}
    if root_uri is not None:
        # A base URI must end in a slash, or resolving against it drops its last segment.
        base = root_uri if root_uri.endswith("/") else root_uri + "/"
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base}}
    # Our columns count characters (code points), not SARIF's default UTF-16 code units.
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = [_sarif_result(finding, index) for finding in findings]
    return _dump({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})


def count_levels(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings at error and at warning level."""
    counts = {ERROR: 0, WARNING: 0}
    for finding in findings:
        if finding.level in counts:
            counts[finding.level] += 1
    return counts


def _sarif_result(finding: Finding, index: Mapping[str, int]) -> dict[str, Any]:
    """One SARIF result; a rule missing from the run's rules is named by its id alone."""
    result: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    text = _sentence(finding.message)
    if finding.hint:
        text += " " + _sentence(finding.hint)
    result["level"] = SARIF_LEVELS[finding.level]
    result["message"] = {"text": text}
    location = {
        "artifactLocation": {"uri": path_uri(finding.path), "uriBaseId": SRCROOT},
        "region": {"startLine": finding.line, "startColumn": finding.col},
    }
    result["locations"] = [{"physicalLocation": location}]
    return result


def path_uri(path: str) -> str:
    """A site-relative posix path as a relative URI reference: `my story.md` → `my%20story.md`.

    Non-ASCII is UTF-8 percent-encoded, and so is `:`, which would read as a scheme.
    """
    return quote(path, safe="/")


def _escape(text: str, escapes: Sequence[tuple[str, str]]) -> str:
    for raw, escaped in escapes:
        text = text.replace(raw, escaped)
    return text


def _with_hint(finding: Finding) -> str:
    """The message with its hint in brackets, as the text report shows it."""
    return f"{finding.message} ({finding.hint})" if finding.hint else finding.message


def _markdown_cell(text: str) -> str:
    """Text as literal Markdown inside a table cell: no markup, no HTML, no cell break."""
    text = _MARKDOWN_RE.sub(r"\\\g<0>", text)
    text = html.escape(text, quote=False)
    return _NEWLINE_RE.sub("<br>", text)


def _sentence(text: str) -> str:
    """`repeats the headline` → `Repeats the headline.`"""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(_SENTENCE_END) else text + "."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _dump(document: dict[str, Any]) -> str:
    """JSON in the order built, UTF-8 as it is, two-space indents, one final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
