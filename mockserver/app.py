"""The Flask shell around the pure engine: app factory, the one generic view, logging.

``create_app`` follows Flask's factory pattern: defaults, then ``MOCKSERVER_*``
environment variables, then the ``config`` overrides. It loads and checks the spec (and
data file) once; a bad file raises :class:`~mockserver.errors.LoadError` naming the file
and the JSON pointer of the fault. Per-app state lives in ``app.extensions["mockserver"]``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from mockserver.admin import admin_blueprint
from mockserver.engine import MockRequest, MockState, Outcome, Refusal, build_state, handle, refuse
from mockserver.journal import Journal
from mockserver.reloading import LiveState
from mockserver.security import redact, secret_names
from mockserver.settings import DEFAULTS, MockSettings, from_environ, parse_settings
from mockserver.spec import load_spec

__all__ = ["MockRuntime", "create_app", "load_state"]

EXTENSION = "mockserver"
logger = logging.getLogger("mockserver")


@dataclass
class MockRuntime:
    """Per-app state, kept in ``app.extensions["mockserver"]``."""

    settings: MockSettings
    live: LiveState
    journal: Journal

    @property
    def mode(self) -> str:
        return "data" if self.settings.data is not None else "example"


def load_state(settings: MockSettings) -> MockState:
    """Load the spec and, in data mode, the data file into a fresh engine state."""
    spec = load_spec(settings.spec)
    backend = None
    if settings.data is not None:
        # The usage-specific module is wired in here only, when data mode asks for it.
        from mockserver.usage_data import load_usage_data

        backend = load_usage_data(settings.data, spec)
    return build_state(spec, backend, admin_prefix=settings.admin_prefix, max_delay_ms=settings.max_delay_ms)


def create_app(spec_path: str | Path | None = None, config: Mapping[str, Any] | None = None) -> Flask:
    """Build the mock server app for ``spec_path`` (default ``openapi.yaml``)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(from_environ())
    if config:
        app.config.update(config)
    if spec_path is not None:
        app.config["MOCK_SPEC"] = str(spec_path)
    settings = parse_settings(app.config)
    paths = [settings.spec] + ([settings.data] if settings.data else [])
    live = LiveState(lambda: load_state(settings), paths, interval=settings.reload_interval, logger=logger)
    runtime = MockRuntime(settings, live, Journal(settings.journal_size))
    app.extensions[EXTENSION] = runtime

    origins: Any = "*" if "*" in settings.cors_origins else list(settings.cors_origins)
    CORS(app, origins=origins, max_age=600)
    if settings.admin_enabled:
        app.register_blueprint(admin_blueprint(runtime), url_prefix=settings.admin_prefix)
    app.add_url_rule("/", "mock", _view, methods=_METHODS, defaults={"path": ""})
    app.add_url_rule("/<path:path>", "mock", _view, methods=_METHODS)
    app.register_error_handler(HTTPException, _http_error)
    app.before_request(_start_timer)
    app.after_request(_log_request)
    return app


# Every method a client may send reaches the engine, which answers 405 with the
# documented Allow list, and OPTIONS with that list; flask-cors adds the CORS headers.
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]


def _runtime() -> MockRuntime:
    from flask import current_app

    runtime: MockRuntime = current_app.extensions[EXTENSION]
    return runtime


def _mock_request() -> MockRequest:
    return MockRequest(
        method=request.method,
        path=request.path,
        query=request.args.to_dict(flat=False),
        headers={k.lower(): v for k, v in request.headers.items()},
        cookies=request.cookies.to_dict(),
    )


def _view(path: str) -> Response:
    runtime = _runtime()
    state = runtime.live.current()
    outcome = handle(state, _mock_request())
    return _respond(runtime, outcome)


def _respond(runtime: MockRuntime, outcome: Outcome) -> Response:
    served = outcome.served
    g.mock_outcome = outcome
    delay = served.delay_ms
    if delay is None and runtime.settings.latency is not None:
        delay = random.randint(*runtime.settings.latency)
    if delay:
        time.sleep(delay / 1000)
    body = b"" if served.body is None else json.dumps(served.body, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(body, status=served.status, headers=dict(served.headers))
    if served.content_type:
        response.headers["Content-Type"] = served.content_type
    else:
        del response.headers["Content-Type"]
    return response


def _http_error(exc: HTTPException) -> Response:
    """Werkzeug's own refusals (bad method, malformed request) in the documented error shape."""
    runtime = _runtime()
    state = runtime.live.current()
    if exc.code == 405:  # a method Flask does not route: let the engine say 404 or 405
        return _respond(runtime, handle(state, _mock_request()))
    # Anything else Werkzeug refuses is a malformed request: the documented validation error.
    return _respond(runtime, refuse(state, None, Refusal("invalid", f"{exc.name}: {exc.description}")))


def _start_timer() -> None:
    g.mock_started = time.perf_counter()


def _redacted_query(query: Mapping[str, list[str]], secret: set[str]) -> dict[str, list[str]]:
    return {k: [redact(v) for v in vs] if k in secret else vs for k, vs in query.items()}


def _log_request(response: Response) -> Response:
    runtime = _runtime()
    if request.path.startswith(runtime.settings.admin_prefix + "/"):
        return response
    elapsed_ms = (time.perf_counter() - g.get("mock_started", time.perf_counter())) * 1000
    state = runtime.live.current()
    secrets = secret_names(list(state.spec.security_schemes.values()))
    query = _redacted_query(request.args.to_dict(flat=False), secrets["query"])
    credentials = {
        name: redact(value)
        for name, value in ((k.lower(), v) for k, v in request.headers.items())
        if name in secrets["header"]
    }
    outcome: Outcome | None = g.get("mock_outcome")
    entry = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "method": request.method,
        "path": request.path,
        "query": query,
        "credentials": credentials,
        "status": response.status_code,
        "example": outcome.served.example if outcome else None,
        "operationId": outcome.operation.operation_id if outcome and outcome.operation else None,
        "durationMs": round(elapsed_ms, 3),
    }
    runtime.journal.record(entry)
    shown = request.path + ("?" + urlencode(query, doseq=True) if query else "")
    key = " key=" + ",".join(credentials.values()) if credentials else ""
    logger.info("%s %s %d %.1fms%s", request.method, shown, response.status_code, elapsed_ms, key)
    return response
