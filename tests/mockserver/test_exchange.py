"""The proxy's reading of the environ and its header rules in each direction (RFC 9110, 7.6)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from mockserver.core.engine import MockState, build_state
from mockserver.exchange import end_to_end, forwarded_headers, read_body, read_request, secrets_of, target_of
from usage_contract_kit.model import Spec


def _environ(**values: Any) -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "", **values}


TARGETS = [
    ("as the client sent it, when the server says", _environ(RAW_URI="/a%2Fb/%7E?x=1", PATH_INFO="/a/b/~", QUERY_STRING="x=1"), "/a%2Fb/%7E?x=1"),
    ("absolute form", _environ(REQUEST_URI="http://proxy.test/a/b?q", PATH_INFO="/a/b", QUERY_STRING="q"), "/a/b?q"),
    ("Granian: the decoded path encoded again", _environ(PATH_INFO="/a b/%/é".encode().decode("latin-1")), "/a%20b/%25/%C3%A9"),
    ("the query kept, spaces encoded", _environ(PATH_INFO="/x", QUERY_STRING="a=%ZZ&b=c d"), "/x?a=%ZZ&b=c%20d"),
    ("a malformed escape stays as sent", _environ(RAW_URI="/x%ZZ", PATH_INFO="/x%ZZ"), "/x%ZZ"),
    ("a base path", _environ(SCRIPT_NAME="/api", PATH_INFO="/x"), "/api/x"),
]  # fmt: skip


@pytest.mark.parametrize(("environ", "target"), [t[1:] for t in TARGETS], ids=[t[0] for t in TARGETS])
def test_target_of(environ: dict[str, Any], target: str) -> None:
    assert target_of(environ) == target


def test_forwarded_headers_leave_hop_by_hop_fields_behind() -> None:
    environ = _environ(
        HTTP_HOST="127.0.0.1:4010",
        HTTP_X_API_KEY="idt_live_x",
        HTTP_CONNECTION="Upgrade, X-Trace",
        HTTP_UPGRADE="websocket",
        HTTP_X_TRACE="only for this hop",
        HTTP_TE="trailers",
        HTTP_PROXY_AUTHORIZATION="Basic cHJveHk6cGFzcw==",
        HTTP_EXPECT="100-continue",
        HTTP_ACCEPT_ENCODING="br, deflate, gzip;q=0",
        HTTP_COOKIE="a=1",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH="2",
    )
    assert forwarded_headers(environ) == [
        ("X-Api-Key", "idt_live_x"),
        ("Accept-Encoding", "deflate"),
        ("Cookie", "a=1"),
        ("Content-Type", "application/json"),
        ("Via", "1.1 mockserver"),
    ]


@pytest.mark.parametrize(
    ("given", "sent"), [("br", "identity"), ("gzip, br;q=1", "gzip"), ("identity;q=0.5", "identity;q=0.5")]
)
def test_only_codings_the_proxy_can_decode_are_asked_for(given: str, sent: str) -> None:
    assert dict(forwarded_headers(_environ(HTTP_ACCEPT_ENCODING=given)))["Accept-Encoding"] == sent


def test_end_to_end() -> None:
    lines = [("Connection", "close, X-A"), ("X-A", "1"), ("Keep-Alive", "5"), ("Set-Cookie", "a"), ("Set-Cookie", "b")]
    assert end_to_end(lines) == [("Set-Cookie", "a"), ("Set-Cookie", "b")]


BODIES = [
    ("declared", {"CONTENT_LENGTH": "3"}, b"abcdef", 10, b"abc"),
    ("declared, over the limit", {"CONTENT_LENGTH": "11"}, b"x" * 11, 10, None),
    ("a length of 5,000 digits", {"CONTENT_LENGTH": "9" * 5000}, b"x", 10, None),
    ("chunked, within", {"wsgi.input_terminated": True}, b"x" * 10, 10, b"x" * 10),
    ("chunked, over", {"wsgi.input_terminated": True}, b"x" * 11, 10, None),
    ("none", {}, b"ignored", 10, b""),
]


@pytest.mark.parametrize(
    ("extra", "data", "limit", "expected"), [b[1:] for b in BODIES], ids=[b[0] for b in BODIES]
)  # fmt: skip
def test_read_body(extra: dict[str, Any], data: bytes, limit: int, expected: bytes | None) -> None:
    assert read_body(_environ(**{"wsgi.input": io.BytesIO(data), **extra}), limit) == expected


def test_read_request_as_the_pipeline_reads_it() -> None:
    environ = _environ(
        REQUEST_METHOD="head",
        QUERY_STRING="a=1&a=2&b=",
        HTTP_X_API_KEY="k",
        HTTP_COOKIE="c=3; broken",
        CONTENT_TYPE="t",
    )
    request = read_request(environ, "/p")
    assert (request.method, request.path) == ("HEAD", "/p")
    assert request.query == {"a": ["1", "2"], "b": [""]}
    assert request.headers == {"x-api-key": "k", "cookie": "c=3; broken", "content-type": "t"}


def test_secrets_of_a_request(spec: Spec) -> None:
    state: MockState = build_state(spec)
    environ = _environ(HTTP_X_API_KEY="idt_live_abc", HTTP_AUTHORIZATION="Bearer t0ken", HTTP_X_OTHER="public")
    assert secrets_of(state, read_request(environ, "/")) == ["idt_live_abc", "Bearer t0ken", "t0ken"]
