"""Other generators' template tags, kept as the author wrote them by both engines.

Liquid (`{% highlight %}…{% endhighlight %}`, `{{ site.url }}`) and Hugo (`{{< youtube >}}`,
`{{% note %}}`) tags are not Markdown. Left to the engines, smart quotes rewrite their
insides, emphasis eats their underscores, and Python-Markdown's attribute lists read
`{% endhighlight %}` as attributes, dropping the text. Each tag is swapped for a placeholder
before conversion and put back as text after it; `check`'s foreign-markup rule reports them.
Attribute lists that are not `#id`, `.class` and `key=value` stay text too (`{:toc}`).
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from markdown.extensions.attr_list import AttrListTreeprocessor

from gen.model import Heading

# A Liquid highlight/raw/comment block whole (its inside is code, not Markdown), then single
# tags: {% … %}, {{ … }} (Hugo's {{< … >}} and {{% … %}} among them). Bounded, so the
# search stays linear in the text.
_TAG_RE = re.compile(
    r"\{%-?\s*(highlight|raw|comment)\b[^\n]{0,200}?%\}.{0,20000}?\{%-?\s*end\1\s*-?%\}"
    r"|\{%[^\n]{0,500}?%\}"
    r"|\{\{[^\n]{0,500}?\}\}"
    # WordPress's [caption id="…"], with at least one quoted attribute (a link's text has none).
    r"""|\[[a-z_]+(?:[ ]+[\w-]+=(?:"[^"\n]{0,200}"|'[^'\n]{0,200}'))+[ ]*\](?![(\[:])""",
    re.DOTALL,
)
# Private-use characters, never in the engines' output: around one that numbers the tag
# (not digits, which would show in a heading's id).
_OPEN, _CLOSE, _FIRST = "\ue000", "\ue001", 0xF0000
_MOST = 0xFFFD
_PLACEHOLDER_RE = re.compile(f"{_OPEN}([\U000f0000-\U000ffffd]){_CLOSE}")


def protect(text: str) -> tuple[str, list[str]]:
    """`text` with each template tag replaced by a placeholder, and the tags in order."""
    if ("{" not in text and "=" not in text) or _OPEN in text or _CLOSE in text:
        return text, []
    tags: list[str] = []

    def swap(match: re.Match[str]) -> str:
        if len(tags) >= _MOST:
            return match.group(0)
        tags.append(match.group(0))
        return f"{_OPEN}{chr(_FIRST + len(tags) - 1)}{_CLOSE}"

    return _TAG_RE.sub(swap, text), tags


def restore(body: str, tags: list[str]) -> str | None:
    """`body` with each placeholder back as its tag's text; None if the engine moved one
    where it cannot be put back as written (a link's percent-encoded address)."""
    if not tags:
        return body
    seen: set[int] = set()

    def back(match: re.Match[str]) -> str:
        number = ord(match.group(1)) - _FIRST
        seen.add(number)
        return html.escape(tags[number]) if number < len(tags) else match.group(0)

    restored = _PLACEHOLDER_RE.sub(back, body)
    if len(seen) != len(tags) or _OPEN in restored or _CLOSE in restored:
        return None
    return restored


def restore_text(heading: Heading, tags: list[str]) -> Heading:
    """A table of contents entry with its tags' text back in place."""
    if not tags or _OPEN not in heading.text:
        return heading
    text = _PLACEHOLDER_RE.sub(lambda m: tags[ord(m.group(1)) - _FIRST], heading.text)
    return replace(heading, text=text)


# One attribute: #id, .class or key=value (quoted or not). A bare word, as in kramdown's
# {:toc}, or anything else makes the braces text.
_ATTR = r"""(?:[#.][\w:.-]+|[A-Za-z_:][\w:.-]*=(?:"[^"\n]*"|'[^'\n]*'|[^\s"'=}]+))"""
_STRICT = rf"\{{:?[ ]*({_ATTR}(?:[ ]+{_ATTR})*)[ ]*\}}"


class StrictAttrList(AttrListTreeprocessor):
    """Python-Markdown's attribute lists, applied only where every item is an attribute."""

    # The stubs call these Final; the extension reads them from the instance, so a subclass
    # is how Python-Markdown lets them change.
    BASE_RE = _STRICT  # type: ignore[misc]
    HEADER_RE = re.compile(rf"[ ]+{_STRICT}[ ]*$")  # type: ignore[misc]
    BLOCK_RE = re.compile(rf"\n[ ]*{_STRICT}[ ]*$")  # type: ignore[misc]
    INLINE_RE = re.compile(rf"^{_STRICT}")  # type: ignore[misc]
