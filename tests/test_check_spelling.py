"""The opt-in spelling rule (gen/check/spelling.py): codespell's list, in English stories."""

from __future__ import annotations

import importlib.util
import time
from importlib.machinery import ModuleSpec

import pytest

from gen.check.spelling import Misspellings, load_misspellings, spelling_findings
from gen.check.story import Story, read_story
from gen.errors import ConfigError, ErrorReport
from gen.source.read import split_source

PATH = "content/articles/a.md"


@pytest.fixture(scope="module")
def words() -> Misspellings:
    return load_misspellings()


def story(body: str, lang: str = "en", front: str = "") -> Story:
    """A story whose body starts on line 5 (line 6 with one `front` line)."""
    text = f"---\ntitle: A story\n{front}---\n\n{body}"
    doc = split_source(PATH, text, ErrorReport())
    assert doc is not None
    return read_story(doc, lang)


def findings(words: Misspellings, body: str, lang: str = "en") -> list[str]:
    return [str(f) for f in spelling_findings(story(body, lang), words)]


def test_flags_a_misspelling_at_its_line_and_column(words: Misspellings) -> None:
    body = "Ministers met on Monday.\n\nThey will recieve the report."
    assert findings(words, body) == [
        f"{PATH}:7:11: warning spelling: 'recieve' is a common misspelling of 'receive'"
    ]


def test_keeps_the_authors_case(words: Misspellings) -> None:
    assert findings(words, "Recieve it. RECIEVE it.") == [
        f"{PATH}:5:1: warning spelling: 'Recieve' is a common misspelling of 'Receive'",
        f"{PATH}:5:13: warning spelling: 'RECIEVE' is a common misspelling of 'RECEIVE'",
    ]


def test_names_every_fix(words: Misspellings) -> None:
    assert findings(words, "An aache, abot it.") == [
        f"{PATH}:5:4: warning spelling: 'aache' is a common misspelling of 'cache' or 'ache'",
        f"{PATH}:5:11: warning spelling: 'abot' is a common misspelling of "
        "'about', 'abort' or 'a bot'",
    ]


def test_an_apostrophe_may_be_typographic(words: Misspellings) -> None:
    assert findings(words, "We ahven’t seen it.") == [
        f"{PATH}:5:4: warning spelling: 'ahven’t' is a common misspelling of 'haven’t'"
    ]


def test_a_reason_in_the_list_is_the_hint() -> None:
    words = Misspellings({"teh": "the, a reason", "adn": "and, an,"})
    assert [str(f) for f in spelling_findings(story("Teh adn"), words)] == [
        f"{PATH}:5:1: warning spelling: 'Teh' is a common misspelling of 'The' (a reason)",
        f"{PATH}:5:5: warning spelling: 'adn' is a common misspelling of 'and' or 'an'",
    ]


def test_code_urls_and_sic_are_left_alone(words: Misspellings) -> None:
    body = (
        "Run `recieve --now`.\n\n"
        "```\nrecieve()\n```\n\n"
        "See <https://example.org/recieve> and [the form](https://example.org/recieve).\n\n"
        'He wrote "we recieve [sic] no help".\n'
    )
    assert findings(words, body) == []


@pytest.mark.parametrize("lang", ["en", "en-GB", "en-US"])
def test_english_stories_are_checked(words: Misspellings, lang: str) -> None:
    assert len(findings(words, "We recieve.", lang)) == 1


def test_other_languages_are_not_checked(words: Misspellings) -> None:
    assert findings(words, "We recieve.", "uk") == []
    ukrainian = story("We recieve.", "en", front="lang: uk\n")
    assert spelling_findings(ukrainian, words) == []


def test_without_codespell_the_rule_names_site_yaml_and_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec

    def missing(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "codespell_lib" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", missing)
    with pytest.raises(ConfigError) as caught:
        load_misspellings(12)
    assert str(caught.value) == (
        "site.yaml:12: the spelling rule needs codespell: pip install 'dateline[spelling]'"
    )


def test_the_list_loads_fast_and_whole() -> None:
    start = time.perf_counter()
    words = load_misspellings()
    assert time.perf_counter() - start < 1.0  # about 25 ms: once per check run
    assert len(words.words) > 60_000
    assert words.fixes("recieve") == (["receive"], "")
