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
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps

from gen.cache import load_folder, store_folder
from gen.config import SiteConfig
from gen.errors import ErrorReport
from gen.model import OutputFile, Site, Variant

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
    PILImage.init()
    named = PILImage.registered_extensions().get(Path(path).suffix.lower())
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

    GIFs have none: they are re-encoded at their own path and size (`gif_variant`).
    """
    mime = RESIZABLE.get(info.format)
    if mime is None:
        return ()
    folder, slash, name = src.rpartition("/")
    base, dot, _ = name.rpartition(".")
    stem = folder + slash + (base if dot and base else name)
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


def gif_variant(src: str, info: ImageInfo) -> Variant:
    """The one file a GIF is published as: itself, re-encoded."""
    return Variant(info.width, info.height, src, "image/gif")


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


# --- SVG ---------------------------------------------------------------------------------

_PLAIN_SVG = "Dateline publishes only plain SVG"
_SVG_NS = "http://www.w3.org/2000/svg"
_SCRIPTS = frozenset({"script", "handler"})
_EMBEDS = frozenset(
    {"iframe", "embed", "object", "frame", "frameset", "applet", "meta", "base", "link"}
)
_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform"})
# Attributes whose value is a URL: only a fragment (#id) inside the same SVG may be named.
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "codebase", "poster", "background", "base"}
)
_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)]*?))\s*\)", re.IGNORECASE)
_CSS_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_REMOTE = re.compile(r"\s*(?://|(?:https?|ftp|file|blob|data|javascript|vbscript):)", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"(?:java|vb)script:", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def svg_problem(data: bytes) -> str:
    """Why an SVG file cannot be published ("" if it is plain drawing)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return f"SVG is not UTF-8 text; {_PLAIN_SVG}"
    if _DECLARATION.search(text):
        # Entities and DTDs are how XML reads other files and multiplies itself: never parsed.
        return f"SVG holds a DOCTYPE or ENTITY declaration (delete it); {_PLAIN_SVG}"
    scan = _SvgScan()
    parser = ET.XMLParser(target=scan)
    try:
        parser.feed(text)
        parser.close()
    except ET.ParseError as exc:
        return f"SVG is not well-formed XML ({exc})"
    except RecursionError:
        return "SVG nests its elements too deeply"
    if scan.found:
        found = list(dict.fromkeys(scan.found))
        listed = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
        return f"SVG holds {listed}; {_PLAIN_SVG}"
    if scan.root != f"{{{_SVG_NS}}}svg":
        return f"the file is not an SVG image (its root element is <{_local(scan.root)}>)"
    return ""


class _SvgScan:
    """An ElementTree parser target that notes what makes an SVG more than a drawing."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.root = ""
        self.stack: list[str] = []
        self.style: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if not self.root:
            self.root = tag
        name = _local(tag).lower()
        self.stack.append(name)
        if name in _SCRIPTS:
            self.found.append("a script")
        elif name == "foreignobject":
            self.found.append("a foreignObject")
        elif name in _EMBEDS:
            self.found.append(f"an <{_local(tag)}> element")
        for key, value in attrib.items():
            self.attribute(name, _local(key).lower(), value)

    def attribute(self, element: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.found.append(f"an event handler attribute '{name}'")
        if _SCRIPT_URL.search(_INVISIBLE.sub("", value)):
            self.found.append("a javascript: URL")
        elif name in _URL_ATTRIBUTES:
            self.url(value)
        elif name == "style" or "url(" in value.lower():
            self.css(value)
        if element in _ANIMATIONS and name == "attributename":
            animated = _local(value.strip()).lower()
            if animated in _URL_ATTRIBUTES or animated.startswith("on"):
                self.found.append(f"an animation of '{value.strip()}'")

    def url(self, value: str) -> None:
        """A URL must name a fragment of this same file."""
        target = value.strip()
        if not target or target.startswith("#"):
            return
        if _SCRIPT_URL.match(_INVISIBLE.sub("", target)):
            self.found.append("a javascript: URL")
        elif target.lower().startswith("data:"):
            self.found.append("an embedded file (a data: URL)")
        else:
            self.found.append(f"an external reference '{_shorten(target)}'")

    def css(self, text: str) -> None:
        """Style sheets may load nothing: no @import, no url() but fragments, no remote string."""
        plain = _CSS_COMMENT.sub("", _css_unescape(text))
        if "@import" in plain.lower():
            self.found.append("an @import")
        if _SCRIPT_URL.search(_INVISIBLE.sub("", plain)) or "expression(" in plain.lower():
            self.found.append("a script")
        for match in _CSS_URL.finditer(plain):
            self.url(next(g for g in match.groups() if g is not None))
        for match in _CSS_STRING.finditer(_CSS_URL.sub("", plain)):
            string = next(g for g in match.groups() if g is not None)
            if _REMOTE.match(string):
                self.found.append(f"an external reference '{_shorten(string.strip())}'")

    def end(self, tag: str) -> None:
        if self.stack.pop() == "style":
            self.css("".join(self.style))
            self.style.clear()

    def data(self, text: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.style.append(text)

    def pi(self, target: str, text: str) -> None:
        if target.lower() == "xml-stylesheet":
            self.found.append("an external style sheet (<?xml-stylesheet?>)")

    def doctype(self, name: str, pubid: str, system: str) -> None:
        self.found.append("a DOCTYPE declaration")

    def close(self) -> None:
        return None


def _local(tag: str) -> str:
    """'script' of '{http://www.w3.org/2000/svg}script' or of 'xlink:script'."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _css_unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return match.group(2)

    return _CSS_ESCAPE.sub(replace, text)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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

    files: list[OutputFile] = []
    for asset in site.files:
        found = inspect_asset(
            asset.path, asset.data, config.image_widths, config.max_image_megapixels
        )
        if found.problem:
            error(asset, found.problem, about(asset.path, found.problem))
            continue
        if found.kind != "raster" or found.info is None:
            files.append(asset)  # a checked SVG, or not an image
            continue
        variants = found.variants or (gif_variant(asset.path, found.info),)
        try:
            files.extend(cache.variants(asset.data, variants))
        except ValueError as exc:
            error(asset, f"image {exc}", f"image '{asset.path}' {exc}")
    return files


def is_raster(path: str) -> bool:
    """True for the names of the raster formats Dateline publishes (re-encoded); files are
    classified by their bytes (`inspect_asset`), whatever their names."""
    return path.lower().endswith(
        (".jpg", ".jpeg", ".jfif", ".jpe", ".png", ".webp", ".avif", ".gif")
    )
