"""OpenAPI schema objects as compiled JSON Schema validators.

OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4 (``nullable``, boolean
``exclusiveMinimum``); :func:`to_json_schema` turns one into plain draft 4, and
:func:`compile_schema` compiles it once with jsonschema-rs so that validating a value
costs microseconds. OpenAPI 3.1 schemas are JSON Schema 2020-12 already.

A recursive schema keeps its refs (see :mod:`usage_contract_kit.refs`); the targets are
handed to :func:`compile_schema` as ``definitions`` and placed in the compiled document where
the refs point (``#/components/schemas/Node``), so the validator follows them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema_rs

from usage_contract_kit.pointers import pointer, ref_parts

__all__ = [
    "SchemaValidator",
    "compile_schema",
    "error_message",
    "for_requests",
    "for_responses",
    "to_json_schema",
    "translate_definitions",
]

# Keywords of the OpenAPI 3.0 schema object that JSON Schema does not know and that would
# only cost time (or mislead, like ``example``) if passed on.
_OPENAPI_ONLY = frozenset({"nullable", "example", "xml", "externalDocs", "discriminator", "deprecated"})


def to_json_schema(schema: Any) -> Any:
    """Translate an OpenAPI 3.0 schema object into JSON Schema draft 4."""
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _OPENAPI_ONLY or key.startswith("x-"):
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = to_json_schema(value)
        else:
            out[key] = value
    bounds = _ranged(schema)
    if bounds is not None:
        _within(out, *bounds)
    if schema.get("nullable") is True:
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


# OpenAPI's numeric formats, as ranges: JSON Schema checks a format on strings only. A
# double's range is a JSON number's own (a value past it is refused when the body is read).
_FLOAT_MAX = 3.4028234663852886e38
_FORMAT_RANGES: Mapping[str, tuple[int | float, int | float]] = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "float": (-_FLOAT_MAX, _FLOAT_MAX),
}
_FORMAT_TYPES = {"int32": "integer", "int64": "integer", "float": "number"}


def _ranged(schema: Mapping[str, Any]) -> tuple[int | float, int | float] | None:
    """The range ``schema``'s format gives the values of its type (an int64 integer, a float number), if any."""
    fmt = schema.get("format")
    if not isinstance(fmt, str) or fmt not in _FORMAT_RANGES:
        return None
    kind = schema.get("type")
    wanted = _FORMAT_TYPES[fmt]
    return _FORMAT_RANGES[fmt] if kind == wanted or (isinstance(kind, list) and wanted in kind) else None


def _with_ranges(schema: Any, memo: dict[int, Any]) -> Any:
    """A JSON Schema 2020-12 ``schema`` with its formats' ranges as bounds (a copy where one is added)."""
    return _rewritten(schema, _range_bounds, memo)


def _range_bounds(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The bounds ``schema``'s format narrows its own to (none where it has no range, or a narrower one)."""
    changed: dict[str, Any] = {}
    bounds = _ranged(schema)
    if bounds is not None:
        low, high = bounds
        minimum, maximum = _number(schema.get("minimum")), _number(schema.get("maximum"))
        if minimum is None or minimum < low:
            changed["minimum"] = low
        if maximum is None or maximum > high:
            changed["maximum"] = high
    return changed


def _within(out: dict[str, Any], low: float, high: float) -> None:
    """Narrow ``out``'s bounds (draft 4's form) to ``low..high``, where the schema's own are wider or absent."""
    minimum, maximum = _number(out.get("minimum")), _number(out.get("maximum"))
    if minimum is None or minimum < low:
        out["minimum"] = low
        out.pop("exclusiveMinimum", None)
    if maximum is None or maximum > high:
        out["maximum"] = high
        out.pop("exclusiveMaximum", None)


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
# Formats OpenAPI documents use that JSON Schema draft 4 does not define (draft 4 checks
# date-time, date, time, email, hostname, ipv4, ipv6, uri and regex itself).
_FORMATS: dict[str, Callable[[str], bool]] = {
    "uuid": lambda value: _UUID.fullmatch(value) is not None,
    "byte": lambda value: _BASE64.fullmatch(value) is not None,
}


class SchemaValidator:
    """A compiled schema; ``first_error`` says where and why a value fails it."""

    __slots__ = ("_validator", "is_valid", "schema")

    def __init__(self, schema: dict[str, Any], validator: jsonschema_rs.Validator) -> None:
        self.schema = schema
        self._validator = validator
        # Whether ``instance`` is valid: the compiled validator's own method, called without a Python frame.
        self.is_valid: Callable[[Any], bool] = validator.is_valid

    def first_error(self, instance: Any) -> tuple[str, str] | None:
        """``(json pointer inside the instance, message)`` of the first error, or ``None``."""
        for error in self._validator.iter_errors(instance):
            return pointer(*error.instance_path), _range_message(self.schema, error) or error_message(instance, error)
        return None


def error_message(instance: Any, error: jsonschema_rs.ValidationError) -> str:
    """The validator's message, but for a NaN or an infinity, which it shows as ``null``.

    A YAML ``.nan`` or ``.inf`` is a float no JSON text can hold: the validator reads it as
    ``null`` and says ``null is not of type "number"``, which names the wrong value.
    """
    node = instance
    for step in error.instance_path:
        try:
            node = node[step]
        except (LookupError, TypeError):
            return error.message
    if isinstance(node, float) and not math.isfinite(node):
        written = "NaN" if math.isnan(node) else ("-" if node < 0 else "") + "infinity"
        return f"{written} is not a number JSON can hold"
    return error.message


def _range_message(schema: Any, error: jsonschema_rs.ValidationError) -> str | None:
    """For a value past its format's range (not only the schema's own bounds), a message naming the format and range."""
    path = error.schema_path
    if not path or path[-1] not in ("minimum", "maximum"):
        return None
    node = schema
    for step in path[:-1]:
        found = isinstance(node, dict) and isinstance(step, str) and step in node
        if not (found or (isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node))):
            return None  # through a kept ref: the validator's own message
        node = node[step]
    bounds = _ranged(node) if isinstance(node, dict) else None
    value = error.instance
    if bounds is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    low, high = bounds
    if low <= value <= high:
        return None  # outside the schema's own narrower bounds: the validator's message says which
    return f"{value} is outside the range of {node['format']} ({low} to {high})"


def translate_definitions(definitions: Mapping[str, Any], *, version: str = "3.0.3") -> dict[str, Any]:
    """The targets of kept refs in the dialect :func:`compile_schema` compiles (translate once per spec)."""
    if not version.startswith("3.0"):
        memo: dict[int, Any] = {}
        return {ref: _with_ranges(target, memo) for ref, target in definitions.items()}
    return {ref: to_json_schema(target) for ref, target in definitions.items()}


def compile_schema(
    schema: Any, *, version: str = "3.0.3", definitions: Mapping[str, Any] | None = None
) -> SchemaValidator:
    """Compile an OpenAPI schema object; raise ``ValueError`` naming the problem.

    ``definitions`` (from :func:`translate_definitions`) are the targets of the refs a
    recursive schema keeps.
    """
    if version.startswith("3.0"):
        translated = to_json_schema(schema if schema is not None else {})
        draft: Any = jsonschema_rs.Draft4Validator
    else:
        translated = _with_ranges(schema, {}) if schema is not None else {}
        draft = jsonschema_rs.Draft202012Validator
    compiled = _with_definitions(translated, definitions) if definitions else translated
    try:
        validator = draft(compiled, validate_formats=True, formats=_FORMATS)
    except (ValueError, jsonschema_rs.ValidationError) as exc:
        # The validator's own text runs on ("Failed validating in schema", "On instance: null"): its first line.
        text = str(getattr(exc, "message", None) or exc).strip()
        raise ValueError(f"not a valid schema: {text.splitlines()[0] if text else type(exc).__name__}") from None
    return SchemaValidator(translated, validator)


def _with_definitions(schema: Any, definitions: Mapping[str, Any]) -> Any:
    """``schema`` with each kept ref's target placed where the ref points, so the validator finds it."""
    if not isinstance(schema, dict):
        return schema
    rooted: dict[str, Any] = dict(schema)
    owned = {id(rooted)}  # the dicts made here; the targets themselves are shared, never changed
    # Shorter refs first: a target placed whole already holds the targets below it.
    for ref in sorted(definitions, key=len):
        *parents, last = _parts(ref)
        node = rooted
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict) or id(child) not in owned:
                if child is not None:
                    break  # the ref points inside a target placed already
                child = node[part] = {}
                owned.add(id(child))
            node = child
        else:
            node.setdefault(last, definitions[ref])
    return rooted


def _parts(ref: str) -> list[str]:
    """Where the validator looks for a kept ref's target: the fragment percent-decoded, as the ref's pointer."""
    try:
        return ref_parts(ref)
    except UnicodeDecodeError:  # not UTF-8 once decoded: the validator cannot follow it either
        return ref_parts(ref, decode=False)


def for_requests(schema: Any) -> Any:
    """``schema`` as a request must match it: ``readOnly`` properties taken out of every ``required`` list."""
    return _not_required(schema, "readOnly")


def for_responses(schema: Any) -> Any:
    """``schema`` as a response must match it: ``writeOnly`` properties taken out of every ``required`` list.

    A response leaves out what only a client sends (a card's security code, a password),
    even where a schema shared with requests requires it.
    """
    return _not_required(schema, "writeOnly")


# Keywords holding subschemas, in both dialects (draft 4 for 3.0, 2020-12 for 3.1).
_ONE_SCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "unevaluatedProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


def _not_required(schema: Any, annotation: str) -> Any:
    """``schema`` with the properties marked ``annotation: true`` taken out of every ``required`` list."""

    def unmarked(node: Mapping[str, Any]) -> dict[str, Any]:
        properties, required = node.get("properties"), node.get("required")
        if isinstance(properties, dict) and isinstance(required, list):
            marked = {n for n, sub in properties.items() if isinstance(sub, dict) and sub.get(annotation) is True}
            if any(isinstance(n, str) and n in marked for n in required):
                left = [n for n in required if n not in marked]
                return {"required": left or _REMOVED}  # draft 4 wants a required list non-empty
        return {}

    return _rewritten(schema, unmarked, {})


_REMOVED = object()  # in what a rewrite changes: the keyword is taken out


def _rewritten(schema: Any, own: Callable[[Mapping[str, Any]], dict[str, Any]], memo: dict[int, Any]) -> Any:
    """``schema`` with what ``own`` gives each (sub)schema's own keywords changed: a copy only where one changes.

    What nothing changes is returned as it is, and a subschema shared by several places (an
    inlined ``$ref``) is worked out once (``memo``, by id).
    """
    if isinstance(schema, list):
        items = [_rewritten(s, own, memo) for s in schema]
        return schema if all(a is b for a, b in zip(items, schema, strict=True)) else items
    if not isinstance(schema, dict):
        return schema
    if id(schema) in memo:
        return memo[id(schema)]
    changed: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ONE_SCHEMA or key in _SCHEMA_LISTS:
            new = _rewritten(value, own, memo)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            mapped = {name: _rewritten(sub, own, memo) for name, sub in value.items()}
            new = value if all(mapped[name] is value[name] for name in value) else mapped
        else:
            continue
        if new is not value:
            changed[key] = new
    changed.update(own(schema))
    out = {key: value for key, value in {**schema, **changed}.items() if value is not _REMOVED} if changed else schema
    memo[id(schema)] = out
    return out
