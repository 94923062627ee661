"""Read what a client asks of the mock: the ``Prefer`` header and ``__`` query parameters.

Stoplight Prism's names and values: ``Prefer: code=404``, ``example=<name>``,
``dynamic=true``, plus this mock's ``seed=<n>`` and ``delay=<ms>``; the same through ``__code``,
``__example``, ``__dynamic``, ``__seed`` and ``__delay`` for clients that cannot set
headers (query parameters win over the header). Preferences this mock does not know are
ignored, as RFC 7240 asks; a known one with a bad value is a :class:`PreferenceError`.
Unlike Prism, the engine serves a chosen ``code`` before it checks credentials and
parameters (:mod:`mockserver.core.engine`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["CONTROL_PREFIX", "PreferenceError", "Preferences", "parse_preferences"]

CONTROL_PREFIX = "__"
_NAMES = ("code", "example", "dynamic", "seed", "delay")
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


@dataclass(frozen=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    seed: int | None = None
    delay_ms: int | None = None


class PreferenceError(ValueError):
    """A known preference with a value that cannot be honoured."""


def _split_header(header: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for token in header.replace(";", ",").split(","):
        name, equals, value = token.strip().partition("=")
        name = name.strip().lower()
        if equals and name in _NAMES:
            found[name] = value.strip().strip('"')
    return found


def _int(name: str, raw: str, low: int, high: int) -> int:
    if not raw.lstrip("-").isdigit() or not raw.isascii():
        raise PreferenceError(f"preference {name}={raw!r} must be a whole number")
    if len(raw) > _DIGITS:
        raise PreferenceError(f"preference {name} must be between {low} and {high}; it has {len(raw):,} digits")
    value = int(raw)
    if not low <= value <= high:
        raise PreferenceError(f"preference {name}={value} must be between {low} and {high}")
    return value


_NONE = Preferences()
_DIGITS = 20  # more than any bound here has (2**63 - 1 has 19): longer is out of range, unread


def parse_preferences(
    header: str | None,
    query: Mapping[str, Sequence[str]],
    *,
    max_delay_ms: int = 10_000,
) -> Preferences:
    """Combine the ``Prefer`` header and the ``__`` query parameters."""
    raw = _split_header(header) if header else {}
    if any(name.startswith(CONTROL_PREFIX) for name in query):
        for name in _NAMES:
            values = query.get(CONTROL_PREFIX + name)
            if values:
                raw[name] = values[-1]
    if not raw:
        return _NONE
    code = _int("code", raw["code"], 100, 599) if "code" in raw else None
    example = raw.get("example") or None
    seed = _int("seed", raw["seed"], 0, 2**63 - 1) if "seed" in raw else None
    # A seed asks for generated data unless dynamic is set explicitly.
    dynamic = seed is not None and example is None
    if "dynamic" in raw:
        flag = raw["dynamic"].lower()
        if flag not in _TRUE + _FALSE:
            raise PreferenceError(f"preference dynamic={raw['dynamic']!r} must be true or false")
        dynamic = flag in _TRUE
    delay = _int("delay", raw["delay"], 0, max_delay_ms) if "delay" in raw else None
    if example is not None and dynamic:
        raise PreferenceError("preferences example and dynamic=true exclude each other; choose one")
    return Preferences(code=code, example=example, dynamic=dynamic, seed=seed, delay_ms=delay)
