"""Validate a request's parameters against the operation's parameter definitions.

Query, path, header and cookie values arrive as strings; they are coerced to the type
the parameter schema declares (strictly: ``NaN``, ``1e400``, ``0x1F``, `` 5`` and
``12abc`` are not numbers), checked against the schema (enum, pattern, bounds, ...) and
then against the operation's cross-parameter rules. The first problem is returned as an
:class:`Invalid` whose ``message`` names the parameter and what is wrong with it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from usage_contract_kit.model import Operation, Parameter

__all__ = ["CoercionError", "Invalid", "coerce", "coerce_scalar", "validate_parameters"]

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"-?[0-9]+")
_DELIMITERS = {"form": ",", "simple": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


@dataclass(frozen=True)
class Invalid:
    parameter: str
    message: str


class CoercionError(ValueError):
    """A raw string that is not a value of the type its schema declares."""


def _types(schema: Mapping[str, Any]) -> tuple[str, ...]:
    declared = schema.get("type")
    types = (declared,) if isinstance(declared, str) else tuple(declared) if isinstance(declared, list) else ()
    return (*types, "null") if schema.get("nullable") is True else types


def coerce_scalar(raw: str, schema: Mapping[str, Any]) -> Any:
    """One raw string as the type ``schema`` declares (strictly), or :class:`CoercionError`."""
    types = _types(schema)
    if not types or "string" in types:
        return raw
    if "integer" in types and _INTEGER.fullmatch(raw):
        return int(raw)
    if "number" in types and _NUMBER.fullmatch(raw):
        value = float(raw)
        if not math.isfinite(value):
            raise CoercionError(f"{raw!r} is out of the range of a number")
        # Keep integral values as int so that JSON Schema "integer" and bounds work exactly.
        return int(raw) if _INTEGER.fullmatch(raw) else value
    if "boolean" in types and raw in ("true", "false"):
        return raw == "true"
    if "null" in types and raw in ("", "null"):
        return None
    wanted = " or ".join("an integer" if t == "integer" else f"a {t}" for t in types)
    raise CoercionError(f"{_show(raw)} is not {wanted}")


def _show(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")


def coerce(values: Sequence[str], param: Parameter) -> Any:
    """Turn the raw string values of one parameter into the value its schema describes."""
    schema = param.schema
    if "array" in _types(schema):
        items = schema.get("items", {})
        if param.explode and param.style == "form":
            raw_items = list(values)
        else:
            if len(values) > 1:
                raise CoercionError(f"must be given once, not {len(values)} times")
            raw_items = values[0].split(_DELIMITERS.get(param.style, ",")) if values[0] else []
        return [coerce_scalar(v, items) for v in raw_items]
    if len(values) > 1:
        raise CoercionError(f"must be given once, not {len(values)} times")
    if values[0] == "" and not param.allow_empty and "string" not in _types(schema):
        raise CoercionError("must not be empty")
    return coerce_scalar(values[0], schema)


def validate_parameters(
    operation: Operation,
    *,
    path: Mapping[str, str],
    query: Mapping[str, Sequence[str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> dict[str, Any] | Invalid:
    """Coerce and check every parameter; return the values by name, or the first problem.

    ``headers`` must be keyed by lower-case name.
    """
    values: dict[str, Any] = {}
    for param in operation.parameters:
        raw = _raw_values(param, path, query, headers, cookies)
        label = f"{param.location} parameter '{param.name}'"
        if not raw:
            if param.required:
                return Invalid(param.name, f"{label} is required")
            continue
        try:
            value = coerce(raw, param)
        except CoercionError as exc:
            return Invalid(param.name, f"{label}: {exc}")
        problem = param.validator.first_error(value)
        if problem is not None:
            return Invalid(param.name, f"{label}: {problem[1]}")
        values[param.name] = value
    broken = check_rules(operation, values)
    return broken if broken is not None else values


def check_rules(operation: Operation, values: Mapping[str, Any]) -> Invalid | None:
    """Check the operation's ``x-cross-parameter-rules`` on coerced values."""
    for rule in operation.rules:
        first, second = rule["parameters"]
        if first not in values or second not in values:
            continue
        a, b = values[first], values[second]
        try:
            holds = a <= b if rule["rule"] == "less-or-equal" else a < b
        except TypeError:
            continue
        if not holds:
            relation = "at most" if rule["rule"] == "less-or-equal" else "less than"
            message = rule.get("message") or f"{first} must be {relation} {second}"
            return Invalid(second, f"{message} ({first}={_number(a)}, {second}={_number(b)})")
    return None


def _number(value: Any) -> str:
    return repr(value) if not isinstance(value, float) else f"{value:g}"


def _raw_values(
    param: Parameter,
    path: Mapping[str, str],
    query: Mapping[str, Sequence[str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> list[str]:
    if param.location == "query":
        return list(query.get(param.name, ()))
    if param.location == "path":
        return [path[param.name]] if param.name in path else []
    if param.location == "header":
        found = headers.get(param.name.lower())
        return [found] if found is not None else []
    found = cookies.get(param.name)
    return [found] if found is not None else []
