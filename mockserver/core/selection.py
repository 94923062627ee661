"""Choose what the mock answers: a documented status, one of its examples, or generated data.

Pure functions over :mod:`mockserver.spec` data. Errors the mock raises itself (missing
credentials, invalid parameters, unknown organization ...) are *roles*; each role maps to
the HTTP statuses that conventionally express it, and the body is the documented example
of that status with its detail property (``x-error-detail-property``) set to a message
saying what was wrong.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from mockserver.core.dynamic import generate
from mockserver.core.prefer import Preferences
from usage_contract_kit.model import MediaType, Operation, Response, Spec

__all__ = [
    "ROLE_STATUSES",
    "ErrorFields",
    "SelectionError",
    "Served",
    "error_fields",
    "render_error",
    "select_response",
]

# HTTP semantics, not API knowledge: the statuses that express each kind of refusal, in
# order of preference. The spec decides which of them an operation documents.
ROLE_STATUSES: Mapping[str, tuple[int, ...]] = {
    "invalid": (422, 400),
    "unauthenticated": (401,),
    "forbidden": (403,),
    "not_found": (404,),
    "method_not_allowed": (405,),
    "internal": (500,),
    # The validating proxy's own answers (mockserver.proxy).
    "too_large": (413,),
    "bad_gateway": (502,),
}


@dataclass(frozen=True)
class Served:
    status: int
    body: Any
    content_type: str = "application/json"
    example: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_ms: int | None = None
    cacheable: bool = False  # the body is a documented example, owned by the spec: encode it once


class SelectionError(ValueError):
    """The client asked for a status or example the spec does not document."""


@dataclass(frozen=True)
class ErrorFields:
    code: str
    detail: str


def error_fields(spec: Spec) -> ErrorFields:
    """The error schema's code and detail properties, from its ``x-error-*-property``."""
    for op in spec.operations:
        for response in op.responses.values():
            schema = response.media.schema if response.media else None
            if isinstance(schema, dict) and "x-error-detail-property" in schema:
                return ErrorFields(
                    code=str(schema.get("x-error-code-property", "error")),
                    detail=str(schema["x-error-detail-property"]),
                )
    return ErrorFields(code="error", detail="message")


def render_error(
    spec: Spec,
    fields: ErrorFields,
    operation: Operation | None,
    role: str,
    detail: str,
) -> Served:
    """The response for a refusal: the documented status and example, with ``detail`` set."""
    statuses = ROLE_STATUSES[role]
    candidates = [operation] if operation is not None else list(spec.operations)
    for status in statuses:
        for op in candidates:
            response = op.response(status)
            # A "default" response does not stand for a specific refusal.
            if response is not None and response.status != "default" and response.media is not None:
                return _error_from_example(response.media, status, fields, detail)
    status = statuses[0]
    code = HTTPStatus(status).phrase.replace(" ", "")
    return Served(status, {fields.code: code, fields.detail: detail})


def _error_from_example(media: MediaType, status: int, fields: ErrorFields, detail: str) -> Served:
    example = media.default_example
    body = copy.deepcopy(example.value) if example is not None else {}
    if isinstance(body, dict):
        schema_props = (media.schema or {}).get("properties", {})
        if fields.detail in schema_props or fields.detail in body:
            body[fields.detail] = detail
    return Served(status, body, media.content_type, example.name if example else None)


def select_response(operation: Operation, prefs: Preferences) -> Served:
    """The response a valid request gets: the lowest 2xx, or what ``prefs`` ask for."""
    if prefs.code is not None:
        response = operation.response(prefs.code)
        if response is None:
            documented = ", ".join(operation.responses)
            raise SelectionError(
                f"status {prefs.code} is not documented for {operation.method} {operation.path}; "
                f"documented: {documented}"
            )
        status = prefs.code
    else:
        status, response = _lowest_success(operation)
    return _body(response, status, prefs)


def _lowest_success(operation: Operation) -> tuple[int, Response]:
    statuses = operation.documented_statuses
    success = [s for s in statuses if 200 <= s < 300] or list(statuses)
    if success:
        return success[0], operation.responses[str(success[0])]
    if "2XX" in operation.responses:
        return 200, operation.responses["2XX"]
    return 200, operation.responses["default"]


def _body(response: Response, status: int, prefs: Preferences) -> Served:
    media = response.media
    if media is None:
        if prefs.example is not None:
            raise SelectionError(f"status {status} documents no body, so no example {prefs.example!r}")
        return Served(status, None, content_type="")
    if prefs.example is not None:
        example = media.example(prefs.example)
        if example is None:
            names = ", ".join(e.name for e in media.examples) or "none"
            raise SelectionError(
                f"example {prefs.example!r} is not documented for status {status}; documented: {names}"
            )
        return Served(status, example.value, media.content_type, example.name, cacheable=True)
    if prefs.dynamic or media.default_example is None:
        seed = prefs.seed if prefs.seed is not None else random.SystemRandom().randrange(2**32)
        return Served(status, generated(media, seed), media.content_type, f"dynamic:{seed}")
    example = media.default_example
    return Served(status, example.value, media.content_type, example.name, cacheable=True)


def generated(media: MediaType, seed: int) -> Any:
    """Data generated from the media type's schema, valid against it, same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not a secret
    fallback = media.default_example.value if media.default_example else None
    if media.schema is None or media.validator is None:
        return fallback
    for _ in range(10):
        value = generate(media.schema, rng)
        if media.validator.is_valid(value):
            return value
    return fallback
