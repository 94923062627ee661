"""Accept picks among the documented media types; nothing acceptable is None (406)."""

from __future__ import annotations

import pytest

from mockserver.core.negotiation import acceptable, parse_accept

DOCUMENTED = ("application/json", "application/xml", "text/plain")

CASES = [
    ("no Accept: the first documented", None, DOCUMENTED, 0),
    ("anything", "*/*", DOCUMENTED, 0),
    ("exactly one", "application/xml", DOCUMENTED, 1),
    ("case and parameters ignored", "Application/XML; charset=utf-8", DOCUMENTED, 1),
    ("highest quality wins", "application/json;q=0.5, text/plain;q=0.9", DOCUMENTED, 2),
    ("a wildcard subtype", "text/*", DOCUMENTED, 2),
    ("the most specific range gives the quality", "text/*;q=0.1, text/plain;q=0, */*;q=0.5", DOCUMENTED, 0),
    ("q=0 refuses", "application/json;q=0", ("application/json",), None),
    ("nothing fits", "image/png", DOCUMENTED, None),
    ("a broken quality counts as 0", "application/xml;q=high, text/plain", DOCUMENTED, 2),
    ("ties keep the documented order", "application/xml, application/json", DOCUMENTED, 0),
    ("a documented range", "image/png", ("image/*",), 0),
    ("nothing documented", "*/*", (), None),
]


@pytest.mark.parametrize(("header", "documented", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_acceptable(header: str | None, documented: tuple[str, ...], expected: int | None) -> None:
    assert acceptable(parse_accept(header), documented) == expected
