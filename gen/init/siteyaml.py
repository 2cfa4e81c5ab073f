"""site.yaml for a new site: every setting under its own description, taken from the
declarations in `gen.config` (so the file never drifts from them), the chosen values filled
in and every other setting commented out at its default (pure)."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import MISSING, fields
from typing import Any

from gen.check.settings import KEYS as CHECK_KEYS
from gen.check.settings import CheckSettings
from gen.config import KEYS, SiteConfig
from gen.config_parts import PublishSettings

WIDTH = 96  # characters of a comment line
# Text YAML reads back as itself without quotes: letters, digits, spaces and a few marks, never
# ": ", " #" or a leading mark that means something else.
PLAIN = re.compile(r"[^\W\d_/][\w/{}.'’ -]*[\w/}.'’-]|[^\W\d_]|/[\w/{}.-]*")
# Words YAML reads as something other than text.
NOT_TEXT = re.compile(r"(?i)(?:true|false|yes|no|on|off|null|~|y|n)")
HEADER = """\
# The site's settings, each under its description. A setting commented out shows its default:
# remove the "# " to change it. README.md's "site.yaml" table says more about each.
"""


def render_site_yaml(values: dict[str, str], notes: dict[str, str] | None = None) -> str:
    """site.yaml's text: each key of `KEYS` in order under its doc (and its note, if any);
    `values` (key → YAML text after the colon) filled in, the rest at their defaults,
    commented out. A required key without a value is a bug."""
    notes = notes or {}
    defaults = _defaults()
    parts = [HEADER]
    for key, (required, doc) in KEYS.items():
        lines = [*_comment(doc), *_comment(notes.get(key, ""))]
        if key in values:
            lines.append(f"{key}:{values[key]}")
        elif required:
            raise ValueError(f"site.yaml needs a value for '{key}'")
        else:
            lines += ["# " + line for line in f"{key}:{_yaml(key, defaults[key])}".splitlines()]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def scalar(value: Any) -> str:
    """A value as YAML after `key:`: plain when that reads back as the same text."""
    if isinstance(value, bool):
        return " true" if value else " false"
    if isinstance(value, int):
        return f" {value}"
    if isinstance(value, tuple | list):
        return " [" + ", ".join(scalar(v).strip() for v in value) + "]"
    text = str(value)
    if PLAIN.fullmatch(text) and not NOT_TEXT.fullmatch(text):
        return f" {text}"
    return " " + json.dumps(text, ensure_ascii=False)  # a JSON string is YAML's double-quoted


def _defaults() -> dict[str, Any]:
    """Each optional key's default, as the key's value in site.yaml."""
    return {
        f.metadata["key"] or f.name: f.default
        for f in fields(SiteConfig)
        if f.default is not MISSING
    }


def _yaml(key: str, default: Any) -> str:
    """A default as YAML after `key:` (settings that are mappings in site.yaml included)."""
    if key == "markdown":
        return f" {{engine: {default}}}"
    if key == "feeds":  # each kind of list and its formats
        return "".join(f"\n  {kind}: [{', '.join(formats)}]" for kind, formats in default)
    if isinstance(default, PublishSettings):
        return f" {{purge_command:{scalar(list(default.purge_command))}}}"
    if isinstance(default, CheckSettings):
        values = {
            "rules": "{}",
            "headline_length": str(default.headline_length),
            "summary_length": str(default.summary_length),
            "style_in_quotes": scalar(default.style_in_quotes).strip(),
        }
        width = max(len(k) + len(v) for k, v in values.items()) + 4
        return "".join(
            f"\n  {f'{name}: {values[name]}':<{width}}# {doc}" for name, doc in CHECK_KEYS.items()
        )
    return scalar(default)


def _comment(text: str) -> list[str]:
    """`text` as comment lines."""
    return ["# " + line for line in textwrap.wrap(text, WIDTH - 2)] if text else []
