"""Host-ready output (`host:` and `compress:` in site.yaml): each host's redirect and header
files byte for byte, query aliases and their errors, the Content-Security-Policy, the .gz and
.br copies, and the warnings when a build passes a host's limits."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import brotli
import pytest

from gen.config import BuildOptions
from gen.outputs import limits
from gen.outputs.csp import ALIGN_STYLES
from gen.outputs.limits import HostLimits
from gen.pages.theme import DEFAULT_THEME_DIR
from gen.pipeline import Session
from gen.pipeline import build as build_site
from gen.publish.headers import CACHE_PAGE, cache_control
from tests.conftest import CLOCK, REPO, SITE_YAML, article, build, make_site, output_files

ARTICLE = "content/articles/a.md"
TARGET = "/news/2026/01/06/a/"
PATH_ALIASES = "/2025/old-story/, /Old-Story.html"
QUERY_ALIASES = "'/?p=1164', '/index.php?p=7&lang=en'"
HEADERS = (
    "  X-Content-Type-Options: nosniff\n"
    "  Referrer-Policy: strict-origin-when-cross-origin\n"
    "  Permissions-Policy: camera=(), microphone=(), geolocation=()\n"
)
CACHING = """\
# Caching: files not listed get the host's own, public, max-age=0, must-revalidate.
/news/images/*
  Cache-Control: public, max-age=3600
/news/static/*
  Cache-Control: public, max-age=3600
/news/pagefind/:part/filter/*
  Cache-Control: public, max-age=31536000, immutable
/news/pagefind/:part/fragment/*
  Cache-Control: public, max-age=31536000, immutable
/news/pagefind/:part/index/*
  Cache-Control: public, max-age=31536000, immutable
"""


def made_by(host: str) -> str:
    return f"# Made by Dateline on every build (host: {host} in site.yaml): edits here are lost.\n"


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def expected_csp(search: bool = True, images: str = "") -> str:
    """The policy for the default theme, its hashes computed here from the theme's files."""
    lite = (DEFAULT_THEME_DIR / "templates/lite/base.html").read_text(encoding="utf-8")
    (lite_style,) = re.findall(r"<style>(.*?)</style>", lite, re.S)
    hashes = " ".join(sorted(sha(text) for text in (lite_style, *ALIGN_STYLES)))
    wasm = " 'wasm-unsafe-eval'" if search else ""
    return (
        f"default-src 'self'; script-src 'self'{wasm}; "
        f"style-src 'self' 'unsafe-hashes' {hashes}; img-src 'self' data:{images}; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )


def site_for(tmp_path: Path, host: str, aliases: str = "", extra: str = "") -> Path:
    """A site published under https://example.org/news/ for `host`, its article's aliases."""
    config = SITE_YAML.replace("https://example.org/", "https://example.org/news/")
    config += f"host: {host}\n" if host else ""
    front = f"aliases: [{aliases}]\n" if aliases else ""
    body = "A photo.\n\n![A grey square](images/photo.png)\n"  # published: the story shows it
    return make_site(
        tmp_path, {"site.yaml": config + extra, ARTICLE: article(extra=front, body=body)}
    )


def built(site: Path, *args: str) -> Path:
    result = build(site, *args)
    assert result.code == 0, result.err
    return site / "output"


def text(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


# --- Each host's files -----------------------------------------------------------------


def test_netlify_redirects_by_path_and_query_under_the_base_path(tmp_path: Path) -> None:
    out = built(site_for(tmp_path, "netlify", f"{PATH_ALIASES}, {QUERY_ALIASES}"))
    assert text(out, "_redirects") == made_by("netlify") + (
        "# Old addresses (aliases) → articles.\n"
        f"/news/ p=1164 {TARGET} 301!\n"
        f"/news/index.php p=7 lang=en {TARGET} 301!\n"
        f"/news/2025/old-story/ {TARGET} 301!\n"
        f"/news/Old-Story.html {TARGET} 301!\n"
    )
    assert text(out, "_headers") == made_by("netlify") + (
        f"/news/*\n  Content-Security-Policy: {expected_csp()}\n{HEADERS}{CACHING}"
    )
    # The meta-refresh pages stay for the path aliases (a server not yet set up), and no
    # file or folder is ever named for a query.
    assert (out / "2025/old-story/index.html").is_file()
    assert (out / "Old-Story.html").is_file()
    assert not [path for path in output_files(out) if "?" in path or "index.php" in path]


def test_cloudflare_redirects_and_headers(tmp_path: Path) -> None:
    out = built(site_for(tmp_path, "cloudflare", PATH_ALIASES))
    assert text(out, "_redirects") == made_by("cloudflare") + (
        "# Old addresses (aliases) → articles.\n"
        f"/news/2025/old-story/ {TARGET} 301\n"
        f"/news/Old-Story.html {TARGET} 301\n"
    )
    assert text(out, "_headers") == made_by("cloudflare") + (
        f"/news/*\n  Content-Security-Policy: {expected_csp()}\n{HEADERS}{CACHING}"
    )


def test_nginx_maps_and_server_snippet(tmp_path: Path) -> None:
    out = built(site_for(tmp_path, "nginx", f"{PATH_ALIASES}, {QUERY_ALIASES}"))
    assert text(out, "dateline-redirects.conf") == made_by("nginx") + (
        "# Redirects for https://example.org/news/. Use both files, with their full paths:\n"
        "#   http {\n"
        "#       include /srv/site/output/dateline-redirects.conf;\n"
        "#       server { ...; include /srv/site/output/dateline-headers.conf; }\n"
        "#   }\n"
        "# and reload nginx after a build that changed either (nginx -s reload).\n"
        "map $uri $dateline_path_redirect {\n"
        '    default "";\n'
        f'    "/news/2025/old-story/" "{TARGET}";\n'
        f'    "/news/2025/old-story" "{TARGET}";\n'
        # nginx matches strings ignoring case: a capital makes it a regular expression.
        f'    "~^/news/Old-Story\\.html$" "{TARGET}";\n'
        "}\n"
        'map "$uri?$args" $dateline_redirect {\n'
        "    default $dateline_path_redirect;\n"
        f'    "~^/news/\\?(?=(?:.*&)?p=1164(?:&|$))" "{TARGET}";\n'
        '    "~^/news/index\\.php\\?(?=(?:.*&)?p=7(?:&|$))(?=(?:.*&)?lang=en(?:&|$))" '
        f'"{TARGET}";\n'
        "}\n"
    )
    immutable = "public, max-age=31536000, immutable"
    assert text(out, "dateline-headers.conf") == made_by("nginx") + (
        "# Headers and redirects for https://example.org/news/, inside its server block (see\n"
        "# dateline-redirects.conf). An add_header in a location replaces all of these there.\n"
        "if ($dateline_redirect) {\n"
        "    return 301 $dateline_redirect;\n"
        "}\n"
        'set $dateline_cache "public, max-age=300, must-revalidate";\n'
        'if ($uri ~ "^/news/images/.*$") {\n'
        '    set $dateline_cache "public, max-age=3600";\n'
        "}\n"
        'if ($uri ~ "^/news/static/.*$") {\n'
        '    set $dateline_cache "public, max-age=3600";\n'
        "}\n"
        'if ($uri ~ "^/news/pagefind/[^/]+/filter/.*$") {\n'
        f'    set $dateline_cache "{immutable}";\n'
        "}\n"
        'if ($uri ~ "^/news/pagefind/[^/]+/fragment/.*$") {\n'
        f'    set $dateline_cache "{immutable}";\n'
        "}\n"
        'if ($uri ~ "^/news/pagefind/[^/]+/index/.*$") {\n'
        f'    set $dateline_cache "{immutable}";\n'
        "}\n"
        "add_header Cache-Control $dateline_cache always;\n"
        f'add_header Content-Security-Policy "{expected_csp()}" always;\n'
        'add_header X-Content-Type-Options "nosniff" always;\n'
        'add_header Referrer-Policy "strict-origin-when-cross-origin" always;\n'
        'add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;\n'
    )


def test_apache_htaccess(tmp_path: Path) -> None:
    out = built(site_for(tmp_path, "apache", f"{PATH_ALIASES}, {QUERY_ALIASES}"))
    immutable = "public, max-age=31536000, immutable"
    assert text(out, ".htaccess") == made_by("apache") + (
        "# Redirects and headers for https://example.org/news/: Apache reads them where "
        "AllowOverride\n"
        "# allows FileInfo and mod_headers is on (a2enmod headers).\n"
        f'RedirectMatch 301 "^/news/2025/old-story/?$" "{TARGET}"\n'
        f'RedirectMatch 301 "^/news/Old-Story\\.html$" "{TARGET}"\n'
        "<IfModule mod_rewrite.c>\n"
        "RewriteEngine On\n"
        'RewriteCond %{REQUEST_URI} "^/news/$"\n'
        'RewriteCond %{QUERY_STRING} "(?:^|&)p=1164(?:&|$)"\n'
        f'RewriteRule ^ "{TARGET}" [R=301,L,QSD]\n'
        'RewriteCond %{REQUEST_URI} "^/news/index\\.php$"\n'
        'RewriteCond %{QUERY_STRING} "(?:^|&)p=7(?:&|$)"\n'
        'RewriteCond %{QUERY_STRING} "(?:^|&)lang=en(?:&|$)"\n'
        f'RewriteRule ^ "{TARGET}" [R=301,L,QSD]\n'
        "</IfModule>\n"
        "<IfModule mod_headers.c>\n"
        f'Header always set Content-Security-Policy "{expected_csp()}"\n'
        'Header always set X-Content-Type-Options "nosniff"\n'
        'Header always set Referrer-Policy "strict-origin-when-cross-origin"\n'
        'Header always set Permissions-Policy "camera=(), microphone=(), geolocation=()"\n'
        'Header set Cache-Control "public, max-age=300, must-revalidate"\n'
        '<If "%{REQUEST_URI} =~ m#^/news/images/.*$#">\n'
        'Header set Cache-Control "public, max-age=3600"\n'
        "</If>\n"
        '<If "%{REQUEST_URI} =~ m#^/news/static/.*$#">\n'
        'Header set Cache-Control "public, max-age=3600"\n'
        "</If>\n"
        '<If "%{REQUEST_URI} =~ m#^/news/pagefind/[^/]+/filter/.*$#">\n'
        f'Header set Cache-Control "{immutable}"\n'
        "</If>\n"
        '<If "%{REQUEST_URI} =~ m#^/news/pagefind/[^/]+/fragment/.*$#">\n'
        f'Header set Cache-Control "{immutable}"\n'
        "</If>\n"
        '<If "%{REQUEST_URI} =~ m#^/news/pagefind/[^/]+/index/.*$#">\n'
        f'Header set Cache-Control "{immutable}"\n'
        "</If>\n"
        "</IfModule>\n"
    )


def test_compressed_copies_are_served_by_nginx_and_apache(tmp_path: Path) -> None:
    nginx = built(site_for(tmp_path / "nginx", "nginx", extra="compress: true\n"))
    assert text(nginx, "dateline-headers.conf").endswith(
        'add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;\n'
        "# compress: true: the .gz beside a file, for a browser that takes gzip (ngx_brotli's\n"
        "# brotli_static on; would serve the .br files).\n"
        "gzip_static on;\n"
        "gzip_vary on;\n"
    )
    apache = built(site_for(tmp_path / "apache", "apache", extra="compress: true\n"))
    types = "html|css|js|xml|json|txt|svg"
    assert text(apache, ".htaccess").endswith(
        "</IfModule>\n"
        "# compress: true: the .br or .gz copy of a file, for a browser that takes it.\n"
        "<IfModule mod_rewrite.c>\n"
        "RewriteEngine On\n"
        'RewriteBase "/news/"\n'
        "RewriteCond %{HTTP:Accept-Encoding} \\bbr\\b\n"
        "RewriteCond %{REQUEST_FILENAME} -d\n"
        "RewriteCond %{REQUEST_FILENAME}/index.html.br -f\n"
        "RewriteRule ^(.*/)?$ $1index.html.br [L]\n"
        "RewriteCond %{HTTP:Accept-Encoding} \\bbr\\b\n"
        "RewriteCond %{REQUEST_FILENAME}.br -f\n"
        f"RewriteRule ^(.+\\.(?:{types}))$ $1.br [L]\n"
        "RewriteCond %{HTTP:Accept-Encoding} \\bgzip\\b\n"
        "RewriteCond %{REQUEST_FILENAME} -d\n"
        "RewriteCond %{REQUEST_FILENAME}/index.html.gz -f\n"
        "RewriteRule ^(.*/)?$ $1index.html.gz [L]\n"
        "RewriteCond %{HTTP:Accept-Encoding} \\bgzip\\b\n"
        "RewriteCond %{REQUEST_FILENAME}.gz -f\n"
        f"RewriteRule ^(.+\\.(?:{types}))$ $1.gz [L]\n"
        "</IfModule>\n"
        "<IfModule mod_mime.c>\n"
        "RemoveType .br .gz\n"
        "AddEncoding br .br\n"
        "AddEncoding gzip .gz\n"
        "</IfModule>\n"
        "<IfModule mod_headers.c>\n"
        f'<FilesMatch "\\.(?:{types})(?:\\.br|\\.gz)?$">\n'
        "Header append Vary Accept-Encoding\n"
        "</FilesMatch>\n"
        "</IfModule>\n"
    )


@pytest.mark.parametrize("host", ["", "github", "gitlab", "s3"])
def test_hosts_without_redirect_files_keep_the_meta_refresh_pages(
    tmp_path: Path, host: str
) -> None:
    out = built(site_for(tmp_path, host, PATH_ALIASES))
    assert (out / "2025/old-story/index.html").is_file()
    host_files = {"_redirects", "_headers", ".htaccess", "dateline-redirects.conf"}
    assert not host_files & {p.name for p in out.iterdir()}


def test_a_warm_build_keeps_the_host_files_and_writes_nothing(tmp_path: Path) -> None:
    site = site_for(tmp_path, "netlify", PATH_ALIASES, extra="compress: true\n")
    out = built(site)
    before = {name: (out / name).stat().st_mtime_ns for name in ("_redirects", "_headers")}
    result = build(site)
    assert result.code == 0, result.err
    assert "0 files written" in result.out, result.out
    assert {name: (out / name).stat().st_mtime_ns for name in before} == before


def test_a_content_file_where_a_host_file_goes_is_an_error(tmp_path: Path) -> None:
    site = site_for(tmp_path, "netlify", extra="")
    (site / "content/_headers").write_text("/*\n  X-Mine: yes\n", encoding="utf-8")
    result = build(site)
    assert result.code == 1
    assert "site.yaml: two pages or files would be written to _headers" in result.err


# --- Query aliases ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "message"),
    [
        (
            "",
            "alias '/?p=1164' has a query string, which no file can answer; set host: "
            "netlify, nginx or apache in site.yaml to redirect it, or remove the alias",
        ),
        *(
            (
                host,
                f"alias '/?p=1164' has a query string, which host '{host}' cannot redirect "
                "and no file can answer; only netlify, nginx and apache redirect by query",
            )
            for host in ("github", "gitlab", "s3", "cloudflare")
        ),
    ],
)
def test_a_query_alias_the_host_cannot_redirect_is_an_error_at_its_line(
    tmp_path: Path, host: str, message: str
) -> None:
    site = site_for(tmp_path, host, "/2025/old-story/, '/?p=1164'")
    (site / "content/articles/b.md").write_text(
        article("Second", extra="aliases:\n  - /old/\n  - /?p=1164\n"), encoding="utf-8"
    )
    result = build(site)
    assert result.code == 1
    assert [line for line in result.err.splitlines() if "alias" in line] == [
        f"{ARTICLE}:6: {message}",
        f"content/articles/b.md:8: {message}",
    ]
    assert not (site / "output").exists()


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (
            "/?p=1 2",
            "has a query string that is not name=value pairs of letters, digits and - _ . ~ "
            "(e.g. /?p=1164)",
        ),
        (
            "/?p",
            "has a query string that is not name=value pairs of letters, digits and - _ . ~ "
            "(e.g. /?p=1164)",
        ),
        ("/?p=1&x=2&p=3", "has a query string that names 'p' twice"),
        ("/?p=1#top", "has a fragment; an old address is a path"),
    ],
)
def test_a_query_a_host_could_not_match_exactly_is_refused(
    tmp_path: Path, written: str, problem: str
) -> None:
    result = build(site_for(tmp_path, "nginx", f"'{written}'"))
    assert result.code == 1
    assert f"{ARTICLE}:6: alias '{written}' {problem}" in result.err.splitlines()


def test_two_articles_with_one_query_alias_is_an_error(tmp_path: Path) -> None:
    site = site_for(tmp_path, "netlify", "'/?p=1164'")
    (site / "content/articles/b.md").write_text(
        article("Second", extra="aliases: ['/?p=1164']\n"), encoding="utf-8"
    )
    result = build(site)
    assert result.code == 1
    assert "alias /?p=1164 is already the URL of" in result.err


# --- The Content-Security-Policy ---------------------------------------------------------


def test_the_policy_allows_pagefind_only_with_search_and_stories_images_from_elsewhere(
    tmp_path: Path,
) -> None:
    body = (
        "A photograph:\n\n"
        '<img src="https://images.example.net/a.jpg" alt="A harbour" '
        'srcset="https://cdn.example.com:8443/a.jpg 2x">\n'
    )
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE_YAML + "host: cloudflare\nsearch: false\n",
            ARTICLE: article(body=body),
        },
    )
    out = built(site)
    images = " https://cdn.example.com:8443 https://images.example.net"
    policy = expected_csp(search=False, images=images)
    assert f"  Content-Security-Policy: {policy}\n" in text(out, "_headers")


def test_a_themes_inline_code_is_hashed_or_reported_at_its_line(tmp_path: Path) -> None:
    base = (DEFAULT_THEME_DIR / "templates/base.html").read_text(encoding="utf-8")
    mine = base.replace(
        "</head>",
        "<script>document.documentElement.className = 'js';</script>\n"
        "<script>var page = {{ page.title|tojson }};</script>\n"
        "</head>",
    ).replace('<main id="main"', '<main onclick="go()" style="color: red" id="main"')
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE_YAML + "host: netlify\ntheme: mine\n",
            ARTICLE: article(),
            "themes/mine/templates/base.html": mine,
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    line = mine[: mine.index("var page")].count("\n") + 1
    main = mine[: mine.index("<main onclick")].count("\n") + 1
    assert [w for w in result.err.splitlines() if w.startswith("themes/")] == [
        f"themes/mine/templates/base.html:{line}: an inline <script> whose text varies with "
        "the page cannot be allowed by the Content-Security-Policy; move it to a file under "
        "static/ (warning)",
        f"themes/mine/templates/base.html:{main}: an onclick attribute is inline script, which "
        "the Content-Security-Policy blocks; move it to a file under static/ (warning)",
    ]
    headers = text(site / "output", "_headers")
    assert sha("document.documentElement.className = 'js';") in headers  # script-src
    assert sha("color: red") in headers  # style-src, as an attribute ('unsafe-hashes')


# --- Compressed copies -------------------------------------------------------------------


def test_compressed_copies_are_deterministic_and_decompress_to_the_file(tmp_path: Path) -> None:
    site = site_for(tmp_path, "nginx", PATH_ALIASES, extra="compress: true\n")
    for name in ("one", "two"):
        assert build(site, "--output", str(tmp_path / name)).code == 0
    one, two = output_files(tmp_path / "one"), output_files(tmp_path / "two")
    assert one == two
    copies = sorted(p for p in one if p.endswith((".gz", ".br")))
    assert "index.html.gz" in copies and "index.html.br" in copies
    assert "static/style.css.br" in copies
    assert any(p.startswith("pagefind/") for p in copies)  # the search code's too
    for path in copies:
        original = one[path[:-3]]
        unpack = gzip.decompress if path.endswith(".gz") else brotli.decompress
        assert unpack(one[path]) == original, path
        assert len(one[path]) < len(original)
    # Small files and files that do not shrink are sent as they are.
    assert "robots.txt.gz" not in one and "images/photo.png.gz" not in one
    for path, data in one.items():
        if (
            path.endswith((".html", ".css", ".js", ".xml", ".json", ".txt", ".svg"))
            and path[0] != "."
        ):
            assert (f"{path}.gz" in one) == (len(data) >= 1024), path
    assert '"index.html.br": ' in one[".dateline-manifest.json"].decode()


def test_copies_follow_their_file_and_go_when_compress_is_turned_off(tmp_path: Path) -> None:
    site = site_for(tmp_path, "", extra="compress: true\n")
    out = built(site)
    page = out / "2026/01/06/a/index.html"
    (site / ARTICLE).write_text(article(body="A new first paragraph.\n" * 60), encoding="utf-8")
    built(site)
    assert gzip.decompress((out / "2026/01/06/a/index.html.gz").read_bytes()) == page.read_bytes()
    assert brotli.decompress((out / "2026/01/06/a/index.html.br").read_bytes()) == page.read_bytes()
    (site / "site.yaml").write_text(
        (site / "site.yaml")
        .read_text(encoding="utf-8")
        .replace("compress: true", "compress: false"),
        encoding="utf-8",
    )
    built(site)
    assert not [p for p in output_files(out) if p.endswith((".gz", ".br"))]


def test_a_partial_save_rewrites_its_pages_copies_and_keeps_the_host_files(
    tmp_path: Path,
) -> None:
    site = site_for(tmp_path, "netlify", PATH_ALIASES, extra="compress: true\nsearch: false\n")
    out = tmp_path / "out"
    options = BuildOptions(
        site_dir=site,
        output_dir=out,
        now=datetime.fromisoformat(CLOCK),
        cache_dir=site / ".cache",
        jobs=1,
        checks=False,
    )

    def write(body: str) -> None:
        front = f"aliases: [{PATH_ALIASES}]\n"
        (site / ARTICLE).write_text(article(extra=front, body=body), encoding="utf-8")

    def save(body: str) -> bool:
        write(body)
        return build_site(options, session=session, changed=frozenset({ARTICLE})).partial

    session = Session()
    write("First words.\n" * 100)
    build_site(options, session=session)
    host = {name: (out / name).read_bytes() for name in ("_redirects", "_headers")}
    assert save("Edited words.\n" * 100)
    page = (out / "2026/01/06/a/index.html").read_bytes()
    assert b"Edited words." in page
    assert gzip.decompress((out / "2026/01/06/a/index.html.gz").read_bytes()) == page
    assert {name: (out / name).read_bytes() for name in host} == host
    # Feeds that shrink below 1 KB lose their copies: the set of files changes, so the save
    # redoes everything, and no copy outlives its file's bytes.
    assert not save("Short.\n")
    files = output_files(out)
    copies = [path for path in files if path.endswith(".gz")]
    assert "feed.json.gz" not in copies and copies
    for path in copies:
        assert gzip.decompress(files[path]) == files[path[:-3]], path
    assert {name: files[name] for name in host} == host


def test_a_published_file_where_a_copy_goes_is_an_error(tmp_path: Path) -> None:
    site = site_for(tmp_path, "", extra="compress: true\n")
    (site / "content/notes.txt").write_text("Notes.\n" * 200, encoding="utf-8")
    (site / "content/notes.txt.gz").write_bytes(gzip.compress(b"Mine.", mtime=0))
    result = build(site)
    assert result.code == 1
    assert "notes.txt.gz: two pages or files would be written to notes.txt.gz" in result.err
    assert not (site / "output").exists()


def test_compress_without_brotli_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_for(tmp_path, "", extra="compress: true\n")
    monkeypatch.setitem(sys.modules, "brotli", None)  # import brotli raises ImportError
    result = build(site)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "site.yaml: compress: true needs brotli: pip install 'dateline[compress]'"
    )
    assert not (site / "output").exists()


# --- Caching and limits ----------------------------------------------------------------


def test_the_cache_rules_give_each_file_of_the_sample_its_policy(tmp_path: Path) -> None:
    """Every file the sample publishes (its search index included) gets, by the first rule
    of _headers that matches it, gen.publish.headers' Cache-Control; a file no rule matches
    is a page's. Only Pagefind's small .pf_meta files are revalidated instead of kept."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.yaml").write_text(
        (REPO / "site.yaml").read_text(encoding="utf-8") + "host: netlify\n", encoding="utf-8"
    )
    shutil.copytree(REPO / "content", site / "content")
    out = built(site)
    rules = re.findall(r"^(/\S*)\n  Cache-Control: (.*)$", text(out, "_headers"), re.M)
    patterns = [
        (re.compile("^" + re.sub(r"\\\*", ".*", re.escape(p)).replace(":part", "[^/]+") + "$"), c)
        for p, c in rules
    ]
    wrong = {}
    for path in output_files(out):
        if path in ("_headers", "_redirects", ".dateline-manifest.json"):
            continue
        url = "/" + (path[: -len("index.html")] if path.endswith("index.html") else path)
        matched = [policy for pattern, policy in patterns if pattern.match(url)]
        assert len(matched) <= 1, (path, matched)  # a host would join two values
        got = matched[0] if matched else CACHE_PAGE
        if got != cache_control(path):
            wrong[path] = got
    assert wrong and all(path.endswith(".pf_meta") for path in wrong), wrong


def test_a_build_past_the_hosts_limits_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = HostLimits("Cloudflare Pages", files=10, file_size=2000, redirects=1)
    monkeypatch.setitem(limits.HOST_LIMITS, "cloudflare", small)  # hosting's too: one dict
    site = site_for(tmp_path, "cloudflare", PATH_ALIASES)
    result = build(site)
    assert result.code == 0, result.err
    out = output_files(site / "output")
    count = len(out) - 1  # not the manifest
    large = sorted(p for p, data in out.items() if len(data) > 2000 and p[0] != ".")
    warnings = [w for w in result.err.splitlines() if w.startswith("site.yaml")]
    where = "site.yaml: host 'cloudflare': Cloudflare Pages"
    assert warnings == [
        f"{where} applies at most 1 redirects, and the articles' aliases make 2; the rest are "
        "served by their meta-refresh pages (warning)",
        f"{where} serves at most 10 files, and this build wrote {count} (the search index's "
        "included) (warning)",
        *(
            f"{where} serves files of at most 2,000 bytes, and {p} is {len(out[p]):,} bytes "
            "(warning)"
            for p in large[:3]
        ),
        f"{where}: {len(large) - 3} more files are larger than that (warning)",
    ]
