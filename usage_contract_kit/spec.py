"""Read an OpenAPI document into a frozen :class:`~usage_contract_kit.model.Spec`.

The one reader of the contract, used by the mock and by the contract suite alike.
``load_spec`` reads the file once (safely, see :mod:`usage_contract_kit.documents`),
inlines every local ``$ref`` (within a bound, see :mod:`usage_contract_kit.refs`),
validates the document with openapi-spec-validator and every example against its own
schema, compiles every schema once, and reads the kit's extensions
(``x-cross-parameter-rules``, ``x-key-pattern``). Every user mistake is raised as
:class:`SpecError`, naming the file and a JSON pointer into it.

Pure: it reads the file it is given and nothing else. A caller that wants to skip
openapi-spec-validator for a document it already passed (its import alone costs about
0.3 s) hands in a :class:`ValidityMemo` (see :mod:`usage_contract_kit.verdicts`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from usage_contract_kit.documents import MEGABYTE, read_yaml
from usage_contract_kit.errors import SpecError, pointer
from usage_contract_kit.model import (
    HTTP_METHODS,
    Example,
    MediaType,
    Operation,
    Parameter,
    Response,
    SecurityScheme,
    Spec,
)
from usage_contract_kit.refs import inline_refs
from usage_contract_kit.schemas import SchemaValidator, compile_schema

__all__ = ["KNOWN_RULES", "MAX_SPEC_BYTES", "ValidityMemo", "load_spec", "parse_document", "validate_document"]

MAX_SPEC_BYTES = 20 * MEGABYTE
KNOWN_RULES = ("less-or-equal", "less-than")


class ValidityMemo(Protocol):
    """Remembers which document texts (by SHA-256) passed openapi-spec-validator."""

    def known_valid(self, digest: str) -> bool: ...

    def remember_valid(self, digest: str) -> None: ...


def load_spec(
    path: str | Path,
    *,
    source: str | None = None,
    max_bytes: int = MAX_SPEC_BYTES,
    limit_name: str = "MOCK_MAX_SPEC_MB",
    memo: ValidityMemo | None = None,
) -> Spec:
    """Read, resolve and check an OpenAPI 3.0/3.1 file; raise :class:`SpecError` if unusable.

    ``source`` names the file in messages (default: ``path``); ``max_bytes`` caps its size,
    and ``limit_name`` is the setting that raises the cap.
    """
    name = str(path) if source is None else source
    document = read_yaml(path, source=name, max_bytes=max_bytes, limit_name=limit_name, error=SpecError)
    return parse_document(document.value, source=name, digest=document.digest, memo=memo)


def parse_document(
    document: Any, *, source: str = "<spec>", digest: str | None = None, memo: ValidityMemo | None = None
) -> Spec:
    """Build a :class:`Spec` from an already parsed document.

    With a ``memo`` and the ``digest`` of the file's bytes, a document that
    openapi-spec-validator passed before skips that validator; the kit's own checks (refs,
    schemas, examples, rules) always run.
    """
    if not isinstance(document, dict):
        raise SpecError(source, "", "the document must be a mapping with an 'openapi' key")
    version = str(document.get("openapi", ""))
    if not version.startswith("3."):
        raise SpecError(source, "/openapi", f"OpenAPI 3.x is required, found {version!r}")
    resolved = inline_refs(document, source=source)
    if memo is None or digest is None or not memo.known_valid(digest):
        validate_document(document, source)
        if memo is not None and digest is not None:
            memo.remember_valid(digest)
    schemes = _security_schemes(resolved, source)
    operations = tuple(_operations(resolved, schemes, source, version))
    return Spec(source=source, operations=operations, security_schemes=schemes)


def validate_document(document: dict[str, Any], source: str) -> None:
    """Raise :class:`SpecError` (with the JSON pointer) unless openapi-spec-validator passes ``document``."""
    # Imported here: the validator is only needed while loading, and costs import time.
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as exc:
        location = pointer(*exc.absolute_path)
        raise SpecError(source, location, f"not a valid OpenAPI document: {exc.message}") from None
    except Exception as exc:
        raise SpecError(source, "", f"not a valid OpenAPI document: {exc}") from None


def _security_schemes(document: Mapping[str, Any], source: str) -> dict[str, SecurityScheme]:
    raw = document.get("components", {}).get("securitySchemes", {})
    schemes: dict[str, SecurityScheme] = {}
    for name, scheme in raw.items():
        at = pointer("components", "securitySchemes", name)
        kind = scheme.get("type", "")
        pattern = scheme.get("x-key-pattern")
        try:
            compiled = re.compile(pattern) if isinstance(pattern, str) else None
        except re.error as exc:
            raise SpecError(source, f"{at}/x-key-pattern", f"not a regular expression: {exc}") from None
        if kind == "apiKey":
            schemes[name] = SecurityScheme(name, kind, scheme["in"], scheme["name"], "", compiled)
        elif kind == "http":
            schemes[name] = SecurityScheme(
                name, kind, "header", "Authorization", str(scheme["scheme"]).lower(), compiled
            )
        # oauth2 and openIdConnect carry bearer tokens in the Authorization header.
        else:
            schemes[name] = SecurityScheme(name, kind, "header", "Authorization", "bearer", compiled)
    return schemes


def _operations(
    document: Mapping[str, Any],
    schemes: Mapping[str, SecurityScheme],
    source: str,
    version: str,
) -> list[Operation]:
    operations = []
    root_security = document.get("security", [])
    _requirements(root_security, schemes, source, "/security")  # checked even where operations override it
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            at = pointer("paths", path, method)
            params = _parameters(shared, op.get("parameters", []), source, at, version)
            responses = {
                str(status): _response(str(status), r, source, f"{at}{pointer('responses', status)}", version)
                for status, r in op.get("responses", {}).items()
            }
            own = "security" in op
            requirements = op["security"] if own else root_security
            where = f"{at}/security" if own else "/security"
            security = _requirements(requirements, schemes, source, where)
            rules = tuple(op.get("x-cross-parameter-rules", ()))
            _check_rules(rules, params, source, at)
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=op.get("operationId", f"{method} {path}"),
                    parameters=params,
                    responses=responses,
                    security=security,
                    rules=rules,
                    location=at,
                )
            )
    return operations


def _requirements(
    requirements: list[dict[str, Any]], schemes: Mapping[str, SecurityScheme], source: str, at: str
) -> tuple[tuple[SecurityScheme, ...], ...]:
    """Security requirements as schemes; a scheme the components do not define is an error."""
    found = []
    for index, requirement in enumerate(requirements):
        for name in requirement:
            if name not in schemes:
                defined = ", ".join(schemes) or "none"
                raise SpecError(
                    source,
                    f"{at}/{index}{pointer(name)}",
                    f"security requirement names scheme {name!r}, which components/securitySchemes does not define"
                    f" (defined: {defined})",
                )
        found.append(tuple(schemes[name] for name in requirement))
    return tuple(found)


def _parameters(
    shared: list[dict[str, Any]],
    own: list[dict[str, Any]],
    source: str,
    at: str,
    version: str,
) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    base = at.rsplit("/", 1)[0]
    for index, param in enumerate(shared):
        merged[(param["name"], param["in"])] = (param, f"{base}/parameters/{index}")
    for index, param in enumerate(own):
        merged[(param["name"], param["in"])] = (param, f"{at}/parameters/{index}")
    result = []
    for param, where in merged.values():
        location = param["in"]
        schema = param.get("schema")
        if schema is None:  # "content" parameters: take the first media type's schema
            media: dict[str, Any] = next(iter(param.get("content", {}).values()), {})
            schema = media.get("schema", {})
        style = param.get("style", "form" if location in ("query", "cookie") else "simple")
        explode = param.get("explode", style == "form")
        result.append(
            Parameter(
                name=param["name"],
                location=location,
                required=bool(param.get("required", location == "path")),
                schema=schema,
                validator=_compile(schema, version, source, f"{where}/schema"),
                style=style,
                explode=bool(explode),
                allow_empty=bool(param.get("allowEmptyValue", False)),
                pointer=where,
            )
        )
    return tuple(result)


def _response(status: str, raw: Mapping[str, Any], source: str, at: str, version: str) -> Response:
    content = raw.get("content", {})
    # JSON first: the mock serves JSON when the operation documents it.
    contents = tuple(
        _media_type(content_type, content[content_type], source, f"{at}{pointer('content', content_type)}", version)
        for content_type in sorted(content, key=lambda ct: 0 if "json" in ct else 1)
    )
    return Response(
        status=status,
        description=str(raw.get("description", "")),
        contents=contents,
        headers=raw.get("headers", {}),
        location=at,
    )


def _media_type(content_type: str, raw: Mapping[str, Any], source: str, at: str, version: str) -> MediaType:
    schema = raw.get("schema")
    validator = _compile(schema, version, source, f"{at}/schema") if schema else None
    examples: list[Example] = []
    for name, example in raw.get("examples", {}).items():
        if "value" in example:
            examples.append(Example(str(name), example["value"], f"{at}{pointer('examples', name, 'value')}"))
    if "example" in raw:
        examples.append(Example("example", raw["example"], f"{at}/example"))
    if not examples and isinstance(schema, dict) and "example" in schema:
        examples.append(Example("example", schema["example"], f"{at}/schema/example"))
    if validator is not None:
        for example in examples:
            problem = validator.first_error(example.value)
            if problem is not None:
                where, message = problem
                raise SpecError(
                    source, example.location + where, f"example {example.name!r} does not match its schema: {message}"
                )
    return MediaType(content_type, schema, validator, tuple(examples), at)


def _compile(schema: Any, version: str, source: str, at: str) -> SchemaValidator:
    try:
        return compile_schema(schema, version=version)
    except ValueError as exc:
        raise SpecError(source, at, str(exc)) from None


def _check_rules(rules: tuple[Mapping[str, Any], ...], params: tuple[Parameter, ...], source: str, at: str) -> None:
    names = {p.name for p in params}
    for index, rule in enumerate(rules):
        where = f"{at}/x-cross-parameter-rules/{index}"
        if rule.get("rule") not in KNOWN_RULES:
            raise SpecError(
                source, f"{where}/rule", f"unknown rule {rule.get('rule')!r}; known: {', '.join(KNOWN_RULES)}"
            )
        pair = rule.get("parameters")
        if not (isinstance(pair, list) and len(pair) == 2 and all(p in names for p in pair)):
            raise SpecError(source, f"{where}/parameters", "must name two parameters of the operation")
