"""Figures for the README and reviews: ``python -m tests.contract.figures``.

Runs the suite (``ci`` profile) against each hostile target of ``hostile.SCENARIOS`` and
against a target whose every answer takes 2 s, and prints wall time, peak resident memory
of the suite process (``wait4``) and exit code of each run.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.contract import hostile
from tests.contract import implementations as impl
from tests.contract.harness import Outcome, run_suite, serving, suite_env

__all__ = ["run_hostile", "run_slow_target"]


def run_hostile(spoil: hostile.Spoil, folder: Path, *, run_budget: float, timeout: float = 2) -> Outcome:
    """The suite against a raw-socket target that answers like the reference, spoiled."""
    hostile.prepare()  # the target's costly parts are made before the run, not during its first answer
    with hostile.raw_server(hostile.like_reference(spoil)) as address:
        env = suite_env(f"http://{address}", CONTRACT_RUN_BUDGET=f"{run_budget:g}", CONTRACT_TIMEOUT=f"{timeout:g}")
        return run_suite(env, folder, f"--junitxml={folder / 'junit.xml'}", timeout=run_budget + 120)


def _slow(delay: float) -> Callable[[dict[str, object], object], object]:
    def answer(environ: dict[str, object], start_response: object) -> object:
        time.sleep(delay)
        return impl.Implementation("reference")(environ, start_response)  # type: ignore[arg-type]

    return answer


def run_slow_target(folder: Path, *, delay: float = 2, latency_budget: float | None = None) -> Outcome:
    """Every answer takes ``delay`` s; by default the suite runs with the user's defaults
    (5 s timeout, 1 s latency budget), or with ``latency_budget`` to see the same in less time."""
    with serving(_slow(delay)) as base_url:
        env = {k: v for k, v in suite_env(base_url).items() if k not in ("CONTRACT_TIMEOUT", "CONTRACT_LATENCY_BUDGET")}
        if latency_budget is not None:
            env["CONTRACT_LATENCY_BUDGET"] = f"{latency_budget:g}"
        return run_suite(env, folder, timeout=180)


def main() -> None:
    print("| target | seconds | peak RSS MB | exit |\n| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as directory:
        for index, (name, spoil, _, timeout) in enumerate(hostile.SCENARIOS):
            folder = Path(directory) / str(index)
            folder.mkdir()
            outcome = run_hostile(spoil, folder, run_budget=30, timeout=timeout)
            print(f"| {name} | {outcome.seconds:.1f} | {outcome.peak_rss_mb:.0f} | {outcome.exit_code} |")
        outcome = run_slow_target(Path(directory) / "slow")
        print(f"| every answer takes 2 s | {outcome.seconds:.1f} | {outcome.peak_rss_mb:.0f} | {outcome.exit_code} |")


if __name__ == "__main__":
    main()
