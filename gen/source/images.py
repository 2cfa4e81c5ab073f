"""Finding a story's images: under content/ or beside the story in its folder, checked to be
safe to publish (a web format, within the pixel limit, a plain SVG), with the widths they are
published in; and the lead image's front matter."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from gen.errors import ErrorReport, suggest, unknown_keys
from gen.model import Image
from gen.outputs.inspect import MAX_IMAGE_MEGAPIXELS, Inspection, about, inspect_asset
from gen.source.fields import IMAGE_KEYS, Err
from gen.source.read import Asset, story_folder
from gen.source.yamldoc import YamlDoc
from gen.urls import url_path


@dataclass(frozen=True, slots=True)
class ImageFinder:
    """Looks up images under content/, checks they can be published safely (a web format,
    within the pixel limit, a plain SVG) and plans the widths they are published in."""

    assets: dict[str, Asset]
    widths: tuple[int, ...]
    megapixels: int = MAX_IMAGE_MEGAPIXELS  # the largest image decoded, in millions of pixels
    # Each file is inspected (its header read, its widths planned) once per build, however
    # many articles show it.
    checked: dict[str, Inspection] = field(default_factory=dict, compare=False)

    def resolve(self, src: str, folder: str = "") -> str:
        """The path under content/ of a file a story names: a relative `src` beside the
        story first (its `story_folder`, e.g. articles/my-story/), then under content/."""
        if folder and not src.startswith("/"):
            near = posixpath.normpath(folder + src)
            if near in self.assets:
                return near
        return src.lstrip("/").removeprefix("content/")

    def find(
        self,
        src: str,
        text: ImageText,
        key: tuple[str | int, ...],
        ref: str,
        err: Err,
        folder: str = "",
    ) -> Image | None:
        """An `Image` for a file under content/ (or beside the story, in `folder`); an error
        at `key` if missing, unreadable or refused (a format browsers cannot show, a
        decompression bomb, an SVG with a script)."""
        rel = self.resolve(src, folder)
        asset = self.assets.get(rel)
        if asset is None:
            hint = suggest(rel, self.assets)
            beside = folder and not src.startswith("/")
            where = f"beside the story (content/{folder}) or " if beside else ""
            err(key, f"image '{src}' does not exist {where}under content/{hint}")
            return None
        known = self.checked.get(rel)
        if known is None:
            known = self.checked[rel] = self.inspect(rel)
        if known.problem:
            err(key, about(src, known.problem))
            return None
        if known.kind == "svg":
            return Image(rel, url_path("/" + rel), *text, length=len(asset.data), ref=ref)
        info = known.info
        if info is None:
            err(key, f"image '{src}' is not a readable PNG, JPEG, GIF or WebP file")
            return None
        return Image(
            rel,
            url_path("/" + rel),
            *text,
            width=info.width,
            height=info.height,
            length=len(asset.data),
            variants=known.variants,
            ref=ref,
        )

    def inspect(self, rel: str) -> Inspection:
        """What the file at `rel` is and how it is published (`inspect_asset`)."""
        return inspect_asset(rel, self.assets[rel].data, self.widths, self.megapixels)

    def report_unshown(self, report: ErrorReport) -> None:
        """An error at each file under content/ that no story asked for and that cannot be
        published (a TIFF, a bomb, an SVG with a script …), so that a build reports them
        with the stories' errors rather than after those are fixed."""
        for rel in sorted(self.assets):
            if rel in self.checked:
                continue  # shown by a story: any problem is an error at its lines
            known = self.checked[rel] = self.inspect(rel)
            if known.problem:
                report.error(f"content/{rel}", None, known.problem)


ImageText = tuple[str, str, str]  # alt, credit, caption


def lead_image(front: YamlDoc, finder: ImageFinder, path: str, err: Err) -> Image | None:
    """`image: {src, alt, credit, caption}`, or `image: PATH` with flat `image_*` keys."""
    data = front.data
    value = data.get("image")
    flat = {k: data[f"image_{k}"] for k in ("alt", "credit", "caption") if f"image_{k}" in data}
    if value is None:
        if flat:
            err((f"image_{next(iter(flat))}",), "'image_*' keys need an 'image: PATH'")
        return None
    if isinstance(value, str):
        spec: dict[str, Any] = {"src": value, **flat}
    elif isinstance(value, dict):
        unknown_keys(value, "image", IMAGE_KEYS, err)
        spec = {**flat, **value}
    else:
        err(("image",), "'image' must be a path or {src, alt, credit, caption}")
        return None

    def where(key: str) -> tuple[str, ...]:
        if isinstance(value, dict) and key in value:
            return ("image", key)
        return (f"image_{key}",) if f"image_{key}" in data else ("image",)

    alt = str(spec.get("alt") or "").strip()
    credit = str(spec.get("credit") or "").strip()
    if not alt:
        err(
            where("alt"),
            "the lead image needs 'alt' text describing it for readers who can't see it",
        )
    if not credit:
        err(where("credit"), "the lead image needs a 'credit' naming who made it")
    src = str(spec.get("src") or "").strip()
    if not src:
        err(where("src"), "the lead image needs a 'src' path under content/")
        return None
    caption = str(spec.get("caption") or "").strip()
    ref = f"{path}:{front.line(*where('src'))}"
    return finder.find(src, (alt, credit, caption), where("src"), ref, err, story_folder(path))
