"""What every importer shares: the files an import plans, written only where nobody edited
them since (the record of what was imported), and the report of what needs a person."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from gen.init.siteyaml import scalar
from gen.urls import slugify

RECORD = ".dateline-import.json"
REPORT = "import-report.md"
# Front matter keys in the order a story file shows them.
FRONT_ORDER = (
    "title",
    "author",
    "date",
    "updated",
    "section",
    "tags",
    "summary",
    "slug",
    "draft",
    "image",
    "aliases",
)


@dataclass(frozen=True, slots=True)
class Note:
    """Something a person must look at: where (a file and line, in the export or written)
    and what."""

    path: str
    line: int | None
    text: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.text}"


@dataclass(slots=True)
class PlanBuilder:
    """Collects an import's files, notes and counts while an importer reads its source."""

    kind: str
    files: dict[str, bytes] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, rel: str, data: bytes | str, origin: str) -> None:
        """Plan `rel` (a path under the site) to hold `data`."""
        self.files[rel] = data.encode("utf-8") if isinstance(data, str) else data
        self.origins[rel] = origin

    def note(self, path: str, line: int | None, text: str) -> None:
        """Something for a person, at `path:line`."""
        self.notes.append(Note(path, line, text))

    def count(self, what: str, n: int = 1) -> None:
        """Add `n` to the count of `what` (shown in the report)."""
        self.counts[what] = self.counts.get(what, 0) + n

    def plan(self) -> Plan:
        """The finished plan."""
        notes = tuple(dict.fromkeys(self.notes))  # one note per place and text
        return Plan(self.kind, dict(self.files), dict(self.origins), notes, dict(self.counts))


@dataclass(frozen=True, slots=True)
class Plan:
    """Every file an import would write (path → bytes), where each came from, and notes."""

    kind: str
    files: Mapping[str, bytes]
    origins: Mapping[str, str]
    notes: tuple[Note, ...]
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Applied:
    """What writing a plan did, file by file."""

    written: tuple[str, ...]  # new or updated
    unchanged: tuple[str, ...]
    edited: tuple[str, ...]  # changed by someone since the last import: left as they are
    deleted: tuple[str, ...]  # removed by someone since the last import: not written again
    foreign: tuple[str, ...]  # there before any import, or not a plain file: never touched


def story_text(front: Mapping[str, Any], body: str) -> str:
    """A story file: front matter (in `FRONT_ORDER`, values YAML reads back as given), then
    the body."""
    lines = ["---"]
    for key in FRONT_ORDER:
        value = front.get(key)
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}:{yaml_value(v)}" for k, v in value.items() if v not in (None, "")]
        else:
            lines.append(f"{key}:{yaml_value(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + body.strip("\n") + "\n"


def yaml_value(value: Any) -> str:
    """A value as YAML after `key:` (a moment as ISO 8601, which YAML reads as a date)."""
    if isinstance(value, datetime | date):
        return " " + value.isoformat()
    return scalar(value)


def author_text(name: str) -> str:
    """An author file for `name`."""
    return f"name:{scalar(name)}\n"


def unique_slug(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3` … if taken; the result is added to `taken`."""
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate)
    return candidate


def make_id(text: str, fallback: str) -> str:
    """An id (author, section, tag) from a name: a slug, or `fallback`."""
    return slugify(text) or fallback


def sha256(data: bytes) -> str:
    """The hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def read_record(site: Path) -> dict[str, dict[str, str]]:
    """The record of the last import (path → {sha256, from}); empty if none or unreadable."""
    try:
        data = json.loads((site / RECORD).read_text(encoding="utf-8"))
        files = data["files"]
        return {
            str(k): {"sha256": str(v["sha256"]), "from": str(v["from"])} for k, v in files.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def apply_plan(site: Path, plan: Plan) -> Applied:
    """Write the plan's files into `site`: a file is written if new, or if it holds what the
    last import wrote (by its hash in the record); one changed or removed since is left as
    it is, and one no import wrote is never touched. The record is written last."""
    record = read_record(site)
    root = site.resolve()
    written, unchanged, edited, deleted, foreign = [], [], [], [], []
    for rel in sorted(plan.files):
        data = plan.files[rel]
        path = site / rel
        if not _inside(path, root):
            foreign.append(rel)
            continue
        known = record.get(rel)
        current = _read_plain(path)
        if current == data:
            unchanged.append(rel)  # as this import would write it (an interrupted run's too)
        elif (current is None and path.exists()) or path.is_symlink():
            foreign.append(rel)  # a folder, a link, something not a file
            continue
        elif current is None and known is not None:
            deleted.append(rel)
            continue
        elif current is not None and known is None:
            foreign.append(rel)
            continue
        elif current is not None and known is not None and sha256(current) != known["sha256"]:
            edited.append(rel)
            continue
        else:
            write_file(path, data)
            written.append(rel)
        record[rel] = {"sha256": sha256(data), "from": plan.origins[rel]}
    text = json.dumps({"version": 1, "files": record}, indent=1, sort_keys=True) + "\n"
    if _read_plain(site / RECORD) != text.encode("utf-8"):
        write_file(site / RECORD, text.encode("utf-8"))
    return Applied(tuple(written), tuple(unchanged), tuple(edited), tuple(deleted), tuple(foreign))


def _inside(path: Path, root: Path) -> bool:
    """True if `path` (not yet resolved) stays inside `root` once links are followed."""
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def _read_plain(path: Path) -> bytes | None:
    """The bytes of a regular file that is not a link, or None."""
    if path.is_symlink() or not path.is_file():
        return None
    return path.read_bytes()


def write_file(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a hidden temporary file beside it, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with tmp.open("xb") as handle:
            handle.write(data)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def render_report(plan: Plan, applied: Applied, source: str) -> str:
    """import-report.md: the counts, the files left as they are, and every note, sorted by
    file and line; the same for the same import (what this run wrote is printed, not kept)."""
    out = [
        "# Import report",
        "",
        f"Imported from {plan.kind}: `{source}`. Dateline rewrites this file on every import.",
        "",
        "## Counts",
        "",
        "| what | count |",
        "| --- | --- |",
    ]
    out += [f"| {what} | {n} |" for what, n in plan.counts.items()]
    out += [
        f"| items needing a person | {len(plan.notes) + len(applied.edited)} |",
        "",
    ]
    kept = (
        (
            applied.edited,
            "edited since the last import: left as edited (the import's new "
            "version is not written)",
        ),
        (
            applied.deleted,
            "deleted since the last import: not written again (remove its "
            f"entry from {RECORD} to import it again)",
        ),
        (applied.foreign, "not written by an import, or not a plain file: left as it is"),
    )
    if any(paths for paths, _ in kept):
        out += ["## Files left as they are", ""]
        for paths, why in kept:
            out += [f"- `{rel}`: {why}" for rel in paths]
        out.append("")
    out += [f"## Needs a person ({len(plan.notes)})", ""]
    notes = sorted(plan.notes, key=lambda n: (n.path, n.line or 0, n.text))
    out += [f"- {_markdown_text(str(note))}" for note in notes] or ["Nothing."]
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_text(text: str) -> str:
    """A note as Markdown text: markup in it shown, not read (`<!-- wp:… -->` stays visible)."""
    return text.replace("\\", "\\\\").replace("<", "&lt;").replace("[", "\\[").replace("*", "\\*")
