"""The daily usage a YAML data file lists (``organizations[].usage``), as a usage table.

Each row keeps the JSON pointer of its place in the file, so a fault found while the table
is built (a day twice for one organization, a total past ``2**63 - 1``) names it. Counts
are numbers of 0 or more (the data file's schema says so); a channel with a fractional
count anywhere is summed in double precision, the others exactly in 64 bits.
"""

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

from mockserver.errors import DataError
from mockserver.usage_tables import Columns, TableError, UsageTable, build_table, parse_day
from usage_contract_kit.errors import pointer

__all__ = ["yaml_table"]

_INT64_MAX = (1 << 63) - 1


def yaml_table(organizations: list[dict[str, Any]], channels: tuple[str, ...], *, source: str) -> UsageTable:
    """The table of the daily usage ``organizations`` list (already checked against the data file's schema)."""
    columns = Columns(channels, organizations=[org["id"] for org in organizations])
    values: dict[str, list[int | float]] = {channel: [] for channel in channels}
    places: list[str] = []  # the JSON pointer of each row
    for index, org in enumerate(organizations):
        at = pointer("organizations", index)
        days: list[tuple[int, str, dict[str, Any]]] = []
        for date, usage in (org.get("usage") or {}).items():
            where = f"{at}{pointer('usage', date)}"
            unknown = set(usage) - set(channels)
            if unknown:
                raise DataError(
                    source,
                    where,
                    f"channel {sorted(unknown)[0]!r} is not a number in the documented response; "
                    f"channels: {', '.join(channels)}",
                )
            try:
                days.append((parse_day(date), where, usage))
            except ValueError:
                raise DataError(source, where, f"{date!r} is not a date (YYYY-MM-DD)") from None
        days.sort(key=lambda entry: entry[0])  # in order, so fractional sums need no second pass
        for day, where, usage in days:
            columns.org_index.append(index)
            columns.days.append(day)
            for channel in channels:
                values[channel].append(usage.get(channel, 0))
            places.append(where)
    for channel, numbers in values.items():
        whole = all(isinstance(number, int) for number in numbers)
        try:
            columns.totals[channel] = array("q" if whole else "d", accumulate(numbers, initial=0))
        except OverflowError:
            row = next(row for row, total in enumerate(accumulate(numbers)) if total > _INT64_MAX)
            problem = "over 2**63 - 1, the most a count may be"
            if numbers[row] <= _INT64_MAX:
                problem = f"the total of {channel} up to here passes 2**63 - 1, the most a 64-bit sum holds exactly"
            raise DataError(source, f"{places[row]}/{channel}", problem) from None
    try:
        return build_table(columns, also=columns.organizations)
    except TableError as exc:
        where = places[exc.row] if exc.row is not None else ""
        also = f" (the other at {places[exc.other]})" if exc.other is not None else ""
        raise DataError(source, where, exc.problem + also) from None
