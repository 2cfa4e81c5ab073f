"""SVG published only when it is plain: no script, event attribute, foreignObject, script or
data URL, external reference, @import or DOCTYPE (an SVG is a document, and can run code or
leak a reader's visit to another host)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

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
