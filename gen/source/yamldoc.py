"""YAML loaded with the safe loader only, keeping the file line of every key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

# The C loader is several times faster; both refuse tags that would construct objects.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, but an impossible date (2026-02-30) stays text for a clear error."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A parsed YAML mapping and the line (in the file) of each key path."""

    data: dict[str, Any]
    lines: dict[KeyPath, int]
    first_line: int

    def line(self, *path: str | int) -> int:
        """The file line of a key, of its nearest parent, or of the document."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.first_line


class YamlSyntaxError(ValueError):
    """YAML that does not parse, or that asks for a tag the safe loader refuses."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


ALIASES_REFUSED = "YAML aliases (&/*) are not allowed"


def _refuse_aliases(text: str, first_line: int) -> None:
    """Raise at the first anchor or alias: a few hundred bytes of them expand without end.

    Only text holding '&' or '*' is scanned (front matter is parsed on every cold build);
    one inside a scalar ("Fish & chips", 5 * 3) is no token and passes. A scan that fails
    leaves the syntax error to the parse, which reports it as it always has.
    """
    if "&" not in text and "*" not in text:
        return
    try:
        for token in yaml.scan(text, Loader=_Base):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                raise YamlSyntaxError(token.start_mark.line + first_line, ALIASES_REFUSED)
    except yaml.YAMLError:
        return


def load_yaml(text: str, first_line: int = 1) -> YamlDoc:
    """Parse `text` (which starts on file line `first_line`) into a mapping with key lines.

    Anchors and aliases are refused before parsing, so hostile YAML ends at once.
    """
    _refuse_aliases(text, first_line)
    offset = first_line - 1
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        # The context mark (where the broken construct began) is nearer the mistake.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 + offset if mark is not None else first_line
        raise YamlSyntaxError(line, _describe(exc)) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (a control character): at its line, in one line.
        line = text.count("\n", 0, max(exc.position, 0)) + first_line
        char = exc.character
        code = char if isinstance(char, int) else ord(char) if len(char) == 1 else None
        what = f"U+{code:04X}" if code is not None else repr(char)
        raise YamlSyntaxError(line, f"YAML does not allow the character {what} here") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, " ".join(str(exc).split())) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise YamlSyntaxError(first_line, "expected a mapping of keys to values")
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _collect_lines(node, (), offset, lines)
    return YamlDoc({str(k): v for k, v in data.items()}, lines, first_line)


def _collect_lines(node: yaml.Node, path: KeyPath, offset: int, out: dict[KeyPath, int]) -> None:
    """Walk the node tree, recording where each mapping key and list item starts."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                sub = (*path, str(key.value))
                line = key.start_mark.line + 1 + offset
                if sub in out:  # YAML would silently keep the last one: say so instead
                    name = ".".join(str(p) for p in sub)
                    raise YamlSyntaxError(
                        line, f"'{name}' is given twice (first on line {out[sub]})"
                    )
                out[sub] = line
                _collect_lines(value, sub, offset, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sub = (*path, index)
            out[sub] = item.start_mark.line + 1 + offset
            _collect_lines(item, sub, offset, out)


def _describe(exc: yaml.MarkedYAMLError) -> str:
    """A one-line account of a YAML error, without PyYAML's own position text."""
    if isinstance(exc, yaml.constructor.ConstructorError) and exc.problem and "tag" in exc.problem:
        tag = exc.problem.split("tag", 1)[1].strip(" '")
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        return f"YAML tag '{tag}' is refused: only plain values are read, never objects"
    problem = exc.problem or "invalid YAML"
    context = f" {exc.context}" if exc.context else ""
    return f"YAML does not parse: {problem}{context}"


# --- A parsed document as JSON, for the build cache (never pickle: a cache is data) ------


class _NotPlain(Exception):
    """A value the JSON form does not carry: that document is simply not cached."""


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"$map": {k: _plain(v) for k, v in value.items()}}
    raise _NotPlain


def _unplain(value: Any) -> Any:
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    if isinstance(value, dict):
        if "$map" in value:
            return {k: _unplain(v) for k, v in value["$map"].items()}
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        return date.fromisoformat(value["$d"])
    return value


def doc_to_json(doc: YamlDoc) -> Any | None:
    """`doc` as JSON-ready values, or None if it holds something JSON cannot carry."""
    try:
        data = _plain(doc.data)
    except _NotPlain:
        return None
    return {
        "data": data,
        "lines": [[list(k), v] for k, v in doc.lines.items()],
        "first": doc.first_line,
    }


def doc_from_json(value: Any) -> YamlDoc:
    """The document `doc_to_json` gave (KeyError, TypeError or ValueError if it is not one)."""
    return YamlDoc(
        _unplain(value["data"]),
        {tuple(k): int(v) for k, v in value["lines"]},
        int(value["first"]),
    )
