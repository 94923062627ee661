"""The proxy's settings and options: what is accepted, and what a bad value is told."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from mockserver.cli import main
from mockserver.proxy_settings import ProxySettings, check_upstream, parse_proxy_settings
from mockserver.settings import SettingsError


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://staging.example.test", "https://staging.example.test"),
        ("http://127.0.0.1:8080/api/", "http://127.0.0.1:8080/api"),
        (" https://[::1]:9000 ", "https://[::1]:9000"),
    ],
)
def test_upstreams_accepted(url: str, kept: str) -> None:
    assert check_upstream(url) == kept


@pytest.mark.parametrize(
    ("url", "told"),
    [
        ("staging.example.test", "an http:// or https:// URL with a host"),
        ("ftp://files.example.test", "an http:// or https:// URL with a host"),
        ("http://", "an http:// or https:// URL with a host"),
        ("http://host:99999", "an http:// or https:// URL with a host"),
        ("https://host/api?x=1", "no query or fragment"),
        ("https://user:s3cret@host", "no credentials in the URL"),
    ],
)
def test_upstreams_refused(url: str, told: str) -> None:
    with pytest.raises(SettingsError, match=told) as caught:
        check_upstream(url)
    assert "s3cret" not in str(caught.value)
    assert caught.value.key == "MOCK_PROXY"


def test_no_upstream_no_proxy() -> None:
    assert parse_proxy_settings({}) is None


def test_the_defaults(tmp_path: Path) -> None:
    assert parse_proxy_settings({"MOCK_PROXY": "http://u.test/"}) == ProxySettings(
        upstream="http://u.test",
        fallback=False,
        violations_header=False,
        reject_violations=False,
        timeout=5.0,
        max_body_bytes=10 * 1024 * 1024,
        ca_bundle=None,
        journal_size=500,
    )
    settings = parse_proxy_settings(
        {"MOCK_PROXY": "http://u.test", "MOCK_PROXY_FALLBACK": "yes", "MOCK_PROXY_TIMEOUT": "0.5"}
    )
    assert settings is not None
    assert (settings.fallback, settings.timeout) == (True, 0.5)


@pytest.mark.parametrize(
    ("key", "value", "told"),
    [
        ("MOCK_PROXY_TIMEOUT", "0", "seconds, a number > 0"),
        ("MOCK_PROXY_TIMEOUT", "inf", "seconds, a number > 0"),
        ("MOCK_PROXY_MAX_BODY_MB", "ten", "megabytes, a number > 0"),
        ("MOCK_PROXY_FALLBACK", "maybe", "true or false"),
        ("MOCK_VIOLATIONS_SIZE", "0", "a whole number >= 1"),
        ("MOCK_PROXY_CA_BUNDLE", "/nowhere/ca.pem", "a PEM file of certificate authorities that exists"),
    ],
)
def test_bad_values_name_the_key(key: str, value: Any, told: str) -> None:
    with pytest.raises(SettingsError, match=told) as caught:
        parse_proxy_settings({"MOCK_PROXY": "http://u.test", key: value})
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("args", "told"),
    [
        (["--fallback"], "--fallback only apply with --proxy UPSTREAM"),
        (
            ["--violations-header", "--reject-violations"],
            "--violations-header, --reject-violations only apply with --proxy",
        ),
        (
            ["--proxy", "staging.example.test"],
            "Invalid value for '--proxy': --proxy='staging.example.test' is invalid: an http:// or https:// URL",
        ),
        (["--proxy", "http://u.test", "--upstream-timeout", "0"], "Invalid value for '--upstream-timeout'"),
    ],
)
def test_command_line_mistakes(args: list[str], told: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert told in result.output
    assert "Traceback" not in result.output


def test_a_mock_has_no_violations(client: FlaskClient) -> None:
    answer = client.get("/__admin/violations")
    assert answer.status_code == 404
    assert answer.get_json()["message"].startswith("no violations here: this server is a mock, not a proxy")
    assert client.delete("/__admin/violations").status_code == 404
    assert client.get("/__admin/health").get_json()["upstream"] is None
