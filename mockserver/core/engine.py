"""The mock's request pipeline as one pure function: :func:`handle`.

A :class:`MockRequest` (plain strings and mappings, no Flask) goes through

1. routing: unknown path -> 404, other method -> 405 with ``Allow``;
2. preferences (``Prefer`` / ``__`` parameters); a forced ``code`` is served as asked;
3. security: no credentials -> 401; then the backend may refuse the key (data mode);
4. parameter validation and cross-parameter rules -> the documented validation status;
5. the backend (data mode) -> 403 / 404 / a computed body; or the documented example.

and comes out as a :class:`~mockserver.core.selection.Served`. Everything it needs is in a
:class:`MockState`, an immutable snapshot built once per spec (and data file) version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from mockserver.core.backend import Backend, Refusal
from mockserver.core.parameters import Invalid, validate_parameters
from mockserver.core.prefer import PreferenceError, Preferences, parse_preferences
from mockserver.core.routing import NoRoute, Routes, WrongMethod, compile_routes, match_route
from mockserver.core.security import Credential, find_credentials, secret_names
from mockserver.core.selection import ErrorFields, SelectionError, Served, error_fields, render_error, select_response
from usage_contract_kit.errors import SpecError
from usage_contract_kit.model import Operation, Spec

__all__ = [
    "MockRequest",
    "MockState",
    "Outcome",
    "build_state",
    "handle",
    "internal_error",
    "refuse",
]


@dataclass(frozen=True)
class MockRequest:
    method: str
    path: str  # percent-decoded
    query: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]  # keyed by lower-case name
    cookies: Mapping[str, str]


@dataclass(frozen=True)
class Outcome:
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
    encoded: dict[int, bytes] = field(default_factory=dict)  # documented example bodies, encoded once


def build_state(
    spec: Spec, backend: Backend | None = None, *, admin_prefix: str = "/__admin", max_delay_ms: int = 10_000
) -> MockState:
    """Everything :func:`handle` needs, computed once; refuses paths under the admin prefix."""
    for op in spec.operations:
        if op.path == admin_prefix or op.path.startswith(admin_prefix + "/"):
            raise SpecError(
                spec.source,
                op.location,
                f"path {op.path!r} collides with the mock's admin endpoints under {admin_prefix}",
            )
    secrets = secret_names(list(spec.security_schemes.values()))
    return MockState(
        spec,
        compile_routes(spec.operations),
        error_fields(spec),
        backend,
        max_delay_ms,
        frozenset(secrets["header"]),
        frozenset(secrets["query"]),
    )


def handle(state: MockState, request: MockRequest) -> Outcome:
    """Answer one request."""
    match = match_route(state.routes, "GET" if request.method == "OPTIONS" else request.method, request.path)
    if isinstance(match, NoRoute):
        return refuse(state, None, Refusal("not_found", f"no operation at path {request.path!r}"))
    if request.method == "OPTIONS":  # CORS preflight headers are added by the Flask shell
        allow = match.allow if isinstance(match, WrongMethod) else _allow(state, match.operation.path)
        return Outcome(Served(204, None, content_type="", headers={"Allow": ", ".join((*allow, "OPTIONS"))}), None)
    if isinstance(match, WrongMethod):
        outcome = refuse(
            state,
            None,
            Refusal(
                "method_not_allowed", f"method {match.method} is not allowed here; allowed: {', '.join(match.allow)}"
            ),
        )
        return Outcome(replace(outcome.served, headers={"Allow": ", ".join(match.allow)}), None)
    operation = match.operation
    try:
        prefs = parse_preferences(request.headers.get("prefer"), request.query, max_delay_ms=state.max_delay_ms)
    except PreferenceError as exc:
        return refuse(state, operation, Refusal("invalid", str(exc)))
    if prefs.code is not None:
        return _selected(state, operation, prefs)

    credentials = find_credentials(operation, headers=request.headers, query=request.query, cookies=request.cookies)
    if credentials is None:
        return refuse(state, operation, Refusal("unauthenticated", _missing_credentials(operation)), prefs)
    backend = state.backend
    refusal = backend.authenticate(operation, credentials) if backend is not None else _implausible(credentials)
    if refusal is not None:
        return refuse(state, operation, refusal, prefs)

    values = validate_parameters(
        operation, path=match.path_params, query=request.query, headers=request.headers, cookies=request.cookies
    )
    if isinstance(values, Invalid):
        return refuse(state, operation, Refusal("invalid", values.message), prefs)

    if backend is not None and prefs.example is None and not prefs.dynamic:
        default = select_response(operation, _NO_PREFERENCES)
        result = backend.resolve(operation, values, credentials, default.body)
        if isinstance(result, Refusal):
            return refuse(state, operation, result, prefs)
        if result is not None:
            served = Served(default.status, result, default.content_type, "data", delay_ms=prefs.delay_ms)
            return Outcome(served, operation)
    return _selected(state, operation, prefs)


_NO_PREFERENCES = Preferences()


def _allow(state: MockState, template: str) -> tuple[str, ...]:
    route = next(r for r in state.routes.routes if r.template == template)
    return route.allow


def _selected(state: MockState, operation: Operation, prefs: Preferences) -> Outcome:
    try:
        served = select_response(operation, prefs)
    except SelectionError as exc:
        return refuse(state, operation, Refusal("invalid", str(exc)), prefs)
    return Outcome(replace(served, delay_ms=prefs.delay_ms), operation)


def refuse(
    state: MockState, operation: Operation | None, refusal: Refusal, prefs: Preferences | None = None
) -> Outcome:
    """The documented error response for ``refusal``."""
    served = render_error(state.spec, state.fields, operation, refusal.role, refusal.detail)
    if prefs is not None and prefs.delay_ms is not None:
        served = replace(served, delay_ms=prefs.delay_ms)
    return Outcome(served, operation)


def internal_error(state: MockState) -> Outcome:
    """The answer when the mock itself failed: 500 in the spec's error shape (its 500 example if any)."""
    return refuse(state, None, Refusal("internal", "the mock failed to answer this request; its log says why"))


def _implausible(credentials: tuple[Credential, ...]) -> Refusal | None:
    """Example mode accepts any key that starts like the documented shape."""
    for credential in credentials:
        if not credential.plausible:
            pattern = credential.scheme.key_pattern.pattern if credential.scheme.key_pattern else ""
            return Refusal(
                "unauthenticated",
                f"malformed credentials in {credential.scheme.location} {credential.scheme.parameter}: keys look like {pattern}",
            )
    return None


def _missing_credentials(operation: Operation) -> str:
    options = []
    for requirement in operation.security:
        options.append(" and ".join(f"{s.location} {s.parameter}" for s in requirement))
    return f"credentials are required: send {' or '.join(options)}"
