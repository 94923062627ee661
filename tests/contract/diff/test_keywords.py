"""Table tests: how each schema keyword's change is judged, narrower or wider."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.diff.keywords import (
    compare_bounds,
    compare_enum,
    compare_flag,
    compare_format,
    compare_lengths,
    compare_multiple_of,
    compare_pattern,
    compare_types,
)

S = dict[str, Any]

TYPES: list[tuple[str, S, S, bool, list[str]]] = [
    ("same", {"type": "number"}, {"type": "number"}, False, []),
    ("json number to string", {"type": "number"}, {"type": "string"}, False, ["both"]),
    ("text number to string", {"type": "number"}, {"type": "string"}, True, ["wider"]),
    ("text string to number", {"type": "string"}, {"type": "number"}, True, ["narrower"]),
    ("text boolean to string", {"type": "boolean"}, {"type": "string"}, True, ["wider"]),
    ("number to integer", {"type": "number"}, {"type": "integer"}, False, ["narrower"]),
    ("integer to number", {"type": "integer"}, {"type": "number"}, False, ["wider"]),
    ("any to string", {}, {"type": "string"}, False, ["narrower"]),
    ("string to any", {"type": "string"}, {}, False, ["wider"]),
    ("nullable added", {"type": "string"}, {"type": "string", "nullable": True}, False, ["wider"]),
    ("nullable removed", {"type": "string", "nullable": True}, {"type": "string"}, False, ["narrower"]),
    ("3.1 type list widened", {"type": "string"}, {"type": ["string", "null"]}, False, ["wider"]),
    ("array to object", {"type": "array"}, {"type": "object"}, True, ["both"]),
]


@pytest.mark.parametrize(("old", "new", "textual", "effects"), [t[1:] for t in TYPES], ids=[t[0] for t in TYPES])
def test_types(old: S, new: S, textual: bool, effects: list[str]) -> None:
    assert [e for e, _ in compare_types(old, new, textual=textual)] == effects


def test_nullable_is_named_as_such() -> None:
    assert compare_types({"type": "string"}, {"type": "string", "nullable": True}, textual=False) == [
        ("wider", "nullable false → true")
    ]


KEYWORDS: list[tuple[str, Any, S, S, list[str]]] = [
    ("enum added", compare_enum, {}, {"enum": ["a"]}, ["narrower"]),
    ("enum removed", compare_enum, {"enum": ["a"]}, {}, ["wider"]),
    ("enum value removed", compare_enum, {"enum": ["a", "b"]}, {"enum": ["a"]}, ["narrower"]),
    ("enum value added", compare_enum, {"enum": ["a"]}, {"enum": ["a", "b"]}, ["wider"]),
    ("enum value swapped", compare_enum, {"enum": ["a"]}, {"enum": ["b"]}, ["narrower", "wider"]),
    ("enum 1 is not true", compare_enum, {"enum": [1]}, {"enum": [True]}, ["narrower", "wider"]),
    ("enum reordered", compare_enum, {"enum": ["a", "b"]}, {"enum": ["b", "a"]}, []),
    ("format added", compare_format, {}, {"format": "date"}, ["narrower"]),
    ("format removed", compare_format, {"format": "date"}, {}, ["wider"]),
    ("int32 to int64", compare_format, {"format": "int32"}, {"format": "int64"}, ["wider"]),
    ("int64 to int32", compare_format, {"format": "int64"}, {"format": "int32"}, ["narrower"]),
    ("float to double", compare_format, {"format": "float"}, {"format": "double"}, ["wider"]),
    ("date to uuid", compare_format, {"format": "date"}, {"format": "uuid"}, ["both"]),
    ("minimum added", compare_bounds, {}, {"minimum": 0}, ["narrower"]),
    ("minimum raised", compare_bounds, {"minimum": 0}, {"minimum": 1}, ["narrower"]),
    ("minimum lowered", compare_bounds, {"minimum": 1}, {"minimum": 0}, ["wider"]),
    ("minimum made exclusive", compare_bounds, {"minimum": 0}, {"minimum": 0, "exclusiveMinimum": True}, ["narrower"]),
    ("maximum made inclusive", compare_bounds, {"maximum": 9, "exclusiveMaximum": True}, {"maximum": 9}, ["wider"]),
    ("maximum lowered", compare_bounds, {"maximum": 9}, {"maximum": 5}, ["narrower"]),
    ("maximum removed", compare_bounds, {"maximum": 9}, {}, ["wider"]),
    ("3.1 exclusive minimum", compare_bounds, {"minimum": 0}, {"exclusiveMinimum": 0}, ["narrower"]),
    (
        "maxLength lowered",
        lambda o, n: compare_lengths(o, n, "string"),
        {"maxLength": 9},
        {"maxLength": 5},
        ["narrower"],
    ),
    ("maxLength added", lambda o, n: compare_lengths(o, n, "string"), {}, {"maxLength": 0}, ["narrower"]),
    ("minLength removed", lambda o, n: compare_lengths(o, n, "string"), {"minLength": 1}, {}, ["wider"]),
    ("minItems raised", lambda o, n: compare_lengths(o, n, "array"), {"minItems": 1}, {"minItems": 2}, ["narrower"]),
    ("maxProperties removed", lambda o, n: compare_lengths(o, n, "object"), {"maxProperties": 3}, {}, ["wider"]),
    ("multipleOf added", compare_multiple_of, {}, {"multipleOf": 2}, ["narrower"]),
    ("multipleOf 2 to 4", compare_multiple_of, {"multipleOf": 2}, {"multipleOf": 4}, ["narrower"]),
    ("multipleOf 4 to 2", compare_multiple_of, {"multipleOf": 4}, {"multipleOf": 2}, ["wider"]),
    ("multipleOf 0.1 to 0.2", compare_multiple_of, {"multipleOf": 0.1}, {"multipleOf": 0.2}, ["narrower"]),
    ("multipleOf 2 to 3", compare_multiple_of, {"multipleOf": 2}, {"multipleOf": 3}, ["both"]),
    ("pattern added", compare_pattern, {}, {"pattern": "^a"}, ["narrower"]),
    ("pattern removed", compare_pattern, {"pattern": "^a"}, {}, ["wider"]),
    ("pattern replaced", compare_pattern, {"pattern": "^a"}, {"pattern": "^b"}, ["both"]),
    ("uniqueItems on", lambda o, n: compare_flag(o, n, "uniqueItems"), {}, {"uniqueItems": True}, ["narrower"]),
    (
        "uniqueItems off",
        lambda o, n: compare_flag(o, n, "uniqueItems"),
        {"uniqueItems": True},
        {"uniqueItems": False},
        ["wider"],
    ),
]


@pytest.mark.parametrize(("compare", "old", "new", "effects"), [t[1:] for t in KEYWORDS], ids=[t[0] for t in KEYWORDS])
def test_keywords(compare: Any, old: S, new: S, effects: list[str]) -> None:
    assert [e for e, _ in compare(old, new)] == effects
