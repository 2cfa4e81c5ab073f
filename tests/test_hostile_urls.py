"""Hostile URLs (issue "Hardening" items 12 and 15): typos in site.yaml's permalink, base_url
and publisher.logo and in --base-url; old addresses (aliases) no request can reach; and file
names with characters that mean something in a URL. Each a real site built as the CLI builds
it: the exact lines on stderr, the exit status, never a traceback, the output of the last
good build kept; and every link of a built site resolving to a file it wrote."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from tests.conftest import SITE_YAML, Run, article, build, make_site, output_files, png

CONFIG_LINE = {"base_url": 2, "logo": 8, "permalink": 15}  # in SITE_YAML (+ the added lines)


def fails_with(result: Run, *lines: str) -> None:
    """The build failed with exactly these problems, in this order, and nothing else."""
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    count = f"{len(lines)} error{'s' if len(lines) != 1 else ''}"
    assert result.err.splitlines() == [*lines, f"build failed: {count}; output left as it was"]


def after_good_build(tmp_path: Path, files: dict[str, str | bytes], *args: str) -> Run:
    """Build a valid site, lay `files` over it, build again with `args`: the output of the
    good build must be left as it was."""
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    assert build(site).code == 0
    before = output_files(site / "output")
    make_site(tmp_path, files)
    result = build(site, *args)
    assert output_files(site / "output") == before
    return result


def with_logo(logo: str) -> str:
    return SITE_YAML.replace("  name: Test Ledger\n", f"  name: Test Ledger\n  logo: {logo}\n")


# --- permalink ---------------------------------------------------------------------------

ONLY = "may hold only ASCII letters, digits, '-', '_', '.', '~' and '/' between its fields"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ('"/a}/{slug}/"', "has a '}' with no '{' before it, got '/a}/{slug}/'"),
        ('"/{year}/{slug/"', "has a '{' with no '}' after it, got '/{year}/{slug/'"),
        ('"/{{slug}}/"', "has a '{' inside a field, got '/{{slug}}/'"),
        ('"/a\\0/{slug}/"', "has a control character, got '/a\\x00/{slug}/'"),
        ('"/{year}/\\t/{slug}/"', "has a control character, got '/{year}/\\t/{slug}/'"),
        (
            '"/./{slug}/"',
            "has a '.' folder: each part between slashes is a name, got '/./{slug}/'",
        ),
        (
            '"/{year}/../{slug}/"',
            "has a '..' folder: each part between slashes is a name, got '/{year}/../{slug}/'",
        ),
        (
            '"/{year}//{slug}/"',
            "has an empty folder name ('//'): each part between slashes is a name, "
            "got '/{year}//{slug}/'",
        ),
        ('"/a b/{slug}/"', f"{ONLY}, got ' ' in '/a b/{{slug}}/'"),
        ('"/a#/{slug}/"', f"{ONLY}, got '#' in '/a#/{{slug}}/'"),
        ('"/a?x=1/{slug}/"', f"{ONLY}, got '?', '=' in '/a?x=1/{{slug}}/'"),
        ('"/%2e%2e/{slug}/"', f"{ONLY}, got '%' in '/%2e%2e/{{slug}}/'"),
        ("'/a\\b/{slug}/'", f"{ONLY}, got '\\' in '/a\\b/{{slug}}/'"),
        ('"/новини/{slug}/"', f"{ONLY}, got 'н', 'о', 'в', 'и' in '/новини/{{slug}}/'"),
    ],
    ids=[
        "close-brace",
        "open-brace",
        "double-braces",
        "nul",
        "tab",
        "dot",
        "dot-dot",
        "empty-name",
        "space",
        "hash",
        "query",
        "escape",
        "backslash",
        "non-ascii",
    ],
)
def test_a_permalink_that_is_not_a_plain_path_is_refused_at_its_line(
    tmp_path: Path, written: str, message: str
) -> None:
    result = after_good_build(tmp_path, {"site.yaml": SITE_YAML + f"permalink: {written}\n"})
    fails_with(result, f"site.yaml:{CONFIG_LINE['permalink']}: 'permalink' {message}")


def test_a_permalink_of_plain_names_and_fields_still_builds(tmp_path: Path) -> None:
    permalink = "/news/{section}/{year}-{month}/{slug}.v1~x_y/"
    site = make_site(
        tmp_path,
        {"site.yaml": SITE_YAML + f"permalink: {permalink}\n", "content/articles/a.md": article()},
    )
    result = build(site)
    assert result.code == 0, result.err
    assert (site / "output/news/diplomacy/2026-01/a.v1~x_y/index.html").is_file()


# --- base_url and --base-url ---------------------------------------------------------------

ENDS = "the site's address ends with its path, e.g. https://example.org/news/"
BAD_BASE_URLS = [
    ("https://[example.org/", "has a host that is not valid ('[' or ']' out of place), got '{}'"),
    ("https://example.org]/", "has a host that is not valid ('[' or ']' out of place), got '{}'"),
    ("https://example.org/#x", f"has a fragment '#x'; {ENDS}"),
    ("https://example.org/news/?a=b", f"has a query '?a=b'; {ENDS}"),
    ("https://example.org/?", f"has a query '?'; {ENDS}"),
    (
        "https://user:pass@example.org/",
        "has a user name or password before its host: every page would publish it",
    ),
    ("https://example.org:99999/", "has a port that is not a number from 0 to 65535, got '{}'"),
    (
        "https://example.org//evil.example/",
        "path must be folder names between single slashes (no '.', '..' or '//'), got '{}'",
    ),
    (
        "https://example.org/news/../",
        "path must be folder names between single slashes (no '.', '..' or '//'), got '{}'",
    ),
    (
        "https://example.org/my news/",
        "has a space or control character, got '{}' (a space in a path is written %20)",
    ),
    ("ftp://example.org/", "must be an absolute http(s) URL, got '{}'"),
    ("https://:8080/", "must be an absolute http(s) URL, got '{}'"),
]
BASE_URL_IDS = [
    "open-bracket",
    "close-bracket",
    "fragment",
    "query",
    "empty-query",
    "credentials",
    "port",
    "double-slash",
    "dot-dot",
    "space",
    "ftp",
    "no-host",
]


@pytest.mark.parametrize(("url", "message"), BAD_BASE_URLS, ids=BASE_URL_IDS)
def test_a_base_url_that_is_not_just_where_the_site_is_is_refused_at_its_line(
    tmp_path: Path, url: str, message: str
) -> None:
    text = SITE_YAML.replace("base_url: https://example.org/", f'base_url: "{url}"')
    result = after_good_build(tmp_path, {"site.yaml": text})
    fails_with(result, f"site.yaml:{CONFIG_LINE['base_url']}: 'base_url' {message.format(url)}")


@pytest.mark.parametrize(("url", "message"), BAD_BASE_URLS, ids=BASE_URL_IDS)
def test_a_bad_base_url_on_the_command_line_is_named_as_the_command_lines(
    tmp_path: Path, url: str, message: str
) -> None:
    result = after_good_build(tmp_path, {}, "--base-url", url)
    fails_with(result, f"--base-url: {message.format(url)}")


def test_a_control_character_in_base_url_is_shown_escaped(tmp_path: Path) -> None:
    text = SITE_YAML.replace(
        "base_url: https://example.org/", 'base_url: "https://exa\\0mple.org/"'
    )
    result = after_good_build(tmp_path, {"site.yaml": text})
    fails_with(
        result,
        "site.yaml:2: 'base_url' has a space or control character, got "
        "'https://exa\\x00mple.org/' (a space in a path is written %20)",
    )


def test_a_good_base_url_on_the_command_line_is_used(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    result = build(site, "--base-url", "https://preview.example.net/news")
    assert result.code == 0, result.err
    page = (site / "output/2026/01/06/a/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://preview.example.net/news/2026/01/06/a/">' in page


def test_a_source_url_with_an_unbalanced_bracket_is_a_located_error(tmp_path: Path) -> None:
    extra = "sources:\n  - name: Agency\n    url: http://[example.org/\n"
    result = after_good_build(tmp_path, {"content/articles/a.md": article(extra=extra)})
    fails_with(
        result,
        "content/articles/a.md:8: source url must be an http(s) address, got 'http://[example.org/'",
    )


# --- publisher.logo ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "logo",
    [
        "../site.yaml",
        "images/../../site.yaml",
        "/etc/passwd",
        "/images/photo.png",
        "./images/photo.png",
        "images//photo.png",
        "images\\photo.png",
    ],
)
def test_a_logo_that_is_not_a_plain_path_under_content_is_refused(
    tmp_path: Path, logo: str
) -> None:
    result = after_good_build(tmp_path, {"site.yaml": with_logo(f"'{logo}'")})
    fails_with(
        result,
        f"site.yaml:{CONFIG_LINE['logo']}: 'publisher.logo' must be a path under content/ "
        f"such as images/logo.png, got '{logo}'",
    )


def test_a_logo_that_links_out_of_content_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    assert build(site).code == 0
    before = output_files(site / "output")
    (site / "content/images/logo.png").symlink_to("../../site.yaml")
    (site / "site.yaml").write_text(with_logo("images/logo.png"), encoding="utf-8")
    result = build(site)
    assert output_files(site / "output") == before
    fails_with(
        result,
        "site.yaml:8: 'publisher.logo' images/logo.png is a link to outside content/",
    )


def test_a_logo_under_content_is_published(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {"site.yaml": with_logo("images/photo.png"), "content/articles/a.md": article()},
    )
    result = build(site)
    assert result.code == 0, result.err
    assert (site / "output/images/photo.png").is_file()


# --- aliases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "/old/?x=1",
            "alias '/old/?x=1' has a query string, which no file can answer; set host: netlify, "
            "nginx or apache in site.yaml to redirect it, or remove the alias",
        ),
        ("/old#x/", "alias '/old#x/' has a fragment; an old address is a path"),
        ("/old/?a#b", "alias '/old/?a#b' has a fragment; an old address is a path"),
        ("/old#a?b", "alias '/old#a?b' has a fragment; an old address is a path"),
        (
            "/%2e%2e/x/",
            "alias '/%2e%2e/x/' has '%2e%2e', an escaped '..'; no request reaches it as a path",
        ),
        ("/a/%2E/", "alias '/a/%2E/' has '%2E', an escaped '.'; no request reaches it as a path"),
        (
            "/%2F/x/",
            "alias '/%2F/x/' has '%2F', an escaped '/'; an old address is a path with plain '/'",
        ),
        (
            "/a%2fb/",
            "alias '/a%2fb/' has 'a%2fb', an escaped '/'; an old address is a path with plain '/'",
        ),
        ("/a%00/", "alias '/a%00/' has 'a%00', an escaped control character or backslash"),
        ("/a%5Cb/", "alias '/a%5Cb/' has 'a%5Cb', an escaped control character or backslash"),
        ("/100%/", "alias '/100%/' has a '%' that is not an escape such as %20"),
        ("/%FF/", "alias '/%FF/' has %-escapes that are not UTF-8 text"),
        ("/a\\b/", "alias '/a\\b/' has a backslash; folders are separated by '/'"),
    ],
)
def test_an_alias_no_request_can_reach_is_refused_at_its_line(
    tmp_path: Path, written: str, message: str
) -> None:
    quoted = "'" + written.replace("'", "''") + "'"
    extra = f"aliases:\n  - /fine/\n  - {quoted}\n"
    result = after_good_build(tmp_path, {"content/articles/a.md": article(extra=extra)})
    fails_with(result, f"content/articles/a.md:8: {message}")


def test_an_alias_with_a_control_character_is_shown_escaped(tmp_path: Path) -> None:
    extra = 'aliases:\n  - "/old\\tstory/"\n'
    result = after_good_build(tmp_path, {"content/articles/a.md": article(extra=extra)})
    fails_with(
        result,
        "content/articles/a.md:7: alias '/old\\tstory/' has a control character; "
        "an old address is a path",
    )


def test_the_briefs_example_is_refused_at_line_7(tmp_path: Path) -> None:
    extra = "aliases:\n  - /old/?x=1\n"
    result = after_good_build(tmp_path, {"content/articles/a.md": article(extra=extra)})
    fails_with(
        result,
        "content/articles/a.md:7: alias '/old/?x=1' has a query string, which no file can "
        "answer; set host: netlify, nginx or apache in site.yaml to redirect it, or remove the "
        "alias",
    )


def test_an_escaped_alias_is_written_where_its_address_leads(tmp_path: Path) -> None:
    """A server decodes %-escapes before it looks for the file: /caf%C3%A9/ is café/."""
    extra = "aliases:\n  - /caf%C3%A9/\n  - /old%20story/\n  - /старі новини/\n"
    site = make_site(tmp_path, {"content/articles/a.md": article(extra=extra)})
    result = build(site)
    assert result.code == 0, result.err
    out = site / "output"
    for address in ("/caf%C3%A9/", "/old%20story/", "/старі%20новини/"):
        redirect = out / unquote(address).strip("/") / "index.html"
        assert redirect.is_file(), address
        assert "/2026/01/06/a/" in redirect.read_text(encoding="utf-8")
    assert not (out / "caf%C3%A9").exists()


# --- file names with characters that mean something in a URL -------------------------------

NAMES = ["c#d.png", "e?f.png", "g%20h.png", "a b.png", "ї.png"]
ENCODED = ["c%23d.png", "e%3Ff.png", "g%2520h.png", "a%20b.png", "%D1%97.png"]


def markdown_source(name: str, engine: str) -> str:
    """How an author writes the image `images/NAME` in a body for `engine`. CommonMark reads
    a link's destination as a URL (cmark decodes its escapes): a literal '%' is %25, and a
    space needs <…>. Python-Markdown takes the text as written."""
    if engine == "cmark":
        name = name.replace("%", "%25")
    return f"<images/{name}>" if " " in name else f"images/{name}"


def site_urls(page: Path) -> list[str]:
    """Every src, srcset candidate and href of a page (srcset candidates checked for shape)."""
    tree = lxml.html.fromstring(page.read_bytes())
    urls: list[str] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("src", "href"):
            value = element.get(name)
            if value:
                urls.append(value)
        for candidate in (element.get("srcset") or "").split(","):
            if candidate.strip():
                url, width = candidate.split()  # exactly "URL 480w": a space would split it
                assert width.endswith("w") and width[:-1].isdigit(), candidate
                urls.append(url)
    return urls


@pytest.mark.parametrize("engine", ["markdown", "cmark"])
@pytest.mark.parametrize("base", ["", "https://example.org/news/"])
def test_every_link_to_a_file_with_a_url_character_in_its_name_resolves(
    tmp_path: Path, engine: str, base: str
) -> None:
    body = "Pictures.\n\n" + "\n\n".join(
        f"![Picture {i}]({markdown_source(name, engine)})" for i, name in enumerate(NAMES)
    )
    files: dict[str, str | bytes] = {f"content/images/{name}": png(40, 30) for name in NAMES}
    files["site.yaml"] = SITE_YAML + f"image_widths: [16, 32]\nmarkdown:\n  engine: {engine}\n"
    files["content/articles/body.md"] = article("Body", body=body + "\n")
    for i, name in enumerate(NAMES):  # each also a lead image
        extra = f"image:\n  src: 'images/{name}'\n  alt: Picture\n  credit: Agency\n"
        files[f"content/articles/lead-{i}.md"] = article(f"Lead {i}", extra=extra)
    site = make_site(tmp_path, files)
    result = build(site, *(["--base-url", base] if base else []))
    assert result.code == 0, result.err
    out = site / "output"
    base_path = urlsplit(base).path or "/"
    for name in NAMES:  # each file keeps its name
        assert (out / "images" / name).is_file()
    checked = missing = 0
    seen: set[str] = set()
    for page in sorted(out.rglob("*.html")):
        for url in site_urls(page):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path.startswith(base_path):
                continue
            seen.add(parts.path)
            target = out / unquote(parts.path[len(base_path) :])
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file():
                missing += 1
                print(f"{page.relative_to(out)}: {url} is no file")
    assert missing == 0
    assert checked > 100
    for encoded in ENCODED:  # the lead and body pictures were among the links checked
        stem = encoded.replace(".", "-")  # resized copies keep the extension in their names
        assert f"{base_path}images/{encoded}" in seen
        assert f"{base_path}images/{stem}-16.webp" in seen
    body_page = (out / "2026/01/06/body/index.html").read_text(encoding="utf-8")
    for encoded in ENCODED:
        assert f'src="{base_path}images/{encoded.rsplit(".", 1)[0]}' in body_page


def test_image_urls_in_feeds_and_metadata_are_encoded_too(tmp_path: Path) -> None:
    extra = "image:\n  src: 'images/c#d.png'\n  alt: Picture\n  credit: Agency\n"
    site = make_site(
        tmp_path,
        {"content/images/c#d.png": png(40, 30), "content/articles/a.md": article(extra=extra)},
    )
    assert build(site).code == 0
    out = site / "output"
    page = (out / "2026/01/06/a/index.html").read_text(encoding="utf-8")
    assert 'content="https://example.org/images/c%23d.png"' in page  # og:image
    assert '"url":"https://example.org/images/c%23d.png"' in page  # JSON-LD
    assert 'url="https://example.org/images/c%23d.png"' in (out / "rss.xml").read_text()
    assert 'href="https://example.org/images/c%23d.png"' in (out / "feed.xml").read_text()
    assert "images/c#d.png" not in (out / "feed.json").read_text()
