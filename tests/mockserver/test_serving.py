"""Granian as the mock runs it (mockserver.serving): its stop warnings, and Ctrl-C with workers."""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mockserver.serving import _StoppedWorkerNotice
from tests.conftest import ROOT
from tests.server import get_json, health_by_worker, mock_process, wait_until

KILLING = "Killing worker-{} after it refused to gracefully stop"


@contextmanager
def _worker(*, ended: bool) -> Iterator[SimpleNamespace]:
    """A stand-in for Granian's worker: its process sentinel is ready once the process ended."""
    read_fd, write_fd = os.pipe()
    if ended:
        os.close(write_fd)  # a process that ends closes its end: the sentinel becomes ready
    try:
        yield SimpleNamespace(inner=SimpleNamespace(sentinel=read_fd))
    finally:
        os.close(read_fd)
        if not ended:
            os.close(write_fd)


def _record(message: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord("_granian", level, __file__, 1, message, None, None)


@pytest.mark.parametrize(
    ("message", "ended", "index", "kept"),
    [
        (KILLING.format(1), True, 0, False),  # it had stopped: Granian's check raced its own watcher
        (KILLING.format(1), False, 0, True),  # it is running: the warning is true
        (KILLING.format(2), True, 0, True),  # no worker 2 to ask: kept
        ("Killing old worker-1 after it refused to gracefully stop", True, 0, True),
        ("Stopped worker-1", True, 0, True),
    ],
)
def test_the_kill_warning_is_dropped_only_for_a_worker_that_had_ended(
    message: str, ended: bool, index: int, kept: bool
) -> None:
    notice = _StoppedWorkerNotice()
    with _worker(ended=ended) as worker:
        worker.idx = index
        server = _Server(wrks=[worker])
        notice.servers.add(server)
        assert notice.filter(_record(message)) is kept


def test_a_granian_without_the_fields_asked_keeps_the_warning() -> None:
    notice = _StoppedWorkerNotice()
    server = _Server()  # no workers list
    notice.servers.add(server)
    assert notice.filter(_record(KILLING.format(1))) is True


class _Server:
    """A stand-in for Granian's server, held weakly as the filter holds it."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


@pytest.mark.server
def test_ctrl_c_stops_the_workers_through_the_main_process(tmp_path: Path) -> None:
    log = tmp_path / "mock.log"
    with mock_process(log=log) as (process, base):
        workers = set(health_by_worker(base))
        # A worker leaves SIGINT to the main process: it keeps serving. (One that took it
        # stopped within milliseconds, logging "Stopping worker-N", and was replaced.)
        os.kill(next(iter(workers)), signal.SIGINT)
        time.sleep(1)
        assert "Stopping worker" not in log.read_text()
        assert set(health_by_worker(base)) == workers
        # Ctrl-C in a terminal: SIGINT to every process of the group.
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=20) == 0
    text = log.read_text()
    assert "Granian shutdown completed" in text
    assert "WARNING" not in text, text
    assert "ERROR" not in text, text


def _to_another_thread(pid: int, sig: int) -> None:
    """Send ``sig`` to one thread of process ``pid`` that is not its main thread (tgkill)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for tid in sorted(int(name) for name in os.listdir(f"/proc/{pid}/task")):
        if tid != pid and libc.tgkill(pid, tid, sig) == 0:
            return
    raise AssertionError(f"no thread of {pid} but its main one took the signal")


def _ended(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie until Granian reaps it
    except FileNotFoundError:
        return True


@pytest.mark.server
def test_a_sigterm_another_thread_of_a_worker_receives_stops_that_worker(tmp_path: Path) -> None:
    with mock_process(log=tmp_path / "mock.log") as (process, base):
        victim = next(iter(health_by_worker(base)))
        _to_another_thread(victim, signal.SIGTERM)
        # Without the main thread woken, the worker went on serving until something else woke it.
        wait_until(lambda: _ended(victim), timeout=10, what=f"worker {victim} ending")
        assert process.poll() is None  # the main process replaces it
        wait_until(lambda: victim not in health_by_worker(base), timeout=20, what="a replacement worker")


@pytest.mark.server
def test_a_sigterm_another_thread_of_the_main_process_receives_stops_the_server(tmp_path: Path) -> None:
    with mock_process(log=tmp_path / "mock.log") as (process, _):
        _to_another_thread(process.pid, signal.SIGTERM)
        assert process.wait(timeout=20) == 0


# A process forked from one that serves: a SIGTERM before Granian's handlers are in place
# (the parent's would swallow it) ends it, and SIGINT is left to the parent.
STARTING = textwrap.dedent(
    """
    import os, signal, sys, time
    from mockserver import serving

    signal.signal(signal.SIGTERM, lambda *_: None)  # the main process's handler, inherited
    os.register_at_fork(after_in_child=serving._starting_worker)
    child = os.fork()
    if child == 0:
        time.sleep(30)  # a worker loading
        os._exit(3)
    time.sleep(0.3)
    os.kill(child, signal.SIGINT)
    time.sleep(0.3)
    print("after SIGINT:", "running" if os.waitpid(child, os.WNOHANG) == (0, 0) else "ended")
    os.kill(child, signal.SIGTERM)
    print("after SIGTERM:", os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
    """
)


def test_a_starting_worker_ends_at_once_on_sigterm_and_leaves_sigint() -> None:
    result = subprocess.run([sys.executable, "-c", STARTING], cwd=ROOT, capture_output=True, text=True, timeout=25)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["after SIGINT: running", f"after SIGTERM: {-signal.SIGTERM}"]


def test_the_workers_are_forked_where_the_interpreter_would_spawn_them(tmp_path: Path) -> None:
    """macOS spawns by default, and Linux from Python 3.14: a spawned worker had neither the app nor the journal."""
    args = ("--data", "data/sample-usage.yaml", "--workers", "2")
    with mock_process(*args, log=tmp_path / "mock.log", module="tests.mockserver.spawn_default") as (_, base):
        assert len(health_by_worker(base, workers=2)) == 2
        status, body = get_json(
            base + "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999",
            {"X-API-Key": "idt_live_acmeFrontend00000000000000000001"},
        )
        assert status == 200
        assert set(body["data"]) == {"usageSms", "usageWhatsapp", "usageEmail", "usageSage"}
    assert "Traceback" not in (tmp_path / "mock.log").read_text()


def test_a_platform_that_cannot_fork_is_told_so_before_anything_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mockserver.cli import main
    from mockserver.serving import fork_problem, granian_server

    assert fork_problem() is None  # this machine forks
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    result = CliRunner().invoke(main, ["--port", "4010", "--spec", str(ROOT / "missing.yaml")])
    assert result.exit_code == 2
    assert "cannot fork processes" in result.output
    assert "missing.yaml" not in result.output  # said before the spec was read
    with pytest.raises(RuntimeError, match="cannot fork processes"):
        granian_server("floor:app", host="127.0.0.1", port=4010, workers=1, threads=1, log_level="warning")
