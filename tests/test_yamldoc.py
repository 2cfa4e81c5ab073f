"""YAML with the safe loader only, and the file line of every key."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from gen.source.yamldoc import YamlSyntaxError, doc_from_json, doc_to_json, load_yaml
from tests.conftest import (
    AUTHOR_YAML,
    CLOCK,
    REPO,
    SITE_YAML,
    article,
    build,
    make_site,
    output_files,
)

DOC = """\
title: Allies meet
image:
  src: images/kyiv.jpg
  alt: Delegates
tags:
  - ukraine
  - diplomacy
sources:
  - {name: Office, url: https://example.org/}
  - name: Ministry
    url: https://example.org/m
"""


def test_records_the_line_of_every_top_level_key() -> None:
    doc = load_yaml(DOC)
    assert doc.line("title") == 1
    assert doc.line("image") == 2
    assert doc.line("tags") == 5
    assert doc.line("sources") == 8


def test_records_the_line_of_nested_keys() -> None:
    doc = load_yaml(DOC)
    assert doc.line("image", "src") == 3
    assert doc.line("image", "alt") == 4


def test_records_the_line_of_list_items_and_their_keys() -> None:
    doc = load_yaml(DOC)
    assert doc.line("tags", 0) == 6
    assert doc.line("tags", 1) == 7
    assert doc.line("sources", 0) == 9
    assert doc.line("sources", 0, "url") == 9
    assert doc.line("sources", 1) == 10
    assert doc.line("sources", 1, "url") == 11


def test_lines_are_shifted_by_the_first_line() -> None:
    doc = load_yaml(DOC, first_line=5)
    assert doc.line("title") == 5
    assert doc.line("image", "alt") == 8
    assert doc.line("tags", 1) == 11


def test_a_missing_key_takes_its_nearest_parent_line() -> None:
    doc = load_yaml(DOC, first_line=3)
    assert doc.line("image", "caption") == doc.line("image") == 4
    assert doc.line("nowhere") == 3
    assert doc.line() == 3


def test_returns_plain_values() -> None:
    doc = load_yaml(DOC)
    assert doc.data["title"] == "Allies meet"
    assert doc.data["image"] == {"src": "images/kyiv.jpg", "alt": "Delegates"}
    assert doc.data["tags"] == ["ukraine", "diplomacy"]


def test_keys_are_text() -> None:
    doc = load_yaml("2026: year\ntrue: yes\n")
    assert set(doc.data) == {"2026", "True"}


def test_dates_and_times_are_parsed() -> None:
    doc = load_yaml("a: 2026-01-06\nb: 2026-01-06T09:30:00+02:00\n")
    assert doc.data["a"] == date(2026, 1, 6)
    assert doc.data["b"] == datetime(2026, 1, 6, 9, 30, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2025-02-29T10:00:00+02:00"])
def test_impossible_dates_stay_text(text: str) -> None:
    doc = load_yaml(f"date: {text}\n")
    assert doc.data["date"] == text
    assert doc.line("date") == 1


def test_an_empty_document_is_an_empty_mapping() -> None:
    doc = load_yaml("", first_line=4)
    assert doc.data == {}
    assert doc.line("title") == 4


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch /tmp/x']",
        "!!python/name:os.system",
        "!!python/object:collections.OrderedDict {}",
    ],
)
def test_refuses_python_tags(tag: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml(f"title: A\nsummary: {tag}\n", first_line=2)
    assert caught.value.line == 3
    assert "is refused" in caught.value.message
    assert caught.value.message.startswith("YAML tag '!!python/")


def test_refuses_unknown_local_tags() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml("title: A\nsummary: !custom x\n")
    assert caught.value.message == (
        "YAML tag '!custom' is refused: only plain values are read, never objects"
    )


def test_reports_the_line_of_a_syntax_error() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml("title: A\nauthor: b\n  section: c\n", first_line=2)
    assert caught.value.line == 4
    assert caught.value.message == (
        "YAML does not parse: mapping values are not allowed in this context"
    )


def test_reports_an_unclosed_flow_list_where_it_opened() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml("title: A\ntags: [one, two\nsection: c\n")
    assert caught.value.line == 2
    assert caught.value.message.startswith("YAML does not parse: ")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_refuses_a_document_that_is_not_a_mapping(text: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml(text, first_line=7)
    assert caught.value.line == 7
    assert caught.value.message == "expected a mapping of keys to values"


def test_two_loads_do_not_share_state() -> None:
    first = load_yaml("a: 1\n")
    second = load_yaml("b: 2\n", first_line=10)
    assert first.lines == {("a",): 1}
    assert second.lines == {("b",): 10}


def test_a_key_given_twice_is_an_error_at_the_second() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml("title: One\nsection: x\ntitle: Two\n", first_line=2)
    assert caught.value.line == 4
    assert caught.value.message == "'title' is given twice (first on line 2)"


def test_a_parsed_document_survives_the_cache_as_json() -> None:
    text = (
        "title: Talks\ndate: 2026-01-06T09:30:00+02:00\nday: 2026-01-06\ncount: 3\n"
        "ratio: 0.5\ndraft: false\nnothing:\ntags: [kyiv, talks]\n"
        "image: {src: a.png, alt: 'x', meta: {\"$dt\": not a date}}\n"
    )
    doc = load_yaml(text, 3)
    value = json.loads(json.dumps(doc_to_json(doc)))
    again = doc_from_json(value)
    assert again == doc
    assert again.data["date"] == datetime.fromisoformat("2026-01-06T09:30:00+02:00")
    assert again.data["day"] == date(2026, 1, 6)
    assert again.data["image"]["meta"] == {"$dt": "not a date"}  # an author's key stays a key
    assert again.line("tags") == 10


def test_a_document_json_cannot_carry_is_not_cached() -> None:
    assert doc_to_json(load_yaml("title: x\nodd: {1: one}\n")) is None


# --- Anchors and aliases: refused, as a few hundred bytes of them expand without end --------

ALIASES = "YAML aliases (&/*) are not allowed"

# Nine levels of nine: 9**9 (387 million) leaves from 378 bytes.
ALIAS_BOMB = """\
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""

RECURSIVE_ALIAS = "tags: &a [x, *a]\n"


def refusal(text: str, first_line: int = 1) -> int:
    """The line `load_yaml` refuses `text` on, for anchors and aliases."""
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml(text, first_line)
    assert caught.value.message == ALIASES
    return caught.value.line


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: A\nimage: &img {src: a.png}\n", 2),  # an anchor alone
        ("title: A\nsummary: *x\n", 2),  # an alias alone (undefined, too)
        ("title: A\nb: &x 2\nc: *x\n", 2),  # both: the first token counts
        ("title: A\ntags:\n  - one\n  - *x\n", 4),
        ("title: A\ntags: [\n  one,\n  &x two\n]\n", 4),
        ("&top\ntitle: A\n", 1),
        ("title: A\n" + RECURSIVE_ALIAS, 2),
    ],
)
def test_refuses_anchors_and_aliases_at_their_line(text: str, line: int) -> None:
    assert refusal(text) == line
    assert refusal(text, first_line=2) == line + 1
    assert refusal(text, first_line=40) == line + 39


def test_refuses_a_recursive_alias_without_recursing() -> None:
    assert refusal("title: A\n" + RECURSIVE_ALIAS, first_line=5) == 6


def test_refuses_an_alias_bomb_at_once() -> None:
    text = "title: A\nsummary: Fish & chips\n" + ALIAS_BOMB
    start = time.perf_counter()
    line = refusal(text, first_line=2)
    elapsed = time.perf_counter() - start
    assert line == 4
    assert elapsed < 1.0, f"the alias bomb took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ('title: "Fish & chips"\n', "title", "Fish & chips"),
        ("title: Fish & chips\n", "title", "Fish & chips"),
        ("summary: 5 * 3\n", "summary", "5 * 3"),
        ("summary: R&D at 2*3\n", "summary", "R&D at 2*3"),
        ("summary: '*bold* & more'\n", "summary", "*bold* & more"),
        ('summary: "&x *y"\n', "summary", "&x *y"),
        ("tags: [\"&a\", '*b']\n", "tags", ["&a", "*b"]),
        (
            "body: |\n  *not an alias*\n  &nor an anchor\n",
            "body",
            "*not an alias*\n&nor an anchor\n",
        ),
        ("title: A  # &a *b in a comment\n", "title", "A"),
        ("url: https://example.org/?a=1&b=2\n", "url", "https://example.org/?a=1&b=2"),
    ],
)
def test_accepts_ampersands_and_asterisks_inside_values(text: str, key: str, value: object) -> None:
    doc = load_yaml(text, first_line=3)
    assert doc.data[key] == value
    assert doc.line(key) == 3


def test_a_syntax_error_in_text_with_an_ampersand_is_reported_as_before() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml("title: Fish & chips\nauthor: b\n  section: c\n", first_line=2)
    assert caught.value.line == 4
    assert caught.value.message == (
        "YAML does not parse: mapping values are not allowed in this context"
    )


def test_an_unclosed_quote_before_an_asterisk_is_reported_as_before() -> None:
    text = 'title: "Fish\nsummary: 5 * 3\n'
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml(text, first_line=2)
    assert caught.value.line == 2
    assert caught.value.message.startswith("YAML does not parse: ")
    assert caught.value.message != ALIASES


def build_in_child(site: Path) -> subprocess.CompletedProcess[str]:
    """`python build.py build` on `site` at the test clock; a timeout rather than a lost machine."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--clock", CLOCK],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def front_matter_with(payload: str) -> str:
    # article() puts title, author, date and section on lines 2-5: the payload starts on 6.
    return article(extra=payload)


@pytest.mark.parametrize("payload", [ALIAS_BOMB, RECURSIVE_ALIAS], ids=["bomb", "recursive"])
@pytest.mark.parametrize(
    ("rel", "hostile", "expected"),
    [
        (
            "content/articles/a.md",
            front_matter_with,
            f"content/articles/a.md:6: front matter: {ALIASES}",
        ),
        (
            "content/authors/david-okafor.yaml",
            lambda payload: AUTHOR_YAML + payload,  # three lines, then the payload
            f"content/authors/david-okafor.yaml:4: {ALIASES}",
        ),
        (
            "site.yaml",
            lambda payload: SITE_YAML + payload,  # fourteen lines, then the payload
            f"site.yaml:15: {ALIASES}",
        ),
    ],
    ids=["front-matter", "author", "site-yaml"],
)
def test_a_build_refuses_aliases_and_keeps_the_previous_output(
    tmp_path: Path, rel: str, hostile: Callable[[str], str], expected: str, payload: str
) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    assert build(site).code == 0
    before = output_files(site / "output")
    assert before
    (site / rel).write_text(hostile(payload), encoding="utf-8")

    run = build_in_child(site)

    assert run.returncode == 1, run.stdout
    assert "Traceback" not in run.stderr
    assert expected in run.stderr.splitlines(), run.stderr
    assert output_files(site / "output") == before


def test_a_control_character_is_a_one_line_error_at_its_line() -> None:
    """Found by tests/test_fuzz.py: PyYAML's reader error spanned two lines, unlocated."""
    with pytest.raises(YamlSyntaxError) as refused:
        load_yaml("title: a\nbio: \x1f\n", first_line=3)
    assert (refused.value.line, refused.value.message) == (
        4,
        "YAML does not allow the character U+001F here",
    )
