"""Read the YAML (and JSON) files the kit is handed (spec, data file, targets file), safely.

Every YAML file goes through :func:`read_yaml`, which

* refuses a file over its size limit before reading it (and reads at most the limit, so a
  device or a growing file cannot get past it);
* builds plain JSON data straight from libyaml's event stream (no node graph, several
  times faster and smaller than ``yaml.load``);
* refuses YAML aliases (``*name``) outright, at the first one: an alias shares a subtree,
  and a handful of them nested ("billion laughs") expand to billions of nodes in anything
  that walks the data as a tree. A contract rarely needs them, and a spec has ``$ref``;
* refuses nesting deeper than :data:`MAX_DEPTH` levels;
* refuses a key that comes twice in one mapping (YAML 1.2 and JSON readers alike would
  keep the later value without a word: two ``get:`` under one path would lose the first);
* keeps values YAML would read as dates, timestamps or binary as the strings they look like
  (``2020-01-01`` stays ``"2020-01-01"``, their JSON form), so every value is JSON data.

Everything else follows PyYAML's safe loader (YAML 1.1 booleans, octal, merge keys of
inline mappings, ``!!set`` as a mapping of nulls). Problems raise the caller's
:class:`~usage_contract_kit.errors.LoadError` subclass with the JSON pointer of the place.

A spec may be JSON: :func:`read_document` reads a file named ``*.json``, or whose text
starts with ``{`` or ``[``, as JSON (:mod:`usage_contract_kit.json_text`, within the same
size and depth limits), and anything else as YAML.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml import events

from usage_contract_kit.errors import LoadError, pointer
from usage_contract_kit.json_text import key_twice, parse_json

__all__ = ["MAX_DEPTH", "MEGABYTE", "Document", "parse_text", "parse_yaml", "read_document", "read_yaml"]

MAX_DEPTH = 128
MEGABYTE = 1024 * 1024

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER: Any = yaml.resolver.Resolver()
_CONSTRUCTOR: Any = yaml.constructor.SafeConstructor()
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TAG = "tag:yaml.org,2002:"
_AS_STRING = frozenset({_TAG + "str", _TAG + "timestamp", "!"})
_BY_CONSTRUCTOR = frozenset({_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"})
_MAPPING_TAGS = frozenset({None, "!", _TAG + "map", _TAG + "set"})
_SEQUENCE_TAGS = frozenset({None, "!", _TAG + "seq", _TAG + "omap", _TAG + "pairs"})
_MERGE = _TAG + "merge"
_NO_KEY: Any = object()


class _MergeKey:
    """The ``<<`` key of a mapping (a YAML 1.1 merge)."""


_MERGE_KEY = _MergeKey()


@dataclass(frozen=True)
class Document:
    value: Any
    digest: str  # SHA-256 of the file's bytes
    size: int


def read_yaml(path: str | Path, *, source: str, max_bytes: int, limit_name: str, error: type[LoadError]) -> Document:
    """Read and parse one YAML file of at most ``max_bytes``; raise ``error`` naming the fault."""
    data = _read(path, source=source, max_bytes=max_bytes, limit_name=limit_name, error=error)
    return Document(parse_yaml(data, source=source, error=error), hashlib.sha256(data).hexdigest(), len(data))


def read_document(
    path: str | Path, *, source: str, max_bytes: int, limit_name: str, error: type[LoadError]
) -> Document:
    """Read and parse one YAML or JSON file of at most ``max_bytes`` (see :func:`parse_text`).

    ``source`` names the file in messages, and its ending (``.json``) says JSON: ``path`` may
    be a copy under another name.
    """
    data = _read(path, source=source, max_bytes=max_bytes, limit_name=limit_name, error=error)
    value = parse_text(data, source=source, error=error, as_json=source.lower().endswith(".json"))
    return Document(value, hashlib.sha256(data).hexdigest(), len(data))


def parse_text(data: bytes | str, *, source: str, error: type[LoadError], as_json: bool = False) -> Any:
    """Plain data from a JSON or YAML document.

    JSON when ``as_json`` (a file named ``*.json``), YAML otherwise; but a text that starts
    with ``{`` or ``[`` is read as JSON first, then, if it is not JSON, as YAML (a flow
    mapping): when neither reads it, the fault reported is JSON's.
    """
    if as_json:
        return parse_json(data, source=source, error=error, max_depth=MAX_DEPTH)
    head = data[:64].lstrip() if isinstance(data, str) else data[:64].decode("utf-8", "replace").lstrip()
    if not head.removeprefix("\ufeff").lstrip().startswith(("{", "[")):
        return parse_yaml(data, source=source, error=error)
    try:
        return parse_json(data, source=source, error=error, max_depth=MAX_DEPTH)
    except LoadError as as_json_error:
        try:
            return parse_yaml(data, source=source, error=error)
        except LoadError:
            raise as_json_error from None


def _read(path: str | Path, *, source: str, max_bytes: int, limit_name: str, error: type[LoadError]) -> bytes:
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise error(source, "", _too_big(size, max_bytes, limit_name))
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(source, "", f"cannot read the file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise error(source, "", _too_big(len(data), max_bytes, limit_name, more=True))
    return data


def _too_big(size: int, limit: int, limit_name: str, *, more: bool = False) -> str:
    shown = f"more than {_amount(limit)}" if more else _amount(size)
    return f"the file is {shown}, over the limit of {_amount(limit)} ({limit_name})"


def _amount(size: int) -> str:
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"
    return f"{size:,} bytes"


def parse_yaml(data: bytes | str, *, source: str, error: type[LoadError]) -> Any:
    """Plain data (dicts, lists, strings, numbers, booleans, ``None``) from one YAML document."""
    parser = _Parser(data)
    try:
        return _build(parser, source, error)
    except yaml.reader.ReaderError as exc:  # bytes that are not UTF-8, or a control character
        raise error(source, "", f"not valid YAML{_where_read(data, exc)}: {_unreadable(exc)}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(source, "", f"not valid YAML{where}: {problem}") from None
    finally:
        parser.dispose()


def _where_read(data: bytes | str, exc: yaml.reader.ReaderError) -> str:
    """The line and column of the byte the reader stopped at (its ``position``: a byte offset in UTF-8)."""
    encoded = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if not isinstance(exc.position, int) or not 0 <= exc.position <= len(encoded):
        return ""
    line = encoded.count(b"\n", 0, exc.position) + 1
    column = exc.position - encoded.rfind(b"\n", 0, exc.position)
    return f" at line {line}, column {column}"


def _unreadable(exc: yaml.reader.ReaderError) -> str:
    """PyYAML's reason in one line: the text of ``str(exc)`` spans two, and names no file."""
    reason = str(exc.reason)
    if "UTF-8" in reason or "utf-8" in str(exc.encoding) or "codec" in reason:
        return f"{reason}: the file is not UTF-8 text"
    if isinstance(exc.character, int):
        return f"{reason} (U+{exc.character:04X})"
    return reason


class _Frame:
    __slots__ = ("container", "is_list", "key", "merges")

    def __init__(self, container: dict[Any, Any] | list[Any]) -> None:
        self.container: Any = container
        self.is_list = isinstance(container, list)
        self.key: Any = _NO_KEY
        self.merges: list[Any] = []


def _build(parser: Any, source: str, error: type[LoadError]) -> Any:  # noqa: C901 - the hot loop, kept whole
    get = parser.get_event
    get()  # stream start
    if isinstance(get(), events.StreamEndEvent):
        return None  # an empty file, like yaml.safe_load
    scalar_event, end_events = events.ScalarEvent, (events.MappingEndEvent, events.SequenceEndEvent)
    stack: list[_Frame] = []
    root: Any = None
    while True:
        event = get()
        kind = type(event)
        # The hot path, kept inline: a plain or quoted scalar, then adding it to its container.
        if kind is scalar_event:
            try:
                if event.tag is None:
                    value = _plain(event.value) if event.implicit[0] else event.value
                else:
                    value = _tagged(event, stack, source, error)
            except ValueError:  # an integer of more digits than int() reads (sys.get_int_max_str_digits())
                limit = f"{sys.get_int_max_str_digits():,}"
                raise error(
                    source,
                    _where(stack),
                    f"a number of {len(event.value):,} digits{_at(event)}: at most {limit} are read",
                ) from None
        elif kind in end_events:
            frame = stack.pop()
            value = frame.container
            if frame.merges:
                _merge(value, frame.merges, stack, source, error)
        elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
            _open(event, stack, source, error)
            continue
        elif kind is events.AliasEvent:
            raise error(
                source,
                _where(stack),
                f"YAML aliases are not allowed (*{event.anchor}{_at(event)}): write the value out"
                " (a spec can use a $ref)",
            )
        else:  # document end
            if not isinstance(get(), events.StreamEndEvent):
                raise error(source, "", "the file holds more than one YAML document")
            return "<<" if root is _MERGE_KEY else root
        if not stack:
            root = value
            continue
        frame = stack[-1]
        if frame.is_list:
            frame.container.append("<<" if value is _MERGE_KEY else value)
        elif frame.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise error(source, _where(stack), "a mapping key must be a scalar, not a mapping or a sequence")
            if value in frame.container:
                raise error(source, _where(stack), key_twice(value, "mapping", _at(event)))
            frame.key = value
        elif frame.key is _MERGE_KEY:
            frame.merges.append(value)
            frame.key = _NO_KEY
        else:
            frame.container[frame.key] = "<<" if value is _MERGE_KEY else value
            frame.key = _NO_KEY


def _open(event: Any, stack: list[_Frame], source: str, error: type[LoadError]) -> None:
    mapping = isinstance(event, events.MappingStartEvent)
    if event.tag not in (_MAPPING_TAGS if mapping else _SEQUENCE_TAGS):
        raise error(source, _where(stack), f"YAML tag {event.tag} is not supported{_at(event)}")
    if len(stack) >= MAX_DEPTH:
        raise error(source, _where(stack), f"nested deeper than {MAX_DEPTH} levels{_at(event)}")
    stack.append(_Frame({} if mapping else []))


def _merge(
    mapping: dict[Any, Any], merges: list[Any], stack: list[_Frame], source: str, error: type[LoadError]
) -> None:
    for merged in merges:
        for part in merged if isinstance(merged, list) else [merged]:
            if not isinstance(part, dict):
                raise error(source, _where(stack), "a merge key (<<) takes a mapping or a list of mappings")
            for key, value in part.items():
                mapping.setdefault(key, value)


def _tagged(event: Any, stack: list[_Frame], source: str, error: type[LoadError]) -> Any:
    value: str = event.value
    tag = event.tag
    if tag in _AS_STRING:
        return value
    if tag == _TAG + "binary":
        return "".join(value.split())  # the base64 text: binary's JSON form
    if tag in _BY_CONSTRUCTOR:
        return _construct(tag, value)
    raise error(source, _where(stack), f"YAML tag {tag} is not supported{_at(event)}")


def _plain(value: str) -> Any:
    """A plain scalar as PyYAML's safe loader reads it, except that dates stay strings."""
    if value.isdigit() and value.isascii() and (value[0] != "0" or len(value) == 1):
        return int(value)  # the common case, without the resolver's regular expressions
    if value in _NULLS:
        return None
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    if tag == _MERGE:
        return _MERGE_KEY
    if tag in _AS_STRING:
        return value
    return _construct(tag, value)


def _construct(tag: str, value: str) -> Any:
    # The safe constructor's own function for the tag; construct_object would keep every
    # node it ever saw in a cache of the (shared) constructor.
    construct = _CONSTRUCTOR.yaml_constructors.get(tag)
    if construct is None:
        raise yaml.constructor.ConstructorError(None, None, f"YAML tag {tag} is not supported")
    return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, value))


def _at(event: Any) -> str:
    mark = event.start_mark
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _where(stack: list[_Frame]) -> str:
    """The JSON pointer of the value being read."""
    parts: list[str | int] = []
    for frame in stack:
        if isinstance(frame.container, list):
            parts.append(len(frame.container))
        elif frame.key is not _NO_KEY and frame.key is not _MERGE_KEY:
            parts.append(str(frame.key))
    return pointer(*parts)
