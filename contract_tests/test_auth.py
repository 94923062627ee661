"""Authentication: only the valid key gets in, and it does get in."""

from __future__ import annotations

import pytest

from contract_tests.checks import CheckContext, check_status, conform
from contract_tests.contract import Contract
from contract_tests.http import Client
from contract_tests.settings import ENV, Target
from contract_tests.suite import Baseline, bad_key_variants, query_for, send

SHOWN_KEY = f"${ENV['api_key']}"


def _readable(target: Target) -> tuple[str, str]:
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']} (a key and an organization it may read)")
    return target.api_key, target.org_id


def test_missing_key_is_refused(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    exchange = send(client, contract, org=target.org_id or "org", query=query_for(contract, baseline), key=None)
    check_status(ctx, exchange, {401}, "missing_key_refused", "no API key was sent")
    conform(ctx, exchange)


def test_valid_key_reaches_success(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    exchange = send(client, contract, org=org, query=query_for(contract, baseline), key=key, shown_key=SHOWN_KEY)
    check_status(
        ctx,
        exchange,
        {contract.success_status},
        "valid_key_accepted",
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
    check_status(
        ctx,
        exchange,
        {contract.success_status},
        "valid_key_accepted",
        f"HTTP header names are case-insensitive ({header})",
    )
    conform(ctx, exchange)


_VARIANTS = [v.id for v in bad_key_variants("idt_live_" + "x" * 32)]


@pytest.mark.parametrize("variant", _VARIANTS)
def test_bad_key_is_refused(
    variant: str, ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    chosen = next((v for v in bad_key_variants(key) if v.id == variant), None)
    if chosen is None:
        pytest.skip(f"the configured key has no {variant} variant")
    exchange = send(
        client, contract, org=org, query=query_for(contract, baseline), key=chosen.value, shown_key=chosen.shown
    )
    check_status(ctx, exchange, {401}, "bad_key_refused", f"must not authenticate: {variant}")
    conform(ctx, exchange)


def test_key_in_another_header_is_refused(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    exchange = send(
        client,
        contract,
        org=org,
        query=query_for(contract, baseline),
        key=None,
        extra_headers={"Authorization": f"Bearer {key}"},
    )
    check_status(
        ctx, exchange, {401}, "missing_key_refused", f"the key belongs in {contract.key_header}, not in Authorization"
    )
    conform(ctx, exchange)
