"""What an answer leaves out: the properties a schema marks ``writeOnly``.

OpenAPI's ``writeOnly`` marks what only a client sends (a password, a card's security
code): an answer does not carry it, even where a documented example of the response
does. :func:`without_write_only` takes such properties out of a JSON value, following the
schema through ``properties``, ``items``, ``allOf``/``oneOf``/``anyOf`` branches and the refs
recursive schemas keep. A property is left out when every branch that declares it marks
it so (a ``oneOf`` of a card with a ``writeOnly`` code and a bank account without one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from usage_contract_kit.model import MediaType

__all__ = ["answered_example", "without_write_only"]

_BRANCHES = ("allOf", "oneOf", "anyOf")
_MOST_DEPTH = 64  # deeper than any body the mock reads or writes


def without_write_only(value: Any, schema: Any, definitions: Mapping[str, Any]) -> Any:
    """``value`` without the properties ``schema`` marks ``writeOnly`` (``value`` itself when it has none)."""
    return _strip(value, _flatten([schema], definitions), definitions, 0)


def _flatten(schemas: list[Any], definitions: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The schemas that apply to one value: refs followed, composition branches taken in."""
    out: list[dict[str, Any]] = []
    stack = list(schemas)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in definitions:
            stack.append(definitions[ref])
        for key in _BRANCHES:
            if isinstance(node.get(key), list):
                stack.extend(node[key])
    return out


def _strip(value: Any, schemas: list[dict[str, Any]], definitions: Mapping[str, Any], depth: int) -> Any:
    if depth > _MOST_DEPTH or not schemas:
        return value
    if isinstance(value, list):
        items = [s["items"] for s in schemas if isinstance(s.get("items"), dict)]
        if not items:
            return value
        item_schemas = _flatten(items, definitions)
        stripped = [_strip(v, item_schemas, definitions, depth + 1) for v in value]
        return value if all(a is b for a, b in zip(stripped, value, strict=True)) else stripped
    if not isinstance(value, dict):
        return value
    declared: dict[str, list[Any]] = {}
    for schema in schemas:
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                declared.setdefault(name, []).append(sub)
    if not declared:
        return value
    out: dict[str, Any] = {}
    changed = False
    for name, item in value.items():
        subs = declared.get(name)
        if subs is None:
            out[name] = item
            continue
        if all(isinstance(sub, dict) and sub.get("writeOnly") is True for sub in subs):
            changed = True
            continue
        new = _strip(item, _flatten(subs, definitions), definitions, depth + 1)
        changed = changed or new is not item
        out[name] = new
    return out if changed else value


def answered_example(value: Any, media: MediaType, definitions: Mapping[str, Any]) -> Any:
    """A documented example of a response as the mock answers it: JSON data without its ``writeOnly`` properties.

    The example as documented where leaving them out would break its schema (a ``minProperties``).
    """
    if media.kind != "json" or not isinstance(value, dict | list):
        return value
    stripped = without_write_only(value, media.schema, definitions)
    if stripped is value or (media.validator is not None and not media.validator.is_valid(stripped)):
        return value
    return stripped
