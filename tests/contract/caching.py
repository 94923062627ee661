"""Response caches of the implementations under ``tests/contract/``: one correct, five not.

Each function reads the implementation's switches: :func:`cache_key` says under which key a
request is looked up (``None``: not cached), :func:`cacheable` whether its response is
stored. The correct cache keys by method, key and full URL and stores only GET successes.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

__all__ = ["cache_key", "cacheable"]


def cache_key(app: Any, request: Request) -> tuple[Any, ...] | None:
    caller = request.headers.get("X-API-Key")
    query = request.query_string.decode("latin-1")
    if app.correct_cache:
        return ("GET", caller, request.path, query) if request.method == "GET" else None
    if app.cache_ignores_caller:  # a reverse proxy keyed by URL, in front of authentication
        return (request.method, request.path, query)
    if app.cache_ignores_end:  # a key built from the organization and the start of the range
        return (caller, request.path, request.args.get("startDate"))
    if app.cache_ignores_path:  # a key built from the caller and the range, not the organization
        return (caller, query)
    if app.cache_refusals:  # refusals cached per URL, without varying on the key
        return (request.path, query)
    if app.cache_ignores_method:  # HEAD and GET share entries
        return (caller, request.path, query)
    return None


def cacheable(app: Any, request: Request, response: Response) -> bool:
    if app.cache_refusals:
        return response.status_code in (401, 403)
    return response.status_code == 200 and (request.method == "GET" or app.cache_ignores_method)
