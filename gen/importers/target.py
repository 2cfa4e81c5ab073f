"""The site an import writes into: an existing one (its sections and host are kept) or a
new one (site.yaml written with the sections the archive needs), and the table mapping the
archive's categories to sections, written for a person to edit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from gen.config import load_config
from gen.importers.common import PlanBuilder, make_id, read_record, sha256
from gen.init.siteyaml import render_site_yaml, scalar

SECTIONS_FILE = "import-sections.yaml"
DEFAULT_SECTION = "news"


@dataclass(frozen=True, slots=True)
class Target:
    """What an import needs to know of the site it writes into."""

    new: bool
    sections: tuple[str, ...]  # an existing site's section ids
    host: str
    language: str
    permalink: str
    tz: ZoneInfo
    mapping: Mapping[str, str]  # category → section, as a person left it in SECTIONS_FILE


def read_target(site: Path) -> Target:
    """The site at `site` (a GenError if its site.yaml is wrong), or a new one."""
    mapping = _read_mapping(site / SECTIONS_FILE)
    if not (site / "site.yaml").is_file() or _written_by_import(site, "site.yaml"):
        # A site.yaml an import wrote and nobody edited since is the import's to update.
        return Target(True, (), "", "en", "/{year}/{month}/{day}/{slug}/", ZoneInfo("UTC"), mapping)
    config = load_config(site)
    return Target(
        False,
        tuple(s.id for s in config.sections),
        config.host,
        config.language,
        config.permalink,
        config.tz,
        mapping,
    )


def _written_by_import(site: Path, rel: str) -> bool:
    """True if `rel` holds what the last import wrote there."""
    known = read_record(site).get(rel)
    try:
        return known is not None and known["sha256"] == sha256((site / rel).read_bytes())
    except OSError:
        return False


def _read_mapping(path: Path) -> dict[str, str]:
    """The category → section table a person may have edited; {} if none or unreadable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}


@dataclass(slots=True)
class Sections:
    """Which section each category's stories go to, decided once per category."""

    target: Target
    plan: PlanBuilder
    titles: dict[str, str]  # category → its name as the archive shows it
    chosen: dict[str, str]

    def section_for(self, category: str, title: str) -> str:
        """The section id of the stories whose primary category is `category` ('' = none)."""
        key = category or DEFAULT_SECTION
        if key in self.chosen:
            return self.chosen[key]
        self.titles[key] = title or key.replace("-", " ").capitalize()
        wanted = self.target.mapping.get(key) or make_id(key, DEFAULT_SECTION)
        if not self.target.new and wanted not in self.target.sections:
            fallback = self.target.sections[0]
            self.plan.note(
                SECTIONS_FILE,
                None,
                f"category '{key}' maps to section '{wanted}', which site.yaml does not have: "
                f"its stories went to '{fallback}'; add the section to site.yaml or map the "
                "category to one it has, then import again",
            )
            wanted = fallback
        self.chosen[key] = wanted
        return wanted


def new_sections(target: Target, plan: PlanBuilder) -> Sections:
    """An empty category → section table for `target`."""
    return Sections(target, plan, {}, {})


def finish_site(
    sections: Sections, site_title: str, base_url: str, language: str, origin: str
) -> None:
    """Plan SECTIONS_FILE and, for a new site, site.yaml with the sections the stories use."""
    plan = sections.plan
    lines = [
        "# Which section each category's stories go to (category: section id). Edit it, then",
        "# import again: stories nobody edited since the last import move with it.",
    ]
    lines += [f"{scalar(k).strip()}:{scalar(v)}" for k, v in sorted(sections.chosen.items())]
    plan.add(SECTIONS_FILE, "\n".join(lines) + "\n", origin)
    if not sections.target.new:
        return
    used: dict[str, str] = {}
    for category, section in sorted(sections.chosen.items()):
        used.setdefault(section, sections.titles.get(category, section))
    body = "".join(f"\n  {sid}:\n    title:{scalar(title)}" for sid, title in used.items())
    values = {
        "title": scalar(site_title or "Imported archive"),
        "base_url": scalar(base_url if base_url.endswith("/") else base_url + "/"),
        "language": scalar(language or "en"),
        "timezone": " UTC",
        "publisher": f"\n  name:{scalar(site_title or 'Imported archive')}",
        "sections": body or f"\n  {DEFAULT_SECTION}:\n    title: News",
        # An archive repeats itself (a gallery twice, a pasted paragraph): a finding for a
        # person, not a site that cannot be published.
        "check": "\n  rules: {duplicate-paragraph: warning}",
    }
    notes = {
        "timezone": "Imported: the archive does not say; set the newsroom's.",
        "check": "Imported: repeated paragraphs are warnings until the archive is reviewed.",
        "host": "WordPress's old addresses with a query (/?p=123) redirect only on netlify, "
        "nginx or apache: set host, then import again to add them as aliases.",
    }
    plan.add("site.yaml", render_site_yaml(values, notes), origin)
    plan.note("site.yaml", None, "written by the import: check its timezone, base_url and sections")
