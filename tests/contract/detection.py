"""Run the suite against the implementations of ``implementations.py`` and judge the outcome.

:class:`Runs` starts each implementation's own suite process (with its own timeout) two at
a time, in the order asked for, so that a test waiting for its implementation's outcome
finds the next one already running. :func:`verdict` says whether an outcome is the one the
implementation deserves: a correct one passes with nothing skipped, a defective one fails
by (at least) one of the checks meant for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tests.contract.harness import Outcome, run_against
from tests.contract.usage_app import Implementation

__all__ = ["RUN_TIMEOUT", "Runs", "verdict"]

RUN_TIMEOUT = 90.0  # seconds for one implementation's whole suite run, startup included


class Runs:
    def __init__(self, directory: Path, *, workers: int = 2, timeout: float = RUN_TIMEOUT) -> None:
        self._directory = directory
        self._timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="suite-run")
        self._futures: dict[str, Future[Outcome]] = {}
        self._lock = threading.Lock()

    def schedule(self, apps: Iterable[Implementation]) -> None:
        """Queue the runs of ``apps`` (in this order) that are not queued yet."""
        with self._lock:
            for app in apps:
                if app.name not in self._futures:
                    folder = self._directory / re.sub(r"[^A-Za-z0-9]+", "_", app.name)
                    self._futures[app.name] = self._pool.submit(run_against, app, folder, timeout=self._timeout)

    def outcome(self, app: Implementation) -> Outcome:
        self.schedule([app])
        return self._futures[app.name].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def verdict(app: Implementation, outcome: Outcome) -> str | None:
    """``None`` when the outcome is right for ``app``; else what is wrong, in one sentence."""
    if not app.catches:
        if outcome.exit_code != 0 or outcome.failed_checks:
            return f"false alarm: exit code {outcome.exit_code}, failed {sorted(outcome.failed_checks)}"
        coverage = outcome.report.get("coverage", {})
        if coverage.get("ran") != coverage.get("total"):
            return f"every option is set, yet {coverage.get('ran')} of {coverage.get('total')} checks ran"
        return None
    if outcome.exit_code != 1 or not outcome.failed_checks & set(app.catches):
        return f"missed: meant to be caught by {app.catches}, failed {sorted(outcome.failed_checks)}"
    return None
