"""The Flask app factory.

``create_app`` follows Flask's factory pattern: defaults, then ``MOCKSERVER_*``
environment variables, then the ``config`` overrides. It loads and checks the spec (and
data file) once; a bad file raises :class:`~mockserver.errors.LoadError` naming the file
and the JSON pointer of the fault. Per-app state lives in ``app.extensions["mockserver"]``.
The spec's operations are served by :class:`~mockserver.wsgi.MockMiddleware`, installed
as ``app.wsgi_app``; Flask serves the admin blueprint.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from mockserver.admin import admin_blueprint
from mockserver.engine import MockState, Refusal, build_state, refuse
from mockserver.journal import Journal
from mockserver.reloading import LiveState
from mockserver.settings import DEFAULTS, MockSettings, from_environ, parse_settings
from mockserver.spec import load_spec
from mockserver.wsgi import MockMiddleware

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

    if settings.admin_enabled:
        app.register_blueprint(admin_blueprint(runtime), url_prefix=settings.admin_prefix)
    app.register_error_handler(HTTPException, _admin_error)
    # The operations are served by the WSGI shell in front of Flask (see mockserver.wsgi).
    app.wsgi_app = MockMiddleware(app.wsgi_app, runtime)  # type: ignore[method-assign]
    return app


def _admin_error(exc: HTTPException) -> Response:
    """Refusals under the admin prefix (unknown admin path, other method) as JSON."""
    from flask import current_app, jsonify

    runtime: MockRuntime = current_app.extensions[EXTENSION]
    state = runtime.live.current()
    outcome = refuse(
        state, None, Refusal("not_found" if exc.code == 404 else "invalid", f"{exc.name}: {exc.description}")
    )
    response = jsonify(outcome.served.body)
    response.status_code = exc.code or 400
    return response
