"""YAML with the safe loader only, and the file line of every key."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from gen.yamldoc import YamlSyntaxError, doc_from_json, doc_to_json, load_yaml

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
