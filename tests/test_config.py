"""`site.yaml` → `SiteConfig`: every key validated, every error at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.config import SiteConfig, load_config
from gen.errors import ConfigError
from tests.conftest import SITE_YAML


def load(tmp_path: Path, text: str, base_url: str | None = None) -> SiteConfig:
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    return load_config(tmp_path, base_url)


def errors(tmp_path: Path, text: str, base_url: str | None = None) -> list[str]:
    """Every problem `site.yaml` has, as printed."""
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, base_url)
    return [str(p) for p in caught.value.problems]


def replace_line(old: str, new: str) -> str:
    """The test site.yaml with one line changed (so lines stay where SITE_YAML has them)."""
    assert old in SITE_YAML
    return SITE_YAML.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_reads_a_valid_site(tmp_path: Path) -> None:
    config = load(tmp_path, SITE_YAML)
    assert config.title == "Test Ledger"
    assert config.base_url == "https://example.org/"
    assert config.base_path == "/"
    assert config.language == "en"
    assert config.timezone == "Europe/Kyiv"
    assert config.tz.key == "Europe/Kyiv"
    assert config.publisher.name == "Test Ledger"
    assert [(s.id, s.title, s.description) for s in config.sections] == [
        ("conflict", "Conflict", "The fighting."),
        ("diplomacy", "Diplomacy", ""),
    ]
    assert config.per_page == 2
    assert config.permalink == "/{year}/{month}/{day}/{slug}/"
    assert config.theme == "default"


def test_optional_keys_have_defaults(tmp_path: Path) -> None:
    text = replace_line("per_page: 2\n", "").replace("description: A test site.\n", "")
    config = load(tmp_path, text)
    assert config.per_page == 10
    assert config.description == ""


def test_sections_keep_their_declared_order(tmp_path: Path) -> None:
    text = replace_line("sections:\n", "sections:\n  zeta: Zeta\n  alpha:\n    title: Alpha\n")
    assert [s.id for s in load(tmp_path, text).sections] == [
        "zeta",
        "alpha",
        "conflict",
        "diplomacy",
    ]


def test_a_publisher_may_be_just_a_name(tmp_path: Path) -> None:
    text = replace_line("publisher:\n  name: Test Ledger\n", "publisher: Acme News\n")
    assert load(tmp_path, text).publisher.name == "Acme News"


def test_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    text = replace_line("base_url: https://example.org/", "base_url: https://example.org")
    assert load(tmp_path, text).base_url == "https://example.org/"


def test_a_sub_path_base_url_gives_a_base_path(tmp_path: Path) -> None:
    text = replace_line("base_url: https://example.org/", "base_url: https://example.org/news")
    config = load(tmp_path, text)
    assert config.base_url == "https://example.org/news/"
    assert config.base_path == "/news/"


def test_base_url_override_wins_over_site_yaml(tmp_path: Path) -> None:
    config = load(tmp_path, SITE_YAML, base_url="https://preview.example.net/news/")
    assert config.base_url == "https://preview.example.net/news/"
    assert config.base_path == "/news/"


def test_an_invalid_base_url_override_is_refused(tmp_path: Path) -> None:
    assert errors(tmp_path, SITE_YAML, base_url="example.net/news") == [
        "--base-url: must be an absolute http(s) URL, got 'example.net/news'"
    ]


def test_reports_a_missing_site_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"site.yaml: no site.yaml in {tmp_path} (give the site folder with --site)"
    ]


def test_reports_site_yaml_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_bytes(b"title: Test\ndescription: caf\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert [str(p) for p in caught.value.problems] == ["site.yaml:2: file is not UTF-8 text"]


def test_reports_yaml_syntax_errors_at_their_line(tmp_path: Path) -> None:
    text = replace_line("language: en", "language: [en")
    [message] = errors(tmp_path, text)
    assert message.startswith(f"site.yaml:{line_of(text, 'language')}: YAML does not parse")


def test_unknown_key_is_reported_at_its_line_with_a_suggestion(tmp_path: Path) -> None:
    text = SITE_YAML + "timezon: Europe/Kyiv\n"
    assert errors(tmp_path, text) == [
        f"site.yaml:{line_of(text, 'timezon:')}: unknown key 'timezon'; did you mean 'timezone'?"
    ]


def test_unknown_key_without_a_near_name_has_no_suggestion(tmp_path: Path) -> None:
    assert errors(tmp_path, SITE_YAML + "colour_scheme: dark\n") == [
        "site.yaml:15: unknown key 'colour_scheme'"
    ]


def test_missing_required_keys_are_each_reported(tmp_path: Path) -> None:
    assert errors(tmp_path, "description: Only this.\n") == [
        "site.yaml:1: missing 'base_url': the absolute URL the site is published at, "
        "e.g. https://example.org/",
        "site.yaml:1: missing 'language': the site's language as a BCP 47 tag, e.g. en or uk",
        "site.yaml:1: missing 'publisher': the publishing organisation: {name, logo}",
        "site.yaml:1: missing 'sections': a mapping of section id → {title, description}, "
        "in display order",
        "site.yaml:1: missing 'timezone': the newsroom's time zone, e.g. Europe/Kyiv; "
        "bare dates take it",
        "site.yaml:1: missing 'title': the site's name, shown in every page's header",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("title: Test Ledger", "title: ''", "'title' is empty"),
        (
            "title: Test Ledger",
            "title: [a, b]",
            "'title' must be text: the site's name, shown in every page's header",
        ),
        (
            "base_url: https://example.org/",
            "base_url: ftp://example.org/",
            "'base_url' must be an absolute http(s) URL, got 'ftp://example.org/'",
        ),
        (
            "base_url: https://example.org/",
            "base_url: example.org",
            "'base_url' must be an absolute http(s) URL, got 'example.org'",
        ),
        (
            "language: en",
            "language: English",
            "'language' must be a language tag such as en or uk, got 'English'",
        ),
        (
            "timezone: Europe/Kyiv",
            "timezone: Europe/Kyv",
            "unknown time zone 'Europe/Kyv'; did you mean 'Europe/Kyiv'? (e.g. Europe/Kyiv)",
        ),
        (
            "timezone: Europe/Kyiv",
            "timezone: ../../etc/passwd",
            "unknown time zone '../../etc/passwd' (e.g. Europe/Kyiv)",
        ),
        ("per_page: 2", "per_page: 0", "'per_page' must be a whole number from 1 to 500, got '0'"),
        (
            "per_page: 2",
            "per_page: 501",
            "'per_page' must be a whole number from 1 to 500, got '501'",
        ),
        (
            "per_page: 2",
            "per_page: ten",
            "'per_page' must be a whole number from 1 to 500, got 'ten'",
        ),
        (
            "per_page: 2",
            "per_page: 2.5",
            "'per_page' must be a whole number from 1 to 500, got '2.5'",
        ),
        (
            "per_page: 2",
            "per_page: true",
            "'per_page' must be a whole number from 1 to 500, got 'True'",
        ),
        (
            "per_page: 2",
            "theme: ../elsewhere",
            "'theme' must be a folder name under themes/, got '../elsewhere'",
        ),
        (
            "per_page: 2",
            "permalink: /{year}/{month}/{title}/",
            "unknown field '{title}' in 'permalink'",
        ),
    ],
)
def test_each_key_is_validated_at_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = replace_line(old, new)
    line = line_of(text, new.split(":", 1)[0] + ":")
    assert f"site.yaml:{line}: {message}" in errors(tmp_path, text)


@pytest.mark.parametrize(
    ("permalink", "message"),
    [
        (
            "/{year}/{month}/{day}/",
            "'permalink' must contain {slug}, or two articles would share a URL",
        ),
        ("/{year}/{slug}", "'permalink' must start and end with '/', got '/{year}/{slug}'"),
        ("year/{slug}/", "'permalink' must start and end with '/', got 'year/{slug}/'"),
        (
            "/{year}/../{slug}/",
            "'permalink' has a '..' folder: each part between slashes is a name, "
            "got '/{year}/../{slug}/'",
        ),
        ("/{yaer}/{slug}/", "unknown field '{yaer}' in 'permalink'; did you mean 'year'?"),
    ],
)
def test_permalink_must_be_a_folder_path_with_known_fields(
    tmp_path: Path, permalink: str, message: str
) -> None:
    text = SITE_YAML + f"permalink: {permalink}\n"
    assert f"site.yaml:15: {message}" in errors(tmp_path, text)


def test_accepts_a_permalink_with_the_section(tmp_path: Path) -> None:
    config = load(tmp_path, SITE_YAML + "permalink: /{section}/{year}/{slug}/\n")
    assert config.permalink == "/{section}/{year}/{slug}/"


def test_publisher_keys_are_checked_at_their_nested_line(tmp_path: Path) -> None:
    text = replace_line("  name: Test Ledger\n", "  name: Test Ledger\n  logp: images/logo.png\n")
    assert errors(tmp_path, text) == [
        f"site.yaml:{line_of(text, 'logp')}: unknown key 'publisher.logp'; did you mean 'logo'?"
    ]


def test_publisher_needs_a_name(tmp_path: Path) -> None:
    text = replace_line("  name: Test Ledger\n", "  name: ''\n")
    assert errors(tmp_path, text) == [
        f"site.yaml:{line_of(text, 'publisher:')}: 'publisher.name' is missing"
    ]


def test_publisher_must_be_a_mapping(tmp_path: Path) -> None:
    text = replace_line("publisher:\n  name: Test Ledger\n", "publisher: [a]\n")
    assert errors(tmp_path, text) == [
        f"site.yaml:{line_of(text, 'publisher:')}: 'publisher' must be a mapping with 'name' "
        "and 'logo'"
    ]


def test_section_keys_are_checked_at_their_nested_line(tmp_path: Path) -> None:
    text = replace_line("    description: The fighting.", "    descripton: The fighting.")
    assert errors(tmp_path, text) == [
        f"site.yaml:{line_of(text, 'descripton')}: unknown key 'descripton' in section 'conflict'; "
        "did you mean 'description'?"
    ]


def test_section_ids_must_be_url_safe(tmp_path: Path) -> None:
    text = replace_line("  diplomacy:\n", "  Foreign Affairs:\n")
    assert errors(tmp_path, text) == [
        f"site.yaml:{line_of(text, 'Foreign')}: section id 'Foreign Affairs' must be lowercase "
        "letters, digits and hyphens"
    ]


def test_a_section_needs_a_title(tmp_path: Path) -> None:
    text = replace_line("    title: Diplomacy\n", "    description: Talks.\n")
    assert errors(tmp_path, text) == [
        f"site.yaml:{line_of(text, '  diplomacy:')}: section 'diplomacy' must have a 'title'"
    ]


def test_sections_must_be_a_mapping(tmp_path: Path) -> None:
    text = SITE_YAML.split("sections:")[0] + "sections: [conflict, diplomacy]\nper_page: 2\n"
    assert errors(tmp_path, text) == [
        f"site.yaml:{line_of(text, 'sections:')}: 'sections' must be a mapping of id → "
        "{title, description}"
    ]


def test_every_problem_is_reported_together_in_line_order(tmp_path: Path) -> None:
    text = (
        replace_line("language: en", "language: English")
        .replace("timezone: Europe/Kyiv", "timezone: Mars/Olympus")
        .replace("per_page: 2", "per_page: 0")
    )
    lines = [int(message.split(":")[1]) for message in errors(tmp_path, text)]
    assert lines == [3, 4, 14]


def test_description_must_be_text(tmp_path: Path) -> None:
    text = replace_line("description: A test site.", "description: [a, b]")
    assert errors(tmp_path, text) == [
        "site.yaml:5: 'description' must be text: one sentence about the site, for search "
        "engines and feeds"
    ]
