"""Generate JSON data from a schema, reproducibly from a seed (``Prefer: dynamic=true``).

A small generator for the JSON Schema subset that API responses use. Numbers without
bounds are drawn as small non-negative integers, which are valid ``number`` values and
read naturally in a UI. The caller validates the result against the compiled schema and
falls back to the documented example if a keyword this generator does not model (such
as ``pattern``) made it invalid.
"""

from __future__ import annotations

import random
import string
import uuid
from typing import Any

__all__ = ["generate"]

_MAX_DEPTH = 12
_ALPHABET = string.ascii_letters + string.digits


def generate(schema: Any, rng: random.Random, depth: int = 0) -> Any:
    """One value for ``schema`` (an OpenAPI 3.0 or JSON Schema object)."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    if "allOf" in schema:
        return generate(_merge(schema["allOf"], schema), rng, depth + 1)
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return generate(rng.choice(schema[key]), rng, depth + 1)
    kind = _type(schema, rng)
    if kind == "object":
        return _object(schema, rng, depth)
    if kind == "array":
        low = int(schema.get("minItems", 1))
        high = max(low, min(int(schema.get("maxItems", low + 2)), low + 2))
        return [generate(schema.get("items", {}), rng, depth + 1) for _ in range(rng.randint(low, high))]
    if kind in ("number", "integer"):
        return _number(schema, rng, integer=kind == "integer")
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng)


def _type(schema: dict[str, Any], rng: random.Random) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        choices = [t for t in declared if t != "null"] or ["null"]
        return str(rng.choice(choices))
    if isinstance(declared, str):
        return declared
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _merge(parts: list[Any], outer: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in outer.items() if k != "allOf"}
    for part in parts:
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _object(schema: dict[str, Any], rng: random.Random, depth: int) -> dict[str, Any]:
    return {name: generate(sub, rng, depth + 1) for name, sub in schema.get("properties", {}).items()}


def _number(schema: dict[str, Any], rng: random.Random, *, integer: bool) -> int | float:
    low = schema.get("minimum", 0 if "maximum" not in schema else schema["maximum"] - 1000)
    high = schema.get("maximum", low + 1000)
    if schema.get("exclusiveMinimum") is True:
        low += 1
    elif isinstance(schema.get("exclusiveMinimum"), (int, float)) and not isinstance(schema["exclusiveMinimum"], bool):
        low = schema["exclusiveMinimum"] + 1
    if schema.get("exclusiveMaximum") is True:
        high -= 1
    elif isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(schema["exclusiveMaximum"], bool):
        high = schema["exclusiveMaximum"] - 1
    step = schema.get("multipleOf")
    if step:
        first, last = -(-low // step), high // step
        value: int | float = rng.randint(int(first), int(max(first, last))) * step
        return value
    if integer or (float(low).is_integer() and float(high).is_integer()):
        return rng.randint(int(low), int(max(low, high)))
    return round(rng.uniform(low, high), 2)


def _string(schema: dict[str, Any], rng: random.Random) -> str:
    fmt = schema.get("format")
    if fmt == "date-time":
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
    if fmt == "date":
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if fmt == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if fmt == "email":
        return f"user{rng.randint(1, 999)}@example.com"
    if fmt in ("uri", "url"):
        return f"https://example.com/{rng.randint(1, 999)}"
    low = int(schema.get("minLength", 1))
    high = max(low, min(int(schema.get("maxLength", low + 11)), low + 11))
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(low, high)))
