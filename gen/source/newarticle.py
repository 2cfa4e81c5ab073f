"""`dateline new`: start an article file with valid front matter; never overwrite one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from gen.config import SiteConfig
from gen.errors import ContentError, Problem, suggest
from gen.source.read import ARTICLES_DIR, AUTHORS_DIR
from gen.urls import slugify


def create_article(
    site_dir: Path, config: SiteConfig, title: str, section: str, author: str, now: datetime
) -> Path:
    """Write `content/articles/<yyyy>/<slug>.md` as a draft and return its path."""
    problems = []
    sections = [s.id for s in config.sections]
    if section not in sections:
        problems.append(
            Problem("site.yaml", None, f"unknown section '{section}'{suggest(section, sections)}")
        )
    authors_dir = site_dir / AUTHORS_DIR
    authors = sorted(p.stem for p in authors_dir.glob("*.y*ml"))
    if author not in authors:
        problems.append(
            Problem(
                f"{AUTHORS_DIR}/{author}.yaml",
                None,
                f"unknown author '{author}'{suggest(author, authors)}",
            )
        )
    slug = slugify(title, config.language)
    if not slug:
        problems.append(Problem(ARTICLES_DIR, None, f"cannot make a URL from the title '{title}'"))
    if problems:
        raise ContentError(problems)
    local = now.astimezone(config.tz).replace(microsecond=0)
    path = site_dir / ARTICLES_DIR / f"{local.year:04d}" / f"{slug}.md"
    if path.exists():
        rel = path.relative_to(site_dir).as_posix()
        raise ContentError([Problem(rel, None, "already exists; it was left as it is")])
    escaped = title.replace("\\", "\\\\").replace('"', '\\"')
    text = (
        "---\n"
        f'title: "{escaped}"\n'
        f"author: {author}\n"
        f"date: {local.isoformat()}\n"
        f"section: {section}\n"
        "tags: []\n"
        "dateline: \n"
        "summary: \n"
        "draft: true  # remove this line to publish\n"
        "---\n\n"
        "Write the lede here: who, what, when, where.\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # "x" mode: fail rather than overwrite a file created since the check above.
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
