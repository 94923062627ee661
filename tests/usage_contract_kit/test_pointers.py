"""JSON pointers and local $refs: RFC 6901 escapes, and the fragment percent-decoded as RFC 3986 says."""

from __future__ import annotations

from typing import Any

import pytest

from usage_contract_kit.pointers import lookup, pointer

DOCUMENT: dict[str, Any] = {
    "paths": {"/items/{id}": {"get": {"parameters": [{"name": "id"}]}}},
    "components": {
        "schemas": {"Has Space": {"type": "object"}, "a~b/c": {"type": "string"}, "100%": {"type": "integer"}}
    },
    "%zz": {"odd": True},
}

FOUND = [
    ("escaped slashes", "#/paths/~1items~1{id}/get/parameters/0", {"name": "id"}),
    ("percent-encoded braces", "#/paths/~1items~1%7Bid%7D/get/parameters/0", {"name": "id"}),
    ("a percent-encoded space", "#/components/schemas/Has%20Space", {"type": "object"}),
    ("tilde escapes", "#/components/schemas/a~0b~1c", {"type": "string"}),
    ("a percent-encoded percent sign", "#/components/schemas/100%25", {"type": "integer"}),
    ("a key holding % as written", "#/components/schemas/100%", {"type": "integer"}),
    ("a percent sign that escapes nothing", "#/%zz/odd", True),
]


@pytest.mark.parametrize(("ref", "node"), [c[1:] for c in FOUND], ids=[c[0] for c in FOUND])
def test_lookup_follows_the_ref(ref: str, node: Any) -> None:
    assert lookup(DOCUMENT, ref) == node


@pytest.mark.parametrize(
    ("ref", "problem"),
    [
        ("#/components/schemas/Has%2520Space", "does not resolve"),
        ("#/paths/~1items~1%7Bid%7D/get/parameters/1", "does not resolve"),
        ("other.yaml#/a", "points outside the file"),
    ],
)
def test_lookup_names_a_ref_that_leads_nowhere(ref: str, problem: str) -> None:
    with pytest.raises(LookupError, match=problem):
        lookup(DOCUMENT, ref)


def test_pointer_escapes_what_it_must() -> None:
    assert pointer("paths", "/a~b", 0) == "/paths/~1a~0b/0"
