"""How one schema keyword changed: narrower, wider, both or not at all.

Each ``compare_*`` function takes the old and the new schema (plain mappings, ``$ref``s
already followed) and returns ``(effect, description)`` pairs; an empty list means no
change. The walk over a whole schema is :mod:`contract_tests.diff.schemas`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from contract_tests.diff.flow import Effect

__all__ = [
    "ALL_TYPES",
    "allows",
    "canonical",
    "compare_bounds",
    "compare_enum",
    "compare_flag",
    "compare_format",
    "compare_lengths",
    "compare_multiple_of",
    "compare_pattern",
    "compare_types",
    "type_set",
]

Finding = tuple[Effect, str]
ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
_TEXT_COVERED = frozenset({"number", "integer", "boolean"})
# (old, new) format pairs where the new one admits every value of the old one.
_WIDER_FORMATS = {("int32", "int64"), ("float", "double")}


def canonical(value: Any) -> str:
    """A stable text for a JSON value (``1`` and ``True`` stay different)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def type_set(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema admits (``null`` when ``nullable``), or ``None`` for any."""
    declared = schema.get("type")
    if declared is None:
        return None
    types = frozenset([declared] if isinstance(declared, str) else (str(t) for t in declared))
    return types | {"null"} if schema.get("nullable") is True else types


def allows(types: frozenset[str] | None, kind: str) -> bool:
    """Whether values of JSON type ``kind`` can be valid under ``types`` (ignoring text)."""
    return types is None or kind in types or (kind == "integer" and "number" in types)


def _covered(kind: str, types: frozenset[str] | None, textual: bool) -> bool:
    return allows(types, kind) or (textual and kind in _TEXT_COVERED and types is not None and "string" in types)


def _type_text(types: frozenset[str] | None) -> str:
    return "any" if types is None else " or ".join(sorted(types))


def compare_types(old: Mapping[str, Any], new: Mapping[str, Any], *, textual: bool) -> list[Finding]:
    """Type and ``nullable``: values of a type the new side no longer covers are lost."""
    before, after = type_set(old), type_set(new)
    lost = {t for t in (before if before is not None else ALL_TYPES) if not _covered(t, after, textual)}
    gained = {t for t in (after if after is not None else ALL_TYPES) if not _covered(t, before, textual)}
    if not lost and not gained:
        return []
    effect: Effect = "both" if lost and gained else ("narrower" if lost else "wider")
    if lost | gained == {"null"}:
        return [(effect, f"nullable {'true → false' if lost else 'false → true'}")]
    return [(effect, f"type {_type_text(before)} → {_type_text(after)}")]


def compare_enum(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    before = {canonical(v): v for v in old["enum"]} if isinstance(old.get("enum"), list) else None
    after = {canonical(v): v for v in new["enum"]} if isinstance(new.get("enum"), list) else None
    if before == after:
        return []
    if before is None:
        return [("narrower", f"enum added: {', '.join(sorted(after or {}))}")]
    if after is None:
        return [("wider", f"enum removed: {', '.join(sorted(before))}")]
    found: list[Finding] = []
    if removed := sorted(set(before) - set(after)):
        found.append(("narrower", f"enum values removed: {', '.join(removed)}"))
    if added := sorted(set(after) - set(before)):
        found.append(("wider", f"enum values added: {', '.join(added)}"))
    return found


def compare_format(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    before, after = old.get("format"), new.get("format")
    if before == after:
        return []
    if before is None:
        return [("narrower", f"format {after} added")]
    if after is None:
        return [("wider", f"format {before} removed")]
    effect: Effect = (
        "wider" if (before, after) in _WIDER_FORMATS else "narrower" if (after, before) in _WIDER_FORMATS else "both"
    )
    return [(effect, f"format {before} → {after}")]


def _bound(schema: Mapping[str, Any], limit: str, exclusive_key: str) -> tuple[Any, bool] | None:
    value, exclusive = schema.get(limit), schema.get(exclusive_key)
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):  # OpenAPI 3.1 form
        return (exclusive, True) if value is None or exclusive >= value else (value, False)
    return None if value is None else (value, exclusive is True)


def _show_bound(bound: tuple[Any, bool] | None, signs: tuple[str, str]) -> str:
    return "none" if bound is None else f"{signs[bound[1]]} {bound[0]}"


def _show(value: Any) -> str:
    return "none" if value is None else str(value)


def compare_bounds(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    """``minimum``/``maximum`` with their ``exclusive*`` flags (3.0) or values (3.1)."""
    found: list[Finding] = []
    for limit, flag, sign, signs in (
        ("minimum", "exclusiveMinimum", 1, (">=", ">")),
        ("maximum", "exclusiveMaximum", -1, ("<=", "<")),
    ):
        before, after = _bound(old, limit, flag), _bound(new, limit, flag)
        if before == after:
            continue
        if before is None or after is None:
            effect: Effect = "narrower" if before is None else "wider"
        else:
            stricter = (after[0] - before[0]) * sign > 0 or (after[0] == before[0] and after[1] and not before[1])
            effect = "narrower" if stricter else "wider"
        found.append((effect, f"{limit} {_show_bound(before, signs)} → {_show_bound(after, signs)}"))
    return found


_LENGTHS = {
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
}


def compare_lengths(old: Mapping[str, Any], new: Mapping[str, Any], kind: str) -> list[Finding]:
    """The ``min*``/``max*`` count of a ``string``, ``array`` or ``object`` (absent: 0 and unbounded)."""
    low, high = _LENGTHS[kind]
    found: list[Finding] = []
    before, after = old.get(low, 0), new.get(low, 0)
    if before != after:
        found.append(("narrower" if after > before else "wider", f"{low} {before} → {after}"))
    before, after = old.get(high), new.get(high)
    if before != after:
        looser = after is None or (before is not None and after > before)
        found.append(("wider" if looser else "narrower", f"{high} {_show(before)} → {_show(after)}"))
    return found


def compare_multiple_of(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    before, after = old.get("multipleOf"), new.get("multipleOf")
    if before == after:
        return []
    if before is None or after is None:
        return [("narrower" if before is None else "wider", f"multipleOf {_show(before)} → {_show(after)}")]
    b, a = Fraction(str(before)), Fraction(str(after))
    effect: Effect = "narrower" if (a / b).denominator == 1 else "wider" if (b / a).denominator == 1 else "both"
    return [(effect, f"multipleOf {before} → {after}")]


def compare_pattern(old: Mapping[str, Any], new: Mapping[str, Any], key: str = "pattern") -> list[Finding]:
    """A pattern added narrows, removed widens; replaced, the direction cannot be told."""
    before, after = old.get(key), new.get(key)
    if before == after:
        return []
    if before is None:
        return [("narrower", f"{key} {after!r} added")]
    if after is None:
        return [("wider", f"{key} {before!r} removed")]
    return [("both", f"{key} {before!r} → {after!r}")]


def compare_flag(old: Mapping[str, Any], new: Mapping[str, Any], key: str) -> list[Finding]:
    """A boolean keyword whose ``true`` narrows (``uniqueItems``)."""
    before, after = old.get(key) is True, new.get(key) is True
    if before == after:
        return []
    return [("narrower" if after else "wider", f"{key} {str(before).lower()} → {str(after).lower()}")]
