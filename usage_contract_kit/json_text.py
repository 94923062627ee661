"""Read a JSON document as JSON, within the limits the YAML reader keeps.

Many public OpenAPI documents are JSON. YAML 1.2 reads most JSON, but PyYAML (YAML 1.1)
does not read all of it: a surrogate pair written as escapes (``"\\ud83d\\udc4d"``, a
thumbs-up) is "an invalid Unicode character escape code" to it, and its messages speak of
YAML. :func:`parse_json` reads with the standard library's parser and keeps the bounds of
:func:`~usage_contract_kit.documents.parse_yaml`:

* nesting deeper than ``max_depth`` levels is refused, with the JSON pointer of the place;
* an integer of more digits than ``int()`` reads is refused;
* ``NaN`` and ``Infinity`` (which the standard library accepts, JSON does not) are refused;
* a lone surrogate escape (``"\\ud83d"`` without its pair: no character, and no UTF-8 for
  it) is refused with the place of the string;
* a syntax error is reported as "not valid JSON" with its line and column.

A control character written raw inside a string (a tab) is read as it is, as PyYAML read it.

The size limit is the caller's, checked before reading (as for YAML); JSON has no aliases.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from usage_contract_kit.errors import LoadError, pointer

__all__ = ["key_twice", "parse_json"]

_Entry = tuple[Any, int, Any, Any]

# A \uD800-\uDFFF escape: only then can a string hold a lone surrogate (raw text is UTF-8).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _NotJsonNumber(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJsonNumber(name)


def key_twice(key: Any, container: str, at: str) -> str:
    """The message for a key that comes twice in one mapping or object, the JSON and YAML readers' alike."""
    # Two `get:` under one path: a reader would keep the later silently, as yaml.safe_load and json.loads do.
    return (
        f"the key {key!r} comes twice in one {container}{at}: keys are unique, and only the later value would be read"
    )


class _KeyTwice(ValueError):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members as a dict; a key that comes twice is refused, not overwritten."""
    members = dict(pairs)
    if len(members) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _KeyTwice(key)
            seen.add(key)
    return members


def parse_json(data: bytes | str, *, source: str, error: type[LoadError], max_depth: int) -> Any:
    """Plain data from one JSON document; raise ``error`` naming the fault and its place."""
    try:
        text = data.decode(json.detect_encoding(data)) if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise error(source, "", f"not valid JSON: not UTF-8 text (at byte {exc.start:,})") from None
    text = text.removeprefix("\ufeff")
    try:
        # strict=False: a raw tab or line break inside a string is kept, as the YAML reader kept it.
        value = json.loads(text, parse_constant=_refuse_constant, strict=False, object_pairs_hook=_unique)
    except _KeyTwice as exc:
        raise error(source, "", key_twice(exc.args[0], "object", "")) from None
    except json.JSONDecodeError as exc:
        raise error(source, "", f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except _NotJsonNumber as exc:
        raise error(source, "", f"not valid JSON: {exc} is not a JSON number") from None
    except RecursionError:
        raise error(source, "", f"nested deeper than {max_depth} levels") from None
    except ValueError:  # an integer of more digits than int() reads (sys.get_int_max_str_digits())
        limit = f"{sys.get_int_max_str_digits():,}"
        raise error(source, "", f"a number of more than {limit} digits: at most {limit} are read") from None
    _check(value, source, error, max_depth, strings=_SURROGATE_ESCAPE.search(text) is not None)
    return value


def _check(value: Any, source: str, error: type[LoadError], max_depth: int, *, strings: bool) -> None:
    """Refuse nesting deeper than ``max_depth`` and (``strings``) lone surrogates, naming the place."""
    root: _Entry = (value, 0, None, None)
    if strings and isinstance(value, str):
        _check_string(value, root, source, error)
    # Each entry: (node, its depth, its parent's entry, its key there); a place is made only for a fault.
    stack: list[_Entry] = [(value, 1, None, None)] if isinstance(value, dict | list) else []
    while stack:
        entry = stack.pop()
        node, depth = entry[0], entry[1]
        if depth > max_depth:
            raise error(source, _place(entry), f"nested deeper than {max_depth} levels")
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            if isinstance(child, dict | list):
                stack.append((child, depth + 1, entry, key))
            if strings:
                if isinstance(key, str):
                    _check_string(key, entry, source, error)  # the object's place: the key cannot be written
                if isinstance(child, str):
                    _check_string(child, (child, depth, entry, key), source, error)


def _check_string(text: str, entry: _Entry, source: str, error: type[LoadError]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = f"\\u{ord(text[exc.start]):04x}"
        problem = f"a lone surrogate escape ({code}) is no character: write both halves of the pair, or the character"
        raise error(source, _place(entry), problem) from None


def _place(entry: _Entry) -> str:
    parts: list[str | int] = []
    while entry is not None and entry[2] is not None:
        parts.append(entry[3])
        entry = entry[2]
    return pointer(*reversed(parts))
