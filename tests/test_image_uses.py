"""Images as stories use them: each use's own words, one derived name per source, and only
the images the site publishes processed (issue 15)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from lxml import html as lxml_html
from PIL import Image as PILImage

from tests.conftest import SITE_YAML, article, build, make_site, png

SITE = SITE_YAML + "search: false\n"
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
