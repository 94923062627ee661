"""The contract as plain, frozen data: what an OpenAPI document says, fully resolved.

Built by :func:`usage_contract_kit.spec.load_spec`; read by the mock (to serve) and by the
contract suite (to check), so both halves see the same operations, parameters, responses,
examples, security schemes and kit extensions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from usage_contract_kit.schemas import SchemaValidator

__all__ = ["HTTP_METHODS", "Example", "MediaType", "Operation", "Parameter", "Response", "SecurityScheme", "Spec"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Example:
    name: str
    value: Any
    location: str


@dataclass(frozen=True)
class MediaType:
    content_type: str
    schema: dict[str, Any] | None
    validator: SchemaValidator | None
    examples: tuple[Example, ...]
    location: str

    @property
    def default_example(self) -> Example | None:
        return self.examples[0] if self.examples else None

    def example(self, name: str) -> Example | None:
        return next((e for e in self.examples if e.name == name), None)


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    media: MediaType | None
    headers: Mapping[str, dict[str, Any]]
    location: str


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path", "query", "header" or "cookie"
    required: bool
    schema: dict[str, Any]
    validator: SchemaValidator
    style: str
    explode: bool
    allow_empty: bool
    pointer: str


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: str  # "apiKey" or "http"
    location: str  # "header", "query", "cookie" for apiKey; "header" for http
    parameter: str  # header, query or cookie name
    http_scheme: str  # "bearer", "basic" for http schemes
    key_pattern: re.Pattern[str] | None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    parameters: tuple[Parameter, ...]
    responses: Mapping[str, Response]
    security: tuple[tuple[SecurityScheme, ...], ...]
    rules: tuple[Mapping[str, Any], ...]
    location: str

    def response(self, status: int | str) -> Response | None:
        """The documented response for a status, honouring ``4XX`` ranges and ``default``."""
        code = str(status)
        found = self.responses.get(code) or self.responses.get(code[0] + "XX")
        return found or self.responses.get("default")

    @cached_property
    def documented_statuses(self) -> tuple[int, ...]:
        return tuple(sorted(int(s) for s in self.responses if s.isdigit()))


@dataclass(frozen=True)
class Spec:
    source: str
    operations: tuple[Operation, ...]
    security_schemes: Mapping[str, SecurityScheme] = field(default_factory=dict)
