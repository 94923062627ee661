"""The breaking-change check on real version pairs of this contract, in both directions."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from contract_tests.diff.documents import diff_documents
from tests.contract.diff_pairs import PAIRS, Pair, verdict


@pytest.mark.parametrize("pair", PAIRS, ids=[p.name for p in PAIRS])
def test_pair_verdicts_both_ways(pair: Pair) -> None:
    old, new = pair.documents()
    forward, backward = diff_documents(old, new), diff_documents(new, old)
    assert (verdict(forward), verdict(backward)) == (pair.forward, pair.backward), "\n".join(
        f"{c.classification}: {c.message}" for c in forward + backward
    )
    if pair.kind:
        assert pair.kind in {c.kind for c in forward}


@pytest.mark.parametrize("pair", PAIRS, ids=[p.name for p in PAIRS])
def test_pair_versions_are_valid_openapi(pair: Pair) -> None:
    for document in pair.documents():
        validate(document)


def test_every_kind_of_change_has_a_pair() -> None:
    kinds = {p.kind for p in PAIRS}
    for kind in (
        "operation-removed", "operation-added", "parameter-added", "parameter-optional", "schema-type", "schema-format",
        "schema-bounds", "schema-enum", "schema-pattern", "response-removed", "response-added", "schema-property-removed",
        "schema-property-optional", "security-requirement-removed", "security-requirement-added", "security-key-pattern",
        "media-type-removed", "cross-parameter-rule", "error-property",
    ):  # fmt: skip
        assert kind in kinds, kind
