"""A schema seen whole: its ``allOf`` members merged, and a fingerprint to compare by shape.

:func:`view` merges ``allOf`` members into one :class:`View` (keywords, properties,
required names, and the JSON pointer each came from), so splitting a schema into
``allOf`` parts, or inlining them, is no change. :func:`fingerprint` is equal for two
nodes exactly when they are equal with every ``$ref`` followed (recursion included; in
example data, ``default``, ``enum`` and ``const`` a ``$ref`` is data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract_tests.diff.flow import deref
from contract_tests.diff.keywords import canonical
from contract_tests.diff.model import DiffError, child
from usage_contract_kit.places import LITERAL, SCHEMA, children

__all__ = ["DOCUMENTATION", "View", "as_schema", "fingerprint", "keyword_kind", "merge_view", "reassembled"]

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


def fingerprint(document: Mapping[str, Any], node: Any, label: str, kind: int | None = SCHEMA) -> str:
    """A text equal for two nodes exactly when they are equal with every ``$ref`` followed.

    ``node`` is of ``kind`` (a schema unless said): a ``$ref`` is followed only where OpenAPI
    allows a reference (:mod:`usage_contract_kit.places`); in an example, a ``default``, an
    ``enum`` or a ``const`` it is data, compared as written.
    """

    def resolve(value: Any, stack: tuple[str, ...], kind: int | None) -> Any:
        if isinstance(value, Mapping):
            ref = value.get("$ref")
            if kind is not LITERAL and isinstance(ref, str):
                if ref in stack:
                    return {"$cycle": stack.index(ref)}
                target, _ = deref(document, {"$ref": ref}, ref[1:], label)
                return resolve(target, (*stack, ref), kind)
            kinds = _kinds(value, kind)
            return {k: resolve(v, stack, kinds.get(k, LITERAL)) for k, v in value.items()}
        if isinstance(value, list):
            kinds = _kinds(value, kind)
            return [resolve(v, stack, kinds.get(i, LITERAL)) for i, v in enumerate(value)]
        return value

    return canonical(resolve(node, (), kind))


def keyword_kind(keyword: str) -> int | None:
    """The kind of node a schema's ``keyword`` holds (:data:`LITERAL` for data such as ``enum``)."""
    return next(kind for _, _, kind in children({keyword: None}, SCHEMA))


def _kinds(node: Any, kind: int | None) -> dict[Any, int | None]:
    return {} if kind is LITERAL else {key: inner for key, _, inner in children(node, kind)}
