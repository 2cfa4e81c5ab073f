"""What a file under content/ is, from its bytes: which image format, how large, whether it
can be published, all read from the header before a pixel is decoded (Pillow)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage

from gen.model import Variant
from gen.outputs.svg import svg_problem

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jfif": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}
DEFAULT_WIDTHS = (480, 960, 1600)
# The largest image decoded, in millions of pixels as its header declares them (an animated
# GIF: all its frames together). A site setting to be (`max_image_megapixels`).
MAX_IMAGE_MEGAPIXELS = 50
# A progressive JPEG is decoded once per scan: ten is usual, thousands a decompression bomb.
MAX_JPEG_SCANS = 100
# Formats re-encoded in every width (Pillow's name → the published type); MPO is a JPEG with
# more pictures after the first (a depth or HDR map), published as its first picture.
RESIZABLE = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
}
# Web formats: the resizable ones and GIF, re-encoded at its own size only.
WEB_FORMATS = {**RESIZABLE, "GIF": "image/gif"}
_EXTENSION = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/avif": ".avif",
}
JPEG_QUALITY = 82
WEBP_QUALITY = 78
AVIF_QUALITY = 70
ENCODER_VERSION = "3"  # part of the cache key: bump when encoding settings change
# Orientations that swap width and height (EXIF 5–8: rotated by 90° one way or the other).
_SWAPS = {5, 6, 7, 8}
_ORIENTED = ("JPEG", "MPO", "WEBP", "PNG", "AVIF")
# Formats Pillow can identify that are not raster images it decodes: PostScript, video,
# Windows metafiles, IPTC records and the stubs of scientific formats. Published as files.
_NOT_RASTER = frozenset({"EPS", "MPEG", "WMF", "IPTC", "BUFR", "GRIB", "HDF5"})
# Readers with no magic number whose header check is weak: tried only on their own names
# (Pillow's other magic-less readers check their headers closely and are tried on every file).
_BY_NAME_ONLY = frozenset({"TGA"})
_FORMAT_NAMES = {"JPEG2000": "JPEG 2000", "MPO": "JPEG", "WEBP": "WebP"}
# Photo formats Pillow does not read, known by their magic numbers (ISO-BMFF brands).
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs")
_JXL_MAGIC = (b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the header says: the displayed size (orientation applied) and the format."""

    width: int
    height: int
    format: str  # Pillow's name: JPEG, PNG, WEBP, GIF …
    frames: int = 1  # of an animation (a multi-picture JPEG counts 1: only its first shows)


@dataclass(frozen=True, slots=True)
class Inspection:
    """What a file under content/ is and how it is published.

    `kind` is "raster" (re-encoded, `info` and `variants` set), "svg" (checked, published as
    it is) or "file" (not an image: published as it is). `problem`, if set, says why the file
    cannot be published at all, as a sentence about the file: "TIFF is not a web image
    format; …", "image is 50000×50000 …".
    """

    kind: str
    info: ImageInfo | None = None
    variants: tuple[Variant, ...] = ()
    problem: str = ""


def about(src: str, problem: str) -> str:
    """`problem` said of the image `src` as a story names it, for an error at its line."""
    if problem.startswith("image "):
        return f"image '{src}' {problem.removeprefix('image ')}"
    return f"image '{src}': {problem}"


def inspect_asset(
    path: str, data: bytes, widths: tuple[int, ...], megapixels: int = MAX_IMAGE_MEGAPIXELS
) -> Inspection:
    """Classify one file under content/ (by its bytes, its name only for SVG) and find any
    reason not to publish it, `megapixels` the largest image decoded; no pixel is decoded."""
    suffix = Path(path).suffix.lower()
    if suffix == ".svgz":
        return Inspection("svg", problem="compressed SVG (.svgz) is not published; save it as .svg")
    if suffix == ".svg":
        return Inspection("svg", problem=svg_problem(data))
    foreign = _foreign_photo(data)
    if foreign:
        return Inspection("raster", problem=_not_web(foreign))
    try:
        info = read_header(data, path, megapixels)
    except _TooLarge as exc:
        return Inspection("raster", problem=f"image is too large to decode safely ({exc})")
    except _Unreadable as exc:
        return Inspection("raster", problem=f"image cannot be read ({exc})")
    if info is None:
        return Inspection("file")
    problem = raster_problem(data, info, megapixels)
    if problem:
        return Inspection("raster", info, problem=problem)
    variants = plan_variants(path, info, widths)
    return Inspection("raster", info, variants)


def raster_problem(data: bytes, info: ImageInfo, megapixels: int = MAX_IMAGE_MEGAPIXELS) -> str:
    """Why an identified raster image is refused ("" if it is not): not a web format, more
    than `megapixels` million pixels (an animation: in all its frames), an animation other
    than a GIF, too many JPEG scans."""
    if info.format not in WEB_FORMATS:
        return _not_web(info.format)
    pixels = info.width * info.height
    limit = megapixels * 1_000_000
    if pixels > limit:
        return (
            f"image is {info.width}×{info.height} ({millions(pixels)} megapixels); "
            f"the limit is {megapixels} megapixels"
        )
    if info.frames > 1 and info.format == "GIF" and pixels * info.frames > limit:
        return (
            f"image is {info.width}×{info.height} in {info.frames:,} frames "
            f"({millions(pixels * info.frames)} megapixels in all); "
            f"the limit is {megapixels} megapixels"
        )
    if info.frames > 1 and info.format not in ("GIF", "MPO"):
        name = _FORMAT_NAMES.get(info.format, info.format)
        return f"animated {name} is not published; make the animation a GIF or a video"
    if info.format in ("JPEG", "MPO"):
        scans = jpeg_scans(data)
        if scans > MAX_JPEG_SCANS:
            return (
                f"image has {scans:,} JPEG scans; the limit is {MAX_JPEG_SCANS} "
                "(save it again as a baseline JPEG)"
            )
    return ""


def jpeg_scans(data: bytes) -> int:
    """How many scans (SOS segments) a JPEG has, read from its markers alone."""
    scans, pos, end = 0, 2, len(data)
    while pos + 1 < end:
        if data[pos] != 0xFF:  # entropy-coded data: on to the next marker
            pos = data.find(b"\xff", pos)
            if pos < 0:
                break
            continue
        marker = data[pos + 1]
        if marker == 0xFF or marker == 0x00 or 0xD0 <= marker <= 0xD8 or marker == 0x01:
            pos += 1 if marker == 0xFF else 2  # fill byte, stuffed 0xFF, RSTn, SOI, TEM
            continue
        if marker == 0xD9 or pos + 4 > end:  # EOI
            break
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        scans += marker == 0xDA
        pos += 2 + max(length, 2)
    return scans


def millions(pixels: int) -> str:
    """'2,500' or '52.8': millions of pixels, one decimal below a hundred."""
    value = pixels / 1_000_000
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"


def _not_web(name: str) -> str:
    name = _FORMAT_NAMES.get(name, name)
    return f"{name} is not a web image format; convert it to JPEG or PNG"


def _foreign_photo(data: bytes) -> str:
    """The name of a photo format Pillow cannot read but cameras make (HEIF, JPEG XL), or ''."""
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    if data.startswith(_JXL_MAGIC):
        return "JPEG XL"
    return ""


class _TooLarge(Exception):
    """Pillow itself refused an image as a possible decompression bomb."""


class _Unreadable(Exception):
    """A file is an image by its magic number, but its header cannot be read."""


@contextmanager
def _pillow_guard() -> Iterator[None]:
    """Pillow's decompression-bomb warning as an error; its other warnings kept quiet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        yield


def _open(data: bytes, path: str = "") -> PILImage.Image | None:
    """The image `data` holds, its header read and no pixel decoded; None if not an image.

    Like `PIL.Image.open`, but without Pillow's own pixel limit (the caller applies
    `MAX_IMAGE_MEGAPIXELS`, so a bomb is refused with its size), and trying TGA only on a
    file named so; raises `_TooLarge` when a reader refuses the file as a decompression
    bomb.
    """
    # Pillow's common formats and WebP first: loading all of its readers (init) costs 25 ms,
    # most of a no-change build of a small site. Only a file none of them reads is tried
    # with every reader, in Pillow's own order (the common ones first there too).
    PILImage.preinit()
    _load_webp()
    found = _open_with_loaded(data, path)
    if found is None:
        loaded = len(PILImage.ID)
        PILImage.init()  # once per process: later calls return at once
        if len(PILImage.ID) > loaded:  # readers not tried yet
            found = _open_with_loaded(data, path)
    return found


def _load_webp() -> None:
    from PIL import WebPImagePlugin  # noqa: F401 (registers the reader)


def _open_with_loaded(data: bytes, path: str) -> PILImage.Image | None:
    """`_open` with the readers Pillow has loaded so far."""
    named = PILImage.EXTENSION.get(Path(path).suffix.lower())
    prefix = data[:16]
    with _pillow_guard():
        for name in PILImage.ID:
            if name in _NOT_RASTER or name not in PILImage.OPEN:
                continue
            if name in _BY_NAME_ONLY and name != named:
                continue
            factory, accept = PILImage.OPEN[name]
            try:
                verdict = accept(prefix) if accept is not None else True
                if not verdict or isinstance(verdict, str):
                    continue
                return factory(io.BytesIO(data), "")
            except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
                raise _TooLarge(str(exc)) from None
            except Exception:  # a reader's every failure means "not this format"
                continue
    return None


def image_info(data: bytes, path: str = "") -> ImageInfo | None:
    """Size and format of an image without decoding its pixels; None if not an image (or
    its header is damaged). The size is the header's, however large: check it first."""
    try:
        return read_header(data, path)
    except (_TooLarge, _Unreadable):
        return None


def read_header(
    data: bytes, path: str = "", megapixels: int = MAX_IMAGE_MEGAPIXELS
) -> ImageInfo | None:
    """`image_info`, raising `_TooLarge` if Pillow's reader refuses the header as a
    decompression bomb and `_Unreadable` if an image's header is damaged. Of an image over
    `megapixels`, to be refused, only the size and format are read."""
    img = _open(data, path)
    if img is None:
        return None
    with img:
        try:
            with _pillow_guard():
                width, height = img.size
                fmt = img.format or ""
                if fmt not in WEB_FORMATS or width * height > megapixels * 1_000_000:
                    return ImageInfo(width, height, fmt)  # refused: nothing more is read
                frames = 1 if fmt == "MPO" else int(getattr(img, "n_frames", 1))
                if _orientation(img) in _SWAPS:
                    width, height = height, width
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
            raise _TooLarge(str(exc)) from None
        except Exception as exc:  # a reader's failure past the magic number: a damaged file
            raise _Unreadable(str(exc) or type(exc).__name__) from None
    return ImageInfo(width, height, fmt, max(1, frames))


def _orientation(img: PILImage.Image) -> int:
    """The EXIF orientation (1 = upright) found without decoding a pixel.

    A PNG's eXIf chunk after its pixels is only read by decoding them all (Pillow's
    `getexif` would), so such a late chunk is ignored, when sizing and when rendering.
    """
    if img.format not in _ORIENTED or (img.format == "PNG" and "exif" not in img.info):
        return 1
    value = img.getexif().get(0x0112)
    return value if isinstance(value, int) else 1


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as displayed, or None if unreadable."""
    info = image_info(data)
    return (info.width, info.height) if info else None


def plan_variants(src: str, info: ImageInfo, widths: tuple[int, ...]) -> tuple[Variant, ...]:
    """The files an image is published as: each width up to its own (never upscaled), as WebP
    and in its own format; the full size in its own format keeps the original path.

    A resized file is named for its source with the extension kept, so that f2.jpg and
    f2.png each have their own: images/f2.jpg → images/f2-jpg-480.webp, images/f2-jpg-480.jpg.
    GIFs have none: they are re-encoded at their own path and size (`gif_variant`).
    """
    mime = RESIZABLE.get(info.format)
    if mime is None:
        return ()
    stem = variant_stem(src)
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


def variant_stem(src: str) -> str:
    """The path resized copies of `src` are named from: its extension, as written, becomes a
    word of the name ("images/f2.jpg" → "images/f2-jpg"; a name without one is kept)."""
    folder, slash, name = src.rpartition("/")
    base, dot, extension = name.rpartition(".")
    return folder + slash + (f"{base}-{extension}" if dot and base and extension else name)


def gif_variant(src: str, info: ImageInfo) -> Variant:
    """The one file a GIF is published as: itself, re-encoded."""
    return Variant(info.width, info.height, src, "image/gif")
