"""writeOnly properties left out of answers, documented examples included."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.engine import MockRequest, build_state, handle
from mockserver.core.visibility import without_write_only
from usage_contract_kit.spec import parse_document

SECRET = {"type": "string", "writeOnly": True}
CARD = {"type": "object", "properties": {"number": {"type": "string"}, "cvc": SECRET}}
BANK = {"type": "object", "properties": {"number": {"type": "string"}, "cvc": {"type": "string"}}}
NODE = "#/components/schemas/Node"
DEFINITIONS = {NODE: {"type": "object", "properties": {"password": SECRET, "next": {"$ref": NODE}}}}

CASES = [
    ("a property", CARD, {"number": "4", "cvc": "1"}, {"number": "4"}),
    ("nothing to leave out: the value itself", CARD, {"number": "4"}, {"number": "4"}),
    ("in items", {"type": "array", "items": CARD}, [{"cvc": "1"}, {"number": "4"}], [{}, {"number": "4"}]),
    ("nested", {"properties": {"card": CARD}}, {"card": {"cvc": "1"}, "x": 1}, {"card": {}, "x": 1}),
    ("allOf", {"allOf": [CARD, {"required": ["number"]}]}, {"number": "4", "cvc": "1"}, {"number": "4"}),
    ("a oneOf branch", {"oneOf": [CARD, {"properties": {"iban": {}}}]}, {"cvc": "1", "iban": "x"}, {"iban": "x"}),
    ("not where another branch reads it", {"oneOf": [CARD, BANK]}, {"cvc": "1"}, {"cvc": "1"}),
    ("a kept ref", {"$ref": NODE}, {"password": "p", "next": {"password": "q"}}, {"next": {}}),
    ("not data of another type", CARD, "text", "text"),
]


@pytest.mark.parametrize(("schema", "value", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_write_only_properties_are_left_out(schema: Any, value: Any, expected: Any) -> None:
    result = without_write_only(value, schema, DEFINITIONS)
    assert result == expected
    if result == value:
        assert result is value  # nothing copied when nothing changes


_CARDS = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/cards": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["number", "cvc"],
                                    "properties": CARD["properties"],
                                },
                                "examples": {
                                    "first": {"value": {"number": "4242", "cvc": "123"}},
                                    "second": {"value": {"number": "5555", "cvc": "456"}},
                                },
                            }
                        },
                    }
                }
            }
        }
    },
}


@pytest.mark.parametrize("prefer", ["", "example=second", "dynamic=true, seed=3"])
def test_an_answer_carries_no_write_only_property(prefer: str) -> None:
    state = build_state(parse_document(_CARDS))
    served = handle(state, MockRequest("GET", "/cards", {}, {"prefer": prefer} if prefer else {}, {})).served
    assert served.status == 200
    assert set(served.body) == {"number"}
    assert b"cvc" not in served.payload()
