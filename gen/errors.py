"""Errors an author or editor can act on: each names a file, a line and what was expected."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# The commands' exit statuses: done, the site has errors, the command line was wrong.
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a command SIGINT ended (128 + 2)


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning at a place in the site's files."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class GenError(Exception):
    """A build failed for reasons in the site's files; carries every problem found."""

    kind = "error"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=problem_order))
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(GenError):
    """`site.yaml` is wrong."""

    kind = "config"


class ContentError(GenError):
    """An article, author or image is wrong."""

    kind = "content"


class TemplateError(GenError):
    """A theme template failed to compile or render."""

    kind = "template"


def problem_order(problem: Problem) -> tuple[str, int, str]:
    """Sort problems by file, then line, so reports read top to bottom."""
    return (problem.path, problem.line or 0, problem.message)


@dataclass(slots=True)
class ErrorReport:
    """Collects the problems of one stage so all of them are reported together."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str) -> None:
        """Record an error."""
        self.errors.append(Problem(path, line, message))

    def warn(self, path: str, line: int | None, message: str) -> None:
        """Record a warning: the build goes on."""
        self.warnings.append(Problem(path, line, message))

    def raise_if_errors(self, kind: type[GenError]) -> None:
        """Stop the build with every error collected so far."""
        if self.errors:
            raise kind(self.errors)


def suggest(word: str, choices: Iterable[str]) -> str:
    """A "; did you mean 'x'?" suffix for a misspelt name, or ''."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def unknown_keys(
    mapping: dict[Any, Any],
    name: str,
    known: Iterable[str],
    err: Callable[[tuple[str | int, ...], str], None],
) -> None:
    """Report each key of the setting `name` (a mapping) that is not `known`, at its line."""
    known = tuple(known)
    for key in mapping:
        if key not in known:
            err((name, key), f"unknown key '{name}.{key}'{suggest(str(key), known)}")
