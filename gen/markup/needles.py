"""Python-Markdown's inline patterns, each tried only on text that holds what it must match.

Python-Markdown tries every inline pattern (16 with our extensions, and smarty's 18 more)
on every run of text, in order, each a regular expression search: about 1,500 tries a story,
almost all of which fail, and whose bookkeeping was a third of the default engine's time.
A pattern that cannot match without a given character (`*` for emphasis, `[` for a link)
is skipped on text that has none: exactly what trying it would have done, as a search that
finds nothing moves on to the next pattern from the text's start.

Only the patterns named in `NEEDLES` are skipped, and only while Python-Markdown's inline
processor is built as this module knows it (`quicken` checks); any other pattern, or
another version's processor, is tried as before.
"""

from __future__ import annotations

from typing import Any

import markdown
from markdown import treeprocessors, util

# Pattern name → strings one of which any match contains (read off each pattern's regular
# expression: none has a flag that would let it match otherwise, such as IGNORECASE).
_QUOTES = ("'", '"')
NEEDLES: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "github_autolink": ("://", "www.", "@"),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "smarty-em-dashes": ("---",),
    "smarty-en-dashes": ("--",),
    "smarty-ellipses": ("...",),
    **{f"smarty-quotes-{i}": _QUOTES for i in range(15)},
}

_HANDLE = "_InlineProcessor__handleInline"
_APPLY = "_InlineProcessor__applyPattern"


class QuickInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline processor, skipping the patterns a text cannot match."""

    _needles: list[tuple[Any, tuple[str, ...] | None]] | None = None

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self._needles = None  # the registry as it is now, for this document
        return super().run(tree, ancestors)

    def _patterns(self) -> list[tuple[Any, tuple[str, ...] | None]]:
        """The patterns in the registry's order, each with its needles (None: always tried)."""
        if self._needles is None:
            registry = self.inlinePatterns
            needles: list[tuple[str, ...] | None] = [None] * len(registry)
            for name, found in NEEDLES.items():
                if name in registry:
                    needles[registry.get_index_for_name(name)] = found
            self._needles = list(zip(registry, needles, strict=True))
        return self._needles

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803 (Markdown's names)
        """As Python-Markdown's own, but a pattern whose needles are all absent is skipped."""
        if isinstance(data, util.AtomicString):
            return data
        patterns = self._patterns()
        apply = getattr(self, _APPLY)
        at, start = patternIndex, 0
        count = len(patterns)
        while at < count:
            pattern, needles = patterns[at]
            if needles is not None and not any(needle in data for needle in needles):
                at += 1
                start = 0
                continue
            data, matched, start = apply(pattern, data, at, start)
            if not matched:
                at += 1
        return data


def quicken(processor: Any) -> bool:
    """Make one of Python-Markdown's inline processors (the main one, smarty's) a
    `QuickInlineProcessor`, if it is exactly the class this module knows; say if it did."""
    known = (
        markdown.__version_info__[0] == 3
        and type(processor) is treeprocessors.InlineProcessor
        and all(hasattr(treeprocessors.InlineProcessor, name) for name in (_HANDLE, _APPLY))
    )
    if known:
        processor.__class__ = QuickInlineProcessor
    return known
