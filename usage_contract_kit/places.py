"""Where an OpenAPI document may hold a ``$ref``, and where its values are literal data.

OpenAPI allows a Reference Object only in some places (a parameter, a response, a schema
and its subschemas, an example object, a path item ...); everywhere else a ``$ref`` key is
data like any other: in an example's value (an example of a JSON Schema document holds
``$ref``s), a schema's ``default``, ``enum`` or ``const``, a link's parameters, and any
``x-`` extension (Bump.sh's ``x-topics`` holds ``{$ref: ./docs/guide.md}``). :func:`children`
gives, for a node of a known kind, each child with its own kind, or ``None`` for a child
that is literal data: nothing below it is followed.

Covers OpenAPI 3.0 and 3.1 (JSON Schema 2020-12's subschema keywords, ``webhooks``,
``components/pathItems``). A key the tables do not know is literal data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["DOCUMENT", "LITERAL", "REFERABLE", "children"]

# The kinds of node. A "map of" kind is a mapping whose every value has that kind.
DOCUMENT, PATHS, PATH_ITEM, OPERATION, PARAMETER, HEADER, REQUEST_BODY = range(7)
RESPONSES, RESPONSE, MEDIA_TYPE, ENCODING, EXAMPLE, LINK, CALLBACK = range(7, 14)
SECURITY_SCHEME, COMPONENTS, SCHEMA = range(14, 17)
LITERAL = None  # data: a $ref in it is no reference
_MAP = 100  # _MAP + kind: a mapping of names to nodes of that kind
_LIST = 200  # _LIST + kind: a list of nodes of that kind

# The kinds that a Reference Object may stand for.
REFERABLE = frozenset(
    {PATH_ITEM, PARAMETER, HEADER, REQUEST_BODY, RESPONSE, EXAMPLE, LINK, CALLBACK, SECURITY_SCHEME, SCHEMA}
)

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_PARAMETER_FIELDS = {"schema": SCHEMA, "content": _MAP + MEDIA_TYPE, "examples": _MAP + EXAMPLE}

_FIELDS: dict[int, dict[str, int]] = {
    DOCUMENT: {"paths": PATHS, "webhooks": _MAP + PATH_ITEM, "components": COMPONENTS},
    PATH_ITEM: {
        **dict.fromkeys(_METHODS, OPERATION),
        "parameters": _LIST + PARAMETER,
        "additionalOperations": _MAP + OPERATION,
    },
    OPERATION: {
        "parameters": _LIST + PARAMETER,
        "requestBody": REQUEST_BODY,
        "responses": RESPONSES,
        "callbacks": _MAP + CALLBACK,
    },
    PARAMETER: _PARAMETER_FIELDS,
    HEADER: _PARAMETER_FIELDS,
    REQUEST_BODY: {"content": _MAP + MEDIA_TYPE},
    RESPONSE: {"headers": _MAP + HEADER, "content": _MAP + MEDIA_TYPE, "links": _MAP + LINK},
    MEDIA_TYPE: {
        "schema": SCHEMA,
        "itemSchema": SCHEMA,
        "examples": _MAP + EXAMPLE,
        "encoding": _MAP + ENCODING,
    },
    ENCODING: {"headers": _MAP + HEADER},
    EXAMPLE: {},  # value and externalValue are data
    LINK: {},  # parameters and requestBody are data (runtime expressions or literals)
    SECURITY_SCHEME: {},
    COMPONENTS: {
        "schemas": _MAP + SCHEMA,
        "responses": _MAP + RESPONSE,
        "parameters": _MAP + PARAMETER,
        "examples": _MAP + EXAMPLE,
        "requestBodies": _MAP + REQUEST_BODY,
        "headers": _MAP + HEADER,
        "securitySchemes": _MAP + SECURITY_SCHEME,
        "links": _MAP + LINK,
        "callbacks": _MAP + CALLBACK,
        "pathItems": _MAP + PATH_ITEM,
    },
    SCHEMA: {
        **dict.fromkeys(
            (
                "items",
                "additionalItems",
                "additionalProperties",
                "not",
                "contains",
                "if",
                "then",
                "else",
                "propertyNames",
                "unevaluatedItems",
                "unevaluatedProperties",
                "contentSchema",
            ),
            SCHEMA,
        ),
        **dict.fromkeys(
            ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"),
            _MAP + SCHEMA,
        ),
        **dict.fromkeys(("allOf", "anyOf", "oneOf", "prefixItems"), _LIST + SCHEMA),
    },
}

# Mappings whose keys are names, but for extensions (x-...): paths, status codes, callback expressions.
_NAMED = {PATHS: PATH_ITEM, RESPONSES: RESPONSE, CALLBACK: PATH_ITEM}


def children(node: Any, kind: int | None) -> Iterator[tuple[Any, Any, int | None]]:
    """``(key, child, the child's kind)`` for each child of ``node`` (``None``: literal data)."""
    if kind is LITERAL:
        return _all(node, LITERAL)
    if kind >= _LIST:
        return _list(node, kind - _LIST)
    if kind >= _MAP:
        return _all(node, kind - _MAP) if isinstance(node, dict) else iter(())
    if not isinstance(node, dict):
        return _all(node, SCHEMA) if kind == SCHEMA and isinstance(node, list) else iter(())  # draft 4's items: [...]
    named = _NAMED.get(kind)
    if named is not None:
        return ((key, child, LITERAL if str(key).startswith("x-") else named) for key, child in node.items())
    fields = _FIELDS[kind]
    return ((key, child, fields.get(key, LITERAL)) for key, child in node.items())


def _all(node: Any, kind: int | None) -> Iterator[tuple[Any, Any, int | None]]:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return ((key, child, kind) for key, child in items)


def _list(node: Any, inner: int) -> Iterator[tuple[Any, Any, int | None]]:
    if isinstance(node, list):
        return ((index, child, inner) for index, child in enumerate(node))
    if isinstance(node, dict) and inner == SCHEMA:  # a schema written where a list of them may be
        return children(node, SCHEMA)
    return iter(())
