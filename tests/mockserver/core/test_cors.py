from __future__ import annotations

import pytest

from mockserver.core.cors import cors_headers, origin_allowed

CASES = [
    ("no origin", None, ("*",), False, []),
    ("any origin", "http://a.test", ("*",), False, [("Access-Control-Allow-Origin", "*")]),
    (
        "listed origin",
        "http://a.test",
        ("http://a.test",),
        False,
        [("Access-Control-Allow-Origin", "http://a.test"), ("Vary", "Origin")],
    ),
    ("other origin", "http://b.test", ("http://a.test",), False, [("Vary", "Origin")]),
    ("no origin, a list", None, ("http://a.test",), False, [("Vary", "Origin")]),
    ("empty origin, a list", "", ("http://a.test",), False, [("Vary", "Origin")]),
    ("empty origin, any", "", ("*",), False, []),
    (
        "preflight",
        "http://a.test",
        ("*",),
        True,
        [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
            ("Access-Control-Allow-Headers", "x-api-key,prefer"),
            ("Access-Control-Max-Age", "600"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "origin", "allowed", "preflight", "expected"), CASES, ids=[c[0] for c in CASES])
def test_cors_headers(
    name: str, origin: str | None, allowed: tuple[str, ...], preflight: bool, expected: list[tuple[str, str]]
) -> None:
    headers = cors_headers(
        origin, allowed, preflight=preflight, methods=("GET", "HEAD", "OPTIONS"), requested_headers="x-api-key,prefer"
    )
    assert headers == expected


PREFLIGHTS = [
    ("the path's methods", ("GET", "HEAD", "OPTIONS"), "PUT", "x-key", "GET, HEAD, OPTIONS", "x-key"),
    ("a path without any: the method asked for", (), "PUT", "x-key", "PUT", "x-key"),
    ("nothing to allow: no header", (), None, None, None, None),
    ("blank values: no header", (), " ", " ", None, None),
]


@pytest.mark.parametrize(
    ("name", "methods", "method", "requested", "expected_methods", "expected_headers"),
    PREFLIGHTS,
    ids=[p[0] for p in PREFLIGHTS],
)
def test_a_preflight_never_sends_an_empty_header(
    name: str,
    methods: tuple[str, ...],
    method: str | None,
    requested: str | None,
    expected_methods: str | None,
    expected_headers: str | None,
) -> None:
    headers = cors_headers(
        "http://a.test", ("*",), preflight=True, methods=methods, requested_method=method, requested_headers=requested
    )
    assert all(value.strip() for _, value in headers), headers
    found = dict(headers)
    assert found.get("Access-Control-Allow-Methods") == expected_methods
    assert found.get("Access-Control-Allow-Headers") == expected_headers


EXPOSED = [
    ("documented headers", "http://a.test", ("*",), False, ("X-Total-Count", "ETag"), "X-Total-Count, ETag"),
    # What a page reads without being told, and Set-Cookie, which it is never shown, are not listed.
    ("safelisted and hidden", "http://a.test", ("*",), False, ("Content-Type", "cache-control", "Set-Cookie"), None),
    ("some of each", "http://a.test", ("http://a.test",), False, ("Last-Modified", "Location"), "Location"),
    ("CORS headers themselves", "http://a.test", ("*",), False, ("Access-Control-Allow-Origin", "ETag"), "ETag"),
    ("a preflight", "http://a.test", ("*",), True, ("X-Total-Count",), None),
    ("an origin not allowed", "http://b.test", ("http://a.test",), False, ("X-Total-Count",), None),
    ("no origin", None, ("*",), False, ("X-Total-Count",), None),
]


@pytest.mark.parametrize(
    ("name", "origin", "allowed", "preflight", "sent", "expected"), EXPOSED, ids=[e[0] for e in EXPOSED]
)
def test_an_answers_own_headers_are_exposed_to_the_page(
    name: str,
    origin: str | None,
    allowed: tuple[str, ...],
    preflight: bool,
    sent: tuple[str, ...],
    expected: str | None,
) -> None:
    headers = dict(cors_headers(origin, allowed, preflight=preflight, sent=sent))
    assert headers.get("Access-Control-Expose-Headers") == expected


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [(None, ("*",), False), ("", ("*",), False), ("http://a.test", ("*",), True), ("http://a.test", ("http://a.test",), True),
     ("http://b.test", ("http://a.test",), False), (None, ("http://a.test",), False)],
)  # fmt: skip
def test_origin_allowed(origin: str | None, allowed: tuple[str, ...], expected: bool) -> None:
    assert origin_allowed(origin, allowed) is expected
