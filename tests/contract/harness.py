"""Run the contract suite, as a user would, against WSGI apps served on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from tests.contract import implementations as impl

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "contract_tests"


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    failed_checks: frozenset[str]
    report: dict[str, Any]
    output: str


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serving(app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
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


def run_suite(env: Mapping[str, str], report_dir: Path, *args: str, timeout: float = 300) -> Outcome:
    command = [
        sys.executable, "-m", "pytest", str(SUITE), "-c", str(SUITE / "pytest.ini"), "--rootdir", str(SUITE),
        "--hypothesis-profile=ci", "--report-dir", str(report_dir), "-q", "-p", "no:randomly", *args,
    ]  # fmt: skip
    result = subprocess.run(command, env=dict(env), capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    path = report_dir / "conformance.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    failed = frozenset(f["check"] for c in report.get("checks", []) for f in c["failures"])
    return Outcome(result.returncode, failed, report, result.stdout + result.stderr)


def run_against(app: Callable[..., Any], report_dir: Path) -> Outcome:
    with serving(app) as base_url:
        return run_suite(suite_env(base_url), report_dir)


def run_all(apps: list[impl.Implementation], directory: Path, workers: int = 2) -> dict[str, Outcome]:
    """Run the suite against each implementation, two at a time."""

    def one(app: impl.Implementation) -> tuple[str, Outcome]:
        return app.name, run_against(app, directory / app.name.replace(" ", "_"))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(one, apps))
