from __future__ import annotations

from decimal import Decimal

import pytest

from contract_tests.core.usage_semantics import (
    DAY_MS,
    DOMAIN_SPANS,
    additivity_problem,
    bracketed_sum_problem,
    count_problems,
    counted_at_midnight,
    counts,
    day_boundaries,
    day_start,
    exact_sum_problem,
    figures,
    granularity_instants,
    idempotence_problem,
    is_day_granular,
    monotonicity_problem,
)

SCHEMA = {
    "type": "object",
    "properties": {"data": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}},
}
FIGURES = figures(SCHEMA)


def test_figures_come_from_the_schema() -> None:
    assert FIGURES == ["/data/a", "/data/b"]
    assert counts({"data": {"a": 1, "b": 2, "x": 3.5}, "meta": {"n": -1}}, FIGURES) == {"/data/a": 1, "/data/b": 2}


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ({"data": {"a": 0, "b": 2.0}}, []),
        ({"data": {"a": -1, "b": 2}}, ["/data/a = -1 is negative"]),
        ({"data": {"a": 1.5, "b": 2}}, ["/data/a = 1.5 is not a whole number"]),
        ({"data": {"a": "1", "b": 2}}, []),
        ({"data": {"a": 1, "b": 1}, "meta": {"ratio": 0.5}}, []),
    ],
)
def test_count_problems(body: dict[str, object], problems: list[str]) -> None:
    assert count_problems(body, FIGURES) == problems


def test_relations() -> None:
    assert idempotence_problem({"/a": 1}, {"/a": 1}) is None
    assert idempotence_problem({"/a": 1}, {"/a": 2}) is not None
    assert monotonicity_problem({"/a": 1}, {"/a": 1}) is None
    assert monotonicity_problem({"/a": 2}, {"/a": 1}) is not None
    assert additivity_problem({"/a": 1}, {"/a": 2}, {"/a": 3}) is None
    assert additivity_problem({"/a": 1}, {"/a": 2}, {"/a": 4}) is not None
    assert additivity_problem({"/a": 0.1}, {"/a": 0.2}, {"/a": 0.3}) is None


@pytest.mark.parametrize(
    ("left", "right", "before", "after", "adds_up"),
    [
        (4, 6, 9, 12, True),  # usage grew while the halves were read
        (4, 6, 10, 10, True),
        (4, 6, 11, 14, False),  # less than the union read before: a day lost
        (5, 6, 9, 10, False),  # more than the union read after: a day counted twice
        (4, 6, 12, 9, True),  # a correction between the reads: judged between the two, either way
    ],
)
def test_live_usage_adds_up_between_the_unions_two_reads(
    left: int, right: int, before: int, after: int, adds_up: bool
) -> None:
    problem = bracketed_sum_problem({"/a": left}, {"/a": right}, {"/a": before}, {"/a": after})
    assert (problem is None) is adds_up, problem


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, DAY_MS - 1, []),
        (0, DAY_MS, [DAY_MS]),
        (5, 3 * DAY_MS, [DAY_MS, 2 * DAY_MS, 3 * DAY_MS]),
        (0, 10 * DAY_MS, [DAY_MS, 4 * DAY_MS, 7 * DAY_MS]),
        (DAY_MS, 2 * DAY_MS, [2 * DAY_MS]),
    ],
)
def test_day_boundaries(start: int, end: int, expected: list[int]) -> None:
    assert day_boundaries(start, end) == expected


BIG = 2**53


@pytest.mark.parametrize(
    ("left", "right", "union", "tolerant", "exact"),
    [
        ({"/a": 1}, {"/a": 2}, {"/a": 3}, True, True),
        ({"/a": BIG}, {"/a": 1}, {"/a": BIG + 1}, True, True),
        ({"/a": BIG}, {"/a": 1}, {"/a": BIG}, True, False),  # a float's rounding: only exactness sees it
        ({"/a": Decimal("1.0")}, {"/a": 2}, {"/a": Decimal("3.0")}, True, True),  # whole numbers written as floats
        ({"/a": 1}, {"/a": 2}, {"/a": 4}, False, False),
        ({"/a": 0.1}, {"/a": 0.2}, {"/a": 0.3}, True, True),  # not whole numbers: only the tolerant rule applies
        ({"/a": "x"}, {"/a": 2}, {"/a": 4}, True, True),  # not numbers: the schema check reports those
    ],
)
def test_additivity_tolerant_and_exact(
    left: dict[str, object], right: dict[str, object], union: dict[str, object], tolerant: bool, exact: bool
) -> None:
    assert (additivity_problem(left, right, union) is None) is tolerant
    assert (exact_sum_problem(left, right, union) is None) is exact


def test_domain_spans_split_at_midnight_inside_the_range() -> None:
    assert len(DOMAIN_SPANS) >= 7
    for span in DOMAIN_SPANS:
        assert span.start < span.split <= span.end, span.label
        assert span.split % DAY_MS == 0, span.label
    assert any(span.start == 0 for span in DOMAIN_SPANS)  # near the epoch
    assert any(span.start < 0 for span in DOMAIN_SPANS)  # before it
    assert any(span.start < 1e11 < span.end for span in DOMAIN_SPANS)  # across seconds-or-milliseconds


def test_granularity() -> None:
    day = day_start(1735700000000)
    assert day == 1735689600000
    assert day_start(-1) == -DAY_MS
    instants = dict(granularity_instants(day))
    assert all(day < t < day + DAY_MS for t in instants.values())
    assert instants["noon"] == day + DAY_MS // 2
    assert is_day_granular({"/a": 5}, {"/a": 5})
    assert not is_day_granular({"/a": 0}, {"/a": 5})  # a millisecond-granular API
    assert not is_day_granular({"/a": 0}, {"/a": 0})  # no usage that day: nothing to infer from


@pytest.mark.parametrize(
    ("after_midnight", "at_midnight"),
    [
        ({"/a": 0, "/b": 0}, True),  # daily rows stamped 00:00: the range a millisecond later holds none
        ({"/a": 0.0}, True),
        ({"/a": 5, "/b": 0}, False),  # every day the range touches counts whole
        ({}, False),
    ],
)
def test_which_reading_of_a_day_granular_range(after_midnight: dict[str, float], at_midnight: bool) -> None:
    assert counted_at_midnight(after_midnight) is at_midnight
