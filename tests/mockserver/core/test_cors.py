from __future__ import annotations

import pytest

from mockserver.core.cors import cors_headers

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
    ("other origin", "http://b.test", ("http://a.test",), False, []),
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
