"""The query string and the Cookie header, read as the standard library reads them."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.core.wire import parse_cookies, parse_query

_QUERY_TEXT = st.text(alphabet=st.sampled_from(list("ab=&+%2F0x é;_-.")), max_size=40)


@given(_QUERY_TEXT)
@settings(max_examples=400, deadline=None)
def test_parse_query_reads_what_parse_qs_reads(raw: str) -> None:
    assert parse_query(raw) == parse_qs(raw, keep_blank_values=True, errors="replace")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", {}),
        ("a=1&a=2&b", {"a": ["1", "2"], "b": [""]}),
        ("q=a+b%20c", {"q": ["a b c"]}),
        ("k%3D=%E2%9C%93", {"k=": ["\u2713"]}),
        ("bad=%ZZ&&x=%", {"bad": ["%ZZ"], "x": ["%"]}),
        ("x=%FF", {"x": ["\ufffd"]}),
    ],
)
def test_parse_query_table(raw: str, expected: dict[str, list[str]]) -> None:
    assert parse_query(raw) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, {}),
        ("", {}),
        ("session=abc; theme=dark", {"session": "abc", "theme": "dark"}),
        ('token="quoted value"', {"token": "quoted value"}),
        ("bad key=1", {}),
    ],
)
def test_parse_cookies(header: str | None, expected: dict[str, str]) -> None:
    assert parse_cookies(header) == expected
