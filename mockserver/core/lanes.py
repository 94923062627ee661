"""The plain request answered straight through: one lane per operation, compiled at load.

Most requests a mock gets are the plain case: no ``Prefer`` and no ``__`` parameters, no
body, no cookie, the credentials present and good, every parameter valid, the default
media type acceptable. A lane answers exactly those with the checks :func:`~mockserver.core.engine.handle`
makes (the same coercion, the same schema validators, the same cross-parameter rules, the
same backend calls), without the steps the plain case does not need (preferences, the
request's whole header map, body checks, refusal plans). Anything else, and every refusal,
makes the lane return ``None``, and the shell goes through ``handle``, which starts again
from the request.

Each lane is one Python function written for its operation at load (:func:`_write_answer`):
the parameters, credentials and rules are checked in a straight line, with no loop over
the spec's lists at request time. Only names the writer makes go into its source; every
value the spec gives (a name, a key, a validator, a scheme) is a bound constant.

A lane reads headers by their WSGI environ key (``HTTP_X_API_KEY``); an operation whose
header names WSGI would merge with another documented one gets no lane, so a lane never
sees a header the general pipeline does not. ``tests/mockserver/core/test_lanes.py``
checks, with generated requests, that whenever a lane answers, ``handle`` answers the same
(for the usage contract, every document under ``tests/specs`` and ``lane_shapes.yaml``,
which has the security and parameter shapes the others lack).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from mockserver.core.answers import Catalog, Served, default_response
from mockserver.core.backend import Backend, Computed, Refusal, computed_answer, implausible, new_tuple
from mockserver.core.negotiation import acceptable, parse_accept
from mockserver.core.parameters import (
    FINITE_DIGITS,
    CoercionError,
    ParameterPlan,
    as_text,
    coerce_planned,
    reads_digits,
)
from mockserver.core.prefer import CONTROL_PREFIX
from mockserver.core.security import Credential, environ_key, name_of
from mockserver.core.wire import parse_query
from usage_contract_kit.model import Operation, SecurityScheme

__all__ = ["Lane", "LaneAnswer", "compile_lanes"]

_QUERY, _PATH, _HEADER, _COOKIE = 0, 1, 2, 3  # where a parameter is read
_IN_HEADER, _IN_QUERY, _IN_COOKIE, _BY_AUTHORIZATION = 0, 1, 2, 3  # where a credential is read
_NOT_HEADERS = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})
# The most parameters, credentials and rules a lane is written for: a spec with thousands on
# one operation (20,000 took 3 s and 800 MB to compile) is answered by the general pipeline.
_MOST_CHECKS = 256


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


# answer(backend, path_params, query, environ): the plain request's answer, or None for the general pipeline
LaneAnswer = Callable[
    [Backend | None, Mapping[str, str], Mapping[str, Sequence[str]], Mapping[str, Any]], Served | None
]


class Lane(NamedTuple):
    operation: Operation
    answer: LaneAnswer  # the operation's checks, written out and compiled for it (_write_answer)


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
        if default is None or operation.request_body is not None or _checks(operation) > _MOST_CHECKS:
            continue  # nothing plain to answer, or too many checks to write out (compiling costs more)
        if _reads_unnamed_query(operation):
            continue  # the lane's reader would take an empty part (a=1&&b=2) for it, which parse_query skips
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
                not plan.array and plan.styled is None,  # a styled value is read by coerce_planned
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
    try:
        answer = _write_answer(operation, params, requirements, default, offered, cookies)
    except (SyntaxError, RecursionError, MemoryError):  # too large to compile: the general pipeline
        return None
    return Lane(operation, answer)


def _reads_unnamed_query(operation: Operation) -> bool:
    """Whether ``operation`` reads a query parameter or an API key named "" from the query."""
    if any(param.location == "query" and not param.name for param in operation.parameters):
        return True
    schemes = (scheme for requirement in operation.security for scheme in requirement)
    return any(scheme.type == "apiKey" and scheme.location == "query" and not scheme.parameter for scheme in schemes)


def _checks(operation: Operation) -> int:
    """How many parameters, credentials and rules a lane for ``operation`` would check."""
    return (
        len(operation.parameters) + sum(len(requirement) for requirement in operation.security) + len(operation.rules)
    )


def _where(scheme: SecurityScheme, header_key: Callable[[str], str | None]) -> tuple[int, str | None]:
    """Where a lane reads a scheme's credential, and under which key (``None``: it cannot)."""
    if scheme.type != "apiKey":
        return _BY_AUTHORIZATION, header_key("Authorization")
    if scheme.location == "header":
        return _IN_HEADER, header_key(scheme.parameter)
    return (_IN_QUERY if scheme.location == "query" else _IN_COOKIE), scheme.parameter


class _Source:
    """The source of a lane's function, and the constants it runs with.

    Only names made here go into the source (``r0``, ``k3``); every value the spec gives
    (a parameter's name, a header's key, a scheme, a validator) is a bound constant.
    """

    def __init__(self) -> None:
        self.bound: dict[str, Any] = {
            "CoercionError": CoercionError,
            "Refusal": Refusal,
            "acceptable": acceptable,
            "coerce_planned": coerce_planned,
            "Computed": Computed,
            "computed_answer": computed_answer,
            "Served": Served,
            "new": new_tuple,
            "Credential": Credential,
            "implausible": implausible,
            "parse_accept": parse_accept,
            "parse_query": parse_query,
        }
        self.lines: list[str] = []

    def const(self, value: Any) -> str:
        name = f"k{len(self.bound)}"
        self.bound[name] = value
        return name

    def add(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line + "\n")


def _write_answer(
    operation: Operation,
    params: Sequence[_Param],
    requirements: Sequence[tuple[tuple[SecurityScheme, int, str], ...]],
    default: Served,
    offered: tuple[str, ...],
    cookies: bool,
) -> LaneAnswer:
    """The lane's function: ``answer(backend, path_params, raw_query, environ)``, compiled once.

    It makes, straight through, the checks :func:`~mockserver.core.engine.handle` makes
    for a plain request (no loop over the parameters or the security requirements at
    request time), and returns ``None`` at the first thing that is not plain.
    """
    src = _Source()
    add = src.add
    add(1, f"if {src.const('HTTP_PREFER')} in environ:")
    add(2, "return None")
    reads = _query_reads(params, requirements)
    _write_query(src, reads)
    if cookies:
        add(1, f"if {src.const('HTTP_COOKIE')} in environ:")
        add(2, "return None")
    add(1, f"accept = environ.get({src.const('HTTP_ACCEPT')})")
    add(1, f"if accept and accept != {src.const('*/*')}:")
    add(2, "ranges = parse_accept(accept)")
    add(2, f"if ranges and acceptable(ranges, {src.const(offered)}) != 0:")
    add(3, "return None")
    _write_credentials(src, reads, requirements)
    operation_name = src.const(operation)
    add(1, "if backend is not None:")
    add(2, f"if backend.authenticate({operation_name}, credentials) is not None:")
    add(3, "return None")
    add(1, "elif implausible(credentials) is not None:")
    add(2, "return None")
    _write_values(src, params)
    _write_rules(src, operation.rules, params)
    default_name = src.const(default)
    add(1, "if backend is None:")
    add(2, f"return {default_name}")
    add(1, f"result = backend.resolve({operation_name}, values, credentials, {src.const(default.body)})")
    add(1, "if result is None:")
    add(2, f"return {default_name}")
    # computed_answer(default, result) for a body the backend computed, written out: no call, no attribute read
    made = {"body": "result[0]", "example": src.const("data"), "delay_ms": "None"}
    made["encoded"] = "result[1]" if default.kind == "json" else "None"
    fields = ", ".join(made.get(name) or src.const(getattr(default, name)) for name in Served._fields)
    add(1, "if type(result) is Computed:")
    add(2, f"return new(Served, ({fields}))")
    add(1, f"return None if isinstance(result, Refusal) else computed_answer({default_name}, result)")
    code = "def answer(backend, path_params, raw_query, environ):\n" + "".join(src.lines)
    # Generated from names made by _Source only; every value from the spec is a bound constant.
    exec(compile(code, f"<lane {operation.location}>", "exec"), src.bound)  # noqa: S102
    return src.bound["answer"]  # type: ignore[no-any-return]


class _QueryReads(NamedTuple):
    locals: dict[str, str]  # each query name the lane reads -> its local: r<i> for a parameter, q<j> for a key only
    arrays: frozenset[str]  # the names of array parameters (a list of values), the others hold one value
    scalars: frozenset[str]  # the names of scalar parameters (given twice: not plain); a key only takes the first


def _query_reads(
    params: Sequence[_Param], requirements: Sequence[tuple[tuple[SecurityScheme, int, str], ...]]
) -> _QueryReads:
    """What a lane reads from the query, and where it holds each value."""
    names = {param.key: f"r{index}" for index, param in enumerate(params) if param.source == _QUERY}
    for requirement in requirements:
        for _, where, key in requirement:
            if where == _IN_QUERY and key not in names:
                names[key] = f"q{len(names)}"
    query = [param for param in params if param.source == _QUERY]
    return _QueryReads(
        names,
        frozenset(param.key for param in query if not param.scalar),
        frozenset(param.key for param in query if param.scalar),
    )


def _write_query(src: _Source, reads: _QueryReads) -> None:
    """The query's values the lane reads, each in its local (:class:`_QueryReads`); ``None`` at a ``__`` parameter.

    What :func:`~mockserver.core.wire.parse_query` would give, without its dictionary of
    lists: a scalar parameter's local holds its one value (given twice: return ``None``, as
    the lane would), an array's the list of its values, a key's its first value; a name
    not given leaves ``None``. A query without escapes is read in one pass over its parts;
    one with escapes is parsed (decoded) first.
    """
    add = src.add
    names, arrays, scalars = reads
    control = src.const(CONTROL_PREFIX)
    add(1, "if '%' in raw_query or '+' in raw_query:")
    add(2, "query = parse_query(raw_query)")
    add(2, "for name in query:")
    add(3, f"if name.startswith({control}):")
    add(4, "return None")
    for name, local in names.items():
        add(2, f"{local} = query.get({src.const(name)})")
        if name not in arrays:
            add(2, f"if {local} is not None:")
            if name in scalars:
                add(3, f"if len({local}) > 1:")
                add(4, "return None")
            add(3, f"{local} = {local}[0]")
    add(1, "else:")
    # A part's name starts with the prefix exactly when the query or a part after an & does.
    add(2, f"if raw_query.startswith({control}) or {src.const('&' + CONTROL_PREFIX)} in raw_query:")
    add(3, "return None")
    if not names:
        return
    add(2, "".join(f"{local} = " for local in names.values()) + "None")
    add(2, "for part in raw_query.split('&'):")
    add(3, "name, _, value = part.partition('=')")
    for position, (name, local) in enumerate(names.items()):
        add(3, f"{'if' if position == 0 else 'elif'} name == {src.const(name)}:")
        if name in arrays:
            add(4, f"if {local} is None:")
            add(5, f"{local} = [value]")
            add(4, "else:")
            add(5, f"{local}.append(value)")
        elif name in scalars:
            add(4, f"if {local} is not None:")
            add(5, "return None")
            add(4, f"{local} = value")
        else:  # a key: its first value
            add(4, f"if {local} is None:")
            add(5, f"{local} = value")


def _write_credentials(
    src: _Source, reads: _QueryReads, requirements: Sequence[tuple[tuple[SecurityScheme, int, str], ...]]
) -> None:
    """``credentials``: those of the first requirement whose every scheme has one, else return ``None``.

    :func:`~mockserver.core.security.find_credentials`'s answer, read from the environ.
    Each requirement is one pass of a ``while`` that a missing credential leaves: flat,
    however many schemes a requirement joins.
    """
    add = src.add
    if not requirements:
        add(1, "credentials = ()")
        return
    add(1, "credentials = None")
    for requirement in requirements:
        if any(where == _IN_COOKIE for _, where, _ in requirement):
            continue  # a cookie: there are none (a lane answers only without them)
        add(1, "while credentials is None:")
        found: list[str] = []
        for scheme, where, key in requirement:
            value = f"c{len(found)}"
            if where == _IN_HEADER:
                add(2, f"{value} = environ.get({src.const(key)})")
                add(2, f"if {value} is None or not ({value} := {value}.strip()):")
            elif where == _IN_QUERY:  # its first value, read by _write_query (an array's: its list)
                local = reads.locals[key]
                first = f"{local}[0]" if key in reads.arrays else local
                add(2, f"{value} = None if {local} is None else {first}")
                add(2, f"if {value} is None or not ({value} := {value}.strip()):")
            else:  # _BY_AUTHORIZATION: the scheme's name, a space, the credentials
                add(2, f"kind, _, {value} = environ.get({src.const(key)}, '').partition(' ')")
                add(2, f"if kind.lower() != {src.const(scheme.http_scheme)} or not ({value} := {value}.strip()):")
            add(3, "break")
            found.append(f"new(Credential, ({src.const(scheme)}, {value}))")  # without a Python frame
        add(2, f"credentials = ({''.join(item + ', ' for item in found)})")
    add(1, "if credentials is None:")
    add(2, "return None")


def _write_values(src: _Source, params: Sequence[_Param]) -> None:
    """``values``: each parameter coerced and validated as ``validate_parameters`` does; else return ``None``."""
    add = src.add
    add(1, "values = {}")
    for index, param in enumerate(params):
        raw = f"r{index}"
        if param.source == _COOKIE:  # there are no cookies (a lane answers only without them)
            if param.required:
                add(1, "return None")
                return
            continue
        if param.source == _QUERY:  # read by _write_query: its one value, or an array's list of them
            present, absent, given = f"{raw} is not None", f"{raw} is None", raw if not param.scalar else f"[{raw}]"
        else:
            mapping = "path_params" if param.source == _PATH else "environ"
            add(1, f"{raw} = {mapping}.get({src.const(param.key)})")
            present, absent, given = f"{raw} is not None", f"{raw} is None", f"[{raw}]"  # one value
        depth = 1
        if param.required:
            add(1, f"if {absent}:")
            add(2, "return None")
        else:
            add(1, f"if {present}:")
            depth = 2
        value = f"v{index}"
        _write_coercion(src, param, raw, given, value, depth)
        if not param.plan.typed:  # else the coercion gave the only thing the schema asks
            add(depth, f"if not {src.const(param.is_valid)}({value}):")
            add(depth + 1, "return None")
        add(depth, f"values[{src.const(param.name)}] = {value}")


def _write_coercion(src: _Source, param: _Param, raw: str, given: str, value: str, depth: int) -> None:
    """``value``: the parameter's raw value (``raw``; ``given``, the list of them) coerced; else return ``None``."""
    add = src.add
    call, at = None, depth  # the coercion's call, and the depth of its try
    if not param.scalar:
        call = f"coerce_planned({given}, {src.const(param.plan)})"
    else:  # coerce_planned's steps for one value
        if param.coerce is not None and reads_digits(param.coerce):
            # The usual plain digits read here, without the coercion's call (and never empty).
            add(depth, f"if {raw}.isdigit() and {raw}.isascii() and len({raw}) < {FINITE_DIGITS}:")
            add(depth + 1, f"{value} = int({raw})")
            add(depth, "else:")
            at = depth + 1
        if not param.empty_allowed:
            add(at, f"if {raw} == '':")
            add(at + 1, "return None")
        if param.coerce is None:
            add(depth, f"{value} = {raw}")
        else:
            call = f"{src.const(param.coerce)}({raw})"
    if call is not None:
        add(at, "try:")
        add(at + 1, f"{value} = {call}")
        add(at, "except CoercionError:")
        add(at + 1, "return None")


def _write_rules(src: _Source, rules: Sequence[Mapping[str, Any]], params: Sequence[_Param]) -> None:
    """``x-cross-parameter-rules`` as :func:`~mockserver.core.parameters.check_rules` checks them; else return ``None``.

    A rule holds unless both its parameters have values, they compare, and the comparison fails.
    """
    add = src.add
    names = [param.name for param in params]
    # A required parameter's value is in its local (v0, ...), unless another one has its name.
    local = {
        param.name: f"v{index}" for index, param in enumerate(params) if param.required and names.count(param.name) == 1
    }
    for rule in rules:
        first, second = rule["parameters"]
        operator = "<=" if rule["rule"] == "less-or-equal" else "<"  # as check_rules reads it
        if first in local and second in local:
            a, b, depth = local[first], local[second], 1
        else:
            a, b, depth = f"values[{src.const(first)}]", f"values[{src.const(second)}]", 2
            add(1, f"if {src.const(first)} in values and {src.const(second)} in values:")
        add(depth, "try:")
        add(depth + 1, f"holds = {a} {operator} {b}")
        add(depth, "except TypeError:")
        add(depth + 1, "holds = True  # values that do not compare: the schemas' business")
        add(depth, "if not holds:")
        add(depth + 1, "return None")
