"""Properties that must hold for every input: safe slugs and paths, full pagination, determinism."""

from __future__ import annotations

import posixpath
import re
import tempfile
from pathlib import Path

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gen.urls import SLUG_RE, is_safe_slug, output_file, slugify
from tests.conftest import SITE_YAML, article, build, make_site, output_files

ARTICLE_URL = re.compile(r"^/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$")
UKRAINIAN = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ'’ʼ"
RUSSIAN_ONLY = "ёъыэЁЪЫЭ"
TITLES = st.text(
    alphabet=st.one_of(
        st.sampled_from(UKRAINIAN + RUSSIAN_ONLY + " -_.,:;!?/\\'\"&<>"),
        st.characters(codec="utf-8"),
    ),
    max_size=120,
)
SITE_BUILDS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(TITLES)
@settings(max_examples=300)
def test_slugs_are_lowercase_words_and_hyphens_or_empty(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or SLUG_RE.fullmatch(slug)
    assert "/" not in slug and ".." not in slug and "\\" not in slug
    assert len(slug) <= 80
    if slug:
        assert is_safe_slug(slug)


@given(TITLES, st.sampled_from(["", "en", "uk", "ru"]))
@settings(max_examples=300)
def test_slugify_is_idempotent(text: str, lang: str) -> None:
    slug = slugify(text, lang)
    assert slugify(slug, lang) == slug


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=120))
@settings(max_examples=300)
def test_ascii_text_slugs_as_it_would_beside_other_scripts(text: str) -> None:
    # ASCII takes a short way; an em dash (a space between words) sends the same words the
    # long way, through normalising and spelling each character in Latin.
    assert slugify(text) == slugify(text + "\u2014")


SEGMENT = st.text(alphabet="abcxyz019-_.", min_size=1, max_size=12)


@given(st.lists(SEGMENT, min_size=0, max_size=6), st.booleans())
@settings(max_examples=300)
def test_output_files_of_safe_site_paths_stay_inside(segments: list[str], folder: bool) -> None:
    site_path = "/" + "/".join(segments) + ("/" if folder and segments else "")
    try:
        rel = output_file(site_path)
    except ValueError:
        assert any(s in (".", "..") for s in segments)
        return
    assert not rel.startswith("/")
    assert ".." not in rel.split("/")
    assert posixpath.normpath(posixpath.join("out", rel)).startswith("out/")


@given(st.text(max_size=40))
@settings(max_examples=300)
def test_output_file_never_returns_a_path_outside(site_path: str) -> None:
    try:
        rel = output_file(site_path)
    except ValueError:
        return
    assert rel and not rel.startswith("/")
    assert "\\" not in rel and "\x00" not in rel
    assert ".." not in rel.split("/")
    assert posixpath.normpath(posixpath.join("out", rel)).startswith("out/")


def story_links(doc: lxml.html.HtmlElement) -> list[str]:
    main = doc.find(".//main")
    hrefs = main.xpath(".//*[self::h2 or self::h3]/a/@href")
    return [h for h in hrefs if ARTICLE_URL.match(h)]


def listed(out: Path, first: str) -> list[str]:
    """Article links on every page of a list, following rel=next from `first`."""
    links: list[str] = []
    rel = first
    for _ in range(100):
        doc = lxml.html.fromstring((out / rel).read_bytes())
        links += story_links(doc)
        nxt = doc.xpath("//head/link[@rel='next']/@href")
        if not nxt:
            return links
        rel = nxt[0].lstrip("/") + "index.html"
    raise AssertionError("pagination does not end")


def random_site(root: Path, days: list[int], per_page: int) -> tuple[Path, list[str]]:
    """A site with one article per entry of `days` (several may share a day)."""
    files: dict[str, str | bytes] = {
        "site.yaml": SITE_YAML.replace("per_page: 2", f"per_page: {per_page}")
    }
    urls = []
    for i, day in enumerate(days):
        section = "conflict" if i % 2 else "diplomacy"
        date = f"2026-01-{day:02d}T{i % 24:02d}:00:00+02:00"
        files[f"content/articles/a{i}.md"] = article(f"Story {i}", date=date, section=section)
        urls.append(f"/2026/01/{day:02d}/a{i}/")
    return make_site(root, files), urls


@given(st.lists(st.integers(1, 28), min_size=0, max_size=9), st.integers(1, 4))
@SITE_BUILDS
def test_pagination_lists_every_article_exactly_once(days: list[int], per_page: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site, urls = random_site(Path(tmp), days, per_page)
        assert build(site).code == 0
        out = site / "output"
        front = listed(out, "index.html")
        assert sorted(front) == sorted(urls)
        conflict = listed(out, "section/conflict/index.html")
        diplomacy = listed(out, "section/diplomacy/index.html")
        assert sorted(conflict + diplomacy) == sorted(urls)
        pages = (len(urls) + per_page - 1) // per_page if urls else 1
        assert sum(1 for _ in out.glob("page/*/index.html")) == pages - 1


@given(st.lists(st.integers(1, 28), min_size=1, max_size=5), st.integers(1, 3))
@SITE_BUILDS
def test_two_builds_of_one_site_are_byte_identical(days: list[int], per_page: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        first, _ = random_site(root / "one", days, per_page)
        second, _ = random_site(root / "two/elsewhere", days, per_page)
        assert build(first, "--output", str(root / "out-a")).code == 0
        assert build(second, "--output", str(root / "out-b")).code == 0
        built = output_files(root / "out-a")
        assert built == output_files(root / "out-b")
        for data in built.values():
            assert str(root).encode() not in data
