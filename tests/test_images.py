"""Images: sizes as displayed, planned widths, and published copies stripped of metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage
from PIL import ImageCms

from gen.outputs.images import encode, render_variants
from gen.outputs.inspect import IMAGE_TYPES, image_info, image_size, plan_variants
from tests.conftest import png

GPS_IFD = 0x8825
ORIENTATION = 0x0112
CAMERA_MAKE = 0x010F


def picture(
    fmt: str, width: int = 60, height: int = 40, mode: str = "RGB", **save: object
) -> bytes:
    out = io.BytesIO()
    PILImage.new(mode, (width, height), "red" if mode == "RGB" else None).save(out, fmt, **save)
    return out.getvalue()


def exif(orientation: int | None = None, gps: bool = False) -> PILImage.Exif:
    data = PILImage.Exif()
    data[CAMERA_MAKE] = "Reporter's camera"
    if orientation is not None:
        data[ORIENTATION] = orientation
    if gps:
        data[GPS_IFD] = {1: "N", 2: (50.0, 27.0, 0.0), 3: "E", 4: (30.0, 31.0, 0.0)}
    return data


def opened(data: bytes) -> PILImage.Image:
    img = PILImage.open(io.BytesIO(data))
    img.load()
    return img


@pytest.mark.parametrize(
    ("fmt", "save"),
    [
        ("PNG", {}),
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),
        ("GIF", {}),
        ("WEBP", {"quality": 80}),
        ("WEBP", {"lossless": True}),
    ],
)
def test_reads_the_size_and_format_of_each_kind(fmt: str, save: dict[str, object]) -> None:
    info = image_info(picture(fmt, 301, 17, **save))
    assert info is not None
    assert (info.width, info.height, info.format) == (301, 17, fmt)
    assert image_size(picture(fmt, 301, 17, **save)) == (301, 17)


def test_reads_the_test_helper_png() -> None:
    assert image_size(png(4, 3)) == (4, 3)


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_a_rotated_photo_reports_its_displayed_size(orientation: int) -> None:
    data = picture("JPEG", 600, 400, exif=exif(orientation))
    assert image_size(data) == (400, 600)


@pytest.mark.parametrize("orientation", [1, 2, 3, 4])
def test_an_upright_or_flipped_photo_keeps_its_size(orientation: int) -> None:
    assert image_size(picture("JPEG", 600, 400, exif=exif(orientation))) == (600, 400)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"RIFF\0\0\0\0WEBPVP8 ",
    ],
)
def test_unreadable_data_has_no_size(data: bytes) -> None:
    assert image_info(data) is None
    assert image_size(data) is None


def test_plans_smaller_widths_never_larger_ones() -> None:
    info = image_info(picture("JPEG", 1200, 800))
    assert info is not None
    variants = plan_variants("images/kyiv.jpg", info, (480, 960, 1600))
    assert [(v.width, v.height, v.path, v.mime) for v in variants] == [
        (480, 320, "images/kyiv-jpg-480.webp", "image/webp"),
        (480, 320, "images/kyiv-jpg-480.jpg", "image/jpeg"),
        (960, 640, "images/kyiv-jpg-960.webp", "image/webp"),
        (960, 640, "images/kyiv-jpg-960.jpg", "image/jpeg"),
        (1200, 800, "images/kyiv-jpg-1200.webp", "image/webp"),
        (1200, 800, "images/kyiv.jpg", "image/jpeg"),
    ]


def test_a_small_image_is_published_at_its_own_size_only() -> None:
    info = image_info(picture("PNG", 300, 200))
    assert info is not None
    variants = plan_variants("images/map.png", info, (480, 960))
    assert [(v.width, v.path) for v in variants] == [
        (300, "images/map-png-300.webp"),
        (300, "images/map.png"),
    ]


def test_a_webp_original_is_not_planned_twice() -> None:
    info = image_info(picture("WEBP", 1000, 500))
    assert info is not None
    variants = plan_variants("images/x.webp", info, (480,))
    assert [(v.width, v.path) for v in variants] == [
        (480, "images/x-webp-480.webp"),
        (1000, "images/x.webp"),
    ]


def test_gifs_are_published_as_they_are() -> None:
    info = image_info(picture("GIF", 800, 600))
    assert info is not None
    assert plan_variants("images/anim.gif", info, (480,)) == ()


def test_renders_every_planned_variant_at_its_size() -> None:
    data = picture("JPEG", 1200, 800)
    info = image_info(data)
    assert info is not None
    variants = plan_variants("images/kyiv.jpg", info, (480, 960))
    files = render_variants(data, variants)
    assert [f.path for f in files] == [v.path for v in variants]
    for file, variant in zip(files, variants, strict=True):
        img = opened(file.data)
        assert img.size == (variant.width, variant.height)
        assert IMAGE_TYPES["." + file.path.rsplit(".", 1)[1]] == variant.mime
        assert PILImage.MIME[img.format] == variant.mime


def test_published_jpegs_carry_no_exif_or_gps() -> None:
    data = picture("JPEG", 600, 400, exif=exif(gps=True))
    assert GPS_IFD in opened(data).getexif()  # the source really has a location
    info = image_info(data)
    assert info is not None
    for file in render_variants(data, plan_variants("images/p.jpg", info, (300,))):
        img = opened(file.data)
        assert dict(img.getexif()) == {}, file.path
        assert "exif" not in img.info
        assert b"Reporter's camera" not in file.data


def test_published_pngs_drop_text_chunks() -> None:
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("Comment", "shot at 50.45N 30.52E")
    data = picture("PNG", 80, 60, pnginfo=meta)
    assert opened(data).info.get("Comment")
    info = image_info(data)
    assert info is not None
    [webp, own] = render_variants(data, plan_variants("images/p.png", info, ()))
    assert b"50.45N" not in own.data and b"50.45N" not in webp.data
    assert "Comment" not in opened(own.data).info


def test_rotation_is_applied_to_the_pixels() -> None:
    data = picture("JPEG", 600, 400, exif=exif(6))
    info = image_info(data)
    assert info is not None
    [webp, own] = render_variants(data, plan_variants("images/p.jpg", info, ()))
    for file in (webp, own):
        img = opened(file.data)
        assert img.size == (400, 600)
        assert img.getexif().get(ORIENTATION) in (None, 1)


def test_the_colour_profile_is_kept() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = picture("JPEG", 100, 80, icc_profile=icc)
    img = PILImage.new("RGB", (10, 10))
    assert opened(encode(img, "image/jpeg", icc)).info.get("icc_profile") == icc
    info = image_info(data)
    assert info is not None
    for file in render_variants(data, plan_variants("images/p.jpg", info, ())):
        assert opened(file.data).info.get("icc_profile") == icc, file.path


def test_transparent_images_stay_transparent_as_webp() -> None:
    img = PILImage.new("RGBA", (20, 20), (255, 0, 0, 0))
    assert opened(encode(img, "image/webp", None)).mode == "RGBA"


def test_an_undecodable_image_is_a_value_error() -> None:
    data = picture("JPEG", 600, 400)
    info = image_info(data)
    assert info is not None
    variants = plan_variants("images/p.jpg", info, (300,))
    with pytest.raises(ValueError, match="cannot be decoded"):
        render_variants(data[:200], variants)


def test_knows_the_media_type_of_each_published_format() -> None:
    assert IMAGE_TYPES[".jpg"] == IMAGE_TYPES[".jpeg"] == "image/jpeg"
    assert IMAGE_TYPES[".webp"] == "image/webp"
    assert IMAGE_TYPES[".svg"] == "image/svg+xml"
