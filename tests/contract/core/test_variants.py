from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from contract_tests.core.contract import Contract, load_contract
from contract_tests.core.variants import (
    REPRESENTABLE,
    Baseline,
    documented_numbers,
    end_before_start_variants,
    number_spelling_variants,
    query_for,
    range_params,
    range_query,
    representable,
    respect_rules,
    sent_query,
    valid_number_variants,
)
from tests.conftest import ROOT

BASE = Baseline(1000.0, 5000.0)


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(ROOT / "openapi.yaml")


def test_query_varies_one_thing(contract: Contract) -> None:
    assert query_for(contract, BASE) == [("startDate", "1000"), ("endDate", "5000")]
    assert query_for(contract, BASE, startDate=None) == [("endDate", "5000")]
    assert query_for(contract, BASE, endDate=["a", "b"]) == [("startDate", "1000"), ("endDate", "a"), ("endDate", "b")]


def test_range_roles_come_from_the_rules(contract: Contract) -> None:
    assert range_params(contract) == ("startDate", "endDate")
    assert range_query(contract, -5, 7.5) == [("startDate", "-5"), ("endDate", "7.5")]


def test_valid_forms_keep_the_rule(contract: Contract) -> None:
    start = dict(valid_number_variants(contract, BASE, "startDate"))
    end = dict(valid_number_variants(contract, BASE, "endDate"))
    assert float(start["exponent"]) == 1000.0
    assert "e" in start["exponent"]
    assert all(float(v) <= BASE.end for v in start.values())
    assert all(float(v) >= BASE.start for v in end.values())
    assert "far past" in start
    assert "far future" in end


@pytest.mark.parametrize(
    ("name", "label", "text"),
    [
        ("startDate", "upper-case exponent", "1.7356896E12"),
        ("startDate", "exponent with plus sign", "1.7356896e+12"),
        ("startDate", "negative exponent", "17356896000000e-1"),
        ("startDate", "minus zero", "-0"),
        ("startDate", "negative fraction", "-0.5"),
        ("endDate", "upper-case exponent", "1.740787199999E12"),
    ],
)
def test_number_spellings_are_exact(contract: Contract, name: str, label: str, text: str) -> None:
    window = Baseline(1735689600000, 1740787199999)
    spellings = dict(number_spelling_variants(contract, window, name))
    assert spellings[label] == text
    own = window.start if name == "startDate" else window.end
    if "exponent" in label:
        assert Decimal(text) == Decimal(own)  # the same instant, only spelled otherwise


def test_number_spellings_keep_the_rule(contract: Contract) -> None:
    # endDate never gets -0: it would come before the start.
    assert not [t for _, t in number_spelling_variants(contract, BASE, "endDate") if t.startswith("-")]


def test_end_before_start_variants(contract: Contract) -> None:
    for _, changes in end_before_start_variants(contract, BASE):
        assert float(changes["endDate"][0]) < float(changes["startDate"][0])


def test_respect_rules_swaps_offending_pairs(contract: Contract) -> None:
    assert respect_rules(contract, {"startDate": 9, "endDate": 1}) == {"startDate": 1, "endDate": 9}
    assert respect_rules(contract, {"startDate": "x", "endDate": 1}) == {"startDate": "x", "endDate": 1}


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
def test_documented_numbers(contract: Contract, query: object, valid: bool) -> None:
    assert (documented_numbers(contract, query) is not None) is valid


def test_a_generated_query_is_judged_as_sent(contract: Contract) -> None:
    """Schemathesis may nest a value in lists; the transport flattens them, so the target gets a valid number."""
    url = requests.Request("GET", "http://t/u", params={"startDate": [[0.0]], "endDate": "0", "x": [[]]}).prepare().url
    assert documented_numbers(contract, sent_query(str(url))) == {"startDate": 0.0, "endDate": 0.0}
    assert documented_numbers(contract, {"startDate": [[0.0]], "endDate": "0"}) is None  # as generated
    assert documented_numbers(contract, sent_query("http://t/u?startDate=%2B5&endDate=9")) is None  # "+5"


def test_documented_numbers_are_read_as_numbers(contract: Contract) -> None:
    numbers = documented_numbers(contract, {"startDate": "-6.9e+199", "endDate": [5.2e16], "extra": "x"})
    assert numbers == {"startDate": -6.9e199, "endDate": 5.2e16}
    assert not representable(numbers.values())  # beyond year 1: 200, or refused as invalid
    assert representable([REPRESENTABLE[0], 0, REPRESENTABLE[1]])
    assert not representable([REPRESENTABLE[1] + 1])
