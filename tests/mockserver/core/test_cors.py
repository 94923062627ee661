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


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [(None, ("*",), False), ("", ("*",), False), ("http://a.test", ("*",), True), ("http://a.test", ("http://a.test",), True),
     ("http://b.test", ("http://a.test",), False), (None, ("http://a.test",), False)],
)  # fmt: skip
def test_origin_allowed(origin: str | None, allowed: tuple[str, ...], expected: bool) -> None:
    assert origin_allowed(origin, allowed) is expected
