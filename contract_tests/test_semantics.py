"""Usage semantics: the figures make sense, not only the shapes (switch off with --no-semantics)."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, check_usage_counts, fail
from contract_tests.core.contract import Contract
from contract_tests.core.exchange import Exchange
from contract_tests.core.settings import ENV, Target
from contract_tests.core.usage_semantics import (
    additivity_problem,
    day_boundaries,
    exact_sum_problem,
    idempotence_problem,
    monotonicity_problem,
)
from contract_tests.core.variants import Baseline, number_text
from contract_tests.sending import read_usage
from contract_tests.transport.client import Client

SHOWN_KEY = f"${ENV['api_key']}"


@pytest.fixture(autouse=True)
def _semantics_on(target: Target) -> None:
    if not target.semantics:
        pytest.skip(f"usage semantics are switched off ({ENV['semantics']}=false or --no-semantics)")
    if not target.api_key or not target.org_id:
        pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']}")


def _window(target: Target) -> tuple[float, float]:
    if target.window_start is None or target.window_end is None:
        pytest.skip(
            f"set {ENV['window_start']} and {ENV['window_end']}: a historical window whose usage no longer changes"
        )
    return target.window_start, target.window_end


def _usage(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, start: float, end: float
) -> tuple[Exchange, dict[str, Any]]:
    key, org = str(target.api_key), str(target.org_id)
    return read_usage(ctx, client, org=org, key=key, shown_key=SHOWN_KEY, start=start, end=end)


def test_counts_are_non_negative_integers(
    ctx: CheckContext, client: Client, contract: Contract, target: Target, baseline: Baseline
) -> None:
    exchange, _ = _usage(ctx, client, contract, target, baseline.start, baseline.end)
    check_usage_counts(ctx, exchange)


def test_same_query_same_answer(ctx: CheckContext, client: Client, contract: Contract, target: Target) -> None:
    start, end = _window(target)
    first, a = _usage(ctx, client, contract, target, start, end)
    _, b = _usage(ctx, client, contract, target, start, end)
    problem = idempotence_problem(a, b)
    if problem:
        raise fail(ctx, first, names.IDEMPOTENT, "the same answer to the same query over a historical window", problem)


def test_wider_range_never_gives_less(ctx: CheckContext, client: Client, contract: Contract, target: Target) -> None:
    start, end = _window(target)
    inner = day_boundaries(start, end, most=2)
    if len(inner) < 2:
        pytest.skip("the window spans less than two days")
    _, narrow = _usage(ctx, client, contract, target, inner[0], inner[-1] - 1)
    wide_exchange, wide = _usage(ctx, client, contract, target, start, end)
    problem = monotonicity_problem(narrow, wide)
    if problem:
        raise fail(ctx, wide_exchange, names.MONOTONIC, "a wider range gives at least as much of every figure", problem)


def test_adjacent_ranges_add_up(ctx: CheckContext, client: Client, contract: Contract, target: Target) -> None:
    start, end = _window(target)
    boundaries = day_boundaries(start, end)
    if not boundaries:
        pytest.skip("the window holds no day boundary to split at")
    _, union = _usage(ctx, client, contract, target, start, end)
    for boundary in boundaries:
        left_exchange, left = _usage(ctx, client, contract, target, start, boundary - 1)
        _, right = _usage(ctx, client, contract, target, boundary, end)
        for check, problem in (
            (names.ADDITIVE, additivity_problem(left, right, union)),
            (names.SUMS_EXACT, exact_sum_problem(left, right, union)),
        ):
            if problem:
                raise fail(
                    ctx,
                    left_exchange,
                    check,
                    f"usage before and from {number_text(boundary)} adds up to the whole window",
                    problem,
                )
