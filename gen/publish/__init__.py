"""`dateline publish`: the built output folder synced to storage rclone reaches, changed
files only, in an order that never shows a reader a broken page."""

from __future__ import annotations

from gen.errors import GenError


class PublishError(GenError):
    """Publishing cannot start or could not finish; each problem names a place."""

    kind = "publish"
