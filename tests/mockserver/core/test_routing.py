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
