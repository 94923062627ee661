"""Read an inlined OpenAPI document's operations into the frozen model.

Parameters, request bodies, responses, their media types, examples and headers: every
schema compiled once, every example checked against its schema. A fault either stops the
reading (:class:`~usage_contract_kit.errors.SpecError`, with the JSON pointer) or, for the
faults that do not stop serving, becomes a warning in a lenient reading
(:class:`~usage_contract_kit.errors.Faults`):
an example that breaks its schema is then left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from usage_contract_kit.errors import Faults, SpecError, pointer
from usage_contract_kit.model import (
    HTTP_METHODS,
    Example,
    Header,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
    SecurityScheme,
)
from usage_contract_kit.schemas import (
    SchemaValidator,
    compile_schema,
    for_requests,
    for_responses,
    translate_definitions,
)

__all__ = ["KNOWN_RULES", "OperationReader"]

KNOWN_RULES = ("less-or-equal", "less-than")
_LOCATIONS = ("path", "query", "header", "cookie")
_NOT_SENT_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding", "connection"})


class OperationReader:
    """Reads the operations of one document (its version, its kept refs' targets, its faults)."""

    def __init__(self, source: str, version: str, faults: Faults, recursive: Mapping[str, Any]) -> None:
        self.source = source
        self.version = version
        self.faults = faults
        # The targets of the refs recursive schemas keep, translated once: as answers carry
        # them (writeOnly properties not required), and as requests do (readOnly ones not required).
        self.definitions = translate_definitions(
            {ref: for_responses(target) for ref, target in recursive.items()}, version=version
        )
        self.request_definitions = translate_definitions(
            {ref: for_requests(target) for ref, target in recursive.items()}, version=version
        )

    def operations(self, document: Mapping[str, Any], schemes: Mapping[str, SecurityScheme]) -> list[Operation]:
        operations = []
        root_security = document.get("security", [])
        self.requirements(root_security, schemes, "/security")  # checked even where operations override it
        for path, item in (document.get("paths") or {}).items():
            for method in HTTP_METHODS:
                op = item.get(method) if isinstance(item, dict) else None
                if op is None:
                    continue
                at = pointer("paths", path, method)
                try:
                    operations.append(self._operation(path, method, item, op, root_security, schemes, at))
                except (KeyError, TypeError, AttributeError, ValueError) as exc:
                    if isinstance(exc, SpecError):
                        raise
                    raise SpecError(self.source, at, f"cannot be read: {type(exc).__name__}: {exc}") from None
        return operations

    def _operation(
        self,
        path: str,
        method: str,
        item: Mapping[str, Any],
        op: Mapping[str, Any],
        root_security: list[dict[str, Any]],
        schemes: Mapping[str, SecurityScheme],
        at: str,
    ) -> Operation:
        params = self.parameters(item.get("parameters", []), op.get("parameters", []), at)
        responses = {
            str(status): self.response(str(status), r, f"{at}{pointer('responses', status)}")
            for status, r in op.get("responses", {}).items()
        }
        own = "security" in op
        security = self.requirements(
            op["security"] if own else root_security, schemes, f"{at}/security" if own else "/security"
        )
        rules = tuple(op.get("x-cross-parameter-rules", ()))
        self.check_rules(rules, params, at)
        body = op.get("requestBody")
        return Operation(
            method=method.upper(),
            path=path,
            operation_id=op.get("operationId", f"{method} {path}"),
            parameters=params,
            responses=responses,
            security=security,
            rules=rules,
            location=at,
            request_body=self.request_body(body, f"{at}/requestBody") if isinstance(body, dict) else None,
        )

    def requirements(
        self, requirements: list[dict[str, Any]], schemes: Mapping[str, SecurityScheme], at: str
    ) -> tuple[tuple[SecurityScheme, ...], ...]:
        """Security requirements as schemes; a scheme the components do not define is an error."""
        found = []
        for index, requirement in enumerate(requirements):
            for name in requirement:
                if name not in schemes:
                    defined = ", ".join(schemes) or "none"
                    raise SpecError(
                        self.source,
                        f"{at}/{index}{pointer(name)}",
                        f"security requirement names scheme {name!r}, which components/securitySchemes does not"
                        f" define (defined: {defined})",
                    )
            found.append(tuple(schemes[name] for name in requirement))
        return tuple(found)

    def parameters(self, shared: list[dict[str, Any]], own: list[dict[str, Any]], at: str) -> tuple[Parameter, ...]:
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        base = at.rsplit("/", 1)[0]
        for index, param in enumerate(shared):
            merged[(param["name"], param["in"])] = (param, f"{base}/parameters/{index}")
        for index, param in enumerate(own):
            merged[(param["name"], param["in"])] = (param, f"{at}/parameters/{index}")
        result = []
        for param, where in merged.values():
            location = param["in"]
            if location not in _LOCATIONS:
                raise SpecError(
                    self.source, where, f"parameter location {location!r} is not one of {', '.join(_LOCATIONS)}"
                )
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
                    validator=self.compile(schema, f"{where}/schema"),
                    style=style,
                    explode=bool(explode),
                    allow_empty=bool(param.get("allowEmptyValue", False)),
                    pointer=where,
                )
            )
        return tuple(result)

    def request_body(self, raw: Mapping[str, Any], at: str) -> RequestBody:
        content = raw.get("content") or {}
        contents = tuple(
            self.media_type(content_type, media, f"{at}{pointer('content', content_type)}", sent_by_client=True)
            for content_type, media in content.items()
        )
        return RequestBody(required=bool(raw.get("required", False)), contents=contents, location=at)

    def response(self, status: str, raw: Mapping[str, Any], at: str) -> Response:
        content = raw.get("content") or {}
        # JSON first: the mock serves JSON when the operation documents it and nothing else is asked for.
        contents = tuple(
            self.media_type(content_type, content[content_type], f"{at}{pointer('content', content_type)}")
            for content_type in sorted(content, key=lambda ct: 0 if "json" in ct.lower() else 1)
        )
        headers = raw.get("headers") or {}
        documented = tuple(
            self.header(str(name), header, f"{at}{pointer('headers', name)}")
            for name, header in headers.items()
            if str(name).lower() not in _NOT_SENT_HEADERS and isinstance(header, dict)
        )
        return Response(
            status=status,
            description=str(raw.get("description", "")),
            contents=contents,
            headers=headers,
            location=at,
            documented_headers=documented,
        )

    def header(self, name: str, raw: Mapping[str, Any], at: str) -> Header:
        schema = raw.get("schema")
        where = f"{at}/schema"
        if schema is None:
            media: dict[str, Any] = next(iter((raw.get("content") or {}).values()), {})
            schema, where = media.get("schema", {}), at
        validator = self.compile(schema, where)
        examples = self.examples(raw, schema, at)
        return Header(
            name=name,
            required=bool(raw.get("required", False)),
            schema=schema,
            validator=validator,
            examples=self.checked(examples, validator, textual=False),
            explode=bool(raw.get("explode", False)),
            location=at,
        )

    def media_type(
        self, content_type: str, raw: Mapping[str, Any], at: str, *, sent_by_client: bool = False
    ) -> MediaType:
        schema = raw.get("schema")
        # A request need not send what the server makes (readOnly), nor a response what only
        # a client sends (writeOnly), even where a schema shared by both requires it.
        compiled = for_requests(schema) if sent_by_client else for_responses(schema)
        validator = (
            self.compile(compiled, f"{at}/schema", sent_by_client=sent_by_client) if schema is not None else None
        )
        media = MediaType(content_type, schema, validator, (), at, raw.get("encoding") or {})
        examples = self.examples(raw, schema, at)
        # A text, XML or binary example is the body's text itself, not JSON data: check it only
        # where the schema describes that text (a string), not the data it serialises.
        textual = media.kind not in ("json", "form", "multipart") and not _admits_strings(schema)
        kept = self.checked(examples, validator, textual=textual)
        left_out = tuple(example.name for example in examples if example not in kept)
        external = {
            str(name): str(example["externalValue"])
            for name, example in (raw.get("examples") or {}).items()
            if isinstance(example, dict) and "value" not in example and "externalValue" in example
        }
        return MediaType(
            content_type, schema, validator, kept, at, media.encoding, left_out=left_out, external=external
        )

    def examples(self, raw: Mapping[str, Any], schema: Any, at: str) -> list[Example]:
        examples: list[Example] = []
        for name, example in (raw.get("examples") or {}).items():
            if isinstance(example, dict) and "value" in example:
                examples.append(Example(str(name), example["value"], f"{at}{pointer('examples', name, 'value')}"))
        if "example" in raw:
            examples.append(Example("example", raw["example"], f"{at}/example"))
        if not examples and isinstance(schema, dict) and "example" in schema:
            examples.append(Example("example", schema["example"], f"{at}/schema/example"))
        return examples

    def checked(
        self, examples: list[Example], validator: SchemaValidator | None, *, textual: bool
    ) -> tuple[Example, ...]:
        """The examples that match their schema; each one that does not is a fault."""
        if validator is None or textual:
            return tuple(examples)
        kept = []
        for example in examples:
            problem = validator.first_error(example.value)
            if problem is None:
                kept.append(example)
                continue
            where, message = problem
            self.faults.report(
                example.location + where, f"example {example.name!r} does not match its schema: {message}"
            )
        return tuple(kept)

    def compile(self, schema: Any, at: str, *, sent_by_client: bool = False) -> SchemaValidator:
        definitions = self.request_definitions if sent_by_client else self.definitions
        try:
            return compile_schema(schema, version=self.version, definitions=definitions)
        except ValueError as exc:
            if not self.faults.lenient:
                raise SpecError(self.source, at, str(exc)) from None
            # Lenient: a schema the validator cannot read (a required list naming a property
            # twice, as large generated specs have) checks nothing, and says so once.
            self.faults.report(at, f"{exc}; values there are not checked")
            return compile_schema({}, version=self.version)

    def check_rules(self, rules: tuple[Mapping[str, Any], ...], params: tuple[Parameter, ...], at: str) -> None:
        names = {p.name for p in params}
        for index, rule in enumerate(rules):
            where = f"{at}/x-cross-parameter-rules/{index}"
            if rule.get("rule") not in KNOWN_RULES:
                raise SpecError(
                    self.source, f"{where}/rule", f"unknown rule {rule.get('rule')!r}; known: {', '.join(KNOWN_RULES)}"
                )
            pair = rule.get("parameters")
            if not (isinstance(pair, list) and len(pair) == 2 and all(p in names for p in pair)):
                raise SpecError(self.source, f"{where}/parameters", "must name two parameters of the operation")


def _admits_strings(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return True
    declared = schema.get("type")
    if declared is None:
        return not any(key in schema for key in ("properties", "items", "allOf", "oneOf", "anyOf"))
    return declared == "string" or (isinstance(declared, list) and "string" in declared)
