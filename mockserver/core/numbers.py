"""Numbers for a schema: within its bounds, exclusive ones too (OpenAPI 3.0's boolean form
and 3.1's number form), a multiple of ``multipleOf``, within ``int32`` where that is the
format. Whole numbers where the bounds allow them: valid ``number`` values that read
naturally; a fixed value is the lowest allowed (or 0).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

__all__ = ["number_value"]


def _bound(schema: Mapping[str, Any], name: str, exclusive: str) -> tuple[float | None, bool]:
    """A bound and whether it is exclusive (OpenAPI 3.0's boolean form and 3.1's number form)."""
    value = schema.get(name)
    flag = schema.get(exclusive)
    if isinstance(flag, (int, float)) and not isinstance(flag, bool):
        return flag, True
    return value, flag is True


def number_value(schema: Mapping[str, Any], rng: random.Random, *, integer: bool, static: bool) -> int | float | None:
    """A number within the schema's bounds (exclusive ones too) and ``multipleOf``; ``None`` if none fits."""
    low, low_open = _bound(schema, "minimum", "exclusiveMinimum")
    high, high_open = _bound(schema, "maximum", "exclusiveMaximum")
    if schema.get("format") == "int32":
        low = max(low, -(2**31)) if low is not None else None
        high = min(high, 2**31 - 1) if high is not None else None
    step = schema.get("multipleOf") or (1 if integer else None)
    if step is not None:
        first = _first_multiple(low, low_open, step, default=0 if high is None or high >= 0 else high - 1000)
        last = _last_multiple(high, high_open, step, default=first + 1000 * step)
        if last < first:
            return None
        count = round((last - first) / step)
        k = 0 if static else rng.randint(0, min(count, 1000))
        value = first + k * step
        if isinstance(step, float) or isinstance(first, float):
            digits = max(0, -int(f"{step:e}".split("e")[1])) + 2
            return round(float(value), digits)
        return int(value)
    start = low if low is not None else (min(0.0, high - 1000) if high is not None else 0.0)
    end = high if high is not None else start + 1000
    if float(start).is_integer() and float(end).is_integer():
        # Whole numbers where the bounds allow them: valid numbers, and they read naturally.
        first, last = int(start) + int(low_open), int(end) - int(high_open)
        if first <= last:
            return first if static else rng.randint(first, min(last, first + 1000))
    value = start + (end - start) / 2 if static else round(rng.uniform(start, end), 2)
    if (low_open and value <= start) or (high_open and value >= end) or not start <= value <= end:
        value = start + (end - start) / 2
    return value


def _first_multiple(low: float | None, open_: bool, step: float, *, default: float) -> float:
    if low is None:
        return (default // step) * step if default else 0
    k = -(-low // step)
    if open_ and k * step <= low:
        k += 1
    return k * step


def _last_multiple(high: float | None, open_: bool, step: float, *, default: float) -> float:
    if high is None:
        return default
    k = high // step
    if open_ and k * step >= high:
        k -= 1
    return k * step
