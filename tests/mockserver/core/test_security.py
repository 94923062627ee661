from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.security import challenge, find_credentials, redact
from usage_contract_kit.model import Operation
from usage_contract_kit.spec import parse_document

SCHEMES = {
    "key": {"type": "apiKey", "in": "header", "name": "X-API-Key", "x-key-pattern": "^k_[a-z]{4}$"},
    "query": {"type": "apiKey", "in": "query", "name": "api_key"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "basic": {"type": "http", "scheme": "Basic"},
    "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://a.test/t", "scopes": {}}}},
    "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://a.test/.well-known/openid-configuration"},
}


def _operation(security: list[dict[str, list[str]]]) -> Operation:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": SCHEMES},
        "paths": {"/x": {"get": {"security": security, "responses": {"200": {"description": "ok"}}}}},
    }
    return parse_document(document).operations[0]


CHALLENGES = [
    ("a bearer token", [{"bearer": []}], "Shop", 'Bearer realm="Shop"'),
    ("basic", [{"basic": []}], "Shop", 'Basic realm="Shop"'),
    ("OAuth 2 takes bearer tokens", [{"oauth": ["read"]}], "Shop", 'Bearer realm="Shop"'),
    ("OpenID Connect too", [{"oidc": []}], "Shop", 'Bearer realm="Shop"'),
    (
        "each scheme accepted, in order",
        [{"basic": []}, {"key": [], "bearer": []}],
        "S",
        'Basic realm="S", Bearer realm="S"',
    ),
    ("the same challenge once", [{"bearer": []}, {"oauth": []}], "S", 'Bearer realm="S"'),
    ("an API key has no challenge", [{"key": []}, {"query": []}], "S", None),
    ("an open operation has none", [], "S", None),
    ("a realm quoted", [{"basic": []}], 'A "b" \\ c\u00e9', 'Basic realm="A \\"b\\" \\\\ c?"'),
]


@pytest.mark.parametrize(("name", "security", "realm", "expected"), CHALLENGES, ids=[c[0] for c in CHALLENGES])
def test_challenge(name: str, security: list[dict[str, list[str]]], realm: str, expected: str | None) -> None:
    assert challenge(_operation(security), realm) == expected


CASES = [
    ([{"key": []}], {}, {}, None),
    ([{"key": []}], {"x-api-key": ""}, {}, None),
    ([{"key": []}], {"x-api-key": "   "}, {}, None),
    ([{"key": []}], {"x-api-key": "k_abcd"}, {}, ["k_abcd"]),
    ([{"query": []}], {}, {"api_key": ["q1"]}, ["q1"]),
    ([{"bearer": []}], {"authorization": "Bearer tok"}, {}, ["tok"]),
    ([{"bearer": []}], {"authorization": "Basic tok"}, {}, None),
    ([{"key": [], "bearer": []}], {"x-api-key": "k"}, {}, None),
    ([{"key": []}, {"bearer": []}], {"authorization": "bearer t"}, {}, ["t"]),
    ([], {}, {}, []),
    ([{}], {}, {}, []),
]


@pytest.mark.parametrize(("security", "headers", "query", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_find_credentials(
    security: list[dict[str, list[str]]],
    headers: dict[str, str],
    query: dict[str, list[str]],
    expected: list[str] | None,
) -> None:
    found = find_credentials(_operation(security), headers=headers, query=query, cookies={})
    assert (None if found is None else [c.value for c in found]) == expected


@pytest.mark.parametrize(("value", "ok"), [("k_abcd", True), ("k_abc", False), ("K_abcd", False), ("k_abcde", False)])
def test_key_pattern(value: str, ok: bool) -> None:
    found = find_credentials(_operation([{"key": []}]), headers={"x-api-key": value}, query={}, cookies={})
    assert found is not None
    assert found[0].well_formed is ok


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        ("idt_live_0123456789abcdefABCDEF0123456789", "idt_live_***"),
        ("0123456789abcdefABCDEF", "0123***"),
        ("short", "***"),
        ("idt_live_x", "***"),
    ],
)
def test_redact_keeps_only_a_prefix(secret: str, shown: str) -> None:
    assert redact(secret) == shown
    assert secret not in redact(secret) or len(secret) < 4


@pytest.mark.parametrize(
    ("value", "plausible"), [("k_abcd", True), ("k_", True), ("k_whatever long", True), ("x_abcd", False)]
)
def test_plausible_keys_start_like_the_pattern(value: str, plausible: bool) -> None:
    found = find_credentials(_operation([{"key": []}]), headers={"x-api-key": value}, query={}, cookies={})
    assert found is not None
    assert found[0].plausible is plausible
