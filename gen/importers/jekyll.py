"""`dateline import jekyll`: a Jekyll site's posts as stories."""

from __future__ import annotations

from pathlib import Path

from gen.importers.common import Plan
from gen.importers.trees import import_tree


def import_jekyll(source: Path, site: Path) -> Plan:
    """Plan every file an import of the Jekyll site at `source` writes into `site`."""
    return import_tree("jekyll", source, site)
