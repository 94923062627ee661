"""The proxy's checks of a request and of an answer, as tables over ``check_request`` / ``check_response``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from mockserver.core.backend import Refusal
from mockserver.core.conformance import REQUEST, RESPONSE, Answer, check_request, check_response, media_type
from mockserver.core.engine import MockRequest, MockState, build_state
from usage_contract_kit.model import Operation, Spec
from usage_contract_kit.spec import load_spec

KEY = "idt_live_0123456789abcdefABCDEF0123456789"
USAGE = "/organizations/org_1/usage"
GOOD = "startDate=1735689600000&endDate=1738367999999"
OPERATION = "#/paths/~1organizations~1{organizationId}~1usage/get"
JSON = {"content-type": "application/json"}
USAGE_BODY = {"data": {"usageSms": 1, "usageWhatsapp": 2, "usageEmail": 3, "usageSage": 4}}

# A small contract of our own for what openapi.yaml does not document: response headers, a
# bodiless status, a range, a media type that is not JSON, wildcards and an open operation.
FIXTURE = """
openapi: 3.0.3
info: {title: Conformance fixture, version: "1"}
security: [{bearer: []}]
paths:
  /items/{itemId}:
    parameters:
      - {name: itemId, in: path, required: true, schema: {type: integer, minimum: 1}}
    get:
      operationId: getItem
      responses:
        "200":
          description: an item
          headers:
            X-Rate-Remaining: {required: true, schema: {type: integer}}
            X-Trace: {schema: {type: string}}
          content:
            application/json: {schema: {$ref: "#/components/schemas/Item"}}
            text/csv: {schema: {type: string}}
        "204": {description: nothing to say}
        "4XX":
          description: refusals
          content:
            application/problem+json:
              schema: {type: object, required: [title], properties: {title: {type: string}}}
    delete:
      operationId: deleteItem
      security: []
      responses:
        "202": {description: accepted, content: {"text/*": {schema: {type: string}}}}
        default: {description: anything else}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Item: {type: object, required: [id], properties: {id: {type: integer}}, additionalProperties: false}
"""


def _request(
    path: str = USAGE, query: str = GOOD, *, method: str = "GET", key: str | None = KEY, **headers: str
) -> MockRequest:
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if key is not None:
        sent["x-api-key"] = key
    return MockRequest(method, path, parse_qs(query, keep_blank_values=True), sent, {})


@pytest.fixture(scope="module")
def state(spec: Spec) -> MockState:
    return build_state(spec)


@pytest.fixture(scope="module")
def fixture_state(tmp_path_factory: pytest.TempPathFactory) -> MockState:
    path: Path = tmp_path_factory.mktemp("conformance") / "fixture.yaml"
    path.write_text(FIXTURE)
    return build_state(load_spec(path))


def _operation(state: MockState, operation_id: str) -> Operation:
    return next(op for op in state.spec.operations if op.operation_id == operation_id)


# ---- the request ------------------------------------------------------------------------------
REQUESTS = [
    ("valid", _request(), [], None),
    ("HEAD of a GET", _request(method="HEAD"), [], None),
    (
        "no key",
        _request(key=None),
        [("missing-credentials", "#/components/securitySchemes/ApiKeyAuth")],
        "unauthenticated",
    ),
    (
        "a key of another shape",
        _request(key="sk_live_whatever"),
        [("malformed-credentials", "#/components/securitySchemes/ApiKeyAuth/x-key-pattern")],
        "unauthenticated",
    ),
    ("NaN", _request(query="startDate=NaN&endDate=2"), [("invalid-parameter", f"{OPERATION}/parameters/1")], "invalid"),
    ("endDate missing", _request(query="startDate=1"), [("invalid-parameter", f"{OPERATION}/parameters/2")], "invalid"),
    (
        "end before start",
        _request(query="startDate=5&endDate=4"),
        [("cross-parameter-rule", f"{OPERATION}/x-cross-parameter-rules/0")],
        "invalid",
    ),
    (
        "no key and a bad date: both, the key's refusal first",
        _request(key=None, query="startDate=0x1F&endDate=2"),
        [
            ("missing-credentials", "#/components/securitySchemes/ApiKeyAuth"),
            ("invalid-parameter", f"{OPERATION}/parameters/1"),
        ],
        "unauthenticated",
    ),
]


@pytest.mark.parametrize(("request_", "expected", "role"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_check_request(
    state: MockState, request_: MockRequest, expected: list[tuple[str, str]], role: str | None
) -> None:
    verdict = check_request(state, request_)
    assert verdict.operation is not None
    assert verdict.operation.operation_id == "getOrganizationUsage"
    assert [(v.rule, v.pointer) for v in verdict.violations] == expected
    assert {v.side for v in verdict.violations} <= {REQUEST}
    assert (verdict.refusal.role if verdict.refusal else None) == role
    assert not verdict.preflight


def test_messages_name_the_problem_and_never_the_key(state: MockState) -> None:
    verdict = check_request(state, _request(key="idt_live_short", query="startDate=NaN&endDate=2"))
    messages = [v.message for v in verdict.violations]
    assert messages == [
        "header X-API-Key: not a key of the documented shape ^idt_live_[A-Za-z0-9]{32}$",
        "query parameter 'startDate': 'NaN' is not a number",
    ]
    rule = check_request(state, _request(query="startDate=5&endDate=4")).violations[0]
    assert rule.message == "endDate must not be earlier than startDate (startDate=5, endDate=4)"


OUTSIDE = [
    ("unknown path", _request(path="/nothing/here"), "#/paths", "no operation of the contract has the path"),
    (
        "undocumented method",
        _request(method="POST"),
        "#/paths/~1organizations~1{organizationId}~1usage",
        "POST is not an operation of /organizations/{organizationId}/usage; documented: GET, HEAD",
    ),
    (
        "OPTIONS that is not a preflight",
        _request(method="OPTIONS"),
        "#/paths/~1organizations~1{organizationId}~1usage",
        "OPTIONS is not an operation",
    ),
]


@pytest.mark.parametrize(("request_", "pointer", "message"), [r[1:] for r in OUTSIDE], ids=[r[0] for r in OUTSIDE])
def test_requests_outside_the_spec(state: MockState, request_: MockRequest, pointer: str, message: str) -> None:
    verdict = check_request(state, request_)
    assert verdict.operation is None
    assert verdict.refusal is None
    [violation] = verdict.violations
    assert (violation.side, violation.rule, violation.pointer) == (REQUEST, "undocumented-operation", pointer)
    assert message in violation.message


def test_a_preflight_for_a_path_of_the_spec(state: MockState) -> None:
    preflight = _request(method="OPTIONS", origin="http://localhost:3000", access_control_request_method="GET")
    assert check_request(state, preflight).preflight
    elsewhere = _request(path="/nothing", method="OPTIONS", access_control_request_method="GET")
    assert not check_request(state, elsewhere).preflight


def test_a_bearer_token_and_an_open_operation(fixture_state: MockState) -> None:
    bearer = MockRequest("GET", "/items/7", {}, {"authorization": "Bearer t0ken"}, {})
    assert check_request(fixture_state, bearer).violations == ()
    anonymous = MockRequest("DELETE", "/items/7", {}, {}, {})
    assert check_request(fixture_state, anonymous).violations == ()
    nobody = check_request(fixture_state, MockRequest("GET", "/items/0", {}, {}, {}))
    assert [v.rule for v in nobody.violations] == ["missing-credentials", "invalid-parameter"]
    assert nobody.violations[0].message == "credentials are required: send header Authorization"


# ---- the answer -------------------------------------------------------------------------------
def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


ANSWERS: list[tuple[str, Answer, str, list[str]]] = [
    ("valid", Answer(200, JSON, _json(USAGE_BODY)), "GET", []),
    ("charset allowed", Answer(200, {"content-type": "application/json; charset=utf-8"}, _json(USAGE_BODY)), "GET", []),
    ("a JSON type of another name", Answer(200, {"content-type": "application/vnd.usage+json"}, _json(USAGE_BODY)), "GET", []),
    ("whole numbers as floats", Answer(200, JSON, b'{"data":{"usageSms":1.0,"usageWhatsapp":2,"usageEmail":3,"usageSage":4e0}}'), "GET", []),
    ("extra properties", Answer(200, JSON, _json({**USAGE_BODY, "meta": {}})), "GET", []),
    ("documented error", Answer(404, JSON, _json({"error": "ResourceNotFound", "message": "no"})), "GET", []),
    ("HEAD without a body", Answer(200, JSON, b""), "HEAD", []),
    ("HEAD refused: only GET is documented", Answer(405, JSON, b""), "HEAD", []),
    ("GET refused with 405", Answer(405, JSON, b""), "GET", ["undocumented-status"]),
    ("undocumented status", Answer(500, {"content-type": "text/plain"}, b"Internal Server Error"), "GET", ["undocumented-status"]),
    ("counts as strings", Answer(200, JSON, _json({"data": {"usageSms": "1", "usageWhatsapp": 2, "usageEmail": 3, "usageSage": 4}})), "GET", ["body-schema"]),
    ("a channel missing", Answer(200, JSON, _json({"data": {"usageSms": 1, "usageWhatsapp": 2, "usageEmail": 3}})), "GET", ["body-schema"]),
    ("JSON as text/plain", Answer(200, {"content-type": "text/plain"}, _json(USAGE_BODY)), "GET", ["content-type"]),
    ("no content type", Answer(200, {}, _json(USAGE_BODY)), "GET", ["content-type"]),
    ("an HTML page", Answer(404, {"content-type": "text/html"}, b"<h1>Not Found</h1>"), "GET", ["content-type", "body-not-json"]),
    ("an empty body", Answer(200, JSON, b""), "GET", ["body-not-json"]),
    ("NaN is not JSON", Answer(200, JSON, b'{"data":{"usageSms":NaN,"usageWhatsapp":2,"usageEmail":3,"usageSage":4}}'), "GET", ["body-not-json"]),
    ("not UTF-8", Answer(200, JSON, b'{"data": "\xff"}'), "GET", ["body-not-json"]),
    ("nested 100,000 deep", Answer(200, JSON, b"[" * 100_000 + b"]" * 100_000), "GET", ["body-not-json"]),
    ("a body the proxy could not decode", Answer(200, {**JSON, "content-encoding": "br"}, b"", "br: unchecked"), "GET", ["body-unreadable"]),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "method", "rules"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS])
def test_check_response(state: MockState, answer: Answer, method: str, rules: list[str]) -> None:
    operation = _operation(state, "getOrganizationUsage")
    found = check_response(operation, answer, method=method)
    assert [v.rule for v in found] == rules
    assert {v.side for v in found} <= {RESPONSE}


def test_a_number_past_a_double_s_range_is_quoted_as_sent(state: MockState) -> None:
    body = b'{"data":{"usageSms":1e400,"usageWhatsapp":2,"usageEmail":3,"usageSage":4}}'
    (found,) = check_response(_operation(state, "getOrganizationUsage"), Answer(200, JSON, body))
    assert (found.rule, found.message) == ("body-schema", "at /data/usageSms: 1e400 is out of the range of a number")


def test_each_violation_points_at_its_rule(state: MockState) -> None:
    operation = _operation(state, "getOrganizationUsage")
    status = check_response(operation, Answer(418, JSON, b"{}"))[0]
    assert status.pointer == f"{OPERATION}/responses"
    assert status.message == (
        "status 418 is not documented for GET /organizations/{organizationId}/usage; documented: 200, 401, 403, 404, 422"
    )
    schema = check_response(operation, Answer(200, JSON, _json({"data": {"usageSms": "1"}})))[0]
    assert schema.pointer == f"{OPERATION}/responses/200/content/application~1json/schema"
    assert schema.message.startswith("at /data")
    kind = check_response(operation, Answer(401, {"content-type": "text/html; x=1"}, b"{}"))[0]
    assert kind.pointer == f"{OPERATION}/responses/401/content"
    assert kind.message == (
        "Content-Type 'text/html; x=1' for status 401; documented: application/json (parameters such as charset allowed)"
    )


def test_a_schema_message_quoting_a_whole_body_is_cut(state: MockState) -> None:
    operation = _operation(state, "getOrganizationUsage")
    [violation] = check_response(operation, Answer(200, JSON, _json(["x" * 100] * 1000)))
    assert violation.rule == "body-schema"
    assert len(violation.message) <= 300


REFUSALS = [
    ("no key answered 200", Refusal("unauthenticated", "credentials are required"), 200, f"{OPERATION}/responses/401"),
    ("bad date answered 204", Refusal("invalid", "startDate is not a number"), 204, f"{OPERATION}/responses"),
    ("bad date answered 200", Refusal("invalid", "startDate is not a number"), 200, f"{OPERATION}/responses/422"),
    ("no key answered 401", Refusal("unauthenticated", "credentials are required"), 401, None),
    ("bad date answered 404 (resource checked first)", Refusal("invalid", "bad date"), 404, None),
]


@pytest.mark.parametrize(("refusal", "status", "pointer"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_a_request_the_contract_refuses_must_not_succeed(
    state: MockState, refusal: Refusal, status: int, pointer: str | None
) -> None:
    operation = _operation(state, "getOrganizationUsage")
    body = _json(USAGE_BODY if status == 200 else {"error": "E", "message": "m"})
    found = check_response(operation, Answer(status, JSON, body if status != 204 else b""), refusal=refusal)
    accepted = [v for v in found if v.rule == "refusal-accepted"]
    assert [v.pointer for v in accepted] == ([pointer] if status == 200 else [])
    if status == 204:  # undocumented: that says it all
        assert [v.rule for v in found] == ["undocumented-status"]
    if accepted:
        assert f"the answer was {status}" in accepted[0].message
        assert refusal.detail in accepted[0].message


FIXTURE_ANSWERS: list[tuple[str, str, Answer, list[tuple[str, str]]]] = [
    ("all there", "getItem", Answer(200, {**JSON, "x-rate-remaining": "9"}, b'{"id": 1}'), []),
    ("CSV, not JSON", "getItem", Answer(200, {"content-type": "text/csv", "x-rate-remaining": "9"}, b"id\n1\n"), []),
    ("a required header missing", "getItem", Answer(200, JSON, b'{"id": 1}'), [("missing-header", "/responses/200/headers/X-Rate-Remaining")]),
    ("a bodiless status with a body", "getItem", Answer(204, {}, b"{}"), [("unexpected-body", "/responses/204")]),
    ("a bodiless status without", "getItem", Answer(204, {}, b""), []),
    ("a status of a documented range", "getItem", Answer(409, {"content-type": "application/problem+json"}, b'{"title": "x"}'), []),
    ("the range's schema", "getItem", Answer(429, {"content-type": "application/problem+json"}, b"{}"), [("body-schema", "/responses/4XX/content/application~1problem+json/schema")]),
    ("a wildcard type", "deleteItem", Answer(202, {"content-type": "text/plain"}, b"ok"), []),
    ("outside the wildcard", "deleteItem", Answer(202, JSON, b"{}"), [("content-type", "/responses/202/content")]),
    ("default covers any status", "deleteItem", Answer(503, {}, b""), []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("operation_id", "answer", "expected"), [a[1:] for a in FIXTURE_ANSWERS], ids=[a[0] for a in FIXTURE_ANSWERS]
)
def test_headers_ranges_and_media_types(
    fixture_state: MockState, operation_id: str, answer: Answer, expected: list[tuple[str, str]]
) -> None:
    operation = _operation(fixture_state, operation_id)
    found = check_response(operation, answer)
    assert [(v.rule, v.pointer.removeprefix("#" + operation.location)) for v in found] == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [("application/JSON; charset=utf-8", "application/json"), (None, ""), (" text/html ", "text/html")],
)
def test_media_type(header: str | None, expected: str) -> None:
    assert media_type(header) == expected


def test_gzip_is_not_this_modules_business(state: MockState) -> None:
    """The checks take the decoded body; a compressed one is simply not JSON."""
    operation = _operation(state, "getOrganizationUsage")
    compressed = Answer(200, JSON, gzip.compress(_json(USAGE_BODY)))
    assert [v.rule for v in check_response(operation, compressed)] == ["body-not-json"]
