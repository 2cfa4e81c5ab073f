"""The image pipeline end to end: metadata stripped, orientation and colour kept, widths,
responsive markup, the cache across builds, and bad images reported at their lines."""

from __future__ import annotations

import io
import shutil
import struct
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image as PILImage
from PIL import ImageCms, PngImagePlugin

import gen.outputs.images
from tests.conftest import SITE_YAML, article, build, make_site, output_files

GPS_IFD, EXIF_IFD, ORIENTATION = 0x8825, 0x8769, 0x0112
BODY_SERIAL, DATE_TIME_ORIGINAL = 0xA431, 0x9003
SERIAL = "SN-4455667788"
COMMENT = b"shot from the checkpoint at Kupiansk"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="50,27.0N" exif:GPSLongitude="30,31.0E"/></rdf:RDF></x:xmpmeta>'
    b'<?xpacket end="w"?>'
)
IPTC = b"\x1c\x02\x78\x00\x0dcaption-iptc!"  # IPTC 2:120 (caption) in an APP13 block
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
# What must never appear in a published file's bytes.
TELLTALES = (b"Exif", b"http://ns.adobe.com/xap", SERIAL.encode(), b"Photoshop 3.0", b"iTXt")
SITE = SITE_YAML + "search: false\n"


def tagged_exif(orientation: int = 6) -> PILImage.Exif:
    exif = PILImage.Exif()
    exif[ORIENTATION] = orientation
    exif.get_ifd(EXIF_IFD).update({BODY_SERIAL: SERIAL, DATE_TIME_ORIGINAL: "2026:11:26 02:15:00"})
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 27.0, 0.0), 3: "E", 4: (30.0, 31.0, 0.0)})
    return exif


def segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def reporters_photo() -> bytes:
    """A 1000×700 JPEG stored sideways (orientation 6), red in its stored top-left corner,
    with GPS, a camera serial, the time it was taken, XMP, IPTC, a comment and sRGB."""
    img = PILImage.new("RGB", (1000, 700), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 200, 200))
    out = io.BytesIO()
    img.save(out, "JPEG", exif=tagged_exif().tobytes(), icc_profile=SRGB, comment=COMMENT)
    data = out.getvalue()
    photoshop = b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(IPTC))
    extra = segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP) + segment(
        0xED, photoshop + IPTC + b"\x00"
    )
    data = data[:2] + extra + data[2:]  # right after SOI
    check = PILImage.open(io.BytesIO(data))
    assert {"xmp", "comment", "icc_profile", "exif", "photoshop"} <= set(check.info)
    assert check.getexif().get_ifd(GPS_IFD)[2] == (50.0, 27.0, 0.0)
    return data


def tagged_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", COMMENT.decode())
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    PILImage.new("RGB", (600, 300), (0, 128, 0)).save(
        out, "PNG", pnginfo=info, exif=tagged_exif(1).tobytes()
    )
    return out.getvalue()


def tagged_webp() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (520, 260), (200, 200, 0)).save(
        out, "WEBP", exif=tagged_exif(1).tobytes(), xmp=XMP, icc_profile=SRGB
    )
    return out.getvalue()


def wide_jpeg(width: int = 1700, height: int = 850) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (90, 90, 90)).save(out, "JPEG")
    return out.getvalue()


BODY = """\
Rescuers worked through the night.

![Firefighters on a ladder](/images/ladder.jpg "Firefighters reach the ninth floor|\
Photo: Oksana Lys")

A map ![small map](/images/field.png) is inline, and a poster follows.

![A yellow poster](/images/poster.webp)
"""


def image_site(root: Path) -> Path:
    return make_site(
        root,
        {
            "site.yaml": SITE,
            "content/images/block.jpg": reporters_photo(),
            "content/images/ladder.jpg": wide_jpeg(),
            "content/images/field.png": tagged_png(),
            "content/images/poster.webp": tagged_webp(),
            "content/articles/a.md": article(
                extra="image:\n  src: images/block.jpg\n  alt: A damaged apartment block\n"
                '  credit: "Photo: Taras Melnyk"\n  caption: The block on Thursday morning\n',
                body=BODY,
            ),
        },
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = image_site(tmp_path_factory.mktemp("images"))
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def opened(path: Path) -> PILImage.Image:
    img = PILImage.open(path)
    img.load()
    return img


def published_images(out: Path) -> list[Path]:
    return sorted(
        p for p in out.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".webp", ".png")
    )


# --- Metadata --------------------------------------------------------------------------


def test_no_published_image_carries_gps_or_any_metadata(built: Path) -> None:
    images = published_images(built)
    assert len(images) >= 10
    for path in images:
        img = opened(path)
        assert len(img.getexif()) == 0, path
        assert not img.getexif().get_ifd(GPS_IFD), path
        leaked = {"exif", "xmp", "XML:com.adobe.xmp", "Comment", "photoshop"}
        assert not leaked & set(img.info), (path, set(img.info))
        data = path.read_bytes()
        for telltale in TELLTALES:
            assert telltale not in data, (path, telltale)


def test_no_image_of_the_sample_site_carries_metadata(sample_build: Path) -> None:
    images = published_images(sample_build)
    assert len(images) > 100
    for path in images:
        img = opened(path)
        assert len(img.getexif()) == 0, path
        assert not {"exif", "xmp", "comment", "photoshop"} & set(img.info), path
        assert not [t for t in TELLTALES if t in path.read_bytes()], path


def test_every_img_of_the_sample_site_has_its_size_and_only_leads_load_eagerly(
    sample_build: Path,
) -> None:
    count = 0
    for name, doc in pages(sample_build).items():
        for img in doc.xpath("//img"):
            count += 1
            assert img.get("width") and img.get("height"), (name, img.get("src"))
            assert img.get("srcset") and img.get("sizes"), (name, img.get("src"))
            lead = bool(img.xpath('ancestor::figure[@class="lead-image"]'))
            assert img.get("loading") == (None if lead else "lazy"), (name, img.get("src"))
    assert count > 25


def test_no_published_image_keeps_the_comment(built: Path) -> None:
    for path in published_images(built):
        assert "comment" not in opened(path).info, path
        assert COMMENT not in path.read_bytes(), path


def test_the_orientation_is_applied_to_the_pixels(built: Path) -> None:
    img = opened(built / "images/block.jpg")
    assert img.size == (700, 1000)  # stored 1000×700, shown upright
    # Orientation 6 turns the stored top-left corner to the top right.
    red, _, blue = img.convert("RGB").getpixel((650, 50))
    assert red > 200 and blue < 60
    red, _, blue = img.convert("RGB").getpixel((50, 50))
    assert blue > 200 and red < 60
    for name in ("block-jpg-480.jpg", "block-jpg-480.webp", "block-jpg-700.webp"):
        small = opened(built / "images" / name)
        assert small.height > small.width, name


def test_the_colour_profile_is_kept(built: Path) -> None:
    for name in (
        "block.jpg",
        "block-jpg-480.jpg",
        "block-jpg-480.webp",
        "block-jpg-700.webp",
        "poster.webp",
    ):
        assert opened(built / "images" / name).info.get("icc_profile") == SRGB, name
    assert "icc_profile" not in opened(built / "images/ladder.jpg").info  # none to keep


# --- Widths ----------------------------------------------------------------------------


def image_names(out: Path, stem: str) -> set[str]:
    return {p.name for p in (out / "images").iterdir() if p.name.startswith(f"{stem}.")} | {
        p.name for p in (out / "images").iterdir() if p.name.startswith(f"{stem}-")
    }


def test_widths_are_480_960_1600_and_the_original_never_upscaled(built: Path) -> None:
    assert image_names(built, "ladder") == {
        "ladder-jpg-480.jpg", "ladder-jpg-480.webp", "ladder-jpg-960.jpg", "ladder-jpg-960.webp",
        "ladder-jpg-1600.jpg", "ladder-jpg-1600.webp", "ladder-jpg-1700.webp", "ladder.jpg",
    }  # fmt: skip
    for name, size in {
        "ladder-jpg-480.jpg": (480, 240),
        "ladder-jpg-960.webp": (960, 480),
        "ladder-jpg-1600.jpg": (1600, 800),
        "ladder.jpg": (1700, 850),
    }.items():
        assert opened(built / "images" / name).size == size, name


def test_a_700_px_image_is_published_at_480_and_700_only(built: Path) -> None:
    assert image_names(built, "block") == {
        "block-jpg-480.jpg",
        "block-jpg-480.webp",
        "block-jpg-700.webp",
        "block.jpg",
    }
    assert opened(built / "images/block-jpg-480.webp").size == (480, 686)
    assert opened(built / "images/block-jpg-480.webp").format == "WEBP"
    assert opened(built / "images/block-jpg-480.jpg").format == "JPEG"


def test_png_and_webp_originals_keep_their_format(built: Path) -> None:
    assert image_names(built, "field") == {
        "field-png-480.png",
        "field-png-480.webp",
        "field-png-600.webp",
        "field.png",
    }
    assert opened(built / "images/field.png").format == "PNG"
    assert image_names(built, "poster") == {"poster-webp-480.webp", "poster.webp"}


def test_configured_widths_are_used(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE + "image_widths: [300, 1000]\n",
            "content/images/ladder.jpg": wide_jpeg(),
            "content/articles/a.md": article(
                extra="image:\n  src: images/ladder.jpg\n  alt: A ladder\n  credit: Me\n"
            ),
        },
    )
    assert build(site).code == 0
    assert image_names(site / "output", "ladder") == {
        "ladder-jpg-300.jpg", "ladder-jpg-300.webp", "ladder-jpg-1000.jpg", "ladder-jpg-1000.webp",
        "ladder-jpg-1700.webp", "ladder.jpg",
    }  # fmt: skip


# --- Markup ----------------------------------------------------------------------------


def pages(out: Path) -> dict[str, lxml_html.HtmlElement]:
    return {
        p.relative_to(out).as_posix(): lxml_html.fromstring(p.read_bytes())
        for p in sorted(out.rglob("*.html"))
    }


def test_every_img_has_width_height_srcset_and_sizes(built: Path) -> None:
    count = 0
    for name, doc in pages(built).items():
        for img in doc.xpath("//img"):
            count += 1
            assert int(img.get("width")) > 0 and int(img.get("height")) > 0, (name, img.get("src"))
            assert img.get("srcset") and img.get("sizes"), (name, img.get("src"))
            assert img.get("alt"), (name, img.get("src"))
            # lxml's HTML parser nests the <img> in <source>, so look up to the <picture>.
            (picture,) = img.xpath("ancestor::picture[1]")
            (source,) = picture.xpath("source")
            assert source.get("type") == "image/webp" and source.get("sizes")
            assert all(c.split()[0].endswith(".webp") for c in source.get("srcset").split(", "))
    assert count >= 5  # article (lead + three in the body) and the front page's lead


def test_the_img_size_is_the_displayed_size_and_srcset_names_real_files(built: Path) -> None:
    doc = pages(built)["2026/01/06/a/index.html"]
    for img in doc.xpath("//img"):
        src = img.get("src")
        candidates = [c.split() for c in img.get("srcset").split(", ")]
        candidates += [
            c.split() for c in img.xpath("ancestor::picture[1]/source/@srcset")[0].split(", ")
        ]
        for url, width in candidates:
            assert opened(built / url.lstrip("/")).width == int(width.rstrip("w")), url
        biggest = max(int(w.rstrip("w")) for _, w in candidates)
        assert int(img.get("width")) == biggest, src
        assert (built / src.lstrip("/")).is_file()
    (lead,) = doc.xpath('//figure[@class="lead-image"]//img')
    assert (lead.get("width"), lead.get("height")) == ("700", "1000")


def test_only_the_lead_image_loads_eagerly(built: Path) -> None:
    doc = pages(built)["2026/01/06/a/index.html"]
    (lead,) = doc.xpath('//figure[@class="lead-image"]//img')
    assert lead.get("loading") is None
    body = [i for i in doc.xpath("//img") if i is not lead]
    assert len(body) == 3
    assert [i.get("loading") for i in body] == ["lazy"] * 3
    front = pages(built)["index.html"]
    assert [i.get("loading") for i in front.xpath('//*[@class="lead-story"]//img')] == [None]


def test_lead_and_body_figures_have_caption_and_credit(built: Path) -> None:
    doc = pages(built)["2026/01/06/a/index.html"]
    (lead,) = doc.xpath('//figure[@class="lead-image"]/figcaption')
    assert " ".join(lead.text_content().split()) == (
        "The block on Thursday morning Photo: Taras Melnyk"
    )
    assert lead.xpath('string(span[@class="credit"])') == "Photo: Taras Melnyk"
    figures = doc.xpath('//figure[@class="image"]')
    assert len(figures) == 2  # the ladder and the poster, each alone in its paragraph
    assert not figures[1].xpath("figcaption")  # the poster has no title to caption it
    (caption,) = figures[0].xpath("figcaption")
    assert caption.text.strip() == "Firefighters reach the ninth floor"
    assert caption.xpath('string(span[@class="credit"])') == "Photo: Oksana Lys"
    assert figures[0].xpath(".//img/@alt") == ["Firefighters on a ladder"]


# --- The cache -------------------------------------------------------------------------


@pytest.fixture
def encodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every image encoded during the test, by mime type."""
    calls: list[str] = []
    real = gen.outputs.images.encode

    def counting(img: PILImage.Image, mime: str, icc: bytes | None) -> bytes:
        calls.append(mime)
        return real(img, mime, icc)

    monkeypatch.setattr(gen.outputs.images, "encode", counting)
    return calls


def images_of(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in output_files(out).items() if k.startswith("images/")}


def test_a_second_build_encodes_no_image(tmp_path: Path, encodes: list[str]) -> None:
    site = image_site(tmp_path)
    assert build(site).code == 0
    first = images_of(site / "output")
    assert len(encodes) == len(first)  # every published variant, once
    encodes.clear()
    shutil.rmtree(site / "output")
    assert build(site).code == 0
    assert encodes == []
    assert images_of(site / "output") == first


def test_changing_the_widths_encodes_again(tmp_path: Path, encodes: list[str]) -> None:
    site = image_site(tmp_path)
    assert build(site).code == 0
    encodes.clear()
    (site / "site.yaml").write_text(SITE + "image_widths: [480]\n", encoding="utf-8")
    assert build(site).code == 0
    assert encodes  # the settings are part of the key
    assert not (site / "output/images/ladder-jpg-960.jpg").exists()


def test_a_deleted_cache_is_rebuilt_with_the_same_images(
    tmp_path: Path, encodes: list[str]
) -> None:
    site = image_site(tmp_path)
    assert build(site).code == 0
    first = images_of(site / "output")
    shutil.rmtree(site / ".cache")
    encodes.clear()
    result = build(site)
    assert result.code == 0, result.err
    assert encodes
    assert images_of(site / "output") == first


def test_a_cache_entry_missing_a_file_is_made_again(tmp_path: Path, encodes: list[str]) -> None:
    site = image_site(tmp_path)
    assert build(site).code == 0
    first = images_of(site / "output")
    for entry in (site / ".cache/images").iterdir():
        next(entry.iterdir()).unlink()
    encodes.clear()
    result = build(site)
    assert result.code == 0, result.err
    assert encodes
    assert images_of(site / "output") == first


def test_garbage_in_a_cache_entry_is_not_published(tmp_path: Path) -> None:
    site = image_site(tmp_path)
    assert build(site).code == 0
    first = images_of(site / "output")
    for file in (site / ".cache/images").rglob("*"):
        if file.is_file():
            file.write_bytes(b"garbage")
    result = build(site)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert images_of(site / "output") == first


# --- Errors ----------------------------------------------------------------------------


def line_of(site: Path, rel: str, text: str) -> int:
    lines = (site / rel).read_text(encoding="utf-8").splitlines()
    (number,) = [i for i, line in enumerate(lines, 1) if text in line]
    return number


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("content/")]


def test_missing_and_unreadable_images_are_errors_at_the_lines_that_name_them(
    tmp_path: Path,
) -> None:
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/notes.jpg": b"minutes of the meeting, not a photograph\n",
            "content/articles/a.md": article(
                extra="image:\n  src: images/nowhere.jpg\n  alt: A\n  credit: B\n",
                body="Text.\n\n![A map](/images/gone.png)\n",
            ),
            "content/articles/b.md": article(
                "Second",
                date="2026-01-07T09:30:00+02:00",
                extra="image: images/notes.jpg\nimage_alt: A\nimage_credit: B\n",
                body="Para.\n\nMore.\n\n![A scan](/images/notes.jpg)\n",
            ),
        },
    )
    result = build(site)
    assert result.code == 1
    a, b = "content/articles/a.md", "content/articles/b.md"
    unreadable = "is not a readable PNG, JPEG, GIF or WebP file"
    assert error_lines(result.err) == [
        f"{a}:{line_of(site, a, 'src: images/nowhere.jpg')}: image 'images/nowhere.jpg' does "
        "not exist under content/; did you mean 'images/notes.jpg'?",
        f"{a}:{line_of(site, a, '](/images/gone.png)')}: image 'images/gone.png' does not "
        "exist under content/; did you mean 'images/photo.png'?",
        f"{b}:{line_of(site, b, 'image: images/notes.jpg')}: image 'images/notes.jpg' {unreadable}",
        f"{b}:{line_of(site, b, '](/images/notes.jpg)')}: image 'images/notes.jpg' {unreadable}",
    ]
    assert "Traceback" not in result.err
    assert not (site / "output").exists()


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_image_is_an_error_at_the_lines_that_use_it(
    tmp_path: Path, keep: float
) -> None:
    data = reporters_photo()
    site = make_site(
        tmp_path,
        {
            "site.yaml": SITE,
            "content/images/cut.jpg": data[: int(len(data) * keep)],
            "content/articles/a.md": article(
                extra="image:\n  src: images/cut.jpg\n  alt: A\n  credit: B\n",
                body="Text.\n\nMore text.\n\n![A cut](/images/cut.jpg)\n",
            ),
        },
    )
    result = build(site)
    assert result.code == 1
    a = "content/articles/a.md"
    lines = error_lines(result.err)
    assert [line.split(": image", 1)[0] for line in lines] == [
        f"{a}:{line_of(site, a, 'src: images/cut.jpg')}",
        f"{a}:{line_of(site, a, '](/images/cut.jpg)')}",
    ]
    assert all("image 'images/cut.jpg' cannot be decoded" in line for line in lines)
    assert "Traceback" not in result.err
