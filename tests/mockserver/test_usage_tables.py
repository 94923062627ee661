"""The compact usage index: order, spans, prefix sums, refusals."""

from __future__ import annotations

import datetime as dt
import random
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import pytest

from mockserver.usage_tables import Columns, TableError, build_table, parse_day

CHANNELS = ("a", "b")
D = (dt.date(2025, 1, 1) - dt.date(1970, 1, 1)).days  # 2025-01-01 as a day number


def _columns(rows: Sequence[tuple[str, int, int, int | float]]) -> Columns:
    """Columns of (organization, day, a, b) rows, organizations indexed in order of first sight."""
    columns = Columns(CHANNELS)
    if any(isinstance(b, float) for *_, b in rows):
        columns.totals["b"] = array("d", [0.0])
    for org, day, a, b in rows:
        if org not in columns.organizations:
            columns.organizations.append(org)
        columns.org_index.append(columns.organizations.index(org))
        columns.days.append(day)
        columns.add("a", [a])
        columns.add("b", [b])
    return columns


ROWS = [("o1", D, 1, 10), ("o1", D + 1, 2, 20), ("o1", D + 4, 4, 40), ("o2", D, 100, 0), ("o2", D + 1, 200, 0)]


@pytest.mark.parametrize(
    ("org", "first", "last", "expected"),
    [
        ("o1", D, D, {"a": 1, "b": 10}),
        ("o1", D, D + 1, {"a": 3, "b": 30}),
        ("o1", D + 2, D + 3, {"a": 0, "b": 0}),  # a gap between rows
        ("o1", D - 100, D + 100, {"a": 7, "b": 70}),
        ("o1", D + 5, D + 9, {"a": 0, "b": 0}),  # after the last row
        ("o1", D - 9, D - 1, {"a": 0, "b": 0}),  # before the first row
        ("o2", D, D + 1, {"a": 300, "b": 0}),  # the next organization's rows only
        ("o2", -(10**300), 10**300, {"a": 300, "b": 0}),  # any day number a request can give
        ("o3", D, D + 1, {"a": 0, "b": 0}),  # listed, without rows
    ],
    ids=["one day", "two days", "gap", "around", "after", "before", "second org", "huge range", "no rows"],
)
def test_usage_over_ranges(org: str, first: int, last: int, expected: dict[str, int]) -> None:
    table = build_table(_columns(ROWS), also=["o3"])
    assert table.usage(org, first, last) == expected


def _answers(rows: Sequence[tuple[str, int, int, int | float]]) -> dict[tuple[str, int, int], dict[str, int | float]]:
    table = build_table(_columns(rows))
    days = range(D - 1, D + 6)
    return {
        (org, first, last): table.usage(org, first, last) for org in ("o1", "o2") for first in days for last in days
    }


def test_rows_in_any_order_give_the_same_answers() -> None:
    expected = _answers(ROWS)
    for seed in range(5):
        shuffled = ROWS[:]
        random.Random(seed).shuffle(shuffled)
        assert _answers(shuffled) == expected, shuffled
    day_major = [ROWS[0], ROWS[3], ROWS[1], ROWS[4], ROWS[2]]  # as exports ordered by date are
    assert _answers(day_major) == expected


def test_storage_is_compact_and_spans_are_contiguous() -> None:
    table = build_table(_columns(ROWS), also=["o3", "o1"])
    assert table.days.typecode == "i"
    assert {s.typecode for s in table.sums.values()} == {"q"}
    assert dict(table.spans) == {"o1": (0, 3), "o2": (3, 5), "o3": (0, 0)}
    assert list(table.sums["a"]) == [0, 1, 3, 7, 107, 307]
    assert "o3" in table
    assert "o4" not in table
    assert table.rows == 5


def test_fractional_channels_are_held_in_double_precision() -> None:
    table = build_table(_columns([("o1", D, 1, 0.5), ("o1", D + 1, 2, 0.25)]))
    assert (table.sums["a"].typecode, table.sums["b"].typecode) == ("q", "d")
    assert table.usage("o1", D, D + 1) == {"a": 3, "b": 0.75}


def test_integer_sums_are_exact_past_double_precision() -> None:
    big = 2**62  # not representable after adding 1 in a double
    table = build_table(_columns([("o1", D, big, 0), ("o1", D + 1, 1, 0)]))
    assert table.usage("o1", D, D + 1)["a"] == big + 1


def test_columns_hold_running_totals_and_refuse_one_past_int64() -> None:
    columns = Columns(CHANNELS)
    columns.add("a", [5, 7])
    columns.add("a", iter([1]))
    assert list(columns.totals["a"]) == [0, 5, 12, 13]
    columns.add("a", [2**63 - 14])  # the most a total may be
    assert columns.totals["a"][-1] == 2**63 - 1
    with pytest.raises(OverflowError):
        columns.add("a", [1])


def test_rows_added_without_being_told_are_not_taken_for_in_order() -> None:
    columns = _columns([ROWS[1], ROWS[0]])  # out of order, added without rows_added
    columns.org_index.append(0)
    columns.days.append(D + 9)
    columns.rows_added(2)  # only the last row is told of: in order after the one before it
    columns.add("a", [8])
    columns.add("b", [80])
    assert (columns.ordered, columns.counts) == (0, None)
    assert build_table(columns).usage("o1", D, D + 9) == {"a": 11, "b": 110}


@pytest.mark.parametrize(
    ("rows", "row", "other"),
    [
        ([("o1", D, 1, 1), ("o1", D, 2, 2)], 1, 0),
        ([("o1", D, 1, 1), ("o2", D, 1, 1), ("o1", D + 1, 1, 1), ("o1", D, 2, 2)], 3, 0),
    ],
    ids=["adjacent", "apart"],
)
def test_a_day_twice_for_one_organization_is_refused(
    rows: list[tuple[str, int, int, int]], row: int, other: int
) -> None:
    with pytest.raises(TableError) as info:
        build_table(_columns(rows))
    assert (info.value.row, info.value.other) == (row, other)
    assert info.value.problem == "organization 'o1' has two rows for 2025-01-01"


def test_an_empty_table_knows_only_the_listed_organizations() -> None:
    table = build_table(Columns(CHANNELS), also=["o1"])
    assert table.usage("o1", 0, 10**6) == {"a": 0, "b": 0}
    assert table.rows == 0


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1970-01-01", 0),
        ("2025-01-01", D),
        ("1969-12-31", -1),
        ("2025-01-01T23:59:59", D),
        ("2025-01-01 10:00:00", D),
        ("2025-01-01T23:30:00-01:00", D + 1),  # the UTC date is taken
        ("2025-01-02T00:30:00+01:00", D),
    ],
)
def test_parse_day(text: str, day: int) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    "text", ["", "2025-13-01", "2025-02-30", "yesterday", "01/02/2025", "2025-1-1", "0001-01-01T00:00:00+01:00"]
)
def test_parse_day_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the date parser's own messages vary; any ValueError is a refusal
        parse_day(text)


@pytest.mark.parametrize(
    "days",
    [[D], [D, D + 1, D + 2], [D, D + 2], [D, D + 1, D + 3, D + 4], list(range(D, D + 40)), [D - 5, D + 30]],
    ids=["one day", "no gap", "one gap", "a gap inside", "forty days", "far apart"],
)
def test_rows_found_by_arithmetic_or_search_are_the_same(days: list[int]) -> None:
    """An organization without a gap is answered by arithmetic; every range gives the rows a search gives."""
    rows = [("o0", D - 50, 1, 1), *(("o1", day, 1, 1) for day in days), ("o2", D + 99, 1, 1)]
    table = build_table(_columns(rows))
    gapless = days[-1] - days[0] == len(days) - 1
    assert ("o1" in table.gapless) == gapless
    lo, hi = table.spans["o1"]
    for first in range(days[0] - 3, days[-1] + 4):
        for last in range(first - 2, days[-1] + 4):
            start = bisect_left(table.days, first, lo, hi)
            assert table.rows_between("o1", first, last) == (start, bisect_right(table.days, last, start, hi))
    assert table.rows_between("o1", -(10**300), 10**300) == (lo, hi)
