"""Start the real mock server (CLI, Granian workers) on a free loopback port for a test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def mock_process(*args: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``python -m mockserver ARGS`` until the block ends; yield the process and base URL.

    The block may stop the process itself; otherwise it gets SIGTERM at the end.
    """
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    urllib.request.urlopen(base + "/__admin/health", timeout=1).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"mock did not start: {log.read_text()}") from None
                    time.sleep(0.05)
            yield process, base
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@contextmanager
def running_mock(*args: str, log: Path) -> Iterator[str]:
    """Run ``python -m mockserver ARGS`` until the block ends; yield its base URL."""
    with mock_process(*args, log=log) as (_, base):
        yield base
