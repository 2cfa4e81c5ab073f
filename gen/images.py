"""Images (Pillow): sizes read without decoding, resized variants, metadata always stripped.

A photograph must never reveal where a reporter stood: every published raster image is
re-encoded from its pixels, so EXIF (GPS, camera serial, time), XMP, IPTC and comments are
gone, while the EXIF orientation is applied and the colour profile kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from gen.model import OutputFile, Variant

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
