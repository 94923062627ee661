"""Any contract, served faithfully: every operation of every document under tests/specs, in process.

For each operation: a valid request gets a documented answer whose body and headers
validate, in each documented media type (``Accept``); an ``Accept`` nothing documented
fits gets 406; a request that breaks the contract in one place (a parameter, the body, its
media type) gets the documented refusal, which validates too; nothing answers 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mockserver.app import create_app
from tests.mockserver.fidelity import Call, answer_problems, invalid_calls, valid_call
from usage_contract_kit.model import Operation, Spec
from usage_contract_kit.spec import load_spec

SPECS = sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.yaml"))
OPERATIONS = [(path, op.operation_id) for path in SPECS for op in load_spec(path).operations]
_BAD_REQUEST = (400, 422)


@pytest.fixture(scope="module")
def clients() -> dict[Path, tuple[Spec, FlaskClient]]:
    """One app per document, built once for the module (the tests only read them)."""
    return {
        path: (load_spec(path), create_app(path, {"MOCK_RELOAD_INTERVAL": 0}).test_client(use_cookies=False))
        for path in SPECS
    }


def _send(client: FlaskClient, call: Call, **headers: str) -> TestResponse:
    return client.open(call.url(), method=call.method, headers=call.all_headers(**headers), data=call.body)


def _problems(operation: Operation, response: TestResponse) -> list[str]:
    return answer_problems(
        operation, response.status_code, dict(response.headers), response.headers.get("Content-Type"), response.data
    )


def _operation(spec: Spec, operation_id: str) -> Operation:
    return next(op for op in spec.operations if op.operation_id == operation_id)


def _bad_request_status(operation: Operation) -> int:
    return next((s for s in _BAD_REQUEST if str(s) in operation.responses), 400)


@pytest.mark.parametrize(("path", "operation_id"), OPERATIONS, ids=[f"{p.stem}.{o}" for p, o in OPERATIONS])
def test_a_valid_request_gets_a_documented_answer_that_validates(
    clients: dict[Path, tuple[Spec, FlaskClient]], path: Path, operation_id: str
) -> None:
    spec, client = clients[path]
    operation = _operation(spec, operation_id)
    call = valid_call(spec, operation)
    response = _send(client, call)
    assert 200 <= response.status_code < 300, (response.status_code, response.data[:300])
    assert _problems(operation, response) == []
    documented = operation.response(response.status_code)
    assert documented is not None
    for media in documented.contents:
        wanted = media.content_type.replace("*", "png")
        negotiated = _send(client, call, Accept=f"application/x-nothing;q=0.9, {wanted}")
        assert negotiated.mimetype == wanted, (wanted, negotiated.status_code, negotiated.data[:200])
        assert _problems(operation, negotiated) == []
    refused = _send(client, call, Accept="application/x-nothing")
    assert refused.status_code == (406 if documented.contents else response.status_code)
    assert refused.status_code < 500
    # A page of another origin may read every documented header the answer carries.
    crossing = _send(client, call, Origin="http://app.test")
    names = {h.name.lower() for h in documented.documented_headers if not h.name.lower().startswith("access-control-")}
    names -= {"set-cookie", "content-type"}  # never shown to a page; read without being told
    sent = {name.lower() for name, _ in crossing.headers.items()} & names
    exposed = {n.strip().lower() for n in crossing.headers.get("Access-Control-Expose-Headers", "").split(",") if n}
    assert sent <= exposed, (sorted(sent), crossing.headers.get("Access-Control-Expose-Headers"))


def test_a_page_reads_a_documented_count(clients: dict[Path, tuple[Spec, FlaskClient]]) -> None:
    # The list of files documents X-Total-Count: what a frontend reads to page through them.
    (path,) = (p for p in SPECS if p.stem == "filestore")
    spec, client = clients[path]
    operation = next(op for op in spec.operations if op.method == "GET" and "X-Total-Count" in str(op.responses))
    response = _send(client, valid_call(spec, operation), Origin="http://app.test")
    assert response.headers["X-Total-Count"].isdigit()
    assert "X-Total-Count" in response.headers["Access-Control-Expose-Headers"].split(", ")


@pytest.mark.parametrize(("path", "operation_id"), OPERATIONS, ids=[f"{p.stem}.{o}" for p, o in OPERATIONS])
def test_dynamic_answers_validate_too(
    clients: dict[Path, tuple[Spec, FlaskClient]], path: Path, operation_id: str
) -> None:
    spec, client = clients[path]
    operation = _operation(spec, operation_id)
    call = valid_call(spec, operation)
    for seed in range(8):
        response = _send(client, call, Prefer=f"dynamic=true, seed={seed}")
        assert 200 <= response.status_code < 300
        assert _problems(operation, response) == [], seed


@pytest.mark.parametrize(("path", "operation_id"), OPERATIONS, ids=[f"{p.stem}.{o}" for p, o in OPERATIONS])
def test_a_request_that_breaks_the_contract_gets_a_documented_refusal(
    clients: dict[Path, tuple[Spec, FlaskClient]], path: Path, operation_id: str
) -> None:
    spec, client = clients[path]
    operation = _operation(spec, operation_id)
    valid = valid_call(spec, operation)
    tried = 0
    for label, call, wrong_media in invalid_calls(operation, valid):
        response = _send(client, call)
        expected = 415 if wrong_media and "415" in operation.responses else _bad_request_status(operation)
        assert response.status_code == expected, (label, response.status_code, response.data[:300])
        assert _problems(operation, response) == [], label
        tried += 1
    assert tried or not (operation.parameters or operation.request_body)


def test_every_document_is_covered() -> None:
    assert {p.stem for p in SPECS} >= {"petshop", "filestore", "graph", "forms"}
    assert len(OPERATIONS) >= 20


def _schemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in a document, at any depth (the schemas among them)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _media_examples(document: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(where, schema, example) for every example of a request or response body."""
    for path, item in document["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            bodies = [("requestBody", op.get("requestBody") or {})]
            bodies += [(f"responses/{status}", r) for status, r in (op.get("responses") or {}).items()]
            for where, body in bodies:
                for content_type, media in (body.get("content") or {}).items():
                    found = [("example", media["example"])] if "example" in media else []
                    found += [(f"examples/{n}", e["value"]) for n, e in (media.get("examples") or {}).items()]
                    for name, value in found:
                        yield f"{method} {path} {where} {content_type} {name}", media.get("schema", {}), value


def _without_discriminators(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_discriminators(v) for k, v in node.items() if k != "discriminator"}
    if isinstance(node, list):
        return [_without_discriminators(v) for v in node]
    return node


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_the_documents_are_what_linters_accept(path: Path) -> None:
    """What Spectral and OpenAPI 3.0.3 ask beyond the document's schema, so the tests mean what they say.

    Every body's example matches its schema (an XML body's example is data, which the mock
    writes as XML); ``nullable`` stands beside a ``type`` (OpenAPI 3.0.3 adds null to that
    type only); a ``required`` property is one the schema defines.
    """
    from openapi_schema_validator import OAS30Validator

    document = yaml.safe_load(path.read_text())
    # The examples are read as Spectral reads them: the document's components beside the
    # schema, where its refs (#/components/...) resolve, and the discriminators left to the
    # schemas (a branch that lists its values, enum: [binary], is told apart by them).
    components = _without_discriminators(document.get("components", {}))
    problems = [
        f"{where}: {error.message}"
        for where, schema, value in _media_examples(document)
        for error in OAS30Validator({**_without_discriminators(schema), "components": components}).iter_errors(value)
    ]
    for schema in _schemas(document):
        if schema.get("nullable") is True and "type" not in schema:
            problems.append(f"nullable without a type: {sorted(schema)}")
        properties = schema.get("properties")
        if isinstance(properties, dict) and isinstance(schema.get("required"), list):
            problems += [f"required {name!r} is not defined" for name in schema["required"] if name not in properties]
    assert problems == []
