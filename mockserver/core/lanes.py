"""The plain request answered straight through: one lane per operation, compiled at load.

Most requests a mock gets are the plain case: no ``Prefer`` and no ``__`` parameters, no
body, no cookie, the credentials present and good, every parameter valid, the default
media type acceptable. A lane answers exactly those with the checks :func:`~mockserver.core.engine.handle`
makes (the same coercion, the same schema validators, the same cross-parameter rules, the
same backend calls), without the steps the plain case does not need (preferences, the
request's whole header map, body checks, refusal plans). Anything else, and every refusal,
makes :func:`lane_answer` return ``None``, and the shell goes through ``handle``, which
starts again from the request.

A lane reads headers by their WSGI environ key (``HTTP_X_API_KEY``); an operation whose
header names WSGI would merge with another documented one gets no lane, so a lane never
sees a header the general pipeline does not. ``tests/mockserver/core/test_lanes.py``
checks, with generated requests, that whenever a lane answers, ``handle`` answers the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

from mockserver.core.answers import Catalog, Served, default_response
from mockserver.core.backend import Backend, Refusal, computed_answer, implausible
from mockserver.core.negotiation import acceptable, parse_accept
from mockserver.core.parameters import CoercionError, ParameterPlan, as_text, check_rules, coerce_planned
from mockserver.core.prefer import CONTROL_PREFIX
from mockserver.core.security import Credential, environ_key, name_of
from usage_contract_kit.model import Operation, SecurityScheme

__all__ = ["Lane", "compile_lanes", "lane_answer"]

_credential = partial(tuple.__new__, Credential)  # Credential(scheme, value) without a Python frame
_QUERY, _PATH, _HEADER, _COOKIE = 0, 1, 2, 3  # where a parameter is read
_IN_HEADER, _IN_QUERY, _IN_COOKIE, _BY_AUTHORIZATION = 0, 1, 2, 3  # where a credential is read
_NOT_HEADERS = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})


class _Param(NamedTuple):
    name: str
    source: int  # _QUERY, _PATH, _HEADER or _COOKIE
    key: str  # the query, path or cookie parameter's name, or the header's environ key
    required: bool
    scalar: bool  # not an array: one raw value, coerced by ``coerce``
    empty_allowed: bool
    coerce: Callable[[str], Any] | None  # None: text, the raw value is the value
    is_valid: Callable[[Any], bool]
    plan: ParameterPlan


class Lane(NamedTuple):
    operation: Operation
    params: tuple[_Param, ...]
    # Security requirements, any one of which suffices: (scheme, where, the key to read).
    requirements: tuple[tuple[tuple[SecurityScheme, int, str], ...], ...]
    default: Served  # what the catalog serves a request without preferences
    offered: tuple[str, ...]  # the media types of the default response, for Accept
    cookies: bool  # a parameter or a credential is read from a cookie (a lane answers only without them)


def compile_lanes(
    operations: Sequence[Operation],
    catalog: Catalog,
    plans: Mapping[str, Sequence[ParameterPlan]],
    header_keys: Mapping[str, str],
) -> dict[str, Lane]:
    """A lane for every operation the plain case can be answered for, by operation location."""
    lanes = {}
    for operation in operations:
        default = catalog.defaults.get(operation.location)
        if default is None or operation.request_body is not None:
            continue
        lane = _compile(operation, default, catalog, plans[operation.location], header_keys)
        if lane is not None:
            lanes[operation.location] = lane
    return lanes


def _compile(
    operation: Operation,
    default: Served,
    catalog: Catalog,
    plans: Sequence[ParameterPlan],
    header_keys: Mapping[str, str],
) -> Lane | None:
    def header_key(name: str) -> str | None:
        key = environ_key(name)
        if key in _NOT_HEADERS:  # WSGI carries these outside the HTTP_ keys
            return None
        # The general pipeline keys this environ entry by the documented name it maps to.
        return key if name_of(key, header_keys) == name.lower() else None

    params = []
    for plan in plans:
        if plan.location == "query":
            source, key = _QUERY, plan.name
        elif plan.location == "path":
            source, key = _PATH, plan.name
        elif plan.location == "header" and (found := header_key(plan.name)) is not None:
            source, key = _HEADER, found
        elif plan.location == "cookie":
            source, key = _COOKIE, plan.name
        else:
            return None  # headers WSGI merges: the general pipeline
        params.append(
            _Param(
                plan.name,
                source,
                key,
                plan.param.required,
                not plan.array,
                plan.empty_allowed,
                None if plan.coerce is as_text else plan.coerce,
                plan.param.validator.is_valid,
                plan,
            )
        )
    requirements = []
    for requirement in operation.security:
        schemes = []
        for scheme in requirement:
            where, read_as = _where(scheme, header_key)
            if read_as is None:
                return None
            schemes.append((scheme, where, read_as))
        requirements.append(tuple(schemes))
    cookies = any(p.source == _COOKIE for p in params) or any(w == _IN_COOKIE for r in requirements for _, w, _ in r)
    _, response = default_response(operation)
    offered = catalog.answer(operation, response).offered
    return Lane(operation, tuple(params), tuple(requirements), default, offered, cookies)


def _where(scheme: SecurityScheme, header_key: Callable[[str], str | None]) -> tuple[int, str | None]:
    """Where a lane reads a scheme's credential, and under which key (``None``: it cannot)."""
    if scheme.type != "apiKey":
        return _BY_AUTHORIZATION, header_key("Authorization")
    if scheme.location == "header":
        return _IN_HEADER, header_key(scheme.parameter)
    return (_IN_QUERY if scheme.location == "query" else _IN_COOKIE), scheme.parameter


def lane_answer(
    lane: Lane,
    backend: Backend | None,
    path_params: Mapping[str, str],
    query: Mapping[str, Sequence[str]],
    environ: Mapping[str, Any],
) -> Served | None:
    """The answer to a plain request, or ``None`` for the general pipeline.

    ``environ`` holds the request's headers under their WSGI keys; the caller has checked
    that the request has no body.
    """
    if "HTTP_PREFER" in environ:
        return None
    for name in query:  # not any() over a generator: this is in every request
        if name.startswith(CONTROL_PREFIX):
            return None
    if lane.cookies and "HTTP_COOKIE" in environ:
        return None
    accept = environ.get("HTTP_ACCEPT")
    if accept and accept != "*/*" and (ranges := parse_accept(accept)) and acceptable(ranges, lane.offered) != 0:
        return None
    credentials = _credentials(lane, query, environ)
    if credentials is None:
        return None
    operation = lane.operation
    refusal = backend.authenticate(operation, credentials) if backend is not None else implausible(credentials)
    if refusal is not None:
        return None
    values = _values(lane, path_params, query, environ)
    if values is None or (operation.rules and check_rules(operation.rules, values) is not None):
        return None
    default = lane.default
    if backend is None:
        return default
    result = backend.resolve(operation, values, credentials, default.body)
    if result is None:
        return default
    return None if isinstance(result, Refusal) else computed_answer(default, result)


def _credentials(
    lane: Lane, query: Mapping[str, Sequence[str]], environ: Mapping[str, Any]
) -> tuple[Credential, ...] | None:
    """:func:`~mockserver.core.security.find_credentials`'s answer, from the environ."""
    if not lane.requirements:
        return ()
    for requirement in lane.requirements:
        found = []
        for scheme, where, key in requirement:
            if where == _IN_HEADER:
                value = environ.get(key)
            elif where == _IN_QUERY:
                given = query.get(key)
                value = given[0] if given else None
            elif where == _BY_AUTHORIZATION:
                kind, _, value = environ.get(key, "").partition(" ")
                if kind.lower() != scheme.http_scheme:
                    break
            else:
                break  # a cookie: there are none (lane_answer checked)
            if value is None or not (value := value.strip()):
                break
            found.append(_credential((scheme, value)))
        else:
            return tuple(found)
    return None


def _values(
    lane: Lane, path_params: Mapping[str, str], query: Mapping[str, Sequence[str]], environ: Mapping[str, Any]
) -> dict[str, Any] | None:
    """:func:`~mockserver.core.parameters.validate_parameters`'s values, or ``None`` for any problem."""
    values: dict[str, Any] = {}
    for name, source, key, required, scalar, empty_allowed, coerce, is_valid, plan in lane.params:
        if source == _QUERY:
            raw = query.get(key)
        elif source == _COOKIE:
            raw = None  # there are no cookies (lane_answer checked)
        else:
            found = (path_params if source == _PATH else environ).get(key)
            raw = [found] if found is not None else None
        if not raw:
            if required:
                return None
            continue
        try:
            if scalar:  # coerce_planned's steps for one value
                if len(raw) > 1 or (not empty_allowed and raw[0] == ""):
                    return None
                value = raw[0] if coerce is None else coerce(raw[0])
            else:
                value = coerce_planned(raw, plan)
        except CoercionError:
            return None
        if not is_valid(value):
            return None
        values[name] = value
    return values
