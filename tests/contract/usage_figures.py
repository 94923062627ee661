"""How the implementations under ``tests/contract/`` read dates and sum usage.

:class:`Figures` is the part of :class:`~tests.contract.usage_app.Implementation` that
parses the date parameters and computes the usage body; its switches (``integers_only``,
``float_accumulation`` ...) are fields of the implementation.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from tests.contract.usage_model import CHANNELS, DAY_MS, ORG, OTHER_ORG, SUPPORT, WINDOW, day_of, total

__all__ = ["Figures", "Refused"]

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_BEYOND = 1e18  # epoch milliseconds past every day with usage, either way


def _live(start: float, end: float) -> int:
    """Usage of today's live traffic in the range: one per millisecond from midnight up to now."""
    now = time.time() * 1000
    low, high = math.ceil(max(start, now // DAY_MS * DAY_MS)), math.floor(min(end, now))
    return max(0, high - low + 1)


def _summer_offset(instant: float) -> int:
    """An hour, from April to October of 1980 on (the summer time of a zone at UTC in winter); else none."""
    if not -1e14 < instant < 1e14:
        return 0
    when = time.gmtime(instant / 1000)
    return 3_600_000 if when.tm_year >= 1980 and 4 <= when.tm_mon <= 10 else 0


class Refused(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        self.status, self.error, self.message = status, error, message


class Figures:
    """Date parsing and usage sums; every attribute read here is a switch of the implementation."""

    # The switches this part reads (fields of the implementation dataclass).
    missing_param_crash: bool
    first_of_repeated: bool
    empty_is_zero: bool
    python_float_parse: bool
    hex_accepted: bool
    dollar_anchor: bool
    loose_digits: bool
    leading_number_parse: bool
    integers_only: bool
    lowercase_exponent_only: bool
    no_exponent_plus: bool
    no_minus_zero: bool
    no_negative_dates: bool
    year_2100_limit: bool
    strict_range_rule: bool
    no_range_rule: bool
    seconds_heuristic: bool
    rounded_start_day: bool
    usage_at_midnight: bool
    live_usage: bool
    exclusive_midnight_end: bool
    exclusive_midnight_range_end: bool
    summer_local_days: bool
    grouping_commas: bool
    end_zero_means_now: bool
    range_rule_whole_ms: bool
    unbounded_numbers: bool
    exclusive_end_day: bool
    ignore_range: bool
    float_accumulation: bool
    int32_wrap: bool
    int32_saturate: bool
    slow_long_ranges: bool
    jitter: bool
    negative_counts: bool
    average_not_sum: bool
    string_counts: bool
    drop_channel: bool
    no_content_when_zero: bool
    no_envelope: bool
    extra_fields: bool
    state: dict[str, Any]

    def json(self, status: int, body: Any) -> Response:
        raise NotImplementedError

    def number(self, args: MultiDict[str, str], name: str) -> float:
        values = args.getlist(name)
        if not values:
            if self.missing_param_crash:
                return float(args[name])
            raise Refused(422, "ValidationError", f"{name} is required.")
        if len(values) > 1 and not self.first_of_repeated:
            raise Refused(422, "ValidationError", f"{name} must be given once.")
        raw = values[0]
        if self.grouping_commas:
            raw = raw.replace(",", "")  # "1,735,689,600,000" as a spreadsheet writes it
        if raw == "" and self.empty_is_zero:
            return 0.0
        if self.python_float_parse:
            try:
                return float(raw)
            except ValueError:
                raise Refused(422, "ValidationError", f"{name} is not a number.") from None
        if self.dollar_anchor and re.match(r"-?\d+(\.\d+)?([eE][+-]?\d+)?$", raw):  # $ lets "5\n" through
            return float(raw)
        if self.loose_digits and re.fullmatch(r"[+-]?[\d_]*\.?[\d_]*([eE][+-]?\d+)?", raw) and re.search(r"\d", raw):
            return float(raw)  # a sign, digit separators, ".5" and "5." as the language's float reads them
        if self.hex_accepted and raw.lower().startswith("0x"):
            return float(int(raw, 16))
        if self.leading_number_parse:
            digits = re.match(r"-?\d+", raw)
            if digits:
                return float(digits.group())
        if self.integers_only and not re.fullmatch(r"-?\d+", raw):
            raise Refused(422, "ValidationError", f"{name} must be an integer.")
        if self.lowercase_exponent_only and "E" in raw:
            raise Refused(422, "ValidationError", f"{name} is not a number.")
        if self.no_exponent_plus and re.search(r"[eE]\+", raw):
            raise Refused(422, "ValidationError", f"{name} is not a number.")
        if self.no_minus_zero and raw.startswith("-0"):
            raise Refused(422, "ValidationError", f"{name} has a leading zero.")
        if self.unbounded_numbers and _NUMBER.fullmatch(raw):  # read exactly: 1e400 is a number, past every day
            return max(min(float(raw), _BEYOND), -_BEYOND)
        if not _NUMBER.fullmatch(raw) or not math.isfinite(float(raw)):
            raise Refused(422, "ValidationError", f"{name} is not a number.")
        value = float(raw)
        if self.no_negative_dates and value < 0:
            raise Refused(422, "ValidationError", f"{name} must not be negative.")
        if self.year_2100_limit and value > 4102444800000:
            raise Refused(422, "ValidationError", f"{name} is too far in the future.")
        return value

    def dates(self, args: MultiDict[str, str]) -> tuple[float, float]:
        start, end = self.number(args, "startDate"), self.number(args, "endDate")
        if self.end_zero_means_now and not end:  # `endDate || Date.now()`
            end = time.time() * 1000
        broken = (end <= start) if self.strict_range_rule else (end < start)
        if self.range_rule_whole_ms:
            broken = int(end) < int(start)
        if broken and not self.no_range_rule:
            raise Refused(422, "ValidationError", "endDate must not be earlier than startDate.")
        return start, end

    def days(self, start: float, end: float) -> tuple[int, int]:
        if self.seconds_heuristic:  # "a timestamp below 1e11 must be in seconds"
            start, end = (v * 1000 if abs(v) < 1e11 else v for v in (start, end))
        if self.summer_local_days:  # days of a zone an hour ahead of UTC from April to October, since 1980
            start, end = (v + _summer_offset(v) for v in (start, end))
        first = round(start / DAY_MS) if self.rounded_start_day else day_of(start)
        if self.usage_at_midnight:  # daily rows stamped 00:00: a day counts when the range holds its midnight
            first = -int(-start // DAY_MS)
        at_midnight = end % DAY_MS == 0 and (
            self.exclusive_midnight_end or (self.exclusive_midnight_range_end and end > start)
        )
        last = day_of(end) - (1 if self.exclusive_end_day or at_midnight else 0)
        if self.ignore_range:
            first, last = day_of(WINDOW[0]), day_of(WINDOW[0]) + 364
        return first, last

    def totals(self, org: str, start: float, end: float) -> dict[str, Any]:
        first, last = self.days(start, end)
        totals: dict[str, Any] = {}
        for index, channel in enumerate(CHANNELS):
            value: Any = (
                _float_sum(org, index, first, last) if self.float_accumulation else total(org, index, first, last)
            )
            if self.live_usage:
                value += _live(start, end)
            if self.int32_wrap:
                value = (value + 2**31) % 2**32 - 2**31
            if self.int32_saturate:
                value = min(value, 2**31 - 1)
            totals[channel] = value
        return totals

    def usage(self, org: str, start: float, end: float) -> Response:
        if self.slow_long_ranges and end - start > 3650 * DAY_MS:
            time.sleep(0.7)
        totals: dict[str, Any] = self.totals(org, start, end) if org in (ORG, OTHER_ORG) else dict.fromkeys(CHANNELS, 0)
        first, last = self.days(start, end)
        if self.jitter:
            with self.state["lock"]:
                self.state["jitter"] = self.state.get("jitter", 0) + 1
        for channel in CHANNELS:
            value = totals[channel]
            if self.negative_counts and channel == "usageSage":
                value -= 5
            if self.average_not_sum and last >= first:
                value = value / (last - first + 1)
            if self.jitter:
                value += self.state["jitter"] % 2
            if self.string_counts:
                value = str(value)
            totals[channel] = value
        if self.drop_channel:
            del totals["usageSage"]
        if self.no_content_when_zero and not any(totals.values()):
            return Response(status=204)
        body: dict[str, Any] = totals if self.no_envelope else {"data": totals}
        if self.extra_fields:
            body["meta"] = {"organizationId": org, "currency": None}
            if isinstance(body.get("data"), dict):
                body["data"]["usageVoice"] = 0
        return self.json(200, body)


def _float_sum(org: str, channel: int, first: int, last: int) -> int:
    """Year by year, in a float: exact until the total passes 2**53."""
    accumulated = 0.0
    for year_start in range(max(first, SUPPORT[0]), min(last, SUPPORT[1]) + 1, 365):
        accumulated += float(total(org, channel, year_start, min(year_start + 364, last)))
    return int(accumulated)
