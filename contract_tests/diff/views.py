"""A schema seen whole: its ``allOf`` members merged, and a fingerprint to compare by shape.

:func:`view` merges ``allOf`` members into one :class:`View` (keywords, properties,
required names, and the JSON pointer each came from), so splitting a schema into
``allOf`` parts, or inlining them, is no change. :func:`fingerprint` is equal for two
nodes exactly when they are equal with every ``$ref`` followed (recursion included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract_tests.diff.flow import deref
from contract_tests.diff.keywords import canonical
from contract_tests.diff.model import DiffError, child

__all__ = ["DOCUMENTATION", "View", "as_schema", "fingerprint", "merge_view", "reassembled"]

DOCUMENTATION = frozenset(
    {"title", "description", "example", "examples", "externalDocs", "deprecated", "xml", "$comment"}
)


@dataclass
class View:
    """A schema with its ``allOf`` members merged: keywords, properties and where each came from."""

    keywords: dict[str, Any]
    origin: dict[str, str]
    properties: dict[str, tuple[Any, str]]
    required: set[str]
    pointer: str


def as_schema(node: Any) -> Any:
    """Boolean schemas (3.1) as mappings: ``true`` admits anything, ``false`` nothing."""
    if node is True:
        return {}
    if node is False:
        return {"not": {}}
    return node


def reassembled(view: View) -> dict[str, Any]:
    """The view as one plain schema (documentation left out), to match it against alternatives."""
    schema = {k: v for k, v in view.keywords.items() if k not in DOCUMENTATION}
    if view.properties:
        schema["properties"] = {k: v for k, (v, _) in view.properties.items()}
    if view.required:
        schema["required"] = sorted(view.required)
    return schema


def merge_view(document: Mapping[str, Any], node: Any, at: str, label: str, depth: int = 0) -> View | None:
    """``node`` with its ``allOf`` merged in, or ``None`` when members disagree on a keyword."""
    if not isinstance(node, Mapping):
        raise DiffError(f"{label} document, {at or '/'}: a schema must be an object, not {type(node).__name__}")
    if depth > 32:
        raise DiffError(f"{label} document, {at or '/'}: allOf nested too deep (does it include itself?)")
    keywords = {k: v for k, v in node.items() if k not in ("properties", "required", "allOf")}
    view = View(
        keywords=keywords,
        origin=dict.fromkeys(keywords, at),
        properties={str(k): (v, child(at, "properties", str(k))) for k, v in (node.get("properties") or {}).items()},
        required={str(r) for r in node.get("required") or ()},
        pointer=at,
    )
    for index, member in enumerate(node.get("allOf") or ()):
        resolved, member_at = deref(document, member, child(at, "allOf", index), label)
        part = merge_view(document, as_schema(resolved), member_at, label, depth + 1)
        if part is None or set(part.properties) & set(view.properties):
            return None
        for key, value in part.keywords.items():
            if key in view.keywords and canonical(view.keywords[key]) != canonical(value):
                if key in DOCUMENTATION:
                    continue
                return None
            view.keywords[key] = value
            view.origin.setdefault(key, part.origin[key])
        view.properties.update(part.properties)
        view.required |= part.required
    return view


def fingerprint(document: Mapping[str, Any], node: Any, label: str) -> str:
    """A text equal for two nodes exactly when they are equal with every ``$ref`` followed."""

    def resolve(value: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(value, Mapping):
            ref = value.get("$ref")
            if isinstance(ref, str):
                if ref in stack:
                    return {"$cycle": stack.index(ref)}
                target, _ = deref(document, {"$ref": ref}, ref[1:], label)
                return resolve(target, (*stack, ref))
            return {k: resolve(v, stack) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, stack) for v in value]
        return value

    return canonical(resolve(node, ()))
