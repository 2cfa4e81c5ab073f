"""Running Pagefind: finding its binary, and indexing a set of pages with it into a bundle."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from gen.model import OutputFile
from gen.outputs.pagefind_format import BundleFormatError, canonical_bundle


class SearchUnavailable(Exception):
    """Pagefind is not installed or failed: the site builds without search."""


def find_pagefind() -> Path:
    """The Pagefind binary shipped by PyPI's pagefind-bin package."""
    try:
        import pagefind_bin
    except ImportError:
        raise SearchUnavailable(
            "search skipped: Pagefind is not installed (pip install 'pagefind[bin]')"
        ) from None
    try:
        return Path(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError) as exc:
        raise SearchUnavailable(f"search skipped: Pagefind's binary is missing ({exc})") from None


def check_available() -> None:
    """Raise SearchUnavailable unless Pagefind can run."""
    find_pagefind()


def run_pagefind(
    binary: Path, pages: list[OutputFile], load: Callable[[OutputFile], bytes]
) -> dict[str, bytes]:
    """Index `pages` with the Pagefind binary and return its (made deterministic) bundle."""
    with tempfile.TemporaryDirectory(prefix="dateline-search-", dir=_staging_root()) as tmp:
        site = Path(tmp) / "site"
        bundle = Path(tmp) / "bundle"
        for page in pages:
            target = site / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(load(page))
        site.mkdir(exist_ok=True)
        run = subprocess.run(
            [str(binary), "--site", str(site), "--output-path", str(bundle), "--quiet"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if run.returncode != 0:
            detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no message"]
            raise SearchUnavailable(f"search skipped: Pagefind failed: {detail[0]}")
        found = {
            p.relative_to(bundle).as_posix(): p.read_bytes()
            for p in bundle.rglob("*")
            if p.is_file()
        }
    try:
        return canonical_bundle(found)
    except BundleFormatError as exc:
        raise SearchUnavailable(f"search skipped: {exc}") from None


def _staging_root() -> str | None:
    """Where to stage pages for Pagefind: memory (/dev/shm) when the system offers it, as
    creating thousands of files on disk costs more than indexing them; else the temp folder."""
    shm = "/dev/shm"
    return shm if Path(shm).is_dir() and os.access(shm, os.W_OK | os.X_OK) else None
