"""Values generated from a schema validate against it, for the keywords real specs use."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mockserver.core.generation import Generator, Unsatisfiable
from usage_contract_kit.schemas import compile_schema, translate_definitions

NODE = "#/components/schemas/Node"
EXPR = "#/components/schemas/Expr"
DEFINITIONS: dict[str, Any] = {
    NODE: {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string", "pattern": "^n[0-9]+$"},
            "children": {"type": "array", "items": {"$ref": NODE}},
        },
    },
    EXPR: {
        "oneOf": [
            {"type": "object", "required": ["value"], "properties": {"value": {"type": "number"}}},
            {
                "type": "object",
                "required": ["left", "right"],
                "properties": {"left": {"$ref": EXPR}, "right": {"$ref": EXPR}},
            },
        ]
    },
}

SCHEMAS: list[tuple[str, Any]] = [
    ("no schema at all", {}),
    ("number without bounds", {"type": "number"}),
    ("integer, exclusive bounds (3.0)", {"type": "integer", "minimum": 5, "exclusiveMinimum": True, "maximum": 6}),
    ("number, multipleOf a cent", {"type": "number", "multipleOf": 0.01, "minimum": 1, "maximum": 2}),
    ("int32", {"type": "integer", "format": "int32", "minimum": -5}),
    ("negative only", {"type": "integer", "maximum": -10}),
    ("string lengths", {"type": "string", "minLength": 10, "maxLength": 12}),
    ("string pattern and lengths", {"type": "string", "pattern": "^[a-z]+$", "minLength": 3, "maxLength": 4}),
    (
        "formats",
        {
            "type": "object",
            "properties": {
                f: {"type": "string", "format": f}
                for f in ("uuid", "email", "date", "date-time", "uri", "ipv6", "byte")
            },
        },
    ),
    ("enum with null", {"type": "string", "nullable": True, "enum": [None, "a", "b"]}),
    ("an enum whose only valid value is null", {"type": "string", "nullable": True, "enum": [3, None]}),
    ("nullable", {"type": "string", "nullable": True, "maxLength": 2}),
    (
        "required names the schema does not declare",
        {"type": "object", "required": ["id", "createdAt"], "properties": {"id": {"type": "integer"}}},
    ),
    (
        "additionalProperties false",
        {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "boolean"}}},
    ),
    (
        "minProperties from additionalProperties",
        {"type": "object", "minProperties": 3, "additionalProperties": {"type": "integer", "minimum": 1}},
    ),
    (
        "maxProperties",
        {"type": "object", "maxProperties": 1, "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
    ),
    ("uniqueItems of an enum", {"type": "array", "uniqueItems": True, "minItems": 3, "items": {"enum": [1, 2, 3]}}),
    ("array bounds", {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string"}}),
    (
        "allOf",
        {
            "allOf": [
                {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
                {"required": ["b"], "properties": {"b": {"type": "integer", "minimum": 3}}},
            ]
        },
    ),
    (
        "oneOf with overlapping branches",
        {
            "oneOf": [
                {"type": "object", "required": ["a"]},
                {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}},
            ]
        },
    ),
    (
        "an optional property no value satisfies (oneOf of two equal branches) left out",
        {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "tags": {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "string"}]}},
                "shape": {"oneOf": [{"type": "object"}, {"type": "object"}]},
            },
        },
    ),
    ("anyOf", {"anyOf": [{"type": "string", "maxLength": 1}, {"type": "integer", "minimum": 100}]}),
    ("not", {"type": "integer", "not": {"enum": [0]}}),
    (
        "writeOnly left out of answers",
        {"type": "object", "properties": {"password": {"type": "string", "writeOnly": True}}},
    ),
    ("recursive tree", {"$ref": NODE}),
    ("recursion that must end through oneOf", {"$ref": EXPR}),
    ("3.1 type list", {"type": ["string", "null"], "minLength": 2}),
]


@pytest.mark.parametrize(("schema"), [s for _, s in SCHEMAS], ids=[n for n, _ in SCHEMAS])
@pytest.mark.parametrize("static", [True, False], ids=["fixed", "drawn"])
def test_generated_values_validate(schema: Any, static: bool) -> None:
    version = "3.1.0" if isinstance(schema.get("type"), list) else "3.0.3"
    validator = compile_schema(schema, version=version, definitions=translate_definitions(DEFINITIONS, version=version))
    generator = Generator(DEFINITIONS)
    generator.prepare(schema)
    for seed in range(10):
        value = generator.produce(schema, validator, seed, static=static)
        assert validator.first_error(value) is None, value


def test_the_schema_s_own_examples_come_first() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "example": "Rex"},
            "age": {"type": "integer", "default": 3},
            "tags": {"type": "array", "items": {"type": "string"}, "examples": [["a", "b"]]},
        },
    }
    value = Generator().generate(schema, random.Random(0), static=True)
    assert value == {"name": "Rex", "age": 3, "tags": ["a", "b"]}


def test_an_example_that_breaks_the_schema_is_passed_over() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "maximum": 5, "example": 50}}}
    value = Generator().produce(schema, compile_schema(schema), 0, static=True)
    assert value["n"] <= 5


def test_fixed_values_read_like_documentation() -> None:
    schema = {
        "type": "object",
        "properties": {"s": {"type": "string"}, "n": {"type": "number"}, "b": {"type": "boolean"}},
    }
    assert Generator().generate(schema, random.Random(0), static=True) == {"s": "string", "n": 0, "b": True}


def test_the_same_seed_gives_the_same_value_and_others_vary() -> None:
    schema = {"type": "object", "properties": {"s": {"type": "string"}, "n": {"type": "integer"}}}
    generator = Generator()
    assert generator.produce(schema, None, 7, static=False) == generator.produce(schema, None, 7, static=False)
    assert len({str(generator.produce(schema, None, seed, static=False)) for seed in range(10)}) > 5


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^(?=x)y$"},  # a lookahead nothing satisfies
        {"type": "string", "pattern": r"^\p{Greek}+$"},  # a class Python's regex cannot read
        {"type": "object", "required": ["a"], "additionalProperties": False, "minProperties": 2},
        {"$ref": "#/components/schemas/Loop"},  # every instance holds another
    ],
    ids=["impossible lookahead", "unreadable pattern", "too few properties allowed", "infinite recursion"],
)
def test_nothing_valid_is_unsatisfiable(schema: Any) -> None:
    loop = {
        "#/components/schemas/Loop": {
            "type": "object",
            "required": ["next"],
            "properties": {"next": {"$ref": "#/components/schemas/Loop"}},
        }
    }
    validator = compile_schema(schema, definitions=translate_definitions(loop))
    with pytest.raises(Unsatisfiable):
        Generator(loop).produce(schema, validator, 0, static=True)


CARD = {
    "type": "object",
    "required": ["id", "number", "cvc"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "number": {"type": "string", "example": "4242"},
        "cvc": {"type": "string", "writeOnly": True, "example": "123"},
    },
}
LEFT_OUT = [
    ("an answer leaves out writeOnly, required or not", Generator(), {"id", "number"}),
    ("a request leaves out readOnly, required or not", Generator(hidden="readOnly"), {"number", "cvc"}),
]


@pytest.mark.parametrize(("generator", "names"), [c[1:] for c in LEFT_OUT], ids=[c[0] for c in LEFT_OUT])
@pytest.mark.parametrize("static", [True, False], ids=["fixed", "drawn"])
def test_a_side_leaves_out_what_only_the_other_sends(generator: Generator, names: set[str], static: bool) -> None:
    for seed in range(5):
        assert set(generator.produce(CARD, None, seed, static=static)) == names
