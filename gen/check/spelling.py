"""The opt-in `spelling` rule: codespell's list of common misspellings, in English stories.

codespell's `dictionary.txt` holds one `wrong->right` a line; several fixes are separated by
commas, and a line whose fixes hold a comma ends with a reason after the last one (empty when
the line ends in a comma). As codespell does, words (`[\\w\\-'’]+`) are looked up in lower
case, and a misspelling with an apostrophe is known with a typographic one too. A word followed
by `[sic]` is left alone: the editor marked it as written on purpose.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from gen.check.rules import WARNING, Finding
from gen.check.story import Story
from gen.config import CONFIG_FILE
from gen.errors import ConfigError, Problem

RULE = "spelling"
NEEDS_CODESPELL = "the spelling rule needs codespell: pip install 'dateline[spelling]'"
_WORD_RE = re.compile(r"[\w\-'’]+")  # codespell's word_regex_def
_SIC_RE = re.compile(r"[\"'’”)\s]*\[sic\]", re.IGNORECASE)  # codespell's sic_regex


@dataclass(frozen=True, slots=True)
class Misspellings:
    """codespell's list: each misspelling, in lower case, → what its line says after `->`."""

    words: dict[str, str]  # read once per check run, never changed

    def fixes(self, word: str) -> tuple[list[str], str] | None:
        """The fixes for `word` (in the dictionary's case) and codespell's reason, or None."""
        data = self.words.get(word.lower())
        if data is None:
            return None
        reason = ""
        if "," in data:
            data, reason = data.rsplit(",", 1)
        return [fix.strip() for fix in data.split(",") if fix.strip()], reason.strip()


def load_misspellings(line: int | None = None) -> Misspellings:
    """codespell's dictionary from the installed `codespell_lib`; a ConfigError naming
    site.yaml's `line` (where the rule is turned on) when codespell is not installed."""
    path = _dictionary_path()
    try:
        text = path.read_text(encoding="utf-8") if path is not None else None
    except OSError:
        text = None
    if text is None:
        raise ConfigError([Problem(CONFIG_FILE, line, NEEDS_CODESPELL)])
    words: dict[str, str] = {}
    for entry in text.splitlines():
        key, arrow, data = entry.partition("->")
        if not arrow:
            continue
        key = key.lower()
        words[key] = data.strip()
        if "'" in key:  # codespell's alt_chars: the same with a typographic apostrophe
            words[key.replace("'", "’")] = data.strip().replace("'", "’")
    return Misspellings(words)


def _dictionary_path() -> Path | None:
    """Where codespell keeps its list, found without importing codespell."""
    try:
        spec = importlib.util.find_spec("codespell_lib")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "dictionary.txt"


def is_english(lang: str) -> bool:
    """True for `en` and `en-…` (en-GB, en-US)."""
    lang = lang.lower()
    return lang == "en" or lang.startswith("en-")


def spelling_findings(story: Story, words: Misspellings, level: str = WARNING) -> list[Finding]:
    """A finding for each common misspelling in an English story's prose (code skipped)."""
    if not is_english(story.lang):
        return []
    found = []
    body = story.body
    for match in _WORD_RE.finditer(body):
        word = match.group()
        known = words.fixes(word)
        if known is None or story.in_code(match.start(), match.end()):
            continue
        if _SIC_RE.match(body, match.end()):
            continue
        fixes, reason = known
        message = f"'{word}' is a common misspelling of {_choices(word, fixes)}"
        found.append(story.finding(match.start(), RULE, level, message, reason))
    return found


def _choices(word: str, fixes: list[str]) -> str:
    """'a', 'a' or 'b', 'a', 'b' or 'c': each in the case the author wrote (codespell's
    fix_case: Capitalised and UPPER follow the word; otherwise as the list has it)."""
    if len(word) > 1 and word.isupper():
        fixes = [fix.upper() for fix in fixes]
    elif word[:1].isupper() and word[1:] == word[1:].lower():
        fixes = [fix[:1].upper() + fix[1:] for fix in fixes]
    quoted = [f"'{fix}'" for fix in fixes]
    if len(quoted) <= 2:
        return " or ".join(quoted)
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
