"""A lane answers exactly as the general pipeline does, whenever it answers at all.

For the usage contract (example mode and data mode) and every document under
``tests/specs``, requests are built from each operation's valid call and then broken or
varied in generated ways (parameters, credentials, ``Accept``, ``Prefer``, ``__``
parameters, methods, paths). Whenever :func:`handle_plain` answers one, :func:`handle`,
given the same request as the shell gives it, must answer the same (status, body, bytes,
headers, example, operation). The plain request itself must take the lane, so the lanes
are not simply never used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.core.engine import MockRequest, MockState, Outcome, build_state, handle, handle_plain
from mockserver.core.security import environ_key
from mockserver.core.wire import parse_cookies, parse_query
from mockserver.usage_data import load_usage_data
from mockserver.wsgi import _headers
from tests.conftest import DATA_PATH, KEY, SPEC_PATH
from tests.mockserver.fidelity import Call, valid_call
from usage_contract_kit.spec import load_spec

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.yaml"))
SHAPES = Path(__file__).resolve().parent / "lane_shapes.yaml"  # what the usage contract's lane does not exercise
USAGE = "/organizations/org_1/usage"
GOOD = {"startDate": "1735689600000", "endDate": "1738367999999"}


def _states() -> dict[str, tuple[MockState, list[Call]]]:
    usage = load_spec(SPEC_PATH)
    usage_call = Call("GET", USAGE, tuple(GOOD.items()), {"X-API-Key": KEY})
    states = {
        "usage, example mode": (build_state(usage), [usage_call]),
        "usage, data mode": (build_state(usage, load_usage_data(DATA_PATH, usage)), [usage_call]),
    }
    for path in SPECS:
        spec = load_spec(path)
        calls = [valid_call(spec, op) for op in spec.operations]
        states[path.stem] = (build_state(spec), [call for call in calls if call.body is None])
    region = {"X-Region": "eu"}
    both = {**region, "X-Token": "t0ken", "Authorization": "Bearer abc"}
    states["lane shapes"] = (
        build_state(load_spec(SHAPES)),
        [
            Call("GET", "/reports", (("key", "k1"),), region),
            Call("GET", "/reports", (("from", "1"), ("to", "5"), ("tags", "a,c"), ("note", "")), both),
            Call("GET", "/reports", (("to", "5"), ("key", "k1")), both),
            Call("GET", "/reports", (("level", "null"), ("key", "k1")), region, {"theme": "dark"}),
            Call("GET", "/reports/7", (("at", "1.5"), ("until", "1.5"))),
            Call("GET", "/reports/7", (("at", "-2"), ("until", "10"))),
        ],
    )
    return states


STATES = _states()


def _environ(headers: Mapping[str, str]) -> dict[str, Any]:
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET"}
    for name, value in headers.items():
        environ[environ_key(name)] = value
    return environ


def _both(state: MockState, method: str, path: str, raw_query: str, headers: Mapping[str, str]) -> tuple[Any, Any]:
    """(the lane's outcome or ``None``, the general pipeline's), as the shell computes them."""
    environ = _environ(headers)
    plain = handle_plain(state, method, path, raw_query, environ)
    seen = _headers(environ, state.header_keys)
    general = handle(state, MockRequest(method, path, parse_query(raw_query), seen, parse_cookies(seen.get("cookie"))))
    return plain, general


def _same(plain: tuple[Any, Any], general: Outcome) -> None:
    served, operation = plain  # the lane's (served, operation) pair
    assert operation == general.operation
    assert served == general.served
    assert served.payload() == general.served.payload()


@pytest.mark.parametrize("name", list(STATES))
def test_the_plain_request_takes_the_lane_and_gets_the_general_answer(name: str) -> None:
    state, calls = STATES[name]
    for call in calls:
        plain, general = _both(state, call.method, call.path, urlencode(call.query), call.all_headers())
        if plain is None:  # only a request with cookies goes the general way
            assert call.cookies, f"{name}: {call.method} {call.url()} is plain, and no lane answered it"
        else:
            _same(plain, general)


FALLBACKS = [
    ("a Prefer header", {"Prefer": "code=404"}, "", 404),
    ("a control parameter", {}, "&__code=404", 404),
    ("an unknown control parameter", {}, "&__nothing=1", 200),
    ("no key", {"X-API-Key": None}, "", 401),
    ("a key of another shape", {"X-API-Key": "not-a-key"}, "", 401),
    ("an unknown key", {"X-API-Key": "idt_live_" + "z" * 32}, "", 401),
    ("a date that is not a number", {}, "&startDate=soon", 422),
    ("a date given twice", {}, "&endDate=1738367999999", 422),
    ("an Accept nothing documented fits", {"Accept": "text/html"}, "", 406),
]


@pytest.mark.parametrize(("label", "headers", "extra", "status"), FALLBACKS, ids=[f[0] for f in FALLBACKS])
def test_what_is_not_plain_goes_the_general_way(
    label: str, headers: dict[str, str | None], extra: str, status: int
) -> None:
    state, _ = STATES["usage, data mode"]
    sent = {name: value for name, value in {"X-API-Key": KEY, **headers}.items() if value is not None}
    query = urlencode(GOOD) + extra
    if "startDate=soon" in extra:
        query = "startDate=soon&endDate=1738367999999"
    plain, general = _both(state, "GET", USAGE, query, sent)
    assert plain is None
    assert general.served.status == status


SHAPES_FALLBACKS = [
    ("a rule broken by equal values", "from=5&to=5&key=k1", {}, 422),
    ("an empty value where none is allowed", "level=&key=k1", {}, 422),
    ("a cookie parameter out of its enum", "key=k1", {"Cookie": "theme=neon"}, 422),
    ("a cookie parameter that is fine", "key=k1", {"Cookie": "theme=dark"}, 200),
    ("a query key of spaces", "key=%20%20", {}, 401),
    ("a header key without its bearer token", "", {"X-Token": "t"}, 401),
    ("a bearer token of another scheme", "", {"X-Token": "t", "Authorization": "Basic abc"}, 401),
    ("a value given twice", "key=k1&from=1&from=2", {}, 422),
]


@pytest.mark.parametrize(
    ("label", "raw_query", "headers", "status"), SHAPES_FALLBACKS, ids=[f[0] for f in SHAPES_FALLBACKS]
)
def test_what_the_shapes_lane_leaves_to_the_general_way(
    label: str, raw_query: str, headers: dict[str, str], status: int
) -> None:
    state, _ = STATES["lane shapes"]
    plain, general = _both(state, "GET", "/reports", raw_query, {"X-Region": "eu", **headers})
    assert plain is None
    assert general.served.status == status


TEXTS = st.sampled_from(
    ["", "0", "-1", "1735689600000", "1738367999999", "1.5", "1e3", "NaN", "abc", " 1", "٣", "9" * 320, "true", "null"]
)
ACCEPTS = st.sampled_from(
    [None, "*/*", "application/json", "application/*", "application/xml", "text/plain", "text/html",
     "application/json;q=0", "application/json, text/plain, */*", "text/html, */*;q=0.1", ""]
)  # fmt: skip
KEYS = st.sampled_from([None, KEY, "", " " + KEY + " ", "idt_live_short", "idt_live_" + "0" * 32, "plain"])


def _varied_query(draw: st.DrawFn, query: list[tuple[str, str]]) -> list[tuple[str, str]]:
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["set", "set", "set", "drop", "repeat", "extra", "control"]))
        if kind == "set" and query:
            index = draw(st.integers(0, len(query) - 1))
            query[index] = (query[index][0], draw(TEXTS))
        elif kind == "drop" and query:
            query.pop(draw(st.integers(0, len(query) - 1)))
        elif kind == "repeat" and query:
            query.append(draw(st.sampled_from(query)))
        elif kind == "extra":
            query.append((draw(st.sampled_from(["other", "key", "from", "to", "tags", "note", "level"])), draw(TEXTS)))
        elif kind == "control":
            query.append((draw(st.sampled_from(["__code", "__example", "__delay", "__x"])), draw(TEXTS)))
    return query


def _sometimes(draw: st.DrawFn, one_in: int) -> bool:
    return draw(st.integers(1, one_in)) == 1


@st.composite
def variations(draw: st.DrawFn) -> tuple[str, str, str, str, dict[str, str]]:
    """A state's valid call with a few things changed: mostly still plain, often not."""
    name = draw(st.sampled_from(sorted(STATES)))
    _, calls = STATES[name]
    call = draw(st.sampled_from(calls))
    query = _varied_query(draw, list(call.query))
    headers = dict(call.all_headers())
    if "Cookie" in headers and draw(st.booleans()):
        del headers["Cookie"]
    if _sometimes(draw, 4) and headers:
        del headers[draw(st.sampled_from(sorted(headers)))]
    if _sometimes(draw, 6):
        headers["Authorization"] = draw(
            st.sampled_from(["Bearer abc", "bearer  x ", "Basic abc", "Bearer", "Bearer  "])
        )
    if _sometimes(draw, 3):
        key = draw(KEYS)
        for header in [h for h in headers if h.lower() in ("x-api-key", "api_key", "api-key", "x-token")]:
            del headers[header]
        if key is not None:
            headers["X-API-Key"] = key
    if _sometimes(draw, 2):
        headers["Accept"] = draw(ACCEPTS.filter(lambda accept: accept is not None)) or ""
    if _sometimes(draw, 8):
        headers["Prefer"] = draw(st.sampled_from(["code=404", "example=fromSchema", "dynamic=true", "unknown=1"]))
    if _sometimes(draw, 4):
        headers["Origin"] = "http://localhost:3000"
    method = call.method
    if _sometimes(draw, 5):
        method = draw(st.sampled_from(["HEAD", "POST", "OPTIONS", "DELETE"]))
    path = call.path
    if _sometimes(draw, 6):
        path = draw(st.sampled_from(["/organizations/org_2/usage", "/organizations/nope/usage", "/nothing"]))
    raw_query = "&".join(f"{quote(k, safe='_')}={quote(v, safe='')}" for k, v in query)
    return name, method, path, raw_query, headers


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variations())
def test_whenever_a_lane_answers_it_answers_as_the_general_pipeline(
    case: tuple[str, str, str, str, dict[str, str]],
) -> None:
    name, method, path, raw_query, headers = case
    state, _ = STATES[name]
    plain, general = _both(state, method, path, raw_query, headers)
    if plain is not None:
        _same(plain, general)


def test_the_lanes_remember_a_bounded_number_of_routes() -> None:
    usage = load_spec(SPEC_PATH)
    state = build_state(usage, load_usage_data(DATA_PATH, usage))
    headers = {"X-API-Key": KEY}
    for number in range(5000):
        plain, general = _both(state, "GET", f"/organizations/org_{number}/usage", urlencode(GOOD), headers)
        assert plain is None or plain == general
    assert 0 < len(state.lane_routes) <= 4096
    long_path = "/organizations/" + "o" * 300 + "/usage"
    plain, general = _both(state, "GET", long_path, urlencode(GOOD), headers)
    assert plain is None
    assert general.served.status == 404
    assert ("GET", long_path) not in state.lane_routes
    plain, general = _both(state, "GET", USAGE, urlencode(GOOD), headers)  # still answered, and the same
    assert plain is not None
    _same(plain, general)


def _one_operation(tmp_path: Path, operation: dict[str, Any], components: dict[str, Any] | None = None) -> MockState:
    """The state of a spec whose one operation, ``GET /x``, is ``operation`` with a 200 example, a 401 and a 422."""
    ok = {"description": "ok", "content": {"application/json": {"example": {"a": 1}}}}
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "One operation", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    **operation,
                    "responses": {"200": ok, "401": {"description": "no"}, "422": {"description": "no"}},
                }
            }
        },
        "components": components or {},
    }
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(spec))
    return build_state(load_spec(path))


def test_a_requirement_of_many_schemes_gets_a_flat_lane(tmp_path: Path) -> None:
    """150 keys that must all be sent: the lane stays flat (no nesting per scheme) and agrees with handle."""
    count = 150
    state = _one_operation(
        tmp_path,
        {"security": [{f"k{i}": [] for i in range(count)}]},
        {"securitySchemes": {f"k{i}": {"type": "apiKey", "in": "header", "name": f"X-K{i}"} for i in range(count)}},
    )
    assert state.lanes, "the operation has no lane"
    every = {f"X-K{i}": f"v{i}" for i in range(count)}
    plain, general = _both(state, "GET", "/x", "", every)
    assert plain is not None
    _same(plain, general)
    del every["X-K149"]
    plain, general = _both(state, "GET", "/x", "", every)
    assert plain is None
    assert general.served.status == 401


def test_an_operation_with_too_many_checks_is_left_to_the_general_pipeline(tmp_path: Path) -> None:
    """300 parameters are not written out (20,000 took seconds and 800 MB to compile); handle answers."""
    parameters = [{"name": f"p{i}", "in": "query", "schema": {"type": "integer"}} for i in range(300)]
    state = _one_operation(tmp_path, {"parameters": parameters})
    assert not state.lanes
    plain, general = _both(state, "GET", "/x", "p7=3", {})
    assert plain is None
    assert general.served.status == 200
    plain, general = _both(state, "GET", "/x", "p7=three", {})
    assert general.served.status == 422


@pytest.mark.parametrize("array", [False, True], ids=["a scalar", "an array"])
def test_a_query_key_that_is_also_a_parameter_is_read_once_and_as_handle_reads_it(tmp_path: Path, array: bool) -> None:
    """The lane reads each query name into one local: a key named as a parameter shares it."""
    schema = {"type": "array", "items": {"type": "string"}} if array else {"type": "string"}
    state = _one_operation(
        tmp_path,
        {"security": [{"q": []}], "parameters": [{"name": "token", "in": "query", "schema": schema}]},
        {"securitySchemes": {"q": {"type": "apiKey", "in": "query", "name": "token"}}},
    )
    assert state.lanes, "the operation has no lane"
    answered = []
    for raw_query in ["token=abc", "token=abc&token=def", "token=%20abc", "token=", "other=1", "token=a%2Cb", ""]:
        plain, general = _both(state, "GET", "/x", raw_query, {})
        if plain is not None:
            _same(plain, general)
            answered.append(raw_query)
        else:
            assert general.served.status != 200 or raw_query == "token=abc&token=def"
    assert "token=abc" in answered
    assert ("token=abc&token=def" in answered) is array  # a scalar given twice goes the general way


def test_a_query_parameter_without_a_name_is_left_to_the_general_pipeline(tmp_path: Path) -> None:
    """An empty part of a query (``a=1&&b=2``) names nothing: a parameter named "" is read by handle alone."""
    state = _one_operation(tmp_path, {"parameters": [{"name": "", "in": "query", "schema": {"type": "integer"}}]})
    assert not state.lanes
    for raw_query, status in (("=3", 200), ("=three", 422), ("a=1&&b=2", 200)):
        plain, general = _both(state, "GET", "/x", raw_query, {})
        assert plain is None
        assert general.served.status == status


def test_a_query_key_without_a_name_is_left_to_the_general_pipeline(tmp_path: Path) -> None:
    """A key named "" is read from a part "=value" as handle reads it; an empty part (&&) is no key."""
    state = _one_operation(
        tmp_path,
        {"security": [{"ek": []}, {"hk": []}]},
        {
            "securitySchemes": {
                "ek": {"type": "apiKey", "in": "query", "name": "", "x-key-pattern": "^e_[a-z]+$"},
                "hk": {"type": "apiKey", "in": "header", "name": "X-Key", "x-key-pattern": "^h_[a-z]+$"},
            }
        },
    )
    assert not state.lanes
    for raw_query, status in (("&=bad", 401), ("x=1&&=bad", 401), ("&=e_abc", 200), ("", 200)):
        plain, general = _both(state, "GET", "/x", raw_query, {"X-Key": "h_abc"})
        assert plain is None
        assert general.served.status == status
