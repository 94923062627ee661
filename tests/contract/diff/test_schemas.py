"""Table tests: schema changes classified by the way values travel, with $refs followed."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.diff.flow import Direction, Documents, Flow
from contract_tests.diff.model import CLIENTS, COMPATIBLE, IMPLEMENTATIONS, DiffError
from contract_tests.diff.schemas import diff_schemas

S = dict[str, Any]
C, I, OK = CLIENTS, IMPLEMENTATIONS, COMPATIBLE  # noqa: E741 - short names keep the table readable


def _diff(
    old: S, new: S, direction: Direction, *, components: tuple[S, S] = ({}, {}), textual: bool = False
) -> list[Any]:
    documents = Documents({"components": {"schemas": components[0]}}, {"components": {"schemas": components[1]}})
    return diff_schemas(documents, Flow(direction, "here", textual=textual), old, "/old", new, "/new")


def _sides(changes: list[Any]) -> set[str]:
    return {c.classification for c in changes}


OBJ = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
CASES: list[tuple[str, S, S, Direction, set[str]]] = [
    ("narrower request breaks clients", {"type": "string"}, {"type": "string", "maxLength": 3}, "request", {C}),
    ("wider request breaks implementations", {"type": "string", "maxLength": 3}, {"type": "string"}, "request", {I}),
    (
        "narrower response breaks implementations",
        {"type": "string"},
        {"type": "string", "maxLength": 3},
        "response",
        {I},
    ),
    ("wider response breaks clients", {"type": "string", "maxLength": 3}, {"type": "string"}, "response", {C}),
    ("required property added to a request", {"type": "object"}, OBJ, "request", {C, I}),
    ("required property added to a response", {"type": "object"}, OBJ, "response", {I}),
    (
        "optional property added to a response",
        {"type": "object"},
        {"type": "object", "properties": {"a": {}}},
        "response",
        {OK},
    ),
    (
        "optional property added to a request",
        {"type": "object"},
        {"type": "object", "properties": {"a": {}}},
        "request",
        {I},
    ),
    ("property removed from a response", OBJ, {"type": "object"}, "response", {C}),
    ("property removed from a request", OBJ, {"type": "object"}, "request", {C}),
    ("property made optional in a response", OBJ, {**OBJ, "required": []}, "response", {C}),
    ("property made optional in a request", OBJ, {**OBJ, "required": []}, "request", {I}),
    ("request closed to extra properties", OBJ, {**OBJ, "additionalProperties": False}, "request", {C}),
    ("response opened to extra properties", {**OBJ, "additionalProperties": False}, OBJ, "response", {C}),
    (
        "optional property added to a closed response",
        {"type": "object", "additionalProperties": False},
        {"type": "object", "additionalProperties": False, "properties": {"a": {}}},
        "response",
        {C},
    ),
    (
        "extra properties restricted to strings",
        {"type": "object"},
        {"type": "object", "additionalProperties": {"type": "string"}},
        "response",
        {I},
    ),
    (
        "extra property schema widened",
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {"type": "object", "additionalProperties": {"type": "number"}},
        "response",
        {C},
    ),
    (
        "read-only property in a response",
        OBJ,
        {**OBJ, "properties": {"a": {"type": "string", "readOnly": True}}},
        "response",
        set(),
    ),
    (
        "required property made read-only in a request",
        OBJ,
        {**OBJ, "properties": {"a": {"type": "string", "readOnly": True}}},
        "request",
        {C, I},
    ),
    (
        "optional property made read-only in a request",
        {"type": "object", "properties": {"a": {}}},
        {"type": "object", "properties": {"a": {"readOnly": True}}},
        "request",
        {C},
    ),
    (
        "required property made write-only in a response",
        OBJ,
        {**OBJ, "properties": {"a": {"type": "string", "writeOnly": True}}},
        "response",
        {C, I},
    ),
    (
        "array items narrowed in a response",
        {"type": "array", "items": {"type": "number"}},
        {"type": "array", "items": {"type": "integer"}},
        "response",
        {I},
    ),
    (
        "items constrained where there were none",
        {"type": "array"},
        {"type": "array", "items": {"type": "string"}},
        "request",
        {C},
    ),
    (
        "oneOf alternatives reordered",
        {"oneOf": [{"type": "string"}, {"type": "number"}]},
        {"oneOf": [{"type": "number"}, {"type": "string"}]},
        "response",
        set(),
    ),
    (
        "oneOf to anyOf",
        {"oneOf": [{"type": "string"}, {"type": "number"}]},
        {"anyOf": [{"type": "string"}, {"type": "number"}]},
        "response",
        {C},
    ),
    (
        "alternative dropped from a request",
        {"anyOf": [{"type": "string"}, {"type": "number"}]},
        {"type": "string"},
        "request",
        {C},
    ),
    (
        "alternative changed in place",
        {"oneOf": [{"type": "string"}, {"type": "number"}]},
        {"oneOf": [{"type": "string", "maxLength": 2}, {"type": "number"}]},
        "request",
        {C},
    ),
    (
        "allOf split is no change",
        OBJ,
        {"allOf": [{"type": "object", "required": ["a"]}, {"properties": {"a": {"type": "string"}}}]},
        "response",
        set(),
    ),
    (
        "allOf members that disagree",
        {"allOf": [{"type": "string"}]},
        {"allOf": [{"type": "string"}, {"type": "number"}]},
        "response",
        {C, I},
    ),
    (
        "default changed in a request",
        {"type": "string", "default": "a"},
        {"type": "string", "default": "b"},
        "request",
        {C, I},
    ),
    ("default added in a request", {"type": "string"}, {"type": "string", "default": "b"}, "request", {I}),
    ("default removed in a request", {"type": "string", "default": "a"}, {"type": "string"}, "request", {C}),
    (
        "default changed in a response",
        {"type": "string", "default": "a"},
        {"type": "string", "default": "b"},
        "response",
        {OK},
    ),
    (
        "description changed",
        {"type": "string", "description": "a"},
        {"type": "string", "description": "b"},
        "request",
        {OK},
    ),
    ("unknown extension changed", {"type": "string", "x-a": 1}, {"type": "string", "x-a": 2}, "request", {OK}),
    ("not changed", {"not": {"type": "string"}}, {"not": {"type": "number"}}, "request", {C, I}),
    ("not added", {"type": "string"}, {"type": "string", "not": {"enum": ["x"]}}, "request", {C}),
    ("not removed", {"type": "string", "not": {"enum": ["x"]}}, {"type": "string"}, "request", {I}),
    ("unknown keyword changed", {"type": "string", "const": "a"}, {"type": "string", "const": "b"}, "request", {C, I}),
    (
        "error code property moved",
        {"type": "object", "x-error-code-property": "error"},
        {"type": "object", "x-error-code-property": "code"},
        "response",
        {C, I},
    ),
    (
        "error code property documented",
        {"type": "object"},
        {"type": "object", "x-error-code-property": "code"},
        "response",
        {I},
    ),
    (
        "error code property dropped",
        {"type": "object", "x-error-code-property": "code"},
        {"type": "object"},
        "response",
        {C},
    ),
    ("boolean schema false to true", False, True, "request", {I}),  # type: ignore[list-item]
    # A $ref in data (a const, an example of a oneOf branch) is data: compared as written, never followed.
    (
        "a $ref in a const is data",
        {"const": {"$ref": "#/nowhere"}},
        {"const": {"$ref": "#/nowhere"}},
        "response",
        set(),
    ),
    ("another $ref in a const is a change", {"const": {"$ref": "#/a"}}, {"const": {"$ref": "#/b"}}, "response", {C, I}),
    (
        "a $ref in a branch's example is data",
        {"oneOf": [{"type": "object", "example": {"$ref": "#/nowhere"}}, {"type": "string"}]},
        {"oneOf": [{"type": "object", "example": {"$ref": "#/nowhere"}}, {"type": "string"}]},
        "response",
        set(),
    ),
]


@pytest.mark.parametrize(("old", "new", "direction", "sides"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classification(old: S, new: S, direction: Direction, sides: set[str]) -> None:
    assert _sides(_diff(old, new, direction)) == sides


def test_number_to_string_depends_on_how_values_are_written() -> None:
    old, new = {"type": "number"}, {"type": "string"}
    assert _sides(_diff(old, new, "request", textual=True)) == {I}
    assert _sides(_diff(old, new, "request", textual=False)) == {C, I}


def test_a_renamed_component_of_the_same_shape_is_no_change() -> None:
    shape = {"type": "object", "properties": {"n": {"type": "integer"}}}
    components = ({"Old": shape}, {"New": dict(shape)})
    assert (
        _diff(
            {"$ref": "#/components/schemas/Old"},
            {"$ref": "#/components/schemas/New"},
            "response",
            components=components,
        )
        == []
    )


def test_changes_inside_a_ref_point_into_the_component_on_each_side() -> None:
    components = (
        {"A": {"type": "object", "properties": {"n": {"type": "number"}}}},
        {"B": {"type": "object", "properties": {"n": {"type": "integer"}}}},
    )
    (change,) = _diff(
        {"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}, "request", components=components
    )
    assert (change.old_pointer, change.new_pointer) == (
        "/components/schemas/A/properties/n",
        "/components/schemas/B/properties/n",
    )
    assert change.message == "here: n: type number → integer"


def _tree(leaf: str) -> S:
    return {
        "Node": {
            "type": "object",
            "properties": {
                "value": {"type": leaf},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            },
        }
    }


def test_recursive_schemas_end_and_report_once() -> None:
    ref = {"$ref": "#/components/schemas/Node"}
    assert _diff(ref, ref, "response", components=(_tree("number"), _tree("number"))) == []
    changes = _diff(ref, ref, "response", components=(_tree("number"), _tree("integer")))
    assert [(c.kind, c.classification) for c in changes] == [("schema-type", I)]


def test_a_ref_that_does_not_resolve_is_an_error_naming_it() -> None:
    with pytest.raises(DiffError, match=r"new document, /new: \$ref '#/components/schemas/Gone' does not resolve"):
        _diff({"type": "string"}, {"$ref": "#/components/schemas/Gone"}, "request")


def test_a_ref_chain_that_loops_is_an_error() -> None:
    loop = {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}
    with pytest.raises(DiffError, match="refers back to itself"):
        _diff(
            {"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/A"}, "request", components=(loop, loop)
        )


def test_external_refs_are_refused_by_name() -> None:
    with pytest.raises(DiffError, match="is not local"):
        _diff({"$ref": "other.yaml#/X"}, {}, "request")
