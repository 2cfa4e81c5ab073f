"""Both Markdown engines (Python-Markdown and cmark-gfm) agree on what readers and pages see."""

from __future__ import annotations

import html
import importlib.util
import re
import resource
import sys
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
from conftest import SITE_YAML, article, build, make_site
from hypothesis import given
from hypothesis import strategies as st

from gen.markup.cmark import CmarkConverter, separate_definitions, separate_every_definition
from gen.markup.engine import MarkdownEngine
from gen.markup.text import Rendered, count_words

ARTICLES = {
    "news": """\
National security advisers met in Kyiv on Saturday, the ministry said -- and "little
was agreed". It's the *third* such meeting since [the spring talks](/2026/03/02/talks/)...

## What was agreed

Officials said the **energy** deal -- a "framework", not a treaty -- was signed.
See [the text](https://example.org/deal.pdf "Full text") or [write to us](mailto:desk@example.org).

### Next steps & risks

A [later section](#reaction) covers reaction --- and [the tag page](/tag/energy/).

## Reaction

"We will see," said one diplomat. 'Cautious optimism,' said another.
""",
    "cyrillic": """\
Переговори тривали до ранку.

## Переговори в Києві

Текст про переговори.

## Съезд в Москве

Текст.

## Reaction

First.

## Reaction

Second.

## Що далі?

Кінець.
""",
    "table": """\
Strikes by city over the week, according to regional officials:

| City | Strikes | Change |
|:-----|--------:|:------:|
| Kharkiv | 12 | +3 |
| Odesa | 3 | -1 |
| Дніпро | 7 | 0 |

## Method

Counts come from [the regional administrations](/about/method/).
""",
    "footnotes": """\
The ministry disputed the figures.[^ministry] Independent monitors gave a
higher count.[^monitors] The ministry later repeated its claim.[^ministry]

## Background

Earlier reports[^3] were withdrawn, a local paper said.[^джерело]

[^ministry]: According to a ministry statement on [its site](https://example.org/mod).
[^monitors]: The monitors' count covers only [confirmed sites](/2026/01/04/sites/).
[^3]: See the correction of 4 January.
[^джерело]: «Вечірній Київ», 3 January.
""",
    "lists": """\
Three things changed on Monday:

- power cuts were shortened;
- trains resumed to [Zaporizhzhia](/tag/zaporizhzhia/);
- schools reopened, with:
    - shelters checked,
    - classes shortened.

The plan has four stages:

3. evacuate the front-line villages;
4. rebuild the substations.

> "This is the start," the mayor said.
>
> - no promises
> - no dates
""",
    "images": """\
The front line as of Monday.

![Map of the front line](images/front-line-map.jpg "The front line|Ministry of Defence")

A [root-relative image](/images/photo.png) link, then the image itself:
![Logo of the ministry](/images/logo.png) inline in a sentence, and a remote one
![Satellite view](https://cdn.example.org/sat.png).

## Where
""",
    "html": """\
An embedded video follows, as the newsroom embeds them.

<figure class="embed">
<iframe src="https://video.example.org/embed/42" title="Interview"></iframe>
<figcaption>The interview, recorded in <a href="/about/">our studio</a>.</figcaption>
</figure>

The <abbr title="North Atlantic Treaty Organization">NATO</abbr> summit ended with a
statement <a href="/2026/01/05/statement/">published here</a>, said [the agency](/agency/).

<aside class="note"><img src="images/badge.png" alt=""> Raw HTML stays as written.</aside>

## After the summit

Leaders left.
""",
    # Kramdown-era stories keep their references right under the last paragraph.
    "references": """\
The [ministry's report][1] and [the map][map] disagree with [Kyiv][] on the count,
as [the monitors][Monitors] said ([archive][1]).
[1]: https://example.org/report.pdf "The report"
[map]: <https://example.org/map>

- a list item cites [the report][1]
- another [the map][map]

  [kyiv]: /tag/kyiv/
[monitors]: /2026/01/04/sites/ (Monitors)

![A chart][chart]

[chart]: images/chart.png
""",
    # Addresses pasted into the text, as reporters do.
    "autolinks": """\
Read the statement at https://example.org/news/2026/a_b_c--final (in Ukrainian), or
www.example.org/en. Questions to desk.news@example.org. The page
(https://en.wikipedia.org/wiki/Kyiv_(city)) was "https://example.org/q" quoted.

## Sources: https://example.org/src

- https://t.me/ukrainenow/12345
- Not a link: `https://example.org/code` and [text](https://example.org/linked), nor
  <https://example.org/angle>.

Escapes as CommonMark: \\~not struck\\~, 5 \\< 6, \\$ and \\@.
""",
    "code": """\
Setext Title
============

The dataset is published as `strikes.csv`; load it with:

```python
import csv
rows = list(csv.reader(open("strikes.csv")))
```

First line of an address\x20\x20
second line

***

## The `csv` module & *its* quirks

#### Not in the table of contents

Done.
""",
}


def visible_text(root: lxml.html.HtmlElement) -> str:
    return " ".join(root.text_content().split())


def headings(root: lxml.html.HtmlElement) -> list[tuple[str, str | None, str]]:
    xpath = "//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
    return [(h.tag, h.get("id"), " ".join(h.text_content().split())) for h in root.xpath(xpath)]


def links(root: lxml.html.HtmlElement) -> list[str]:
    # cmark percent-encodes URLs (/tag/київ/ → /tag/%D0%BA…/); both mean the same address.
    return [unquote(a.get("href")) for a in root.xpath("//a")]


def footnotes(root: lxml.html.HtmlElement) -> list[tuple[str | None, str]]:
    return [
        (li.get("id"), " ".join(li.text_content().split()))
        for li in root.xpath("//div[@class='footnote']/ol/li")
    ]


def images(root: lxml.html.HtmlElement) -> list[tuple[str | None, ...]]:
    return [
        (img.get("src"), img.get("alt"), img.get("title"), img.get("loading"), img.get("decoding"))
        for img in root.xpath("//img")
    ]


def both(text: str, base_path: str) -> tuple[Rendered, Rendered]:
    return (
        MarkdownEngine(base_path, "markdown").convert(text),
        MarkdownEngine(base_path, "cmark").convert(text),
    )


def tree(rendered: Rendered) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(rendered.html, create_parent="div")


@pytest.mark.parametrize("base_path", ["/", "/news/"])
@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_engines_agree_on_what_readers_see(name: str, base_path: str) -> None:
    python_markdown, cmark = both(ARTICLES[name], base_path)
    pm_root, cm_root = tree(python_markdown), tree(cmark)
    assert visible_text(cm_root) == visible_text(pm_root)
    assert headings(cm_root) == headings(pm_root)
    assert links(cm_root) == links(pm_root)
    assert footnotes(cm_root) == footnotes(pm_root)
    assert images(cm_root) == images(pm_root)
    assert cmark.images == python_markdown.images
    assert cmark.toc == python_markdown.toc
    assert cmark.word_count == python_markdown.word_count
    assert cmark.first_paragraph == python_markdown.first_paragraph


def test_the_article_set_exercises_every_feature() -> None:
    """Guards the comparison above against passing on articles that lost their features."""
    rendered = {name: MarkdownEngine("/news/", "cmark").convert(t) for name, t in ARTICLES.items()}
    roots = {name: tree(r) for name, r in rendered.items()}
    assert roots["table"].xpath("//table/tbody/tr/td[@style='text-align: right']")
    assert [li.get("id") for li in roots["footnotes"].xpath("//div[@class='footnote']//li")] == [
        "fn:ministry",
        "fn:monitors",
        "fn:3",
        "fn:джерело",
    ]
    assert roots["footnotes"].xpath("//sup[@id='fnref2:ministry']/a[@href='#fn:ministry']")
    assert [h.id for h in rendered["cyrillic"].toc] == [
        "perehovory-v-kyievi",
        "sezd-v-moskve",
        "reaction",
        "reaction_1",
        "shcho-dali",
    ]
    assert [(h.level, h.text) for h in rendered["news"].toc] == [
        (2, "What was agreed"),
        (3, "Next steps & risks"),
        (2, "Reaction"),
    ]
    assert rendered["images"].images == (
        ("images/front-line-map.jpg", "Map of the front line"),
        ("/images/logo.png", "Logo of the ministry"),
    )
    assert roots["lists"].xpath("//ol[@start='3']") and roots["lists"].xpath("//li/ul/li")
    assert rendered["news"].first_paragraph.startswith("National security advisers met in Kyiv")
    assert "“little was agreed”. It’s the third" in rendered["news"].first_paragraph
    assert roots["code"].xpath("//pre/code[@class='language-python']")
    assert len(roots["references"].xpath("//a[@href='https://example.org/report.pdf']")) == 3
    assert "[1]" not in roots["references"].text_content()
    assert roots["autolinks"].xpath("//a[@href='mailto:desk.news@example.org']")
    assert roots["autolinks"].xpath("//a[@href='https://en.wikipedia.org/wiki/Kyiv_(city)']")
    assert "~not struck~, 5 < 6, $ and @" in roots["autolinks"].text_content()


def test_raw_html_passes_through_the_cmark_engine_untouched() -> None:
    rendered = MarkdownEngine("/news/", "cmark").convert(ARTICLES["html"])
    assert '<iframe src="https://video.example.org/embed/42" title="Interview"></iframe>' in (
        rendered.html
    )
    # Authors' own tags keep their paths and get no attributes: only Markdown is rewritten.
    assert '<a href="/about/">our studio</a>' in rendered.html
    assert '<a href="/2026/01/05/statement/">published here</a>' in rendered.html
    assert '<img src="images/badge.png" alt="">' in rendered.html
    assert '<a href="/news/agency/">the agency</a>' in rendered.html
    assert rendered.images == ()


def test_raw_html_with_every_rewritten_tag_passes_through_untouched() -> None:
    raw = (
        '<div class="box">\n<h2>Raw heading</h2>\n<p>Line<br />two <a href="/x/">link</a></p>\n'
        '<hr />\n<img src="images/raw.png" alt="Raw" />\n<ol><li id="fn-1">x</li></ol>\n'
        "<section>s</section>\n</div>"
    )
    rendered = MarkdownEngine("/news/", "cmark").convert(f"Before.\n\n{raw}\n\n## After\n")
    assert raw in rendered.html
    assert rendered.toc == (MarkdownEngine("/", "markdown").convert("## After").toc)
    assert rendered.images == ()


def test_an_embed_without_rewritten_tags_passes_through_untouched() -> None:
    embed = '<figure class="embed"><iframe src="https://v.example.org/1"></iframe></figure>'
    rendered = MarkdownEngine("/news/", "cmark").convert(f"Watch:\n\n{embed}\n\nEnd.\n")
    assert rendered.html == f"<p>Watch:</p>\n{embed}\n<p>End.</p>"


def test_without_the_direct_binding_cmarkgfm_gives_the_same_html() -> None:
    """The fallback where cmark's symbols are not exported (Windows) differs only on raw HTML."""
    direct, wrapped = CmarkConverter("/news/"), CmarkConverter("/news/")
    wrapped.native = None
    for name in ("news", "cyrillic", "table", "footnotes", "lists", "images", "code"):
        assert wrapped.convert(ARTICLES[name]) == direct.convert(ARTICLES[name]), name


@given(st.text(alphabet="ab_-'’ .,<>/&;#3Жé\n\u00a0", max_size=40))
def test_word_count_matches_the_letters_and_digits_rule(text: str) -> None:
    """count_words runs \\w on text with "_" made a space: the same words as [^\\W_]."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    assert count_words(text) == len(re.findall(r"[^\W_]+(?:['’\-][^\W_]+)*", plain))


def test_cmark_engine_keeps_no_state_between_documents() -> None:
    engine = MarkdownEngine("/", "cmark")
    engine.convert("## Reaction\n\nA note.[^1] <b>raw</b>\n\n[^1]: First document's note.\n")
    second = engine.convert("## Reaction\n\nNo notes here.\n")
    assert '<h2 id="reaction">' in second.html
    assert "footnote" not in second.html


_LINES = st.sampled_from(
    [
        "Text.",
        "",
        " ",
        "\t",
        "\xa0",
        "```",
        "~~~",
        "[a]: /x",
        " [b]: /y 'T'",
        "  [c]:",
        "   [d]: /z",
        "    [e]: /w",
        "[f]:/v",
        "[g] /u",
        "> [h]: /t",
        "- [i]: /s",
    ]
)


@given(st.lists(_LINES, max_size=12), st.text(alphabet=" \t\na[]:", max_size=20))
def test_reference_definitions_are_found_by_the_quick_look_as_by_every_line(
    lines: list[str], noise: str
) -> None:
    """The first look for a definition under text misses none a line-by-line read finds."""
    for text in ("\n".join(lines), noise, "\n".join(lines) + noise):
        assert separate_definitions(text) == separate_every_definition(text)


def test_known_differences_between_the_engines() -> None:
    """What cmark-gfm does as GitHub does, not as Python-Markdown does (see gen/markup_cmark.py)."""
    cases = {
        # GitHub's strikethrough.
        "~~withdrawn~~": ("~~withdrawn~~", "<del>withdrawn</del>"),
        # CommonMark's backslash line break.
        "one\\\ntwo": ("one\\\ntwo", "one<br>\ntwo"),
        # CommonMark lets a list interrupt a paragraph; Python-Markdown needs a blank line.
        "Items:\n- one\n- two\n": ("Items:\n- one", "<ul>"),
        # A list item's paragraphs and nested lists: Python-Markdown needs four spaces, so
        # text under "1. " at three becomes a paragraph of its own (and the summary, first
        # in a story); CommonMark follows the item's text column.
        "1. First\n\n   more text\n2. Second\n": (
            "</ol>\n<p>more text\n2. Second</p>",
            "<li>\n<p>First</p>\n<p>more text</p>\n</li>",
        ),
        "- one\n  - nested\n": ("<li>nested</li>", "<li>one\n<ul>\n<li>nested</li>"),
        # Looseness: Python-Markdown wraps in <p> only the items beside a blank line,
        # CommonMark every item of a list with one.
        "- one\n\n- two\n- three\n": ("<li>three</li>", "<li>\n<p>three</p>\n</li>"),
        # Markdown inside an HTML block: CommonMark after a blank line, Python-Markdown only
        # with markdown="1".
        "<div>\n\n*md*\n\n</div>\n": ("*md*", "<em>md</em>"),
        # A heading needs a space after its #s in CommonMark.
        "#Ukraine\n": ('<h1 id="ukraine">', "<p>#Ukraine</p>"),
        # GitHub's tables split cells at every |, in code too (write \|); extra cells go.
        "| a | b |\n|---|---|\n| x | `c|d` |\n": ("<code>c|d</code>", "<td>`c</td>"),
        # A link's address with spaces needs <…> in CommonMark.
        "[a](/my url/)\n": ('<a href="/my url/">', "[a](/my url/)"),
        # "1)" starts a list in CommonMark only; a change of bullet starts a new list.
        "1) one\n2) two\n": ("<p>1) one", "<ol>"),
        "- a\n* b\n": ("<li>a</li>\n<li>b</li>", "<li>a</li>\n</ul>\n<ul>"),
        # Alt text: cmark's is the plain text of the description, with typographic quotes.
        '![The "Mriya" *wreck*](x.png)': (
            'alt="The &quot;Mriya&quot; *wreck*"',
            'alt="The &ldquo;Mriya&rdquo; wreck"',
        ),
    }
    for text, (python_markdown, cmark) in cases.items():
        pm, cm = both(text, "/")
        assert python_markdown in pm.html and cmark in cm.html, text
    # Footnotes: cmark numbers them in the order they are cited and drops unused ones.
    pm, cm = both("A.[^b] B.[^a]\n\n[^a]: Note a.\n[^b]: Note b.\n[^c]: Unused.\n", "/")
    assert [i for i, _ in footnotes(tree(pm))] == ["fn:a", "fn:b", "fn:c"]
    assert [i for i, _ in footnotes(tree(cm))] == ["fn:b", "fn:a"]
    # GitHub's footnote labels have no spaces.
    pm, cm = both("A.[^two words]\n\n[^two words]: Note.\n", "/")
    assert footnotes(tree(pm)) and not footnotes(tree(cm))


def test_both_engines_write_typographic_punctuation_as_entities() -> None:
    """Curly quotes, dashes and ellipses as smarty's named entities, so an English body is
    ASCII (Python keeps it at one byte a character, not two); the text reads the same."""
    text = (
        "It's \"over\" -- or is it... --- *'no'*.\n\n"
        '## The "deal"\n\n![A "map"](images/map.jpg)\n\nTyped: ‘a’ “b” – — …\n'
    )
    pm, cm = both(text, "/")
    assert cm.html.isascii() and pm.html.isascii() is False  # smarty leaves typed ones as is
    for rendered in (pm, cm):
        root = tree(rendered)
        assert root.xpath("string(//p[1])") == "It’s “over” – or is it… — ‘no’."
        assert root.xpath("string(//h2)") == "The “deal”"
        assert root.xpath("string(//p[last()])") == "Typed: ‘a’ “b” – — …"
        assert rendered.first_paragraph == "It’s “over” – or is it… — ‘no’."
        assert [h.text for h in rendered.toc] == ["The “deal”"]
    assert tree(cm).xpath("//img/@alt") == ["A “map”"]
    for quote in ("&ldquo;", "&rsquo;", "&ndash;", "&mdash;", "&hellip;"):
        assert quote in cm.html and quote in pm.html
    # An author's raw HTML is never rewritten: a script's string keeps its dash.
    raw = 'A "quote".\n\n<script>var s = "a — b";</script>\n\n<b>"bold"</b>\n'
    for rendered in both(raw, "/"):
        assert '<script>var s = "a — b";</script>' in rendered.html


@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak RSS as Linux reports it")
def test_cmark_engine_frees_what_it_converts() -> None:
    converter = CmarkConverter("/")
    assert converter.native is not None  # cmarkgfm's own wrapper leaks ~150 kB a document
    text = "\n\n".join(ARTICLES.values()) * 4  # ~12 kB, which would leak ~350 kB each time
    converter.convert(text)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(300):
        converter.convert(text)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 25


def test_a_site_builds_with_the_cmark_engine(tmp_path: Path) -> None:
    body = "Advisers met.[^1]\n\n## What was agreed\n\nLittle.\n\n[^1]: Officially.\n"
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE_YAML + "markdown:\n  engine: cmark\n",
            "content/articles/allies-meet.md": article(body=body),
        },
    )
    run = build(site)
    assert run.code == 0, run.err
    [page] = (site / "output").glob("2026/01/06/*/index.html")
    root = lxml.html.parse(str(page)).getroot()
    assert root.xpath("//h2[@id='what-was-agreed']")
    assert root.xpath("//div[@class='footnote']//li[@id='fn:1']")


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        (
            "markdown:\n  engine: cmarc\n",
            "unknown markdown engine 'cmarc'; did you mean 'cmark'? (use markdown or cmark)",
        ),
        ("markdown:\n  engin: cmark\n", "unknown key 'markdown.engin'; did you mean 'engine'?"),
        ("markdown: cmark\n", "'markdown' must be a mapping such as {engine: cmark}"),
    ],
)
def test_a_wrong_markdown_setting_is_reported_at_its_line(
    tmp_path: Path, yaml: str, message: str
) -> None:
    text = SITE_YAML + yaml
    site = make_site(tmp_path, {"site.yaml": text})
    run = build(site)
    assert run.code == 1
    line = len(text.splitlines())
    assert run.err.splitlines() == [
        f"site.yaml:{line}: {message}",
        "build failed: 1 error; output left as it was",
    ]


def test_the_cmark_engine_without_cmarkgfm_is_reported_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "cmarkgfm" else find_spec(name, *args),
    )
    text = SITE_YAML + "markdown:\n  engine: cmark\n"
    run = build(make_site(tmp_path, {"site.yaml": text}))
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        f"site.yaml:{len(text.splitlines())}: "
        "markdown engine 'cmark' needs cmarkgfm: pip install cmarkgfm"
    )


FOREIGN = """\
Jekyll and Hugo stories bring their generators' tags along.

{% highlight python %}
rows = {"Kharkiv": 12, 'Odesa': 3}  # *not* emphasis -- nor a dash
{% endhighlight %}

* TOC
{:toc}

{{< youtube id="w7Ft2ymGmfc" title="The mayor's briefing" >}}

{{% notice "warning" %}}Roads closed{{% /notice %}}

See {% post_url 2016-01-18-operatyvna-narada %} and {{ site.baseurl }}/about/...

[caption id="attachment_12" align="alignnone" width="300"]Kyiv at night[/caption]

A kramdown paragraph
{: .lead data-x="y" }
"""
FOREIGN_TAGS = [
    "{% highlight python %}\nrows = {\"Kharkiv\": 12, 'Odesa': 3}  # *not* emphasis -- nor a dash"
    "\n{% endhighlight %}",
    "{:toc}",
    '{{< youtube id="w7Ft2ymGmfc" title="The mayor\'s briefing" >}}',
    '{{% notice "warning" %}}',
    "{{% /notice %}}",
    "{% post_url 2016-01-18-operatyvna-narada %}",
    "{{ site.baseurl }}",
    '[caption id="attachment_12" align="alignnone" width="300"]',
]


@pytest.mark.parametrize("engine", ["markdown", "cmark"])
def test_other_generators_tags_keep_every_character(engine: str) -> None:
    rendered = MarkdownEngine("/", engine).convert(FOREIGN)
    text = " ".join(tree(rendered).text_content().split())
    for tag in FOREIGN_TAGS:
        assert " ".join(tag.split()) in text, tag
    assert "Roads closed" in text and "Kyiv at night" in text


def test_only_real_attribute_lists_become_attributes() -> None:
    """Python-Markdown applies {: #id .class key=value }; other braces stay text."""
    rendered = MarkdownEngine("/", "markdown").convert(FOREIGN + "\nText {: #x .y } end\n")
    root = tree(rendered)
    assert root.xpath("//p[@class='lead' and @data-x='y']")
    assert not root.xpath("//li[@toc]") and "{:toc}" in root.text_content()
    assert "_" not in [name for el in root.iter() for name in el.attrib]


def test_a_tag_in_a_link_address_is_converted_as_before() -> None:
    """A placeholder cmark would percent-encode in an address: the text converts unprotected."""
    text = "[About]({{site.baseurl}}/about/) us.\n"
    for engine in ("markdown", "cmark"):
        rendered = MarkdownEngine("/", engine).convert(text)
        assert "About" in rendered.html and "\ue000" not in rendered.html, engine
