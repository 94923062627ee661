from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.contract import Contract, load_contract
from contract_tests.http import Sent, as_curl, encode_query, redact
from contract_tests.suite import (
    Baseline,
    bad_key_variants,
    end_before_start_variants,
    query_for,
    respect_rules,
    valid_number_variants,
)

ROOT = Path(__file__).resolve().parents[2]
KEY = "idt_live_0123456789abcdefABCDEF0123456789"
BASE = Baseline(1000.0, 5000.0)


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


def test_query_varies_one_thing(contract: Contract) -> None:
    assert query_for(contract, BASE) == [("startDate", "1000"), ("endDate", "5000")]
    assert query_for(contract, BASE, startDate=None) == [("endDate", "5000")]
    assert query_for(contract, BASE, endDate=["a", "b"]) == [("startDate", "1000"), ("endDate", "a"), ("endDate", "b")]


def test_valid_forms_keep_the_rule(contract: Contract) -> None:
    start = dict(valid_number_variants(contract, BASE, "startDate"))
    end = dict(valid_number_variants(contract, BASE, "endDate"))
    assert float(start["exponent"]) == 1000.0 and "e" in start["exponent"]
    assert all(float(v) <= BASE.end for v in start.values())
    assert all(float(v) >= BASE.start for v in end.values())
    assert "far past" in start and "far future" in end


def test_end_before_start_variants(contract: Contract) -> None:
    for _, changes in end_before_start_variants(contract, BASE):
        assert float(changes["endDate"][0]) < float(changes["startDate"][0])


def test_bad_keys_hide_the_secret() -> None:
    variants = {v.id: v for v in bad_key_variants(KEY)}
    assert variants["wrong prefix"].value == "idt_test_" + KEY[9:]
    assert variants["wrong prefix"].shown == "idt_test_${CONTRACT_API_KEY#idt_live_}"
    assert variants["valid key minus a character"].shown == "${CONTRACT_API_KEY%?}"
    assert variants["unknown well-formed key"].value.startswith("idt_live_") and len(
        variants["unknown well-formed key"].value
    ) == len(KEY)
    assert all(v.value != KEY for v in variants.values())
    assert all(KEY[9:] not in v.shown for v in variants.values())


def test_respect_rules_swaps_offending_pairs(contract: Contract) -> None:
    assert respect_rules(contract, {"startDate": 9, "endDate": 1}) == {"startDate": 1, "endDate": 9}
    assert respect_rules(contract, {"startDate": "x", "endDate": 1}) == {"startDate": "x", "endDate": 1}


def test_curl_names_the_variable_never_the_key() -> None:
    sent = Sent("GET", "http://t/x?a=%205", (("X-API-Key", KEY + "0"), ("Prefer", "it's")))
    curl = as_curl(sent, {KEY: "CONTRACT_API_KEY"})
    assert curl == """curl -i -H "X-API-Key: ${CONTRACT_API_KEY}0" -H 'Prefer: it'\\''s' 'http://t/x?a=%205'"""
    shown = as_curl(
        Sent("POST", "http://t", (("X-API-Key", KEY[:-1]),), {"X-API-Key": "${CONTRACT_API_KEY%?}"}),
        {KEY: "CONTRACT_API_KEY"},
    )
    assert shown == """curl -i -X POST -H "X-API-Key: ${CONTRACT_API_KEY%?}" 'http://t'"""


def test_redact_removes_pieces_of_secrets() -> None:
    text = f"bad key {KEY[:-1]} and {KEY}"
    redacted = redact(text, {KEY: "CONTRACT_API_KEY"})
    assert KEY[9:21] not in redacted and "$CONTRACT_API_KEY" in redacted


def test_encode_query_keeps_padding_visible() -> None:
    assert encode_query([("a", " 5"), ("b", "x&y")]) == "a=%205&b=x%26y"


@pytest.mark.parametrize(
    ("query", "valid"),
    [
        ({"startDate": 1, "endDate": 2, "extra": "x"}, True),
        ({"startDate": "1e+3", "endDate": [2000.5]}, True),
        ({"startDate": 3, "endDate": 2}, False),
        ({"startDate": "null", "endDate": 2}, False),
        ({"startDate": True, "endDate": 2}, False),
        ({"startDate": [1, 2], "endDate": 2}, False),
        ({"endDate": 2}, False),
        ({"startDate": float("nan"), "endDate": 2}, False),
        ("startDate=1", False),
    ],
)
def test_documented_query_valid(contract: Contract, query: object, valid: bool) -> None:
    from contract_tests.suite import documented_query_valid

    assert documented_query_valid(contract, query) is valid
