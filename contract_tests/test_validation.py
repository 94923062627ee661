"""Validation: each malformed date is refused with the documented error; legal forms pass."""

from __future__ import annotations

import pytest

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, conform, expect_status
from contract_tests.core.contract import Contract
from contract_tests.core.settings import ENV, Target
from contract_tests.core.variants import (
    Baseline,
    end_before_start_variants,
    invalid_number_variants,
    query_for,
    range_params,
    unrepresentable_number_variants,
)
from contract_tests.sending import send
from contract_tests.transport.client import Client

SHOWN_KEY = f"${ENV['api_key']}"


def _readable(target: Target) -> tuple[str, str]:
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']}: validation is checked on an otherwise good request")
    return target.api_key, target.org_id


@pytest.mark.parametrize(
    ("variant", "values"), invalid_number_variants(), ids=[v for v, _ in invalid_number_variants()]
)
def test_invalid_date_is_rejected(
    number_param: str,
    variant: str,
    values: list[str] | None,
    ctx: CheckContext,
    client: Client,
    contract: Contract,
    target: Target,
    baseline: Baseline,
) -> None:
    key, org = _readable(target)
    param = number_param
    exchange = send(
        client, contract, org=org, query=query_for(contract, baseline, **{param: values}), key=key, shown_key=SHOWN_KEY
    )
    expect_status(ctx, exchange, contract.validation_statuses, names.INVALID_INPUT_REJECTED, f"{param} {variant}")
    conform(ctx, exchange)


@pytest.mark.parametrize(
    ("variant", "text"), unrepresentable_number_variants(), ids=[v for v, _ in unrepresentable_number_variants()]
)
def test_date_beyond_every_calendar_is_answered_or_refused(
    variant: str, text: str, ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    """A number the grammar allows past year 9999 (or before year 1): 200, or refused as invalid; nothing else."""
    key, org = _readable(target)
    start, end = range_params(contract)
    for param, value in ((end, text), (start, f"-{text}")):  # the range stays ordered
        query = query_for(contract, baseline, **{param: [value]})
        exchange = send(client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY)
        expected = {contract.success_status, *contract.validation_statuses}
        expect_status(ctx, exchange, expected, names.VALID_INPUT_ACCEPTED, f"{param}={value} ({variant}): 200, or 422")
        conform(ctx, exchange)


def test_valid_date_form_is_accepted(
    valid_number_form: tuple[str, str, str],
    ctx: CheckContext,
    client: Client,
    contract: Contract,
    target: Target,
    baseline: Baseline,
) -> None:
    param, form, text = valid_number_form
    _expect_accepted(
        ctx, client, contract, target, baseline, param, text, names.VALID_INPUT_ACCEPTED, f"a number ({form})"
    )


def test_number_spelling_is_accepted(
    number_spelling: tuple[str, str, str],
    ctx: CheckContext,
    client: Client,
    contract: Contract,
    target: Target,
    baseline: Baseline,
) -> None:
    """Every spelling the JSON number grammar allows: upper-case exponents, signs, minus zero."""
    param, form, text = number_spelling
    label = f"a valid JSON number ({form})"
    _expect_accepted(ctx, client, contract, target, baseline, param, text, names.NUMBER_SPELLINGS_ACCEPTED, label)


def _expect_accepted(
    ctx: CheckContext,
    client: Client,
    contract: Contract,
    target: Target,
    baseline: Baseline,
    param: str,
    text: str,
    check: str,
    what: str,
) -> None:
    """A readable request with ``param`` spelled ``text`` must succeed and conform."""
    key, org = _readable(target)
    query = query_for(contract, baseline, **{param: [text]})
    exchange = send(client, contract, org=org, query=query, key=key, shown_key=SHOWN_KEY)
    expect_status(ctx, exchange, {contract.success_status}, check, f"{param}={text} is {what}")
    conform(ctx, exchange)


def test_end_before_start_is_rejected(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    variants = end_before_start_variants(contract, baseline)
    if not variants:
        pytest.skip("the spec documents no cross-parameter rules")
    for label, changes in variants:
        exchange = send(
            client, contract, org=org, query=query_for(contract, baseline, **changes), key=key, shown_key=SHOWN_KEY
        )
        expect_status(ctx, exchange, contract.validation_statuses, names.END_BEFORE_START_REJECTED, label)
        conform(ctx, exchange)


def test_one_instant_range_is_accepted(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    key, org = _readable(target)
    if not contract.rules:
        pytest.skip("the spec documents no cross-parameter rules")
    changes = {name: [str(int(baseline.start))] for rule in contract.rules for name in rule["parameters"]}
    exchange = send(
        client, contract, org=org, query=query_for(contract, baseline, **changes), key=key, shown_key=SHOWN_KEY
    )
    expect_status(
        ctx,
        exchange,
        {contract.success_status},
        names.VALID_INPUT_ACCEPTED,
        "a range whose start and end are the same instant",
    )
    conform(ctx, exchange)
