"""The files a host reads beside the site (`host:` in site.yaml): aliases as real 301
redirects, the response headers (a Content-Security-Policy, caching), and warnings when the
output passes the host's documented limits.

| host | redirects | headers |
| --- | --- | --- |
| netlify, cloudflare | `_redirects` | `_headers` |
| nginx | `dateline-redirects.conf` (http block) | `dateline-headers.conf` (server block) |
| apache | `.htaccess` | `.htaccess` |
| github, gitlab, s3 | meta-refresh pages | none (GitHub and GitLab cannot set headers; S3's come
  from `dateline publish`) |

The meta-refresh pages are written for every host: where the host redirects, its rule answers
first (Netlify's is forced with `!`), and the page still serves a server not yet set up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from gen.config import CONFIG_FILE, SiteConfig
from gen.errors import ErrorReport
from gen.model import OutputFile, Site
from gen.outputs.compress import COMPRESSIBLE
from gen.outputs.csp import (
    content_security_policy,
    frame_origins,
    image_origins,
    security_headers,
    theme_inline_code,
)
from gen.outputs.limits import HOST_LIMITS
from gen.outputs.search_cache import BUNDLE_DIR
from gen.publish.headers import CACHE_FOREVER, CACHE_PAGE, cache_control
from gen.urls import url_path

Headers = tuple[tuple[str, str], ...]
HOST_FILES = {
    "netlify": ("_redirects", "_headers"),
    "cloudflare": ("_redirects", "_headers"),
    "nginx": ("dateline-redirects.conf", "dateline-headers.conf"),
    "apache": (".htaccess",),
}
# Pagefind names its index files by their content: a year's index folders never change in
# place (gen.publish.headers.FINGERPRINTED says so of each file).
INDEX_FOLDERS = ("filter", "fragment", "index")
GENERATED = "Made by Dateline on every build (host: {host} in site.yaml): edits here are lost."


@dataclass(frozen=True, slots=True)
class Redirect:
    """An old address and where it now leads."""

    path: str  # the request's path as the server decodes it, under the base path
    query: str  # name=value pairs joined by '&' that the request's query must hold, or ''
    target: str  # the article's URL path, percent-encoded


@dataclass(frozen=True, slots=True)
class CacheRule:
    """Files whose Cache-Control is not a page's: a pattern in `_headers` syntax (`*` any
    characters, `:name` one path segment), percent-encoded, under the base path."""

    pattern: str
    cache_control: str


def host_files(
    site: Site,
    config: SiteConfig,
    paths: Iterable[str],
    theme_dirs: tuple[Path, ...],
    site_dir: Path,
    report: ErrorReport,
    preview: bool = False,
) -> list[OutputFile]:
    """The redirect and header files `config.host` reads from the output folder (none for
    github, gitlab, s3 or no host). `paths` are the site's other files; the inline code of
    the theme's templates (`theme_dirs`) is allowed by the policy, or reported. A preview
    build's headers add `X-Robots-Tag: noindex, nofollow`."""
    names = HOST_FILES.get(config.host)
    if names is None:
        return []
    redirects = site_redirects(site, config)
    inline = theme_inline_code(theme_dirs, site_dir)
    for problem in inline.problems:
        report.warn(problem.path, problem.line, problem.message)
    headers = security_headers(
        content_security_policy(config, inline, image_origins(site), frame_origins(site)), preview
    )
    rules = cache_rules(paths, config)
    texts = WRITERS[config.host](config, redirects, headers, rules)
    for message in rule_warnings(config.host, redirects, rules):
        report.warn(CONFIG_FILE, None, message)
    return [OutputFile(name, text.encode("utf-8")) for name, text in zip(names, texts, strict=True)]


def site_redirects(site: Site, config: SiteConfig) -> list[Redirect]:
    """Every alias of every article, those with a query first (the more specific rule must
    come first where the first match wins), then by path."""
    base = config.base_path
    found = []
    for article in site.articles:
        target = base + url_path(article.url.lstrip("/"))
        for alias in article.aliases:
            path, _, query = alias.partition("?")
            found.append(Redirect(unquote(base) + path.lstrip("/"), query, target))
    return sorted(found, key=lambda r: (not r.query, r.path, r.query, r.target))


def cache_rules(paths: Iterable[str], config: SiteConfig) -> list[CacheRule]:
    """Rules for the files whose Cache-Control (`gen.publish.headers.cache_control`) is not
    a page's, which is what a file matching no rule gets. No two rules match one file (a
    host joins two values of one header): a top folder whose files all share a policy is one
    rule, any other such file has its own, and the search index's folders have theirs."""
    base = config.base_path
    folders: dict[str, list[str]] = {}
    rules: list[CacheRule] = []
    for path in sorted(paths):
        top, slash, _ = path.partition("/")
        if top == BUNDLE_DIR and slash:
            continue  # written after these rules, by Pagefind: see below
        if slash:
            folders.setdefault(top, []).append(path)
        elif cache_control(path) != CACHE_PAGE:
            rules.append(CacheRule(base + url_path(path), cache_control(path)))
    for top, members in sorted(folders.items()):
        policies = {cache_control(path) for path in members}
        if policies == {CACHE_PAGE}:
            continue
        if len(policies) == 1:
            rules.append(CacheRule(f"{base}{url_path(top)}/*", policies.pop()))
            continue
        for path in members:
            if cache_control(path) != CACHE_PAGE:
                rules.append(CacheRule(base + url_path(_url_of(path)), cache_control(path)))
    if config.search:
        for folder in INDEX_FOLDERS:
            rules.append(CacheRule(f"{base}{BUNDLE_DIR}/:part/{folder}/*", CACHE_FOREVER))
    return rules


def _url_of(path: str) -> str:
    """The URL path a file is requested at: a folder's index.html at the folder."""
    return path[: -len("index.html")] if path.endswith("/index.html") else path


# --- Netlify and Cloudflare ----------------------------------------------------------------


def netlify_files(
    config: SiteConfig, redirects: list[Redirect], headers: Headers, rules: list[CacheRule]
) -> tuple[str, str]:
    """`_redirects` (a query matched as Netlify's name=value pairs; `301!` answers even where
    a file, the meta-refresh page, exists) and `_headers`."""
    lines = [f"# {GENERATED.format(host=config.host)}", "# Old addresses (aliases) → articles."]
    for r in redirects:
        pairs = " ".join(r.query.split("&")) + " " if r.query else ""
        lines.append(f"{url_path(r.path)} {pairs}{r.target} 301!")
    return "\n".join(lines) + "\n", _headers_file(config, headers, rules)


def cloudflare_files(
    config: SiteConfig, redirects: list[Redirect], headers: Headers, rules: list[CacheRule]
) -> tuple[str, str]:
    """`_redirects` (Cloudflare follows a redirect before any file) and `_headers`."""
    lines = [f"# {GENERATED.format(host=config.host)}", "# Old addresses (aliases) → articles."]
    lines += [f"{url_path(r.path)} {r.target} 301" for r in redirects]
    return "\n".join(lines) + "\n", _headers_file(config, headers, rules)


def _headers_file(config: SiteConfig, headers: Headers, rules: list[CacheRule]) -> str:
    lines = [
        f"# {GENERATED.format(host=config.host)}",
        f"{config.base_path}*",
        *(f"  {name}: {value}" for name, value in headers),
        "# Caching: files not listed get the host's own, public, max-age=0, must-revalidate.",
    ]
    for rule in rules:
        lines += [rule.pattern, f"  Cache-Control: {rule.cache_control}"]
    return "\n".join(lines) + "\n"


# --- nginx ---------------------------------------------------------------------------------


def nginx_files(
    config: SiteConfig, redirects: list[Redirect], headers: Headers, rules: list[CacheRule]
) -> tuple[str, str]:
    """`dateline-redirects.conf`, two maps for nginx's http block, and
    `dateline-headers.conf` for the site's server block, which answers with them."""
    use = [
        f"# {GENERATED.format(host=config.host)}",
        f"# Redirects for {config.base_url}. Use both files, with their full paths:",
        "#   http {",
        "#       include /srv/site/output/dateline-redirects.conf;",
        "#       server { ...; include /srv/site/output/dateline-headers.conf; }",
        "#   }",
        "# and reload nginx after a build that changed either (nginx -s reload).",
    ]
    paths = ["map $uri $dateline_path_redirect {", '    default "";']
    queries = ['map "$uri?$args" $dateline_redirect {', "    default $dateline_path_redirect;"]
    for r in redirects:
        if r.query:
            queries.append(f'    "~^{_regex(r.path)}\\?{_query_regex(r.query)}" "{r.target}";')
            continue
        # nginx matches strings ignoring case: an old address with capitals is a regular
        # expression, so /Old/ never catches the page at /old/.
        paths.append(f'    "{_nginx_string(r.path)}" "{r.target}";')
        if r.path.endswith("/") and len(r.path) > 1:
            paths.append(f'    "{_nginx_string(r.path[:-1])}" "{r.target}";')
    redirects_conf = "\n".join([*use, *paths, "}", *queries, "}"]) + "\n"
    lines = [
        f"# {GENERATED.format(host=config.host)}",
        f"# Headers and redirects for {config.base_url}, inside its server block (see",
        "# dateline-redirects.conf). An add_header in a location replaces all of these there.",
        "if ($dateline_redirect) {",
        "    return 301 $dateline_redirect;",
        "}",
        f'set $dateline_cache "{CACHE_PAGE}";',
    ]
    for rule in rules:
        lines += [
            f'if ($uri ~ "{_pattern_regex(rule.pattern)}") {{',
            f'    set $dateline_cache "{rule.cache_control}";',
            "}",
        ]
    lines.append("add_header Cache-Control $dateline_cache always;")
    lines += [f'add_header {name} "{value}" always;' for name, value in headers]
    if config.compress:
        lines += [
            "# compress: true: the .gz beside a file, for a browser that takes gzip (ngx_brotli's",
            "# brotli_static on; would serve the .br files).",
            "gzip_static on;",
            "gzip_vary on;",
        ]
    return redirects_conf, "\n".join(lines) + "\n"


def _nginx_string(path: str) -> str:
    """`path` as a map's source string: exact, or a case-sensitive regular expression."""
    if path != path.lower() or any(ch in path for ch in '"\\'):
        return f"~^{_regex(path)}$"
    return path


# --- Apache --------------------------------------------------------------------------------


def apache_files(
    config: SiteConfig, redirects: list[Redirect], headers: Headers, rules: list[CacheRule]
) -> tuple[str]:
    """`.htaccess`: redirects (mod_alias; mod_rewrite for a query) and headers (mod_headers)."""
    lines = [
        f"# {GENERATED.format(host=config.host)}",
        f"# Redirects and headers for {config.base_url}: Apache reads them where AllowOverride",
        "# allows FileInfo and mod_headers is on (a2enmod headers).",
    ]
    query = [r for r in redirects if r.query]
    for r in redirects:
        if not r.query:
            ending = "/?$" if r.path.endswith("/") and len(r.path) > 1 else "$"
            regex = _regex(r.path[:-1] if ending == "/?$" else r.path)
            lines.append(f'RedirectMatch 301 "^{regex}{ending}" "{r.target}"')
    if query:
        lines += ["<IfModule mod_rewrite.c>", "RewriteEngine On"]
        for r in query:
            lines.append(f'RewriteCond %{{REQUEST_URI}} "^{_regex(r.path)}$"')
            for pair in r.query.split("&"):
                lines.append(f'RewriteCond %{{QUERY_STRING}} "(?:^|&){_regex(pair)}(?:&|$)"')
            lines.append(f'RewriteRule ^ "{r.target}" [R=301,L,QSD]')
        lines.append("</IfModule>")
    lines.append("<IfModule mod_headers.c>")
    lines += [f'Header always set {name} "{value}"' for name, value in headers]
    lines.append(f'Header set Cache-Control "{CACHE_PAGE}"')
    for rule in rules:
        lines += [
            f'<If "%{{REQUEST_URI}} =~ m#{_pattern_regex(rule.pattern)}#">',
            f'Header set Cache-Control "{rule.cache_control}"',
            "</If>",
        ]
    lines.append("</IfModule>")
    if config.compress:
        lines += _apache_compressed(config)
    return ("\n".join(lines) + "\n",)


def _apache_compressed(config: SiteConfig) -> list[str]:
    """compress: true: a file's .br or .gz copy for a browser that takes it, a folder's
    index.html's too, sent as the file's type with its Content-Encoding."""
    types = "|".join(suffix.lstrip(".") for suffix in COMPRESSIBLE)
    lines = [
        "# compress: true: the .br or .gz copy of a file, for a browser that takes it.",
        "<IfModule mod_rewrite.c>",
        "RewriteEngine On",
        f'RewriteBase "{config.base_path}"',
    ]
    for suffix, encoding in ((".br", "br"), (".gz", "gzip")):
        lines += [
            f"RewriteCond %{{HTTP:Accept-Encoding}} \\b{encoding}\\b",
            "RewriteCond %{REQUEST_FILENAME} -d",
            f"RewriteCond %{{REQUEST_FILENAME}}/index.html{suffix} -f",
            f"RewriteRule ^(.*/)?$ $1index.html{suffix} [L]",
            f"RewriteCond %{{HTTP:Accept-Encoding}} \\b{encoding}\\b",
            f"RewriteCond %{{REQUEST_FILENAME}}{suffix} -f",
            f"RewriteRule ^(.+\\.(?:{types}))$ $1{suffix} [L]",
        ]
    return [
        *lines,
        "</IfModule>",
        "<IfModule mod_mime.c>",
        "RemoveType .br .gz",
        "AddEncoding br .br",
        "AddEncoding gzip .gz",
        "</IfModule>",
        "<IfModule mod_headers.c>",
        f'<FilesMatch "\\.(?:{types})(?:\\.br|\\.gz)?$">',
        "Header append Vary Accept-Encoding",
        "</FilesMatch>",
        "</IfModule>",
    ]


WRITERS: dict[
    str, Callable[[SiteConfig, list[Redirect], Headers, list[CacheRule]], tuple[str, ...]]
] = {
    "netlify": netlify_files,
    "cloudflare": cloudflare_files,
    "nginx": nginx_files,
    "apache": apache_files,
}


# --- Regular expressions (PCRE, for nginx and Apache) --------------------------------------

_SPECIAL = set(".^$|?*+()[]{}")


def _regex(text: str) -> str:
    """`text` matched literally: special characters escaped, and quotes, '#' and spaces
    written as \\xHH so the expression sits in a quoted directive or m#…# unchanged."""
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append("\\" + ch)
        elif ch in "\"'# ":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def _query_regex(query: str) -> str:
    """Each name=value pair anywhere in the query (a lookahead each), in any order."""
    return "".join(f"(?=(?:.*&)?{_regex(pair)}(?:&|$))" for pair in query.split("&"))


def _pattern_regex(pattern: str) -> str:
    """A `_headers` pattern as a regular expression on the decoded path."""
    out = ["^"]
    for token in re.split(r"(\*|:[a-z]+)", pattern):
        if token == "*":
            out.append(".*")
        elif token.startswith(":"):
            out.append("[^/]+")
        else:
            out.append(_regex(unquote(token)))
    return "".join(out) + "$"


def rule_warnings(host: str, redirects: list[Redirect], rules: list[CacheRule]) -> list[str]:
    """The host's limits on redirect and header rules, passed."""
    limits = HOST_LIMITS.get(host)
    if limits is None:
        return []
    found = []
    if limits.redirects and len(redirects) > limits.redirects:
        found.append(
            f"host '{host}': {limits.name} applies at most {limits.redirects:,} redirects, and "
            f"the articles' aliases make {len(redirects):,}; the rest are served by their "
            "meta-refresh pages"
        )
    if limits.header_rules and len(rules) + 1 > limits.header_rules:
        found.append(
            f"host '{host}': {limits.name} applies at most {limits.header_rules:,} header rules, "
            f"and _headers has {len(rules) + 1:,}"
        )
    return found
