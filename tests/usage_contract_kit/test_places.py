"""Where a $ref is a reference: the kind of each node of a document, or literal data."""

from __future__ import annotations

from typing import Any

import pytest

from usage_contract_kit import places
from usage_contract_kit.places import LITERAL, children


def _kind_at(node: Any, kind: int | None, *path: str | int) -> int | None:
    """The kind of the node at ``path`` below ``node`` (of ``kind``)."""
    for step in path:
        node, kind = next((child, inner) for key, child, inner in children(node, kind) if key == step)
    return kind


KINDS = [
    ("an operation's parameter", {"parameters": [{}]}, places.OPERATION, ("parameters", 0), places.PARAMETER),
    ("a media type's example", {"example": {}}, places.MEDIA_TYPE, ("example",), LITERAL),
    ("a named example", {"examples": {"a": {}}}, places.MEDIA_TYPE, ("examples", "a"), places.EXAMPLE),
    ("an example's value", {"value": {}}, places.EXAMPLE, ("value",), LITERAL),
    ("a schema's default", {"default": {}}, places.SCHEMA, ("default",), LITERAL),
    ("a property named default", {"properties": {"default": {}}}, places.SCHEMA, ("properties", "default"), places.SCHEMA),
    ("a response named default", {"default": {}}, places.RESPONSES, ("default",), places.RESPONSE),
    ("an extension among responses", {"x-a": {}}, places.RESPONSES, ("x-a",), LITERAL),
    ("an extension of a schema", {"x-a": {}}, places.SCHEMA, ("x-a",), LITERAL),
    ("inside an extension", {"x-a": {"schema": {}}}, places.MEDIA_TYPE, ("x-a", "schema"), LITERAL),
    ("a link's parameters", {"parameters": {}}, places.LINK, ("parameters",), LITERAL),
    ("3.1's prefixItems", {"prefixItems": [{}]}, places.SCHEMA, ("prefixItems", 0), places.SCHEMA),
    ("draft 4's list of items", {"items": [{}]}, places.SCHEMA, ("items", 0), places.SCHEMA),
    ("a webhook", {"webhooks": {"a": {}}}, places.DOCUMENT, ("webhooks", "a"), places.PATH_ITEM),
    ("a key no table knows", {"info": {}}, places.DOCUMENT, ("info",), LITERAL),
]  # fmt: skip


@pytest.mark.parametrize(("node", "kind", "path", "expected"), [c[1:] for c in KINDS], ids=[c[0] for c in KINDS])
def test_each_node_has_its_kind(node: dict[str, Any], kind: int, path: tuple[str | int, ...], expected: Any) -> None:
    assert _kind_at(node, kind, *path) == expected
