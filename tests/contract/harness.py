"""Run the contract suite, as a user would, against WSGI apps served on loopback.

:func:`run_suite` runs the suite in a process of its own, with its own timeout, and
reports its exit code, failed checks, report, output, wall time and peak memory (the
process's maximum resident set). The process is forked from a warm zygote
(:mod:`tests.contract.zygote`) that has imported pytest, Hypothesis and schemathesis once;
:func:`run_command` runs any other command (the ``usage-contract`` CLI) as a subprocess.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from contract_tests.cli import suite_args
from tests.contract import implementations as impl

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    failed_checks: frozenset[str]
    report: dict[str, Any]
    output: str
    seconds: float = 0.0
    peak_rss_mb: float = 0.0


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serving(app: Callable[..., Any], **options: Any) -> Iterator[str]:
    """Serve a WSGI app on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if options.get("ssl_context") else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def suite_env(base_url: str, **overrides: str) -> dict[str, str]:
    """Every CONTRACT_* option set, for the implementations' data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACT_")}
    env.update(
        CONTRACT_BASE_URL=base_url,
        CONTRACT_API_KEY=impl.KEY,
        CONTRACT_ORG_ID=impl.ORG,
        CONTRACT_OTHER_ORG_ID=impl.OTHER_ORG,
        CONTRACT_OTHER_API_KEY=impl.OTHER_KEY,
        CONTRACT_MISSING_ORG_ID=impl.MISSING_ORG,
        CONTRACT_WINDOW_START=str(impl.WINDOW[0]),
        CONTRACT_WINDOW_END=str(impl.WINDOW[1]),
        CONTRACT_LATENCY_BUDGET="0.5",
        CONTRACT_TIMEOUT="2",
        CONTRACT_SPEC=str(ROOT / "openapi.yaml"),
    )
    env.update(overrides)
    return env


def suite_command(report_dir: Path, *args: str) -> list[str]:
    """The suite run exactly as ``usage-contract`` runs it (its own settings, no configuration file)."""
    return [sys.executable, "-m", "pytest", *suite_args(report_dir, "ci", ["-q", "-p", "no:randomly", *args])]


def run_suite(env: Mapping[str, str], report_dir: Path, *args: str, timeout: float = 120) -> Outcome:
    """Run the suite in a process of its own (its own process group), killed after ``timeout`` seconds."""
    command = suite_command(report_dir, *args)
    started = time.monotonic()
    with tempfile.NamedTemporaryFile(prefix="suite-output-") as output:
        status, maxrss_kb = _zygote().run(command[3:], env, Path(output.name), timeout=timeout)
        text = Path(output.name).read_text(encoding="utf-8", errors="replace")
    if status is None:
        raise subprocess.TimeoutExpired(command, timeout, output=text)
    return _outcome(status, text, report_dir, time.monotonic() - started, maxrss_kb)


def run_command(command: list[str], env: Mapping[str, str], report_dir: Path, *, timeout: float) -> Outcome:
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, env=dict(env), stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )
        status, usage = _wait(process, timeout)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    seconds = time.monotonic() - started
    if status is None:
        raise subprocess.TimeoutExpired(command, timeout, output=text)
    return _outcome(status, text, report_dir, seconds, usage.ru_maxrss if usage is not None else 0)


def _outcome(status: int, text: str, report_dir: Path, seconds: float, maxrss_kb: int) -> Outcome:
    path = report_dir / "conformance.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    failed = frozenset(f["check"] for c in report.get("checks", []) for f in c["failures"])
    return Outcome(status, failed, report, text, seconds, maxrss_kb / 1024)  # kilobytes on Linux


class _Zygote:
    """The client of one warm :mod:`tests.contract.zygote` process; safe to use from several threads."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.contract.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            start_new_session=True,
        )
        self._lock = threading.Lock()
        self._next = 0
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        threading.Thread(target=self._read, daemon=True, name="zygote-replies").start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            message = json.loads(line)
            waiting = self._replies.get(message["id"])
            if waiting is not None:
                waiting.put(message)

    def run(self, args: list[str], env: Mapping[str, str], output: Path, *, timeout: float) -> tuple[int | None, int]:
        """Exit status (``None`` if killed at ``timeout``) and peak memory (kB) of one run."""
        assert self.process.stdin is not None
        replies: queue.Queue[dict[str, Any]] = queue.Queue()
        with self._lock:
            self._next += 1
            ident = self._next
            self._replies[ident] = replies
            request = {"id": ident, "args": args, "env": dict(env), "cwd": str(ROOT), "output": str(output)}
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        try:
            pid = replies.get(timeout=60)["pid"]
            try:
                ended = replies.get(timeout=timeout)
            except queue.Empty:
                os.killpg(pid, signal.SIGKILL)
                replies.get(timeout=60)
                return None, 0
            return int(ended["status"]), int(ended["maxrss_kb"])
        finally:
            self._replies.pop(ident, None)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


_ZYGOTES: list[_Zygote] = []
_ZYGOTE_LOCK = threading.Lock()


def _zygote() -> _Zygote:
    """This process's zygote, started at first use and closed when the process exits."""
    with _ZYGOTE_LOCK:
        if not _ZYGOTES or _ZYGOTES[0].process.poll() is not None:
            _ZYGOTES[:] = [_Zygote()]
            atexit.register(_ZYGOTES[0].close)
        return _ZYGOTES[0]


def _wait(process: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, Any]:
    """Reap the child with ``wait4`` (its own peak memory); kill its group after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -signal.SIGKILL
            return None, None
        time.sleep(0.02)


def run_against(app: Callable[..., Any], report_dir: Path, *, timeout: float = 120) -> Outcome:
    with serving(app) as base_url:
        return run_suite(suite_env(base_url), report_dir, timeout=timeout)
