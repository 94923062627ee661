"""What the suite knows of the API, read from the OpenAPI document (never written in code).

:func:`load_contract` resolves the document's local ``$ref``s and describes the operation
under test: its path, parameters, security header, documented responses (with compiled
schema validators) and the ``x-cross-parameter-rules`` a schema cannot express.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from contract_tests.usage_semantics import USAGE_OPERATION_ID

__all__ = ["Contract", "ContractError", "DocumentedResponse", "load_contract", "lookup_ref", "resolve_refs"]

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

        return re.sub(r"\{([^{}/]+)\}", lambda m: quote(str(values[m.group(1)]), safe=""), self.path)


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
