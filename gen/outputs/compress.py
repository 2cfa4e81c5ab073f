"""Pre-compressed copies (`compress: true`): `page.html.gz` and `page.html.br` beside each
text file, for servers and storage that send them as they are (nginx's gzip_static, S3).

The bytes are deterministic (gzip without a time or a name), and a copy is kept, not made
again, while its file is unchanged: a build after an edit compresses only what changed.
"""

from __future__ import annotations

import gzip
import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from gen.config import CONFIG_FILE
from gen.errors import ConfigError, Problem
from gen.model import OutputFile
from gen.outputs.spool import made_digest
from gen.outputs.state import OutputState

COMPRESSIBLE = (".html", ".css", ".js", ".xml", ".json", ".txt", ".svg")
SUFFIXES = (".gz", ".br")
# Below this, a copy saves less than a network packet: the file is sent as it is.
MIN_SIZE = 1024
BROTLI_MISSING = "compress: true needs brotli: pip install 'dateline[compress]'"
# Brotli's best (quality 11) is some 40 times slower than quality 5 for a seventh less: worth
# it for the theme's files and the search code, made once and kept for long, not for pages.
LONG_LIVED = ("static/", "pagefind/")

Load = Callable[[OutputFile], bytes]
Intact = Callable[[str, str], bool]


def load_brotli() -> ModuleType:
    """The brotli module, or the build's error saying how to install it."""
    try:
        return importlib.import_module("brotli")  # an extra: dateline[compress]
    except ImportError:
        raise ConfigError([Problem(CONFIG_FILE, None, BROTLI_MISSING)]) from None


def compressed_copies(
    files: list[OutputFile], previous: OutputState, intact: Intact, load: Load
) -> list[OutputFile]:
    """The .gz and .br copies of the text files among `files`, each only where it is smaller.

    A file whose bytes the output already holds (`previous`, what the writer left) keeps
    the copies it has there, if they are `intact`; otherwise its bytes (`load` reads a kept
    file back) are compressed again.
    """
    brotli = load_brotli()
    copies: list[OutputFile] = []
    for file in files:
        if not file.path.endswith(COMPRESSIBLE):
            continue
        known = previous.get(file.path)
        if file.kept:
            digest, size = file.kept, known[1] if known is not None else MIN_SIZE
        else:
            digest, size = made_digest(file)
        if size < MIN_SIZE:
            continue
        kept = _kept_copies(file.path, digest, previous, intact)
        if kept:
            copies += kept
            continue
        data = load(file)
        for suffix, packed in zip(SUFFIXES, compress(file.path, data, brotli), strict=True):
            if len(packed) < len(data):
                copies.append(OutputFile(file.path + suffix, packed))
    return copies


def compress(path: str, data: bytes, brotli: Any) -> tuple[bytes, bytes]:
    """`data` gzipped (level 9, no time or name: the same bytes every build) and brotli'd."""
    quality = 11 if path.startswith(LONG_LIVED) else 5
    return (
        gzip.compress(data, compresslevel=9, mtime=0),
        bytes(brotli.compress(data, quality=quality, mode=brotli.MODE_TEXT)),
    )


def _kept_copies(path: str, digest: str, previous: OutputState, intact: Intact) -> list[OutputFile]:
    """The copies the output holds of the file at `path` as it is now (`digest`), if both
    are there as the writer left them; else none."""
    known = previous.get(path)
    if known is None or known[0] != digest:
        return []
    kept = []
    for suffix in SUFFIXES:
        copy = previous.get(path + suffix)
        if copy is None or not intact(path + suffix, copy[0]):
            return []
        kept.append(OutputFile(path + suffix, b"", kept=copy[0]))
    return kept
