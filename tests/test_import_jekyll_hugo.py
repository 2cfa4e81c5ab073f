"""dateline import jekyll|hugo: small real-shaped trees become stories that build and pass
`dateline check`, with their old URLs as aliases and their Liquid and shortcodes converted."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CLOCK, TINY_PNG, build, output_files, run_cli
from tests.test_import_wordpress import run_import

JEKYLL = {
    "_config.yml": "title: Civic News\nurl: https://civic.example.org\npermalink: pretty\n"
    "author: Olena Kovalenko\n",
    "_posts/2016-01-18-operatyvna-narada.md": """\
---
layout: post
title: "Оперативна нарада"
categories: [news, kyiv]
tags: [meeting]
redirect_from: /old/narada.html
---

The council met on Monday.

https://www.youtube.com/watch?v=dQw4w9WgXcQ

{% highlight ruby %}
def hello; end
{% endhighlight %}

See [the release]({% post_url 2016-02-01-release %}) and the photo:

![]({{ site.baseurl }}/assets/photo.png)

{% include note.html %}
""",
    "_posts/2016-02-01-release.markdown": """\
---
title: Release
date: 2016-02-01 10:00:00 +0200
category: releases
excerpt: A release.
---
Version 2 is out. {:toc}
""",
    "_drafts/plans.md": "---\ntitle: Plans\n---\nLater.\n",
}
HUGO = {
    "hugo.toml": 'baseURL = "https://blog.example.org/"\ntitle = "Hugo Blog"\n'
    '[permalinks]\nposts = "/:year/:month/:slug/"\n',
    "content/posts/plain.md": """\
---
title: Plain post
date: 2021-01-02
---

{{< highlight go >}}
func main() {}
{{< /highlight >}}

{{< tweet user="kyivindependent" id="1234567890" >}}

{{< figure src="/images/map.png" alt="A map of the port" caption="The port" >}}
""",
    "content/posts/later.md": """\
+++
title = "Later post"
date = 2021-02-03T10:00:00Z
categories = ["Investigations"]
tags = ["courts"]
aliases = ["/2021/old-later/"]
+++

Read [the plain one]({{< ref "plain.md" >}}).

{{< youtube dQw4w9WgXcQ >}}

{{< gallery dir="x" >}}
""",
    "content/posts/_index.md": "---\ntitle: Posts\n---\n",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (path → text or bytes) under `root`."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def story(site: Path, pattern: str) -> str:
    """The text of the one story matching `pattern` under content/articles/."""
    (path,) = site.glob(f"content/articles/{pattern}")
    return path.read_text(encoding="utf-8")


def test_jekyll_posts_build_with_aliases_and_links(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "jekyll", {**JEKYLL, "assets/photo.png": TINY_PNG})
    site = tmp_path / "site"
    result = run_import("jekyll", str(source), "--site", str(site))
    assert result.code == 0, result.err
    assert "Imported 3 posts, 1 authors, 1 images" in result.out
    narada = story(site, "2016/operatyvna-narada.md")
    assert narada.startswith(
        "---\ntitle: Оперативна нарада\nauthor: olena-kovalenko\ndate: 2016-01-18\n"
        "section: news\ntags: [kyiv, meeting]\nslug: operatyvna-narada\n"
        "aliases: [/news/kyiv/2016/01/18/operatyvna-narada/, /old/narada.html]\n---\n"
    )
    assert "```ruby\ndef hello; end\n```" in narada
    assert "[the release](/2016/02/01/release/)" in narada
    assert "![photo](/assets/photo.png)" in narada
    assert "draft: true" in story(site, "*/plans.md")
    report = (site / "import-report.md").read_text(encoding="utf-8")
    assert "- content/articles/2016/operatyvna-narada.md:21: no alt text: 'photo' used" in report
    assert "- content/articles/2016/operatyvna-narada.md:23: Liquid left as written" in report
    assert build(site).code == 0
    out = output_files(site / "output")
    assert b"/2016/01/18/operatyvna-narada/" in out["old/narada.html"]
    assert (
        b"/2016/01/18/operatyvna-narada/"
        in out["news/kyiv/2016/01/18/operatyvna-narada/index.html"]
    )
    checked = run_cli("check", "--site", str(site), "--clock", CLOCK)
    assert checked.code == 0, checked.out
    assert "foreign-markup: a Liquid tag is printed as text: {% include note.html %}" in checked.out


def test_hugo_content_builds_with_shortcodes_converted(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "hugo", {**HUGO, "static/images/map.png": TINY_PNG})
    site = tmp_path / "site"
    result = run_import("hugo", str(source), "--site", str(site))
    assert result.code == 0, result.err
    later = story(site, "2021/later.md")
    assert "aliases: [/2021/02/later/, /2021/old-later/]" in later
    assert "Read [the plain one](/2021/01/02/plain/)." in later
    assert "\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n" in later
    plain = story(site, "2021/plain.md")
    assert "date: 2021-01-02\n" in plain
    assert "```go\nfunc main() {}\n```" in plain
    assert "\n\nhttps://x.com/kyivindependent/status/1234567890\n\n" in plain
    assert '![A map of the port](/images/map.png "The port")' in plain
    report = (site / "import-report.md").read_text(encoding="utf-8")
    assert "- content/articles/2021/later.md:15: Hugo shortcode gallery left as written" in report
    assert "- content/posts/_index.md: a Hugo list page (_index): not imported" in report
    assert build(site).code == 0
    checked = run_cli("check", "--site", str(site), "--clock", CLOCK)
    assert checked.code == 0, checked.out


def test_hugo_bundle_becomes_a_story_folder(tmp_path: Path) -> None:
    bundle = {
        "content/posts/court-day/index.md": "---\ntitle: Court day\ndate: 2021-03-04\n---\n\n"
        '{{< figure src="photo.png" alt="A courtroom" caption="The court" >}}\n',
        "content/posts/court-day/photo.png": TINY_PNG,
    }
    source = write_tree(tmp_path / "hugo", {**HUGO, **bundle, "static/images/map.png": TINY_PNG})
    site = tmp_path / "site"
    assert run_import("hugo", str(source), "--site", str(site)).code == 0
    text = (site / "content/articles/court-day/index.md").read_text(encoding="utf-8")
    assert "slug: court-day\n" in text
    assert '![A courtroom](photo.png "The court")' in text
    assert (site / "content/articles/court-day/photo.png").read_bytes() == TINY_PNG
    built = build(site)
    assert built.code == 0, built.err
    assert "2021/03/04/court-day/index.html" in output_files(site / "output")


def test_second_tree_import_changes_nothing(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "jekyll", {**JEKYLL, "assets/photo.png": TINY_PNG})
    site = tmp_path / "site"
    run_import("jekyll", str(source), "--site", str(site))
    before = output_files(site)
    again = run_import("jekyll", str(source), "--site", str(site))
    assert "0 files written" in again.out
    assert output_files(site) == before
