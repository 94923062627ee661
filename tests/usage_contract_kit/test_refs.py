"""Inlining $refs: bounded in nodes and levels, so refs that multiply cannot blow up."""

from __future__ import annotations

import time
from typing import Any

import pytest

from usage_contract_kit.errors import SpecError
from usage_contract_kit.refs import MAX_LEVELS, inline_refs, resolve_refs


def _schemas(**named: Any) -> dict[str, Any]:
    return {"components": {"schemas": {**named, "root": {"$ref": "#/components/schemas/A"}}}}


def _schema(document: dict[str, Any], name: str) -> Any:
    return document["components"]["schemas"][name]


def _doubling(levels: int) -> dict[str, Any]:
    """S0 is a string; each S<n> has two properties that are S<n-1>: 2**levels leaves."""
    schemas: dict[str, Any] = {"S0": {"type": "string"}}
    for n in range(1, levels + 1):
        ref = {"$ref": f"#/components/schemas/S{n - 1}"}
        schemas[f"S{n}"] = {"type": "object", "properties": {"a": ref, "b": dict(ref)}}
    return {"components": {"schemas": {**schemas, "root": {"$ref": f"#/components/schemas/S{levels}"}}}}


def test_inlines_refs_and_keeps_siblings() -> None:
    document = _schemas(
        A={"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}}, B={"type": "string"}
    )
    document["components"]["schemas"]["other"] = {"$ref": "#/components/schemas/B", "description": "kept"}
    resolved = inline_refs(document, source="s.yaml")
    assert _schema(resolved, "root") == {"type": "object", "properties": {"b": {"type": "string"}}}
    assert _schema(resolved, "other") == {"type": "string", "description": "kept"}


def test_refs_that_multiply_are_refused_before_building() -> None:
    started = time.perf_counter()
    with pytest.raises(SpecError) as info:
        inline_refs(_doubling(40), source="s.yaml", max_nodes=1_000_000)
    assert time.perf_counter() - started < 5  # 2**40 nodes would never finish
    assert info.value.location == ""
    assert "over the limit of 1,000,000" in info.value.problem
    assert "'#/components/schemas/S40'" in info.value.problem


def test_a_document_within_the_bound_is_inlined() -> None:
    resolved = inline_refs(_doubling(8), source="s.yaml", max_nodes=1_000_000)
    node = _schema(resolved, "root")
    for _ in range(8):
        node = node["properties"]["b"]
    assert node == {"type": "string"}


@pytest.mark.parametrize(
    ("document", "location", "problem"),
    [
        (_schemas(A={"$ref": "#/components/schemas/A"}), "/components/schemas/A", "refers back to itself"),
        (
            _schemas(A={"$ref": "#/components/schemas/B"}, B={"$ref": "#/components/schemas/A"}),
            "/components/schemas/A",
            "refers back to itself without a schema in between",
        ),
        (_schemas(A={"$ref": "#/nowhere"}), "/components/schemas/A", "does not resolve"),
        (_schemas(A={"$ref": "other.yaml#/x"}), "/components/schemas/A", "points outside the file"),
    ],
    ids=["self", "two aliases of each other", "dangling", "external"],
)
def test_bad_refs_are_named_where_they_stand(document: dict[str, Any], location: str, problem: str) -> None:
    with pytest.raises(SpecError) as info:
        inline_refs(document, source="s.yaml")
    assert info.value.location == location
    assert problem in info.value.problem


def test_long_ref_chains_are_bounded_in_levels() -> None:
    chain: dict[str, Any] = {f"C{n}": {"items": {"$ref": f"#/components/schemas/C{n + 1}"}} for n in range(MAX_LEVELS)}
    chain[f"C{MAX_LEVELS}"] = {"type": "string"}
    document = {"components": {"schemas": {**chain, "root": {"$ref": "#/components/schemas/C0"}}}}
    with pytest.raises(SpecError, match=f"deeper than {MAX_LEVELS} levels"):
        inline_refs(document, source="s.yaml")


def _tree() -> dict[str, Any]:
    node = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "children": {"items": {"$ref": "#/components/schemas/Node"}}},
    }
    return {
        "components": {
            "schemas": {
                "Node": node,
                "Root": {"$ref": "#/components/schemas/Node"},
                "root": {"$ref": "#/components/schemas/Root"},
                "labelled": {"$ref": "#/components/schemas/Node", "description": "a node"},
            }
        }
    }


def test_refs_that_close_a_cycle_stay_refs_with_their_targets_at_hand() -> None:
    resolved = resolve_refs(_tree(), source="s.yaml")
    root = _schema(resolved.document, "root")
    assert root == {"$ref": "#/components/schemas/Node"}  # Root is an alias, inlined; Node is recursive
    assert set(resolved.recursive) == {"#/components/schemas/Node"}
    target = resolved.recursive["#/components/schemas/Node"]
    assert target["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}
    # Siblings of a kept ref still apply: the ref moves into an allOf beside them.
    assert _schema(resolved.document, "labelled") == {
        "allOf": [{"$ref": "#/components/schemas/Node"}],
        "description": "a node",
    }


def test_mutual_recursion_keeps_every_ref_of_the_cycle() -> None:
    document = _schemas(
        A={"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        B={"type": "array", "items": {"$ref": "#/components/schemas/A"}},
        C={"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
    )
    resolved = resolve_refs(document, source="s.yaml")
    assert set(resolved.recursive) == {"#/components/schemas/A", "#/components/schemas/B"}
    assert resolved.document["components"]["schemas"]["C"]["properties"]["a"] == {"$ref": "#/components/schemas/A"}


def test_recursive_targets_count_towards_the_node_bound() -> None:
    with pytest.raises(SpecError, match="over the limit of 10"):
        resolve_refs(_tree(), source="s.yaml", max_nodes=10)


def test_a_long_chain_of_aliases_is_refused_not_a_crash() -> None:
    chain: dict[str, Any] = {f"C{n}": {"$ref": f"#/components/schemas/C{n + 1}"} for n in range(3000)}
    chain["C3000"] = {"type": "string"}
    document = {"components": {"schemas": {**chain, "root": {"items": {"$ref": "#/components/schemas/C0"}}}}}
    with pytest.raises(SpecError, match=f"deeper than {MAX_LEVELS} levels"):
        resolve_refs(document, source="s.yaml")


PET = {"type": "object", "properties": {"name": {"type": "string"}}}
LITERAL_REF = {"$ref": "#/components/schemas/Pet"}
OUTSIDE = {"$ref": "https://json-schema.org/draft/2020-12/schema"}


def _places() -> dict[str, Any]:
    """A $ref in every kind of place: where OpenAPI allows a Reference Object, and where it is data."""
    media = {
        "schema": {
            "type": "object",
            "properties": {
                # Property names are names, not keywords: these are schemas.
                "default": {"$ref": "#/components/schemas/Pet"},
                "example": {"$ref": "#/components/schemas/Pet"},
                "x-pet": {"$ref": "#/components/schemas/Pet"},
            },
            "default": dict(LITERAL_REF),
            "example": dict(OUTSIDE),
            "examples": [dict(LITERAL_REF)],
            "enum": [dict(LITERAL_REF)],
            "const": dict(LITERAL_REF),
            "x-source": dict(OUTSIDE),
        },
        "example": dict(OUTSIDE),
        "examples": {"local": {"value": dict(LITERAL_REF)}, "shared": {"$ref": "#/components/examples/Doc"}},
    }
    response = {
        "description": "d",
        "content": {"application/json": media},
        "links": {"self": {"operationId": "get", "parameters": {"doc": dict(LITERAL_REF)}}},
        "x-note": dict(OUTSIDE),
    }
    return {
        "openapi": "3.1.0",
        "x-topics": [{"title": "guide", "content": {"$ref": "./docs/guide.md"}}],
        "paths": {
            "/docs": {
                "get": {
                    "operationId": "get",
                    "responses": {"default": {"$ref": "#/components/responses/Doc"}, "x-ok": dict(OUTSIDE)},
                    "x-extra": dict(OUTSIDE),
                }
            },
            "x-paths-note": dict(OUTSIDE),
        },
        "webhooks": {"changed": {"$ref": "#/paths/~1docs"}},
        "components": {
            "schemas": {"Pet": PET},
            "responses": {"Doc": response},
            "examples": {"Doc": {"value": dict(LITERAL_REF), "x-origin": dict(OUTSIDE)}},
            "securitySchemes": {"key": {"$ref": "#/components/securitySchemes/plain"}, "plain": {"type": "http"}},
        },
    }


def test_refs_are_followed_only_where_openapi_allows_them() -> None:
    resolved = inline_refs(_places(), source="s.yaml")
    assert resolved["x-topics"] == [{"title": "guide", "content": {"$ref": "./docs/guide.md"}}]
    operation = resolved["paths"]["/docs"]["get"]
    assert (operation["responses"]["x-ok"], operation["x-extra"]) == (OUTSIDE, OUTSIDE)
    response = operation["responses"]["default"]  # a Reference Object: followed
    assert response["x-note"] == OUTSIDE
    assert response["links"]["self"]["parameters"] == {"doc": LITERAL_REF}
    media = response["content"]["application/json"]
    schema = media["schema"]
    assert schema["properties"] == {"default": PET, "example": PET, "x-pet": PET}
    literal = {key: schema[key] for key in ("default", "example", "examples", "enum", "const", "x-source")}
    assert literal == {
        "default": LITERAL_REF,
        "example": OUTSIDE,
        "examples": [LITERAL_REF],
        "enum": [LITERAL_REF],
        "const": LITERAL_REF,
        "x-source": OUTSIDE,
    }
    assert media["example"] == OUTSIDE
    assert media["examples"] == {
        "local": {"value": LITERAL_REF},
        "shared": {"value": LITERAL_REF, "x-origin": OUTSIDE},  # the example object followed, its value data
    }
    assert resolved["webhooks"]["changed"] == resolved["paths"]["/docs"]
    assert resolved["components"]["securitySchemes"]["key"] == {"type": "http"}


def test_a_discriminator_names_a_percent_encoded_branch_by_its_decoded_name() -> None:
    cat = {"type": "object", "properties": {"kind": {"type": "string"}}}
    pet = {
        "oneOf": [{"$ref": "#/components/schemas/Big%20Cat"}, {"$ref": "#/components/schemas/Dog%20Y"}],
        "discriminator": {"propertyName": "kind", "mapping": {"dog": "#/components/schemas/Dog Y"}},
    }
    document = {"components": {"schemas": {"Big Cat": cat, "Dog Y": cat, "Pet": pet}}}
    branches = inline_refs(document, source="s.yaml")["components"]["schemas"]["Pet"]["oneOf"]
    assert [branch["allOf"][1]["properties"]["kind"]["enum"] for branch in branches] == [["Big Cat"], ["dog", "Dog Y"]]
