"""The WSGI server the mock runs on: Granian, with the settings the mock and the benchmark's floor share.

``make bench`` serves a bare WSGI callable with :func:`granian_server` too, so the floor it
reports is this server on these settings, and every mock figure is a ratio to it.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import re
import signal
import weakref
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

from mockserver.wakeup import wake_main_thread_on_signals

__all__ = ["MOCK_THREADS", "PROXY_THREADS", "fork_problem", "granian_server", "serve"]

# Request threads per worker. Every thread more is one more contender for the GIL: with
# 8, the mock's p99 at 16 and 64 connections was about twice what it is with 4, for no
# more throughput. A proxied request waits on its upstream in its thread: the proxy keeps 8.
MOCK_THREADS = 4
PROXY_THREADS = 8


def fork_problem() -> str | None:
    """Why this platform cannot start the mock's workers, or ``None`` when it can."""
    if "fork" in multiprocessing.get_all_start_methods():
        return None
    return (
        "the mock's workers are forked from the process that loaded the spec, and this platform "
        "cannot fork processes: run it on Linux or macOS (or in a Linux container)"
    )


def _fork_workers() -> None:
    # Granian starts each worker by the interpreter's start method: fork on Linux up to Python
    # 3.13, spawn on macOS, and spawn on Linux from 3.14 (whose forkserver Granian takes as
    # spawn). A spawned worker starts from nothing: it has neither the loaded app nor the
    # journal's shared memory, and the loader cannot even be sent to it (a closure). Forked,
    # it starts with both, as the design needs (mockserver.cli).
    if multiprocessing.get_start_method(allow_none=True) != "fork":
        multiprocessing.set_start_method("fork", force=True)


def granian_server(target: str, *, host: str, port: int, workers: int, threads: int, log_level: str) -> Any:
    """A Granian server for the WSGI callable ``target`` names (``module:attribute``), not yet started.

    Its workers are forked (the interpreter's start method is set so): see :func:`fork_problem`.
    """
    if problem := fork_problem():
        raise RuntimeError(problem)
    _fork_workers()
    from granian.constants import Interfaces, RuntimeModes
    from granian.log import LogLevels
    from granian.server import Server

    server = Server(
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
    granian_log = logging.getLogger("_granian")
    # Granian warns of more threads than cores; the mock's threads mostly sleep on delays clients ask for.
    granian_log.addFilter(_THREAD_COUNT_NOTICE)  # the logger keeps one of each filter
    granian_log.addFilter(_STOPPED_WORKER_NOTICE)
    _STOPPED_WORKER_NOTICE.servers.add(server)
    return server


def serve(server: Any, load: Callable[[], Any]) -> None:
    """Run ``server`` until it is stopped; ``load`` gives each worker its WSGI callable after the fork."""

    def loader(*_args: Any, **_kwargs: Any) -> Any:
        app = load()
        wake_main_thread_on_signals()  # in a worker, whose main thread Granian parks (once per process)
        return app

    _prepare_workers()
    wake_main_thread_on_signals()
    server.serve(target_loader=loader, wrap_loader=False)


@functools.cache
def _prepare_workers() -> None:
    """From now on (once per process), every process forked from this one starts as a worker."""
    os.register_at_fork(after_in_child=_starting_worker)


def _starting_worker() -> None:
    """In each process forked from the main one, before anything of it runs: its signals."""
    # Ctrl-C sends SIGINT to every process of the terminal's group. A worker that stopped on it
    # before the main process did was "an unexpected exit" to Granian, logged as an error.
    # Blocked before any thread of the worker starts, it is left to the main process, which
    # stops the workers with SIGTERM.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    # Until Granian gives the worker handlers of its own, the main process's would swallow a
    # SIGTERM, and the worker would run on until Granian killed it 30 s later: end at once.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class _ThreadCountNotice(logging.Filter):
    """Drops Granian's notice about many threads per core (they wait on delays here, not on the CPU)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "seems quite high compared to the number of CPU cores" not in record.getMessage()


class _StoppedWorkerNotice(logging.Filter):
    """Drops Granian's warning that it kills a worker which refused to stop, when that worker had stopped.

    Granian asks ``is_alive()`` right after ``join()`` returns; a thread of its own that waits
    on the same worker may have reaped it and not yet kept its exit code, and until it does,
    ``is_alive()`` says yes. The worker's sentinel tells: it is ready once the process ended.
    (Granian then sends SIGKILL to the process that has ended, which does nothing.)
    """

    _KILLING = re.compile(r"Killing worker-(\d+) after it refused to gracefully stop")

    def __init__(self) -> None:
        super().__init__()
        self.servers: weakref.WeakSet[Any] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        match = self._KILLING.fullmatch(record.getMessage())
        return match is None or not _has_ended(list(self.servers), int(match.group(1)) - 1)


def _has_ended(servers: list[Any], index: int) -> bool:
    """Whether the one worker ``index`` of ``servers`` has ended, by its process's sentinel; no when unsure."""
    try:
        (worker,) = [worker for server in servers for worker in server.wrks if worker.idx == index]
        return bool(wait([worker.inner.sentinel], timeout=0))
    except (AttributeError, ValueError, OSError):  # another Granian, no such worker or several, a closed sentinel
        return False


_THREAD_COUNT_NOTICE = _ThreadCountNotice()
_STOPPED_WORKER_NOTICE = _StoppedWorkerNotice()
