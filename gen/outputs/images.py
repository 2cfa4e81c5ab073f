"""Images (Pillow): sizes read without decoding, resized variants, metadata always stripped.

A photograph must never reveal where a reporter stood: every published raster image is
re-encoded from its pixels, so EXIF (GPS, camera serial, time), XMP, IPTC and comments are
gone, while the EXIF orientation is applied and the colour profile kept.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from gen.cache import load_folder, store_folder
from gen.config import SiteConfig
from gen.errors import ErrorReport
from gen.model import OutputFile, Site, Variant

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}
DEFAULT_WIDTHS = (480, 960, 1600)
# Formats we re-encode (and so strip); GIF and SVG are published as they are.
RESIZABLE = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_EXTENSION = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
JPEG_QUALITY = 82
WEBP_QUALITY = 78
ENCODER_VERSION = "2"  # part of the cache key: bump when encoding settings change
# Orientations that swap width and height (EXIF 5–8: rotated by 90° one way or the other).
_SWAPS = {5, 6, 7, 8}


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the header says: the displayed size (orientation applied) and the format."""

    width: int
    height: int
    format: str  # Pillow's name: JPEG, PNG, WEBP, GIF …


def image_info(data: bytes) -> ImageInfo | None:
    """Size and format of an image without decoding its pixels; None if not an image."""
    try:
        with PILImage.open(io.BytesIO(data)) as img:
            width, height = img.size
            if img.format in ("JPEG", "WEBP", "PNG", "TIFF"):
                orientation = img.getexif().get(0x0112)
                if orientation in _SWAPS:
                    width, height = height, width
            return ImageInfo(width, height, img.format or "")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as displayed, or None if unreadable."""
    info = image_info(data)
    return (info.width, info.height) if info else None


def plan_variants(src: str, info: ImageInfo, widths: tuple[int, ...]) -> tuple[Variant, ...]:
    """The files an image is published as: each width up to its own (never upscaled), as WebP
    and in its own format; the full size in its own format keeps the original path."""
    mime = RESIZABLE.get(info.format)
    if mime is None:
        return ()
    stem, _, _ = src.rpartition(".")
    sizes = sorted({w for w in widths if w < info.width} | {info.width})
    variants = []
    for width in sizes:
        height = max(1, round(info.height * width / info.width))
        full = width == info.width
        if mime == "image/webp":  # one file per width: the full size keeps the original path
            variants.append(Variant(width, height, src if full else f"{stem}-{width}.webp", mime))
            continue
        variants.append(Variant(width, height, f"{stem}-{width}.webp", "image/webp"))
        variants.append(
            Variant(width, height, src if full else f"{stem}-{width}{_EXTENSION[mime]}", mime)
        )
    return tuple(variants)


def render_variants(data: bytes, variants: tuple[Variant, ...]) -> list[OutputFile]:
    """Encode every planned variant from the pixels: resized, oriented, metadata-free.

    Raises ValueError if the image cannot be decoded.
    """
    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            opened.load()
            icc = opened.info.get("icc_profile")
            img = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ValueError(f"cannot be decoded ({exc})") from None
    files = []
    for variant in variants:
        sized = (
            img
            if img.width == variant.width
            else img.resize((variant.width, variant.height), PILImage.Resampling.LANCZOS)
        )
        files.append(OutputFile(variant.path, encode(sized, variant.mime, icc)))
    return files


def encode(img: PILImage.Image, mime: str, icc: bytes | None) -> bytes:
    """One image file with only pixels and colour profile: no EXIF, XMP, IPTC or comments."""
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if mime == "image/jpeg":
        rgb = img if img.mode in ("RGB", "L", "CMYK") else img.convert("RGB")
        # comment=b"": Pillow would otherwise copy the source's JPEG comment (COM) across.
        rgb.save(
            out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, comment=b"", **extra
        )
    elif mime == "image/webp":
        pic = (
            img
            if img.mode in ("RGB", "RGBA")
            else img.convert("RGBA" if _has_alpha(img) else "RGB")
        )
        pic.save(out, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
    else:
        clean = img.copy()
        clean.info = {}  # PNG text chunks (tEXt, iTXt, eXIf) would otherwise be kept
        clean.save(out, "PNG", optimize=True, **extra)
    return out.getvalue()


def _has_alpha(img: PILImage.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)


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
        found = load_folder(folder) if folder is not None else None
        if found is not None and all(_name(v) in found for v in variants):
            self.hits += 1
            return [OutputFile(v.path, found[_name(v)]) for v in variants]
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
        """Keep the encoded variants of one image."""
        store_folder(folder, {_name(v): f.data for v, f in zip(variants, files, strict=True)})


def _name(variant: Variant) -> str:
    return variant.path.rsplit("/", 1)[-1]


def publish_assets(
    site: Site, config: SiteConfig, cache: ImageCache, report: ErrorReport
) -> list[OutputFile]:
    """Content files as published: raster images re-encoded in every width, metadata stripped."""
    refs: dict[str, list[str]] = {}
    for article in site.articles:
        for image in (article.image, *article.body_images):
            if image is not None:
                refs.setdefault(image.src, []).append(image.ref)
    files: list[OutputFile] = []
    for asset in site.files:
        info = image_info(asset.data) if is_raster(asset.path) else None
        variants = plan_variants(asset.path, info, config.image_widths) if info else ()
        if not variants:
            files.append(asset)
            continue
        try:
            files.extend(cache.variants(asset.data, variants))
        except ValueError as exc:
            for ref in refs.get(asset.path, [f"content/{asset.path}:"]):
                path, _, line = ref.rpartition(":")
                report.error(path, int(line) if line else None, f"image '{asset.path}' {exc}")
    return files


def is_raster(path: str) -> bool:
    """True for the image formats Dateline re-encodes."""
    return path.lower().endswith((".jpg", ".jpeg", ".png", ".webp"))
