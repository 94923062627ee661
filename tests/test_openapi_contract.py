"""The spec quality gate for openapi.yaml: a broken spec fails `make test`, naming the place."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import schemathesis
import yaml
from schemathesis.core.result import Ok

from contract_tests.core.spec_quality import spec_problems
from tests.conftest import SPEC_PATH

OP = ["paths", "/organizations/{organizationId}/usage", "get"]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def test_openapi_yaml_passes_the_gate(document: dict[str, Any]) -> None:
    problems = spec_problems(document)
    assert not problems, "\n".join(f"openapi.yaml#{at}: {what}" for at, what in problems)


def test_schemathesis_loads_it() -> None:
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    labels = [result.ok().label for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert labels == ["GET /organizations/{organizationId}/usage"]


def _node(document: dict[str, Any], *parts: str) -> Any:
    node: Any = document
    for part in parts:
        node = node[part]
    return node


def test_contract_is_faithful_to_the_source(document: dict[str, Any]) -> None:
    op = _node(document, *OP)
    assert op["operationId"]
    assert op["summary"]
    assert op["description"]
    assert op["tags"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["organizationId"]["in"] == "path"
    assert params["organizationId"]["schema"] == {"type": "string"}
    for name in ("startDate", "endDate"):
        assert params[name]["in"] == "query"
        assert params[name]["required"] is True
        assert params[name]["schema"] == {"type": "number"}
        assert "milliseconds" in params[name]["description"]
        assert "UTC" in params[name]["description"]
    assert sorted(op["responses"]) == ["200", "401", "403", "404", "422"]
    scheme = document["components"]["securitySchemes"]["ApiKeyAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")
    assert "idt_live_" in scheme["description"]
    assert "32" in scheme["description"]
    assert op["security"] == [{"ApiKeyAuth": []}]
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"]
    assert "additionalProperties" not in error
    for status in ("401", "403", "404", "422"):
        media = op["responses"][status]["content"]["application/json"]
        assert media["schema"] == {"$ref": "#/components/schemas/Error"}
        assert list(media["examples"]) == ["default", "fromSchema"]
        assert media["examples"]["fromSchema"]["value"] == {"error": "string", "message": "string"}
    descriptions = {op["responses"][s]["description"] for s in ("401", "403")}
    assert len(descriptions) == 2, "401 and 403 must not share the source's copy-pasted description"
    servers = [s["url"] for s in document["servers"]]
    assert servers[0] == "http://127.0.0.1:4010"
    assert len(servers) == 2


EX = "/paths/~1organizations~1{organizationId}~1usage/get/responses"


def _string_for_number(d: dict[str, Any]) -> None:
    _node(d, *OP, "responses", "200", "content", "application/json", "examples", "default", "value", "data")[
        "usageEmail"
    ] = "1"


def _drop_examples(d: dict[str, Any]) -> None:
    del _node(d, *OP, "responses", "403", "content", "application/json")["examples"]


def _dangling_ref(d: dict[str, Any]) -> None:
    _node(d, *OP, "responses", "404", "content", "application/json")["schema"] = {"$ref": "#/components/schemas/Gone"}


def _not_openapi(d: dict[str, Any]) -> None:
    _node(d, *OP)["responses"] = []


BREAKAGES = [
    (
        "string where a number is due",
        _string_for_number,
        f"{EX}/200/content/application~1json/examples/default/value/data/usageEmail",
    ),
    ("response without example", _drop_examples, f"{EX}/403/content/application~1json"),
    ("dangling $ref", _dangling_ref, f"{EX}/404/content/application~1json/schema"),
    ("invalid OpenAPI", _not_openapi, "/paths/~1organizations~1{organizationId}~1usage/get/responses"),
]


@pytest.mark.parametrize(("name", "breaker", "location"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_gate_names_the_broken_place(document: dict[str, Any], name: str, breaker: Any, location: str) -> None:
    broken = copy.deepcopy(document)
    breaker(broken)
    assert location in [at for at, _ in spec_problems(broken)]


def test_a_ref_in_example_data_or_an_extension_is_no_reference(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    _node(changed, *OP, "responses", "200", "content", "application/json", "examples", "default", "value")["$ref"] = (
        "other.yaml#/x"  # data that happens to hold a key named $ref
    )
    changed["x-topics"] = [{"content": {"$ref": "./docs/guide.md"}}]  # Bump.sh's extension
    assert spec_problems(changed) == []
