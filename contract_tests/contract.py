"""What the suite knows of the API, read from the OpenAPI document (never written in code).

:func:`load_contract` resolves the document's local ``$ref``s and describes the operation
under test: its path, parameters, security header, documented responses (with compiled
schema validators) and the ``x-cross-parameter-rules`` a schema cannot express.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from contract_tests.usage_semantics import USAGE_OPERATION_ID

__all__ = [
    "Contract",
    "ContractError",
    "DocumentedResponse",
    "literal_prefix",
    "load_contract",
    "lookup_ref",
    "resolve_refs",
]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ContractError(ValueError):
    """The OpenAPI document cannot drive the suite."""


def lookup_ref(document: Any, ref: str) -> Any:
    """The node a local ``$ref`` (``#/components/...``) points to; raises if none."""
    node = document
    for raw in ref.lstrip("#").split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def resolve_refs(document: Any, node: Any = None, depth: int = 0) -> Any:
    """A copy of ``node`` (default: the whole document) with local ``$ref``s inlined."""
    node = document if node is None else node
    if depth > 32:
        raise ContractError("$ref chain too deep (recursive schemas are not supported)")
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            try:
                target = lookup_ref(document, node["$ref"])
            except (KeyError, IndexError, ValueError, TypeError):
                raise ContractError(f"$ref {node['$ref']!r} does not resolve") from None
            return resolve_refs(document, target, depth + 1)
        return {k: resolve_refs(document, v, depth) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve_refs(document, v, depth) for v in node]
    return node


_REGEX_META = set(".^$*+?{}[]|()")


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


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@dataclass(frozen=True)
class DocumentedResponse:
    status: str
    content_types: tuple[str, ...]
    schema: Mapping[str, Any] | None
    validator: Any  # an OAS30Validator, or None when no body schema is documented
    required_headers: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    method: str
    path: str
    operation_id: str
    path_params: tuple[str, ...]
    query_params: Mapping[str, Mapping[str, Any]]  # name -> parameter object
    key_header: str | None
    key_pattern: str | None
    rules: tuple[Mapping[str, Any], ...]
    responses: Mapping[str, DocumentedResponse]
    path_methods: tuple[str, ...]  # methods documented for this path, upper case
    raw_operation: Mapping[str, Any]

    @property
    def success_status(self) -> int:
        return min(int(s) for s in self.responses if s.isdigit() and s.startswith("2"))

    @property
    def success_schema(self) -> Mapping[str, Any]:
        documented = self.responses.get(str(self.success_status))
        return (documented.schema if documented else None) or {}

    @property
    def validation_statuses(self) -> set[int]:
        """The documented status for invalid input: 422, else 400 (either if neither is)."""
        documented = set(self.documented_statuses)
        return {422} if 422 in documented else ({400} if 400 in documented else {400, 422})

    @property
    def documented_statuses(self) -> tuple[int, ...]:
        return tuple(sorted(int(s) for s in self.responses if s.isdigit()))

    def response(self, status: int) -> DocumentedResponse | None:
        code = str(status)
        return self.responses.get(code) or self.responses.get(code[0] + "XX") or self.responses.get("default")

    @property
    def number_params(self) -> tuple[str, ...]:
        """Required query parameters whose schema is a number (the dates, here)."""
        return tuple(
            name
            for name, p in self.query_params.items()
            if p.get("required") and p.get("schema", {}).get("type") in ("number", "integer")
        )

    def url_path(self, values: Mapping[str, str]) -> str:
        from urllib.parse import quote

        return self.raw_path({name: quote(str(value), safe="") for name, value in values.items()})

    def raw_path(self, values: Mapping[str, str]) -> str:
        """The path with each parameter replaced by ``values`` as given (already encoded)."""
        return re.sub(r"\{([^{}/]+)\}", lambda m: str(values[m.group(1)]), self.path)

    @property
    def key_prefix(self) -> str:
        """What every key starts with, read from the scheme's ``x-key-pattern`` ("" if none)."""
        return literal_prefix(self.key_pattern)

    @cached_property
    def documented_words(self) -> frozenset[str]:
        """Every word of every documented example and description: an error body may use them."""
        words: set[str] = set()
        for response in self.raw_operation.get("responses", {}).values():
            for text in _strings(response):
                words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        return frozenset(words)

    @property
    def success_envelope(self) -> tuple[str, ...]:
        """Top-level properties of the success body that no error body documents (``data``)."""
        error_properties: set[str] = set()
        for status, documented in self.responses.items():
            if not status.startswith("2") and documented.schema:
                error_properties |= set(documented.schema.get("properties", {}))
        own = self.success_schema.get("properties", {})
        return tuple(name for name in own if name not in error_properties)


def load_contract(spec_path: str | Path, operation_id: str = USAGE_OPERATION_ID) -> Contract:
    """Describe the operation ``operation_id`` (or the only operation) of the document."""
    try:
        raw = yaml.safe_load(Path(spec_path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContractError(f"{spec_path}: cannot read the spec ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise ContractError(f"{spec_path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ContractError(f"{spec_path}: not an OpenAPI document")
    document = resolve_refs(raw)
    found = [
        (path, method, op)
        for path, item in document.get("paths", {}).items()
        for method, op in item.items()
        if method in _METHODS
    ]
    chosen = [f for f in found if f[2].get("operationId") == operation_id] or found[:1]
    if not chosen:
        raise ContractError(f"{spec_path}: the document has no operations")
    path, method, op = chosen[0]
    params = [*document["paths"][path].get("parameters", []), *op.get("parameters", [])]
    schemes = document.get("components", {}).get("securitySchemes", {})
    key_header = key_pattern = None
    for requirement in op.get("security", document.get("security", [])):
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                key_header, key_pattern = scheme["name"], scheme.get("x-key-pattern")
    responses = {}
    for status, response in op.get("responses", {}).items():
        content = response.get("content", {})
        schema = next((media.get("schema") for media in content.values() if "schema" in media), None)
        required = tuple(name for name, h in response.get("headers", {}).items() if h.get("required"))
        responses[str(status)] = DocumentedResponse(
            str(status), tuple(content), schema, OAS30Validator(schema) if schema is not None else None, required
        )
    return Contract(
        method=method.upper(),
        path=path,
        operation_id=op.get("operationId", f"{method} {path}"),
        path_params=tuple(p["name"] for p in params if p.get("in") == "path"),
        query_params={p["name"]: p for p in params if p.get("in") == "query"},
        key_header=key_header,
        key_pattern=key_pattern,
        rules=tuple(op.get("x-cross-parameter-rules", ())),
        responses=responses,
        path_methods=tuple(m.upper() for m in document["paths"][path] if m in _METHODS),
        raw_operation=op,
    )
