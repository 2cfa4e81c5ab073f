"""The build cache under `.cache/` beside site.yaml: safe to delete, never trusted blindly."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from gen.images import ENCODER_VERSION, render_variants
from gen.model import OutputFile, Variant

CACHE_DIR = ".cache"


class ImageCache:
    """Processed image variants, keyed by the source bytes and the variants asked for.

    Each entry is a folder renamed into place only when complete, so a crash mid-write
    leaves no half entry; an entry missing a file is made again.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root / "images" if root is not None else None
        self.hits = 0
        self.misses = 0

    def variants(self, data: bytes, variants: tuple[Variant, ...]) -> list[OutputFile]:
        """The encoded variants of an image, from the cache or made now (ValueError if corrupt)."""
        key = self.key(data, variants)
        folder = self.root / key if self.root is not None else None
        if folder is not None and folder.is_dir():
            try:
                files = [OutputFile(v.path, (folder / _name(v)).read_bytes()) for v in variants]
            except OSError:
                files = []
            if files:
                self.hits += 1
                return files
        self.misses += 1
        files = render_variants(data, variants)
        if folder is not None:
            self.store(folder, variants, files)
        return files

    @staticmethod
    def key(data: bytes, variants: tuple[Variant, ...]) -> str:
        """Content hash of the source plus everything that shapes the output."""
        digest = hashlib.sha256(data)
        digest.update(ENCODER_VERSION.encode())
        for v in variants:
            digest.update(f"|{v.width}x{v.height}:{v.mime}:{_name(v)}".encode())
        return digest.hexdigest()[:40]

    def store(self, folder: Path, variants: tuple[Variant, ...], files: list[OutputFile]) -> None:
        """Write an entry atomically; a cache that cannot be written is only slower."""
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        except OSError:
            return
        try:
            for variant, file in zip(variants, files, strict=True):
                (tmp / _name(variant)).write_bytes(file.data)
            tmp.replace(folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)


def _name(variant: Variant) -> str:
    return variant.path.rsplit("/", 1)[-1]
