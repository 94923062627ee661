from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.contract import Contract, literal_prefix, load_contract

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(ROOT / "openapi.yaml")


def test_contract_comes_from_the_spec(contract: Contract) -> None:
    assert (contract.method, contract.path, contract.path_params) == (
        "GET",
        "/organizations/{organizationId}/usage",
        ("organizationId",),
    )
    assert contract.number_params == ("startDate", "endDate")
    assert (contract.key_header, contract.success_status) == ("X-API-Key", 200)
    assert contract.documented_statuses == (200, 401, 403, 404, 422)
    assert contract.url_path({"organizationId": "a/b c"}) == "/organizations/a%2Fb%20c/usage"
    assert contract.raw_path({"organizationId": "a%2F..%2Fb"}) == "/organizations/a%2F..%2Fb/usage"


def test_key_prefix_comes_from_x_key_pattern(contract: Contract) -> None:
    assert contract.key_prefix == "idt_live_"


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        ("^idt_live_[A-Za-z0-9]{32}$", "idt_live_"),
        ("^sk-[a-z]+$", "sk-"),
        (r"^ab\.c+d", "ab.c"),
        ("^a?b", ""),
        ("^key(_v2)?_", "key"),
        ("unanchored", ""),
        (None, ""),
    ],
)
def test_literal_prefix(pattern: str | None, prefix: str) -> None:
    assert literal_prefix(pattern) == prefix


def test_what_error_bodies_may_say_and_must_not_carry(contract: Contract) -> None:
    assert {"ValidationError", "ResourceNotFound", "Unauthenticated"} <= contract.documented_words
    assert contract.success_envelope == ("data",)
