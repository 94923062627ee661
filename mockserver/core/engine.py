"""The mock's request pipeline as one pure function: :func:`handle`.

A :class:`MockRequest` (plain strings, mappings and the body's bytes, no Flask) goes through

1. routing: unknown path -> 404 (a CORS preflight to it -> 204), other method -> 405 with ``Allow``;
2. preferences (``Prefer`` / ``__`` parameters); a forced ``code`` is served as asked;
3. security: no credentials -> 401; then the backend may refuse the key (data mode); every
   401 of an operation with HTTP or OAuth schemes carries their ``WWW-Authenticate``
   challenge (a forced ``code=401`` too), unless the response documents its own;
4. parameter validation and cross-parameter rules -> the documented validation status;
5. the request body: size, documented media type (else 415, or the validation status),
   ``required``, schema -> the documented validation status;
6. the backend (data mode) -> 403 / 404 / a computed body; or the documented example;
7. the media type ``Accept`` prefers among those documented -> 406 when none fits.

and comes out as a :class:`~mockserver.core.answers.Served`. Everything it needs is in a
:class:`MockState`, an immutable snapshot built once per spec (and data file) version:
the catalog of ready answers (bodies and headers, made and checked at load), the plans of
the mock's refusals, the routes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mockserver.core.answers import Catalog, Served, build_catalog
from mockserver.core.backend import Backend, Refusal, computed_answer, implausible
from mockserver.core.bodies import carries_body, validate_body
from mockserver.core.lanes import Lane, compile_lanes
from mockserver.core.negotiation import MediaRange, parse_accept
from mockserver.core.parameters import Invalid, ParameterPlan, plan_parameters, validate_parameters
from mockserver.core.prefer import PreferenceError, Preferences, parse_preferences
from mockserver.core.refusals import (
    ROLE_STATUSES,
    ErrorFields,
    RefusalPlan,
    error_fields,
    plan_refusals,
    render_refusal,
)
from mockserver.core.routing import Match, NoRoute, Routes, WrongMethod, compile_routes, match_route
from mockserver.core.security import (
    CHALLENGE_HEADER,
    Credential,
    challenge,
    find_credentials,
    header_keys,
    secret_environ,
    secret_names,
)
from mockserver.core.selection import Broken, NotAcceptable, SelectionError, select_response
from usage_contract_kit.errors import SpecError
from usage_contract_kit.model import Operation, Spec

__all__ = [
    "MAX_BODY_BYTES",
    "MockRequest",
    "MockState",
    "Outcome",
    "build_state",
    "handle",
    "handle_plain",
    "internal_error",
    "refuse",
]

MAX_BODY_BYTES = 1024 * 1024


class MockRequest(NamedTuple):  # made per request: a tuple costs a fraction of a frozen dataclass
    method: str
    path: str  # percent-decoded
    query: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]  # keyed by lower-case name
    cookies: Mapping[str, str]
    body: bytes = b""  # at most MockState.max_body_bytes + 1 bytes of it


class Outcome(NamedTuple):
    served: Served
    operation: Operation | None


@dataclass(frozen=True)
class MockState:
    spec: Spec
    routes: Routes
    fields: ErrorFields
    backend: Backend | None
    max_delay_ms: int
    secret_headers: frozenset[str] = frozenset()  # lower-case names that carry credentials
    secret_query: frozenset[str] = frozenset()
    catalog: Catalog | None = None
    refusals: Mapping[tuple[str | None, str], RefusalPlan] = field(default_factory=dict)
    # WSGI's environ key (HTTP_API_KEY) -> the header's name as the spec writes it, lower case (api_key)
    header_keys: Mapping[str, str] = field(default_factory=dict)
    max_body_bytes: int = MAX_BODY_BYTES
    warnings: tuple[str, ...] = ()  # the spec's faults a lenient load let through, one line each
    parameter_plans: Mapping[str, tuple[ParameterPlan, ...]] = field(default_factory=dict)  # by operation location
    lanes: Mapping[str, Lane] = field(default_factory=dict)  # the plain request's way, by operation location
    secret_environ: tuple[tuple[str, str], ...] = ()  # (secret header's name, its WSGI environ key)
    secret_cookies: frozenset[str] = frozenset()  # names of cookies that carry credentials
    # (method, path) -> (lane, path parameters): routing is a pure function of the state, so
    # the plain way remembers it (bounded) rather than matching the routes again.
    lane_routes: dict[tuple[str, str], tuple[Any, Any]] = field(default_factory=dict, compare=False, repr=False)
    # operation location -> the WWW-Authenticate of its 401s (operations with an HTTP or OAuth scheme)
    challenges: Mapping[str, str] = field(default_factory=dict)


def build_state(
    spec: Spec,
    backend: Backend | None = None,
    *,
    admin_prefix: str = "/__admin",
    max_delay_ms: int = 10_000,
    max_body_bytes: int = MAX_BODY_BYTES,
    lenient: bool = False,
) -> MockState:
    """Everything :func:`handle` needs, computed once; refuses paths under the admin prefix.

    Every documented answer is made and checked here: strict (the default) raises
    :class:`SpecError` for a response nothing valid can be produced for; ``lenient`` adds a
    warning and answers that response with a 500 saying why.
    """
    for op in spec.operations:
        if op.path == admin_prefix or op.path.startswith(admin_prefix + "/"):
            raise SpecError(
                spec.source,
                op.location,
                f"path {op.path!r} collides with the mock's admin endpoints under {admin_prefix}",
            )
    secrets = secret_names(list(spec.security_schemes.values()))
    catalog = build_catalog(spec, lenient=lenient)
    fields = error_fields(spec)
    plans = {op.location: plan_parameters(op) for op in spec.operations}
    keys = header_keys(spec)
    secret_headers = frozenset(secrets["header"])
    return MockState(
        spec,
        compile_routes(spec.operations),
        fields,
        backend,
        max_delay_ms,
        secret_headers,
        frozenset(secrets["query"]),
        catalog,
        plan_refusals(spec, catalog, fields),
        keys,
        max_body_bytes,
        (*spec.warnings, *catalog.warnings),
        plans,
        compile_lanes(spec.operations, catalog, plans, keys),
        secret_environ(secret_headers, keys),
        frozenset(secrets["cookie"]),
        challenges={op.location: found for op in spec.operations if (found := challenge(op, spec.title)) is not None},
    )


def handle(state: MockState, request: MockRequest) -> Outcome:
    """Answer one request."""
    match = match_route(state.routes, request.method, request.path)
    if isinstance(match, NoRoute):
        if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            # A preflight: the shell allows the method it asks for, so the browser sends the
            # request and the page reads the 404 below, not a CORS failure.
            return Outcome(Served(204, None, content_type=""), None)
        return refuse(state, None, Refusal("not_found", f"no operation at path {request.path!r}"))
    if request.method == "OPTIONS":
        if isinstance(match, Match) and "access-control-request-method" not in request.headers:
            # A plain OPTIONS is the spec's own operation where it documents one (a preflight never is).
            return _answer(state, request, match.operation, match.path_params)
        # The methods the path answers; CORS preflight headers are added by the WSGI shell.
        allow = match.allow if isinstance(match, WrongMethod) else _allow(state, match.operation.path)
        return Outcome(Served(204, None, content_type="", headers={"Allow": ", ".join(_with_options(allow))}), None)
    if isinstance(match, WrongMethod):
        # Every method the path answers: its operations' and the preflight's, as the 204 to OPTIONS lists them.
        allowed = ", ".join(_with_options(match.allow))
        outcome = refuse(
            state, None, Refusal("method_not_allowed", f"method {match.method} is not allowed here; allowed: {allowed}")
        )
        # Allow beside the refusal's own headers (the documented ones, and the reason where no body carries it).
        return Outcome(outcome.served._replace(headers={**outcome.served.headers, "Allow": allowed}), None)
    return _answer(state, request, match.operation, match.path_params)


def handle_plain(
    state: MockState, method: str, path: str, raw_query: str, environ: Mapping[str, Any]
) -> tuple[Served, Operation] | None:
    """Answer a request without a body through its operation's lane, or ``None`` for :func:`handle`.

    It is the pair ``(served, operation)`` an :class:`Outcome` holds, the one :func:`handle`
    gives the same request (:mod:`mockserver.core.lanes`). ``raw_query`` is the query's text
    (the lane reads what it needs of it; ``handle`` is given it parsed: ``wire.parse_query``),
    and ``environ`` holds the request's headers under their WSGI keys (``HTTP_X_API_KEY``).
    """
    if not state.lanes or method == "OPTIONS":
        return None
    routed = state.lane_routes.get((method, path))
    if routed is None:
        routed = _lane_route(state, method, path)
    if routed is _NO_LANE:
        return None
    lane, path_params = routed
    served = lane.answer(state.backend, path_params, raw_query, environ)
    return None if served is None else (served, lane.operation)  # a plain pair: an Outcome costs a call


_NO_LANE: tuple[Any, Any] = (None, None)
_ROUTED_PATHS = 4096  # the most (method, path) pairs a state remembers the lane of
_ROUTED_LENGTH = 256  # longer paths are matched each time


def _lane_route(state: MockState, method: str, path: str) -> tuple[Any, Any]:
    """The lane and path parameters of ``method path`` (or ``_NO_LANE``), remembered for the next request."""
    match = match_route(state.routes, method, path)
    routed = _NO_LANE
    if isinstance(match, Match) and (lane := state.lanes.get(match.operation.location)) is not None:
        routed = (lane, match.path_params)
    if len(path) <= _ROUTED_LENGTH:
        if len(state.lane_routes) >= _ROUTED_PATHS:
            state.lane_routes.clear()
        state.lane_routes[(method, path)] = routed
    return routed


def _answer(state: MockState, request: MockRequest, operation: Operation, path_params: Mapping[str, str]) -> Outcome:
    """Steps 2 to 7 for a request that found its operation."""
    accept = parse_accept(request.headers.get("accept"))
    try:
        prefs = parse_preferences(request.headers.get("prefer"), request.query, max_delay_ms=state.max_delay_ms)
    except PreferenceError as exc:
        return refuse(state, operation, Refusal("invalid", str(exc)), accept=accept)
    if prefs.code is not None:
        return _selected(state, operation, prefs, accept)

    credentials = find_credentials(operation, headers=request.headers, query=request.query, cookies=request.cookies)
    if credentials is None:
        return refuse(state, operation, Refusal("unauthenticated", _missing_credentials(operation)), prefs, accept)
    backend = state.backend
    refusal = backend.authenticate(operation, credentials) if backend is not None else implausible(credentials)
    if refusal is not None:
        return refuse(state, operation, refusal, prefs, accept)

    values = validate_parameters(
        operation,
        path=path_params,
        query=request.query,
        headers=request.headers,
        cookies=request.cookies,
        plans=state.parameter_plans.get(operation.location),
    )
    if isinstance(values, Invalid):
        return refuse(state, operation, Refusal("invalid", values.message), prefs, accept)
    if operation.request_body is not None or request.body:
        refusal = _body_refusal(state, operation, request)
        if refusal is not None:
            return refuse(state, operation, refusal, prefs, accept)

    if backend is not None and prefs.example is None and not prefs.dynamic:
        computed = _from_backend(state, backend, operation, values, credentials, prefs, accept)
        if computed is not None:
            return computed
    return _selected(state, operation, prefs, accept)


def _from_backend(
    state: MockState,
    backend: Backend,
    operation: Operation,
    values: Mapping[str, Any],
    credentials: tuple[Credential, ...],
    prefs: Preferences,
    accept: Sequence[MediaRange],
) -> Outcome | None:
    """Data mode: the backend's refusal or computed body, or ``None`` to serve the documented one."""
    default = select_response(operation, _catalog(state), _NO_PREFERENCES, accept)
    if not isinstance(default, Served):
        return None  # not acceptable, or broken: _selected says which
    result = backend.resolve(operation, values, credentials, default.body)
    if isinstance(result, Refusal):
        return refuse(state, operation, result, prefs, accept)
    if result is None:
        return None
    return Outcome(computed_answer(default, result, prefs.delay_ms), operation)


_NO_PREFERENCES = Preferences()


def _catalog(state: MockState) -> Catalog:
    assert state.catalog is not None, "a MockState comes from build_state"  # noqa: S101 - an invariant
    return state.catalog


def _with_options(allow: tuple[str, ...]) -> tuple[str, ...]:
    """The path's methods and OPTIONS (the preflight's), once even where the spec documents OPTIONS."""
    return allow if "OPTIONS" in allow else (*allow, "OPTIONS")


def _allow(state: MockState, template: str) -> tuple[str, ...]:
    route = next(r for r in state.routes.routes if r.template == template)
    return route.allow


def _body_refusal(state: MockState, operation: Operation, request: MockRequest) -> Refusal | None:
    if len(request.body) > state.max_body_bytes:
        return Refusal(
            "too_large",
            f"the request body is larger than the limit of {state.max_body_bytes:,} bytes (MOCK_MAX_BODY_MB)",
        )
    sent = carries_body(request.headers, request.body)
    problem = validate_body(operation, request.headers.get("content-type"), request.body, sent=sent)
    return Refusal(problem.role, problem.message) if problem is not None else None


def _selected(state: MockState, operation: Operation, prefs: Preferences, accept: Sequence[MediaRange]) -> Outcome:
    try:
        served = select_response(operation, _catalog(state), prefs, accept)
    except SelectionError as exc:
        return refuse(state, operation, Refusal("invalid", str(exc)), prefs, accept)
    if isinstance(served, NotAcceptable):
        offered = ", ".join(served.offered)
        return refuse(
            state,
            operation,
            Refusal("not_acceptable", f"Accept admits none of the documented media types: {offered}"),
            prefs,
        )
    if isinstance(served, Broken):
        return refuse(
            state, operation, Refusal("internal", f"the mock cannot answer this: {served.problem}"), prefs, accept
        )
    if served.status in _UNAUTHENTICATED:
        served = _challenged(state, operation, served)
    return Outcome(served if prefs.delay_ms is None else served._replace(delay_ms=prefs.delay_ms), operation)


def refuse(
    state: MockState,
    operation: Operation | None,
    refusal: Refusal,
    prefs: Preferences | None = None,
    accept: Sequence[MediaRange] = (),
) -> Outcome:
    """The documented error response for ``refusal``."""
    plan = state.refusals[(operation.location if operation is not None else None, refusal.role)]
    served = render_refusal(plan, state.fields, refusal.detail, accept)
    if operation is not None:
        served = _challenged(state, operation, served)
    if prefs is not None and prefs.delay_ms is not None:
        served = served._replace(delay_ms=prefs.delay_ms)
    return Outcome(served, operation)


_UNAUTHENTICATED = ROLE_STATUSES["unauthenticated"]


def _challenged(state: MockState, operation: Operation, served: Served) -> Served:
    """``served`` with the operation's challenge if it is a 401 (RFC 9110 section 15.5.2), unless it documents its own."""
    if served.status not in _UNAUTHENTICATED:
        return served
    found = state.challenges.get(operation.location)
    if found is None or any(name.lower() == CHALLENGE_HEADER.lower() for name in served.headers):
        return served
    return served._replace(headers={**served.headers, CHALLENGE_HEADER: found})


def internal_error(state: MockState) -> Outcome:
    """The answer when the mock itself failed: 500 in the spec's error shape (its 500 example if any)."""
    return refuse(state, None, Refusal("internal", "the mock failed to answer this request; its log says why"))


def _missing_credentials(operation: Operation) -> str:
    options = []
    for requirement in operation.security:
        options.append(" and ".join(f"{s.location} {s.parameter}" for s in requirement))
    return f"credentials are required: send {' or '.join(options)}"
