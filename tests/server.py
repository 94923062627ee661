"""Start the real mock server (CLI, Granian workers) on a free loopback port for a test."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def mock_process(
    *args: str, log: Path, env: Mapping[str, str] | None = None, module: str = "mockserver"
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``python -m mockserver ARGS`` until the block ends; yield the process and base URL.

    ``env`` adds environment variables; ``module`` runs another entry point with the same
    arguments. The block may stop the process itself; otherwise it gets SIGTERM at the end.
    The server runs in a process group of its own, which is killed at the end in case a
    worker outlived its main process.
    """

    def spawn(port: int, out: IO[bytes]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            start_new_session=True,
        )

    process, base = start_server(spawn, log=log)
    try:
        # Every worker up: a test meets the whole server.
        workers = int(args[args.index("--workers") + 1]) if "--workers" in args else min(2, os.cpu_count() or 1)
        health_by_worker(base, workers=workers, timeout=20)
        yield process, base
    finally:
        stop_process(process, timeout=15)


# A port free when chosen may be taken before the server binds it (another test's server,
# a client's ephemeral port): the server says so and exits, and it is started on another.
_PORT_ATTEMPTS = 3
_PORT_TAKEN = "is already in use"


def start_server(
    spawn: Callable[[int, IO[bytes]], subprocess.Popen[bytes]], *, log: Path, timeout: float = 20
) -> tuple[subprocess.Popen[bytes], str]:
    """``spawn(port, log_file)`` on a free loopback port until a worker of it answers health; the process and base URL.

    A port taken between its choice and the bind is not a failure: the server is started
    again on another, up to three times. A health answer from another process on the
    port (another test's server) is not taken for this one's.
    """
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        port = free_port()
        with log.open("wb") as out:
            process = spawn(port, out)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(process, base, log=log, timeout=timeout)
            return process, base
        except RuntimeError:
            stop_process(process, timeout=15)
            if attempt == _PORT_ATTEMPTS or _PORT_TAKEN not in log.read_text():
                raise
        except BaseException:
            stop_process(process, timeout=15)
            raise
    raise AssertionError("unreachable")


def _ours(pid: Any, parent: int) -> bool:
    """Whether ``pid`` is ``parent`` or one of its children (where ``/proc`` tells)."""
    if pid == parent:
        return True
    try:
        stat = Path(f"/proc/{int(pid)}/stat").read_text()
    except (OSError, TypeError, ValueError):
        return not Path("/proc/self").exists()  # no /proc to ask: take the answer
    return int(stat.rsplit(")", 1)[1].split()[1]) == parent


def _wait_ready(process: subprocess.Popen[bytes], base: str, *, log: Path, timeout: float) -> None:
    """Until a worker of ``process`` answers health (not whatever else took the port)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/__admin/health", timeout=1) as response:
                if _ours(json.loads(response.read()).get("pid"), process.pid):
                    return
            raise ConnectionError("another server answers on this port")
        except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException, ValueError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mock did not start: {log.read_text()}") from None
            time.sleep(0.05)


def stop_process(process: subprocess.Popen[bytes], *, timeout: float) -> None:
    """SIGTERM, then SIGKILL after ``timeout``; then whatever is left of its process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running_mock(*args: str, log: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run ``python -m mockserver ARGS`` until the block ends; yield its base URL."""
    with mock_process(*args, log=log, env=env) as (_, base):
        yield base


def get_json(url: str, headers: Mapping[str, str] | None = None, timeout: float = 10) -> tuple[int, Any]:
    """Status and parsed JSON body of a GET (on a new connection each time)."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def health_by_worker(base: str, *, workers: int = 2, timeout: float = 30) -> dict[int, dict[str, Any]]:
    """The health answer of each worker process (new connections land on workers at random)."""
    seen: dict[int, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < workers:
        assert time.monotonic() < deadline, f"only workers {sorted(seen)} answered"
        health = get_json(base + "/__admin/health")[1]
        seen[health["pid"]] = health
    return seen


def wait_until(condition: Callable[[], bool], *, timeout: float = 60, what: str = "condition") -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.1)


def steady_load(
    url: str, *, headers: Mapping[str, str], expected: bytes, threads: int, seconds: float
) -> list[tuple[float, bool]]:
    """Send requests from ``threads`` keep-alive connections for ``seconds``; bounded in time.

    Returns ``(monotonic time the answer or the failure came, got the expected 200 and
    body)`` per request. A request that fails (a reset connection, a timeout, another
    answer) counts as failed once and the thread connects anew, as a browser would.
    """
    parts = urllib.parse.urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    deadline = time.monotonic() + seconds
    results: list[tuple[float, bool]] = []

    def run() -> None:
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
        while time.monotonic() < deadline:
            try:
                connection.request("GET", target, headers=dict(headers))
                response = connection.getresponse()
                ok = response.status == 200 and response.read() == expected
            except (OSError, http.client.HTTPException):
                ok = False
            if not ok:
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
            results.append((time.monotonic(), ok))
        connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results
