"""Images (Pillow): sizes read without decoding, resized variants, metadata always stripped.

A photograph must never reveal where a reporter stood: every published raster image is
re-encoded from its pixels, so EXIF (GPS, camera serial, time), XMP, IPTC and comments are
gone, while the EXIF orientation is applied and the colour profile kept.

Every file under content/ is looked at, whatever its name says, and published by what it is:

- JPEG (.jpg .jpeg .jfif .jpe, and the multi-picture JPEGs phones make), PNG, WebP and AVIF:
  re-encoded in each width as WebP and in their own format; the full size keeps its path.
- GIF: re-encoded as a GIF at its path, every frame of an animation kept with its timing and
  looping; comments, XMP and every other extension dropped.
- Every other raster format Pillow reads (TIFF, BMP, ICO, PSD, JPEG 2000 …) and HEIF and JPEG
  XL: refused. Browsers cannot show most of them, and a refusal names the file.
- SVG: published as it is only if it is plain drawing: no script, event handler,
  foreignObject, javascript: or data: URL, reference to another file, @import or DOCTYPE.
- Any image whose header declares more than `MAX_IMAGE_MEGAPIXELS` (a decompression bomb)
  is refused before a pixel is decoded.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps

from gen.cache import load_folder, store_folder
from gen.config import SiteConfig
from gen.errors import ErrorReport
from gen.model import OutputFile, Site, Variant
from gen.outputs.inspect import (
    AVIF_QUALITY,
    ENCODER_VERSION,
    JPEG_QUALITY,
    WEBP_QUALITY,
    _open,
    _orientation,
    _pillow_guard,
    _TooLarge,
    about,
    gif_variant,
    inspect_asset,
)


def render_variants(data: bytes, variants: tuple[Variant, ...]) -> list[OutputFile]:
    """Encode every planned variant from the pixels: resized, oriented, metadata-free.

    Raises ValueError if the image cannot be decoded.
    """
    try:
        with _pillow_guard():
            opened = _open(data)
            if opened is None:
                raise ValueError("not an image")
            with opened:
                if variants and all(v.mime == "image/gif" for v in variants):
                    return [OutputFile(v.path, encode(opened, v.mime, None)) for v in variants]
                upright = _orientation(opened) == 1  # read as `read_header` did
                opened.load()
                icc = opened.info.get("icc_profile")
                img = opened.copy() if upright else ImageOps.exif_transpose(opened)
            # Only the pixels go on: a palette's transparency is all of `info` that is kept.
            img.info = {k: v for k, v in img.info.items() if k == "transparency"}
            files = []
            for variant in variants:
                sized = (
                    img
                    if img.width == variant.width
                    else img.resize((variant.width, variant.height), PILImage.Resampling.LANCZOS)
                )
                files.append(OutputFile(variant.path, encode(sized, variant.mime, icc)))
            return files
    except (_TooLarge, PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise ValueError(f"is too large to decode safely ({exc})") from None
    except ValueError as exc:
        raise ValueError(f"cannot be decoded ({exc})") from None
    except Exception as exc:  # a decoder's failure is the file's problem
        raise ValueError(f"cannot be decoded ({exc or type(exc).__name__})") from None


def encode(img: PILImage.Image, mime: str, icc: bytes | None) -> bytes:
    """One image file with only pixels and colour profile: no EXIF, XMP, IPTC or comments."""
    if mime == "image/gif":
        return encode_gif(img)
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if mime == "image/jpeg":
        rgb = img if img.mode in ("RGB", "L", "CMYK") else img.convert("RGB")
        # comment=b"": Pillow would otherwise copy the source's JPEG comment (COM) across.
        rgb.save(
            out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, comment=b"", **extra
        )
    elif mime in ("image/webp", "image/avif"):
        pic = (
            img
            if img.mode in ("RGB", "RGBA")
            else img.convert("RGBA" if _has_alpha(img) else "RGB")
        )
        if mime == "image/webp":
            pic.save(out, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
        else:
            pic.save(out, "AVIF", quality=AVIF_QUALITY, **extra)
    else:
        clean = img.copy()
        # PNG text chunks (tEXt, iTXt, eXIf) would otherwise be kept; a palette's
        # transparency is not metadata.
        clean.info = {k: v for k, v in img.info.items() if k == "transparency"}
        clean.save(out, "PNG", optimize=True, **extra)
    return out.getvalue()


def encode_gif(img: PILImage.Image) -> bytes:
    """A GIF of `img`'s frames with their timing and looping only: no comment, XMP, or
    application extension but the one that loops an animation.

    Each frame is Pillow's composed picture: with transparency each is drawn whole after the
    last is cleared (disposal 2); without, over the last (disposal 1), so Pillow writes only
    what changed, with one palette. A frame that would grow the picture is refused: the
    header's size, checked against the limit with the number of frames, is the most decoded.
    """
    size = img.size
    frames: list[PILImage.Image] = []
    durations: list[int] = []
    loop = img.info.get("loop")
    count = getattr(img, "n_frames", 1)
    for index in range(count):
        img.seek(index)
        if img.size != size:
            raise ValueError(f"frame {index + 1} is larger than the image")
        durations.append(int(img.info.get("duration") or 0))
        frame = img.convert("RGBA")
        frame.info = {}
        frames.append(frame)
    clear = any(frame.getchannel("A").getextrema()[0] != 255 for frame in frames)
    if not clear:  # opaque: RGB frames let Pillow share one palette between them
        frames = [frame.convert("RGB") for frame in frames]
    out = io.BytesIO()
    options: dict[str, object] = {"comment": b""}
    if count > 1:
        options.update(
            save_all=True, append_images=frames[1:], duration=durations, disposal=2 if clear else 1
        )
        if loop is not None:
            options["loop"] = int(loop)
    frames[0].save(out, "GIF", **options)
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
    """Content files as published: raster images re-encoded in every width, metadata stripped;
    a file that cannot be published safely is an error at the lines that show it, or at the
    file itself. Every such error of the build is reported together."""
    refs: dict[str, list[str]] = {}
    for article in site.articles:
        for image in (article.image, *article.body_images):
            if image is not None:
                refs.setdefault(image.src, []).append(image.ref)

    def error(asset: OutputFile, message: str, told: str) -> None:
        for ref in refs.get(asset.path, ()):
            path, _, line = ref.rpartition(":")
            report.error(path, int(line) if line.isdigit() else None, told)
        if asset.path not in refs:
            report.error(f"content/{asset.path}", None, message)

    planned: list[tuple[OutputFile, tuple[Variant, ...] | None]] = []
    for asset in site.files:
        found = inspect_asset(
            asset.path, asset.data, config.image_widths, config.max_image_megapixels
        )
        if found.problem:
            error(asset, found.problem, about(asset.path, found.problem))
        elif found.kind != "raster" or found.info is None:
            planned.append((asset, None))  # a checked SVG, or not an image: as it is
        else:
            planned.append((asset, found.variants or (gif_variant(asset.path, found.info),)))
    clashing = report_clashes(
        [
            (asset.path, [v.path for v in variants or ()] or [asset.path])
            for asset, variants in planned
        ],
        report,
    )
    files: list[OutputFile] = []
    for asset, variants in planned:
        if asset.path in clashing:
            continue
        if variants is None:
            files.append(asset)
            continue
        try:
            files.extend(cache.variants(asset.data, variants))
        except ValueError as exc:
            error(asset, f"image {exc}", f"image '{asset.path}' {exc}")
    return files


def report_clashes(plans: list[tuple[str, list[str]]], report: ErrorReport) -> set[str]:
    """An error naming both sources for every published file two files under content/ would
    each make (f2-jpg-480.webp, made from f2.jpg, and a file of that name); the sources
    involved. `plans` pairs each source with the paths it is published at."""
    made_by: dict[str, str] = {}
    clashing: set[str] = set()
    for source, outputs in sorted(plans):
        for output in outputs:
            other = made_by.setdefault(output, source)
            if other != source:
                clashing.update((other, source))
                report.error(
                    f"content/{source}",
                    None,
                    f"{output} would be published from both content/{other} and "
                    f"content/{source}; rename one of them",
                )
    return clashing


def is_raster(path: str) -> bool:
    """True for the names of the raster formats Dateline publishes (re-encoded); files are
    classified by their bytes (`inspect_asset`), whatever their names."""
    return path.lower().endswith(
        (".jpg", ".jpeg", ".jfif", ".jpe", ".png", ".webp", ".avif", ".gif")
    )
