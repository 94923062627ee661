"""CORS headers for browsers, as plain functions.

Any origin is allowed by default (``*``); with a list of origins, a request from one of
them gets that origin back with ``Vary: Origin`` and others get no CORS headers, so the
browser blocks them. A preflight is answered with the methods the path documents and the
headers the browser asked for (``X-API-Key``, ``Prefer`` ...).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MAX_AGE", "cors_headers"]

MAX_AGE = "600"


def cors_headers(
    origin: str | None,
    allowed: Sequence[str],
    *,
    preflight: bool = False,
    methods: Sequence[str] = (),
    requested_headers: str | None = None,
) -> list[tuple[str, str]]:
    """The CORS response headers for a request from ``origin``."""
    if not origin:
        return []
    if "*" in allowed:
        headers = [("Access-Control-Allow-Origin", "*")]
    elif origin in allowed:
        headers = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    else:
        return []
    if preflight:
        headers.append(("Access-Control-Allow-Methods", ", ".join(methods)))
        if requested_headers:
            headers.append(("Access-Control-Allow-Headers", requested_headers))
        headers.append(("Access-Control-Max-Age", MAX_AGE))
    return headers
