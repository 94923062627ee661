"""The Flask app factory.

``create_app`` follows Flask's factory pattern: defaults, then ``MOCKSERVER_*``
environment variables, then the ``config`` overrides. It loads and checks the spec (and
data file) once; a bad file raises :class:`~mockserver.errors.LoadError` naming the file
and the JSON pointer of the fault. Per-app state lives in ``app.extensions["mockserver"]``.
The spec's operations are served by :class:`~mockserver.wsgi.MockMiddleware`, installed
as ``app.wsgi_app``; Flask serves the admin blueprint.

With reloading on, ``create_app`` starts the reloader thread in the process that calls it
(see :mod:`mockserver.reloading`); a server that forks workers from that process calls
:meth:`~mockserver.runtime.MockRuntime.follow` in each worker.

With ``MOCK_PROXY`` set, the app is a validating proxy instead
(:class:`~mockserver.proxy.ProxyMiddleware` in place of the mock's shell): requests go to
that upstream, and both sides are checked against the same spec. ``upstream`` replaces
the HTTP transport (tests pass an in-process one).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from mockserver.admin import admin_blueprint
from mockserver.core.engine import MockState
from mockserver.forwarding import HttpUpstream, Upstream
from mockserver.journal import request_journal
from mockserver.loading import load_state
from mockserver.proxy import ProxyMiddleware
from mockserver.proxy_settings import PROXY_DEFAULTS, ProxySettings, parse_proxy_settings
from mockserver.reload_status import ReloadStatus
from mockserver.reloading import Files, Follower, LiveState, Reloader, Stamp, stamp_files
from mockserver.runtime import MockRuntime
from mockserver.sandbox import check_in_child
from mockserver.settings import DEFAULTS, from_environ, parse_settings
from mockserver.snapshots import Snapshots
from mockserver.violations import violations_journal
from mockserver.wsgi import MockMiddleware

__all__ = ["create_app"]

EXTENSION = "mockserver"
logger = logging.getLogger("mockserver")


def create_app(
    spec_path: str | Path | None = None, config: Mapping[str, Any] | None = None, *, upstream: Upstream | None = None
) -> Flask:
    """Build the mock server app for ``spec_path`` (default ``openapi.yaml``)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(PROXY_DEFAULTS)
    app.config.update(from_environ())
    if config:
        app.config.update(config)
    if spec_path is not None:
        app.config["MOCK_SPEC"] = str(spec_path)
    settings = parse_settings(app.config)
    proxy = parse_proxy_settings(app.config)
    sources = [(settings.spec, settings.max_spec_bytes)]
    if settings.data is not None:
        sources.append((settings.data, settings.max_data_bytes))
    if settings.usage is not None:
        sources.append((settings.usage, settings.max_usage_bytes))
    stamp = stamp_files([path for path, _ in sources])
    live = LiveState(load_state(settings))
    runtime = MockRuntime(settings, live, request_journal(settings.journal_size), ReloadStatus())
    if settings.reload_interval > 0:
        _start_reloading(runtime, {k: v for k, v in app.config.items() if k.startswith("MOCK_")}, sources, stamp)
    app.extensions[EXTENSION] = runtime

    if settings.admin_enabled:
        app.register_blueprint(admin_blueprint(runtime), url_prefix=settings.admin_prefix)
    app.register_error_handler(HTTPException, _admin_error)
    # The operations are served by the WSGI shell in front of Flask (see mockserver.wsgi),
    # or, for a proxy, forwarded by the proxy's (mockserver.proxy).
    if proxy is None:
        app.wsgi_app = MockMiddleware(app.wsgi_app, runtime)  # type: ignore[method-assign]
    else:
        app.wsgi_app = _proxy(app.wsgi_app, runtime, proxy, upstream)  # type: ignore[method-assign]
    return app


def _proxy(flask_app: Any, runtime: MockRuntime, proxy: ProxySettings, upstream: Upstream | None) -> ProxyMiddleware:
    if upstream is None:
        ca_bundle = str(proxy.ca_bundle) if proxy.ca_bundle else None
        upstream = HttpUpstream(
            proxy.upstream, timeout=proxy.timeout, max_body=proxy.max_body_bytes, ca_bundle=ca_bundle
        )
    journal = violations_journal(proxy.journal_size)
    runtime.violations, runtime.upstream = journal, proxy.upstream
    return ProxyMiddleware(flask_app, runtime, proxy, upstream, journal)


def _start_reloading(
    runtime: MockRuntime, config: Mapping[str, Any], sources: list[tuple[Path, int]], stamp: Stamp
) -> None:
    settings = runtime.settings

    # The copies come in the order of `sources`: spec, then data file, then usage CSV.
    def load(files: Files) -> MockState:
        return load_state(settings, spec_file=files[0], data_file=_nth(files, 1), usage_file=_nth(files, 2))

    def check(files: Files) -> str | None:
        return check_in_child(
            config,
            spec_file=files[0],
            data_file=_nth(files, 1),
            usage_file=_nth(files, 2),
            memory_mb=settings.reload_memory_mb,
            timeout=settings.reload_timeout,
        )

    def load_and_warn(files: Files) -> MockState:
        # The reloading process says once per new version what a lenient load let through.
        state = load(files)
        for warning in state.warnings:
            logger.warning("%s", warning)
        return state

    snapshots = Snapshots(sources)
    live, status = runtime.live, runtime.status
    runtime.reloader = Reloader(
        live=live,
        status=status,
        snapshots=snapshots,
        check=check,
        load=load_and_warn,
        interval=settings.reload_interval,
        logger=logger,
        stamp=stamp,
    )
    runtime.follower = Follower(live=live, status=status, snapshots=snapshots, load=load, logger=logger)
    runtime.reloader.start()


def _nth(files: Files, index: int) -> Path | None:
    return files[index] if index < len(files) else None


def _admin_error(exc: HTTPException) -> Response:
    """Refusals under the admin prefix (unknown admin path, other method ...) in the admin's own JSON."""
    from flask import jsonify

    response = jsonify(error=exc.name.replace(" ", ""), message=exc.description)
    response.status_code = exc.code or 500
    for name, value in exc.get_headers():
        if name.lower() == "allow":  # on 405, in a stable order
            response.headers[name] = ", ".join(sorted(value.split(", ")))
        elif name.lower() != "content-type":
            response.headers[name] = value
    return response
