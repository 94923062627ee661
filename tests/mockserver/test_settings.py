"""Settings: each bad value names the key, the value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.settings import DEFAULTS, SettingsError, parse_settings


def test_defaults() -> None:
    settings = parse_settings(DEFAULTS)
    assert (settings.max_spec_bytes, settings.max_data_bytes) == (20 * 1024 * 1024, 200 * 1024 * 1024)
    assert (settings.reload_timeout, settings.reload_memory_mb) == (120, 4096)
    assert settings.max_spec_nodes == 1_000_000
    assert parse_settings({**DEFAULTS, "MOCK_MAX_SPEC_NODES": "3000000"}).max_spec_nodes == 3_000_000


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("MOCK_MAX_SPEC_MB", "0.5", 512 * 1024),
        ("MOCK_MAX_DATA_MB", 1, 1024 * 1024),
        ("MOCK_RELOAD_TIMEOUT", "2.5", 2.5),
    ],
)
def test_values_from_the_environment_are_converted(key: str, value: Any, expected: float) -> None:
    settings = parse_settings({**DEFAULTS, key: value})
    found = {"MOCK_MAX_SPEC_MB": settings.max_spec_bytes, "MOCK_MAX_DATA_MB": settings.max_data_bytes}
    assert found.get(key, settings.reload_timeout) == expected


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("MOCK_MAX_SPEC_MB", "0", "megabytes, a number > 0 (decimals allowed)"),
        ("MOCK_MAX_DATA_MB", "lots", "megabytes, a number > 0 (decimals allowed)"),
        ("MOCK_MAX_DATA_MB", "inf", "megabytes, a number > 0 (decimals allowed)"),
        ("MOCK_RELOAD_TIMEOUT", "0", "seconds > 0"),
        ("MOCK_RELOAD_TIMEOUT", "nan", "seconds > 0"),
        ("MOCK_RELOAD_MEMORY_MB", "10", "a whole number >= 64"),
        ("MOCK_RELOAD_INTERVAL", "soon", "seconds, 0 to turn reloading off"),
        ("MOCK_MAX_SPEC_NODES", "0", "a whole number >= 1"),
        ("MOCK_RELOAD_INTERVAL", "inf", "seconds, 0 to turn reloading off"),
        # A latency no client waits for, or past what time.sleep takes (an OverflowError, a 500 each request).
        ("MOCK_LATENCY", "600001", "at most 600000 milliseconds (10 minutes)"),
        ("MOCK_LATENCY", "100-99999999999999999999", "at most 600000 milliseconds (10 minutes)"),
        # Origins no browser sends: they never matched, and every page was refused without a word.
        (
            "MOCK_CORS_ORIGINS",
            "http://localhost:3000/",
            "an origin has no path, query or trailing '/': 'http://localhost:3000'",
        ),
        (
            "MOCK_CORS_ORIGINS",
            "https://app.test/login",
            "an origin has no path, query or trailing '/': 'https://app.test'",
        ),
        (
            "MOCK_CORS_ORIGINS",
            "HTTP://Localhost:3000",
            "an origin is written in lower case, as browsers send it: 'http://localhost:3000'",
        ),
        (
            "MOCK_CORS_ORIGINS",
            "localhost:3000",
            "an origin is scheme://host[:port], such as http://localhost:3000 (or * for any)",
        ),
        (
            "MOCK_CORS_ORIGINS",
            "http://a\r\nX-Evil: 1",
            "an origin is scheme://host[:port], such as http://localhost:3000 (or * for any)",
        ),
    ],
)
def test_bad_values_are_named(key: str, value: str, allowed: str) -> None:
    with pytest.raises(SettingsError) as info:
        parse_settings({**DEFAULTS, key: value})
    assert str(info.value) == f"setting {key}={value!r} is invalid: {allowed}"


@pytest.mark.parametrize(
    "origins", ["*", "null", "http://localhost:3000", "https://a.test,http://[::1]:8080", "chrome-extension://abcdef"]
)
def test_origins_a_browser_sends_are_accepted(origins: str) -> None:
    assert parse_settings({**DEFAULTS, "MOCK_CORS_ORIGINS": origins}).cors_origins == tuple(origins.split(","))
