"""Bodies and header values on the wire, per media type."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.encoding import content_type_header, encode_body, header_text, to_xml

BODIES = [
    ("JSON, compact, UTF-8", {"a": "é", "b": [1, 2]}, "json", '{"a":"é","b":[1,2]}'.encode()),
    ("JSON string", "text", "json", b'"text"'),
    ("text as itself", "plain text", "text", b"plain text"),
    ("a number as text", 42, "text", b"42"),
    ("binary bytes as they are", b"\x00\x01", "binary", b"\x00\x01"),
    ("a binary example string", "PNG", "binary", b"PNG"),
    ("a form", {"q": "a b", "n": 2, "ok": True}, "form", b"q=a+b&n=2&ok=true"),
    ("an XML example as it is", "<a/>", "xml", b"<a/>"),
]


@pytest.mark.parametrize(("value", "kind", "expected"), [b[1:] for b in BODIES], ids=[b[0] for b in BODIES])
def test_encode_body(value: Any, kind: str, expected: bytes) -> None:
    assert encode_body(value, kind) == expected


def test_multipart_parts_per_field() -> None:
    body = encode_body({"name": "x", "n": 1}, "multipart")
    assert body.count(b"Content-Disposition: form-data;") == 2
    assert body.endswith(b"--mockserver-boundary--\r\n")
    assert content_type_header("multipart/form-data", "multipart").endswith("boundary=mockserver-boundary")


@pytest.mark.parametrize(
    ("value", "explode", "expected"),
    [
        (5, False, "5"),
        (True, False, "true"),
        ([1, 2], False, "1,2"),
        ({"a": 1, "b": "x"}, False, "a,1,b,x"),
        ({"a": 1}, True, "a=1"),
    ],
)
def test_header_text_is_the_simple_style(value: Any, explode: bool, expected: str) -> None:
    assert header_text(value, explode=explode) == expected


def test_xml_follows_the_schema_s_hints() -> None:
    schema = {
        "type": "object",
        "xml": {"name": "pet", "namespace": "https://example.com/ns", "prefix": "p"},
        "properties": {
            "id": {"type": "integer", "xml": {"attribute": True}},
            "tags": {"type": "array", "xml": {"wrapped": True}, "items": {"type": "string", "xml": {"name": "tag"}}},
            "photo": {"type": "array", "items": {"type": "string"}},
            "note": {"type": "string"},
        },
    }
    text = to_xml({"id": 7, "tags": ["a"], "photo": ["x", "y"], "note": "<&>"}, schema)
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?><p:pet xmlns:p="https://example.com/ns" id="7">'
        "<tags><tag>a</tag></tags><photo>x</photo><photo>y</photo><note>&lt;&amp;&gt;</note></p:pet>"
    )


@pytest.mark.parametrize(
    ("documented", "kind", "sent"),
    [
        ("application/json", "json", "application/json"),
        ("text/plain", "text", "text/plain; charset=utf-8"),
        ("text/csv; charset=latin-1", "text", "text/csv; charset=latin-1"),
        ("*/*", "json", "application/json"),
        ("image/png", "binary", "image/png"),
        ("image/*", "binary", "image/png"),
    ],
)
def test_content_type_header(documented: str, kind: str, sent: str) -> None:
    assert content_type_header(documented, kind) == sent


@pytest.mark.parametrize("count", [0, 1, 2])
def test_an_array_body_in_xml_has_one_root_element(count: int) -> None:
    # As GET /pet/findByStatus of the Swagger petstore documents it: an array, not wrapped, of
    # pets named "pet"; an XML document has one root element, whatever the number of pets.
    from xml.etree import ElementTree

    schema = {"type": "array", "items": {"type": "object", "xml": {"name": "pet"}, "properties": {"id": {}}}}
    text = to_xml([{"id": n} for n in range(count)], schema)
    root = ElementTree.fromstring(text.encode())  # noqa: S314 - the mock's own XML, in a test
    assert [child.tag for child in root] == ["pet"] * count
