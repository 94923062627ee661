"""Admin endpoints under ``/__admin`` (configurable): the request journal, health and, for the
validating proxy, the journal of contract violations.

When ``MOCK_ADMIN_TOKEN`` is set, every admin request must carry it in the
``X-Admin-Token`` header. Health reads the reload status all worker processes share, so it
answers alike whichever worker serves it; ``pid`` says which one did.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from flask import Blueprint, Response, jsonify, request

from mockserver.runtime import MockRuntime

__all__ = ["ADMIN_TOKEN_HEADER", "admin_blueprint"]

ADMIN_TOKEN_HEADER = "X-Admin-Token"  # noqa: S105 - the header name, not a token


def admin_blueprint(runtime: MockRuntime) -> Blueprint:
    """Routes reading and clearing ``runtime``'s journal, and reporting its health."""
    admin = Blueprint("mock_admin", __name__)

    @admin.before_request
    def _require_token() -> Response | None:
        token = runtime.settings.admin_token
        if token is None:
            return None
        given = request.headers.get(ADMIN_TOKEN_HEADER, "")
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        response = jsonify(error="Unauthenticated", message=f"admin endpoints need the {ADMIN_TOKEN_HEADER} header")
        response.status_code = 401
        return response

    @admin.get("/requests")
    def list_requests() -> Response:
        entries = runtime.journal.entries()
        return jsonify(requests=entries, count=len(entries), limit=runtime.journal.limit)

    @admin.delete("/requests")
    def clear_requests() -> Response:
        return jsonify(cleared=runtime.journal.clear())

    @admin.get("/violations")
    def list_violations() -> Response:
        journal = runtime.violations
        if journal is None:
            return _not_a_proxy()
        entries = journal.entries()
        return jsonify(violations=entries, count=len(entries), limit=journal.limit, upstream=runtime.upstream)

    @admin.delete("/violations")
    def clear_violations() -> Response:
        if runtime.violations is None:
            return _not_a_proxy()
        return jsonify(cleared=runtime.violations.clear())

    @admin.get("/health")
    def health() -> Response:
        state = runtime.live.current()
        error = runtime.status.read()[1] or runtime.live.error
        body: dict[str, Any] = {
            "status": "degraded" if error else "ok",
            "mode": runtime.mode,
            "spec": str(runtime.settings.spec),
            "data": str(runtime.settings.data) if runtime.settings.data else None,
            "upstream": runtime.upstream,
            "operations": [f"{op.method} {op.path}" for op in state.spec.operations],
            "generation": runtime.live.generation,
            "lastReloadError": error,
            "pid": os.getpid(),
        }
        return jsonify(body)

    return admin


def _not_a_proxy() -> Response:
    response = jsonify(
        error="NotFound", message="no violations here: this server is a mock, not a proxy (start it with --proxy URL)"
    )
    response.status_code = 404
    return response
