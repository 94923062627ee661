"""The mock's own refusals, in the user's contract: documented status, documented body shape.

Errors the mock raises itself (missing credentials, invalid parameters, an unsupported
body ...) are *roles*; each role maps to the HTTP statuses that conventionally express it,
in order of preference (:data:`ROLE_STATUSES`). For an operation, the first of them it
documents wins; then a documented range (``4XX``) or ``default`` response, which stands for
every other status, with the role's first status. The body is that response's example, or
the body generated from its schema, with the message placed in the property the schema
marks (``x-error-detail-property``), or else in a string property whose name says it holds
a message (``message``, ``detail`` ...). A message that would break the schema (too long, a
pattern) is left out rather than sent: no refusal breaks the spec; the message then travels
in the ``X-Mock-Refusal`` header (:data:`REFUSAL_HEADER`), as it does when the response
documents no body, so that why the mock refused is never lost. A status the operation
does not document at all (a 404 for an unknown path, a 405) borrows another operation's
response for it, and otherwise comes as ``{"error": ..., "message": ...}`` (the names the
spec's ``x-error-*-property`` give, if any).

Plans are made once per spec version (:func:`plan_refusals`); rendering one copies the
body, sets the message and validates the result.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from mockserver.core.answers import Answer, Body, Catalog, Served
from mockserver.core.generation import merge_all_of
from mockserver.core.negotiation import MediaRange, acceptable
from usage_contract_kit.model import Operation, Spec

__all__ = [
    "REFUSAL_HEADER",
    "ROLE_STATUSES",
    "ErrorFields",
    "RefusalPlan",
    "error_fields",
    "plan_refusals",
    "reason_header",
    "render_refusal",
]

REFUSAL_HEADER = "X-Mock-Refusal"  # the message, where the documented body has no place for it
_HEADER_MOST = 1000  # characters of the message in the header

# HTTP semantics, not API knowledge: the statuses that express each kind of refusal, in
# order of preference. The spec decides which of them an operation documents.
ROLE_STATUSES: Mapping[str, tuple[int, ...]] = {
    "invalid": (400, 422),
    "unauthenticated": (401,),
    "forbidden": (403,),
    "not_found": (404,),
    "method_not_allowed": (405,),
    "not_acceptable": (406,),
    "too_large": (413, 400, 422),
    "unsupported_media_type": (415, 400, 422),
    "internal": (500,),
    # The validating proxy's own answer when the upstream gives none (mockserver.proxy).
    "bad_gateway": (502,),
}
_DETAIL_NAMES = (
    "message",
    "detail",
    "error_message",
    "errorMessage",
    "error_description",
    "description",
    "details",
    "msg",
    "reason",
    "title",
    "error",
)
_SEARCH_DEPTH = 3
_STATUS_NAMES = ("status", "code", "statusCode")  # a number there is the HTTP status
# HTTP semantics too: words APIs spell a status with in an error body's code, beside its
# reason phrase (gRPC's names among them: UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT).
_STATUS_WORDS: Mapping[int, tuple[str, ...]] = {
    400: ("invalid", "validation", "malformed", "argument", "parameter", "input"),
    401: ("unauthenticated", "authentication", "credentials", "token", "key"),
    403: ("permission", "denied", "access", "unauthorised"),
    404: ("missing", "unknown", "resource"),
    405: ("method",),
    406: ("acceptable",),
    409: ("conflict",),
    413: ("large", "size"),
    415: ("unsupported", "media", "content"),
    422: ("invalid", "validation", "argument", "parameter", "input"),
    429: ("rate", "limit", "limited", "throttled", "exhausted"),
    500: ("internal", "server", "unknown"),
    502: ("gateway", "upstream"),
    503: ("unavailable",),
}
_NOT_TELLING = frozenset({"error", "err", "exception", "not", "the", "of", "a", "http", "status", "code"})


@dataclass(frozen=True)
class ErrorFields:
    code: str
    detail: str


@dataclass(frozen=True)
class RefusalPlan:
    status: int
    answer: Answer | None  # None: no documented response anywhere, the built-in body
    paths: Mapping[int, tuple[str | int, ...] | None]  # per body (by index): where the message goes


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


def plan_refusals(spec: Spec, catalog: Catalog, fields: ErrorFields) -> dict[tuple[str | None, str], RefusalPlan]:
    """A plan per operation (``None``: no operation matched) and role."""
    plans: dict[tuple[str | None, str], RefusalPlan] = {}
    for role, statuses in ROLE_STATUSES.items():
        borrowed = _any_documented(spec, statuses)  # the same for every operation: found once, not once per operation
        for operation in spec.operations:
            plans[(operation.location, role)] = _plan(catalog, fields, [operation], statuses, borrowed)
        plans[(None, role)] = _plan(catalog, fields, list(spec.operations), statuses, None)
    return plans


def _plan(
    catalog: Catalog,
    fields: ErrorFields,
    candidates: Sequence[Operation],
    statuses: tuple[int, ...],
    borrowed: tuple[int, Operation, str] | None,
) -> RefusalPlan:
    found = _documented(candidates, statuses) or borrowed
    if found is None:
        return RefusalPlan(statuses[0], None, {})
    status, op, key = found
    answer = catalog.answers[(op.location, key)]
    if answer.problem is not None:
        return RefusalPlan(status, None, {})
    paths = {index: _detail_path(body, fields) for index, body in enumerate(answer.bodies)}
    return RefusalPlan(status, answer, paths)


def _documented(candidates: Sequence[Operation], statuses: tuple[int, ...]) -> tuple[int, Operation, str] | None:
    for status in statuses:
        for op in candidates:
            if str(status) in op.responses:
                return status, op, str(status)
    for op in candidates:
        for status in statuses:
            for key in (f"{str(status)[0]}XX", "default"):
                if key in op.responses:
                    return statuses[0], op, key
    return None


def _any_documented(spec: Spec, statuses: tuple[int, ...]) -> tuple[int, Operation, str] | None:
    """Another operation's response for exactly this status (the same API's error shape)."""
    for op in spec.operations:
        if str(statuses[0]) in op.responses:
            return statuses[0], op, str(statuses[0])
    return None


def _detail_path(body: Body, fields: ErrorFields) -> tuple[str | int, ...] | None:
    value, schema = body.value, body.media.schema
    if body.problem is not None or not isinstance(value, dict):
        return None
    schema = merge_all_of(schema) if isinstance(schema, dict) else {}
    marked = schema.get("x-error-detail-property")
    if isinstance(marked, str):
        return (marked,)
    declared = {
        name
        for name, sub in (schema.get("properties") or {}).items()
        if isinstance(sub, dict) and sub.get("type", "string") == "string"
    }
    if fields.detail in declared or isinstance(value.get(fields.detail), str):
        return (fields.detail,)
    # A string property the schema declares at the top, even if the example leaves it out.
    for name in _DETAIL_NAMES:
        if name in declared:
            return (name,)
    return _message_property(value)


def _message_property(value: dict[str, Any]) -> tuple[str | int, ...] | None:
    """The shallowest string property named like a message (``message`` before ``detail`` ...)."""
    level: list[tuple[tuple[str | int, ...], dict[str, Any]]] = [((), value)]
    for _ in range(_SEARCH_DEPTH):
        for name in _DETAIL_NAMES:
            for path, node in level:
                if isinstance(node.get(name), str):
                    return (*path, name)
        below: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
        for path, node in level:
            for key, item in node.items():
                step: tuple[str | int, ...] = (key,)
                if isinstance(item, list) and item:
                    step, item = (key, 0), item[0]
                if isinstance(item, dict):
                    below.append(((*path, *step), item))
        level = below
    return None


def render_refusal(plan: RefusalPlan, fields: ErrorFields, detail: str, accept: Sequence[MediaRange] = ()) -> Served:
    """The answer for one refusal: the planned status and body, with ``detail`` in it where it fits."""
    answer = plan.answer
    if answer is None:
        code = HTTPStatus(plan.status).phrase.replace(" ", "") if plan.status in HTTPStatus._value2member_map_ else ""
        return Served(plan.status, {fields.code: code, fields.detail: detail}, reason=detail)
    headers = answer.headers
    bodies = answer.servable
    if not bodies:
        return Served(plan.status, None, content_type="", headers=_with_reason(headers, detail))
    chosen = acceptable(accept, answer.offered)
    body = bodies[chosen if chosen is not None else 0]
    path = plan.paths.get(answer.bodies.index(body))
    value = _with_detail(body, path, detail, plan.status)
    if value is None:
        return Served(
            plan.status,
            body.value,
            body.content_type,
            body.example,
            _with_reason(headers, detail),
            encoded=body.encoded,
            kind=body.media.kind,
        )
    return Served(
        plan.status,
        value,
        body.content_type,
        body.example,
        headers,
        kind=body.media.kind,
        schema=body.media.schema,
        reason=detail,
    )


def _code_in_step(node: Any, schema: dict[str, Any], status: int, validator: Any, whole: Any = None) -> None:
    """Set each string code of ``node`` that its schema limits to an ``enum`` to the value naming ``status``.

    A 401 whose example (or generated body) says ``code: bad_request`` says ``unauthorized``
    instead, where the enum has it; a value already naming the status, or an enum with none
    that does, is left alone. Kept only while the whole body stays valid.
    """
    whole = node if whole is None else whole
    if not isinstance(node, dict):
        return
    properties = merge_all_of(schema).get("properties") if schema else None
    if not isinstance(properties, dict):
        return
    wanted = _status_words(status)
    for name, found in list(node.items()):
        sub = properties.get(name)
        choices = merge_all_of(sub).get("enum") if isinstance(sub, dict) else None
        if not isinstance(found, str) or not isinstance(choices, list):
            continue
        best, score = found, _naming(found, wanted)
        for choice in choices:
            if isinstance(choice, str) and (fit := _naming(choice, wanted)) > score:
                best, score = choice, fit
        if best != found:
            node[name] = best
            if validator is not None and not validator.is_valid(whole):
                node[name] = found


def _schema_at(schema: dict[str, Any], steps: tuple[str | int, ...]) -> dict[str, Any]:
    """The schema of the value ``steps`` leads to in a body of ``schema`` (``{}`` where it cannot tell)."""
    for step in steps:
        merged = merge_all_of(schema) if schema else {}
        found = (merged.get("properties") or {}).get(step) if isinstance(step, str) else merged.get("items")
        if not isinstance(found, dict):
            return {}
        schema = found
    return schema


def _words(text: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)  # camelCase and PascalCase apart
    return {word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word and word not in _NOT_TELLING}


@functools.cache
def _status_words(status: int) -> frozenset[str]:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    return frozenset(_words(phrase) | set(_STATUS_WORDS.get(status, ())))


def _naming(value: str, wanted: frozenset[str]) -> float:
    """How much of ``value`` names the status: the share of its telling words among ``wanted``."""
    words = _words(value)
    return len(words & wanted) / len(words) if words else 0.0


def _with_reason(headers: Mapping[str, str], detail: str) -> Mapping[str, str]:
    """``headers`` and the message in :data:`REFUSAL_HEADER`."""
    return {**headers, REFUSAL_HEADER: reason_header(detail)}


def reason_header(detail: str) -> str:
    """A refusal's message as :data:`REFUSAL_HEADER` carries it: printable ASCII (others escaped), at most 1,000 characters."""
    text = "".join(c if " " <= c <= "~" else c.encode("unicode_escape").decode("ascii") for c in detail)
    if len(text) > _HEADER_MOST:
        text = text[: _HEADER_MOST - 3] + "..."
    return text


def _with_detail(body: Body, path: tuple[str | int, ...] | None, detail: str, status: int) -> Any | None:
    """The body with ``detail`` at ``path`` (and a numeric status code in step), if the schema allows; else ``None``."""
    validator = body.media.validator
    if body.media.kind == "text" and isinstance(body.value, str):
        candidate: Any = detail
    elif path is None:
        return None
    else:
        candidate = copy.deepcopy(body.value)
        node = candidate
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = detail
        for name in _STATUS_NAMES:
            found = candidate.get(name)
            if isinstance(found, int) and not isinstance(found, bool) and found != status:
                candidate[name] = status
                if validator is not None and not validator.is_valid(candidate):
                    candidate[name] = found
        schema = body.media.schema if isinstance(body.media.schema, dict) else {}
        _code_in_step(candidate, schema, status, validator)
        if path[:-1]:
            _code_in_step(node, _schema_at(schema, path[:-1]), status, validator, whole=candidate)
    if validator is None or validator.is_valid(candidate):
        return candidate
    return None
