"""The usage data every implementation under ``tests/contract/`` serves, in closed form.

Two organizations have usage on every day from 1900 to 2199 (so ranges near the epoch,
before it, across decades and in the far future all have usage), with a daily figure per
channel that repeats every 97 days. Sums over any range cost O(1): a prefix sum of a
periodic sequence is (whole periods) x (one period's sum) + (a precomputed partial sum).

``org_alpha`` has moderate figures, but its ``usageSage`` passes 2**31 over a couple of
years (a 32-bit counter wraps there, not in one historical year); ``org_beta`` has very
large daily figures, so that its totals pass 2**53 over a few years (a float loses
exactness there, not in one year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

__all__ = [
    "CHANNELS",
    "DAY_MS",
    "KEY",
    "MISSING_ORG",
    "ORG",
    "OTHER_KEY",
    "OTHER_ORG",
    "READS",
    "SUPPORT",
    "WINDOW",
    "daily",
    "day_of",
    "total",
]

KEY = "idt_live_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"
OTHER_KEY = "idt_live_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp"
ORG, OTHER_ORG, MISSING_ORG = "org_alpha", "org_beta", "org_missing"
READS = {KEY: frozenset({ORG}), OTHER_KEY: frozenset({OTHER_ORG})}
CHANNELS = ("usageSms", "usageWhatsapp", "usageEmail", "usageSage")
DAY_MS = 86_400_000
_EPOCH = dt.date(1970, 1, 1)
SUPPORT = ((dt.date(1900, 1, 1) - _EPOCH).days, (dt.date(2200, 1, 1) - _EPOCH).days)  # days with usage: [lo, hi)
_FIRST_2025 = (dt.date(2025, 1, 1) - _EPOCH).days
WINDOW = (_FIRST_2025 * DAY_MS, (_FIRST_2025 + 59) * DAY_MS - 1)  # Jan-Feb 2025, historical
_PERIOD = 97


@dataclass(frozen=True)
class _Channel:
    base: int
    scale: int
    step: int

    def on(self, day: int) -> int:
        return self.base + self.scale * ((day * self.step) % _PERIOD)


_DATA = {
    ORG: (_Channel(3, 1, 3), _Channel(1, 1_000, 4), _Channel(7, 5, 5), _Channel(11, 100_000, 6)),
    OTHER_ORG: (_Channel(1, 2**37, 3), _Channel(2, 3, 4), _Channel(5, 7, 5), _Channel(13, 11, 6)),
}


@cache
def _partials(org: str, channel: int) -> tuple[int, ...]:
    """Sums of the first k days of a period, k = 0..97."""
    sums = [0]
    for day in range(_PERIOD):
        sums.append(sums[-1] + _DATA[org][channel].on(day))
    return tuple(sums)


def _prefix(org: str, channel: int, day: int) -> int:
    """Usage of the days before ``day`` (back to the first day with usage)."""
    partials = _partials(org, channel)

    def unbounded(n: int) -> int:  # sum over the days [0, n) of the periodic sequence, any sign of n
        return (n // _PERIOD) * partials[-1] + partials[n % _PERIOD]

    clamped = min(max(day, SUPPORT[0]), SUPPORT[1])
    return unbounded(clamped) - unbounded(SUPPORT[0])


def daily(org: str, channel: int, day: int) -> int:
    """Usage of one channel on one UTC day."""
    return _DATA[org][channel].on(day) if SUPPORT[0] <= day < SUPPORT[1] else 0


def total(org: str, channel: int, first_day: int, last_day: int) -> int:
    """Exact usage of one channel over the days ``first_day..last_day``, both inclusive."""
    if last_day < first_day:
        return 0
    return _prefix(org, channel, last_day + 1) - _prefix(org, channel, first_day)


def day_of(instant: float) -> int:
    """The UTC day an epoch-millisecond instant falls on."""
    return int(instant // DAY_MS)
