from __future__ import annotations

import pytest

from contract_tests.core.contract import Contract, load_contract
from tests.conftest import ROOT


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


def test_what_error_bodies_may_say_and_must_not_carry(contract: Contract) -> None:
    assert {"ValidationError", "ResourceNotFound", "Unauthenticated"} <= contract.documented_words
    assert contract.success_envelope == ("data",)
