from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.routing import Match, NoRoute, WrongMethod, compile_routes, match_route
from usage_contract_kit.spec import parse_document


def _routes(paths: dict[str, Any]) -> Any:
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    return compile_routes(parse_document(document).operations)


def _op(*params: str) -> dict[str, Any]:
    return {
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params],
        "responses": {"200": {"description": "ok"}},
    }


ROUTES = _routes(
    {
        "/orgs/{org}/usage": {"get": _op("org"), "delete": _op("org")},
        "/orgs/me/usage": {"get": _op()},
        "/files/{name}.json": {"get": _op("name")},
    }
)

CASES = [
    ("GET", "/orgs/o1/usage", ("/orgs/{org}/usage", "GET", {"org": "o1"})),
    ("DELETE", "/orgs/o1/usage", ("/orgs/{org}/usage", "DELETE", {"org": "o1"})),
    ("HEAD", "/orgs/o1/usage", ("/orgs/{org}/usage", "GET", {"org": "o1"})),
    ("GET", "/orgs/me/usage", ("/orgs/me/usage", "GET", {})),
    ("GET", "/orgs/ünï cödé/usage", ("/orgs/{org}/usage", "GET", {"org": "ünï cödé"})),
    ("GET", "/files/a.b.json", ("/files/{name}.json", "GET", {"name": "a.b"})),
]


@pytest.mark.parametrize(("method", "path", "expected"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_match(method: str, path: str, expected: tuple[str, str, dict[str, str]]) -> None:
    found = match_route(ROUTES, method, path)
    assert isinstance(found, Match)
    assert (found.operation.path, found.operation.method, found.path_params) == expected


@pytest.mark.parametrize("path", ["/", "/orgs", "/orgs/o1", "/orgs/o1/usage/", "/orgs/a/b/usage", "/orgs//usage"])
def test_unknown_paths(path: str) -> None:
    assert isinstance(match_route(ROUTES, "GET", path), NoRoute)


def test_other_method_lists_allowed_ones() -> None:
    found = match_route(ROUTES, "POST", "/orgs/o1/usage")
    assert found == WrongMethod("POST", ("DELETE", "GET", "HEAD"))


# OpenAPI forbids two templates that differ only in their parameters' names, but specs
# write them (a GET under /pets/{id}, a DELETE under /pets/{petId}): both are one path.
TWIN_ROUTES = _routes(
    {
        "/pets/{id}": {"get": _op("id")},
        "/pets/{petId}": {"delete": _op("petId"), "get": _op("petId")},
        "/pets/{petId}/toys/{toy}": {"get": _op("petId", "toy")},
        "/pets/{p}/toys/{t}": {"put": _op("p", "t")},
    }
)

TWIN_CASES = [
    ("GET", "/pets/7", ("/pets/{id}", "GET", {"id": "7"})),  # the first template written keeps the method
    ("DELETE", "/pets/7", ("/pets/{petId}", "DELETE", {"petId": "7"})),
    ("HEAD", "/pets/7", ("/pets/{id}", "GET", {"id": "7"})),
    ("GET", "/pets/7/toys/ball", ("/pets/{petId}/toys/{toy}", "GET", {"petId": "7", "toy": "ball"})),
    ("PUT", "/pets/7/toys/ball", ("/pets/{p}/toys/{t}", "PUT", {"p": "7", "t": "ball"})),
]


@pytest.mark.parametrize(("method", "path", "expected"), TWIN_CASES, ids=[f"{m} {p}" for m, p, _ in TWIN_CASES])
def test_templates_that_differ_only_in_names_are_one_path(
    method: str, path: str, expected: tuple[str, str, dict[str, str]]
) -> None:
    found = match_route(TWIN_ROUTES, method, path)
    assert isinstance(found, Match)
    assert (found.operation.path, found.operation.method, found.path_params) == expected


def test_twin_templates_allow_every_method_of_either() -> None:
    assert match_route(TWIN_ROUTES, "POST", "/pets/7") == WrongMethod("POST", ("DELETE", "GET", "HEAD"))
    assert match_route(TWIN_ROUTES, "POST", "/pets/7/toys/b") == WrongMethod("POST", ("GET", "HEAD", "PUT"))
