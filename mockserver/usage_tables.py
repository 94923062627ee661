"""Daily usage per organization, held compactly: the index data mode answers from.

A reader (the YAML data file or a usage CSV) hands over :class:`Columns`: one entry per
input row, in the input's order, as typed arrays. :func:`build_table` sorts them by
organization and day when they are not already, refuses a day listed twice for one
organization, and turns each channel into prefix sums, so :meth:`UsageTable.usage` costs
two binary searches and a subtraction per channel whatever the range. For an organization
whose days follow one another without a gap (the usual export) a day's row is found by
arithmetic instead of a search.

Storage is a handful of arrays whatever the size (four bytes per row for the day, eight
per channel): no Python object per row lives on. That keeps loading fast, and memory
flat in forked workers, which share the arrays' pages with the process that loaded them
(reference counts are written only in the arrays' headers).

Integer channels are summed exactly in signed 64 bits (a reader refuses a total past
``2**63 - 1``); a channel with a fractional value anywhere is held in double precision.
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, count, islice, pairwise
from operator import ge, itemgetter, le, ne, sub
from typing import Any

__all__ = ["Columns", "TableError", "UsageTable", "build_table", "parse_day"]

_EPOCH = dt.date(1970, 1, 1)
_INT64_MAX = (1 << 63) - 1


class TableError(ValueError):
    """A fault in the input rows; ``row`` and ``other`` index the input (``None``: no row)."""

    def __init__(self, problem: str, *, row: int | None = None, column: str | None = None, other: int | None = None):
        super().__init__(problem)
        self.problem, self.row, self.column, self.other = problem, row, column, other


def parse_day(text: str) -> int:
    """Days since 1970-01-01 of a date (``YYYY-MM-DD``) or of a timestamp's UTC date.

    Raises :class:`ValueError` for anything else.
    """
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
    else:
        moment = dt.datetime.fromisoformat(text)
        try:
            day = (moment.astimezone(dt.UTC) if moment.tzinfo else moment).date()
        except OverflowError:  # a UTC date before year 1 or after 9999
            raise ValueError(f"{text!r} falls outside years 1 to 9999 in UTC") from None
    return (day - _EPOCH).days


@dataclass
class Columns:
    """Input rows as columns: row ``i`` is organization ``organizations[org_index[i]]``.

    While the rows come in order (grouped by organization, days rising), each channel is
    held as running totals (``totals[channel][i]`` is the sum of the rows before row ``i``),
    so that rows that come sorted need no other copy. A reader that tells of each batch of
    rows once their organizations and days are in (:meth:`rows_added`) gets, from the first
    batch that breaks the order, each row's count instead (``counts``): the totals so far are
    taken apart once, and :func:`build_table` sorts the counts and sums them, with no
    running totals to undo. Rows by date break the order at the second date's first row
    (the rows of one organization alone, by date, are in order).
    """

    channels: tuple[str, ...]
    organizations: list[str] = field(default_factory=list)
    org_index: array[int] = field(default_factory=lambda: array("i"))
    days: array[int] = field(default_factory=lambda: array("i"))
    totals: dict[str, array[Any]] = field(default_factory=dict)
    counts: dict[str, array[Any]] | None = field(default=None, init=False)  # each row's count, once out of order
    ordered: int = field(default=0, init=False)  # the rows :meth:`rows_added` found in order
    _sums: dict[str, int | float] = field(default_factory=dict, init=False)  # with counts: each channel's total

    def __post_init__(self) -> None:
        for channel in self.channels:
            self.totals.setdefault(channel, array("q", [0]))

    def total(self, channel: str) -> int | float:
        """The sum of ``channel``'s values so far."""
        return self.totals[channel][-1] if self.counts is None else self._sums[channel]

    def add(self, channel: str, values: Iterable[Any]) -> None:
        """Append the next rows' values of ``channel``; :class:`OverflowError` past ``2**63 - 1``."""
        if self.counts is None:
            totals = self.totals[channel]
            running = accumulate(values, initial=totals[-1])
            next(running)  # the total so far, already the last entry
            totals.extend(running)
            return
        counts = self.counts[channel]
        taken = array(counts.typecode, values)
        total = self._sums[channel] + sum(taken)
        if counts.typecode == "q" and total > _INT64_MAX:
            raise OverflowError(f"the total of {channel} passes 2**63 - 1")
        counts.extend(taken)
        self._sums[channel] = total

    def rows_added(self, first: int) -> None:
        """The rows from ``first`` on have their organizations and days, and their counts come next.

        While every row so far is in order, these are checked with the row before them;
        the first that are not turn the running totals into counts.
        """
        if self.counts is not None or self.ordered < first:
            return
        start = max(first - 1, 0)
        if _in_order(self.org_index[start:], self.days[start:]):
            self.ordered = len(self.days)
            return
        self.keep_counts()

    def keep_counts(self) -> None:
        """Keep each row's count from now on, not running totals (those so far are taken apart)."""
        if self.counts is not None:
            return
        self.counts = {}
        for channel in list(self.totals):  # one channel at a time: never every channel held twice
            totals = self.totals.pop(channel)
            self.counts[channel], self._sums[channel] = _unsummed(totals), totals[-1]


@dataclass(frozen=True)
class UsageTable:
    """Each organization's rows, contiguous and sorted by day, with per-channel prefix sums."""

    channels: tuple[str, ...]
    days: array[int]  # UTC day numbers, sorted within each organization's span
    sums: Mapping[str, array[int] | array[float]]  # channel -> prefix sums, len(days) + 1
    spans: Mapping[str, tuple[int, int]]  # organization -> [first row, end row)
    # organization -> its first day, where its rows hold one day after another without a gap
    gapless: Mapping[str, int] = field(default_factory=dict)

    def __contains__(self, organization: object) -> bool:
        return organization in self.spans

    @property
    def rows(self) -> int:
        return len(self.days)

    def usage(self, organization: str, first_day: int, last_day: int) -> dict[str, int | float]:
        """Each channel's total over the days ``first_day..last_day``, both inclusive."""
        start, end = self.rows_between(organization, first_day, last_day)
        return {channel: sums[end] - sums[start] for channel, sums in self.sums.items()}

    def rows_between(self, organization: str, first_day: int, last_day: int) -> tuple[int, int]:
        """The rows ``[start, end)`` of the organization's days ``first_day..last_day``, both inclusive.

        A channel's total over them is ``sums[channel][end] - sums[channel][start]``.
        """
        lo, hi = self.spans[organization]
        first = self.gapless.get(organization)
        if first is None:
            start = bisect_left(self.days, first_day, lo, hi)
            return start, bisect_right(self.days, last_day, start, hi)
        # Row lo + n holds day first + n: the offsets, held within the span.
        size = hi - lo
        start = first_day - first
        start = 0 if start < 0 else size if start > size else start
        end = last_day - first + 1
        end = start if end < start else size if end > size else end
        return lo + start, lo + end


def build_table(columns: Columns, *, also: Iterable[str] = ()) -> UsageTable:
    """The table of ``columns``; ``also`` names organizations that exist without rows."""
    org_index, days, gather = columns.org_index, columns.days, None
    if not (columns.ordered == len(days) or _in_order(org_index, days)):
        gather, org_index, days = _sorted(columns)
    if columns.counts is None and gather is None:
        sums = {channel: columns.totals[channel] for channel in columns.channels}  # in order: the prefix sums
    else:
        counts = columns.counts
        if counts is None:  # out of order, but summed as they came: taken apart first
            counts = {channel: _unsummed(totals) for channel, totals in columns.totals.items()}
        sums = {}
        for channel in columns.channels:
            try:
                sums[channel] = _prefix_sums(counts[channel], gather)
            except OverflowError:  # only with counts below 0, which no reader gives
                raise TableError(f"a running total of {channel} passes 2**63 - 1", column=channel) from None
    spans: dict[str, tuple[int, int]] = {}
    start = 0
    for end in chain(_run_starts(org_index), [len(org_index)] if org_index else []):
        spans[columns.organizations[org_index[start]]] = (start, end)
        start = end
    for organization in also:
        spans.setdefault(organization, (0, 0))
    # Days rise strictly within an organization (_in_order; _sorted refuses a repeat).
    gapless = {org: days[lo] for org, (lo, hi) in spans.items() if hi > lo and days[hi - 1] - days[lo] == hi - lo - 1}
    return UsageTable(columns.channels, days, sums, spans, gapless)


def _run_starts(org_index: array[int]) -> Iterator[int]:
    """The rows where the organization changes."""
    return compress(count(1), map(ne, org_index, islice(org_index, 1, None)))


def _in_order(org_index: array[int], days: array[int], *, grouped: bool = False) -> bool:
    """Rows grouped by organization (indexes are given in order of first sight), days rising in each.

    ``grouped``: the rows are known to be grouped, only the days are checked.
    """
    if not grouped and not all(map(le, org_index, islice(org_index, 1, None))):
        return False
    starts = set(_run_starts(org_index))
    # Every row whose day is not after the previous row's must start an organization.
    return all(map(starts.__contains__, compress(count(1), map(ge, days, islice(days, 1, None)))))


def _sorted(columns: Columns) -> tuple[itemgetter[Any], array[int], array[int]]:
    """What takes a column's rows by organization and day, and the organizations and days so taken.

    A day twice for one organization is refused. Only called for two rows or more (one row
    is in order), so the getter returns tuples.
    """
    org_index, days = columns.org_index, columns.days
    if all(map(le, days, islice(days, 1, None))):  # rows by date, as such exports come: in order already
        order = list(range(len(days)))
    else:
        order = sorted(range(len(days)), key=days.__getitem__)
    order.sort(key=org_index.__getitem__)  # stable: by organization, then date, then input order
    gather = itemgetter(*order)
    sorted_orgs, sorted_days = array("i", gather(org_index)), array("i", gather(days))
    if not _in_order(sorted_orgs, sorted_days, grouped=True):
        at = next(
            i for i, pair in enumerate(pairwise(zip(sorted_orgs, sorted_days, strict=True))) if pair[0] == pair[1]
        )
        previous, row = order[at], order[at + 1]
        organization = columns.organizations[org_index[row]]
        day = _EPOCH + dt.timedelta(days=days[row])
        raise TableError(f"organization {organization!r} has two rows for {day}", row=row, other=previous)
    return gather, sorted_orgs, sorted_days


def _unsummed(totals: array[Any]) -> array[Any]:
    """Each row's count, from running totals."""
    return array(totals.typecode, map(sub, islice(totals, 1, None), totals))


def _prefix_sums(counts: array[Any], gather: itemgetter[Any] | None) -> array[Any]:
    """Running totals of ``counts``, of the rows taken by ``gather`` (``None``: as they are)."""
    # Within 64 bits when every count is 0 or more: none passes their total (Columns.add).
    return array(counts.typecode, accumulate(counts if gather is None else gather(counts), initial=0))
