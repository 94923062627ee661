"""OpenAPI schema objects as compiled JSON Schema validators.

OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4 (``nullable``, boolean
``exclusiveMinimum``); :func:`to_json_schema` turns one into plain draft 4, and
:func:`compile_schema` compiles it once with jsonschema-rs so that validating a value
costs microseconds. OpenAPI 3.1 schemas are JSON Schema 2020-12 already.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from usage_contract_kit.pointers import pointer

__all__ = ["SchemaValidator", "compile_schema", "to_json_schema"]

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
    if schema.get("nullable") is True:
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


class SchemaValidator:
    """A compiled schema; ``first_error`` says where and why a value fails it."""

    __slots__ = ("_validator", "schema")

    def __init__(self, schema: dict[str, Any], validator: jsonschema_rs.Validator) -> None:
        self.schema = schema
        self._validator = validator

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)

    def first_error(self, instance: Any) -> tuple[str, str] | None:
        """``(json pointer inside the instance, message)`` of the first error, or ``None``."""
        for error in self._validator.iter_errors(instance):
            return pointer(*error.instance_path), error.message
        return None


def compile_schema(schema: Any, *, version: str = "3.0.3") -> SchemaValidator:
    """Compile an OpenAPI schema object; raise ``ValueError`` naming the problem."""
    if version.startswith("3.0"):
        translated = to_json_schema(schema if schema is not None else {})
        draft: Any = jsonschema_rs.Draft4Validator
    else:
        translated = schema if schema is not None else {}
        draft = jsonschema_rs.Draft202012Validator
    try:
        validator = draft(translated, validate_formats=True)
    except (ValueError, jsonschema_rs.ValidationError) as exc:
        raise ValueError(f"not a valid schema: {exc}") from None
    return SchemaValidator(translated, validator)
