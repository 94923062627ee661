"""Building blocks of the suite's tests: the known-good request and its one-change variants.

Every targeted test starts from one known-good request (a readable organization, the valid
key, a valid date range) and changes exactly one thing, so that either legal order of
checks in an implementation (auth, validation, resource; or auth, resource, validation)
gives the same answer. Parameter roles come from the contract (the path parameter, the
required number parameters, ``x-cross-parameter-rules``), not from names in code. Pure:
nothing here sends a request.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from contract_tests.core.contract import Contract
from contract_tests.core.settings import Target

__all__ = [
    "FAR_FUTURE",
    "FAR_PAST",
    "REPRESENTABLE",
    "Baseline",
    "baseline_for",
    "documented_numbers",
    "end_before_start_variants",
    "invalid_number_variants",
    "keep_rules",
    "number_spelling_variants",
    "number_text",
    "query_for",
    "range_params",
    "range_query",
    "representable",
    "respect_rules",
    "sent_query",
    "unrepresentable_number_variants",
    "valid_number_variants",
]

_MS = 1000
_JAN_2025 = (
    int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp() * _MS),
    int(dt.datetime(2025, 2, 1, tzinfo=dt.UTC).timestamp() * _MS) - 1,
)
FAR_PAST = -2208988800000  # 1900-01-01T00:00:00Z
FAR_FUTURE = 7258118400000  # 2200-01-01T00:00:00Z
# Instants every date library represents (years 1 to 9999): inside, a valid request must
# get 200; outside (1e300, say), an implementation may also refuse it as invalid input.
REPRESENTABLE = (-62135596800000, 253402300799999)


@dataclass(frozen=True)
class Baseline:
    start: float
    end: float


def baseline_for(target: Target) -> Baseline:
    if target.window_start is not None and target.window_end is not None:
        return Baseline(target.window_start, target.window_end)
    return Baseline(*_JAN_2025)


def number_text(value: float) -> str:
    """How a number is written in a query: integers without a fraction."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _roles(contract: Contract) -> tuple[list[str], list[str]]:
    """(parameters that must not exceed another, parameters that must not precede another)."""
    lesser = [r["parameters"][0] for r in contract.rules if r.get("rule") in ("less-or-equal", "less-than")]
    greater = [r["parameters"][1] for r in contract.rules if r.get("rule") in ("less-or-equal", "less-than")]
    return lesser, greater


def range_params(contract: Contract) -> tuple[str, str]:
    """(start, end): the parameters of the first ordering rule, else the first two numbers."""
    for rule in contract.rules:
        if rule.get("rule") in ("less-or-equal", "less-than"):
            first, second = rule["parameters"]
            return str(first), str(second)
    first, second = contract.number_params[:2]
    return first, second


def query_for(contract: Contract, baseline: Baseline, **changes: Sequence[str] | None) -> list[tuple[str, str]]:
    """The known-good query, with ``changes`` (``None`` drops a parameter)."""
    _, greater = _roles(contract)
    pairs: list[tuple[str, str]] = []
    for name in contract.number_params:
        value = baseline.end if name in greater else baseline.start
        replacement = changes.get(name, [number_text(value)])
        pairs.extend((name, v) for v in replacement or ())
    return pairs


def range_query(contract: Contract, start: float, end: float) -> list[tuple[str, str]]:
    """The query for the range ``start``..``end`` (epoch ms)."""
    first, second = range_params(contract)
    return query_for(contract, Baseline(start, end), **{first: [number_text(start)], second: [number_text(end)]})


def invalid_number_variants() -> list[tuple[str, list[str] | None]]:
    """Values of one number parameter that must be rejected (``None`` = absent)."""
    return [
        ("missing", None),
        ("empty", [""]),
        ("repeated", ["1735689600000", "1735689600000"]),
        ("not a number", ["abc"]),
        ("NaN", ["NaN"]),
        ("Infinity", ["Infinity"]),
        ("-Infinity", ["-Infinity"]),
        ("hex", ["0x1F"]),
        ("padded", [" 5"]),
        ("trailing garbage", ["12abc"]),
        # What a language's own float reading takes and the JSON number grammar does not.
        ("trailing newline", ["1735689600000\n"]),
        ("leading plus", ["+1735689600000"]),
        ("digit separators", ["1_735_689_600_000"]),
        ("grouping commas", ["1,735,689,600,000"]),
        ("bare fraction", [".5"]),
        ("trailing dot", ["1735689600000."]),
    ]


def unrepresentable_number_variants() -> list[tuple[str, str]]:
    """Numbers the JSON grammar allows that no date library represents: 200, or refused as invalid.

    ``1e400`` is a number to an implementation that reads decimals exactly, and infinity or
    an overflow to one that reads doubles; the contract's ``type: number`` sets no bound.
    """
    return [("out of double range", "1e400"), ("beyond year 9999", "1e300")]


def representable(values: Iterable[float]) -> bool:
    """Whether every instant is one every date library represents (years 1 to 9999)."""
    return all(REPRESENTABLE[0] <= value <= REPRESENTABLE[1] for value in values)


def valid_number_variants(contract: Contract, baseline: Baseline, name: str) -> list[tuple[str, str]]:
    """Legal values for ``name`` that keep the known-good request valid."""
    lesser, greater = _roles(contract)
    own = baseline.end if name in greater else baseline.start
    candidates = [
        ("integer", number_text(own)),
        ("fraction", repr(float(own) + 0.5) if name in lesser else repr(float(own) - 0.5)),
        ("exponent", f"{float(own) / _MS!r}e3"),
    ]
    if name in greater:
        candidates += [("far future", number_text(FAR_FUTURE))]
    else:
        candidates += [("far past", number_text(FAR_PAST)), ("zero", "0"), ("small exponent", "1e-3")]
    return [(label, text) for label, text in candidates if _keeps_rules(contract, baseline, name, float(text))]


def _scientific(value: float) -> tuple[str, int] | None:
    """(mantissa, exponent) with one digit before the point, exact; ``None`` for non-integers."""
    if not float(value).is_integer() or value == 0:
        return None
    digits = str(abs(int(value)))
    sign = "-" if value < 0 else ""
    mantissa = digits[0] + ("." + digits[1:].rstrip("0") if digits[1:].rstrip("0") else "")
    return sign + mantissa, len(digits) - 1


def number_spelling_variants(contract: Contract, baseline: Baseline, name: str) -> list[tuple[str, str]]:
    """Spellings the JSON number grammar allows (``E``, ``e+``, ``e-``, ``-0``), each exact."""
    _, greater = _roles(contract)
    own = baseline.end if name in greater else baseline.start
    candidates: list[tuple[str, str]] = []
    scientific = _scientific(own)
    if scientific is not None:
        mantissa, exponent = scientific
        candidates += [
            ("upper-case exponent", f"{mantissa}E{exponent}"),
            ("exponent with plus sign", f"{mantissa}e+{exponent}"),
            ("upper-case exponent with plus sign", f"{mantissa}E+{exponent}"),
            ("negative exponent", f"{number_text(own)}0e-1"),
        ]
    if name not in greater:
        candidates += [("minus zero", "-0"), ("minus zero point zero", "-0.0"), ("negative fraction", "-0.5")]
        candidates += [("zero with exponent", "0E+0")]
    return [(label, text) for label, text in candidates if _keeps_rules(contract, baseline, name, float(text))]


def _keeps_rules(contract: Contract, baseline: Baseline, name: str, value: float) -> bool:
    lesser, greater = _roles(contract)
    if name in lesser:
        return value <= baseline.end
    if name in greater:
        return value >= baseline.start
    return True


def end_before_start_variants(contract: Contract, baseline: Baseline) -> list[tuple[str, dict[str, list[str]]]]:
    """Queries breaking each ``x-cross-parameter-rules`` rule, and nothing else."""
    variants = []
    for rule in contract.rules:
        first, second = rule["parameters"]
        late = max(baseline.end, baseline.start + 1)
        variants.append(
            (f"{second} one millisecond before {first}", {first: [number_text(late)], second: [number_text(late - 1)]})
        )
        if baseline.end > baseline.start:
            variants.append(
                (
                    f"{first} and {second} swapped",
                    {first: [number_text(baseline.end)], second: [number_text(baseline.start)]},
                )
            )
        # Within one millisecond: a rule checked on whole milliseconds lets it through.
        variants.append(
            (f"{second} before {first} within one millisecond", {first: [f"{int(late)}.9"], second: [f"{int(late)}.1"]})
        )
    return variants


_NUMBER_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def sent_query(url: str) -> dict[str, list[str]]:
    """The query of a URL as sent, as the target reads it (``+`` is a space, blanks kept)."""
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def documented_numbers(contract: Contract, query: Any) -> dict[str, float] | None:
    """The documented number parameters of a generated query, if they are all valid; else ``None``.

    Schemathesis' negative mode may break a query only by adding parameters the contract
    does not mention, which a correct implementation ignores; such a case is valid.
    """
    if not isinstance(query, dict):
        return None
    values: dict[str, float] = {}
    for name in contract.number_params:
        value = query.get(name)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, str):
            if not _NUMBER_TEXT.fullmatch(value):
                return None
            value = float(value)
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
        values[name] = value
    kept = all(
        values[r["parameters"][0]] <= values[r["parameters"][1]]
        for r in contract.rules
        if r.get("rule") == "less-or-equal"
    )
    return values if kept else None


def respect_rules(contract: Contract, query: Any) -> Any:
    """Make a generated (positive) query keep the cross-parameter rules: swap offending pairs."""
    return keep_rules(contract.rules, query)


def keep_rules(rules: Sequence[Mapping[str, Any]], query: Any) -> Any:
    """Swap each pair of numbers that breaks an ``x-cross-parameter-rules`` rule, in place."""
    if not isinstance(query, dict):
        return query
    for rule in rules:
        first, second = rule["parameters"]
        a, b = query.get(first), query.get(second)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > b:
            query[first], query[second] = b, a
    return query
