"""Concurrency: interleaved from several threads, each request gets the answer it gets alone.

State shared between threads (a "current organization" kept outside the request, say)
lets one tenant's request be answered with another's usage, or status, under load. The
two tenants' reads and the refused reads are first sent one by one, then about a hundred
of them interleaved from eight threads.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, fail
from contract_tests.core.contract import Contract
from contract_tests.core.credentials import unknown_key
from contract_tests.core.exchange import Exchange
from contract_tests.core.isolation import answer_of, interleaving
from contract_tests.core.settings import ENV, Target
from contract_tests.core.usage_semantics import DAY_MS, day_start, figures
from contract_tests.core.variants import Baseline, query_for, range_query
from contract_tests.sending import send
from contract_tests.transport.client import Client

REQUESTS = 100
THREADS = 8


Kind = tuple[str, dict[str, Any]]  # label, keyword arguments of send()


def _kind(label: str, org: str, query: list[tuple[str, str]], key: str | None, shown: str | None = None) -> Kind:
    return label, {"org": org, "query": query, "key": key, "shown_key": shown}


def _kinds(target: Target, contract: Contract, baseline: Baseline) -> list[Kind]:
    key, org = str(target.api_key), str(target.org_id)
    shown, other_shown = f"${ENV['api_key']}", f"${ENV['other_api_key']}"
    whole = query_for(contract, baseline)
    first_day = range_query(contract, baseline.start, day_start(baseline.start) + DAY_MS - 1)
    invalid = query_for(contract, baseline, **{contract.number_params[0]: ["abc"]})
    kinds = [
        _kind("the configured organization's usage", org, whole, key, shown),
        _kind("its first day's usage", org, first_day, key, shown),
        _kind("no key", org, whole, None),
        _kind("an unknown key", org, whole, unknown_key(key, contract.key_prefix)),
        _kind("an invalid date", org, invalid, key, shown),
    ]
    if target.other_org_id:
        kinds.append(_kind("another tenant's organization", target.other_org_id, whole, key, shown))
    if target.other_api_key and target.other_org_id:
        kinds.append(_kind("the other tenant's usage", target.other_org_id, whole, target.other_api_key, other_shown))
        kinds.append(_kind("the other tenant reading ours", org, whole, target.other_api_key, other_shown))
    if target.missing_org_id:
        kinds.append(_kind("an unknown organization", target.missing_org_id, whole, key, shown))
    return kinds


def test_concurrent_requests_get_their_own_answers(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']}")
    kinds = _kinds(target, contract, baseline)
    pointers = figures(contract.success_schema)

    def one(kind: int) -> Exchange:
        return send(client, contract, **kinds[kind][1])

    alone = [answer_of(one(kind), pointers, contract.success_status) for kind in range(len(kinds))]
    order = interleaving(len(kinds), REQUESTS)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        together = list(pool.map(one, order))
    for kind, exchange in zip(order, together, strict=True):
        got = answer_of(exchange, pointers, contract.success_status)
        if got != alone[kind]:
            raise fail(
                ctx,
                exchange,
                names.CONCURRENT_ISOLATION,
                f"the answer this request ({kinds[kind][0]}) gets alone: {alone[kind]}",
                f"{got}, with {REQUESTS} requests of {len(kinds)} kinds in flight from {THREADS} threads",
            )
