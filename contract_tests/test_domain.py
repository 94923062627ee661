"""Usage semantics over the whole domain, for each tenant, not only in one window.

Ranges near the epoch, before it, across the 1e11 ms mark (where seconds and milliseconds
get confused), over decades, in the far future and as wide as the fuzzer draws must add up
exactly (big sums included) and never shrink when widened; usage is counted per UTC day.
A relation fails only when it fails twice in a row: a live target's usage may change
between two reads, a defect does not go away.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from contract_tests.core import names
from contract_tests.core.checks import CheckContext, fail
from contract_tests.core.exchange import Exchange
from contract_tests.core.settings import ENV, Target
from contract_tests.core.usage_semantics import (
    DAY_MS,
    DOMAIN_SPANS,
    HOUR_MS,
    Span,
    additivity_problem,
    answers_nothing,
    bracketed_sum_problem,
    counted_at_midnight,
    day_start,
    exact_sum_problem,
    granularity_instants,
    is_day_granular,
    monotonicity_problem,
)
from contract_tests.core.variants import Baseline, number_text
from contract_tests.sending import read_usage
from contract_tests.transport.client import Client

_TENANTS = ("configured", "other")
Problem = tuple[Exchange, str, str, str]  # exchange, check, expected, what came back
Reader = Callable[[float, float], tuple[Exchange, dict[str, Any]]]


@pytest.fixture(autouse=True)
def _semantics_on(target: Target) -> None:
    if not target.semantics:
        pytest.skip(f"usage semantics are switched off ({ENV['semantics']}=false or --no-semantics)")


@pytest.fixture(params=_TENANTS)
def read(request: pytest.FixtureRequest, target: Target, ctx: CheckContext, client: Client) -> Reader:
    """Reads one tenant's usage over a range: the configured key, or the other tenant's."""
    if request.param == "configured":
        if not target.api_key or not target.org_id:
            pytest.skip(f"set {ENV['api_key']} and {ENV['org_id']}")
        key, org, shown = target.api_key, target.org_id, f"${ENV['api_key']}"
    else:
        if not target.other_api_key or not target.other_org_id:
            pytest.skip(
                f"set {ENV['other_api_key']} and {ENV['other_org_id']}: the other tenant's usage is checked too"
            )
        key, org, shown = target.other_api_key, target.other_org_id, f"${ENV['other_api_key']}"

    def reader(start: float, end: float) -> tuple[Exchange, dict[str, Any]]:
        return read_usage(ctx, client, org=org, key=key, shown_key=shown, start=start, end=end)

    return reader


def _twice(ctx: CheckContext, attempt: Callable[[], Problem | None]) -> None:
    """Fail with the problem only when a second attempt finds one too."""
    if attempt() is None:
        return
    problem = attempt()
    if problem is not None:
        exchange, check, expected, got = problem
        raise fail(ctx, exchange, check, expected, got)


@pytest.mark.parametrize("span", DOMAIN_SPANS, ids=[span.label for span in DOMAIN_SPANS])
def test_ranges_add_up_across_the_domain(span: Span, read: Reader, ctx: CheckContext) -> None:
    def attempt() -> Problem | None:
        _, before = read(span.start, span.end)
        left_exchange, left = read(span.start, span.split - 1)
        _, right = read(span.split, span.end)
        union_exchange, union = read(span.start, span.end)
        where = f"{span.label}: {number_text(span.start)}..{number_text(span.end)} split at {number_text(span.split)}"
        # Usage that changed while the halves were read (live usage in the span) is judged between the two reads.
        live = dict(before) != dict(union)
        for check, problem in (
            (names.MONOTONIC, monotonicity_problem(left, union)),
            (names.MONOTONIC, monotonicity_problem(right, union)),
            (names.ADDITIVE, bracketed_sum_problem(left, right, before, union) if live else None),
            (names.ADDITIVE, None if live else additivity_problem(left, right, union)),
            (names.SUMS_EXACT, None if live else exact_sum_problem(left, right, union)),
        ):
            if problem:
                expected = f"adjacent ranges add up exactly to their union, which is never less ({where})"
                return union_exchange if check != names.ADDITIVE else left_exchange, check, expected, problem
        return None

    _twice(ctx, attempt)


def test_a_range_ending_at_zero_is_inside_a_wider_one(read: Reader, ctx: CheckContext) -> None:
    """An end at 0 exactly is the epoch, not "no end" (``endDate || now``): never more than a range around it."""
    start, end = -5 * DAY_MS - 13 * HOUR_MS, 5 * DAY_MS + 7 * HOUR_MS

    def attempt() -> Problem | None:
        exchange, narrow = read(start, 0)
        _, wide = read(start, end)
        problem = monotonicity_problem(narrow, wide)
        if problem is None:
            return None
        expected = f"the range {number_text(start)}..0 gives no more than {number_text(start)}..{number_text(end)}"
        return exchange, names.MONOTONIC, expected, problem

    _twice(ctx, attempt)


def test_usage_is_counted_per_utc_day(read: Reader, ctx: CheckContext, baseline: Baseline) -> None:
    """Infer the granularity, then check instants and ranges that are not midnights."""
    day = day_start(baseline.start)
    _twice(ctx, partial(_adds_up_at_midnight, read, day))
    _, whole = read(day, day + DAY_MS - 1)
    _, midnight = read(day, day)
    _, after_midnight = read(day + 1, day + 1)
    # Per day if an instant of the day answers the whole day's usage: midnight, or a millisecond
    # after it (an end at midnight read as exclusive leaves the first of them empty).
    if not (is_day_granular(midnight, whole) or is_day_granular(after_midnight, whole)):
        _twice(ctx, partial(_adds_up_within_the_day, read, day))
        return
    if counted_at_midnight(after_midnight):  # daily rows stamped at midnight: a range counts the midnights it holds
        for label, instant in granularity_instants(day):
            _twice(ctx, partial(_nothing_off_midnight, read, instant, label))
        _twice(ctx, partial(_off_midnight_range, read, day, True))
        return
    for label, instant in [("midnight", day), *granularity_instants(day)]:
        _twice(ctx, partial(_same_as_whole_day, read, day, instant, label))
    _twice(ctx, partial(_off_midnight_range, read, day, False))


def _same_as_whole_day(read: Reader, day: int, instant: int, label: str) -> Problem | None:
    _, whole = read(day, day + DAY_MS - 1)
    exchange, one = read(instant, instant)
    if dict(one) == dict(whole):
        return None
    return (
        exchange,
        names.DAY_GRANULARITY,
        f"usage is counted per UTC day: the one-instant range at {label} ({number_text(instant)}) answers like "
        "the whole day, as another instant of the day does",
        f"{dict(one)}, but the whole day gave {dict(whole)}",
    )


def _off_midnight_range(read: Reader, day: int, at_midnight: bool) -> Problem | None:
    """A range from 13:00 to 07:00 five days on counts the days it touches, or those whose midnight it holds."""
    start, end = day + 13 * HOUR_MS, day + 5 * DAY_MS + 7 * HOUR_MS
    exchange, off = read(start, end)
    _, days = read(day + DAY_MS if at_midnight else day, day + 6 * DAY_MS - 1)
    if dict(off) == dict(days):
        return None
    which, how = ("five days", "whose midnight it holds") if at_midnight else ("six whole days", "it touches")
    return (
        exchange,
        names.DAY_GRANULARITY,
        f"a range from 13:00 to 07:00 ({number_text(start)}..{number_text(end)}) counts the {which} {how}",
        f"{dict(off)}, but the {which} gave {dict(days)}",
    )


def _nothing_off_midnight(read: Reader, instant: int, label: str) -> Problem | None:
    exchange, one = read(instant, instant)
    if answers_nothing(one):
        return None
    return (
        exchange,
        names.DAY_GRANULARITY,
        f"usage is counted per UTC day at its midnight: the one-instant range at {label} ({number_text(instant)}) "
        "holds no midnight and answers nothing, as the one a millisecond after midnight does",
        f"{dict(one)}",
    )


def _adds_up(read: Reader, start: int, split: int, end: int, what: str) -> Problem | None:
    """``start..split-1`` and ``split..end`` add up to ``start..end``."""
    left_exchange, left = read(start, split - 1)
    _, right = read(split, end)
    _, union = read(start, end)
    problem = additivity_problem(left, right, union)
    return None if problem is None else (left_exchange, names.ADDITIVE, what, problem)


def _adds_up_at_midnight(read: Reader, day: int) -> Problem | None:
    """A range ending exactly at a midnight is its part before plus the one-instant range at that midnight."""
    start = day - 11 * HOUR_MS
    what = (
        f"a range ending at midnight ({number_text(start)}..{number_text(day)}) adds up to the part before "
        "midnight and the one-instant range at it: an end at midnight is inclusive too"
    )
    return _adds_up(read, start, day, day, what)


def _adds_up_within_the_day(read: Reader, day: int) -> Problem | None:
    split = day + 13 * HOUR_MS
    what = f"a day split at 13:00 ({number_text(split)}) adds up to the whole day"
    return _adds_up(read, day, split, day + DAY_MS - 1, what)
