"""CORS headers for browsers, as plain functions.

Any origin is allowed by default (``*``); with a list of origins, a request from one of
them gets that origin back and others get no CORS headers, so the browser blocks them.
With a list, every answer says ``Vary: Origin`` (those to other origins and to requests
without one too): a shared cache must not hand one origin's answer to another. A preflight is answered with the methods the path documents and the
headers the browser asked for (``X-API-Key``, ``Prefer`` ...); to a path that documents
none (one the spec does not have), with the method the browser asked for, so that it
sends the request and the page reads the 404 saying so, not a CORS failure that says
nothing. No header goes out empty. An answer to an allowed
origin lists its own headers that a browser would otherwise hide from the page
(``Access-Control-Expose-Headers``: ``X-Total-Count``, ``ETag``, ``Location`` ...): the
documented headers the mock sends are there for the frontend to read. The names are
listed, not ``*``, which a browser takes literally for a request with credentials.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MAX_AGE", "VARY_ORIGIN", "cors_headers", "origin_allowed", "varies"]

MAX_AGE = "600"
VARY_ORIGIN = ("Vary", "Origin")
# What a page reads without being told (the CORS-safelisted response headers), and what it is never shown.
_READABLE = frozenset({"cache-control", "content-language", "content-length", "content-type", "expires",
                       "last-modified", "pragma"})  # fmt: skip
_NEVER_SHOWN = frozenset({"set-cookie", "set-cookie2"})


def varies(allowed: Sequence[str]) -> bool:
    """Whether answers depend on the request's origin: a list of origins, not ``*``."""
    return "*" not in allowed


def origin_allowed(origin: str | None, allowed: Sequence[str]) -> bool:
    """Whether a request from ``origin`` gets CORS headers."""
    return bool(origin) and ("*" in allowed or origin in allowed)


def cors_headers(
    origin: str | None,
    allowed: Sequence[str],
    *,
    preflight: bool = False,
    methods: Sequence[str] = (),
    requested_method: str | None = None,
    requested_headers: str | None = None,
    sent: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """The CORS response headers for a request from ``origin`` (``None``: a request without one).

    ``methods``: those the path answers (none for a path the spec does not have: the
    preflight's ``requested_method`` is allowed then). ``sent``: the names of the answer's
    other headers, those a page may not read unless told.
    """
    if "*" in allowed:
        if not origin:
            return []
        headers = [("Access-Control-Allow-Origin", "*")]
    elif origin and origin in allowed:
        headers = [("Access-Control-Allow-Origin", origin), VARY_ORIGIN]
    else:
        return [VARY_ORIGIN]
    if preflight:
        allowed_methods = ", ".join(methods) if methods else (requested_method or "").strip()
        if allowed_methods:
            headers.append(("Access-Control-Allow-Methods", allowed_methods))
        if requested_headers and requested_headers.strip():
            headers.append(("Access-Control-Allow-Headers", requested_headers))
        headers.append(("Access-Control-Max-Age", MAX_AGE))
    else:
        exposed = [name for name in sent if _hidden(name.lower())]
        if exposed:
            headers.append(("Access-Control-Expose-Headers", ", ".join(exposed)))
    return headers


def _hidden(name: str) -> bool:
    """Whether a page can read the lower-case header ``name`` only when told, and may then."""
    return name not in _READABLE and name not in _NEVER_SHOWN and not name.startswith("access-control-")
