from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract_tests.core.contract import Contract, keys_in, load_contract
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
    assert contract.documented_keys == ("idt_live_0123456789abcdefABCDEF0123456789",)  # the scheme's example


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("for example `sk_ABCD`, or sk_ABCD again", ("sk_ABCD",)),
        ("sk_ABCDE is too long, xsk_ABCD and sk_ABCD-1 are other words", ()),
        ("two: sk_ABCD sk_WXYZ", ("sk_ABCD", "sk_WXYZ")),
    ],
)
def test_keys_the_document_shows(text: str, keys: tuple[str, ...]) -> None:
    assert keys_in(text, re.compile(r"^sk_[A-Z]{4}$")) == keys


def test_what_error_bodies_may_say_and_must_not_carry(contract: Contract) -> None:
    assert {"ValidationError", "ResourceNotFound", "Unauthenticated"} <= contract.documented_words
    assert contract.success_envelope == ("data",)
    assert {"error", "code"} <= contract.error_code_fields
    assert "message" not in contract.error_code_fields


def test_an_error_schema_names_its_code_property(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        _MINIMAL.format(
            responses="        '200': {description: d}\n"
            "        '400':\n          description: d\n          content:\n            application/json:\n"
            "              schema: {type: object, x-error-code-property: kind, properties: {kind: {type: string}}}\n"
        )
    )
    assert "kind" in load_contract(spec).error_code_fields


_MINIMAL = """openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /things:
    get:
      responses:
{responses}
"""


@pytest.mark.parametrize(
    ("documented", "expected"),
    [
        ((200, 422), {422}),
        ((200, 400), {400}),
        ((200, 400, 422), {400, 422}),
        ((200, 404), {400, 422}),
    ],
)
def test_invalid_input_may_get_any_documented_invalid_input_status(
    tmp_path: Path, documented: tuple[int, ...], expected: set[int]
) -> None:
    responses = "".join(f"        '{status}': {{description: d}}\n" for status in documented)
    spec = tmp_path / "spec.yaml"
    spec.write_text(_MINIMAL.format(responses=responses), encoding="utf-8")
    assert load_contract(spec).validation_statuses == expected
