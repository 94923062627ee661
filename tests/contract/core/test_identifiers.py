from __future__ import annotations

import pytest

from contract_tests.core.contract import Contract, load_contract
from contract_tests.core.identifiers import malformed_paths, malformed_queries, path_variants, route_spellings
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(ROOT / "openapi.yaml")


def test_path_variants(contract: Contract) -> None:
    variants = {v.label: v for v in path_variants(contract, "org_alpha", "org_beta")}
    expected = {
        "own id in upper case": ("/organizations/ORG_ALPHA/usage", "own"),
        "own id, trailing slash": ("/organizations/org_alpha/usage/", "own"),
        "own id after a double slash": ("/organizations//org_alpha/usage", "own"),
        "own id with surrounding spaces": ("/organizations/%20org_alpha%20/usage", "own"),
        "other organization's id in upper case": ("/organizations/ORG_BETA/usage", None),
        "own id, then /../ to the other": ("/organizations/org_alpha/../org_beta/usage", None),
        "own id, then %2F..%2F to the other": ("/organizations/org_alpha%2F..%2Forg_beta/usage", None),
        "own id, then /%2E%2E/ to the other": ("/organizations/org_alpha/%2E%2E/org_beta/usage", None),
        "the other id with '_' for its last character": ("/organizations/org_bet_/usage", None),
        "the other id's first character and '%'": ("/organizations/o%25/usage", None),
        "the other id with its first character encoded twice": ("/organizations/%256Frg_beta/usage", None),
        "the other id in full-width characters": (
            "/organizations/%EF%BD%8F%EF%BD%92%EF%BD%87%EF%BC%BF%EF%BD%82%EF%BD%85%EF%BD%94%EF%BD%81/usage",
            None,
        ),
    }
    for label, (path, reads) in expected.items():
        assert (variants[label].path, variants[label].reads) == (path, reads), label
    assert all(v.reads == "own" for v in path_variants(contract, "org_alpha", None))


def test_ids_are_encoded_before_variation(contract: Contract) -> None:
    variants = {v.label: v.path for v in path_variants(contract, "a b/c", None)}
    assert variants["own id, trailing slash"] == "/organizations/a%20b%2Fc/usage/"
    assert "own id in upper case" in variants
    assert "A%20B%2FC" in variants["own id in upper case"]


def test_malformed_escapes(contract: Contract) -> None:
    paths = dict(malformed_paths(contract, "org_alpha"))
    assert paths["id with a malformed escape"] == "/organizations/org_alpha%ZZ/usage"
    assert paths["id with a byte that is not UTF-8"] == "/organizations/org_alpha%FF/usage"
    queries = dict(malformed_queries([("startDate", "1"), ("endDate", "2")]))
    assert queries["startDate with a lone percent sign"] == "startDate=1%&endDate=2"
    assert queries["startDate with a truncated UTF-8 sequence"] == "startDate=1%E2%82&endDate=2"
    assert queries["startDate's name with a malformed escape"] == "startDate%ZZ=1&endDate=2"
    assert malformed_queries([]) == []


def test_route_spellings(contract: Contract) -> None:
    """The fixed segments change, the id stays as sent (encoded)."""
    assert route_spellings(contract, "org 1") == [
        ("a trailing slash", "/organizations/org%201/usage/"),
        ("a double slash in front", "//organizations/org%201/usage"),
        ("its fixed segments in upper case", "/ORGANIZATIONS/org%201/USAGE"),
        ("a letter of each fixed segment percent-encoded", "/%6Frganizations/org%201/%75sage"),
    ]
