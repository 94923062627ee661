"""Does an exchange keep the contract? Pure checks of a request, and of the answer it got.

The validating proxy (:mod:`mockserver.proxy`) runs both on every request it forwards.
:func:`check_request` applies the mock's own request checks (routing, credentials, the
key's documented shape, parameters, cross-parameter rules) without answering: it says
whether the request is inside the spec, which rules it breaks, and which refusal the
contract promises for it. :func:`check_response` checks an answer against the operation:
a documented status, a documented content type, a body matching its schema, the required
headers, and no success for a request the contract refuses.

Each broken rule is a :class:`Violation`: which side broke it (``request``: the caller;
``response``: the server), a rule name, the JSON pointer of the rule in the spec (as a URI
fragment, ``#/paths/...``) and a message naming what was wrong. Messages never carry a
credential's value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from mockserver.core.backend import Refusal
from mockserver.core.bodies import out_of_range, read_json
from mockserver.core.engine import MockRequest, MockState
from mockserver.core.parameters import Invalid, check_rules, validate_parameters
from mockserver.core.refusals import ROLE_STATUSES
from mockserver.core.routing import Match, NoRoute, match_route
from mockserver.core.security import find_credentials
from usage_contract_kit.model import MediaType, Operation, Response
from usage_contract_kit.pointers import pointer

__all__ = [
    "REQUEST",
    "RESPONSE",
    "Answer",
    "RequestVerdict",
    "Violation",
    "check_request",
    "check_response",
    "media_type",
]

REQUEST, RESPONSE = "request", "response"
_MESSAGE = 300  # characters of a message (a schema error can quote a whole body)


@dataclass(frozen=True)
class Violation:
    side: str  # REQUEST (the caller broke the rule) or RESPONSE (the server did)
    rule: str
    pointer: str  # where the spec states the rule: "#/paths/~1organizations~1{organizationId}~1usage/get/..."
    message: str


@dataclass(frozen=True)
class RequestVerdict:
    operation: Operation | None  # None: outside the spec (unknown path, undocumented method)
    violations: tuple[Violation, ...] = ()
    refusal: Refusal | None = None  # the refusal the contract promises for this request, if any
    preflight: bool = False  # a CORS preflight for a path of the spec


@dataclass(frozen=True)
class Answer:
    """What came back, as the checks need it: ``headers`` keyed by lower-case name, ``body`` decoded."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    body_problem: str | None = None  # why the body could not be read (an unknown or broken encoding ...)


def _ref(location: str) -> str:
    return "#" + location


def check_request(state: MockState, request: MockRequest) -> RequestVerdict:
    """Which rules of the contract ``request`` breaks, and which refusal the contract promises for it."""
    preflight = request.method == "OPTIONS" and "access-control-request-method" in request.headers
    if preflight and not isinstance(match_route(state.routes, "GET", request.path), NoRoute):
        return RequestVerdict(None, preflight=True)
    match = match_route(state.routes, request.method, request.path)
    if not isinstance(match, Match):
        return RequestVerdict(None, (_outside(state, request),))
    operation = match.operation
    found: list[Violation] = []
    refusal = _credentials(operation, request, found)
    invalid = _parameters(state, operation, match.path_params, request, found)
    return RequestVerdict(operation, tuple(found), refusal or invalid)


def _outside(state: MockState, request: MockRequest) -> Violation:
    for route in state.routes.routes:
        if route.pattern.match(request.path):
            documented = ", ".join(route.allow)
            return Violation(
                REQUEST,
                "undocumented-operation",
                _ref(pointer("paths", route.template)),
                f"{request.method} is not an operation of {route.template}; documented: {documented}",
            )
    return Violation(
        REQUEST,
        "undocumented-operation",
        "#/paths",
        f"no operation of the contract has the path {_cut(request.path)!r}",
    )


def _credentials(operation: Operation, request: MockRequest, found: list[Violation]) -> Refusal | None:
    credentials = find_credentials(operation, headers=request.headers, query=request.query, cookies=request.cookies)
    if credentials is None:
        options = " or ".join(" and ".join(f"{s.location} {s.parameter}" for s in r) for r in operation.security)
        message = f"credentials are required: send {options}"
        first = operation.security[0][0]
        found.append(
            Violation(
                REQUEST, "missing-credentials", _ref(pointer("components", "securitySchemes", first.name)), message
            )
        )
        return Refusal("unauthenticated", message)
    for credential in credentials:
        scheme = credential.scheme
        if not credential.well_formed and scheme.key_pattern is not None:
            message = (
                f"{scheme.location} {scheme.parameter}: not a key of the documented shape {scheme.key_pattern.pattern}"
            )
            at = _ref(pointer("components", "securitySchemes", scheme.name, "x-key-pattern"))
            found.append(Violation(REQUEST, "malformed-credentials", at, message))
            return Refusal("unauthenticated", message)
    return None


def _parameters(
    state: MockState, operation: Operation, path: Mapping[str, str], request: MockRequest, found: list[Violation]
) -> Refusal | None:
    values = validate_parameters(
        operation,
        path=path,
        query=request.query,
        headers=request.headers,
        cookies=request.cookies,
        plans=state.parameter_plans.get(operation.location),
        with_rules=False,  # each rule is checked below, to name the one broken
    )
    if isinstance(values, Invalid):
        where = next((p.pointer for p in operation.parameters if p.name == values.parameter), operation.location)
        found.append(Violation(REQUEST, "invalid-parameter", _ref(where), values.message))
        return Refusal("invalid", values.message)
    for index, rule in enumerate(operation.rules):
        broken = check_rules((rule,), values)
        if broken is not None:
            at = _ref(f"{operation.location}/x-cross-parameter-rules/{index}")
            found.append(Violation(REQUEST, "cross-parameter-rule", at, broken.message))
            return Refusal("invalid", broken.message)
    return None


def check_response(
    operation: Operation, answer: Answer, *, method: str = "GET", refusal: Refusal | None = None
) -> tuple[Violation, ...]:
    """The rules of ``operation``'s responses that ``answer`` breaks (``refusal``: from :func:`check_request`)."""
    if method == "HEAD" and operation.method == "GET" and answer.status == 405:
        return ()  # HEAD of an operation documented for GET only: answering like GET or refusing are both fine
    response = operation.response(answer.status)
    if response is None:
        documented = ", ".join(operation.responses)
        message = f"status {answer.status} is not documented for {operation.method} {operation.path}; documented: {documented}"
        return (Violation(RESPONSE, "undocumented-status", _ref(f"{operation.location}/responses"), message),)
    found: list[Violation] = []
    if refusal is not None and 200 <= answer.status < 300:
        found.append(_accepted(operation, refusal, answer.status))
    for name in response.required_headers:
        if name.lower() not in answer.headers:
            at = _ref(response.location + pointer("headers", name))
            found.append(Violation(RESPONSE, "missing-header", at, f"status {answer.status} must carry header {name}"))
    if method != "HEAD":  # a HEAD answer has no body to check
        found += _content(response, answer)
    return tuple(found)


def _accepted(operation: Operation, refusal: Refusal, status: int) -> Violation:
    for expected in ROLE_STATUSES.get(refusal.role, ()):
        documented = operation.response(expected)
        if documented is not None and documented.status != "default":
            message = f"the request breaks the contract ({refusal.detail}), which promises {expected} for it, but the answer was {status}"
            return Violation(RESPONSE, "refusal-accepted", _ref(documented.location), message)
    message = f"the request breaks the contract ({refusal.detail}), but the answer was {status}"
    return Violation(RESPONSE, "refusal-accepted", _ref(f"{operation.location}/responses"), message)


def media_type(content_type: str | None) -> str:
    """``application/json; charset=utf-8`` -> ``application/json`` (lower case)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _covers(documented: str, got: str) -> bool:
    documented = documented.lower()
    if documented in (got, "*/*"):
        return True
    if documented.endswith("/*"):
        return got.startswith(documented[:-1])
    return _is_json(documented) and _is_json(got)


def _content(response: Response, answer: Answer) -> list[Violation]:
    if not response.contents:
        if answer.body:
            message = f"status {answer.status} documents no body, but the answer has {len(answer.body):,} bytes"
            return [Violation(RESPONSE, "unexpected-body", _ref(response.location), message)]
        return []
    found: list[Violation] = []
    got = media_type(answer.headers.get("content-type"))
    media = next((m for m in response.contents if _covers(m.content_type, got)), None)
    if media is None:
        wanted = " or ".join(m.content_type for m in response.contents)
        shown = repr(answer.headers["content-type"]) if "content-type" in answer.headers else "none"
        message = f"Content-Type {shown} for status {answer.status}; documented: {wanted} (parameters such as charset allowed)"
        found.append(Violation(RESPONSE, "content-type", _ref(response.location + "/content"), message))
        # A JSON body under the wrong type is still checked against the documented JSON schema.
        media = next((m for m in response.contents if _is_json(m.content_type.lower())), None)
    if media is not None and _is_json(media.content_type.lower()):
        found += _body(media, answer)
    return found


def _body(media: MediaType, answer: Answer) -> list[Violation]:
    at = _ref(media.location + "/schema")
    if answer.body_problem is not None:
        return [Violation(RESPONSE, "body-unreadable", at, answer.body_problem)]
    try:
        value = read_json(answer.body)
    except RecursionError:
        return [Violation(RESPONSE, "body-not-json", at, "the body is JSON nested too deeply to read")]
    except ValueError as exc:
        return [Violation(RESPONSE, "body-not-json", at, f"the body is not JSON ({_reason(exc)})")]
    if media.validator is None:
        return []
    past = out_of_range(value)  # read as infinity, which the validator would take for null
    if past is not None:
        return [Violation(RESPONSE, "body-schema", at, _cut(f"at {past[0] or '/'}: {past[1]}"))]
    try:
        problem = media.validator.first_error(value)
    except (RecursionError, ValueError):
        return [Violation(RESPONSE, "body-schema", at, "the body is nested too deeply to check")]
    if problem is None:
        return []
    where, message = problem
    return [Violation(RESPONSE, "body-schema", at, _cut(f"at {where or '/'}: {message}"))]


def _cut(text: str) -> str:
    return text if len(text) <= _MESSAGE else f"{text[: _MESSAGE - 3]}..."


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at byte {exc.pos}" if exc.doc else "empty"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc)
