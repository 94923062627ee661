"""The mock's refusals keep the user's contract: documented status, documented body, message where it fits."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mockserver.core.answers import build_catalog
from mockserver.core.refusals import REFUSAL_HEADER, error_fields, plan_refusals, render_refusal
from usage_contract_kit.model import Spec
from usage_contract_kit.spec import parse_document

ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
}
PROBLEM = {
    "type": "object",
    "required": ["title"],
    "properties": {"title": {"type": "string"}, "detail": {"type": "string"}, "status": {"type": "integer"}},
}
NESTED = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}},
}
MARKED = {
    "type": "object",
    "x-error-detail-property": "explanation",
    "required": ["reason", "explanation"],
    "properties": {
        "reason": {"type": "string", "enum": ["bad"]},
        "explanation": {"type": "string"},
        "message": {"type": "string"},
    },
}
CODES = ["bad_request", "unauthorized", "not_found", "too_large", "unsupported", "internal"]
CODED = {  # a code from an enum beside the message, one level down (an error envelope)
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string", "enum": CODES}, "message": {"type": "string"}},
        }
    },
}
GRPC = {  # a top-level code in gRPC's spelling, and a kind that names no status
    "type": "object",
    "required": ["status", "kind", "message"],
    "properties": {
        "status": {"type": "string", "enum": ["INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND"]},
        "kind": {"type": "string", "enum": ["user", "system"]},
        "message": {"type": "string"},
    },
}
PINNED = {  # the enum's value for the status breaks another rule: the example's code stays
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "enum": CODES, "not": {"enum": ["unauthorized"]}},
        "message": {"type": "string"},
    },
}
SHORT = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string", "maxLength": 10}}}


def _json(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"description": "d", "content": {"application/json": media}}


def _spec(responses: dict[str, Any]) -> Spec:
    op = {"responses": {"200": {"description": "ok"}, **responses}}
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": op}}}
    return parse_document(document)


CASES = [
    ("400 before 422", {"400": _json(ERROR), "422": _json(PROBLEM)}, "invalid", 400, {"code": 400, "message": "M"}),
    (
        "422 when it is the one documented",
        {"422": _json(ERROR, {"code": 1, "message": "x"})},
        "invalid",
        422,
        {"code": 422, "message": "M"},
    ),
    ("default stands for the status", {"default": _json(ERROR)}, "invalid", 400, {"code": 400, "message": "M"}),
    (
        "a 4XX range stands for it too",
        {"4XX": _json(PROBLEM)},
        "unauthenticated",
        401,
        {"title": "string", "detail": "M", "status": 401},
    ),
    ("a problem's detail", {"400": _json(PROBLEM, {"title": "Bad"})}, "invalid", 400, {"title": "Bad", "detail": "M"}),
    ("one level down", {"422": _json(NESTED)}, "invalid", 422, {"error": {"message": "M"}}),
    (
        "the marked property wins",
        {"422": _json(MARKED)},
        "invalid",
        422,
        {"reason": "bad", "explanation": "M", "message": "string"},
    ),
    (
        "415 documented",
        {"415": _json(ERROR), "400": _json(PROBLEM)},
        "unsupported_media_type",
        415,
        {"code": 415, "message": "M"},
    ),
    (
        "415 not documented: the bad-request status",
        {"400": _json(PROBLEM)},
        "unsupported_media_type",
        400,
        {"title": "string", "detail": "M", "status": 400},
    ),
    ("413 not documented either", {"422": _json(ERROR)}, "too_large", 422, {"code": 422, "message": "M"}),
    ("nothing documented: the built-in shape", {}, "invalid", 400, {"error": "BadRequest", "message": "M"}),
    (
        "a code from the enum names the status",
        {"default": _json(CODED)},
        "unauthenticated",
        401,
        {"error": {"code": "unauthorized", "message": "M"}},
    ),
    (
        "the example's code, where it names the status",
        {"default": _json(CODED, {"error": {"code": "bad_request", "message": "x"}})},
        "invalid",
        400,
        {"error": {"code": "bad_request", "message": "M"}},
    ),
    (
        "the example's code, replaced where it names another",
        {"default": _json(CODED, {"error": {"code": "bad_request", "message": "x"}})},
        "not_found",
        404,
        {"error": {"code": "not_found", "message": "M"}},
    ),
    (
        "a code in gRPC's spelling",
        {"4XX": _json(GRPC, {"status": "NOT_FOUND", "kind": "user", "message": "x"})},
        "forbidden",
        403,
        {"status": "PERMISSION_DENIED", "kind": "user", "message": "M"},
    ),
    (
        "an enum with no value for the status is left alone",
        {"default": _json(CODED, {"error": {"code": "internal", "message": "x"}})},
        "method_not_allowed",
        405,
        {"error": {"code": "internal", "message": "M"}},
    ),
    (
        "a code the schema would refuse is not set",
        {"default": _json(PINNED, {"code": "bad_request", "message": "x"})},
        "unauthenticated",
        401,
        {"code": "bad_request", "message": "M"},
    ),
]


@pytest.mark.parametrize(("responses", "role", "status", "body"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_render_refusal(responses: dict[str, Any], role: str, status: int, body: dict[str, Any]) -> None:
    spec = _spec(responses)
    plans = plan_refusals(spec, build_catalog(spec), error_fields(spec))
    served = render_refusal(plans[(spec.operations[0].location, role)], error_fields(spec), "M")
    assert (served.status, served.body) == (status, body)
    documented = spec.operations[0].response(status)
    if documented is not None and documented.media is not None and documented.media.validator is not None:
        assert documented.media.validator.first_error(served.body) is None


def test_a_text_error_carries_the_message_as_text() -> None:
    text = {"description": "d", "content": {"text/plain": {"schema": {"type": "string"}, "example": "Bad."}}}
    spec = _spec({"400": text})
    plans = plan_refusals(spec, build_catalog(spec), error_fields(spec))
    served = render_refusal(plans[(spec.operations[0].location, "invalid")], error_fields(spec), "what went wrong")
    assert (served.status, served.body, served.payload()) == (400, "what went wrong", b"what went wrong")
    assert served.content_type == "text/plain; charset=utf-8"


def test_an_unknown_path_borrows_the_api_s_404() -> None:
    spec = _spec({"404": _json(ERROR, {"code": 404, "message": "Not here."})})
    plans = plan_refusals(spec, build_catalog(spec), error_fields(spec))
    served = render_refusal(plans[(None, "not_found")], error_fields(spec), "no operation at path '/y'")
    assert served.body == {"code": 404, "message": "no operation at path '/y'"}


def test_a_message_the_schema_does_not_allow_is_left_out() -> None:
    spec = _spec({"400": _json(SHORT, {"message": "Bad input"})})
    plans = plan_refusals(spec, build_catalog(spec), error_fields(spec))
    plan = plans[(spec.operations[0].location, "invalid")]
    assert render_refusal(plan, error_fields(spec), "short").body == {"message": "short"}
    assert render_refusal(plan, error_fields(spec), "a message longer than ten").body == {"message": "Bad input"}


@pytest.mark.parametrize(
    ("response", "detail", "body", "header"),
    [
        # A message that fits the body is there only.
        (_json(SHORT, {"message": "Bad input"}), "short", {"message": "short"}, None),
        # One the schema does not allow, or a body with no place for one, or no body: the header says it.
        (_json(SHORT, {"message": "Bad input"}), "longer than ten", {"message": "Bad input"}, "longer than ten"),
        (
            _json({"type": "object", "properties": {"code": {"type": "integer"}}}, {"code": 7}),
            "why",
            {"code": 7},
            "why",
        ),
        ({"description": "bad"}, "why", None, "why"),
        # Printable ASCII only: anything else escaped, so the header stays one valid line.
        ({"description": "bad"}, "caf\u00e9\r\nX-Evil: 1\x00", None, "caf\\xe9\\r\\nX-Evil: 1\\x00"),
        ({"description": "bad"}, "x" * 2000, None, "x" * 997 + "..."),
    ],
    ids=["fits", "too long for the schema", "no place", "no body", "escaped", "cut"],
)
def test_a_message_with_no_place_in_the_body_travels_in_a_header(
    response: dict[str, Any], detail: str, body: Any, header: str | None
) -> None:
    spec = _spec({"400": response})
    plans = plan_refusals(spec, build_catalog(spec), error_fields(spec))
    served = render_refusal(plans[(spec.operations[0].location, "invalid")], error_fields(spec), detail)
    assert (served.status, served.body) == (400, body)
    assert served.headers.get(REFUSAL_HEADER) == header


def test_plans_for_many_operations_take_time_in_proportion_to_them() -> None:
    # Only the last operation documents a 401: every other one borrows it. Searched once per
    # operation, 2,000 operations took about 18 s; searched once, a fraction of a second.
    paths: dict[str, Any] = {f"/p{i}": {"get": {"responses": {"200": {"description": "ok"}}}} for i in range(2000)}
    paths["/p1999"]["get"]["responses"]["401"] = _json(ERROR, {"code": 401, "message": "No key."})
    spec = parse_document({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths})
    catalog, fields = build_catalog(spec), error_fields(spec)
    started = time.monotonic()
    plans = plan_refusals(spec, catalog, fields)
    assert time.monotonic() - started < 5
    served = render_refusal(plans[(spec.operations[0].location, "unauthenticated")], fields, "M")
    assert (served.status, served.body) == (401, {"code": 401, "message": "M"})
