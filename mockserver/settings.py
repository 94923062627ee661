"""Typed settings of the mock, built once from ``app.config`` (``MOCK_*`` keys).

Defaults come first, then environment variables (``MOCKSERVER_*``, how the CLI hands
options to server worker processes), then the overrides given to ``create_app``. A bad
value raises :class:`SettingsError` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULTS",
    "ENV_PREFIX",
    "MAX_LATENCY_MS",
    "MockSettings",
    "SettingsError",
    "from_environ",
    "origin_problem",
    "parse_flag",
    "parse_latency",
    "parse_settings",
]

ENV_PREFIX = "MOCKSERVER_"

DEFAULTS: dict[str, Any] = {
    "MOCK_SPEC": "openapi.yaml",
    "MOCK_DATA": None,
    "MOCK_USAGE": None,
    "MOCK_LATENCY": None,
    "MOCK_CORS_ORIGINS": "*",
    "MOCK_JOURNAL_SIZE": 500,
    "MOCK_ADMIN_PREFIX": "/__admin",
    "MOCK_ADMIN_TOKEN": None,
    "MOCK_ADMIN_ENABLED": True,
    "MOCK_RELOAD_INTERVAL": 1.0,
    "MOCK_MAX_DELAY_MS": 10_000,
    "MOCK_DELAY_SLOTS": 4,
    "MOCK_MAX_SPEC_MB": 20,
    "MOCK_MAX_SPEC_NODES": 1_000_000,
    "MOCK_MAX_DATA_MB": 200,
    "MOCK_MAX_USAGE_MB": 500,
    "MOCK_RELOAD_TIMEOUT": 120,
    "MOCK_RELOAD_MEMORY_MB": 4096,
    "MOCK_MAX_BODY_MB": 1,
    "MOCK_LENIENT": False,
}
_MEGABYTE = 1024 * 1024
MAX_LATENCY_MS = 600_000  # ten minutes: longer, every client has given up, and every thread waits
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s@]+")  # scheme://host[:port], as a browser sends it


class SettingsError(ValueError):
    """A setting with a value the mock cannot use."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        super().__init__(f"setting {key}={value!r} is invalid: {allowed}")
        self.key = key


@dataclass(frozen=True)
class MockSettings:
    spec: Path
    data: Path | None
    usage: Path | None  # daily usage as CSV, beside the data file
    latency: tuple[int, int] | None
    cors_origins: tuple[str, ...]
    journal_size: int
    admin_prefix: str
    admin_token: str | None
    admin_enabled: bool
    reload_interval: float
    max_delay_ms: int
    delay_slots: int
    max_spec_bytes: int
    max_data_bytes: int
    max_usage_bytes: int
    reload_timeout: float
    reload_memory_mb: int
    max_body_bytes: int = _MEGABYTE
    lenient: bool = False
    max_spec_nodes: int = 1_000_000  # nodes the spec may inline its $refs to


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``MOCKSERVER_SPEC=...`` becomes ``{"MOCK_SPEC": "..."}``."""
    env = os.environ if environ is None else environ
    return {"MOCK_" + k[len(ENV_PREFIX) :]: v for k, v in env.items() if k.startswith(ENV_PREFIX)}


def parse_latency(value: Any, key: str = "MOCK_LATENCY") -> tuple[int, int] | None:
    """``None``/``""`` -> no latency; ``150`` -> 150 ms; ``"100-300"`` -> uniform in that range."""
    if value in (None, "", 0, "0"):
        return None
    text = str(value).strip()
    low, dash, high = text.partition("-")
    try:
        bounds = (int(low), int(high) if dash else int(low))
    except ValueError:
        raise SettingsError(key, value, "give milliseconds, like 150, or a range, like 100-300") from None
    if bounds[0] < 0 or bounds[1] < bounds[0]:
        raise SettingsError(key, value, "milliseconds must be >= 0 and the range low-high with low <= high")
    if bounds[1] > MAX_LATENCY_MS:
        raise SettingsError(key, value, f"at most {MAX_LATENCY_MS} milliseconds (10 minutes)")
    return bounds


def origin_problem(origin: str) -> str | None:
    """Why ``origin`` can never equal a browser's ``Origin`` header, or ``None`` (``*`` and ``null`` too)."""
    if origin in ("*", "null") or _ORIGIN.fullmatch(origin):
        return None
    scheme, _, rest = origin.partition("://")
    host = rest.split("/", 1)[0]
    if _ORIGIN.fullmatch(origin.lower()):
        return f"an origin is written in lower case, as browsers send it: {origin.lower()!r}"
    if scheme and host and _ORIGIN.fullmatch(f"{scheme}://{host}".lower()):
        return f"an origin has no path, query or trailing '/': {f'{scheme}://{host}'.lower()!r}"
    return "an origin is scheme://host[:port], such as http://localhost:3000 (or * for any)"


def _int(config: Mapping[str, Any], key: str, low: int) -> int:
    value = config[key]
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(key, value, f"a whole number >= {low}") from None
    if number < low:
        raise SettingsError(key, value, f"a whole number >= {low}")
    return number


def _seconds(config: Mapping[str, Any], key: str, allowed: str) -> float:
    try:
        number = float(config[key])
    except (TypeError, ValueError):
        raise SettingsError(key, config[key], allowed) from None
    if not math.isfinite(number):
        raise SettingsError(key, config[key], allowed)
    return number


def _megabytes(config: Mapping[str, Any], key: str) -> int:
    value = config[key]
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number > 0 or number == float("inf"):
        raise SettingsError(key, value, "megabytes, a number > 0 (decimals allowed)")
    return max(1, int(number * _MEGABYTE))


def parse_flag(config: Mapping[str, Any], key: str) -> bool:
    """``config[key]`` as a yes/no setting (a bool, or 1/0, true/false, yes/no, on/off)."""
    value = config[key]
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(key, value, "true or false")


def parse_settings(config: Mapping[str, Any]) -> MockSettings:
    """Check and convert the ``MOCK_*`` keys of a Flask config."""
    origins = config["MOCK_CORS_ORIGINS"]
    if isinstance(origins, str):
        origins = tuple(o.strip() for o in origins.split(",") if o.strip())
    if not origins:
        raise SettingsError(
            "MOCK_CORS_ORIGINS", config["MOCK_CORS_ORIGINS"], "'*' or a comma-separated list of origins"
        )
    for origin in origins:
        if problem := origin_problem(str(origin)):
            raise SettingsError("MOCK_CORS_ORIGINS", origin, problem)
    prefix = str(config["MOCK_ADMIN_PREFIX"]).rstrip("/")
    if not prefix.startswith("/") or len(prefix) < 2:
        raise SettingsError("MOCK_ADMIN_PREFIX", config["MOCK_ADMIN_PREFIX"], "a path like /__admin")
    interval = _seconds(config, "MOCK_RELOAD_INTERVAL", "seconds, 0 to turn reloading off")
    timeout = _seconds(config, "MOCK_RELOAD_TIMEOUT", "seconds > 0")
    if timeout <= 0:
        raise SettingsError("MOCK_RELOAD_TIMEOUT", config["MOCK_RELOAD_TIMEOUT"], "seconds > 0")
    data, usage = config["MOCK_DATA"], config["MOCK_USAGE"]
    if usage and not data:
        raise SettingsError(
            "MOCK_USAGE", usage, "a usage CSV goes with a data file (MOCK_DATA) that lists the API keys"
        )
    return MockSettings(
        spec=Path(config["MOCK_SPEC"]),
        data=Path(data) if data else None,
        usage=Path(usage) if usage else None,
        latency=parse_latency(config["MOCK_LATENCY"]),
        cors_origins=tuple(origins),
        journal_size=_int(config, "MOCK_JOURNAL_SIZE", 1),
        admin_prefix=prefix,
        admin_token=config["MOCK_ADMIN_TOKEN"] or None,
        admin_enabled=parse_flag(config, "MOCK_ADMIN_ENABLED"),
        reload_interval=max(interval, 0.0),
        max_delay_ms=_int(config, "MOCK_MAX_DELAY_MS", 0),
        delay_slots=_int(config, "MOCK_DELAY_SLOTS", 1),
        max_spec_bytes=_megabytes(config, "MOCK_MAX_SPEC_MB"),
        max_data_bytes=_megabytes(config, "MOCK_MAX_DATA_MB"),
        max_usage_bytes=_megabytes(config, "MOCK_MAX_USAGE_MB"),
        reload_timeout=timeout,
        reload_memory_mb=_int(config, "MOCK_RELOAD_MEMORY_MB", 64),
        max_body_bytes=_megabytes(config, "MOCK_MAX_BODY_MB"),
        lenient=parse_flag(config, "MOCK_LENIENT"),
        max_spec_nodes=_int(config, "MOCK_MAX_SPEC_NODES", 1),
    )
