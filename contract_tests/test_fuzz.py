"""Fuzzing with schemathesis and Hypothesis, on the real success path and off it.

Generated requests reach the configured organization with the configured key (not only
invented ids that end in 404), while organization ids are fuzzed on their own. Every
answer must keep the response contract; none may be a 5xx. Cases are serialised by
schemathesis' transport and sent through the suite's bounded client, like every request.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import Any

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, check_usage_counts, conform, expect_status, fail
from contract_tests.core.contract import Contract
from contract_tests.core.settings import ENV, Target
from contract_tests.core.variants import (
    Baseline,
    documented_numbers,
    query_for,
    representable,
    respect_rules,
    sent_query,
)
from contract_tests.sending import send
from contract_tests.transport.client import Client

SHOWN_KEY = f"${ENV['api_key']}"


@pytest.fixture(scope="session")
def st_operation(target: Target, contract: Contract) -> Any:
    """The operation as schemathesis sees it (explicit config: no stray schemathesis.toml)."""
    schema = schemathesis.openapi.from_path(str(target.spec), config=SchemathesisConfig())
    return schema[contract.path][contract.method]


def _readable(target: Target) -> tuple[str, str]:
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']}: fuzzing aims at a readable organization")
    return target.api_key, target.org_id


def _aimed_cases(st_operation: Any, target: Target, contract: Contract, mode: GenerationMode) -> Any:
    """Generated requests for the readable organization, with the valid key."""
    key, org = _readable(target)
    headers = {contract.key_header: key} if contract.key_header else {}
    return st_operation.as_strategy(mode, path_parameters={p: org for p in contract.path_params}, headers=headers)


@pytest.fixture(scope="session")
def success_cases(st_operation: Any, target: Target, contract: Contract) -> Any:
    return _aimed_cases(st_operation, target, contract, GenerationMode.POSITIVE)


@pytest.fixture(scope="session")
def negative_cases(st_operation: Any, target: Target, contract: Contract) -> Any:
    return _aimed_cases(st_operation, target, contract, GenerationMode.NEGATIVE)


# A request line or header section larger than the server parses: a refusal HTTP allows for
# any request (RFC 9110, section 15.5.15; RFC 6585, section 5), which the fuzzer's longest
# negative cases meet behind servers with a 4 KB limit (gunicorn's default).
_TOO_LARGE = frozenset({414, 431})


def _accepted(contract: Contract, numbers: Iterable[float], why: str) -> tuple[set[int], str]:
    """The statuses a valid request may get: 200, or also a refusal where an instant is beyond every date library."""
    if representable(numbers):
        return {contract.success_status}, why
    return (
        {contract.success_status, *contract.validation_statuses},
        f"{why}, with an instant no date library represents: 200, or refused as invalid",
    )


@given(data=st.data())
def test_success_path(
    data: st.DataObject, success_cases: Any, ctx: CheckContext, client: Client, contract: Contract, target: Target
) -> None:
    case = data.draw(success_cases, label="case")
    case.query = respect_rules(contract, case.query)
    exchange = client.send_case(case)
    numbers = [v for v in (case.query or {}).values() if isinstance(v, (int, float))]
    expected, why = _accepted(
        contract, numbers, "a schema-valid request for a readable organization with the valid key"
    )
    expect_status(ctx, exchange, expected, names.VALID_INPUT_ACCEPTED, why)
    conform(ctx, exchange)
    if target.semantics:
        check_usage_counts(ctx, exchange)


@given(data=st.data())
def test_invalid_inputs_are_rejected(
    data: st.DataObject, negative_cases: Any, ctx: CheckContext, client: Client, contract: Contract
) -> None:
    case = data.draw(negative_cases, label="case")
    exchange = client.send_case(case)
    if exchange.reply.status in _TOO_LARGE:  # refused by the HTTP layer before the API read it
        return
    # Judged by the query as sent: the transport flattens nested lists ([[0.0]] goes as 0.0).
    numbers = documented_numbers(contract, sent_query(exchange.sent.url))
    if numbers is not None:  # only undocumented extras were added
        expected, why = _accepted(contract, numbers.values(), "valid documented parameters; extras are ignored")
        expect_status(ctx, exchange, expected, names.VALID_INPUT_ACCEPTED, why)
    else:
        expect_status(
            ctx,
            exchange,
            contract.validation_statuses,
            names.INVALID_INPUT_REJECTED,
            "a request that breaks the parameter schemas",
        )
    conform(ctx, exchange)


# One path segment each: no "/" or "\\" (which would route elsewhere), no control characters
# (which HTTP layers refuse before any API code runs), not only dots (dot segments).
_SEGMENT = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="/\\")
_ORG_IDS = st.one_of(
    st.text(alphabet=_SEGMENT, min_size=1, max_size=40),
    st.from_regex(r"\A(%[0-9A-Fa-f]{2}|[a-z0-9_.-]){1,20}\Z"),
    st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=200, max_size=1000),
).filter(lambda org: org.strip(".") != "")


@given(org=_ORG_IDS)
def test_organization_ids(
    org: str, ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    if not target.api_key:
        pytest.skip(f"set {ENV['api_key']}")
    exchange = send(
        client, contract, org=org, query=query_for(contract, baseline), key=target.api_key, shown_key=SHOWN_KEY
    )
    conform(ctx, exchange)
    if exchange.reply.status == 401:
        raise fail(ctx, exchange, names.VALID_KEY_ACCEPTED, "the valid key is not refused whatever the organization id")
