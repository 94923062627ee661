"""Usage-specific knowledge: what makes usage figures *make sense*.

A schema says the counts are numbers; the business says more: they are non-negative
integers, a query gives the same answer twice, a wider range never gives less, and two
adjacent day-aligned ranges add up to their union, exactly, however big the sums (counts
past 2**53 included). Usage is counted per UTC day, so two instants of one day give the
same one-instant answer, and a range from and to any instants counts whole days.

These relations must hold over the whole domain, not only in one historical window:
:data:`DOMAIN_SPANS` are ranges near the epoch, across the 1e11 ms mark (where seconds and
milliseconds get confused), across decades, in the far future and as wide as the fuzzer
draws. These are pure functions over parsed response bodies; the suite's semantics tests
feed them real answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "DAY_MS",
    "DOMAIN_SPANS",
    "HOUR_MS",
    "USAGE_OPERATION_ID",
    "Span",
    "additivity_problem",
    "answers_nothing",
    "bracketed_sum_problem",
    "count_problems",
    "counted_at_midnight",
    "counts",
    "day_boundaries",
    "day_start",
    "exact_sum_problem",
    "figures",
    "granularity_instants",
    "idempotence_problem",
    "is_day_granular",
    "monotonicity_problem",
]

USAGE_OPERATION_ID = "getOrganizationUsage"
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def _ms(year: int, month: int = 1, day: int = 1, hour: int = 0) -> int:
    return int(dt.datetime(year, month, day, hour, tzinfo=dt.UTC).timestamp()) * 1000


@dataclass(frozen=True)
class Span:
    """A range ``start``..``end`` split at the UTC midnight ``split`` into two adjacent ranges."""

    label: str
    start: int
    split: int
    end: int


# Starts and ends off midnight where the relation allows it; every split is a midnight.
DOMAIN_SPANS = (
    Span("the first days after the epoch", 0, 5 * DAY_MS, 10 * DAY_MS - 1),
    Span("years before the epoch", _ms(1950, 3, 1, 7), _ms(1960), _ms(1969, 12, 31, 17)),
    Span("across 1e11 ms (March 1973)", _ms(1972, 1, 1, 13), _ms(1973, 6, 1), _ms(1975, 1, 1, 9)),
    Span("across decades", _ms(1999, 6, 15, 13), _ms(2010), _ms(2031, 3, 1, 7)),
    # Days taken in a zone with summer time, not UTC, are an hour off from spring to autumn only.
    Span("a summer", _ms(2024, 6, 3, 13), _ms(2024, 7, 15), _ms(2024, 8, 30, 7)),
    Span("the far future", _ms(2150, 1, 1, 5), _ms(2170), _ms(2199, 12, 31, 22)),
    Span("long after any usage", _ms(3000), _ms(5000), 253402300799999),
    Span("the widest range the fuzzer draws", -62135596800000, _ms(1970), 253402300799999),
    Span("the widest range, split in the future", -62135596800000, _ms(2100), 253402300799999),
)


def day_start(instant: float) -> int:
    """The UTC midnight at or before ``instant`` (epoch ms)."""
    return int(instant // DAY_MS) * DAY_MS


def granularity_instants(day: int) -> list[tuple[str, int]]:
    """Instants of the UTC day starting at ``day`` that a day-granular API answers alike."""
    return [
        ("one millisecond after midnight", day + 1),
        ("just before noon", day + 12 * HOUR_MS - 1),
        ("noon", day + 12 * HOUR_MS),
        ("13:00", day + 13 * HOUR_MS),
        ("the day's last millisecond", day + DAY_MS - 1),
    ]


def is_day_granular(midnight: Mapping[str, Any], whole_day: Mapping[str, Any]) -> bool:
    """A one-instant range at midnight answers the whole day's (non-zero) usage."""
    return bool(whole_day) and dict(midnight) == dict(whole_day) and any(v != 0 for v in whole_day.values())


def counted_at_midnight(after_midnight: Mapping[str, Any]) -> bool:
    """Whether a day-granular API counts a day where a range holds the day's midnight.

    Two readings of "from ``startDate`` to ``endDate``, both inclusive" over usage kept per
    day: a range counts every day it touches (the one-instant range a millisecond after
    midnight answers the whole day), or the day's usage is stamped at its midnight, as daily
    rows often are, and a range counts the days whose midnight it holds (that range answers
    nothing). The contract does not choose; each must hold at every instant of the day.
    """
    return bool(after_midnight) and answers_nothing(after_midnight)


def answers_nothing(figures: Mapping[str, Any]) -> bool:
    """Every usage figure of an answer is zero."""
    return all(value == 0 for value in figures.values())


def _leaves(node: Any) -> Iterator[tuple[str, Any]]:
    """(JSON pointer, value) of every scalar in a parsed body (iteratively: bodies may nest deep)."""
    stack: list[tuple[str, Any]] = [("", node)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, dict):
            stack.extend((f"{path}/{key}", value) for key, value in reversed(current.items()))
        elif isinstance(current, list):
            stack.extend((f"{path}/{index}", value) for index, value in reversed(list(enumerate(current))))
        else:
            yield path, current


def figures(schema: Mapping[str, Any], path: str = "") -> list[str]:
    """JSON pointers of the usage figures: the number properties the success schema documents.

    Undocumented extra properties (a vendor's ``meta``, say) are not usage figures.
    """
    if schema.get("type") in ("number", "integer"):
        return [path]
    found: list[str] = []
    for name, sub in schema.get("properties", {}).items():
        found += figures(sub, f"{path}/{name}")
    return found


def counts(body: Any, pointers: list[str]) -> dict[str, Any]:
    """The figures at ``pointers`` that the body holds (``/data/usageSms`` -> value)."""
    values = dict(_leaves(body))
    return {p: values[p] for p in pointers if p in values}


def count_problems(body: Any, pointers: list[str]) -> list[str]:
    """Figures that are not non-negative integers."""
    problems = []
    for path, value in counts(body, pointers).items():
        number = _number(value)
        if number is None or not number.is_finite():
            continue  # not a number at all: the schema check reports that
        if number < 0:
            problems.append(f"{path} = {_show(value)} is negative")
        elif number != number.to_integral_value():
            problems.append(f"{path} = {_show(value)} is not a whole number")
    return problems


def idempotence_problem(first: Mapping[str, float], second: Mapping[str, float]) -> str | None:
    if dict(first) != dict(second):
        return f"the same query answered {dict(first)} then {dict(second)}"
    return None


def monotonicity_problem(narrow: Mapping[str, float], wide: Mapping[str, float]) -> str | None:
    """A wider range never gives less, figure by figure."""
    for path, value in narrow.items():
        if path in wide and wide[path] < value:
            return f"{path}: the wider range gave {wide[path]!r}, less than {value!r} for the range inside it"
    return None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    return value if isinstance(value, Decimal) else Decimal(value)


def additivity_problem(left: Mapping[str, Any], right: Mapping[str, Any], union: Mapping[str, Any]) -> str | None:
    """Two adjacent ranges add up to their union, figure by figure (to 1e-9 relative)."""
    for path, total in union.items():
        values = [_number(left.get(path, 0)), _number(right.get(path, 0)), _number(total)]
        a, b, whole = values
        if a is None or b is None or whole is None:
            continue
        if abs(a + b - whole) > Decimal("1e-9") * max(Decimal(1), abs(whole)):
            return f"{path}: {_show(left.get(path))} + {_show(right.get(path))} = {_show(a + b)}, but the union gave {_show(total)}"
    return None


def bracketed_sum_problem(
    left: Mapping[str, Any], right: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> str | None:
    """Live usage (the union changed while its halves were read): the halves add up to between the union's two reads.

    Usage that grows while the suite reads it (a range that holds now, a busy tenant) adds
    up only within the readings taken around it: at least the union read before the
    halves, at most the union read after them.
    """
    for path, last in after.items():
        a, b = _number(left.get(path, 0)), _number(right.get(path, 0))
        low, high = _number(before.get(path, 0)), _number(last)
        if a is None or b is None or low is None or high is None:
            continue
        if not min(low, high) <= a + b <= max(low, high):
            return (
                f"{path}: {_show(left.get(path))} + {_show(right.get(path))} = {_show(a + b)}, outside the union read "
                f"before and after them ({_show(before.get(path))} and {_show(last)})"
            )
    return None


def exact_sum_problem(left: Mapping[str, Any], right: Mapping[str, Any], union: Mapping[str, Any]) -> str | None:
    """Whole-number figures add up exactly, however big (no rounding past 2**53)."""
    for path, total in union.items():
        a, b, whole = _number(left.get(path, 0)), _number(right.get(path, 0)), _number(total)
        if a is None or b is None or whole is None or any(v != v.to_integral_value() for v in (a, b, whole)):
            continue
        if a + b != whole:
            return (
                f"{path}: {_show(left.get(path))} + {_show(right.get(path))} = {_show(a + b)} exactly, but the union "
                f"gave {_show(total)} (off by {_show(whole - a - b)})"
            )
    return None


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() and abs(value) < Decimal(10) ** 30 else str(value)
    return repr(value)


def day_boundaries(start: float, end: float, most: int = 3) -> list[int]:
    """Up to ``most`` UTC midnights strictly inside ``(start, end]``, spread over the range."""
    first = int(start // DAY_MS + 1) * DAY_MS
    if first > end:
        return []
    days = int((end - first) // DAY_MS) + 1
    if days <= most:
        return [first + i * DAY_MS for i in range(days)]
    step = days / most
    return sorted({first + int(i * step) * DAY_MS for i in range(most)})
