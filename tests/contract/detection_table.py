"""Print the detection table for the README: ``python -m tests.contract.detection_table``.

Runs the contract suite (ci profile) against every implementation of
``tests/contract/implementations.py``, each in its own subprocess, two at a time, and
prints one Markdown row per implementation, then the totals and the slowest run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from tests.contract import implementations as impl
from tests.contract.detection import Runs, verdict


def main() -> None:
    started = time.perf_counter()
    apps = impl.CORRECT + impl.DEFECTS
    with tempfile.TemporaryDirectory() as directory:
        runs = Runs(Path(directory))
        runs.schedule(apps)
        outcomes = {app.name: runs.outcome(app) for app in apps}
        runs.close()
    lines = ["| implementation | meant to be caught by | failed checks | result |", "| --- | --- | --- | --- |"]
    caught = false_alarms = 0
    for app in apps:
        outcome = outcomes[app.name]
        failed = ", ".join(sorted(outcome.failed_checks)) or "none"
        ok = verdict(app, outcome) is None
        if app.catches:
            caught += ok
            lines.append(f"| {app.name} | {', '.join(app.catches)} | {failed} | {'caught' if ok else 'MISSED'} |")
        else:
            false_alarms += not ok
            lines.append(f"| {app.name} (correct) | nothing | {failed} | {'pass' if ok else 'FALSE ALARM'} |")
    seconds = sorted(outcome.seconds for outcome in outcomes.values())
    slowest = max(apps, key=lambda app: outcomes[app.name].seconds)
    print("\n".join(lines))
    print(
        f"\n{caught} of {len(impl.DEFECTS)} defects caught, {false_alarms} false alarms on {len(impl.CORRECT)} correct "
        f"implementations ({time.perf_counter() - started:.0f} s, two runs at a time). One run (`ci` profile, "
        f"interpreter start included): median {statistics.median(seconds):.1f} s, slowest "
        f"{seconds[-1]:.1f} s ({slowest.name})."
    )


if __name__ == "__main__":
    main()
