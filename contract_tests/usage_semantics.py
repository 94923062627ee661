"""Usage-specific knowledge: what makes usage figures *make sense*.

A schema says the counts are numbers; the business says more: they are non-negative
integers, a query gives the same answer twice, a wider range never gives less, and two
adjacent day-aligned ranges add up to their union. These are pure functions over parsed
response bodies; the suite's semantics tests feed them real answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "DAY_MS",
    "USAGE_OPERATION_ID",
    "additivity_problem",
    "count_problems",
    "counts",
    "day_boundaries",
    "figures",
    "idempotence_problem",
    "monotonicity_problem",
]

USAGE_OPERATION_ID = "getOrganizationUsage"
DAY_MS = 86_400_000


def _leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, f"{path}/{index}")
    else:
        yield path, node


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
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue  # not a number at all: the schema check reports that
        if value < 0:
            problems.append(f"{path} = {value!r} is negative")
        elif isinstance(value, float) and not value.is_integer():
            problems.append(f"{path} = {value!r} is not a whole number")
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


def additivity_problem(left: Mapping[str, float], right: Mapping[str, float], union: Mapping[str, float]) -> str | None:
    """Two adjacent ranges add up to their union, figure by figure."""
    for path, total in union.items():
        parts = left.get(path, 0) + right.get(path, 0)
        if abs(parts - total) > 1e-9 * max(1.0, abs(total)):
            return f"{path}: {left.get(path)!r} + {right.get(path)!r} = {parts!r}, but the union gave {total!r}"
    return None


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
