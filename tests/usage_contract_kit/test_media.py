from __future__ import annotations

import pytest

from usage_contract_kit.media import matches, media_kind

KINDS = [
    ("application/json", "json"),
    ("application/problem+json; charset=utf-8", "json"),
    ("Application/Vnd.Api+JSON", "json"),
    ("application/xml", "xml"),
    ("application/atom+xml", "xml"),
    ("text/xml", "xml"),
    ("application/x-www-form-urlencoded", "form"),
    ("multipart/form-data", "multipart"),
    ("text/plain", "text"),
    ("text/csv", "text"),
    ("application/octet-stream", "binary"),
    ("image/png", "binary"),
    ("application/pdf", "binary"),
]


@pytest.mark.parametrize(("content_type", "kind"), KINDS)
def test_media_kind(content_type: str, kind: str) -> None:
    assert media_kind(content_type) == kind


@pytest.mark.parametrize(
    ("media_range", "content_type", "expected"),
    [
        ("*/*", "image/png", True),
        ("image/*", "image/png", True),
        ("image/*", "text/plain", False),
        ("application/json", "application/json; charset=utf-8", True),
        ("application/json", "application/problem+json", False),
        ("TEXT/PLAIN", "text/plain", True),
    ],
)
def test_matches(media_range: str, content_type: str, expected: bool) -> None:
    assert matches(media_range, content_type) is expected
