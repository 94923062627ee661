"""Faulty targets are reported, not fatal: one clear failure, bounded time, a report."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.contract.harness import run_suite, suite_env

pytestmark = pytest.mark.server

Behaviour = Callable[[socket.socket], None]


def _trickle(conn: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 100:
        conn.sendall(bytes([byte]))
        time.sleep(1)


def _huge(conn: socket.socket) -> None:
    size = 11 * 1024 * 1024
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode())
    chunk = b" " * 65536
    for _ in range(size // len(chunk)):
        conn.sendall(chunk)


def _redirect(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /organizations/org_alpha/usage\r\nContent-Length: 0\r\n\r\n")


def _not_json(conn: socket.socket) -> None:
    body = b"<html>Service Unavailable... just kidding, 200</html>"
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


@contextmanager
def faulty_server(behaviour: Behaviour) -> Iterator[str]:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                behaviour(conn)
            except OSError:
                pass

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        server.close()


# A byte a second never lets a 2 s read timeout fire: only the whole-exchange deadline
# (three times the timeout) ends it.
FAULTS = [
    ("one byte per second", _trickle, "http", "2", "no complete answer within 6 s"),
    ("10 MB body", _huge, "http", "1", "larger than 10 MB"),
    ("redirect loop", _redirect, "http", "1", "302"),
    ("non-JSON 200", _not_json, "http", "1", "text/html"),
    ("TLS error", _not_json, "https", "1", "TLS error"),
]


@pytest.mark.parametrize(("name", "behaviour", "scheme", "timeout", "fragment"), FAULTS, ids=[f[0] for f in FAULTS])
def test_faulty_target_is_reported(
    name: str, behaviour: Behaviour, scheme: str, timeout: str, fragment: str, tmp_path: Path
) -> None:
    with faulty_server(behaviour) as address:
        started = time.monotonic()
        outcome = run_suite(suite_env(f"{scheme}://{address}", CONTRACT_TIMEOUT=timeout), tmp_path, timeout=240)
        elapsed = time.monotonic() - started
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert elapsed < 120, f"took {elapsed:.0f} s"
    assert fragment in outcome.output, outcome.output[-3000:]
    assert "Traceback" not in outcome.output
    assert outcome.report["summary"]["failed"] >= 1
