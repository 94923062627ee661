"""``mockserver`` / ``python -m mockserver``: serve the mock with a production WSGI server.

The app is built once in the main process, which checks the spec (and data file) and
exits with a message naming the fault if they are unusable (with ``--proxy``, the app is a
validating proxy in front of that upstream: :mod:`mockserver.proxy`); Granian then forks its
worker processes, which inherit the loaded app and share one request journal. The main
process also reloads changed files (its reloader thread); each worker follows the
generation it publishes. It writes the request lines too, from the journal the workers
record into (:mod:`mockserver.access_log`).
"""

from __future__ import annotations

import errno
import gc
import ipaddress
import logging
import math
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mockserver.access_log import LINE_FORMAT
from mockserver.memory import release_free_memory
from mockserver.proxy_options import proxy_config, proxy_options
from mockserver.serving import MOCK_THREADS, PROXY_THREADS, fork_problem
from mockserver.settings import SettingsError, parse_latency
from usage_contract_kit.errors import LoadError
from usage_contract_kit.packaged import CONTRACT, version_text

__all__ = ["admin_exposure", "main", "port_problem"]

_LEVELS = ("debug", "info", "warning", "error")
logger = logging.getLogger("mockserver")
# --demo: the sample data shipped in the package (the repository's data/sample-keys.yaml and data/sample-usage.csv).
DEMO_DATA = Path(__file__).resolve().parent / "demo-data"
DEMO_KEYS, DEMO_USAGE = DEMO_DATA / "sample-keys.yaml", DEMO_DATA / "sample-usage.csv"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def admin_exposure(host: str, token: str | None) -> tuple[bool, str]:
    """Whether the admin endpoints are on for this bind address, and the line that says so."""
    if token:
        return True, "admin endpoints require the X-Admin-Token header"
    if _is_loopback(host):
        return True, f"admin endpoints open on loopback at {host}"
    return False, f"bound to {host}, not loopback: admin endpoints are off (set --admin-token to enable them)"


def port_problem(host: str, port: int) -> str | None:
    """Why this server cannot listen on ``host:port`` (another server has it ...), or ``None``.

    Granian's listeners set ``SO_REUSEPORT``, with which a second server could share the
    port with the first and split its traffic; this probe binds without it, so it fails
    while any server listens there.
    """
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        return f"cannot listen on {shown} ({exc.strerror})"
    with socket.socket(family, kind, protocol) as probe:
        # Connections of an earlier run still closing (TIME_WAIT) do not make the port busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"{shown} is already in use"
            return f"cannot listen on {shown} ({exc.strerror or exc})"
    return None


def _latency(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        parse_latency(value, "--latency")
    except SettingsError as exc:
        raise click.BadParameter(str(exc).replace("setting ", ""), ctx, param) from None
    return value


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):  # FloatRange lets nan and inf through
        raise click.BadParameter(f"{value} is not a number of seconds", ctx, param)
    return value


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text("mockserver"))
        ctx.exit()


F = TypeVar("F", bound=Callable[..., Any])


def _megabytes(name: str, default: float, envvar: str, text: str) -> Callable[[F], F]:
    """A size limit in megabytes (decimals allowed, more than 0), also read from ``envvar``."""
    return click.option(name, type=click.FloatRange(0, min_open=True), default=default, envvar=envvar, help=text)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Print the kit's version and the packaged contract's, then exit.",
)
@click.option(
    "--spec",
    type=click.Path(dir_okay=False, path_type=Path),
    default=CONTRACT,
    show_default="the contract shipped with the kit",
    help="OpenAPI document to serve.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    help="Address to bind; anything but loopback turns the admin endpoints off unless --admin-token is set.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=4010, help="Port to bind.")
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Data file (YAML): serve data mode instead of examples.",
)
@click.option(
    "--usage",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Daily usage (CSV: one row per organization and day) for data mode; --data then lists the API keys.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Data mode with the sample data shipped with the kit (its keys and organizations: see the README).",
)
@click.option(
    "--latency", default=None, callback=_latency, help="Delay every response: milliseconds (150) or a range (100-300)."
)
@click.option(
    "--cors-origin", "cors_origins", multiple=True, default=("*",), help="Allowed CORS origin; repeat for several."
)
@click.option("--log-level", type=click.Choice(_LEVELS, case_sensitive=False), default="info", help="Log level.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=min(2, os.cpu_count() or 1),
    show_default="2 or the CPU count if lower",
    help="Worker processes.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=None,
    show_default=f"{MOCK_THREADS}, or {PROXY_THREADS} with --proxy",
    help="Threads per worker; at most half of them (at least one) wait on delays clients ask for.",
)
@click.option(
    "--max-delay-ms",
    type=click.IntRange(0),
    default=10_000,
    envvar="MOCKSERVER_MAX_DELAY_MS",
    help="Longest delay a client may ask for (Prefer: delay=, __delay=), in milliseconds.",
)
@click.option(
    "--admin-token",
    envvar="MOCKSERVER_ADMIN_TOKEN",
    default=None,
    help="Require this token (header X-Admin-Token) on /__admin endpoints.",
)
@click.option(
    "--reload-interval",
    type=click.FloatRange(0),
    default=1.0,
    callback=_finite,
    help="Seconds between checks for changed files; 0 turns reloading off.",
)
@_megabytes("--max-spec-mb", 20, "MOCKSERVER_MAX_SPEC_MB", "Refuse a spec file larger than this many megabytes.")
@click.option(
    "--max-spec-nodes",
    type=click.IntRange(1),
    default=1_000_000,
    envvar="MOCKSERVER_MAX_SPEC_NODES",
    help="Refuse a spec whose $refs inline to more nodes than this (load time and memory grow with them).",
)
@_megabytes("--max-data-mb", 200, "MOCKSERVER_MAX_DATA_MB", "Refuse a data file larger than this many megabytes.")
@_megabytes("--max-usage-mb", 500, "MOCKSERVER_MAX_USAGE_MB", "Refuse a usage CSV larger than this many megabytes.")
@_megabytes(
    "--max-body-mb",
    1,
    "MOCKSERVER_MAX_BODY_MB",
    "Refuse a request body larger than this many megabytes (413, or the documented validation status).",
)
@click.option(
    "--lenient",
    is_flag=True,
    envvar="MOCKSERVER_LENIENT",
    help="Serve a spec with faults that do not stop serving (keys the OpenAPI schema does not allow, an example"
    " that breaks its schema, a response nothing valid can be generated for), with one warning per fault.",
)
@proxy_options
@click.option("--check", is_flag=True, help="Only load and check the spec and data file, then exit.")
def main(
    spec: Path,
    host: str,
    port: int,
    data: Path | None,
    usage: Path | None,
    demo: bool,
    latency: str | None,
    cors_origins: tuple[str, ...],
    log_level: str,
    workers: int,
    threads: int | None,
    admin_token: str | None,
    max_delay_ms: int,
    reload_interval: float,
    max_spec_mb: float,
    max_spec_nodes: int,
    max_data_mb: float,
    max_usage_mb: float,
    max_body_mb: float,
    lenient: bool,
    check: bool,
    **proxy: Any,
) -> None:
    """Serve a mock of the API described by an OpenAPI document."""
    logging.basicConfig(level=log_level.upper(), format=LINE_FORMAT)
    # One line per request: skip what the format does not show (the logging HOWTO's
    # "Optimization" section); this halves the cost of a log line.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None
    from mockserver.app import create_app

    if demo:
        if data is not None or usage is not None:
            raise click.UsageError("--demo serves the shipped sample data: give either --demo or --data/--usage")
        data, usage = DEMO_KEYS, DEMO_USAGE
    if usage is not None and data is None:
        raise click.UsageError("--usage needs --data: the data file lists the API keys and what each may read")
    proxied = proxy_config(proxy)
    # The proxy keeps more threads: a proxied request waits on its upstream in its thread.
    threads = threads or (PROXY_THREADS if proxied.get("MOCK_PROXY") else MOCK_THREADS)
    if not check and (problem := fork_problem() or port_problem(host, port)):  # before loading: say it at once
        click.echo(f"error: {problem}", err=True)
        sys.exit(2)
    admin_enabled, exposure = admin_exposure(host, admin_token)
    config: dict[str, Any] = {
        "MOCK_DATA": str(data) if data else None,
        "MOCK_USAGE": str(usage) if usage else None,
        "MOCK_LATENCY": latency,
        "MOCK_CORS_ORIGINS": ",".join(cors_origins),
        "MOCK_ADMIN_TOKEN": admin_token,
        "MOCK_ADMIN_ENABLED": admin_enabled,
        "MOCK_RELOAD_INTERVAL": 0 if check else reload_interval,
        "MOCK_MAX_SPEC_MB": max_spec_mb,
        "MOCK_MAX_SPEC_NODES": max_spec_nodes,
        "MOCK_MAX_DATA_MB": max_data_mb,
        "MOCK_MAX_USAGE_MB": max_usage_mb,
        "MOCK_MAX_DELAY_MS": max_delay_ms,
        "MOCK_DELAY_SLOTS": max(1, threads // 2),
        "MOCK_MAX_BODY_MB": max_body_mb,
        "MOCK_LENIENT": lenient,
        **proxied,
    }
    try:
        app = create_app(spec, config)
    except (LoadError, SettingsError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # out of memory, or a fault of the mock's own: still one line, no traceback
        logger.debug("loading failed", exc_info=True)
        click.echo(f"error: {spec}: cannot be loaded ({type(exc).__name__}: {exc})", err=True)
        sys.exit(2)
    mode = f"data mode ({', '.join(str(f) for f in (data, usage) if f)})" if data else "example mode"
    warnings = app.extensions["mockserver"].live.current().warnings
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if warnings:
        mode += f"; {len(warnings)} fault{'s' if len(warnings) > 1 else ''} let through by --lenient"
    if proxied:
        fallback = f" (falling back to {mode})" if proxied["MOCK_PROXY_FALLBACK"] else ""
        mode = f"proxy mode, in front of {proxied['MOCK_PROXY']}{fallback}"
    if check:
        click.echo(f"ok: {spec} ({mode})")
        return
    if problem := port_problem(host, port):  # again, as late as can be: taken while loading?
        click.echo(f"error: {problem}", err=True)
        sys.exit(2)
    release_free_memory()  # before the workers are forked: what loading freed is not shared with them
    # What is loaded stays for the server's life: kept out of garbage collection, no collection
    # (in a worker, or in the main process making request lines) walks it, holding the GIL
    # for the 10 ms a full one took.
    gc.freeze()
    (logger.info if admin_enabled else logger.warning)(exposure)
    logger.info("serving %s in %s on http://%s:%d with %d worker(s)", spec, mode, host, port, workers)
    _serve(app, host, port, workers, threads, log_level)


def _serve(app: Any, host: str, port: int, workers: int, threads: int, log_level: str) -> None:
    from mockserver.serving import granian_server, serve

    server = granian_server(
        "mockserver:app", host=host, port=port, workers=workers, threads=threads, log_level=log_level
    )
    runtime = app.extensions["mockserver"]
    # The main process writes the request lines from the journal the workers record into,
    # many per write (mockserver.access_log); the proxy writes its own lines as it answers.
    if runtime.violations is None:
        for handler in logging.getLogger().handlers:
            if runtime.access_log.write_to(handler):
                runtime.access_log.follow(runtime.journal)
                break

    def load_in_worker() -> Any:
        # Runs in each worker process after the fork: take the generations the main process publishes.
        runtime.follow()
        # The shell itself: Flask's __call__ would only pass the request on to it (admin requests
        # go from the shell to Flask).
        return app.wsgi_app

    try:
        serve(server, load_in_worker)
    finally:
        runtime.access_log.stop()  # the workers have stopped: the lines of their last entries
