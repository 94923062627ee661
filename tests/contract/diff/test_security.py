"""Table tests: security requirements as alternatives of credential sets, schemes compared by shape."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.diff.flow import Documents
from contract_tests.diff.model import CLIENTS, COMPATIBLE, IMPLEMENTATIONS, DiffError
from contract_tests.diff.security import diff_security

C, I, OK = CLIENTS, IMPLEMENTATIONS, COMPATIBLE  # noqa: E741 - short names keep the table readable
KEY = {"type": "apiKey", "in": "header", "name": "X-API-Key", "x-key-pattern": "^k_[0-9]{4}$"}
BEARER = {"type": "http", "scheme": "bearer"}
OAUTH = {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/token", "scopes": {"read": "", "write": ""}}}}


def _document(security: Any, **schemes: Any) -> dict[str, Any]:
    return {
        "components": {"securitySchemes": schemes or {"Key": KEY, "Bearer": BEARER, "OAuth": OAUTH}},
        "security": security,
    }


def _sides(
    old: dict[str, Any], new: dict[str, Any], operation: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
) -> set[str]:
    changes = diff_security(Documents(old, new), "GET /x", operation[0], "/op", operation[1], "/op")
    return {c.classification for c in changes}


CASES: list[tuple[str, Any, Any, set[str]]] = [
    ("same", [{"Key": []}], [{"Key": []}], set()),
    ("alternative added", [{"Key": []}], [{"Key": []}, {"Bearer": []}], {I}),
    ("alternative removed", [{"Key": []}, {"Bearer": []}], [{"Key": []}], {C}),
    ("scheme replaced", [{"Key": []}], [{"Bearer": []}], {C, I}),
    ("second scheme required", [{"Key": []}], [{"Key": [], "Bearer": []}], {C}),
    ("second scheme no longer required", [{"Key": [], "Bearer": []}], [{"Key": []}], {I}),
    ("anonymous access ended", [], [{"Key": []}], {C}),
    ("anonymous access opened", [{"Key": []}], [], {I}),
    ("optional security added", [{"Key": []}], [{"Key": []}, {}], {I}),
    ("scope added", [{"OAuth": ["read"]}], [{"OAuth": ["read", "write"]}], {C}),
    ("scope dropped", [{"OAuth": ["read", "write"]}], [{"OAuth": ["read"]}], {I}),
]


@pytest.mark.parametrize(("old", "new", "sides"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_requirements(old: Any, new: Any, sides: set[str]) -> None:
    assert _sides(_document(old), _document(new)) == sides


def test_an_operations_own_security_overrides_the_documents() -> None:
    assert _sides(_document([{"Key": []}]), _document([{"Key": []}]), ({}, {"security": []})) == {I}


SCHEMES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("renamed scheme", {"Other": KEY}, set()),
    ("header name in another case", {"Key": {**KEY, "name": "x-api-key"}}, set()),
    ("other header", {"Key": {**KEY, "name": "X-Token"}}, {C, I}),
    ("key pattern removed", {"Key": {k: v for k, v in KEY.items() if k != "x-key-pattern"}}, {I}),
    ("key pattern replaced", {"Key": {**KEY, "x-key-pattern": "^k_[0-9]{8}$"}}, {C, I}),
    ("description added", {"Key": {**KEY, "description": "The key."}}, {OK}),
]


@pytest.mark.parametrize(("schemes", "sides"), [c[1:] for c in SCHEMES], ids=[c[0] for c in SCHEMES])
def test_schemes_are_compared_by_shape(schemes: dict[str, Any], sides: set[str]) -> None:
    (name,) = schemes
    assert _sides(_document([{"Key": []}], Key=KEY), _document([{name: []}], **schemes)) == sides


def test_key_pattern_added_breaks_clients() -> None:
    plain = {k: v for k, v in KEY.items() if k != "x-key-pattern"}
    assert _sides(_document([{"Key": []}], Key=plain), _document([{"Key": []}], Key=KEY)) == {C}


def test_an_undefined_scheme_is_an_error_naming_it() -> None:
    with pytest.raises(
        DiffError,
        match="new document, /components/securitySchemes/Nope: security scheme 'Nope' is required but not defined",
    ):
        _sides(_document([{"Key": []}]), _document([{"Nope": []}]))
