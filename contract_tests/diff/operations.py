"""Compare the parts of one operation: parameters, request body, responses, headers, media types.

Each function takes the two versions of a part (``$ref``s not yet followed) with their
JSON pointers and returns the classified changes; schemas go to
:func:`contract_tests.diff.schemas.diff_schemas` with the flow of the part (a request
parameter is textual and travels to the implementation, a response body is JSON and
travels to the client).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from contract_tests.diff.flow import Direction, Documents, Effect, Flow, deref, emit, mapping
from contract_tests.diff.keywords import canonical
from contract_tests.diff.model import Change, child
from contract_tests.diff.schemas import diff_schemas

__all__ = ["diff_content", "diff_parameters", "diff_request_body", "parameter_map"]

_DEFAULT_STYLE = {
    "query": ("form", True),
    "path": ("simple", False),
    "header": ("simple", False),
    "cookie": ("form", True),
}
_PARAMETER_DOCUMENTATION = ("description", "example", "examples", "deprecated")
ParameterMap = dict[tuple[str, str | int], tuple[Mapping[str, Any], str]]


def parameter_map(
    document: Mapping[str, Any],
    template: str,
    path_item: Mapping[str, Any],
    item_at: str,
    operation: Mapping[str, Any],
    op_at: str,
    label: str,
) -> ParameterMap:
    """The operation's parameters (path-level ones overridden by its own), by identity.

    A path parameter is identified by its place in the template, so renaming it is no
    change on the wire; header names are case-insensitive.
    """
    places = re.findall(r"\{([^{}]+)\}", template)
    found: ParameterMap = {}
    for base, at in ((path_item, item_at), (operation, op_at)):
        for index, raw in enumerate(base.get("parameters") or ()):
            node, node_at = deref(document, raw, child(at, "parameters", index), label)
            node = mapping(node)
            name, where = str(node.get("name")), str(node.get("in"))
            key: str | int = places.index(name) if where == "path" and name in places else name
            found[(where, key.lower() if where == "header" and isinstance(key, str) else key)] = (node, node_at)
    return found


def _value_schema(parameter: Mapping[str, Any], at: str) -> tuple[Any, str, bool]:
    """A parameter's schema, its pointer, and whether the value is plain text (not JSON content)."""
    if "content" in parameter:
        media, body = next(iter(mapping(parameter["content"]).items()), ("", {}))
        return mapping(body).get("schema", {}), child(at, "content", media, "schema"), False
    return parameter.get("schema", {}), child(at, "schema"), True


def diff_parameters(documents: Documents, where: str, old: ParameterMap, new: ParameterMap) -> list[Change]:
    changes: list[Change] = []
    for key in sorted({*old, *new}, key=lambda k: (k[0], str(k[1]))):
        o, n = old.get(key), new.get(key)
        node = (n or o or ({}, ""))[0]
        label = f"{where}: {node.get('in')} parameter '{node.get('name')}'"
        if o is None and n is not None:
            required = n[0].get("required") is True
            emit(
                changes,
                "request",
                "added",
                "parameter-added",
                f"{label} added ({'required' if required else 'optional'})",
                None,
                n[1],
            )
            if required:
                emit(changes, "request", "narrower", "parameter-added", f"{label} added (required)", None, n[1])
        elif n is None and o is not None:
            emit(changes, "request", "removed", "parameter-removed", f"{label} removed", o[1], None)
        elif o is not None and n is not None:
            changes += _parameter(documents, label, o, n)
    return changes


def _parameter(
    documents: Documents, label: str, old: tuple[Mapping[str, Any], str], new: tuple[Mapping[str, Any], str]
) -> list[Change]:
    (o, o_at), (n, n_at) = old, new
    changes: list[Change] = []
    if o.get("required") is True and n.get("required") is not True:
        emit(changes, "request", "wider", "parameter-optional", f"{label} is now optional", o_at, n_at)
    elif n.get("required") is True and o.get("required") is not True:
        emit(changes, "request", "narrower", "parameter-required", f"{label} is now required", o_at, n_at)
    if o.get("name") != n.get("name"):
        emit(
            changes,
            "request",
            "neutral",
            "parameter-renamed",
            f"{label}: renamed from '{o.get('name')}' (not a change on the wire)",
            o_at,
            n_at,
        )
    place = str(n.get("in"))
    style = _DEFAULT_STYLE.get(place, ("form", True))
    before = (o.get("style", style[0]), o.get("explode", o.get("style", style[0]) == "form"))
    after = (n.get("style", style[0]), n.get("explode", n.get("style", style[0]) == "form"))
    if before != after:
        what = f"{label}: serialisation style={before[0]} explode={before[1]} → style={after[0]} explode={after[1]}"
        emit(changes, "request", "both", "parameter-style", what, o_at, n_at)
    for flag in ("allowEmptyValue", "allowReserved"):
        if (o.get(flag) is True) != (n.get(flag) is True):
            effect: Effect = "wider" if n.get(flag) is True else "narrower"
            emit(
                changes,
                "request",
                effect,
                "parameter-values",
                f"{label}: {flag} {o.get(flag) is True} → {n.get(flag) is True}",
                o_at,
                n_at,
            )
    documentation = [k for k in _PARAMETER_DOCUMENTATION if canonical(o.get(k)) != canonical(n.get(k))]
    if documentation:
        emit(
            changes,
            "request",
            "neutral",
            "parameter-documentation",
            f"{label}: {', '.join(documentation)} changed",
            o_at,
            n_at,
        )
    o_schema, o_schema_at, o_text = _value_schema(o, o_at)
    n_schema, n_schema_at, n_text = _value_schema(n, n_at)
    flow = Flow("request", label, textual=o_text and n_text)
    return changes + diff_schemas(documents, flow, o_schema, o_schema_at, n_schema, n_schema_at)


def _media_types(content: Any) -> dict[str, tuple[str, Mapping[str, Any]]]:
    return {re.sub(r"\s+", "", str(k)).lower(): (str(k), mapping(v)) for k, v in mapping(content).items()}


def diff_content(
    documents: Documents, direction: Direction, where: str, old: Any, old_at: str, new: Any, new_at: str
) -> list[Change]:
    """Media types of a body: removed, added, and each shared one's schema."""
    changes: list[Change] = []
    before, after = _media_types(old), _media_types(new)
    for media in sorted({*before, *after}):
        if media not in after:
            effect: Effect = "narrower" if direction == "request" else "both"
            emit(
                changes,
                direction,
                effect,
                "media-type-removed",
                f"{where}: media type {media} removed",
                child(old_at, before[media][0]),
                None,
            )
        elif media not in before:
            emit(
                changes,
                direction,
                "wider",
                "media-type-added",
                f"{where}: media type {media} added",
                None,
                child(new_at, after[media][0]),
            )
        else:
            (o_key, o), (n_key, n) = before[media], after[media]
            o_at, n_at = child(old_at, o_key), child(new_at, n_key)
            flow = Flow(direction, f"{where} ({media})")
            changes += diff_schemas(
                documents, flow, o.get("schema", {}), child(o_at, "schema"), n.get("schema", {}), child(n_at, "schema")
            )
            if canonical(o.get("encoding")) != canonical(n.get("encoding")):
                emit(
                    changes,
                    direction,
                    "both",
                    "media-type-encoding",
                    f"{flow.where}: encoding changed; not compared",
                    o_at,
                    n_at,
                )
            if canonical([o.get("example"), o.get("examples")]) != canonical([n.get("example"), n.get("examples")]):
                emit(changes, direction, "neutral", "example-changed", f"{flow.where}: examples changed", o_at, n_at)
    return changes


def diff_request_body(documents: Documents, where: str, old: Any, old_at: str, new: Any, new_at: str) -> list[Change]:
    label = f"{where}: request body"
    changes: list[Change] = []
    if old is None and new is None:
        return changes
    if old is None or new is None:
        present, at = (new, new_at) if old is None else (old, old_at)
        body, at = deref(documents.new if old is None else documents.old, present, at, "new" if old is None else "old")
        if old is None:
            required = mapping(body).get("required") is True
            emit(
                changes,
                "request",
                "added",
                "request-body-added",
                f"{label} added ({'required' if required else 'optional'})",
                None,
                at,
            )
            if required:
                emit(changes, "request", "narrower", "request-body-added", f"{label} added (required)", None, at)
        else:
            emit(changes, "request", "removed", "request-body-removed", f"{label} removed", at, None)
        return changes
    o, o_at = deref(documents.old, old, old_at, "old")
    n, n_at = deref(documents.new, new, new_at, "new")
    o, n = mapping(o), mapping(n)
    if (o.get("required") is True) != (n.get("required") is True):
        effect: Effect = "narrower" if n.get("required") is True else "wider"
        emit(
            changes,
            "request",
            effect,
            "request-body-required",
            f"{label} is now {'required' if n.get('required') is True else 'optional'}",
            o_at,
            n_at,
        )
    if o.get("description") != n.get("description"):
        emit(changes, "request", "neutral", "request-body-documentation", f"{label}: description changed", o_at, n_at)
    return changes + diff_content(
        documents, "request", label, o.get("content"), child(o_at, "content"), n.get("content"), child(n_at, "content")
    )
