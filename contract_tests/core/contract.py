"""What the suite knows of the operation under test, read from the contract (never written in code).

:func:`load_contract` reads the OpenAPI document with the kit's one reader
(:func:`usage_contract_kit.spec.load_spec`, the same the mock serves from) and describes
the operation under test: its path, parameters, API-key header and the key's documented
shape (``x-key-pattern``), documented responses with their compiled schema validators,
and the ``x-cross-parameter-rules`` a schema cannot express.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

from contract_tests.core.usage_semantics import USAGE_OPERATION_ID
from usage_contract_kit.errors import LoadError
from usage_contract_kit.model import Operation, Parameter, Response, Spec
from usage_contract_kit.spec import ValidityMemo, load_spec

__all__ = ["Contract", "ContractError", "contract_from", "keys_in", "load_contract"]

# HTTP semantics, not API knowledge: the statuses that say "your input is invalid".
_INVALID_INPUT = frozenset({400, 422})
_NUMBER_TYPES = ("number", "integer")
# HTTP API conventions for the property an error body names its kind in (RFC 9457's ``type``,
# AWS's ``__type``); a spec names its own with ``x-error-code-property``.
_CODE_FIELDS = ("error", "code", "errorCode", "error_code", "type", "__type")


class ContractError(ValueError):
    """The OpenAPI document cannot drive the suite."""


@dataclass(frozen=True)
class Contract:
    """The operation under test, and what its path documents besides."""

    operation: Operation
    path_methods: tuple[str, ...]  # methods documented for this path, upper case
    documented_keys: tuple[str, ...] = ()  # keys the document itself shows (an example in a description)

    @property
    def method(self) -> str:
        return self.operation.method

    @property
    def path(self) -> str:
        return self.operation.path

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    @property
    def rules(self) -> tuple[Mapping[str, Any], ...]:
        return self.operation.rules

    @property
    def responses(self) -> Mapping[str, Response]:
        return self.operation.responses

    @cached_property
    def path_params(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.operation.parameters if p.location == "path")

    @cached_property
    def query_params(self) -> Mapping[str, Parameter]:
        return {p.name: p for p in self.operation.parameters if p.location == "query"}

    @cached_property
    def _key_scheme(self) -> tuple[str | None, str]:
        for requirement in self.operation.security:
            for scheme in requirement:
                if scheme.type == "apiKey" and scheme.location == "header":
                    return scheme.parameter, scheme.key_prefix
        return None, ""

    @property
    def key_header(self) -> str | None:
        """The header the API key travels in (``X-API-Key``), if the operation takes one."""
        return self._key_scheme[0]

    @property
    def key_prefix(self) -> str:
        """What every key starts with, read from the scheme's ``x-key-pattern`` ("" if none)."""
        return self._key_scheme[1]

    @property
    def success_status(self) -> int:
        return min(s for s in self.documented_statuses if 200 <= s < 300)

    @property
    def success_schema(self) -> Mapping[str, Any]:
        media = self.responses[str(self.success_status)].media
        return (media.schema if media else None) or {}

    @property
    def validation_statuses(self) -> set[int]:
        """The documented statuses for invalid input: those of 400 and 422 documented (either if neither is)."""
        return (set(self.documented_statuses) & _INVALID_INPUT) or set(_INVALID_INPUT)

    @property
    def documented_statuses(self) -> tuple[int, ...]:
        return self.operation.documented_statuses

    def response(self, status: int) -> Response | None:
        return self.operation.response(status)

    @cached_property
    def number_params(self) -> tuple[str, ...]:
        """Required query parameters whose schema is a number (the dates, here)."""
        return tuple(
            name for name, p in self.query_params.items() if p.required and p.schema.get("type") in _NUMBER_TYPES
        )

    def url_path(self, values: Mapping[str, str]) -> str:
        return self.raw_path({name: quote(str(value), safe="") for name, value in values.items()})

    def raw_path(self, values: Mapping[str, str]) -> str:
        """The path with each parameter replaced by ``values`` as given (already encoded)."""
        return re.sub(r"\{([^{}/]+)\}", lambda m: str(values[m.group(1)]), self.path)

    @cached_property
    def documented_words(self) -> frozenset[str]:
        """Every word of every documented response (descriptions, schemas, examples): an error body may use them."""
        words: set[str] = set()
        for response in self.responses.values():
            for text in _strings(_documented(response)):
                words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        return frozenset(words)

    def _error_schemas(self) -> Iterator[Mapping[str, Any]]:
        """The body schema of each documented response that is not a success."""
        for status, response in self.responses.items():
            schema = response.media.schema if response.media else None
            if not status.startswith("2") and isinstance(schema, dict):
                yield schema

    @cached_property
    def error_code_fields(self) -> frozenset[str]:
        """The properties that hold an error's code: each error schema's ``x-error-code-property``, and the usual names."""
        named = (schema.get("x-error-code-property") for schema in self._error_schemas())
        return frozenset([*_CODE_FIELDS, *(name for name in named if isinstance(name, str))])

    @property
    def success_envelope(self) -> tuple[str, ...]:
        """Top-level properties of the success body that no error body documents (``data``)."""
        error_properties: set[str] = set()
        for schema in self._error_schemas():
            error_properties |= set(schema.get("properties", {}))
        own = self.success_schema.get("properties", {})
        return tuple(name for name in own if name not in error_properties)


def _documented(response: Response) -> list[Any]:
    """What a response documents, as plain data: description, headers, schemas, examples."""
    parts: list[Any] = [response.description, dict(response.headers)]
    for media in response.contents:
        parts += [media.schema, *(example.value for example in media.examples)]
    return parts


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def contract_from(spec: Spec, operation_id: str = USAGE_OPERATION_ID) -> Contract:
    """Describe the operation ``operation_id`` (or the first operation) of a loaded spec."""
    chosen = [op for op in spec.operations if op.operation_id == operation_id] or list(spec.operations[:1])
    if not chosen:
        raise ContractError(f"{spec.source}: the document has no operations")
    operation = chosen[0]
    if not any(200 <= status < 300 for status in operation.documented_statuses):
        raise ContractError(f"{spec.source}#{operation.location}: the operation documents no 2xx response")
    methods = tuple(op.method for op in spec.operations if op.path == operation.path)
    return Contract(operation, methods)


def load_contract(
    spec_path: str | Path, operation_id: str = USAGE_OPERATION_ID, *, memo: ValidityMemo | None = None
) -> Contract:
    """Read the document (as the mock does) and describe the operation ``operation_id``."""
    try:
        spec = load_spec(spec_path, memo=memo)
    except LoadError as exc:
        raise ContractError(str(exc)) from None
    contract = contract_from(spec, operation_id)
    pattern = next((s.key_pattern for r in contract.operation.security for s in r if s.key_pattern), None)
    if pattern is None:
        return contract
    try:
        text = Path(spec_path).read_text(encoding="utf-8", errors="replace")
    except OSError:  # read a moment ago: gone since, nothing to add
        return contract
    return replace(contract, documented_keys=keys_in(text, pattern))


def keys_in(text: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The keys of the shape ``pattern`` (``x-key-pattern``) written in ``text``, each once, in order."""
    core = pattern.pattern.removeprefix("^").removesuffix("$")
    found = (m.group(0) for m in re.finditer(rf"(?<![\w-])(?:{core})(?![\w-])", text))
    return tuple(dict.fromkeys(key for key in found if pattern.fullmatch(key)))
