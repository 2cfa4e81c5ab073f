"""Markdown → HTML, table of contents, first paragraph and word count."""

from __future__ import annotations

import lxml.html
import pytest

from gen.markup.engine import MarkdownEngine
from gen.markup.text import count_words, first_paragraph, plain_text
from gen.model import Heading


def convert(text: str, base_path: str = "/") -> tuple[lxml.html.HtmlElement, object]:
    rendered = MarkdownEngine(base_path).convert(text)
    return lxml.html.fragment_fromstring(rendered.html, create_parent="div"), rendered


def test_renders_tables() -> None:
    root, _ = convert("| City | Strikes |\n|---|---|\n| Kharkiv | 12 |\n| Odesa | 3 |\n")
    assert [th.text for th in root.xpath("//table/thead//th")] == ["City", "Strikes"]
    assert [[td.text for td in tr.xpath("td")] for tr in root.xpath("//table/tbody/tr")] == [
        ["Kharkiv", "12"],
        ["Odesa", "3"],
    ]


def test_renders_footnotes_with_links_both_ways() -> None:
    root, _ = convert("Figures disputed.[^1]\n\n[^1]: According to the ministry.\n")
    [ref] = root.xpath("//sup/a[@class='footnote-ref']")
    [note] = root.xpath("//div[@class='footnote']//li")
    assert ref.get("href") == "#" + note.get("id")
    assert "According to the ministry." in note.text_content()
    [back] = note.xpath(".//a[@class='footnote-backref']")
    assert back.get("href") == "#" + ref.getparent().get("id")


def test_turns_straight_quotes_and_dashes_into_typographic_ones() -> None:
    _, rendered = convert('He said "we\'ll see" -- and left... --- end')
    assert rendered.first_paragraph == "He said “we’ll see” – and left… — end"


def test_headings_get_ids_from_their_text() -> None:
    root, rendered = convert("## What was agreed\n\nText.\n\n### Next steps & risks\n")
    assert root.xpath("//h2/@id") == ["what-was-agreed"]
    assert root.xpath("//h3/@id") == ["next-steps-risks"]
    assert rendered.toc == (
        Heading(2, "what-was-agreed", "What was agreed"),
        Heading(3, "next-steps-risks", "Next steps & risks"),
    )


def test_cyrillic_heading_ids_are_transliterated() -> None:
    root, rendered = convert("## Переговори в Києві\n\n## Съезд в Москве\n")
    assert root.xpath("//h2/@id") == ["perehovory-v-kyievi", "sezd-v-moskve"]
    assert [h.text for h in rendered.toc] == ["Переговори в Києві", "Съезд в Москве"]


def test_heading_ids_ignore_inline_markup_and_punctuation() -> None:
    root, rendered = convert('## The *big* talk\n\n## Ukraine\'s "plan" & [link](/x/)\n')
    assert root.xpath("//h2/@id") == ["the-big-talk", "ukraines-plan-link"]
    assert [h.text for h in rendered.toc] == ["The big talk", "Ukraine’s “plan” & link"]


def test_repeated_headings_get_distinct_ids() -> None:
    root, _ = convert("## Reaction\n\n## Reaction\n")
    ids = root.xpath("//h2/@id")
    assert len(set(ids)) == 2
    assert ids[0] == "reaction"


def test_a_heading_with_no_latin_letters_still_gets_an_id() -> None:
    root, _ = convert("## 日本\n\n## 🔥\n")
    assert root.xpath("//h2/@id") == ["riben", "section"]  # spelled by anyascii, or a default


def test_toc_lists_second_and_third_level_headings_only() -> None:
    _, rendered = convert("# Title\n\n## Two\n\n### Three\n\n#### Four\n")
    assert [(h.level, h.text) for h in rendered.toc] == [(2, "Two"), (3, "Three")]


def test_each_document_starts_fresh() -> None:
    engine = MarkdownEngine()
    engine.convert("## Reaction\n\nA note.[^1]\n\n[^1]: First document's note.\n")
    second = engine.convert("## Reaction\n\nNo notes here.\n")
    root = lxml.html.fragment_fromstring(second.html, create_parent="div")
    assert root.xpath("//h2/@id") == ["reaction"]
    assert not root.xpath("//div[@class='footnote']")
    assert second.toc == (Heading(2, "reaction", "Reaction"),)


def test_first_paragraph_is_plain_text() -> None:
    _, rendered = convert(
        "## Heading\n\nAdvisers **met** in Kyiv &amp; Lviv.\n\nSecond paragraph.\n"
    )
    assert rendered.first_paragraph == "Advisers met in Kyiv & Lviv."


def test_a_body_without_paragraphs_has_no_first_paragraph() -> None:
    _, rendered = convert("## Only a heading\n")
    assert rendered.first_paragraph == ""


def test_first_paragraph_keeps_punctuation_next_to_links() -> None:
    _, rendered = convert("Talks in [Kyiv](/tag/kyiv/), then *Lviv*.\n")
    assert rendered.first_paragraph == "Talks in Kyiv, then Lviv."


def test_first_paragraph_skips_an_opening_blockquote() -> None:
    _, rendered = convert("> “We will not give up,” the mayor said.\n\nThe city was shelled.\n")
    assert rendered.first_paragraph == "The city was shelled."


def test_word_count_comes_from_the_text_not_a_stated_figure() -> None:
    _, rendered = convert("Advisers met in Kyiv.\n\n(Word count: 712)\n")
    assert rendered.word_count == 7


def test_word_count_ignores_markup_and_footnotes() -> None:
    body = (
        "## Two words\n\n"
        "A [linked phrase](https://example.org/) and **bold** text.\n\n"
        "[^1]: A footnote that should not count at all.\n"
    )
    _, rendered = convert(body)
    assert rendered.word_count == 8


def test_word_count_keeps_contractions_and_hyphenated_words_whole() -> None:
    assert count_words("<p>Kyiv-based reporters say it’s the mayor's call.</p>") == 7


def test_word_count_counts_cyrillic_words() -> None:
    assert count_words("<p>Переговори у Києві тривали до ранку.</p>") == 6


@pytest.mark.parametrize(("words", "minutes"), [(0, 1), (1, 1), (230, 1), (231, 2), (1000, 5)])
def test_reading_time_is_at_least_a_minute(words: int, minutes: int) -> None:
    _, rendered = convert(" ".join(["word"] * words) if words else "")
    assert rendered.word_count == words
    assert rendered.reading_minutes == minutes


def test_root_relative_links_and_images_are_rebased_under_a_sub_path() -> None:
    body = (
        "See [the earlier story](/2026/01/05/strikes/) and [the tag](/tag/kyiv/).\n\n"
        "![Map of the front](images/map.png)\n\n![Logo](/images/logo.png)\n"
    )
    root, _ = convert(body, "/news/")
    assert root.xpath("//a/@href") == ["/news/2026/01/05/strikes/", "/news/tag/kyiv/"]
    assert root.xpath("//img/@src") == ["/news/images/map.png", "/news/images/logo.png"]


def test_other_links_are_left_as_written() -> None:
    body = (
        "[a](https://example.org/x) [b](//cdn.example.org/y) [c](#notes) "
        "[d](mailto:desk@example.org) [e](other/)\n"
    )
    root, _ = convert(body, "/news/")
    assert root.xpath("//a/@href") == [
        "https://example.org/x",
        "//cdn.example.org/y",
        "#notes",
        "mailto:desk@example.org",
        "other/",
    ]


def test_content_images_load_lazily() -> None:
    root, _ = convert("![Map](images/map.png)\n")
    [img] = root.xpath("//img")
    assert img.get("loading") == "lazy"
    assert img.get("alt") == "Map"


def test_plain_text_decodes_entities_and_folds_spaces() -> None:
    assert plain_text("<em>Kyiv</em>\n  &amp;   <b>Lviv</b>") == "Kyiv & Lviv"


def test_first_paragraph_is_the_first_p_of_any_html() -> None:
    assert first_paragraph("<h2>x</h2>\n<p>One <em>two</em></p>\n<p>Three</p>") == "One two"
