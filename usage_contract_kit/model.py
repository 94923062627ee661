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

from usage_contract_kit.media import media_kind
from usage_contract_kit.schemas import SchemaValidator

__all__ = [
    "HTTP_METHODS",
    "Example",
    "Header",
    "MediaType",
    "Operation",
    "Parameter",
    "RequestBody",
    "Response",
    "SecurityScheme",
    "Spec",
    "literal_prefix",
]

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
    encoding: Mapping[str, Any] = field(default_factory=dict)  # multipart and form: per property
    left_out: tuple[str, ...] = ()  # the names of examples a lenient reading left out: they break the schema
    external: Mapping[str, str] = field(default_factory=dict)  # name -> externalValue: examples not fetched

    @cached_property
    def kind(self) -> str:
        """``json``, ``text``, ``xml``, ``form``, ``multipart`` or ``binary`` (see :func:`media_kind`)."""
        return media_kind(self.content_type)

    @property
    def default_example(self) -> Example | None:
        return self.examples[0] if self.examples else None

    def example(self, name: str) -> Example | None:
        return next((e for e in self.examples if e.name == name), None)


@dataclass(frozen=True)
class Header:
    """A documented response header: its schema compiled, its examples (``example`` first)."""

    name: str
    required: bool
    schema: dict[str, Any]
    validator: SchemaValidator
    examples: tuple[Example, ...]
    explode: bool
    location: str


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    contents: tuple[MediaType, ...]  # every documented media type, JSON ones first
    headers: Mapping[str, dict[str, Any]]  # as written in the document
    location: str
    documented_headers: tuple[Header, ...] = ()  # the same, read (Content-Type left out, as OpenAPI says)

    @property
    def media(self) -> MediaType | None:
        """The media type served when nothing else is asked for: the first JSON one, if any."""
        return self.contents[0] if self.contents else None

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(name for name, header in self.headers.items() if header.get("required"))


@dataclass(frozen=True)
class RequestBody:
    required: bool
    contents: tuple[MediaType, ...]  # in the document's order
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

    @property
    def key_prefix(self) -> str:
        """What every key starts with, read from ``x-key-pattern`` (``idt_live_``; "" if none)."""
        return literal_prefix(self.key_pattern.pattern) if self.key_pattern else ""


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
    request_body: RequestBody | None = None

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
    version: str = "3.0.3"
    # The targets of the refs a recursive schema keeps (``#/components/schemas/Node`` -> schema).
    recursive: Mapping[str, Any] = field(default_factory=dict)
    # Faults a lenient reading let through, one line each (``file#/pointer: problem``).
    warnings: tuple[str, ...] = ()
    title: str = ""  # info.title: the API's name (the mock's realm in a 401's challenge)


_REGEX_META = frozenset(".^$*+?{}[]|()")


def literal_prefix(pattern: str | None) -> str:
    """The text every match of an anchored regex starts with (``^idt_live_[A-Z]+`` -> ``idt_live_``)."""
    if not pattern or not pattern.startswith("^"):
        return ""
    prefix: list[str] = []
    index = 1
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and not pattern[index + 1].isalnum():
            prefix.append(pattern[index + 1])
            index += 2
            continue
        if char in _REGEX_META or char == "\\":
            if char in "*?{" and prefix:
                prefix.pop()  # that character is optional or repeated
            break
        prefix.append(char)
        index += 1
    return "".join(prefix)
