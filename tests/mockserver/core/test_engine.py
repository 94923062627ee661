"""The pipeline's decisions, straight through ``engine.handle`` (no server, no Flask)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from mockserver.core.backend import Refusal
from mockserver.core.engine import MockRequest, MockState, build_state, handle
from mockserver.core.security import Credential
from usage_contract_kit.model import Operation, Spec
from usage_contract_kit.spec import load_spec

KEY = "idt_live_0123456789abcdefABCDEF0123456789"
USAGE = "/organizations/org_1/usage"
GOOD = "startDate=1735689600000&endDate=1738367999999"


def _request(
    path: str = USAGE, query: str = GOOD, *, method: str = "GET", key: str | None = KEY, **headers: str
) -> MockRequest:
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if key is not None:
        sent["x-api-key"] = key
    return MockRequest(method, path, parse_qs(query, keep_blank_values=True), sent, {})


@dataclass(frozen=True)
class _Backend:
    """A stand-in data source: refuses one key, knows org_1 (readable) and org_3 (not)."""

    def authenticate(self, operation: Operation, credentials: tuple[Credential, ...]) -> Refusal | None:
        if any(c.value.endswith("0000") for c in credentials):
            return Refusal("unauthenticated", "unknown API key")
        return None

    def resolve(
        self, operation: Operation, values: Mapping[str, Any], credentials: tuple[Credential, ...], example: Any
    ) -> Refusal | Any | None:
        org = values["organizationId"]
        if org == "org_3":
            return Refusal("forbidden", "this key may not read org_3")
        if org != "org_1":
            return Refusal("not_found", f"organization {org!r} does not exist")
        return {"data": {name: 7 for name in example["data"]}}


@pytest.fixture(scope="module")
def example_state(spec: Spec) -> MockState:
    return build_state(spec)


@pytest.fixture(scope="module")
def data_state(spec: Spec) -> MockState:
    return build_state(spec, _Backend())


EXAMPLE_MODE = [
    ("valid request: the default example", _request(), 200, {"data": {"usageSms": 1}}),
    ("a named example", _request(prefer="example=fromSchema"), 200, {"data": {"usageSms": 0}}),
    ("unknown path", _request("/nothing/here"), 404, {"error": "ResourceNotFound"}),
    ("path one level too deep", _request(USAGE + "/more"), 404, {"error": "ResourceNotFound"}),
    ("other method", _request(method="POST"), 405, {}),
    ("no key", _request(key=None), 401, {"error": "Unauthenticated"}),
    ("empty key", _request(key=""), 401, {"error": "Unauthenticated"}),
    ("a value that is not a key", _request(key="not-a-key"), 401, {"error": "Unauthenticated"}),
    ("authentication comes before validation", _request(query="startDate=NaN", key=None), 401, {}),
    ("a date that is not a number", _request(query="startDate=NaN&endDate=2"), 422, {"error": "ValidationError"}),
    ("a missing date", _request(query="startDate=1"), 422, {"error": "ValidationError"}),
    ("end before start", _request(query="startDate=5&endDate=2"), 422, {"error": "ValidationError"}),
    ("a forced status needs no key", _request(key=None, prefer="code=404"), 404, {"error": "ResourceNotFound"}),
    ("a forced status by query", _request(query=GOOD + "&__code=403", key=None), 403, {"error": "Forbidden"}),
    ("an undocumented status", _request(prefer="code=418"), 422, {"error": "ValidationError"}),
    # As the README says, unlike Prism: a chosen status comes before the checks, a chosen example after them.
    ("a forced status skips validation", _request(query="startDate=x", prefer="code=200"), 200, {"data": {}}),
    ("a chosen example does not", _request(key=None, prefer="example=fromSchema"), 401, {"error": "Unauthenticated"}),
    ("an unknown example", _request(prefer="example=nope"), 422, {"error": "ValidationError"}),
    ("a bad preference value", _request(prefer="delay=soon"), 422, {"error": "ValidationError"}),
    ("unknown preferences are ignored", _request(prefer="respond-async, wait=5"), 200, {"data": {"usageSms": 1}}),
]


@pytest.mark.parametrize(
    ("request_", "status", "body"), [c[1:] for c in EXAMPLE_MODE], ids=[c[0] for c in EXAMPLE_MODE]
)
def test_example_mode(example_state: MockState, request_: MockRequest, status: int, body: dict[str, Any]) -> None:
    served = handle(example_state, request_).served
    assert served.status == status
    assert _contains(served.body, body), served.body


DATA_MODE = [
    ("a readable organization: the backend's figures", _request(), 200, {"data": {"usageSms": 7}}),
    ("an unknown key", _request(key="idt_live_" + "0" * 32), 401, {"error": "Unauthenticated"}),
    ("another tenant's organization", _request("/organizations/org_3/usage"), 403, {"error": "Forbidden"}),
    ("an unknown organization", _request("/organizations/org_9/usage"), 404, {"error": "ResourceNotFound"}),
    ("validation before the organization lookup", _request("/organizations/org_9/usage", "startDate=x"), 422, {}),
    ("a named example still wins", _request(prefer="example=fromSchema"), 200, {"data": {"usageSms": 0}}),
    ("a forced status skips the lookup", _request("/organizations/org_9/usage", prefer="code=200"), 200, {"data": {}}),
]


@pytest.mark.parametrize(("request_", "status", "body"), [c[1:] for c in DATA_MODE], ids=[c[0] for c in DATA_MODE])
def test_data_mode(data_state: MockState, request_: MockRequest, status: int, body: dict[str, Any]) -> None:
    served = handle(data_state, request_).served
    assert served.status == status
    assert _contains(served.body, body), served.body


def test_a_refusal_names_what_was_wrong(example_state: MockState) -> None:
    served = handle(example_state, _request(query="startDate=NaN&endDate=2")).served
    assert "startDate" in served.body["message"]
    assert "NaN" in served.body["message"]


def test_other_method_lists_what_is_allowed(example_state: MockState) -> None:
    served = handle(example_state, _request(method="DELETE")).served
    # OPTIONS too: the path answers it (the preflight), and the 204 to it lists the same methods.
    assert served.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert served.body["message"].endswith("allowed: GET, HEAD, OPTIONS")


def test_options_answers_the_allowed_methods(example_state: MockState) -> None:
    outcome = handle(example_state, _request(method="OPTIONS", key=None))
    assert (outcome.served.status, outcome.served.headers["Allow"]) == (204, "GET, HEAD, OPTIONS")


def test_a_preflight_to_an_unknown_path_is_answered_and_the_request_gets_the_404(example_state: MockState) -> None:
    preflight = handle(example_state, _request("/nothing", method="OPTIONS", access_control_request_method="GET"))
    assert (preflight.served.status, preflight.served.headers, preflight.operation) == (204, {}, None)
    assert handle(example_state, _request("/nothing", method="OPTIONS")).served.status == 404  # not a preflight
    assert handle(example_state, _request("/nothing")).served.status == 404


def test_head_is_served_like_get(example_state: MockState) -> None:
    assert handle(example_state, _request(method="HEAD")).served.status == 200


def test_a_delay_travels_with_the_answer_and_the_refusal(example_state: MockState) -> None:
    assert handle(example_state, _request(prefer="delay=250")).served.delay_ms == 250
    assert handle(example_state, _request(key=None, prefer="delay=250")).served.delay_ms == 250


def test_the_outcome_names_its_operation(example_state: MockState) -> None:
    assert handle(example_state, _request()).operation is not None
    assert handle(example_state, _request("/nothing")).operation is None


def _contains(body: Any, expected: Mapping[str, Any]) -> bool:
    """Whether every key of ``expected`` (nested) has that value in ``body``."""
    for key, value in expected.items():
        if not isinstance(body, dict) or key not in body:
            return False
        if isinstance(value, dict):
            if not _contains(body[key], value):
                return False
        elif body[key] != value:
            return False
    return True


PETSHOP = Path(__file__).resolve().parents[2] / "specs" / "petshop.yaml"


@pytest.fixture(scope="module")
def petshop() -> MockState:
    return build_state(load_spec(PETSHOP))


def _pets(
    method: str = "GET", path: str = "/pets", query: str = "", body: bytes = b"", key: str | None = "k", **headers: str
) -> MockRequest:
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if key is not None:
        sent["api_key"] = key  # as the WSGI shell names it for this spec
    return MockRequest(method, path, parse_qs(query, keep_blank_values=True), sent, {}, body)


ANY_SPEC = [
    ("the lowest 2xx, JSON first", _pets(), 200, "application/json"),
    ("Accept picks XML", _pets(accept="application/xml"), 200, "application/xml; charset=utf-8"),
    ("nothing acceptable", _pets(accept="text/csv"), 406, "application/json"),
    ("validation comes before negotiation", _pets(query="limit=0", accept="text/csv"), 400, "application/problem+json"),
    (
        "credentials before the body",
        _pets("POST", body=b"{", content_type="application/json", key=None),
        401,
        "application/json",
    ),
    (
        "the body is validated",
        _pets("POST", body=b"{", content_type="application/json"),
        400,
        "application/problem+json",
    ),
    (
        "a valid body: 201",
        _pets("POST", body=b'{"name":"a","photoUrls":["https://x.example/a"]}', content_type="application/json"),
        201,
        "application/json",
    ),
    ("204 has no body", _pets("DELETE", "/pets/1", if_match="abc"), 204, ""),
]


@pytest.mark.parametrize(
    ("request_", "status", "content_type"), [c[1:] for c in ANY_SPEC], ids=[c[0] for c in ANY_SPEC]
)
def test_any_spec(petshop: MockState, request_: MockRequest, status: int, content_type: str) -> None:
    served = handle(petshop, request_).served
    assert (served.status, served.content_type) == (status, content_type)


def test_documented_response_headers_travel_with_the_answer(petshop: MockState) -> None:
    served = handle(
        petshop,
        _pets("POST", body=b'{"name":"a","photoUrls":["https://x.example/a"]}', content_type="application/json"),
    ).served
    assert served.headers == {"Location": "/pets/10"}


def test_header_names_the_spec_spells_with_an_underscore(petshop: MockState) -> None:
    assert petshop.header_keys == {"HTTP_API_KEY": "api_key"}


# A spec that documents OPTIONS itself, as Box's does (OPTIONS /files/content answers
# whether an upload would be accepted): a plain OPTIONS is that operation, a preflight is not.
_WITH_OPTIONS = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/files/content": {
            "post": {"responses": {"201": {"description": "made"}}},
            "options": {
                "responses": {
                    "200": {
                        "description": "the upload would be accepted",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object"},
                                "example": {"upload_url": "https://upload.example/x"},
                            }
                        },
                    }
                }
            },
        }
    },
}


@pytest.fixture(scope="module")
def with_options() -> MockState:
    from usage_contract_kit.spec import parse_document

    return build_state(parse_document(_WITH_OPTIONS))


def test_a_documented_options_operation_is_served(with_options: MockState) -> None:
    request = MockRequest("OPTIONS", "/files/content", {}, {}, {})
    outcome = handle(with_options, request)
    assert (outcome.served.status, outcome.served.body) == (200, {"upload_url": "https://upload.example/x"})
    assert outcome.operation is not None
    assert outcome.operation.method == "OPTIONS"


def test_a_preflight_is_not_the_documented_options_operation(with_options: MockState) -> None:
    request = MockRequest("OPTIONS", "/files/content", {}, {"access-control-request-method": "POST"}, {})
    outcome = handle(with_options, request)
    assert outcome.served.status == 204
    assert outcome.served.headers["Allow"] == "OPTIONS, POST"


def test_allow_names_a_documented_options_once(with_options: MockState) -> None:
    served = handle(with_options, MockRequest("GET", "/files/content", {}, {}, {})).served
    assert served.status == 405
    assert served.headers["Allow"] == "OPTIONS, POST"


# A 401 challenges the client (RFC 9110 section 15.5.2): WWW-Authenticate with each HTTP or
# OAuth scheme the operation accepts, unless the response documents its own; a key has none.
def _secured(security: list[dict[str, list[str]]], **documented: Any) -> dict[str, Any]:
    unauthorized: dict[str, Any] = {"description": "who are you", **documented}
    return {"security": security, "responses": {"200": {"description": "ok"}, "401": unauthorized}}


_CHALLENGED = {
    "openapi": "3.0.3",
    "info": {"title": "Vault", "version": "1"},
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
        }
    },
    "paths": {
        "/bearer": {"get": _secured([{"bearer": []}])},
        "/either": {"get": _secured([{"key": []}, {"basic": []}])},
        "/key": {"get": _secured([{"key": []}])},
        "/documented": {
            "get": _secured(
                [{"basic": []}],
                headers={"WWW-Authenticate": {"schema": {"type": "string"}, "example": 'Basic realm="docs"'}},
            )
        },
        "/undocumented": {"get": {"security": [{"bearer": []}], "responses": {"200": {"description": "ok"}}}},
    },
}
CHALLENGES = [
    ("no token", "/bearer", {}, 401, 'Bearer realm="Vault"'),
    ("a token of another scheme", "/bearer", {"authorization": "Basic dTpw"}, 401, 'Bearer realm="Vault"'),
    ("a 401 asked for", "/bearer", {"authorization": "Bearer t", "prefer": "code=401"}, 401, 'Bearer realm="Vault"'),
    ("a 401 asked for without a token", "/bearer", {"prefer": "code=401"}, 401, 'Bearer realm="Vault"'),
    ("a key or basic: basic's challenge", "/either", {}, 401, 'Basic realm="Vault"'),
    ("the documented challenge wins", "/documented", {}, 401, 'Basic realm="docs"'),
    ("and when asked for", "/documented", {"prefer": "code=401"}, 401, 'Basic realm="docs"'),
    ("a 401 the operation does not document", "/undocumented", {}, 401, 'Bearer realm="Vault"'),
    ("a key has no standard challenge", "/key", {}, 401, None),
    ("a valid token is served", "/bearer", {"authorization": "Bearer t"}, 200, None),
    ("another status asked for", "/bearer", {"prefer": "code=200"}, 200, None),
]


@pytest.fixture(scope="module")
def challenged() -> MockState:
    from usage_contract_kit.spec import parse_document

    return build_state(parse_document(_CHALLENGED))


@pytest.mark.parametrize(
    ("path", "headers", "status", "expected"), [c[1:] for c in CHALLENGES], ids=[c[0] for c in CHALLENGES]
)
def test_a_401_challenges_for_its_http_schemes(
    challenged: MockState, path: str, headers: dict[str, str], status: int, expected: str | None
) -> None:
    served = handle(challenged, MockRequest("GET", path, {}, headers, {})).served
    assert served.status == status
    assert {k: v for k, v in served.headers.items() if k.lower() == "www-authenticate"} == (
        {} if expected is None else {"WWW-Authenticate": expected}
    )


_UNUSUAL_RESPONSES = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/none": {"get": {"summary": "responses is optional from OpenAPI 3.1"}},
        "/client": {"get": {"responses": {"4XX": {"description": "a client error"}}}},
        "/server-or-client": {"get": {"responses": {"5XX": {"description": "s"}, "4XX": {"description": "c"}}}},
        "/redirect": {"get": {"responses": {"3XX": {"description": "elsewhere"}}}},
        "/default": {"get": {"responses": {"4XX": {"description": "c"}, "default": {"description": "any"}}}},
        "/informational": {"get": {"responses": {"1XX": {"description": "no final answer"}}}},
        "/range-with-body": {
            "get": {
                "responses": {
                    "4XX": {
                        "description": "c",
                        "content": {"application/json": {"schema": {"type": "object"}, "example": {"why": "x"}}},
                    }
                }
            }
        },
    },
}

UNUSUAL_RESPONSES = [
    ("no responses: an empty 204", "/none", 204, None),
    ("only 4XX: 400", "/client", 400, None),
    ("the lowest range: 4XX before 5XX", "/server-or-client", 400, None),
    ("only 3XX: 300", "/redirect", 300, None),
    ("default stands for 200", "/default", 200, None),
    ("only 1XX, no final answer: an empty 204", "/informational", 204, None),
    ("a range's example is served", "/range-with-body", 400, {"why": "x"}),
]


@pytest.mark.parametrize(
    ("path", "status", "body"), [c[1:] for c in UNUSUAL_RESPONSES], ids=[c[0] for c in UNUSUAL_RESPONSES]
)
def test_operations_without_a_documented_status_answer(path: str, status: int, body: Any) -> None:
    from mockserver.core.engine import handle_plain
    from usage_contract_kit.spec import parse_document

    state = build_state(parse_document(_UNUSUAL_RESPONSES))
    plain = handle_plain(state, "GET", path, "", {})
    assert plain is not None
    for served in (plain[0], handle(state, MockRequest("GET", path, {}, {}, {})).served):
        assert (served.status, served.body) == (status, body)
    asked = handle(state, MockRequest("GET", path, {}, {"accept": "*/*"}, {})).served  # past the ready default
    assert (asked.status, asked.body) == (status, body)


def test_a_status_asked_of_an_operation_without_responses_names_none() -> None:
    from usage_contract_kit.spec import parse_document

    state = build_state(parse_document(_UNUSUAL_RESPONSES))
    served = handle(state, MockRequest("GET", "/none", {"__code": ["200"]}, {}, {})).served
    assert served.status == 400
    assert served.body["message"] == "status 200 is not documented for GET /none; documented: none"


def test_an_external_example_is_named_as_such_not_as_undocumented() -> None:
    from usage_contract_kit.spec import parse_document

    examples = {"remote": {"externalValue": "https://example.com/doc.json"}, "local": {"value": {"a": 1}}}
    media = {"schema": {"type": "object"}, "examples": examples}
    response = {"description": "d", "content": {"application/json": media}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/doc": {"get": {"responses": {"200": response}}}},
    }
    state = build_state(parse_document(document))
    served = handle(state, MockRequest("GET", "/doc", {}, {"prefer": "example=remote"}, {})).served
    assert served.status == 400
    assert served.body["message"] == (
        "example 'remote' of status 200 (application/json) is external (https://example.com/doc.json), and the mock"
        " does not fetch external examples; served instead: local"
    )


# A 405 borrowed from another operation's documented 405 that has no body (as the swagger
# petstore documents one): the reason travels in the header, beside Allow.
_BODILESS_405 = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/pet": {
            "post": {
                "responses": {
                    "200": {"description": "ok"},
                    "405": {"description": "Invalid input"},
                }
            }
        }
    },
}


def test_a_405_without_a_body_carries_its_reason_in_the_header() -> None:
    from mockserver.core.refusals import REFUSAL_HEADER
    from usage_contract_kit.spec import parse_document

    served = handle(build_state(parse_document(_BODILESS_405)), MockRequest("PATCH", "/pet", {}, {}, {})).served
    assert (served.status, served.body) == (405, None)
    assert served.headers["Allow"] == "POST, OPTIONS"
    assert served.headers[REFUSAL_HEADER] == "method PATCH is not allowed here; allowed: POST, OPTIONS"
