"""`dateline import hugo`: a Hugo site's content as stories."""

from __future__ import annotations

from pathlib import Path

from gen.importers.common import Plan
from gen.importers.trees import import_tree


def import_hugo(source: Path, site: Path) -> Plan:
    """Plan every file an import of the Hugo site at `source` writes into `site`."""
    return import_tree("hugo", source, site)
