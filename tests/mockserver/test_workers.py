"""Dying workers and busy ports, against the real server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DATA_PATH, KEY, ROOT
from tests.server import free_port, get_json, health_by_worker, mock_process, steady_load

pytestmark = pytest.mark.server
GOOD = "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999"


def test_a_killed_worker_is_replaced_and_the_server_goes_on(tmp_path: Path) -> None:
    with mock_process("--data", str(DATA_PATH), "--log-level", "warning", log=tmp_path / "mock.log") as (process, base):
        with urllib.request.urlopen(urllib.request.Request(base + GOOD, headers={"X-API-Key": KEY})) as response:
            expected = response.read()
        victim = next(iter(health_by_worker(base)))
        killed_at: list[float] = []

        def kill_soon() -> None:
            time.sleep(0.5)
            killed_at.append(time.monotonic())
            os.kill(victim, signal.SIGKILL)

        killer = threading.Thread(target=kill_soon)
        killer.start()
        # The figure is the 5 s after the kill (make reliability); 2.5 s shows the same here.
        results = steady_load(base + GOOD, headers={"X-API-Key": KEY}, expected=expected, threads=4, seconds=3.2)
        killer.join()
        window = [ok for answered, ok in results if killed_at[0] <= answered < killed_at[0] + 2.5]
        failed = window.count(False)
        assert len(window) >= 100, len(window)
        # At most 1 % on an idle machine (make reliability prints the figure); generous here.
        # Before workers were respawned, Granian stopped the whole server: every request failed.
        assert failed <= 0.05 * len(window), (failed, len(window))
        assert process.poll() is None
        pids = set(health_by_worker(base))
        assert victim not in pids
        assert len(pids) == 2
        assert get_json(base + "/__admin/requests", timeout=5)[1]["count"] > 0  # the journal still lists
    assert "Unexpected exit from worker" in (tmp_path / "mock.log").read_text()


def test_a_busy_port_stops_a_second_server(tmp_path: Path) -> None:
    with mock_process(log=tmp_path / "first.log") as (_, base):
        port = base.rsplit(":", 1)[1]
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "mockserver", "--port", port, "--data", str(DATA_PATH)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2, second.stderr
        assert second.stderr.strip().splitlines()[-1] == f"error: 127.0.0.1:{port} is already in use"
        assert time.monotonic() - started < 30
        for _ in range(10):  # the first server alone answers: example mode, every time
            assert get_json(base + GOOD, {"X-API-Key": "idt_live_anything"})[0] == 200


def test_a_port_held_by_another_program_stops_the_server() -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        result = subprocess.run(
            [sys.executable, "-m", "mockserver", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == f"error: 127.0.0.1:{port} is already in use"
