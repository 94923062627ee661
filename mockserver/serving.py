"""The WSGI server the mock runs on: Granian, with the settings the mock and the benchmark's floor share.

``make bench`` serves a bare WSGI callable with :func:`granian_server` too, so the floor it
reports is this server on these settings, and every mock figure is a ratio to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = ["MOCK_THREADS", "PROXY_THREADS", "granian_server", "serve"]

# Request threads per worker. Every thread more is one more contender for the GIL: with
# 8, the mock's p99 at 16 and 64 connections was about twice what it is with 4, for no
# more throughput. A proxied request waits on its upstream in its thread: the proxy keeps 8.
MOCK_THREADS = 4
PROXY_THREADS = 8


def granian_server(target: str, *, host: str, port: int, workers: int, threads: int, log_level: str) -> Any:
    """A Granian server for the WSGI callable ``target`` names (``module:attribute``), not yet started."""
    from granian.constants import Interfaces, RuntimeModes
    from granian.log import LogLevels
    from granian.server import Server

    # Granian warns of more threads than cores; the mock's threads mostly sleep on delays clients ask for.
    logging.getLogger("_granian").addFilter(_ThreadCountNotice())
    return Server(
        target,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        # Each request runs in one of a worker's threads; a delayed answer sleeps in its thread.
        blocking_threads=threads,
        # One runtime thread per worker: the Python side is the bottleneck, and a single
        # I/O thread hands requests over with less GIL contention (+15 % rps here).
        runtime_mode=RuntimeModes.st,
        websockets=False,
        log_level=LogLevels(log_level.lower()),
        workers_kill_timeout=30,
        # A worker that dies (out of memory, a crash, a kill) is replaced at once from the
        # main process, which holds the newest generation; the others serve meanwhile.
        respawn_failed_workers=True,
    )


def serve(server: Any, load: Callable[[], Any]) -> None:
    """Run ``server`` until it is stopped; ``load`` gives each worker its WSGI callable after the fork."""

    def loader(*_args: Any, **_kwargs: Any) -> Any:
        return load()

    server.serve(target_loader=loader, wrap_loader=False)


class _ThreadCountNotice(logging.Filter):
    """Drops Granian's notice about many threads per core (they wait on delays here, not on the CPU)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "seems quite high compared to the number of CPU cores" not in record.getMessage()
