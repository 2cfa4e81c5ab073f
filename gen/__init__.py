"""Dateline: a static site generator for newsrooms."""

import hashlib
from functools import lru_cache
from pathlib import Path

__version__ = "0.1.0"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of Dateline's own code, every module of every sub-package: a new version may
    read, convert or render the same inputs differently, so every cache is keyed by it."""
    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    for path in sorted(here.rglob("*.py")):
        digest.update(path.relative_to(here).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
