"""Validate a request's parameters against the operation's parameter definitions.

Query, path, header and cookie values arrive as strings; they are coerced to the type
the parameter schema declares (strictly: ``NaN``, ``1e400``, ``0x1F``, `` 5`` and
``12abc`` are not numbers), checked against the schema (enum, pattern, bounds, ...) and
then against the operation's cross-parameter rules. The first problem is returned as an
:class:`Invalid` whose ``message`` names the parameter and what is wrong with it.

What a parameter's schema says about coercion (its types, how an array is split, its
label in messages) is worked out once per operation (:func:`plan_parameters`, kept in the
engine's state), not per request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from mockserver.core.styles import StyleError, read_styled
from usage_contract_kit.model import Operation, Parameter

__all__ = [
    "FINITE_DIGITS",
    "CoercionError",
    "Invalid",
    "ParameterPlan",
    "as_text",
    "coerce_planned",
    "coerce_scalar",
    "plan_parameters",
    "reads_digits",
    "type_phrase",
    "validate_parameters",
]

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"-?[0-9]+")
FINITE_DIGITS = 300  # an integer of fewer characters is within a float's range (about 1.8e308)
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
    return _coerce_typed(raw, _types(schema))


def _coerce_typed(raw: str, types: tuple[str, ...]) -> Any:
    if not types or "string" in types:
        return raw
    if "integer" in types and _INTEGER.fullmatch(raw):
        return _integer(raw)
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
    raise CoercionError(f"{_show(raw)} is not {' or '.join(type_phrase(t) for t in types)}")


def type_phrase(name: str) -> str:
    """A JSON Schema type as a message says it: ``an integer``, ``an object``, ``a string``, ``null``."""
    if name == "null":
        return name
    return f"{'an' if name[:1] in ('a', 'e', 'i', 'o', 'u') else 'a'} {name}"


def _integer(raw: str) -> int:
    """``int(raw)`` for the text of an integer, or :class:`CoercionError` past Python's digit limit."""
    try:
        return int(raw)
    except ValueError:  # more digits than int() reads (sys.get_int_max_str_digits())
        raise CoercionError(f"{_show(raw)} has {len(raw):,} characters, more than an integer may have here") from None


def _is_integer_text(raw: str) -> bool:
    """``_INTEGER.fullmatch(raw)`` without the regular expression (ASCII digits, an optional ``-``)."""
    digits = raw[1:] if raw[:1] == "-" else raw
    return digits.isdigit() and digits.isascii()


def _as_number(raw: str) -> Any:
    """:func:`_coerce_typed` for ``("number",)``, in fewer steps."""
    # The usual, plain digits, tested first without a call; fewer than 300 of them are a finite float too.
    if len(raw) < FINITE_DIGITS and ((raw.isdigit() and raw.isascii()) or _is_integer_text(raw)):
        return int(raw)
    if _NUMBER.fullmatch(raw):
        value = float(raw)
        if math.isfinite(value):
            return int(raw) if _INTEGER.fullmatch(raw) else value
    return _coerce_typed(raw, ("number",))  # the error, worded once


def _as_integer(raw: str) -> Any:
    """:func:`_coerce_typed` for ``("integer",)``, in fewer steps."""
    if len(raw) < FINITE_DIGITS and raw.isdigit() and raw.isascii():  # the usual: a few plain digits
        return int(raw)  # within any digit limit int() may be given (at least 640)
    return _integer(raw) if _is_integer_text(raw) else _coerce_typed(raw, ("integer",))


def reads_digits(coerce: Callable[[str], Any]) -> bool:
    """Whether ``coerce`` gives ``int(raw)`` for plain ASCII digits shorter than :data:`FINITE_DIGITS` (a lane reads those itself)."""
    return coerce is _as_number or coerce is _as_integer


def as_text(raw: str) -> str:
    """The coercion of a text parameter: the raw value itself."""
    return raw


def _coercer(types: tuple[str, ...]) -> Callable[[str], Any]:
    """The function coercing a raw string to ``types``: :func:`_coerce_typed`, specialised where it can be."""
    if not types or "string" in types:
        return as_text
    if types == ("number",):
        return _as_number
    if types == ("integer",):
        return _as_integer
    return partial(_as_typed, types)


def _as_typed(types: tuple[str, ...], raw: str) -> Any:
    return _coerce_typed(raw, types)


def _show(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")


@dataclass(frozen=True)
class ParameterPlan:
    """One parameter, read for coercion once: where it is, its types, how an array splits."""

    param: Parameter
    name: str
    location: str
    lookup: str  # the name to look it up by (lower case for a header)
    label: str
    types: tuple[str, ...]
    array: bool
    item_types: tuple[str, ...]
    repeated: bool  # an exploded form array: one value per repetition
    delimiter: str
    empty_allowed: bool  # an empty value passes coercion
    coerce: Callable[[str], Any]  # one raw value (an item's, for an array) to its type
    typed: bool  # the schema asserts only a type the coercion gives: a coerced value is valid
    # Read by styles.read_styled (label, matrix, an object): its shape; else None (the plain ways above).
    styled: str | None = None
    property_types: Mapping[str, tuple[str, ...]] | None = None  # an object's: each property's types
    other_types: tuple[str, ...] = ()  # an object's: the types of a property it does not declare


def plan_parameters(operation: Operation) -> tuple[ParameterPlan, ...]:
    """The operation's parameters, ready for :func:`validate_parameters`."""
    plans = []
    for param in operation.parameters:
        schema = param.schema
        types = _types(schema)
        shape = _shape(param, types)
        if shape == _UNREAD:
            continue  # an object spread over the query (an exploded form, deepObject): passed through unchecked
        properties = schema.get("properties") if shape == "object" else None
        other = schema.get("additionalProperties") if shape == "object" else None
        plans.append(
            ParameterPlan(
                param=param,
                name=param.name,
                location=param.location,
                lookup=param.name.lower() if param.location == "header" else param.name,
                label=f"{param.location} parameter '{param.name}'",
                types=types,
                array="array" in types,
                item_types=_types(schema.get("items", {})),
                repeated=param.explode and param.style == "form",
                delimiter=_DELIMITERS.get(param.style, ","),
                empty_allowed=param.allow_empty or "string" in types,
                coerce=_coercer(_types(schema.get("items", {})) if "array" in types else types),
                typed="array" not in types and shape != "object" and _typed(param.validator.schema, types),
                styled=shape,
                property_types={
                    str(name): _types(sub) if isinstance(sub, dict) else ()
                    for name, sub in (properties if isinstance(properties, dict) else {}).items()
                },
                other_types=_types(other) if isinstance(other, dict) else (),
            )
        )
    return tuple(plans)


_UNREAD = "unread"


def _shape(param: Parameter, types: tuple[str, ...]) -> str | None:
    """The shape :func:`~mockserver.core.styles.read_styled` reads a parameter as, or ``None`` for the plain ways.

    Every ``label`` and ``matrix`` value, and an object (not a string too) in a style that
    writes it under the parameter's own name; :data:`_UNREAD` for an object in another style.
    """
    if "object" in types and "string" not in types and "array" not in types:
        named = param.style in ("simple", "label", "matrix") or (param.style == "form" and not param.explode)
        return "object" if named else _UNREAD
    if param.style in ("label", "matrix"):
        return "array" if "array" in types else "primitive"
    return None


# Keywords that assert nothing about a value (JSON Schema's annotations); ``x-`` keys are never keywords.
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$comment", "readOnly", "writeOnly", "deprecated"}
)


def _typed(schema: Any, types: tuple[str, ...]) -> bool:
    """Whether every value coerced to ``types`` is valid against ``schema`` (the compiled one).

    True when the schema asserts nothing but a type, and it allows each type the coercion
    gives: text (``string``, or no type), an integer, a finite number, a boolean, ``null``.
    Request text holds no lone surrogate (the shell decodes with replacement), so the
    validator would say yes to every such value; it is not asked again.
    """
    if schema is True:
        return True
    if not isinstance(schema, dict) or any(
        key != "type" and key not in _ANNOTATIONS and not key.startswith("x-") for key in schema
    ):
        return False
    if "type" not in schema:
        return True
    declared = schema["type"]
    allowed = {declared} if isinstance(declared, str) else set(declared) if isinstance(declared, list) else set()
    gives = {"string"} if not types or "string" in types else set(types)
    return gives <= allowed


def coerce_planned(values: Sequence[str], plan: ParameterPlan) -> Any:
    """The raw values of one parameter as its schema's type, or :class:`CoercionError`."""
    if plan.styled is not None:
        return _coerce_styled(values, plan)
    if plan.array:
        if plan.repeated:
            raw_items = list(values)
        else:
            if len(values) > 1:
                raise CoercionError(f"must be given once, not {len(values)} times")
            raw_items = values[0].split(plan.delimiter) if values[0] else []
        coerce = plan.coerce
        return [coerce(v) for v in raw_items]
    if len(values) > 1:
        raise CoercionError(f"must be given once, not {len(values)} times")
    if values[0] == "" and not plan.empty_allowed:
        raise CoercionError("must not be empty")
    return plan.coerce(values[0])


def _coerce_styled(values: Sequence[str], plan: ParameterPlan) -> Any:
    if len(values) > 1:
        raise CoercionError(f"must be given once, not {len(values)} times")
    param = plan.param
    try:
        parts = read_styled(
            values[0], style=param.style, explode=param.explode, name=param.name, shape=plan.styled or ""
        )
    except StyleError as exc:
        raise CoercionError(str(exc)) from None
    if isinstance(parts, list):
        return [plan.coerce(part) for part in parts]
    if isinstance(parts, dict):
        known = plan.property_types or {}
        found = {}
        for name, text in parts.items():
            try:
                found[name] = _coerce_typed(text, known.get(name, plan.other_types))
            except CoercionError as exc:
                raise CoercionError(f"property {name!r}: {exc}") from None
        return found
    if parts == "" and not plan.empty_allowed:
        raise CoercionError("must not be empty")
    return plan.coerce(parts)


def validate_parameters(
    operation: Operation,
    *,
    path: Mapping[str, str],
    query: Mapping[str, Sequence[str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    plans: Sequence[ParameterPlan] | None = None,
    with_rules: bool = True,
) -> dict[str, Any] | Invalid:
    """Coerce and check every parameter; return the values by name, or the first problem.

    ``headers`` must be keyed by lower-case name; ``plans`` are the operation's
    :func:`plan_parameters` (made here when not given); ``with_rules=False`` leaves the
    cross-parameter rules to the caller (:func:`check_rules`).
    """
    sources = {"query": query, "path": path, "header": headers, "cookie": cookies}
    values: dict[str, Any] = {}
    for plan in plan_parameters(operation) if plans is None else plans:
        found = sources[plan.location].get(plan.lookup)
        raw = found if plan.location == "query" else [found] if found is not None else ()
        if not raw:
            if plan.param.required:
                return Invalid(plan.name, f"{plan.label} is required")
            continue
        if plan.param.allow_empty and len(raw) == 1 and raw[0] == "":
            continue  # allowEmptyValue: sent without a value (?flag), so nothing to coerce or check
        try:
            value = coerce_planned(raw, plan)  # type: ignore[arg-type]
        except CoercionError as exc:
            return Invalid(plan.name, f"{plan.label}: {exc}")
        validator = plan.param.validator
        if not plan.typed and not validator.is_valid(value):  # the error is worked out only for a value that has one
            problem = validator.first_error(value)
            return Invalid(plan.name, f"{plan.label}: {problem[1] if problem else 'does not match its schema'}")
        values[plan.name] = value
    broken = check_rules(operation.rules, values) if with_rules else None
    return broken if broken is not None else values


def check_rules(rules: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> Invalid | None:
    """Check ``x-cross-parameter-rules`` on coerced values; the first broken one."""
    for rule in rules:
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
    # repr: the shortest text that reads back as the same value, so two values a rule
    # tells apart are shown apart (":g" kept six digits: 1735689600000.5 was 1.73569e+12).
    return repr(value)
