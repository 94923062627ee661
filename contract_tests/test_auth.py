"""Authentication: only the valid key, in the documented header, gets in; and it does get in."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, conform, expect_status
from contract_tests.core.contract import Contract
from contract_tests.core.credentials import (
    TRUST_HEADERS,
    bad_key_variants,
    misplaced_credentials,
    secret_case_variants,
    unknown_key,
)
from contract_tests.core.settings import ENV, Target
from contract_tests.core.variants import Baseline, end_before_start_variants, query_for
from contract_tests.sending import send
from contract_tests.transport.client import Client

SHOWN_KEY = f"${ENV['api_key']}"


def _readable(target: Target) -> tuple[str, str]:
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']} (a key and an organization it may read)")
    return target.api_key, target.org_id


def test_missing_key_is_refused(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    org, query = target.org_id or "org", query_for(contract, baseline)
    for headers, why in (({}, ""), (dict(TRUST_HEADERS), ", only headers a proxy sets (who calls is not proven)")):
        exchange = send(client, contract, org=org, query=query, key=None, extra_headers=headers)
        expect_status(ctx, exchange, {401}, names.MISSING_KEY_REFUSED, f"no API key was sent{why}")
        conform(ctx, exchange)


def test_valid_key_reaches_success(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    exchange = send(client, contract, org=org, query=query_for(contract, baseline), key=key, shown_key=SHOWN_KEY)
    expect_status(
        ctx,
        exchange,
        {contract.success_status},
        names.VALID_KEY_ACCEPTED,
        "the valid key reading an organization it may read",
    )
    conform(ctx, exchange)


def test_header_name_is_case_insensitive(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    if not contract.key_header:
        pytest.skip("the operation documents no API-key header")
    header = contract.key_header.lower()
    exchange = client.request(
        contract.method,
        contract.url_path({p: org for p in contract.path_params}),
        query=query_for(contract, baseline),
        headers={header: key},
        shown={header: SHOWN_KEY},
    )
    expect_status(
        ctx,
        exchange,
        {contract.success_status},
        names.VALID_KEY_ACCEPTED,
        f"HTTP header names are case-insensitive ({header})",
    )
    conform(ctx, exchange)


def test_bad_key_is_refused(
    bad_key: str, ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    chosen = next((v for v in bad_key_variants(key, contract.key_prefix) if v.id == bad_key), None)
    if chosen is None:
        pytest.skip(f"the configured key has no {bad_key} variant")
    exchange = send(
        client, contract, org=org, query=query_for(contract, baseline), key=chosen.value, shown_key=chosen.shown
    )
    expect_status(ctx, exchange, {401}, names.BAD_KEY_REFUSED, f"must not authenticate: {bad_key}")
    conform(ctx, exchange)


def test_keys_the_document_shows_are_refused(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """A key of the documented shape written in the document (an example in a description) authenticates no one."""
    key, org = _readable(target)
    shown = [k for k in contract.documented_keys if k not in (key, target.other_api_key)]
    if not shown:
        pytest.skip("the document shows no key of the documented shape other than the configured ones")
    for example in shown:  # public: the document prints it
        exchange = send(client, contract, org=org, query=query_for(contract, baseline), key=example, shown_key=example)
        expect_status(ctx, exchange, {401}, names.BAD_KEY_REFUSED, "must not authenticate: a key the document shows")
        conform(ctx, exchange)


def test_secret_part_is_case_sensitive(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    variants = secret_case_variants(key, contract.key_prefix)
    if not variants:
        pytest.skip("the configured key has no letters whose case could change")
    for variant in variants:
        exchange = send(
            client, contract, org=org, query=query_for(contract, baseline), key=variant.value, shown_key=variant.shown
        )
        expect_status(ctx, exchange, {401}, names.SECRET_CASE_SENSITIVE, f"keys are case-sensitive: {variant.id}")
        conform(ctx, exchange)


def test_key_only_in_its_header(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    for variant in misplaced_credentials(key, contract.key_header):
        exchange = send(
            client,
            contract,
            org=org,
            query=[*query_for(contract, baseline), *variant.query],
            key=None,
            extra_headers=variant.headers,
        )
        expect_status(
            ctx,
            exchange,
            {401},
            names.CREDENTIALS_ONLY_IN_HEADER,
            f"only {contract.key_header} authenticates, not the key in a {variant.id}",
        )
        conform(ctx, exchange)


def test_authentication_comes_first(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """No key (or an unknown one) plus invalid input: 401 in every legal order of checks."""
    key, org = _readable(target)
    first, *_ = contract.number_params
    breaking: list[tuple[str, Mapping[str, list[str] | None]]] = [
        (f"{first} not a number", {first: ["abc"]}),
        (f"{first} missing", {first: None}),
        *end_before_start_variants(contract, baseline)[:1],
    ]
    callers = [("no key", None, None), ("an unknown key", unknown_key(key, contract.key_prefix), None)]
    orgs = [(org, "")] + ([(target.missing_org_id, ", unknown organization")] if target.missing_org_id else [])
    for label, changes in breaking:
        for who, value, shown in callers:
            for where, note in orgs:
                query = query_for(contract, baseline, **changes)
                exchange = send(client, contract, org=where, query=query, key=value, shown_key=shown)
                expect_status(
                    ctx, exchange, {401}, names.AUTH_BEFORE_VALIDATION, f"{who} with invalid input ({label}{note})"
                )
                conform(ctx, exchange)
