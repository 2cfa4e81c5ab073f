"""What `dateline init` writes: every file of a new site, as bytes by path (pure, apart from
reading the skeleton files that ship with the package).

Each file is read back as a build reads it before anything is written: site.yaml through
the settings' own validation, the story's front matter through the reader.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

from gen.config import parse_config
from gen.errors import ConfigError, ContentError, ErrorReport, Problem
from gen.init import HOSTS, LANGUAGES
from gen.init.siteyaml import render_site_yaml, scalar
from gen.source.read import split_source
from gen.source.yamldoc import YamlSyntaxError, load_yaml

THEME = "site"  # themes/site/: one name for every site, whatever its title
SECTION = "news"
AUTHOR = "editor"
IMAGE = "images/welcome.png"
IMAGE_SIZE = (1200, 630)  # the shape social networks show a link's picture in
BASE_URL = "https://example.org/"
REPOSITORY = "https://github.com/dateline-news/dateline"
LONGEST_HEADLINE = 110  # the headline-length rule's default


@dataclass(frozen=True, slots=True)
class Words:
    """The words of a new site in one language."""

    title: str  # the site's name when --title is not given
    welcome: str  # the first story's headline; {title} is the site's name
    welcome_short: str  # the headline when the long one would be too long
    summary: str
    tags: tuple[str, ...]
    section: str
    section_description: str
    editor: str
    role: str
    bio: str
    alt: str
    caption: str
    timezone: str
    timezone_note: str


WORDS = {
    "en": Words(
        title="My Newsroom",
        welcome="Welcome to {title}",
        welcome_short="Welcome",
        summary="This first story shows how a story is written: its facts in the front matter "
        "at the top, its words in Markdown below.",
        tags=("newsroom",),
        section="News",
        section_description="The newsroom's latest stories.",
        editor="Newsroom Editor",
        role="Editor",
        bio="Wrote the first story. Put your own name, role and a few lines about yourself "
        "here, in content/authors/editor.yaml.",
        alt="A band of deep blue above a narrower band of pale grey",
        caption="Put your own picture in content/images/; a lead image needs alt text and a "
        "credit.",
        timezone="UTC",
        timezone_note="UTC until you set the newsroom's own, e.g. Europe/London or "
        "America/New_York.",
    ),
    "uk": Words(
        title="Моя редакція",
        welcome="Вітаємо на сайті «{title}»",
        welcome_short="Вітаємо",
        summary="Перший матеріал показує, як пишуть на цьому сайті: метадані вгорі, текст у "
        "Markdown під ними.",
        tags=("редакція",),
        section="Новини",
        section_description="Останні матеріали редакції.",
        editor="Редактор сайту",
        role="Редактор",
        bio="Автор першого матеріалу. Вкажіть тут своє ім'я, посаду й кілька слів про себе "
        "(файл content/authors/editor.yaml).",
        alt="Широка темно-синя смуга над вужчою світло-сірою",
        caption="Покладіть своє зображення в content/images/; головне зображення має опис і "
        "автора.",
        timezone="Europe/Kyiv",
        timezone_note="",
    ),
}


@dataclass(frozen=True, slots=True)
class Choices:
    """What `init` was asked for."""

    title: str
    language: str = "en"
    host: str = "github"


def site_files(choices: Choices, now: datetime, version: str) -> dict[str, bytes]:
    """Every file of the new site, path → bytes, in path order."""
    if choices.language not in LANGUAGES or choices.host not in HOSTS:
        raise ValueError(f"no site for {choices}")
    words = WORDS[choices.language]
    local = now.astimezone(ZoneInfo(words.timezone)).replace(microsecond=0)
    story = f"content/articles/{local.year:04d}/welcome.md"
    files = {
        ".gitignore": gitignore(choices.host),
        ".pre-commit-config.yaml": pre_commit_config(version),
        "requirements.txt": requirements(choices.host, version),
        "site.yaml": site_yaml(choices, words),
        f"content/authors/{AUTHOR}.yaml": author_yaml(words),
        story: welcome_story(story, choices, words, local),
        f"themes/{THEME}/README.md": theme_readme(),
        workflow_path(choices.host): skeleton(workflow_skeleton(choices.host)),
    }
    data = {path: text.encode("utf-8") for path, text in files.items()}
    data[f"content/{IMAGE}"] = two_band_png(*IMAGE_SIZE)
    return dict(sorted(data.items()))


def workflow_path(host: str) -> str:
    """Where the host's CI workflow goes."""
    return ".gitlab-ci.yml" if host == "gitlab" else ".github/workflows/publish.yml"


def workflow_skeleton(host: str) -> str:
    """The skeleton file of the host's CI workflow."""
    return "gitlab-ci.yml" if host == "gitlab" else f"{host}.yml"


def skeleton(name: str) -> str:
    """A file shipped in `gen/init/skeleton/`."""
    return (resources.files("gen.init") / "skeleton" / name).read_text(encoding="utf-8")


def gitignore(host: str) -> str:
    """What git leaves out: the built site and the cache (and GitLab's build folders)."""
    lines = ["# Made by every build: never committed.", "output/", ".cache/"]
    if host == "gitlab":
        lines += ["public/", ".pip-cache/"]
    return "\n".join(lines) + "\n"


def pre_commit_config(version: str) -> str:
    """pre-commit's config: `dateline check` on the stories of each commit."""
    return (
        "# pre-commit (https://pre-commit.com) runs `dateline check` on the stories of each\n"
        "# commit: run `pip install pre-commit && pre-commit install` once in this folder.\n"
        "# rev is the Dateline version the hook runs: keep it the one in requirements.txt.\n"
        "repos:\n"
        f"  - repo: {REPOSITORY}\n"
        f"    rev: v{version}\n"
        "    hooks:\n"
        "      - id: dateline-check\n"
    )


def requirements(host: str, version: str) -> str:
    """The Dateline CI installs (with rclone for `dateline publish` on S3)."""
    extra = "[publish]" if host == "s3" else ""
    return (
        "# The Dateline version CI installs (.pre-commit-config.yaml's rev names the same).\n"
        f"dateline{extra}=={version}\n"
    )


def site_yaml(choices: Choices, words: Words) -> str:
    """site.yaml with the choices filled in, read back through the settings' validation."""
    title = scalar(choices.title)
    notes = {
        "base_url": "Change it to the address readers will use"
        + (
            " (on GitHub Pages the workflow builds with the address Pages reports)."
            if choices.host == "github"
            else "."
        ),
        "timezone": words.timezone_note,
    }
    text = render_site_yaml(
        {
            "title": title,
            "base_url": f" {BASE_URL}",
            "language": scalar(choices.language),
            "timezone": scalar(words.timezone),
            "publisher": f"\n  name:{title}",
            "sections": f"\n  {SECTION}:\n    title:{scalar(words.section)}\n"
            f"    description:{scalar(words.section_description)}",
            "theme": scalar(THEME),
            "host": scalar(choices.host),
        },
        notes,
    )
    try:
        config = parse_config(load_yaml(text))
    except YamlSyntaxError as exc:
        raise ConfigError([Problem("site.yaml", exc.line, exc.message)]) from None
    if config.title != choices.title.strip():
        raise ConfigError([Problem("site.yaml", None, "the title would not read back as given")])
    return text


def author_yaml(words: Words) -> str:
    """The first author's profile."""
    return f"name:{scalar(words.editor)}\nrole:{scalar(words.role)}\nbio:{scalar(words.bio)}\n"


def welcome_story(rel: str, choices: Choices, words: Words, date: datetime) -> str:
    """The first story, published at `date`, with a lead image; its front matter read back."""
    headline = words.welcome.format(title=choices.title.strip())
    if len(headline) > LONGEST_HEADLINE:
        headline = words.welcome_short
    front = {
        "title": scalar(headline),
        "author": scalar(AUTHOR),
        "date": f" {date.isoformat()}",  # unquoted: YAML's own date and time
        "section": scalar(SECTION),
        "tags": scalar(list(words.tags)),
        "summary": scalar(words.summary),
    }
    image = {"src": IMAGE, "alt": words.alt, "credit": "Dateline", "caption": words.caption}
    text = (
        "---\n"
        + "".join(f"{key}:{value}\n" for key, value in front.items())
        + "image:\n"
        + "".join(f"  {key}:{scalar(value)}\n" for key, value in image.items())
        + "---\n\n"
        + skeleton(f"welcome.{choices.language}.md")
    )
    report = ErrorReport()
    doc = split_source(rel, text, report)
    data = doc.front.data if doc is not None else {}
    if report.errors or data.get("title") != headline or data.get("author") != AUTHOR:
        raise ContentError([Problem(rel, None, "the story would not read back as written")])
    return text


def theme_readme() -> str:
    """The site theme's README, listing the default theme's templates and static files."""
    from gen.pages.theme import DEFAULT_THEME_DIR

    def listed(folder: str) -> str:
        root = DEFAULT_THEME_DIR / folder
        names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        return "\n".join(f"- `{folder}/{name}`" for name in names)

    return (
        skeleton("theme-README.md")
        .replace("<!-- templates -->", listed("templates"))
        .replace("<!-- static -->", listed("static"))
    )


def two_band_png(width: int, height: int) -> bytes:
    """A PNG of a deep blue band above a narrower pale grey one: the welcome story's picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    blue, grey = b"\x00" + b"\x1f\x3a\x5f" * width, b"\x00" + b"\xd9\xde\xe5" * width
    split = height * 2 // 3
    rows = blue * split + grey * (height - split)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
