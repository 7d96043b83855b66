"""Line-accurate YAML reading: parse a document, remember where every value sits, validate it.

Policy files are written by people, so every problem is reported as
``InputError(file, reason, location="line N")``: YAML syntax errors use the parser's mark,
schema errors from pydantic are mapped back to the line of the offending value through the
composed node tree (:func:`yaml.compose` keeps a start mark on every node).

Validators that check several fields at once can point at a precise value by raising
:func:`located_error`; the ``subpath`` it carries is appended to pydantic's location.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from pluralign.errors import InputError

M = TypeVar("M", bound=BaseModel)

PathKey = tuple[str | int, ...]
"""A location inside a document: mapping keys (str) and sequence indices (int)."""

MAX_NESTING = 32
"""Deepest collection nesting accepted; policy files need four levels, deeper input is refused
before the recursive composer could exhaust the stack."""

EMPTY_DOCUMENT = "empty document: expected a mapping"
"""The reason given for a file without a YAML document (empty, or only comments)."""

MAX_FILE_BYTES = 1 << 20
"""Largest YAML file read (1 MiB; the shipped policy, scenario and catalogue files are about
12 KiB). PyYAML's pure-Python parser takes about a second per MiB and ~1 KiB of memory per
value, so larger files are refused before they are parsed."""

MAX_VALUES = 20_000
"""Most values (scalars, sequences, mappings, keys included) a document may hold once its
aliases are expanded. Counted while composing, so an alias bomb ("billion laughs") is refused
before anything is expanded, and memory stays near 20 MiB."""


def located_error(reason: str, *subpath: str | int) -> PydanticCustomError:
    """Build a validation error whose location is refined by ``subpath`` (keys / indices).

    Raise it from a validator that checks several fields, so the error points at the
    value at fault rather than at the enclosing mapping.
    """
    return PydanticCustomError("policy_rule", "{reason}", {"reason": reason, "subpath": subpath})


@dataclass(frozen=True)
class YamlDocument:
    """One parsed YAML document with the line of every value in it."""

    source: str
    """The file name (or other label) used in error messages."""
    data: Any
    """The document as plain Python data (dicts, lists, scalars)."""
    lines: Mapping[PathKey, int]
    """1-based line of the value at each location; ``()`` is the document itself."""

    def line_of(self, path: PathKey) -> int:
        """Return the line of the deepest known value on ``path`` (unknown steps are skipped)."""
        found = self.lines.get((), 1)
        prefix: PathKey = ()
        for step in path:
            candidate = (*prefix, step)
            if candidate in self.lines:
                prefix = candidate
                found = self.lines[candidate]
        return found

    def error(self, path: PathKey, reason: str) -> InputError:
        """Build an :class:`InputError` for the value at ``path``."""
        return InputError(self.source, reason, location=f"line {self.line_of(path)}")

    def validate(self, model: type[M], context: Mapping[str, Any] | None = None) -> M:
        """Validate the document as ``model``; schema errors become line-accurate InputErrors."""
        try:
            return model.model_validate(self.data, context=dict(context or {}))
        except ValidationError as exc:
            raise self._first_problem(exc.errors(include_url=False)) from None

    def _first_problem(self, errors: list[ErrorDetails]) -> InputError:
        paths = [_full_path(e) for e in errors]
        # an error on a container that also has errors inside it is their consequence
        # (e.g. "at least 1 item" after its only item failed): report the inner ones
        located = [
            (self.line_of(path), path, error)
            for path, error in zip(paths, errors, strict=True)
            if not any(len(other) > len(path) and other[: len(path)] == path for other in paths)
        ]
        located.sort(key=lambda item: item[0])
        line, path, first = located[0]
        reason = _describe(path, first)
        if len(located) > 1:
            more = len(located) - 1
            reason += f" (and {more} more problem{'s' if more > 1 else ''})"
        return InputError(self.source, reason, location=f"line {line}")


def _full_path(error: ErrorDetails) -> PathKey:
    subpath = (error.get("ctx") or {}).get("subpath", ())
    return (*error["loc"], *subpath)


def _describe(path: PathKey, error: ErrorDetails) -> str:
    where = _dotted(path)
    if error["type"] == "extra_forbidden":
        return f"unknown field {where!r}"
    message = str(error["msg"])
    return f"{where}: {message}" if where else message


def _dotted(path: PathKey) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def read_yaml_file(path: Path) -> YamlDocument:
    """Read and parse a UTF-8 YAML file; a missing file is an InputError too.

    At most :data:`MAX_FILE_BYTES` + 1 bytes are read: a larger file is refused unread.
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    return parse_yaml_bytes(raw, str(path))


def parse_yaml_bytes(raw: bytes, source: str) -> YamlDocument:
    """Decode UTF-8 bytes and parse them; undecodable bytes are reported with their line."""
    if len(raw) > MAX_FILE_BYTES:
        line = raw.count(b"\n", 0, MAX_FILE_BYTES) + 1
        reason = f"file larger than {MAX_FILE_BYTES} bytes: not read as YAML"
        raise InputError(source, reason, location=f"line {line}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(source, "not valid UTF-8 text", location=f"line {line}") from None
    return parse_yaml_text(text, source)


def parse_yaml_text(text: str, source: str) -> YamlDocument:
    """Parse one YAML document; syntax errors, duplicate keys and empty files are InputErrors.

    Documents longer than :data:`MAX_FILE_BYTES` characters, nested deeper than
    :data:`MAX_NESTING` or holding more than :data:`MAX_VALUES` values with their aliases
    expanded (alias bombs, recursive aliases) are refused before they are constructed.
    """
    if len(text) > MAX_FILE_BYTES:
        line = text.count("\n", 0, MAX_FILE_BYTES) + 1
        reason = f"text longer than {MAX_FILE_BYTES} characters: not read as YAML"
        raise InputError(source, reason, location=f"line {line}")
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, source) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(source, EMPTY_DOCUMENT, location="line 1")
        lines = _node_lines(node, source)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, source) from None
    finally:
        loader.dispose()
    return YamlDocument(source=source, data=data, lines=lines)


def _reader_error(exc: yaml.reader.ReaderError, text: str, source: str) -> InputError:
    line = text.count("\n", 0, exc.position) + 1
    reason = f"unacceptable character U+{exc.character:04X}: {exc.reason}"
    return InputError(source, reason, location=f"line {line}")


def _syntax_error(exc: yaml.MarkedYAMLError, source: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    reason = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
    location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "line 1"
    return InputError(source, f"invalid YAML: {reason}", location=location)


class _BoundedLoader(yaml.SafeLoader):
    """A safe loader whose composer bounds nesting, document size and alias expansion.

    Refuses nesting deeper than :data:`MAX_NESTING`, more than :data:`MAX_VALUES` values with
    aliases expanded (each alias counts the values it stands for, computed on the composed
    nodes, which aliases share); a recursive alias counts as one value.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0
        self._open_anchors: set[str] = set()
        self._sizes: dict[int, int] = {}

    def fetch_flow_collection_start(self, TokenClass: type[yaml.Token]) -> None:  # noqa: N803
        """Refuse deep flow nesting (``[[[[…``) while scanning.

        The scanner looks up to 1024 characters ahead, with work per character growing with
        the nesting: refused at the first bracket too deep, the scan stays cheap.
        """
        mark = self.get_mark()  # the bracket's own place
        super().fetch_flow_collection_start(TokenClass)
        if self.flow_level > MAX_NESTING:
            reason = f"nesting deeper than {MAX_NESTING} levels"
            raise yaml.scanner.ScannerError(None, None, reason, mark)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            return self._compose_alias(parent, index, event)
        self._depth += 1
        anchor = event.anchor
        try:
            if self._depth > MAX_NESTING:
                raise _composer_error(f"nesting deeper than {MAX_NESTING} levels", event)
            self._add_values(1, event, "")
            if anchor is not None:
                self._open_anchors.add(anchor)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.discard(anchor)

    def _compose_alias(
        self, parent: yaml.Node | None, index: int, event: yaml.AliasEvent
    ) -> yaml.Node | None:
        recursive = event.anchor in self._open_anchors
        node = super().compose_node(parent, index)
        if node is not None:
            # a recursive alias closes a cycle (counted once, pydantic refuses cyclic data)
            size = 1 if recursive else self._expanded_size(node)
            self._add_values(size, event, f" (alias *{event.anchor} stands for {size} values)")
        return node

    def _add_values(self, count: int, event: yaml.Event, detail: str) -> None:
        self._values += count
        if self._values > MAX_VALUES:
            reason = f"more than {MAX_VALUES} values with aliases expanded{detail}"
            raise _composer_error(reason, event)

    def _expanded_size(self, root: yaml.Node) -> int:
        """Values in ``root`` with every alias inside it expanded (memoised per node).

        A node met again while its own children are being counted closes a cycle (a
        recursive alias) and counts as one value.
        """
        pending: list[tuple[yaml.Node, bool]] = [(root, False)]
        visiting: set[int] = set()
        while pending:
            node, children_done = pending.pop()
            key = id(node)
            if key in self._sizes:
                continue
            children = _child_nodes(node)
            if children_done:
                self._sizes[key] = 1 + sum(self._sizes.get(id(c), 1) for c in children)
            elif key not in visiting:
                visiting.add(key)
                pending.append((node, True))
                pending.extend((c, False) for c in children if id(c) not in self._sizes)
        return self._sizes[id(root)]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct a value, turning PyYAML's unmarked scalar failures into marked errors.

        PyYAML raises a bare ValueError / KeyError / AttributeError for scalars it cannot
        convert (``2024-13-45``, ``!!int x``, ``!!bool maybe``).
        """
        if not isinstance(node, yaml.ScalarNode):
            return super().construct_object(node, deep)
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r} as {node.tag}", node.start_mark
            ) from None


def _composer_error(reason: str, event: yaml.Event) -> yaml.composer.ComposerError:
    mark = event.start_mark if isinstance(event.start_mark, yaml.Mark) else None
    return yaml.composer.ComposerError(None, None, reason, mark)


def _child_nodes(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _node_lines(root: yaml.Node, source: str) -> dict[PathKey, int]:
    """Map every location to its 1-based line; refuse duplicate mapping keys."""
    lines: dict[PathKey, int] = {(): root.start_mark.line + 1}
    seen: set[int] = set()
    pending: list[tuple[PathKey, yaml.Node]] = [((), root)]
    while pending:
        path, node = pending.pop()
        if id(node) in seen:  # an alias: already mapped where the anchor was defined
            continue
        seen.add(id(node))
        for key, child in _children(node, path, source):
            lines[(*path, key)] = child.start_mark.line + 1
            pending.append(((*path, key), child))
    return lines


def _children(node: yaml.Node, path: PathKey, source: str) -> list[tuple[str | int, yaml.Node]]:
    if isinstance(node, yaml.SequenceNode):
        return list(enumerate(node.value))
    if not isinstance(node, yaml.MappingNode):
        return []
    children: list[tuple[str | int, yaml.Node]] = []
    keys: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = str(key_node.value)
        if key in keys:
            where = f"line {key_node.start_mark.line + 1}"
            raise InputError(source, f"duplicate key {_dotted((*path, key))!r}", location=where)
        keys.add(key)
        children.append((key, value_node))
    return children
