"""Every documented response made ready at load: valid bodies and headers, or the spec refused."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mockserver.core.answers import build_catalog
from usage_contract_kit.errors import SpecError
from usage_contract_kit.model import Spec
from usage_contract_kit.spec import parse_document

IMPOSSIBLE = {"type": "object", "required": ["code"], "properties": {"code": {"type": "string", "pattern": "^(?=x)y$"}}}


def _spec(response: dict[str, Any]) -> Spec:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": response}}}},
    }
    return parse_document(document, source="s.yaml")


def _content(media_type: str, media: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"description": "d", "content": {media_type: media}, **extra}


def _answer(spec: Spec) -> Any:
    catalog = build_catalog(spec)
    return catalog.answer(spec.operations[0], spec.operations[0].responses["200"])


def test_without_an_example_the_body_is_generated_and_valid() -> None:
    schema = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}},
    }
    answer = _answer(_spec(_content("application/json", {"schema": schema})))
    (body,) = answer.bodies
    assert body.example == "generated"
    assert answer.bodies[0].media.validator is not None
    assert answer.bodies[0].media.validator.first_error(body.value) is None
    assert body.encoded.startswith(b'{"id":"')


def test_an_example_is_served_as_it_is() -> None:
    answer = _answer(_spec(_content("application/json", {"schema": {"type": "object"}, "example": {"a": 1}})))
    assert (answer.bodies[0].value, answer.bodies[0].example, answer.bodies[0].encoded) == (
        {"a": 1},
        "example",
        b'{"a":1}',
    )


def test_strict_refuses_a_response_nothing_valid_can_be_made_for() -> None:
    with pytest.raises(SpecError) as info:
        build_catalog(_spec(_content("application/json", {"schema": IMPOSSIBLE})))
    assert info.value.location == "/paths/~1x/get/responses/200/content/application~1json/schema"
    assert "pattern '^(?=x)y$' could not be matched" in info.value.problem


TOO_LARGE = [
    (
        "a string of billions of characters",
        "application/json",
        {"type": "string", "minLength": 2_000_000_000},
        "its strings would hold more than 1,000,000 characters",
    ),
    (
        "an array of billions of items",
        "application/json",
        {"type": "array", "minItems": 2_000_000_000},
        "it would hold more than 100,000 values",
    ),
    (
        "an object of billions of properties",
        "application/json",
        {"type": "object", "minProperties": 2_000_000_000},
        "it would hold more than 100,000 values",
    ),
    (
        "arrays of arrays, a billion items in all",
        "application/json",
        {
            "type": "array",
            "minItems": 1000,
            "items": {
                "type": "array",
                "minItems": 1000,
                "items": {"type": "array", "minItems": 1000, "items": {"type": "integer"}},
            },
        },
        "it would hold more than 100,000 values",
    ),
    (
        "billions of bytes",
        "application/octet-stream",
        {"type": "string", "format": "binary", "minLength": 2_000_000_000},
        "it would hold more than 1,000,000 bytes",
    ),
]


@pytest.mark.parametrize(("media_type", "schema", "why"), [c[1:] for c in TOO_LARGE], ids=[c[0] for c in TOO_LARGE])
def test_a_response_too_large_to_generate_is_refused_quickly(media_type: str, schema: Any, why: str) -> None:
    # Made, they took minutes and gigabytes, or ended in a MemoryError or an OverflowError.
    started = time.monotonic()
    with pytest.raises(SpecError) as info:
        build_catalog(_spec(_content(media_type, {"schema": schema})))
    assert time.monotonic() - started < 15
    assert info.value.problem == f"no value of this schema can be generated: {why}, and no example is documented"


def test_lenient_keeps_the_fault_as_a_warning_and_the_answer_s_problem() -> None:
    spec = _spec(_content("application/json", {"schema": IMPOSSIBLE}))
    catalog = build_catalog(spec, lenient=True)
    (warning,) = catalog.warnings
    assert warning.startswith("s.yaml#/paths/~1x/get/responses/200/content/application~1json/schema: no value")
    answer = catalog.answer(spec.operations[0], spec.operations[0].responses["200"])
    assert answer.problem is not None
    assert not answer.servable
    assert spec.operations[0].location not in catalog.defaults


def test_documented_headers_come_from_their_example_or_their_schema() -> None:
    headers = {
        "X-Rate-Limit": {"schema": {"type": "integer", "minimum": 1}, "example": 60},
        "X-Trace": {"required": True, "schema": {"type": "string", "format": "uuid"}},
        "X-Flags": {
            "schema": {
                "type": "array",
                "items": {"type": "string", "enum": ["a", "b"]},
                "minItems": 2,
                "uniqueItems": True,
            }
        },
        "Content-Type": {"schema": {"type": "string"}, "example": "left/out"},
    }
    answer = _answer(_spec({"description": "d", "headers": headers}))
    assert dict(answer.headers) == {
        "X-Rate-Limit": "60",
        "X-Trace": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "X-Flags": "a,b",
    }


def test_a_required_header_nothing_valid_can_be_made_for_is_refused() -> None:
    headers = {"X-Code": {"required": True, "schema": {"type": "string", "pattern": "^(?=x)y$"}}}
    with pytest.raises(SpecError, match="required header 'X-Code'") as info:
        build_catalog(_spec({"description": "d", "headers": headers}))
    assert info.value.location == "/paths/~1x/get/responses/200/headers/X-Code"


@pytest.mark.parametrize(
    ("media_type", "media", "expected"),
    [
        ("text/plain", {"schema": {"type": "string"}, "example": "hello"}, b"hello"),
        ("text/plain", {"schema": {"type": "integer", "minimum": 3}}, b"3"),
        ("application/octet-stream", {"schema": {"type": "string", "format": "binary"}, "example": "raw"}, b"raw"),
        (
            "application/xml",
            {
                "schema": {
                    "type": "object",
                    "properties": {"a": {"type": "integer", "example": 1}},
                    "xml": {"name": "thing"},
                }
            },
            b'<?xml version="1.0" encoding="UTF-8"?><thing><a>1</a></thing>',
        ),
        ("application/xml", {"schema": {"type": "object"}, "example": "<thing/>"}, b"<thing/>"),
    ],
    ids=["text example", "text from a number schema", "binary example", "XML from the schema", "XML example"],
)
def test_media_types_are_served_as_themselves(media_type: str, media: dict[str, Any], expected: bytes) -> None:
    assert _answer(_spec(_content(media_type, media))).bodies[0].encoded == expected


def test_binary_without_an_example_is_bytes_within_the_schema_s_lengths() -> None:
    schema = {"type": "string", "format": "binary", "minLength": 40, "maxLength": 50}
    body = _answer(_spec(_content("image/png", {"schema": schema}))).bodies[0]
    assert isinstance(body.value, bytes)
    assert 40 <= len(body.encoded) <= 50


def test_a_generated_string_served_as_xml_is_an_xml_document() -> None:
    body = _answer(_spec(_content("application/xml", {"schema": {"type": "string"}}))).bodies[0]
    assert body.encoded == b'<?xml version="1.0" encoding="UTF-8"?><root>string</root>'
