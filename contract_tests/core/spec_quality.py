"""The spec quality gate: problems in an OpenAPI document, each with its JSON pointer.

Refs are read as the kit's one reader reads them (:mod:`usage_contract_kit.refs`), but
examples are checked with the reference ``jsonschema`` implementation (through
openapi-schema-validator's OpenAPI 3.0 dialect), independent of the jsonschema-rs
validators the reader compiles, so a bug in one validator cannot hide a broken example
from both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from usage_contract_kit.errors import SpecError
from usage_contract_kit.pointers import lookup, pointer
from usage_contract_kit.refs import document_refs, inline_refs

__all__ = ["Problem", "spec_problems"]

Problem = tuple[str, str]  # (JSON pointer, what is wrong)


def _unresolved_refs(document: Any) -> list[Problem]:
    problems = []
    for ref, at in document_refs(document):  # where OpenAPI allows a reference: not in examples or extensions
        try:
            lookup(document, ref)
        except LookupError:
            problems.append((at, f"$ref {ref!r} does not resolve"))
    return problems


def _media_types(document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, media type object) for every documented response body."""
    for path, item in document.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, response in op["responses"].items():
                for content_type, media in response.get("content", {}).items():
                    yield pointer("paths", path, method, "responses", status, "content", content_type), media


def _example_problems(document: Any) -> list[Problem]:
    from openapi_schema_validator import OAS30Validator

    try:
        resolved = inline_refs(document, source="<spec>")
    except SpecError as exc:
        return [(exc.location, exc.problem)]
    problems = []
    for at, media in _media_types(resolved):
        examples = [
            (at + pointer("examples", n, "value"), e.get("value")) for n, e in media.get("examples", {}).items()
        ]
        if "example" in media:
            examples.append((at + "/example", media["example"]))
        if not examples:
            problems.append((at, "documented response has no example"))
        validator = OAS30Validator(media.get("schema", {}))
        for where, value in examples:
            for error in validator.iter_errors(value):
                problems.append(
                    (where + pointer(*error.absolute_path), f"example does not match its schema: {error.message}")
                )
    return problems


def spec_problems(document: Any) -> list[Problem]:
    """Every problem the gate finds; an empty list means the spec passes."""
    from openapi_spec_validator import OpenAPIV30SpecValidator

    if not isinstance(document, dict):
        return [("", "the document is not a mapping")]
    problems: list[Problem] = []
    if document.get("openapi") != "3.0.3":
        problems.append(("/openapi", f"expected OpenAPI 3.0.3, found {document.get('openapi')!r}"))
    problems += _unresolved_refs(document)
    if problems:
        return problems
    try:
        for error in OpenAPIV30SpecValidator(document).iter_errors():
            problems.append((pointer(*error.absolute_path), f"not valid OpenAPI 3.0.3: {error.message}"))
    except Exception as exc:
        problems.append(("", f"not valid OpenAPI 3.0.3: {exc}"))
    # Examples are only worth checking in a structurally valid document.
    return problems or _example_problems(document)
