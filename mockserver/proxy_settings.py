"""Typed settings of the validating proxy, from ``MOCK_PROXY*`` keys of ``app.config``.

Like :mod:`mockserver.settings` (defaults, then ``MOCKSERVER_*`` environment variables,
then overrides), kept apart so that the mock's own settings do not grow with the proxy's.
Without ``MOCK_PROXY`` the mock is not a proxy and :func:`parse_proxy_settings` returns
``None``. A bad value raises :class:`~mockserver.settings.SettingsError` naming the key,
the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockserver.settings import SettingsError, parse_flag

__all__ = ["PROXY_DEFAULTS", "ProxySettings", "check_upstream", "parse_proxy_settings"]

PROXY_DEFAULTS: dict[str, Any] = {
    "MOCK_PROXY": None,  # the upstream's base URL
    "MOCK_PROXY_FALLBACK": False,
    "MOCK_PROXY_VIOLATIONS_HEADER": False,
    "MOCK_PROXY_REJECT_VIOLATIONS": False,
    "MOCK_PROXY_TIMEOUT": 5.0,
    "MOCK_PROXY_MAX_BODY_MB": 10,
    "MOCK_PROXY_CA_BUNDLE": None,
    "MOCK_VIOLATIONS_SIZE": 500,
}
_MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class ProxySettings:
    upstream: str
    fallback: bool  # serve the mock's own answer when the upstream is down
    violations_header: bool  # X-Contract-Violations on answers that break the contract
    reject_violations: bool  # 502 instead of an answer that breaks the contract
    timeout: float  # seconds per connect and per read; a whole exchange gets three times that
    max_body_bytes: int
    ca_bundle: Path | None
    journal_size: int


def check_upstream(url: str, key: str = "MOCK_PROXY") -> str:
    """``url`` without a trailing ``/``, if it can be an upstream; else :class:`SettingsError`."""
    allowed = (
        "an http:// or https:// URL with a host, and optionally a base path, such as https://staging.example.test/api"
    )
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise SettingsError(key, url, allowed) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise SettingsError(key, url, allowed)
    if parts.username is not None or parts.password is not None:
        raise SettingsError(
            key, _without_userinfo(url), "no credentials in the URL (they would be logged); send them per request"
        )
    if parts.query or parts.fragment:
        raise SettingsError(key, url, "no query or fragment: " + allowed)
    return url.strip().rstrip("/")


def _without_userinfo(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def _positive(config: Mapping[str, Any], key: str, what: str) -> float:
    value = config[key]
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0 < number < float("inf"):
        raise SettingsError(key, value, f"{what}, a number > 0 (decimals allowed)")
    return number


def parse_proxy_settings(config: Mapping[str, Any]) -> ProxySettings | None:
    """The proxy's settings, or ``None`` when ``MOCK_PROXY`` is not set."""
    config = {**PROXY_DEFAULTS, **config}
    if not config["MOCK_PROXY"]:
        return None
    size = config["MOCK_VIOLATIONS_SIZE"]
    if not str(size).strip().isdigit() or int(size) < 1:
        raise SettingsError("MOCK_VIOLATIONS_SIZE", size, "a whole number >= 1")
    ca_bundle = config["MOCK_PROXY_CA_BUNDLE"]
    if ca_bundle and not Path(ca_bundle).is_file():
        raise SettingsError("MOCK_PROXY_CA_BUNDLE", ca_bundle, "a PEM file of certificate authorities that exists")
    return ProxySettings(
        upstream=check_upstream(str(config["MOCK_PROXY"])),
        fallback=parse_flag(config, "MOCK_PROXY_FALLBACK"),
        violations_header=parse_flag(config, "MOCK_PROXY_VIOLATIONS_HEADER"),
        reject_violations=parse_flag(config, "MOCK_PROXY_REJECT_VIOLATIONS"),
        timeout=_positive(config, "MOCK_PROXY_TIMEOUT", "seconds"),
        max_body_bytes=max(1, int(_positive(config, "MOCK_PROXY_MAX_BODY_MB", "megabytes") * _MEGABYTE)),
        ca_bundle=Path(ca_bundle) if ca_bundle else None,
        journal_size=int(size),
    )
