"""Images as stories use them: each use's own words, one derived name per source, and only
the images the site publishes processed (issue 15)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image as PILImage

import gen.outputs.images
from gen.assemble.article import make_context, parse_article
from gen.assemble.assets import unused_images
from gen.config import BuildOptions, load_config
from gen.errors import ErrorReport
from gen.markup.engine import MarkdownEngine
from gen.pipeline import Session
from gen.pipeline import build as engine_build
from gen.source.read import read_tree
from tests.conftest import CLOCK, SITE_YAML, article, build, make_site, png

SITE = SITE_YAML + "search: false\n"
NOW = datetime.fromisoformat(CLOCK)
OPTIONS = BuildOptions(site_dir=Path(), output_dir=Path("output"), now=NOW)
ARTICLE_PAGE = "2026/01/06/a/index.html"

TWO_USES = """\
![Rescuers lift a child from the rubble](images/f2.png "The first hour|Photo: Oksana Lys")

Later the street emptied.

![The same street at dusk, empty](images/f2.png "Evening|Photo: Taras Melnyk")

<img src="/images/f2.png" alt="">
"""


def test_each_use_of_an_image_keeps_its_own_alt_text_and_caption(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/f2.png": png(40, 30),
            "content/articles/a.md": article(body=TWO_USES),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    out = site / "output"
    page = lxml_html.fromstring((out / ARTICLE_PAGE).read_bytes())
    assert page.xpath("//article//img/@alt")[-3:] == [
        "Rescuers lift a child from the rubble",
        "The same street at dusk, empty",
        "",
    ]
    captions = [" ".join(c.text_content().split()) for c in page.xpath("//figure/figcaption")]
    assert captions[-2:] == ["The first hour Photo: Oksana Lys", "Evening Photo: Taras Melnyk"]
    lite = lxml_html.fromstring((out / "lite" / ARTICLE_PAGE).read_bytes())
    assert [" ".join(p.text_content().split()) for p in lite.xpath('//p[@class="image-text"]')] == [
        "[Rescuers lift a child from the rubble] The first hour Photo: Oksana Lys",
        "[The same street at dusk, empty] Evening Photo: Taras Melnyk",
    ]  # alt="" is decoration: nothing to say in text
    (item,) = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    body = lxml_html.fromstring(item["content_html"])
    assert body.xpath("//img/@alt") == [
        "Rescuers lift a child from the rubble",
        "The same street at dusk, empty",
        "",
    ]


def jpeg(width: int, height: int, fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), "red").save(out, fmt)
    return out.getvalue()


def test_images_of_one_name_in_two_formats_are_each_published(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/f2.jpg": jpeg(600, 400),
            "content/images/f2.png": png(600, 400),
            "content/articles/a.md": article(body="![A](images/f2.jpg)\n\n![B](images/f2.png)\n"),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    names = sorted(p.name for p in (site / "output/images").glob("f2*"))
    assert names == [
        "f2-jpg-480.jpg",
        "f2-jpg-480.webp",
        "f2-jpg-600.webp",
        "f2-png-480.png",
        "f2-png-480.webp",
        "f2-png-600.webp",
        "f2.jpg",
        "f2.png",
    ]
    page = lxml_html.fromstring((site / "output" / ARTICLE_PAGE).read_bytes())
    assert page.xpath("//article//picture/source/@srcset")[-2:] == [
        "/images/f2-jpg-480.webp 480w, /images/f2-jpg-600.webp 600w",
        "/images/f2-png-480.webp 480w, /images/f2-png-600.webp 600w",
    ]


def test_a_file_named_like_another_images_resized_copy_names_both(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/f2.jpg": jpeg(600, 400),
            "content/images/f2-jpg-480.webp": jpeg(480, 320, "WEBP"),
            "content/articles/a.md": article(
                body="![A](images/f2.jpg)\n\n![B](images/f2-jpg-480.webp)\n"
            ),
        },
    )
    result = build(site)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "content/images/f2.jpg: images/f2-jpg-480.webp would be published from both "
        "content/images/f2-jpg-480.webp and content/images/f2.jpg; rename one of them"
    )


AVATAR_AUTHOR = "name: David Okafor\navatar: images/avatar.png\n"
USES = """\
![A ward](images/body.png)

Read [the full-size map](/images/linked.png) and [the report](/files/report.pdf).

<img src="/images/raw.png" alt="A raw one">
"""


def uses_site(root: Path) -> Path:
    return make_site(
        root,
        {
            "site.yaml": SITE.replace(
                "  name: Test Ledger\n", "  name: Test Ledger\n  logo: images/logo.png\n"
            ),
            "content/authors/david-okafor.yaml": AVATAR_AUTHOR,
            **{f"content/images/{name}.png": png(20, 10) for name in IMAGE_NAMES},
            "content/files/report.pdf": b"%PDF-1.4 a report",
            "content/files/notes.txt": "Notes nobody links to.\n",
            "content/articles/a.md": article(
                extra="image:\n  src: images/lead.png\n  alt: A street\n  credit: Staff\n",
                body=USES,
            ),
            "content/articles/b.md": article(
                "Drafted",
                extra="draft: true\nimage:\n  src: images/draft.png\n  alt: A\n  credit: B\n",
            ),
        },
    )


IMAGE_NAMES = ("lead", "body", "linked", "raw", "avatar", "logo", "draft", "unused", "photo")
USED = {"lead", "body", "linked", "raw", "avatar", "logo"}


def test_only_images_something_published_uses_are_processed_and_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[int] = []
    real = gen.outputs.images.render_variants
    monkeypatch.setattr(
        gen.outputs.images,
        "render_variants",
        lambda data, variants: encoded.append(1) or real(data, variants),
    )
    site = uses_site(tmp_path)
    result = build(site)
    assert result.code == 0, result.err
    out = site / "output"
    published = {p.name.split("-")[0].split(".")[0] for p in (out / "images").iterdir()}
    assert published == USED
    assert len(encoded) == len(USED)  # no work for the draft's, the unused or the default
    assert (out / "files/report.pdf").read_bytes() == b"%PDF-1.4 a report"
    assert (out / "files/notes.txt").is_file()  # files other than images: published as they are


def test_unused_images_are_listed_for_check(tmp_path: Path) -> None:
    site = uses_site(tmp_path)
    config = load_config(site)
    report = ErrorReport()
    tree = read_tree(site, report)
    ctx = make_context(tree, config, report)
    articles = [
        a
        for doc in tree.articles
        if (a := parse_article(doc, ctx, MarkdownEngine.for_site(config), OPTIONS, report))
    ]
    ctx.images.report_unshown(report)
    assert not report.errors
    # The draft's photo is not unused: it publishes with its story.
    assert unused_images(tree.assets, ctx.images.checked, articles, ctx.authors, config) == (
        "images/photo.png",
        "images/unused.png",
    )


def test_a_watch_save_that_links_an_unused_image_publishes_it(tmp_path: Path) -> None:
    site = uses_site(tmp_path / "site")
    out, session = tmp_path / "out", Session()
    engine_build(BuildOptions(site_dir=site, output_dir=out, now=NOW, jobs=1), session=session)
    assert not (out / "images/unused.png").exists()
    story = site / "content/articles/a.md"
    story.write_text(
        story.read_text(encoding="utf-8") + "\nSee [this](/images/unused.png).\n", encoding="utf-8"
    )
    engine_build(
        BuildOptions(site_dir=site, output_dir=out, now=NOW, jobs=1),
        session=session,
        changed=frozenset({"content/articles/a.md"}),
    )
    assert (out / "images/unused.png").is_file()
