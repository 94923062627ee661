"""Request bodies against the documented requestBody: media type, required, schema, per kind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.core.bodies import MAX_BODY_DEPTH, BodyProblem, carries_body, validate_body
from usage_contract_kit.model import Operation
from usage_contract_kit.spec import parse_document

PET = {
    "type": "object",
    "required": ["name", "id"],
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
        "photo": {"type": "string", "format": "binary"},
    },
}


def _operation(content: dict[str, Any], required: bool = True) -> Operation:
    body = {"required": required, "content": content}
    op = {"requestBody": body, "responses": {"200": {"description": "ok"}}}
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": op}}}
    return parse_document(document).operations[0]


JSON = _operation({"application/json": {"schema": PET}})
FORM = _operation({"application/x-www-form-urlencoded": {"schema": PET}})
MULTIPART = _operation({"multipart/form-data": {"schema": PET}})
IMAGES = _operation({"image/*": {"schema": {"type": "string", "format": "binary"}}}, required=False)
TEXT = _operation({"text/plain": {"schema": {"type": "string", "maxLength": 5}}})
# Fields the schema does not declare: closed to them, or read by additionalProperties' schema.
CLOSED = _operation({"application/x-www-form-urlencoded": {"schema": {**PET, "additionalProperties": False}}})
COUNTS = _operation(
    {
        "application/x-www-form-urlencoded": {
            "schema": {**PET, "additionalProperties": {"type": "integer", "maximum": 5}}
        }
    }
)
NOTES = _operation({"multipart/form-data": {"schema": {"type": "object", "properties": {"note": {"type": "string"}}}}})
LISTS = _operation(
    {
        "multipart/form-data": {
            "schema": {**PET, "additionalProperties": {"type": "array", "items": {"type": "integer"}}}
        }
    }
)


def _multipart(*parts: tuple[str, str, bool]) -> bytes:
    chunks = []
    for name, value, is_file in parts:
        disposition = f'form-data; name="{name}"' + ('; filename="f.png"' if is_file else "")
        chunks.append(f"--B\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n")
    return ("".join(chunks) + "--B--\r\n").encode()


CASES: list[tuple[str, Operation, str | None, bytes, str | None]] = [
    ("valid JSON (a readOnly property need not be sent)", JSON, "application/json", b'{"name": "Rex"}', None),
    ("JSON with charset", JSON, "application/json; charset=utf-8", b'{"name": "Rex"}', None),
    ("a required body is missing", JSON, "application/json", b"", "invalid:a request body is required"),
    ("no Content-Type", JSON, None, b"{}", "unsupported_media_type:no Content-Type"),
    ("an undocumented Content-Type", JSON, "text/plain", b"{}", "unsupported_media_type:'text/plain'"),
    ("not JSON", JSON, "application/json", b'{"name": ', "invalid:not valid JSON at line 1, column 10"),
    ("NaN is not JSON", JSON, "application/json", b'{"name": "x", "age": NaN}', "invalid:NaN is not a JSON number"),
    ("not UTF-8", JSON, "application/json", b'{"name": "\xff"}', "invalid:not UTF-8"),
    # A lone surrogate escape: the schema validator failed on it, and the mock answered a 500.
    (
        "a lone surrogate escape",
        JSON,
        "application/json",
        b'{"name": "R\\ud800"}',
        "invalid:at /name: a lone surrogate escape (\\ud800) is no character",
    ),
    ("in a key", JSON, "application/json", b'{"name": "R", "\\udc00": 1}', "invalid:a lone surrogate escape (\\udc00)"),
    ("a surrogate pair is a character", JSON, "application/json", b'{"name": "\\ud83d\\udc4d"}', None),
    (
        "a schema fault, with its place",
        JSON,
        "application/json",
        b'{"name": "x", "age": -1}',
        "invalid:at /age: -1 is less than",
    ),
    ("a required property", JSON, "application/json", b'{"age": 1}', 'invalid:"name" is a required property'),
    (
        "nested too deep",
        JSON,
        "application/json",
        b"[" * (MAX_BODY_DEPTH + 1) + b"]" * (MAX_BODY_DEPTH + 1),
        "invalid:nested deeper",
    ),
    ("a valid form", FORM, "application/x-www-form-urlencoded", b"name=Rex&age=3&tags=a&tags=b", None),
    (
        "a form field of the wrong type",
        FORM,
        "application/x-www-form-urlencoded",
        b"name=Rex&age=old",
        "invalid:field 'age': 'old' is not an integer",
    ),
    (
        "a form without a required field",
        FORM,
        "application/x-www-form-urlencoded",
        b"age=3",
        'invalid:"name" is a required property',
    ),
    ("a form item out of its enum", FORM, "application/x-www-form-urlencoded", b"name=R&tags=c", "invalid:at /tags/0"),
    ("a repeated form field", FORM, "application/x-www-form-urlencoded", b"name=R&name=S", "invalid:given 2 times"),
    ("an undeclared field may be repeated", FORM, "application/x-www-form-urlencoded", b"name=R&x=1&x=2", None),
    (
        "and in multipart",
        MULTIPART,
        "multipart/form-data; boundary=B",
        _multipart(("name", "R", False), ("x", "1", False), ("x", "2", False)),
        None,
    ),
    ("a form closed to others", CLOSED, "application/x-www-form-urlencoded", b"name=R&x=1&x=2", "invalid:'x' was"),
    ("an extra field read by its schema", COUNTS, "application/x-www-form-urlencoded", b"name=R&x=3", None),
    ("and checked by it", COUNTS, "application/x-www-form-urlencoded", b"name=R&x=9", "invalid:at /x: 9 is greater"),
    (
        "repeated: an array its schema judges",
        COUNTS,
        "application/x-www-form-urlencoded",
        b"name=R&x=3&x=4",
        "invalid:at /x",
    ),
    (
        "extra fields of array schemas",
        LISTS,
        "multipart/form-data; boundary=B",
        _multipart(("name", "R", False), ("x", "1", False), ("x", "2", False)),
        None,
    ),
    (
        "their items coerced",
        LISTS,
        "multipart/form-data; boundary=B",
        _multipart(("name", "R", False), ("x", "1", False), ("x", "two", False)),
        "invalid:field 'x': 'two' is not an integer",
    ),
    (
        "a valid multipart body with a file",
        MULTIPART,
        "multipart/form-data; boundary=B",
        _multipart(("name", "Rex", False), ("photo", "\x89PNG", True)),
        None,
    ),
    (
        "multipart without a required field",
        MULTIPART,
        "multipart/form-data; boundary=B",
        _multipart(("age", "3", False)),
        'invalid:"name" is a required property',
    ),
    (
        "multipart field of the wrong type",
        MULTIPART,
        "multipart/form-data; boundary=B",
        _multipart(("name", "R", False), ("age", "x", False)),
        "invalid:field 'age'",
    ),
    ("multipart without a boundary", MULTIPART, "multipart/form-data", b"--B--", "invalid:without a boundary"),
    # No parts, only the close delimiter: how clients send a form without fields.
    ("multipart of no parts is an empty form", NOTES, "multipart/form-data; boundary=B", b"--B--\r\n", None),
    ("and judged as one", MULTIPART, "multipart/form-data; boundary=B", b"--B--", 'invalid:"name" is a required'),
    ("a part without its close", NOTES, "multipart/form-data; boundary=B", b"--B\r\n", "invalid:without a name"),
    (
        "a JSON number too long to read",
        JSON,
        "application/json",
        b'{"name": "R", "age": ' + b"9" * 5000 + b"}",
        "invalid:a number in the JSON has more digits than can be read",
    ),
    ("a media range", IMAGES, "image/png", b"\x89PNG", None),
    ("outside the range", IMAGES, "text/plain", b"x", "unsupported_media_type:documented: image/*"),
    ("an optional body may be missing", IMAGES, None, b"", None),
    ("text within its schema", TEXT, "text/plain", b"hello", None),
    ("text breaking its schema", TEXT, "text/plain", b"hello world", "invalid:longer than 5"),
]


def _judged(problem: BodyProblem | None, expected: str | None) -> bool:
    """Check ``problem`` against ``expected`` (``role:fragment``, or ``None`` for no problem); whether there was one."""
    if expected is None:
        assert problem is None
        return False
    role, _, fragment = expected.partition(":")
    assert problem is not None
    assert problem.role == role
    assert fragment in problem.message, problem.message
    return True


@pytest.mark.parametrize(
    ("operation", "content_type", "body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_validate_body(operation: Operation, content_type: str | None, body: bytes, expected: str | None) -> None:
    _judged(validate_body(operation, content_type, body), expected)


def test_an_operation_without_a_request_body_ignores_one() -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    assert validate_body(parse_document(document).operations[0], "text/plain", b"anything") is None


def test_a_message_about_a_huge_body_stays_short() -> None:
    value = json.dumps({"name": "x", "tags": ["z" * 100_000]}).encode()
    problem = validate_body(JSON, "application/json", value)
    assert problem is not None
    assert len(problem.message) < 400


# oneOf with a discriminator, as Ory Kratos's login body: branches alike but for the value of
# "method" (each a plain string in its branch), so plain JSON Schema finds several matching;
# the discriminator says which one a body means (its mapping, else the schema's name).
_LOGIN = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/login": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Login"}}},
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Login"}}},
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Login": {
                "oneOf": [
                    {"$ref": "#/components/schemas/WithPassword"},
                    {"$ref": "#/components/schemas/WithCode"},
                    {"$ref": "#/components/schemas/Oidc"},
                ],
                "discriminator": {
                    "propertyName": "method",
                    "mapping": {"password": "#/components/schemas/WithPassword", "code": "WithCode"},
                },
            },
            "WithPassword": {
                "type": "object",
                "required": ["method", "identifier"],
                "properties": {"method": {"type": "string"}, "identifier": {"type": "string"}},
            },
            "WithCode": {
                "type": "object",
                "required": ["method"],
                "properties": {"method": {"type": "string"}, "identifier": {"type": "string"}},
            },
            "Oidc": {"type": "object", "required": ["method"], "properties": {"method": {"type": "string"}}},
        }
    },
}
LOGIN = parse_document(_LOGIN).operations[0]

DISCRIMINATED = [
    ("mapped to its branch", b'{"method": "password", "identifier": "a@b.c"}', None),
    ("mapped by schema name", b'{"method": "code", "identifier": "a@b.c"}', None),
    ("an unmapped branch by its schema's name", b'{"method": "Oidc"}', None),
    ("the mapped branch's own rules still hold", b'{"method": "password"}', "request body"),
    ("a value that names no branch", b'{"method": "magic"}', "request body"),
    ("no discriminator at all", b'{"identifier": "a@b.c"}', "request body"),
]


# Both branches extend one base that lists every value of the property (enum: [approved,
# denied]): the enum tells no branch apart, the mapping does.
_EVENT = {
    **_LOGIN,
    "components": {
        "schemas": {
            "Login": {
                "oneOf": [{"$ref": "#/components/schemas/Approved"}, {"$ref": "#/components/schemas/Denied"}],
                "discriminator": {
                    "propertyName": "type",
                    "mapping": {"approved": "#/components/schemas/Approved", "denied": "#/components/schemas/Denied"},
                },
            },
            "Approved": {"allOf": [{"$ref": "#/components/schemas/Event"}]},
            "Denied": {"allOf": [{"$ref": "#/components/schemas/Event"}]},
            "Event": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string", "enum": ["approved", "denied"]}, "id": {"type": "string"}},
            },
        }
    },
}
EVENT = parse_document(_EVENT).operations[0]

DISCRIMINATED_BY_MAPPING = [
    ("a shared base's enum: the mapping picks the branch", b'{"type": "approved", "id": "e1"}', None),
    ("and the other one", b'{"type": "denied"}', None),
    ("a value the enum refuses", b'{"type": "Approved"}', "request body"),
]


@pytest.mark.parametrize(
    ("body", "problem"), [c[1:] for c in DISCRIMINATED_BY_MAPPING], ids=[c[0] for c in DISCRIMINATED_BY_MAPPING]
)
def test_a_discriminator_mapping_picks_the_branch_where_a_shared_enum_cannot(body: bytes, problem: str | None) -> None:
    found = validate_body(EVENT, "application/json", body)
    if problem is None:
        assert found is None, found
    else:
        assert found is not None
        assert problem in found.message


@pytest.mark.parametrize(("body", "problem"), [c[1:] for c in DISCRIMINATED], ids=[c[0] for c in DISCRIMINATED])
def test_a_discriminator_picks_the_branch(body: bytes, problem: str | None) -> None:
    found = validate_body(LOGIN, "application/json", body)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found.message


def test_a_discriminated_response_is_generated_valid() -> None:
    from mockserver.core.engine import MockRequest, build_state, handle

    state = build_state(parse_document(_LOGIN))  # strict: refuses what it cannot make valid
    for seed in range(1, 6):
        headers = {"prefer": f"dynamic=true, seed={seed}", "content-type": "application/json"}
        request = MockRequest("POST", "/login", {}, headers, {}, b'{"method":"Oidc"}')
        served = handle(state, request).served
        assert served.status == 200
        media = LOGIN.responses["200"].media
        assert media is not None
        assert media.validator is not None
        assert media.validator.is_valid(served.body), served.body


OPEN_FORM = _operation({"application/x-www-form-urlencoded": {"schema": {"type": "object"}}})
NONEMPTY_TEXT = _operation({"text/plain": {"schema": {"type": "string", "minLength": 1}}})
FILE = _operation({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
SIZED = _operation(
    {"application/octet-stream": {"schema": {"type": "string", "format": "binary", "minLength": 1, "maxLength": 4}}}
)

OPTIONAL_JSON = _operation({"application/json": {"schema": PET}}, required=False)
OPTIONAL_MULTIPART = _operation({"multipart/form-data": {"schema": PET}}, required=False)

# An empty body that was sent (Content-Type and Content-Length: 0) is read as its media type
# reads it; zero bytes of JSON or multipart are no value, so no body (a Content-Type on a
# bodiless request, as some clients send one).
EMPTY: list[tuple[str, Operation, str, str | None]] = [
    ("an empty file", FILE, "application/octet-stream", None),
    ("bytes fewer than minLength", SIZED, "application/octet-stream", "invalid:0 bytes, fewer than the schema's minLength of 1"),
    ("empty text", TEXT, "text/plain", None),
    ("empty text shorter than minLength", NONEMPTY_TEXT, "text/plain", "invalid:shorter than 1"),
    ("a form without fields", OPEN_FORM, "application/x-www-form-urlencoded", None),
    ("a form without its required fields", FORM, "application/x-www-form-urlencoded", 'invalid:"name" is a required property'),
    ("empty JSON is no body: a required one is missing", JSON, "application/json", "invalid:a request body is required"),
    ("so is an empty multipart body", MULTIPART, "multipart/form-data; boundary=B", "invalid:a request body is required"),
    ("empty JSON where the body is optional", OPTIONAL_JSON, "application/json", None),
    ("and multipart", OPTIONAL_MULTIPART, "multipart/form-data; boundary=B", None),
]  # fmt: skip


@pytest.mark.parametrize(("operation", "content_type", "expected"), [c[1:] for c in EMPTY], ids=[c[0] for c in EMPTY])
def test_an_empty_body_is_a_body(operation: Operation, content_type: str, expected: str | None) -> None:
    if not _judged(validate_body(operation, content_type, b"", sent=True), expected):
        return
    # Not sent at all, a required body is missing.
    missing = validate_body(operation, content_type, b"")
    assert missing is not None
    assert "a request body is required" in missing.message


def test_a_binary_body_is_within_the_schema_s_lengths() -> None:
    assert validate_body(SIZED, "application/octet-stream", b"1234") is None
    problem = validate_body(SIZED, "application/octet-stream", b"12345")
    assert problem is not None
    assert problem.message == "request body: 5 bytes, more than the schema's maxLength of 4"


CARRIES = [
    ("bytes", {}, b"x", True),
    ("a media type and a zero length", {"content-type": "application/octet-stream", "content-length": "0"}, b"", True),
    ("a media type, chunked, nothing", {"content-type": "text/plain", "transfer-encoding": "chunked"}, b"", True),
    ("a zero length alone (a bodiless POST)", {"content-length": "0"}, b"", False),
    ("a media type alone (no length: no body)", {"content-type": "application/json"}, b"", False),
    ("nothing", {}, b"", False),
]


@pytest.mark.parametrize(("headers", "body", "expected"), [c[1:] for c in CARRIES], ids=[c[0] for c in CARRIES])
def test_carries_body(headers: dict[str, str], body: bytes, expected: bool) -> None:
    assert carries_body(headers, body) is expected


ORDER = {
    "type": "object",
    "properties": {
        "amount": {"type": "object", "properties": {"value": {"type": "integer", "format": "int64"}}},
        "offset": {"type": "integer", "format": "int32"},
        "rate": {"type": "number", "format": "float"},
        "total": {"type": "number"},
    },
}
INT64 = "(-9223372036854775808 to 9223372036854775807)"
RANGES = [
    ("int64 at its top", b'{"amount": {"value": 9223372036854775807}}', None),
    ("int64 past its top", b'{"amount": {"value": 9223372036854775808}}',
     f"request body at /amount/value: 9223372036854775808 is outside the range of int64 {INT64}"),
    ("int64 past its bottom", b'{"amount": {"value": -9223372036854775809}}',
     f"request body at /amount/value: -9223372036854775809 is outside the range of int64 {INT64}"),
    ("int32 past its top", b'{"offset": 99999999999}',
     "request body at /offset: 99999999999 is outside the range of int32 (-2147483648 to 2147483647)"),
    ("float past its top", b'{"rate": 1e39}', "request body at /rate: 1e+39 is outside the range of float"),
    ("a number past a double's range, quoted as sent", b'{"amount": {"value": 1e400}}',
     "request body at /amount/value: 1e400 is out of the range of a number"),
    ("a negative one, where no format is", b'{"total": -2.5E+999}',
     "request body at /total: -2.5E+999 is out of the range of a number"),
    ("a long one without an exponent", b'{"total": 1' + b"0" * 400 + b'.5}',
     "request body at /total: 1000000000000"),
]  # fmt: skip


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
@pytest.mark.parametrize(("body", "message"), [c[1:] for c in RANGES], ids=[c[0] for c in RANGES])
def test_numbers_in_a_body_keep_their_format_s_range(version: str, body: bytes, message: str | None) -> None:
    op = {
        "requestBody": {"content": {"application/json": {"schema": ORDER}}},
        "responses": {"200": {"description": "ok"}},
    }
    document = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/orders": {"post": op}}}
    problem = validate_body(parse_document(document).operations[0], "application/json", body)
    if message is None:
        assert problem is None
    else:
        assert problem is not None
        assert problem.message.startswith(message), problem.message
