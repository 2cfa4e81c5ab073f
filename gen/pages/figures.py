"""Responsive <picture> markup for lead and body images: srcset, sizes, width and height."""

from __future__ import annotations

import dataclasses
import html
import re

from gen.markup.sanitize import sanitize_lite
from gen.model import Image
from gen.urls import url_path

# The article column is at most ~46rem wide; phones use the whole width.
SIZES = "(min-width: 50rem) 46rem, 100vw"
_ATTR_RE = re.compile(r'(\w[\w-]*)="([^"]*)"')
# An <img>, possibly alone in its paragraph; one pass, so replaced markup is never re-read.
_IMG_RE = re.compile(r"(<p>)?<img ([^>]*)>(</p>)?")


def file_url(base_path: str, path: str) -> str:
    """The URL of a published file (`path` relative to the output folder) under the site's
    base path, percent-encoded (`url_path`): "c#d.jpg" would 404, "a b.jpg" split a srcset."""
    return base_path + url_path(path)


def srcset(image: Image, mime: str, base_path: str) -> str:
    """'…-480.webp 480w, …-960.webp 960w' for one format of an image."""
    return ", ".join(
        f"{file_url(base_path, v.path)} {v.width}w" for v in image.variants if v.mime == mime
    )


def picture_html(image: Image, base_path: str, *, lazy: bool = True) -> str:
    """A <picture> with a WebP source and the original format as the <img> fallback.

    The <img> always carries width and height, so nothing shifts while it loads.
    """
    e = html.escape
    size = f' width="{image.width}" height="{image.height}"' if image.width else ""
    loading = ' loading="lazy"' if lazy else ""
    if not image.variants:
        src = e(file_url(base_path, image.src))
        return f'<img src="{src}" alt="{e(image.alt)}"{size}{loading} decoding="async">'
    own = [v for v in image.variants if v.mime != "image/webp"] or list(image.variants)
    # The fallback src is the middle size: good enough for browsers that ignore srcset.
    fallback = own[len(own) // 2]
    return (
        "<picture>"
        f'<source type="image/webp" srcset="{e(srcset(image, "image/webp", base_path))}" '
        f'sizes="{SIZES}">'
        f'<img src="{e(file_url(base_path, fallback.path))}" '
        f'srcset="{e(srcset(image, own[0].mime, base_path))}" sizes="{SIZES}" '
        f'alt="{e(image.alt)}"{size}{loading} decoding="async">'
        "</picture>"
    )


def enhance_body_images(body: str, images: dict[str, Image], base_path: str) -> str:
    """Turn Markdown's <img> tags of content images into responsive pictures, each with its
    own tag's alt text; an image alone in its paragraph becomes a <figure> whose caption is
    the image's title."""
    if "<img " not in body:  # most bodies: skip the regular expression's scan
        return body

    def replace(match: re.Match[str]) -> str:
        attrs = dict(_ATTR_RE.findall(match.group(2)))
        image = images.get(html.unescape(attrs.get("src", "")))
        if image is None:
            return match.group(0)
        # Each use says what the image shows there: one photo can be two things in one
        # story, or decoration (alt="") in a third place; the file's first alt is not theirs.
        image = dataclasses.replace(image, alt=html.unescape(attrs.get("alt", "")))
        picture = picture_html(image, base_path)
        if not (match.group(1) and match.group(3)):
            return f"{match.group(1) or ''}{picture}{match.group(3) or ''}"
        text, _, credit = html.unescape(attrs.get("title", "")).partition("|")
        caption = html.escape(text.strip())
        if credit.strip():
            caption += f' <span class="credit">{html.escape(credit.strip())}</span>'
        figcaption = f"<figcaption>{caption.strip()}</figcaption>" if caption else ""
        return f'<figure class="image">{picture}{figcaption}</figure>'

    return _IMG_RE.sub(replace, body)


_FIGURE_RE = re.compile(r'<figure class="image">(.*?)</figure>', re.DOTALL)
_PICTURE_RE = re.compile(r"<picture>.*?</picture>|<img [^>]*>", re.DOTALL)
_TAGS_RE = re.compile(r"<[^>]+>")


def lite_body(body: str) -> str:
    """Body HTML for the text-only edition: every image replaced by its description,
    caption and credit as text, then only text markup and safe links kept, whatever
    `raw_html` let into the full page (no script, iframe, form, svg, video, audio,
    object, embed or event attribute; links to http, https, mailto or this site's
    pages). Our own markup is kept byte for byte (gen/markup/sanitize.py)."""
    return sanitize_lite(_images_as_text(body))


def _images_as_text(body: str) -> str:
    if "<img " not in body:  # every figure and picture holds an <img>
        return body

    def describe(fragment: str) -> str:
        img = _IMG_RE.search(fragment)
        alt = dict(_ATTR_RE.findall(img.group(2))).get("alt") if img else None
        if alt is not None and not alt.strip():
            return ""  # alt="": decoration, with nothing to say in a text edition
        return f"[{html.unescape(alt or '').strip() or 'Image'}]"

    def figure(match: re.Match[str]) -> str:
        inner = match.group(1)
        caption = (
            _TAGS_RE.sub("", inner.split("<figcaption>", 1)[1]) if "<figcaption>" in inner else ""
        )
        text = " ".join(part for part in (describe(inner), caption.strip()) if part)
        return f'<p class="image-text">{html.escape(html.unescape(text))}</p>' if text else ""

    body = _FIGURE_RE.sub(figure, body)
    return _PICTURE_RE.sub(lambda m: html.escape(describe(m.group(0))), body)
