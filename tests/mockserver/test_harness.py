"""The test harness's server start (tests/server.py): a port taken before the bind is not a failure."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests import server
from tests.server import get_json, running_mock


class _OtherServer(BaseHTTPRequestHandler):
    """Another test's server on the port: it answers health too, from a process not ours."""

    def do_GET(self) -> None:
        body = json.dumps({"status": "ok", "pid": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _silent_listener() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


@pytest.mark.parametrize("holder", ["a listener that never answers", "a server answering health"])
def test_a_port_taken_between_its_choice_and_the_bind_gets_another(
    holder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if holder == "a server answering health":
        other = ThreadingHTTPServer(("127.0.0.1", 0), _OtherServer)
        threading.Thread(target=other.serve_forever, daemon=True).start()
        busy = other.server_address[1]

        def close() -> None:
            other.shutdown()
            other.server_close()

    else:
        listener = _silent_listener()
        busy, close = listener.getsockname()[1], listener.close
    try:
        ports: Iterator[int] = iter([busy, server.free_port()])
        monkeypatch.setattr(server, "free_port", lambda: next(ports))
        with running_mock(log=tmp_path / "mock.log") as base:
            assert not base.endswith(f":{busy}")
            status, health = get_json(base + "/__admin/health")
            assert status == 200
            assert health["pid"] != 1
    finally:
        close()
