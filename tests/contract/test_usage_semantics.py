from __future__ import annotations

import pytest

from contract_tests.usage_semantics import (
    DAY_MS,
    additivity_problem,
    count_problems,
    counts,
    day_boundaries,
    figures,
    idempotence_problem,
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
