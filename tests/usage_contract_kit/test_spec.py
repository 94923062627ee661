from __future__ import annotations

import copy
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SPEC_PATH
from usage_contract_kit.errors import SpecError
from usage_contract_kit.model import Spec
from usage_contract_kit.spec import document_problems, load_spec, parse_document, validate_document

OP = ("paths", "/organizations/{organizationId}/usage", "get")


def _document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def _at(document: dict[str, Any], *parts: str | int) -> Any:
    node: Any = document
    for part in parts:
        node = node[part]
    return node


def _break_example(d: dict[str, Any]) -> None:
    _at(d, *OP, "responses", "200", "content", "application/json", "examples", "default", "value", "data")[
        "usageSms"
    ] = "many"


def _break_error_example(d: dict[str, Any]) -> None:
    del _at(d, *OP, "responses", "404", "content", "application/json", "examples", "default", "value")["error"]


def _break_ref(d: dict[str, Any]) -> None:
    _at(d, "components", "schemas", "UsageResponse", "properties")["data"] = {"$ref": "#/components/schemas/Nope"}


def _break_parameter(d: dict[str, Any]) -> None:
    _at(d, *OP, "parameters", 1)["in"] = "body"


def _break_rule(d: dict[str, Any]) -> None:
    _at(d, *OP, "x-cross-parameter-rules", 0)["parameters"] = ["startDate", "nope"]


def _break_key_pattern(d: dict[str, Any]) -> None:
    _at(d, "components", "securitySchemes", "ApiKeyAuth")["x-key-pattern"] = "(["


def _undefined_scheme(d: dict[str, Any]) -> None:
    _at(d, *OP)["security"] = [{"ApiKeyAuth": []}, {"PartnerToken": []}]


def _undefined_root_scheme(d: dict[str, Any]) -> None:
    del _at(d, *OP)["security"]
    d["security"] = [{"Nope": []}]


def _admin_collision(d: dict[str, Any]) -> None:
    d["paths"]["/__admin/requests"] = {"get": {"responses": {"200": {"description": "ok"}}}}


EX = "/paths/~1organizations~1{organizationId}~1usage/get"
BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "example",
        _break_example,
        f"{EX}/responses/200/content/application~1json/examples/default/value/data/usageSms",
        "does not match its schema",
    ),
    (
        "error example",
        _break_error_example,
        f"{EX}/responses/404/content/application~1json/examples/default/value",
        '"error" is a required property',
    ),
    ("ref", _break_ref, "/components/schemas/UsageResponse/properties/data", "does not resolve"),
    ("parameter", _break_parameter, f"{EX}/parameters/1", "not a valid OpenAPI document"),
    ("rule", _break_rule, f"{EX}/x-cross-parameter-rules/0/parameters", "two parameters"),
    ("key pattern", _break_key_pattern, "/components/securitySchemes/ApiKeyAuth/x-key-pattern", "regular expression"),
    (
        "undefined security scheme",
        _undefined_scheme,
        f"{EX}/security/1/PartnerToken",
        "names scheme 'PartnerToken', which components/securitySchemes does not define (defined: ApiKeyAuth)",
    ),
    ("undefined root security scheme", _undefined_root_scheme, "/security/0/Nope", "names scheme 'Nope'"),
]


@pytest.mark.parametrize(("name", "breaker", "location", "problem"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_spec_names_file_and_location(
    name: str, breaker: Callable[[dict[str, Any]], None], location: str, problem: str, tmp_path: Path
) -> None:
    document = _document()
    breaker(document)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.source == str(path)
    assert info.value.location == location
    assert problem in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("openapi: [", "not valid YAML at line 2"),
        ("- a list", "must be a mapping"),
        ("openapi: '2.0'\n", "OpenAPI 3.0 or 3.1 is required, found '2.0'"),
        # YAML reads an unquoted version as a number (3.10 as 3.1): named, not a validator's type error.
        ("openapi: 3.0\n", "#/openapi: openapi: 3.0 is not a string: quote the version, as in openapi: '3.0.3'"),
        ("openapi: 3\n", "#/openapi: openapi: 3 is not a string"),
        ("openapi:\n", "#/openapi: openapi: null is not a string"),
        ("openapi: [3]\n", "#/openapi: openapi: list is not a string"),
        ("swagger: '2.0'\n", r"#/swagger: swagger: '2.0' is Swagger \(OpenAPI 2\), which is not supported: convert it"),
        ("info: {title: t}\n", "no 'openapi' field at the top"),
    ],
)
def test_unusable_files(text: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(SpecError, match=problem):
        load_spec(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the file"):
        load_spec(tmp_path / "nope.yaml")


def test_project_spec_loads(spec: Spec) -> None:
    (op,) = spec.operations
    assert (op.method, op.path, op.operation_id) == (
        "GET",
        "/organizations/{organizationId}/usage",
        "getOrganizationUsage",
    )
    assert op.documented_statuses == (200, 401, 403, 404, 422)
    assert [p.name for p in op.parameters] == ["organizationId", "startDate", "endDate"]
    assert [[s.name for s in req] for req in op.security] == [["ApiKeyAuth"]]
    media = op.responses["200"].media
    assert media is not None
    assert media.default_example is not None
    assert media.default_example.name == "default"


def test_added_operation_and_status_are_picked_up() -> None:
    document = _document()
    extra = copy.deepcopy(_at(document, *OP))
    extra["operationId"] = "deleteUsage"
    extra["responses"]["409"] = copy.deepcopy(extra["responses"]["404"])
    document["paths"]["/organizations/{organizationId}/usage"]["delete"] = extra
    spec = parse_document(document)
    assert {op.operation_id for op in spec.operations} == {"getOrganizationUsage", "deleteUsage"}
    assert 409 in next(op for op in spec.operations if op.method == "DELETE").documented_statuses


def test_unquoted_dates_in_examples_stay_strings(tmp_path: Path) -> None:
    text = SPEC_PATH.read_text().replace("usageSms: 1\n", "usageSms: 1\n                      asOf: 2020-01-01\n", 1)
    assert "asOf: 2020-01-01" in text
    path = tmp_path / "dated.yaml"
    path.write_text(text)
    (op,) = load_spec(path).operations
    media = op.responses["200"].media
    assert media is not None
    assert media.default_example is not None
    assert media.default_example.value["data"]["asOf"] == "2020-01-01"


def test_unquoted_status_codes_are_read_as_json_would_write_them(tmp_path: Path) -> None:
    # Asana's spec (and many a hand-written one) writes its response codes unquoted: YAML reads
    # them as integers, which a JSON document cannot hold; they are taken as JSON writes them.
    text = SPEC_PATH.read_text()
    unquoted = text.replace('"200":', "200:").replace('"404":', "404:")
    assert unquoted != text
    path = tmp_path / "unquoted.yaml"
    path.write_text(unquoted)
    (op,) = load_spec(path).operations
    assert {"200", "404"} <= set(op.responses)


def test_a_json_spec_is_read_as_json(tmp_path: Path) -> None:
    # Twilio's spec writes emoji as surrogate pairs of escapes, which PyYAML refuses.
    document = _document()
    example = _at(document, *OP, "responses", "200", "content", "application/json", "examples", "default", "value")
    example["note"] = "\U0001f44d"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document, indent=1))  # ensure_ascii: "\\ud83d\\udc4d"
    assert "\\ud83d\\udc4d" in path.read_text()
    (op,) = load_spec(path).operations
    media = op.responses["200"].media
    assert media is not None
    assert media.default_example is not None
    assert media.default_example.value["note"] == "\U0001f44d"


def test_a_truncated_json_spec_is_not_valid_json(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(_document(), indent=1)[:200])
    with pytest.raises(SpecError, match=r"spec\.json: not valid JSON at line \d+, column \d+: "):
        load_spec(path)


def test_a_key_written_both_quoted_and_not_is_refused_where_it_stands() -> None:
    document = _document()
    responses = _at(document, *OP, "responses")
    responses[200] = copy.deepcopy(responses["200"])
    with pytest.raises(SpecError) as info:
        parse_document(document)
    assert info.value.location == EX + "/responses/200"
    assert "written twice" in info.value.problem


def test_a_validator_message_is_one_line() -> None:
    document = _document()
    _at(document, *OP)["strayKey"] = True
    with pytest.raises(SpecError) as info:
        parse_document(document)
    assert info.value.location == EX
    assert "\n" not in str(info.value)
    assert "'strayKey' was unexpected" in info.value.problem


def test_lenient_reading_turns_faults_that_do_not_stop_serving_into_warnings() -> None:
    document = _document()
    _at(document, *OP)["strayKey"] = True
    _break_example(document)
    spec = parse_document(document, source="s.yaml", lenient=True)
    assert spec.warnings == (
        f"s.yaml#{EX}: not a valid OpenAPI document: Additional properties are not allowed ('strayKey' was unexpected)",
        f"s.yaml#{EX}/responses/200/content/application~1json/examples/default/value/data/usageSms:"
        ' example \'default\' does not match its schema: "many" is not of type "number"',
    )
    media = spec.operations[0].responses["200"].media
    assert media is not None
    assert [e.name for e in media.examples] == ["fromSchema"]  # the broken one is left out


# What cannot be served: a lenient reading refuses it as a strict one does (the parameter's
# fault with the reader's own words, the validator's being a warning).
LENIENT_BROKEN = [
    (name, breaker, location, "parameter location 'body' is not one of" if name == "parameter" else problem)
    for name, breaker, location, problem in BROKEN[2:]
]


@pytest.mark.parametrize(
    ("breaker", "location", "problem"), [b[1:] for b in LENIENT_BROKEN], ids=[b[0] for b in LENIENT_BROKEN]
)
def test_lenient_still_refuses_what_stops_serving(
    breaker: Callable[[dict[str, Any]], None], location: str, problem: str
) -> None:
    document = _document()
    breaker(document)
    with pytest.raises(SpecError) as info:
        parse_document(document, lenient=True)
    assert (info.value.location, problem in info.value.problem) == (location, True), info.value


def _petstore_like() -> dict[str, Any]:
    node = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    }
    media = {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}
    operation = {
        "requestBody": {"required": True, "content": media},
        "responses": {
            "201": {
                "description": "created",
                "headers": {
                    "Location": {"required": True, "schema": {"type": "string"}, "example": "/nodes/1"},
                    "Content-Type": {"schema": {"type": "string"}},
                },
                "content": media,
            }
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/nodes": {"post": operation}},
        "components": {"schemas": {"Node": node}},
    }


def test_request_bodies_headers_and_recursive_schemas_are_read() -> None:
    spec = parse_document(_petstore_like())
    (op,) = spec.operations
    assert set(spec.recursive) == {"#/components/schemas/Node"}
    assert op.request_body is not None
    assert op.request_body.required
    (request,) = op.request_body.contents
    assert request.validator is not None
    # A request need not carry the readOnly id; a nested node with a bad name is found.
    assert request.validator.is_valid({"name": "root", "children": [{"name": "leaf"}]})
    assert request.validator.first_error({"name": "root", "children": [{"name": 5}]}) == (
        "/children/0/name",
        '5 is not of type "string"',
    )
    response = op.responses["201"]
    assert [(h.name, h.required, [e.value for e in h.examples]) for h in response.documented_headers] == [
        ("Location", True, ["/nodes/1"])
    ]
    media = response.media
    assert media is not None
    assert media.validator is not None
    assert not media.validator.is_valid({"name": "root"})  # an answer carries its id


def test_a_ref_in_an_example_is_the_example_not_the_schema_it_names() -> None:
    pet = {"type": "object", "properties": {"name": {"type": "string"}}}
    example = {"$ref": "#/components/schemas/Pet"}  # a JSON Schema registry's answer: a schema, as data
    media = {"schema": {"type": "object"}, "examples": {"pet": {"value": example}}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/s": {"get": {"responses": {"200": {"description": "d", "content": {"application/json": media}}}}}},
        "components": {"schemas": {"Pet": pet}},
    }
    (op,) = parse_document(document).operations
    served = op.responses["200"].media
    assert served is not None
    assert served.default_example is not None
    assert served.default_example.value == example


def test_percent_encoded_refs_resolve_and_recursive_ones_are_followed() -> None:
    node = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "kids": {"items": {"$ref": "#/components/schemas/Tree%20Node"}}},
    }
    get = {
        "parameters": [{"$ref": "#/paths/~1items~1%7Bid%7D/get/parameters/0"}],
        "responses": {
            "200": {
                "description": "d",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tree%20Node"}}},
            }
        },
    }
    own = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items/{id}": {"get": {**own, "responses": get["responses"]}}, "/other/{id}": {"get": get}},
        "components": {"schemas": {"Tree Node": node}},
    }
    spec = parse_document(document)
    other = next(op for op in spec.operations if op.path == "/other/{id}")
    assert [p.name for p in other.parameters] == ["id"]
    media = other.responses["200"].media
    assert media is not None
    assert media.validator is not None
    assert media.validator.first_error({"kids": [{"kids": [{"name": 5}]}]}) == (
        "/kids/0/kids/0/name",
        '5 is not of type "string"',
    )


def _versioned(version: str) -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {}}


@pytest.mark.parametrize("version", ["3.0.0", "3.0.4", "3.1.0", "3.1.1"])
def test_openapi_3_0_and_3_1_are_read(version: str) -> None:
    assert parse_document(_versioned(version)).warnings == ()


@pytest.mark.parametrize("version", ["3.2.0", "3.9", "3.10.0"])
def test_another_3_x_is_refused_or_read_as_3_1_with_a_warning(version: str) -> None:
    problem = f"s.yaml#/openapi: OpenAPI {version} is not supported: this kit reads OpenAPI 3.0 and 3.1"
    with pytest.raises(SpecError) as info:
        parse_document(_versioned(version), source="s.yaml")
    assert str(info.value).startswith(problem)
    (warning, *_) = parse_document(_versioned(version), source="s.yaml", lenient=True).warnings
    assert warning.startswith(problem)


def _payments(version: str) -> dict[str, Any]:
    """A payment whose card's security code is required and writeOnly, its id required and readOnly."""
    payment = {
        "type": "object",
        "required": ["id", "card"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "card": {
                "type": "object",
                "required": ["number", "cvc"],
                "properties": {"number": {"type": "string"}, "cvc": {"type": "string", "writeOnly": True}},
            },
            "refunds": {"type": "array", "items": {"$ref": "#/components/schemas/Payment"}},
        },
    }
    media = {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}
    operation = {
        "requestBody": {"required": True, "content": media},
        "responses": {"201": {"description": "created", "content": media}},
    }
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/payments": {"post": operation}},
        "components": {"schemas": {"Payment": payment}},
    }


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_write_only_is_not_required_in_answers_nor_read_only_in_requests(version: str) -> None:
    (op,) = parse_document(_payments(version)).operations
    assert op.request_body is not None
    request = op.request_body.contents[0].validator
    answer = op.responses["201"].contents[0].validator
    assert request is not None
    assert answer is not None
    sent = {"card": {"number": "4242", "cvc": "123"}}
    made = {"id": "p1", "card": {"number": "4242"}}
    # Each side as the other would send it, nested refs (a recursive schema's kept ones) included.
    assert request.first_error({**sent, "refunds": [sent]}) is None
    assert answer.first_error({**made, "refunds": [made]}) is None
    assert request.first_error({"card": {"number": "4242"}}) == ("/card", '"cvc" is a required property')
    assert answer.first_error({"card": {"number": "4242"}}) == ("", '"id" is a required property')


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_fault_inside_a_schema_is_named_at_its_place_in_the_document(version: str) -> None:
    # openapi-spec-validator checks a 3.1 schema on its own, and said "#/required".
    schema = {"type": "object", "required": ["name", "name"], "properties": {"name": {"type": "string"}}}
    content = {"application/json": {"schema": schema}}
    document = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/people": {"get": {"responses": {"200": {"description": "ok", "content": content}}}}},
    }
    with pytest.raises(SpecError) as info:
        validate_document(document, "s.yaml")
    assert info.value.location.startswith("/paths/~1people/get/responses/200")
    problems = document_problems(document)
    assert problems
    assert all(location.startswith("/paths/~1people/get/responses/200") for location, _ in problems)


def test_the_validator_fetches_no_url_a_document_names() -> None:
    # openapi-spec-validator followed a $ref to a URL with an HTTP request: none may leave.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/x.yaml#/A"
        schema = {"$ref": url}
        response = {"description": "ok", "content": {"application/json": {"schema": schema}}}
        document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}}
        document["paths"] = {"/a": {"get": {"responses": {"200": response}}}}
        with pytest.raises(SpecError, match="not a valid OpenAPI document"):
            validate_document(document, "spec.yaml")
        with pytest.raises(TimeoutError):
            listener.accept()
