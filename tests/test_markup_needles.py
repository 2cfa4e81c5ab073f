"""Python-Markdown with each inline pattern tried only where it can match (gen/markup/needles.py)
gives exactly the HTML of Python-Markdown trying every pattern everywhere."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_markup_engines import ARTICLES

from gen.markup.engine import PythonMarkdownConverter
from gen.markup.needles import NEEDLES, QuickInlineProcessor

REPO = Path(__file__).resolve().parent.parent

# Every character an inline pattern starts from or needs, words, and the block syntax
# that puts text into headings, lists, quotes, tables and footnotes.
_PIECES = st.sampled_from(
    [
        "word",
        "Kyiv",
        " ",
        "  \n",
        "\n",
        "\n\n",
        "*",
        "**",
        "_",
        "`",
        "``",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "![",
        "[^1]",
        "\n\n[^1]: note",
        "[a]: /x",
        "<",
        ">",
        "<b>",
        "</b>",
        "<!-- c -->",
        "&",
        "&amp;",
        "&rsquo;",
        "&#8212;",
        "'",
        '"',
        "-",
        "--",
        "---",
        ".",
        "...",
        "https://example.org/a_b",
        "www.example.org",
        "desk@example.org",
        "<https://example.org>",
        "<desk@example.org>",
        "# ",
        "## ",
        "- ",
        "1. ",
        "> ",
        "| a | b |\n|---|---|\n| ",
        "    ",
        "{#id}",
        "*[NATO]: North Atlantic",
        "NATO",
        "Ж",
    ]
)


def _pair(base_path: str = "/news/") -> tuple[PythonMarkdownConverter, PythonMarkdownConverter]:
    return PythonMarkdownConverter(base_path), PythonMarkdownConverter(base_path, quick=False)


def test_both_inline_processors_skip_with_the_installed_markdown() -> None:
    quick, stock = _pair()
    for name in ("inline", "smarty"):
        assert type(quick._md.treeprocessors[name]) is QuickInlineProcessor
        assert type(stock._md.treeprocessors[name]) is not QuickInlineProcessor
    # Every pattern with needles is one Python-Markdown (or our extension) registers.
    smarty = quick._md.treeprocessors["smarty"].inlinePatterns
    assert all(name in quick._md.inlinePatterns or name in smarty for name in NEEDLES)


_QUICK, _STOCK = _pair()


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40))
def test_skipping_patterns_changes_no_html(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _QUICK.convert(text) == _STOCK.convert(text)


def test_every_story_we_ship_converts_the_same() -> None:
    """The sample site's stories, the test fixtures' and the engines' article set."""
    texts = list(ARTICLES.values())
    for folder in ("content", "tests/fixtures"):
        for path in sorted((REPO / folder).rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            end = text.find("\n---", 3) if text.startswith("---") else -1
            texts.append(text[end + 4 :] if end >= 0 else text)
    assert len(texts) > 40
    for base_path in ("/", "/news/"):
        quick, stock = _pair(base_path)
        for text in texts:
            assert quick.convert(text) == stock.convert(text)
