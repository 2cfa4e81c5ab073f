"""Hostile images (issue "Hardening", items 2 and 8).

Every raster format Pillow reads is either re-encoded without metadata or refused at its
file; a decompression bomb is refused from its header, fast; an SVG that is more than a
drawing is refused. Each image here carries GPS EXIF, XMP, a comment and IPTC where its
format allows, every field with a marker string, and every output byte is searched for them.
"""

from __future__ import annotations

import io
import re
import resource
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image as PILImage
from PIL import ImageSequence, PngImagePlugin, TiffImagePlugin

from gen.errors import ErrorReport, Problem
from gen.outputs.images import render_variants
from gen.outputs.inspect import (
    MAX_IMAGE_MEGAPIXELS,
    gif_variant,
    image_info,
    inspect_asset,
    jpeg_scans,
    plan_variants,
    svg_problem,
)
from gen.source.images import ImageFinder
from gen.source.read import Asset
from tests.conftest import CLOCK, REPO, SITE_YAML, article, build, make_site, output_files

SITE = SITE_YAML + "search: false\n"
BASE = "https://example.org/"
LEAK = b"LEAKQ7"  # every marker starts with it: found in no output byte, ever
GPS_IFD = 0x8825
MAKE, DESCRIPTION, GPS_MAP_DATUM = 0x010F, 0x010E, 0x12
R = TiffImagePlugin.IFDRational
LATITUDE = (R(50, 1), R(27, 1), R(0, 1))  # 50.45° N
LONGITUDE = (R(30, 1), R(31, 1), R(12, 1))  # 30.52° E
# The GPS position as EXIF stores it (rationals), in either byte order.
GPS_BYTES = [struct.pack(f"{order}6L", 50, 1, 27, 1, 0, 1) for order in "<>"] + [
    struct.pack(f"{order}6L", 30, 1, 31, 1, 12, 1) for order in "<>"
]
WIDTH, HEIGHT = 1000, 600


def marker(tag: str, field: str) -> bytes:
    return LEAK + f"-{tag}-{field}".encode()


def reporter_exif(tag: str) -> PILImage.Exif:
    exif = PILImage.Exif()
    exif[MAKE] = marker(tag, "make").decode()
    exif[DESCRIPTION] = marker(tag, "description").decode()
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE, GPS_MAP_DATUM: marker(tag, "gps").decode()}
    )
    return exif


def xmp(tag: str) -> bytes:
    return (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        b'exif:GPSLatitude="50,27.0N" exif:GPSLongitude="30,31.2E" exif:UserComment="'
        + marker(tag, "xmp")
        + b'"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def picture(mode: str = "RGB") -> PILImage.Image:
    """A 1000×600 picture with some detail, so every width is published."""
    img = PILImage.linear_gradient("L").resize((WIDTH, HEIGHT)).convert(mode)
    img.paste((200, 30, 30) if mode == "RGB" else 255, (100, 100, 300, 300))
    return img


def segment(kind: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, kind, len(payload) + 2) + payload


def with_iptc(jpeg: bytes, tag: str) -> bytes:
    """An APP13 (Photoshop IPTC) block right after SOI, caption = a marker."""
    caption = marker(tag, "iptc")
    record = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption
    block = b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record))
    return jpeg[:2] + segment(0xED, block + record + b"\x00") + jpeg[2:]


def tagged_jpeg(tag: str) -> bytes:
    out = io.BytesIO()
    picture().save(
        out, "JPEG", exif=reporter_exif(tag), xmp=xmp(tag), comment=marker(tag, "comment")
    )
    return with_iptc(out.getvalue(), tag)


def tagged_mpo(tag: str) -> bytes:
    """A multi-picture JPEG, as phones make with a depth or HDR map after the photo."""
    out = io.BytesIO()
    picture().save(
        out,
        "MPO",
        save_all=True,
        append_images=[picture("L").convert("RGB")],
        exif=reporter_exif(tag),
        xmp=xmp(tag),
        comment=marker(tag, "comment"),
    )
    return out.getvalue()


def tagged_png(tag: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", marker(tag, "comment").decode())
    info.add_itxt("XML:com.adobe.xmp", xmp(tag).decode())
    out = io.BytesIO()
    picture().save(out, "PNG", pnginfo=info, exif=reporter_exif(tag))
    return out.getvalue()


def tagged_webp(tag: str) -> bytes:
    out = io.BytesIO()
    picture().save(out, "WEBP", exif=reporter_exif(tag), xmp=xmp(tag))
    return out.getvalue()


def tagged_avif(tag: str) -> bytes:
    out = io.BytesIO()
    picture().save(out, "AVIF", exif=reporter_exif(tag), xmp=xmp(tag))
    return out.getvalue()


def gif_with_xmp(gif: bytes, tag: str) -> bytes:
    """An XMP application extension ("XMP DataXMP") after the global colour table."""
    flags = gif[10]
    table = 3 << ((flags & 7) + 1) if flags & 0x80 else 0
    at = 13 + table
    packet = xmp(tag)
    blocks = b"".join(
        bytes([len(packet[i : i + 255])]) + packet[i : i + 255] for i in range(0, len(packet), 255)
    )
    return gif[:at] + b"\x21\xff\x0bXMP DataXMP" + blocks + b"\x00" + gif[at:]


def tagged_gif(tag: str) -> bytes:
    out = io.BytesIO()
    picture().convert("P").save(out, "GIF", comment=marker(tag, "comment"))
    return gif_with_xmp(out.getvalue(), tag)


FRAME_COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (240, 240, 20)]
DURATIONS = [120, 80, 200, 60]


def animated_gif(tag: str) -> bytes:
    frames = []
    for i, colour in enumerate(FRAME_COLOURS):
        frame = PILImage.new("RGB", (320, 200), (250, 250, 250))
        frame.paste(colour, (i * 60, 50, i * 60 + 80, 150))
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=DURATIONS,
        loop=0,
        comment=marker(tag, "comment"),
    )
    return gif_with_xmp(out.getvalue(), tag)


# Every format that is published: name → (file name, maker). All made here with Pillow.
PUBLISHED: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "jpg": ("lead-jpg.jpg", tagged_jpeg),
    "jpeg": ("lead-jpeg.jpeg", tagged_jpeg),
    "jfif": ("lead-jfif.jfif", tagged_jpeg),
    "jpe": ("lead-jpe.jpe", tagged_jpeg),
    "mpo": ("lead-mpo.jpg", tagged_mpo),
    "png": ("lead-png.png", tagged_png),
    "webp": ("lead-webp.webp", tagged_webp),
    "avif": ("lead-avif.avif", tagged_avif),
    "gif": ("lead-gif.gif", tagged_gif),
    "anim": ("lead-anim.gif", animated_gif),
}


def hostile_site(root: Path) -> tuple[Path, dict[str, bytes]]:
    """One story per format, its image the lead and again in the body; and a JPEG with
    GPS, under a name that hides what it is, that the stories link to."""
    files: dict[str, str | bytes] = {"site.yaml": SITE}
    sources: dict[str, bytes] = {}
    for day, (tag, (name, make)) in enumerate(PUBLISHED.items(), 1):
        data = make(tag)
        sources[name] = data
        files[f"content/images/{name}"] = data
        files[f"content/articles/{tag}.md"] = article(
            f"Story {tag}",
            date=f"2026-01-{day:02d}T09:30:00+02:00",
            extra=f"image:\n  src: images/{name}\n  alt: A {tag} photo\n  credit: Staff\n",
            body=f"Rescuers worked through the night ([notes](/files/notes.dat)).\n\n"
            f"![The {tag} photo](/images/{name})\n",
        )
    sources["notes.dat"] = files["content/files/notes.dat"] = tagged_jpeg("dat")
    return make_site(root, files), sources


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    site, sources = hostile_site(tmp_path_factory.mktemp("hostile"))
    result = build(site)
    assert result.code == 0, result.err
    return site / "output", sources


def test_each_source_really_carries_the_metadata(hostile: tuple[Path, dict[str, bytes]]) -> None:
    """The search below means something only if the sources hold what it looks for."""
    _, sources = hostile
    for name, data in sources.items():
        tag = "dat" if name == "notes.dat" else name.split(".")[0].removeprefix("lead-")
        assert marker(tag, "xmp") in data, name
        if not name.endswith(".gif"):
            assert marker(tag, "make") in data and marker(tag, "gps") in data, name
            assert any(gps in data for gps in GPS_BYTES), name
        if not name.endswith((".webp", ".avif")):
            assert marker(tag, "comment") in data, name
        if name.endswith((".jpg", ".jpeg", ".jfif", ".jpe", ".dat")) and "mpo" not in name:
            assert marker(tag, "iptc") in data, name
    mpo = PILImage.open(io.BytesIO(sources["lead-mpo.jpg"]))
    assert (mpo.format, getattr(mpo, "n_frames", 1)) == ("MPO", 2)
    assert PILImage.open(io.BytesIO(sources["lead-anim.gif"])).n_frames == 4


def test_no_output_byte_holds_a_marker_or_the_gps_position(
    hostile: tuple[Path, dict[str, bytes]],
) -> None:
    out, _ = hostile
    files = output_files(out)
    assert len(files) > 50
    for rel, data in files.items():
        assert LEAK not in data, (rel, data[data.find(LEAK) : data.find(LEAK) + 40])
        for gps in GPS_BYTES:
            assert gps not in data, rel


def image_urls(out: Path) -> set[str]:
    """Every image URL the pages (src, srcset) and feeds (enclosures, og:image …) name."""
    urls: set[str] = set()
    for path in out.rglob("*.html"):
        doc = lxml_html.fromstring(path.read_bytes())
        urls.update(doc.xpath("//img/@src"))
        for srcset in doc.xpath("//img/@srcset | //source/@srcset"):
            urls.update(c.split()[0] for c in srcset.split(","))
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            urls.update(re.findall(r"https://example\.org/images/[^\s\\\"'<>&)]+", text))
    return {u.removeprefix(BASE.rstrip("/")) for u in urls if "/images/" in u}


def test_every_image_url_of_pages_and_feeds_is_published(
    hostile: tuple[Path, dict[str, bytes]],
) -> None:
    out, _ = hostile
    urls = image_urls(out)
    for tag, (name, _) in PUBLISHED.items():
        assert f"/images/{name}" in urls, tag  # feeds and og:image name the full size
    for url in sorted(urls):
        assert url.startswith("/images/"), url
        assert (out / url.lstrip("/")).is_file(), url


def test_a_jfif_lead_image_is_published_in_every_width_it_names(
    hostile: tuple[Path, dict[str, bytes]],
) -> None:
    out, _ = hostile
    for name, size in {
        "lead-jfif-jfif-480.jpg": (480, 288),
        "lead-jfif-jfif-960.jpg": (960, 576),
        "lead-jfif-jfif-480.webp": (480, 288),
        "lead-jfif.jfif": (1000, 600),
    }.items():
        img = PILImage.open(out / "images" / name)
        assert img.size == size, name
        assert img.format == ("WEBP" if name.endswith(".webp") else "JPEG"), name
    feeds = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.xml"))
    assert 'url="https://example.org/images/lead-jfif.jfif"' in feeds
    assert 'type="image/jpeg"' in feeds


@pytest.mark.parametrize("tag", sorted(PUBLISHED))
def test_every_published_image_is_re_encoded_and_metadata_free(
    hostile: tuple[Path, dict[str, bytes]], tag: str
) -> None:
    out, sources = hostile
    name = PUBLISHED[tag][0]
    stem = name.rsplit(".", 1)[0]
    published = [
        p for p in (out / "images").iterdir() if p.name == name or p.name.startswith(f"{stem}-")
    ]
    assert published, tag
    for path in published:
        data = path.read_bytes()
        assert data != sources[name], path.name
        img = PILImage.open(path)
        img.load()
        assert len(img.getexif()) == 0, path.name
        assert not {"exif", "xmp", "comment", "photoshop", "XML:com.adobe.xmp"} & set(img.info)


def test_an_image_hidden_under_another_name_is_re_encoded_too(
    hostile: tuple[Path, dict[str, bytes]],
) -> None:
    out, sources = hostile
    data = (out / "files/notes.dat").read_bytes()
    assert data != sources["notes.dat"]
    assert PILImage.open(io.BytesIO(data)).format == "JPEG"


def test_an_animated_gif_keeps_its_frames_timing_and_loop(
    hostile: tuple[Path, dict[str, bytes]],
) -> None:
    out, sources = hostile
    before = PILImage.open(io.BytesIO(sources["lead-anim.gif"]))
    after = PILImage.open(out / "images/lead-anim.gif")
    assert after.n_frames == before.n_frames == 4
    assert after.info.get("loop") == 0
    for index in range(4):
        before.seek(index)
        after.seek(index)
        assert after.info["duration"] == DURATIONS[index]
        assert after.convert("RGB").tobytes() == before.convert("RGB").tobytes()
    for frame in ImageSequence.Iterator(after):
        assert not {"comment", "xmp"} & set(frame.info)
        assert frame.info.get("extension", (b"NETSCAPE2.0",))[0] == b"NETSCAPE2.0"


def test_a_gif_is_shown_by_a_plain_img_at_its_own_path(
    hostile: tuple[Path, dict[str, bytes]],
) -> None:
    out, _ = hostile
    page = lxml_html.fromstring((out / "2026/01/09/gif/index.html").read_bytes())
    imgs = page.xpath('//img[@src="/images/lead-gif.gif"]')
    assert len(imgs) == 2  # the lead and the body
    for img in imgs:
        assert img.get("srcset") is None and (img.get("width"), img.get("height")) == (
            str(WIDTH),
            str(HEIGHT),
        )


# --- Refused formats -------------------------------------------------------------------

# Format → (file name, mode); each written by Pillow here, none a web format.
REFUSED = {
    "TIFF": ("scan.tif", "RGB"),
    "BMP": ("scan.bmp", "RGB"),
    "DIB": ("scan.dib", "RGB"),
    "ICO": ("icon.ico", "RGBA"),
    "ICNS": ("icon.icns", "RGBA"),
    "BLP": ("texture.blp", "P"),
    "DDS": ("texture.dds", "RGBA"),
    "IM": ("scan.im", "RGB"),
    "JPEG2000": ("scan.jp2", "RGB"),
    "MSP": ("scan.msp", "1"),
    "PCX": ("scan.pcx", "RGB"),
    "PPM": ("scan.ppm", "RGB"),
    "QOI": ("scan.qoi", "RGB"),
    "SGI": ("scan.sgi", "RGB"),
    "SPIDER": ("scan.spi", "F"),
    "TGA": ("scan.tga", "RGB"),
    "XBM": ("scan.xbm", "1"),
}
NAMES = {"JPEG2000": "JPEG 2000"}


def written(fmt: str, mode: str, size: tuple[int, int] = (64, 64)) -> bytes:
    img = PILImage.new(mode, size)
    out = io.BytesIO()
    if fmt == "TIFF":  # with a description, a camera and a position, as scanners write them
        exif = reporter_exif("tif")
        img.save(out, "TIFF", tiffinfo={DESCRIPTION: exif[DESCRIPTION], MAKE: exif[MAKE]})
    else:
        img.save(out, fmt)
    return out.getvalue()


def not_web(name: str) -> str:
    return f"{name} is not a web image format; convert it to JPEG or PNG"


def test_every_format_pillow_reads_and_writes_is_published_or_refused() -> None:
    """Nothing Pillow can make here is left out of the two lists above."""
    PILImage.init()
    writable = set(PILImage.SAVE) & set(PILImage.OPEN)
    stubs = {"BUFR", "GRIB", "HDF5", "WMF"}  # no writer without a plugin
    not_raster = {"EPS"}  # PostScript (a program), not a raster image
    web = {"JPEG", "PNG", "WEBP", "AVIF", "GIF"}
    assert writable - stubs - not_raster - web == set(REFUSED)


@pytest.mark.parametrize("fmt", sorted(REFUSED))
def test_each_other_raster_format_is_refused_by_what_it_is(fmt: str) -> None:
    name, mode = REFUSED[fmt]
    data = written(fmt, mode)
    found = inspect_asset(f"images/{name}", data, (480,))
    assert found.problem == not_web(NAMES.get(fmt, fmt))
    if fmt != "TGA":  # no magic number: known by its name only
        disguised = inspect_asset("images/photo.jpg", data, (480,))
        assert disguised.problem == found.problem


def test_a_photo_format_pillow_cannot_read_is_refused() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    assert inspect_asset("images/iphone.heic", heic, (480,)).problem == not_web("HEIF")
    jxl = b"\xff\x0a" + b"\x00" * 64
    assert inspect_asset("images/x.jxl", jxl, (480,)).problem == not_web("JPEG XL")


def test_animated_png_and_webp_are_refused_not_flattened() -> None:
    frames = [PILImage.new("RGB", (40, 30), c) for c in ((255, 0, 0), (0, 255, 0))]
    for fmt, name in (("PNG", "APNG"), ("WEBP", "WebP")):
        out = io.BytesIO()
        frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100)
        found = inspect_asset(f"images/a.{fmt.lower()}", out.getvalue(), (480,))
        assert found.problem == (
            f"animated {'PNG' if fmt == 'PNG' else name} is not published; "
            "make the animation a GIF or a video"
        )


def truncated_jpeg() -> bytes:
    out = io.BytesIO()
    picture().save(out, "JPEG")
    return out.getvalue()[:3000]


def test_refused_files_are_all_reported_at_once_and_the_output_is_unchanged(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path, {"site.yaml": SITE, "content/articles/a.md": article()})
    assert build(site).code == 0
    before = output_files(site / "output")
    expected = []
    for fmt, (name, mode) in REFUSED.items():
        (site / "content/images" / name).write_bytes(written(fmt, mode))
        expected.append(f"content/images/{name}: {not_web(NAMES.get(fmt, fmt))}")
    (site / "content/images/tiff-named.jpg").write_bytes(written("TIFF", "RGB"))
    expected.append(f"content/images/tiff-named.jpg: {not_web('TIFF')}")
    (site / "content/images/bomb.png").write_bytes(header_only_bomb())
    expected.append(f"content/images/bomb.png: {BOMB_MESSAGE}")
    (site / "content/images/map.svg").write_bytes(SVG_WITH_SCRIPT)
    expected.append(f"content/images/map.svg: {SCRIPT_MESSAGE}")
    result = build(site)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert error_lines(result.err) == sorted(expected)
    assert output_files(site / "output") == before


def test_images_that_cannot_be_decoded_are_all_reported_at_once(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"site.yaml": SITE, "content/articles/a.md": article()})
    assert build(site).code == 0
    before = output_files(site / "output")
    data = truncated_jpeg()
    (site / "content/images/cut.jpg").write_bytes(data)
    (site / "content/files/cut.jfif").parent.mkdir()
    (site / "content/files/cut.jfif").write_bytes(data)
    # Linked, so published: an image nothing uses is not decoded at all.
    links = "[The photo](/images/cut.jpg) and [the scan](/files/cut.jfif).\n"
    (site / "content/articles/a.md").write_text(article(body=links), encoding="utf-8")
    result = build(site)
    assert result.code == 1
    assert "Traceback" not in result.err
    lines = error_lines(result.err)
    assert [line.split(": ", 1)[0] for line in lines] == [
        "content/files/cut.jfif",
        "content/images/cut.jpg",
    ]
    assert all(": image cannot be decoded (" in line for line in lines), lines
    assert output_files(site / "output") == before


def test_a_refused_image_a_story_shows_is_an_error_at_its_lines(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/scan.tif": written("TIFF", "RGB"),
            "content/articles/a.md": article(
                extra="image:\n  src: images/scan.tif\n  alt: A scan\n  credit: Staff\n",
                body="Text.\n\n![A scan](/images/scan.tif)\n",
            ),
        },
    )
    result = build(site)
    assert result.code == 1
    a = "content/articles/a.md"
    assert error_lines(result.err) == [
        f"{a}:{line_of(site, a, 'src: images/scan.tif')}: image 'images/scan.tif': "
        + not_web("TIFF"),
        f"{a}:{line_of(site, a, '](/images/scan.tif)')}: image 'images/scan.tif': "
        + not_web("TIFF"),
    ]
    assert not (site / "output").exists()


def test_a_scheduled_storys_refused_image_is_reported_before_it_publishes(
    tmp_path: Path,
) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/scan.bmp": written("BMP", "RGB"),
            "content/articles/later.md": article(
                date="2027-01-06T09:30:00+02:00",
                extra="image: images/scan.bmp\nimage_alt: A scan\nimage_credit: Staff\n",
            ),
        },
    )
    result = build(site)
    assert result.code == 1
    assert error_lines(result.err) == [
        f"content/articles/later.md:{line_of(site, 'content/articles/later.md', 'image:')}: "
        f"image 'images/scan.bmp': {not_web('BMP')}"
    ]


# --- Decompression bombs ---------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def header_only_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """128 bytes: a PNG header declaring 50,000 × 50,000 pixels, and almost no data."""
    head = b"\x89PNG\r\n\x1a\n" + png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    )
    idat = png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    end = png_chunk(b"IEND", b"")
    pad = 128 - len(head) - len(idat) - len(end) - 12
    return head + png_chunk(b"tEXt", b"Comment\x00" + b"x" * (pad - 8)) + idat + end


def compressed_bomb(side: int = 12_000) -> bytes:
    """A real PNG of `side`² black grey pixels: every row is there, compressed ~1000:1."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


BOMB_MESSAGE = (
    f"image is 50000×50000 (2,500 megapixels); the limit is {MAX_IMAGE_MEGAPIXELS} megapixels"
)


def test_the_bomb_is_128_bytes_and_its_header_is_read_without_decoding() -> None:
    bomb = header_only_bomb()
    assert len(bomb) == 128
    start = time.perf_counter()
    info = image_info(bomb)
    assert info is not None and (info.width, info.height, info.format) == (50_000, 50_000, "PNG")
    assert inspect_asset("images/bomb.png", bomb, (480,)).problem == BOMB_MESSAGE
    assert time.perf_counter() - start < 1


def memory_limit() -> None:
    """At most 1.5 GB of address space: a decoded bomb would need far more."""
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))


CLOCK_ARGS = ("--clock", CLOCK)


def build_in_child(site: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """The CLI in a subprocess, killed after 5 s and limited in memory."""
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "build", "--site", str(site), *CLOCK_ARGS],
            capture_output=True,
            text=True,
            timeout=5,
            preexec_fn=memory_limit,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the build took more than 5 s: the bomb was decoded")
    return result, time.perf_counter() - start


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("bomb.png", header_only_bomb, BOMB_MESSAGE),
        (
            "zeros.png",
            compressed_bomb,
            "image is 12000×12000 (144 megapixels); the limit is 50 megapixels",
        ),
    ],
    ids=["header-only", "compressed"],
)
def test_an_unused_bomb_is_refused_fast_and_the_output_is_unchanged(
    tmp_path: Path, name: str, make: Callable[[], bytes], message: str
) -> None:
    data = make()
    assert len(data) == 128 if name == "bomb.png" else 100_000 < len(data) < 200_000
    site = make_site(tmp_path, {"site.yaml": SITE, "content/articles/a.md": article()})
    first, _ = build_in_child(site)
    assert first.returncode == 0, first.stderr
    before = output_files(site / "output")
    (site / "content/images" / name).write_bytes(data)
    result, seconds = build_in_child(site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert error_lines(result.stderr) == [f"content/images/{name}: {message}"]
    assert seconds < 5
    assert output_files(site / "output") == before


def test_a_bomb_a_story_shows_is_refused_at_its_lines_fast(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/bomb.png": header_only_bomb(),
            "content/articles/a.md": article(
                extra="image:\n  src: images/bomb.png\n  alt: A map\n  credit: Staff\n",
                body="Text.\n\n![A map](/images/bomb.png)\n",
            ),
        },
    )
    result, seconds = build_in_child(site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    a = "content/articles/a.md"
    said = BOMB_MESSAGE.removeprefix("image ")
    assert error_lines(result.stderr) == [
        f"{a}:{line_of(site, a, 'src: images/bomb.png')}: image 'images/bomb.png' {said}",
        f"{a}:{line_of(site, a, '](/images/bomb.png)')}: image 'images/bomb.png' {said}",
    ]
    assert seconds < 5
    assert not (site / "output").exists()


def gif_frame(side: int) -> bytes:
    """An image descriptor saying `side`² pixels, and the LZW data of one pixel."""
    return b"\x2c" + struct.pack("<HHHHB", 0, 0, side, side, 0) + b"\x02\x02\x44\x01\x00"


def gif_with_a_huge_frame(side: int, *before: int) -> bytes:
    """A 100×100 GIF whose frame says it is `side`² pixels (after frames of `before`)."""
    header = b"GIF89a" + struct.pack("<HHBBB", 100, 100, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    return header + b"".join(gif_frame(s) for s in (*before, side)) + b"\x3b"


@pytest.mark.parametrize("side", [20_000, 10_000], ids=["error", "warning"])
def test_pillows_own_bomb_error_and_warning_are_located_errors(tmp_path: Path, side: int) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/articles/a.md": article(),
            "content/images/odd.gif": gif_with_a_huge_frame(side),
        },
    )
    result = build(site)
    assert result.code == 1
    assert "Traceback" not in result.err and "Warning" not in result.err
    (line,) = error_lines(result.err)
    assert line.startswith("content/images/odd.gif: image is too large to decode safely ("), line


def test_a_later_gif_frame_that_grows_the_picture_is_not_decoded() -> None:
    """Frames are counted without reading their sizes: a later one that says it is larger
    than the picture would be decoded at that size, once per frame."""
    data = gif_with_a_huge_frame(3000, 1)
    found = inspect_asset("images/a.gif", data, (480,))
    assert found.problem == "" and found.info is not None
    assert (found.info.width, found.info.height, found.info.frames) == (100, 100, 2)
    with pytest.raises(ValueError, match=r"cannot be decoded \(frame 2 is larger than the image"):
        render_variants(data, (gif_variant("images/a.gif", found.info),))


def scan_bomb() -> bytes:
    """A progressive JPEG whose last scan is repeated 300 times: each one decoded again."""
    out = io.BytesIO()
    picture().save(out, "JPEG", progressive=True)
    data = out.getvalue()
    last = data.rfind(b"\xff\xda")
    return data[:last] + data[last:-2] * 300 + b"\xff\xd9"


def test_a_jpeg_with_hundreds_of_scans_is_refused() -> None:
    data = scan_bomb()
    assert jpeg_scans(data) > 300
    assert inspect_asset("images/x.jpg", data, (480,)).problem == (
        f"image has {jpeg_scans(data):,} JPEG scans; the limit is 100 "
        "(save it again as a baseline JPEG)"
    )
    assert jpeg_scans(tagged_jpeg("scans")) == 1


def test_an_animation_too_large_in_all_its_frames_is_refused() -> None:
    frames = [PILImage.new("P", (1000, 1000), i) for i in range(60)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    assert inspect_asset("images/a.gif", out.getvalue(), (480,)).problem == (
        "image is 1000×1000 in 60 frames (60 megapixels in all); the limit is 50 megapixels"
    )


# --- SVG -------------------------------------------------------------------------------

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
PLAIN_SVG = (
    SVG_OPEN + 'width="120" height="80" viewBox="0 0 120 80">'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#c00"/></linearGradient>'
    '<style>rect { fill: url(#g); stroke: #333 } text { font-family: "DejaVu Sans" }</style>'
    '<path id="p" d="M0 0h10v10z"/></defs>'
    '<rect width="100" height="50" style="fill: url(\'#g\')"/><use xlink:href="#p" x="20"/>'
    '<use href="#p" x="40"/><text x="5" y="70">Kyiv &amp; Lviv</text></svg>'
).encode()
SVG_WITH_SCRIPT = (SVG_OPEN + "><script>alert(document.cookie)</script></svg>").encode()
SCRIPT_MESSAGE = "SVG holds a script; Dateline publishes only plain SVG"


def refused(what: str) -> str:
    return f"SVG holds {what}; Dateline publishes only plain SVG"


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (SVG_OPEN + "><script>alert(1)</script></svg>", SCRIPT_MESSAGE),
        (
            SVG_OPEN + '><script xlink:href="x.js"/></svg>',
            refused("a script and an external reference 'x.js'"),
        ),
        (
            SVG_OPEN + '><html:script xmlns:html="http://www.w3.org/1999/xhtml"/></svg>',
            SCRIPT_MESSAGE,
        ),
        (SVG_OPEN + 'onload="alert(1)"/>', refused("an event handler attribute 'onload'")),
        (
            SVG_OPEN + '><rect ONCLICK="x()"/></svg>',
            refused("an event handler attribute 'onclick'"),
        ),
        (
            SVG_OPEN + "><foreignObject><p>hi</p></foreignObject></svg>",
            refused("a foreignObject"),
        ),
        (
            SVG_OPEN + '><a href="javascript:alert(1)"><text>x</text></a></svg>',
            refused("a javascript: URL"),
        ),
        (
            SVG_OPEN + '><a xlink:href=" jav&#x09;ascript:alert(1)">x</a></svg>',
            refused("a javascript: URL"),
        ),
        (
            SVG_OPEN + '><image href="https://tracker.example/p.png"/></svg>',
            refused("an external reference 'https://tracker.example/p.png'"),
        ),
        (
            SVG_OPEN + '><use xlink:href="http://evil.example/s.svg#a"/></svg>',
            refused("an external reference 'http://evil.example/s.svg#a'"),
        ),
        (
            SVG_OPEN + '><use href="//evil.example/s.svg#a"/></svg>',
            refused("an external reference '//evil.example/s.svg#a'"),
        ),
        (
            SVG_OPEN + '><image href="data:image/jpeg;base64,/9j/4AAQ"/></svg>',
            refused("an embedded file (a data: URL)"),
        ),
        (
            SVG_OPEN + "><style>@import url(https://evil.example/x.css);</style></svg>",
            refused("an @import and an external reference 'https://evil.example/x.css'"),
        ),
        (SVG_OPEN + "><style>@import 'x.css';</style></svg>", refused("an @import")),
        (
            SVG_OPEN
            + "><style><![CDATA[rect{background:url(https://t.example/p)}]]></style></svg>",
            refused("an external reference 'https://t.example/p'"),
        ),
        (
            SVG_OPEN + r"><style>rect{background:u\72l(https://t.example/p)}</style></svg>",
            refused("an external reference 'https://t.example/p'"),
        ),
        (
            SVG_OPEN + "><style>rect{background:image-set('https://t.example/p' 1x)}</style></svg>",
            refused("an external reference 'https://t.example/p'"),
        ),
        (
            SVG_OPEN + '><rect style="fill:url(https://t.example/g.svg#g)"/></svg>',
            refused("an external reference 'https://t.example/g.svg#g'"),
        ),
        (
            SVG_OPEN + '><rect fill="url(http://t.example/g.svg#g)"/></svg>',
            refused("an external reference 'http://t.example/g.svg#g'"),
        ),
        (
            SVG_OPEN + '><a href="#x"><set attributeName="href" to="#y"/></a></svg>',
            refused("an animation of 'href'"),
        ),
        (
            SVG_OPEN + '><iframe src="https://e.example/"/></svg>',
            refused("an <iframe> element and an external reference 'https://e.example/'"),
        ),
        (
            '<?xml-stylesheet href="https://e.example/s.css"?>' + SVG_OPEN + "/>",
            refused("an external style sheet (<?xml-stylesheet?>)"),
        ),
    ],
)
def test_an_svg_that_is_more_than_a_drawing_is_refused(svg: str, message: str) -> None:
    assert svg_problem(svg.encode()) == message


DOCTYPE_MESSAGE = (
    "SVG holds a DOCTYPE or ENTITY declaration (delete it); Dateline publishes only plain SVG"
)


@pytest.mark.parametrize(
    "svg",
    [
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + SVG_OPEN + ">&x;</svg>",
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + SVG_OPEN
        + ">&b;&b;&b;</svg>",
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">' + SVG_OPEN + "/>",
        "<!doctype svg>" + SVG_OPEN + "/>",
    ],
    ids=["external-entity", "entity-expansion", "public-dtd", "lowercase"],
)
def test_an_svg_with_a_doctype_or_entity_is_refused_without_parsing(svg: str) -> None:
    assert svg_problem(svg.encode()) == DOCTYPE_MESSAGE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SVG_OPEN.encode() + b"><g></svg>", "SVG is not well-formed XML (mismatched tag: "),
        (b"\xff\xfe<\x00s\x00", "SVG is not UTF-8 text; Dateline publishes only plain SVG"),
        (b"<html><body/></html>", "the file is not an SVG image (its root element is <html>)"),
    ],
)
def test_an_svg_that_is_not_svg_is_refused(data: bytes, message: str) -> None:
    assert svg_problem(data).startswith(message)


def test_a_plain_svg_passes() -> None:
    assert svg_problem(PLAIN_SVG) == ""
    assert svg_problem(b"\xef\xbb\xbf<?xml version='1.0'?>\n" + PLAIN_SVG) == ""


def test_svgs_are_refused_at_their_files_and_lines_and_a_plain_one_is_published(
    tmp_path: Path,
) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/chart.svg": PLAIN_SVG,
            "content/articles/a.md": article(
                extra="image:\n  src: images/chart.svg\n  alt: A chart\n  credit: Data desk\n",
                body="Text.\n\n![A chart](/images/chart.svg)\n",
            ),
        },
    )
    result = build(site)
    assert result.code == 0, result.err
    out = site / "output"
    assert (out / "images/chart.svg").read_bytes() == PLAIN_SVG
    page = lxml_html.fromstring((out / "2026/01/06/a/index.html").read_bytes())
    assert set(page.xpath("//img/@src")) == {"/images/chart.svg"}
    before = output_files(out)

    (site / "content/images/unused.svg").write_bytes(SVG_WITH_SCRIPT)
    (site / "content/images/tracker.svg").write_bytes(
        (SVG_OPEN + '><image href="https://t.example/p.png"/></svg>').encode()
    )
    result = build(site)
    assert result.code == 1
    assert error_lines(result.err) == [
        "content/images/tracker.svg: " + refused("an external reference 'https://t.example/p.png'"),
        f"content/images/unused.svg: {SCRIPT_MESSAGE}",
    ]
    assert output_files(out) == before

    (site / "content/images/unused.svg").unlink()
    (site / "content/images/tracker.svg").unlink()
    (site / "content/images/chart.svg").write_bytes(SVG_WITH_SCRIPT)
    result = build(site)
    assert result.code == 1
    a = "content/articles/a.md"
    assert error_lines(result.err) == [
        f"{a}:{line_of(site, a, 'src: images/chart.svg')}: image 'images/chart.svg': "
        + SCRIPT_MESSAGE,
        f"{a}:{line_of(site, a, '](/images/chart.svg)')}: image 'images/chart.svg': "
        + SCRIPT_MESSAGE,
    ]
    assert "Traceback" not in result.err
    assert output_files(out) == before


def test_the_finder_reports_the_files_no_story_asked_for() -> None:
    """`ImageFinder.report_unshown`: the unused files that cannot be published, as errors at
    the files, so a build can report them with the stories' errors."""
    assets = {
        "images/shown.bmp": Asset("images/shown.bmp", written("BMP", "RGB")),
        "images/scan.tif": Asset("images/scan.tif", written("TIFF", "RGB")),
        "images/bomb.png": Asset("images/bomb.png", header_only_bomb()),
        "images/fine.png": Asset("images/fine.png", tagged_png("fine")),
        "notes.txt": Asset("notes.txt", b"minutes"),
    }
    finder = ImageFinder(assets, (480,))
    said: list[str] = []
    shown = finder.find(
        "images/shown.bmp", ("a", "b", ""), (), "a.md:3", lambda _, m: said.append(m)
    )
    assert shown is None
    assert said == [f"image 'images/shown.bmp': {not_web('BMP')}"]
    report = ErrorReport()
    finder.report_unshown(report)
    assert report.errors == [
        Problem("content/images/bomb.png", None, BOMB_MESSAGE),
        Problem("content/images/scan.tif", None, not_web("TIFF")),
    ]


def test_the_limit_is_a_parameter_of_the_finder() -> None:
    """Ready for a `max_image_megapixels` setting: the finder takes the limit it applies."""
    assets = {"images/big.png": Asset("images/big.png", compressed_bomb(8000))}
    assert ImageFinder(assets, (480,)).inspect("images/big.png").problem == (
        "image is 8000×8000 (64 megapixels); the limit is 50 megapixels"
    )
    assert ImageFinder(assets, (480,), megapixels=100).inspect("images/big.png").problem == ""


# --- Details of the encoders -----------------------------------------------------------


def test_a_palette_pngs_transparency_is_kept() -> None:
    img = PILImage.new("P", (40, 30), 1)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    img.paste(0, (0, 0, 20, 30))
    out = io.BytesIO()
    img.save(out, "PNG", transparency=0)
    data = out.getvalue()
    info = image_info(data)
    assert info is not None
    files = render_variants(data, plan_variants("images/t.png", info, ()))
    for file in files:
        rgba = PILImage.open(io.BytesIO(file.data)).convert("RGBA")
        assert rgba.getpixel((5, 5))[3] == 0 and rgba.getpixel((35, 5))[3] == 255, file.path


def test_a_png_whose_exif_comes_after_its_pixels_is_sized_without_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pillow reads such a chunk only by decoding the image (the old way to decode a bomb
    while reading its size): it is ignored, when sizing and when rendering alike."""
    exif = PILImage.Exif()
    exif[0x0112] = 6  # rotated: would swap width and height
    out = io.BytesIO()
    PILImage.new("RGB", (300, 200), (9, 9, 9)).save(out, "PNG")
    plain = out.getvalue()
    late = plain[:-12] + png_chunk(b"eXIf", exif.tobytes()) + plain[-12:]

    def no_decoding(self: PILImage.Image) -> None:
        raise AssertionError("decoded while reading the header")

    with monkeypatch.context() as patch:
        patch.setattr(PngImagePlugin.PngImageFile, "load", no_decoding)
        info = image_info(late)
        assert inspect_asset("images/late.png", late, (480,)).problem == ""
    assert info is not None and (info.width, info.height) == (300, 200)
    files = render_variants(late, plan_variants("images/late.png", info, ()))
    assert [PILImage.open(io.BytesIO(f.data)).size for f in files] == [(300, 200)] * 2


# --- Helpers ---------------------------------------------------------------------------


def line_of(site: Path, rel: str, text: str) -> int:
    lines = (site / rel).read_text(encoding="utf-8").splitlines()
    (number,) = [i for i, line in enumerate(lines, 1) if text in line]
    return number


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("content/")]
